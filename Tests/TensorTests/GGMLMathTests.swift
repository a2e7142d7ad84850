import Tensor
import Testing
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

    @Test(arguments: [8, 32, 64, 96, 100, 256])
    func f16DotsAgreeWithDouble(n: Int) {
        let x = (0..<n).map { Float16(Float(cos(Double($0) * 0.3))) }
        let y = (0..<n).map { Float16(Float(sin(Double($0) * 0.7))) }
        var exact: Double = 0
        for i in 0..<n { exact += Double(Float(x[i])) * Double(Float(y[i])) }
        let decode = GGMLMath.dotF16Decode(x, y, n)
        #expect(abs(Double(decode) - exact) < 1e-4)
        if n % 8 == 0 {
            let batch = GGMLMath.dotF16Batch(x, y, n)
            #expect(abs(Double(batch) - exact) < 1e-4)
        }
    }

    @Test func hsumOrderIsLowPlusHighThenPairs() {
        // Chosen so that the summation order changes the rounded result.
        let v = SIMD8<Float>(1e8, 1, -1e8, 1, 3, 0.5, 7, 0.25)
        let t = v.lowHalf + v.highHalf
        #expect(GGMLMath.hsum(v) == (t[0] + t[2]) + (t[1] + t[3]))
    }
}
