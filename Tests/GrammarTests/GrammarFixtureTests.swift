import Testing
@testable import Grammar

/// Every case extracted from llama.cpp's own grammar tests by scripts/reference/make_grammar_fixtures.py.
/// Skipped: none. (tests/test-llama-grammar.cpp builds its grammar from element arrays, not text, so it
/// has no case here; test_schema(...) cases belong to the JSON-schema fixtures.)
@Suite struct GrammarFixtureTests {
    static let parser = (try? GrammarFixtures.load("parser.json", as: ParserFixture.self).cases) ?? []
    static let integration = try? GrammarFixtures.load("integration.json", as: IntegrationFixture.self)

    @Test func fixturesLoaded() {
        #expect(Self.parser.count >= 30)
        #expect((Self.integration?.cases.count ?? 0) >= 14)
        #expect((Self.integration?.build.count ?? 0) >= 9)
    }

    /// llama.cpp's verify_parsing / verify_failure call only the parser (no root or left-recursion check).
    @Test(arguments: parser)
    func parserCase(_ c: ParserFixture.Case) {
        let result = Result { () throws(GrammarError) in try GBNFParser.parse(c.grammar) }
        switch (c.expect, result) {
        case ("parse", .success(let parsed)):
            if let symbols = c.symbols {
                var ours: [String: Int] = [:]
                for (name, id) in parsed.ids { ours[name] = Int(id) }
                #expect(ours == symbols, "symbol table differs from llama.cpp's")
            }
        case ("fail", .failure):
            break
        case (_, .success):
            Issue.record("parsed, but llama.cpp rejects it")
        case (_, .failure(let error)):
            Issue.record("rejected, but llama.cpp parses it: \(error)")
        }
        if c.name.hasPrefix("grammars/") {
            #expect(throws: Never.self) { _ = try Grammar(gbnf: c.grammar) }
        }
    }

    @Test(arguments: integration?.cases ?? [])
    func integrationCase(_ c: IntegrationFixture.Case) throws {
        let grammar = try Grammar(gbnf: c.grammar)
        for s in c.passing {
            #expect(matchesLikeLlama(grammar, s), "should match: \(s)")
        }
        for s in c.failing {
            #expect(!matchesLikeLlama(grammar, s), "should not match: \(s)")
        }
        // Without token segments, the plain byte interface must agree.
        for (strings, expected) in [(c.passing, true), (c.failing, false)] {
            for s in strings {
                let texts = s.compactMap { if case .text(let t) = $0 { t } else { nil } }
                guard texts.count == s.count else { continue }
                #expect(grammar.accepts(texts.joined()) == expected, "accepts(\(texts.joined()))")
            }
        }
    }

    @Test(arguments: integration?.build ?? [])
    func buildCase(_ c: IntegrationFixture.Build) {
        let result = Result { () throws(GrammarError) in try Grammar(gbnf: c.grammar, root: c.root) }
        switch result {
        case .success: #expect(c.expect == "build")
        case .failure: #expect(c.expect == "fail")
        }
    }
}
