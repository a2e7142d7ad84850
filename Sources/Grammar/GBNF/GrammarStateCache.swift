/// Grammar states met while masking, numbered, with their transitions filled in on first use: a lazily
/// built automaton. Masking walks a vocabulary trie through it, so a transition costs one real grammar
/// step the first time and a table read after that.
///
/// A state here is a stack set (no open UTF-8 sequence): the walk carries the open sequence beside it.
/// What a code point does to a stack set depends only on which of the classes on top of its stacks
/// contain it (its signature), so non-ASCII code points are cached by signature: inside a JSON string
/// every code point but `"` and `\` has the same one, and the thousands of scripts' characters in a
/// vocabulary cost one step together.
///
/// A value type so that the walk reaches its tables without dynamic exclusivity checks; GrammarVocabulary
/// keeps one behind a lock and reuses it across calls.
struct GrammarStateCache {
    static let unknown: Int32 = -2
    static let dead: Int32 = -1
    /// States kept across calls before the cache is cleared.
    static let maxStates = 16_384
    /// More distinct classes than this on top of one state's stacks: cache by code point instead.
    static let maxSignatureClasses = 63

    let program: GrammarProgram
    /// State keys: stack 0 ..., -1, stack 1 ..., -1, ...
    private var keys = SliceSet()
    /// The stack set of each state. // (nStates)
    private var sets: [StackSet] = []
    /// ascii[state * 128 + byte]: next state, `dead` or `unknown`. // (nStates * 128)
    private(set) var ascii: [Int32] = []
    /// Distinct classes on top of state s's stacks: topClasses[topStart[s] ..< topStart[s + 1]].
    private var topStart: [Int32] = [0]  // (nStates + 1)
    private var topClasses: [Int32] = []
    private struct SignatureKey: Hashable {
        var state: Int32
        var signature: UInt64
    }
    private var bySignature: [SignatureKey: Int32] = [:]
    /// Where every non-ASCII code point leads from each state when its top classes each hold all or
    /// none of them (`dead`, a state, or `unknown` until computed); `mixed` when they differ. // (nStates)
    private var high: [Int32] = []
    static let mixed: Int32 = -3
    private let scratch = GrammarScratch()

    init(program: GrammarProgram) {
        self.program = program
    }

    var stateCount: Int { sets.count }

    mutating func clear() {
        keys.removeAll()
        sets.removeAll(keepingCapacity: true)
        ascii.removeAll(keepingCapacity: true)
        topStart.removeAll(keepingCapacity: true)
        topStart.append(0)
        topClasses.removeAll(keepingCapacity: true)
        high.removeAll(keepingCapacity: true)
        bySignature.removeAll(keepingCapacity: true)
    }

    mutating private func intern(_ stacks: StackSet) -> Int32 {
        keys.beginCandidate()
        for i in 0..<stacks.count {
            for j in stacks.bounds(i) { keys.append(stacks.elements[j]) }
            keys.append(-1)
        }
        let (e, inserted) = keys.commitCandidate()
        if inserted {
            sets.append(stacks)
            ascii.append(contentsOf: repeatElement(Self.unknown, count: 128))
            let first = topClasses.count
            var uniform = true
            for i in 0..<stacks.count {
                let r = stacks.bounds(i)
                if r.isEmpty { continue }
                let top = stacks.elements[r.upperBound - 1]
                guard program.kinds[Int(top)] == GrammarProgram.Kind.chars.rawValue else { continue }
                let c = program.values[Int(top)]
                if !topClasses[first...].contains(c) { topClasses.append(c) }
                if program.classHigh[Int(c)] < 0 { uniform = false }
            }
            topStart.append(Int32(topClasses.count))
            high.append(uniform ? Self.unknown : Self.mixed)
        }
        return Int32(e)
    }

    /// The state of `matcher`'s stacks (its open UTF-8 sequence is the caller's to carry).
    mutating func state(of matcher: GrammarMatcher) -> Int32 {
        intern(matcher.stacks)
    }

    /// The state after ASCII byte `b`.
    @inline(__always)
    mutating func nextASCII(_ state: Int32, _ b: UInt8) -> Int32 {
        let t = ascii[Int(state) &* 128 &+ Int(b)]
        if t != Self.unknown { return t }
        let t2 = next(state, codePoint: UInt32(b))
        ascii[Int(state) &* 128 &+ Int(b)] = t2
        return t2
    }

    /// The state after code point `c`.
    mutating func next(_ state: Int32, codePoint c: UInt32) -> Int32 {
        let lo = Int(topStart[Int(state)])
        let hi = Int(topStart[Int(state) + 1])
        var signature: UInt64 = 0
        if hi - lo <= Self.maxSignatureClasses {
            for k in lo..<hi where program.classContains(topClasses[k], c) {
                signature |= 1 << UInt64(k - lo)
            }
            if signature == 0 { return Self.dead }
        } else {
            signature = 1 << 63 | UInt64(c)
        }
        let key = SignatureKey(state: state, signature: signature)
        if let t = bySignature[key] { return t }
        var t = Self.dead
        if program.step(sets[Int(state)], codePoint: c, scratch) {
            t = intern(program.result(scratch))
        }
        bySignature[key] = t
        return t
    }

    /// Whether some class on top of `state`'s stacks has a code point in lo...hi.
    @inline(__always)
    func canContinue(_ state: Int32, _ lo: UInt32, _ hi: UInt32) -> Bool {
        for k in Int(topStart[Int(state)]) ..< Int(topStart[Int(state) + 1])
        where program.classIntersects(topClasses[k], lo, hi) {
            return true
        }
        return false
    }

    /// One byte from (state, partial): the next pair, or nil when the byte is rejected.
    @inline(__always)
    mutating func next(_ state: Int32, _ partial: UTF8Partial, _ b: UInt8) -> (Int32, UTF8Partial)? {
        var h = high[Int(state)]
        if h != Self.mixed && b >= 0x80 {
            // Every non-ASCII code point does the same here: only UTF-8 validity is left to check.
            if h == Self.unknown {
                h = next(state, codePoint: 0x80)
                high[Int(state)] = h
            }
            if h < 0 { return nil }
            guard let p = partial.isOpen ? partial.adding(b) : UTF8Partial.start(b) else { return nil }
            return p.isOpen ? (state, p) : (h, .none)
        }
        if !partial.isOpen {
            if b < 0x80 {
                let t = nextASCII(state, b)
                return t < 0 ? nil : (t, .none)
            }
            guard let p = UTF8Partial.start(b), let (lo, hi) = p.range, canContinue(state, lo, hi) else { return nil }
            return (state, p)
        }
        guard let p = partial.adding(b) else { return nil }
        if p.isOpen {
            guard let (lo, hi) = p.range, canContinue(state, lo, hi) else { return nil }
            return (state, p)
        }
        let t = next(state, codePoint: p.value)
        return t < 0 ? nil : (t, .none)
    }
}
