/// Reads a JSON Schema into `SchemaNode`s. Every keyword is either understood, a known
/// annotation (ignored), or an error naming it: nothing is dropped silently.
struct SchemaParser {
    /// Keywords that never constrain an instance.
    static let annotations: Set<String> = [
        "title", "description", "$schema", "$id", "$comment", "examples", "default", "deprecated",
        "readOnly", "writeOnly", "$defs", "definitions", "contentEncoding", "contentMediaType",
    ]
    /// Deeper nesting (of schemas and of `$ref` chains) is refused: hostile input must not
    /// exhaust the stack.
    static let maxDepth = 100
    static let maxNodes = 20_000

    private let root: JSONValue
    private var nodes: [SchemaNode] = []
    /// `$ref` pointer (normalized, without "#") to the node that stands for its target.
    private var refTargets: [String: Int] = [:]
    private var depth = 0

    init(root: JSONValue) { self.root = root }

    mutating func parseDocument() throws(JSONSchemaError) -> [SchemaNode] {
        refTargets[""] = 0
        nodes.append(SchemaNode(path: ""))
        let parsed = try parse(root, path: "")
        nodes[0] = nodes[parsed]
        try checkNoLeftRecursion()
        return nodes
    }

    // MARK: - nodes

    private mutating func newNode(_ path: String) throws(JSONSchemaError) -> Int {
        guard nodes.count < SchemaParser.maxNodes else {
            throw JSONSchemaError("schema has more than \(SchemaParser.maxNodes) sub-schemas", at: path)
        }
        nodes.append(SchemaNode(path: path))
        return nodes.count - 1
    }

    mutating func parse(_ value: JSONValue, path: String) throws(JSONSchemaError) -> Int {
        depth += 1
        defer { depth -= 1 }
        guard depth <= SchemaParser.maxDepth else {
            throw JSONSchemaError("schema nested deeper than \(SchemaParser.maxDepth) levels", at: path)
        }
        let id = try newNode(path)
        switch value {
        case .bool(let b):
            nodes[id].isFalse = !b
            return id
        case .object(let object):
            var node = SchemaNode(path: path)
            for (key, keywordValue) in object {
                try keyword(key, keywordValue, object: object, into: &node, path: path + "/" + pointerEscape(key))
            }
            nodes[id] = node
            return id
        default:
            throw JSONSchemaError("a schema must be an object or a boolean, not \(value.typeName)", at: path)
        }
    }

    private mutating func keyword(
        _ key: String, _ value: JSONValue, object: JSONObject, into node: inout SchemaNode, path: String
    ) throws(JSONSchemaError) {
        switch key {
        case _ where SchemaParser.annotations.contains(key):
            if key == "$defs" || key == "definitions" {
                guard value.objectValue != nil else { throw JSONSchemaError("\(key) must be an object of schemas", at: path) }
            }
        case "type":
            node.types = try types(value, path: path)
        case "enum":
            guard let values = value.arrayValue, !values.isEmpty else {
                throw JSONSchemaError("enum must be a non-empty array", at: path)
            }
            node.valueLists.append(values)
        case "const":
            node.valueLists.append([value])
        case "$ref":
            guard let ref = value.stringValue else { throw JSONSchemaError("$ref must be a string", at: path) }
            node.ref = try resolve(ref, path: path)
            node.refPath = path
        case "allOf": node.allOf = try schemaList(value, key: key, path: path)
        case "anyOf": node.anyOf = try schemaList(value, key: key, path: path)
        case "oneOf": node.oneOf = try schemaList(value, key: key, path: path)
        case "minLength": node.minLength = try count(value, key: key, path: path)
        case "maxLength": node.maxLength = try count(value, key: key, path: path)
        case "pattern":
            guard let source = value.stringValue else { throw JSONSchemaError("pattern must be a string", at: path) }
            do {
                node.pattern = try SchemaPattern(source)
            } catch {
                throw JSONSchemaError("pattern \(JSONValue.string(source).serialized): \(error.reason)", at: path)
            }
        case "format":
            guard let name = value.stringValue else { throw JSONSchemaError("format must be a string", at: path) }
            guard let format = SchemaFormat(rawValue: name) else {
                throw JSONSchemaError(
                    "unsupported format \"\(name)\" (supported: date, time, date-time, uuid, email)", at: path)
            }
            node.format = format
        case "minimum": node.minimum = try number(value, key: key, path: path)
        case "maximum": node.maximum = try number(value, key: key, path: path)
        case "exclusiveMinimum": node.exclusiveMinimum = try number(value, key: key, path: path)
        case "exclusiveMaximum": node.exclusiveMaximum = try number(value, key: key, path: path)
        case "items":
            if case .array = value {
                // draft 7's tuple form means what prefixItems means in 2020-12
                if object["prefixItems"] != nil {
                    throw JSONSchemaError("array-valued items together with prefixItems", at: path)
                }
                node.prefixItems = try schemaList(value, key: key, path: path, allowEmpty: true)
            } else {
                node.items = try parse(value, path: path)
            }
        case "prefixItems":
            node.prefixItems = try schemaList(value, key: key, path: path, allowEmpty: true)
        case "minItems": node.minItems = try count(value, key: key, path: path)
        case "maxItems": node.maxItems = try count(value, key: key, path: path)
        case "uniqueItems":
            guard let b = value.boolValue else { throw JSONSchemaError("uniqueItems must be a boolean", at: path) }
            node.uniqueItems = b
        case "properties":
            guard let properties = value.objectValue else {
                throw JSONSchemaError("properties must be an object of schemas", at: path)
            }
            for (name, schema) in properties {
                node.properties.append((name, try parse(schema, path: path + "/" + pointerEscape(name))))
            }
        case "required":
            guard let names = value.arrayValue else { throw JSONSchemaError("required must be an array of strings", at: path) }
            for (i, name) in names.enumerated() {
                guard let name = name.stringValue else {
                    throw JSONSchemaError("required must be an array of strings", at: path + "/\(i)")
                }
                if !node.required.contains(name) { node.required.append(name) }
            }
        case "additionalProperties":
            guard value.boolValue != nil || value.objectValue != nil else {
                throw JSONSchemaError("additionalProperties must be a boolean or a schema", at: path)
            }
            node.additionalProperties = try parse(value, path: path)
        default:
            throw JSONSchemaError("unsupported keyword \"\(key)\"", at: path)
        }
    }

    // MARK: - keyword values

    private func types(_ value: JSONValue, path: String) throws(JSONSchemaError) -> [SchemaType] {
        func one(_ v: JSONValue, _ at: String) throws(JSONSchemaError) -> SchemaType {
            guard let name = v.stringValue else {
                throw JSONSchemaError("type must be a string or an array of strings", at: at)
            }
            guard let type = SchemaType(rawValue: name) else {
                throw JSONSchemaError("unknown type \"\(name)\"", at: at)
            }
            return type
        }
        if let list = value.arrayValue {
            guard !list.isEmpty else { throw JSONSchemaError("type must not be an empty array", at: path) }
            var out: [SchemaType] = []
            for (i, v) in list.enumerated() {
                let t = try one(v, path + "/\(i)")
                if !out.contains(t) { out.append(t) }
            }
            return out
        }
        return [try one(value, path)]
    }

    private mutating func schemaList(
        _ value: JSONValue, key: String, path: String, allowEmpty: Bool = false
    ) throws(JSONSchemaError) -> [Int] {
        guard let list = value.arrayValue, allowEmpty || !list.isEmpty else {
            throw JSONSchemaError("\(key) must be a\(allowEmpty ? "n" : " non-empty") array of schemas", at: path)
        }
        var ids: [Int] = []
        for (i, schema) in list.enumerated() { ids.append(try parse(schema, path: path + "/\(i)")) }
        return ids
    }

    private func count(_ value: JSONValue, key: String, path: String) throws(JSONSchemaError) -> Int {
        guard let n = value.integerValue, n >= 0 else {
            throw JSONSchemaError("\(key) must be a non-negative integer", at: path)
        }
        return n
    }

    private func number(_ value: JSONValue, key: String, path: String) throws(JSONSchemaError) -> JSONValue {
        guard let d = value.numberValue, d.isFinite else { throw JSONSchemaError("\(key) must be a number", at: path) }
        return value
    }

    // MARK: - $ref

    /// Supported: "#" and JSON pointers into the same document ("#/$defs/x", "#/definitions/x",
    /// "#/properties/a/anyOf/0").
    private mutating func resolve(_ ref: String, path: String) throws(JSONSchemaError) -> Int {
        guard ref.hasPrefix("#") else {
            throw JSONSchemaError("$ref \"\(ref)\": only references inside the document (\"#...\") are supported", at: path)
        }
        let pointer = String(ref.dropFirst()).removingPercentEscapes
        if let id = refTargets[pointer] { return id }
        guard pointer.isEmpty || pointer.hasPrefix("/") else {
            throw JSONSchemaError("$ref \"\(ref)\": anchors are not supported, use a JSON pointer", at: path)
        }
        var target = root
        for token in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = String(token).replacing("~1", with: "/").replacing("~0", with: "~")
            if let next = target[key] {
                target = next
            } else if let list = target.arrayValue, let i = Int(key), list.indices.contains(i) {
                target = list[i]
            } else {
                throw JSONSchemaError("$ref \"\(ref)\" cannot be resolved: \"\(key)\" not found", at: path)
            }
        }
        // Reserve the node first, so a cycle back to this $ref stops here.
        let id = try newNode(pointer)
        refTargets[pointer] = id
        let parsed = try parse(target, path: pointer)
        nodes[id] = nodes[parsed]
        return id
    }

    /// A `$ref` cycle that never descends into a property or item would make the validator loop
    /// and the grammar left-recursive (llama.cpp's grammar parser rejects those).
    private func checkNoLeftRecursion() throws(JSONSchemaError) {
        var state = [UInt8](repeating: 0, count: nodes.count)  // 0 new, 1 on stack, 2 done
        var stack: [(node: Int, next: Int)] = []
        func edges(_ n: SchemaNode) -> [Int] { (n.ref.map { [$0] } ?? []) + n.allOf + n.anyOf + n.oneOf }
        for start in nodes.indices where state[start] == 0 {
            stack.append((start, 0))
            state[start] = 1
            while let (node, next) = stack.last {
                let out = edges(nodes[node])
                if next == out.count {
                    state[node] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let child = out[next]
                if state[child] == 1 {
                    let at = nodes[node].ref == child ? nodes[node].refPath : nodes[node].path
                    throw JSONSchemaError(
                        "$ref cycle that never descends into a property or item (it would never end)", at: at)
                }
                if state[child] == 0 {
                    state[child] = 1
                    stack.append((child, 0))
                }
            }
        }
    }
}

/// RFC 6901 escaping of one reference token.
func pointerEscape(_ key: String) -> String {
    key.replacing("~", with: "~0").replacing("/", with: "~1")
}

extension StringProtocol {
    /// "%25" -> "%" and so on, as a URI fragment is written; malformed escapes kept as is.
    var removingPercentEscapes: String {
        guard contains("%") else { return String(self) }
        var bytes: [UInt8] = []
        let u = Array(utf8)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "%"), i + 2 < u.count,
                let v = UInt8(String(decoding: u[i + 1...i + 2], as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                i += 3
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
