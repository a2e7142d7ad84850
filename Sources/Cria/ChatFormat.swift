import Foundation
@_exported import ToolCalls

/// A built-in prompt format for chat models without a chat template, chosen by name (never
/// guessed): models with a template are rendered by it (`ChatTemplate`).
public enum ChatFormat: String, Sendable, CaseIterable {
    /// `<|im_start|>role\n…<|im_end|>\n` (SmolLM, Qwen, Hermes).
    case chatML = "chatml"
    /// `<|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>` (Llama 3.x).
    case llama3
    /// `[INST] … [/INST]` with an optional `<<SYS>>` block (Llama 2).
    case llama2

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
    /// Tool calls an assistant turn made.
    public var toolCalls: [ToolCall]?
    /// The call a "tool" message answers.
    public var toolCallID: String?
    /// The tool's name, on a "tool" message.
    public var name: String?

    public init(role: String, content: String, toolCalls: [ToolCall]? = nil, toolCallID: String? = nil, name: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        if let parts = try? c.decodeIfPresent([ContentPart].self, forKey: .content) {
            // OpenAI's array form: text parts are joined; other kinds (images, audio) are not supported.
            content = try parts.map { part in
                guard part.type == "text", let text = part.text else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .content, in: c, debugDescription: "content parts of type '\(part.type)' are not supported (only 'text')")
                }
                return text
            }.joined()
        } else {
            content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""  // OpenAI allows null
        }
        toolCalls = try c.decodeIfPresent([ToolCall].self, forKey: .toolCalls)
        toolCallID = try c.decodeIfPresent(String.self, forKey: .toolCallID)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }
}

/// One element of OpenAI's array form of message content: `{"type": "text", "text": ...}`.
private struct ContentPart: Decodable {
    var type: String
    var text: String?
}
