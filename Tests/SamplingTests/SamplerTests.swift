import Sampling
import Testing

@Suite struct SamplerTests {
    let logits: [Float] = [1.0, 3.0, 2.5, -1.0, 3.0, 0.5]

    @Test func greedyTakesTheFirstLargest() {
        var sampler = Sampler(.greedy)
        let token = logits.withUnsafeBufferPointer { sampler.sample($0) }
        #expect(token == 1)
    }

    @Test func temperatureZeroIsGreedy() {
        var sampler = Sampler(SamplingParameters(temperature: 0, topK: 40, topP: 0.9, seed: 7))
        for _ in 0..<20 {
            #expect(logits.withUnsafeBufferPointer { sampler.sample($0) } == 1)
        }
    }

    @Test func sameSeedSameTokens() {
        let parameters = SamplingParameters(temperature: 1.5, topK: 0, topP: 1, seed: 42)
        var a = Sampler(parameters), b = Sampler(parameters)
        let first = (0..<200).map { _ in logits.withUnsafeBufferPointer { a.sample($0) } }
        let second = (0..<200).map { _ in logits.withUnsafeBufferPointer { b.sample($0) } }
        #expect(first == second)
        var c = Sampler(SamplingParameters(temperature: 1.5, topK: 0, topP: 1, seed: 43))
        let third = (0..<200).map { _ in logits.withUnsafeBufferPointer { c.sample($0) } }
        #expect(first != third)
    }

    @Test func topKKeepsOnlyTheKBest() {
        var sampler = Sampler(SamplingParameters(temperature: 5, topK: 2, topP: 1, seed: 1))
        var seen = Set<Int32>()
        for _ in 0..<500 { seen.insert(logits.withUnsafeBufferPointer { sampler.sample($0) }) }
        // Tokens 1 and 4 tie at 3.0; top-2 keeps exactly them.
        #expect(seen == [1, 4])
    }

    @Test func topPKeepsTheSmallestSufficientSet() {
        // Probabilities of [2, 1, 0, -8] at temperature 1: ≈ 0.665, 0.245, 0.090, 0.00002.
        let l: [Float] = [2, 1, 0, -8]
        var sampler = Sampler(SamplingParameters(temperature: 1, topK: 0, topP: 0.8, seed: 3))
        var seen = Set<Int32>()
        for _ in 0..<2000 { seen.insert(l.withUnsafeBufferPointer { sampler.sample($0) }) }
        #expect(seen == [0, 1])
    }

    @Test func samplesFollowTheDistribution() {
        // Two tokens with logit gap ln(3): p = 0.75 / 0.25 at temperature 1, 0.634 / 0.366 at 2.
        let l: [Float] = [logf3(), 0]
        for (temperature, expected) in [(Float(1), 0.75), (Float(2), 0.634)] {
            var sampler = Sampler(SamplingParameters(temperature: temperature, topK: 0, topP: 1, seed: 9))
            var zeros = 0
            let n = 20_000
            for _ in 0..<n where l.withUnsafeBufferPointer({ sampler.sample($0) }) == 0 { zeros += 1 }
            #expect(abs(Double(zeros) / Double(n) - expected) < 0.015)
        }
    }

    @Test func nonFiniteLogitsAreNeverSampled() {
        let l: [Float] = [-.infinity, .nan, 0.5, -.infinity]
        var sampler = Sampler(SamplingParameters(temperature: 1, topK: 0, topP: 1, seed: 5))
        for _ in 0..<100 { #expect(l.withUnsafeBufferPointer { sampler.sample($0) } == 2) }
    }

    private func logf3() -> Float { Float(1.0986122886681098) }
}

@Suite struct ReproducibilityTests {
    func run(_ parameters: SamplingParameters, steps: Int, sampler: inout Sampler) -> [Int32] {
        (0..<steps).map { step in
            let logits = LogprobTests.randomLogits(2000, seed: UInt64(step))
            let token = logits.withUnsafeBufferPointer { sampler.sample($0) }
            sampler.accept(token)
            return token
        }
    }

    @Test func sameSeedSameTokensThroughTheWholeChain() {
        let parameters = SamplingParameters(
            temperature: 1.1, topK: 0, topP: 0.97, minP: 0.01, repeatPenalty: 1.2, repeatLastN: 16,
            presencePenalty: 0.3, frequencyPenalty: 0.1, logitBias: [5: -.infinity, 9: 3], seed: 2024)
        var a = Sampler(parameters), b = Sampler(parameters)
        let first = run(parameters, steps: 150, sampler: &a)
        #expect(first == run(parameters, steps: 150, sampler: &b))
        var other = parameters
        other.seed += 1
        var c = Sampler(other)
        #expect(first != run(other, steps: 150, sampler: &c))
        // reset() makes a used sampler repeat itself.
        a.reset()
        #expect(first == run(parameters, steps: 150, sampler: &a))
        #expect(!first.contains(5))
    }
}
