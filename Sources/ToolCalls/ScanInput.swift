import Grammar

/// The parser's held bytes as a format's recognizers see them: `bytes[..<end]` is what has arrived
/// (or what the size bound lets them look at), and `ended` says no more will come.
struct ScanInput {
    let bytes: [UInt8]
    let end: Int
    let ended: Bool

    /// What a recognizer answers for text that starts a call (or may).
    enum Outcome {
        /// The text so far is consistent with a call; wait for more.
        case needMore
        /// Not a call: the marker is content after all.
        case reject
        case accept(Accepted)
    }

    struct Accepted {
        /// Content carried inside the call text (the generic format's `{"response": ...}`).
        var content = ""
        var calls: [DecodedCall] = []
        /// Offset just past the recognized text.
        var end: Int
        var next: ParserMode
    }

    /// `.needMore`, or `.reject` once the text has ended.
    var more: Outcome { ended ? .reject : .needMore }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
    }

    func skipSpace(_ i: Int) -> Int {
        var i = i
        while i < end, ScanInput.isSpace(bytes[i]) { i += 1 }
        return i
    }

    enum LiteralMatch: Equatable { case match(end: Int), partial, mismatch }

    /// Whether `literal` is at `i`: all of it, a prefix of it cut off by the end of the input, or not.
    func match(_ literal: String, at i: Int) -> LiteralMatch {
        var j = i
        for c in literal.utf8 {
            if j == end { return .partial }
            if bytes[j] != c { return .mismatch }
            j += 1
        }
        return .match(end: j)
    }

    /// First offset >= `i` where `literal` starts, if it is all there.
    func find(_ literal: String, from i: Int) -> Int? {
        let l = Array(literal.utf8)
        guard let first = l.first, end - i >= l.count else { return nil }
        var j = i
        while j + l.count <= end {
            if bytes[j] == first, bytes[j..<(j + l.count)].elementsEqual(l) { return j }
            j += 1
        }
        return nil
    }

    /// A name: the bytes from `i` while `isNameByte`, or `.-` too when `dotted`.
    func name(at i: Int, dotted: Bool = false) -> (String, end: Int) {
        var j = i
        while j < end, ScanInput.isNameByte(bytes[j]) || (dotted && (bytes[j] == UInt8(ascii: ".") || bytes[j] == UInt8(ascii: "-"))) {
            j += 1
        }
        return (String(decoding: bytes[i..<j], as: UTF8.self), j)
    }

    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// The JSON value (object, array or string) at `i`: parsed with its end, `.needMore`, or nil
    /// when it is not (and cannot become) JSON.
    enum JSONAt { case value(JSONValue, end: Int), needMore, invalid }

    func json(at i: Int) -> JSONAt {
        switch JSONExtent.scan(bytes, from: i, end: end) {
        case .needMore: return .needMore
        case .invalid: return .invalid
        case .complete(let e):
            guard let v = try? JSONValue(parsing: Array(bytes[i..<e])) else { return .invalid }
            return .value(v, end: e)
        }
    }
}
