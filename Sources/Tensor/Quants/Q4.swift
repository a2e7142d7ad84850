// Q4_0 and Q4_1: 32 elements per block, 4-bit quants.
// Layout (ggml/src/ggml-common.h block_q4_0 / block_q4_1; gguf/quants.py Q4_0, Q4_1):
//   Q4_0: d: f16, qs[16]                 x[j] = d * ((qs[j] & 15) - 8), x[j+16] = d * ((qs[j] >> 4) - 8)
//   Q4_1: d: f16, m: f16, qs[16]         x[j] = d * (qs[j] & 15) + m,   x[j+16] = d * (qs[j] >> 4) + m

enum BlockQ4_0 {
    static let bytes = 18

    static func dequant(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = loadF16(b, 0)
        for j in 0..<16 {
            let q = b.load(fromByteOffset: 2 + j, as: UInt8.self)
            y[j] = d * Float(Int(q & 0x0F) - 8)
            y[j + 16] = d * Float(Int(q >> 4) - 8)
        }
    }

    static func dequantRow(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        let eight = SIMD8<UInt8>(repeating: 8)
        for b in 0..<blocks {
            let p = src + b &* bytes
            let yb = y + b &* 32
            let d = SIMD8<Float>(repeating: loadF16(p, 0))
            let q0 = loadBytes8(p, 2), q1 = loadBytes8(p, 10)
            storeFloats8(d * floatsSigned((q0 & 0x0F) &- eight), yb, 0)
            storeFloats8(d * floatsSigned((q1 & 0x0F) &- eight), yb, 8)
            storeFloats8(d * floatsSigned((q0 &>> 4) &- eight), yb, 16)
            storeFloats8(d * floatsSigned((q1 &>> 4) &- eight), yb, 24)
        }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int) -> Float {
        let eight = SIMD8<UInt8>(repeating: 8)
        var acc = SIMD8<Float>()
        for b in 0..<blocks {
            let p = src + b &* bytes
            let xb = x + b &* 32
            let q0 = loadBytes8(p, 2), q1 = loadBytes8(p, 10)
            var t = floatsSigned((q0 & 0x0F) &- eight) * loadFloats8(xb, 0)
            t = t.addingProduct(floatsSigned((q1 & 0x0F) &- eight), loadFloats8(xb, 8))
            t = t.addingProduct(floatsSigned((q0 &>> 4) &- eight), loadFloats8(xb, 16))
            t = t.addingProduct(floatsSigned((q1 &>> 4) &- eight), loadFloats8(xb, 24))
            acc = acc.addingProduct(t, loadF16(p, 0))
        }
        return acc.sum()
    }
}

enum BlockQ4_1 {
    static let bytes = 20

    static func dequant(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = loadF16(b, 0), m = loadF16(b, 2)
        for j in 0..<16 {
            let q = b.load(fromByteOffset: 4 + j, as: UInt8.self)
            y[j] = d * Float(q & 0x0F) + m
            y[j + 16] = d * Float(q >> 4) + m
        }
    }

    static func dequantRow(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let p = src + b &* bytes
            let yb = y + b &* 32
            let d = SIMD8<Float>(repeating: loadF16(p, 0)), m = SIMD8<Float>(repeating: loadF16(p, 2))
            let q0 = loadBytes8(p, 4), q1 = loadBytes8(p, 12)
            storeFloats8(d * floats(q0 & 0x0F) + m, yb, 0)
            storeFloats8(d * floats(q1 & 0x0F) + m, yb, 8)
            storeFloats8(d * floats(q0 &>> 4) + m, yb, 16)
            storeFloats8(d * floats(q1 &>> 4) + m, yb, 24)
        }
    }

    /// Σ (d q + m) x = d Σ q x + m Σ x, with the two sums in separate accumulators.
    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int) -> Float {
        var accD = SIMD8<Float>(), accM = SIMD8<Float>()
        for b in 0..<blocks {
            let p = src + b &* bytes
            let xb = x + b &* 32
            let q0 = loadBytes8(p, 4), q1 = loadBytes8(p, 12)
            let x0 = loadFloats8(xb, 0), x1 = loadFloats8(xb, 8)
            let x2 = loadFloats8(xb, 16), x3 = loadFloats8(xb, 24)
            var t = floats(q0 & 0x0F) * x0
            t = t.addingProduct(floats(q1 & 0x0F), x1)
            t = t.addingProduct(floats(q0 &>> 4), x2)
            t = t.addingProduct(floats(q1 &>> 4), x3)
            accD = accD.addingProduct(t, loadF16(p, 0))
            accM = accM.addingProduct((x0 + x1) + (x2 + x3), loadF16(p, 2))
        }
        return (accD + accM).sum()
    }
}
