/// The scalars a regex bracket expression of literal characters and ranges lists, e.g. the body
/// `A-Za-zµÀ-Ö` of `[A-Za-zµÀ-Ö]`. The pre-tokenizers build these from the very text of their
/// regexes, so the regex they report and the set they test cannot drift apart.
struct CodePointSet: Sendable {
    /// Sorted, non-overlapping closed ranges of scalar values.
    private let ranges: [ClosedRange<UInt32>]
    /// Membership of each ASCII value. (128)
    private let ascii: [Bool]

    /// - Parameter body: literal scalars and `a-b` ranges, no escapes (every caller's text has none).
    init(_ body: String) {
        let scalars = Array(body.unicodeScalars)
        var ranges: [ClosedRange<UInt32>] = []
        var index = 0
        while index < scalars.count {
            let low = scalars[index].value
            if index + 2 < scalars.count, scalars[index + 1] == "-" {
                let high = scalars[index + 2].value
                precondition(low <= high, "range \(scalars[index])-\(scalars[index + 2]) is reversed")
                ranges.append(low...high)
                index += 3
            } else {
                ranges.append(low...low)
                index += 1
            }
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for range in ranges {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
        self.ascii = (0..<128).map { value in merged.contains { $0.contains(UInt32(value)) } }
    }

    @inline(__always)
    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 128 { return ascii[Int(value)] }
        // Binary search for the last range starting at or below `value`.
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].lowerBound <= value { low = mid + 1 } else { high = mid }
        }
        return low > 0 && ranges[low - 1].upperBound >= value
    }
}
