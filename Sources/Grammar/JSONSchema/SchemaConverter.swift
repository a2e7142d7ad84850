/// Turns one parsed schema document into GBNF rules inside a `JSONSchemaGrammar`. Rule naming
/// and layout follow llama.cpp common/json-schema-to-grammar.cpp (property rules `<name>-kv`,
/// optional properties chained through `<name>-rest`, `ref-...` rules for `$ref` targets);
/// conjunctions (allOf, `$ref` beside other keywords, anyOf beside other keywords) are
/// expanded into alternatives of merged constraints.
struct SchemaConverter {
    let document: SchemaDocument
    let validator: JSONSchemaValidator
    /// Node -> the rule standing for it (`$ref` targets and the root).
    var refRules: [Int: String] = [:]
    private var depth = 0

    /// Alternatives one conjunction may expand into.
    static let maxAlternatives = 64
    static let maxDepth = 200
    /// Larger minLength/maxLength/minItems/maxItems are refused: llama.cpp expands repetitions.
    static let maxCount = 10_000

    init(document: SchemaDocument) {
        self.document = document
        validator = JSONSchemaValidator(document: document)
    }

    /// `name` as a GBNF rule name: seeds carry property names as written ("street_type").
    static func ruleName(_ name: String) -> String {
        let name = GBNF.sanitize(name)
        return name.isEmpty ? "root" : GrammarBuiltins.isReserved(name) ? name + "-" : name
    }

    private func error(_ message: String, _ node: Int, _ keyword: String? = nil) -> JSONSchemaError {
        let path = document.nodes[node].path
        return JSONSchemaError(message, at: keyword.map { path + "/" + $0 } ?? path)
    }

    // MARK: - visiting

    /// A rule name (or builtin name) matching node `id`.
    mutating func visit(_ id: Int, name: String, into g: inout JSONSchemaGrammar) throws(JSONSchemaError) -> String {
        let n = document.nodes[id]
        if n.isPureRef, let target = n.ref { return try refRule(target, into: &g) }
        let body = try expression(id, name: name, into: &g)
        return SchemaConverter.isName(body) ? body : g.define(SchemaConverter.ruleName(name), body)
    }

    /// A rule name matching every node in `ids` at once.
    mutating func visit(all ids: [Int], name: String, into g: inout JSONSchemaGrammar) throws(JSONSchemaError) -> String {
        if ids.count == 1 { return try visit(ids[0], name: name, into: &g) }
        var terms: [[Int]] = [[]]
        for id in ids { terms = try product(terms, try dnf(id), at: id) }
        let body = try termsExpression(terms, name: name, into: &g)
        return SchemaConverter.isName(body) ? body : g.define(SchemaConverter.ruleName(name), body)
    }

    static func isName(_ body: String) -> Bool {
        !body.isEmpty && body.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    private mutating func refRule(_ target: Int, into g: inout JSONSchemaGrammar) throws(JSONSchemaError) -> String {
        if let name = refRules[target] { return name }
        let seed = GBNF.sanitize("ref" + document.nodes[target].path)
        let name = g.reserve(seed)
        refRules[target] = name
        g.rules[name] = try expression(target, name: seed, into: &g)
        return name
    }

    /// A GBNF body matching node `id`.
    mutating func expression(_ id: Int, name: String, into g: inout JSONSchemaGrammar) throws(JSONSchemaError) -> String {
        depth += 1
        defer { depth -= 1 }
        guard depth <= SchemaConverter.maxDepth else { throw error("schema nested too deeply for a grammar", id) }
        let n = document.nodes[id]
        if n.isPureRef, let target = n.ref { return try refRule(target, into: &g) }
        if n.isFalse { throw error("the schema false matches nothing, so no grammar can be built for it", id) }
        let alternatives = n.anyOf.isEmpty ? n.oneOf : n.anyOf
        if n.hasNoLocalConstraints, n.ref == nil, n.allOf.isEmpty, n.anyOf.isEmpty != n.oneOf.isEmpty {
            // A plain union keeps each alternative's own rule (and its $ref rules).
            var names: [String] = []
            for (i, alt) in alternatives.enumerated() {
                names.append(try visit(alt, name: (name.isEmpty ? "alternative-" : name + "-") + "\(i)", into: &g))
            }
            return names.joined(separator: " | ")
        }
        if n.hasNoLocalConstraints, n.ref == nil, n.anyOf.isEmpty, n.oneOf.isEmpty, n.allOf.count == 1 {
            return try visit(n.allOf[0], name: name, into: &g)
        }
        return try termsExpression(try dnf(id), name: name, into: &g)
    }

    // MARK: - conjunctions

    /// `id` as alternatives of conjunctions of nodes, each node counting for its own keywords
    /// only: its `$ref`, allOf, anyOf and oneOf are expanded here (oneOf as anyOf; the parser
    /// has ruled out cycles through these).
    private func dnf(_ id: Int) throws(JSONSchemaError) -> [[Int]] {
        let n = document.nodes[id]
        var terms: [[Int]] = [[id]]
        if let ref = n.ref { terms = try product(terms, try dnf(ref), at: id) }
        for sub in n.allOf { terms = try product(terms, try dnf(sub), at: id) }
        for union in [n.anyOf, n.oneOf] where !union.isEmpty {
            var alternatives: [[Int]] = []
            for alt in union { alternatives += try dnf(alt) }
            terms = try product(terms, alternatives, at: id)
        }
        return terms
    }

    private func product(_ a: [[Int]], _ b: [[Int]], at id: Int) throws(JSONSchemaError) -> [[Int]] {
        guard a.count * b.count <= SchemaConverter.maxAlternatives else {
            throw error("allOf/anyOf/oneOf combine into more than \(SchemaConverter.maxAlternatives) alternatives", id)
        }
        return a.flatMap { x in b.map { x + $0 } }
    }

    private mutating func termsExpression(_ terms: [[Int]], name: String, into g: inout JSONSchemaGrammar) throws(JSONSchemaError) -> String {
        var bodies: [String] = []
        var firstError: JSONSchemaError?
        for (i, term) in terms.enumerated() {
            do {
                let body = try termExpression(term, name: terms.count == 1 ? name : (name.isEmpty ? "alternative-" : name + "-") + "\(i)", into: &g)
                if !bodies.contains(body) { bodies.append(body) }
            } catch let e where terms.count > 1 && e.message.hasPrefix(SchemaConverter.unsatisfiable) {
                // an impossible branch of a union only drops that branch
                firstError = firstError ?? e
            }
        }
        if bodies.isEmpty, let firstError { throw firstError }
        return bodies.count == 1 ? bodies[0] : bodies.map { "(" + $0 + ")" }.joined(separator: " | ")
    }

    static let unsatisfiable = "no value can satisfy"

    /// The grammar for the conjunction of the nodes' own keywords.
    private mutating func termExpression(_ term: [Int], name: String, into g: inout JSONSchemaGrammar) throws(JSONSchemaError) -> String {
        let nodes = term.map { document.nodes[$0] }
        if let bad = term.first(where: { document.nodes[$0].isFalse }) {
            throw error("\(SchemaConverter.unsatisfiable) the schema false", bad)
        }
        // enum / const: the listed values that pass every schema of the conjunction, exactly
        if let k = nodes.firstIndex(where: { !$0.valueLists.isEmpty }) {
            let values = nodes[k].valueLists[0].filter { v in term.allSatisfy { validator.isValid(v, against: $0) } }
            guard !values.isEmpty else {
                throw error("\(SchemaConverter.unsatisfiable) enum/const together with the other keywords", term[k])
            }
            return "(" + values.map { GBNF.literal($0.serialized) }.joined(separator: " | ") + ")"
        }

        // types: what every node allows; without any `type`, what the keywords imply (as
        // llama.cpp does: properties make an object, items an array, and so on)
        var allowed = Set(SchemaType.allCases)
        var declared = false
        for n in nodes {
            guard let types = n.types else { continue }
            declared = true
            allowed = allowed.filter { t in types.contains(t) || (t == .integer && types.contains(.number)) }
        }
        if !declared {
            var implied = Set<SchemaType>()
            if nodes.contains(where: \.hasObjectKeywords) { implied.insert(.object) }
            if nodes.contains(where: \.hasArrayKeywords) { implied.insert(.array) }
            if nodes.contains(where: \.hasStringKeywords) { implied.insert(.string) }
            if nodes.contains(where: \.hasNumberKeywords) { implied.formUnion([.number, .integer]) }
            if implied.isEmpty { return g.builtin("value") ?? "value" }
            allowed = implied
        }
        guard !allowed.isEmpty else { throw error("\(SchemaConverter.unsatisfiable) the types of allOf", term[0], "type") }

        var out: [String] = []
        if allowed.contains(.null) { out.append(g.builtin("null") ?? "null") }
        if allowed.contains(.boolean) { out.append(g.builtin("boolean") ?? "boolean") }
        if allowed.contains(.number) {
            let nonNegative = nodes.contains { n in
                [n.minimum, n.exclusiveMinimum].contains { ($0?.numberValue ?? -1) >= 0 }
            }
            out.append(g.builtin(nonNegative ? "number-nonnegative" : "number") ?? "number")
        } else if allowed.contains(.integer) {
            out.append(try integerExpression(term, into: &g))
        }
        if allowed.contains(.string) { out.append(try stringExpression(term, name: name, into: &g)) }
        if allowed.contains(.array) { out.append(try arrayExpression(term, name: name, into: &g)) }
        if allowed.contains(.object) { out.append(try objectExpression(term, name: name, into: &g)) }
        return out.joined(separator: " | ")
    }

    // MARK: - numbers

    private func integerExpression(_ term: [Int], into g: inout JSONSchemaGrammar) throws(JSONSchemaError) -> String {
        var lower: Int64?, upper: Int64?
        func bound(_ v: JSONValue?, _ keyword: String, _ id: Int, roundUp: Bool, shift: Int64) throws(JSONSchemaError) -> Int64? {
            guard let v else { return nil }
            let limit = 1e17
            if case .int(let i) = v, abs(i) < Int(limit) { return Int64(i) + shift }
            guard let d = v.numberValue, abs(d) < limit else {
                throw error("integer bound too large for a digit grammar (at most 17 digits)", id, keyword)
            }
            let whole = roundUp ? d.rounded(.up) : d.rounded(.down)
            // an exclusive bound that is a whole number excludes itself; a fractional one already did
            return Int64(whole) + (whole == d ? shift : 0)
        }
        for id in term {
            let n = document.nodes[id]
            for b in [try bound(n.minimum, "minimum", id, roundUp: true, shift: 0),
                      try bound(n.exclusiveMinimum, "exclusiveMinimum", id, roundUp: true, shift: 1)] {
                if let b { lower = max(lower ?? b, b) }
            }
            for b in [try bound(n.maximum, "maximum", id, roundUp: false, shift: 0),
                      try bound(n.exclusiveMaximum, "exclusiveMaximum", id, roundUp: false, shift: -1)] {
                if let b { upper = min(upper ?? b, b) }
            }
        }
        if lower == nil && upper == nil { return g.builtin("integer") ?? "integer" }
        if let lower, let upper, lower > upper {
            throw error("\(SchemaConverter.unsatisfiable) the integer bounds (\(lower) > \(upper))", term[0])
        }
        return "(" + IntegerRangeGrammar.gbnf(lower: lower, upper: upper) + ")"
    }

    // MARK: - strings

    private mutating func stringExpression(_ term: [Int], name: String, into g: inout JSONSchemaGrammar) throws(JSONSchemaError) -> String {
        let nodes = term.map { document.nodes[$0] }
        let patterns = term.filter { document.nodes[$0].pattern != nil }
        let formats = Set(nodes.compactMap(\.format))
        let minLength = nodes.compactMap(\.minLength).max() ?? 0
        let maxLength = nodes.compactMap(\.maxLength).min()
        let hasLength = nodes.contains { $0.minLength != nil || $0.maxLength != nil }
        if patterns.count > 1 {
            throw error("two patterns on one string cannot be combined into a grammar", patterns[1], "pattern")
        }
        if formats.count > 1 { throw error("two different formats on one string", term[0], "format") }
        if let p = patterns.first, hasLength || !formats.isEmpty {
            throw error("pattern together with minLength, maxLength or format cannot be expressed in a grammar", p, "pattern")
        }
        if let f = formats.first, hasLength, let id = term.first(where: { document.nodes[$0].format != nil }) {
            throw error("format \(f.rawValue) together with minLength or maxLength cannot be expressed in a grammar", id, "format")
        }
        if let p = patterns.first, let pattern = document.nodes[p].pattern {
            guard let body = PatternGrammar.expression(pattern, into: &g) else {
                throw error("pattern needs a control character the grammar cannot write", p, "pattern")
            }
            return body
        }
        if let f = formats.first { return g.builtin(GrammarBuiltins.formatRule(f)) ?? "string" }
        if hasLength {
            if let maxLength, maxLength < minLength {
                throw error("\(SchemaConverter.unsatisfiable) minLength \(minLength) > maxLength \(maxLength)", term[0])
            }
            if max(minLength, maxLength ?? 0) > SchemaConverter.maxCount {
                throw error("string length bounds above \(SchemaConverter.maxCount) are too large for a grammar", term[0])
            }
            let char = g.builtin("char") ?? "char"
            return "\"\\\"\" " + GBNF.repetition(char, min: minLength, max: maxLength) + " \"\\\"\""
        }
        return g.builtin("string") ?? "string"
    }

    // MARK: - arrays

    private mutating func arrayExpression(_ term: [Int], name: String, into g: inout JSONSchemaGrammar) throws(JSONSchemaError) -> String {
        let nodes = term.map { document.nodes[$0] }
        let sub = name.isEmpty ? "" : name + "-"
        let minItems = nodes.compactMap(\.minItems).max() ?? 0
        let maxItems = nodes.compactMap(\.maxItems).min()
        if let maxItems, maxItems < minItems {
            throw error("\(SchemaConverter.unsatisfiable) minItems \(minItems) > maxItems \(maxItems)", term[0])
        }
        if max(minItems, maxItems ?? 0) > SchemaConverter.maxCount {
            throw error("item counts above \(SchemaConverter.maxCount) are too large for a grammar", term[0])
        }
        let prefixCount = nodes.map { $0.prefixItems?.count ?? 0 }.max() ?? 0
        // item i must match, from each node, its prefix schema or else its items schema
        func constraints(_ i: Int?) -> [Int] {
            nodes.compactMap { n in
                if let i, let p = n.prefixItems, i < p.count { return p[i] }
                return n.items
            }
        }
        let rest = constraints(nil)
        let restForbidden = rest.contains { document.nodes[$0].isFalse }
        let sep = "\",\" space"
        _ = g.builtin("space")
        if prefixCount == 0 {
            if rest.isEmpty && minItems == 0 && maxItems == nil { return g.builtin("array") ?? "array" }
            if restForbidden {
                if minItems > 0 { throw error("\(SchemaConverter.unsatisfiable) items false with minItems", term[0]) }
                return "\"[\" space \"]\""
            }
            let item = rest.isEmpty ? (g.builtin("value") ?? "value") : try visit(all: rest, name: sub + "item", into: &g)
            return "\"[\" space " + GBNF.repetition(item, min: minItems, max: maxItems, separator: sep) + " space \"]\""
        }
        // A tuple: every prefix item present (narrower than JSON Schema, which allows fewer),
        // then more items only where `items` gives a schema for them.
        if let maxItems, maxItems < prefixCount {
            throw error("maxItems below the number of prefixItems cannot be expressed in a grammar", term[0], "maxItems")
        }
        var body = "\"[\" space "
        for i in 0..<prefixCount {
            if i > 0 { body += " \(sep) " }
            let c = constraints(i)
            body += c.isEmpty ? (g.builtin("value") ?? "value") : try visit(all: c, name: sub + "tuple-\(i)", into: &g)
        }
        if !rest.isEmpty && !restForbidden {
            let item = try visit(all: rest, name: sub + "item", into: &g)
            let more = GBNF.repetition("(" + sep + " " + item + ")", min: max(minItems - prefixCount, 0), max: maxItems.map { $0 - prefixCount })
            if !more.isEmpty { body += " " + more }
        } else if minItems > prefixCount {
            throw error("minItems above the number of prefixItems needs an items schema for the rest", term[0], "minItems")
        }
        return body + " space \"]\""
    }

    // MARK: - objects

    /// `closed`: additionalProperties absent beside properties; other conjuncts' properties
    /// stay allowed, unknown keys do not.
    private enum Extra { case any, none, closed, schema(Int) }

    private mutating func objectExpression(_ term: [Int], name: String, into g: inout JSONSchemaGrammar) throws(JSONSchemaError) -> String {
        let nodes = term.map { document.nodes[$0] }
        let sub = name.isEmpty ? "" : name + "-"
        // additionalProperties when absent: any object when there are no properties, else none
        // (llama.cpp common/json-schema.cpp build_object; narrower than JSON Schema's default)
        let extras: [Extra] = nodes.map { n in
            guard let a = n.additionalProperties else { return n.properties.isEmpty ? .any : .closed }
            let an = document.nodes[a]
            if an.isFalse { return .none }
            if an.hasNoLocalConstraints && an.ref == nil && an.allOf.isEmpty && an.anyOf.isEmpty && an.oneOf.isEmpty { return .any }
            return .schema(a)
        }
        var names: [String] = []
        for n in nodes { for p in n.properties where !names.contains(p.name) { names.append(p.name) } }
        var required: [String] = []
        for n in nodes { for r in n.required where !required.contains(r) { required.append(r) } }
        for r in required where !names.contains(r) { names.append(r) }

        var props: [(name: String, constraints: [Int])] = []
        for propName in names {
            var c: [Int] = []
            var forbidden = false
            for (n, extra) in zip(nodes, extras) {
                if let p = n.properties.first(where: { $0.name == propName }) {
                    c.append(p.node)
                } else {
                    switch extra {
                    case .any, .closed: break
                    case .none: forbidden = true
                    case .schema(let s): c.append(s)
                    }
                }
            }
            if forbidden {
                if required.contains(propName) {
                    throw error("\(SchemaConverter.unsatisfiable) required property \"\(propName)\" that additionalProperties forbids", term[0], "required")
                }
                continue
            }
            props.append((propName, c))
        }
        var extraSchemas: [Int] = []
        var extrasAllowed = true
        for e in extras {
            switch e {
            case .any: break
            case .none, .closed: extrasAllowed = false
            case .schema(let s): extraSchemas.append(s)
            }
        }
        if props.isEmpty && extrasAllowed && extraSchemas.isEmpty { return g.builtin("object") ?? "object" }
        _ = g.builtin("space")

        var kvRules: [String: String] = [:]
        var requiredKeys: [String] = []
        var optionalKeys: [String] = []
        for p in props {
            let value = p.constraints.isEmpty ? (g.builtin("value") ?? "value") : try visit(all: p.constraints, name: sub + p.name, into: &g)
            let kvName = GBNF.sanitize(sub + p.name + "-kv")
            kvRules[p.name] = g.define(kvName, GBNF.literal(JSONValue.string(p.name).serialized) + " space \":\" space " + value)
            if required.contains(p.name) { requiredKeys.append(p.name) } else { optionalKeys.append(p.name) }
        }
        let star = "\u{0}*"  // cannot clash with a property name in this table
        if extrasAllowed {
            let value = extraSchemas.isEmpty ? (g.builtin("value") ?? "value") : try visit(all: extraSchemas, name: sub + "additional-value", into: &g)
            let key = props.isEmpty ? (g.builtin("string") ?? "string") : g.define(GBNF.sanitize(sub + "additional-k"), notStrings(props.map(\.name), into: &g))
            kvRules[star] = g.define(GBNF.sanitize(sub + "additional-kv"), key + " \":\" space " + value)
            optionalKeys.append(star)
        }
        if requiredKeys.isEmpty && optionalKeys.isEmpty { return "\"{\" space \"}\"" }

        var rule = "\"{\" space " + requiredKeys.compactMap { kvRules[$0] }.joined(separator: " \",\" space ")
        if !optionalKeys.isEmpty {
            rule += " ("
            if !requiredKeys.isEmpty { rule += " \",\" space ( " }
            // optional keys in schema order, each may start the run; what follows a key is its -rest rule
            func chain(_ keys: ArraySlice<String>, firstOptional: Bool, into g: inout JSONSchemaGrammar) -> String {
                guard let k = keys.first, let kv = kvRules[k] else { return "" }
                let comma = "( \",\" space " + kv + " )"
                var out = firstOptional ? comma + (k == star ? "*" : "?") : kv + (k == star ? " " + comma + "*" : "")
                if keys.count > 1 {
                    let restName = GBNF.sanitize(sub + (k == star ? "additional" : k) + "-rest")
                    out += " " + g.define(restName, chain(keys.dropFirst(), firstOptional: true, into: &g))
                }
                return out
            }
            rule += optionalKeys.indices.map { chain(optionalKeys[$0...], firstOptional: false, into: &g) }.joined(separator: " | ")
            if !requiredKeys.isEmpty { rule += " )" }
            rule += " )?"
        }
        return rule + " space \"}\""
    }

    /// A JSON string that is none of `strings` (keys for additional properties), as a trie
    /// (llama.cpp's _not_strings): `["] ( [a] char+ | [^"a] char* )? ["]` for {"a"}. Each edge is
    /// the JSON spelling of one character; where the text leaves the trie it may take any other
    /// unescaped character or a short escape of any other character. llama.cpp's class there
    /// (`[^"a]`) also admits a bare backslash or control character, which is not JSON; `\u`
    /// escapes are left out there so no spelling can reach a listed key.
    private func notStrings(_ strings: [String], into g: inout JSONSchemaGrammar) -> String {
        final class Trie {
            var children: [UInt32: Trie] = [:]
            var isEnd = false
        }
        let root = Trie()
        for s in strings {
            var node = root
            for c in s.unicodeScalars {
                if let next = node.children[c.value] { node = next } else {
                    let next = Trie()
                    node.children[c.value] = next
                    node = next
                }
            }
            node.isEnd = true
        }
        let char = g.builtin("char") ?? "char"
        // JSON's short escapes: the letter after the backslash and the character it stands for
        let escapes: [(letter: String, value: UInt32)] = [
            ("\\\"", 0x22), ("\\\\", 0x5C), ("b", 0x08), ("f", 0x0C), ("n", 0x0A), ("r", 0x0D), ("t", 0x09),
        ]
        func isPlain(_ c: UInt32) -> Bool { c >= 0x20 && c != 0x22 && c != 0x5C && c != 0x7F }
        func edge(_ c: UInt32) -> String {
            if isPlain(c) { return "[" + GBNF.classChar(c) + "]" }
            var text = ""
            JSONValue.writeString(String(Character(Unicode.Scalar(c) ?? "?")), into: &text)
            return GBNF.literal(String(text.dropFirst().dropLast()))
        }
        func walk(_ node: Trie) -> String {
            var parts: [String] = []
            let keys = node.children.keys.sorted()
            for k in keys {
                guard let child = node.children[k] else { continue }
                let c = edge(k)
                parts.append(child.children.isEmpty ? c + " " + char + "+" : c + " (" + walk(child) + ")")
            }
            if !keys.isEmpty {
                let plain = keys.filter(isPlain)
                parts.append("[^\\x22\\x5C\\x7F\\x00-\\x1F" + plain.map(GBNF.classChar).joined() + "] " + char + "*")
                let letters = escapes.filter { !keys.contains($0.value) }.map(\.letter)
                if !letters.isEmpty { parts.append("[\\x5C] [" + letters.joined() + "] " + char + "*") }
            }
            return parts.joined(separator: " | ")
        }
        return "[\\x22] ( " + walk(root) + " )" + (root.isEnd ? "" : "?") + " [\\x22]"
    }
}
