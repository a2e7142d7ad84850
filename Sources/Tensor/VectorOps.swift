#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small f32 kernels of the forward pass, output argument first (after llama2.c's `run.c`).
/// Each SIMD kernel has a scalar twin in `VectorOps.Reference`, compared in TensorTests.
public enum VectorOps {
    /// Σ a[i]·b[i].
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i &+ 16 <= n {
            acc0.addProduct(load8(a + i), load8(b + i))
            acc1.addProduct(load8(a + (i &+ 8)), load8(b + (i &+ 8)))
            i &+= 16
        }
        if i &+ 8 <= n {
            acc0.addProduct(load8(a + i), load8(b + i))
            i &+= 8
        }
        var sum = (acc0 + acc1).sum()
        while i < n {
            sum += a[i] * b[i]
            i &+= 1
        }
        return sum
    }

    /// out[i] += a · x[i].
    @inline(__always)
    public static func addScaled(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ a: Float, _ n: Int) {
        let va = SIMD8<Float>(repeating: a)
        var i = 0
        while i &+ 8 <= n {
            store8(load8(UnsafePointer(out + i)).addingProduct(va, load8(x + i)), out + i)
            i &+= 8
        }
        while i < n {
            out[i] += a * x[i]
            i &+= 1
        }
    }

    /// out[i] += x[i].
    public static func add(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i &+ 8 <= n {
            store8(load8(UnsafePointer(out + i)) + load8(x + i), out + i)
            i &+= 8
        }
        while i < n {
            out[i] += x[i]
            i &+= 1
        }
    }

    /// out = x / rms(x) · weight, with rms(x) = sqrt(mean(x²) + eps). `out` may alias `x`.
    public static func rmsNorm(
        _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
        _ n: Int, eps: Float
    ) {
        let scale = 1 / (dot(x, x, n) / Float(n) + eps).squareRoot()
        let vs = SIMD8<Float>(repeating: scale)
        var i = 0
        while i &+ 8 <= n {
            store8(load8(x + i) * vs * load8(weight + i), out + i)
            i &+= 8
        }
        while i < n {
            out[i] = x[i] * scale * weight[i]
            i &+= 1
        }
    }

    /// In-place softmax over x[0..<n]; returns nothing, x sums to 1 afterwards.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        guard n > 0 else { return }
        var maxValue = x[0]
        for i in 1..<n where x[i] > maxValue { maxValue = x[i] }
        var sum: Float = 0
        for i in 0..<n {
            let e = expf(x[i] - maxValue)
            x[i] = e
            sum += e
        }
        let inverse = 1 / sum
        for i in 0..<n { x[i] *= inverse }
    }

    /// SwiGLU: gate[i] = silu(gate[i]) · up[i], with silu(g) = g / (1 + e^-g).
    public static func swiglu(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// out[i] = x[i] · a.
    public static func scale(_ x: UnsafeMutablePointer<Float>, _ a: Float, _ n: Int) {
        for i in 0..<n { x[i] *= a }
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}

extension VectorOps {
    /// Plain scalar twins of the SIMD kernels, for tests.
    public enum Reference {
        public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
            var sum: Double = 0
            for i in 0..<n { sum += Double(a[i]) * Double(b[i]) }
            return Float(sum)
        }

        public static func rmsNorm(
            _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
            _ n: Int, eps: Float
        ) {
            var ss: Double = 0
            for i in 0..<n { ss += Double(x[i]) * Double(x[i]) }
            let scale = 1 / (ss / Double(n) + Double(eps)).squareRoot()
            for i in 0..<n { out[i] = Float(Double(x[i]) * scale) * weight[i] }
        }

        public static func addScaled(
            _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ a: Float, _ n: Int
        ) {
            for i in 0..<n { out[i] += a * x[i] }
        }
    }
}
