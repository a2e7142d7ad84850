/// Reusable buffers for advancing stack sets: one per thread of work, grown once and then reused, so a
/// step allocates nothing in steady state.
final class GrammarScratch {
    /// Every stack visited during the current step (expansion is memoised on it: a nullable loop such as
    /// `( [x]* )*` comes back to a stack already seen and stops there, as in llama.cpp's advance_stack).
    var seen = SliceSet()
    /// The resulting stacks, all with a terminal on top or empty.
    var out = SliceSet()
    var todo: [Int32] = []
    /// Entries of `out` in canonical (lexicographic) order after `finish`.
    var order: [Int32] = []
    /// Set when a step hit maxStackDepth or maxStepWork and dropped branches.
    var truncated = false

    init() {}

    func begin() {
        seen.removeAll()
        out.removeAll()
        todo.removeAll(keepingCapacity: true)
    }
}

extension GrammarProgram {
    // MARK: - Advancing stacks

    /// Expands every stack on the to-do list until each has a terminal (characters or a token) on top or
    /// is empty, collecting those in `out` (llama.cpp's llama_grammar_advance_stack).
    private func expand(_ s: GrammarScratch) {
        while let e = s.todo.popLast() {
            let r = s.seen.range(Int(e))
            if r.isEmpty {
                s.out.beginCandidate()
                s.out.commitCandidate()
                continue
            }
            let top = s.seen.arena[r.upperBound - 1]
            if kinds[Int(top)] != Kind.rule.rawValue {
                s.out.beginCandidate()
                for i in r { s.out.append(s.seen.arena[i]) }
                s.out.commitCandidate()
                continue
            }
            if r.count + 1 > Self.maxStackDepth || s.seen.count > Self.maxStepWork {
                s.truncated = true
                continue
            }
            let rule = Int(values[Int(top)])
            let base = r.lowerBound ..< r.upperBound - 1
            for a in Int(altBounds[rule]) ..< Int(altBounds[rule + 1]) {
                s.seen.beginCandidate()
                s.seen.appendCopy(base)
                if kinds[Int(top) + 1] != Kind.end.rawValue { s.seen.append(top + 1) }
                let alt = altStarts[a]
                if kinds[Int(alt)] != Kind.end.rawValue { s.seen.append(alt) }
                let (n, inserted) = s.seen.commitCandidate()
                if inserted { s.todo.append(Int32(n)) }
            }
        }
    }

    /// Sorts `out` into canonical order (s.order).
    private func finish(_ s: GrammarScratch) {
        s.order.removeAll(keepingCapacity: true)
        for i in 0..<s.out.count { s.order.append(Int32(i)) }
        if s.order.count > 1 {
            let out = s.out
            s.order.sort { a, b in
                let ra = out.range(Int(a))
                let rb = out.range(Int(b))
                var i = ra.lowerBound
                var j = rb.lowerBound
                while i < ra.upperBound && j < rb.upperBound {
                    let x = out.arena[i]
                    let y = out.arena[j]
                    if x != y { return x < y }
                    i += 1
                    j += 1
                }
                return ra.count < rb.count
            }
        }
    }

    /// The result of the last step as a StackSet.
    func result(_ s: GrammarScratch) -> StackSet {
        var set = StackSet()
        set.elements.reserveCapacity(s.out.arena.count)
        set.ends.reserveCapacity(s.order.count)
        for e in s.order {
            for i in s.out.range(Int(e)) { set.elements.append(s.out.arena[i]) }
            set.ends.append(Int32(set.elements.count))
        }
        return set
    }

    /// The initial stacks: every alternative of the root rule, expanded.
    func initialStacks() -> StackSet {
        let s = GrammarScratch()
        s.begin()
        let r = Int(root)
        for a in Int(altBounds[r]) ..< Int(altBounds[r + 1]) {
            s.seen.beginCandidate()
            let alt = altStarts[a]
            if kinds[Int(alt)] != Kind.end.rawValue { s.seen.append(alt) }
            let (n, inserted) = s.seen.commitCandidate()
            if inserted { s.todo.append(Int32(n)) }
        }
        expand(s)
        finish(s)
        return result(s)
    }

    /// Advances every stack of `set` whose top is a character class containing `c`, into s.out / s.order.
    /// Returns whether any stack survives.
    func step(_ set: StackSet, codePoint c: UInt32, _ s: GrammarScratch) -> Bool {
        s.begin()
        set.elements.withUnsafeBufferPointer { elements in
            for i in 0..<set.count {
                let r = set.bounds(i)
                if r.isEmpty { continue }
                let top = elements[r.upperBound - 1]
                guard kinds[Int(top)] == Kind.chars.rawValue, classContains(values[Int(top)], c) else { continue }
                s.seen.beginCandidate()
                for j in r.lowerBound ..< r.upperBound - 1 { s.seen.append(elements[j]) }
                if kinds[Int(top) + 1] != Kind.end.rawValue { s.seen.append(top + 1) }
                let (n, inserted) = s.seen.commitCandidate()
                if inserted { s.todo.append(Int32(n)) }
            }
        }
        expand(s)
        finish(s)
        return !s.order.isEmpty
    }

    /// Advances every stack of `set` whose top is a token element matching `token`.
    func step(_ set: StackSet, token: Int32, _ s: GrammarScratch) -> Bool {
        s.begin()
        for i in 0..<set.count {
            let r = set.bounds(i)
            if r.isEmpty { continue }
            let top = set.elements[r.upperBound - 1]
            let k = kinds[Int(top)]
            let v = values[Int(top)]
            guard (k == Kind.token.rawValue && v == token) || (k == Kind.notToken.rawValue && v != token) else { continue }
            s.seen.beginCandidate()
            for j in r.lowerBound ..< r.upperBound - 1 { s.seen.append(set.elements[j]) }
            if kinds[Int(top) + 1] != Kind.end.rawValue { s.seen.append(top + 1) }
            let (n, inserted) = s.seen.commitCandidate()
            if inserted { s.todo.append(Int32(n)) }
        }
        expand(s)
        finish(s)
        return !s.order.isEmpty
    }

    /// Whether some stack of `set` has a character class on top that meets lo...hi.
    func anyClassIntersects(_ set: StackSet, _ lo: UInt32, _ hi: UInt32) -> Bool {
        for i in 0..<set.count {
            let r = set.bounds(i)
            if r.isEmpty { continue }
            let top = set.elements[r.upperBound - 1]
            if kinds[Int(top)] == Kind.chars.rawValue && classes[Int(values[Int(top)])].intersects(lo, hi) {
                return true
            }
        }
        return false
    }

    /// Advances (`set`, `partial`) by one byte; nil when the byte is rejected.
    func step(_ set: StackSet, _ partial: UTF8Partial, byte b: UInt8,
              _ s: GrammarScratch) -> (StackSet, UTF8Partial)? {
        if partial.isOpen {
            guard let p = partial.adding(b) else { return nil }
            if p.isOpen {
                guard let (lo, hi) = p.range, anyClassIntersects(set, lo, hi) else { return nil }
                return (set, p)
            }
            return step(set, codePoint: p.value, s) ? (result(s), .none) : nil
        }
        if b < 0x80 {
            return step(set, codePoint: UInt32(b), s) ? (result(s), .none) : nil
        }
        guard let p = UTF8Partial.start(b), let (lo, hi) = p.range, anyClassIntersects(set, lo, hi) else { return nil }
        return (set, p)
    }
}
