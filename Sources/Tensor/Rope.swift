#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rotary position embedding in ggml's "normal" mode, the one GGUF's `llama` architecture
/// uses: GGUF converters permute the Q/K weights so that each rotated pair is adjacent,
/// (x[2i], x[2i+1]), with angle pos · base^(-2i/d) for i < d/2 (ggml/src/ggml-cpu/ops.cpp,
/// rope_f32; convert_hf_to_gguf.py, LlamaModel.permute). Dimensions past `dimensions` are
/// left as they are.
public struct Rope: Sendable {
    /// Rotated dimensions per head (`llama.rope.dimension_count`, default the head size).
    public let dimensions: Int
    /// Angle per unit position for each pair, after frequency factors: (dimensions / 2).
    public let inverseFrequencies: [Float]
    /// Multiplier on positions (1 / linear scaling factor).
    public let positionScale: Float

    /// - Parameters:
    ///   - frequencyFactors: per-pair divisors of the frequency (Llama 3.1's `rope_freqs.weight`), or nil.
    public init(dimensions: Int, base: Float, positionScale: Float = 1, frequencyFactors: [Float]? = nil) {
        self.dimensions = dimensions
        self.positionScale = positionScale
        var inverse = [Float](repeating: 0, count: dimensions / 2)
        for i in 0..<dimensions / 2 {
            // Computed in Double: pow in f32 drifts by an ulp or two at the high pairs.
            var theta = Float(pow(Double(base), -2.0 * Double(i) / Double(dimensions)))
            if let factors = frequencyFactors, i < factors.count { theta /= factors[i] }
            inverse[i] = theta
        }
        self.inverseFrequencies = inverse
    }

    /// Fills cos/sin tables for one position as ggml's rope cache does (ops.cpp,
    /// ggml_rope_cache_init): the angle starts at the position and is multiplied by
    /// powf(base, -2/d) once per pair, in f32; frequency factors divide it.
    public func anglesGGML(
        position: Int, base: Float, frequencyFactors: [Float]?,
        cosines: UnsafeMutablePointer<Float>, sines: UnsafeMutablePointer<Float>
    ) {
        let step = powf(base, -2 / Float(dimensions))
        var theta = Float(position)
        for i in 0..<dimensions / 2 {
            let factor = frequencyFactors.map { i < $0.count ? $0[i] : 1 } ?? 1
            let angle = positionScale * (theta / factor)
            cosines[i] = cosf(angle)
            sines[i] = sinf(angle)
            theta *= step
        }
    }

    /// Rotates `heads` heads of `headSize` values each, in place, with precomputed tables.
    public func apply(
        _ x: UnsafeMutablePointer<Float>, heads: Int, headSize: Int,
        cosines: UnsafePointer<Float>, sines: UnsafePointer<Float>
    ) {
        let pairs = dimensions / 2
        for h in 0..<heads {
            let v = x + h * headSize
            for i in 0..<pairs {
                let a = v[2 * i], b = v[2 * i + 1]
                let c = cosines[i], s = sines[i]
                // As gcc contracts ggml's `x0*cos - x1*sin` and `x0*sin + x1*cos` (one product
                // rounded, the other fused).
                v[2 * i] = (-(b * s)).addingProduct(a, c)
                v[2 * i + 1] = (b * c).addingProduct(a, s)
            }
        }
    }
}
