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
    /// - Parameter tools: OpenAI-style tool definitions as JSON text (an array), or nil.
    /// - Throws: `CriaError` for tools that are not a JSON array, or a template error.
    public func render(messages: [ChatMessage], tools: String? = nil, addGenerationPrompt: Bool, bos: String?, eos: String?) throws -> String {
        var toolList: Value? = nil
        if let tools {
            guard let parsed = try? Value(jsonString: tools), case .list = parsed else {
                throw CriaError("tools must be a JSON array of tool definitions")
            }
            toolList = parsed
        }
        return try render(messages: .list(messages.map(ChatTemplate.value)), tools: toolList,
                          addGenerationPrompt: addGenerationPrompt, bos: bos, eos: eos)
    }

    /// A message as templates see it. Tool-call arguments that are a JSON object are passed as
    /// a mapping (what Llama 3.x, Hermes and Qwen templates expect), anything else as text.
    static func value(_ m: ChatMessage) -> Value {
        var pairs: [(Value, Value)] = [(.string("role"), .string(m.role)), (.string("content"), .string(m.content))]
        if let name = m.name { pairs.append((.string("name"), .string(name))) }
        if let id = m.toolCallID { pairs.append((.string("tool_call_id"), .string(id))) }
        if let calls = m.toolCalls {
            pairs.append((.string("tool_calls"), .list(calls.map { call in
                var arguments = Value.string(call.function.arguments)
                if let parsed = try? Value(jsonString: call.function.arguments), case .dict = parsed { arguments = parsed }
                let function = Value.dict(OrderedDict([(.string("name"), .string(call.function.name)), (.string("arguments"), arguments)]))
                return .dict(OrderedDict([(.string("id"), .string(call.id)), (.string("type"), .string(call.type)), (.string("function"), function)]))
            })))
        }
        return .dict(OrderedDict(pairs))
    }

    /// The chat template of a Hugging Face `tokenizer_config.json`: its `chat_template` string,
    /// or the entry named `name` (default "default") when it is a list of named templates.
    /// - Throws: `CriaError` when the file has no chat template or is not JSON.
    public static func fromTokenizerConfig(_ bytes: [UInt8], name: String = "default") throws -> ChatTemplate {
        guard let root = try? Value(jsonString: String(decoding: bytes, as: UTF8.self)), case .dict(let config) = root else {
            throw CriaError("tokenizer_config.json is not a JSON object")
        }
        switch config["chat_template"] {
        case .string(let source)?:
            return try ChatTemplate(source)
        case .list(let entries)?:
            for case .dict(let entry) in entries {
                if case .string(let entryName)? = entry["name"], entryName == name, case .string(let source)? = entry["template"] {
                    return try ChatTemplate(source)
                }
            }
            throw CriaError("tokenizer_config.json has no chat template named '\(name)'")
        default:
            throw CriaError("tokenizer_config.json has no chat_template")
        }
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
