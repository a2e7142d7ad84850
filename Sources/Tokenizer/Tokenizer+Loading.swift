import Foundation
import GGUF

extension Tokenizer {
    /// The kinds of file a tokenizer can be loaded from.
    public enum FileKind: String, Sendable, CaseIterable {
        /// A GGUF model (or vocabulary-only) file: llama.cpp's rules.
        case gguf
        /// A Hugging Face `tokenizer.json`: the `tokenizers` library's rules.
        case huggingFace = "tokenizer.json"
        /// A SentencePiece `tokenizer.model` protobuf (Llama 2): sentencepiece's rules.
        case sentencePiece = "sentencepiece"
        /// A tiktoken BPE file (Llama 3's `tokenizer.model`): tiktoken's rules.
        case tiktoken

        /// Recognises a file by its first bytes: "GGUF", a JSON object, base64-and-rank text, else protobuf.
        static func detect(_ bytes: [UInt8]) -> FileKind {
            if bytes.starts(with: Array("GGUF".utf8)) { return .gguf }
            let first = bytes.first { !Tokenizer.isASCIISpace($0) }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return .huggingFace }
            let head = bytes.prefix(256)
            let firstLine = head.prefix { $0 != UInt8(ascii: "\n") }
            let isBase64Line = !firstLine.isEmpty && firstLine.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
                    || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\r")
            }
            return isBase64Line && firstLine.contains(UInt8(ascii: " ")) ? .tiktoken : .sentencePiece
        }
    }

    /// Loads a tokenizer from a GGUF model, a `tokenizer.json`, a SentencePiece model or a
    /// tiktoken file, recognised by content.
    /// - Parameters:
    ///   - path: the file.
    ///   - kind: the format, when it should not be guessed.
    /// - Throws: `TokenizerError` for an unreadable, malformed or unsupported file.
    public convenience init(contentsOf path: String, kind: FileKind? = nil) throws {
        let definition: TokenizerDefinition
        do {
            definition = try TokenizerDefinition(contentsOf: path, kind: kind)
        } catch let error as TokenizerError {
            throw error.naming(path)
        }
        do {
            try self.init(definition: definition)
        } catch let error as TokenizerError {
            throw error.naming(path)
        }
    }
}

extension TokenizerDefinition {
    init(contentsOf path: String, kind: Tokenizer.FileKind?) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TokenizerError.unreadable("no such file")
        }
        guard !isDirectory.boolValue else { throw TokenizerError.unreadable("it is a directory") }
        func read(_ length: Int?) throws -> [UInt8] {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw TokenizerError.unreadable("not readable")
            }
            defer { try? handle.close() }
            do {
                let data = try length.map { try handle.read(upToCount: $0) } ?? handle.readToEnd()
                return Array(data ?? Data())
            } catch {
                throw TokenizerError.unreadable("\(error)")
            }
        }
        switch try kind ?? Tokenizer.FileKind.detect(read(4096)) {
        case .gguf:
            let file: GGUFFile
            do {
                file = try GGUFFile(path: path)
            } catch {
                throw TokenizerError.malformedGGUF("\(error)")
            }
            self = try TokenizerDefinition(vocabulary: Vocabulary(gguf: file))
        case .huggingFace:
            self = try TokenizerDefinition(huggingFace: HuggingFaceTokenizerJSON(bytes: read(nil)))
        case .sentencePiece:
            self = try TokenizerDefinition(sentencePiece: SentencePieceModel(bytes: read(nil)))
        case .tiktoken:
            self = try TokenizerDefinition(tiktoken: TiktokenFile(bytes: read(nil)))
        }
    }
}
