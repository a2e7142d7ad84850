import Foundation
@testable import Grammar

/// Tests/Fixtures/grammar, found by walking up from this file (symlinks resolved) to the directory that
/// holds Tests/Fixtures, so it works from the package and from a package that links the sources in.
enum GrammarFixtures {
    static let directory: URL = {
        var dir = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("Tests/Fixtures/grammar")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/grammar")
    }()

    /// One of llama.cpp's grammars/*.gbnf, from parser.json.
    static func gbnf(_ name: String) throws -> String {
        let cases = try load("parser.json", as: ParserFixture.self).cases
        guard let c = cases.first(where: { $0.name == "grammars/" + name }) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return c.grammar
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONDecoder().decode(T.self, from: data)
    }
}

/// One piece of a test string: text, or a whole token by id (llama.cpp's token(id) in its tests).
enum Segment: Decodable, Sendable {
    case text(String)
    case token(Int32)

    private struct TokenRef: Decodable { var token: Int32 }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            self = .text(s)
        } else {
            self = .token(try c.decode(TokenRef.self).token)
        }
    }
}

struct ParserFixture: Decodable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var grammar: String
        var expect: String
        var symbols: [String: Int]?
        var testDescription: String { name }
    }
    var cases: [Case]
}

struct IntegrationFixture: Decodable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var grammar: String
        var passing: [[Segment]]
        var failing: [[Segment]]
        var testDescription: String { name }
    }
    struct Build: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var grammar: String
        var root: String
        var expect: String
        var testDescription: String { name }
    }
    var cases: [Case]
    var build: [Build]
}

import Testing

/// Feeds a test string the way llama.cpp's test-grammar-integration.cpp does (match_string): each code
/// point of text as its own token with id 0, each token(id) with its id and the piece "<[id]>". Returns
/// whether every piece was accepted and the grammar is complete at the end.
func matchesLikeLlama(_ grammar: Grammar, _ segments: [Segment]) -> Bool {
    var m = grammar.matcher()
    for segment in segments {
        switch segment {
        case .text(let text):
            for scalar in text.unicodeScalars {
                if !m.accept(token: 0, bytes: Array(String(scalar).utf8)) { return false }
            }
        case .token(let id):
            if !m.accept(token: id, bytes: Array("<[\(id)]>".utf8)) { return false }
        }
    }
    return m.isComplete
}

/// `m.accept(bytes)` in a form #expect can take (it cannot capture a mutating call).
func feed(_ m: inout GrammarMatcher, _ bytes: some Collection<UInt8>) -> Bool {
    m.accept(bytes)
}

func feed(_ m: inout GrammarMatcher, token: Int32, bytes: some Collection<UInt8>) -> Bool {
    m.accept(token: token, bytes: bytes)
}

/// SplitMix64: a small seeded generator, so random tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
