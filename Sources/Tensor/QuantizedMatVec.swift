import CriaKernels
import GGUF

/// Matrix-vector products the way llama.cpp's CPU backend computes them: the activation vector is
/// quantized once (Q8_0 or Q8_1 blocks, Q8_K for K-quants) and each output is an integer dot
/// product per block, scaled and summed in exactly llama.cpp's order, so results are
/// bit-identical to it (ggml/src/ggml-cpu/arch/x86/quants.c; kernels in the CriaKernels C target).
public enum QuantizedMatVec {
    /// The block type the activations are quantized to for `weight` rows (ggml-cpu.c
    /// `type_traits_cpu[...].vec_dot_type`), or nil when there is no integer kernel for it.
    public static func activationType(for weight: GGMLType) -> GGMLType? {
        switch weight {
        case .q4_1: .q8_1
        case .q4_0, .q8_0: .q8_0
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: .q8_K
        default: nil
        }
    }

    /// Bytes `quantize` writes for `count` activations of block type `type`.
    public static func quantizedBytes(count: Int, as type: GGMLType) -> Int {
        count / type.blockSize * type.blockBytes
    }

    /// Bytes that hold `count` activations quantized to any activation type: the size of a
    /// buffer shared by products whose weights differ in type.
    public static func maxQuantizedBytes(count: Int) -> Int {
        [GGMLType.q8_0, .q8_1, .q8_K].map { quantizedBytes(count: count, as: $0) }.max() ?? 0
    }

    /// Quantizes activations to Q8_0, Q8_1 or Q8_K blocks.
    /// - Parameters:
    ///   - x: activations, `(count)`; `count` is a multiple of `type.blockSize` (32, or 256 for Q8_K).
    ///   - type: `.q8_0`, `.q8_1` or `.q8_K`.
    ///   - into: `(count / type.blockSize)` blocks of `type`.
    public static func quantize(_ x: UnsafePointer<Float>, count: Int, as type: GGMLType, into: UnsafeMutableRawPointer) {
        precondition(count % type.blockSize == 0, "quantized activations need a multiple of \(type.blockSize) values, got \(count)")
        switch type {
        case .q8_0: cria_quantize_row_q8_0(x, into, Int64(count))
        case .q8_1: cria_quantize_row_q8_1(x, into, Int64(count))
        case .q8_K: cria_quantize_row_q8_K(x, into, Int64(count))
        default: preconditionFailure("no activation quantizer for \(type)")
        }
    }

    /// `out[r] = dot(weights row r, x)` for `r` in `rows`.
    /// - Parameters:
    ///   - type: the weight type: `.q4_0`, `.q4_1`, `.q8_0` or a K-quant (`.q2_K` ... `.q6_K`).
    ///   - weights: `(totalRows, rowBytes)` weight blocks.
    ///   - rowBytes: bytes from one weight row to the next.
    ///   - xq: `(cols / blockSize)` blocks of `activationType(for: type)`.
    ///   - out: `(totalRows)`; only `rows` are written.
    ///   - cols: elements per row, a multiple of the weight type's block size.
    public static func matvec(
        _ type: GGMLType, weights: UnsafeRawPointer, rowBytes: Int, xq: UnsafeRawPointer,
        out: UnsafeMutablePointer<Float>, rows: Range<Int>, cols: Int
    ) {
        precondition(cols % type.blockSize == 0, "quantized rows need a multiple of \(type.blockSize) columns, got \(cols)")
        let begin = Int64(rows.lowerBound), end = Int64(rows.upperBound), n = Int32(cols)
        switch type {
        case .q4_1: cria_matvec_q4_1_q8_1(weights, rowBytes, xq, out, begin, end, n)
        case .q4_0: cria_matvec_q4_0_q8_0(weights, rowBytes, xq, out, begin, end, n)
        case .q8_0: cria_matvec_q8_0_q8_0(weights, rowBytes, xq, out, begin, end, n)
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K:
            matmul(type, weights: weights, rowBytes: rowBytes, xq: xq, xqStride: 0, out: out, outStride: 0,
                   rows: rows, columns: 1, cols: cols)
        default: preconditionFailure("no quantized matvec for \(type)")
        }
    }

    /// `out[c * outStride + r] = dot(weights row r, column c)` for `r` in `rows` and `c` in
    /// `0..<columns`, each bit-identical to `matvec` of that column: the weights are read once
    /// for a tile of columns instead of once per column.
    /// - Parameters:
    ///   - xq: `(columns, xqStride)` bytes of quantized activations, as `quantize` wrote them.
    ///   - out: `(columns, outStride)`.
    ///   - promptOrder: the columns are tokens of prompts. Q4_0 then takes the faster order
    ///     of `cria_matmul_q4_0_q8_0_lanes` (as llama.cpp's repacked Q4_0 gemm leaves vec_dot's
    ///     order for prompts); every other type is bit-identical to `matvec` either way.
    public static func matmul(
        _ type: GGMLType, weights: UnsafeRawPointer, rowBytes: Int, xq: UnsafeRawPointer, xqStride: Int,
        out: UnsafeMutablePointer<Float>, outStride: Int, rows: Range<Int>, columns: Int, cols: Int,
        promptOrder: Bool = false
    ) {
        precondition(cols % type.blockSize == 0, "quantized rows need a multiple of \(type.blockSize) columns, got \(cols)")
        let begin = Int64(rows.lowerBound), end = Int64(rows.upperBound), n = Int32(cols), c = Int64(columns)
        switch type {
        case .q4_1: cria_matmul_q4_1_q8_1(weights, rowBytes, xq, xqStride, out, outStride, begin, end, c, n)
        case .q4_0 where promptOrder:
            cria_matmul_q4_0_q8_0_lanes(weights, rowBytes, xq, xqStride, out, outStride, begin, end, c, n)
        case .q4_0: cria_matmul_q4_0_q8_0(weights, rowBytes, xq, xqStride, out, outStride, begin, end, c, n)
        case .q8_0: cria_matmul_q8_0_q8_0(weights, rowBytes, xq, xqStride, out, outStride, begin, end, c, n)
        case .q2_K: cria_matmul_q2_K_q8_K(weights, rowBytes, xq, xqStride, out, outStride, begin, end, c, n)
        case .q3_K: cria_matmul_q3_K_q8_K(weights, rowBytes, xq, xqStride, out, outStride, begin, end, c, n)
        case .q4_K: cria_matmul_q4_K_q8_K(weights, rowBytes, xq, xqStride, out, outStride, begin, end, c, n)
        case .q5_K: cria_matmul_q5_K_q8_K(weights, rowBytes, xq, xqStride, out, outStride, begin, end, c, n)
        case .q6_K: cria_matmul_q6_K_q8_K(weights, rowBytes, xq, xqStride, out, outStride, begin, end, c, n)
        default: preconditionFailure("no quantized matmul for \(type)")
        }
    }
}
