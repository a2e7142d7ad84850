import Foundation

/// A runtime value of the template language, modelled on the Python objects jinja2 sees when
/// Hugging Face transformers renders a chat template.
public enum Value: Sendable {
    /// A missing variable, attribute or item; `hint` names what was looked up, for messages.
    case undefined(hint: String)
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// jinja2's `Markup` (what `safe` and `escape` return): a string that `+` and `%` keep
    /// safe by HTML-escaping the plain strings combined with it. Everywhere else it is a string.
    case markup(String)
    case list([Value])
    /// What jinja2's `map`, `select`, `reject`, `selectattr` and `rejectattr` return: a Python
    /// generator. It iterates like a list but is always true, has no length, cannot be indexed
    /// and is not JSON serializable, as in jinja2; `|list` turns it into a list.
    case generator([Value])
    /// A Python tuple: behaves as a list but prints as `(a, b)` and is never equal to a list.
    case tuple([Value])
    /// A Python dict: keys keep insertion order.
    case dict(OrderedDict)
    /// `namespace(...)`: the one mutable object templates can write attributes on.
    case namespace(Namespace)
    /// A macro, a bound method or a global function.
    case callable(Callable)

    public static let undefined = Value.undefined(hint: "")
}

// MARK: - Containers

/// An insertion-ordered dictionary with Python key semantics (`1 == 1.0 == True`).
public struct OrderedDict: Sendable, Equatable {
    public private(set) var keys: [Value] = []
    public private(set) var values: [Value] = []
    private var index: [Value: Int] = [:]

    public init() {}

    public init(_ pairs: [(Value, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: Value) -> Value? {
        get { index[key].map { values[$0] } }
        set {
            if let i = index[key] {
                if let newValue { values[i] = newValue } else { remove(at: i) }
            } else if let newValue {
                index[key] = keys.count
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    public subscript(key: String) -> Value? {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }

    private mutating func remove(at i: Int) {
        keys.remove(at: i)
        values.remove(at: i)
        index = [:]
        for (j, k) in keys.enumerated() { index[k] = j }
    }

    public var pairs: Zip2Sequence<[Value], [Value]> { zip(keys, values) }

    public static func == (a: OrderedDict, b: OrderedDict) -> Bool {
        guard a.count == b.count else { return false }
        for (k, v) in a.pairs {
            guard let w = b[k], w == v else { return false }
        }
        return true
    }
}

/// The object `namespace()` returns: attributes can be assigned with `{% set ns.x = ... %}`
/// from inside loops, which is why it is a reference type.
public final class Namespace: @unchecked Sendable {
    var attributes: OrderedDict
    init(_ attributes: OrderedDict = OrderedDict()) { self.attributes = attributes }
}

/// Positional and keyword arguments of a call.
public struct Arguments {
    public var positional: [Value]
    public var keywords: [(String, Value)]

    public init(_ positional: [Value] = [], keywords: [(String, Value)] = []) {
        self.positional = positional
        self.keywords = keywords
    }

    public func keyword(_ name: String) -> Value? { keywords.last { $0.0 == name }?.1 }

    /// The argument at `position`, or else the keyword `name`.
    public func get(_ position: Int, _ name: String) -> Value? {
        position < positional.count ? positional[position] : keyword(name)
    }
}

/// Anything a template can call: macros, bound string/dict methods, `range`, `namespace`...
public final class Callable: @unchecked Sendable {
    let name: String
    let body: (Arguments) throws -> Value
    init(_ name: String, _ body: @escaping (Arguments) throws -> Value) {
        self.name = name
        self.body = body
    }
}

// MARK: - Literals and JSON

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .dict(OrderedDict(elements.map { (.string($0.0), $0.1) }))
    }
    public init(nilLiteral: ()) { self = .none }
}

extension Value {
    /// Converts the output of `JSONSerialization` (or plain Swift arrays, dictionaries, strings,
    /// numbers, booleans and `NSNull`) into a template value. Dictionary keys of a Swift
    /// `[String: Any]` have no order; parse with `init(jsonString:)` to keep the document's order.
    public init(json: Any?) {
        guard let json else { self = .none; return }
        // Swift's Bool, Int and Double first, by their exact type: as `Any` they also cast to
        // each other through NSNumber bridging.
        let dynamicType = type(of: json)
        switch json {
        case is NSNull: self = .none
        case let v as Value: self = v
        case let b as Bool where dynamicType == Bool.self: self = .bool(b)
        case let i as Int where dynamicType == Int.self: self = .int(i)
        case let d as Double where dynamicType == Double.self: self = .float(d)
        case let s as String: self = .string(s)
        case let n as NSNumber:
            // JSONSerialization's numbers: the type code says whether it holds a bool, an
            // integer or a float.
            switch String(cString: n.objCType) {
            case "c", "B": self = .bool(n.boolValue)
            case "f", "d": self = .float(n.doubleValue)
            default: self = .int(n.intValue)
            }
        case let a as [Any?]: self = .list(a.map { Value(json: $0) })
        case let a as [Any]: self = .list(a.map { Value(json: $0) })
        case let d as [String: Any?]:
            self = .dict(OrderedDict(d.keys.sorted().map { (.string($0), Value(json: d[$0] ?? nil)) }))
        case let d as [String: Any]:
            self = .dict(OrderedDict(d.keys.sorted().map { (.string($0), Value(json: d[$0])) }))
        default: self = .string("\(json)")
        }
    }

    /// Parses a JSON document keeping object key order, as Python's `json.loads` does.
    public init(jsonString: String) throws {
        var parser = JSONParser(Array(jsonString.utf8))
        self = try parser.parseDocument()
    }
}

/// A small JSON reader that keeps object key order (Foundation's does not).
struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    /// Arrays and objects open right now; bounded so hostile input cannot overflow the stack.
    var depth = 0
    static let maxDepth = 512
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws -> Value {
        let v = try parseValue()
        skipSpace()
        guard i == bytes.count else { throw fail("trailing characters") }
        return v
    }

    func fail(_ m: String) -> JinjaError { JinjaError(.type, "invalid JSON at byte \(i): \(m)") }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    mutating func literal(_ s: String, _ v: Value) throws -> Value {
        let u = Array(s.utf8)
        guard i + u.count <= bytes.count, Array(bytes[i..<i + u.count]) == u else { throw fail("bad literal") }
        i += u.count
        return v
    }

    mutating func parseValue() throws -> Value {
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        let opensContainer = bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "[")
        if opensContainer {
            depth += 1
            guard depth <= JSONParser.maxDepth else { throw fail("nested deeper than \(JSONParser.maxDepth) levels") }
        }
        defer { if opensContainer { depth -= 1 } }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var d = OrderedDict()
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .dict(d) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected key") }
                let k = try parseString()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                d[.string(k)] = try parseValue()
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .dict(d) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var a: [Value] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .list(a) }
            while true {
                a.append(try parseValue())
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .list(a) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .none)
        default:
            let start = i
            var isFloat = false
            while i < bytes.count, let c = Optional(bytes[i]),
                (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                    || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
            {
                if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isFloat = true }
                i += 1
            }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            if !isFloat, let n = Int(text) { return .int(n) }
            if let d = Double(text) { return .float(d) }
            throw fail("bad number '\(text)'")
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16)
        else { throw fail("bad \\u escape") }
        i += 4
        return v
    }

    mutating func parseString() throws -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var cp = try hex4()
                if cp >= 0xD800, cp < 0xDC00, i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
                    bytes[i + 1] == UInt8(ascii: "u")
                {
                    i += 2
                    let lo = try hex4()
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo &- 0xDC00)
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(cp) ?? "\u{FFFD}")).utf8))
            default: out.append(e)
            }
        }
        throw fail("unterminated string")
    }
}

// MARK: - Python semantics

extension Value {
    /// Markup as a plain string; every other value unchanged.
    var plain: Value {
        if case .markup(let s) = self { return .string(s) }
        return self
    }

    var isUndefined: Bool { if case .undefined = self { true } else { false } }
    var isNone: Bool { if case .none = self { true } else { false } }

    /// Python truthiness.
    public var truthy: Bool {
        switch self {
        case .undefined, .none: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .float(let d): d != 0
        case .string(let s), .markup(let s): !s.isEmpty
        case .list(let a), .tuple(let a): !a.isEmpty
        case .dict(let d): !d.isEmpty
        case .namespace, .callable, .generator: true
        }
    }

    /// The elements of a list or tuple.
    var sequence: [Value]? {
        switch self {
        case .list(let a), .tuple(let a): a
        default: nil
        }
    }

    /// A number as a Double (bools count, as in Python).
    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .float(let d): d
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    /// An integer (bools count, as in Python).
    var integer: Int? {
        switch self {
        case .int(let i): i
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    /// Python's type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: "Undefined"
        case .none: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string, .markup: "str"
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .namespace: "Namespace"
        case .generator: "generator"
        case .callable: "function"
        }
    }

    /// Python `str(value)`, which is what `{{ value }}` prints; undefined prints nothing.
    public var pythonString: String {
        switch self {
        case .undefined: ""
        case .string(let s), .markup(let s): s
        default: pythonRepr
        }
    }

    /// Python `repr(value)`.
    public var pythonRepr: String {
        switch self {
        case .undefined: ""
        case .none: "None"
        case .bool(let b): b ? "True" : "False"
        case .int(let i): String(i)
        case .float(let d): Value.formatFloat(d)
        case .string(let s), .markup(let s): Value.reprString(s)
        case .list(let a): "[" + a.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .tuple(let a): a.count == 1 ? "(\(a[0].pythonRepr),)" : "(" + a.map(\.pythonRepr).joined(separator: ", ") + ")"
        case .dict(let d): "{" + d.pairs.map { "\($0.pythonRepr): \($1.pythonRepr)" }.joined(separator: ", ") + "}"
        case .namespace(let n):
            "<Namespace " + n.attributes.pairs.map { "\($0.pythonString)=\($1.pythonRepr)" }.joined(separator: ", ") + ">"
        case .callable(let c): "<function \(c.name)>"
        case .generator: "<generator object>"
        }
    }

    /// Python float repr: Swift's shortest round-trip `description` uses the same digits and
    /// the same switch to exponent notation (below 1e-4, from 1e16), e.g. `1e+20`, `1e-05`.
    static func formatFloat(_ d: Double) -> String {
        d.description
    }

    /// Python `repr(str)`: single quotes unless the text has a single quote and no double quote.
    static func reprString(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(u) == quote {
                    out += "\\" + String(quote)
                } else if u.value < 0x20 || u.value == 0x7F {
                    out += "\\x" + hex(u.value, 2)
                } else if u.value >= 0x80 && !isPrintable(u) {
                    out += u.value <= 0xFF ? "\\x" + hex(u.value, 2) : u.value <= 0xFFFF ? "\\u" + hex(u.value, 4) : "\\U" + hex(u.value, 8)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out.append(quote)
        return out
    }

    private static func hex(_ v: UInt32, _ width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    /// An approximation of Python's `str.isprintable` for non-ASCII scalars.
    private static func isPrintable(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: false
        case .spaceSeparator: u.value == 0x20
        default: true
        }
    }
}

// MARK: - Equality and hashing (Python rules: 1 == 1.0 == True)

extension Value: Equatable, Hashable {
    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let x), .string(let y)), (.markup(let x), .markup(let y)), (.string(let x), .markup(let y)), (.markup(let x), .string(let y)):
            return x == y
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)): return x == y
        case (.dict(let x), .dict(let y)): return x == y
        case (.namespace(let x), .namespace(let y)): return x === y
        case (.callable(let x), .callable(let y)): return x === y
        default:
            if let x = a.integer, let y = b.integer { return x == y }
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .undefined, .none: h.combine(0)
        case .bool, .int: h.combine(integer ?? 0)
        case .float(let d):
            if d == d.rounded(), abs(d) < 9.2e18 { h.combine(Int(d)) } else { h.combine(d) }
        case .string(let s), .markup(let s): h.combine(s)
        case .list(let a), .tuple(let a): h.combine(a.count)
        case .dict(let d): h.combine(d.count)
        case .namespace(let n): h.combine(ObjectIdentifier(n))
        case .generator(let a): h.combine(a.count)
        case .callable(let c): h.combine(ObjectIdentifier(c))
        }
    }
}
