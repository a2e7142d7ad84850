import Cria
import Grammar

// Structured-output fields of requests, read from the body as written (schemas keep their
// property order). Each becomes an `OutputFormat` compiled to a grammar the sampler enforces;
// one that cannot be enforced is a 400 naming where it fails, never ignored.

extension OutputFormat {
    /// OpenAI's `response_format` (`text`, `json_object`, `json_schema` with `json_schema.schema`;
    /// llama.cpp's server also takes `schema` beside `type`), or the extension fields `grammar`
    /// (GBNF text) and `json_schema` (a schema) that llama.cpp's server accepts.
    /// Returns the format and the field that asked for it.
    static func openAI(_ document: JSONValue) throws(APIError) -> (format: OutputFormat, param: String)? {
        var found: [(String, OutputFormat)] = []
        if let format = document["response_format"], format != .null {
            guard case .object(let object) = format, let type = object["type"]?.stringValue else {
                throw .invalidRequest("'response_format' must be an object with a 'type'", param: "response_format")
            }
            switch type {
            case "text":
                break
            case "json_object":
                if let schema = object["schema"], schema != .null {
                    found.append(("response_format", .jsonSchema(schema)))
                } else {
                    found.append(("response_format", .jsonObject))
                }
            case "json_schema":
                guard case .object(let spec)? = object["json_schema"] else {
                    throw .invalidRequest(
                        "'response_format.json_schema' must be an object with a 'schema'", param: "response_format.json_schema")
                }
                guard let schema = spec["schema"], schema != .null else {
                    throw .invalidRequest("'response_format.json_schema.schema' is missing", param: "response_format.json_schema.schema")
                }
                found.append(("response_format", .jsonSchema(schema)))
            default:
                throw .invalidRequest(
                    "'response_format.type' must be 'text', 'json_object' or 'json_schema', not '\(type)'",
                    param: "response_format.type")
            }
        }
        if let grammar = document["grammar"], grammar != .null {
            guard let text = grammar.stringValue else {
                throw .invalidRequest("'grammar' must be a string of GBNF rules", param: "grammar")
            }
            found.append(("grammar", .grammar(text)))
        }
        if let schema = document["json_schema"], schema != .null {
            found.append(("json_schema", .jsonSchema(schema)))
        }
        guard found.count <= 1 else {
            throw .invalidRequest(
                "\(found.map { "'\($0.0)'" }.joined(separator: " and ")) cannot be used together", param: found[1].0)
        }
        return found.first.map { (format: $0.1, param: $0.0) }
    }

    /// Ollama's `format`: `"json"` or a JSON schema (`""` and null: none).
    static func ollama(_ document: JSONValue) throws(APIError) -> OutputFormat? {
        switch document["format"] {
        case nil, .null?, .string("")?: return nil
        case .string("json")?: return .jsonObject
        case .object(let schema)?: return .jsonSchema(.object(schema))
        case .string(let other)?:
            throw .invalidRequest("'format' must be \"json\" or a JSON schema, not \"\(other)\"", param: "format")
        default:
            throw .invalidRequest("'format' must be \"json\" or a JSON schema", param: "format")
        }
    }

    /// The compiled grammar; a grammar or schema that cannot be enforced is a 400 naming where.
    func compiled(param: String) throws(APIError) -> Grammar {
        do {
            return try compile()
        } catch let error as CriaError {
            throw .invalidRequest(error.description, param: param, code: "invalid_grammar")
        } catch {
            throw .invalidRequest("\(error)", param: param, code: "invalid_grammar")
        }
    }
}
