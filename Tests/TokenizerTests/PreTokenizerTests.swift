import Testing
@testable import Tokenizer

/// Word boundaries of each pre-tokenizer, read off llama.cpp src/unicode.cpp. Only "smollm" is
/// also covered end to end by the llama.cpp fixtures; these pin the others.
@Suite struct PreTokenizerTests {
    func words(_ preTokenizer: PreTokenizer, _ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return preTokenizer.split(scalars, scalars.map(ScalarClass.init)).map { range in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }
    }

    @Test func smollmIsolatesEveryDigit() {
        #expect(words(.smollm, "Hello world 123") == ["Hello", " world", " ", "1", "2", "3"])
        #expect(words(.smollm, "x²½") == ["x", "²", "½"])
    }

    @Test func gpt2() {
        #expect(words(.gpt2, "Hello world 123") == ["Hello", " world", " 123"])
        #expect(words(.gpt2, "a  b  ") == ["a", " ", " b", "  "])
        #expect(words(.gpt2, "don't DON'T") == ["don", "'t", " DON", "'", "T"])
        #expect(words(.gpt2, "\n\nfoo") == ["\n", "\n", "foo"])
    }

    @Test func llama3() {
        #expect(words(.llama3, "1234567") == ["123", "456", "7"])
        #expect(words(.llama3, "Hello\n\nworld") == ["Hello", "\n\n", "world"])
        #expect(words(.llama3, "DON'T") == ["DON", "'T"])
        #expect(words(.llama3, "a ?!\n\nb") == ["a", " ?!\n\n", "b"])
        #expect(words(.llama3, "(hello") == ["(hello"])
    }

    @Test func defaultSplitsPunctuationThenDigitTriples() {
        #expect(words(.default, "a...b 12345") == ["a", "...", "b", " ", "123", "45"])
    }

    @Test func unicodeClassesFollowLlamaCppTables() {
        // U+1C89 (Cyrillic, Unicode 16) is unassigned in llama.cpp's 15.1 tables, so not a letter.
        #expect(ScalarClass(Unicode.Scalar(0x1C89)!).isEmpty)
        #expect(ScalarClass("é").contains(.letter))
        #expect(ScalarClass("\u{3000}") == .whitespace)
        #expect(ScalarClass("\u{200B}").isEmpty)
        #expect(ScalarClass("٣").contains(.number))
    }

    @Test func cleanSpacesMatchesLlamaCppDetokenize() {
        let cleaned = Tokenizer.cleanSpaces(Array("Hello , world ! it 's ' quoted ' they 're I 'll".utf8))
        #expect(String(decoding: cleaned, as: UTF8.self) == "Hello, world! it's'quoted'they're I 'll")
    }
}
