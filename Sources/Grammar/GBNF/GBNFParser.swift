/// One element of a rule's alternative, as written (after repetitions are rewritten into rules).
enum GrammarItem: Hashable, Sendable {
    /// One code point from `classes[id]`.
    case chars(Int32)
    /// A reference to rule `id`.
    case rule(Int32)
    /// The whole token with this id (`<[id]>`).
    case token(Int32)
    /// Any one token except this id (`!<[id]>`).
    case notToken(Int32)
}

/// The rules of a GBNF text, before compilation: what `GBNFParser` produces.
struct ParsedGrammar: Sendable {
    /// Symbol names by id; ids are given in order of first mention, generated rules are named
    /// `<rule>_<id>` (llama.cpp's numbering, so rule ids agree with its parser's).
    var names: [String] = []
    var ids: [String: Int32] = [:]
    /// Alternatives of each rule by id; nil while a mentioned rule is not defined.
    var rules: [[[GrammarItem]]?] = []
    /// Byte offset of each rule's definition (for errors that concern a rule).
    var definedAt: [Int] = []
    /// Byte offset of the first reference to each symbol.
    var firstMention: [Int] = []
    var classes: [CodePointSet] = []
    var classIDs: [CodePointSet: Int32] = [:]
}

/// Parses llama.cpp's GBNF (grammars/README.md and src/llama-grammar.cpp of llama.cpp, read for the format):
///   rule      ::= name ws? "::=" space alternates (newline | end)
///   alternates::= sequence ("|" space sequence)*
///   sequence  ::= (item repetition*)*   -- a newline ends it unless inside ( )
///   item      ::= "literal" | [class] | [^class] | . | name | ( alternates ) | <[id]> | !<[id]>
///   repetition::= * | + | ? | {m} | {m,} | {m,n}
/// Comments run from `#` to the end of the line. Names are letters, digits and `-`.
/// Escapes: \x hh, \u hhhh, \U hhhhhhhh, \t \r \n \\ \" \[ \] \-.
/// Limits (llama.cpp's MAX_REPETITION_THRESHOLD = 2000): a repetition count over 2000 is an error, a
/// maximum over 2000 means "no maximum", and the rules one repetition generates (counted across nested
/// repetitions) may not exceed 2000.
struct GBNFParser {
    static let repetitionThreshold: UInt64 = 2000
    /// Deepest ( ) nesting accepted: keeps the recursive descent far from the stack limit.
    static let maxNesting = 100
    /// Most elements in all rules together; stops a grammar from asking for gigabytes.
    static let maxElements = 4_000_000

    private let text: [UInt8]
    private var pos = 0
    private var out = ParsedGrammar()
    private var elementCount = 0

    init(_ text: String) {
        self.text = Array(text.utf8)
    }

    /// Parses the whole text and checks that every referenced rule is defined (llama.cpp's
    /// `llama_grammar_parser::parse`; no root or left-recursion check here).
    static func parse(_ text: String) throws(GrammarError) -> ParsedGrammar {
        var p = GBNFParser(text)
        return try p.run()
    }

    private mutating func run() throws(GrammarError) -> ParsedGrammar {
        skipSpace(newlines: true)
        while pos < text.count {
            try parseRule()
        }
        for (id, rule) in out.rules.enumerated() where rule == nil {
            throw fail("undefined rule '\(out.names[id])'", at: out.firstMention[id])
        }
        if out.rules.isEmpty {
            throw fail("empty grammar: no rules", at: pos)
        }
        return out
    }

    // MARK: - Errors and characters

    private func fail(_ message: String, at offset: Int) -> GrammarError {
        GrammarError(message, at: offset, in: text)
    }

    private func byte(_ i: Int) -> UInt8 {
        i < text.count ? text[i] : 0
    }

    private var current: UInt8 { byte(pos) }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-")
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private func describe(_ i: Int) -> String {
        if i >= text.count { return "end of input" }
        let b = text[i]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        if b == UInt8(ascii: " ") { return "space" }
        if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") { return "end of line" }
        return "byte 0x\(String(b, radix: 16))"
    }

    private mutating func skipSpace(newlines: Bool) {
        while pos < text.count {
            let b = text[pos]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") {
                pos += 1
            } else if newlines && (b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")) {
                pos += 1
            } else if b == UInt8(ascii: "#") {
                while pos < text.count && text[pos] != UInt8(ascii: "\n") && text[pos] != UInt8(ascii: "\r") {
                    pos += 1
                }
            } else {
                return
            }
        }
    }

    private mutating func parseName() throws(GrammarError) -> String {
        let start = pos
        while pos < text.count && Self.isNameByte(text[pos]) { pos += 1 }
        if pos == start { throw fail("expected a rule name, found \(describe(pos))", at: pos) }
        return String(decoding: text[start..<pos], as: UTF8.self)
    }

    /// A decimal integer, saturating at UInt64.max (any such value is over every limit anyway).
    private mutating func parseInt() throws(GrammarError) -> UInt64 {
        let start = pos
        var value: UInt64 = 0
        while pos < text.count && Self.isDigit(text[pos]) {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(text[pos] - UInt8(ascii: "0")))
            value = (o1 || o2) ? UInt64.max : s
            pos += 1
        }
        if pos == start { throw fail("expected an integer, found \(describe(pos))", at: pos) }
        return value
    }

    private mutating func parseHex(digits: Int, escapeAt: Int) throws(GrammarError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            let b = current
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A")) + 10
            default: throw fail("escape needs \(digits) hex digits, found \(describe(pos))", at: pos)
            }
            value = value << 4 | d
            pos += 1
        }
        if value > CodePointSet.maxCodePoint {
            throw fail("escape names U+\(String(value, radix: 16, uppercase: true)), beyond U+10FFFF", at: escapeAt)
        }
        return value
    }

    /// One character of a literal or class: an escape or one UTF-8 encoded scalar.
    private mutating func parseChar() throws(GrammarError) -> UInt32 {
        let start = pos
        let b = current
        if b == UInt8(ascii: "\\") {
            pos += 2
            switch byte(start + 1) {
            case UInt8(ascii: "x"): return try parseHex(digits: 2, escapeAt: start)
            case UInt8(ascii: "u"): return try parseHex(digits: 4, escapeAt: start)
            case UInt8(ascii: "U"): return try parseHex(digits: 8, escapeAt: start)
            case UInt8(ascii: "t"): return 0x09
            case UInt8(ascii: "r"): return 0x0D
            case UInt8(ascii: "n"): return 0x0A
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "-"):
                return UInt32(byte(start + 1))
            default:
                throw fail("unknown escape '\\\(start + 1 < text.count ? describe(start + 1) : "")'", at: start)
            }
        }
        // The text came from a Swift String, so it is valid UTF-8.
        let length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
        var value = UInt32(b) & (length == 1 ? 0x7F : length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for i in 1..<max(length, 1) {
            value = value << 6 | UInt32(byte(start + i) & 0x3F)
        }
        pos += length
        return value
    }

    // MARK: - Symbols

    private mutating func symbol(_ name: String, at offset: Int) -> Int32 {
        if let id = out.ids[name] { return id }
        let id = Int32(out.names.count)
        out.ids[name] = id
        out.names.append(name)
        out.rules.append(nil)
        out.definedAt.append(offset)
        out.firstMention.append(offset)
        return id
    }

    /// A new rule named after the rule being parsed (llama.cpp: `<base>_<id>`).
    private mutating func generatedSymbol(_ base: String, at offset: Int) -> Int32 {
        let id = Int32(out.names.count)
        let name = "\(base)_\(id)"
        // A user rule may already be called that; keep the id, as llama.cpp does, but give the map to the new rule.
        out.ids[name] = id
        out.names.append(name)
        out.rules.append(nil)
        out.definedAt.append(offset)
        out.firstMention.append(offset)
        return id
    }

    private mutating func define(_ id: Int32, _ alternatives: [[GrammarItem]], at offset: Int) throws(GrammarError) {
        elementCount += alternatives.reduce(1) { $0 + $1.count + 1 }
        if elementCount > Self.maxElements {
            throw fail("grammar too large: over \(Self.maxElements) elements after expanding repetitions", at: offset)
        }
        out.rules[Int(id)] = alternatives
        out.definedAt[Int(id)] = offset
    }

    private mutating func charClass(_ set: CodePointSet) -> Int32 {
        if let id = out.classIDs[set] { return id }
        let id = Int32(out.classes.count)
        out.classes.append(set)
        out.classIDs[set] = id
        return id
    }

    // MARK: - Rules

    private mutating func parseRule() throws(GrammarError) {
        let start = pos
        let name = try parseName()
        skipSpace(newlines: false)
        let id = symbol(name, at: start)
        guard current == UInt8(ascii: ":"), byte(pos + 1) == UInt8(ascii: ":"), byte(pos + 2) == UInt8(ascii: "=") else {
            throw fail("expected '::=' after rule name '\(name)', found \(describe(pos))", at: pos)
        }
        pos += 3
        skipSpace(newlines: true)
        let alternatives = try parseAlternates(ruleName: name, depth: 0)
        try define(id, alternatives, at: start)
        if current == UInt8(ascii: "\r") {
            pos += byte(pos + 1) == UInt8(ascii: "\n") ? 2 : 1
        } else if current == UInt8(ascii: "\n") {
            pos += 1
        } else if pos < text.count {
            throw fail("expected end of line after rule '\(name)', found \(describe(pos))", at: pos)
        }
        skipSpace(newlines: true)
    }

    private mutating func parseAlternates(ruleName: String, depth: Int) throws(GrammarError) -> [[GrammarItem]] {
        var alternatives = [try parseSequence(ruleName: ruleName, depth: depth)]
        while current == UInt8(ascii: "|") {
            pos += 1
            skipSpace(newlines: true)
            alternatives.append(try parseSequence(ruleName: ruleName, depth: depth))
        }
        return alternatives
    }

    private mutating func parseSequence(ruleName: String, depth: Int) throws(GrammarError) -> [GrammarItem] {
        let nested = depth > 0
        var items: [GrammarItem] = []
        // Where the last item starts (a literal is several items), and how many rules it generated.
        var lastStart = 0
        var rulesInLast: UInt64 = 1
        while pos < text.count {
            let itemStart = pos
            let b = current
            if b == UInt8(ascii: "\"") {
                pos += 1
                lastStart = items.count
                rulesInLast = 1
                while current != UInt8(ascii: "\"") {
                    if pos >= text.count { throw fail("unterminated string literal", at: itemStart) }
                    let c = try parseChar()
                    items.append(.chars(charClass(CodePointSet([(c, c)], negated: false))))
                }
                pos += 1
                skipSpace(newlines: nested)
            } else if b == UInt8(ascii: "[") {
                pos += 1
                var negated = false
                if current == UInt8(ascii: "^") {
                    negated = true
                    pos += 1
                }
                var ranges: [(UInt32, UInt32)] = []
                while current != UInt8(ascii: "]") {
                    if pos >= text.count { throw fail("unterminated character class", at: itemStart) }
                    let lo = try parseChar()
                    var hi = lo
                    if current == UInt8(ascii: "-") && byte(pos + 1) != UInt8(ascii: "]") {
                        if pos + 1 >= text.count { throw fail("unterminated character class", at: itemStart) }
                        pos += 1
                        hi = try parseChar()
                    }
                    ranges.append((lo, hi))
                }
                if ranges.isEmpty { throw fail("empty character class", at: itemStart) }
                pos += 1
                lastStart = items.count
                rulesInLast = 1
                items.append(.chars(charClass(CodePointSet(ranges, negated: negated))))
                skipSpace(newlines: nested)
            } else if b == UInt8(ascii: "<") || b == UInt8(ascii: "!") {
                let negated = b == UInt8(ascii: "!")
                if negated { pos += 1 }
                guard current == UInt8(ascii: "<") else {
                    throw fail("expected '<' after '!', found \(describe(pos))", at: pos)
                }
                pos += 1
                guard current == UInt8(ascii: "[") else {
                    throw fail("token references by text (<...>) need a model vocabulary; write the token id as <[id]>", at: itemStart)
                }
                pos += 1
                let idAt = pos
                let id = try parseInt()
                if id > UInt64(Int32.max) { throw fail("token id \(id) is too large", at: idAt) }
                guard current == UInt8(ascii: "]"), byte(pos + 1) == UInt8(ascii: ">") else {
                    throw fail("expected ']>' to close the token reference, found \(describe(pos))", at: pos)
                }
                pos += 2
                lastStart = items.count
                rulesInLast = 1
                items.append(negated ? .notToken(Int32(id)) : .token(Int32(id)))
                skipSpace(newlines: nested)
            } else if Self.isNameByte(b) {
                let name = try parseName()
                let id = symbol(name, at: itemStart)
                skipSpace(newlines: nested)
                lastStart = items.count
                rulesInLast = 1
                items.append(.rule(id))
            } else if b == UInt8(ascii: "(") {
                if depth >= Self.maxNesting {
                    throw fail("groups nested too deep (over \(Self.maxNesting) levels)", at: itemStart)
                }
                pos += 1
                skipSpace(newlines: true)
                let before = out.names.count
                let id = generatedSymbol(ruleName, at: itemStart)
                let alternatives = try parseAlternates(ruleName: ruleName, depth: depth + 1)
                try define(id, alternatives, at: itemStart)
                rulesInLast = UInt64(max(1, out.names.count - before))
                lastStart = items.count
                items.append(.rule(id))
                guard current == UInt8(ascii: ")") else {
                    throw fail("expected ')' to close the group opened at column \(GrammarError("", at: itemStart, in: text).column), found \(describe(pos))", at: pos)
                }
                pos += 1
                skipSpace(newlines: nested)
            } else if b == UInt8(ascii: ".") {
                pos += 1
                lastStart = items.count
                rulesInLast = 1
                items.append(.chars(charClass(.any)))
                skipSpace(newlines: nested)
            } else if b == UInt8(ascii: "*") || b == UInt8(ascii: "+") || b == UInt8(ascii: "?") {
                pos += 1
                skipSpace(newlines: nested)
                let (lo, hi): (UInt64, UInt64?) = b == UInt8(ascii: "*") ? (0, nil) : b == UInt8(ascii: "+") ? (1, nil) : (0, 1)
                try repeatLast(&items, from: lastStart, min: lo, max: hi, rulesInLast: &rulesInLast,
                               ruleName: ruleName, at: itemStart)
            } else if b == UInt8(ascii: "{") {
                pos += 1
                skipSpace(newlines: nested)
                guard Self.isDigit(current) else {
                    throw fail("expected a repetition count after '{', found \(describe(pos))", at: pos)
                }
                let lo = try parseInt()
                skipSpace(newlines: nested)
                var hi: UInt64? = lo
                if current == UInt8(ascii: "}") {
                    pos += 1
                } else if current == UInt8(ascii: ",") {
                    pos += 1
                    skipSpace(newlines: nested)
                    hi = nil
                    if Self.isDigit(current) {
                        hi = try parseInt()
                        skipSpace(newlines: nested)
                    }
                    guard current == UInt8(ascii: "}") else {
                        throw fail("expected '}' to close the repetition, found \(describe(pos))", at: pos)
                    }
                    pos += 1
                } else {
                    throw fail("expected ',' or '}' in the repetition, found \(describe(pos))", at: pos)
                }
                skipSpace(newlines: nested)
                if lo > Self.repetitionThreshold {
                    throw fail("repetition count \(lo) is over the limit of \(Self.repetitionThreshold)", at: itemStart)
                }
                if let h = hi, h < lo {
                    throw fail("repetition {\(lo),\(h)}: the maximum is below the minimum", at: itemStart)
                }
                if let h = hi, h > Self.repetitionThreshold { hi = nil }
                try repeatLast(&items, from: lastStart, min: lo, max: hi, rulesInLast: &rulesInLast,
                               ruleName: ruleName, at: itemStart)
            } else {
                break
            }
        }
        return items
    }

    /// Rewrites the last item S (items[from...]) as llama.cpp does (src/llama-grammar.cpp, parse_sequence):
    ///   S{m,n} -> S x m, then S'(n-m) where S'(k) ::= S S'(k-1) | and S'(1) ::= S |
    ///   S{m,}  -> S x m, then S' where S' ::= S S' |
    private mutating func repeatLast(_ items: inout [GrammarItem], from: Int, min lo: UInt64, max hi: UInt64?,
                                     rulesInLast: inout UInt64, ruleName: String, at offset: Int) throws(GrammarError) {
        if from >= items.count {
            throw fail("repetition operator with nothing before it to repeat", at: offset)
        }
        let last = Array(items[from...])
        let generated: UInt64 = if let h = hi, h > 0 { h } else if lo > 0 { lo } else { 1 }
        let (product, overflow) = rulesInLast.multipliedReportingOverflow(by: generated)
        if overflow || product > Self.repetitionThreshold {
            throw fail("repetition would generate over \(Self.repetitionThreshold) rules; reduce the repetition counts or nesting", at: offset)
        }
        if lo == 0 {
            items.removeSubrange(from...)
        } else {
            for _ in 1..<lo { items.append(contentsOf: last) }
        }
        let optional = hi.map { $0 - lo } ?? 1
        var previous: Int32 = -1
        for i in 0..<optional {
            let id = generatedSymbol(ruleName, at: offset)
            var first = last
            if hi == nil {
                first.append(.rule(id))
            } else if i > 0 {
                first.append(.rule(previous))
            }
            try define(id, [first, []], at: offset)
            previous = id
        }
        if optional > 0 { items.append(.rule(previous)) }
        rulesInLast = product
    }
}
