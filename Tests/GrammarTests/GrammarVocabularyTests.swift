import Testing
@testable import Grammar

/// GrammarVocabulary's trie walk against the obvious per-token check, on random states.
@Suite struct GrammarVocabularyTests {
    /// All single bytes, an empty (control) token, and random strings drawn from text the grammars use.
    static func vocabulary(_ rng: inout SplitMix64, size: Int) -> [[UInt8]] {
        var tokens: [[UInt8]] = (0..<256).map { [UInt8($0)] }
        tokens.append([])
        let pieces = [#"{"#, #"}"#, #"["#, #"]"#, #"""#, #"":"#, #"", ""#, ",", ":", " ", "\n", "  ", "true", "false",
                      "null", "0", "1", "12", "-", ".", "e", "+", "a", "b", "x", "name", "\\", "\\n", "\\u00", "é", "🦙",
                      "中文", "(", ")", "*", "/", "_", "id", "ab", "yes", "no"]
        while tokens.count < size {
            var t: [UInt8] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                if Int.random(in: 0..<8, using: &rng) == 0 {
                    t.append(UInt8.random(in: 0...255, using: &rng))
                } else {
                    t.append(contentsOf: pieces.randomElement(using: &rng)!.utf8)
                }
            }
            // Sometimes cut inside a multi-byte character.
            if Int.random(in: 0..<5, using: &rng) == 0 && t.count > 1 { t.removeLast() }
            tokens.append(t)
        }
        tokens.append(tokens[300])  // a duplicate spelling
        return tokens
    }

    static let grammars: [(String, String)] = [
        ("json", (try? GrammarFixtures.gbnf("json.gbnf")) ?? ""),
        ("arithmetic", (try? GrammarFixtures.gbnf("arithmetic.gbnf")) ?? ""),
        ("list", (try? GrammarFixtures.gbnf("list.gbnf")) ?? ""),
        ("unicode", #"root ::= ([a-z] | "é" | [一-龥] | "🦙")+ ("." | "!")"#),
    ]

    @Test(arguments: grammars.map(\.0))
    func maskMatchesBruteForce(_ name: String) throws {
        let text = try #require(Self.grammars.first { $0.0 == name }?.1)
        let grammar = try Grammar(gbnf: text)
        var rng = SplitMix64(state: 42)
        let tokens = Self.vocabulary(&rng, size: 3000)
        let vocab = GrammarVocabulary(tokens: tokens)
        var flags = [Bool](repeating: true, count: tokens.count)
        var checkedStates = 0
        for _ in 0..<5 {
            guard let sentence = grammar.randomSentence(using: &rng, maxDepth: 6) else { continue }
            let bytes = Array(sentence.utf8)
            var m = grammar.matcher()
            // Random cut points along the sentence, some inside a code point.
            var i = 0
            while i <= bytes.count {
                let n = flags.withUnsafeMutableBufferPointer { vocab.allowedTokens(m, into: $0) }
                var expectedCount = 0
                for (t, bytesOfT) in tokens.enumerated() {
                    let expected = !bytesOfT.isEmpty && m.canAccept(bytesOfT)
                    if expected { expectedCount += 1 }
                    if flags[t] != expected {
                        Issue.record("\(name): token \(t) \(bytesOfT) after \(Array(bytes[..<i])): mask \(flags[t]), canAccept \(expected)")
                        return
                    }
                    if Int.random(in: 0..<50, using: &rng) == 0 {
                        #expect(vocab.allows(m, token: Int32(t)) == expected)
                    }
                }
                #expect(n == expectedCount)
                checkedStates += 1
                if i == bytes.count { break }
                let step = min(bytes.count - i, Int.random(in: 1...5, using: &rng))
                #expect(feed(&m, bytes[i..<i + step]))
                i += step
            }
            #expect(m.isComplete)
        }
        #expect(checkedStates > 10)
    }

    @Test func tokenIDsInTheMask() throws {
        let g = try Grammar(gbnf: "root ::= <[3]> (!<[4]>)* <[4]>")
        let vocab = GrammarVocabulary(tokens: [[0x61], [0x62], [], [], []])
        var flags = [Bool](repeating: false, count: 5)
        var m = g.matcher()
        #expect(flags.withUnsafeMutableBufferPointer { vocab.allowedTokens(m, into: $0) } == 1)
        #expect(flags == [false, false, false, true, false])
        #expect(feed(&m, token: 3, bytes: [UInt8]()))
        _ = flags.withUnsafeMutableBufferPointer { vocab.allowedTokens(m, into: $0) }
        #expect(flags == [true, true, false, false, true])
        #expect(vocab.allows(m, token: 4) && !vocab.allows(m, token: 2))
    }
}
