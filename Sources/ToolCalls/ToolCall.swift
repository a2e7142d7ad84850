/// A function call the model asked for, in OpenAI's shape:
/// `{"id", "type": "function", "function": {"name", "arguments"}}`, where `arguments` is JSON
/// text (an object), as the OpenAI API carries it.
public struct ToolCall: Codable, Sendable, Equatable {
    public struct Function: Codable, Sendable, Equatable {
        public var name: String
        /// The arguments as JSON text, as the OpenAI API sends them.
        public var arguments: String

        public init(name: String, arguments: String) {
            self.name = name
            self.arguments = arguments
        }
    }

    /// The call's id (`call_...`), unique within a response; `tool` messages answer it.
    public var id: String
    public var type: String
    public var function: Function

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.type = "function"
        self.function = Function(name: name, arguments: arguments)
    }

    public var name: String {
        get { function.name }
        set { function.name = newValue }
    }

    /// The arguments as compact JSON text: re-serialized, or the model's text minified when the
    /// parser streams arguments (`ToolCallParser.streamsArguments`).
    public var arguments: String {
        get { function.arguments }
        set { function.arguments = newValue }
    }
}
