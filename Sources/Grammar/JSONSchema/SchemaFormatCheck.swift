/// What each supported `format` accepts, checked by the validator. The grammar side
/// (`JSONSchemaGrammar`) writes the same shapes as GBNF; date and time follow RFC 3339
/// (llama.cpp common/json-schema-to-grammar.cpp has the same shapes; jsonschema's checkers
/// additionally reject impossible dates such as 2023-02-29, and so does this).
extension SchemaFormat {
    func accepts(_ s: String) -> Bool {
        let u = Array(s.utf8)
        switch self {
        case .date: return SchemaFormat.date(u[...]) == u.count
        case .time: return SchemaFormat.time(u[...]) == u.count
        case .dateTime:
            guard let d = SchemaFormat.date(u[...]), d < u.count, u[d] == UInt8(ascii: "T") || u[d] == UInt8(ascii: "t") else { return false }
            return SchemaFormat.time(u[(d + 1)...]).map { $0 == u.count } ?? false
        case .uuid:
            guard u.count == 36 else { return false }
            for (k, c) in u.enumerated() {
                if [8, 13, 18, 23].contains(k) { if c != UInt8(ascii: "-") { return false } } else if !isHex(c) { return false }
            }
            return true
        case .email:
            return SchemaFormat.isEmail(u)
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private func isHex(_ c: UInt8) -> Bool { SchemaFormat.isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66) }

    /// Number of `n` digits at `at`, or nil.
    private static func digits(_ u: ArraySlice<UInt8>, _ at: Int, _ n: Int) -> Int? {
        guard at + n <= u.endIndex else { return nil }
        var v = 0
        for k in at..<at + n {
            guard isDigit(u[k]) else { return nil }
            v = v * 10 + Int(u[k] - 0x30)
        }
        return v
    }

    /// End index of a full-date (YYYY-MM-DD, a real calendar day) at the slice start.
    private static func date(_ u: ArraySlice<UInt8>) -> Int? {
        let a = u.startIndex
        guard let y = digits(u, a, 4), a + 10 <= u.endIndex, u[a + 4] == 0x2D, let m = digits(u, a + 5, 2),
            u[a + 7] == 0x2D, let d = digits(u, a + 8, 2), (1...12).contains(m)
        else { return nil }
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d) ? a + 10 : nil
    }

    /// End index of an RFC 3339 full-time (HH:MM:SS[.fff...](Z|±HH:MM)).
    private static func time(_ u: ArraySlice<UInt8>) -> Int? {
        let a = u.startIndex
        guard let h = digits(u, a, 2), a + 8 <= u.endIndex, u[a + 2] == 0x3A, let m = digits(u, a + 3, 2),
            u[a + 5] == 0x3A, let s = digits(u, a + 6, 2), h < 24, m < 60, s < 60
        else { return nil }
        var k = a + 8
        if k < u.endIndex, u[k] == UInt8(ascii: ".") {
            k += 1
            let start = k
            while k < u.endIndex, isDigit(u[k]) { k += 1 }
            if k == start { return nil }
        }
        guard k < u.endIndex else { return nil }
        if u[k] == UInt8(ascii: "Z") || u[k] == UInt8(ascii: "z") { return k + 1 }
        guard u[k] == UInt8(ascii: "+") || u[k] == UInt8(ascii: "-"), let oh = digits(u, k + 1, 2), k + 6 <= u.endIndex,
            u[k + 3] == 0x3A, let om = digits(u, k + 4, 2), oh < 24, om < 60
        else { return nil }
        return k + 6
    }

    /// local@domain: local is dot-separated runs of letters, digits and !#$%&'*+/=?^_`{|}~-;
    /// domain is dot-separated labels of letters, digits and inner hyphens, at least two labels.
    /// (jsonschema only asks for an "@"; this is the shape the grammar generates.)
    static func isEmail(_ u: [UInt8]) -> Bool {
        guard let at = u.lastIndex(of: UInt8(ascii: "@")) else { return false }
        let local = u[..<at].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let domain = u[(at + 1)...].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let localExtra = Set("!#$%&'*+/=?^_`{|}~-".utf8)
        func alnum(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) }
        guard local.allSatisfy({ !$0.isEmpty && $0.allSatisfy { alnum($0) || localExtra.contains($0) } }) else { return false }
        guard domain.count >= 2 else { return false }
        return domain.allSatisfy { label in
            guard let f = label.first, let l = label.last else { return false }
            return alnum(f) && alnum(l) && label.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
        }
    }
}
