import Testing
@testable import Grammar

@Suite struct GrammarErrorTests {
    static func error(_ text: String, root: String = "root") -> GrammarError? {
        do {
            _ = try Grammar(gbnf: text, root: root)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        // (grammar, line, column, words in the message)
        ("root ::= \"abc", 1, 10, "unterminated string"),
        ("root ::= [a-z", 1, 10, "unterminated character class"),
        ("root ::= x\n", 1, 10, "undefined rule 'x'"),
        ("a ::= \"x\"\n", 1, 1, "no rule 'root'"),
        ("root ::= \"a\"\nb ::= b \"x\" | \"y\"", 2, 1, "left-recursive"),
        ("root ::= \"\\q\"", 1, 11, "unknown escape"),
        ("root ::= \"\\x4\"", 1, 14, "hex digits"),
        ("root ::= \"é\" \"a\"{3,2}", 1, 17, "below the minimum"),
        ("root ::= \"a\"{5000}", 1, 13, "over the limit"),
        ("root ::= *", 1, 10, "nothing before it"),
        ("root ::= (\"a\"", 1, 14, "expected ')'"),
        ("root ::= \"a\" )", 1, 14, "expected end of line"),
        ("root := \"a\"", 1, 6, "expected '::='"),
        ("", 1, 1, "empty grammar"),
        ("# only a comment\n", 2, 1, "empty grammar"),
        ("root ::= <think>", 1, 10, "vocabulary"),
        ("root ::= []", 1, 10, "empty character class"),
        ("root ::= \"\\U00110000\"", 1, 11, "beyond U+10FFFF"),
        ("root ::= \"a\"\n  \"b\" ::= x", 2, 3, "expected a rule name"),
    ])
    func reportsWhereAndWhat(_ text: String, _ line: Int, _ column: Int, _ words: String) throws {
        let e = try #require(Self.error(text))
        #expect(e.message.contains(words), "\(e)")
        #expect(e.line == line && e.column == column, "\(e)")
        #expect(e.description.hasPrefix("grammar error at line \(line), column \(column): "))
    }

    @Test func nestingIsBounded() throws {
        let deep = "root ::= " + String(repeating: "(", count: 10_000) + "\"a\"" + String(repeating: ")", count: 10_000)
        let e = try #require(Self.error(deep))
        #expect(e.message.contains("nested too deep"))
        let fine = "root ::= " + String(repeating: "(", count: 50) + "\"a\"" + String(repeating: ")", count: 50)
        #expect(Self.error(fine) == nil)
    }

    @Test func multiLineRulesAsLlamaAllows() throws {
        let g = try Grammar(gbnf: """
            # comment
            root ::= item (
                "," item   # inside a group newlines are fine
              )*
            item ::=
              "a" |
              "b"
            """)
        #expect(g.accepts("a,b,a"))
        #expect(!g.accepts("a,"))
        #expect(g.ruleNames.contains("item"))
    }

    /// Random mutations of real grammars: every one either compiles or throws, quickly.
    @Test func fuzzNeverTrapsOrHangs() throws {
        var rng = SplitMix64(state: 7)
        let seeds = try ["json.gbnf", "arithmetic.gbnf", "c.gbnf", "list.gbnf", "chess.gbnf"].map { try GrammarFixtures.gbnf($0) }
        let alphabet = Array("()[]{}|*+?.\"\\^-:=#,0123456789 \nabxuU<>!é".unicodeScalars)
        var compiled = 0
        for _ in 0..<3000 {
            var s = Array(seeds.randomElement(using: &rng)!.unicodeScalars)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0...s.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: s.insert(alphabet.randomElement(using: &rng)!, at: i)
                case 1: if i < s.count { s.remove(at: i) }
                default: if i < s.count { s[i] = alphabet.randomElement(using: &rng)! }
                }
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: s)
            if let g = try? Grammar(gbnf: String(text)) {
                compiled += 1
                var m = g.matcher()
                _ = m.accept("{\"a\": [1, 2]}".utf8)
            }
        }
        #expect(compiled > 100)
    }
}
