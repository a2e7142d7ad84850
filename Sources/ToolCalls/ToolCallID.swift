/// Ids for calls the model gave none for.
public enum ToolCallID {
    static let alphanumerics = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// `prefix` followed by `length` random alphanumerics.
    public static func random(prefix: String = "call_", length: Int = 24) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<length).map { _ in alphanumerics.randomElement(using: &generator) ?? "0" })
    }

    /// The default id maker for a format: OpenAI-style `call_` + 24 alphanumerics, except Mistral, whose
    /// templates reject a call id that is not exactly 9 alphanumerics when the conversation comes back
    /// (mistralai-Mistral-Nemo-Instruct-2407.jinja: "Tool call IDs should be alphanumeric strings with
    /// length 9!").
    public static func generator(for format: ToolCallFormat) -> @Sendable () -> String {
        if format == .mistral { return { random(prefix: "", length: 9) } }
        return { random() }
    }
}
