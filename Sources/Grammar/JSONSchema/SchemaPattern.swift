/// A `pattern` keyword parsed into the regex subset Cria turns into grammar: literals, `.`,
/// classes (with `\d \w \s` and their negations), groups `( )` and `(?: )`, alternation,
/// `* + ? {m} {m,} {m,n}` and the anchors `^` / `$` at the very ends. Any other construct is an
/// error that names it.
struct SchemaPattern: Sendable {
    indirect enum Node: Sendable, Equatable {
        case set(ScalarSet)
        case sequence([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?)
    }

    struct ParseError: Error { var reason: String }

    /// Larger `{m,n}` counts are refused: llama.cpp expands each repetition into rules.
    static let maxRepetition = 1000
    static let maxNesting = 100

    let source: String
    let root: Node
    let anchoredStart: Bool
    let anchoredEnd: Bool

    init(_ source: String) throws(ParseError) {
        self.source = source
        var scalars = Array(source.unicodeScalars)
        anchoredStart = scalars.first == "^"
        if anchoredStart { scalars.removeFirst() }
        var trailingBackslashes = 0
        if scalars.last == "$" {
            var i = scalars.count - 2
            while i >= 0, scalars[i] == "\\" { trailingBackslashes += 1; i -= 1 }
        }
        anchoredEnd = scalars.last == "$" && trailingBackslashes % 2 == 0
        if anchoredEnd { scalars.removeLast() }
        var parser = Parser(s: scalars)
        root = try parser.alternation()
        if parser.i < scalars.count { throw ParseError(reason: "unbalanced parenthesis ')'") }
    }

    // MARK: - parsing

    private struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        var depth = 0

        func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

        mutating func alternation() throws(ParseError) -> Node {
            var branches = [try sequence()]
            while peek() == "|" {
                i += 1
                branches.append(try sequence())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func sequence() throws(ParseError) -> Node {
            var items: [Node] = []
            while let c = peek(), c != "|", c != ")" {
                var atom = try self.atom()
                while let q = peek(), q == "*" || q == "+" || q == "?" || (q == "{" && isQuantifier()) {
                    let (lo, hi) = try quantifier()
                    if case .repetition = atom { throw ParseError(reason: "nested quantifier such as a** or a{2}+ is not supported") }
                    atom = .repetition(atom, min: lo, max: hi)
                }
                items.append(atom)
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        func isQuantifier() -> Bool {
            var k = i + 1
            var sawDigit = false
            while k < s.count, s[k] != "}" {
                if ("0"..."9").contains(s[k]) { sawDigit = true }
                else if s[k] != "," { return false }
                k += 1
            }
            return k < s.count && sawDigit
        }

        mutating func quantifier() throws(ParseError) -> (Int, Int?) {
            let c = s[i]
            i += 1
            var result: (Int, Int?)
            switch c {
            case "*": result = (0, nil)
            case "+": result = (1, nil)
            case "?": result = (0, 1)
            default:
                var text = ""
                while let d = peek(), d != "}" { text.unicodeScalars.append(d); i += 1 }
                i += 1
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                guard parts.count <= 2, let lo = parts[0].isEmpty ? 0 : Int(parts[0]) else {
                    throw ParseError(reason: "bad repetition {\(text)}")
                }
                let hi: Int? = parts.count == 1 ? lo : (parts[1].isEmpty ? nil : Int(parts[1]))
                if parts.count == 2, !parts[1].isEmpty, hi == nil { throw ParseError(reason: "bad repetition {\(text)}") }
                if let hi, hi < lo { throw ParseError(reason: "repetition {\(text)} has max below min") }
                if max(lo, hi ?? 0) > SchemaPattern.maxRepetition {
                    throw ParseError(reason: "repetition {\(text)} is above \(SchemaPattern.maxRepetition)")
                }
                result = (lo, hi)
            }
            if peek() == "?" { throw ParseError(reason: "lazy quantifier \(c)? is not supported") }
            if peek() == "+" { throw ParseError(reason: "possessive quantifier \(c)+ is not supported") }
            return result
        }

        mutating func atom() throws(ParseError) -> Node {
            let c = s[i]
            switch c {
            case "(":
                i += 1
                if peek() == "?" {
                    guard peek(1) == ":" else {
                        throw ParseError(reason: "group syntax (?\(peek(1).map { String($0) } ?? "") (lookaround, named group or inline flag) is not supported")
                    }
                    i += 2
                }
                depth += 1
                if depth > SchemaPattern.maxNesting { throw ParseError(reason: "groups nested deeper than \(SchemaPattern.maxNesting)") }
                let inner = try alternation()
                depth -= 1
                guard peek() == ")" else { throw ParseError(reason: "unbalanced parenthesis '('") }
                i += 1
                return inner
            case "[":
                return .set(try characterClass())
            case ".":
                i += 1
                return .set(ScalarSet.dot)
            case "^", "$":
                throw ParseError(reason: "anchor \(c) inside the pattern is not supported (only at its start and end)")
            case "*", "+", "?":
                throw ParseError(reason: "nothing to repeat before \(c)")
            case "{" where isQuantifier():
                throw ParseError(reason: "nothing to repeat before {")
            case "\\":
                return .set(try escape(inClass: false))
            default:
                i += 1
                return .set(ScalarSet(c.value))
            }
        }

        mutating func escape(inClass: Bool) throws(ParseError) -> ScalarSet {
            guard let e = peek(1) else { throw ParseError(reason: "trailing backslash") }
            i += 2
            switch e {
            case "d": return .digit
            case "D": return ScalarSet.digit.inverted
            case "w": return .word
            case "W": return ScalarSet.word.inverted
            case "s": return .space
            case "S": return ScalarSet.space.inverted
            case "t": return ScalarSet(0x09)
            case "n": return ScalarSet(0x0A)
            case "r": return ScalarSet(0x0D)
            case "f": return ScalarSet(0x0C)
            case "v": return ScalarSet(0x0B)
            case "x", "u":
                let n = e == "x" ? 2 : 4
                var v: UInt32 = 0
                for _ in 0..<n {
                    guard let h = peek(), let d = h.properties.isASCIIHexDigit ? UInt32(String(h), radix: 16) : nil else {
                        throw ParseError(reason: "bad \\\(e) escape")
                    }
                    v = v * 16 + d
                    i += 1
                }
                return ScalarSet(v)
            case "b" where inClass: return ScalarSet(0x08)
            case "b", "B": throw ParseError(reason: "word boundary \\\(e) is not supported")
            case "A", "Z", "z", "G": throw ParseError(reason: "anchor \\\(e) is not supported")
            case "1"..."9": throw ParseError(reason: "backreference \\\(e) is not supported")
            case "p", "P": throw ParseError(reason: "Unicode property \\\(e) is not supported")
            default:
                if e.properties.isAlphabetic || ("0"..."9").contains(e) {
                    throw ParseError(reason: "escape \\\(e) is not supported")
                }
                return ScalarSet(e.value)
            }
        }

        mutating func characterClass() throws(ParseError) -> ScalarSet {
            i += 1
            let negated = peek() == "^"
            if negated { i += 1 }
            var set = ScalarSet()
            var first = true
            while let c = peek(), c != "]" || first {
                first = false
                let lo: ScalarSet
                if c == "\\" { lo = try escape(inClass: true) } else { lo = ScalarSet(c.value); i += 1 }
                if peek() == "-", let next = peek(1), next != "]", let a = lo.single {
                    i += 1
                    let hi: ScalarSet
                    if next == "\\" { hi = try escape(inClass: true) } else { hi = ScalarSet(next.value); i += 1 }
                    guard let b = hi.single, a <= b else { throw ParseError(reason: "bad range in character class") }
                    set.insert(a...b)
                } else {
                    set.formUnion(lo)
                }
            }
            guard peek() == "]" else { throw ParseError(reason: "unterminated character class") }
            i += 1
            return negated ? set.inverted : set
        }
    }

    // MARK: - matching (what the validator uses)

    /// Whether the pattern matches somewhere in `text` (JSON Schema patterns are searches, as
    /// Python's `re.search` in jsonschema), honouring the anchors.
    func matches(_ text: String) -> Bool {
        let s = text.unicodeScalars.map(\.value)
        var start = [Bool](repeating: !anchoredStart, count: s.count + 1)
        start[0] = true
        let end = SchemaPattern.run(root, s, start)
        return anchoredEnd ? end[s.count] : end.contains(true)
    }

    /// Positions reachable after matching `node` from any position set in `from`: a set
    /// simulation, linear per step, so no pattern backtracks exponentially.
    private static func run(_ node: Node, _ s: [UInt32], _ from: [Bool]) -> [Bool] {
        switch node {
        case .set(let set):
            var out = [Bool](repeating: false, count: from.count)
            for p in 0..<s.count where from[p] && set.contains(s[p]) { out[p + 1] = true }
            return out
        case .sequence(let items):
            var cur = from
            for item in items {
                cur = run(item, s, cur)
                if !cur.contains(true) { break }
            }
            return cur
        case .alternation(let branches):
            var out = [Bool](repeating: false, count: from.count)
            for b in branches {
                for (k, v) in run(b, s, from).enumerated() where v { out[k] = true }
            }
            return out
        case .repetition(let item, let lo, let hi):
            var cur = from
            for _ in 0..<lo {
                cur = run(item, s, cur)
                if !cur.contains(true) { return cur }
            }
            var result = cur
            var count = lo
            while hi.map({ count < $0 }) ?? true {
                cur = run(item, s, cur)
                count += 1
                var grew = false
                for (k, v) in cur.enumerated() where v && !result[k] {
                    result[k] = true
                    grew = true
                }
                // unbounded: stop once nothing new is reachable; bounded: stop when nothing is
                if hi == nil ? !grew : !cur.contains(true) { break }
            }
            return result
        }
    }
}
