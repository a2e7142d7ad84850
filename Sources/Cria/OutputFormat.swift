import Grammar

/// A shape the generated text must have, enforced token by token while sampling.
public enum OutputFormat: Sendable, Equatable {
    /// A GBNF grammar (llama.cpp's format), rule `root` first.
    case grammar(String)
    /// JSON that satisfies a JSON Schema.
    case jsonSchema(JSONValue)
    /// Any JSON object (OpenAI's `json_object`, Ollama's `"json"`).
    case jsonObject

    /// The grammar text: as given, or made from the schema.
    /// - Throws: `CriaError` naming the schema keyword (as a JSON pointer) that cannot be enforced.
    public func gbnf() throws -> String {
        switch self {
        case .grammar(let text): return text
        case .jsonObject: return JSONSchemaGrammar.jsonObject
        case .jsonSchema(let schema):
            do {
                return try JSONSchemaGrammar.gbnf(for: schema)
            } catch {
                throw CriaError("\(error)")
            }
        }
    }

    /// The compiled grammar.
    /// - Throws: `CriaError` with the line and column of a grammar error, or the path of a
    ///   schema error.
    public func compile() throws -> Grammar {
        let text = try gbnf()
        do {
            return try Grammar(gbnf: text)
        } catch {
            if case .grammar = self { throw CriaError("\(error)") }
            throw CriaError("the grammar made from the JSON schema does not compile (\(error)); this is a bug in Cria")
        }
    }
}
