import Testing
@testable import Tokenizer

@Suite struct StreamingDecoderTests {
    /// Feeds ids one at a time; returns every chunk, the flush last.
    func stream(_ ids: [Int32], _ tokenizer: Tokenizer, showSpecial: Bool = false) -> [String] {
        var decoder = StreamingDecoder(tokenizer: tokenizer, showSpecial: showSpecial)
        return ids.map { decoder.append($0) } + [decoder.flush()]
    }

    /// Every golden fixture's tokenizer whose decode has no clean_spaces pass.
    static let goldenFiles = GoldenTests.files

    @Test(arguments: goldenFiles)
    func chunksConcatenateToDecode(_ name: String) throws {
        let (golden, tokenizer) = try GoldenTests.load(name)
        guard !tokenizer.rules.cleanSpaces else { return }
        var splitCharacters = 0
        for c in golden.encode where !c.addSpecial {
            for showSpecial in [false, true] {
                let chunks = stream(c.ids, tokenizer, showSpecial: showSpecial)
                #expect(chunks.joined() == tokenizer.decode(c.ids, showSpecial: showSpecial), "\(name) \(describe(c.text))")
            }
            splitCharacters += c.ids.filter { String(decoding: tokenizer.tokenBytes($0), as: UTF8.self).contains("\u{FFFD}") }.count
        }
        for c in golden.decode {
            let chunks = stream(c.ids, tokenizer, showSpecial: c.showSpecial)
            #expect(chunks.joined() == tokenizer.decode(c.ids, showSpecial: c.showSpecial), "\(name) ids \(c.ids.prefix(8))")
        }
        // The fixtures really do cut characters across tokens (emoji, CJK, Hindi...).
        #expect(splitCharacters > 20)
    }

    @Test func chunksAreWholeCharacters() throws {
        let (golden, tokenizer) = try GoldenTests.load("golden-llamacpp-smollm2")
        for c in golden.encode where !c.addSpecial && !c.parseSpecial && String(validating: Array(c.text.utf8), as: UTF8.self) != nil {
            let chunks = stream(c.ids, tokenizer)
            #expect(chunks.joined() == c.text || c.decodedHex != Array(c.text.utf8).hex, "\(describe(c.text))")
            #expect(!chunks.contains { $0.unicodeScalars.contains("\u{FFFD}") } || c.text.unicodeScalars.contains("\u{FFFD}"), "\(describe(c.text))")
        }
    }

    @Test func byteTokensAreHeldUntilTheCharacterIsComplete() throws {
        let tokenizer = try Fixtures.tokenizer()
        let llama = Array("🦙".utf8).map { tokenizer.byteTokens[Int($0)] }
        #expect(llama.count == 4 && llama.allSatisfy { $0 >= 0 })
        #expect(stream(llama, tokenizer) == ["", "", "", "🦙", ""])
        #expect(stream(Array(llama.prefix(2)), tokenizer) == ["", "", "\u{FFFD}"])
        let withText = tokenizer.encode("a") + llama + tokenizer.encode("b")
        #expect(stream(withText, tokenizer) == ["a", "", "", "", "🦙", "b", ""])
    }

    @Test func bytesThatCanNeverBeValidAreNotHeld() throws {
        let tokenizer = try Fixtures.tokenizer()
        let byte = { (value: UInt8) in tokenizer.byteTokens[Int(value)] }
        // A lone continuation byte, and E0 80 (an overlong prefix). SmolLM2 has no tokens for
        // the bytes that never occur in UTF-8 (C0, C1, F5...FF), so those cannot be tested here.
        #expect(tokenizer.byteTokens[0xFF] == -1)
        #expect(stream([byte(0x80), byte(0x41)], tokenizer) == ["\u{FFFD}", "A", ""])
        #expect(stream([byte(0xE0), byte(0x80), byte(0x41)], tokenizer) == ["", "\u{FFFD}\u{FFFD}", "A", ""])
    }

    @Test func randomIdsConcatenateToDecode() throws {
        let tokenizer = try Fixtures.tokenizer()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let ids = (0..<3000).map { _ -> Int32 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int32((state >> 33) % UInt64(tokenizer.vocabularySize))
        }
        for showSpecial in [false, true] {
            #expect(stream(ids, tokenizer, showSpecial: showSpecial).joined() == tokenizer.decode(ids, showSpecial: showSpecial))
        }
    }

    @Test func specialTokensAreShownOnlyWhenAsked() throws {
        let tokenizer = try Fixtures.tokenizer()
        let ids = tokenizer.encode("<|im_start|>user\nhi<|im_end|>", parseSpecial: true)
        #expect(stream(ids, tokenizer).joined() == "user\nhi")
        #expect(stream(ids, tokenizer, showSpecial: true).joined() == "<|im_start|>user\nhi<|im_end|>")
    }
}
