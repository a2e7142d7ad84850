/// Sampling settings. Defaults are llama.cpp's (common/common.h, common_params_sampling).
public struct SamplingParameters: Sendable, Equatable {
    /// 0 (or less) means greedy: always the most likely token after bias and penalties.
    public var temperature: Float = 0.8
    /// Keep only the k most likely tokens; 0 or less keeps all.
    public var topK: Int = 40
    /// Keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all.
    public var topP: Float = 0.95
    /// Drop tokens less likely than minP times the most likely one; 0 keeps all.
    public var minP: Float = 0.05
    /// Top-p and min-p keep at least this many tokens (llama.cpp's min_keep); 0 = no floor.
    public var minKeep: Int = 0
    /// Divides positive and multiplies negative logits of recently seen tokens; 1 = off.
    public var repeatPenalty: Float = 1
    /// How many of the last accepted tokens the penalties look at: 0 = off, -1 = all of them.
    public var repeatLastN: Int = 64
    /// Subtracted once from the logit of every token seen in the window; 0 = off.
    public var presencePenalty: Float = 0
    /// Subtracted from a token's logit once per occurrence in the window; 0 = off.
    public var frequencyPenalty: Float = 0
    /// Added to a token's logit before everything else; -infinity bans the token.
    public var logitBias: [Int32: Float] = [:]
    /// Seed of the random generator; equal seeds give equal samples.
    public var seed: UInt64 = 0

    /// - Parameters:
    ///   - temperature: 0 or less samples greedily.
    ///   - topK: 0 or less keeps every token.
    ///   - topP: 1 keeps every token.
    ///   - minP: 0 keeps every token.
    ///   - minKeep: the fewest tokens top-p and min-p may leave.
    ///   - repeatPenalty: 1 is off.
    ///   - repeatLastN: the penalty window in accepted tokens; 0 = off, -1 = the whole history.
    ///   - presencePenalty: 0 is off.
    ///   - frequencyPenalty: 0 is off.
    ///   - logitBias: token id to bias; ids outside the vocabulary are ignored.
    ///   - seed: the random generator's seed.
    public init(
        temperature: Float = 0.8, topK: Int = 40, topP: Float = 0.95, minP: Float = 0.05, minKeep: Int = 0,
        repeatPenalty: Float = 1, repeatLastN: Int = 64, presencePenalty: Float = 0, frequencyPenalty: Float = 0,
        logitBias: [Int32: Float] = [:], seed: UInt64 = 0
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.minKeep = minKeep
        self.repeatPenalty = repeatPenalty
        self.repeatLastN = repeatLastN
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.logitBias = logitBias
        self.seed = seed
    }

    /// Settings that choose the most likely token every time.
    public static let greedy = SamplingParameters(temperature: 0, topK: 1, topP: 1)

    /// Whether any penalty is on (llama.cpp's llama_sampler_penalties::is_disabled, negated).
    var penalizes: Bool {
        repeatLastN != 0 && (repeatPenalty != 1 || frequencyPenalty != 0 || presencePenalty != 0)
    }
}
