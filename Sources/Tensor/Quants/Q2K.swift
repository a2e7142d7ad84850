// Q2_K: 256 elements per super-block, 16 sub-blocks of 16 with 4-bit scale and 4-bit min.
// Layout (ggml/src/ggml-common.h block_q2_K; gguf/quants.py Q2_K):
//   scales[16] (low nibble: scale, high nibble: min), qs[64], d: f16, dmin: f16
//   element e = h*128 + s*32 + l (h < 2, s < 4, l < 32): q = (qs[h*32 + l] >> 2s) & 3
//   x[e] = (d * (scales[e/16] & 15)) * q - dmin * (scales[e/16] >> 4)

enum BlockQ2_K {
    static let bytes = 84

    static func dequant(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = loadF16(b, 80), dmin = loadF16(b, 82)
        for e in 0..<256 {
            let h = e / 128, s = (e % 128) / 32, l = e % 32
            let q = (b.load(fromByteOffset: 16 + h * 32 + l, as: UInt8.self) >> UInt8(2 * s)) & 3
            let sc = b.load(fromByteOffset: e / 16, as: UInt8.self)
            let dl = d * Float(sc & 0x0F), ml = dmin * Float(sc >> 4)
            y[e] = dl * Float(q) - ml
        }
    }

    /// Per super-block: Σ_sub (d sc) Σ q x − (dmin m) Σ x.
    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int) -> Float {
        let three = SIMD8<UInt8>(repeating: 3)
        var accD = SIMD8<Float>(), accM = SIMD8<Float>()
        for b in 0..<blocks {
            let p = src + (b &* bytes)
            let xb = x + (b &* 256)
            let d = loadF16(p, 80), dmin = loadF16(p, 82)
            for h in 0..<2 {
                let qs = p + (16 &+ h &* 32)
                let xh = xb + (h &* 128)
                // Chunks 0,1 (l < 16) and 2,3 (l >= 16) fall in different sub-blocks.
                for half in 0..<2 {
                    let v0 = loadBytes8(qs, 16 &* half), v1 = loadBytes8(qs, 16 &* half &+ 8)
                    for s in 0..<4 {
                        let shift = UInt8(truncatingIfNeeded: 2 &* s)
                        let xo = s &* 32 &+ 16 &* half
                        let xa = loadFloats8(xh, xo), xc = loadFloats8(xh, xo &+ 8)
                        let t = (floats((v0 &>> shift) & three) * xa).addingProduct(floats((v1 &>> shift) & three), xc)
                        let sc = p.load(fromByteOffset: h &* 8 &+ s &* 2 &+ half, as: UInt8.self)
                        accD = accD.addingProduct(t, d * Float(sc & 0x0F))
                        accM = accM.addingProduct(xa + xc, dmin * Float(sc &>> 4))
                    }
                }
            }
        }
        return (accD - accM).sum()
    }
}
