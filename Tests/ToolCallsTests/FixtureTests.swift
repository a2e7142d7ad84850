import Foundation
import Grammar
import Testing
@testable import ToolCalls

/// Tests/Fixtures/toolcalls/*.json: model output rendered by the real chat templates (and the formats'
/// documented edge cases) against the content and calls expected.
@Suite struct FixtureTests {
    static let cases: [Fixtures.Case] = (try? Fixtures.toolCallCases()) ?? []

    @Test func fixturesCoverEveryFormat() throws {
        let cases = try Fixtures.toolCallCases()
        for format in ToolCallFormat.allCases {
            let mine = cases.filter { $0.format == format }
            #expect(mine.count >= 6, "\(format)")
            #expect(mine.contains { $0.calls.count >= 2 }, "\(format): parallel calls")
            #expect(mine.contains { $0.calls.isEmpty && $0.content == $0.text }, "\(format): a case with no call")
        }
    }

    @Test(arguments: cases.map { "\($0.format.rawValue)/\($0.name)" })
    func wholeText(_ key: String) throws {
        let c = try #require(Self.cases.first { "\($0.format.rawValue)/\($0.name)" == key })
        let ids = CountingIDs()
        let (content, calls) = ToolCallParser.parse(c.text, format: c.format, idGenerator: ids.generator)
        #expect(content == c.content)
        try #require(calls.count == c.calls.count, "\(calls)")
        for (call, expected) in zip(calls, c.calls) {
            #expect(call.name == expected.name)
            #expect(call.arguments == expected.arguments)
            // Arguments are valid compact JSON equal to the expected object.
            #expect(try JSONValue(parsing: call.arguments).serialized == call.arguments)
            if let id = expected.id { #expect(call.id == id) } else { #expect(call.id.hasPrefix("call_")) }
        }
    }

    @Test(arguments: cases.map { "\($0.format.rawValue)/\($0.name)" })
    func anySplitGivesTheSameResult(_ key: String) throws {
        let c = try #require(Self.cases.first { "\($0.format.rawValue)/\($0.name)" == key })
        let (whole, wholeProblems) = stream([c.text], format: c.format)
        #expect(wholeProblems.isEmpty, "\(wholeProblems)")
        #expect(whole.content == c.content)
        #expect(whole.calls.map(\.arguments) == c.calls.map(\.arguments))
        let scalars = c.text.unicodeScalars.map { String($0) }
        var splits: [[String]] = [scalars]
        for seed in UInt64(1)...24 { splits.append(randomSplit(c.text, seed: seed &* 7919 &+ UInt64(c.text.utf8.count))) }
        for pieces in splits {
            let (result, problems) = stream(pieces, format: c.format)
            #expect(problems.isEmpty, "\(problems) for \(pieces)")
            #expect(result == whole, "split \(pieces)")
        }
    }
}
