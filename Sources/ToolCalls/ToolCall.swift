import Grammar

/// A function call the model asked for, in OpenAI's shape: `arguments` is JSON text (an
/// object), as `tool_calls[].function.arguments` carries it.
public struct ToolCall: Sendable, Equatable {
    /// The call's id (`call_...`), unique within a response; `tool` messages answer it.
    public var id: String
    public var name: String
    /// The arguments as compact JSON text: re-serialized, or the model's text minified when the
    /// parser streams arguments (`ToolCallParser.streamsArguments`).
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
