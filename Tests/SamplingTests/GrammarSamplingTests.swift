import Grammar
import Sampling
import Testing

/// The sampler with a grammar: whatever the logits favour, every drawn sequence stays inside the
/// grammar, end tokens come only when it is complete, and the draw equals sampling from the
/// logits masked by the grammar.
@Suite struct GrammarSamplingTests {
    /// A toy vocabulary: single characters, multi-character pieces, a multi-byte character split
    /// over two tokens, an empty (control) token and an end token.
    static let pieces: [String] = ["a", "b", "{", "}", "ab", "ba", "\"", "x", "}}", "{\"", "é", "", "<end>"]
    static let end: Int32 = 12
    static let tokens: [[UInt8]] = pieces.enumerated().map { i, p in i == 12 ? [] : Array(p.utf8) }
        + [[0xC3], [0xA9]]  // "é" split: 13 is its first byte, 14 its second

    static func constraint(_ gbnf: String) throws -> GrammarConstraint {
        GrammarConstraint(grammar: try Grammar(gbnf: gbnf), vocabulary: GrammarVocabulary(tokens: tokens), endTokens: [end])
    }

    /// Deterministic pseudo-random logits.
    struct Noise {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 8 - 4
        }
    }

    func run(_ gbnf: String, parameters: SamplingParameters, seed: UInt64, steps: Int = 40) throws -> (bytes: [UInt8], ended: Bool) {
        var sampler = Sampler(parameters)
        sampler.grammar = try Self.constraint(gbnf)
        var noise = Noise(state: seed)
        var bytes: [UInt8] = []
        for _ in 0..<steps {
            let logits = (0..<Self.tokens.count).map { _ in noise.next() }
            let token = logits.withUnsafeBufferPointer { sampler.sample($0) }
            if token == Self.end { return (bytes, true) }
            #expect(sampler.grammar!.allows(token), "drew token \(token) the grammar rejects")
            bytes += Self.tokens[Int(token)]
            sampler.acceptSampled(token)
            if sampler.grammar!.isExhausted { return (bytes, true) }
        }
        return (bytes, false)
    }

    static let grammars = [
        #"root ::= "{" ("a" | "b")* "}""#,
        #"root ::= ("ab" | "ba")+ "x""#,
        #"root ::= "\"" [a-z]{2,5} "\"""#,
        #"root ::= "é"+ "x""#,
    ]

    @Test(arguments: grammars)
    func everySequenceIsInTheGrammar(_ gbnf: String) throws {
        let grammar = try Grammar(gbnf: gbnf)
        for seed in 0..<60 as Range<UInt64> {
            for parameters in [SamplingParameters.greedy, SamplingParameters(temperature: 1.2, topK: 0, topP: 1, minP: 0, seed: seed),
                               SamplingParameters(temperature: 0.8, topK: 3, seed: seed)] {
                let (bytes, ended) = try run(gbnf, parameters: parameters, seed: seed)
                guard ended else { continue }  // a long sentence cut at the step limit proves nothing
                #expect(grammar.accepts(String(decoding: bytes, as: UTF8.self)), "\(gbnf): \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    @Test func endOnlyWhenComplete() throws {
        // The end token has the largest logit at every step, yet the grammar needs "ab" or "ba" then "x".
        var sampler = Sampler(.greedy)
        sampler.grammar = try Self.constraint(#"root ::= ("ab" | "ba") "x"?"#)
        var logits = [Float](repeating: 0, count: Self.tokens.count)
        logits[Int(Self.end)] = 10
        logits[4] = 1  // "ab"
        let first = logits.withUnsafeBufferPointer { sampler.sample($0) }
        #expect(first == 4)
        sampler.acceptSampled(first)
        let second = logits.withUnsafeBufferPointer { sampler.sample($0) }
        #expect(second == Self.end)
    }

    @Test func maskedDrawMatchesTheMaskedDistribution() throws {
        // When the chain's survivors include a rejected token, the candidates are those of the
        // logits with every rejected token at -infinity.
        let gbnf = #"root ::= [ab]+"#
        var noise = Noise(state: 99)
        for _ in 0..<50 {
            let logits = (0..<Self.tokens.count).map { _ in noise.next() }
            var constrained = Sampler(SamplingParameters(temperature: 0.9, topK: 0, topP: 1, minP: 0))
            constrained.grammar = try Self.constraint(gbnf)
            var masked = logits
            for t in 0..<masked.count where !constrained.grammar!.allows(Int32(t)) { masked[t] = -.infinity }
            var plain = Sampler(SamplingParameters(temperature: 0.9, topK: 0, topP: 1, minP: 0))
            let expected = masked.withUnsafeBufferPointer { plain.candidates($0) }
            let got = logits.withUnsafeBufferPointer { constrained.candidates($0) }
            #expect(got.map(\.id) == expected.map(\.id))
            for (g, e) in zip(got, expected) { #expect(abs(g.probability - e.probability) < 1e-6) }
        }
    }

    @Test func splitCharacterTokens() throws {
        // "é" as two byte tokens: the first byte alone is allowed, a byte that cannot continue it is not.
        var constraint = try Self.constraint(#"root ::= "é" "x""#)
        #expect(constraint.allows(13))
        #expect(!constraint.allows(14))
        let first = constraint.accept(13)
        #expect(first)
        #expect(constraint.allows(14))
        #expect(!constraint.allows(7))
        let second = constraint.accept(14)
        #expect(second)
        #expect(constraint.allows(7))
        #expect(!constraint.allows(Self.end))
    }

    /// Lazy constraints: free text until the trigger, then held from the trigger's first byte.
    @Test func triggerAnywhere() throws {
        let tokens: [[UInt8]] = ["a", "b", "x", "ab", "hi x", " ", "{", ""].map { Array($0.utf8) }
        let grammar = try Grammar(gbnf: #"root ::= "x" "ab""#)
        var c = GrammarConstraint(grammar: grammar, vocabulary: GrammarVocabulary(tokens: tokens), endTokens: [7], trigger: .init("x"))
        #expect((0..<7).allSatisfy { c.allows(Int32($0)) } && c.allows(7))  // free, and may end
        c.accept(0)  // "a"
        #expect(c.allows(1) && c.isComplete && !c.isExhausted)
        c.accept(4)  // "hi x": the trigger ends this token, so the grammar holds from its "x"
        #expect(c.allows(3) && c.allows(0) && !c.allows(1) && !c.allows(7))
        c.accept(3)
        #expect(c.isExhausted && c.allows(7))
    }

    @Test func triggerAtStart() throws {
        let tokens: [[UInt8]] = ["a", " ", "{", "}", ""].map { Array($0.utf8) }
        let grammar = try Grammar(gbnf: #"root ::= "{" "}""#)
        let vocabulary = GrammarVocabulary(tokens: tokens)
        var held = GrammarConstraint(grammar: grammar, vocabulary: vocabulary, endTokens: [4], trigger: .init("{", atStart: true))
        held.accept(1)  // leading whitespace: still waiting
        #expect(held.allows(0))
        held.accept(2)
        #expect(!held.allows(0) && held.allows(3) && !held.allows(4))
        var free = GrammarConstraint(grammar: grammar, vocabulary: vocabulary, endTokens: [4], trigger: .init("{", atStart: true))
        free.accept(0)  // the text starts otherwise: never held
        free.accept(2)
        #expect(free.allows(0) && free.allows(4) && !free.isExhausted)
    }
}
