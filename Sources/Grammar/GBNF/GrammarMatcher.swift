/// Where a grammar stands after some bytes: a value, so it can be copied to try alternatives.
///
/// Input is UTF-8 bytes; a token may end inside a code point, and the open sequence is kept and checked
/// (a prefix no allowed code point starts with is rejected at once).
public struct GrammarMatcher: Sendable, Hashable {
    let program: GrammarProgram
    var stacks: StackSet
    var partial: UTF8Partial

    public static func == (a: GrammarMatcher, b: GrammarMatcher) -> Bool {
        a.program === b.program && a.stacks == b.stacks && a.partial == b.partial
    }

    public func hash(into h: inout Hasher) {
        h.combine(ObjectIdentifier(program))
        h.combine(stacks)
        h.combine(partial)
    }

    /// Consumes `bytes`. Returns false, leaving the state unchanged, when the grammar rejects them.
    @discardableResult
    public mutating func accept(_ bytes: some Collection<UInt8>) -> Bool {
        guard let next = advanced(by: bytes, GrammarScratch()) else { return false }
        self = next
        return true
    }

    /// Whether `accept(bytes)` would succeed.
    public func canAccept(_ bytes: some Collection<UInt8>) -> Bool {
        advanced(by: bytes, GrammarScratch()) != nil
    }

    /// Consumes one token: grammar elements `<[id]>` / `!<[id]>` match its id, everything else its bytes
    /// (llama.cpp's llama_grammar_accept_token). Returns false, leaving the state unchanged, on rejection.
    @discardableResult
    public mutating func accept(token: Int32, bytes: some Collection<UInt8>) -> Bool {
        let s = GrammarScratch()
        var byToken = StackSet()
        if program.hasTokens && partial == .none && program.step(stacks, token: token, s) {
            byToken = program.result(s)
        }
        var byBytes: GrammarMatcher? = nil
        if !bytes.isEmpty {
            byBytes = advanced(by: bytes, s)
        }
        if byToken.isEmpty {
            guard let b = byBytes else { return false }
            self = b
            return true
        }
        guard let b = byBytes, !b.stacks.isEmpty else {
            self = GrammarMatcher(program: program, stacks: byToken, partial: .none)
            return true
        }
        // Both ways survive: the union, unless the bytes left a code point open (then the token-matched
        // stacks, which expect a fresh token, cannot share the state; keep the byte reading).
        if b.partial.isOpen {
            self = b
            return true
        }
        var all: [[Int32]] = []
        for set in [byToken, b.stacks] {
            for i in 0..<set.count { all.append(Array(set.elements[set.bounds(i)])) }
        }
        var merged = StackSet()
        for stack in Set(all).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            merged.elements.append(contentsOf: stack)
            merged.ends.append(Int32(merged.elements.count))
        }
        self = GrammarMatcher(program: program, stacks: merged, partial: .none)
        return true
    }

    /// Whether the bytes so far form a complete sentence (end of sequence may be sampled).
    public var isComplete: Bool {
        !partial.isOpen && stacks.hasEmptyStack
    }

    /// Whether nothing more can be appended: only end of sequence is left.
    public var isExhausted: Bool {
        if partial.isOpen { return false }
        for i in 0..<stacks.count where !stacks.bounds(i).isEmpty { return false }
        return true
    }

    /// The tokens the grammar demands or forbids by id next: (id, negated) for each `<[id]>` or `!<[id]>`
    /// element on top of a stack.
    var tokenElementsOnTop: [(id: Int32, negated: Bool)] {
        guard program.hasTokens, !partial.isOpen else { return [] }
        var result: [(Int32, Bool)] = []
        for i in 0..<stacks.count {
            let r = stacks.bounds(i)
            if r.isEmpty { continue }
            let top = stacks.elements[r.upperBound - 1]
            switch program.kind(top) {
            case .token: result.append((program.values[Int(top)], false))
            case .notToken: result.append((program.values[Int(top)], true))
            default: break
            }
        }
        return result
    }

    func advanced(by bytes: some Collection<UInt8>, _ s: GrammarScratch) -> GrammarMatcher? {
        var set = stacks
        var p = partial
        for b in bytes {
            guard let (nextSet, nextPartial) = program.step(set, p, byte: b, s) else { return nil }
            set = nextSet
            p = nextPartial
        }
        return GrammarMatcher(program: program, stacks: set, partial: p)
    }
}
