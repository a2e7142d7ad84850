/// A token of template source: literal text between tags, tag delimiters, and the expression
/// tokens inside tags.
enum TokenKind: Equatable {
    case text(String)
    case variableBegin, variableEnd, blockBegin, blockEnd
    case name(String)
    case string(String)
    case int(Int)
    case float(Double)
    case op(String)
    case eof
}

struct Token {
    var kind: TokenKind
    var location: SourceLocation
}

/// Splits template source into tokens, applying whitespace control (`-`/`+` markers,
/// trim_blocks, lstrip_blocks) and `{% raw %}` while scanning, as jinja2's lexer does.
struct Lexer {
    private let src: [Unicode.Scalar]
    private let options: Template.Options
    private var pos = 0
    private var line = 1
    private var column = 1
    private var tokens: [Token] = []
    /// Where the last tag end (`}}` or `%}`) started.
    private var tagEndLocation = SourceLocation.unknown

    init(_ source: String, options: Template.Options) {
        src = Array(source.unicodeScalars)
        self.options = options
    }

    static func tokenize(_ source: String, options: Template.Options) throws -> [Token] {
        var lexer = Lexer(source, options: options)
        try lexer.run()
        return lexer.tokens
    }

    // MARK: - Helpers

    private func at(_ i: Int) -> Unicode.Scalar? { i < src.count ? src[i] : nil }

    private func matches(_ s: String, at i: Int) -> Bool {
        var j = i
        for u in s.unicodeScalars {
            guard j < src.count, src[j] == u else { return false }
            j += 1
        }
        return true
    }

    private var here: SourceLocation { SourceLocation(line: line, column: column) }

    private mutating func advance(_ n: Int = 1) {
        for _ in 0..<n where pos < src.count {
            if src[pos] == "\n" { line += 1; column = 1 } else { column += 1 }
            pos += 1
        }
    }

    private func error(_ m: String, _ loc: SourceLocation? = nil) -> JinjaError {
        let l = loc ?? here
        return JinjaError(.syntax, m, line: l.line, column: l.column)
    }

    private static func isSpace(_ u: Unicode.Scalar) -> Bool {
        u == " " || u == "\t" || u == "\n" || u == "\r" || u == "\u{0B}" || u == "\u{0C}"
    }

    /// Finds the next `{{`, `{%` or `{#` at or after `from`.
    private func nextTagStart(from: Int) -> Int? {
        var i = from
        while i + 1 < src.count {
            if src[i] == "{", src[i + 1] == "{" || src[i + 1] == "%" || src[i + 1] == "#" { return i }
            i += 1
        }
        return nil
    }

    // MARK: - Main loop

    private mutating func run() throws {
        // Set by a `-` before a tag end: the next text loses its leading whitespace.
        var stripLeading = false
        // Set by trim_blocks after a block or comment end: the next text loses one newline.
        var trimNewline = false
        while pos < src.count {
            let start = pos
            let tagStart = nextTagStart(from: pos) ?? src.count
            let textLocation = here
            var lo = start, hi = tagStart
            if tagStart < src.count {
                let kind = src[tagStart + 1]
                let marker = at(tagStart + 2)
                if marker == "-" {
                    while hi > lo, Lexer.isSpace(src[hi - 1]) { hi -= 1 }
                } else if options.lstripBlocks, marker != "+", kind == "%" || kind == "#" {
                    // Strip spaces and tabs between the line start and the tag.
                    var k = hi
                    while k > lo, src[k - 1] == " " || src[k - 1] == "\t" { k -= 1 }
                    if k > lo ? src[k - 1] == "\n" : isLineStart(lo) { hi = k }
                }
            }
            if stripLeading {
                while lo < hi, Lexer.isSpace(src[lo]) { lo += 1 }
            } else if trimNewline, lo < hi {
                if src[lo] == "\n" { lo += 1 } else if src[lo] == "\r", lo + 1 < hi, src[lo + 1] == "\n" { lo += 2 }
            }
            stripLeading = false
            trimNewline = false
            let text = lo < hi ? String(String.UnicodeScalarView(src[lo..<hi])) : ""
            advance(tagStart - start)
            if !text.isEmpty { tokens.append(Token(kind: .text(text), location: textLocation)) }
            guard tagStart < src.count else { break }

            let kind = src[pos + 1]
            let tagLocation = here
            advance(2)
            if at(pos) == "-" || at(pos) == "+" { advance() }
            switch kind {
            case "#":
                guard let end = findCommentEnd() else { throw error("missing end of comment tag", tagLocation) }
                let dash = src[end - 1] == "-" && end - 1 >= pos
                let plus = src[end - 1] == "+" && end - 1 >= pos
                advance(end + 2 - pos)
                if dash { stripLeading = true } else if options.trimBlocks && !plus { trimNewline = true }
            case "{":
                tokens.append(Token(kind: .variableBegin, location: tagLocation))
                stripLeading = try lexInside(endMarker: "}", tagLocation: tagLocation)
                tokens.append(Token(kind: .variableEnd, location: tagEndLocation))
            default:
                if try lexRaw(tagLocation: tagLocation, stripLeading: &stripLeading, trimNewline: &trimNewline) { continue }
                tokens.append(Token(kind: .blockBegin, location: tagLocation))
                let (dash, plus) = try lexBlockInside(tagLocation: tagLocation)
                tokens.append(Token(kind: .blockEnd, location: tagEndLocation))
                if dash { stripLeading = true } else if options.trimBlocks && !plus { trimNewline = true }
            }
        }
        tokens.append(Token(kind: .eof, location: here))
    }

    /// Whether `i` is at the start of a line in the source.
    private func isLineStart(_ i: Int) -> Bool { i == 0 || src[i - 1] == "\n" }

    private func findCommentEnd() -> Int? {
        var i = pos
        while i + 1 < src.count {
            if src[i] == "#", src[i + 1] == "}" { return i }
            i += 1
        }
        return nil
    }

    private mutating func lexBlockInside(tagLocation: SourceLocation) throws -> (dash: Bool, plus: Bool) {
        var dash = false, plus = false
        let stripped = try lexInside(endMarker: "%", tagLocation: tagLocation, plusSeen: &plus)
        dash = stripped
        return (dash, plus)
    }

    private mutating func lexInside(endMarker: Unicode.Scalar, tagLocation: SourceLocation) throws -> Bool {
        var plus = false
        return try lexInside(endMarker: endMarker, tagLocation: tagLocation, plusSeen: &plus)
    }

    /// Lexes expression tokens until the tag end (`}}` or `%}`); returns whether the end had a `-`.
    private mutating func lexInside(endMarker: Unicode.Scalar, tagLocation: SourceLocation, plusSeen: inout Bool) throws -> Bool {
        var depth = 0
        while true {
            while let c = at(pos), Lexer.isSpace(c) { advance() }
            guard let c = at(pos) else {
                throw error(endMarker == "}" ? "unexpected end of template; expected '}}'" : "unexpected end of template; expected '%}'", tagLocation)
            }
            if depth == 0 {
                tagEndLocation = here
                if c == endMarker, at(pos + 1) == "}" { advance(2); return false }
                if c == "-", at(pos + 1) == endMarker, at(pos + 2) == "}" { advance(3); return true }
                if c == "+", endMarker == "%", at(pos + 1) == "%", at(pos + 2) == "}" { advance(3); plusSeen = true; return false }
            }
            let loc = here
            if c == "'" || c == "\"" {
                tokens.append(Token(kind: .string(try lexString(quote: c)), location: loc))
            } else if c.properties.numericType == .decimal && c.isASCII {
                tokens.append(Token(kind: lexNumber(), location: loc))
            } else if c == "_" || (c.isASCII && c.properties.isAlphabetic) {
                let s = pos
                while let d = at(pos), d == "_" || (d.isASCII && (d.properties.isAlphabetic || d.properties.numericType == .decimal)) { advance() }
                tokens.append(Token(kind: .name(String(String.UnicodeScalarView(src[s..<pos]))), location: loc))
            } else {
                var op: String?
                for candidate in ["//", "**", "==", "!=", "<=", ">="] where matches(candidate, at: pos) { op = candidate; break }
                if op == nil, "+-*/%~()[]{},.:|=<>".unicodeScalars.contains(c) { op = String(c) }
                guard let op else { throw error("unexpected character '\(c)'") }
                if op == "(" || op == "[" || op == "{" { depth += 1 }
                if op == ")" || op == "]" || op == "}" {
                    if depth == 0 { throw error("unexpected '\(op)'") }
                    depth -= 1
                }
                advance(op.unicodeScalars.count)
                tokens.append(Token(kind: .op(op), location: loc))
            }
        }
    }

    private mutating func lexNumber() -> TokenKind {
        let s = pos
        if at(pos) == "0", let r = at(pos + 1), let radix = ["x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2][Character(r)] {
            advance(2)
            let start = pos
            while let d = at(pos), d == "_" || (d.isASCII && d.properties.isASCIIHexDigit) { advance() }
            let text = String(String.UnicodeScalarView(src[start..<pos].filter { $0 != "_" }))
            return Int(text, radix: radix).map { .int($0) } ?? .float(.infinity)
        }
        func digits() { while let d = at(pos), d.isASCII && d.properties.numericType == .decimal || d == "_" { advance() } }
        digits()
        var isFloat = false
        if at(pos) == ".", let d = at(pos + 1), d.isASCII, d.properties.numericType == .decimal {
            isFloat = true
            advance()
            digits()
        }
        if at(pos) == "e" || at(pos) == "E" {
            var k = pos + 1
            if at(k) == "+" || at(k) == "-" { k += 1 }
            if let d = at(k), d.isASCII, d.properties.numericType == .decimal {
                isFloat = true
                advance(k - pos)
                digits()
            }
        }
        let text = String(String.UnicodeScalarView(src[s..<pos].filter { $0 != "_" }))
        if !isFloat, let i = Int(text) { return .int(i) }
        return .float(Double(text) ?? .infinity)
    }

    private mutating func lexString(quote: Unicode.Scalar) throws -> String {
        let loc = here
        advance()
        var out = String.UnicodeScalarView()
        while let c = at(pos) {
            if c == quote { advance(); return String(out) }
            if c == "\\", let e = at(pos + 1) {
                advance(2)
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "v": out.append("\u{0B}")
                case "a": out.append("\u{07}")
                case "0": out.append("\u{00}")
                case "\n": break
                case "x", "u", "U":
                    let width = e == "x" ? 2 : e == "u" ? 4 : 8
                    let hex = String(String.UnicodeScalarView(src[pos..<min(src.count, pos + width)]))
                    guard hex.unicodeScalars.count == width, let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) else {
                        throw error("invalid \\\(e) escape in string literal")
                    }
                    out.append(u)
                    advance(width)
                case "\\", "'", "\"": out.append(e)
                default: out.append("\\"); out.append(e)
                }
                continue
            }
            out.append(c)
            advance()
        }
        throw error("unterminated string literal", loc)
    }

    /// Handles `{% raw %}...{% endraw %}`: the body is emitted as text, untouched.
    private mutating func lexRaw(tagLocation: SourceLocation, stripLeading: inout Bool, trimNewline: inout Bool) throws -> Bool {
        var i = pos
        while let c = at(i), Lexer.isSpace(c) { i += 1 }
        guard matches("raw", at: i) else { return false }
        i += 3
        while let c = at(i), Lexer.isSpace(c) { i += 1 }
        var dashAfterOpen = false
        if at(i) == "-" { dashAfterOpen = true; i += 1 }
        guard matches("%}", at: i) else { return false }
        advance(i + 2 - pos)
        // Search for `{%[-] endraw [-]%}`.
        var j = pos
        while j + 1 < src.count {
            if src[j] == "{", src[j + 1] == "%" {
                var k = j + 2
                let dashBefore = at(k) == "-"
                if dashBefore || at(k) == "+" { k += 1 }
                while let c = at(k), Lexer.isSpace(c) { k += 1 }
                if matches("endraw", at: k) {
                    k += 6
                    while let c = at(k), Lexer.isSpace(c) { k += 1 }
                    let dashAfter = at(k) == "-"
                    if dashAfter || at(k) == "+" { k += 1 }
                    if matches("%}", at: k) {
                        var body = String(String.UnicodeScalarView(src[pos..<j]))
                        if dashAfterOpen { body = String(body.drop { $0.isWhitespace }) }
                        if dashBefore {
                            while let last = body.unicodeScalars.last, Lexer.isSpace(last) { body.unicodeScalars.removeLast() }
                        } else if options.lstripBlocks, at(j + 2) != "+" {
                            var scalars = Array(body.unicodeScalars)
                            var k = scalars.count
                            while k > 0, scalars[k - 1] == " " || scalars[k - 1] == "\t" { k -= 1 }
                            if k > 0, scalars[k - 1] == "\n" {
                                scalars.removeLast(scalars.count - k)
                                body = Methods.string(scalars)
                            }
                        }
                        if !body.isEmpty { tokens.append(Token(kind: .text(body), location: here)) }
                        advance(k + 2 - pos)
                        if dashAfter { stripLeading = true } else if options.trimBlocks { trimNewline = true }
                        return true
                    }
                }
            }
            j += 1
        }
        throw error("missing '{% endraw %}' for this raw block", tagLocation)
    }
}

