import Testing
@testable import Grammar

@Suite struct GrammarMatcherTests {
    // MARK: - Partial UTF-8

    @Test func codePointSplitAcrossTokens() throws {
        let g = try Grammar(gbnf: #"root ::= "é" "🦙" [α-ω]"#)
        var m = g.matcher()
        let llama = Array("🦙".utf8)  // F0 9F A6 99
        #expect(feed(&m, [0xC3]))
        #expect(!m.isComplete)
        #expect(feed(&m, [0xA9]))
        #expect(feed(&m, llama[0..<1]))
        #expect(feed(&m, llama[1..<3]))
        #expect(!m.isComplete && !m.isExhausted)
        #expect(feed(&m, llama[3...] + Array("β".utf8).prefix(1)))
        #expect(!m.isComplete)
        #expect(feed(&m, Array("β".utf8).suffix(1)))
        #expect(m.isComplete && m.isExhausted)
    }

    @Test func impossiblePartialIsRejectedAtOnce() throws {
        let g = try Grammar(gbnf: #"root ::= [a-z] "é""#)  // é is C3 A9
        var m = g.matcher()
        #expect(feed(&m, "a".utf8))
        #expect(m.canAccept([0xC3]))
        #expect(!m.canAccept([0xC4]))           // starts U+0100...U+013F: not é
        #expect(!m.canAccept([0xE2]))           // a 3-byte sequence: never é
        #expect(!m.canAccept([0xC3, 0xA8]))     // è
        #expect(!m.canAccept([0xC0]))           // overlong lead byte
        #expect(!m.canAccept([0xA9]))           // continuation without a lead
        let before = m
        #expect(!feed(&m, [0xC3, 0xA8]))
        #expect(m == before, "a rejected input leaves the state unchanged")
    }

    @Test func invalidUTF8NeverMatchesAnyChar() throws {
        let g = try Grammar(gbnf: "root ::= .*")
        let m = g.matcher()
        for bad: [UInt8] in [[0xC0, 0x80], [0xE0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90], [0xF8], [0xFF], [0x80]] {
            #expect(!m.canAccept(bad), "\(bad)")
        }
        #expect(m.canAccept([0xF4, 0x8F, 0xBF, 0xBF]))  // U+10FFFF
        #expect(m.canAccept([0xED, 0x9F, 0xBF]))        // U+D7FF
    }

    @Test func negatedClassWithPartialSequence() throws {
        // llama.cpp's partial check would reject C4 here because U+0100 is excluded; U+0101 is allowed.
        let g = try Grammar(gbnf: #"root ::= [^\u0100]"#)
        var m = g.matcher()
        #expect(feed(&m, [0xC4]))
        #expect(!m.canAccept([0x80]))
        #expect(feed(&m, [0x81]))
        #expect(m.isComplete)
    }

    // MARK: - Tokens across rules

    @Test func tokenSpanningSeveralRules() throws {
        let g = try Grammar(gbnf: """
            root ::= greeting ", " name "!"
            greeting ::= "hello" | "hi"
            name ::= [A-Z] [a-z]+
            """)
        var m = g.matcher()
        #expect(feed(&m, "hi, A".utf8))       // greeting, literal, start of name in one token
        #expect(feed(&m, "da!".utf8))         // the end of name and the final literal
        #expect(m.isComplete && m.isExhausted)
        #expect(!g.matcher().canAccept("hi,A".utf8))
    }

    @Test func completeVersusExhausted() throws {
        let g = try Grammar(gbnf: #"root ::= "a" "b"? | "c""#)
        var m = g.matcher()
        #expect(!m.isComplete && !m.isExhausted)
        #expect(feed(&m, "a".utf8))
        #expect(m.isComplete && !m.isExhausted)   // may stop or add "b"
        #expect(feed(&m, "b".utf8))
        #expect(m.isComplete && m.isExhausted)
        #expect(!m.canAccept("b".utf8))
        var n = g.matcher()
        #expect(feed(&n, "c".utf8))
        #expect(n.isExhausted)
    }

    @Test func emptyGrammarSentence() throws {
        let g = try Grammar(gbnf: "root ::= \"\" | \"x\"")
        #expect(g.matcher().isComplete)
        #expect(g.accepts(""))
        #expect(g.accepts("x"))
        #expect(!g.accepts("xx"))
    }

    @Test func ambiguityAndNullableRules() throws {
        // Both alternatives stay alive until the input decides; nullable rules in between.
        let g = try Grammar(gbnf: """
            root ::= a opt b | a opt c
            a ::= "x"+
            opt ::= "" | "-"
            b ::= "y"
            c ::= "xz"
            """)
        #expect(g.accepts("xxy"))
        #expect(g.accepts("xx-xz"))
        #expect(g.accepts("xxxz"))
        #expect(!g.accepts("xx-"))
        #expect(!g.accepts("y"))
    }

    @Test func longGenerationStaysSmall() throws {
        let g = try Grammar(gbnf: #"root ::= ("ab" | "a" "b" | [a-z]{1,3})*"#)
        var m = g.matcher()
        for _ in 0..<2000 { #expect(feed(&m, "ab".utf8)) }
        #expect(m.isComplete)
        #expect(m.stacks.count < 50 && m.stacks.elements.count < 200)
    }

    @Test func deepNestingInJSON() throws {
        let g = try Grammar(gbnf: GrammarFixtures.gbnf("json.gbnf"))
        let depth = 300
        let text = "{\"a\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        #expect(g.accepts(text))
        #expect(!g.accepts(String(text.dropLast(2)) + "}"))
    }

    @Test func tokenElements() throws {
        let g = try Grammar(gbnf: "root ::= <[7]> (!<[8]>)* <[8]>")
        var m = g.matcher()
        #expect(!feed(&m, token: 8, bytes: "x".utf8))
        #expect(feed(&m, token: 7, bytes: "<think>".utf8))
        #expect(m.tokenElementsOnTop.count == 2)
        #expect(feed(&m, token: 100, bytes: "hello".utf8))
        #expect(!m.isComplete)
        #expect(feed(&m, token: 8, bytes: "</think>".utf8))
        #expect(m.isComplete)
        #expect(!g.accepts("anything"))
    }
}
