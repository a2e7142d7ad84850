/// One entry of a GGUF file's tensor directory, validated against the file.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `shape[0]` is the innermost dimension (the row length). At most 4 entries.
    public let shape: [Int]
    public let type: GGMLType
    /// Absolute byte offset of the first byte of data in the file.
    public let offset: Int
    /// Bytes of data: `shape` product / block size * block bytes.
    public let byteCount: Int

    /// Number of elements (product of `shape`; checked for overflow when the file was read).
    public var elementCount: Int { shape.reduce(1, *) }

    init(name: String, shape: [Int], type: GGMLType, offset: Int, byteCount: Int) {
        self.name = name
        self.shape = shape
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
    }
}
