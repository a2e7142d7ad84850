import CriaKernels
import Foundation
import GGUF
import Testing
@testable import Tensor

/// The K-quant weight types with integer kernels against Q8_K activations.
private let kTypes: [GGMLType] = [.q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

/// Tests/Fixtures/qdot/<TYPE>_<K>.* (read with QuantizedMatVecTests' `readFixture`), written by
/// `make_qdot_fixtures.py --types Q2_K,Q3_K,Q4_K,Q5_K,Q6_K`.
private let kFixtureRows = 8, kFixtureCols = 4
private let kFixtureLengths = [256, 768, 2048]

private let q8KBytes = GGMLType.q8_K.blockBytes

// MARK: - Kernel access

private typealias DotFunction = @convention(c) (Int32, UnsafeRawPointer?, UnsafeRawPointer?) -> Float
private typealias MatmulFunction = @convention(c) (
    UnsafeRawPointer?, Int, UnsafeRawPointer?, Int, UnsafeMutablePointer<Float>?, Int, Int64, Int64, Int64, Int32
) -> Void

/// The dispatching vec_dot (AVX2 here), its scalar twin, and the scalar matmul twin of `type`.
private func kernels(_ type: GGMLType) -> (dot: DotFunction, scalar: DotFunction, matmulScalar: MatmulFunction) {
    switch type {
    case .q2_K: (cria_vec_dot_q2_K_q8_K, cria_vec_dot_q2_K_q8_K_scalar, cria_matmul_q2_K_q8_K_scalar)
    case .q3_K: (cria_vec_dot_q3_K_q8_K, cria_vec_dot_q3_K_q8_K_scalar, cria_matmul_q3_K_q8_K_scalar)
    case .q4_K: (cria_vec_dot_q4_K_q8_K, cria_vec_dot_q4_K_q8_K_scalar, cria_matmul_q4_K_q8_K_scalar)
    case .q5_K: (cria_vec_dot_q5_K_q8_K, cria_vec_dot_q5_K_q8_K_scalar, cria_matmul_q5_K_q8_K_scalar)
    default: (cria_vec_dot_q6_K_q8_K, cria_vec_dot_q6_K_q8_K_scalar, cria_matmul_q6_K_q8_K_scalar)
    }
}

private func quantizeQ8K(_ x: [Float], scalar: Bool) -> [UInt8] {
    var out = [UInt8](repeating: 0xAA, count: QuantizedMatVec.quantizedBytes(count: x.count, as: .q8_K))
    x.withUnsafeBufferPointer { xb in
        out.withUnsafeMutableBytes { ob in
            if scalar {
                cria_quantize_row_q8_K_scalar(xb.baseAddress!, ob.baseAddress!, Int64(x.count))
            } else {
                QuantizedMatVec.quantize(xb.baseAddress!, count: x.count, as: .q8_K, into: ob.baseAddress!)
            }
        }
    }
    return out
}

private func kDot(_ type: GGMLType, _ w: [UInt8], _ xq: [UInt8], count: Int, scalar: Bool) -> Float {
    let k = kernels(type)
    return w.withUnsafeBytes { wb in
        xq.withUnsafeBytes { xb in (scalar ? k.scalar : k.dot)(Int32(count), wb.baseAddress, xb.baseAddress) }
    }
}

/// `out[c * outStride + r]` for `r` in `rows` through `QuantizedMatVec.matmul` (AVX2 tiles) or
/// the scalar matmul twin; entries outside `rows` stay -1.
private func kMatmul(
    _ type: GGMLType, _ w: [UInt8], totalRows: Int, rows: Range<Int>, _ xq: [UInt8], columns: Int, count: Int,
    outStride: Int, scalar: Bool
) -> [Float] {
    var out = [Float](repeating: -1, count: columns * outStride)
    let rowBytes = w.count / totalRows, xqStride = xq.count / columns
    w.withUnsafeBytes { wb in
        xq.withUnsafeBytes { xb in
            out.withUnsafeMutableBufferPointer { ob in
                if scalar {
                    kernels(type).matmulScalar(wb.baseAddress, rowBytes, xb.baseAddress, xqStride, ob.baseAddress, outStride,
                                               Int64(rows.lowerBound), Int64(rows.upperBound), Int64(columns), Int32(count))
                } else {
                    QuantizedMatVec.matmul(type, weights: wb.baseAddress!, rowBytes: rowBytes, xq: xb.baseAddress!,
                                           xqStride: xqStride, out: ob.baseAddress!, outStride: outStride, rows: rows,
                                           columns: columns, cols: count)
                }
            }
        }
    }
    return out
}

// MARK: - Data

/// Activations in 256-element blocks that exercise quantize_row_q8_K_ref's edges: the first
/// largest |x| wins over a later one of the same size, -127 as that maximum (iscale exactly 1,
/// so n + 0.5 are rounding ties), all-zero, huge, tiny, subnormal (127 / amax overflows to
/// infinity), one nonzero, NaNs (never the maximum) and infinities.
private func kEdgeActivations(_ count: Int, using rng: inout SeededGenerator) -> [Float] {
    var x = (0..<count).map { _ in Float.random(in: -3...3, using: &rng) }
    for b in 0..<(count / 256) {
        let base = 256 * b, range = base..<(base + 256)
        switch b % 9 {
        case 0:
            for i in range { x[i] = Float(Int.random(in: -126...125, using: &rng)) + 0.5 }
            x[base + Int.random(in: 0..<128, using: &rng)] = -127
            x[base + Int.random(in: 128..<256, using: &rng)] = 127
        case 1: for i in range { x[i] = 0 }
        case 2: for i in range { x[i] *= 1e30 }
        case 3: for i in range { x[i] *= 1e-30 }
        case 4: for i in range { x[i] *= Float.leastNormalMagnitude / 64 }
        case 5:
            for i in range { x[i] = 0 }
            x[base + Int.random(in: 0..<256, using: &rng)] = -Float.random(in: 0.1...10, using: &rng)
        case 6:
            let m = Float.random(in: 1...2, using: &rng)
            x[base + 17] = m
            x[base + 3] = -m
        case 7:
            x[base + Int.random(in: 0..<256, using: &rng)] = .nan
            x[base + Int.random(in: 0..<256, using: &rng)] = -.nan
        default:
            x[base + Int.random(in: 0..<256, using: &rng)] = Bool.random(using: &rng) ? .infinity : -.infinity
        }
    }
    return x
}

/// Q8_K blocks of random bytes with a finite d: int8 values include -128 and the bsums are
/// arbitrary, so the kernels' 16-bit wrapping and saturation are exercised too.
private func randomQ8K(blocks: Int, using rng: inout SeededGenerator) -> [UInt8] {
    var bytes = (0..<(blocks * q8KBytes)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    for b in 0..<blocks {
        let d = Float.random(in: -1...1, using: &rng) * Float(pow(10, Double(Int.random(in: -6...2, using: &rng))))
        withUnsafeBytes(of: d.bitPattern.littleEndian) { for i in 0..<4 { bytes[b * q8KBytes + i] = $0[i] } }
    }
    return bytes
}

@Suite("K-quant kernels against Q8_K (llama.cpp-exact)")
struct KQuantKernelTests {
    @Test("K-quants quantize activations to Q8_K (ggml-cpu.c type_traits_cpu)")
    func activationTypes() {
        for type in kTypes { #expect(QuantizedMatVec.activationType(for: type) == .q8_K, "\(type)") }
        #expect(QuantizedMatVec.quantizedBytes(count: 768, as: .q8_K) == 3 * 292)
        // Q8_K's 292 bytes per 256 values outgrow Q8_1's 36 per 32: shared buffers use the larger.
        #expect(QuantizedMatVec.maxQuantizedBytes(count: 2048) == 8 * 292)
        #expect(QuantizedMatVec.maxQuantizedBytes(count: 576) == 576 / 32 * 36)
    }

    // MARK: - Golden fixtures from llama.cpp

    @Test("Q8_K activations, dots, matvec and matmul are bit-identical to llama.cpp", arguments: kTypes)
    func matchesLlamaCpp(_ type: GGMLType) throws {
        for k in kFixtureLengths {
            let stem = "\(type)_\(k)"
            let w = try readFixture("\(stem).w.bin")
            let x = floats(try readFixture("\(stem).x.bin"))
            let xqRef = try readFixture("\(stem).xq.bin")
            let one = floats(try readFixture("\(stem).one.bin"))
            let all = floats(try readFixture("\(stem).all.bin"))
            let xqBytes = QuantizedMatVec.quantizedBytes(count: k, as: .q8_K)
            try #require(w.count == kFixtureRows * k / 256 * type.blockBytes && x.count == kFixtureCols * k)
            try #require(xqRef.count == kFixtureCols * xqBytes && one.count == kFixtureCols * kFixtureRows)
            let rowBytes = w.count / kFixtureRows
            for c in 0..<kFixtureCols {
                let column = Array(x[(c * k)..<((c + 1) * k)])
                let expectedXq = Array(xqRef[(c * xqBytes)..<((c + 1) * xqBytes)])
                for scalar in [false, true] {
                    let xq = quantizeQ8K(column, scalar: scalar)
                    #expect(xq == expectedXq, "\(stem) column \(c) quantization (scalar: \(scalar))")
                    for r in 0..<kFixtureRows {
                        let row = Array(w[(r * rowBytes)..<((r + 1) * rowBytes)])
                        let got = kDot(type, row, xq, count: k, scalar: scalar)
                        #expect(got.bitPattern == one[c * kFixtureRows + r].bitPattern,
                                "\(stem) column \(c) row \(r) (scalar: \(scalar)): \(got) vs \(one[c * kFixtureRows + r])")
                    }
                }
                var out = [Float](repeating: .nan, count: kFixtureRows)
                w.withUnsafeBytes { wb in
                    expectedXq.withUnsafeBytes { xb in
                        out.withUnsafeMutableBufferPointer { ob in
                            QuantizedMatVec.matvec(type, weights: wb.baseAddress!, rowBytes: rowBytes, xq: xb.baseAddress!,
                                                   out: ob.baseAddress!, rows: 0..<kFixtureRows, cols: k)
                        }
                    }
                }
                for r in 0..<kFixtureRows {
                    #expect(out[r].bitPattern == one[c * kFixtureRows + r].bitPattern, "\(stem) matvec column \(c) row \(r)")
                }
            }
            // All columns at once (prefill): llama.cpp has no batched K-quant path here, so it
            // equals one vec_dot per element, and so must the tiles.
            let batched = kMatmul(type, w, totalRows: kFixtureRows, rows: 0..<kFixtureRows, xqRef, columns: kFixtureCols,
                                  count: k, outStride: kFixtureRows, scalar: false)
            for i in 0..<(kFixtureCols * kFixtureRows) {
                #expect(batched[i].bitPattern == all[i].bitPattern, "\(stem) batched output \(i)")
                #expect(all[i].bitPattern == one[i].bitPattern, "\(stem) llama.cpp's prefill and decode differ at \(i)")
            }
        }
    }

    // MARK: - AVX2 vs scalar twin

    @Test("Q8_K quantization: AVX2 path and scalar twin give identical blocks")
    func quantizeTwin() {
        var rng = SeededGenerator(seed: 0x8C)
        for blocks in [1, 2, 3, 9, 10, 18] {
            for trial in 0..<6 {
                let count = 256 * blocks
                let x = trial % 2 == 0
                    ? kEdgeActivations(count, using: &rng)
                    : (0..<count).map { _ in Float.random(in: -1...1, using: &rng) * Float(trial * trial + 1) }
                let fast = quantizeQ8K(x, scalar: false), twin = quantizeQ8K(x, scalar: true)
                #expect(fast == twin, "\(blocks) blocks, trial \(trial)")
            }
        }
    }

    @Test("Q8_K quantization follows quantize_row_q8_K_ref on hand-checked blocks")
    func quantizeSemantics() {
        // The first largest magnitude is the `max` that maps to -127: -2 at index 3 beats the
        // later +2, so iscale = -127 / -2 = 63.5 and d = 1 / 63.5 is positive.
        var x = [Float](repeating: 0.5, count: 256)
        x[3] = -2
        x[17] = 2
        let q = quantizeQ8K(x, scalar: false)
        let d = Float(bitPattern: UInt32(q[0]) | UInt32(q[1]) << 8 | UInt32(q[2]) << 16 | UInt32(q[3]) << 24)
        #expect(d == 1 / Float(63.5))
        #expect(Int8(bitPattern: q[4 + 3]) == -127 && Int8(bitPattern: q[4 + 17]) == 127)
        #expect(Int8(bitPattern: q[4 + 0]) == 32)  // 0.5 * 63.5 = 31.75 rounds to 32
        // bsums[0] sums quants 0..<16: fifteen 32s and the -127.
        let bsum0 = Int16(bitPattern: UInt16(q[260]) | UInt16(q[261]) << 8)
        #expect(bsum0 == 15 * 32 - 127)
        #expect(quantizeQ8K(x, scalar: true) == q)
        // All zeros: d = 0, quants and bsums 0.
        #expect(quantizeQ8K([Float](repeating: 0, count: 256), scalar: false) == [UInt8](repeating: 0, count: 292))
    }

    @Test("dot products: AVX2 path and scalar twin give identical bits", arguments: kTypes)
    func dotTwin(_ type: GGMLType) {
        var rng = SeededGenerator(seed: 0x4B0 &+ UInt64(type.rawValue))
        for blocks in [1, 2, 3, 5, 8, 11] {
            for trial in 0..<12 {
                let count = 256 * blocks
                let w = randomRow(type, count: count, using: &rng)
                let xq = trial % 2 == 0
                    ? quantizeQ8K(kEdgeActivations(count, using: &rng), scalar: false)
                    : randomQ8K(blocks: blocks, using: &rng)
                let fast = kDot(type, w, xq, count: count, scalar: false)
                let twin = kDot(type, w, xq, count: count, scalar: true)
                #expect(fast.bitPattern == twin.bitPattern || (fast.isNaN && twin.isNaN),
                        "\(type) \(count) trial \(trial): \(fast) vs \(twin)")
            }
        }
    }

    @Test("matmul tiles and matvec equal one scalar dot per element, odd sizes included", arguments: kTypes)
    func matmulTiles(_ type: GGMLType) {
        var rng = SeededGenerator(seed: 0x4E0 &+ UInt64(type.rawValue))
        for (count, rows, columns) in [(256, 1, 1), (512, 3, 5), (768, 7, 9), (256, 13, 4), (1280, 2, 13), (2048, 5, 17), (256, 4, 8), (512, 9, 16)] {
            let w = randomRow(type, count: count * rows, using: &rng)
            var xq: [UInt8] = []
            for c in 0..<columns {
                xq += c % 3 == 2 ? randomQ8K(blocks: count / 256, using: &rng) : quantizeQ8K(kEdgeActivations(count, using: &rng), scalar: false)
            }
            let rowBytes = w.count / rows, xqStride = xq.count / columns
            let outStride = rows + 2
            let rowRange = (rows > 2 ? 1 : 0)..<rows
            for scalar in [false, true] {
                let out = kMatmul(type, w, totalRows: rows, rows: rowRange, xq, columns: columns, count: count,
                                  outStride: outStride, scalar: scalar)
                for c in 0..<columns {
                    let column = Array(xq[(c * xqStride)..<((c + 1) * xqStride)])
                    for r in 0..<outStride {
                        let got = out[c * outStride + r]
                        guard rowRange.contains(r) else {
                            #expect(got == -1, "\(type): row \(r) outside the range was written")
                            continue
                        }
                        let expected = kDot(type, Array(w[(r * rowBytes)..<((r + 1) * rowBytes)]), column, count: count, scalar: true)
                        #expect(got.bitPattern == expected.bitPattern || (got.isNaN && expected.isNaN),
                                "\(type) \(count)×\(rows)×\(columns) scalar: \(scalar) row \(r) column \(c): \(got) vs \(expected)")
                    }
                }
            }
            // matvec of the last column over the same range.
            var out = [Float](repeating: -1, count: rows)
            let last = Array(xq[((columns - 1) * xqStride)...])
            w.withUnsafeBytes { wb in
                last.withUnsafeBytes { xb in
                    out.withUnsafeMutableBufferPointer { ob in
                        QuantizedMatVec.matvec(type, weights: wb.baseAddress!, rowBytes: rowBytes, xq: xb.baseAddress!,
                                               out: ob.baseAddress!, rows: rowRange, cols: count)
                    }
                }
            }
            for r in 0..<rows {
                let expected = rowRange.contains(r)
                    ? kDot(type, Array(w[(r * rowBytes)..<((r + 1) * rowBytes)]), last, count: count, scalar: true) : -1
                #expect(out[r].bitPattern == expected.bitPattern || (out[r].isNaN && expected.isNaN), "\(type) matvec row \(r)")
            }
        }
    }

    // MARK: - Against float math

    @Test("quantized dot is close to the exact dot of the dequantized operands", arguments: kTypes)
    func closeToFloat(_ type: GGMLType) {
        var rng = SeededGenerator(seed: 0x4D0 &+ UInt64(type.rawValue))
        for count in [256, 1536, 4096] {
            for _ in 0..<8 {
                let w = randomRow(type, count: count, using: &rng)
                let xq = quantizeQ8K((0..<count).map { _ in Float.random(in: -1...1, using: &rng) }, scalar: false)
                let wf = dequantReference(type, w, count: count)
                var exact = 0.0, magnitude = 0.0
                for i in 0..<count {
                    let b = i / 256
                    let d = Double(Float(bitPattern: UInt32(xq[b * 292]) | UInt32(xq[b * 292 + 1]) << 8
                        | UInt32(xq[b * 292 + 2]) << 16 | UInt32(xq[b * 292 + 3]) << 24))
                    let q = Double(Int8(bitPattern: xq[b * 292 + 4 + i % 256]))
                    exact += Double(wf[i]) * d * q
                    magnitude += abs(Double(wf[i]) * d * q)
                }
                let got = Double(kDot(type, w, xq, count: count, scalar: false))
                // Integer sums are exact; what remains is f32 rounding of the scales, the lane
                // sums and the accumulation (and of the dequantized reference itself).
                #expect(abs(got - exact) <= 1e-5 * magnitude + 1e-9, "\(type) \(count): \(got) vs \(exact)")
            }
        }
    }
}
