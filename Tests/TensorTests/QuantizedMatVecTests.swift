import CriaKernels
import Foundation
import GGUF
import Testing
@testable import Tensor

/// The weight types with integer kernels, and their activation block types.
private let weightTypes: [GGMLType] = [.q4_0, .q4_1, .q8_0]

/// Tests/Fixtures/qdot, written by scripts/reference/make_qdot_fixtures.py from llama.cpp itself.
private let qdotFixtureDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures/qdot")

/// Shape of every fixture: 8 weight rows, 4 activation columns (make_qdot_fixtures.py).
private let fixtureRows = 8, fixtureCols = 4
private let fixtureLengths = [32, 64, 576, 1536]

func readFixture(_ name: String) throws -> [UInt8] {
    let url = qdotFixtureDirectory.appendingPathComponent(name)
    guard let data = FileManager.default.contents(atPath: url.path) else {
        throw FixtureError.unreadable("missing \(url.path); run scripts/reference/make_qdot_fixtures.py")
    }
    return [UInt8](data)
}

func floats(_ bytes: [UInt8]) -> [Float] {
    stride(from: 0, to: bytes.count, by: 4).map {
        Float(bitPattern: UInt32(bytes[$0]) | UInt32(bytes[$0 + 1]) << 8 | UInt32(bytes[$0 + 2]) << 16 | UInt32(bytes[$0 + 3]) << 24)
    }
}

// MARK: - Kernel access for tests

/// Quantizes `x` with the dispatching kernel (AVX2 here) or the scalar twin.
private func quantize(_ x: [Float], as type: GGMLType, scalar: Bool) -> [UInt8] {
    var out = [UInt8](repeating: 0xAA, count: QuantizedMatVec.quantizedBytes(count: x.count, as: type))
    x.withUnsafeBufferPointer { xb in
        out.withUnsafeMutableBytes { ob in
            let xp = xb.baseAddress!, op = ob.baseAddress!
            switch (type, scalar) {
            case (.q8_0, false): QuantizedMatVec.quantize(xp, count: x.count, as: .q8_0, into: op)
            case (.q8_1, false): QuantizedMatVec.quantize(xp, count: x.count, as: .q8_1, into: op)
            case (.q8_0, true): cria_quantize_row_q8_0_scalar(xp, op, Int64(x.count))
            default: cria_quantize_row_q8_1_scalar(xp, op, Int64(x.count))
            }
        }
    }
    return out
}

/// One dot product of a weight row with quantized activations.
private func dot(_ type: GGMLType, _ w: [UInt8], _ xq: [UInt8], count: Int, scalar: Bool) -> Float {
    w.withUnsafeBytes { wb in
        xq.withUnsafeBytes { xb in
            let wp = wb.baseAddress!, xp = xb.baseAddress!, n = Int32(count)
            switch (type, scalar) {
            case (.q4_1, false): return cria_vec_dot_q4_1_q8_1(n, wp, xp)
            case (.q4_1, true): return cria_vec_dot_q4_1_q8_1_scalar(n, wp, xp)
            case (.q4_0, false): return cria_vec_dot_q4_0_q8_0(n, wp, xp)
            case (.q4_0, true): return cria_vec_dot_q4_0_q8_0_scalar(n, wp, xp)
            case (.q8_0, false): return cria_vec_dot_q8_0_q8_0(n, wp, xp)
            default: return cria_vec_dot_q8_0_q8_0_scalar(n, wp, xp)
            }
        }
    }
}

private func matvec(_ type: GGMLType, _ w: [UInt8], rows: Int, _ xq: [UInt8], count: Int) -> [Float] {
    var out = [Float](repeating: .nan, count: rows)
    w.withUnsafeBytes { wb in
        xq.withUnsafeBytes { xb in
            out.withUnsafeMutableBufferPointer { ob in
                QuantizedMatVec.matvec(
                    type, weights: wb.baseAddress!, rowBytes: w.count / rows, xq: xb.baseAddress!,
                    out: ob.baseAddress!, rows: 0..<rows, cols: count)
            }
        }
    }
    return out
}

/// Activations that exercise the quantizer's edges: .5 ties (amax 127 makes id exactly 1),
/// all-zero blocks, huge and tiny blocks, a single nonzero, negative amax.
private func edgeActivations(_ count: Int, using rng: inout SeededGenerator) -> [Float] {
    var x = (0..<count).map { _ in Float.random(in: -3...3, using: &rng) }
    for b in 0..<(count / 32) {
        let range = (32 * b)..<(32 * b + 32)
        switch b % 6 {
        case 0:
            for i in range { x[i] = Float(Int.random(in: -127...126, using: &rng)) + 0.5 }
            x[range.lowerBound + Int.random(in: 0..<32, using: &rng)] = Bool.random(using: &rng) ? 127 : -127
        case 1: for i in range { x[i] = 0 }
        case 2: for i in range { x[i] *= 1e30 }
        case 3: for i in range { x[i] *= 1e-30 }
        case 4:
            for i in range { x[i] = 0 }
            x[range.lowerBound + 5] = -Float.random(in: 0.1...10, using: &rng)
        default: break
        }
    }
    return x
}

/// Random weight blocks: random bytes (Q8_0 includes -128), finite f16 scales, negative Q4_1 mins.
private func randomWeights(_ type: GGMLType, count: Int, using rng: inout SeededGenerator) -> [UInt8] {
    var raw = randomRow(type, count: count, using: &rng)
    if type == .q4_1 {
        for b in 0..<(count / 32) {
            let m = Float16(-Float.random(in: 0...0.2, using: &rng)).bitPattern
            raw[b * 20 + 2] = UInt8(m & 0xff)
            raw[b * 20 + 3] = UInt8(m >> 8)
        }
    }
    return raw
}

@Suite("Quantized matvec (llama.cpp-exact)")
struct QuantizedMatVecTests {
    @Test("activation types follow ggml-cpu.c type_traits_cpu")
    func activationTypes() {
        #expect(QuantizedMatVec.activationType(for: .q4_1) == .q8_1)
        #expect(QuantizedMatVec.activationType(for: .q4_0) == .q8_0)
        #expect(QuantizedMatVec.activationType(for: .q8_0) == .q8_0)
        #expect(QuantizedMatVec.activationType(for: .q5_0) == nil)
        #expect(QuantizedMatVec.activationType(for: .f32) == nil)
    }

    // MARK: - Golden fixtures from llama.cpp

    @Test("quantized activations and outputs are bit-identical to llama.cpp", arguments: weightTypes)
    func matchesLlamaCpp(_ type: GGMLType) throws {
        let actType = try #require(QuantizedMatVec.activationType(for: type))
        for k in fixtureLengths {
            let stem = "\(type)_\(k)"
            let w = try readFixture("\(stem).w.bin")
            let x = floats(try readFixture("\(stem).x.bin"))
            let xqRef = try readFixture("\(stem).xq.bin")
            let one = floats(try readFixture("\(stem).one.bin"))
            let all = floats(try readFixture("\(stem).all.bin"))
            let xqBytes = QuantizedMatVec.quantizedBytes(count: k, as: actType)
            try #require(w.count == fixtureRows * k / 32 * type.blockBytes && x.count == fixtureCols * k)
            try #require(xqRef.count == fixtureCols * xqBytes && one.count == fixtureCols * fixtureRows)
            for c in 0..<fixtureCols {
                let column = Array(x[(c * k)..<((c + 1) * k)])
                let expectedXq = Array(xqRef[(c * xqBytes)..<((c + 1) * xqBytes)])
                for scalar in [false, true] {
                    let xq = quantize(column, as: actType, scalar: scalar)
                    #expect(xq == expectedXq, "\(stem) column \(c) quantization (scalar: \(scalar))")
                    let rowBytes = w.count / fixtureRows
                    for r in 0..<fixtureRows {
                        let row = Array(w[(r * rowBytes)..<((r + 1) * rowBytes)])
                        let got = dot(type, row, xq, count: k, scalar: scalar)
                        #expect(got.bitPattern == one[c * fixtureRows + r].bitPattern,
                                "\(stem) column \(c) row \(r) (scalar: \(scalar)): \(got) vs \(one[c * fixtureRows + r])")
                    }
                }
                let out = matvec(type, w, rows: fixtureRows, quantize(column, as: actType, scalar: false), count: k)
                for r in 0..<fixtureRows {
                    // Decode (one column) and prefill (tinyBLAS for Q4_0/Q8_0) give the same bits.
                    #expect(out[r].bitPattern == one[c * fixtureRows + r].bitPattern, "\(stem) matvec row \(r)")
                    #expect(out[r].bitPattern == all[c * fixtureRows + r].bitPattern, "\(stem) batched row \(r)")
                }
            }
        }
    }

    // MARK: - SIMD vs scalar twin

    @Test("f16 conversion: F16C and the scalar twin agree")
    func f16RoundTrip() {
        var rng = SeededGenerator(seed: 0xF16)
        var values: [Float] = [0, -0, 65504, 65519.996, 65520, 1e10, 0x1p-24, 0x1p-25, 0x1.8p-25, 0x1p-26, 5.9604645e-8, 6.1035156e-5]
        for _ in 0..<20000 {
            values.append(Float(bitPattern: UInt32.random(in: 0x2F00_0000...0x4800_0000, using: &rng)) * (Bool.random(using: &rng) ? 1 : -1))
        }
        for v in values {
            #expect(cria_fp32_to_fp16(v) == Float16(v).bitPattern, "\(v)")
        }
        for h in UInt16.min...UInt16.max where (h & 0x7c00) != 0x7c00 {
            #expect(cria_fp16_to_fp32(h).bitPattern == Float(Float16(bitPattern: h)).bitPattern)
        }
    }

    @Test("quantization: AVX2 path and scalar twin give identical blocks", arguments: [GGMLType.q8_0, .q8_1])
    func quantizeTwin(_ type: GGMLType) {
        var rng = SeededGenerator(seed: 0xA0 &+ UInt64(type.rawValue))
        for blocks in [1, 2, 5, 6, 18, 48, 64] {
            for trial in 0..<8 {
                let x = trial % 2 == 0
                    ? edgeActivations(32 * blocks, using: &rng)
                    : (0..<(32 * blocks)).map { _ in Float.random(in: -1...1, using: &rng) * Float(trial * trial + 1) }
                #expect(quantize(x, as: type, scalar: false) == quantize(x, as: type, scalar: true), "\(blocks) blocks, trial \(trial)")
            }
        }
    }

    @Test("dot products: AVX2 path and scalar twin give identical bits", arguments: weightTypes)
    func dotTwin(_ type: GGMLType) throws {
        let actType = try #require(QuantizedMatVec.activationType(for: type))
        var rng = SeededGenerator(seed: 0xB0 &+ UInt64(type.rawValue))
        for blocks in [1, 2, 3, 7, 18, 48, 64, 96] {
            for _ in 0..<16 {
                let count = 32 * blocks
                let w = randomWeights(type, count: count, using: &rng)
                let xq = quantize(edgeActivations(count, using: &rng), as: actType, scalar: false)
                let fast = dot(type, w, xq, count: count, scalar: false)
                let twin = dot(type, w, xq, count: count, scalar: true)
                #expect(fast.bitPattern == twin.bitPattern, "\(type) \(count): \(fast) vs \(twin)")
            }
        }
    }

    @Test("matvec equals per-row dots over a row range", arguments: weightTypes)
    func matvecRange(_ type: GGMLType) throws {
        let actType = try #require(QuantizedMatVec.activationType(for: type))
        var rng = SeededGenerator(seed: 0xC0 &+ UInt64(type.rawValue))
        let count = 576, rows = 13
        let w = randomWeights(type, count: count * rows, using: &rng)
        let xq = quantize(randomFloats(count, using: &rng), as: actType, scalar: false)
        let rowBytes = w.count / rows
        var out = [Float](repeating: -1, count: rows)
        w.withUnsafeBytes { wb in
            xq.withUnsafeBytes { xb in
                out.withUnsafeMutableBufferPointer { ob in
                    QuantizedMatVec.matvec(type, weights: wb.baseAddress!, rowBytes: rowBytes, xq: xb.baseAddress!,
                                           out: ob.baseAddress!, rows: 3..<11, cols: count)
                }
            }
        }
        for r in 0..<rows {
            let row = Array(w[(r * rowBytes)..<((r + 1) * rowBytes)])
            let expected: Float = (3..<11).contains(r) ? dot(type, row, xq, count: count, scalar: true) : -1
            #expect(out[r].bitPattern == expected.bitPattern, "row \(r)")
        }
    }

    @Test("matmul over column tiles equals one scalar dot per element, odd sizes included", arguments: weightTypes)
    func matmulTiles(_ type: GGMLType) throws {
        let actType = try #require(QuantizedMatVec.activationType(for: type))
        var rng = SeededGenerator(seed: 0xE0 &+ UInt64(type.rawValue))
        for (count, rows, columns) in [(32, 1, 1), (64, 3, 5), (96, 7, 9), (576, 13, 4), (160, 2, 13), (1536, 5, 3)] {
            let w = randomWeights(type, count: count * rows, using: &rng)
            let rowBytes = w.count / rows
            let xqStride = QuantizedMatVec.quantizedBytes(count: count, as: actType)
            var xq: [UInt8] = []
            for _ in 0..<columns { xq += quantize(edgeActivations(count, using: &rng), as: actType, scalar: false) }
            // Rows 1..<rows-0 of a strided output; untouched entries must stay -1.
            let outStride = rows + 2
            let rowRange = (rows > 2 ? 1 : 0)..<rows
            for scalar in [false, true] {
                var out = [Float](repeating: -1, count: columns * outStride)
                w.withUnsafeBytes { wb in
                    xq.withUnsafeBytes { xb in
                        out.withUnsafeMutableBufferPointer { ob in
                            let wp = wb.baseAddress!, xp = xb.baseAddress!, op = ob.baseAddress!
                            let b = Int64(rowRange.lowerBound), e = Int64(rowRange.upperBound), c = Int64(columns), n = Int32(count)
                            switch (type, scalar) {
                            case (_, false):
                                QuantizedMatVec.matmul(type, weights: wp, rowBytes: rowBytes, xq: xp, xqStride: xqStride, out: op,
                                                       outStride: outStride, rows: rowRange, columns: columns, cols: count)
                            case (.q4_1, true): cria_matmul_q4_1_q8_1_scalar(wp, rowBytes, xp, xqStride, op, outStride, b, e, c, n)
                            case (.q4_0, true): cria_matmul_q4_0_q8_0_scalar(wp, rowBytes, xp, xqStride, op, outStride, b, e, c, n)
                            default: cria_matmul_q8_0_q8_0_scalar(wp, rowBytes, xp, xqStride, op, outStride, b, e, c, n)
                            }
                        }
                    }
                }
                for c in 0..<columns {
                    let column = Array(xq[(c * xqStride)..<((c + 1) * xqStride)])
                    for r in 0..<outStride {
                        let got = out[c * outStride + r]
                        guard rowRange.contains(r) else {
                            #expect(got == -1, "\(type) \(count): row \(r) outside the range was written")
                            continue
                        }
                        let row = Array(w[(r * rowBytes)..<((r + 1) * rowBytes)])
                        let expected = dot(type, row, column, count: count, scalar: true)
                        #expect(got.bitPattern == expected.bitPattern,
                                "\(type) \(count)×\(rows)×\(columns) scalar: \(scalar) row \(r) column \(c): \(got) vs \(expected)")
                    }
                }
            }
        }
    }

    @Test("Q4_0 prompt order: AVX2 equals its scalar twin and stays close to vec_dot")
    func q4_0PromptOrder() {
        var rng = SeededGenerator(seed: 0xF0)
        for (count, rows, columns) in [(32, 1, 1), (64, 9, 5), (576, 16, 4), (160, 21, 7), (2048, 8, 9)] {
            let w = randomWeights(.q4_0, count: count * rows, using: &rng)
            let rowBytes = w.count / rows
            let xqStride = QuantizedMatVec.quantizedBytes(count: count, as: .q8_0)
            var xq: [UInt8] = []
            for _ in 0..<columns { xq += quantize(edgeActivations(count, using: &rng), as: .q8_0, scalar: false) }
            var fast = [Float](repeating: -1, count: columns * rows)
            var twin = fast, exact = fast
            w.withUnsafeBytes { wb in
                xq.withUnsafeBytes { xb in
                    let wp = wb.baseAddress!, xp = xb.baseAddress!
                    fast.withUnsafeMutableBufferPointer {
                        QuantizedMatVec.matmul(.q4_0, weights: wp, rowBytes: rowBytes, xq: xp, xqStride: xqStride, out: $0.baseAddress!,
                                               outStride: rows, rows: 0..<rows, columns: columns, cols: count, promptOrder: true)
                    }
                    twin.withUnsafeMutableBufferPointer {
                        cria_matmul_q4_0_q8_0_lanes_scalar(wp, rowBytes, xp, xqStride, $0.baseAddress!, rows, 0, Int64(rows),
                                                           Int64(columns), Int32(count))
                    }
                    exact.withUnsafeMutableBufferPointer {
                        QuantizedMatVec.matmul(.q4_0, weights: wp, rowBytes: rowBytes, xq: xp, xqStride: xqStride, out: $0.baseAddress!,
                                               outStride: rows, rows: 0..<rows, columns: columns, cols: count)
                    }
                }
            }
            #expect(fast.map(\.bitPattern) == twin.map(\.bitPattern), "\(count)×\(rows)×\(columns)")
            for i in fast.indices {
                // Huge activation blocks overflow to inf or nan in both orders alike.
                guard exact[i].isFinite else {
                    #expect(!fast[i].isFinite, "\(count)×\(rows)×\(columns) [\(i)]")
                    continue
                }
                let tolerance = 1e-5 * max(1, abs(exact[i]))
                #expect(abs(fast[i] - exact[i]) <= tolerance, "\(count)×\(rows)×\(columns) [\(i)]: \(fast[i]) vs \(exact[i])")
            }
        }
    }

    // MARK: - Against float math

    @Test("quantized dot is close to the exact dot of the dequantized operands", arguments: weightTypes)
    func closeToFloat(_ type: GGMLType) throws {
        let actType = try #require(QuantizedMatVec.activationType(for: type))
        var rng = SeededGenerator(seed: 0xD0 &+ UInt64(type.rawValue))
        for count in [32, 576, 1536] {
            for _ in 0..<8 {
                let w = randomWeights(type, count: count, using: &rng)
                let xq = quantize(randomFloats(count, using: &rng), as: actType, scalar: false)
                let wf = dequantReference(type, w, count: count)
                // Q8_1 is Q8_0 with an extra f16 (s) after d.
                let stride = actType.blockBytes
                var exact = 0.0, magnitude = 0.0
                for i in 0..<count {
                    let b = i / 32
                    let d = Double(Float(Float16(bitPattern: UInt16(xq[b * stride]) | UInt16(xq[b * stride + 1]) << 8)))
                    let q = Double(Int8(bitPattern: xq[b * stride + (stride - 32) + i % 32]))
                    exact += Double(wf[i]) * d * q
                    magnitude += abs(Double(wf[i]) * d * q)
                }
                let got = Double(dot(type, w, xq, count: count, scalar: false))
                // Q4_1's min term uses s = f16(d * sum(q)): relative error up to 2^-11 of it.
                #expect(abs(got - exact) <= 2e-3 * magnitude + 1e-6, "\(type) \(count): \(got) vs \(exact)")
            }
        }
    }
}
