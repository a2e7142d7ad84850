import Sampling
import Testing

/// Logit bias and the repeat, frequency and presence penalties, seen through greedy decoding.
@Suite struct PenaltyTests {
    let logits: [Float] = [1.0, 3.0, 2.5, -1.0, 3.0, 0.5]

    func greedy(
        _ parameters: SamplingParameters, logits: [Float]? = nil, history: [Int32] = []
    ) -> Int32 {
        var sampler = Sampler(parameters)
        sampler.accept(contentsOf: history)
        return (logits ?? self.logits).withUnsafeBufferPointer { sampler.sample($0) }
    }

    @Test func biasMovesAndBansTokens() {
        #expect(greedy(SamplingParameters(temperature: 0)) == 1)
        #expect(greedy(SamplingParameters(temperature: 0, logitBias: [1: -.infinity])) == 4)
        #expect(greedy(SamplingParameters(temperature: 0, logitBias: [1: -.infinity, 4: -0.6])) == 2)
        #expect(greedy(SamplingParameters(temperature: 0, logitBias: [5: 2.6])) == 5)
        // Ids outside the vocabulary are ignored.
        #expect(greedy(SamplingParameters(temperature: 0, logitBias: [-3: 9, 6: 9, 1_000_000: 9])) == 1)
    }

    @Test func bannedTokensAreNeverSampled() {
        var sampler = Sampler(SamplingParameters(
            temperature: 5, topK: 0, topP: 1, minP: 0, logitBias: [1: -.infinity, 4: -.infinity], seed: 2))
        var seen = Set<Int32>()
        for _ in 0..<2000 { seen.insert(logits.withUnsafeBufferPointer { sampler.sample($0) }) }
        #expect(seen == [0, 2, 3, 5])
    }

    @Test func aFullyBannedVocabularyFallsBackToTheRawArgmax() {
        let bias = Dictionary(uniqueKeysWithValues: (0..<6).map { (Int32($0), -Float.infinity) })
        #expect(greedy(SamplingParameters(temperature: 0, logitBias: bias)) == 1)
        #expect(greedy(SamplingParameters(temperature: 1, logitBias: bias)) == 1)
    }

    @Test func repeatPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        let p = SamplingParameters(temperature: 0, repeatPenalty: 2)
        #expect(greedy(p, history: [1]) == 4)  // 3 / 2 = 1.5 < 3
        #expect(greedy(p, history: [1, 4]) == 2)  // 1.5, 1.5 < 2.5
        let negative: [Float] = [-1, -1.2]
        #expect(greedy(SamplingParameters(temperature: 0, repeatPenalty: 1.5), logits: negative, history: [0]) == 1)
    }

    @Test func frequencyCountsAndPresenceDoesNot() {
        let l: [Float] = [2, 1.5]
        #expect(greedy(SamplingParameters(temperature: 0, frequencyPenalty: 0.2), logits: l, history: [0]) == 0)
        #expect(greedy(SamplingParameters(temperature: 0, frequencyPenalty: 0.2), logits: l, history: [0, 0, 0]) == 1)
        #expect(greedy(SamplingParameters(temperature: 0, presencePenalty: 0.4), logits: l, history: [0, 0, 0]) == 0)
        #expect(greedy(SamplingParameters(temperature: 0, presencePenalty: 0.6), logits: l, history: [0]) == 1)
    }

    @Test func penaltiesSeeBiasedLogits() {
        // Bias first, then penalties (common/sampling.cpp): 3 - 4 = -1, times 2 = -2 < -1.
        let l: [Float] = [3, -1]
        let p = SamplingParameters(temperature: 0, repeatPenalty: 2, logitBias: [0: -4])
        #expect(greedy(p, logits: l, history: [0]) == 1)
    }

    @Test func theWindowForgetsOldTokens() {
        let window2 = SamplingParameters(temperature: 0, repeatPenalty: 2, repeatLastN: 2)
        #expect(greedy(window2, history: [1, 7]) == 4)
        #expect(greedy(window2, history: [1, 7, 8]) == 1)
        #expect(greedy(window2, history: [1, 1, 8]) == 4)
        let all = SamplingParameters(temperature: 0, repeatPenalty: 2, repeatLastN: -1)
        #expect(greedy(all, history: [1] + Array(repeating: 7, count: 500)) == 4)
        let off = SamplingParameters(temperature: 0, repeatPenalty: 2, repeatLastN: 0)
        #expect(greedy(off, history: [1]) == 1)
    }

    @Test func penaltiesAreOffByDefault() {
        #expect(greedy(SamplingParameters(temperature: 0), history: Array(repeating: 1, count: 64)) == 1)
    }

    @Test func resetForgetsTheHistory() {
        var sampler = Sampler(SamplingParameters(temperature: 0, repeatPenalty: 2))
        sampler.accept(1)
        #expect(logits.withUnsafeBufferPointer { sampler.sample($0) } == 4)
        sampler.reset()
        #expect(logits.withUnsafeBufferPointer { sampler.sample($0) } == 1)
    }
}
