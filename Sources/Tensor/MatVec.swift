import GGUF

/// Matrix × vector over a row range, for a weight matrix stored row-major in ggml blocks.
public enum MatVec {
    /// out[r] = Dot.row(row r of `weights`, x) for r in `rows`; other entries of `out` are untouched.
    /// The caller splits `rows` across threads.
    /// - Parameters:
    ///   - weights: row r starts at `weights + r * rowBytes`.   // (nRows, rowBytes)
    ///   - rowBytes: bytes per row, at least `cols / type.blockSize * type.blockBytes`.
    ///   - x: input vector.                                      // (cols)
    ///   - out: output vector, indexed by absolute row.          // (nRows)
    ///   - cols: elements per row, a multiple of `type.blockSize`.
    public static func matvec(
        _ type: GGMLType, weights: UnsafeRawPointer, rowBytes: Int, x: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, rows: Range<Int>, cols: Int
    ) {
        Dequant.checkArguments(type, cols)
        // Dispatch once, not per row.
        switch type {
        case .f32: each(weights, rowBytes, out, rows) { RowF32.dot($0, x, count: cols) }
        case .f16: each(weights, rowBytes, out, rows) { RowF16.dot($0, x, count: cols) }
        case .bf16: each(weights, rowBytes, out, rows) { RowBF16.dot($0, x, count: cols) }
        case .q4_0: each(weights, rowBytes, out, rows) { BlockQ4_0.dot($0, x, blocks: cols / 32) }
        case .q4_1: each(weights, rowBytes, out, rows) { BlockQ4_1.dot($0, x, blocks: cols / 32) }
        case .q5_0: each(weights, rowBytes, out, rows) { BlockQ5_0.dot($0, x, blocks: cols / 32) }
        case .q5_1: each(weights, rowBytes, out, rows) { BlockQ5_1.dot($0, x, blocks: cols / 32) }
        case .q8_0: each(weights, rowBytes, out, rows) { BlockQ8_0.dot($0, x, blocks: cols / 32) }
        case .q2_K: each(weights, rowBytes, out, rows) { BlockQ2_K.dot($0, x, blocks: cols / 256) }
        case .q3_K: each(weights, rowBytes, out, rows) { BlockQ3_K.dot($0, x, blocks: cols / 256) }
        case .q4_K: each(weights, rowBytes, out, rows) { BlockQ4_K.dot($0, x, blocks: cols / 256) }
        case .q5_K: each(weights, rowBytes, out, rows) { BlockQ5_K.dot($0, x, blocks: cols / 256) }
        case .q6_K: each(weights, rowBytes, out, rows) { BlockQ6_K.dot($0, x, blocks: cols / 256) }
        default: preconditionFailure("MatVec: \(type) is not supported")
        }
    }

    @inline(__always)
    private static func each(
        _ weights: UnsafeRawPointer, _ rowBytes: Int, _ out: UnsafeMutablePointer<Float>, _ rows: Range<Int>,
        _ dot: (UnsafeRawPointer) -> Float
    ) {
        for r in rows { out[r] = dot(weights + r &* rowBytes) }
    }
}
