#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sampling settings, with llama.cpp's defaults (common/common.h: temp 0.8, top-k 40, top-p 0.95).
public struct SamplingParameters: Sendable, Equatable {
    /// 0 (or less) means greedy: always the most likely token.
    public var temperature: Float = 0.8
    /// Keep only the k most likely tokens; 0 or less keeps all.
    public var topK: Int = 40
    /// Keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all.
    public var topP: Float = 0.95
    /// Seed of the random generator; equal seeds give equal samples.
    public var seed: UInt64 = 0

    public init(temperature: Float = 0.8, topK: Int = 40, topP: Float = 0.95, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
    }

    /// Settings that choose the most likely token every time.
    public static let greedy = SamplingParameters(temperature: 0, topK: 1, topP: 1)
}

/// Picks the next token from logits. Order as in llama.cpp's default chain
/// (common/sampling.cpp): top-k, then top-p on the softmax of the raw logits, then
/// temperature, then a draw. Buffers are sized once per vocabulary and reused.
public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    private var generator: SeededGenerator
    private var candidates: [Candidate] = []

    private struct Candidate {
        var id: Int32
        var logit: Float
        var p: Float
    }

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        self.generator = SeededGenerator(seed: parameters.seed)
    }

    /// The index of the largest logit (the lowest index among equals).
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        var best = 0
        var bestValue = -Float.infinity
        for i in 0..<logits.count where logits[i] > bestValue {
            bestValue = logits[i]
            best = i
        }
        return Int32(best)
    }

    /// Chooses a token id from `logits` (one value per vocabulary entry).
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        if parameters.temperature <= 0 || parameters.topK == 1 || logits.count < 2 {
            return Sampler.argmax(logits)
        }
        candidates.removeAll(keepingCapacity: true)
        candidates.reserveCapacity(logits.count)
        for i in 0..<logits.count where logits[i].isFinite {
            candidates.append(Candidate(id: Int32(i), logit: logits[i], p: 0))
        }
        if candidates.isEmpty { return Sampler.argmax(logits) }

        // top-k: sort descending by logit (ties by id for reproducibility), keep k.
        let k = parameters.topK > 0 ? min(parameters.topK, candidates.count) : candidates.count
        candidates.sort { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
        candidates.removeSubrange(k...)

        // top-p on the softmax of the remaining raw logits.
        if parameters.topP < 1 {
            softmax(temperature: 1)
            var cumulative: Float = 0
            var keep = candidates.count
            for (index, candidate) in candidates.enumerated() {
                cumulative += candidate.p
                if cumulative >= parameters.topP {
                    keep = index + 1
                    break
                }
            }
            candidates.removeSubrange(max(1, keep)...)
        }

        softmax(temperature: parameters.temperature)
        let r = generator.nextUnitFloat()
        var cumulative: Float = 0
        for candidate in candidates {
            cumulative += candidate.p
            if r < cumulative { return candidate.id }
        }
        return candidates[candidates.count - 1].id
    }

    private mutating func softmax(temperature: Float) {
        let maxLogit = candidates[0].logit  // candidates are sorted descending
        var sum: Float = 0
        for i in candidates.indices {
            let e = expf((candidates[i].logit - maxLogit) / temperature)
            candidates[i].p = e
            sum += e
        }
        for i in candidates.indices { candidates[i].p /= sum }
    }
}
