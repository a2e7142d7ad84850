import Grammar
import Testing
@testable import ToolCalls

/// `ToolCallParser(streamsArguments: true)`: calls announced once their name is read, arguments
/// streamed as minified fragments; checked against the default mode on every fixture.
@Suite struct StreamingArgumentsTests {
    /// Fixture cases whose call text is well-formed (a malformed one is announced and kept as a call
    /// when streaming, by design; `malformedCallStaysACall` checks that).
    static let cases = FixtureTests.cases.filter { $0.name != "malformed" }

    /// Calls the parser cannot announce before they are complete: arguments written as a string,
    /// `<|python_tag|>` payloads, raw code.
    static func isReportedWhole(_ c: Fixtures.Case) -> Bool {
        c.text.contains("<|python_tag|>") || c.name == "string_arguments" || c.name == "python_raw_code"
    }

    @Test(arguments: cases.map { "\($0.format.rawValue)/\($0.name)" })
    func sameCallsAsDefaultModeOverAnySplit(_ key: String) throws {
        let c = try #require(Self.cases.first { "\($0.format.rawValue)/\($0.name)" == key })
        let plain = ToolCallParser.parse(c.text, format: c.format, idGenerator: CountingIDs().generator)
        #expect(plain.calls.count == c.calls.count)
        var splits: [[String]] = [[c.text], c.text.unicodeScalars.map { String($0) }]
        for seed in UInt64(1)...24 { splits.append(randomSplit(c.text, seed: seed &* 104_729 &+ UInt64(c.text.utf8.count))) }
        var first: StreamResult?
        for pieces in splits {
            let (result, problems) = stream(pieces, format: c.format, streamsArguments: true, ids: CountingIDs(prefix: "gen_"))
            #expect(problems.isEmpty, "\(problems) for \(pieces)")
            #expect(result.content == plain.content, "split \(pieces)")
            try #require(result.calls.count == plain.calls.count, "\(result.calls)")
            for (call, expected) in zip(result.calls, plain.calls) {
                #expect(call.name == expected.name)
                #expect(try JSONValue(parsing: call.arguments) == JSONValue(parsing: expected.arguments))
                // The fixtures write no \u escapes or non-canonical numbers except one case, so the
                // minified text is what re-serializing gives.
                if !c.text.contains("\\u") { #expect(call.arguments == expected.arguments) }
            }
            for (i, (call, given)) in zip(result.calls, c.calls).enumerated() {
                guard let id = given.id else { continue }
                // Mistral Small's [CALL_ID] comes before the arguments; Mistral Nemo's and the generic
                // format's "id" after them, too late for callStarted.
                #expect(call.id == (c.text.contains("[CALL_ID]\(id)") ? id : "gen_\(i + 1)"))
            }
            if let first { #expect(result == first, "split \(pieces)") } else { first = result }
        }
    }

    @Test(arguments: cases.filter { !$0.calls.isEmpty }.map { "\($0.format.rawValue)/\($0.name)" })
    func callIsAnnouncedBeforeItsArgumentsEnd(_ key: String) throws {
        let c = try #require(Self.cases.first { "\($0.format.rawValue)/\($0.name)" == key })
        let (batches, calls) = feed(c.text.unicodeScalars.map { String($0) }, format: c.format, streamsArguments: true)
        for (index, call) in calls.enumerated() {
            var startedAt: Int?
            var fragmentsAt: [Int] = []
            for (i, batch) in batches.enumerated() {
                for event in batch {
                    switch event {
                    case .callStarted(index, _, _): startedAt = i
                    case .arguments(index, _): fragmentsAt.append(i)
                    default: break
                    }
                }
            }
            let started = try #require(startedAt)
            #expect(fragmentsAt.allSatisfy { $0 >= started })
            if Self.isReportedWhole(c) {
                #expect(fragmentsAt == [started], "\(call)")
            } else {
                // One character per feed: the `{` comes with callStarted, then the rest piece by piece.
                #expect(call.arguments.count > 8)
                #expect(fragmentsAt.count >= 2, "\(call)")
                #expect(started < fragmentsAt.last!)
                #expect(fragmentsAt.count == Set(fragmentsAt).count)
            }
        }
    }

    @Test func argumentsArriveAsTheyAreWritten() {
        var p = ToolCallParser(format: .hermes, streamsArguments: true, idGenerator: { "call_x" })
        #expect(p.feed("Let me look.\n<tool_call>\n{\"name\": \"f\", \"argu") == [.content("Let me look.")])
        #expect(p.feed("ments\": {\"a\": ") == [.callStarted(index: 0, id: "call_x", name: "f"), .arguments(index: 0, fragment: "{\"a\":")])
        #expect(p.calls == [ToolCall(id: "call_x", name: "f", arguments: "{\"a\":")])
        #expect(p.feed("  [1, 2") == [.arguments(index: 0, fragment: "[1,2")])
        #expect(p.feed("]}}\n</tool_call>") == [.arguments(index: 0, fragment: "]}")])
        #expect(p.finish() == [])
        #expect(p.calls == [ToolCall(id: "call_x", name: "f", arguments: "{\"a\":[1,2]}")])
    }

    @Test func numbersAndEscapesStayAsWritten() {
        let text = "<function=f>{\"x\": 1.0, \"y\": 2e3, \"s\": \"\\u00e9 \\/\"}</function>"
        let streamed = ToolCallParser.parse(text, format: .functionaryV31, streamsArguments: true).calls
        let plain = ToolCallParser.parse(text, format: .functionaryV31).calls
        #expect(streamed.map(\.arguments) == ["{\"x\":1.0,\"y\":2e3,\"s\":\"\\u00e9 \\/\"}"])
        #expect(plain.map(\.arguments) == ["{\"x\":1,\"y\":2000,\"s\":\"é /\"}"])
    }

    @Test func nameAfterArgumentsIsReportedWhenComplete() {
        var p = ToolCallParser(format: .hermes, streamsArguments: true, idGenerator: { "call_x" })
        var events: [ToolCallEvent] = []
        for c in "<tool_call>{\"arguments\": {\"a\": 1}, \"name\": \"f\"}</tool_call>" { events += p.feed(String(c)) }
        events += p.finish()
        #expect(events == [.callStarted(index: 0, id: "call_x", name: "f"), .arguments(index: 0, fragment: "{\"a\":1}")])
    }

    @Test func laterCallsWaitForOneReportedWhole() {
        // The first element cannot be streamed, so the second is not announced before it either.
        let text = "[TOOL_CALLS][{\"arguments\": {}, \"name\": \"f\"}, {\"name\": \"g\", \"arguments\": {\"b\": 2}}]"
        let (batches, calls) = feed(text.unicodeScalars.map { String($0) }, format: .mistral, streamsArguments: true)
        #expect(calls.map(\.name) == ["f", "g"])
        #expect(calls.map(\.arguments) == ["{}", "{\"b\":2}"])
        #expect(batches.filter { !$0.isEmpty }.count == 1)
    }

    @Test func cutShortCallKeepsTheArgumentsThatArrived() {
        var p = ToolCallParser(format: .mistral, streamsArguments: true, idGenerator: { "abcdefghi" })
        _ = p.feed("[TOOL_CALLS]f[ARGS]{\"q\": \"hel")
        #expect(p.finish() == [])
        #expect(p.calls == [ToolCall(id: "abcdefghi", name: "f", arguments: "{\"q\":\"hel")])
    }

    @Test func malformedCallStaysACall() throws {
        // The arguments end at their brace (`}` closes the object by bracket matching); the unclosed
        // call object around them is dropped at the end, and the scan resumes after the arguments.
        let text = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": }\n</tool_call>\nOK"
        for pieces in [[text], text.unicodeScalars.map { String($0) }, randomSplit(text, seed: 9)] {
            let (result, problems) = stream(pieces, format: .hermes, streamsArguments: true)
            #expect(problems.isEmpty)
            #expect(result.calls.map(\.arguments) == ["{\"city\":}"])
            #expect(result.content == "</tool_call>\nOK")
        }
        // A byte that cannot continue the JSON ends the arguments before it.
        let (bad, _) = stream(["<function=f>{\"a\": x}</function>"], format: .functionaryV31, streamsArguments: true)
        #expect(bad.calls.map(\.arguments) == ["{\"a\":"])
        #expect(bad.content == "x}</function>")
    }

    @Test func boundStopsTheArgumentsAtTheSameByteWhateverTheSplit() {
        let text = "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": \"" + String(repeating: "é", count: 100) + "\"}}</tool_call>"
        var results: [StreamResult] = []
        for pieces in [[text], text.unicodeScalars.map { String($0) }, randomSplit(text, seed: 3)] {
            var parser = ToolCallParser(format: .hermes, maxCallBytes: 101, streamsArguments: true, idGenerator: { "call_x" })
            var content = ""
            for case .content(let s) in pieces.flatMap({ parser.feed($0) }) + parser.finish() { content += s }
            results.append(StreamResult(content: content, calls: parser.calls))
        }
        #expect(Set(results.map(\.description)).count == 1)
        // 101 bytes from the marker end inside an "é": the arguments stop before it.
        let arguments = results[0].calls.first?.arguments ?? ""
        #expect(arguments.hasPrefix("{\"a\":\"é") && !arguments.contains("\u{FFFD}"))
        #expect(results[0].content.hasPrefix("é") && results[0].content.hasSuffix("\"}}</tool_call>"))
    }

    @Test func randomTextGivesTheSameResultOverAnySplit() {
        var rng = SeededGenerator(state: 7)
        let alphabet = Array("{}[]\":,;<>=|_ abc\\n\n>>>[TOOL_CALLS][ARGS]<tool_call></tool_call><function=f>functools[123.e-\"name\"\"arguments\"")
        for format in ToolCallFormat.allCases {
            for _ in 0..<200 {
                let text = String((0..<Int.random(in: 0...80, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? " " })
                let (whole, wholeProblems) = stream([text], format: format, streamsArguments: true)
                let (split, problems) = stream(randomSplit(text, seed: rng.next(), maxPiece: 3), format: format, streamsArguments: true)
                #expect(wholeProblems.isEmpty && problems.isEmpty, "\(format) \(text.debugDescription)")
                #expect(split == whole, "\(format) \(text.debugDescription)")
            }
        }
    }
}
