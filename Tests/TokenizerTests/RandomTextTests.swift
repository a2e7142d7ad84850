import Foundation
import Testing
@testable import Tokenizer

/// Seeded random text, heavy in the characters tokenizers treat specially (spaces of every
/// kind, "▁", joiners, combining marks, special-token text), through every fixture tokenizer:
/// ids stay in the vocabulary, nothing traps, streaming decode joins up to `decode`.
@Suite struct RandomTextTests {
    /// xorshift64*: the same strings on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
    }

    @Test(arguments: GoldenTests.files + GoldenTests.edgeFiles)
    func randomTextEncodesAndDecodes(_ name: String) throws {
        let (_, tokenizer) = try GoldenTests.load(name)
        var rng = SeededGenerator(state: 0x9E37_79B9_7F4A_7C15)
        let pool: [UInt32] = [0x20, 0x20, 0x0A, 0x0D, 0x09, 0x3000, 0xA0, 0x2581, 0x27, 0x3C, 0x7C, 0x3E, 0x30, 0x39, 0x61, 0x41, 0xE9, 0x301, 0x200D, 0x1F999, 0x1F3FD, 0x4E00, 0x627, 0x915, 0xE01, 0xFFFD, 0xFEFF, 0x10FFFF, 0x0, 0x7F, 0x85, 0xFE0F]
        let specials = ["<s>", "</s>", "<unk>", "<|im_start|>", "<|begin_of_text|>", "<|user|>", "<0x0A>", "<x", "x>>", " <sep>"]
        var count = 0
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                if Int.random(in: 0..<10, using: &rng) == 0 {
                    text += specials.randomElement(using: &rng) ?? ""
                    continue
                }
                let v = Int.random(in: 0..<3, using: &rng) == 0 ? UInt32.random(in: 0...0x2FFFF, using: &rng) : pool.randomElement(using: &rng) ?? 0x20
                if let s = Unicode.Scalar(v) { text.unicodeScalars.append(s) }
            }
            for add in [false, true] {
                for parse in [false, true] {
                    let ids = tokenizer.encode(text, addSpecial: add, parseSpecial: parse)
                    count += ids.count
                    #expect(ids.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabularySize })
                    _ = tokenizer.decode(ids, showSpecial: parse)
                    var stream = StreamingDecoder(tokenizer: tokenizer, showSpecial: parse)
                    var joined = ""
                    for id in ids { joined += stream.append(id) }
                    joined += stream.flush()
                    if !tokenizer.rules.cleanSpaces { #expect(joined == tokenizer.decode(ids, showSpecial: parse)) }
                }
            }
            let randomIDs = (0..<Int.random(in: 0...20, using: &rng)).map { _ in Int32.random(in: -5...Int32(tokenizer.vocabularySize + 5), using: &rng) }
            _ = tokenizer.decodeBytes(randomIDs, showSpecial: true)
        }
        #expect(count > 0)
    }
}
