#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif

/// Builds a GGUF v3 file from ordered metadata and raw tensor bytes.
///
/// Layout as read by `GGUFFile` (format source: llama.cpp `gguf-py/gguf/gguf_writer.py`):
/// header, metadata, tensor directory, padding to `alignment`, then each tensor's data padded
/// to `alignment`. `write(to:)` writes a temporary file beside the target and renames it, so a
/// failure never leaves a partial file at `path`.
public struct GGUFWriter: Sendable {
    public struct Tensor: Sendable {
        public var name: String
        /// ggml order: `shape[0]` is the row length.
        public var shape: [Int]
        public var type: GGMLType
        /// Exactly `type.byteCount(elements: shape product)` bytes.
        public var data: [UInt8]

        public init(name: String, shape: [Int], type: GGMLType, data: [UInt8]) {
            self.name = name
            self.shape = shape
            self.type = type
            self.data = data
        }
    }

    /// Data alignment; written as `general.alignment` (uint32) when it is not the default 32.
    public var alignment: Int
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [Tensor] = []

    public init(alignment: Int = 32) {
        self.alignment = alignment
    }

    /// Appends a metadata entry; order is kept in the file.
    public mutating func add(_ key: String, _ value: GGUFValue) {
        metadata.append((key, value))
    }

    public mutating func addTensor(name: String, shape: [Int], type: GGMLType, data: [UInt8]) {
        tensors.append(Tensor(name: name, shape: shape, type: type, data: data))
    }

    // MARK: - Output

    /// The whole file as bytes.
    public func serialized() throws(GGUFError) -> [UInt8] {
        var out = try header()
        for tensor in tensors {
            out += tensor.data
            out += [UInt8](repeating: 0, count: padding(tensor.data.count))
        }
        return out
    }

    /// Writes the file to `path` atomically (temporary file + rename).
    public func write(to path: String) throws(GGUFError) {
        let head = try header()
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw GGUFError(.io, "cannot create \(temporary): \(errnoText())", path: path)
        }
        var closed = false
        do throws(GGUFError) {
            try writeAll(fd, head, path: path)
            for tensor in tensors {
                try writeAll(fd, tensor.data, path: path)
                try writeAll(fd, [UInt8](repeating: 0, count: padding(tensor.data.count)), path: path)
            }
            guard fsync(fd) == 0 else { throw GGUFError(.io, "fsync failed: \(errnoText())", path: path) }
            closed = true
            guard close(fd) == 0 else { throw GGUFError(.io, "close failed: \(errnoText())", path: path) }
            guard rename(temporary, path) == 0 else {
                throw GGUFError(.io, "cannot rename \(temporary) to it: \(errnoText())", path: path)
            }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    // MARK: - Encoding

    private func padding(_ count: Int) -> Int {
        (alignment - count % alignment) % alignment
    }

    /// Header, metadata and tensor directory, padded to the data section. Validates the input.
    private func header() throws(GGUFError) -> [UInt8] {
        guard alignment > 0, alignment <= Int(UInt32.max), alignment & (alignment - 1) == 0 else {
            throw GGUFError(.invalidInput, "alignment \(alignment) must be a power of two that fits in uint32")
        }
        var entries = metadata
        var seen = Set<String>()
        for (key, value) in entries {
            guard seen.insert(key).inserted else {
                throw GGUFError(.invalidInput, "duplicate metadata key \(key)")
            }
            if key == "general.alignment", value != .uint32(UInt32(alignment)) {
                throw GGUFError(.invalidInput, "general.alignment is \(value) but the writer's alignment is \(alignment)")
            }
        }
        if alignment != GGUFFile.defaultAlignment, !seen.contains("general.alignment") {
            entries.append(("general.alignment", .uint32(UInt32(alignment))))
        }

        var out: [UInt8] = []
        out += Array("GGUF".utf8)
        append(UInt32(3), to: &out)
        append(UInt64(tensors.count), to: &out)
        append(UInt64(entries.count), to: &out)
        for (key, value) in entries {
            append(key, to: &out)
            append(value.wireType.rawValue, to: &out)
            try append(value, to: &out, key: key)
        }

        var names = Set<String>()
        var offset = 0
        for tensor in tensors {
            guard names.insert(tensor.name).inserted else {
                throw GGUFError(.invalidInput, "duplicate tensor name \(tensor.name)")
            }
            guard tensor.shape.count <= GGUFFile.maxDimensions, tensor.shape.allSatisfy({ $0 >= 0 }) else {
                throw GGUFError(.invalidInput, "tensor \(tensor.name) shape \(tensor.shape) needs 0...4 non-negative dimensions")
            }
            var elements = 1
            for dim in tensor.shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
                guard !overflow else { throw GGUFError(.invalidInput, "tensor \(tensor.name) shape \(tensor.shape) overflows") }
                elements = product
            }
            guard let expected = tensor.type.byteCount(elements: elements), expected == tensor.data.count else {
                throw GGUFError(.invalidInput, "tensor \(tensor.name) of shape \(tensor.shape) and type \(tensor.type) needs \(tensor.type.byteCount(elements: elements).map(String.init) ?? "a whole number of blocks, not") bytes, got \(tensor.data.count)")
            }
            append(tensor.name, to: &out)
            append(UInt32(tensor.shape.count), to: &out)
            for dim in tensor.shape { append(UInt64(dim), to: &out) }
            append(tensor.type.rawValue, to: &out)
            append(UInt64(offset), to: &out)
            offset += tensor.data.count + padding(tensor.data.count)
        }
        out += [UInt8](repeating: 0, count: padding(out.count))
        return out
    }

    private func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    private func append(_ string: String, to out: inout [UInt8]) {
        append(UInt64(string.utf8.count), to: &out)
        out += Array(string.utf8)
    }

    /// The value without its type id (the caller writes that, or the array header implies it).
    private func append(_ value: GGUFValue, to out: inout [UInt8], key: String) throws(GGUFError) {
        switch value {
        case .uint8(let v): append(v, to: &out)
        case .int8(let v): append(v, to: &out)
        case .uint16(let v): append(v, to: &out)
        case .int16(let v): append(v, to: &out)
        case .uint32(let v): append(v, to: &out)
        case .int32(let v): append(v, to: &out)
        case .uint64(let v): append(v, to: &out)
        case .int64(let v): append(v, to: &out)
        case .float32(let v): append(v.bitPattern, to: &out)
        case .float64(let v): append(v.bitPattern, to: &out)
        case .bool(let v): append(UInt8(v ? 1 : 0), to: &out)
        case .string(let v): append(v, to: &out)
        case .array(let elements):
            // An empty array has no element to take a type from; any type reads back the same.
            let type = elements.first?.wireType ?? .uint8
            guard elements.allSatisfy({ $0.wireType == type }) else {
                throw GGUFError(.invalidInput, "metadata \(key) is an array mixing value types; GGUF arrays are homogeneous")
            }
            append(type.rawValue, to: &out)
            append(UInt64(elements.count), to: &out)
            for element in elements { try append(element, to: &out, key: key) }
        }
    }
}

private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(GGUFError) {
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { buffer in
            systemWrite(fd, buffer.baseAddress.map { $0 + done }, bytes.count - done)
        }
        if n < 0, errno == EINTR { continue }
        guard n > 0 else { throw GGUFError(.io, "write failed: \(errnoText())", path: path) }
        done += n
    }
}
