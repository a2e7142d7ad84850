import Testing
@testable import GGUF

/// Hand-built malformed files: each must throw a `GGUFError` whose message names the problem.
@Suite struct BadHeaderTests {
    func expectError(_ bytes: [UInt8], _ kind: GGUFError.Kind, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = parseError(bytes, sourceLocation: sourceLocation) else { return }
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.description.contains(fragment), "\"\(error)\" lacks \"\(fragment)\"", sourceLocation: sourceLocation)
        }
    }

    /// One KV and one tensor around the field under test.
    func file(kvs: (inout ByteBuilder) -> Int = { _ in 0 }, tensors: (inout ByteBuilder) -> Int = { _ in 0 }, data: Int = 0, alignment: Int = 32) -> [UInt8] {
        var kvPart = ByteBuilder(), tensorPart = ByteBuilder()
        let kvCount = kvs(&kvPart), tensorCount = tensors(&tensorPart)
        var b = ByteBuilder()
        b.header(tensors: UInt64(tensorCount), kvs: UInt64(kvCount))
        b.raw(kvPart.bytes); b.raw(tensorPart.bytes)
        b.data(data, alignment: alignment)
        return b.bytes
    }

    @Test func wrongMagic() {
        var b = ByteBuilder(); b.raw(Array("GGML".utf8)); b.u32(3); b.u64(0); b.u64(0)
        expectError(b.bytes, .notGGUF, "not a GGUF file", "0x47474d4c")
        expectError([], .truncated, "magic", "needs 4 bytes at offset 0", "ends at 0")
    }

    @Test func versions() throws {
        var b = ByteBuilder(); b.header(version: 1, tensors: 0, kvs: 0)
        expectError(b.bytes, .unsupportedVersion, "unsupported GGUF version 1")
        b = ByteBuilder(); b.header(version: 4, tensors: 0, kvs: 0)
        expectError(b.bytes, .unsupportedVersion, "version 4")
        b = ByteBuilder(); b.header(version: 2, tensors: 0, kvs: 0)
        #expect(try parse(b.bytes).version == 2)
    }

    @Test func hugeStringLength() {
        expectError(file(kvs: { $0.u64(1 << 60); $0.raw([UInt8](repeating: 0, count: 32)); return 1 }), .truncated, "metadata key 0", "1152921504606846976 bytes")
        expectError(file(kvs: { $0.u64(.max); $0.raw([UInt8](repeating: 0, count: 16)); return 1 }), .invalidValue, "metadata key 0", "18446744073709551615")
        expectError(file(kvs: { $0.string("k"); $0.u32(8); $0.u64(1 << 60); return 1 }), .truncated, "metadata key 0 (k)")
    }

    @Test func hugeArrayCount() {
        expectError(file(kvs: { $0.string("arr"); $0.u32(9); $0.u32(4); $0.u64(1 << 62); return 1 }),
                    .truncated, "arr", "4611686018427387904 uint32 elements")
        // Strings need at least 8 bytes each: 3 declared with 20 bytes left fails up front.
        var b = ByteBuilder(); b.header(tensors: 0, kvs: 1)
        b.string("s"); b.u32(9); b.u32(8); b.u64(3); b.raw([UInt8](repeating: 0, count: 20))
        expectError(b.bytes, .truncated, "declares 3 string elements", "room for at most 2")
        expectError(file(kvs: { $0.string("arr"); $0.u32(9); $0.u32(13); $0.u64(1); return 1 }), .invalidValue, "unknown value type 13")
    }

    @Test func nestingTooDeep() throws {
        func nested(_ depth: Int) -> [UInt8] {
            file(kvs: {
                $0.string("deep"); $0.u32(9)
                for _ in 0..<(depth - 1) { $0.u32(9); $0.u64(1) }
                $0.u32(0); $0.u64(1); $0.u8(42)
                return 1
            })
        }
        expectError(nested(9), .invalidValue, "deep", "more than 8 deep")
        var value = try #require(try parse(nested(8))["deep"])
        for _ in 0..<7 { value = try #require(value.array?.first) }
        #expect(value == .array([.uint8(42)]))
    }

    @Test func badScalars() {
        expectError(file(kvs: { $0.string("b"); $0.u32(7); $0.u8(2); return 1 }), .invalidValue, "b", "bool stored as 2")
        expectError(file(kvs: { $0.string("x"); $0.u32(99); return 1 }), .invalidValue, "unknown value type 99")
        expectError(file(kvs: { $0.u64(2); $0.raw([0xC3, 0x28]); $0.u32(0); $0.u8(0); return 1 }), .invalidValue, "not valid UTF-8")
        expectError(file(kvs: { for _ in 0..<2 { $0.string("k"); $0.u32(0); $0.u8(0) }; return 2 }), .invalidValue, "duplicate metadata key k")
        expectError(file(kvs: { $0.string("general.alignment"); $0.u32(4); $0.u32(48); return 1 }), .invalidValue, "general.alignment is 48")
        expectError(file(kvs: { $0.string("general.alignment"); $0.u32(4); $0.u32(0); return 1 }), .invalidValue, "power of two")
        expectError(file(kvs: { $0.string("general.alignment"); $0.u32(10); $0.u64(64); return 1 }), .invalidValue, "must be a uint32")
        var b = ByteBuilder(); b.header(tensors: 0, kvs: 1 << 40)
        expectError(b.bytes, .truncated, "1099511627776 metadata keys")
        b = ByteBuilder(); b.header(tensors: .max, kvs: 0)
        expectError(b.bytes, .truncated, "18446744073709551615 tensors")
    }

    @Test func tensorDimensions() {
        expectError(file(tensors: { $0.tensor("t5", dims: [1, 1, 1, 1, 1], type: 0, offset: 0); return 1 }, data: 4),
                    .invalidTensor, "t5", "5 dimensions")
        expectError(file(tensors: { $0.tensor("big", dims: [1 << 32, 1 << 32], type: 0, offset: 0); return 1 }),
                    .invalidTensor, "big", "more elements than fit in 64 bits")
        expectError(file(tensors: { $0.tensor("neg", dims: [.max], type: 0, offset: 0); return 1 }),
                    .invalidTensor, "neg", "is -1")
        expectError(file(tensors: { $0.tensor("bytes", dims: [1 << 62], type: 0, offset: 0); return 1 }),
                    .invalidTensor, "bytes", "overflows")
        expectError(file(tensors: { $0.tensor("q", dims: [33], type: 8, offset: 0); return 1 }),
                    .invalidTensor, "q", "not a multiple of the Q8_0 block size 32")
        expectError(file(tensors: { $0.tensor("odd", dims: [4], type: 5, offset: 0); return 1 }, data: 16),
                    .invalidTensor, "odd", "unknown ggml type id 5")
        expectError(file(tensors: { $0.tensor("odd", dims: [4], type: 999, offset: 0); return 1 }, data: 16),
                    .invalidTensor, "unknown ggml type id 999")
    }

    @Test func tensorPlacement() throws {
        expectError(file(tensors: { $0.tensor("mis", dims: [4], type: 0, offset: 8); return 1 }, data: 64),
                    .invalidTensor, "mis", "offset 8 is not a multiple of the alignment 32")
        let pastEOF = file(tensors: { $0.tensor("blk.3.attn_q.weight", dims: [8], type: 0, offset: 32); return 1 }, data: 40)
        expectError(pastEOF, .invalidTensor, "blk.3.attn_q.weight ends at byte 160 but the file has 136 bytes")
        expectError(file(tensors: { $0.tensor("far", dims: [8], type: 0, offset: 1 << 62); return 1 }, data: 32),
                    .invalidTensor, "far", "the file has")
        expectError(file(tensors: { $0.tensor("wrap", dims: [8], type: 0, offset: .max - 31); return 1 }, data: 32),
                    .invalidTensor, "wrap")
        expectError(file(tensors: {
            $0.tensor("dup", dims: [1], type: 0, offset: 0); $0.tensor("dup", dims: [1], type: 0, offset: 32); return 2
        }, data: 64), .invalidTensor, "duplicate tensor name dup")
        expectError(file(tensors: { $0.u64(1); $0.raw([0xFF]); $0.u32(0); $0.u32(0); $0.u64(0); return 1 }, data: 4),
                    .invalidValue, "tensor 0 name", "not valid UTF-8")
        // Exactly at the end of the file is fine.
        let exact = file(tensors: { $0.tensor("ok", dims: [8], type: 0, offset: 0); return 1 }, data: 32)
        #expect(try parse(exact).tensors.first?.byteCount == 32)
    }

    @Test func truncatedMessageNamesFieldAndOffsets() {
        var b = ByteBuilder(); b.header(tensors: 0, kvs: 1); b.string("tokenizer.ggml.model"); b.u32(10); b.u32(0)
        expectError(b.bytes, .truncated, "truncated: metadata key 0 (tokenizer.ggml.model) needs 8 bytes at offset 56 but the file ends at 60")
    }

    @Test func pathAppearsInDescription() {
        let e = GGUFError(.truncated, "truncated: x", path: "/models/m.gguf")
        #expect(e.description == "/models/m.gguf: truncated: x")
    }
}
