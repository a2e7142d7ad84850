/// A set of Unicode code points: what one terminal of a grammar (a literal character, a class such as
/// `[a-z_]` or `[^"\\]`, or `.`) matches. Stored as sorted, disjoint, inclusive ranges, with a bitmap
/// for ASCII because almost every character an LLM writes into structured output is ASCII.
struct CodePointSet: Sendable, Hashable {
    /// Flattened inclusive ranges: lo0, hi0, lo1, hi1, ... sorted and disjoint.
    private(set) var ranges: [UInt32]
    /// Bit c of `asciiLow` (c < 64) or of `asciiHigh` (64 <= c < 128) is set when c is in the set.
    private(set) var asciiLow: UInt64 = 0
    private(set) var asciiHigh: UInt64 = 0

    static let maxCodePoint: UInt32 = 0x10FFFF

    /// The union of `items` (inclusive ranges; a range with lo > hi is empty), complemented when `negated`.
    init(_ items: [(UInt32, UInt32)], negated: Bool) {
        var sorted = items.filter { $0.0 <= $0.1 }.sorted { $0.0 < $1.0 }
        var merged: [(UInt32, UInt32)] = []
        for r in sorted {
            if let last = merged.last, r.0 <= last.1 &+ 1 {
                merged[merged.count - 1].1 = max(last.1, r.1)
            } else {
                merged.append(r)
            }
        }
        if negated {
            sorted = []
            var next: UInt32 = 0
            for r in merged {
                if r.0 > next { sorted.append((next, r.0 - 1)) }
                next = r.1 >= Self.maxCodePoint ? Self.maxCodePoint + 1 : r.1 + 1
            }
            if next <= Self.maxCodePoint { sorted.append((next, Self.maxCodePoint)) }
            merged = sorted
        }
        ranges = merged.flatMap { [$0.0, $0.1] }
        for r in merged where r.0 < 128 {
            for c in r.0...min(r.1, 127) {
                if c < 64 { asciiLow |= 1 << UInt64(c) } else { asciiHigh |= 1 << UInt64(c - 64) }
            }
        }
    }

    static let any = CodePointSet([(0, maxCodePoint)], negated: false)

    var isEmpty: Bool { ranges.isEmpty }

    @inline(__always)
    func contains(_ c: UInt32) -> Bool {
        if c < 64 { return asciiLow & (1 << UInt64(c)) != 0 }
        if c < 128 { return asciiHigh & (1 << UInt64(c - 64)) != 0 }
        var i = 0
        while i < ranges.count {
            if c < ranges[i] { return false }
            if c <= ranges[i + 1] { return true }
            i += 2
        }
        return false
    }

    /// Whether some code point in lo...hi is in the set.
    func intersects(_ lo: UInt32, _ hi: UInt32) -> Bool {
        var i = 0
        while i < ranges.count {
            if ranges[i] > hi { return false }
            if ranges[i + 1] >= lo { return true }
            i += 2
        }
        return false
    }

    /// The number of code points in the set (for picking one at random).
    var count: UInt64 {
        var n: UInt64 = 0
        var i = 0
        while i < ranges.count {
            n += UInt64(ranges[i + 1] - ranges[i]) + 1
            i += 2
        }
        return n
    }

    /// The `k`-th code point of the set in increasing order, k < count.
    func element(at k: UInt64) -> UInt32 {
        var k = k
        var i = 0
        while i < ranges.count {
            let n = UInt64(ranges[i + 1] - ranges[i]) + 1
            if k < n { return ranges[i] + UInt32(k) }
            k -= n
            i += 2
        }
        return ranges.last ?? 0
    }
}
