import Synchronization
import Tensor
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct VectorOpsTests {
    @Test(arguments: [1, 7, 8, 9, 576])
    func addIsElementwise(n: Int) {
        var out = (0..<n).map { Float($0) * 0.5 }
        let x = (0..<n).map { Float(n - $0) }
        VectorOps.add(&out, x, n)
        for i in 0..<n { #expect(out[i] == Float(i) * 0.5 + Float(n - i)) }
    }
}

@Suite struct RopeTests {
    @Test func rotatesAdjacentPairsByPositionTimesFrequency() {
        let rope = Rope(dimensions: 4, base: 10_000)
        var cosines = [Float](repeating: 0, count: 2), sines = cosines
        rope.anglesGGML(position: 3, base: 10_000, frequencyFactors: nil, cosines: &cosines, sines: &sines)
        // Head of 6: the last pair is past `dimensions` and stays put.
        var x: [Float] = [1, 0, 0, 1, 5, 6]
        rope.apply(&x, heads: 1, headSize: 6, cosines: cosines, sines: sines)
        let a0 = Float(3), a1 = Float(3) * powf(10_000, -0.5)
        #expect(abs(x[0] - cosf(a0)) < 1e-6 && abs(x[1] - sinf(a0)) < 1e-6)
        #expect(abs(x[2] + sinf(a1)) < 1e-6 && abs(x[3] - cosf(a1)) < 1e-6)
        #expect(x[4] == 5 && x[5] == 6)
    }

    @Test func frequencyFactorsDivideTheFrequency() {
        let plain = Rope(dimensions: 4, base: 500_000)
        let scaled = Rope(dimensions: 4, base: 500_000, frequencyFactors: [1, 8])
        #expect(scaled.inverseFrequencies[0] == plain.inverseFrequencies[0])
        #expect(abs(scaled.inverseFrequencies[1] - plain.inverseFrequencies[1] / 8) < 1e-12)
    }
}

@Suite struct ThreadPoolTests {
    @Test(arguments: [1, 2, 3, 8])
    func everyIndexRunsExactlyOnce(threads: Int) {
        let pool = ThreadPool(threadCount: threads)
        for count in [0, 1, 5, 1000] {
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
            hits.initialize(repeating: 0, count: max(count, 1))
            for _ in 0..<50 {
                pool.parallelFor(count) { range in for i in range { hits[i] += 1 } }
            }
            for i in 0..<count { #expect(hits[i] == 50) }
            hits.deallocate()
        }
    }

    @Test func everyThreadTakesPart() {
        let pool = ThreadPool(threadCount: 4)
        let seen = Atomic<Int>(0)
        pool.run { thread, threads in
            #expect(threads == 4)
            seen.bitwiseOr(1 << thread, ordering: .relaxed)
        }
        #expect(seen.load(ordering: .relaxed) == 0b1111)
    }

    @Test func chunksCoverTheRangeInOrder() {
        for count in [0, 1, 7, 100] {
            for parts in 1...5 {
                let chunks = (0..<parts).map { ThreadPool.chunk(count, part: $0, of: parts) }
                #expect(chunks.first?.lowerBound == 0 && chunks.last?.upperBound == count)
                for i in 1..<parts { #expect(chunks[i - 1].upperBound == chunks[i].lowerBound) }
            }
        }
    }

    @Test func poolIsReleased() {
        // Workers must not keep the pool alive: deinit joins them.
        weak var weakPool: ThreadPool?
        do {
            let pool = ThreadPool(threadCount: 3)
            weakPool = pool
            pool.parallelFor(10) { _ in }
        }
        #expect(weakPool == nil)
    }
}
