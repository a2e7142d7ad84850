#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CriaKernels

/// Elementwise kernels that round exactly as llama.cpp's CPU backend does on AVX2 machines.
///
/// Why: small Llama models such as SmolLM2-135M are numerically chaotic — llama.cpp's own
/// greedy output changes when it merely stores its KV cache in f32 instead of f16 — so
/// matching llama.cpp token for token needs the same operations in the same order, not just
/// the same math. Facts from ggml/src/ggml-cpu (vec.h ggml_v_expf / ggml_v_silu,
/// vec.cpp ggml_vec_soft_max_f32 / ggml_vec_dot_f16, ops.cpp rms_norm_f32 / rope,
/// llamafile/sgemm.cpp tinyBLAS), as vendored in llama-cpp-python 0.3.36.

public enum GGMLMath {
    // MARK: - exp and silu

    /// e^x for 8 lanes with ggml's AVX2 polynomial (ARM optimized-routines algorithm,
    /// max error about 1.5 ulp); bit-identical to ggml_v_expf.
    @inline(__always)
    public static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let r = SIMD8<Float>(repeating: 0x1.8p23)
        let z = r.addingProduct(x, SIMD8(repeating: 0x1.715476p+0))
        let n = z - r
        let b = x.addingProduct(-n, SIMD8(repeating: 0x1.62e4p-1))
            .addingProduct(-n, SIMD8(repeating: 0x1.7f7d1cp-20))
        let e = SIMD8<UInt32>(truncatingIfNeeded: z.bitPattern(as: UInt32.self) &<< 23)
        let oneBits = SIMD8<UInt32>(repeating: Float(1).bitPattern)
        let k = SIMD8<Float>(bitPattern: e &+ oneBits)
        let absN = SIMD8<Float>(bitPattern: n.bitPattern(as: UInt32.self) & 0x7FFF_FFFF)
        let u = b * b
        let inner1 = SIMD8<Float>(repeating: 0x1.573e2ep-5).addingProduct(SIMD8(repeating: 0x1.0e4020p-7), b)
        let inner2 = SIMD8<Float>(repeating: 0x1.fffdb6p-2).addingProduct(SIMD8(repeating: 0x1.555e66p-3), b)
        let j = (SIMD8<Float>(repeating: 0x1.ffffecp-1) * b).addingProduct(inner2.addingProduct(inner1, u), u)
        let c = absN .> SIMD8(repeating: 126)
        if !any(c) { return k.addingProduct(j, k) }
        let g = SIMD8<UInt32>(repeating: 0).replacing(with: 0x8200_0000, where: n .<= SIMD8(repeating: 0))
        let s1 = SIMD8<Float>(bitPattern: g &+ 0x7F00_0000)
        let s2 = SIMD8<Float>(bitPattern: e &- g)
        let d = absN .> SIMD8(repeating: 192)
        let big = s2.addingProduct(s2, j) * s1
        let normal = k.addingProduct(k, j)
        return (s1 * s1).replacing(with: big.replacing(with: normal, where: .!c), where: .!d)
    }

    /// silu(x) = x / (1 + e^-x) for 8 lanes, as ggml_v_silu.
    @inline(__always)
    public static func silu8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        x / (SIMD8(repeating: 1) + exp8(SIMD8(repeating: 0) - x))
    }

    /// The AVX2 kernels of CriaKernels are used where the CPU has them; the Swift versions
    /// (`swigluPortable`, `softmaxExpPortable`) give the same bits everywhere else.
    static let usesAVX2 = cria_uses_avx2() != 0

    /// gate[i] = silu(gate[i]) · up[i], as ggml_vec_swiglu_f32 (scalar tail with expf).
    public static func swiglu(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, _ n: Int) {
        #if arch(x86_64)
        if usesAVX2 { return cria_swiglu_f32_avx2(gate, up, Int64(n)) }
        #endif
        swigluPortable(gate, up, n)
    }

    static func swigluPortable(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            let g = UnsafeRawPointer(gate + i).loadUnaligned(as: SIMD8<Float>.self)
            let u = UnsafeRawPointer(up + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(gate + i).storeBytes(of: silu8(g) * u, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
            i += 1
        }
    }

    // MARK: - reductions

    /// Horizontal sum in the order of ggml's hsum_float_8 and tinyBLAS's hsum:
    /// t = low + high; (t0 + t2) + (t1 + t3).
    @inline(__always)
    public static func hsum(_ v: SIMD8<Float>) -> Float {
        let t = v.lowHalf + v.highHalf
        return (t[0] + t[2]) + (t[1] + t[3])
    }

    /// Horizontal sum in the order of ggml's GGML_F32x8_REDUCE tail (two hadds):
    /// t = low + high; (t0 + t1) + (t2 + t3).
    @inline(__always)
    static func hsumHadd(_ v: SIMD8<Float>) -> Float {
        let t = v.lowHalf + v.highHalf
        return (t[0] + t[1]) + (t[2] + t[3])
    }

    /// In-place softmax of x[0..<n] after scaling by `scale`, as ggml's soft_max_f32: the
    /// exponentials in blocks of 8 (the last one zero-padded), each block's sum added in Double.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, _ n: Int, scale: Float) {
        guard n > 0 else { return }
        let whole = n & ~7
        let scale8 = SIMD8<Float>(repeating: scale)
        var maxValue = -Float.infinity
        var i = 0
        while i < whole {
            let v = load8(x + i) * scale8
            store8(v, x + i)
            for l in 0..<8 { maxValue = max(maxValue, v[l]) }
            i += 8
        }
        while i < n {
            x[i] *= scale
            maxValue = max(maxValue, x[i])
            i += 1
        }
        let sum = softmaxExp(x, n, max: maxValue)
        let inverse = Float(1.0 / sum)
        let inverse8 = SIMD8<Float>(repeating: inverse)
        i = 0
        while i < whole {
            store8(load8(x + i) * inverse8, x + i)
            i += 8
        }
        while i < n {
            x[i] *= inverse
            i += 1
        }
    }

    /// x[i] = e^(x[i] - max) in blocks of 8, a partial last block padded with masked lanes;
    /// returns the blocks' float sums added in Double (ggml_vec_soft_max_f32).
    static func softmaxExp(_ x: UnsafeMutablePointer<Float>, _ n: Int, max: Float) -> Double {
        #if arch(x86_64)
        if usesAVX2 { return cria_softmax_exp_f32_avx2(x, Int64(n), max) }
        #endif
        return softmaxExpPortable(x, n, max: max)
    }

    static func softmaxExpPortable(_ x: UnsafeMutablePointer<Float>, _ n: Int, max: Float) -> Double {
        var sum: Double = 0
        let m = SIMD8<Float>(repeating: max)
        let whole = n & ~7
        var i = 0
        while i < whole {
            let e = exp8(load8(x + i) - m)
            store8(e, x + i)
            sum += Double(hsum(e))
            i += 8
        }
        if i < n {
            var v = SIMD8<Float>(repeating: -.infinity)
            let count = n - i
            for l in 0..<count { v[l] = x[i + l] }
            var e = exp8(v - m)
            for l in count..<8 { e[l] = 0 }
            for l in 0..<count { x[i + l] = e[l] }
            sum += Double(hsum(e))
        }
        return sum
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// out = x / sqrt(mean(x²) + eps) · weight, as ggml's rms_norm_f32 then mul: squares
    /// rounded to f32 and summed in Double. `out` may alias `x`.
    public static func rmsNorm(
        _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
        _ n: Int, eps: Float
    ) {
        var sum: Double = 0
        for i in 0..<n { sum += Double(x[i] * x[i]) }
        let mean = Float(sum / Double(n))
        let scale = 1 / (mean + eps).squareRoot()
        for i in 0..<n { out[i] = x[i] * scale * weight[i] }
    }

    // MARK: - f16 loads (the attention kernels read the f16 KV cache through this)

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float16>) -> SIMD8<Float> {
        SIMD8<Float>(UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float16>.self))
    }
}

extension SIMD8 where Scalar == Float {
    @inline(__always)
    func bitPattern(as: UInt32.Type) -> SIMD8<UInt32> {
        unsafeBitCast(self, to: SIMD8<UInt32>.self)
    }

    @inline(__always)
    init(bitPattern bits: SIMD8<UInt32>) {
        self = unsafeBitCast(bits, to: SIMD8<Float>.self)
    }
}
