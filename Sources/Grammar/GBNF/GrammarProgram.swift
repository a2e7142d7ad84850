/// A compiled grammar: every rule's alternatives laid out in flat integer arrays, the form the matcher
/// walks. A parse state is a set of pushdown stacks of positions in these arrays (llama.cpp's model,
/// src/llama-grammar.cpp: the top of each stack is the terminal to match next, the entries below are
/// where to continue once the rule above them is done).
///
/// Layout: each alternative is its elements followed by one `end` element; `altStarts` lists where each
/// alternative of each rule begins. An empty alternative starts at its `end`.
final class GrammarProgram: Sendable {
    enum Kind: UInt8 {
        case end = 0, rule, chars, token, notToken
    }

    /// Kind of the element at each position. // (nPositions)
    let kinds: [UInt8]
    /// Rule id, class id or token id of each position. // (nPositions)
    let values: [Int32]
    /// Start positions of all alternatives, rule by rule. // (nAlternatives)
    let altStarts: [Int32]
    /// Rule r's alternatives are altStarts[altBounds[r] ..< altBounds[r + 1]]. // (nRules + 1)
    let altBounds: [Int32]
    /// The character classes. // (nClasses)
    let classes: [CodePointSet]
    /// ASCII membership of each class, flattened: bit c of asciiBits[2 * class + c / 64]. // (nClasses * 2)
    let asciiBits: [UInt64]
    /// Ranges of all classes, flattened: class k's inclusive ranges are the pairs in
    /// classRanges[classRangeStart[k] ..< classRangeStart[k + 1]]. // (nClasses + 1), (2 * nRanges)
    let classRangeStart: [Int32]
    let classRanges: [UInt32]
    /// Whether each class holds all non-ASCII code points (1), none (0), or some (-1). // (nClasses)
    let classHigh: [Int8]
    let names: [String]
    let root: Int32
    /// Whether any rule mentions a token id (then token-level matching matters).
    let hasTokens: Bool

    /// Deepest stack kept; deeper branches (hostile nesting) are dropped.
    static let maxStackDepth = 4096
    /// Most intermediate stacks one step may visit; keeps pathological grammars from hanging.
    static let maxStepWork = 200_000

    init(_ parsed: ParsedGrammar, root: Int32) {
        var kinds: [UInt8] = []
        var values: [Int32] = []
        var altStarts: [Int32] = []
        var altBounds: [Int32] = [0]
        var hasTokens = false
        for rule in parsed.rules {
            for alternative in rule ?? [] {
                altStarts.append(Int32(kinds.count))
                for item in alternative {
                    switch item {
                    case .chars(let c): kinds.append(Kind.chars.rawValue); values.append(c)
                    case .rule(let r): kinds.append(Kind.rule.rawValue); values.append(r)
                    case .token(let t): kinds.append(Kind.token.rawValue); values.append(t); hasTokens = true
                    case .notToken(let t): kinds.append(Kind.notToken.rawValue); values.append(t); hasTokens = true
                    }
                }
                kinds.append(Kind.end.rawValue)
                values.append(0)
            }
            altBounds.append(Int32(altStarts.count))
        }
        self.kinds = kinds
        self.values = values
        self.altStarts = altStarts
        self.altBounds = altBounds
        self.classes = parsed.classes
        self.asciiBits = parsed.classes.flatMap { [$0.asciiLow, $0.asciiHigh] }
        var starts: [Int32] = [0]
        var ranges: [UInt32] = []
        for c in parsed.classes {
            ranges.append(contentsOf: c.ranges)
            starts.append(Int32(ranges.count))
        }
        self.classHigh = parsed.classes.map { c in
            if !c.intersects(0x80, CodePointSet.maxCodePoint) { return 0 }
            // All of U+0080...U+10FFFF lie in one range.
            var i = 0
            while i < c.ranges.count {
                if c.ranges[i] <= 0x80 && c.ranges[i + 1] >= CodePointSet.maxCodePoint { return 1 }
                i += 2
            }
            return -1
        }
        self.classRangeStart = starts
        self.classRanges = ranges
        self.names = parsed.names
        self.root = root
        self.hasTokens = hasTokens
    }

    @inline(__always)
    func kind(_ position: Int32) -> Kind {
        Kind(rawValue: kinds[Int(position)]) ?? .end
    }

    @inline(__always)
    func classContains(_ classID: Int32, _ c: UInt32) -> Bool {
        if c < 128 {
            return asciiBits[Int(classID) &* 2 &+ Int(c >> 6)] & (1 << UInt64(c & 63)) != 0
        }
        var i = Int(classRangeStart[Int(classID)])
        let end = Int(classRangeStart[Int(classID) + 1])
        while i < end {
            if c < classRanges[i] { return false }
            if c <= classRanges[i + 1] { return true }
            i &+= 2
        }
        return false
    }

    /// Whether class `classID` has a code point in lo...hi.
    @inline(__always)
    func classIntersects(_ classID: Int32, _ lo: UInt32, _ hi: UInt32) -> Bool {
        var i = Int(classRangeStart[Int(classID)])
        let end = Int(classRangeStart[Int(classID) + 1])
        while i < end {
            if classRanges[i] > hi { return false }
            if classRanges[i + 1] >= lo { return true }
            i &+= 2
        }
        return false
    }

    // MARK: - Left recursion

    /// The first rule found that can reach itself before consuming input, as llama.cpp decides it
    /// (src/llama-grammar.cpp, llama_grammar_detect_left_recursion): a rule "may be empty" only when one
    /// of its alternatives is literally empty, and only leftmost references, or references after such
    /// rules, are followed. An iterative depth-first search, so deep rule chains cannot overflow the stack.
    static func leftRecursiveRule(_ parsed: ParsedGrammar) -> Int? {
        let n = parsed.rules.count
        var state = [UInt8](repeating: 0, count: n)  // 0 unvisited, 1 in progress, 2 done
        var mayBeEmpty = [Bool](repeating: false, count: n)
        for r in 0..<n {
            mayBeEmpty[r] = (parsed.rules[r] ?? []).contains { $0.isEmpty }
        }
        // The leftmost references of a rule, in order.
        func leftRefs(_ r: Int) -> [Int] {
            var refs: [Int] = []
            for alternative in parsed.rules[r] ?? [] {
                for item in alternative {
                    guard case .rule(let ref) = item else { break }
                    refs.append(Int(ref))
                    if !mayBeEmpty[Int(ref)] { break }
                }
            }
            return refs
        }
        for start in 0..<n where state[start] == 0 {
            var frames: [(rule: Int, refs: [Int], next: Int)] = [(start, leftRefs(start), 0)]
            state[start] = 1
            while let frame = frames.last {
                if frame.next == frame.refs.count {
                    state[frame.rule] = 2
                    frames.removeLast()
                    continue
                }
                frames[frames.count - 1].next += 1
                let ref = frame.refs[frame.next]
                if state[ref] == 1 { return ref }
                if state[ref] == 0 {
                    state[ref] = 1
                    frames.append((ref, leftRefs(ref), 0))
                }
            }
        }
        return nil
    }
}
