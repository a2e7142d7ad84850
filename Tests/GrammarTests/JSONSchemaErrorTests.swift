import Testing

@testable import Grammar

@Suite struct JSONSchemaErrorTests {
    /// (schema, path of the offending keyword, a word the message must contain)
    static let rejected: [(String, String, String)] = [
        (##"{"type":"object","properties":{"a":{"type":"integer","multipleOf":2}}}"##, "/properties/a/multipleOf", "multipleOf"),
        (##"{"not":{"type":"string"}}"##, "/not", "not"),
        (##"{"minProperties":1}"##, "/minProperties", "minProperties"),
        (##"{"type":"integer","minimum":"x"}"##, "/minimum", "minimum"),
        (##"{"required":3}"##, "/required", "required"),
        (##"{"required":["a",3]}"##, "/required/1", "required"),
        (##"{"$ref":"#/$defs/missing"}"##, "/$ref", "missing"),
        (##"{"$ref":"other.json#/a"}"##, "/$ref", "$ref"),
        (##"{"type":"kaboom"}"##, "/type", "kaboom"),
        (##"{"type":[]}"##, "/type", "type"),
        (##"{"type":"string","format":"hostname"}"##, "/format", "hostname"),
        (##"{"type":"string","pattern":"^(?=a)a$"}"##, "/pattern", "lookaround"),
        (##"{"type":"string","pattern":"^a\\bb$"}"##, "/pattern", "word boundary"),
        (##"{"type":"string","pattern":"^(a)\\1$"}"##, "/pattern", "backreference"),
        (##"{"type":"string","pattern":"^a*?$"}"##, "/pattern", "lazy"),
        (##"{"type":"string","pattern":"^a^b$"}"##, "/pattern", "anchor"),
        (##"{"type":"string","pattern":"^(a$"}"##, "/pattern", "unbalanced"),
        (##"{"type":"string","pattern":"^\\p{L}$"}"##, "/pattern", "Unicode property"),
        (##"{"minLength":-1}"##, "/minLength", "minLength"),
        (##"{"enum":[]}"##, "/enum", "enum"),
        (##"{"anyOf":{}}"##, "/anyOf", "anyOf"),
        (##"{"additionalProperties":3}"##, "/additionalProperties", "additionalProperties"),
        (##"{"properties":{"a":3}}"##, "/properties/a", "schema"),
        (##"{"exclusiveMinimum":true}"##, "/exclusiveMinimum", "exclusiveMinimum"),
        (##"{"$defs":{"a":{"anyOf":[{"$ref":"#/$defs/a"},{"type":"null"}]}},"$ref":"#/$defs/a"}"##, "/$defs/a/anyOf/0/$ref", "cycle"),
        (##"{"$ref":"#"}"##, "/$ref", "cycle"),
        (##"{"properties":{"a~b/c":{"if":{}}}}"##, "/properties/a~0b~1c/if", "if"),
    ]

    @Test func errorsNameKeywordAndPath() throws {
        for (text, path, word) in Self.rejected {
            let schema = try JSONValue(parsing: text)
            var converterError: JSONSchemaError?
            do { _ = try JSONSchemaGrammar.gbnf(for: schema) } catch { converterError = error }
            var validatorError: JSONSchemaError?
            do { _ = try JSONSchemaValidator(schema: schema) } catch { validatorError = error }
            #expect(converterError == validatorError, "\(text): converter and validator disagree")
            guard let e = converterError else {
                Issue.record("\(text): accepted")
                continue
            }
            #expect(e.path == path, "\(text): \(e)")
            #expect(e.description.contains(word), "\(text): \(e)")
        }
    }

    @Test func unsatisfiableCombinationsAreConverterErrors() throws {
        // valid JSON Schema, so the validator takes them; no grammar can generate them
        for text in [#"{"type":"integer","minimum":5,"maximum":1}"#, #"{"enum":[1,2],"type":"string"}"#, #"false"#] {
            let schema = try JSONValue(parsing: text)
            #expect(throws: JSONSchemaError.self, "\(text)") { try JSONSchemaGrammar.gbnf(for: schema) }
            let v = try JSONSchemaValidator(schema: schema)
            #expect(!v.validate(1).isEmpty)
        }
    }

    @Test func messagesAreReadable() throws {
        let e = JSONSchemaError("unsupported keyword \"not\"", at: "/properties/a/not")
        #expect(e.description == "schema at /properties/a/not: unsupported keyword \"not\"")
        let v = try JSONSchemaValidator(schema: JSONValue(parsing: #"{"properties":{"age":{"type":"integer","maximum":120}},"required":["name"]}"#))
        #expect(v.validate(try JSONValue(parsing: #"{"age":150}"#)) == [
            "(root): missing required property \"name\"", "/age: 150 is greater than the maximum 120",
        ])
    }
}
