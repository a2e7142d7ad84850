import Testing
@testable import Tensor
#if canImport(Glibc)
import Glibc
#endif

@Suite struct GGMLMathTests {
    @Test func exp8IsWithinTwoUlpOfExpf() {
        var worst: Float = 0
        var x: Float = -100
        while x < 88 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0137 })
            let e = GGMLMath.exp8(lanes)
            for l in 0..<8 {
                let exact = expf(lanes[l])
                if exact.isNormal { worst = max(worst, abs(e[l] - exact) / exact.ulp) }
            }
            x += 0.1
        }
        #expect(worst <= 2)
    }

    @Test func exp8HandlesTheEdges() {
        let e = GGMLMath.exp8(SIMD8(-.infinity, -200, -104, 0, 1, 88, 89, 200))
        #expect(e[0] == 0 && e[1] == 0 && e[3] == 1)
        #expect(abs(e[4] - Float(M_E)) <= Float(M_E).ulp * 2)
        #expect(e[7] == .infinity)
    }

    @Test func softmaxIsADistribution() {
        var x: [Float] = (0..<37).map { Float($0 % 7) - 3 }
        GGMLMath.softmax(&x, x.count, scale: 0.5)
        #expect(abs(x.reduce(0, +) - 1) < 1e-5)
        for i in 1..<x.count where (i % 7) > ((i - 1) % 7) { #expect(x[i] > x[i - 1]) }
    }

    @Test func rmsNormMatchesDoublePrecision() {
        let n = 576
        let x = (0..<n).map { Float(sin(Double($0))) * 3 }, w = (0..<n).map { 1 + Float($0 % 5) / 10 }
        var out = [Float](repeating: 0, count: n), ref = out
        GGMLMath.rmsNorm(&out, x, w, n, eps: 1e-5)
        VectorOps.Reference.rmsNorm(&ref, x, w, n, eps: 1e-5)
        for i in 0..<n { #expect(abs(out[i] - ref[i]) <= 1e-5 * max(1, abs(ref[i]))) }
    }

    @Test func hsumOrderIsLowPlusHighThenPairs() {
        // Chosen so that the summation order changes the rounded result.
        let v = SIMD8<Float>(1e8, 1, -1e8, 1, 3, 0.5, 7, 0.25)
        let t = v.lowHalf + v.highHalf
        #expect(GGMLMath.hsum(v) == (t[0] + t[2]) + (t[1] + t[3]))
    }

    /// Values that take every path of ggml_v_expf: the polynomial, |n| > 126 and |n| > 192.
    static func edgeValues(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            switch i % 5 {
            case 0: Float.random(in: -300...300, using: &rng)
            case 1: Float.random(in: -100...100, using: &rng)
            case 2: Float.random(in: -1...1, using: &rng)
            case 3: [Float.infinity, -.infinity, 0, -0, 88.7, -87.4, 150, -150][Int(rng.next() % 8)]
            default: Float.random(in: -20...20, using: &rng)
            }
        }
    }

    @Test("swiglu: the kernel in use equals the portable Swift version bit for bit")
    func swigluMatchesPortable() {
        for n in [1, 7, 8, 9, 63, 1536, 2053] {
            let gate = Self.edgeValues(n, seed: UInt64(n))
            let up = Self.edgeValues(n, seed: UInt64(n) &+ 99)
            var fast = gate, portable = gate
            GGMLMath.swiglu(&fast, up, n)
            GGMLMath.swigluPortable(&portable, up, n)
            for i in 0..<n {
                #expect(fast[i].bitPattern == portable[i].bitPattern || (fast[i].isNaN && portable[i].isNaN),
                        "n \(n) [\(i)] silu(\(gate[i])) * \(up[i]): \(fast[i]) vs \(portable[i])")
            }
        }
    }

    @Test("softmax exponentials: the kernel in use equals the portable Swift version bit for bit")
    func softmaxExpMatchesPortable() {
        for n in [1, 5, 8, 13, 64, 100, 4097] {
            var values = Self.edgeValues(n, seed: UInt64(n) &+ 7).map { $0.isFinite ? $0 : 0 }
            let maxValue = values.max() ?? 0
            values[n / 2] = -.infinity  // a masked cell
            var fast = values, portable = values
            let a = GGMLMath.softmaxExp(&fast, n, max: maxValue)
            let b = GGMLMath.softmaxExpPortable(&portable, n, max: maxValue)
            #expect(a.bitPattern == b.bitPattern, "n \(n): sum \(a) vs \(b)")
            #expect(fast.map(\.bitPattern) == portable.map(\.bitPattern), "n \(n)")
        }
    }

    /// The straightforward scalar form of ggml's soft_max (scale, max, exponentials in
    /// blocks of 8 summed in Double, normalize), against which the vectorized one is checked.
    static func referenceSoftmax(_ x: inout [Float], scale: Float) {
        let n = x.count
        var maxValue = -Float.infinity
        for i in 0..<n {
            x[i] *= scale
            maxValue = max(maxValue, x[i])
        }
        var sum: Double = 0
        var i = 0
        while i < n {
            var v = SIMD8<Float>(repeating: -.infinity)
            let count = min(8, n - i)
            for l in 0..<count { v[l] = x[i + l] }
            var e = GGMLMath.exp8(v - SIMD8(repeating: maxValue))
            for l in count..<8 { e[l] = 0 }
            for l in 0..<count { x[i + l] = e[l] }
            sum += Double(GGMLMath.hsum(e))
            i += 8
        }
        let inverse = Float(1.0 / sum)
        for i in 0..<n { x[i] *= inverse }
    }

    @Test("softmax equals the scalar reference bit for bit")
    func softmaxMatchesReference() {
        var rng = SeededGenerator(seed: 0x50F7)
        for n in [1, 3, 8, 9, 31, 32, 33, 257, 4096] {
            let x = (0..<n).map { _ in Float.random(in: -30...30, using: &rng) }
            var fast = x, reference = x
            GGMLMath.softmax(&fast, n, scale: 0.125)
            Self.referenceSoftmax(&reference, scale: 0.125)
            #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern), "n \(n)")
        }
    }
}
