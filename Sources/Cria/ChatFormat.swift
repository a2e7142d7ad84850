import Foundation

/// A built-in prompt format for chat models, used until the Jinja interpreter renders the
/// model's own template. Chosen from the template's tell-tale tokens, or by name.
public enum ChatFormat: String, Sendable, CaseIterable {
    /// `<|im_start|>role\n…<|im_end|>\n` (SmolLM, Qwen, Hermes).
    case chatML = "chatml"
    /// `<|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>` (Llama 3.x).
    case llama3
    /// `[INST] … [/INST]` with an optional `<<SYS>>` block (Llama 2).
    case llama2

    /// The format a chat template is written for, or nil when none of the built-ins matches.
    public static func detect(template: String) -> ChatFormat? {
        if template.contains("<|im_start|>") { return .chatML }
        if template.contains("<|start_header_id|>") { return .llama3 }
        if template.contains("[INST]") { return .llama2 }
        return nil
    }

    /// The system message a ChatML template inserts when the conversation has none, as
    /// SmolLM2's does: the literal text between `<|im_start|>system\n` and `<|im_end|>`.
    public static func defaultSystemMessage(template: String) -> String? {
        guard let start = template.range(of: "<|im_start|>system\\n")
            ?? template.range(of: "<|im_start|>system\n")
        else { return nil }
        let rest = template[start.upperBound...]
        guard let end = rest.range(of: "<|im_end|>") else { return nil }
        let text = String(rest[..<end.lowerBound])
        // Only a literal: a template expression (`{{`, `'`) means the text is computed.
        if text.contains("{") || text.contains("'") || text.contains("\"") { return nil }
        return text
    }

    /// The prompt for one user message, ending where the assistant's reply begins.
    /// - Parameters:
    ///   - system: the system message, if any.
    ///   - bos: the beginning-of-sequence text formats that spell it out (Llama 2, Llama 3) start with.
    public func render(user: String, system: String?, bos: String) -> String {
        switch self {
        case .chatML:
            var out = ""
            if let system { out += "<|im_start|>system\n\(system)<|im_end|>\n" }
            return out + "<|im_start|>user\n\(user)<|im_end|>\n<|im_start|>assistant\n"
        case .llama3:
            var out = bos
            if let system { out += "<|start_header_id|>system<|end_header_id|>\n\n\(system)<|eot_id|>" }
            return out + "<|start_header_id|>user<|end_header_id|>\n\n\(user)<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n"
        case .llama2:
            let body = system.map { "<<SYS>>\n\($0)\n<</SYS>>\n\n\(user)" } ?? user
            return "\(bos)[INST] \(body) [/INST]"
        }
    }

    /// A whole conversation in this format.
    /// - Parameters:
    ///   - messages: the turns; a `system` message first is the system prompt.
    ///   - addGenerationPrompt: end with the header of an assistant turn.
    ///   - bos: the beginning-of-sequence text (Llama 2, Llama 3).
    ///   - eos: the end-of-sequence text (closes Llama 2 assistant turns).
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bos: String, eos: String) -> String {
        var out = ""
        switch self {
        case .chatML:
            for m in messages { out += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
            if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        case .llama3:
            out = bos
            for m in messages { out += "<|start_header_id|>\(m.role)<|end_header_id|>\n\n\(m.content)<|eot_id|>" }
            if addGenerationPrompt { out += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
        case .llama2:
            // Meta's format: the system prompt goes inside the first [INST] block.
            var system: String? = nil
            var first = true
            for m in messages {
                switch m.role {
                case "system":
                    system = m.content
                case "assistant":
                    out += " \(m.content) \(eos)"
                default:
                    let body = first ? (system.map { "<<SYS>>\n\($0)\n<</SYS>>\n\n\(m.content)" } ?? m.content) : m.content
                    out += "\(bos)[INST] \(body) [/INST]"
                    first = false
                }
            }
        }
        return out
    }
}

/// One turn of a conversation, as the OpenAI API and chat templates have it.
public struct ChatMessage: Codable, Sendable, Equatable {
    /// "system", "user", "assistant" or "tool".
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
