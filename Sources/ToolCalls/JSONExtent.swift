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
        var scanner = JSONScanner()
        for i in start..<end {
            switch scanner.read(bytes[i]) {
            case .space, .inside: continue
            case .last: return .complete(end: i + 1)
            case .invalid: return .invalid
            }
        }
        return .needMore
    }
}

/// `JSONExtent`'s rules one byte at a time, so a value can also be followed as it streams
/// (`ArgumentStream`) and both agree on where it ends or stops being JSON.
struct JSONScanner: Sendable {
    /// What a byte is to the value.
    enum Byte: Equatable {
        /// Whitespace outside strings.
        case space
        /// Part of the value, not its last byte.
        case inside
        /// The value's last byte.
        case last
        /// Not part of any JSON value continuing the bytes before it.
        case invalid
    }

    private var open: [UInt8] = []
    private var started = false
    private var inString = false, escaped = false

    mutating func read(_ c: UInt8) -> Byte {
        if !started {
            guard c == UInt8(ascii: "{") || c == UInt8(ascii: "[") || c == UInt8(ascii: "\"") else { return .invalid }
            started = true
        }
        if inString {
            if escaped {
                escaped = false
            } else if c == UInt8(ascii: "\\") {
                escaped = true
            } else if c == UInt8(ascii: "\"") {
                inString = false
                if open.isEmpty { return .last }
            } else if c < 0x20 {
                return .invalid  // RFC 8259: control characters must be escaped in strings
            }
            return .inside
        }
        switch c {
        case 0x20, 0x0A, 0x0D, 0x09: return .space
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["): open.append(c)
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            let opener = c == UInt8(ascii: "}") ? UInt8(ascii: "{") : UInt8(ascii: "[")
            guard open.last == opener else { return .invalid }
            open.removeLast()
            if open.isEmpty { return .last }
        default:
            guard JSONScanner.isValueByte(c) else { return .invalid }
        }
        return .inside
    }

    /// Bytes that may appear outside strings besides whitespace: separators, numbers, true/false/null.
    private static func isValueByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "+"),
             UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "E"): true
        case _ where "truefalsn".utf8.contains(c): true
        default: false
        }
    }
}
