import Cria
import Grammar
import Sampling

/// Generation settings of one request, checked, with llama.cpp's server defaults for what the
/// request leaves out (tools/server: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no
/// penalties, a random seed, no token limit but the context).
struct GenerationParameters {
    var sampling = SamplingParameters(temperature: 0.8, topK: 40, topP: 0.95, seed: 0)
    var maxTokens: Int?
    var stop: [String] = []
    var choices = 1
    var cachePrompt = true
    /// Generate past end-of-generation tokens (llama.cpp's `ignore_eos`), for benchmarks.
    var ignoreEOS = false
    /// The grammar the output must follow (structured output, tool calls).
    var grammar: Grammar?
    /// When set, the grammar holds the output only from this trigger on (tool calls the model starts).
    var grammarTrigger: GrammarTrigger?

    init() {
        sampling.seed = UInt64.random(in: 0...UInt64.max)
    }

    /// From OpenAI's fields.
    init(openAI o: OpenAISampling, vocabularySize: Int) throws(APIError) {
        self.init()
        try set(temperature: o.temperature, topP: o.topP, topK: o.topK, minP: o.minP, seed: o.seed,
                repeatPenalty: o.repeatPenalty, repeatLastN: o.repeatLastN, presence: o.presencePenalty,
                frequency: o.frequencyPenalty, stop: o.stop)
        if let m = o.maxCompletionTokens ?? o.maxTokens {
            guard m >= 1 else {
                throw .invalidRequest("max_tokens must be at least 1, not \(m)", param: o.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens")
            }
            maxTokens = m
        }
        if let n = o.n {
            guard (1...8).contains(n) else { throw .invalidRequest("n must be between 1 and 8, not \(n)", param: "n") }
            choices = n
        }
        if let bias = o.logitBias {
            for (key, value) in bias {
                guard let id = Int32(key), id >= 0, Int(id) < vocabularySize else {
                    throw .invalidRequest("logit_bias key '\(key)' is not a token id (0..<\(vocabularySize))", param: "logit_bias")
                }
                guard (-100...100).contains(value) else {
                    throw .invalidRequest("logit_bias values must be between -100 and 100, not \(value)", param: "logit_bias")
                }
                // OpenAI: -100 bans a token, 100 forces it.
                sampling.logitBias[id] = value <= -100 ? -Float.infinity : Float(value)
            }
        }
        cachePrompt = o.cachePrompt ?? true
        ignoreEOS = o.ignoreEOS ?? false
    }

    /// From Ollama's `options`.
    init(ollama o: OllamaOptions?) throws(APIError) {
        self.init()
        guard let o else { return }
        try set(temperature: o.temperature, topP: o.topP, topK: o.topK, minP: o.minP, seed: o.seed,
                repeatPenalty: o.repeatPenalty, repeatLastN: o.repeatLastN, presence: o.presencePenalty,
                frequency: o.frequencyPenalty, stop: o.stop)
        if let n = o.numPredict {
            // Ollama: -1 generates until the context is full, -2 fills the context too.
            guard n >= -2 else { throw .invalidRequest("num_predict must be -2, -1 or positive, not \(n)") }
            maxTokens = n < 0 ? nil : n
        }
        if let ctx = o.numCtx, ctx < 1 { throw .invalidRequest("num_ctx must be positive, not \(ctx)") }
    }

    private mutating func set(
        temperature: Double?, topP: Double?, topK: Int?, minP: Double?, seed: Int64?, repeatPenalty: Double?,
        repeatLastN: Int?, presence: Double?, frequency: Double?, stop: StringList?
    ) throws(APIError) {
        if let t = temperature {
            guard t >= 0, t.isFinite else { throw .invalidRequest("temperature must be 0 or more, not \(t)", param: "temperature") }
            sampling.temperature = Float(t)
        }
        if let p = topP {
            guard (0...1).contains(p) else { throw .invalidRequest("top_p must be between 0 and 1, not \(p)", param: "top_p") }
            sampling.topP = Float(p)
        }
        if let k = topK {
            guard k >= 0 else { throw .invalidRequest("top_k must be 0 (off) or more, not \(k)", param: "top_k") }
            sampling.topK = k
        }
        if let m = minP {
            guard (0...1).contains(m) else { throw .invalidRequest("min_p must be between 0 and 1, not \(m)", param: "min_p") }
            sampling.minP = Float(m)
        }
        if let seed { sampling.seed = UInt64(bitPattern: seed) }
        if let r = repeatPenalty {
            guard r > 0, r.isFinite else { throw .invalidRequest("repeat_penalty must be positive, not \(r)", param: "repeat_penalty") }
            sampling.repeatPenalty = Float(r)
        }
        if let n = repeatLastN {
            guard n >= -1 else { throw .invalidRequest("repeat_last_n must be -1 (all), 0 (off) or more, not \(n)", param: "repeat_last_n") }
            sampling.repeatLastN = n
        }
        if let p = presence {
            guard (-2...2).contains(p) else { throw .invalidRequest("presence_penalty must be between -2 and 2, not \(p)", param: "presence_penalty") }
            sampling.presencePenalty = Float(p)
        }
        if let f = frequency {
            guard (-2...2).contains(f) else { throw .invalidRequest("frequency_penalty must be between -2 and 2, not \(f)", param: "frequency_penalty") }
            sampling.frequencyPenalty = Float(f)
        }
        if let stop {
            guard stop.values.count <= 16 else { throw .invalidRequest("at most 16 stop sequences, not \(stop.values.count)", param: "stop") }
            self.stop = stop.values
        }
    }

    /// The engine request for `prompt`; the token limit defaults to what the context leaves.
    func request(prompt: [Int32], choice: Int = 0, logprobs: Int? = nil, endOfGeneration: [Int32] = []) -> CompletionRequest {
        var sampling = self.sampling
        sampling.seed &+= UInt64(choice)  // alternatives differ; the first is the request's seed
        if ignoreEOS {
            for id in endOfGeneration { sampling.logitBias[id] = -Float.infinity }
        }
        return CompletionRequest(
            prompt: prompt, maxTokens: maxTokens ?? Int.max, sampling: sampling, stop: stop, logprobs: logprobs,
            cachePrompt: cachePrompt, grammar: grammar, grammarTrigger: grammarTrigger)
    }
}
