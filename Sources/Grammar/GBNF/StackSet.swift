/// A set of grammar stacks in canonical form (sorted, no duplicates), stored flat so a matcher state is
/// two integer arrays. Stack i is `elements[start(i) ..< ends[i]]`, bottom first; its last entry is the
/// terminal to match next. An empty stack means the grammar is complete on that branch.
struct StackSet: Hashable, Sendable {
    var elements: [Int32] = []  // (total entries of all stacks)
    var ends: [Int32] = []      // (nStacks) exclusive end of each stack in `elements`

    var count: Int { ends.count }
    var isEmpty: Bool { ends.isEmpty }

    @inline(__always)
    func bounds(_ i: Int) -> Range<Int> {
        (i == 0 ? 0 : Int(ends[i - 1])) ..< Int(ends[i])
    }

    /// Whether some stack is empty (the sentence can end here).
    var hasEmptyStack: Bool {
        for i in 0..<count where bounds(i).isEmpty { return true }
        return false
    }
}

/// A hash set of Int32 slices kept in one growing arena, cleared in O(1) by bumping a generation.
/// A candidate is appended to the arena first and then committed (kept if new, dropped if present), so
/// nothing is allocated once the buffers have grown to the working size.
struct SliceSet {
    var arena: [Int32] = []
    /// Start and end of entry i at 2i and 2i+1.
    var bounds: [Int32] = []
    private var hashes: [UInt32] = []
    private var table: [Int32] = []
    private var stamps: [UInt32] = []
    private var generation: UInt32 = 1
    private var candidateStart = 0

    var count: Int { bounds.count / 2 }

    init() {
        table = [Int32](repeating: 0, count: 64)
        stamps = [UInt32](repeating: 0, count: 64)
    }

    mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        bounds.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        generation &+= 1
        if generation == 0 {  // wrapped: old stamps could look current
            for i in stamps.indices { stamps[i] = 0 }
            generation = 1
        }
    }

    @inline(__always)
    func range(_ entry: Int) -> Range<Int> {
        Int(bounds[2 * entry]) ..< Int(bounds[2 * entry + 1])
    }

    @inline(__always)
    mutating func beginCandidate() {
        candidateStart = arena.count
    }

    @inline(__always)
    mutating func append(_ v: Int32) {
        arena.append(v)
    }

    /// Copies arena[r] (an existing entry's content) onto the candidate.
    @inline(__always)
    mutating func appendCopy(_ r: Range<Int>) {
        for i in r { arena.append(arena[i]) }
    }

    private static func hash(_ a: UnsafeBufferPointer<Int32>, _ r: Range<Int>) -> UInt32 {
        var h: UInt32 = 2_166_136_261 ^ UInt32(truncatingIfNeeded: r.count)
        for i in r {
            h = (h ^ UInt32(bitPattern: a[i])) &* 16_777_619
        }
        return h ^ (h >> 15)
    }

    /// The table slot for a slice with hash `h` and content arena[start..<end]: the slot of the equal
    /// entry if there is one, else the free slot where it would go.
    private func probe(_ h: UInt32, _ start: Int, _ end: Int) -> (slot: Int, entry: Int?) {
        let mask = table.count - 1
        var slot = Int(h) & mask
        while stamps[slot] == generation {
            let e = Int(table[slot])
            if hashes[e] == h {
                let r = range(e)
                if r.count == end - start {
                    var equal = true
                    var i = r.lowerBound
                    var j = start
                    while i < r.upperBound {
                        if arena[i] != arena[j] { equal = false; break }
                        i += 1
                        j += 1
                    }
                    if equal { return (slot, e) }
                }
            }
            slot = (slot + 1) & mask
        }
        return (slot, nil)
    }

    /// Keeps the candidate if no equal entry exists; returns (entry index, whether it is new).
    @discardableResult
    mutating func commitCandidate() -> (entry: Int, inserted: Bool) {
        let start = candidateStart
        let end = arena.count
        let h = arena.withUnsafeBufferPointer { Self.hash($0, start..<end) }
        if (count + 1) * 2 > table.count { grow() }
        let (slot, existing) = probe(h, start, end)
        if let e = existing {
            arena.removeSubrange(start..<end)
            return (e, false)
        }
        let e = count
        stamps[slot] = generation
        table[slot] = Int32(e)
        bounds.append(Int32(start))
        bounds.append(Int32(end))
        hashes.append(h)
        return (e, true)
    }

    /// Index of the entry equal to the candidate, or nil; the candidate is dropped either way.
    mutating func findCandidate() -> Int? {
        let start = candidateStart
        let end = arena.count
        let h = arena.withUnsafeBufferPointer { Self.hash($0, start..<end) }
        let e = probe(h, start, end).entry
        arena.removeSubrange(start..<end)
        return e
    }

    private mutating func grow() {
        table = [Int32](repeating: 0, count: table.count * 2)
        stamps = [UInt32](repeating: 0, count: table.count)
        generation = 1
        rebuildTable()
    }

    private mutating func rebuildTable() {
        generation &+= 1
        if generation == 0 {
            for i in stamps.indices { stamps[i] = 0 }
            generation = 1
        }
        let mask = table.count - 1
        for e in 0..<count {
            var slot = Int(hashes[e]) & mask
            while stamps[slot] == generation { slot = (slot + 1) & mask }
            stamps[slot] = generation
            table[slot] = Int32(e)
        }
    }
}
