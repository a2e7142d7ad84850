import Cria
import Grammar
import Sampling

// Tool calling fields of chat requests: OpenAI's `tools`, `tool_choice`, `parallel_tool_calls`
// (Ollama's `tools` have the same shape and the choice is always auto).

extension ToolUse {
    /// The tools a chat request offers; nil when it offers none.
    static func request(_ document: JSONValue, _ served: ServedModel) throws(APIError) -> ToolUse? {
        let choice = try toolChoice(document["tool_choice"])
        let definitions = document["tools"] ?? .null
        if definitions == .null || definitions == .array([]) {
            switch choice {
            case .auto, .none: return nil
            case .required, .function:
                throw .invalidRequest("tool_choice asks for a tool call but the request has no 'tools'", param: "tool_choice")
            }
        }
        let parallel: Bool
        switch document["parallel_tool_calls"] {
        case nil, .null?: parallel = true
        case .bool(let b)?: parallel = b
        default: throw .invalidRequest("'parallel_tool_calls' must be true or false", param: "parallel_tool_calls")
        }
        if case .function(let name) = choice, case .array(let items) = definitions,
            !items.contains(where: { $0["function"]?["name"]?.stringValue == name })
        {
            throw .invalidRequest("tool_choice names the function '\(name)', which is not among the tools", param: "tool_choice")
        }
        do {
            return try ToolUse(definitions: definitions, choice: choice, parallel: parallel, chatTemplate: served.model.chatTemplate)
        } catch let error as CriaError {
            throw .invalidRequest(error.description, param: "tools")
        } catch {
            throw .invalidRequest("\(error)", param: "tools")
        }
    }

    /// `tool_choice`: "auto", "none", "required" or `{"type": "function", "function": {"name": ...}}`.
    private static func toolChoice(_ value: JSONValue?) throws(APIError) -> ToolChoice {
        switch value {
        case nil, .null?, .string("auto")?: return .auto
        case .string("none")?: return .none
        case .string("required")?: return .required
        case .object(let object)?:
            if let name = object["function"]?["name"]?.stringValue, object["type"]?.stringValue ?? "function" == "function" {
                return .function(name)
            }
            throw .invalidRequest(
                "'tool_choice' must be {\"type\": \"function\", \"function\": {\"name\": ...}}", param: "tool_choice")
        default:
            throw .invalidRequest("'tool_choice' must be 'auto', 'none', 'required' or a named function", param: "tool_choice")
        }
    }

    /// Sets the grammar that holds the calls on `parameters`, as a 400 naming `tools` if it
    /// cannot be built; a forced call also refuses a second grammar (structured output).
    func constrain(_ parameters: inout GenerationParameters) throws(APIError) {
        let constraint: (grammar: Grammar, trigger: GrammarTrigger?)?
        do {
            constraint = try self.constraint()
        } catch let error as CriaError {
            throw .invalidRequest(error.description, param: "tools")
        } catch {
            throw .invalidRequest("\(error)", param: "tools")
        }
        guard let constraint else { return }
        if parameters.grammar != nil {
            // Structured output wins over calls the model may or may not make.
            if choice == .auto { return }
            throw .invalidRequest("a forced tool call and 'response_format' cannot be used together", param: "tool_choice")
        }
        parameters.grammar = constraint.grammar
        parameters.grammarTrigger = constraint.trigger
    }
}
