import Grammar
import Testing
@testable import ToolCalls

/// The parser's documented rules, beyond the fixtures.
@Suite struct ParserBehaviourTests {
    @Test func markerPrefixIsHeldUntilKnown() {
        var p = ToolCallParser(format: .hermes)
        #expect(p.feed("Hello <tool") == [.content("Hello")])
        // Not a marker after all: the held text is content.
        #expect(p.feed("box>") == [.content(" <toolbox>")])
        #expect(p.finish() == [])
    }

    @Test func callIsReportedWhenComplete() {
        var p = ToolCallParser(format: .hermes, idGenerator: { "call_x" })
        #expect(p.feed("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1") == [])
        #expect(p.feed("}}\n</tool_call>") == [.callStarted(index: 0, id: "call_x", name: "f"), .arguments(index: 0, fragment: "{\"a\":1}")])
        #expect(p.calls == [ToolCall(id: "call_x", name: "f", arguments: "{\"a\":1}")])
    }

    @Test func unfinishedCallIsContentAtFinish() {
        var p = ToolCallParser(format: .mistral)
        let text = "[TOOL_CALLS][{\"name\": \"f\", \"arguments\": {"
        #expect(p.feed(text) == [])
        #expect(p.finish() == [.content(text)])
        #expect(p.calls.isEmpty)
    }

    @Test func heldTextIsBounded() {
        var p = ToolCallParser(format: .hermes, maxCallBytes: 100)
        let long = "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": \"" + String(repeating: "x", count: 200)
        let events = p.feed(long)
        // Past the bound the marker is given up on: everything so far is content without waiting.
        #expect(events == [.content(long)])
    }

    @Test func missingCloseTagIsForgivenAtTheEnd() {
        let (content, calls) = ToolCallParser.parse("<tool_call>\n{\"name\": \"f\", \"arguments\": {}}", format: .hermes)
        #expect(content == "")
        #expect(calls.map(\.name) == ["f"])
    }

    @Test func goodCallAfterBrokenOneIsFound() {
        let text = "<tool_call>{\"name\": oops</tool_call> <tool_call>{\"name\": \"g\", \"arguments\": {\"b\": [1, 2]}}</tool_call>"
        let (content, calls) = ToolCallParser.parse(text, format: .hermes)
        #expect(content == "<tool_call>{\"name\": oops</tool_call>")
        #expect(calls.map(\.arguments) == ["{\"b\":[1,2]}"])
    }

    @Test func endOfTurnTokensAreDropped() {
        let (content, calls) = ToolCallParser.parse("<|python_tag|>brave_search.call(query=\"x\")<|eom_id|>", format: .llama3)
        #expect(content == "")
        #expect(calls.map(\.name) == ["brave_search"])
        #expect(calls.first?.arguments == "{\"query\":\"x\"}")
        #expect(ToolCallParser.parse("Hi.<|eot_id|>", format: .llama3).content == "Hi.")
    }

    @Test func defaultIDs() {
        let hermes = ToolCallParser.parse("<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>", format: .hermes).calls
        #expect(hermes.first?.id.hasPrefix("call_") == true && hermes.first?.id.count == 29)
        let mistral = ToolCallParser.parse("[TOOL_CALLS][{\"name\": \"f\", \"arguments\": {}}]", format: .mistral).calls
        #expect(mistral.first.map { $0.id.count == 9 && $0.id.allSatisfy { $0.isLetter || $0.isNumber } } == true)
    }

    @Test func argumentsThatAreNotAnObjectAreContent() {
        let text = "<tool_call>{\"name\": \"f\", \"arguments\": [1]}</tool_call>"
        #expect(ToolCallParser.parse(text, format: .hermes).content == text)
        #expect(ToolCallParser.parse(text, format: .hermes).calls.isEmpty)
    }

    @Test func llamaBareJSONOnlyAtTheStart() {
        let text = "Sure: {\"name\": \"f\", \"parameters\": {}}"
        #expect(ToolCallParser.parse(text, format: .llama3).calls.isEmpty)
        #expect(ToolCallParser.parse("  \n" + "{\"name\": \"f\", \"parameters\": {}}", format: .llama3).calls.count == 1)
    }

    @Test func genericTextAfterTheDocumentIsContent() {
        let (content, calls) = ToolCallParser.parse("{\"tool_call\": {\"name\": \"f\", \"arguments\": {}}}\n\nDone", format: .generic)
        #expect(content == "Done")
        #expect(calls.count == 1)
    }

    @Test func randomGarbageNeverTraps() {
        var rng = SeededGenerator(state: 42)
        let alphabet = Array("{}[]\":,;<>=|_ abc\\n\n>>>[TOOL_CALLS]<tool_call></tool_call><function=f><|python_tag|>functools[123.e-")
        for format in ToolCallFormat.allCases {
            for _ in 0..<200 {
                let text = String((0..<Int.random(in: 0...60, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? " " })
                let (whole, _) = stream([text], format: format)
                let (split, problems) = stream(randomSplit(text, seed: rng.next(), maxPiece: 3), format: format)
                #expect(problems.isEmpty, "\(format) \(text.debugDescription)")
                #expect(split.content == whole.content && split.calls.map(\.arguments) == whole.calls.map(\.arguments),
                        "\(format) \(text.debugDescription)")
            }
        }
    }
}
