import GGUF
import Llama
import Testing

@Suite struct LlamaConfigTests {
    /// Parses metadata written by GGUFWriter (no tensors).
    private func config(_ entries: [(String, GGUFValue)]) throws -> LlamaConfig {
        var w = GGUFWriter()
        for (k, v) in entries { w.add(k, v) }
        let bytes = try w.serialized()
        let storage = ByteBox(bytes)
        let file = try storage.bytes.withUnsafeBytes { try GGUFFile(bytes: $0, owner: storage) }
        return try LlamaConfig(metadata: file)
    }

    private func base(_ arch: String = "llama") -> [(String, GGUFValue)] {
        [("general.architecture", .string(arch)),
         ("\(arch).context_length", .uint32(2048)), ("\(arch).embedding_length", .uint32(64)),
         ("\(arch).block_count", .uint32(2)), ("\(arch).feed_forward_length", .uint32(128)),
         ("\(arch).attention.head_count", .uint32(8)), ("\(arch).vocab_size", .uint32(100))]
    }

    @Test func defaultsFollowLlamaCpp() throws {
        let c = try config(base())
        #expect(c.headCountKV == 8 && c.headSize == 8 && c.ropeDimensions == 8)
        #expect(c.ropeFrequencyBase == 10_000 && c.rmsEpsilon == 1e-5 && c.ropePositionScale == 1)
        #expect(c.kvDimension == 64 && c.vocabularySize == 100)
    }

    @Test func readsEveryKey() throws {
        let c = try config(base() + [
            ("llama.attention.head_count_kv", .uint32(2)), ("llama.rope.freq_base", .float32(500_000)),
            ("llama.attention.layer_norm_rms_epsilon", .float32(1e-6)), ("llama.rope.dimension_count", .uint32(4)),
            ("llama.rope.scaling.type", .string("linear")), ("llama.rope.scaling.factor", .float32(4)),
        ])
        #expect(c.headCountKV == 2 && c.kvDimension == 16 && c.ropeDimensions == 4)
        #expect(c.ropeFrequencyBase == 500_000 && c.rmsEpsilon == 1e-6 && c.ropePositionScale == 0.25)
    }

    @Test func badMetadataIsNamed() throws {
        let cases: [([(String, GGUFValue)], String)] = [
            (base("gpt2"), "unsupported architecture 'gpt2'"),
            (base().filter { $0.0 != "llama.block_count" }, "no 'llama.block_count'"),
            (base() + [("llama.attention.head_count_kv", .uint32(3))], "not a multiple"),
            (base() + [("llama.rope.scaling.type", .string("yarn"))], "unsupported rope scaling 'yarn'"),
            (base() + [("llama.rope.dimension_count", .uint32(9))], "rope.dimension_count"),
            (base().map { $0.0 == "llama.embedding_length" ? ($0.0, .string("wide")) : $0 }, "is not an integer"),
            (base().map { $0.0 == "llama.block_count" ? ($0.0, .uint32(0)) : $0 }, "out of range"),
        ]
        for (entries, message) in cases {
            #expect {
                _ = try config(entries)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }
}

private final class ByteBox {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}
