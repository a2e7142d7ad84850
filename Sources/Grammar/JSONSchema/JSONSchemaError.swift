/// A JSON Schema that Cria cannot turn into a grammar or validate: an unsupported keyword, a
/// malformed value, an unresolvable `$ref`, a pattern outside the supported regex subset.
public struct JSONSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// JSON pointer of the offending keyword inside the schema, e.g. "/properties/age/minimum";
    /// empty for the schema as a whole.
    public var path: String

    public init(_ message: String, at path: String) {
        self.message = message
        self.path = path
    }

    public var description: String { "\(path.isEmpty ? "schema" : "schema at \(path)"): \(message)" }
}
