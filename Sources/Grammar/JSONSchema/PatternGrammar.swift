/// GBNF for a JSON string whose decoded text matches a `SchemaPattern`. The pattern describes
/// decoded characters; the grammar writes each one as JSON does (`"` as `\"`, a newline as
/// `\n`), so generated strings are valid JSON (llama.cpp's converter emits these raw).
/// Unanchored sides accept any JSON characters, as a regex search does.
enum PatternGrammar {
    /// nil when the pattern can only be met by a control character without a short JSON escape.
    static func expression(_ p: SchemaPattern, into g: inout JSONSchemaGrammar) -> String? {
        guard let inner = node(p.root, into: &g, top: true) else { return nil }
        let char = p.anchoredStart && p.anchoredEnd ? "" : (g.builtin("char") ?? "char")
        var body = "\"\\\"\" "
        if !p.anchoredStart { body += char + "* " }
        body += "(" + inner + ")"
        if !p.anchoredEnd { body += " " + char + "*" }
        return body + " \"\\\"\""
    }

    /// Escapes a JSON string uses for characters that cannot appear raw.
    private static let shortEscapes: [(UInt32, String)] = [
        (0x22, "\\\""), (0x5C, "\\\\"), (0x08, "\\b"), (0x0C, "\\f"), (0x0A, "\\n"), (0x0D, "\\r"), (0x09, "\\t"),
    ]
    /// Characters a JSON string (and llama.cpp's `char` rule) never holds raw.
    private static let notRaw = ScalarSet(ranges: [0x00...0x1F, 0x22...0x22, 0x5C...0x5C, 0x7F...0x7F])

    private static func node(_ n: SchemaPattern.Node, into g: inout JSONSchemaGrammar, top: Bool = false) -> String? {
        switch n {
        case .set(let s):
            return set(s, into: &g)
        case .sequence(let items):
            var parts: [String] = []
            var literal = ""
            for item in items {
                if case .set(let s) = item, let v = s.single, let scalar = Unicode.Scalar(v), v >= 0x20 || shortEscapes.contains(where: { $0.0 == v }) {
                    literal += jsonText(scalar)
                    continue
                }
                if !literal.isEmpty { parts.append(GBNF.literal(literal)); literal = "" }
                guard let part = node(item, into: &g) else { return nil }
                parts.append(part)
            }
            if !literal.isEmpty { parts.append(GBNF.literal(literal)) }
            return parts.isEmpty ? "\"\"" : parts.joined(separator: " ")
        case .alternation(let branches):
            var parts: [String] = []
            for b in branches {
                guard let part = node(b, into: &g) else { return nil }
                parts.append(part)
            }
            let joined = parts.joined(separator: " | ")
            return top ? joined : "(" + joined + ")"
        case .repetition(let item, let lo, let hi):
            guard var inner = node(item, into: &g) else { return nil }
            if !isAtom(inner) { inner = "(" + inner + ")" }
            switch (lo, hi) {
            case (0, nil): return inner + "*"
            case (1, nil): return inner + "+"
            case (0, 1): return inner + "?"
            case (_, nil): return inner + "{\(lo),}"
            case (_, let hi?): return inner + (lo == hi ? "{\(lo)}" : "{\(lo),\(hi)}")
            }
        }
    }

    /// One character of the set, written as JSON writes it.
    private static func set(_ s: ScalarSet, into g: inout JSONSchemaGrammar) -> String? {
        if let v = s.single, let scalar = Unicode.Scalar(v) {
            return v >= 0x20 || shortEscapes.contains(where: { $0.0 == v }) ? GBNF.literal(jsonText(scalar)) : nil
        }
        var parts: [String] = []
        let raw = s.subtracting(notRaw)
        if !raw.isEmpty { parts.append(charClass(raw)) }
        for (v, text) in shortEscapes where s.contains(v) { parts.append(GBNF.literal(text)) }
        if parts.isEmpty { return nil }
        let body = parts.count == 1 ? parts[0] : parts.joined(separator: " | ")
        if s == ScalarSet.dot { return g.define("dot", body) }
        return parts.count == 1 ? body : "(" + body + ")"
    }

    private static func charClass(_ s: ScalarSet) -> String {
        let negate = s.contains(ScalarSet.maxScalar)
        let shown = negate ? s.inverted : s
        let ranges = shown.ranges.map { r in
            r.count == 1 ? GBNF.classChar(r.lowerBound) : GBNF.classChar(r.lowerBound) + "-" + GBNF.classChar(r.upperBound)
        }
        return "[" + (negate ? "^" : "") + ranges.joined() + "]"
    }

    private static func jsonText(_ scalar: Unicode.Scalar) -> String {
        var out = ""
        JSONValue.writeString(String(Character(scalar)), into: &out)
        return String(out.dropFirst().dropLast())
    }

    /// A single token a quantifier can follow without parentheses.
    private static func isAtom(_ e: String) -> Bool {
        if SchemaConverter.isName(e) { return true }
        if e.hasPrefix("["), e.hasSuffix("]"), !e.dropFirst().contains("[") { return true }
        if e.hasPrefix("\""), e.hasSuffix("\""), e.count >= 2 {
            // one literal: no unescaped quote inside
            var escaped = false
            for c in e.dropFirst().dropLast() {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { return false }
            }
            return true
        }
        return false
    }
}
