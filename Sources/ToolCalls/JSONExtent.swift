/// Where a JSON value that starts at a given byte ends, found without parsing it, so a streaming
/// parser can tell "not finished yet" from "finished" from "cannot be JSON" on a prefix of the text.
/// The value must be an object, an array or a string (tool-call payloads are); a value found complete
/// is still parsed by `JSONValue(parsing:)`, which has the last word on validity.
enum JSONExtent: Equatable {
    /// The value ends just before this offset.
    case complete(end: Int)
    /// The text so far is a prefix of a value.
    case needMore
    /// No continuation can make this a JSON value.
    case invalid

    static func scan(_ bytes: [UInt8], from start: Int, end: Int) -> JSONExtent {
        guard start < end else { return .needMore }
        let first = bytes[start]
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\"") else { return .invalid }
        var open: [UInt8] = []
        var inString = false, escaped = false
        var i = start
        while i < end {
            let c = bytes[i]
            if inString {
                if escaped {
                    escaped = false
                } else if c == UInt8(ascii: "\\") {
                    escaped = true
                } else if c == UInt8(ascii: "\"") {
                    inString = false
                    if open.isEmpty { return .complete(end: i + 1) }
                } else if c < 0x20 {
                    return .invalid  // RFC 8259: control characters must be escaped in strings
                }
            } else {
                switch c {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): open.append(c)
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    let opener = c == UInt8(ascii: "}") ? UInt8(ascii: "{") : UInt8(ascii: "[")
                    guard open.popLast() == opener else { return .invalid }
                    if open.isEmpty { return .complete(end: i + 1) }
                default:
                    guard isValueByte(c) else { return .invalid }
                }
            }
            i += 1
        }
        return .needMore
    }

    /// Bytes that may appear outside strings: whitespace, separators, numbers, true/false/null.
    private static func isValueByte(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "+"),
             UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "E"): true
        case _ where "truefalsn".utf8.contains(c): true
        default: false
        }
    }
}
