import Grammar
import Sampling
import ToolCalls

/// Whether and how the model may call tools (OpenAI's `tool_choice`).
public enum ToolChoice: Sendable, Equatable {
    /// The model decides; its output is parsed for calls.
    case auto
    /// No calls: tools are not offered.
    case none
    /// The output must be one or more calls (enforced by a grammar).
    case required
    /// The output must be a call of this function (enforced by a grammar).
    case function(String)
}

/// A function the model may call: its name and the JSON Schema of its arguments.
public struct ToolDefinition: Sendable {
    public var name: String
    /// The arguments' schema (`{"type": "object"}` when the definition gives none).
    public var parameters: JSONValue
    let validator: JSONSchemaValidator
}

/// The tools of one request: their definitions as the chat template receives them, the
/// model's tool-call format, the grammar that forces a call when one is required, and the
/// checks every parsed call must pass.
public struct ToolUse: Sendable {
    public let tools: [ToolDefinition]
    public let choice: ToolChoice
    /// Whether several calls may come in one reply.
    public let parallel: Bool
    /// How the model writes calls, recognized from its chat template.
    public let format: ToolCallFormat
    /// The definitions as given (OpenAI's shape), for the chat template.
    public let definitions: JSONValue
    /// Whether the chat template shows tools to the model itself.
    private let templateShowsTools: Bool

    /// - Parameters:
    ///   - definitions: OpenAI-style `[{"type": "function", "function": {"name", "description", "parameters"}}]`
    ///     (Ollama's are the same).
    ///   - choice: `tool_choice`.
    ///   - parallel: `parallel_tool_calls`.
    ///   - chatTemplate: the model's template, which tells the call format.
    /// - Throws: `CriaError` naming the definition that is malformed, whose schema cannot be
    ///   enforced, or the chosen function when no tool has its name.
    public init(definitions: JSONValue, choice: ToolChoice, parallel: Bool, chatTemplate: String?) throws {
        guard case .array(let items) = definitions else { throw CriaError("'tools' must be an array of tool definitions") }
        var tools: [ToolDefinition] = []
        for (i, item) in items.enumerated() {
            guard item["type"]?.stringValue ?? "function" == "function" else {
                throw CriaError("tools[\(i)].type must be 'function'")
            }
            guard case .object(let function)? = item["function"] else {
                throw CriaError("tools[\(i)].function must be an object with a 'name'")
            }
            guard let name = function["name"]?.stringValue, !name.isEmpty else {
                throw CriaError("tools[\(i)].function.name must be a non-empty string")
            }
            guard !tools.contains(where: { $0.name == name }) else { throw CriaError("tools[\(i)]: a second tool named '\(name)'") }
            let parameters = function["parameters"] ?? ["type": "object"]
            let validator: JSONSchemaValidator
            do {
                validator = try JSONSchemaValidator(schema: parameters)
            } catch {
                throw CriaError("tools[\(i)].function.parameters: \(error)")
            }
            tools.append(ToolDefinition(name: name, parameters: parameters, validator: validator))
        }
        if case .function(let name) = choice, !tools.contains(where: { $0.name == name }) {
            throw CriaError("tool_choice names the function '\(name)', which is not among the tools")
        }
        if choice == .required && tools.isEmpty { throw CriaError("tool_choice 'required' needs at least one tool") }
        self.tools = tools
        self.choice = choice
        self.parallel = parallel
        self.format = ToolCallFormat.detect(chatTemplate: chatTemplate)
        self.definitions = definitions
        self.templateShowsTools = chatTemplate?.contains("tools") ?? false
    }

    /// The conversation as the model should see it. A model whose template cannot show tools
    /// (the generic format) gets them in the system message, with the JSON shape to answer in,
    /// as llama.cpp's generic handler does (common/chat.cpp).
    public func messages(_ messages: [ChatMessage]) -> [ChatMessage] {
        guard isActive, format == .generic, !templateShowsTools else { return messages }
        let shape = switch choice {
        case .required, .function:
            #"Answer with a JSON object that calls a tool: {"tool_call": {"name": "<tool name>", "arguments": {...}}}."#
        default:
            #"Answer with a JSON object: {"tool_call": {"name": "<tool name>", "arguments": {...}}} to call a tool, or {"response": "<your answer>"} to answer directly."#
        }
        let instructions = "You can use these tools:\n\(definitions.serialized)\n\n\(shape)"
        var result = messages
        if let first = result.first, first.role == "system" {
            result[0].content = first.content + "\n\n" + instructions
        } else {
            result.insert(ChatMessage(role: "system", content: instructions), at: 0)
        }
        return result
    }

    /// Whether the model is offered tools at all.
    public var isActive: Bool { choice != .none && !tools.isEmpty }

    /// The grammar that holds the calls, and the trigger from which it holds them:
    /// - `required` or a named function: the whole reply is calls (of that function), no trigger;
    /// - `auto`: a call the model starts must be complete and match its tool's schema; the
    ///   grammar holds the text from the format's call marker on (for the generic format, the
    ///   reply is either calls or `{"response": ...}`, held from the start);
    /// - `none`: nil.
    /// - Throws: `CriaError` naming the tool whose parameters cannot be enforced.
    public func constraint() throws -> (grammar: Grammar, trigger: GrammarTrigger?)? {
        guard isActive else { return nil }
        let allowed: [ToolDefinition]
        let trigger: GrammarTrigger?
        switch choice {
        case .none: return nil
        case .required:
            allowed = tools
            trigger = nil
        case .function(let name):
            allowed = tools.filter { $0.name == name }
            trigger = nil
        case .auto:
            allowed = tools
            if format == .generic {
                trigger = nil
            } else if let t = format.callTrigger {
                trigger = GrammarTrigger(t.text, atStart: t.atStart)
            } else {
                return nil  // calls are parsed and checked after the fact
            }
        }
        var builder = JSONSchemaGrammar()
        var rules: [(name: String, argumentsRule: String)] = []
        for tool in allowed {
            do {
                rules.append((tool.name, try builder.add(schema: tool.parameters, name: "\(tool.name)-args")))
            } catch {
                throw CriaError("the parameters of tool '\(tool.name)': \(error)")
            }
        }
        builder.builtin("space")
        let severalCalls: Bool
        if case .function = choice { severalCalls = false } else { severalCalls = parallel }
        var calls = format.grammar(tools: rules, parallel: severalCalls)
        if format == .generic && choice == .auto {
            // Calls or a plain answer: {"response": "..."} (llama.cpp's generic format).
            let string = builder.builtin("string") ?? "string"
            calls = calls.replacingOccurrences(of: "root ::= ", with: "tc-calls ::= ")
                + "root ::= tc-calls | \"{\" space \"\\\"response\\\"\" space \":\" space \(string) space \"}\"\n"
        }
        let text = builder.gbnf(root: "root") + calls
        do {
            return (try Grammar(gbnf: text), trigger)
        } catch {
            throw CriaError("the tool-call grammar does not compile (\(error)); this is a bug in Cria")
        }
    }

    /// Whether a grammar holds the calls (`constraint()`), so a call the model starts is
    /// complete and valid: its arguments can be streamed as they come.
    public var grammarHoldsCalls: Bool {
        isActive && (choice != .auto || format == .generic || format.callTrigger != nil)
    }

    /// A parser for the reply as it streams. With `fragments`, a call is announced once its name
    /// is read and its arguments come in pieces, where a grammar holds the calls (elsewhere, and
    /// without `fragments`, each call comes whole once it is complete).
    public func parser(fragments: Bool) -> ToolCallParser {
        ToolCallParser(format: format, streamsArguments: fragments && grammarHoldsCalls)
    }

    /// The reply split into content and calls. A call that names no tool, or whose arguments
    /// break its tool's schema, is not passed on as a call: the whole reply is then content,
    /// the model's text as it is.
    public func reply(_ text: String) -> (content: String, calls: [ToolCall]) {
        let parsed = ToolCallParser.parse(text, format: format)
        if parsed.calls.isEmpty { return parsed }
        if parsed.calls.contains(where: { problem(with: $0) != nil }) { return (text, []) }
        return parsed
    }

    /// Why `call` is not a valid call of one of the tools, or nil when it is.
    public func problem(with call: ToolCall) -> String? {
        guard let tool = tools.first(where: { $0.name == call.name }) else { return "no tool is named '\(call.name)'" }
        if case .function(let name) = choice, name != call.name { return "tool_choice asks for '\(name)', not '\(call.name)'" }
        let arguments: JSONValue
        do {
            arguments = try JSONValue(parsing: call.arguments)
        } catch {
            return "the arguments of '\(call.name)' are not JSON: \(error)"
        }
        let violations = tool.validator.validate(arguments)
        return violations.isEmpty ? nil : "the arguments of '\(call.name)' do not match its schema: \(violations.joined(separator: "; "))"
    }
}
