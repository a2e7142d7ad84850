import Synchronization

/// Every token's bytes of one model, arranged for grammar masking: a byte trie in depth-first order, so
/// that computing the allowed tokens is one linear pass that skips a whole subtree at the first byte the
/// grammar rejects. Build once per model; share freely.
public final class GrammarVocabulary: Sendable {
    /// Number of token ids.
    public let count: Int

    // The trie. Node 0 is the root (the empty prefix); nodes are numbered in depth-first preorder, so
    // node i's subtree is i ..< subtreeEnd[i].
    struct Node {
        /// Bytes from the root << 8 | the byte on the edge into the node.
        var depthAndByte: UInt32
        /// The node's subtree is this node ..< subtreeEnd.
        var subtreeEnd: Int32
        /// Tokens spelled by node i: tokenList[tokenStart of i ..< tokenStart of i + 1].
        var tokenStart: Int32
    }
    let nodes: [Node]         // (nNodes + 1) the last is a sentinel holding the end of tokenList
    let tokenList: [Int32]    // (non-empty tokens)
    let tokenBytes: [[UInt8]] // (count)
    let maxDepth: Int

    /// Grammar automata reused across calls, one per grammar, most recently used last: a server
    /// alternates between the grammars of the requests it decodes together. Used by one caller at a
    /// time (a caller that finds them busy builds a temporary one).
    private let caches = Mutex<[GrammarStateCache]>([])
    private static let cachedGrammars = 8

    /// - Parameter tokens: each token's bytes, indexed by token id. A token with no bytes (a control
    ///   token) is never allowed by the byte grammar.
    public init(tokens: [[UInt8]]) {
        count = tokens.count
        tokenBytes = tokens
        let order = tokens.indices.filter { !tokens[$0].isEmpty }.sorted {
            tokens[$0].lexicographicallyPrecedes(tokens[$1]) || (tokens[$0] == tokens[$1] && $0 < $1)
        }
        var bytes: [UInt8] = [0]
        var depth: [Int32] = [0]
        var end: [Int32] = [0]
        var start: [Int32] = [0]
        var list: [Int32] = []
        list.reserveCapacity(order.count)
        var path: [Int32] = [0]  // node at each depth along the current token
        var previous: [UInt8] = []
        for t in order {
            let b = tokens[t]
            var common = 0
            while common < min(b.count, previous.count) && b[common] == previous[common] { common += 1 }
            while path.count > common + 1 {
                end[Int(path.removeLast())] = Int32(bytes.count)
            }
            for k in common ..< b.count {
                path.append(Int32(bytes.count))
                bytes.append(b[k])
                depth.append(Int32(k + 1))
                end.append(0)
                start.append(Int32(list.count))
            }
            list.append(Int32(t))
            previous = b
        }
        while let n = path.popLast() { end[Int(n)] = Int32(bytes.count) }
        start.append(Int32(list.count))
        var nodes: [Node] = []
        nodes.reserveCapacity(bytes.count + 1)
        for i in bytes.indices {
            nodes.append(Node(depthAndByte: UInt32(min(depth[i], 0xFF_FFFF)) << 8 | UInt32(bytes[i]),
                              subtreeEnd: end[i], tokenStart: start[i]))
        }
        nodes.append(Node(depthAndByte: 0, subtreeEnd: Int32(bytes.count), tokenStart: start[bytes.count]))
        self.nodes = nodes
        tokenList = list
        maxDepth = Int(depth.max() ?? 0)
    }

    /// Runs `body` with this vocabulary's automaton for `program`, or a fresh one if another thread holds it.
    private func withCache<R: Sendable>(_ program: GrammarProgram, _ body: (inout GrammarStateCache) -> R) -> R {
        let result: R? = caches.withLockIfAvailable { (list: inout [GrammarStateCache]) -> R in
            var slot: GrammarStateCache
            if let i = list.firstIndex(where: { $0.program === program }) {
                slot = list.remove(at: i)
                if slot.stateCount > GrammarStateCache.maxStates { slot.clear() }
            } else {
                slot = GrammarStateCache(program: program)
                if list.count >= GrammarVocabulary.cachedGrammars { list.removeFirst() }
            }
            let result = body(&slot)
            list.append(slot)
            return result
        }
        if let result { return result }
        var temporary = GrammarStateCache(program: program)
        return body(&temporary)
    }

    /// Writes allowed[t] = true for every token whose bytes the matcher accepts (false for the others)
    /// and returns how many are allowed.
    /// - Parameters:
    ///   - matcher: the grammar state.
    ///   - allowed: at least `count` flags, indexed by token id.
    public func allowedTokens(_ matcher: GrammarMatcher, into allowed: UnsafeMutableBufferPointer<Bool>) -> Int {
        precondition(allowed.count >= count, "allowedTokens needs \(count) flags, got \(allowed.count)")
        allowed.update(repeating: false)
        var n = withCache(matcher.program) { cache in
            let root = cache.state(of: matcher)
            return walk(&cache, root: root, matcher.partial, allowed)
        }
        let elements = matcher.tokenElementsOnTop
        if !elements.isEmpty {
            for (id, negated) in elements {
                if negated {
                    for t in 0..<count where t != Int(id) && !tokenBytes[t].isEmpty { allowed[t] = true }
                } else if id >= 0 && Int(id) < count {
                    allowed[Int(id)] = true
                }
            }
            n = 0
            for t in 0..<count where allowed[t] { n += 1 }
        }
        return n
    }

    /// The trie walk: node by node in preorder, each node's state from its parent's by one transition.
    private func walk(_ cache: inout GrammarStateCache, root: Int32, _ rootPartial: UTF8Partial,
                      _ allowed: UnsafeMutableBufferPointer<Bool>) -> Int {
        var n = 0
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: maxDepth + 1) { states in
        withUnsafeTemporaryAllocation(of: UTF8Partial.self, capacity: maxDepth + 1) { partials in
            states[0] = root
            partials[0] = rootPartial
            nodes.withUnsafeBufferPointer { nodes in
            tokenList.withUnsafeBufferPointer { list in
                var i = 1
                let count = nodes.count - 1
                while i < count {
                    let node = nodes[i]
                    let d = Int(node.depthAndByte >> 8)
                    let parent = states[d - 1]
                    let parentPartial = partials[d - 1]
                    let b = UInt8(truncatingIfNeeded: node.depthAndByte)
                    if !parentPartial.isOpen && b < 0x80 {
                        // The common case, inlined: one table read.
                        let s = cache.nextASCII(parent, b)
                        if s < 0 {
                            i = Int(node.subtreeEnd)
                            continue
                        }
                        states[d] = s
                        partials[d] = .none
                    } else {
                        guard let (s, p) = cache.next(parent, parentPartial, b) else {
                            i = Int(node.subtreeEnd)
                            continue
                        }
                        states[d] = s
                        partials[d] = p
                    }
                    var k = Int(node.tokenStart)
                    let kEnd = Int(nodes[i + 1].tokenStart)
                    while k < kEnd {
                        allowed[Int(list[k])] = true
                        n += 1
                        k += 1
                    }
                    i += 1
                }
            }}
        }}
        return n
    }

    /// Whether the matcher accepts token `token` (its bytes, or its id where the grammar names token ids).
    public func allows(_ matcher: GrammarMatcher, token: Int32) -> Bool {
        guard token >= 0 && Int(token) < count else { return false }
        for (id, negated) in matcher.tokenElementsOnTop {
            if negated ? (id != token && !tokenBytes[Int(token)].isEmpty) : id == token { return true }
        }
        let bytes = tokenBytes[Int(token)]
        if bytes.isEmpty { return false }
        return withCache(matcher.program) { cache in
            var s = cache.state(of: matcher)
            var p = matcher.partial
            for b in bytes {
                guard let (s2, p2) = cache.next(s, p, b) else { return false }
                s = s2
                p = p2
            }
            return true
        }
    }
}

extension GrammarVocabulary {
    /// The bytes of token `token` as given to `init` (empty for ids outside the vocabulary).
    public func bytes(of token: Int32) -> [UInt8] {
        token >= 0 && Int(token) < count ? tokenBytes[Int(token)] : []
    }
}
