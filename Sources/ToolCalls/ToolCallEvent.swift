/// What `ToolCallParser` reports as the model's text streams in.
public enum ToolCallEvent: Sendable, Equatable {
    /// Ordinary assistant text.
    case content(String)
    /// A call recognized, with its name and id; its arguments follow.
    case callStarted(index: Int, id: String, name: String)
    /// Pieces of a call's arguments, compact JSON text; concatenated in order they are the call's
    /// `ToolCall.arguments` exactly.
    case arguments(index: Int, fragment: String)
}
