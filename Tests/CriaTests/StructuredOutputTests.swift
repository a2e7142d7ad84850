import Foundation
import Grammar
import Testing
@testable import Cria

/// `cria run --grammar / --json-schema` and the library's constrained generation on the default
/// model; bad grammar and schema files give one clear error line before the model loads.
@Suite(.serialized) struct StructuredOutputTests {
    @Test func badGrammarFileNamesFileLineAndColumn() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("bad.gbnf")
        try "root ::= item\nitem ::= [a-z".write(toFile: path, atomically: true, encoding: .utf8)
        // A missing model is not reached: the grammar is checked first.
        let r = try CLI.run(["run", "--model", "/nonexistent.gguf", "--grammar", path, "hi"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(path): grammar error at line 2, column "), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func unsupportedSchemaKeywordIsNamed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("schema.json")
        try #"{"type": "object", "properties": {"a": {"type": "integer", "multipleOf": 3}}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--model", "/nonexistent.gguf", "--json-schema", path, "hi"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("multipleOf") && r.stderr.contains("/properties/a"), "\(r.stderr)")
    }

    @Test func schemaThatIsNotJSON() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("schema.json")
        try #"{"type": "object""#.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--model", "/nonexistent.gguf", "--json-schema", path, "hi"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(path): invalid JSON at byte"), "\(r.stderr)")
    }

    @Test func grammarAndSchemaTogetherIsRefused() throws {
        let r = try CLI.run(["run", "--grammar", "a", "--json-schema", "b", "hi"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--grammar and --json-schema cannot be used together"))
    }

    @Test(.enabled(if: Fixtures.hasDefaultModel, "the default model is not installed (make model)"))
    func runFollowsTheSchema() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("schema.json")
        let schema = #"{"type":"object","properties":{"name":{"type":"string","maxLength":20},"legs":{"type":"integer","minimum":0,"maximum":8}},"required":["name","legs"],"additionalProperties":false}"#
        try schema.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--threads", "2", "--temperature", "0.9", "--seed", "11", "--max-tokens", "120",
                             "--json-schema", path, "Describe a llama as JSON."])
        #expect(r.status == 0, "\(r.stderr)")
        let value = try JSONValue(parsing: r.stdout)
        #expect(try JSONSchemaValidator(schema: JSONValue(parsing: schema)).validate(value).isEmpty, "\(r.stdout)")
        #expect(value.objectValue?.keys == ["name", "legs"])
        #expect(r.stderr.contains("stop: stop"), "\(r.stderr)")
    }

    @Test(.enabled(if: Fixtures.hasDefaultModel, "the default model is not installed (make model)"))
    func generatorStopsWhenTheGrammarIsDone() throws {
        let model = try Model(path: Fixtures.defaultModel)
        let generator = try Generator(model: model, contextLength: 512, threads: 2)
        let prompt = try model.chatTokens([ChatMessage(role: "user", content: "Say yes or no: is fire cold?")])
        for seed in 0..<5 as Range<UInt64> {
            var text = ""
            let options = GenerationOptions(
                maxTokens: 20, sampling: .init(temperature: 1.0, seed: seed),
                grammar: try OutputFormat.grammar(#"root ::= ("yes" | "no") "!""#).compile())
            let stats = try generator.generate(prompt: prompt, options: options) { text += $0; return true }
            #expect(text == "yes!" || text == "no!", "\(text)")
            #expect(stats.stopReason == .endOfGeneration)
        }
    }

    @Test(.enabled(if: Fixtures.hasDefaultModel, "the default model is not installed (make model)"))
    func lazyGrammarLeavesProseFreeAndHoldsWhatFollowsTheTrigger() throws {
        let model = try Model(path: Fixtures.defaultModel)
        let generator = try Generator(model: model, contextLength: 512, threads: 2)
        // The trigger is in the prompt's continuation only if the model writes it; force it with
        // a grammar from the start, then check the lazy one lets prose through unchanged.
        let prompt = try model.chatTokens([ChatMessage(role: "user", content: "Write a sentence about the sea.")])
        var free = ""
        _ = try generator.generate(prompt: prompt, options: GenerationOptions(maxTokens: 16, sampling: .greedy)) { free += $0; return true }
        var lazy = ""
        let options = GenerationOptions(
            maxTokens: 16, sampling: .greedy, grammar: try OutputFormat.grammar(#"root ::= "<tool_call>" [0-9]+"#).compile(),
            grammarTrigger: .init("<tool_call>"))
        _ = try generator.generate(prompt: prompt, options: options) { lazy += $0; return true }
        #expect(lazy == free)
    }
}
