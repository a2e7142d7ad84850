// Q4_K and Q5_K: 256 elements per super-block, 8 sub-blocks of 32 with 6-bit scales and mins.
// Layout (ggml/src/ggml-common.h block_q4_K / block_q5_K; gguf/quants.py Q4_K.get_scale_min, Q5_K):
//   Q4_K: d: f16, dmin: f16, scales[12], qs[128]
//   Q5_K: d: f16, dmin: f16, scales[12], qh[32], qs[128]
//   sub-block j, element l < 32: low = (qs[(j/2)*32 + l] >> 4(j%2)) & 15; Q5_K adds ((qh[l] >> j) & 1) << 4
//   x = (d * sc[j]) * q - dmin * m[j]

/// The 6-bit scale and min of sub-block `j` (j < 8) from the 12 packed bytes at `s`.
@inline(__always)
func scaleMinK4(_ s: UnsafeRawPointer, _ j: Int) -> (sc: UInt8, m: UInt8) {
    if j < 4 {
        return (s.load(fromByteOffset: j, as: UInt8.self) & 63, s.load(fromByteOffset: j &+ 4, as: UInt8.self) & 63)
    }
    let packed = s.load(fromByteOffset: j &+ 4, as: UInt8.self)
    let sc = (packed & 0x0F) | (s.load(fromByteOffset: j &- 4, as: UInt8.self) >> 6) << 4
    let m = (packed >> 4) | (s.load(fromByteOffset: j, as: UInt8.self) >> 6) << 4
    return (sc, m)
}

/// All eight (scale, min) pairs of a Q4_K/Q5_K block as floats, multiplied by d and dmin.
@inline(__always)
func scalesMinsK4(_ s: UnsafeRawPointer, d: Float, dmin: Float) -> (SIMD8<Float>, SIMD8<Float>) {
    let lo = s.loadUnaligned(as: SIMD4<UInt8>.self)
    let mid = s.loadUnaligned(fromByteOffset: 4, as: SIMD4<UInt8>.self)
    let hi = s.loadUnaligned(fromByteOffset: 8, as: SIMD4<UInt8>.self)
    let sc = SIMD8<UInt8>(lowHalf: lo & 63, highHalf: (hi & 0x0F) | ((lo &>> 6) &<< 4))
    let m = SIMD8<UInt8>(lowHalf: mid & 63, highHalf: (hi &>> 4) | ((mid &>> 6) &<< 4))
    return (floats(sc) * d, floats(m) * dmin)
}

enum BlockQ4_K {
    static let bytes = 144

    static func dequant(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = loadF16(b, 0), dmin = loadF16(b, 2)
        for j in 0..<8 {
            let (sc, m) = scaleMinK4(b + 4, j)
            let dl = d * Float(sc), ml = dmin * Float(m)
            for l in 0..<32 {
                let q = (b.load(fromByteOffset: 16 + (j / 2) * 32 + l, as: UInt8.self) >> UInt8(4 * (j % 2))) & 0x0F
                y[j * 32 + l] = dl * Float(q) - ml
            }
        }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int) -> Float {
        var accD = SIMD8<Float>(), accM = SIMD8<Float>()
        for b in 0..<blocks {
            let p = src + (b &* bytes)
            let xb = x + (b &* 256)
            let (scales, mins) = scalesMinsK4(p + 4, d: loadF16(p, 0), dmin: loadF16(p, 2))
            for c in 0..<4 {
                let qs = p + (16 &+ c &* 32)
                let xl = xb + c &* 64, xh = xl + 32
                let v0 = loadBytes8(qs, 0), v1 = loadBytes8(qs, 8), v2 = loadBytes8(qs, 16), v3 = loadBytes8(qs, 24)
                let a0 = loadFloats8(xl, 0), a1 = loadFloats8(xl, 8), a2 = loadFloats8(xl, 16), a3 = loadFloats8(xl, 24)
                let b0 = loadFloats8(xh, 0), b1 = loadFloats8(xh, 8), b2 = loadFloats8(xh, 16), b3 = loadFloats8(xh, 24)
                var tl = floats(v0 & 0x0F) * a0
                tl = tl.addingProduct(floats(v1 & 0x0F), a1)
                tl = tl.addingProduct(floats(v2 & 0x0F), a2)
                tl = tl.addingProduct(floats(v3 & 0x0F), a3)
                var th = floats(v0 &>> 4) * b0
                th = th.addingProduct(floats(v1 &>> 4), b1)
                th = th.addingProduct(floats(v2 &>> 4), b2)
                th = th.addingProduct(floats(v3 &>> 4), b3)
                accD = accD.addingProduct(tl, scales[2 &* c])
                accD = accD.addingProduct(th, scales[2 &* c &+ 1])
                accM = accM.addingProduct((a0 + a1) + (a2 + a3), mins[2 &* c])
                accM = accM.addingProduct((b0 + b1) + (b2 + b3), mins[2 &* c &+ 1])
            }
        }
        return (accD - accM).sum()
    }
}

enum BlockQ5_K {
    static let bytes = 176

    static func dequant(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = loadF16(b, 0), dmin = loadF16(b, 2)
        for j in 0..<8 {
            let (sc, m) = scaleMinK4(b + 4, j)
            let dl = d * Float(sc), ml = dmin * Float(m)
            for l in 0..<32 {
                let low = (b.load(fromByteOffset: 48 + (j / 2) * 32 + l, as: UInt8.self) >> UInt8(4 * (j % 2))) & 0x0F
                let high = (b.load(fromByteOffset: 16 + l, as: UInt8.self) >> UInt8(j)) & 1
                y[j * 32 + l] = dl * Float(low | high << 4) - ml
            }
        }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int) -> Float {
        let one = SIMD8<UInt8>(repeating: 1)
        var accD = SIMD8<Float>(), accM = SIMD8<Float>()
        for b in 0..<blocks {
            let p = src + (b &* bytes)
            let xb = x + (b &* 256)
            let (scales, mins) = scalesMinsK4(p + 4, d: loadF16(p, 0), dmin: loadF16(p, 2))
            var h0 = loadBytes8(p, 16), h1 = loadBytes8(p, 24), h2 = loadBytes8(p, 32), h3 = loadBytes8(p, 40)
            for c in 0..<4 {
                let qs = p + (48 &+ c &* 32)
                let xl = xb + c &* 64, xh = xl + 32
                let v0 = loadBytes8(qs, 0), v1 = loadBytes8(qs, 8), v2 = loadBytes8(qs, 16), v3 = loadBytes8(qs, 24)
                let a0 = loadFloats8(xl, 0), a1 = loadFloats8(xl, 8), a2 = loadFloats8(xl, 16), a3 = loadFloats8(xl, 24)
                let b0 = loadFloats8(xh, 0), b1 = loadFloats8(xh, 8), b2 = loadFloats8(xh, 16), b3 = loadFloats8(xh, 24)
                // Bit 2c of qh belongs to sub-block 2c, bit 2c+1 to sub-block 2c+1; shift both down as c advances.
                var tl = floats((v0 & 0x0F) | ((h0 & one) &<< 4)) * a0
                tl = tl.addingProduct(floats((v1 & 0x0F) | ((h1 & one) &<< 4)), a1)
                tl = tl.addingProduct(floats((v2 & 0x0F) | ((h2 & one) &<< 4)), a2)
                tl = tl.addingProduct(floats((v3 & 0x0F) | ((h3 & one) &<< 4)), a3)
                var th = floats((v0 &>> 4) | ((h0 &>> 1 & one) &<< 4)) * b0
                th = th.addingProduct(floats((v1 &>> 4) | ((h1 &>> 1 & one) &<< 4)), b1)
                th = th.addingProduct(floats((v2 &>> 4) | ((h2 &>> 1 & one) &<< 4)), b2)
                th = th.addingProduct(floats((v3 &>> 4) | ((h3 &>> 1 & one) &<< 4)), b3)
                h0 = h0 &>> 2; h1 = h1 &>> 2; h2 = h2 &>> 2; h3 = h3 &>> 2
                accD = accD.addingProduct(tl, scales[2 &* c])
                accD = accD.addingProduct(th, scales[2 &* c &+ 1])
                accM = accM.addingProduct((a0 + a1) + (a2 + a3), mins[2 &* c])
                accM = accM.addingProduct((b0 + b1) + (b2 + b3), mins[2 &* c &+ 1])
            }
        }
        return (accD - accM).sum()
    }
}
