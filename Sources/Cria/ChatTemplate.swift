import Foundation
import Jinja

/// A model's Jinja chat template, rendered the way Hugging Face transformers renders it
/// (`apply_chat_template`: trim_blocks, lstrip_blocks, loop controls, its `tojson`,
/// `raise_exception`, `strftime_now`).
public struct ChatTemplate: Sendable {
    public let source: String
    private let template: Template

    /// - Parameters:
    ///   - source: the template text.
    ///   - date: the date `strftime_now` sees (default: now), for reproducible prompts.
    /// - Throws: `CriaError` with the line and column of a syntax error.
    public init(_ source: String, date: Date? = nil) throws {
        self.source = source
        var options = Template.Options.transformers
        if let date { options.clock = { date } }
        do {
            template = try Template(source, options: options)
        } catch let error as JinjaError {
            throw CriaError("chat template: \(error)")
        }
    }

    /// Renders a conversation.
    /// - Parameters:
    ///   - messages: OpenAI-style messages as JSON values (role, content, tool_calls, ...).
    ///     Keys whose value is null are dropped first, as transformers does.
    ///   - tools: OpenAI-style tool definitions, or nil.
    ///   - addGenerationPrompt: end with the start of an assistant turn.
    ///   - bos: `bos_token`; nil leaves it undefined.
    ///   - eos: `eos_token`; nil leaves it undefined.
    ///   - extra: more template variables.
    public func render(
        messages: Value, tools: Value? = nil, addGenerationPrompt: Bool,
        bos: String?, eos: String?, extra: [String: Value] = [:]
    ) throws -> String {
        var context = extra
        context["messages"] = ChatTemplate.droppingNullKeys(messages)
        context["tools"] = tools ?? Value.none
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        if let bos { context["bos_token"] = .string(bos) }
        if let eos { context["eos_token"] = .string(eos) }
        do {
            return try template.render(context)
        } catch let error as JinjaError {
            throw CriaError("chat template: \(error)")
        }
    }

    /// Renders `ChatMessage`s.
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bos: String?, eos: String?) throws -> String {
        let list = Value.list(messages.map { m in
            .dict(OrderedDict([(.string("role"), .string(m.role)), (.string("content"), .string(m.content))]))
        })
        return try render(messages: list, addGenerationPrompt: addGenerationPrompt, bos: bos, eos: eos)
    }

    /// transformers' `apply_chat_template` removes message keys whose value is None.
    static func droppingNullKeys(_ messages: Value) -> Value {
        guard case .list(let items) = messages else { return messages }
        return .list(items.map { item in
            guard case .dict(let dict) = item else { return item }
            return .dict(OrderedDict(dict.pairs.filter { pair in
                if case .none = pair.1 { return false }
                return true
            }.map { ($0.0, $0.1) }))
        })
    }
}
