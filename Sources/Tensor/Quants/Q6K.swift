// Q6_K: 256 elements per super-block, 16 sub-blocks of 16 with int8 scales.
// Layout (ggml/src/ggml-common.h block_q6_K; gguf/quants.py Q6_K):
//   ql[128], qh[64], scales[16]: int8, d: f16
//   element e = h*128 + r (h < 2, r < 128):
//     low  = (ql[h*64 + r%64] >> 4(r/64)) & 15
//     high = (qh[h*32 + r%32] >> 2(r/32)) & 3
//   x[e] = (d * scales[e/16]) * ((low | high << 4) - 32)

enum BlockQ6_K {
    static let bytes = 210

    static func dequant(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = loadF16(b, 208)
        for e in 0..<256 {
            let h = e / 128, r = e % 128
            let low = (b.load(fromByteOffset: h * 64 + r % 64, as: UInt8.self) >> UInt8(4 * (r / 64))) & 0x0F
            let high = (b.load(fromByteOffset: 128 + h * 32 + r % 32, as: UInt8.self) >> UInt8(2 * (r / 32))) & 3
            let dl = d * Float(b.load(fromByteOffset: 192 + e / 16, as: Int8.self))
            y[e] = dl * Float(Int(low | high << 4) - 32)
        }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int) -> Float {
        let three = SIMD8<UInt8>(repeating: 3), bias = SIMD8<UInt8>(repeating: 32)
        var acc = SIMD8<Float>()
        for b in 0..<blocks {
            let p = src + (b &* bytes)
            let xb = x + (b &* 256)
            let d = loadF16(p, 208)
            for h in 0..<2 {
                let ql = p + h &* 64, qh = p + (128 &+ h &* 32)
                let xh = xb + (h &* 128)
                // Half 0 covers l < 16 and half 1 l >= 16 of each 32-run: different sub-blocks.
                for half in 0..<2 {
                    var t0 = SIMD8<Float>(), t1 = SIMD8<Float>(), t2 = SIMD8<Float>(), t3 = SIMD8<Float>()
                    for k in 0..<2 {
                        let l = 16 &* half &+ 8 &* k
                        let a = loadBytes8(ql, l), c = loadBytes8(ql, l &+ 32), hv = loadBytes8(qh, l)
                        let q0 = (a & 0x0F) | ((hv & three) &<< 4)
                        let q1 = (c & 0x0F) | (((hv &>> 2) & three) &<< 4)
                        let q2 = (a &>> 4) | (((hv &>> 4) & three) &<< 4)
                        let q3 = (c &>> 4) | ((hv &>> 6) &<< 4)
                        t0 = t0.addingProduct(floatsSigned(q0 &- bias), loadFloats8(xh, l))
                        t1 = t1.addingProduct(floatsSigned(q1 &- bias), loadFloats8(xh, l &+ 32))
                        t2 = t2.addingProduct(floatsSigned(q2 &- bias), loadFloats8(xh, l &+ 64))
                        t3 = t3.addingProduct(floatsSigned(q3 &- bias), loadFloats8(xh, l &+ 96))
                    }
                    let sc = p + (192 &+ h &* 8 &+ half)
                    acc = acc.addingProduct(t0, d * Float(sc.load(fromByteOffset: 0, as: Int8.self)))
                    acc = acc.addingProduct(t1, d * Float(sc.load(fromByteOffset: 2, as: Int8.self)))
                    acc = acc.addingProduct(t2, d * Float(sc.load(fromByteOffset: 4, as: Int8.self)))
                    acc = acc.addingProduct(t3, d * Float(sc.load(fromByteOffset: 6, as: Int8.self)))
                }
            }
        }
        return acc.sum()
    }
}
