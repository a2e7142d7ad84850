import Foundation
import Jinja
import Testing
@testable import Cria

/// `ChatTemplate` with `ChatMessage`s (tool calls, tool results) against jinja2's renders.
@Suite struct ChatTemplateTests {
    static var templates: String {
        (ProcessInfo.processInfo.environment["CRIA_TOKENIZERS"] ?? NSHomeDirectory() + "/.cache/cria/tokenizers") + "/templates"
    }

    /// A fixture message as a `ChatMessage`; nil when it has fields `ChatMessage` does not model.
    static func message(_ value: Value) throws -> ChatMessage? {
        guard case .dict(let d) = value, case .string(let role)? = d["role"], case .string(let content)? = d["content"] else { return nil }
        var message = ChatMessage(role: role, content: content)
        for key in d.keys {
            guard case .string(let k) = key, ["role", "content", "tool_calls", "tool_call_id", "name"].contains(k) else { return nil }
        }
        if case .string(let id)? = d["tool_call_id"] { message.toolCallID = id }
        if case .string(let name)? = d["name"] { message.name = name }
        if case .list(let calls)? = d["tool_calls"] {
            message.toolCalls = try calls.map { call in
                guard case .dict(let c) = call, case .string(let id)? = c["id"], case .dict(let f)? = c["function"],
                      case .string(let name)? = f["name"], let arguments = f["arguments"], case .dict = arguments else {
                    throw CriaError("unsupported tool call")
                }
                // Arguments travel as JSON text, as in the OpenAI API.
                return ToolCall(id: id, name: name, arguments: try Template("{{ a | tojson }}").render(["a": arguments]))
            }
        }
        return message
    }

    @Test func toolCallsAndResultsRenderAsJinja2Does() throws {
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("jinja/templates.json"))
        guard case .dict(let root) = try Value(jsonString: String(decoding: data, as: UTF8.self)),
              case .list(let cases)? = root["cases"] else { throw CriaError("no cases") }
        var checked = 0
        for case .dict(let c) in cases {
            guard case .string(let expected)? = c["expected"], case .string(let source)? = c["source"], source.hasPrefix("cache:templates/"),
                  case .list(let raw)? = c["messages"], case .dict(let extra)? = c["extra"], extra.isEmpty else { continue }
            guard let messages = try? raw.map(Self.message), messages.allSatisfy({ $0 != nil }),
                  messages.contains(where: { $0?.toolCalls != nil }) else { continue }
            var tools: String? = nil
            if let t = c["tools"], case .list = t { tools = try Template("{{ t | tojson }}").render(["t": t]) }
            var bos: String? = nil, eos: String? = nil, add = false
            if case .string(let s)? = c["bos_token"] { bos = s }
            if case .string(let s)? = c["eos_token"] { eos = s }
            if case .bool(let b)? = c["add_generation_prompt"] { add = b }
            let file = Self.templates + "/" + source.dropFirst("cache:templates/".count)
            let template = try ChatTemplate(String(contentsOfFile: file, encoding: .utf8), date: Self.fixtureDate)
            let rendered = try template.render(messages: messages.compactMap { $0 }, tools: tools, addGenerationPrompt: add, bos: bos, eos: eos)
            #expect(rendered == expected, "\(file)")
            checked += 1
        }
        #expect(checked >= 10)
    }

    /// 26 Jul 2024, local midnight: the date the fixtures were rendered with.
    static var fixtureDate: Date {
        var fields = tm()
        fields.tm_year = 2024 - 1900
        fields.tm_mon = 6
        fields.tm_mday = 26
        fields.tm_isdst = -1
        return Date(timeIntervalSince1970: TimeInterval(mktime(&fields)))
    }

    @Test func templateFromTokenizerConfig() throws {
        let plain = #"{"chat_template": "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}"}"#
        let template = try ChatTemplate.fromTokenizerConfig(Array(plain.utf8))
        #expect(try template.render(messages: [ChatMessage(role: "user", content: "hi")], addGenerationPrompt: false, bos: nil, eos: nil) == "[user] hi\n")
        let named = #"{"chat_template": [{"name": "default", "template": "A"}, {"name": "tool_use", "template": "B{{ tools | length }}"}]}"#
        let toolUse = try ChatTemplate.fromTokenizerConfig(Array(named.utf8), name: "tool_use")
        #expect(try toolUse.render(messages: [], tools: "[{\"type\": \"function\"}]", addGenerationPrompt: false, bos: nil, eos: nil) == "B1")
        #expect(throws: CriaError.self) { try ChatTemplate.fromTokenizerConfig(Array(#"{"model_max_length": 8}"#.utf8)) }
        #expect(throws: CriaError.self) { try toolUse.render(messages: [], tools: "{not json", addGenerationPrompt: false, bos: nil, eos: nil) }
    }
}
