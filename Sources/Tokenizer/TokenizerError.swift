/// The one error type of the Tokenizer module.
///
/// A struct around a private code so that cases can be added without breaking callers.
public struct TokenizerError: Error, CustomStringConvertible, Equatable {
    enum Code: Equatable, Sendable {
        case unsupportedModel
        case unsupportedPreTokenizer
        case inconsistentVocabulary
        case missingMetadata
        case malformedFile
        case unsupportedFeature
        case unreadableFile
    }

    let code: Code
    /// A message a user can act on.
    public let message: String

    public var description: String { message }

    static func unsupportedModel(_ model: String) -> TokenizerError {
        TokenizerError(
            code: .unsupportedModel,
            message: "tokenizer model '\(model)' is not supported; supported: byte-level BPE ('gpt2') and SentencePiece BPE ('llama')"
        )
    }

    static func unsupportedPreTokenizer(_ name: String) -> TokenizerError {
        TokenizerError(
            code: .unsupportedPreTokenizer,
            message: "pre-tokenizer '\(name)' is not supported; supported: \(PreTokenizer.supportedNames.joined(separator: ", "))"
        )
    }

    static func inconsistent(_ message: String) -> TokenizerError {
        TokenizerError(code: .inconsistentVocabulary, message: "inconsistent vocabulary: \(message)")
    }

    static func missing(_ key: String) -> TokenizerError {
        TokenizerError(code: .missingMetadata, message: "model file has no '\(key)' metadata, which the tokenizer needs")
    }

    static func malformed(_ message: String) -> TokenizerError {
        TokenizerError(code: .malformedFile, message: "malformed tokenizer file: \(message)")
    }

    static func unsupported(_ message: String) -> TokenizerError {
        TokenizerError(code: .unsupportedFeature, message: message)
    }

    static func unreadable(_ reason: String) -> TokenizerError {
        TokenizerError(code: .unreadableFile, message: "cannot read the file: \(reason)")
    }

    /// A GGUF reader error, which names the file itself.
    static func malformedGGUF(_ message: String) -> TokenizerError {
        TokenizerError(code: .malformedFile, message: message)
    }

    /// The error with the file's path in front, unless it names it already.
    func naming(_ path: String) -> TokenizerError {
        message.hasPrefix(path) ? self : TokenizerError(code: code, message: "\(path): \(message)")
    }
}
