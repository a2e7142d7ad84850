/// A compiled GBNF grammar (llama.cpp's format: grammars/README.md of llama.cpp). Immutable and cheap to
/// copy; start matching with `matcher()`.
public struct Grammar: Sendable {
    let program: GrammarProgram
    let initial: StackSet

    /// Parses and compiles `gbnf`, starting from rule `root`.
    /// - Throws: `GrammarError` for a syntax error, an undefined rule, a missing root rule, left
    ///   recursion (llama.cpp rejects it too) or limits exceeded.
    public init(gbnf: String, root: String = "root") throws(GrammarError) {
        let parsed = try GBNFParser.parse(gbnf)
        let text = Array(gbnf.utf8)
        guard let rootID = parsed.ids[root], parsed.rules[Int(rootID)] != nil else {
            throw GrammarError("the grammar has no rule '\(root)' to start from", at: 0, in: text)
        }
        if let r = GrammarProgram.leftRecursiveRule(parsed) {
            throw GrammarError("rule '\(parsed.names[r])' is left-recursive (it can reach itself before matching any input); rewrite it with repetition, e.g. x ::= a b*", at: parsed.definedAt[r], in: text)
        }
        program = GrammarProgram(parsed, root: rootID)
        initial = program.initialStacks()
    }

    /// The state before any input.
    public func matcher() -> GrammarMatcher {
        GrammarMatcher(program: program, stacks: initial, partial: .none)
    }

    /// Whether the whole of `text` is a complete sentence of the grammar.
    public func accepts(_ text: String) -> Bool {
        var m = matcher()
        return m.accept(text.utf8) && m.isComplete
    }

    /// The names of the rules by id, generated ones included (`root_1`, ...), as llama.cpp numbers them.
    public var ruleNames: [String] { program.names }
}
