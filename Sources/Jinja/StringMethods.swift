/// The Python `str`, `dict` and `list` methods templates call (`s.strip()`, `d.items()`...).
/// Strings are handled as Unicode scalars, as Python indexes them by code point.
enum Methods {
    typealias Scalars = [Unicode.Scalar]

    // MARK: - Scalar helpers

    static func isSpace(_ u: Unicode.Scalar) -> Bool {
        u.properties.isWhitespace || (u.value >= 0x1C && u.value <= 0x1F)
    }

    static func find(_ s: Scalars, _ sub: Scalars, from: Int) -> Int? {
        guard !sub.isEmpty else { return from <= s.count ? from : nil }
        guard s.count >= sub.count, from <= s.count - sub.count else { return nil }
        var i = max(0, from)
        let first = sub[0]
        while i <= s.count - sub.count {
            if s[i] == first {
                var j = 1
                while j < sub.count, s[i + j] == sub[j] { j += 1 }
                if j == sub.count { return i }
            }
            i += 1
        }
        return nil
    }

    static func string(_ s: some Sequence<Unicode.Scalar>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s)
        return String(v)
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: Int = -1) -> String {
        let src = Array(s.unicodeScalars), o = Array(old.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0, done = 0
        if o.isEmpty {
            // Python inserts `new` between every character and at both ends.
            for u in src where count < 0 || done < count {
                out.append(contentsOf: new.unicodeScalars); out.append(u); done += 1; i += 1
            }
            out.append(contentsOf: src[i...])
            if count < 0 || done < count { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        while count < 0 || done < count, let j = find(src, o, from: i) {
            out.append(contentsOf: src[i..<j])
            out.append(contentsOf: new.unicodeScalars)
            i = j + o.count
            done += 1
        }
        out.append(contentsOf: src[i...])
        return String(out)
    }

    static func strip(_ s: String, _ chars: Value?, leading: Bool, trailing: Bool) throws -> String {
        let set: Set<Unicode.Scalar>?
        switch chars {
        case nil, .none?: set = nil
        case .string(let c)?: set = Set(c.unicodeScalars)
        case let v?: throw JinjaError(.type, "strip arg must be None or str, not \(v.typeName)")
        }
        let strips: (Unicode.Scalar) -> Bool = { set?.contains($0) ?? isSpace($0) }
        var a = Array(s.unicodeScalars)[...]
        if leading { while let f = a.first, strips(f) { a.removeFirst() } }
        if trailing { while let l = a.last, strips(l) { a.removeLast() } }
        return string(a)
    }

    static func split(_ s: String, _ sep: Value?, _ maxSplit: Int) throws -> [String] {
        let src = Array(s.unicodeScalars)
        switch sep {
        case nil, .none?:
            var parts: [String] = []
            var i = 0
            while i < src.count {
                while i < src.count, isSpace(src[i]) { i += 1 }
                guard i < src.count else { break }
                if maxSplit >= 0, parts.count == maxSplit {
                    var end = src.count
                    while end > i, isSpace(src[end - 1]) { end -= 1 }
                    parts.append(string(src[i..<end]))
                    return parts
                }
                let start = i
                while i < src.count, !isSpace(src[i]) { i += 1 }
                parts.append(string(src[start..<i]))
            }
            return parts
        case .string(let sepString)?:
            let sp = Array(sepString.unicodeScalars)
            guard !sp.isEmpty else { throw JinjaError(.type, "empty separator") }
            var parts: [String] = []
            var i = 0
            while maxSplit < 0 || parts.count < maxSplit, let j = find(src, sp, from: i) {
                parts.append(string(src[i..<j]))
                i = j + sp.count
            }
            parts.append(string(src[i...]))
            return parts
        case let v?:
            throw JinjaError(.type, "must be str or None, not \(v.typeName)")
        }
    }

    static func splitLines(_ s: String, keepEnds: Bool) -> [String] {
        let src = Array(s.unicodeScalars)
        var lines: [String] = []
        var start = 0, i = 0
        let breaks: Set<UInt32> = [0x0A, 0x0D, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
        while i < src.count {
            if breaks.contains(src[i].value) {
                var end = i + 1
                if src[i] == "\r", i + 1 < src.count, src[i + 1] == "\n" { end += 1 }
                lines.append(string(src[start..<(keepEnds ? end : i)]))
                start = end
                i = end
            } else {
                i += 1
            }
        }
        if start < src.count { lines.append(string(src[start...])) }
        return lines
    }

    /// Python `str.title`: a letter after a non-letter is upper-cased, other letters lower-cased.
    static func pythonTitle(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for u in s.unicodeScalars {
            let ch = String(u)
            let cased = u.properties.isCased
            out += cased ? (previousCased ? ch.lowercased() : ch.uppercased()) : ch
            previousCased = cased
        }
        return out
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return s }
        return String(first).uppercased() + string(s.unicodeScalars.dropFirst()).lowercased()
    }

    private static func prefixes(_ v: Value?) throws -> [String] {
        switch v {
        case .string(let p)?: return [p]
        case .list(let a)?, .tuple(let a)?:
            return try a.map {
                guard case .string(let p) = $0 else { throw JinjaError(.type, "tuple for startswith must only contain str, not \($0.typeName)") }
                return p
            }
        default: throw JinjaError(.type, "startswith first arg must be str or a tuple of str, not \(v?.typeName ?? "nothing")")
        }
    }

    /// Python `str.format` with `{}`, `{0}`, `{name}`, `{name.attr}` is not supported; `{{`/`}}`
    /// escape braces. A format spec after `:` is applied for simple widths only.
    static func format(_ s: String, _ args: Arguments) throws -> String {
        var out = ""
        var auto = 0
        var it = Array(s.unicodeScalars)[...]
        while let c = it.popFirst() {
            if c == "}" {
                if it.first == "}" { it.removeFirst() }
                out += "}"
                continue
            }
            guard c == "{" else { out.unicodeScalars.append(c); continue }
            if it.first == "{" { it.removeFirst(); out += "{"; continue }
            var field = ""
            while let d = it.popFirst(), d != "}" { field.unicodeScalars.append(d) }
            let parts = field.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts.first ?? "")
            let spec = parts.count > 1 ? String(parts[1]) : "" 
            let value: Value
            if name.isEmpty {
                guard auto < args.positional.count else { throw JinjaError(.type, "Replacement index \(auto) out of range for positional args tuple") }
                value = args.positional[auto]
                auto += 1
            } else if let i = Int(name) {
                guard i < args.positional.count else { throw JinjaError(.type, "Replacement index \(i) out of range for positional args tuple") }
                value = args.positional[i]
            } else {
                guard let v = args.keyword(name) else { throw JinjaError(.type, "KeyError: '\(name)'") }
                value = v
            }
            out += try formatSpec(value, spec)
        }
        return out
    }

    /// Python's format-spec mini language: `[[fill]align][sign][0][width][,][.precision][type]`.
    static func formatSpec(_ value: Value, _ spec: String) throws -> String {
        guard !spec.isEmpty else { return value.pythonString }
        var s = Array(spec.unicodeScalars)[...]
        var fill: Unicode.Scalar = " ", align: Unicode.Scalar?
        if s.count >= 2, "<>^=".unicodeScalars.contains(s[s.startIndex + 1]) {
            fill = s.removeFirst(); align = s.removeFirst()
        } else if let f = s.first, "<>^=".unicodeScalars.contains(f) {
            align = s.removeFirst()
        }
        var sign: Unicode.Scalar = "-"
        if let f = s.first, "+- ".unicodeScalars.contains(f) { sign = s.removeFirst() }
        if s.first == "0" { s.removeFirst(); if align == nil { fill = "0"; align = "=" } }
        var width = 0
        while let d = s.first, let v = Int(String(d)) { width = width * 10 + v; s.removeFirst() }
        var precision: Int?
        if s.first == "." {
            s.removeFirst()
            var p = 0
            while let d = s.first, let v = Int(String(d)) { p = p * 10 + v; s.removeFirst() }
            precision = p
        }
        let type = s.first
        var body: String
        var isNumber = false
        switch (type, value) {
        case ("f"?, _), ("F"?, _), ("%"?, _), ("e"?, _), ("g"?, _):
            guard let x = value.number else { throw JinjaError(.type, "Unknown format code for object of type '\(value.typeName)'") }
            isNumber = true
            let t = type == "F" ? "f" : String(type ?? "f")
            let v = type == "%" ? x * 100 : x
            body = String(format: "%.\(precision ?? 6)\(t == "%" ? "f" : t)", v) + (type == "%" ? "%" : "")
        case ("d"?, _), (nil, .int), (nil, .float):
            isNumber = true
            if let p = precision, let x = value.number { body = String(format: "%.\(p)f", x) } else { body = value.pythonString }
        case ("s"?, _), (nil, _):
            body = value.pythonString
            if let p = precision { body = string(body.unicodeScalars.prefix(p)) }
        default:
            throw JinjaError(.type, "unsupported format spec '\(spec)'")
        }
        if isNumber, sign != "-", !body.hasPrefix("-") { body = (sign == "+" ? "+" : " ") + body }
        let n = body.unicodeScalars.count
        guard width > n else { return body }
        let pad = width - n
        let padding = { (k: Int) in String(repeating: String(fill), count: k) }
        switch align ?? (isNumber ? ">" : "<") {
        case ">": return padding(pad) + body
        case "^": return padding(pad / 2) + body + padding(pad - pad / 2)
        case "=":
            if let f = body.unicodeScalars.first, f == "-" || f == "+" || f == " " {
                return String(f) + padding(pad) + string(body.unicodeScalars.dropFirst())
            }
            return padding(pad) + body
        default: return body + padding(pad)
        }
    }

    // MARK: - Method tables

    static func stringMethod(_ s: String, _ name: String) -> Value? {
        func method(_ body: @escaping (Arguments) throws -> Value) -> Value { .callable(Callable("str.\(name)", body)) }
        func predicate(_ test: @escaping (Unicode.Scalar) -> Bool) -> Value {
            method { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(test)) }
        }
        switch name {
        case "strip": return method { .string(try strip(s, $0.get(0, "chars"), leading: true, trailing: true)) }
        case "lstrip": return method { .string(try strip(s, $0.get(0, "chars"), leading: true, trailing: false)) }
        case "rstrip": return method { .string(try strip(s, $0.get(0, "chars"), leading: false, trailing: true)) }
        case "split":
            return method { .list(try split(s, $0.get(0, "sep"), $0.get(1, "maxsplit")?.integer ?? -1).map { .string($0) }) }
        case "rsplit":
            return method { args in
                let maxSplit = args.get(1, "maxsplit")?.integer ?? -1
                guard maxSplit >= 0 else { return .list(try split(s, args.get(0, "sep"), -1).map { .string($0) }) }
                // Split the reversed text with the reversed separator, then reverse back.
                let rev = string(s.unicodeScalars.reversed())
                var sep = args.get(0, "sep")
                if case .string(let x)? = sep { sep = .string(string(x.unicodeScalars.reversed())) }
                return .list(try split(rev, sep, maxSplit).reversed().map { .string(string($0.unicodeScalars.reversed())) })
            }
        case "splitlines": return method { .list(splitLines(s, keepEnds: $0.get(0, "keepends")?.truthy ?? false).map { .string($0) }) }
        case "startswith", "endswith":
            return method { args in
                let all = Array(s.unicodeScalars)
                var lo = args.get(1, "start")?.integer ?? 0, hi = args.get(2, "end")?.integer ?? all.count
                if lo < 0 { lo = max(0, lo + all.count) }
                if hi < 0 { hi = max(0, hi + all.count) }
                lo = min(lo, all.count)
                hi = min(hi, all.count)
                guard lo <= hi else { return .bool(false) }
                let window = all[lo..<hi]
                return .bool(try prefixes(args.get(0, name == "startswith" ? "prefix" : "suffix")).contains {
                    name == "startswith" ? window.starts(with: $0.unicodeScalars) : window.reversed().starts(with: $0.unicodeScalars.reversed())
                })
            }
        case "partition", "rpartition":
            return method { args in
                guard case .string(let sep)? = args.get(0, "sep"), !sep.isEmpty else { throw JinjaError(.type, "\(name)() needs a non-empty separator") }
                let a = Array(s.unicodeScalars), b = Array(sep.unicodeScalars)
                guard let j = name == "partition" ? find(a, b, from: 0) : lastIndex(a, b) else {
                    return name == "partition" ? .tuple([.string(s), "", ""]) : .tuple(["", "", .string(s)])
                }
                return .tuple([.string(string(a[..<j])), .string(sep), .string(string(a[(j + b.count)...]))])
            }
        case "zfill":
            return method { args in
                let width = args.get(0, "width")?.integer ?? 0
                var a = Array(s.unicodeScalars)
                guard width > a.count else { return .string(s) }
                let signed = a.first == "+" || a.first == "-"
                a.insert(contentsOf: Array(repeating: "0", count: width - a.count), at: signed ? 1 : 0)
                return .string(string(a))
            }
        case "format_map":
            return method { args in
                guard case .dict(let d)? = args.get(0, "mapping") else { throw JinjaError(.type, "format_map() needs a dict") }
                return .string(try format(s, Arguments([], keywords: d.pairs.map { ($0.pythonString, $1) })))
            }
        case "upper": return method { _ in .string(s.uppercased()) }
        case "lower": return method { _ in .string(s.lowercased()) }
        case "title": return method { _ in .string(pythonTitle(s)) }
        case "capitalize": return method { _ in .string(capitalize(s)) }
        case "swapcase":
            return method { _ in .string(s.unicodeScalars.map { u in
                u.properties.isUppercase ? String(u).lowercased() : u.properties.isLowercase ? String(u).uppercased() : String(u)
            }.joined()) }
        case "replace":
            return method { args in
                guard case .string(let old)? = args.get(0, "old"), case .string(let new)? = args.get(1, "new") else {
                    throw JinjaError(.type, "replace() arguments must be str")
                }
                return .string(replace(s, old, new, count: args.get(2, "count")?.integer ?? -1))
            }
        case "format": return method { .string(try format(s, $0)) }
        case "join":
            return method { args in
                let items: [Value]
                switch args.get(0, "iterable") {
                case .list(let a)?, .tuple(let a)?, .generator(let a)?: items = a
                case .dict(let d)?: items = d.keys
                case .string(let x)?: items = x.unicodeScalars.map { .string(String($0)) }
                default: throw JinjaError(.type, "can only join an iterable")
                }
                return .string(try items.map {
                    guard case .string(let x) = $0 else { throw JinjaError(.type, "sequence item: expected str instance, \($0.typeName) found") }
                    return x
                }.joined(separator: s))
            }
        case "find", "index", "rfind", "rindex", "count":
            return method { args in
                guard case .string(let sub)? = args.get(0, "sub") else { throw JinjaError(.type, "\(name)() argument must be str") }
                let a = Array(s.unicodeScalars), b = Array(sub.unicodeScalars)
                var hits: [Int] = []
                var i = 0
                while let j = find(a, b, from: i) {
                    hits.append(j)
                    i = j + max(b.count, 1)
                    if name == "find" || name == "index" { break }
                }
                if name == "count" { return .int(hits.count) }
                let r = name.hasPrefix("r") ? (b.isEmpty ? a.count : lastIndex(a, b)) : hits.first
                if let r { return .int(r) }
                if name.hasSuffix("index") { throw JinjaError(.type, "substring not found") }
                return .int(-1)
            }
        case "isdigit", "isnumeric", "isdecimal": return predicate { $0.properties.numericType != nil }
        case "isalpha": return predicate { $0.properties.isAlphabetic }
        case "isalnum": return predicate { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        case "isspace": return predicate(isSpace)
        case "isupper":
            return method { _ in .bool(s.unicodeScalars.contains { $0.properties.isCased } && !s.unicodeScalars.contains { $0.properties.isLowercase }) }
        case "islower":
            return method { _ in .bool(s.unicodeScalars.contains { $0.properties.isCased } && !s.unicodeScalars.contains { $0.properties.isUppercase }) }
        case "removeprefix":
            return method { args in
                guard case .string(let p)? = args.get(0, "prefix") else { throw JinjaError(.type, "removeprefix() argument must be str") }
                return .string(s.unicodeScalars.starts(with: p.unicodeScalars) ? string(s.unicodeScalars.dropFirst(p.unicodeScalars.count)) : s)
            }
        case "removesuffix":
            return method { args in
                guard case .string(let p)? = args.get(0, "suffix") else { throw JinjaError(.type, "removesuffix() argument must be str") }
                return .string(!p.isEmpty && s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed()) ? string(s.unicodeScalars.dropLast(p.unicodeScalars.count)) : s)
            }
        case "center", "ljust", "rjust":
            return method { args in
                let width = args.get(0, "width")?.integer ?? 0
                var fill = " "
                if case .string(let f)? = args.get(1, "fillchar") { fill = f }
                let n = s.unicodeScalars.count
                guard width > n else { return .string(s) }
                let total = width - n
                let left = name == "ljust" ? 0 : name == "rjust" ? total : total / 2 + (total & width & 1)
                return .string(String(repeating: fill, count: left) + s + String(repeating: fill, count: total - left))
            }
        default: return nil
        }
    }

    private static func lastIndex(_ a: Scalars, _ b: Scalars) -> Int? {
        var last: Int?
        var i = 0
        while let j = find(a, b, from: i) { last = j; i = j + 1 }
        return last
    }

    static func dictMethod(_ d: OrderedDict, _ name: String) -> Value? {
        func method(_ body: @escaping (Arguments) throws -> Value) -> Value { .callable(Callable("dict.\(name)", body)) }
        switch name {
        case "items": return method { _ in .list(d.pairs.map { .tuple([$0, $1]) }) }
        case "keys": return method { _ in .list(d.keys) }
        case "values": return method { _ in .list(d.values) }
        case "get": return method { args in d[args.get(0, "key") ?? .none] ?? args.get(1, "default") ?? .none }
        case "copy": return method { _ in .dict(d) }
        default: return nil
        }
    }

    static func listMethod(_ a: [Value], _ name: String) -> Value? {
        switch name {
        case "index":
            return .callable(Callable("list.index") { args in
                guard let i = a.firstIndex(of: args.get(0, "value") ?? .none) else { throw JinjaError(.type, "value is not in list") }
                return .int(i)
            })
        case "count":
            return .callable(Callable("list.count") { args in .int(a.filter { $0 == args.get(0, "value") ?? .none }.count) })
        default: return nil
        }
    }
}
