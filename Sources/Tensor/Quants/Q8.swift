// Q8_0: 32 elements per block. Layout (ggml/src/ggml-common.h block_q8_0; gguf/quants.py Q8_0):
//   d: f16, qs[32]: int8          x[j] = d * qs[j]

enum BlockQ8_0 {
    static let bytes = 34

    static func dequant(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = loadF16(b, 0)
        for j in 0..<32 {
            y[j] = d * Float(b.load(fromByteOffset: 2 + j, as: Int8.self))
        }
    }

    static func dequantRow(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, blocks: Int) {
        for b in 0..<blocks {
            let p = src + b &* bytes
            let yb = y + b &* 32
            let d = SIMD8<Float>(repeating: loadF16(p, 0))
            storeFloats8(d * floatsSigned(loadBytes8(p, 2)), yb, 0)
            storeFloats8(d * floatsSigned(loadBytes8(p, 10)), yb, 8)
            storeFloats8(d * floatsSigned(loadBytes8(p, 18)), yb, 16)
            storeFloats8(d * floatsSigned(loadBytes8(p, 26)), yb, 24)
        }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, blocks: Int) -> Float {
        var acc = SIMD8<Float>()
        for b in 0..<blocks {
            let p = src + b &* bytes
            let xb = x + b &* 32
            var t = floatsSigned(loadBytes8(p, 2)) * loadFloats8(xb, 0)
            t = t.addingProduct(floatsSigned(loadBytes8(p, 10)), loadFloats8(xb, 8))
            t = t.addingProduct(floatsSigned(loadBytes8(p, 18)), loadFloats8(xb, 16))
            t = t.addingProduct(floatsSigned(loadBytes8(p, 26)), loadFloats8(xb, 24))
            acc = acc.addingProduct(t, loadF16(p, 0))
        }
        return acc.sum()
    }
}
