import CriaKernels

/// The f16 dot products of attention over a KV cache, many positions or output elements per
/// call, each in the summation order of the kernel llama.cpp picks for it:
/// ggml_vec_dot_f16 for single-token decode, tinyBLAS for prompt batches (see `GGMLMath`).
///
/// Queries and probabilities come as f32 holding f16-rounded values (exactly what llama.cpp
/// multiplies), so they are converted once per head instead of once per position.
public enum AttentionKernels {
    /// The C kernels need these; other shapes (and CPUs without AVX2) use the Swift ones.
    static func groupKernelsApply(headSize: Int) -> Bool {
        #if arch(x86_64)
        return GGMLMath.usesAVX2 && headSize % 32 == 0 && headSize <= 256
        #else
        return false
        #endif
    }

    /// Single-token decode scores of the `heads` query heads of one GQA group, which share
    /// their keys: `scores[h · scoreStride + t] = Σ keys[t·stride + i] · queries[h·headSize + i]`,
    /// each in ggml_vec_dot_f16 order (bit-identical to `scores(batched: false)` per head).
    public static func groupScoresDecode(
        keys: UnsafePointer<Float16>, stride: Int, queries: UnsafePointer<Float>, heads: Int, headSize: Int,
        count: Int, into scores: UnsafeMutablePointer<Float>, scoreStride: Int
    ) {
        #if arch(x86_64)
        if groupKernelsApply(headSize: headSize) {
            let k = UnsafeRawPointer(keys).assumingMemoryBound(to: UInt16.self)
            var h = 0
            while h < heads {
                let part = min(4, heads - h)
                cria_attention_scores_decode_avx2(
                    k, stride, queries + h * headSize, Int32(part), Int32(headSize), Int64(count),
                    scores + h * scoreStride, scoreStride)
                h += part
            }
            return
        }
        #endif
        for h in 0..<heads {
            Self.scores(keys: keys, stride: stride, query: queries + h * headSize, headSize: headSize, count: count,
                        batched: false, into: scores + h * scoreStride)
        }
    }

    /// Single-token decode outputs of the `heads` heads of one GQA group, which share their
    /// values: `out[h · outStride + d] = Σ values[d·stride + t] · probabilities[h·probabilityStride + t]`
    /// for `d` in `dimensions`, each in ggml_vec_dot_f16 order; `span` is a multiple of 32.
    public static func groupValuesDecode(
        values: UnsafePointer<Float16>, stride: Int, probabilities: UnsafePointer<Float>, probabilityStride: Int,
        heads: Int, span: Int, dimensions: Range<Int>, into out: UnsafeMutablePointer<Float>, outStride: Int
    ) {
        #if arch(x86_64)
        if GGMLMath.usesAVX2 {
            let v = UnsafeRawPointer(values).assumingMemoryBound(to: UInt16.self)
            var h = 0
            while h < heads {
                let part = min(4, heads - h)
                cria_attention_values_decode_avx2(
                    v, stride, probabilities + h * probabilityStride, probabilityStride, Int32(part), Int64(span),
                    Int32(dimensions.lowerBound), Int32(dimensions.upperBound), out + h * outStride, outStride)
                h += part
            }
            return
        }
        #endif
        for h in 0..<heads {
            for d in dimensions {
                out[h * outStride + d] = dotDecode(values + d * stride, probabilities + h * probabilityStride, span)
            }
        }
    }

    /// `scores[t] = Σ keys[t·stride + i] · query[i]` for `t` in `0..<count`.
    /// - Parameters:
    ///   - keys: `(count, stride)` f16 rows; the first `headSize` values of each are used.
    ///   - query: `(headSize)` f16 values as f32.
    ///   - batched: tinyBLAS order (headSize a multiple of 8) instead of ggml_vec_dot_f16's.
    public static func scores(
        keys: UnsafePointer<Float16>, stride: Int, query: UnsafePointer<Float>, headSize: Int, count: Int,
        batched: Bool, into scores: UnsafeMutablePointer<Float>
    ) {
        if batched {
            rowDotsBatch(keys, stride: stride, query, n: headSize, rows: count, into: scores)
        } else {
            for t in 0..<count { scores[t] = dotDecode(keys + t * stride, query, headSize) }
        }
    }

    /// `out[d] = Σ values[d·stride + t] · probabilities[t]` over `t` in `0..<span`, for `d` in
    /// `0..<headSize`: the transposed value cache times the probabilities.
    /// - Parameters:
    ///   - values: `(headSize, stride)` f16 rows.
    ///   - probabilities: `(span)` f16 values as f32; `span` is a multiple of 32.
    public static func weightedValues(
        values: UnsafePointer<Float16>, stride: Int, probabilities: UnsafePointer<Float>, span: Int, headSize: Int,
        batched: Bool, into out: UnsafeMutablePointer<Float>
    ) {
        if batched {
            rowDotsBatch(values, stride: stride, probabilities, n: span, rows: headSize, into: out)
        } else {
            for d in 0..<headSize { out[d] = dotDecode(values + d * stride, probabilities, span) }
        }
    }

    /// `out[r] = dotBatch(rows r of x, y, n)` for `rows` rows `stride` apart. Four rows at a
    /// time: each dot is one dependent FMA chain, so independent chains side by side keep the
    /// FMA units busy, and the loads of y are shared (same operations per row).
    static func rowDotsBatch(
        _ x: UnsafePointer<Float16>, stride: Int, _ y: UnsafePointer<Float>, n: Int, rows: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        var r = 0
        if n & 7 == 0 {
            while r + 4 <= rows {
                let x0 = x + r * stride, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var i = 0
                while i < n {
                    let yv = GGMLMath.load8(y + i)
                    a0 = a0.addingProduct(GGMLMath.load8(x0 + i), yv)
                    a1 = a1.addingProduct(GGMLMath.load8(x1 + i), yv)
                    a2 = a2.addingProduct(GGMLMath.load8(x2 + i), yv)
                    a3 = a3.addingProduct(GGMLMath.load8(x3 + i), yv)
                    i += 8
                }
                out[r] = GGMLMath.hsum(a0)
                out[r + 1] = GGMLMath.hsum(a1)
                out[r + 2] = GGMLMath.hsum(a2)
                out[r + 3] = GGMLMath.hsum(a3)
                r += 4
            }
        }
        while r < rows {
            out[r] = dotBatch(x + r * stride, y, n)
            r += 1
        }
    }

    /// ggml_vec_dot_f16's order: four 8-lane FMA accumulators over blocks of 32, reduced
    /// pairwise and by two hadds; the tail past the last whole block added in Double.
    @inline(__always)
    static func dotDecode(_ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        let whole = n & ~31
        var i = 0
        while i < whole {
            a0 = a0.addingProduct(GGMLMath.load8(x + i), GGMLMath.load8(y + i))
            a1 = a1.addingProduct(GGMLMath.load8(x + i + 8), GGMLMath.load8(y + i + 8))
            a2 = a2.addingProduct(GGMLMath.load8(x + i + 16), GGMLMath.load8(y + i + 16))
            a3 = a3.addingProduct(GGMLMath.load8(x + i + 24), GGMLMath.load8(y + i + 24))
            i += 32
        }
        a0 = a0 + a2
        a1 = a1 + a3
        a0 = a0 + a1
        if i == n { return GGMLMath.hsumHadd(a0) }
        var sum = Double(GGMLMath.hsumHadd(a0))
        while i < n {
            sum += Double(Float(x[i]) * y[i])
            i += 1
        }
        return Float(sum)
    }

    /// tinyBLAS's order: one 8-lane FMA accumulator, then hsum; n is a multiple of 8.
    @inline(__always)
    static func dotBatch(_ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i < n {
            acc = acc.addingProduct(GGMLMath.load8(x + i), GGMLMath.load8(y + i))
            i += 8
        }
        return GGMLMath.hsum(acc)
    }
}
