#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Sampling
import Testing

@Suite struct LogprobTests {
    /// Random logits of `n` entries with ties and a few -inf.
    static func randomLogits(_ n: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        var l = (0..<n).map { _ in (g.nextUnitFloat() - 0.5) * 16 }
        for i in stride(from: 17, to: n, by: 997) { l[i] = -.infinity }
        for i in stride(from: 3, to: n, by: 1009) { l[i] = l[i / 2] }
        return l
    }

    @Test func logprobsDoNotChangeTheDraws() {
        let parameters = SamplingParameters(temperature: 1.2, topK: 50, topP: 0.9, minP: 0.02, repeatPenalty: 1.3, seed: 77)
        var plain = Sampler(parameters), withLogprobs = Sampler(parameters)
        for step in 0..<200 {
            let logits = Self.randomLogits(1000, seed: UInt64(step))
            let a = logits.withUnsafeBufferPointer { plain.sample($0) }
            let b = logits.withUnsafeBufferPointer { withLogprobs.sample($0, topLogprobs: step % 7) }
            #expect(a == b.id, "step \(step)")
            plain.accept(a)
            withLogprobs.accept(b.id)
        }
    }

    @Test func logprobsAreTheLogSoftmaxOfTheRawLogits() {
        let logits = Self.randomLogits(49152, seed: 5)
        // Reference in Double.
        let finite = logits.filter { $0 > -.infinity }
        let m = Double(finite.max()!)
        let logSum = m + log(finite.reduce(0.0) { $0 + exp(Double($1) - m) })
        let expected = logits.map { Double($0) - logSum }

        // A bias that bans the top token must not change the reported distribution.
        let top = Int(Sampler.argmax(logits.withUnsafeBufferPointer { $0 }))
        var sampler = Sampler(SamplingParameters(temperature: 1, logitBias: [Int32(top): -.infinity], seed: 1))
        let t = logits.withUnsafeBufferPointer { sampler.sample($0, topLogprobs: 20) }
        #expect(t.id != Int32(top))
        #expect(abs(Double(t.logprob) - expected[Int(t.id)]) < 2e-5)
        #expect(t.top.count == 20)
        #expect(t.top.first?.id == Int32(top))

        let order = logits.indices.filter { logits[$0] > -.infinity }
            .sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        #expect(t.top.map(\.id) == order.prefix(20).map { Int32($0) })
        for entry in t.top {
            #expect(abs(Double(entry.logprob) - expected[Int(entry.id)]) < 2e-5)
        }
    }

    @Test func equalLogprobsAreListedBySmallerIdFirst() {
        let logits: [Float] = [0, 2, 1, 2, -.infinity, 2]
        var sampler = Sampler(.greedy)
        let t = logits.withUnsafeBufferPointer { sampler.sample($0, topLogprobs: 10) }
        #expect(t.id == 1)
        #expect(t.top.map(\.id) == [1, 3, 5, 2, 0])  // -inf is never listed
        let expected = Float(2 - log(3 * exp(2.0) + exp(1.0) + 1))
        #expect(abs(t.logprob - expected) < 1e-6)
        #expect(t.top[0].logprob == t.top[1].logprob && t.top[1].logprob == t.top[2].logprob)
    }

    @Test func normalizerMatchesItsScalarTwin() {
        for n in [1, 7, 8, 13, 1000, 49152, 128_256] {
            var logits = Self.randomLogits(n, seed: UInt64(n))
            if n > 20 { logits[n - 2] = .nan }
            let fast = logits.withUnsafeBufferPointer { LogSoftmax.normalizer($0) }
            let scalar = logits.withUnsafeBufferPointer { LogSoftmax.Reference.normalizer($0) }
            #expect(abs(fast - scalar) <= 2e-6 * max(1, abs(scalar)), "n = \(n): \(fast) vs \(scalar)")
        }
        let banned: [Float] = Array(repeating: -.infinity, count: 9)
        #expect(banned.withUnsafeBufferPointer { LogSoftmax.normalizer($0) } == -.infinity)
    }
}
