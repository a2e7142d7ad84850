#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// The caller asked to stop.
    case cancelled
}

/// Counts and timings of one generation.
public struct GenerationStats: Sendable {
    public var promptTokens = 0
    public var generatedTokens = 0
    /// Seconds spent evaluating the prompt.
    public var promptSeconds = 0.0
    /// Seconds spent generating, from the first sampled token to the last evaluated one.
    public var generationSeconds = 0.0
    public var stopReason = StopReason.maxTokens

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

    public init(maxTokens: Int = 512, sampling: SamplingParameters = SamplingParameters()) {
        self.maxTokens = maxTokens
        self.sampling = sampling
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

    /// Evaluates `prompt` from an empty context and generates up to `options.maxTokens`
    /// tokens, passing each piece of complete UTF-8 text to `onText`; returning false from it
    /// stops generation.
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
        var decoder = StreamingDecoder(tokenizer: model.tokenizer)
        context.reset()

        let promptStart = Clock.now()
        var logits = UnsafeBufferPointer<Float>(start: nil, count: 0)
        do {
            logits = try context.prefill(prompt)
        } catch let error as LlamaError {
            throw CriaError("\(error)")
        }
        stats.promptSeconds = Clock.now() - promptStart

        let generationStart = Clock.now()
        while true {
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
            let text = decoder.append(token)
            if !text.isEmpty, !onText(text) {
                stats.stopReason = .cancelled
                break
            }
            if context.position >= context.contextLength {
                stats.stopReason = .contextFull
                break
            }
            do { logits = try context.step(token) } catch let error as LlamaError {
                throw CriaError("\(error)")
            }
        }
        let rest = decoder.flush()
        if !rest.isEmpty { _ = onText(rest) }
        stats.generationSeconds = Clock.now() - generationStart
        return stats
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
