import ArgumentParser
import Cria
import Foundation
import Sampling
import Synchronization

/// Set by SIGINT; the chat loop turns it into cancelling the reply.
private let interrupted = Atomic<Bool>(false)

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a model in the terminal, or over standard input.",
        discussion: """
            Each line is a user message (end a line with \\ to continue it on the next). Replies \
            stream to standard output. Commands: /reset, /system TEXT, /save FILE, /load FILE \
            (JSON history), /stats, /help. Ctrl-C stops the reply being written; Ctrl-D (end of \
            input) exits. With standard input not a terminal, the conversation is read from it \
            and each reply is printed followed by a blank line.
            """
    )

    @Option(help: "GGUF model file (default: the default model in $CRIA_MODELS or ~/.cache/cria/models).")
    var model: String?

    @Option(help: "System message (default: whatever the model's template does without one).")
    var system: String?

    @Option(name: .customLong("chat-format"), help: "A built-in chat format for models without a template: chatml, llama3, llama2.")
    var chatFormat: ChatFormat?

    @Option(name: .customLong("max-tokens"), help: "Most tokens per reply.")
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

    @Flag(help: "Print each reply's token counts and speed to standard error.")
    var stats = false

    func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        guard temperature.isFinite, temperature >= 0 else { throw ValidationError("--temperature must be 0 or more") }
        guard topK >= 0 else { throw ValidationError("--top-k must be 0 or more") }
        guard topP.isFinite, topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        if let threads { guard threads >= 1, threads <= 1024 else { throw ValidationError("--threads must be in 1...1024") } }
        if let context { guard context >= 16 else { throw ValidationError("--context must be at least 16") } }
    }

    func run() async throws {
        let path = model ?? ModelDirectory.defaultModelPath
        let options = GenerationOptions(
            maxTokens: maxTokens,
            sampling: SamplingParameters(temperature: temperature, topK: topK, topP: topP, seed: seed ?? UInt64.random(in: 0...UInt64.max))
        )
        let session = try failing { () throws -> ChatSession in
            guard FileManager.default.fileExists(atPath: path) else {
                throw CriaError(model == nil
                    ? "the default model is not installed at \(path) (run `make setup` to install it)"
                    : "no such file: \(path)")
            }
            let loaded = try Model(path: path)
            if let context, context > loaded.config.contextLength {
                throw CriaError("--context \(context) is larger than the model's trained context (\(loaded.config.contextLength))")
            }
            return try ChatSession(model: loaded, system: system, format: chatFormat, contextLength: context,
                                   threads: threads ?? defaultThreadCount(), options: options)
        }
        let terminal = isatty(STDIN_FILENO) != 0
        signal(SIGINT) { _ in interrupted.store(true, ordering: .relaxed) }
        if terminal { printError("cria chat: \(path). /help for commands, Ctrl-D to quit.") }

        var last: GenerationStats? = nil
        while let input = readMessage(prompt: terminal) {
            interrupted.store(false, ordering: .relaxed)
            if input.hasPrefix("/") {
                if try await command(input, session: session, last: last) { continue }
            }
            guard !input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            last = try await reply(to: input, session: session)
            if let last, stats { printError(Self.describe(last)) }
        }
        if terminal { writeOut("\n") }
    }

    /// Streams one reply; Ctrl-C ends it early (the part written stays in the history).
    private func reply(to input: String, session: ChatSession) async throws -> GenerationStats? {
        var result: GenerationStats? = nil
        do {
            for try await event in await session.send(input) {
                if interrupted.load(ordering: .relaxed) { break }
                switch event {
                case .text(let piece): writeOut(piece)
                case .finished(let stats): result = stats
                }
            }
        } catch let error as CriaError {
            printError("error: \(error)")
        }
        writeOut(isatty(STDOUT_FILENO) != 0 ? "\n" : "\n\n")
        return result
    }

    /// Handles a slash command; false when the line is not one (it is then sent as a message).
    private func command(_ line: String, session: ChatSession, last: GenerationStats?) async throws -> Bool {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case "/reset":
            await session.reset()
            printError("(conversation cleared)")
        case "/system":
            await session.reset(system: argument)
            printError("(new system message; conversation cleared)")
        case "/save":
            guard !argument.isEmpty else { printError("usage: /save FILE"); return true }
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
                try encoder.encode(await session.messages).write(to: URL(fileURLWithPath: argument))
                printError("(saved \(await session.messages.count) messages to \(argument))")
            } catch {
                printError("error: cannot save \(argument): \(error.localizedDescription)")
            }
        case "/load":
            guard !argument.isEmpty else { printError("usage: /load FILE"); return true }
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: argument))
                let messages = try JSONDecoder().decode([ChatMessage].self, from: data)
                await session.load(messages)
                printError("(loaded \(messages.count) messages from \(argument))")
            } catch {
                printError("error: cannot load \(argument): not a JSON array of {role, content} messages (\(error.localizedDescription))")
            }
        case "/stats":
            printError(last.map(Self.describe) ?? "(no reply yet)")
        case "/help":
            printError("/reset  /system TEXT  /save FILE  /load FILE  /stats  /help; Ctrl-C stops a reply, Ctrl-D quits")
        default:
            return false
        }
        return true
    }

    /// One message from standard input: a line, joined with the next while it ends with "\".
    private func readMessage(prompt: Bool) -> String? {
        if prompt { writeAll(STDERR_FILENO, "> ") }
        var lines: [String] = []
        while let line = readLine(strippingNewline: true) {
            if line.hasSuffix("\\") {
                lines.append(String(line.dropLast()))
                if prompt { writeAll(STDERR_FILENO, ". ") }
                continue
            }
            lines.append(line)
            return lines.joined(separator: "\n")
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    static func describe(_ s: GenerationStats) -> String {
        "prompt: \(s.promptTokens) tokens (\(s.cachedPromptTokens) cached, \(s.promptTokens - s.cachedPromptTokens) evaluated), "
            + "\(fixed(s.promptSeconds, 3)) s | generated: \(s.generatedTokens) tokens, \(fixed(s.generationSeconds, 3)) s, "
            + "\(fixed(s.generationTokensPerSecond, 1)) tokens/s | stop: \(s.stopReason.rawValue)"
    }
}
extension ChatFormat: ExpressibleByArgument {}
