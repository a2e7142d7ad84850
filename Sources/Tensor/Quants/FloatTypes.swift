// F32, F16 and BF16 rows: one element per "block".
// BF16 is the high half of an IEEE f32 (gguf/quants.py, class BF16).

enum RowF32 {
    static let bytes = 4

    static func dequant(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = src.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i &+ 32 <= count {
            a0 = a0.addingProduct(src.loadUnaligned(fromByteOffset: 4 &* i, as: SIMD8<Float>.self), loadFloats8(x, i))
            a1 = a1.addingProduct(src.loadUnaligned(fromByteOffset: 4 &* (i &+ 8), as: SIMD8<Float>.self), loadFloats8(x, i &+ 8))
            a2 = a2.addingProduct(src.loadUnaligned(fromByteOffset: 4 &* (i &+ 16), as: SIMD8<Float>.self), loadFloats8(x, i &+ 16))
            a3 = a3.addingProduct(src.loadUnaligned(fromByteOffset: 4 &* (i &+ 24), as: SIMD8<Float>.self), loadFloats8(x, i &+ 24))
            i &+= 32
        }
        while i &+ 8 <= count {
            a0 = a0.addingProduct(src.loadUnaligned(fromByteOffset: 4 &* i, as: SIMD8<Float>.self), loadFloats8(x, i))
            i &+= 8
        }
        var sum = ((a0 + a1) + (a2 + a3)).sum()
        while i < count {
            sum += src.loadUnaligned(fromByteOffset: 4 &* i, as: Float.self) * x[i]
            i &+= 1
        }
        return sum
    }
}

enum RowF16 {
    static let bytes = 2

    static func dequant(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = loadF16(src, 2 * i) }
    }

    static func dequantFast(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            storeFloats8(floatsF16(src.loadUnaligned(fromByteOffset: 2 &* i, as: SIMD8<UInt16>.self)), y, i)
            i &+= 8
        }
        while i < count { y[i] = loadF16(src, 2 &* i); i &+= 1 }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i &+ 32 <= count {
            let p = src + 2 &* i
            a0 = a0.addingProduct(floatsF16(p.loadUnaligned(as: SIMD8<UInt16>.self)), loadFloats8(x, i))
            a1 = a1.addingProduct(floatsF16(p.loadUnaligned(fromByteOffset: 16, as: SIMD8<UInt16>.self)), loadFloats8(x, i &+ 8))
            a2 = a2.addingProduct(floatsF16(p.loadUnaligned(fromByteOffset: 32, as: SIMD8<UInt16>.self)), loadFloats8(x, i &+ 16))
            a3 = a3.addingProduct(floatsF16(p.loadUnaligned(fromByteOffset: 48, as: SIMD8<UInt16>.self)), loadFloats8(x, i &+ 24))
            i &+= 32
        }
        while i &+ 8 <= count {
            a0 = a0.addingProduct(floatsF16(src.loadUnaligned(fromByteOffset: 2 &* i, as: SIMD8<UInt16>.self)), loadFloats8(x, i))
            i &+= 8
        }
        var sum = ((a0 + a1) + (a2 + a3)).sum()
        while i < count {
            sum += loadF16(src, 2 &* i) * x[i]
            i &+= 1
        }
        return sum
    }
}

enum RowBF16 {
    static let bytes = 2

    static func dequant(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = loadBF16(src, 2 * i) }
    }

    static func dequantFast(_ src: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            storeFloats8(floatsBF16(src.loadUnaligned(fromByteOffset: 2 &* i, as: SIMD8<UInt16>.self)), y, i)
            i &+= 8
        }
        while i < count { y[i] = loadBF16(src, 2 &* i); i &+= 1 }
    }

    static func dot(_ src: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i &+ 32 <= count {
            let p = src + 2 &* i
            a0 = a0.addingProduct(floatsBF16(p.loadUnaligned(as: SIMD8<UInt16>.self)), loadFloats8(x, i))
            a1 = a1.addingProduct(floatsBF16(p.loadUnaligned(fromByteOffset: 16, as: SIMD8<UInt16>.self)), loadFloats8(x, i &+ 8))
            a2 = a2.addingProduct(floatsBF16(p.loadUnaligned(fromByteOffset: 32, as: SIMD8<UInt16>.self)), loadFloats8(x, i &+ 16))
            a3 = a3.addingProduct(floatsBF16(p.loadUnaligned(fromByteOffset: 48, as: SIMD8<UInt16>.self)), loadFloats8(x, i &+ 24))
            i &+= 32
        }
        while i &+ 8 <= count {
            a0 = a0.addingProduct(floatsBF16(src.loadUnaligned(fromByteOffset: 2 &* i, as: SIMD8<UInt16>.self)), loadFloats8(x, i))
            i &+= 8
        }
        var sum = ((a0 + a1) + (a2 + a3)).sum()
        while i < count {
            sum += loadBF16(src, 2 &* i) * x[i]
            i &+= 1
        }
        return sum
    }
}
