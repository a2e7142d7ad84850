/// A set of Unicode scalar values as sorted, disjoint, non-adjacent closed ranges: one regex
/// atom (a literal, `.`, a class, `\d`...).
struct ScalarSet: Sendable, Equatable {
    private(set) var ranges: [ClosedRange<UInt32>] = []

    static let maxScalar: UInt32 = 0x10FFFF

    init() {}
    init(_ scalar: UInt32) { ranges = [scalar...scalar] }
    init(ranges: [ClosedRange<UInt32>]) {
        for r in ranges { insert(r) }
    }

    mutating func insert(_ r: ClosedRange<UInt32>) {
        var lo = r.lowerBound, hi = r.upperBound
        var kept: [ClosedRange<UInt32>] = []
        var placed = false
        for x in ranges {
            if x.upperBound &+ 1 < lo {
                kept.append(x)
            } else if hi &+ 1 < x.lowerBound {
                if !placed { kept.append(lo...hi); placed = true }
                kept.append(x)
            } else {
                lo = min(lo, x.lowerBound)
                hi = max(hi, x.upperBound)
            }
        }
        if !placed { kept.append(lo...hi) }
        ranges = kept
    }

    mutating func formUnion(_ other: ScalarSet) {
        for r in other.ranges { insert(r) }
    }

    var inverted: ScalarSet {
        var out = ScalarSet()
        var next: UInt32 = 0
        for r in ranges {
            if r.lowerBound > next { out.ranges.append(next...(r.lowerBound - 1)) }
            next = r.upperBound &+ 1
        }
        if next <= ScalarSet.maxScalar, ranges.last?.upperBound != ScalarSet.maxScalar {
            out.ranges.append(next...ScalarSet.maxScalar)
        }
        return out
    }

    func subtracting(_ other: ScalarSet) -> ScalarSet {
        intersection(other.inverted)
    }

    func intersection(_ other: ScalarSet) -> ScalarSet {
        var out = ScalarSet()
        for a in ranges {
            for b in other.ranges {
                let lo = max(a.lowerBound, b.lowerBound), hi = min(a.upperBound, b.upperBound)
                if lo <= hi { out.insert(lo...hi) }
            }
        }
        return out
    }

    func contains(_ v: UInt32) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count && ranges[lo].contains(v)
    }

    var isEmpty: Bool { ranges.isEmpty }
    /// The one scalar, when the set has exactly one.
    var single: UInt32? { ranges.count == 1 && ranges[0].count == 1 ? ranges[0].lowerBound : nil }

    // Python's `re` on str (what jsonschema uses) gives \d \w \s Unicode meanings; these are the
    // ASCII ones, which JSON Schema's ECMA-262 regex dialect specifies for \d and \w.
    static let digit = ScalarSet(ranges: [0x30...0x39])
    static let word = ScalarSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    static let space = ScalarSet(ranges: [0x09...0x0D, 0x20...0x20])
    /// Python's `.`: anything but a line feed.
    static let dot = ScalarSet(0x0A).inverted
}
