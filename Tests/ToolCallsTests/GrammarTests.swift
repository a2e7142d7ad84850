import Testing
@testable import ToolCalls

/// `grammar(tools:parallel:)` is checked as text until the GBNF engine lands: rules well formed,
/// `root` defined, only `root` and `tc-*` defined, every `tc-*` reference defined, other references
/// only `space` and the caller's arguments rules.
@Suite struct GrammarTests {
    static let tools: [(name: String, argumentsRule: String)] = [
        ("get_weather", "get-weather-args"), ("say \"hi\"\\now", "say-args"),
    ]

    /// Rule name -> the rule names its body references (outside literals and character classes).
    static func rules(_ gbnf: String) throws -> [String: [String]] {
        var rules: [String: [String]] = [:]
        for line in gbnf.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            try #require(parts.count == 3 && parts[1] == "::=", "not a rule: \(line)")
            let name = String(parts[0])
            try #require(rules[name] == nil, "\(name) defined twice")
            var refs: [String] = []
            var chars = Array(parts[2])[...]
            while let c = chars.first {
                if c == "\"" || c == "[" {
                    let close: Character = c == "\"" ? "\"" : "]"
                    chars = chars.dropFirst()
                    var closed = false
                    while let d = chars.first {
                        chars = chars.dropFirst()
                        if d == "\\" { chars = chars.dropFirst(); continue }
                        if d == close { closed = true; break }
                    }
                    try #require(closed, "unterminated literal in \(line)")
                } else if c.isLetter {
                    let word = chars.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
                    refs.append(String(word))
                    chars = chars.dropFirst(word.count)
                } else {
                    try #require(" ()|*+?".contains(c), "unexpected \(c) in \(line)")
                    chars = chars.dropFirst()
                }
            }
            rules[name] = refs
        }
        return rules
    }

    @Test(arguments: ToolCallFormat.allCases, [false, true])
    func grammarIsWellFormed(_ format: ToolCallFormat, parallel: Bool) throws {
        let gbnf = format.grammar(tools: Self.tools, parallel: parallel)
        let rules = try Self.rules(gbnf)
        #expect(rules["root"] != nil)
        for (name, refs) in rules {
            #expect(name == "root" || name.hasPrefix("tc-"), "\(name)")
            for ref in refs {
                if ref.hasPrefix("tc-") {
                    #expect(rules[ref] != nil, "\(format): \(ref) used but not defined")
                } else {
                    #expect(["space", "get-weather-args", "say-args"].contains(ref), "\(format): unknown rule \(ref)")
                }
            }
        }
        // Every tool is offered, with its arguments rule.
        #expect(gbnf.contains("get-weather-args") && gbnf.contains("say-args"))
        #expect(gbnf.contains("get_weather"))
    }

    @Test func hermesGrammarText() {
        let gbnf = ToolCallFormat.hermes.grammar(tools: [("get_weather", "args")], parallel: false)
        #expect(gbnf == """
            root ::= tc-hermes
            tc-call-0 ::= "{" space "\\"name\\"" space ":" space "\\"get_weather\\"" space "," space "\\"arguments\\"" space ":" space args space "}"
            tc-call ::= tc-call-0
            tc-hermes ::= "<tool_call>\\n" tc-call "\\n</tool_call>"

            """)
    }

    @Test func namesAreEscapedTwice() {
        // JSON-escaped inside the call, then GBNF-escaped: say "hi"\now -> "\"say \\\"hi\\\"\\\\now\""
        let gbnf = ToolCallFormat.firefunctionV2.grammar(tools: [("say \"hi\"\\now", "a")], parallel: true)
        #expect(gbnf.contains(#""\"say \\\"hi\\\"\\\\now\"""#))
    }

    @Test func noToolsMatchesOnlyTheEmptyOutput() {
        #expect(ToolCallFormat.mistral.grammar(tools: [], parallel: true) == "root ::= \"\"\n")
    }
}
