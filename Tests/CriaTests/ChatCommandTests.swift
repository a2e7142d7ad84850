import Foundation
import Testing

/// `cria chat` driven through pipes on the default model.
@Suite(.enabled(if: Fixtures.hasDefaultModel, "the default model is not installed (make model)"))
struct ChatCommandTests {
    /// "prompt: P tokens (C cached, E evaluated)" lines of --stats.
    static func promptStats(_ stderr: String) -> [(prompt: Int, cached: Int, evaluated: Int)] {
        stderr.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("prompt: ") else { return nil }
            let numbers = line.split(whereSeparator: { !$0.isNumber }).prefix(3).compactMap { Int($0) }
            return numbers.count == 3 ? (numbers[0], numbers[1], numbers[2]) : nil
        }
    }

    @Test func twoTurnsOverPipesReuseTheFirstTurn() throws {
        let r = try CLI.run(["chat", "--temperature", "0", "--max-tokens", "12", "--stats", "--threads", "2"],
                            input: "Name a color.\nAnd another one?\n")
        #expect(r.status == 0, "\(r.stderr)")
        let replies = r.stdout.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(replies.count == 2)
        let turns = Self.promptStats(r.stderr)
        try #require(turns.count == 2)
        #expect(turns[0].cached == 0 && turns[0].evaluated == turns[0].prompt)
        // Turn two re-uses turn one's prompt and reply; only its own message is evaluated.
        #expect(turns[1].cached > turns[0].prompt)
        #expect(turns[1].evaluated == turns[1].prompt - turns[1].cached && turns[1].evaluated < 20)
    }

    @Test func commandsSaveLoadAndReset() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = scratch.path("history.json")
        let r = try CLI.run(["chat", "--temperature", "0", "--max-tokens", "4", "--stats"],
                            input: "Hi\n/save \(file)\n/reset\n/load \(file)\n/stats\n/load /nonexistent.json\n")
        #expect(r.status == 0, "\(r.stderr)")
        let saved = try JSONDecoder().decode([[String: String]].self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(saved.map { $0["role"] ?? "" } == ["user", "assistant"])
        #expect(saved[0]["content"] == "Hi")
        #expect(r.stderr.contains("(saved 2 messages to \(file))"))
        #expect(r.stderr.contains("(loaded 2 messages from \(file))"))
        #expect(r.stderr.contains("error: cannot load /nonexistent.json"))
    }
}
