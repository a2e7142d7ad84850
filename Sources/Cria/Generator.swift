#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Grammar
import Llama
import Sampling
import Tensor
import Tokenizer

/// Why generation stopped.
public enum StopReason: String, Sendable {
    /// The model produced an end-of-generation token.
    case endOfGeneration = "stop"
    /// The token limit was reached.
    case maxTokens = "length"
    /// The context window is full.
    case contextFull = "context"
    /// The text reached one of the stop strings (which is not part of the output).
    case stopString = "stop_string"
    /// The caller asked to stop (or its task was cancelled).
    case cancelled
}

/// Counts and timings of one generation.
public struct GenerationStats: Sendable {
    public var promptTokens = 0
    /// Prompt tokens whose keys and values were already in the cache from an earlier call
    /// (the shared prefix of a conversation), so they were not evaluated again.
    public var cachedPromptTokens = 0
    public var generatedTokens = 0
    /// Seconds spent evaluating the prompt.
    public var promptSeconds = 0.0
    /// Seconds spent generating, from the first sampled token to the last evaluated one.
    public var generationSeconds = 0.0
    public var stopReason = StopReason.maxTokens
    /// Seconds the request waited for a free sequence (served by `InferenceEngine`).
    public var queueSeconds = 0.0

    public init() {}

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    public var generationTokensPerSecond: Double {
        generationSeconds > 0 ? Double(generatedTokens) / generationSeconds : 0
    }
}

/// Options of one generation.
public struct GenerationOptions: Sendable {
    /// Most tokens to generate.
    public var maxTokens: Int
    public var sampling: SamplingParameters
    /// Generation stops before the first of these strings; the string is not output.
    public var stop: [String]
    /// The generated text must follow this grammar from its start (or from its trigger);
    /// generation ends when the grammar can take nothing more.
    public var grammar: Grammar?
    /// When set, the grammar holds the text only from this trigger on.
    public var grammarTrigger: GrammarTrigger?

    public init(
        maxTokens: Int = 512, sampling: SamplingParameters = SamplingParameters(), stop: [String] = [],
        grammar: Grammar? = nil, grammarTrigger: GrammarTrigger? = nil
    ) {
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stop = stop.filter { !$0.isEmpty }
        self.grammar = grammar
        self.grammarTrigger = grammarTrigger
    }
}

/// Runs one sequence on a model: owns the KV cache and a thread pool.
public final class Generator {
    public let model: Model
    public let context: LlamaContext

    /// - Parameters:
    ///   - contextLength: positions to hold; nil means the model's trained context, capped at 4096.
    ///   - threads: worker threads (the caller's included).
    public init(model: Model, contextLength: Int? = nil, threads: Int) throws {
        self.model = model
        let length = contextLength ?? min(model.config.contextLength, 4096)
        do {
            context = try LlamaContext(model: model.llama, contextLength: length, pool: ThreadPool(threadCount: threads))
        } catch let error as LlamaError {
            throw CriaError("\(error)")
        }
    }

    /// Tokenizes `text` as the model expects: BOS/EOS as its metadata says, special tokens
    /// parsed when `parseSpecial` (chat prompts) and left as text otherwise (raw prompts).
    public func tokenize(_ text: String, parseSpecial: Bool) -> [Int32] {
        model.tokenizer.encode(text, addSpecial: true, parseSpecial: parseSpecial)
    }

    /// Tokens whose keys and values sequence 0 of the cache holds, in order.
    public private(set) var cachedTokens: [Int32] = []

    /// Forgets the cache.
    public func reset() {
        context.reset()
        cachedTokens = []
    }

    /// Evaluates `prompt` and generates up to `options.maxTokens` tokens, passing each piece of
    /// complete UTF-8 text to `onText`; returning false from it stops generation, as does
    /// cancelling the task that calls this.
    ///
    /// Only the part of `prompt` after its longest common prefix with `cachedTokens` is
    /// evaluated: the next turn of a conversation costs its new tokens only.
    public func generate(
        prompt: [Int32], options: GenerationOptions, onText: (String) -> Bool
    ) throws -> GenerationStats {
        guard !prompt.isEmpty else { throw CriaError("the prompt is empty") }
        guard prompt.count < context.contextLength else {
            throw CriaError("the prompt has \(prompt.count) tokens but the context holds \(context.contextLength)")
        }
        var stats = GenerationStats()
        stats.promptTokens = prompt.count
        var sampler = Sampler(options.sampling)
        sampler.grammar = options.grammar.map { model.constraint($0, trigger: options.grammarTrigger) }
        sampler.accept(contentsOf: prompt)  // repetition penalties see the prompt too, as in llama.cpp's server
        var decoder = StreamingDecoder(tokenizer: model.tokenizer)
        var stops = StopStringMatcher(options.stop)

        // Keep the shared prefix; at least the last prompt token is evaluated for its logits.
        var reused = zip(cachedTokens, prompt).prefix { $0 == $1 }.count
        reused = min(reused, prompt.count - 1)
        do {
            try context.truncate(sequence: 0, to: reused)
        } catch let error as LlamaError {
            throw CriaError("\(error)")
        }
        cachedTokens.removeSubrange(reused...)
        stats.cachedPromptTokens = reused

        let promptStart = Clock.now()
        var logits = UnsafeBufferPointer<Float>(start: nil, count: 0)
        do {
            logits = try context.prefill(Array(prompt[reused...]))
        } catch let error as LlamaError {
            cachedTokens = []
            context.reset()
            throw CriaError("\(error)")
        }
        cachedTokens.append(contentsOf: prompt[reused...])
        stats.promptSeconds = Clock.now() - promptStart

        let generationStart = Clock.now()
        func deliver(_ text: String) -> Bool {
            let (out, hit) = stops.feed(text)
            if !out.isEmpty && !onText(out) {
                stats.stopReason = .cancelled
                return false
            }
            if hit {
                stats.stopReason = .stopString
                return false
            }
            return true
        }
        generation: while true {
            if Task.isCancelled {
                stats.stopReason = .cancelled
                break
            }
            if stats.generatedTokens >= options.maxTokens {
                stats.stopReason = .maxTokens
                break
            }
            let token = sampler.sample(logits)
            if model.tokenizer.isEndOfGeneration(token) {
                stats.stopReason = .endOfGeneration
                break
            }
            stats.generatedTokens += 1
            sampler.acceptSampled(token)
            let text = decoder.append(token)
            if !text.isEmpty, !deliver(text) { break generation }
            if sampler.grammar?.isExhausted == true {
                stats.stopReason = .endOfGeneration
                break
            }
            if context.position >= context.contextLength {
                stats.stopReason = .contextFull
                break
            }
            do { logits = try context.step(token) } catch let error as LlamaError {
                throw CriaError("\(error)")
            }
            cachedTokens.append(token)
        }
        if stats.stopReason != .cancelled && stats.stopReason != .stopString {
            let rest = decoder.flush()
            if !rest.isEmpty { _ = deliver(rest) }
            if stats.stopReason != .stopString, !stops.pending.isEmpty { _ = onText(stops.flush()) }
        }
        stats.generationSeconds = Clock.now() - generationStart
        return stats
    }
}

/// Finds stop strings in streamed text, holding back text that may be the start of one.
struct StopStringMatcher {
    let stops: [String]
    /// Text received but not yet output: it ends with a possible start of a stop string.
    private(set) var pending = ""

    init(_ stops: [String]) { self.stops = stops }

    /// Adds text; returns what can be output and whether a stop string was reached (the output
    /// then ends right before it).
    mutating func feed(_ text: String) -> (output: String, stopped: Bool) {
        guard !stops.isEmpty else { return (text, false) }
        pending += text
        let scalars = Array(pending.unicodeScalars)
        // The earliest complete stop string.
        var cut: Int? = nil
        for stop in stops {
            let needle = Array(stop.unicodeScalars)
            guard needle.count <= scalars.count else { continue }
            for start in 0...(scalars.count - needle.count) where scalars[start..<(start + needle.count)].elementsEqual(needle) {
                cut = min(cut ?? start, start)
                break
            }
        }
        if let cut {
            let out = String(String.UnicodeScalarView(scalars[..<cut]))
            pending = ""
            return (out, true)
        }
        // Hold back the longest tail that is a proper prefix of a stop string.
        var hold = 0
        for stop in stops {
            let needle = Array(stop.unicodeScalars)
            for length in stride(from: min(needle.count - 1, scalars.count), to: hold, by: -1)
            where scalars[(scalars.count - length)...].elementsEqual(needle[..<length]) {
                hold = length
                break
            }
        }
        let out = String(String.UnicodeScalarView(scalars[..<(scalars.count - hold)]))
        pending = String(String.UnicodeScalarView(scalars[(scalars.count - hold)...]))
        return (out, false)
    }

    /// What is held back, at the end of generation.
    mutating func flush() -> String {
        defer { pending = "" }
        return pending
    }
}

/// Monotonic seconds.
enum Clock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
