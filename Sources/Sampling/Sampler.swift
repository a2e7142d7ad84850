import Grammar

/// A sampled token with its log-probability under the model's distribution (log-softmax of
/// the raw logits, before bias, penalties, truncation and temperature).
public struct SampledToken: Sendable {
    public var id: Int32
    public var logprob: Float
    /// The most likely tokens, most likely first (equal logprobs: smaller id first).
    public var top: [(id: Int32, logprob: Float)]

    public init(id: Int32, logprob: Float, top: [(id: Int32, logprob: Float)]) {
        self.id = id
        self.logprob = logprob
        self.top = top
    }
}

/// Picks the next token from logits with llama.cpp's default chain (common/sampling.cpp,
/// common_sampler_init; stages in src/llama-sampler.cpp): logit bias, penalties, top-k, top-p,
/// min-p, temperature, then a draw. Temperature 0 or less takes the most likely token after
/// bias and penalties. Tokens whose logit ends up NaN or infinite are never candidates.
///
/// Feed the prompt and every generated token to `accept(_:)` so the penalties see them.
/// Buffers are sized once per vocabulary and reused: sampling allocates nothing after the
/// first call (except a full sort when top-k is off and top-p needs more than 256 tokens of
/// a list longer than 1024).
public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    private var generator: SeededGenerator
    private var history: TokenHistory
    /// The logit bias as a list, read every step.
    private let bias: [(id: Int32, value: Float)]
    /// The logits after bias and penalties.
    private var adjusted: [Float] = []  // (vocabulary)
    /// The chain's candidates; `count` of them are live after `filter`.
    private var candidates: [Candidate] = []  // (vocabulary)
    /// Keeps the sampled text inside a grammar, when set: only tokens it allows are drawn.
    public var grammar: GrammarConstraint?

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        self.generator = SeededGenerator(seed: parameters.seed)
        self.history = TokenHistory(window: parameters.penalizes ? parameters.repeatLastN : 0)
        self.bias = parameters.logitBias.sorted { $0.key < $1.key }.map { (id: $0.key, value: $0.value) }
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

    // MARK: - history

    /// Records a token for the penalties: each prompt token, then each generated one.
    public mutating func accept(_ token: Int32) {
        history.append(token)
    }

    /// Records a sampled token: for the penalties, and as the grammar's next step.
    public mutating func acceptSampled(_ token: Int32) {
        history.append(token)
        grammar?.accept(token)
    }

    /// Records tokens for the penalties, in order.
    public mutating func accept(contentsOf tokens: some Sequence<Int32>) {
        for token in tokens { history.append(token) }
    }

    /// Forgets the accepted tokens and restarts the random generator from the seed, so the
    /// sampler behaves as a new one.
    public mutating func reset() {
        history.removeAll()
        generator = SeededGenerator(seed: parameters.seed)
    }

    // MARK: - sampling

    /// Chooses a token id from `logits` (one value per vocabulary entry). When bias or
    /// penalties leave no finite logit, returns the largest raw logit.
    ///
    /// With a grammar, as llama.cpp's common sampler does (common/sampling.cpp,
    /// common_sampler_sample): the chain runs on the raw logits and the grammar checks only the
    /// candidates that survive; when it rejects one, the chain runs again on logits masked by the
    /// grammar over the whole vocabulary. When the grammar allows no token at all, an end token
    /// is returned.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        var count = filter(logits, masked: false)
        if grammar != nil {
            if !(count > 0 && count <= 256 && grammarAllowsCandidates(count)) { count = filter(logits, masked: true) }
            if count == 0 { return grammar?.endToken ?? Sampler.argmax(logits) }
        }
        if count == 0 { return Sampler.argmax(logits) }
        if parameters.temperature <= 0 { return candidates[0].id }
        // One draw per step whatever the candidates, so equal seeds stay in step.
        let u = generator.nextUnitDouble()
        return candidates.withUnsafeBufferPointer { c in
            var cumulative: Double = 0
            var last = 0
            for i in 0..<count where c[i].p > 0 {
                cumulative += Double(c[i].p)
                if u < cumulative { return c[i].id }
                last = i
            }
            return c[last].id
        }
    }

    /// Chooses a token as `sample(_:)` does (the same token for the same seed and history) and
    /// reports log-probabilities under the model's distribution: log-softmax of `logits`
    /// as given, before the chain.
    /// - Parameters:
    ///   - logits: one value per vocabulary entry.
    ///   - topLogprobs: how many of the most likely tokens to list in `top` (fewer when fewer
    ///     logits are finite).
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>, topLogprobs: Int) -> SampledToken {
        let id = sample(logits)
        guard logits.count > 0 else { return SampledToken(id: id, logprob: -.infinity, top: []) }
        let normalizer = LogSoftmax.normalizer(logits)
        func logprob(_ x: Float) -> Float { x.isNaN ? -.infinity : x - normalizer }
        var top: [(id: Int32, logprob: Float)] = []
        if topLogprobs > 0 {
            prepareBuffers(logits.count)
            top.reserveCapacity(min(topLogprobs, logits.count))
            candidates.withUnsafeMutableBufferPointer { c in
                let best = CandidateList.best(min(topLogprobs, logits.count), of: logits, into: c.baseAddress!)
                for i in 0..<best.count { top.append((id: best[i].id, logprob: logprob(best[i].logit))) }
            }
        }
        return SampledToken(id: id, logprob: logprob(logits[Int(id)]), top: top)
    }

    /// The distribution `sample(_:)` would draw from for these logits: the candidates that
    /// survive bias, penalties, top-k, top-p, min-p and temperature, with their probabilities
    /// (one candidate with probability 1 when greedy). Draws nothing and records nothing.
    public mutating func candidates(_ logits: UnsafeBufferPointer<Float>) -> [(id: Int32, probability: Float)] {
        let count = filter(logits, masked: grammar != nil)
        return candidates.prefix(count).map { (id: $0.id, probability: $0.p) }
    }

    /// Whether the grammar allows each of the first `count` candidates. (Its copy of the
    /// constraint ends here, so masking afterwards does not copy the mask buffer.)
    private func grammarAllowsCandidates(_ count: Int) -> Bool {
        guard let grammar else { return true }
        return candidates.withUnsafeBufferPointer { c in (0..<count).allSatisfy { grammar.allows(c[$0].id) } }
    }

    // MARK: - the chain

    /// Runs the chain up to the draw; returns how many candidates lead `candidates`, each with
    /// its probability. `masked`: tokens the grammar rejects are out from the start.
    private mutating func filter(_ logits: UnsafeBufferPointer<Float>, masked: Bool) -> Int {
        guard logits.count > 0 else { return 0 }
        prepareBuffers(logits.count)
        applyBiasAndPenalties(logits)
        if masked, var constraint = grammar {
            grammar = nil  // moved out while the buffer is borrowed, so its mask buffer is not copied
            adjusted.withUnsafeMutableBufferPointer { a in
                constraint.mask(UnsafeMutableBufferPointer(rebasing: a[0..<logits.count]))
            }
            grammar = constraint
        }
        let parameters = parameters
        return adjusted.withUnsafeBufferPointer { a in
            let adjusted = UnsafeBufferPointer(rebasing: a[0..<logits.count])
            return candidates.withUnsafeMutableBufferPointer { c in
                let base = c.baseAddress!
                if parameters.temperature <= 0 {
                    return CandidateList.argmax(adjusted, into: base).count
                }
                // top-k fused with filling the list, so a small k never sorts the vocabulary.
                var list = parameters.topK > 0 && parameters.topK < adjusted.count
                    ? CandidateList.best(parameters.topK, of: adjusted, into: base)
                    : CandidateList.all(adjusted, into: base)
                list.keepTopP(parameters.topP, minKeep: parameters.minKeep)
                list.keepMinP(parameters.minP, minKeep: parameters.minKeep)
                list.scale(temperature: parameters.temperature)
                list.normalize()
                return list.count
            }
        }
    }

    private mutating func prepareBuffers(_ vocabulary: Int) {
        if adjusted.count < vocabulary {
            adjusted = [Float](repeating: 0, count: vocabulary)
            candidates = [Candidate](repeating: Candidate(id: 0, logit: 0), count: vocabulary)
        }
    }

    /// adjusted = logits + bias, then the penalties of llama_sampler_penalties_apply: the
    /// repeat penalty divides a positive logit and multiplies a negative one, then
    /// count · frequency + presence is subtracted.
    private mutating func applyBiasAndPenalties(_ logits: UnsafeBufferPointer<Float>) {
        let n = logits.count
        let bias = bias
        let counts = history.counts
        let parameters = parameters
        adjusted.withUnsafeMutableBufferPointer { a in
            a.baseAddress!.update(from: logits.baseAddress!, count: n)
            for (id, value) in bias where id >= 0 && Int(id) < n {
                a[Int(id)] += value
            }
            guard parameters.penalizes else { return }
            for (id, count) in counts where id >= 0 && Int(id) < n {
                var logit = a[Int(id)]
                if logit <= 0 {
                    logit *= parameters.repeatPenalty
                } else {
                    logit /= parameters.repeatPenalty
                }
                logit -= Float(count) * parameters.frequencyPenalty + parameters.presencePenalty
                a[Int(id)] = logit
            }
        }
    }
}
