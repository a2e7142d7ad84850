import GGUF
import Testing
@testable import Tensor

@Suite("Dot and MatVec")
struct DotTests {
    /// Row lengths: 1, 3, 7 and 9 blocks; plain float types also get lengths that leave SIMD tails.
    static func lengths(_ type: GGMLType) -> [Int] {
        let blockCounts = [1, 3, 7, 9].map { $0 * type.blockSize }
        return type.blockSize == 1 ? blockCounts + [13, 32, 33, 100, 257] : blockCounts
    }

    @Test("row equals reference and a double-precision dot", arguments: supportedTypes)
    func rowMatchesReference(_ type: GGMLType) {
        var rng = SeededGenerator(seed: 0xC21A_0000 &+ UInt64(type.rawValue))
        for count in Self.lengths(type) {
            let raw = randomRow(type, count: count, using: &rng)
            let x = randomFloats(count, using: &rng)
            let w = dequantReference(type, raw, count: count)
            var exact = 0.0, magnitude = 0.0
            for i in 0..<count {
                exact += Double(w[i]) * Double(x[i])
                magnitude += abs(Double(w[i]) * Double(x[i]))
            }
            let (reference, fast) = raw.withUnsafeBytes { r in
                x.withUnsafeBufferPointer { xb -> (Float, Float) in
                    guard let rp = r.baseAddress, let xp = xb.baseAddress else { return (.nan, .nan) }
                    return (Dot.reference(type, rp, xp, count: count), Dot.row(type, rp, xp, count: count))
                }
            }
            let tolerance = 1e-4 * magnitude + 1e-12
            #expect(abs(Double(reference) - exact) <= 1e-6 * magnitude + 1e-12, "\(type) count \(count)")
            #expect(abs(Double(fast) - exact) <= tolerance,
                    "\(type) count \(count): row \(fast), exact \(exact), Σ|wx| \(magnitude)")
            #expect(abs(Double(fast) - Double(reference)) <= tolerance, "\(type) count \(count)")
        }
    }

    @Test("matvec fills exactly the requested rows", arguments: supportedTypes)
    func matvec(_ type: GGMLType) {
        var rng = SeededGenerator(seed: 0x3A7_0000 &+ UInt64(type.rawValue))
        let nRows = 11
        let cols = 2 * max(type.blockSize, 32)
        let packed = type.blockBytes * cols / type.blockSize
        let rowBytes = packed + 6  // padded stride: rows need not be contiguous
        var weights = [UInt8](repeating: 0, count: nRows * rowBytes)
        for r in 0..<nRows {
            let row = randomRow(type, count: cols, using: &rng)
            weights.replaceSubrange(r * rowBytes..<(r * rowBytes + packed), with: row)
        }
        let x = randomFloats(cols, using: &rng)
        let sentinel: Float = -12345
        var out = [Float](repeating: sentinel, count: nRows)
        let rows = 2..<9
        var expected = [Float](repeating: sentinel, count: nRows)
        weights.withUnsafeBytes { w in
            x.withUnsafeBufferPointer { xb in
                guard let wp = w.baseAddress, let xp = xb.baseAddress else { return }
                out.withUnsafeMutableBufferPointer { o in
                    guard let op = o.baseAddress else { return }
                    MatVec.matvec(type, weights: wp, rowBytes: rowBytes, x: xp, out: op, rows: rows, cols: cols)
                }
                for r in rows { expected[r] = Dot.reference(type, wp + r * rowBytes, xp, count: cols) }
            }
        }
        for r in 0..<nRows {
            if rows.contains(r) {
                #expect(abs(out[r] - expected[r]) <= 1e-4 * max(1, abs(expected[r])), "\(type) row \(r)")
            } else {
                #expect(out[r] == sentinel, "\(type) row \(r) outside the range was written")
            }
        }
    }
}
