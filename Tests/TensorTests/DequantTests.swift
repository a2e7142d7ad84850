import GGUF
import Testing
@testable import Tensor

@Suite("Dequant")
struct DequantTests {
    @Test("block structs have ggml's sizes")
    func blockSizes() {
        #expect(BlockQ4_0.bytes == GGMLType.q4_0.blockBytes)
        #expect(BlockQ4_1.bytes == GGMLType.q4_1.blockBytes)
        #expect(BlockQ5_0.bytes == GGMLType.q5_0.blockBytes)
        #expect(BlockQ5_1.bytes == GGMLType.q5_1.blockBytes)
        #expect(BlockQ8_0.bytes == GGMLType.q8_0.blockBytes)
        #expect(BlockQ2_K.bytes == GGMLType.q2_K.blockBytes)
        #expect(BlockQ3_K.bytes == GGMLType.q3_K.blockBytes)
        #expect(BlockQ4_K.bytes == GGMLType.q4_K.blockBytes)
        #expect(BlockQ5_K.bytes == GGMLType.q5_K.blockBytes)
        #expect(BlockQ6_K.bytes == GGMLType.q6_K.blockBytes)
        #expect(RowF32.bytes == GGMLType.f32.blockBytes)
        #expect(RowF16.bytes == GGMLType.f16.blockBytes)
        #expect(RowBF16.bytes == GGMLType.bf16.blockBytes)
    }

    @Test("isSupported covers exactly the implemented types")
    func supported() {
        for type in GGMLType.allCases {
            #expect(Dequant.isSupported(type) == supportedTypes.contains(type), "\(type)")
        }
    }

    @Test("reference and row match the gguf package", arguments: supportedTypes)
    func matchesGGUFPackage(_ type: GGMLType) throws {
        let (blocks, expected) = try loadFixture(type)
        let count = expected.count
        let reference = dequantReference(type, blocks, count: count)
        var fast = [Float](repeating: .nan, count: count)
        blocks.withUnsafeBytes { src in
            fast.withUnsafeMutableBufferPointer { dst in
                if let s = src.baseAddress, let d = dst.baseAddress { Dequant.row(type, s, d, count: count) }
            }
        }
        var referenceMismatches = 0, rowMismatches = 0
        for i in 0..<count {
            let b = expected[i]
            let tolerance = 1e-6 * max(1, abs(b))
            if !(abs(reference[i] - b) <= tolerance) {
                if referenceMismatches < 5 { Issue.record("\(type)[\(i)]: reference \(reference[i]), gguf \(b)") }
                referenceMismatches += 1
            }
            if !(abs(fast[i] - reference[i]) <= 1e-6 * max(1, abs(reference[i]))) {
                if rowMismatches < 5 { Issue.record("\(type)[\(i)]: row \(fast[i]), reference \(reference[i])") }
                rowMismatches += 1
            }
        }
        #expect(referenceMismatches == 0)
        #expect(rowMismatches == 0)
    }
}
