/// Small f32 kernels of the forward pass, output argument first (after llama2.c's `run.c`).
/// The kernels whose rounding must follow llama.cpp live in `GGMLMath`.
public enum VectorOps {
    /// out[i] += x[i] (exact in any order, so SIMD needs no scalar twin).
    public static func add(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i &+ 8 <= n {
            let sum = UnsafeRawPointer(out + i).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: sum, as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < n {
            out[i] += x[i]
            i &+= 1
        }
    }
}

extension VectorOps {
    /// Plain double-precision versions of the forward pass's kernels, for tests.
    public enum Reference {
        public static func rmsNorm(
            _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
            _ n: Int, eps: Float
        ) {
            var ss: Double = 0
            for i in 0..<n { ss += Double(x[i]) * Double(x[i]) }
            let scale = 1 / (ss / Double(n) + Double(eps)).squareRoot()
            for i in 0..<n { out[i] = Float(Double(x[i]) * scale) * weight[i] }
        }
    }
}
