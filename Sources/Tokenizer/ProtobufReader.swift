/// Reads protobuf wire format (protobuf docs, "Encoding"): each field is a varint key
/// (number << 3 | wire type) followed by a varint, 8 bytes, a length-delimited run, or 4 bytes.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed32(UInt32)
    }

    let bytes: ArraySlice<UInt8>
    private var position: Int
    private(set) var lastFieldOffset = 0

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    /// The next field, or nil at the end.
    mutating func next() throws -> (Int, Value)? {
        guard position < bytes.endIndex else { return nil }
        lastFieldOffset = position
        let key = try varint()
        let field = Int(key >> 3)
        guard field > 0 else { throw error("field number 0") }
        switch key & 7 {
        case 0:
            return (field, .varint(try varint()))
        case 1:
            return (field, .fixed64(UInt64(littleEndianBytes: try take(8))))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw error("a field of \(length) bytes runs past the end (\(bytes.endIndex - position) left)")
            }
            return (field, .bytes(try take(Int(length))))
        case 5:
            return (field, .fixed32(UInt32(truncatingIfNeeded: UInt64(littleEndianBytes: try take(4)))))
        default:
            throw error("wire type \(key & 7) (groups and unknown types are not used by this format)")
        }
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.endIndex else { throw error("the data ends inside a number") }
            guard shift < 64 else { throw error("a number longer than 10 bytes") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count <= bytes.endIndex - position else { throw error("the data ends inside a field") }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    private func error(_ what: String) -> TokenizerError {
        TokenizerError.malformed("invalid protobuf at byte \(lastFieldOffset): \(what)")
    }
}

extension UInt64 {
    init(littleEndianBytes bytes: ArraySlice<UInt8>) {
        self = bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
