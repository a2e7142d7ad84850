import Grammar

/// GBNF that forces a model's output to be tool calls in its format, for `tool_choice` "required" or
/// a named function.
extension ToolCallFormat {
    /// GBNF rules that force the output to be tool call(s) in this format.
    ///
    /// The calls are written the way the format's template renders them (see the case docs), with
    /// each tool's name fixed and its arguments matched by the caller's rule. Rules defined here are
    /// `root` and `tc-*`; `space` (optional whitespace) and the arguments rules are the caller's.
    /// With no tools the grammar matches only the empty output.
    /// - Parameters:
    ///   - tools: each allowed tool's name with the name of a rule that matches its arguments object.
    ///   - parallel: whether several calls may follow one another.
    public func grammar(tools: [(name: String, argumentsRule: String)], parallel: Bool) -> String {
        guard !tools.isEmpty else { return "root ::= \"\"\n" }
        var rules: [String] = []
        var alternatives: [String] = []
        for (i, tool) in tools.enumerated() {
            rules.append("tc-call-\(i) ::= " + callBody(name: tool.name, arguments: tool.argumentsRule))
            alternatives.append("tc-call-\(i)")
        }
        rules.append("tc-call ::= " + alternatives.joined(separator: " | "))
        if self == .mistral {
            // Mistral Nemo's template requires ids of exactly 9 alphanumerics.
            rules.append("tc-mistral-id ::= \"\\\"\" " + Array(repeating: "[a-zA-Z0-9]", count: 9).joined(separator: " ") + " \"\\\"\"")
        }
        let root: String
        switch self {
        case .llama3: root = parallel ? "tc-call (space \";\" space tc-call)*" : "tc-call"
        case .hermes:
            rules.append("tc-hermes ::= \"<tool_call>\\n\" tc-call \"\\n</tool_call>\"")
            root = parallel ? "tc-hermes (\"\\n\" tc-hermes)*" : "tc-hermes"
        case .mistral:
            root = "\"[TOOL_CALLS]\" \"[\" space tc-call " + (parallel ? "(space \",\" space tc-call)* " : "") + "space \"]\""
        case .firefunctionV2:
            root = "\" functools[\" tc-call " + (parallel ? "(\",\" space tc-call)* " : "") + "\"]\""
        case .functionaryV31: root = parallel ? "tc-call+" : "tc-call"
        // The generation prompt ends in ">>>", so the first recipient comes bare.
        case .functionaryV32: root = parallel ? "tc-call (\">>>\" tc-call)*" : "tc-call"
        case .generic:
            // One call as `tool_call`; with parallel calls, also a `tool_calls` list.
            let single = "\"{\" space \"\\\"tool_call\\\"\" space \":\" space tc-call space \"}\""
            root = parallel
                ? single + " | \"{\" space \"\\\"tool_calls\\\"\" space \":\" space \"[\" space tc-call (space \",\" space tc-call)* space \"]\" space \"}\""
                : single
        }
        return (["root ::= " + root] + rules).joined(separator: "\n") + "\n"
    }

    /// Where a call begins in free text, for a grammar that holds the calls a model starts on its
    /// own (`tool_choice` auto; llama.cpp's grammar triggers, common/chat.cpp): the format's
    /// marker anywhere, or, for Llama 3's bare JSON, an opening brace at the start of the output.
    /// `grammar(tools:parallel:)`'s sentences start with it. nil for Functionary v3.2, whose
    /// output always starts with a recipient, and the generic format, held from its start.
    public var callTrigger: (text: String, atStart: Bool)? {
        switch self {
        case .llama3: ("{", true)
        case .hermes: ("<tool_call>", false)
        case .mistral: ("[TOOL_CALLS]", false)
        case .firefunctionV2: (" functools[", false)
        case .functionaryV31: ("<function=", false)
        case .functionaryV32, .generic: nil
        }
    }

    /// One call of tool `name` with arguments matched by rule `arguments`.
    private func callBody(name: String, arguments: String) -> String {
        switch self {
        case .functionaryV31:
            return GBNF.literal("<function=" + name + ">") + " " + arguments + " " + GBNF.literal("</function>")
        case .functionaryV32:
            return GBNF.literal(name + "\n") + " " + arguments
        default:
            var quoted = ""
            JSONValue.writeString(name, into: &quoted)
            let argumentsKey = self == .llama3 ? "\"parameters\"" : "\"arguments\""
            var body = "\"{\" space " + GBNF.literal("\"name\"") + " space \":\" space " + GBNF.literal(quoted)
                + " space \",\" space " + GBNF.literal(argumentsKey) + " space \":\" space " + arguments
            if self == .mistral {
                body += " (space \",\" space " + GBNF.literal("\"id\"") + " space \":\" space tc-mistral-id)?"
            }
            return body + " space \"}\""
        }
    }
}
