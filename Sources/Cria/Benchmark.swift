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
public struct Benchmark: Sendable {
    public var promptTokens: Int
    public var generatedTokens: Int
    public var repetitions: Int
    public var threads: Int

    public init(promptTokens: Int, generatedTokens: Int, repetitions: Int, threads: Int) {
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.repetitions = repetitions
        self.threads = threads
    }

    public struct Result: Sendable {
        public var prefillTokensPerSecond: [Double] = []
        public var decodeTokensPerSecond: [Double] = []
        public var modelBytes = 0
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
            context = try LlamaContext(model: model, contextLength: max(length, 1), pool: ThreadPool(threadCount: threads))
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
                for token in prompt { logits = try context.step(token, batched: promptTokens > 1) }
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
            } catch let error as LlamaError {
                throw CriaError("\(error)")
            }
            progress(repetition + 1)
        }
        result.peakResidentBytes = Benchmark.peakResidentBytes()
        return result
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
