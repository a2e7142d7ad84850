/// Checks JSON values against a JSON Schema with JSON Schema's own meaning (2020-12; draft 7's
/// array-valued `items`), on the same parsed model as `JSONSchemaGrammar`, so a schema one
/// rejects the other rejects too. Formats are asserted, not just annotations.
public struct JSONSchemaValidator: Sendable {
    let document: SchemaDocument

    /// - Throws: `JSONSchemaError` for a schema with an unsupported keyword or a malformed value.
    public init(schema: JSONValue) throws(JSONSchemaError) {
        document = try SchemaDocument(schema)
    }

    init(document: SchemaDocument) { self.document = document }

    /// Human-readable violations, each starting with the instance's JSON pointer ("(root)" for
    /// the whole value); empty when `instance` is valid.
    public func validate(_ instance: JSONValue) -> [String] {
        var out: [String] = []
        check(instance, document.root, at: "", into: &out)
        return out
    }

    func isValid(_ instance: JSONValue, against node: Int) -> Bool {
        var out: [String] = []
        check(instance, node, at: "", into: &out)
        return out.isEmpty
    }

    private func check(_ v: JSONValue, _ id: Int, at: String, into out: inout [String]) {
        let n = document.nodes[id]
        let here = at.isEmpty ? "(root)" : at
        func fail(_ message: String) { out.append("\(here): \(message)") }

        if n.isFalse { return fail("no value is allowed here") }
        if let types = n.types, !types.contains(where: { $0.admits(v) }) {
            fail("\(v.typeName) is not of type \(types.map(\.rawValue).joined(separator: " or "))")
        }
        for values in n.valueLists where !values.contains(v) {
            fail(values.count == 1 ? "\(v.serialized) is not \(values[0].serialized)"
                : "\(v.serialized) is not one of \(JSONValue.array(values).serialized)")
        }
        if let ref = n.ref { check(v, ref, at: at, into: &out) }
        for sub in n.allOf { check(v, sub, at: at, into: &out) }
        if !n.anyOf.isEmpty, !n.anyOf.contains(where: { isValid(v, against: $0) }) {
            fail("matches none of the anyOf schemas")
        }
        if !n.oneOf.isEmpty {
            let matching = n.oneOf.filter { isValid(v, against: $0) }.count
            if matching != 1 { fail("matches \(matching) of the oneOf schemas, not exactly one") }
        }

        switch v {
        case .string(let s):
            let length = s.unicodeScalars.count
            if let m = n.minLength, length < m { fail("string shorter than \(m) characters") }
            if let m = n.maxLength, length > m { fail("string longer than \(m) characters") }
            if let p = n.pattern, !p.matches(s) { fail("string does not match pattern \(JSONValue.string(p.source).serialized)") }
            if let f = n.format, !f.accepts(s) { fail("string is not a valid \(f.rawValue)") }
        case .int, .double:
            if let b = n.minimum, compare(v, b) < 0 { fail("\(v.serialized) is less than the minimum \(b.serialized)") }
            if let b = n.maximum, compare(v, b) > 0 { fail("\(v.serialized) is greater than the maximum \(b.serialized)") }
            if let b = n.exclusiveMinimum, compare(v, b) <= 0 { fail("\(v.serialized) is not greater than \(b.serialized)") }
            if let b = n.exclusiveMaximum, compare(v, b) >= 0 { fail("\(v.serialized) is not less than \(b.serialized)") }
        case .array(let items):
            if let m = n.minItems, items.count < m { fail("array has fewer than \(m) items") }
            if let m = n.maxItems, items.count > m { fail("array has more than \(m) items") }
            if n.uniqueItems, Set(items).count != items.count { fail("array items are not unique") }
            let prefix = n.prefixItems ?? []
            for (k, item) in items.enumerated() {
                if k < prefix.count {
                    check(item, prefix[k], at: at + "/\(k)", into: &out)
                } else if let rest = n.items {
                    check(item, rest, at: at + "/\(k)", into: &out)
                }
            }
        case .object(let object):
            for name in n.required where object[name] == nil { fail("missing required property \"\(name)\"") }
            for (key, value) in object {
                let path = at + "/" + pointerEscape(key)
                if let p = n.properties.first(where: { $0.name == key }) {
                    check(value, p.node, at: path, into: &out)
                } else if let extra = n.additionalProperties {
                    if document.nodes[extra].isFalse {
                        fail("property \"\(key)\" is not allowed")
                    } else {
                        check(value, extra, at: path, into: &out)
                    }
                }
            }
        default:
            break
        }
    }

    /// Exact for two integers, by Double otherwise.
    private func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : (x > y ? 1 : 0) }
        let x = a.numberValue ?? 0, y = b.numberValue ?? 0
        return x < y ? -1 : (x > y ? 1 : 0)
    }
}

extension SchemaType {
    func admits(_ v: JSONValue) -> Bool {
        switch (self, v) {
        case (.null, .null), (.boolean, .bool), (.string, .string), (.array, .array), (.object, .object): true
        case (.number, .int), (.number, .double): true
        case (.integer, _): v.typeName == "integer"
        default: false
        }
    }
}
