/// The one error type of the Jinja module: what went wrong, where, and a message a template
/// author can act on.
public struct JinjaError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The template text does not parse (jinja2 `TemplateSyntaxError`).
        case syntax
        /// An unknown filter or test name (jinja2 reports these at compile time as
        /// `TemplateAssertionError`).
        case assertion
        /// Attribute or item access on, or a call of, an undefined value (jinja2 `UndefinedError`).
        case undefined
        /// An operation on values of the wrong type (Python `TypeError` / `ValueError`).
        case type
        /// `raise_exception(message)` was called by the template (jinja2 `TemplateError`).
        case raised
        /// The evaluation step or recursion depth guard tripped.
        case limit
        /// Any other failure while rendering.
        case runtime
    }

    public var kind: Kind
    public var message: String
    /// 1-based line of the offending construct, 0 when unknown.
    public var line: Int
    /// 1-based column of the offending construct, 0 when unknown.
    public var column: Int

    public init(_ kind: Kind, _ message: String, line: Int = 0, column: Int = 0) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        line > 0 ? "\(kind) error at line \(line), column \(column): \(message)" : "\(kind) error: \(message)"
    }
}

/// A position in the template source, 1-based.
struct SourceLocation: Sendable, Equatable {
    var line: Int
    var column: Int
    static let unknown = SourceLocation(line: 0, column: 0)
}
