import Foundation
import Testing

@testable import Grammar

/// Fixtures from scripts/reference/make_json_schema_fixtures.py (llama.cpp's tests, labelled by
/// Python jsonschema).
enum SchemaFixtures {
    static let directory: URL = {
        var dir = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Tests/Fixtures").path), dir.path != "/" {
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("Tests/Fixtures/grammar/schema")
    }()

    static func load(_ name: String) throws -> [JSONValue] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONValue(parsing: [UInt8](data))["cases"]?.arrayValue ?? []
    }
}

@Suite struct JSONSchemaFixtureTests {
    /// llama.cpp cases where Cria's documented policy differs (the doc comment of JSONSchemaGrammar.swift):
    /// name -> the keyword our error must name.
    static let deliberateDifferences: [String: String] = [
        // llama.cpp degrades an unsupported pattern (lookahead here) to any string; we refuse it
        "unsupported regexp in a property": "pattern",
        // prefixItems must be an array (2020-12); llama.cpp reads a schema there as `items`
        "array with empty items and prefixItems": "prefixItems",
        "string array": "prefixItems",
        "nullable string array": "prefixItems",
    ]

    @Test func conversionMatchesLlamaCppOutcomes() throws {
        let cases = try SchemaFixtures.load("json_schema_conversion.json")
        #expect(cases.count == 81)
        var outputs = JSONObject()
        for c in cases {
            let name = c["name"]?.stringValue ?? "?"
            let expected = c["expected_success"]?.boolValue ?? false
            let schema = try JSONValue(parsing: c["schema"]?.stringValue ?? "")
            let result = Result { () throws(JSONSchemaError) in try JSONSchemaGrammar.gbnf(for: schema) }
            if let keyword = Self.deliberateDifferences[name], !keyword.isEmpty {
                guard case .failure(let e) = result else {
                    Issue.record("\(name): expected our policy to reject it")
                    continue
                }
                #expect(e.path.hasSuffix("/" + keyword), "\(name): \(e)")
                outputs[name] = .string("error: \(e)")
                continue
            }
            switch result {
            case .success(let gbnf):
                if !expected { Issue.record("\(name): llama.cpp rejects it, we accepted") }
                #expect(gbnf.contains("root ::= "), "\(name)")
                checkWellFormed(gbnf, name)
                outputs[name] = .string(gbnf)
            case .failure(let e):
                #expect(!expected, "\(name): llama.cpp accepts it, we failed: \(e)")
                outputs[name] = .string("error: \(e)")
            }
        }
        // our grammar beside llama.cpp's, for inspection; also pins determinism
        let file = SchemaFixtures.directory.appendingPathComponent("json_schema_conversion_cria.json")
        let text = JSONValue.object(outputs).serialized + "\n"
        if ProcessInfo.processInfo.environment["CRIA_UPDATE_FIXTURES"] != nil {
            try text.write(to: file, atomically: true, encoding: .utf8)
        } else {
            let stored = try String(contentsOf: file, encoding: .utf8)
            #expect(stored == text, "grammar output changed; rerun with CRIA_UPDATE_FIXTURES=1 and review the diff")
        }
    }

    @Test func validatorAgreesWithJsonschemaOnIntegrationCases() throws {
        var checked = 0
        for c in try SchemaFixtures.load("json_schema_integration.json") {
            let schema = try JSONValue(parsing: c["schema"]?.stringValue ?? "")
            let validator = try JSONSchemaValidator(schema: schema)
            _ = try JSONSchemaGrammar.gbnf(for: schema)
            for s in (c["passing"]?.arrayValue ?? []) + (c["failing"]?.arrayValue ?? []) {
                guard let expected = s["valid"]?.boolValue, let text = s["text"]?.stringValue else { continue }
                let errors = validator.validate(try JSONValue(parsing: text))
                #expect(errors.isEmpty == expected, "\(c["description"] ?? ""): \(text) -> \(errors)")
                checked += 1
            }
        }
        #expect(checked > 150)
    }

    @Test func validatorAgreesWithJsonschemaOnExtraCases() throws {
        var checked = 0
        for c in try SchemaFixtures.load("json_schema_extra.json") {
            let name = c["name"]?.stringValue ?? "?"
            let schema = try JSONValue(parsing: c["schema"]?.stringValue ?? "")
            let validator = try JSONSchemaValidator(schema: schema)
            let gbnf = try JSONSchemaGrammar.gbnf(for: schema)
            checkWellFormed(gbnf, name)
            for s in c["instances"]?.arrayValue ?? [] {
                guard let expected = s["valid"]?.boolValue, let text = s["text"]?.stringValue else { continue }
                let errors = validator.validate(try JSONValue(parsing: text))
                #expect(errors.isEmpty == expected, "\(name): \(text) -> \(errors)")
                checked += 1
            }
        }
        #expect(checked > 150)
    }
}

/// What llama.cpp's grammar parser needs that can be checked without it: every rule referenced
/// is defined, each defined once, names of lowercase letters, digits and dashes, a root.
func checkWellFormed(_ gbnf: String, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    var defined = Set<String>()
    var bodies: [String] = []
    for line in gbnf.split(separator: "\n") {
        guard let r = line.range(of: " ::= ") else {
            Issue.record("\(label): not a rule: \(line)", sourceLocation: sourceLocation)
            continue
        }
        let name = String(line[..<r.lowerBound])
        #expect(!name.isEmpty && name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(label): name \(name)", sourceLocation: sourceLocation)
        #expect(defined.insert(name).inserted, "\(label): \(name) defined twice", sourceLocation: sourceLocation)
        bodies.append(String(line[r.upperBound...]))
    }
    #expect(defined.contains("root"), "\(label): no root", sourceLocation: sourceLocation)
    for body in bodies {
        for ref in ruleReferences(body) where !defined.contains(ref) {
            Issue.record("\(label): \(ref) is used but not defined", sourceLocation: sourceLocation)
        }
    }
}

/// Identifiers outside literals and character classes.
func ruleReferences(_ body: String) -> [String] {
    var refs: [String] = []
    let chars = Array(body.unicodeScalars)
    var i = 0
    while i < chars.count {
        let c = chars[i]
        if c == "\"" || c == "[" {
            let close: Unicode.Scalar = c == "\"" ? "\"" : "]"
            i += 1
            while i < chars.count, chars[i] != close {
                if chars[i] == "\\" { i += 1 }
                i += 1
            }
            i += 1
        } else if c == "{" {
            while i < chars.count, chars[i] != "}" { i += 1 }
            i += 1
        } else if ("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "-" {
            var word = ""
            while i < chars.count, ("a"..."z").contains(chars[i]) || ("0"..."9").contains(chars[i]) || chars[i] == "-" {
                word.unicodeScalars.append(chars[i])
                i += 1
            }
            if word.first?.isLetter == true || word.first == "-" { refs.append(word) }
        } else {
            i += 1
        }
    }
    return refs
}
