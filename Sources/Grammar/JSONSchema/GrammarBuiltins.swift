/// The fixed GBNF rules every schema grammar draws on. Shapes follow llama.cpp
/// (common/json-schema-to-grammar.cpp, grammars/json.gbnf): bounded whitespace `space` (at most
/// two newlines and 20 indent characters, so a model cannot loop on whitespace), at most 16
/// digits per number part, JSON string characters with their escapes.
enum GrammarBuiltins {
    struct Rule { var body: String; var deps: [String] }

    static let rules: [String: Rule] = [
        "space": Rule(body: #"| " " | "\n"{1,2} [ \t]{0,20}"#, deps: []),
        "boolean": Rule(body: #"("true" | "false")"#, deps: []),
        "null": Rule(body: #""null""#, deps: []),
        "decimal-part": Rule(body: "[0-9]{1,16}", deps: []),
        "integral-part": Rule(body: "[0] | [1-9] [0-9]{0,15}", deps: []),
        "number": Rule(
            body: #"("-"? integral-part) ("." decimal-part)? ([eE] [-+]? integral-part)?"#,
            deps: ["integral-part", "decimal-part"]),
        "number-nonnegative": Rule(
            body: #"integral-part ("." decimal-part)? ([eE] [-+]? integral-part)?"#,
            deps: ["integral-part", "decimal-part"]),
        "integer": Rule(body: #"("-"? integral-part)"#, deps: ["integral-part"]),
        "value": Rule(
            body: "object | array | string | number | boolean | null",
            deps: ["object", "array", "string", "number", "boolean", "null"]),
        "object": Rule(
            body: #""{" space ( string ":" space value ("," space string ":" space value)* )? space "}""#,
            deps: ["space", "string", "value"]),
        "array": Rule(body: #""[" space ( value ("," space value)* )? space "]""#, deps: ["space", "value"]),
        "char": Rule(body: #"[^"\\\x7F\x00-\x1F] | [\\] (["\\bfnrt] | "u" [0-9a-fA-F]{4})"#, deps: []),
        "string": Rule(body: #""\"" char* "\"""#, deps: ["char"]),
        "uuid": Rule(
            body: #""\"" [0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12} "\"""#,
            deps: []),
        "date": Rule(body: #"[0-9]{4} "-" ( "0" [1-9] | "1" [0-2] ) "-" ( "0" [1-9] | [1-2] [0-9] | "3" [0-1] )"#, deps: []),
        "time": Rule(
            body: #"([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{3} )? ( "Z" | ( "+" | "-" ) ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] )"#,
            deps: []),
        "date-time": Rule(body: #"date "T" time"#, deps: ["date", "time"]),
        "date-string": Rule(body: #""\"" date "\"""#, deps: ["date"]),
        "time-string": Rule(body: #""\"" time "\"""#, deps: ["time"]),
        "date-time-string": Rule(body: #""\"" date-time "\"""#, deps: ["date-time"]),
        // Cria's own: a common-sense address (dot-atom local part, two or more host labels), bounded
        // as RFC 5321 bounds it (a local part of at most 64 characters, labels of at most 63) so that
        // a model cannot run on inside one: at most 64 atom characters, at most 8 host labels.
        "email-char": Rule(body: "[A-Za-z0-9!#$%&'*+/=?\\x5E_`{|}~\\-]", deps: []),
        "email-label": Rule(body: "[A-Za-z0-9] ([A-Za-z0-9\\-]{0,61} [A-Za-z0-9])?", deps: []),
        "email-string": Rule(
            body: #""\"" email-char ("."? email-char){0,63} "@" email-label ("." email-label){1,7} "\"""#,
            deps: ["email-char", "email-label"]),
    ]

    /// Names a schema-derived rule must not take.
    static func isReserved(_ name: String) -> Bool { name == "root" || rules[name] != nil || name == "dot" }

    static func formatRule(_ format: SchemaFormat) -> String {
        switch format {
        case .date: "date-string"
        case .time: "time-string"
        case .dateTime: "date-time-string"
        case .uuid: "uuid"
        case .email: "email-string"
        }
    }
}

// MARK: - GBNF text helpers

public enum GBNF {
    /// A GBNF string literal matching exactly `text`. ASCII-only output: other scalars as \x/\u/\U.
    public static func literal(_ text: String) -> String {
        var out = "\""
        for s in text.unicodeScalars {
            switch s {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if s.value >= 0x20 && s.value < 0x7F { out.unicodeScalars.append(s) } else { out += hexEscape(s.value) }
            }
        }
        return out + "\""
    }

    static func hexEscape(_ v: UInt32) -> String {
        let (prefix, width) = v < 0x100 ? ("\\x", 2) : v < 0x10000 ? ("\\u", 4) : ("\\U", 8)
        let hex = String(v, radix: 16, uppercase: true)
        return prefix + String(repeating: "0", count: width - hex.count) + hex
    }

    /// One character inside `[...]`.
    static func classChar(_ v: UInt32) -> String {
        if v >= 0x20, v < 0x7F, let s = Unicode.Scalar(v), !"[]-\\^\"".unicodeScalars.contains(s) {
            return String(Character(s))
        }
        return hexEscape(v)
    }

    /// A rule name made of lowercase letters, digits and dashes.
    static func sanitize(_ name: String) -> String {
        var out = ""
        var lastWasDash = false
        for s in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(s) || ("0"..."9").contains(s) || s == "-" {
                out.unicodeScalars.append(s)
                lastWasDash = false
            } else if !lastWasDash {
                out += "-"
                lastWasDash = true
            }
        }
        return out
    }

    /// `item` repeated min...max times, with `separator` between items (llama.cpp's
    /// build_repetition shape).
    static func repetition(_ item: String, min: Int, max: Int?, separator: String = "") -> String {
        if max == 0 { return "" }
        if min == 0 && max == 1 { return item + "?" }
        if separator.isEmpty {
            switch (min, max) {
            case (1, nil): return item + "+"
            case (0, nil): return item + "*"
            default: return item + "{\(min),\(max.map(String.init) ?? "")}"
            }
        }
        let rest = repetition("(" + separator + " " + item + ")", min: Swift.max(min - 1, 0), max: max.map { $0 - 1 })
        let result = item + " " + rest
        return min == 0 ? "(" + result + ")?" : result
    }
}
