import GGUF

/// Dequantization of rows of ggml block types into `Float`.
///
/// Supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K.
/// Calling with another type, or a `count` that is not a whole number of blocks, is a
/// programming error (check `isSupported` and `GGMLType.byteCount(elements:)` when loading).
public enum Dequant {
    /// Whether `reference`, `row`, `Dot` and `MatVec` handle `type`.
    public static func isSupported(_ type: GGMLType) -> Bool {
        switch type {
        case .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: true
        default: false
        }
    }

    /// Scalar reference: `count` elements (a multiple of type.blockSize) from raw blocks at `src` into `dst`.
    /// - Parameters:
    ///   - src: `count / type.blockSize` blocks of `type`, any alignment.
    ///   - dst: `count` floats.  // (count)
    public static func reference(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        checkArguments(type, count)
        switch type {
        case .f32: RowF32.dequant(src, dst, count: count)
        case .f16: RowF16.dequant(src, dst, count: count)
        case .bf16: RowBF16.dequant(src, dst, count: count)
        case .q4_0: eachBlock(src, dst, count, 32, BlockQ4_0.bytes, BlockQ4_0.dequant)
        case .q4_1: eachBlock(src, dst, count, 32, BlockQ4_1.bytes, BlockQ4_1.dequant)
        case .q5_0: eachBlock(src, dst, count, 32, BlockQ5_0.bytes, BlockQ5_0.dequant)
        case .q5_1: eachBlock(src, dst, count, 32, BlockQ5_1.bytes, BlockQ5_1.dequant)
        case .q8_0: eachBlock(src, dst, count, 32, BlockQ8_0.bytes, BlockQ8_0.dequant)
        case .q2_K: eachBlock(src, dst, count, 256, BlockQ2_K.bytes, BlockQ2_K.dequant)
        case .q3_K: eachBlock(src, dst, count, 256, BlockQ3_K.bytes, BlockQ3_K.dequant)
        case .q4_K: eachBlock(src, dst, count, 256, BlockQ4_K.bytes, BlockQ4_K.dequant)
        case .q5_K: eachBlock(src, dst, count, 256, BlockQ5_K.bytes, BlockQ5_K.dequant)
        case .q6_K: eachBlock(src, dst, count, 256, BlockQ6_K.bytes, BlockQ6_K.dequant)
        default: preconditionFailure("Dequant: \(type) is not supported")
        }
    }

    /// Fast path (SIMD where written, else the reference). Same contract and results as `reference`.
    public static func row(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        checkArguments(type, count)
        switch type {
        case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: 4 &* count)
        case .f16: RowF16.dequantFast(src, dst, count: count)
        case .bf16: RowBF16.dequantFast(src, dst, count: count)
        case .q4_0: BlockQ4_0.dequantRow(src, dst, blocks: count / 32)
        case .q4_1: BlockQ4_1.dequantRow(src, dst, blocks: count / 32)
        case .q8_0: BlockQ8_0.dequantRow(src, dst, blocks: count / 32)
        default: reference(type, src, dst, count: count)
        }
    }

    @inline(__always)
    static func checkArguments(_ type: GGMLType, _ count: Int) {
        precondition(count >= 0 && count % type.blockSize == 0,
                     "\(type) rows need a multiple of \(type.blockSize) elements, got \(count)")
    }

    @inline(__always)
    private static func eachBlock(
        _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int,
        _ blockSize: Int, _ blockBytes: Int,
        _ body: (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void
    ) {
        for b in 0..<(count / blockSize) {
            body(src + b * blockBytes, dst + b * blockSize)
        }
    }
}
