#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GGUF
import Llama
import Sampling
import Tensor

/// Prompt and decode speed of one model, measured like llama-bench: random token ids (no
/// tokenizer needed), a prompt of `promptTokens` evaluated from an empty cache, then
/// `generatedTokens` greedy decode steps; each figure is the mean over the repetitions.
///
/// With `batch` > 1 it then measures `batch` sequences decoding together: the prompt is
/// evaluated once and shared (copied in the KV cache, as a server shares a system prompt),
/// each sequence starts from its own random token, and every step evaluates one token of
/// each sequence in a single batch; the figure is the aggregate tokens/s of all sequences.
public struct Benchmark: Sendable {
    public var promptTokens: Int
    public var generatedTokens: Int
    public var batch: Int
    public var repetitions: Int
    public var threads: Int

    public init(promptTokens: Int, generatedTokens: Int, batch: Int = 1, repetitions: Int, threads: Int) {
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.batch = batch
        self.repetitions = repetitions
        self.threads = threads
    }

    public struct Result: Sendable {
        public var prefillTokensPerSecond: [Double] = []
        public var decodeTokensPerSecond: [Double] = []
        public var batchDecodeTokensPerSecond: [Double] = []
        public var modelBytes = 0
        /// KV cache bytes the single-sequence run filled (prompt + generated tokens).
        public var kvCacheBytes = 0
        /// Peak resident memory of the process (VmHWM), 0 where unknown.
        public var peakResidentBytes = 0
    }

    /// Runs the benchmark on the GGUF at `path`; `progress` is called after each repetition.
    public func run(path: String, progress: (Int) -> Void = { _ in }) throws -> Result {
        let file: GGUFFile
        let model: LlamaModel
        do {
            file = try GGUFFile(path: path)
            model = try LlamaModel(file: file)
        } catch let error as GGUFError {
            throw CriaError("\(error)")
        } catch let error as LlamaError {
            throw CriaError("\(path): \(error)")
        }
        let length = promptTokens + generatedTokens
        guard length <= model.config.contextLength else {
            throw CriaError("\(promptTokens) prompt + \(generatedTokens) generated tokens exceed the model's "
                + "context of \(model.config.contextLength)")
        }
        let context: LlamaContext
        do {
            context = try LlamaContext(
                model: model, contextLength: max(length, 1), sequences: max(batch, 1), pool: ThreadPool(threadCount: threads))
        } catch let error as LlamaError {
            throw CriaError("\(error)")
        }
        var generator = SeededGenerator(seed: 1)
        let vocabulary = UInt64(model.config.vocabularySize)
        var result = Result()
        result.modelBytes = file.fileSize
        for repetition in 0..<repetitions {
            let prompt = (0..<promptTokens).map { _ in Int32(generator.next() % vocabulary) }
            context.reset()
            var logits = UnsafeBufferPointer<Float>(start: nil, count: 0)
            do {
                let start = Clock.now()
                if !prompt.isEmpty { logits = try context.prefill(prompt) }
                if promptTokens > 0 { result.prefillTokensPerSecond.append(Double(promptTokens) / (Clock.now() - start)) }
                if generatedTokens > 0 {
                    var token = logits.count > 0 ? Sampler.argmax(logits) : Int32(generator.next() % vocabulary)
                    let decodeStart = Clock.now()
                    for _ in 0..<generatedTokens {
                        logits = try context.step(token)
                        token = Sampler.argmax(logits)
                    }
                    result.decodeTokensPerSecond.append(Double(generatedTokens) / (Clock.now() - decodeStart))
                }
                if batch > 1, generatedTokens > 0 {
                    result.batchDecodeTokensPerSecond.append(try batchDecode(context, prompt: prompt, using: &generator))
                }
            } catch let error as LlamaError {
                throw CriaError("\(error)")
            }
            progress(repetition + 1)
        }
        result.kvCacheBytes = context.kvBytesPerPosition * length
        result.peakResidentBytes = Benchmark.peakResidentBytes()
        return result
    }

    /// Aggregate tokens/s of `batch` sequences decoding `generatedTokens` each, together.
    private func batchDecode(_ context: LlamaContext, prompt: [Int32], using generator: inout SeededGenerator) throws -> Double {
        let vocabulary = UInt64(context.model.config.vocabularySize)
        context.reset()
        if !prompt.isEmpty { try context.prefill(prompt) }
        for s in 1..<batch { try context.copy(sequence: 0, to: s) }
        var entries = (0..<batch).map { s in
            LlamaBatchEntry(token: Int32(generator.next() % vocabulary), position: prompt.count, sequence: s, wantsLogits: true)
        }
        let start = Clock.now()
        for _ in 0..<generatedTokens {
            let logits = try context.evaluate(entries)
            for s in 0..<batch {
                entries[s].token = Sampler.argmax(logits[s])
                entries[s].position += 1
            }
        }
        return Double(batch * generatedTokens) / (Clock.now() - start)
    }

    /// VmHWM from /proc/self/status, in bytes (0 where there is no /proc).
    static func peakResidentBytes() -> Int {
        guard let f = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmHWM:") {
                let kb = text.split(separator: " ").compactMap { Int($0) }.first ?? 0
                return kb * 1024
            }
        }
        return 0
    }
}
