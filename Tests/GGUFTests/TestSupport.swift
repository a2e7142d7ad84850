import Foundation
import Testing
@testable import GGUF

/// Tests/Fixtures/gguf, found from this file's path (no bundle resources).
let fixtureDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures/gguf")

func fixturePath(_ name: String) -> String {
    fixtureDirectory.appendingPathComponent(name).path
}

func fixtureBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixturePath(name))))
}

/// Owns a heap copy of a byte image for `GGUFFile(bytes:owner:)`.
final class ByteStorage {
    let buffer: UnsafeMutableRawBufferPointer

    init(_ bytes: some Collection<UInt8>) {
        buffer = .allocate(byteCount: max(bytes.count, 1), alignment: 64)
        _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
    }

    init(copying bytes: UnsafeRawBufferPointer) {
        buffer = .allocate(byteCount: max(bytes.count, 1), alignment: 64)
        UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes.count]).copyMemory(from: bytes)
    }

    var view: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[0..<(buffer.count)]) }

    deinit { buffer.deallocate() }
}

/// Parses an in-memory image; the image is copied into exactly-sized storage so the parser
/// sees the real end of the buffer.
func parse(_ bytes: some Collection<UInt8>) throws -> GGUFFile {
    let storage = ByteStorage(bytes)
    return try GGUFFile(bytes: UnsafeRawBufferPointer(rebasing: storage.view[0..<bytes.count]), owner: storage)
}

/// The error a parse throws, failing the test if it does not throw a `GGUFError`.
func parseError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> GGUFError? {
    do {
        _ = try parse(bytes)
        Issue.record("parse succeeded but should have thrown", sourceLocation: sourceLocation)
    } catch let error as GGUFError {
        return error
    } catch {
        Issue.record("unexpected error type \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Checks that a successfully parsed file is internally consistent: every tensor range lies
/// inside the file and agrees with its shape and type.
func checkValidated(_ file: GGUFFile, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(file.version == 2 || file.version == 3, sourceLocation: sourceLocation)
    #expect(file.alignment > 0 && file.alignment & (file.alignment - 1) == 0, sourceLocation: sourceLocation)
    #expect(Set(file.metadataKeys).count == file.metadataKeys.count, sourceLocation: sourceLocation)
    #expect(file.metadataKeys.count == file.metadata.count, sourceLocation: sourceLocation)
    for t in file.tensors {
        #expect(t.shape.count <= 4 && t.shape.allSatisfy { $0 >= 0 }, sourceLocation: sourceLocation)
        #expect(t.offset >= file.dataOffset && (t.offset - file.dataOffset) % file.alignment == 0, sourceLocation: sourceLocation)
        #expect(t.offset + t.byteCount <= file.fileSize, sourceLocation: sourceLocation)
        #expect(t.type.byteCount(elements: t.elementCount) == t.byteCount, sourceLocation: sourceLocation)
        #expect(file.data(of: t).count == t.byteCount, sourceLocation: sourceLocation)
        #expect(file.tensor(named: t.name) == t, sourceLocation: sourceLocation)
    }
}

/// Hand-assembles GGUF bytes field by field, for headers the writer refuses to produce.
struct ByteBuilder {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func string(_ s: String) { u64(UInt64(s.utf8.count)); bytes += Array(s.utf8) }
    mutating func raw(_ b: [UInt8]) { bytes += b }

    /// Magic, version, counts.
    mutating func header(version: UInt32 = 3, tensors: UInt64, kvs: UInt64) {
        raw(Array("GGUF".utf8)); u32(version); u64(tensors); u64(kvs)
    }

    /// A tensor directory entry.
    mutating func tensor(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name); u32(UInt32(dims.count))
        for d in dims { u64(d) }
        u32(type); u64(offset)
    }

    /// Zero padding up to a multiple of `alignment`, then `count` bytes of data.
    mutating func data(_ count: Int, alignment: Int = 32) {
        bytes += [UInt8](repeating: 0, count: (alignment - bytes.count % alignment) % alignment)
        bytes += [UInt8](repeating: 0xAB, count: count)
    }
}

/// A seeded xorshift64* generator so fuzz cases are reproducible.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
