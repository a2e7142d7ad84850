/// GBNF for the decimal integers in [lower, upper] (either side open), exact, as digit
/// grammars. The construction follows llama.cpp common/json-schema-to-grammar.cpp
/// (build_min_max_int): split by digit count, then by leading digit; unbounded sides allow at
/// most 16 digits, like the `integer` rule.
struct IntegerRangeGrammar {
    private var out = ""

    static func gbnf(lower: Int64?, upper: Int64?) -> String {
        var g = IntegerRangeGrammar()
        g.range(lower, upper, digitsLeft: 16, topLevel: true)
        return g.out
    }

    private mutating func digitClass(_ from: Character, _ to: Character) {
        out += from == to ? "[\(from)]" : "[\(from)-\(to)]"
    }

    private mutating func anyDigits(_ lo: Int, _ hi: Int) {
        out += "[0-9]"
        if lo == 1 && hi == 1 { return }
        out += lo == hi ? "{\(lo)}" : "{\(lo),\(hi)}"
    }

    private static func shift(_ c: Character, _ d: Int) -> Character {
        Character(Unicode.Scalar(UInt8(Int(c.asciiValue ?? 48) + d)))
    }

    /// All digit strings of equal length from `from` to `to` (same length, from <= to).
    private mutating func sameLength(_ from: [Character], _ to: [Character]) {
        var i = 0
        while i < from.count && from[i] == to[i] { i += 1 }
        if i > 0 { out += "\"" + String(from[..<i]) + "\"" }
        guard i < from.count else { return }
        if i > 0 { out += " " }
        let restLength = from.count - i - 1
        guard restLength > 0 else {
            out += "[\(from[i])-\(to[i])]"
            return
        }
        let fromRest = Array(from[(i + 1)...]), toRest = Array(to[(i + 1)...])
        let zeros = [Character](repeating: "0", count: restLength)
        let nines = [Character](repeating: "9", count: restLength)
        var reachedTo = false
        out += "("
        if fromRest == zeros {
            digitClass(from[i], IntegerRangeGrammar.shift(to[i], -1))
            out += " "
            anyDigits(restLength, restLength)
        } else {
            out += "[\(from[i])] ("
            sameLength(fromRest, nines)
            out += ")"
            if from[i] < IntegerRangeGrammar.shift(to[i], -1) {
                out += " | "
                if toRest == nines {
                    digitClass(IntegerRangeGrammar.shift(from[i], 1), to[i])
                    reachedTo = true
                } else {
                    digitClass(IntegerRangeGrammar.shift(from[i], 1), IntegerRangeGrammar.shift(to[i], -1))
                }
                out += " "
                anyDigits(restLength, restLength)
            }
        }
        if !reachedTo {
            out += " | "
            digitClass(to[i], to[i])
            out += " "
            sameLength(zeros, toRest)
        }
        out += ")"
    }

    private mutating func range(_ lower: Int64?, _ upper: Int64?, digitsLeft: Int, topLevel: Bool) {
        let fewer = max(digitsLeft - 1, 1)
        switch (lower, upper) {
        case let (lo?, hi?):
            if lo < 0 && hi < 0 {
                out += "\"-\" ("
                range(-hi, -lo, digitsLeft: digitsLeft, topLevel: true)
                out += ")"
                return
            }
            var lo = lo
            if lo < 0 {
                out += "\"-\" ("
                range(0, -lo, digitsLeft: digitsLeft, topLevel: true)
                out += ") | "
                lo = 0
            }
            var loDigits = Array(String(lo))
            let hiDigits = Array(String(hi))
            for length in loDigits.count..<hiDigits.count {
                sameLength(loDigits, [Character](repeating: "9", count: length))
                loDigits = ["1"] + [Character](repeating: "0", count: length)
                out += " | "
            }
            sameLength(loDigits, hiDigits)
        case let (lo?, nil):
            if lo < 0 {
                out += "\"-\" ("
                range(nil, -lo, digitsLeft: digitsLeft, topLevel: false)
                out += ") | [0] | [1-9] "
                anyDigits(0, digitsLeft - 1)
            } else if lo == 0 {
                if topLevel {
                    out += "[0] | [1-9] "
                    anyDigits(0, fewer)
                } else {
                    anyDigits(1, digitsLeft)
                }
            } else if lo <= 9 {
                let c = Character(String(lo))
                let start: Character = topLevel ? "1" : "0"
                if c > start {
                    digitClass(start, IntegerRangeGrammar.shift(c, -1))
                    out += " "
                    anyDigits(1, fewer)
                    out += " | "
                }
                digitClass(c, "9")
                out += " "
                anyDigits(0, fewer)
            } else {
                let s = Array(String(lo))
                let c = s[0]
                if c > "1" {
                    digitClass(topLevel ? "1" : "0", IntegerRangeGrammar.shift(c, -1))
                    out += " "
                    anyDigits(s.count, fewer)
                    out += " | "
                }
                digitClass(c, c)
                out += " ("
                range(Int64(String(s[1...])) ?? 0, nil, digitsLeft: fewer, topLevel: false)
                out += ")"
                if c < "9" {
                    out += " | "
                    digitClass(IntegerRangeGrammar.shift(c, 1), "9")
                    out += " "
                    anyDigits(s.count - 1, fewer)
                }
            }
        case let (nil, hi?):
            if hi >= 0 {
                if topLevel {
                    out += "\"-\" [1-9] "
                    anyDigits(0, fewer)
                    out += " | "
                }
                range(0, hi, digitsLeft: digitsLeft, topLevel: true)
            } else {
                // the magnitude after "-" is a whole number: no leading zero ("-05" is not JSON;
                // llama.cpp's build_min_max_int allows it here)
                out += "\"-\" ("
                range(-hi, nil, digitsLeft: digitsLeft, topLevel: true)
                out += ")"
            }
        case (nil, nil):
            out += "\"-\"? integral-part"
        }
    }
}
