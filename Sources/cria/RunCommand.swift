import ArgumentParser
import Cria
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

    @OptionGroup var options: GenerationArguments

    @Flag(help: "Send the prompt as plain text, not as a chat message.")
    var raw = false

    @Argument(help: "The prompt.")
    var prompt: String

    func run() throws {
        let generation = try failing { try options.generationOptions() }  // a bad grammar fails before the model loads
        let loaded = try failing { () throws -> (Model, Generator) in
            let m = try options.loadModel()
            return (m, try Generator(model: m, contextLength: options.context, threads: options.threadCount))
        }
        let (m, generator) = loaded
        let tokens = try failing { () throws -> [Int32] in
            if raw { return generator.tokenize(prompt, parseSpecial: false) }
            let messages = (options.system.map { [ChatMessage(role: "system", content: $0)] } ?? []) + [ChatMessage(role: "user", content: prompt)]
            return try m.chatTokens(messages, format: options.chatFormat)
        }
        let stats = try failing {
            try generator.generate(prompt: tokens, options: generation) { piece in
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
