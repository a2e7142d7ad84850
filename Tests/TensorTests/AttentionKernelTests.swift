import Foundation
import Testing
@testable import Tensor

/// The unrolled attention kernels against one dot product at a time, for both summation
/// orders, odd position counts and head sizes included.
@Suite struct AttentionKernelTests {
    @Test(arguments: [false, true])
    func unrolledEqualsOneDotAtATime(batched: Bool) {
        var rng = SeededGenerator(seed: batched ? 11 : 12)
        for (headSize, count) in [(64, 13), (64, 1), (128, 37), (96, 4), (8, 9)] {
            let stride = headSize + 8
            let keys = (0..<(count * stride)).map { _ in Float16(Float.random(in: -2...2, using: &rng)) }
            let query = (0..<headSize).map { _ in Float(Float16(Float.random(in: -2...2, using: &rng))) }
            var scores = [Float](repeating: .nan, count: count)
            keys.withUnsafeBufferPointer { k in
                AttentionKernels.scores(keys: k.baseAddress!, stride: stride, query: query, headSize: headSize,
                                        count: count, batched: batched, into: &scores)
                for t in 0..<count {
                    let one = batched
                        ? AttentionKernels.dotBatch(k.baseAddress! + t * stride, query, headSize)
                        : AttentionKernels.dotDecode(k.baseAddress! + t * stride, query, headSize)
                    #expect(scores[t].bitPattern == one.bitPattern, "head \(headSize) position \(t)")
                }
            }
            let span = (count + 31) / 32 * 32
            let values = (0..<(headSize * span)).map { _ in Float16(Float.random(in: -2...2, using: &rng)) }
            let p = (0..<span).map { $0 < count ? Float(Float16(Float.random(in: 0...1, using: &rng))) : 0 }
            var out = [Float](repeating: .nan, count: headSize)
            values.withUnsafeBufferPointer { v in
                AttentionKernels.weightedValues(values: v.baseAddress!, stride: span, probabilities: p, span: span,
                                                headSize: headSize, batched: batched, into: &out)
                for d in 0..<headSize {
                    let one = batched
                        ? AttentionKernels.dotBatch(v.baseAddress! + d * span, p, span)
                        : AttentionKernels.dotDecode(v.baseAddress! + d * span, p, span)
                    #expect(out[d].bitPattern == one.bitPattern, "head \(headSize) element \(d)")
                }
            }
        }
    }

    @Test func groupKernelsEqualPerHeadDecode() {
        var rng = SeededGenerator(seed: 21)
        for (heads, headSize, count) in [(3, 64, 45), (4, 128, 8), (1, 64, 3), (6, 32, 77), (3, 80, 19)] {
            let kvDim = headSize * 2
            let keys = (0..<(count * kvDim)).map { _ in Float16(Float.random(in: -2...2, using: &rng)) }
            let queries = (0..<(heads * headSize)).map { _ in Float(Float16(Float.random(in: -2...2, using: &rng))) }
            var scores = [Float](repeating: .nan, count: heads * count)
            keys.withUnsafeBufferPointer { k in
                AttentionKernels.groupScoresDecode(keys: k.baseAddress! + headSize, stride: kvDim, queries: queries, heads: heads,
                                                   headSize: headSize, count: count, into: &scores, scoreStride: count)
                for h in 0..<heads {
                    for t in 0..<count {
                        let one = queries.withUnsafeBufferPointer {
                            AttentionKernels.dotDecode(k.baseAddress! + headSize + t * kvDim, $0.baseAddress! + h * headSize, headSize)
                        }
                        #expect(scores[h * count + t].bitPattern == one.bitPattern, "\(heads)×\(headSize) head \(h) position \(t)")
                    }
                }
            }
            let span = (count + 31) / 32 * 32
            let values = (0..<(headSize * span)).map { _ in Float16(Float.random(in: -2...2, using: &rng)) }
            let p = (0..<(heads * span)).map { $0 % span < count ? Float(Float16(Float.random(in: 0...1, using: &rng))) : 0 }
            var out = [Float](repeating: .nan, count: heads * headSize)
            values.withUnsafeBufferPointer { v in
                AttentionKernels.groupValuesDecode(values: v.baseAddress!, stride: span, probabilities: p, probabilityStride: span,
                                                   heads: heads, span: span, dimensions: 0..<headSize, into: &out, outStride: headSize)
                for h in 0..<heads {
                    for d in 0..<headSize {
                        let one = p.withUnsafeBufferPointer {
                            AttentionKernels.dotDecode(v.baseAddress! + d * span, $0.baseAddress! + h * span, span)
                        }
                        #expect(out[h * headSize + d].bitPattern == one.bitPattern, "\(heads)×\(headSize) head \(h) element \(d)")
                    }
                }
            }
        }
    }

    @Test(arguments: [8, 32, 64, 96, 100, 256])
    func dotsAgreeWithDouble(n: Int) {
        let x = (0..<n).map { Float16(Float(cos(Double($0) * 0.3))) }
        let y = (0..<n).map { Float(Float16(Float(sin(Double($0) * 0.7)))) }
        var exact: Double = 0
        for i in 0..<n { exact += Double(Float(x[i])) * Double(y[i]) }
        let decode = AttentionKernels.dotDecode(x, y, n)
        #expect(abs(Double(decode) - exact) < 1e-4)
        if n % 8 == 0 {
            let batch = AttentionKernels.dotBatch(x, y, n)
            #expect(abs(Double(batch) - exact) < 1e-4)
        }
    }
}
