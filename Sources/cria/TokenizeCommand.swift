import ArgumentParser
import Cria
import Foundation
import Tokenizer

/// Where a tokenizer comes from: `--model GGUF`, `--tokenizer FILE` (any supported format), or
/// the default model.
struct TokenizerSource: ParsableArguments {
    @Option(help: "GGUF model file whose vocabulary to use (default: the default model).")
    var model: String?

    @Option(help: "A tokenizer file instead of a model: tokenizer.json, a SentencePiece tokenizer.model, or a tiktoken file.")
    var tokenizer: String?

    @Option(help: "The tokenizer file's format, when it should not be recognised from its content.")
    var format: Tokenizer.FileKind?

    func validate() throws {
        if model != nil && tokenizer != nil { throw ValidationError("give --model or --tokenizer, not both") }
    }

    func load() throws -> Tokenizer {
        let path = tokenizer ?? model ?? ModelDirectory.defaultModelPath
        guard FileManager.default.fileExists(atPath: path) else {
            if tokenizer == nil && model == nil {
                throw CriaError("the default model is not installed at \(path); run scripts/install-model.sh or pass --model/--tokenizer")
            }
            throw CriaError("no such file: \(path)")
        }
        do {
            return try Tokenizer(contentsOf: path, kind: format ?? (model != nil ? .gguf : nil))
        } catch let error as TokenizerError {
            throw CriaError("\(error)")  // names the file
        }
    }
}

extension Tokenizer.FileKind: ExpressibleByArgument {}

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text as a JSON array.",
        discussion: "The text is tokenized as the tokenizer's reference implementation does it "
            + "(llama.cpp for GGUF files, Hugging Face tokenizers for tokenizer.json, sentencepiece "
            + "for a SentencePiece model, tiktoken for a tiktoken file)."
    )

    @OptionGroup var source: TokenizerSource

    @Flag(name: .customLong("parse-special"), help: "Turn special-token text such as <|im_start|> into those tokens.")
    var parseSpecial = false

    @Flag(name: .customLong("no-bos"), help: "Do not add the BOS/EOS tokens the vocabulary asks for.")
    var noBOS = false

    @Option(help: "Read the text from this file ('-': standard input).")
    var file: String?

    @Flag(help: "Print each id with its token text, one per line, instead of a JSON array.")
    var pieces = false

    @Flag(help: "Also write {\"bytes\", \"tokens\", \"seconds\", \"load_seconds\"} to standard error (seconds: encoding only).")
    var timing = false

    @Argument(help: "The text (or use --file).")
    var text: String?

    func validate() throws {
        if (text == nil) == (file == nil) { throw ValidationError("give the text as an argument or with --file, not both") }
    }

    func run() throws {
        let start = DispatchTime.now()
        let tokenizer = try failing { try source.load() }
        let input = try failing { () throws -> String in
            guard let file else { return text ?? "" }
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
            guard let data else { throw CriaError("cannot read \(file)") }
            return String(decoding: data, as: UTF8.self)
        }
        let loaded = DispatchTime.now()
        let ids = tokenizer.encode(input, addSpecial: !noBOS, parseSpecial: parseSpecial)
        let encoded = DispatchTime.now()
        if pieces {
            var out = ""
            for id in ids {
                let text = tokenizer.tokenText(id) ?? ""
                out += "\(id)\t\(jsonString(text))\n"
            }
            writeOut(out)
        } else {
            writeOut("[" + ids.map(String.init).joined(separator: ", ") + "]\n")
        }
        if timing {
            let seconds = Double(encoded.uptimeNanoseconds - loaded.uptimeNanoseconds) / 1e9
            let load = Double(loaded.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            printError("{\"bytes\": \(input.utf8.count), \"tokens\": \(ids.count), \"seconds\": \(seconds), \"load_seconds\": \(load)}")
        }
    }
}

struct DetokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detokenize",
        abstract: "Print the text of token ids.",
        discussion: "Ids may be separate arguments, comma-separated, or a JSON array as printed by "
            + "cria tokenize. The bytes are written exactly (no newline is added), so text cut in "
            + "the middle of a character stays cut."
    )

    @OptionGroup var source: TokenizerSource

    @Flag(name: .customLong("show-special"), help: "Render control tokens such as <|im_end|> instead of leaving them out.")
    var showSpecial = false

    @Argument(help: "Token ids.")
    var ids: [String] = []

    func run() throws {
        let tokenizer = try failing { try source.load() }
        let ids = try failing { () throws -> [Int32] in
            var out: [Int32] = []
            for argument in self.ids {
                for field in argument.split(whereSeparator: { " ,[]\n\t".contains($0) }) {
                    guard let id = Int32(field), id >= 0, Int(id) < tokenizer.vocabularySize else {
                        throw CriaError("'\(field)' is not a token id of this vocabulary (0..<\(tokenizer.vocabularySize))")
                    }
                    out.append(id)
                }
            }
            return out
        }
        let bytes = tokenizer.decodeBytes(ids, showSpecial: showSpecial)
        writeAllBytes(STDOUT_FILENO, bytes)
    }
}

/// `text` as a JSON string literal.
func jsonString(_ text: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .withoutEscapingSlashes
    return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
}
