#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One token still in the running (llama_token_data in llama.h).
struct Candidate {
    var id: Int32
    var logit: Float
    /// Probability, once a stage has computed it.
    var p: Float = 0

    /// The chain's order: larger logit first, then smaller id, so that every selection and sort
    /// is deterministic (llama.cpp leaves the order of equal logits to its unstable sorts).
    @inline(__always)
    func precedes(_ other: Candidate) -> Bool {
        logit > other.logit || (logit == other.logit && id < other.id)
    }
}

/// The candidates of one step, narrowed in place by each stage of the chain
/// (llama_token_data_array in llama.h; the stages follow src/llama-sampler.cpp).
/// A view of the sampler's buffer: it allocates nothing except in `sortAll`.
struct CandidateList {
    let base: UnsafeMutablePointer<Candidate>  // (count), room for the whole vocabulary
    var count: Int
    /// Whether `base[0..<count]` is in `Candidate.precedes` order.
    var isSorted: Bool

    subscript(i: Int) -> Candidate {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    // MARK: - filling

    /// Every finite logit, in id order. NaN and infinite logits never become candidates.
    static func all(_ logits: UnsafeBufferPointer<Float>, into base: UnsafeMutablePointer<Candidate>) -> CandidateList {
        var n = 0
        for i in 0..<logits.count where logits[i].isFinite {
            base[n] = Candidate(id: Int32(i), logit: logits[i])
            n += 1
        }
        return CandidateList(base: base, count: n, isSorted: false)
    }

    /// The `k` best finite logits, sorted: top-k without touching the rest of the vocabulary.
    /// A heap of the best so far with its worst at the root; most logits fail the one
    /// comparison with the root, so this is about one pass over `logits`.
    static func best(_ k: Int, of logits: UnsafeBufferPointer<Float>, into base: UnsafeMutablePointer<Candidate>) -> CandidateList {
        precondition(k > 0)
        var n = 0
        var i = 0
        while i < logits.count && n < k {
            if logits[i].isFinite {
                base[n] = Candidate(id: Int32(i), logit: logits[i])
                n += 1
            }
            i += 1
        }
        heapify(base, n)
        while i < logits.count {
            let v = logits[i]
            if v >= base[0].logit && v.isFinite {
                let c = Candidate(id: Int32(i), logit: v)
                if c.precedes(base[0]) {
                    base[0] = c
                    siftDown(base, 0, n)
                }
            }
            i += 1
        }
        sortHeap(base, n)
        return CandidateList(base: base, count: n, isSorted: true)
    }

    /// The single most likely candidate, with probability 1 (greedy decoding).
    static func argmax(_ logits: UnsafeBufferPointer<Float>, into base: UnsafeMutablePointer<Candidate>) -> CandidateList {
        var best = -1
        var bestValue = -Float.infinity
        for i in 0..<logits.count where logits[i] > bestValue && logits[i].isFinite {
            bestValue = logits[i]
            best = i
        }
        if best < 0 { return CandidateList(base: base, count: 0, isSorted: true) }
        base[0] = Candidate(id: Int32(best), logit: bestValue, p: 1)
        return CandidateList(base: base, count: 1, isSorted: true)
    }

    // MARK: - stages

    /// Keeps the fewest best candidates whose probabilities add up to at least `p`, and at
    /// least `minKeep` of them; `p` >= 1 keeps all. The probabilities are the softmax of the
    /// logits as they stand (no temperature yet). As llama_sampler_top_p_apply: sum in list
    /// order, then walk the sorted list, sorting only the best 256 of a long unsorted list first.
    mutating func keepTopP(_ p: Float, minKeep: Int) {
        guard p < 1, count > 0 else { return }
        softmaxFloat()
        var sorted = count
        if !isSorted {
            sorted = count > 1024 ? 256 : count
            sortPrefix(sorted)
        }
        var cumulative: Float = 0
        var last = count
        for i in 0..<count {
            cumulative += base[i].p
            if cumulative >= p && i + 1 >= minKeep {
                last = i + 1
                break
            }
            if i == sorted - 1 && sorted < count {
                sortPrefix(count)
                sorted = count
            }
        }
        count = last
        isSorted = true
    }

    /// Keeps the candidates at least `p` times as likely as the best one (logit at least
    /// max + ln p), and at least `minKeep` of them; `p` <= 0 keeps all. As
    /// llama_sampler_min_p_apply: an unsorted list is filtered in place, keeping its order.
    mutating func keepMinP(_ p: Float, minKeep: Int) {
        guard p > 0, count > 0 else { return }
        if !isSorted {
            var maxLogit = -Float.greatestFiniteMagnitude
            for i in 0..<count { maxLogit = max(maxLogit, base[i].logit) }
            let threshold = maxLogit + logf(p)
            var kept = 0
            for i in 0..<count where base[i].logit >= threshold { kept += 1 }
            if kept > 0 && kept >= minKeep {
                var n = 0
                for i in 0..<count where base[i].logit >= threshold {
                    base[n] = base[i]
                    n += 1
                }
                count = n
                return
            }
            sortPrefix(count)
        }
        let threshold = base[0].logit + logf(p)
        var i = 1
        while i < count && !(base[i].logit < threshold && i >= minKeep) { i += 1 }
        count = i
    }

    /// Divides every logit by `temperature` (> 0), as llama_sampler_temp_impl.
    mutating func scale(temperature: Float) {
        for i in 0..<count { base[i].logit /= temperature }
    }

    /// p = softmax of the logits, summed in Double: the probabilities llama_sampler_dist_apply
    /// draws from.
    mutating func normalize() {
        guard count > 0 else { return }
        let maxLogit = maxLogit()
        var sum: Double = 0
        for i in 0..<count {
            let e = expf(base[i].logit - maxLogit)
            base[i].p = e
            sum += Double(e)
        }
        for i in 0..<count { base[i].p = Float(Double(base[i].p) / sum) }
    }

    // MARK: - helpers

    /// p = softmax of the logits with a Float sum, as llama_sampler_softmax_impl.
    private mutating func softmaxFloat() {
        let maxLogit = maxLogit()
        var sum: Float = 0
        for i in 0..<count {
            let e = expf(base[i].logit - maxLogit)
            base[i].p = e
            sum += e
        }
        for i in 0..<count { base[i].p /= sum }
    }

    private func maxLogit() -> Float {
        if isSorted { return base[0].logit }
        var m = base[0].logit
        for i in 1..<count { m = max(m, base[i].logit) }
        return m
    }

    /// Puts the `m` best candidates first, in order; the rest stay behind them in some order.
    /// A full sort when `m` covers the list, else a heap selection of the best `m`.
    mutating func sortPrefix(_ m: Int) {
        if isSorted || m <= 0 { return }
        if m >= count {
            sortAll()
            return
        }
        Self.heapify(base, m)
        for i in m..<count where base[i].precedes(base[0]) {
            swap(&base[i], &base[0])
            Self.siftDown(base, 0, m)
        }
        Self.sortHeap(base, m)
    }

    private mutating func sortAll() {
        var all = UnsafeMutableBufferPointer(start: base, count: count)
        all.sort { $0.precedes($1) }
        isSorted = true
    }

    // A heap over base[0..<n] whose root is the candidate that precedes none of the others.

    private static func heapify(_ base: UnsafeMutablePointer<Candidate>, _ n: Int) {
        var i = n / 2 - 1
        while i >= 0 {
            siftDown(base, i, n)
            i -= 1
        }
    }

    @inline(__always)
    private static func siftDown(_ base: UnsafeMutablePointer<Candidate>, _ start: Int, _ n: Int) {
        var i = start
        let item = base[i]
        while true {
            var child = 2 * i + 1
            if child >= n { break }
            if child + 1 < n && base[child].precedes(base[child + 1]) { child += 1 }
            if !item.precedes(base[child]) { break }
            base[i] = base[child]
            i = child
        }
        base[i] = item
    }

    /// Turns the heap into a list in `precedes` order (heapsort: the worst goes to the back).
    private static func sortHeap(_ base: UnsafeMutablePointer<Candidate>, _ n: Int) {
        var end = n - 1
        while end > 0 {
            swap(&base[0], &base[end])
            siftDown(base, 0, end)
            end -= 1
        }
    }
}
