import Foundation
import Testing
@testable import Tokenizer

/// Word boundaries of each pre-tokenizer, as llama.cpp's `unicode_regex_split` (src/unicode.cpp)
/// produces them for its regex lists (src/llama-vocab.cpp). LlamaCppVocabTests covers several
/// end to end, but its inputs hardly tell some pre-tokenizers apart (DeepSeek LLM and Coder split
/// them alike); these pin each scanner on the inputs that do.
@Suite struct PreTokenizerTests {
    func words(_ preTokenizer: PreTokenizer, _ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return preTokenizer.split(scalars, scalars.map(ScalarClass.init)).map { range in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }
    }

    /// pretokenizer-splits.json (scripts/reference/make_pretokenizer_fixtures.py): llama.cpp's
    /// `unicode_regex_split` on 318 texts, for one `tokenizer.ggml.pre` name per case.
    struct SplitFixture: Decodable {
        var texts: [String]
        /// Pre-tokenizer name -> per text, the word lengths in scalars, space-separated.
        var splits: [String: [String]]

        static let loaded = Result {
            try JSONDecoder().decode(
                SplitFixture.self,
                from: Data(contentsOf: Fixtures.directory.appendingPathComponent("pretokenizer-splits.json"))
            )
        }
    }

    @Test func fixtureCoversEveryCase() throws {
        let names = try SplitFixture.loaded.get().splits.keys
        let covered = names.compactMap { PreTokenizer(name: $0) }
        #expect(PreTokenizer.allCases.filter { !covered.contains($0) } == [])
    }

    @Test(arguments: [
        "gpt-2", "trillion", "smollm", "starcoder", "falcon", "default", "llama-bpe", "dbrx", "qwen2",
        "stablelm2", "qwen35", "seed-coder", "minicpm5", "laguna", "ufakzeka", "deepseek-llm",
        "deepseek-coder", "deepseek-v3", "tekken", "llama4",
    ])
    func splitsMatchLlamaCpp(_ name: String) throws {
        let fixture = try SplitFixture.loaded.get()
        let preTokenizer = try #require(PreTokenizer(name: name))
        let expected = try #require(fixture.splits[name], "no splits for \(name) in the fixture")
        try #require(expected.count == fixture.texts.count)
        var failed = 0
        for (text, lengths) in zip(fixture.texts, expected) {
            let scalars = Array(text.unicodeScalars)
            let got = preTokenizer.split(scalars, scalars.map(ScalarClass.init)).map { String($0.count) }.joined(separator: " ")
            guard got != lengths else { continue }
            failed += 1
            if failed <= 5 {
                Issue.record("\(name) \(text.debugDescription): word lengths \(got), llama.cpp \(lengths)")
            }
        }
        #expect(failed == 0, "\(name): \(failed) of \(fixture.texts.count) texts split differently")
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

    @Test func falconAddsBacktickToPunctuationAndKeepsNumberRuns() {
        #expect(words(.falcon, "a...b 12345") == ["a", "...", "b", " ", "123", "45"])
        #expect(words(.falcon, "x`y ~~ 1234567") == ["x", "`", "y", " ", "~~", " ", "123", "456", "7"])
        // Non-ASCII symbols are not punctuation; « » are.
        #expect(words(.falcon, "«q» ½") == ["«", "q", "»", " ½"])
    }

    @Test func deepseekLLM() {
        #expect(words(.deepseekLLM, "Hello world 12345") == ["Hello", " world", " ", "12345"])
        // Ω is in the letter class but not in the punctuation class, which spans ASCII letters.
        #expect(words(.deepseekLLM, "Ωabc Привет") == ["Ω", "abc", " Привет"])
        #expect(words(.deepseekLLM, "a\r\nb") == ["a", "\r", "\n", "b"])
        #expect(words(.deepseekLLM, "你好世界 안녕 カタ") == ["你好世界", " ", "안녕", " ", "カタ"])
        #expect(words(.deepseekLLM, "x  ") == ["x", "  "])
        #expect(words(.deepseekLLM, "(a)! ？") == ["(", "a", ")!", " ？"])
        #expect(words(.deepseekLLM, "١٢٣ ²") == ["١٢٣", " ", "²"])
    }

    @Test func deepseekCoder() {
        #expect(words(.deepseekCoder, "Hello world 12345") == ["Hello", " world", " ", "1", "2", "3", "4", "5"])
        #expect(words(.deepseekCoder, "你好world") == ["你好", "world"])
        #expect(words(.deepseekCoder, "a.,b !?") == ["a", ".,", "b", " !?"])
        #expect(words(.deepseekCoder, "x  \n y") == ["x", "  ", "\n", " y"])
    }

    @Test func deepseekV3() {
        #expect(words(.deepseekV3, "Hello world 1234567") == ["Hello", " world", " ", "123", "456", "7"])
        // One ASCII punctuation mark joins the ASCII letters after it; two do not.
        #expect(words(.deepseekV3, "(hello ((hi") == ["(hello", " ((", "hi"])
        #expect(words(.deepseekV3, "日本語のテキスト") == ["日本語のテキスト"])
        // Combining marks stay in words (U+0301 after e).
        #expect(words(.deepseekV3, "e\u{301}te café") == ["e\u{301}te", " café"])
        #expect(words(.deepseekV3, " !!\n\nx") == [" !!\n\n", "x"])
        #expect(words(.deepseekV3, "a  b\t") == ["a", " ", " b", "\t"])
        // The zero-width joiner (format, no class) matches nothing and is left between matches.
        #expect(words(.deepseekV3, "😶\u{200D}🌫\u{FE0F}") == ["😶", "\u{200D}", "🌫", "\u{FE0F}"])
    }

    @Test func tekkenSplitsAtCaseChanges() {
        #expect(words(.tekken, "HelloWorld XMLHttpRequest") == ["Hello", "World", " XMLHttp", "Request"])
        #expect(words(.tekken, "helloWORLD ABC") == ["hello", "WORLD", " ABC"])
        // Outside ASCII a letter is both upper and lower case to llama.cpp's std::regex.
        #expect(words(.tekken, "ПриветМИР ПРИВЕТмир") == ["ПриветМИР", " ПРИВЕТмир"])
        #expect(words(.tekken, "ПриветABC éA") == ["Привет", "ABC", " é", "A"])
        #expect(words(.tekken, "don't 123") == ["don", "'t", " ", "1", "2", "3"])
        #expect(words(.tekken, "a/b!!\n/c") == ["a", "/b", "!!\n/", "c"])
        #expect(words(.tekken, "  x") == [" ", " x"])
        // A combining mark is not a letter: it prefixes the next word.
        #expect(words(.tekken, "e\u{301}a") == ["e", "\u{301}a"])
    }

    @Test func gpt4oKeepsContractionsAndNumberTriples() {
        #expect(words(.gpt4o, "HelloWorld don't THEY'LL") == ["Hello", "World", " don't", " THEY'LL"])
        #expect(words(.gpt4o, "1234567 x") == ["123", "456", "7", " x"])
        #expect(words(.gpt4o, "ПриветABC") == ["Привет", "ABC"])
        #expect(words(.gpt4o, "a//\nb") == ["a", "//\n", "b"])
    }

    @Test func qwen35KeepsMarksInWords() {
        #expect(words(.qwen35, "e\u{301}te café don't") == ["e\u{301}te", " café", " don", "'t"])
        #expect(words(.qwen35, "ก่า 12") == ["ก่า", " ", "1", "2"])
        #expect(words(.qwen35, "x\u{301}!") == ["x\u{301}", "!"])
        #expect(words(.qwen2, "ก่า 12") == ["ก", "่า", " ", "1", "2"])
    }

    @Test func seedCoderLeavesLineBreaksAfterPunctuation() {
        #expect(words(.seedCoder, "a!\n\nb 12") == ["a", "!", "\n\n", "b", " ", "1", "2"])
        #expect(words(.seedCoder, "a !\nb") == ["a", " !", "\n", "b"])
        #expect(words(.qwen2, "a !\nb") == ["a", " !\n", "b"])
    }

    @Test func minicpm5CutsNumbersFirst() {
        // The number fragment ends the whitespace fragment, so both spaces stay together.
        #expect(words(.minicpm5, "x  1234567") == ["x", "  ", "123", "456", "7"])
        #expect(words(.llama3, "x  1234567") == ["x", " ", " ", "123", "456", "7"])
    }

    @Test func lagunaSplitsLineFeedRunsFirst() {
        #expect(words(.laguna, "a\n\n b\nc 12") == ["a", "\n\n", " b", "\n", "c", " ", "1", "2"])
    }

    @Test func ufakzekaKeepsApostropheSuffixes() {
        #expect(words(.ufakzeka, "Ankara'da it's 12") == ["Ankara", "'da", " it", "'s", " ", "1", "2"])
        #expect(words(.qwen2, "it'sda") == ["it", "'s", "da"])
    }

    @Test func unicodeClassesFollowLlamaCppTables() {
        // U+1C89 (Cyrillic, Unicode 16) is unassigned in llama.cpp's 15.1 tables, so not a letter.
        #expect(ScalarClass(Unicode.Scalar(0x1C89)!).isEmpty)
        #expect(ScalarClass("é").contains(.letter))
        #expect(ScalarClass("\u{3000}") == .whitespace)
        #expect(ScalarClass("\u{200B}").isEmpty)
        #expect(ScalarClass("٣").contains(.number))
        #expect(ScalarClass("\u{301}") == .mark)
        #expect(ScalarClass("\u{FE0F}") == .mark)
        #expect(ScalarClass("$") == .symbol && ScalarClass("`") == .symbol && ScalarClass("🦙") == .symbol)
        #expect(ScalarClass("_") == .punctuation)
        // U+1FAE8 (shaking face, Unicode 15.0) is a symbol; U+1FAE9 (Unicode 16) is unassigned there.
        #expect(ScalarClass(Unicode.Scalar(0x1FAE8)!) == .symbol)
        #expect(ScalarClass(Unicode.Scalar(0x1FAE9)!).isEmpty)
    }

    @Test func flagsFollowLlamaCppNames() throws {
        struct Flags: Equatable { var cleans, bos, ignoresMerges: Bool }
        func flags(_ name: String) throws -> Flags {
            let pre = try #require(PreTokenizer(name: name))
            return Flags(cleans: pre.cleansSpaces, bos: pre.addsBOSByDefault, ignoresMerges: pre.ignoresMerges)
        }
        #expect(try flags("llama-bpe") == Flags(cleans: true, bos: true, ignoresMerges: true))
        #expect(try flags("tekken") == Flags(cleans: false, bos: true, ignoresMerges: true))
        #expect(try flags("dbrx") == Flags(cleans: true, bos: false, ignoresMerges: false))
        #expect(try flags("llama4") == Flags(cleans: false, bos: false, ignoresMerges: false))
        #expect(try flags("deepseek-v3") == Flags(cleans: false, bos: false, ignoresMerges: false))
        #expect(try flags("deepseek-llm") == Flags(cleans: false, bos: false, ignoresMerges: false))
        #expect(try flags("falcon") == Flags(cleans: true, bos: false, ignoresMerges: false))
        #expect(try flags("minicpm5") == Flags(cleans: true, bos: false, ignoresMerges: true))
        #expect(try flags("stablelm2") == Flags(cleans: true, bos: false, ignoresMerges: false))
        #expect(try flags("grok-2") == Flags(cleans: false, bos: false, ignoresMerges: false))
        #expect(try flags("granite-docling") == Flags(cleans: false, bos: false, ignoresMerges: false))
        // Names whose llama.cpp setup goes beyond regexes and these flags are refused.
        for name in ["chatglm-bpe", "glm4", "jina-v2-es", "roberta-bpe", "gemma4", "kimi-k2"] {
            #expect(PreTokenizer(name: name) == nil, "\(name)")
        }
    }

    @Test func regexesMapBackToTheirCase() {
        for pre in PreTokenizer.allCases {
            let found = PreTokenizer.matching(regexes: pre.regexes)
            #expect(found?.regexes == pre.regexes, "\(pre)")
        }
        #expect(PreTokenizer.matching(regexes: [PreTokenizer.Pattern.llama3]) == .llama3)
        #expect(PreTokenizer.matching(regexes: [#"\p{N}"#, PreTokenizer.Pattern.gpt2]) == .smollm)
        #expect(PreTokenizer.matching(regexes: [PreTokenizer.Pattern.llama3, #"\p{N}"#]) == nil)
        #expect(PreTokenizer.matching(regexes: []) == nil)
    }

    @Test func matchingAcceptsLlamaCppSpellings() {
        // As src/llama-vocab.cpp writes them.
        let llama3 = #"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        #expect(PreTokenizer.matching(regexes: [llama3]) == .llama3)
        let gpt2 = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"#
        #expect(PreTokenizer.matching(regexes: [gpt2]) == .gpt2)
        #expect(PreTokenizer.matching(regexes: [#"[\p{P}\$\+<=>\^~\|`]+"#, gpt2, "[0-9][0-9][0-9]"]) == .falcon)
        let tekken = #"[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        #expect(PreTokenizer.matching(regexes: [tekken]) == .tekken)
        // Literal line breaks, as in the C++ string "[\r\n]" and in DeepSeek's tokenizer.json.
        let coder = ["[\r\n]", #"\s?\p{L}+"#, #"\s?\p{P}+"#, "[一-龥ࠀ-一가-퟿]+", #"\p{N}"#]
        #expect(PreTokenizer.matching(regexes: coder) == .deepseekCoder)
        let v3 = [
            #"\p{N}{1,3}"#, "[一-龥぀-ゟ゠-ヿ]+",
            "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
        ]
        #expect(PreTokenizer.matching(regexes: v3) == .deepseekV3)
    }

    @Test func cleanSpacesMatchesLlamaCppDetokenize() {
        let cleaned = Tokenizer.cleanSpaces(Array("Hello , world ! it 's ' quoted ' they 're I 'll".utf8))
        #expect(String(decoding: cleaned, as: UTF8.self) == "Hello, world! it's'quoted'they're I 'll")
    }
}
