import ArgumentParser
import Cria
import Foundation
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

    @OptionGroup var options: GenerationArguments

    @Flag(help: "Print each reply's token counts and speed to standard error.")
    var stats = false

    func run() async throws {
        let session = try failing { () throws -> ChatSession in
            let generation = try options.generationOptions()  // a bad grammar fails before the model loads
            return try ChatSession(model: options.loadModel(), system: options.system, format: options.chatFormat,
                                   contextLength: options.context, threads: options.threadCount, options: generation)
        }
        let terminal = isatty(STDIN_FILENO) != 0
        signal(SIGINT) { _ in interrupted.store(true, ordering: .relaxed) }
        if terminal { printError("cria chat: \(options.modelPath). /help for commands, Ctrl-D to quit.") }

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
