/// An error from the Cria library, with a message meant for the person running it.
public struct CriaError: Error, CustomStringConvertible, Equatable {
    /// What kind of failure, for callers that answer differently (a server's status code).
    public enum Kind: Sendable, Equatable {
        /// Bad input or a failed operation.
        case general
        /// The prompt does not fit the context window.
        case promptTooLong
        /// Too many requests are waiting; try again later.
        case busy
        /// The engine is shutting down.
        case unavailable
    }

    public let kind: Kind
    public let description: String

    public init(_ description: String) {
        self.kind = .general
        self.description = description
    }

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
