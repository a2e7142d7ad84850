import Synchronization
import Tensor
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct VectorOpsTests {
    private func random(_ n: Int, seed: inout UInt64) -> [Float] {
        (0..<n).map { _ in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: seed >> 11) % 2000) / 1000 - 1
        }
    }

    @Test(arguments: [1, 7, 8, 15, 16, 17, 64, 576, 1000])
    func dotMatchesReference(n: Int) {
        var seed = UInt64(n)
        let a = random(n, seed: &seed), b = random(n, seed: &seed)
        let fast = VectorOps.dot(a, b, n), slow = VectorOps.Reference.dot(a, b, n)
        #expect(abs(fast - slow) <= 1e-5 * Float(n))
    }

    @Test(arguments: [1, 9, 64, 576, 577])
    func rmsNormMatchesReference(n: Int) {
        var seed = UInt64(n) + 100
        let x = random(n, seed: &seed), w = random(n, seed: &seed)
        var fast = [Float](repeating: 0, count: n), slow = fast
        VectorOps.rmsNorm(&fast, x, w, n, eps: 1e-5)
        VectorOps.Reference.rmsNorm(&slow, x, w, n, eps: 1e-5)
        for i in 0..<n { #expect(abs(fast[i] - slow[i]) <= 1e-5 * max(1, abs(slow[i]))) }
    }

    @Test(arguments: [3, 8, 64, 70])
    func addScaledMatchesReference(n: Int) {
        var seed = UInt64(n) + 7
        let x = random(n, seed: &seed)
        var fast = random(n, seed: &seed)
        var slow = fast
        VectorOps.addScaled(&fast, x, 0.37, n)
        VectorOps.Reference.addScaled(&slow, x, 0.37, n)
        #expect(fast == slow)
    }

    @Test func softmaxSumsToOneAndKeepsOrder() {
        var x: [Float] = [1, 2, 3, 1000, -1000]
        VectorOps.softmax(&x, x.count)
        #expect(abs(x.reduce(0, +) - 1) < 1e-6)
        #expect(x[3] > 0.999 && x[4] == 0)
    }

    @Test func swigluIsSiluTimesUp() {
        var gate: [Float] = [0, 1, -2, 3]
        let up: [Float] = [5, 2, 1, -1]
        VectorOps.swiglu(&gate, up, 4)
        let expected: [Float] = [0, 2 * 0.7310586, -0.23840584, -3 * 0.95257413]
        for i in 0..<4 { #expect(abs(gate[i] - expected[i]) < 1e-5) }
    }
}

@Suite struct RopeTests {
    @Test func rotatesAdjacentPairsByPositionTimesFrequency() {
        let rope = Rope(dimensions: 4, base: 10_000)
        var cosines = [Float](repeating: 0, count: 2), sines = cosines
        rope.angles(position: 3, cosines: &cosines, sines: &sines)
        // Head of 6: the last pair is past `dimensions` and stays put.
        var x: [Float] = [1, 0, 0, 1, 5, 6]
        rope.apply(&x, heads: 1, headSize: 6, cosines: cosines, sines: sines)
        let a0 = Float(3), a1 = Float(3) * 0.01  // 10000^(-2/4) = 0.01
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
