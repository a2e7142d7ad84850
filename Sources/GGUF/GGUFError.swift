/// The one error type of the GGUF module.
///
/// `description` is written for the person holding the file: it names the file (when there is
/// one), what was being read, the byte offset and the limit that was crossed.
public struct GGUFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Broad category, for callers that branch on the failure; the message has the details.
    public enum Kind: Sendable, Equatable {
        /// The file does not start with the GGUF magic.
        case notGGUF
        /// A GGUF version this reader does not handle (only 2 and 3 are supported).
        case unsupportedVersion
        /// A field runs past the end of the file.
        case truncated
        /// A field holds a value the format does not allow (bad type id, bad UTF-8, ...).
        case invalidValue
        /// A tensor description is inconsistent (shape, type, offset, bounds).
        case invalidTensor
        /// The operating system refused an open, stat, mmap, write or rename.
        case io
        /// The writer was handed inconsistent input.
        case invalidInput
    }

    public let kind: Kind
    /// The message without the path.
    public let message: String
    /// The file being read or written, when there is one.
    public var path: String?

    public init(_ kind: Kind, _ message: String, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }
}
