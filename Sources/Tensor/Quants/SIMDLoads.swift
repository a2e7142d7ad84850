// Small unaligned loads and 8-lane conversions shared by the quant kernels.
// Only 8-lane conversions are used: SIMD16/32 conversion initializers fall off a cliff
// (../shared/KERNELS.md).

/// f16 at `offset` bytes into `p`, widened (F16C `vcvtph2ps` with the target flags).
/// LLVM inserts the scalar into a live register before `vcvtph2ps`, converting garbage upper
/// lanes (../shared/KERNELS.md); an exact integer rebias was still measured ~20% slower for Q4_1.
@inline(__always)
func loadF16(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
    Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
}

/// bf16 at `offset` bytes into `p`: the high half of an f32.
@inline(__always)
func loadBF16(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
    Float(bitPattern: UInt32(p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) << 16)
}

@inline(__always)
func loadBytes8(_ p: UnsafeRawPointer, _ offset: Int) -> SIMD8<UInt8> {
    p.loadUnaligned(fromByteOffset: offset, as: SIMD8<UInt8>.self)
}

@inline(__always)
func loadFloats8(_ x: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func storeFloats8(_ v: SIMD8<Float>, _ y: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Unsigned bytes as floats.
@inline(__always)
func floats(_ v: SIMD8<UInt8>) -> SIMD8<Float> {
    SIMD8<Float>(v)
}

/// Bytes reinterpreted as two's-complement, as floats (for `q &- offset` in byte arithmetic).
@inline(__always)
func floatsSigned(_ v: SIMD8<UInt8>) -> SIMD8<Float> {
    SIMD8<Float>(unsafeBitCast(v, to: SIMD8<Int8>.self))
}

/// Eight f16 bit patterns as floats.
@inline(__always)
func floatsF16(_ bits: SIMD8<UInt16>) -> SIMD8<Float> {
    SIMD8<Float>(unsafeBitCast(bits, to: SIMD8<Float16>.self))
}

/// Eight bf16 bit patterns as floats.
@inline(__always)
func floatsBF16(_ bits: SIMD8<UInt16>) -> SIMD8<Float> {
    unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: bits) &<< 16, to: SIMD8<Float>.self)
}

/// Bit `i` of `byte` (i = 0...7, lane i) moved to bit 4 of lane i: the fifth quant bit of
/// Q5_0/Q5_1, whose `qh` holds one bit per element.
@inline(__always)
func highBit4(_ byte: UInt8) -> SIMD8<UInt8> {
    let bit = SIMD8<UInt8>(1, 2, 4, 8, 16, 32, 64, 128)
    let set = (SIMD8<UInt8>(repeating: byte) & bit) .== bit
    return SIMD8<UInt8>(repeating: 0).replacing(with: 16, where: set)
}
