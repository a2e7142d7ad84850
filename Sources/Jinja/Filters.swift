import Foundation

/// jinja2's built-in filters (jinja2 `filters.py`) with transformers' `tojson` override
/// (`json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)`).
enum Filters {
    static let names: Set<String> = [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
        "first", "float", "forceescape", "format", "indent", "int", "items", "join", "last", "length", "list",
        "lower", "map", "max", "min", "pprint", "reject", "rejectattr", "replace", "reverse", "round", "safe",
        "select", "selectattr", "slice", "sort", "urlencode", "string", "striptags", "sum", "title", "tojson", "trim", "truncate",
        "unique", "upper", "wordcount",
    ]

    static func apply(_ name: String, _ original: Value, _ rawArgs: Arguments, _ interp: Interpreter, _ loc: SourceLocation) throws -> Value {
        switch (name, original) {
        case ("safe", .string(let s)): return .markup(s)
        case ("safe", _), ("e", .markup), ("escape", .markup): return original
        case ("e", _), ("escape", _), ("forceescape", _): return .markup(htmlEscape(original.pythonString))
        default: break
        }
        let v = original.plain
        let args = Arguments(rawArgs.positional.map(\.plain), keywords: rawArgs.keywords.map { ($0.0, $0.1.plain) })
        func undefinedError() -> JinjaError? {
            if case .undefined(let hint) = v { return interp.error(.undefined, hint, loc) }
            return nil
        }
        func str() -> String { v.pythonString }
        func items() throws -> [Value] { try interp.iterate(v, loc) }
        func intArg(_ i: Int, _ key: String, _ dflt: Int) throws -> Int {
            guard let a = args.get(i, key) else { return dflt }
            guard let n = a.integer else { throw interp.error(.type, "filter '\(name)': '\(key)' must be an integer", loc) }
            return n
        }
        func boolArg(_ i: Int, _ key: String) -> Bool { args.get(i, key)?.truthy ?? false }
        func stringArg(_ i: Int, _ key: String) -> String? {
            if case .string(let s)? = args.get(i, key) { return s }
            return nil
        }

        switch name {
        case "abs":
            switch v {
            case .int(let i): return .int(abs(i))
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d): return .float(abs(d))
            default: throw undefinedError() ?? interp.error(.type, "bad operand type for abs(): '\(v.typeName)'", loc)
            }
        case "attr":
            guard let n = stringArg(0, "name") else { throw interp.error(.type, "attr() needs a name", loc) }
            if case .dict(let d) = v { return Methods.dictMethod(d, n) ?? .undefined(hint: "'dict object' has no attribute '\(n)'") }
            return try interp.getAttribute(v, n, loc)
        case "batch":
            let size = try intArg(0, "linecount", 1)
            guard size > 0 else { throw interp.error(.runtime, "batch size must be positive", loc) }
            let fill = args.get(1, "fill_with")
            var batches: [Value] = []
            var current: [Value] = []
            for x in try items() {
                current.append(x)
                if current.count == size { batches.append(.list(current)); current = [] }
            }
            if !current.isEmpty {
                if let fill, !fill.isNone { while current.count < size { current.append(fill) } }
                batches.append(.list(current))
            }
            return .list(batches)
        case "capitalize": return .string(Methods.capitalize(str()))
        case "center":
            let width = try intArg(0, "width", 80)
            return try interp.callValue(Methods.stringMethod(str(), "center") ?? .none, Arguments([.int(width)]), loc)
        case "count", "length":
            switch v {
            case .string(let s): return .int(s.unicodeScalars.count)
            case .list(let a), .tuple(let a): return .int(a.count)
            case .dict(let d): return .int(d.count)
            case .namespace(let ns): return .int(ns.attributes.count)
            case .undefined: return .int(0)
            default: throw interp.error(.type, "object of type '\(v.typeName)' has no len()", loc)
            }
        case "d", "default":
            let useDefault = v.isUndefined || (boolArg(1, "boolean") && !v.truthy)
            return useDefault ? (args.get(0, "default_value") ?? .string("")) : v
        case "dictsort":
            guard case .dict(let d) = v else { throw undefinedError() ?? interp.error(.type, "dictsort needs a dict", loc) }
            let caseSensitive = boolArg(0, "case_sensitive")
            let byValue = stringArg(1, "by") == "value"
            let reverse = boolArg(2, "reverse")
            let pairs = try sorted(d.pairs.map { Value.tuple([$0, $1]) }, reverse: reverse, interp, loc) { pair in
                let key = pair.sequence?[byValue ? 1 : 0] ?? .none
                return caseSensitive ? key : foldCase(key)
            }
            return .list(pairs)
        case "e", "escape", "forceescape":
            return .string(htmlEscape(str()))
        case "first":
            if case .string(let s) = v { return s.unicodeScalars.first.map { .string(String($0)) } ?? .undefined(hint: "no first item, sequence was empty") }
            return try items().first ?? .undefined(hint: "no first item, sequence was empty")
        case "last":
            if case .string(let s) = v { return s.unicodeScalars.last.map { .string(String($0)) } ?? .undefined(hint: "no last item, sequence was empty") }
            return try items().last ?? .undefined(hint: "no last item, sequence was empty")
        case "float":
            let dflt = args.get(0, "default") ?? .float(0)
            switch v {
            case .int(let i): return .float(Double(i))
            case .bool(let b): return .float(b ? 1 : 0)
            case .float: return v
            case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces)).map { .float($0) } ?? dflt
            default: return dflt
            }
        case "int":
            let dflt = args.get(0, "default") ?? .int(0)
            let base = try intArg(1, "base", 10)
            switch v {
            case .int: return v
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d): return d.isFinite ? .int(Int(d.rounded(.towardZero))) : dflt
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
                if let i = Int(t, radix: base) { return .int(i) }
                if let d = Double(t), d.isFinite, abs(d) < 9.2e18 { return .int(Int(d.rounded(.towardZero))) }
                return dflt
            default: return dflt
            }
        case "format":
            return .string(try Operators.percentFormat(str(), args.keywords.isEmpty ? .tuple(args.positional) : .dict(OrderedDict(args.keywords.map { (.string($0.0), $0.1) })), loc, interp))
        case "indent":
            var indention = String(repeating: " ", count: 4)
            switch args.get(0, "width") {
            case .string(let s)?: indention = s
            case let w?: indention = String(repeating: " ", count: max(0, w.integer ?? 4))
            case nil: break
            }
            let first = boolArg(1, "first"), blank = boolArg(2, "blank")
            // jinja2 appends a newline before splitting so a trailing newline survives.
            var lines = Methods.splitLines(str() + "\n", keepEnds: false)
            var out: String
            if blank {
                out = lines.joined(separator: "\n" + indention)
            } else {
                out = lines.isEmpty ? "" : lines.removeFirst()
                if !lines.isEmpty { out += "\n" + lines.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n") }
            }
            return .string(first ? indention + out : out)
        case "items":
            switch v {
            case .dict(let d): return .list(d.pairs.map { .tuple([$0, $1]) })
            case .undefined: return .list([])
            default: throw interp.error(.type, "can only get item pairs from a mapping, not \(v.typeName)", loc)
            }
        case "join":
            let separator = stringArg(0, "d") ?? ""
            var elements = try items()
            if let attribute = args.get(1, "attribute") {
                elements = try elements.map { try getPath($0, attribute, interp, loc) }
            }
            return .string(elements.map(\.pythonString).joined(separator: separator))
        case "list":
            return .list(try items())
        case "lower": return .string(str().lowercased())
        case "upper": return .string(str().uppercased())
        case "title": return .string(jinjaTitle(str()))
        case "map":
            guard v.truthy else { return .generator([]) }
            let elements = try items()
            if let attribute = args.keyword("attribute") {
                let dflt = args.keyword("default")
                return .generator(try elements.map { x in
                    let r = try getPath(x, attribute, interp, loc)
                    if r.isUndefined, let dflt { return dflt }
                    return r
                })
            }
            guard case .string(let filterName)? = args.positional.first else {
                throw interp.error(.type, "map() needs a filter name or attribute=", loc)
            }
            guard names.contains(filterName) else { throw interp.error(.assertion, "no filter named '\(filterName)'", loc) }
            let rest = Arguments(Array(args.positional.dropFirst()), keywords: args.keywords)
            return .generator(try elements.map { try apply(filterName, $0, rest, interp, loc) })
        case "select", "reject", "selectattr", "rejectattr":
            // jinja2 yields nothing for a falsy value (`if value: for item in value`), so `none` works.
            guard v.truthy else { return .generator([]) }
            let byAttribute = name.hasSuffix("attr")
            let keep = name.hasPrefix("select")
            var positional = args.positional
            var attribute: Value?
            if byAttribute {
                guard !positional.isEmpty else { throw interp.error(.type, "\(name)() needs an attribute name", loc) }
                attribute = positional.removeFirst()
            }
            var testName: String?
            if !positional.isEmpty {
                guard case .string(let t) = positional.removeFirst() else { throw interp.error(.type, "\(name)() test name must be a string", loc) }
                guard Tests.names.contains(t) else { throw interp.error(.assertion, "no test named '\(t)'", loc) }
                testName = t
            }
            let testArgs = Arguments(positional, keywords: args.keywords)
            return .generator(try items().filter { x in
                let subject = try attribute.map { try getPath(x, $0, interp, loc) } ?? x
                let passed = try testName.map { try Tests.apply($0, subject, testArgs, interp, loc) } ?? subject.truthy
                return passed == keep
            })
        case "max", "min":
            let elements = try items()
            let caseSensitive = boolArg(0, "case_sensitive")
            let attribute = args.get(1, "attribute")
            guard !elements.isEmpty else { return .undefined(hint: "no \(name) item, sequence was empty") }
            let sortedItems = try sorted(elements, reverse: false, interp, loc) { x in
                let k = try attribute.map { try getPath(x, $0, interp, loc) } ?? x
                return caseSensitive ? k : foldCase(k)
            }
            // Python's min/max return the first of equal extremes.
            if name == "min" { return sortedItems[0] }
            let keyOf: (Value) throws -> Value = { x in
                let k = try attribute.map { try getPath(x, $0, interp, loc) } ?? x
                return caseSensitive ? k : foldCase(k)
            }
            let top = try keyOf(sortedItems[sortedItems.count - 1])
            return try sortedItems.first { try keyOf($0) == top } ?? sortedItems[sortedItems.count - 1]
        case "pprint": return .string(v.pythonRepr)
        case "replace":
            guard let old = stringArg(0, "old"), let new = args.get(1, "new") else { throw interp.error(.type, "replace() needs old and new strings", loc) }
            return .string(Methods.replace(str(), old, new.pythonString, count: args.get(2, "count")?.integer ?? -1))
        case "reverse":
            if case .string(let s) = v { return .string(Methods.string(s.unicodeScalars.reversed())) }
            return .list(try items().reversed())
        case "round":
            let precision = try intArg(0, "precision", 0)
            let method = stringArg(1, "method") ?? "common"
            guard let x = v.number else { throw undefinedError() ?? interp.error(.type, "round() needs a number, got \(v.typeName)", loc) }
            if method == "common", case .int = v { return v }
            let scale = pow(10.0, Double(precision))
            switch method {
            case "common":
                // Python's round() rounds the exact binary value half-to-even, like printf.
                return .float(Double(String(format: "%.\(max(0, precision))f", x)) ?? x)
            case "ceil": return .float((x * scale).rounded(.up) / scale)
            case "floor": return .float((x * scale).rounded(.down) / scale)
            default: throw interp.error(.runtime, "method must be common, ceil or floor", loc)
            }
        case "safe": return v
        case "slice":
            let count = try intArg(0, "slices", 1)
            guard count > 0 else { throw interp.error(.runtime, "slice count must be positive", loc) }
            let fill = args.get(1, "fill_with")
            let seq = try items()
            let perSlice = seq.count / count, extra = seq.count % count
            var offset = 0
            var out: [Value] = []
            for i in 0..<count {
                let size = perSlice + (i < extra ? 1 : 0)
                var part = Array(seq[offset..<offset + size])
                offset += size
                if let fill, !fill.isNone, i >= extra, extra > 0 { part.append(fill) }
                out.append(.list(part))
            }
            return .list(out)
        case "urlencode":
            func quote(_ s: String) -> String {
                var out = ""
                for b in s.utf8 {
                    let c = Character(Unicode.Scalar(b))
                    if b < 0x80, c.isLetter || c.isNumber || "_.-~/".contains(c) { out.append(c) } else {
                        out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
                    }
                }
                return out
            }
            if case .dict(let d) = v { return .string(d.pairs.map { quote($0.pythonString) + "=" + quote($1.pythonString) }.joined(separator: "&")) }
            return .string(quote(str()))
        case "sort":
            let reverse = boolArg(0, "reverse")
            let caseSensitive = boolArg(1, "case_sensitive")
            let attribute = args.get(2, "attribute")
            return .list(try sorted(try items(), reverse: reverse, interp, loc) { x in
                let k = try attribute.map { try getPath(x, $0, interp, loc) } ?? x
                return caseSensitive ? k : foldCase(k)
            })
        case "string": return .string(str())
        case "striptags":
            var out = "", inTag = false
            for c in str() { if c == "<" { inTag = true } else if c == ">" { inTag = false } else if !inTag { out.append(c) } }
            return .string(out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " "))
        case "sum":
            let attribute = args.get(0, "attribute")
            var total = args.get(1, "start") ?? .int(0)
            for x in try items() {
                total = try Operators.binary("+", total, try attribute.map { try getPath(x, $0, interp, loc) } ?? x, loc, interp)
            }
            return total
        case "tojson":
            // transformers' signature: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)
            var indent: String?
            switch args.get(1, "indent") {
            case .int(let n)?: indent = String(repeating: " ", count: max(0, n))
            case .string(let s)?: indent = s
            default: indent = nil
            }
            var itemSeparator = indent == nil ? ", " : ",", keySeparator = ": "
            if let seps = args.get(2, "separators")?.sequence, seps.count == 2 {
                itemSeparator = seps[0].pythonString
                keySeparator = seps[1].pythonString
            }
            let options = JSONOptions(
                indent: indent, itemSeparator: itemSeparator, keySeparator: keySeparator,
                ensureASCII: args.get(0, "ensure_ascii")?.truthy ?? false, sortKeys: args.get(3, "sort_keys")?.truthy ?? false)
            var out = ""
            try writeJSON(v, options, level: 0, into: &out, interp, loc)
            return .string(out)
        case "trim":
            return .string(try Methods.strip(str(), args.get(0, "chars"), leading: true, trailing: true))
        case "truncate":
            let s = Array(str().unicodeScalars)
            let length = try intArg(0, "length", 255)
            let killwords = boolArg(1, "killwords")
            let end = stringArg(2, "end") ?? "..."
            let leeway = try intArg(3, "leeway", 5)
            if s.count <= length + leeway { return .string(str()) }
            let cut = Methods.string(s.prefix(max(0, length - end.unicodeScalars.count)))
            if killwords { return .string(cut + end) }
            let words = try Methods.split(cut, .string(" "), -1)
            return .string((words.count > 1 ? words.dropLast().joined(separator: " ") : cut) + end)
        case "unique":
            let caseSensitive = boolArg(0, "case_sensitive")
            let attribute = args.get(1, "attribute")
            var seen: Set<Value> = []
            var out: [Value] = []
            for x in try items() {
                var k = try attribute.map { try getPath(x, $0, interp, loc) } ?? x
                if !caseSensitive { k = foldCase(k) }
                if seen.insert(k).inserted { out.append(x) }
            }
            return .list(out)
        case "wordcount":
            var count = 0, inWord = false
            for u in str().unicodeScalars {
                let w = u.properties.isAlphabetic || u.properties.numericType != nil || u == "_"
                if w && !inWord { count += 1 }
                inWord = w
            }
            return .int(count)
        default:
            throw interp.error(.runtime, "no filter named '\(name)'", loc)
        }
    }

    // MARK: - Helpers

    /// jinja2's attribute getter: `"a.b.0"` walks items first, then attributes.
    static func getPath(_ x: Value, _ attribute: Value, _ interp: Interpreter, _ loc: SourceLocation) throws -> Value {
        guard case .string(let path) = attribute else {
            return try interp.getItem(x, attribute, loc)
        }
        var v = x
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            let key: Value = Int(part).map { .int($0) } ?? .string(String(part))
            if case .undefined = v { return v }
            v = try interp.getItem(v, key, loc)
        }
        return v
    }

    static func foldCase(_ v: Value) -> Value {
        if case .string(let s) = v { return .string(s.lowercased()) }
        return v
    }

    /// A stable sort with Python ordering of the keys.
    static func sorted(_ xs: [Value], reverse: Bool, _ interp: Interpreter, _ loc: SourceLocation, key: (Value) throws -> Value) throws -> [Value] {
        let keyed = try xs.enumerated().map { (try key($1), $0, $1) }
        var failure: JinjaError?
        let result = keyed.sorted { a, b in
            do {
                let c = try Operators.order(a.0, b.0, "<", loc, interp)
                if c != 0 { return reverse ? c > 0 : c < 0 }
            } catch let e as JinjaError {
                failure = failure ?? e
            } catch {}
            return a.1 < b.1
        }
        if let failure { throw failure }
        return result.map(\.2)
    }

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// jinja2's `title` filter: words start after whitespace, `-`, and opening brackets.
    static func jinjaTitle(_ s: String) -> String {
        var out = ""
        var atStart = true
        for u in s.unicodeScalars {
            let boundary = Methods.isSpace(u) || "-({[<".unicodeScalars.contains(u)
            if boundary {
                out.unicodeScalars.append(u)
                atStart = true
            } else {
                out += atStart ? String(u).uppercased() : String(u).lowercased()
                atStart = false
            }
        }
        return out
    }

    // MARK: - JSON (Python json.dumps)

    struct JSONOptions {
        var indent: String?
        var itemSeparator: String
        var keySeparator: String
        var ensureASCII: Bool
        var sortKeys: Bool
    }

    static func jsonString(_ s: String, ensureASCII: Bool) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || (ensureASCII && u.value > 0x7E) {
                    func hex(_ x: UInt32) -> String {
                        let h = String(x, radix: 16)
                        return "\\u" + String(repeating: "0", count: 4 - h.count) + h
                    }
                    if u.value > 0xFFFF {
                        let v = u.value - 0x10000
                        out += hex(0xD800 + (v >> 10)) + hex(0xDC00 + (v & 0x3FF))
                    } else {
                        out += hex(u.value)
                    }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    static func jsonFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        return Value.formatFloat(d)
    }

    static func writeJSON(_ v: Value, _ o: JSONOptions, level: Int, into out: inout String, _ interp: Interpreter, _ loc: SourceLocation) throws {
        guard level < 200 else { throw interp.error(.limit, "tojson: value nests too deeply", loc) }
        func newline(_ l: Int) {
            if let indent = o.indent { out += "\n" + String(repeating: indent, count: l) }
        }
        switch v {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d): out += jsonFloat(d)
        case .string(let s), .markup(let s): out += jsonString(s, ensureASCII: o.ensureASCII)
        case .list(let a), .tuple(let a):
            guard !a.isEmpty else { out += "[]"; return }
            out += "["
            for (i, x) in a.enumerated() {
                if i > 0 { out += o.itemSeparator }
                newline(level + 1)
                try writeJSON(x, o, level: level + 1, into: &out, interp, loc)
            }
            newline(level)
            out += "]"
        case .dict(let d):
            guard !d.isEmpty else { out += "{}"; return }
            var pairs: [(String, Value)] = try d.pairs.map { k, x in
                switch k {
                case .string(let s): return (s, x)
                case .int(let i): return (String(i), x)
                case .float(let f): return (jsonFloat(f), x)
                case .bool(let b): return (b ? "true" : "false", x)
                case .none: return ("null", x)
                default: throw interp.error(.type, "keys must be str, int, float, bool or None, not \(k.typeName)", loc)
                }
            }
            if o.sortKeys { pairs.sort { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) } }
            out += "{"
            for (i, (k, x)) in pairs.enumerated() {
                if i > 0 { out += o.itemSeparator }
                newline(level + 1)
                out += jsonString(k, ensureASCII: o.ensureASCII) + o.keySeparator
                try writeJSON(x, o, level: level + 1, into: &out, interp, loc)
            }
            newline(level)
            out += "}"
        case .undefined, .namespace, .callable, .generator:
            throw interp.error(.type, "Object of type \(v.typeName) is not JSON serializable", loc)
        }
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
