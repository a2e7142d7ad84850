// Q3_K: 256 elements per super-block, 16 sub-blocks of 16 with 6-bit signed scales.
// Layout (ggml/src/ggml-common.h block_q3_K; gguf/quants.py Q3_K):
//   hmask[32], qs[64], scales[12], d: f16
//   scale i (i < 16) = ((i < 8 ? scales[i] & 15 : scales[i-8] >> 4) | ((scales[8 + i%4] >> 2(i/4)) & 3) << 4) - 32
//   element e = h*128 + s*32 + l: low = (qs[h*32 + l] >> 2s) & 3, high = (hmask[l] >> (e/32)) & 1
//   x[e] = (d * scale(e/16)) * (low - (high == 1 ? 0 : 4))

enum BlockQ3_K {
    static let bytes = 110

    @inline(__always)
    static func scale(_ b: UnsafeRawPointer, _ i: Int) -> Int {
        let sc = b + 96
        let low = i < 8 ? sc.load(fromByteOffset: i, as: UInt8.self) & 0x0F
                        : sc.load(fromByteOffset: i &- 8, as: UInt8.self) >> 4
        let high = (sc.load(fromByteOffset: 8 &+ (i & 3), as: UInt8.self) >> UInt8(truncatingIfNeeded: 2 &* (i >> 2))) & 3
        return Int(low | high << 4) &- 32
    }

    static func dequant(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = loadF16(b, 108)
        for e in 0..<256 {
            let h = e / 128, s = (e % 128) / 32, l = e % 32
            let low = Int((b.load(fromByteOffset: 32 + h * 32 + l, as: UInt8.self) >> UInt8(2 * s)) & 3)
            let high = (b.load(fromByteOffset: l, as: UInt8.self) >> UInt8(e / 32)) & 1
            let dl = d * Float(scale(b, e / 16))
            y[e] = dl * Float(low - (high == 1 ? 0 : 4))
        }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int) -> Float {
        let three = SIMD8<UInt8>(repeating: 3), one = SIMD8<UInt8>(repeating: 1)
        let four = SIMD8<UInt8>(repeating: 4)
        var acc = SIMD8<Float>()
        for b in 0..<blocks {
            let p = src + (b &* bytes)
            let xb = x + (b &* 256)
            let d = loadF16(p, 108)
            for h in 0..<2 {
                let qs = p + (32 &+ h &* 32)
                let xh = xb + (h &* 128)
                for half in 0..<2 {
                    let v0 = loadBytes8(qs, 16 &* half), v1 = loadBytes8(qs, 16 &* half &+ 8)
                    let m0 = loadBytes8(p, 16 &* half), m1 = loadBytes8(p, 16 &* half &+ 8)
                    for s in 0..<4 {
                        let shift = UInt8(truncatingIfNeeded: 2 &* s)
                        let hshift = UInt8(truncatingIfNeeded: 4 &* h &+ s)
                        // q - 4 + 4*high, in byte arithmetic, read as signed.
                        let q0 = ((v0 &>> shift) & three) | (((m0 &>> hshift) & one) &<< 2)
                        let q1 = ((v1 &>> shift) & three) | (((m1 &>> hshift) & one) &<< 2)
                        let xo = s &* 32 &+ 16 &* half
                        let t = (floatsSigned(q0 &- four) * loadFloats8(xh, xo))
                            .addingProduct(floatsSigned(q1 &- four), loadFloats8(xh, xo &+ 8))
                        acc = acc.addingProduct(t, d * Float(scale(p, h &* 8 &+ s &* 2 &+ half)))
                    }
                }
            }
        }
        return acc.sum()
    }
}
