/// A bounds-checked little-endian reader over a byte buffer.
///
/// Every read checks the bytes remaining first and throws a `.truncated` error that names the
/// field (`what` is only evaluated on failure), so no read can run past the buffer.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    /// Throws unless `count` bytes are available at the current offset.
    func require(_ count: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard count >= 0, count <= remaining else {
            throw GGUFError(.truncated, "truncated: \(what()) needs \(count) bytes at offset \(offset) but the file ends at \(bytes.count)")
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        try require(MemoryLayout<T>.size, what())
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    /// Reads a u64 count or length and checks it fits in `Int`.
    mutating func readLength(_ what: @autoclosure () -> String) throws(GGUFError) -> Int {
        let start = offset
        let raw = try read(UInt64.self, what())
        guard let length = Int(exactly: raw) else {
            throw GGUFError(.invalidValue, "\(what()) has length \(raw) at offset \(start), more than the file's \(bytes.count) bytes")
        }
        return length
    }

    /// A view of the next `count` bytes, advancing past them.
    mutating func slice(_ count: Int, _ what: @autoclosure () -> String) throws(GGUFError) -> UnsafeRawBufferPointer {
        try require(count, what())
        let view = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return view
    }

    /// A GGUF string: u64 byte length, then UTF-8 bytes (no terminator).
    ///
    /// - Parameter strict: throw on invalid UTF-8 (keys, tensor names); otherwise invalid
    ///   sequences become U+FFFD, so one odd vocabulary entry does not make a model unloadable.
    mutating func readString(_ what: @autoclosure () -> String, strict: Bool) throws(GGUFError) -> String {
        let start = offset
        let length = try readLength("\(what()) length")
        let raw = try slice(length, "\(what()) of \(length) bytes")
        if strict {
            guard let s = String(validating: raw, as: UTF8.self) else {
                throw GGUFError(.invalidValue, "\(what()) at offset \(start) is not valid UTF-8")
            }
            return s
        }
        return String(decoding: raw, as: UTF8.self)
    }
}
