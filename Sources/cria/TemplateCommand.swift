import ArgumentParser
import Cria
import Foundation
import GGUF
import Jinja
import Tokenizer

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render a chat template on a conversation and print the prompt exactly.",
        discussion: "Rendered as Hugging Face transformers renders chat templates (jinja2 with "
            + "trim_blocks and lstrip_blocks). No newline is added, so the output is the prompt byte for byte."
    )

    @Option(help: "GGUF model whose tokenizer.chat_template to use (default: the default model).")
    var model: String?

    @Option(name: .customLong("template-file"), help: "A Jinja template file instead of a model's.")
    var templateFile: String?

    @Option(help: "JSON array of OpenAI-style messages.")
    var messages: String

    @Option(help: "JSON array of OpenAI-style tool definitions.")
    var tools: String?

    @Flag(name: .customLong("add-generation-prompt"), help: "End with the start of the assistant's turn.")
    var addGenerationPrompt = false

    @Option(help: "The bos_token variable (default: the model's; empty with --template-file).")
    var bos: String?

    @Option(help: "The eos_token variable (default: the model's; empty with --template-file).")
    var eos: String?

    @Option(help: "The date strftime_now sees, YYYY-MM-DD (default: today), for reproducible prompts.")
    var date: String?

    /// `--date` as local midnight.
    private func fixedDate() throws -> Date? {
        guard let date else { return nil }
        let parts = date.split(separator: "-").compactMap { Int32($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
            throw ValidationError("--date must be YYYY-MM-DD")
        }
        var fields = tm()
        fields.tm_year = parts[0] - 1900
        fields.tm_mon = parts[1] - 1
        fields.tm_mday = parts[2]
        fields.tm_isdst = -1
        return Date(timeIntervalSince1970: TimeInterval(mktime(&fields)))
    }

    func validate() throws {
        if model != nil && templateFile != nil { throw ValidationError("give --model or --template-file, not both") }
    }

    func run() throws {
        let now = try fixedDate()
        let (source, modelBOS, modelEOS) = try failing { () throws -> (String, String, String) in
            if let templateFile {
                guard let data = FileManager.default.contents(atPath: templateFile) else { throw CriaError("cannot read \(templateFile)") }
                return (String(decoding: data, as: UTF8.self), "", "")
            }
            let path = model ?? ModelDirectory.defaultModelPath
            guard FileManager.default.fileExists(atPath: path) else { throw CriaError("no such file: \(path)") }
            let file: GGUFFile
            do { file = try GGUFFile(path: path) } catch { throw CriaError("\(error)") }
            guard let template = file["tokenizer.chat_template"]?.string else {
                throw CriaError("\(path) has no tokenizer.chat_template; use --template-file")
            }
            let tokenizer: Tokenizer
            do { tokenizer = try Tokenizer(vocabulary: Vocabulary(gguf: file)) } catch { throw CriaError("\(path): \(error)") }
            func text(_ id: Int32?) -> String { id.map { String(decoding: tokenizer.tokenBytes($0), as: UTF8.self) } ?? "" }
            return (template, text(tokenizer.bosID), text(tokenizer.eosID))
        }
        let rendered = try failing { try render(source, bos: bos ?? modelBOS, eos: eos ?? modelEOS, now: now) }
        writeOut(rendered)
    }

    private func render(_ source: String, bos: String, eos: String, now: Date?) throws -> String {
        let messageList = try json(messages, "--messages")
        guard case .list = messageList else { throw CriaError("\(messages): --messages must be a JSON array") }
        let toolList = try tools.map { try json($0, "--tools") }
        let template = try ChatTemplate(source, date: now)
        return try template.render(messages: messageList, tools: toolList, addGenerationPrompt: addGenerationPrompt, bos: bos, eos: eos)
    }

    private func json(_ path: String, _ what: String) throws -> Value {
        guard let data = FileManager.default.contents(atPath: path) else { throw CriaError("cannot read \(path)") }
        do {
            return try Value(jsonString: String(decoding: data, as: UTF8.self))
        } catch {
            throw CriaError("\(path): \(what) is not valid JSON: \(error)")
        }
    }
}
