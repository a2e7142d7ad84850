import Foundation
import GGUF
@testable import Tensor

/// The types Tensor dequantizes, in the order of `scripts/reference/make_quant_fixtures.py`.
let supportedTypes: [GGMLType] = [
    .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K,
]

/// Byte offsets of the f16 scale fields in one block (ggml/src/ggml-common.h block structs).
func f16ScaleOffsets(_ type: GGMLType) -> [Int] {
    switch type {
    case .q4_0, .q5_0, .q8_0: [0]
    case .q4_1, .q5_1, .q4_K, .q5_K: [0, 2]
    case .q2_K: [80, 82]
    case .q3_K: [108]
    case .q6_K: [208]
    default: []
    }
}

/// SplitMix64: a seeded generator so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random raw data for `count` elements of `type`: random bytes, with f16/bf16/f32 values and
/// f16 scales replaced by finite values of moderate magnitude.
func randomRow(_ type: GGMLType, count: Int, using rng: inout SeededGenerator) -> [UInt8] {
    let blocks = count / type.blockSize
    var bytes = (0..<(blocks * type.blockBytes)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    func put<T>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value) { v in for i in 0..<v.count { bytes[offset + i] = v[i] } }
    }
    switch type {
    case .f32:
        for i in 0..<count { put(Float.random(in: -2...2, using: &rng).bitPattern.littleEndian, at: 4 * i) }
    case .f16:
        for i in 0..<count { put(Float16(Float.random(in: -2...2, using: &rng)).bitPattern.littleEndian, at: 2 * i) }
    case .bf16:
        for i in 0..<count {
            put(UInt16(Float.random(in: -2...2, using: &rng).bitPattern >> 16).littleEndian, at: 2 * i)
        }
    default:
        for b in 0..<blocks {
            for offset in f16ScaleOffsets(type) {
                let scale = Float.random(in: 0.001...0.1, using: &rng) * (Bool.random(using: &rng) ? 1 : -1)
                put(Float16(scale).bitPattern.littleEndian, at: b * type.blockBytes + offset)
            }
        }
    }
    return bytes
}

func randomFloats(_ count: Int, using rng: inout SeededGenerator) -> [Float] {
    (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
}

/// Dequantize with `Dequant.reference` into a new array.
func dequantReference(_ type: GGMLType, _ raw: [UInt8], count: Int) -> [Float] {
    var out = [Float](repeating: .nan, count: count)
    raw.withUnsafeBytes { src in
        out.withUnsafeMutableBufferPointer { dst in
            if let s = src.baseAddress, let d = dst.baseAddress { Dequant.reference(type, s, d, count: count) }
        }
    }
    return out
}

enum FixtureError: Error, CustomStringConvertible {
    case unreadable(String)
    case badSize(String)
    var description: String {
        switch self {
        case .unreadable(let s), .badSize(let s): s
        }
    }
}

/// Tests/Fixtures/quant, located from this source file.
let quantFixtureDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures/quant")

/// The raw blocks and expected floats written by scripts/reference/make_quant_fixtures.py.
func loadFixture(_ type: GGMLType) throws -> (blocks: [UInt8], expected: [Float]) {
    let blocksURL = quantFixtureDirectory.appendingPathComponent("\(type).blocks.bin")
    let floatsURL = quantFixtureDirectory.appendingPathComponent("\(type).f32.bin")
    guard let blocks = FileManager.default.contents(atPath: blocksURL.path),
          let floatBytes = FileManager.default.contents(atPath: floatsURL.path)
    else { throw FixtureError.unreadable("missing \(blocksURL.path) or \(floatsURL.path); run scripts/reference/make_quant_fixtures.py") }
    guard floatBytes.count % 4 == 0 else { throw FixtureError.badSize("\(floatsURL.lastPathComponent): \(floatBytes.count) bytes") }
    let expected = stride(from: 0, to: floatBytes.count, by: 4).map { (i: Int) -> Float in
        var bits: UInt32 = 0
        for k in 0..<4 { bits |= UInt32(floatBytes[i + k]) << UInt32(8 * k) }
        return Float(bitPattern: bits)
    }
    guard type.byteCount(elements: expected.count) == blocks.count else {
        throw FixtureError.badSize("\(type): \(blocks.count) block bytes for \(expected.count) elements")
    }
    return ([UInt8](blocks), expected)
}
