#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log-probabilities of the model's own distribution: log softmax(x)[i] = x[i] - normalizer(x).
/// NaN logits count as -infinity (probability 0).
public enum LogSoftmax {
    /// max(x) + ln Σ e^(x[i] - max(x)) over x (count), in blocks of 8 with ggml's exp
    /// polynomial (`expNonPositive8`), each block's sum added in Double. -infinity when every
    /// entry is -infinity or NaN.
    public static func normalizer(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let p = x.baseAddress, x.count > 0 else { return -.infinity }
        let n = x.count
        let whole = n & ~7
        let negativeInfinity = SIMD8<Float>(repeating: -.infinity)
        var max8 = negativeInfinity
        var i = 0
        while i < whole {
            // Compare and select rather than pointwiseMax (lane by lane, NaN-aware, slow);
            // NaN compares false and is skipped.
            let v = load8(p + i)
            max8 = max8.replacing(with: v, where: v .> max8)
            i += 8
        }
        var maxValue = max8.max()
        while i < n {
            if p[i] > maxValue { maxValue = p[i] }
            i += 1
        }
        guard maxValue.isFinite else { return maxValue }  // all -inf/NaN, or a +inf logit
        let m = SIMD8<Float>(repeating: maxValue)
        var sum: Double = 0
        i = 0
        while i < whole {
            let e = expNonPositive8(load8(p + i) - m)
            let t = e.lowHalf + e.highHalf
            sum += Double((t[0] + t[2]) + (t[1] + t[3]))
            i += 8
        }
        while i < n {
            if p[i] > -.infinity { sum += Double(expf(p[i] - maxValue)) }
            i += 1
        }
        return maxValue + Float(log(sum))
    }

    /// The scalar twin of `normalizer`: expf per entry, summed in Double.
    public enum Reference {
        public static func normalizer(_ x: UnsafeBufferPointer<Float>) -> Float {
            var maxValue = -Float.infinity
            for v in x where v > maxValue { maxValue = v }
            guard maxValue.isFinite else { return maxValue }
            var sum: Double = 0
            for v in x where v > -.infinity { sum += Double(expf(v - maxValue)) }
            return maxValue + Float(log(sum))
        }
    }

    /// e^x for x <= 0 in 8 lanes: the polynomial of ggml's ggml_v_expf (ggml-cpu/vec.h, after
    /// ARM's optimized-routines; GGMLMath.exp8 in Tensor) with inputs below -87, and NaN,
    /// clamped to -87 so that no lane needs the polynomial's under/overflow path. That path
    /// needs `any(mask)`, which Swift compiles lane by lane through memory; it made the whole
    /// kernel slower than scalar expf. e^-87 ≈ 1.6e-38 stands in for anything smaller, e^-inf
    /// included: added to a sum that is at least 1, it vanishes.
    @inline(__always)
    static func expNonPositive8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let low = SIMD8<Float>(repeating: -87)
        let x = x.replacing(with: low, where: .!(x .>= low))
        let r = SIMD8<Float>(repeating: 0x1.8p23)
        let z = r.addingProduct(x, SIMD8(repeating: 0x1.715476p+0))
        let n = z - r
        let b = x.addingProduct(-n, SIMD8(repeating: 0x1.62e4p-1))
            .addingProduct(-n, SIMD8(repeating: 0x1.7f7d1cp-20))
        let e = SIMD8<UInt32>(truncatingIfNeeded: z.bitPattern(as: UInt32.self) &<< 23)
        let k = SIMD8<Float>(bitPattern: e &+ SIMD8<UInt32>(repeating: Float(1).bitPattern))
        let u = b * b
        let inner1 = SIMD8<Float>(repeating: 0x1.573e2ep-5).addingProduct(SIMD8(repeating: 0x1.0e4020p-7), b)
        let inner2 = SIMD8<Float>(repeating: 0x1.fffdb6p-2).addingProduct(SIMD8(repeating: 0x1.555e66p-3), b)
        let j = (SIMD8<Float>(repeating: 0x1.ffffecp-1) * b).addingProduct(inner2.addingProduct(inner1, u), u)
        return k.addingProduct(j, k)
    }

    @inline(__always)
    private static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
}

private extension SIMD8 where Scalar == Float {
    @inline(__always)
    func bitPattern(as: UInt32.Type) -> SIMD8<UInt32> {
        unsafeBitCast(self, to: SIMD8<UInt32>.self)
    }

    @inline(__always)
    init(bitPattern bits: SIMD8<UInt32>) {
        self = unsafeBitCast(bits, to: SIMD8<Float>.self)
    }
}
