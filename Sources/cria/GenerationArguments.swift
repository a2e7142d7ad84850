import ArgumentParser
import Cria
import Foundation
import Grammar
import Sampling

/// The options `cria run` and `cria chat` share: the model, sampling, threads and context.
struct GenerationArguments: ParsableArguments {
    @Option(help: "GGUF model file (default: the default model in $CRIA_MODELS or ~/.cache/cria/models).")
    var model: String?

    @Option(name: .customLong("max-tokens"), help: "Most tokens to generate.")
    var maxTokens = 512

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0.8

    @Option(name: .customLong("top-k"), help: "Sample from the k most likely tokens (0: all).")
    var topK = 40

    @Option(name: .customLong("top-p"), help: "Sample from the smallest set of tokens whose probability reaches p.")
    var topP: Float = 0.95

    @Option(help: "Random seed (default: a random one).")
    var seed: UInt64?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Context length in tokens (default: the model's, at most 4096).")
    var context: Int?

    @Option(help: "System message (default: whatever the model's template does without one).")
    var system: String?

    @Option(name: .customLong("chat-format"), help: "A built-in chat format for models without a template: chatml, llama3, llama2.")
    var chatFormat: ChatFormat?

    @Option(name: .customLong("grammar"), help: "GBNF grammar file (llama.cpp's format) the output must follow.")
    var grammarFile: String?

    @Option(name: .customLong("json-schema"), help: "JSON Schema file; the output is JSON that satisfies it.")
    var jsonSchemaFile: String?

    func validate() throws {
        if grammarFile != nil && jsonSchemaFile != nil { throw ValidationError("--grammar and --json-schema cannot be used together") }
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be 0 or more") }
        guard temperature.isFinite, temperature >= 0 else { throw ValidationError("--temperature must be 0 or more") }
        guard topK >= 0 else { throw ValidationError("--top-k must be 0 or more") }
        guard topP.isFinite, topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        if let threads { guard threads >= 1, threads <= 1024 else { throw ValidationError("--threads must be in 1...1024") } }
        if let context { guard context >= 1 else { throw ValidationError("--context must be at least 1") } }
    }

    var modelPath: String { model ?? ModelDirectory.defaultModelPath }

    var threadCount: Int { threads ?? defaultThreadCount() }

    /// The generation options, with the grammar of `--grammar` or `--json-schema` compiled.
    func generationOptions() throws -> GenerationOptions {
        GenerationOptions(
            maxTokens: maxTokens,
            sampling: SamplingParameters(temperature: temperature, topK: topK, topP: topP, seed: seed ?? UInt64.random(in: 0...UInt64.max)),
            grammar: try grammar()
        )
    }

    /// The grammar `--grammar` or `--json-schema` asks for, compiled; errors name the file.
    func grammar() throws -> Grammar? {
        guard let path = grammarFile ?? jsonSchemaFile else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw CriaError("cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw CriaError("\(path) is not UTF-8 text") }
        do {
            if grammarFile != nil { return try OutputFormat.grammar(text).compile() }
            return try OutputFormat.jsonSchema(JSONValue(parsing: text)).compile()
        } catch let error as JSONParseError {
            throw CriaError("\(path): \(error)")
        } catch let error as CriaError {
            throw CriaError("\(path): \(error)")
        }
    }

    /// Opens the model, checking that it exists and that `--context` fits it.
    func loadModel() throws -> Model {
        let path = modelPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw CriaError(model == nil
                ? "the default model is not installed at \(path) (run `make setup` to install it)"
                : "no such file: \(path)")
        }
        let loaded = try Model(path: path)
        if let context, context > loaded.config.contextLength {
            throw CriaError("--context \(context) is larger than the model's trained context (\(loaded.config.contextLength))")
        }
        return loaded
    }
}

extension ChatFormat: ExpressibleByArgument {}
