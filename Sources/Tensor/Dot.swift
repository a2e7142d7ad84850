import GGUF

/// Dot products of one row of a (possibly quantized) weight matrix with an f32 vector.
public enum Dot {
    /// Σ dequant(row)[i] * x[i] over `count` elements; row holds count/blockSize blocks of `type`.
    /// Dequantizes 256 elements at a time and accumulates in `Double`.
    /// - Parameters:
    ///   - row: `count / type.blockSize` blocks of `type`.
    ///   - x: `count` floats.  // (count)
    public static func reference(_ type: GGMLType, _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
        Dequant.checkArguments(type, count)
        let chunk = 256  // a multiple of every supported block size
        let chunkBytes = chunk / type.blockSize * type.blockBytes
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { buffer -> Float in
            guard let tmp = buffer.baseAddress else { return 0 }
            var sum = 0.0
            var start = 0
            while start < count {
                let n = min(chunk, count - start)
                Dequant.reference(type, row + start / chunk * chunkBytes, tmp, count: n)
                for i in 0..<n { sum += Double(tmp[i]) * Double(x[start + i]) }
                start += n
            }
            return Float(sum)
        }
    }

    /// SIMD fused dequantize-and-dot; same contract as `reference`, equal to it up to float rounding.
    public static func row(_ type: GGMLType, _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
        Dequant.checkArguments(type, count)
        switch type {
        case .f32: return RowF32.dot(row, x, count: count)
        case .f16: return RowF16.dot(row, x, count: count)
        case .bf16: return RowBF16.dot(row, x, count: count)
        case .q4_0: return BlockQ4_0.dot(row, x, blocks: count / 32)
        case .q4_1: return BlockQ4_1.dot(row, x, blocks: count / 32)
        case .q5_0: return BlockQ5_0.dot(row, x, blocks: count / 32)
        case .q5_1: return BlockQ5_1.dot(row, x, blocks: count / 32)
        case .q8_0: return BlockQ8_0.dot(row, x, blocks: count / 32)
        case .q2_K: return BlockQ2_K.dot(row, x, blocks: count / 256)
        case .q3_K: return BlockQ3_K.dot(row, x, blocks: count / 256)
        case .q4_K: return BlockQ4_K.dot(row, x, blocks: count / 256)
        case .q5_K: return BlockQ5_K.dot(row, x, blocks: count / 256)
        case .q6_K: return BlockQ6_K.dot(row, x, blocks: count / 256)
        default: preconditionFailure("Dot: \(type) is not supported")
        }
    }
}
