import ArgumentParser
import Cria
import Sampling
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate text from a prompt, streamed to standard output.",
        discussion: "Timings go to standard error. Without --raw the prompt is sent as one user "
            + "message, formatted by the model's chat template (rendered as Hugging Face transformers does)."
    )

    @Option(help: "GGUF model file (default: the default model in $CRIA_MODELS or ~/.cache/cria/models).")
    var model: String?

    @Option(name: .customLong("max-tokens"), help: "Most tokens to generate.")
    var maxTokens = 512

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0.8

    @Option(name: .customLong("top-k"), help: "Sample from the k most likely tokens (0: all).")
    var topK = 40

    @Option(name: .customLong("top-p"), help: "Sample from the smallest set of tokens whose probability reaches p.")
    var topP: Float = 0.95

    @Option(help: "Random seed (default: a random one).")
    var seed: UInt64?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Context length in tokens (default: the model's, at most 4096).")
    var context: Int?

    @Flag(help: "Send the prompt as plain text, not as a chat message.")
    var raw = false

    @Option(help: "System message (default: whatever the model's template does without one).")
    var system: String?

    @Option(name: .customLong("chat-format"), help: "A built-in chat format for models without a template: chatml, llama3, llama2.")
    var chatFormat: ChatFormat?

    @Argument(help: "The prompt.")
    var prompt: String

    func validate() throws {
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be 0 or more") }
        guard temperature.isFinite, temperature >= 0 else { throw ValidationError("--temperature must be 0 or more") }
        guard topK >= 0 else { throw ValidationError("--top-k must be 0 or more") }
        guard topP.isFinite, topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        if let threads { guard threads >= 1, threads <= 1024 else { throw ValidationError("--threads must be in 1...1024") } }
        if let context { guard context >= 1 else { throw ValidationError("--context must be at least 1") } }
    }

    func run() throws {
        let path = model ?? ModelDirectory.defaultModelPath
        let loaded = try failing { () throws -> (Model, Generator) in
            guard access(path, F_OK) == 0 else {
                throw CriaError(model == nil
                    ? "the default model is not installed at \(path) (run `make setup` to install it)"
                    : "no such file: \(path)")
            }
            let m = try Model(path: path)
            if let context, context > m.config.contextLength {
                throw CriaError("--context \(context) is larger than the model's trained context (\(m.config.contextLength))")
            }
            return (m, try Generator(model: m, contextLength: context, threads: threads ?? defaultThreadCount()))
        }
        let (m, generator) = loaded
        let tokens = try failing { () throws -> [Int32] in
            if raw { return generator.tokenize(prompt, parseSpecial: false) }
            let messages = (system.map { [ChatMessage(role: "system", content: $0)] } ?? []) + [ChatMessage(role: "user", content: prompt)]
            return try m.chatTokens(messages, format: chatFormat)
        }
        let sampling = SamplingParameters(
            temperature: temperature, topK: topK, topP: topP,
            seed: seed ?? UInt64.random(in: 0...UInt64.max))
        let stats = try failing {
            try generator.generate(prompt: tokens, options: GenerationOptions(maxTokens: maxTokens, sampling: sampling)) { piece in
                writeOut(piece)
                return true
            }
        }
        // A final newline for people at a terminal; pipes get the generated text only.
        if isatty(STDOUT_FILENO) != 0 { writeOut("\n") }
        printError("prompt: \(stats.promptTokens) tokens, \(fixed(stats.promptSeconds, 3)) s, "
            + "\(fixed(stats.promptTokensPerSecond, 1)) tokens/s | generated: \(stats.generatedTokens) tokens, "
            + "\(fixed(stats.generationSeconds, 3)) s, \(fixed(stats.generationTokensPerSecond, 1)) tokens/s"
            + " | stop: \(stats.stopReason.rawValue)")
    }
}
