import ArgumentParser
import Cria
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prompt (prefill) and decode speed on a model.",
        discussion: "Random token ids, greedy decoding; figures are means over the repetitions. "
            + "Progress goes to standard error, results to standard output."
    )

    @Option(help: "GGUF model file (default: the default model).")
    var model: String?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .customLong("prompt-tokens"), help: "Prompt length to evaluate.")
    var promptTokens = 512

    @Option(name: .customLong("gen-tokens"), help: "Tokens to decode after the prompt.")
    var genTokens = 128

    @Option(help: "Also measure this many sequences decoding together (aggregate tokens/s).")
    var batch = 1

    @Option(help: "Times to repeat the measurement.")
    var repetitions = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard promptTokens >= 0, genTokens >= 0, promptTokens + genTokens > 0 else {
            throw ValidationError("--prompt-tokens and --gen-tokens must be 0 or more, not both 0")
        }
        guard batch >= 1, batch <= 256 else { throw ValidationError("--batch must be in 1...256") }
        guard repetitions >= 1, repetitions <= 1000 else { throw ValidationError("--repetitions must be in 1...1000") }
        if let threads { guard threads >= 1, threads <= 1024 else { throw ValidationError("--threads must be in 1...1024") } }
    }

    func run() throws {
        let path = model ?? ModelDirectory.defaultModelPath
        let threadCount = threads ?? defaultThreadCount()
        let bench = Benchmark(promptTokens: promptTokens, generatedTokens: genTokens, batch: batch,
                              repetitions: repetitions, threads: threadCount)
        let result = try failing { () throws -> Benchmark.Result in
            guard FileManager.default.fileExists(atPath: path) else {
                throw CriaError(model == nil
                    ? "the default model is not installed at \(path) (run `make setup` to install it)"
                    : "no such file: \(path)")
            }
            return try bench.run(path: path) { done in
                writeAll(STDERR_FILENO, "\rbench: repetition \(done)/\(repetitions)" + (done == repetitions ? "\n" : ""))
            }
        }
        let prefill = mean(result.prefillTokensPerSecond), decode = mean(result.decodeTokensPerSecond)
        let batchDecode = mean(result.batchDecodeTokensPerSecond)
        if json {
            var object: [String: Any] = [
                "model": path, "prompt_tokens": promptTokens, "generated_tokens": genTokens, "threads": threadCount,
                "repetitions": repetitions, "model_bytes": result.modelBytes, "peak_rss_bytes": result.peakResidentBytes,
                "kv_cache_bytes": result.kvCacheBytes, "batch": batch,
            ]
            if promptTokens > 0 { object["prefill_tokens_per_second"] = prefill }
            if genTokens > 0 { object["decode_tokens_per_second"] = decode }
            if batch > 1, genTokens > 0 { object["batch_decode_tokens_per_second"] = batchDecode }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            writeOut(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            var lines = ["model: \(path) (\(result.modelBytes) bytes), \(threadCount) threads, \(repetitions) repetitions"]
            if promptTokens > 0 {
                lines.append("prefill \(promptTokens) tokens: \(fixed(prefill, 1)) ± \(fixed(deviation(result.prefillTokensPerSecond), 1)) tokens/s")
            }
            if genTokens > 0 {
                lines.append("decode \(genTokens) tokens: \(fixed(decode, 1)) ± \(fixed(deviation(result.decodeTokensPerSecond), 1)) tokens/s")
            }
            if batch > 1, genTokens > 0 {
                lines.append("batch \(batch) × \(genTokens) tokens: \(fixed(batchDecode, 1)) ± "
                    + "\(fixed(deviation(result.batchDecodeTokensPerSecond), 1)) tokens/s in all")
            }
            lines.append("peak RSS: \(result.peakResidentBytes) bytes (model file \(result.modelBytes), KV cache \(result.kvCacheBytes))")
            writeOut(lines.joined(separator: "\n") + "\n")
        }
    }

    private func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    private func deviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }
}
