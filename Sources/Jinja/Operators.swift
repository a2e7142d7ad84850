import Foundation

/// Python semantics of the binary and comparison operators.
enum Operators {
    static func binary(_ op: String, _ a: Value, _ b: Value, _ loc: SourceLocation, _ interp: Interpreter) throws -> Value {
        if op == "~" { return .string(a.pythonString + b.pythonString) }
        // Markup + str escapes the str (markupsafe `Markup.__add__` / `__radd__`).
        switch (op, a, b) {
        case ("+", .markup(let x), .markup(let y)): return .markup(x + y)
        case ("+", .markup(let x), .string(let y)): return .markup(x + Filters.htmlEscape(y))
        case ("+", .string(let x), .markup(let y)): return .markup(Filters.htmlEscape(x) + y)
        case ("%", .markup(let fmt), _):
            let escaped: Value
            switch b {
            case .tuple(let items): escaped = .tuple(items.map { if case .string(let s) = $0 { .markup(Filters.htmlEscape(s)) } else { $0 } })
            case .string(let s): escaped = .markup(Filters.htmlEscape(s))
            default: escaped = b
            }
            return .markup(try percentFormat(fmt, escaped, loc, interp))
        default: break
        }
        let a = a.plain, b = b.plain
        if case .undefined(let hint) = a { throw interp.error(.undefined, hint, loc) }
        if case .undefined(let hint) = b { throw interp.error(.undefined, hint, loc) }
        func unsupported() -> JinjaError {
            interp.error(.type, "unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'", loc)
        }
        switch (op, a, b) {
        case ("+", .string(let x), .string(let y)): return .string(x + y)
        case ("+", .list(let x), .list(let y)): return .list(x + y)
        case ("+", .tuple(let x), .tuple(let y)): return .tuple(x + y)
        case ("*", .string(let s), _) where b.integer != nil, ("*", _, .string(let s)) where a.integer != nil:
            let n = (b.integer ?? a.integer) ?? 0
            guard n > 0 else { return .string("") }
            guard n.multipliedReportingOverflow(by: s.utf8.count).partialValue < 100_000_000 else { throw interp.error(.limit, "string repetition too large", loc) }
            return .string(String(repeating: s, count: n))
        case ("*", .list(let l), _) where b.integer != nil, ("*", _, .list(let l)) where a.integer != nil:
            let n = (b.integer ?? a.integer) ?? 0
            guard n > 0 else { return .list([]) }
            guard n.multipliedReportingOverflow(by: l.count).partialValue < 10_000_000 else { throw interp.error(.limit, "list repetition too large", loc) }
            return .list(Array([[Value]](repeating: l, count: n).joined()))
        case ("%", .string(let fmt), _):
            return .string(try percentFormat(fmt, b, loc, interp))
        default: break
        }
        if let x = a.integer, let y = b.integer {
            switch op {
            case "+": let (r, o) = x.addingReportingOverflow(y); return o ? .float(Double(x) + Double(y)) : .int(r)
            case "-": let (r, o) = x.subtractingReportingOverflow(y); return o ? .float(Double(x) - Double(y)) : .int(r)
            case "*": let (r, o) = x.multipliedReportingOverflow(by: y); return o ? .float(Double(x) * Double(y)) : .int(r)
            case "/":
                guard y != 0 else { throw interp.error(.runtime, "division by zero", loc) }
                return .float(Double(x) / Double(y))
            case "//":
                guard y != 0 else { throw interp.error(.runtime, "integer division or modulo by zero", loc) }
                return .int(floorDiv(x, y))
            case "%":
                guard y != 0 else { throw interp.error(.runtime, "integer division or modulo by zero", loc) }
                return .int(x - floorDiv(x, y) * y)
            case "**":
                if y >= 0 {
                    var r = 1, overflow = false
                    for _ in 0..<min(y, 64) where !overflow {
                        let (p, o) = r.multipliedReportingOverflow(by: x)
                        r = p
                        overflow = o
                    }
                    if !overflow && (y <= 64 || x == 0 || x == 1) { return .int(x == 1 ? 1 : r) }
                }
                return .float(pow(Double(x), Double(y)))
            default: throw unsupported()
            }
        }
        if let x = a.number, let y = b.number {
            switch op {
            case "+": return .float(x + y)
            case "-": return .float(x - y)
            case "*": return .float(x * y)
            case "/":
                guard y != 0 else { throw interp.error(.runtime, "float division by zero", loc) }
                return .float(x / y)
            case "//":
                guard y != 0 else { throw interp.error(.runtime, "float floor division by zero", loc) }
                return .float((x / y).rounded(.down))
            case "%":
                guard y != 0 else { throw interp.error(.runtime, "float modulo", loc) }
                let r = fmod(x, y)
                return .float(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            case "**": return .float(pow(x, y))
            default: throw unsupported()
            }
        }
        throw unsupported()
    }

    static func floorDiv(_ x: Int, _ y: Int) -> Int {
        let q = x / y
        return (x % y != 0) && ((x < 0) != (y < 0)) ? q - 1 : q
    }

    static func compare(_ op: String, _ a: Value, _ b: Value, _ loc: SourceLocation, _ interp: Interpreter) throws -> Bool {
        let a = a.plain, b = b.plain
        switch op {
        case "==": return a == b
        case "!=": return a != b
        case "in": return try contains(b, a, loc, interp)
        case "not in": return !(try contains(b, a, loc, interp))
        default:
            let c = try order(a, b, op, loc, interp)
            switch op {
            case "<": return c < 0
            case "<=": return c <= 0
            case ">": return c > 0
            default: return c >= 0
            }
        }
    }

    /// Python ordering: -1, 0 or 1; a TypeError between unrelated types.
    static func order(_ a: Value, _ b: Value, _ op: String, _ loc: SourceLocation, _ interp: Interpreter) throws -> Int {
        let a = a.plain, b = b.plain
        if case .undefined(let hint) = a { throw interp.error(.undefined, hint, loc) }
        if case .undefined(let hint) = b { throw interp.error(.undefined, hint, loc) }
        if let x = a.integer, let y = b.integer { return x < y ? -1 : x > y ? 1 : 0 }
        if let x = a.number, let y = b.number { return x < y ? -1 : x > y ? 1 : 0 }
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : x == y ? 0 : 1
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (p, q) in zip(x, y) where p != q { return try order(p, q, op, loc, interp) }
            return x.count < y.count ? -1 : x.count > y.count ? 1 : 0
        default:
            throw interp.error(.type, "'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'", loc)
        }
    }

    static func contains(_ container: Value, _ item: Value, _ loc: SourceLocation, _ interp: Interpreter) throws -> Bool {
        let container = container.plain, item = item.plain
        switch container {
        case .string(let s):
            guard case .string(let sub) = item else {
                throw interp.error(.type, "'in <string>' requires string as left operand, not \(item.typeName)", loc)
            }
            return sub.isEmpty || Methods.find(Array(s.unicodeScalars), Array(sub.unicodeScalars), from: 0) != nil
        case .list(let a), .tuple(let a), .generator(let a): return a.contains(item)
        case .dict(let d): return d[item] != nil
        case .namespace(let ns): return ns.attributes[item] != nil
        case .undefined: return false
        default: throw interp.error(.type, "argument of type '\(container.typeName)' is not iterable", loc)
        }
    }

    /// Python `format % values` for the conversions templates use: %s %r %d %i %f %x %%.
    static func percentFormat(_ fmt: String, _ values: Value, _ loc: SourceLocation, _ interp: Interpreter) throws -> String {
        var args: [Value]
        if case .tuple(let t) = values { args = t } else { args = [values] }
        var out = ""
        var chars = Array(fmt.unicodeScalars)[...]
        while let c = chars.popFirst() {
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            var spec = ""
            while let d = chars.first, "0123456789.-+ #".unicodeScalars.contains(d) { spec.unicodeScalars.append(d); chars.removeFirst() }
            guard let conv = chars.popFirst() else { throw interp.error(.type, "incomplete format", loc) }
            if conv == "%" { out += "%"; continue }
            guard !args.isEmpty else { throw interp.error(.type, "not enough arguments for format string", loc) }
            let v = args.removeFirst()
            // printf flags: `-` left-aligns, `0` pads numbers with zeros, then width and precision.
            let leftAlign = spec.contains("-"), zeroPad = spec.hasPrefix("0") || spec.contains("-0") || spec.contains("+0")
            let numbers = spec.drop { "-+ #0".contains($0) }.split(separator: ".", omittingEmptySubsequences: false)
            let width = numbers.first.flatMap { Int($0) } ?? 0
            let precision = numbers.count > 1 ? Int(numbers[1]) ?? 0 : nil
            var body: String
            var numeric = true
            switch conv {
            case "s": body = v.pythonString; numeric = false
                if let precision { body = Methods.string(body.unicodeScalars.prefix(precision)) }
            case "r": body = v.pythonRepr; numeric = false
            case "d", "i":
                guard let n = v.number else { throw interp.error(.type, "%d format: a real number is required, not \(v.typeName)", loc) }
                body = String(Int(n.rounded(.towardZero)))
            case "f", "F", "e", "g":
                guard let n = v.number else { throw interp.error(.type, "must be real number, not \(v.typeName)", loc) }
                body = String(format: "%.\(precision ?? 6)\(conv == "F" ? "f" : String(conv))", n)
            case "x", "X":
                guard let n = v.integer else { throw interp.error(.type, "%x format: an integer is required", loc) }
                body = String(n, radix: 16, uppercase: conv == "X")
            default: throw interp.error(.type, "unsupported format character '\(conv)'", loc)
            }
            if spec.contains("+"), numeric, !body.hasPrefix("-") { body = "+" + body }
            let pad = max(0, width - body.unicodeScalars.count)
            if leftAlign {
                body += String(repeating: " ", count: pad)
            } else if zeroPad && numeric {
                let sign = body.hasPrefix("-") || body.hasPrefix("+") ? String(body.removeFirst()) : ""
                body = sign + String(repeating: "0", count: pad) + body
            } else {
                body = String(repeating: " ", count: pad) + body
            }
            out += body
        }
        if !args.isEmpty, case .tuple = values { throw interp.error(.type, "not all arguments converted during string formatting", loc) }
        return out
    }
}
