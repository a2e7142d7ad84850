import Testing
@testable import ToolCalls

@Suite struct ToolCallTests {
    @Test func callsCompareByValue() {
        #expect(ToolCall(id: "call_1", name: "f", arguments: "{}") == ToolCall(id: "call_1", name: "f", arguments: "{}"))
        #expect(ToolCall(id: "call_1", name: "f", arguments: "{}") != ToolCall(id: "call_1", name: "g", arguments: "{}"))
    }
}
