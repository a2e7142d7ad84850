/// BPE over token ids: the adjacent pair with the lowest merge rank (leftmost on ties) is merged
/// until none is left.
///
/// Same order as llama.cpp src/llama-vocab.cpp `llm_tokenizer_bpe_session::tokenize` and
/// `llm_tokenizer_spm_session` (scores turned into ranks), Hugging Face tokenizers' `Word::merge_all`
/// and tiktoken's `_byte_pair_merge`, which all pop the best (rank, left position). Merges are keyed
/// by token ids rather than strings, which `Tokenizer.mergeTable` makes valid by checking that every
/// merge's parts and result are tokens.
struct BytePairEncoder: Sendable {
    struct Merge: Sendable {
        var rank: Int32
        var result: Int32
    }

    /// (left id << 32 | right id) -> merge.
    let merges: [UInt64: Merge]
    /// Merge results that are split back into the pieces they were merged from (sentencepiece's
    /// unused pieces: bpe_model.cc `resegment`).
    var splitResults: Set<Int32> = []

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// Merges a word's initial symbols and reports the result in order.
    /// - Parameters:
    ///   - symbols: the initial token ids, -1 for a symbol without a token (it never merges). (n)
    ///   - emit: called with each final symbol's id and, for a symbol that was never merged, its
    ///     index in `symbols` (so the caller can fall back for a -1); -1 for merged symbols when
    ///     `splitResults` is in use.
    func encode(_ symbols: [Int32], emit: (Int32, Int) -> Void) {
        if symbols.count <= 1 {
            if let id = symbols.first { emit(id, 0) }
            return
        }
        var ids = symbols                               // (n) current symbol ids
        var next = Array(1...symbols.count)             // (n) next live symbol, n = none
        var previous = Array(-1..<(symbols.count - 1))  // (n) previous live symbol, -1 = none
        var alive = [Bool](repeating: true, count: symbols.count)
        var queue = BigramQueue()
        // Merge history, kept only when some results are split back: node k < n is symbol k,
        // later nodes are merges (id, left node, right node); `node[i]` is live symbol i's.
        let tracks = !splitResults.isEmpty
        var node = tracks ? Array(0..<symbols.count) : []
        var merged: [(id: Int32, left: Int, right: Int)] = []

        func push(_ left: Int, _ right: Int) {
            guard left >= 0, right < ids.count, ids[left] >= 0, ids[right] >= 0,
                  let merge = merges[BytePairEncoder.key(ids[left], ids[right])] else { return }
            queue.push(Bigram(rank: merge.rank, left: Int32(left), right: Int32(right), result: merge.result))
        }

        for index in 1..<symbols.count { push(index - 1, index) }

        while let bigram = queue.pop() {
            let left = Int(bigram.left), right = Int(bigram.right)
            // Stale entries: a side was merged away or grew since the pair was queued.
            guard alive[left], alive[right], next[left] == right,
                  let merge = merges[BytePairEncoder.key(ids[left], ids[right])],
                  merge.result == bigram.result else { continue }
            if tracks {
                merged.append((merge.result, node[left], node[right]))
                node[left] = symbols.count + merged.count - 1
            }
            ids[left] = merge.result
            alive[right] = false
            next[left] = next[right]
            if next[right] < ids.count { previous[next[right]] = left }
            push(previous[left], left)
            push(left, next[left])
        }

        func emitSplitting(_ k: Int) {
            guard k >= symbols.count else { return emit(symbols[k], k) }
            let m = merged[k - symbols.count]
            guard splitResults.contains(m.id) else { return emit(m.id, -1) }
            emitSplitting(m.left)
            emitSplitting(m.right)
        }
        var index = 0
        while index < ids.count {
            if tracks { emitSplitting(node[index]) } else { emit(ids[index], index) }
            index = next[index]
        }
    }
}

struct Bigram {
    var rank: Int32
    var left: Int32
    var right: Int32
    var result: Int32

    @inline(__always)
    func precedes(_ other: Bigram) -> Bool {
        rank != other.rank ? rank < other.rank : left < other.left
    }
}

/// Binary min-heap of bigrams ordered by (rank, left).
struct BigramQueue {
    private var heap: [Bigram] = []

    mutating func push(_ element: Bigram) {
        heap.append(element)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Bigram? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < heap.count && heap[left].precedes(heap[best]) { best = left }
            if right < heap.count && heap[right].precedes(heap[best]) { best = right }
            if best == parent { break }
            heap.swapAt(parent, best)
            parent = best
        }
        return top
    }
}
