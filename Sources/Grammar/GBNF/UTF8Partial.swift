/// The bytes of a UTF-8 sequence seen so far when a token ends inside a code point.
///
/// Strict UTF-8 (RFC 3629): a lead byte announces 2, 3 or 4 bytes; each later byte is 10xxxxxx; the code
/// point must need that many bytes (no overlong forms), be at most U+10FFFF and not be a surrogate.
/// The range of code points the sequence can still become is what the grammar is checked against, so
/// a sequence that is already invalid (C0, E0 80, F4 90, ...) is rejected at its first bad byte.
struct UTF8Partial: Hashable, Sendable {
    /// The payload bits seen so far.
    var value: UInt32 = 0
    /// Bytes still to come; 0 when no sequence is open.
    var remaining: UInt8 = 0
    /// Total length of the open sequence (2...4), 0 when none.
    var length: UInt8 = 0

    static let none = UTF8Partial()

    var isOpen: Bool { remaining != 0 }

    /// The smallest and largest code point the sequence can complete to, limited to what a sequence of
    /// this length may encode; nil when no valid code point is left.
    var range: (lo: UInt32, hi: UInt32)? {
        let shift = UInt32(remaining) * 6
        var lo = value << shift
        var hi = lo | ((1 << shift) - 1)
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        let maximum: UInt32 = length == 2 ? 0x7FF : length == 3 ? 0xFFFF : 0x10FFFF
        lo = max(lo, minimum)
        hi = min(hi, maximum)
        if lo > hi { return nil }
        if lo >= 0xD800 && hi <= 0xDFFF { return nil }  // only surrogates left
        return (lo, hi)
    }

    /// Starts a sequence at lead byte `b` (b >= 0x80); nil when `b` cannot start one.
    static func start(_ b: UInt8) -> UTF8Partial? {
        let p: UTF8Partial
        switch b {
        case 0xC0...0xDF: p = UTF8Partial(value: UInt32(b & 0x1F), remaining: 1, length: 2)
        case 0xE0...0xEF: p = UTF8Partial(value: UInt32(b & 0x0F), remaining: 2, length: 3)
        case 0xF0...0xF7: p = UTF8Partial(value: UInt32(b & 0x07), remaining: 3, length: 4)
        default: return nil
        }
        return p.range == nil ? nil : p
    }

    /// Adds continuation byte `b`; nil when it is not one or no valid code point is left.
    func adding(_ b: UInt8) -> UTF8Partial? {
        guard b & 0xC0 == 0x80 else { return nil }
        let p = UTF8Partial(value: value << 6 | UInt32(b & 0x3F), remaining: remaining - 1, length: length)
        if p.remaining == 0 {
            let c = p.value
            let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
            if c < minimum || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) { return nil }
            return p
        }
        return p.range == nil ? nil : p
    }
}
