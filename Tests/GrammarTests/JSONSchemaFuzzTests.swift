import Testing

@testable import Grammar

/// Seeded random mutations of the fixture schemas: conversion and validation either succeed or
/// throw `JSONSchemaError`; nothing traps or hangs.
@Suite struct JSONSchemaFuzzTests {
    static let keywords = ["type", "properties", "required", "items", "prefixItems", "anyOf", "oneOf", "allOf", "$ref",
                           "enum", "const", "pattern", "minimum", "maximum", "minLength", "maxItems", "additionalProperties", "format"]
    static let values: [JSONValue] = [
        "string", "integer", ["null", "number"], 3, -1, 2.5, "#", "#/$defs/x", "#/properties", "^(a|b)*$", "[", "date",
        ["a", 1], [:], ["type": "object"], ["$ref": "#"], true, false, .null, [["$ref": "#"]], ["x": ["$ref": "#"]],
    ]

    static func mutate(_ v: JSONValue, _ rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
        switch v {
        case .object(var o):
            if depth < 6, !o.keys.isEmpty, Bool.random(using: &rng) {
                let k = o.keys[Int.random(in: 0..<o.keys.count, using: &rng)]
                o[k] = mutate(o[k] ?? .null, &rng, depth: depth + 1)
            } else if Int.random(in: 0..<3, using: &rng) == 0, let k = o.keys.randomElement(using: &rng) {
                o[k] = nil
            } else {
                o[keywords.randomElement(using: &rng) ?? "type"] = values.randomElement(using: &rng) ?? .null
            }
            return .object(o)
        case .array(var a):
            if !a.isEmpty, depth < 6 {
                let i = Int.random(in: 0..<a.count, using: &rng)
                a[i] = mutate(a[i], &rng, depth: depth + 1)
            } else {
                a.append(values.randomElement(using: &rng) ?? .null)
            }
            return .array(a)
        default:
            return values.randomElement(using: &rng) ?? .null
        }
    }

    @Test func mutatedSchemasNeverTrap() throws {
        var rng = SplitMix64(state: 20_260_604)
        var seeds: [JSONValue] = []
        for c in try SchemaFixtures.load("json_schema_extra.json") + SchemaFixtures.load("json_schema_conversion.json") {
            if let s = c["schema"]?.stringValue, let v = try? JSONValue(parsing: s) { seeds.append(v) }
        }
        let instances: [JSONValue] = [1, "a", .null, [1, "b"], ["a": 1, "next": ["a": 2]], 2.5, true]
        var converted = 0
        for i in 0..<3000 {
            var schema = seeds[i % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) { schema = Self.mutate(schema, &rng) }
            do {
                let gbnf = try JSONSchemaGrammar.gbnf(for: schema)
                #expect(gbnf == (try JSONSchemaGrammar.gbnf(for: schema)), "not deterministic: \(schema)")
                checkWellFormed(gbnf, schema.serialized)
                converted += 1
            } catch {}
            if let v = try? JSONSchemaValidator(schema: schema) {
                for x in instances { _ = v.validate(x) }
            }
        }
        #expect(converted > 300)
    }

    @Test func hostileDepthIsRefused() throws {
        var schema: JSONValue = ["type": "string"]
        for _ in 0..<300 { schema = ["anyOf": [schema]] }
        #expect(throws: JSONSchemaError.self) { try JSONSchemaGrammar.gbnf(for: schema) }
        let wide = JSONValue.object(JSONObject((0..<10).map { ("p\($0)", ["anyOf": [["type": "string"], ["type": "integer"]]] as JSONValue) }))
        let allOf: JSONValue = ["allOf": .array((0..<10).map { _ in ["anyOf": [["type": "string"], ["type": "integer"]]] })]
        #expect(throws: JSONSchemaError.self) { try JSONSchemaGrammar.gbnf(for: allOf) }
        _ = try JSONSchemaGrammar.gbnf(for: ["properties": wide])
    }
}
