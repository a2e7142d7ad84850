/// jinja2's built-in tests (`x is defined`, `n is divisibleby 3`...), jinja2 `tests.py`.
enum Tests {
    static let names: Set<String> = [
        "defined", "undefined", "none", "string", "number", "integer", "float", "mapping", "iterable",
        "sequence", "boolean", "true", "false", "callable", "equalto", "eq", "==", "ne", "!=", "sameas",
        "odd", "even", "divisibleby", "in", "lower", "upper", "gt", "greaterthan", "lt", "lessthan", "ge", ">=",
        "le", "<=", ">", "<", "escaped", "filter", "test",
    ]

    static func apply(_ name: String, _ original: Value, _ rawArgs: Arguments, _ interp: Interpreter, _ loc: SourceLocation) throws -> Bool {
        if name == "escaped", case .markup = original { return true }
        let v = original.plain
        let args = Arguments(rawArgs.positional.map(\.plain), keywords: rawArgs.keywords.map { ($0.0, $0.1.plain) })
        func arg() throws -> Value {
            guard let a = args.positional.first ?? args.keywords.first?.1 else {
                throw interp.error(.type, "test '\(name)' needs an argument", loc)
            }
            return a
        }
        func integer() throws -> Int {
            guard let i = v.integer else {
                if case .undefined(let hint) = v { throw interp.error(.undefined, hint, loc) }
                throw interp.error(.type, "test '\(name)' needs an integer, got \(v.typeName)", loc)
            }
            return i
        }
        switch name {
        case "defined": return !v.isUndefined
        case "undefined": return v.isUndefined
        case "none": return v.isNone
        case "string": if case .string = v { return true } else { return false }
        case "number": if case .int = v { return true } else if case .float = v { return true } else if case .bool = v { return true } else { return false }
        case "integer": if case .int = v { return true } else { return false }
        case "float": if case .float = v { return true } else { return false }
        case "boolean": if case .bool = v { return true } else { return false }
        case "true": if case .bool(true) = v { return true } else { return false }
        case "false": if case .bool(false) = v { return true } else { return false }
        case "mapping": if case .dict = v { return true } else { return false }
        case "callable": if case .callable = v { return true } else { return false }
        case "iterable", "sequence":
            switch v {
            case .list, .tuple, .dict, .string, .undefined: return true
            case .generator: return name == "iterable"
            default: return false
            }
        case "equalto", "eq", "==": return v == (try arg())
        case "ne", "!=": return v != (try arg())
        case "sameas":
            let other = try arg()
            switch (v, other) {
            case (.list, .list), (.dict, .dict), (.tuple, .tuple): return false
            case (.bool(let a), .bool(let b)): return a == b
            case (.bool, _), (_, .bool): return false
            default: return v == other && v.typeName == other.typeName
            }
        case "odd": return try integer() % 2 != 0
        case "even": return try integer() % 2 == 0
        case "divisibleby":
            guard let n = try arg().integer, n != 0 else { throw interp.error(.runtime, "divisibleby needs a non-zero integer", loc) }
            return try integer() % n == 0
        case "in": return try Operators.contains(try arg(), v, loc, interp)
        case "lower":
            guard case .string(let s) = v else { return false }
            return try Methods.stringMethod(s, "islower").map { try interp.callValue($0, Arguments(), loc).truthy } ?? false
        case "upper":
            guard case .string(let s) = v else { return false }
            return try Methods.stringMethod(s, "isupper").map { try interp.callValue($0, Arguments(), loc).truthy } ?? false
        case "gt", "greaterthan", ">": return try Operators.compare(">", v, try arg(), loc, interp)
        case "lt", "lessthan", "<": return try Operators.compare("<", v, try arg(), loc, interp)
        case "ge", ">=": return try Operators.compare(">=", v, try arg(), loc, interp)
        case "le", "<=": return try Operators.compare("<=", v, try arg(), loc, interp)
        case "escaped": return false
        case "filter": if case .string(let s) = v { return Filters.names.contains(s) } else { return false }
        case "test": if case .string(let s) = v { return names.contains(s) } else { return false }
        default: throw interp.error(.runtime, "no test named '\(name)'", loc)
        }
    }
}
