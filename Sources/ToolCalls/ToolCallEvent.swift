/// What `ToolCallParser` reports as the model's text streams in.
public enum ToolCallEvent: Sendable, Equatable {
    /// Ordinary assistant text.
    case content(String)
    /// A call recognized, with its name and id; its arguments follow.
    case callStarted(index: Int, id: String, name: String)
    /// Pieces of a call's arguments; concatenated in order they are the call's `ToolCall.arguments`
    /// exactly. One piece of re-serialized JSON, or, when the parser streams arguments, the
    /// minified text as it arrives.
    case arguments(index: Int, fragment: String)
}
