#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A parsed GGUF file: metadata, tensor directory and zero-copy views of tensor data.
///
/// Format source: llama.cpp `gguf-py/gguf/gguf_reader.py` and `gguf/constants.py`, and
/// `ggml/src/gguf.cpp` for the limits (GGML_MAX_DIMS = 4, alignment a power of two).
///
///     magic "GGUF" | version u32 | tensor_count u64 | kv_count u64
///     kv_count  x (key string, value type u32, value)
///     tensor_count x (name string, n_dims u32, dims u64 x n_dims, type u32, offset u64)
///     padding to `general.alignment` (default 32) | tensor data
///
/// All integers are little-endian; a string is a u64 byte length and UTF-8 bytes. Every length,
/// count, shape and offset is checked against the file size before it is used, so a damaged or
/// hostile file throws `GGUFError` instead of trapping, hanging or allocating without bound.
/// Immutable after `init`, hence `@unchecked Sendable`.
public final class GGUFFile: @unchecked Sendable {
    public let version: Int
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensors in file order.
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Absolute offset of the data section; tensor offsets in the file are relative to it.
    public let dataOffset: Int
    public let fileSize: Int

    private let bytes: UnsafeRawBufferPointer
    private let owner: AnyObject?
    private let tensorIndex: [String: Int]

    /// ggml's GGML_MAX_DIMS.
    static let maxDimensions = 4
    /// Deepest array-of-array nesting accepted; real files use at most 2 levels.
    static let maxArrayDepth = 8
    static let defaultAlignment = 32

    /// Maps the file read-only (`PROT_READ`, `MAP_PRIVATE`) and parses it; tensor data is
    /// never copied. The mapping lives as long as this object.
    public convenience init(path: String) throws {
        let region: MappedRegion
        do {
            region = try MappedRegion(path: path)
        } catch var error {
            error.path = path
            throw error
        }
        do {
            try self.init(bytes: region.bytes, owner: region)
        } catch var error as GGUFError {
            error.path = path
            throw error
        }
    }

    /// Parses a GGUF image in memory.
    ///
    /// - Parameters:
    ///   - bytes: the whole file; must stay valid while this object lives.
    ///   - owner: kept alive as long as this object (e.g. the storage behind `bytes`).
    public init(bytes: UnsafeRawBufferPointer, owner: AnyObject?) throws {
        self.bytes = bytes
        self.owner = owner
        fileSize = bytes.count
        let parsed = try Parser(bytes).parse()
        version = parsed.version
        metadata = parsed.metadata
        metadataKeys = parsed.metadataKeys
        tensors = parsed.tensors
        alignment = parsed.alignment
        dataOffset = parsed.dataOffset
        tensorIndex = parsed.tensorIndex
    }

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The bytes of a tensor, as a view into the file. Empty if `info` does not describe a
    /// range of this file (it came from another file).
    public func data(of info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let (end, overflow) = info.offset.addingReportingOverflow(info.byteCount)
        guard info.offset >= 0, info.byteCount >= 0, !overflow, end <= bytes.count else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(rebasing: bytes[info.offset..<end])
    }

    public subscript(key: String) -> GGUFValue? { metadata[key] }
}

// MARK: - Parser

private struct Parsed {
    var version = 0
    var metadata: [String: GGUFValue] = [:]
    var metadataKeys: [String] = []
    var tensors: [GGUFTensorInfo] = []
    var tensorIndex: [String: Int] = [:]
    var alignment = GGUFFile.defaultAlignment
    var dataOffset = 0
}

private struct Parser {
    var cursor: ByteCursor
    var out = Parsed()

    init(_ bytes: UnsafeRawBufferPointer) {
        cursor = ByteCursor(bytes)
    }

    var fileSize: Int { cursor.bytes.count }

    consuming func parse() throws(GGUFError) -> Parsed {
        try parseHeader()
        return out
    }

    private mutating func parseHeader() throws(GGUFError) {
        try cursor.require(4, "the magic")
        let magic = try cursor.read(UInt32.self, "the magic")
        // "GGUF" read as a little-endian u32.
        guard magic == 0x4655_4747 else {
            let hex = String(magic.byteSwapped, radix: 16)
            throw GGUFError(.notGGUF, "not a GGUF file (magic is 0x\(String(repeating: "0", count: 8 - hex.count))\(hex), expected 0x47475546 \"GGUF\")")
        }
        let version = try cursor.read(UInt32.self, "the version")
        guard version == 2 || version == 3 else {
            throw GGUFError(.unsupportedVersion, "unsupported GGUF version \(version) (this reader handles versions 2 and 3; re-convert the model with a current llama.cpp)")
        }
        out.version = Int(version)
        let tensorCount = try cursor.read(UInt64.self, "the tensor count")
        let kvCount = try cursor.read(UInt64.self, "the metadata key count")
        try parseMetadata(count: kvCount)
        try parseTensorInfos(count: tensorCount)
    }

    // MARK: Metadata

    private mutating func parseMetadata(count: UInt64) throws(GGUFError) {
        // Smallest entry: empty key (8) + type (4) + one-byte value (1).
        let maximum = UInt64(cursor.remaining / 13)
        guard count <= maximum else {
            throw GGUFError(.truncated, "truncated: the header declares \(count) metadata keys but only \(cursor.remaining) bytes follow (room for at most \(maximum))")
        }
        out.metadataKeys.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            let key = try cursor.readString("metadata key \(index)", strict: true)
            let rawType = try cursor.read(UInt32.self, "metadata key \(index) (\(key)) value type")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw GGUFError(.invalidValue, "metadata key \(index) (\(key)) has unknown value type \(rawType)")
            }
            let value = try parseValue(type, depth: 0, what: "metadata key \(index) (\(key))")
            guard out.metadata.updateValue(value, forKey: key) == nil else {
                throw GGUFError(.invalidValue, "duplicate metadata key \(key) (entry \(index))")
            }
            out.metadataKeys.append(key)
        }
        if let value = out.metadata["general.alignment"] {
            // gguf.cpp reads it with gguf_get_val_u32; gguf_reader.py also insists on UINT32.
            guard case .uint32(let a) = value else {
                throw GGUFError(.invalidValue, "general.alignment must be a uint32, found \(value.wireType.name)")
            }
            guard a != 0, a & (a - 1) == 0 else {
                throw GGUFError(.invalidValue, "general.alignment is \(a) but must be a non-zero power of two")
            }
            out.alignment = Int(a)
        }
    }

    private mutating func parseValue(_ type: GGUFValueType, depth: Int, what: @autoclosure () -> String) throws(GGUFError) -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, what()))
        case .int8: return .int8(try cursor.read(Int8.self, what()))
        case .uint16: return .uint16(try cursor.read(UInt16.self, what()))
        case .int16: return .int16(try cursor.read(Int16.self, what()))
        case .uint32: return .uint32(try cursor.read(UInt32.self, what()))
        case .int32: return .int32(try cursor.read(Int32.self, what()))
        case .uint64: return .uint64(try cursor.read(UInt64.self, what()))
        case .int64: return .int64(try cursor.read(Int64.self, what()))
        case .float32: return .float32(Float(bitPattern: try cursor.read(UInt32.self, what())))
        case .float64: return .float64(Double(bitPattern: try cursor.read(UInt64.self, what())))
        case .bool:
            let at = cursor.offset
            let byte = try cursor.read(UInt8.self, what())
            guard byte <= 1 else {
                throw GGUFError(.invalidValue, "\(what()) is a bool stored as \(byte) at offset \(at); only 0 and 1 are allowed")
            }
            return .bool(byte == 1)
        case .string:
            return .string(try cursor.readString(what(), strict: false))
        case .array:
            guard depth < GGUFFile.maxArrayDepth else {
                throw GGUFError(.invalidValue, "\(what()) nests arrays more than \(GGUFFile.maxArrayDepth) deep")
            }
            let rawType = try cursor.read(UInt32.self, "\(what()) array element type")
            guard let elementType = GGUFValueType(rawValue: rawType) else {
                throw GGUFError(.invalidValue, "\(what()) is an array of unknown value type \(rawType)")
            }
            let at = cursor.offset
            let count = try cursor.read(UInt64.self, "\(what()) array count")
            let maximum = UInt64(cursor.remaining / elementType.minimumSize)
            guard count <= maximum else {
                throw GGUFError(.truncated, "truncated: \(what()) declares \(count) \(elementType.name) elements at offset \(at) but only \(cursor.remaining) bytes follow (room for at most \(maximum))")
            }
            var elements: [GGUFValue] = []
            elements.reserveCapacity(Int(count))
            for i in 0..<Int(count) {
                elements.append(try parseValue(elementType, depth: depth + 1, what: "\(what())[\(i)]"))
            }
            return .array(elements)
        }
    }

    // MARK: Tensor directory

    private mutating func parseTensorInfos(count: UInt64) throws(GGUFError) {
        // Smallest entry: empty name (8) + n_dims (4) + type (4) + offset (8).
        let maximum = UInt64(cursor.remaining / 24)
        guard count <= maximum else {
            throw GGUFError(.truncated, "truncated: the header declares \(count) tensors but only \(cursor.remaining) bytes follow (room for at most \(maximum))")
        }
        struct Raw { var name: String; var shape: [Int]; var type: GGMLType; var byteCount: Int; var relativeOffset: Int }
        var raws: [Raw] = []
        raws.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            let name = try cursor.readString("tensor \(index) name", strict: true)
            let label = "tensor \(index) (\(name))"
            guard out.tensorIndex.updateValue(index, forKey: name) == nil else {
                throw GGUFError(.invalidTensor, "duplicate tensor name \(name) (tensor \(index))")
            }
            let nDims = try cursor.read(UInt32.self, "\(label) n_dims")
            guard nDims <= GGUFFile.maxDimensions else {
                throw GGUFError(.invalidTensor, "tensor \(name) has \(nDims) dimensions; at most \(GGUFFile.maxDimensions) are allowed")
            }
            var shape: [Int] = []
            shape.reserveCapacity(Int(nDims))
            var elements = 1
            for d in 0..<Int(nDims) {
                let raw = try cursor.read(UInt64.self, "\(label) dimension \(d)")
                // gguf.cpp reads dims as int64 and rejects negatives.
                guard let dim = Int(exactly: raw), dim >= 0 else {
                    throw GGUFError(.invalidTensor, "tensor \(name) dimension \(d) is \(Int64(bitPattern: raw)) (negative when read as int64)")
                }
                let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
                guard !overflow else {
                    throw GGUFError(.invalidTensor, "tensor \(name) shape \(shape + [dim]) has more elements than fit in 64 bits")
                }
                elements = product
                shape.append(dim)
            }
            let rawType = try cursor.read(UInt32.self, "\(label) type")
            guard let type = GGMLType(rawValue: rawType) else {
                throw GGUFError(.invalidTensor, "tensor \(name) has unknown ggml type id \(rawType)")
            }
            guard elements % type.blockSize == 0 else {
                throw GGUFError(.invalidTensor, "tensor \(name) has \(elements) elements (shape \(shape)), not a multiple of the \(type) block size \(type.blockSize)")
            }
            guard let byteCount = type.byteCount(elements: elements) else {
                throw GGUFError(.invalidTensor, "tensor \(name) of shape \(shape) and type \(type) has a byte size that overflows 64 bits")
            }
            let rawOffset = try cursor.read(UInt64.self, "\(label) offset")
            guard let relative = Int(exactly: rawOffset) else {
                throw GGUFError(.invalidTensor, "tensor \(name) has offset \(rawOffset), beyond the file's \(fileSize) bytes")
            }
            guard relative % out.alignment == 0 else {
                throw GGUFError(.invalidTensor, "tensor \(name) data offset \(relative) is not a multiple of the alignment \(out.alignment)")
            }
            raws.append(Raw(name: name, shape: shape, type: type, byteCount: byteCount, relativeOffset: relative))
        }

        // The data section starts at the next multiple of the alignment.
        let end = cursor.offset
        let padding = (out.alignment - end % out.alignment) % out.alignment
        let (dataOffset, overflow) = end.addingReportingOverflow(padding)
        guard !overflow else {
            throw GGUFError(.invalidValue, "data section offset overflows")
        }
        out.dataOffset = dataOffset
        if !raws.isEmpty, dataOffset > fileSize {
            throw GGUFError(.truncated, "truncated: the tensor data section starts at byte \(dataOffset) but the file has \(fileSize) bytes")
        }

        out.tensors.reserveCapacity(raws.count)
        for raw in raws {
            let (start, o1) = dataOffset.addingReportingOverflow(raw.relativeOffset)
            let (stop, o2) = start.addingReportingOverflow(raw.byteCount)
            guard !o1, !o2, stop <= fileSize else {
                let stopText = (o1 || o2) ? "past 2^63" : "byte \(stop)"
                throw GGUFError(.invalidTensor, "tensor \(raw.name) ends at \(stopText) but the file has \(fileSize) bytes")
            }
            out.tensors.append(GGUFTensorInfo(name: raw.name, shape: raw.shape, type: raw.type, offset: start, byteCount: raw.byteCount))
        }
    }
}
