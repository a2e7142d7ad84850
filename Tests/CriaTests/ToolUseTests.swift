import Grammar
import Testing
@testable import Cria

/// Tool definitions, the grammars that hold calls in each format, and the checks of parsed calls.
@Suite struct ToolUseTests {
    static let weather: JSONValue = [
        "type": "object",
        "properties": ["city": ["type": "string"], "unit": ["enum": ["celsius", "fahrenheit"]]],
        "required": ["city", "unit"], "additionalProperties": false,
    ]
    static let definitions: JSONValue = [
        ["type": "function", "function": ["name": "get_weather", "parameters": weather]],
        ["type": "function", "function": ["name": "get_time", "parameters": ["type": "object", "properties": ["tz": ["type": "string"]], "required": ["tz"]]]],
    ]

    /// A template that shows each format's markers, and a call written as that format writes it.
    static let cases: [(ToolCallFormat, String?, String)] = [
        (.llama3, "<|start_header_id|>ipython<|end_header_id|><|python_tag|>{{ tools }}",
         #"{"name": "get_weather", "parameters": {"city": "Paris", "unit": "celsius"}}"#),
        (.hermes, "<tool_call>{{ tools }}</tool_call>",
         "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"celsius\"}}\n</tool_call>"),
        (.mistral, "[TOOL_CALLS]{{ tools }}", #"[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}]"#),
        (.firefunctionV2, " functools[{{ tools }}", #" functools[{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}]"#),
        (.functionaryV31, "<|start_header_id|><function={{ tools }}", #"<function=get_weather>{"city": "Paris", "unit": "celsius"}</function>"#),
        (.functionaryV32, ">>>all{{ tools }}", "get_weather\n{\"city\": \"Paris\", \"unit\": \"celsius\"}"),
        (.generic, nil, #"{"tool_call": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}"#),
    ]

    @Test(arguments: cases.indices)
    func forcedGrammarAcceptsTheFormatsCallsOnly(_ i: Int) throws {
        let (format, template, call) = Self.cases[i]
        let tools = try ToolUse(definitions: Self.definitions, choice: .required, parallel: true, chatTemplate: template)
        #expect(tools.format == format)
        let grammar = try #require(try tools.constraint()).grammar
        #expect(grammar.accepts(call), "\(format): \(call)")
        #expect(!grammar.accepts(call.replacingOccurrences(of: "celsius", with: "kelvin")), "\(format): an argument outside the enum")
        #expect(!grammar.accepts("Sure! " + call), "\(format): content before a forced call")
        let reply = tools.reply(call)
        #expect(reply.calls.map(\.name) == ["get_weather"], "\(format)")
        #expect(try JSONValue(parsing: reply.calls.first?.arguments ?? "") == ["city": "Paris", "unit": "celsius"])
    }

    @Test func namedChoiceAllowsOnlyThatFunction() throws {
        let tools = try ToolUse(definitions: Self.definitions, choice: .function("get_time"), parallel: true, chatTemplate: nil)
        let grammar = try #require(try tools.constraint()).grammar
        #expect(grammar.accepts(#"{"tool_call": {"name": "get_time", "arguments": {"tz": "UTC"}}}"#))
        #expect(!grammar.accepts(#"{"tool_call": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}"#))
    }

    @Test func autoIsLazyForMarkerFormatsAndWholeForGeneric() throws {
        let hermes = try ToolUse(definitions: Self.definitions, choice: .auto, parallel: true, chatTemplate: "<tool_call>{{ tools }}")
        let held = try #require(try hermes.constraint())
        #expect(held.trigger?.text == "<tool_call>")
        let generic = try ToolUse(definitions: Self.definitions, choice: .auto, parallel: true, chatTemplate: nil)
        let whole = try #require(try generic.constraint())
        #expect(whole.trigger == nil)
        #expect(whole.grammar.accepts(#"{"response": "It is sunny."}"#))
        #expect(whole.grammar.accepts(#"{"tool_call": {"name": "get_time", "arguments": {"tz": "UTC"}}}"#))
        #expect(generic.reply(#"{"response": "It is sunny."}"#).content == "It is sunny.")
        let none = try ToolUse(definitions: Self.definitions, choice: .none, parallel: true, chatTemplate: nil)
        #expect(try none.constraint() == nil)
        #expect(none.messages([ChatMessage(role: "user", content: "hi")]).count == 1)
    }

    @Test func genericToolsGoToTheSystemMessage() throws {
        let tools = try ToolUse(definitions: Self.definitions, choice: .auto, parallel: true, chatTemplate: "{{ messages }}")
        let messages = tools.messages([ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "hi")])
        #expect(messages.count == 2)
        #expect(messages[0].content.hasPrefix("Be brief.\n\n") && messages[0].content.contains("get_weather"))
    }

    @Test func invalidCallsStayContent() throws {
        let tools = try ToolUse(definitions: Self.definitions, choice: .auto, parallel: true, chatTemplate: "<tool_call>{{ tools }}")
        let bad = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"
        #expect(tools.reply(bad) == (bad, []))
        let unknown = "<tool_call>\n{\"name\": \"launch\", \"arguments\": {}}\n</tool_call>"
        #expect(tools.reply(unknown).calls.isEmpty)
    }

    @Test(arguments: [
        (#"{"type": "function"}"#, "array"),
        (#"[{"type": "function", "function": {}}]"#, "name"),
        (#"[{"type": "retrieval"}]"#, "type"),
        (#"[{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "not": {}}}}]"#, "not"),
        (#"[{"type": "function", "function": {"name": "f"}}, {"type": "function", "function": {"name": "f"}}]"#, "second"),
    ])
    func malformedDefinitionsAreNamed(_ json: String, _ word: String) throws {
        let error = #expect(throws: CriaError.self) {
            try ToolUse(definitions: try JSONValue(parsing: json), choice: .auto, parallel: true, chatTemplate: nil)
        }
        #expect(error?.description.contains(word) == true, "\(String(describing: error))")
    }
}
