// Q5_0 and Q5_1: 32 elements per block, 5-bit quants: low nibbles in qs, fifth bits in qh.
// Layout (ggml/src/ggml-common.h block_q5_0 / block_q5_1; gguf/quants.py Q5_0, Q5_1):
//   Q5_0: d: f16, qh: u32, qs[16]            Q5_1: d: f16, m: f16, qh: u32, qs[16]
//   q[j]    = (qs[j] & 15) | ((qh >> j) & 1) << 4
//   q[j+16] = (qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4
//   Q5_0: x = d * (q - 16)                   Q5_1: x = d * q + m

@inline(__always)
private func quant5(_ qs: UnsafeRawPointer, _ qh: UInt32, _ j: Int) -> (lo: Int, hi: Int) {
    let q = qs.load(fromByteOffset: j, as: UInt8.self)
    let lo = Int(q & 0x0F) | Int((qh >> UInt32(j)) & 1) << 4
    let hi = Int(q >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
    return (lo, hi)
}

/// The four 8-lane groups of 5-bit quants (elements 0..<8, 8..<16, 16..<24, 24..<32).
@inline(__always)
private func quants5x8(_ qs: UnsafeRawPointer, _ qh: UInt32)
    -> (SIMD8<UInt8>, SIMD8<UInt8>, SIMD8<UInt8>, SIMD8<UInt8>)
{
    let a = loadBytes8(qs, 0), b = loadBytes8(qs, 8)
    return (
        (a & 0x0F) | highBit4(UInt8(truncatingIfNeeded: qh)),
        (b & 0x0F) | highBit4(UInt8(truncatingIfNeeded: qh >> 8)),
        (a &>> 4) | highBit4(UInt8(truncatingIfNeeded: qh >> 16)),
        (b &>> 4) | highBit4(UInt8(truncatingIfNeeded: qh >> 24))
    )
}

enum BlockQ5_0 {
    static let bytes = 22

    static func dequant(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = loadF16(b, 0)
        let qh = b.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
        for j in 0..<16 {
            let (lo, hi) = quant5(b + 6, qh, j)
            y[j] = d * Float(lo - 16)
            y[j + 16] = d * Float(hi - 16)
        }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int) -> Float {
        let sixteen = SIMD8<UInt8>(repeating: 16)
        var acc = SIMD8<Float>()
        for b in 0..<blocks {
            let p = src + b &* bytes
            let xb = x + b &* 32
            let (q0, q1, q2, q3) = quants5x8(p + 6, p.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            var t = floatsSigned(q0 &- sixteen) * loadFloats8(xb, 0)
            t = t.addingProduct(floatsSigned(q1 &- sixteen), loadFloats8(xb, 8))
            t = t.addingProduct(floatsSigned(q2 &- sixteen), loadFloats8(xb, 16))
            t = t.addingProduct(floatsSigned(q3 &- sixteen), loadFloats8(xb, 24))
            acc = acc.addingProduct(t, loadF16(p, 0))
        }
        return acc.sum()
    }
}

enum BlockQ5_1 {
    static let bytes = 24

    static func dequant(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = loadF16(b, 0), m = loadF16(b, 2)
        let qh = b.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        for j in 0..<16 {
            let (lo, hi) = quant5(b + 8, qh, j)
            y[j] = d * Float(lo) + m
            y[j + 16] = d * Float(hi) + m
        }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int) -> Float {
        var accD = SIMD8<Float>(), accM = SIMD8<Float>()
        for b in 0..<blocks {
            let p = src + b &* bytes
            let xb = x + b &* 32
            let (q0, q1, q2, q3) = quants5x8(p + 8, p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            let x0 = loadFloats8(xb, 0), x1 = loadFloats8(xb, 8)
            let x2 = loadFloats8(xb, 16), x3 = loadFloats8(xb, 24)
            var t = floats(q0) * x0
            t = t.addingProduct(floats(q1), x1)
            t = t.addingProduct(floats(q2), x2)
            t = t.addingProduct(floats(q3), x3)
            accD = accD.addingProduct(t, loadF16(p, 0))
            accM = accM.addingProduct((x0 + x1) + (x2 + x3), loadF16(p, 2))
        }
        return (accD + accM).sum()
    }
}
