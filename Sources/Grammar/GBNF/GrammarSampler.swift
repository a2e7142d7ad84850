extension Grammar {
    /// A random sentence of the grammar, for cross-checking grammars and matchers; nil when none was
    /// produced within the bounds (or the grammar needs token ids, which have no text).
    ///
    /// Alternatives are picked uniformly until `maxDepth` rules are open; deeper than that, each rule takes
    /// an alternative of least minimal length, so the sentence closes. Characters are drawn from each
    /// class, printable ASCII preferred. The result is checked with `accepts` before it is returned.
    /// - Parameters:
    ///   - rng: the random source.
    ///   - maxDepth: nesting of rules beyond which the shortest way out is taken.
    public func randomSentence<R: RandomNumberGenerator>(using rng: inout R, maxDepth: Int) -> String? {
        let p = program
        let minimal = p.minimalLengths
        let altLength = { (a: Int) -> Int in p.alternativeMinimalLength(Int(p.altStarts[a]), minimal) }
        var scalars = String.UnicodeScalarView()
        var work: [(position: Int32, depth: Int)] = []
        let r = Int(p.root)
        guard let first = pick(Int(p.altBounds[r]) ..< Int(p.altBounds[r + 1]), depth: 0, maxDepth: maxDepth,
                               altLength, &rng) else { return nil }
        work.append((p.altStarts[first], 1))
        var steps = 0
        while let (pos, depth) = work.popLast() {
            steps += 1
            if steps > 1_000_000 || scalars.count > 100_000 { return nil }
            switch p.kind(pos) {
            case .end:
                continue
            case .chars:
                work.append((pos + 1, depth))
                guard let c = p.classes[Int(p.values[Int(pos)])].randomScalar(using: &rng) else { return nil }
                scalars.append(c)
            case .token, .notToken:
                return nil
            case .rule:
                work.append((pos + 1, depth))
                let rule = Int(p.values[Int(pos)])
                guard let a = pick(Int(p.altBounds[rule]) ..< Int(p.altBounds[rule + 1]), depth: depth,
                                   maxDepth: maxDepth, altLength, &rng) else { return nil }
                work.append((p.altStarts[a], depth + 1))
            }
        }
        let text = String(scalars)
        return accepts(text) ? text : nil
    }

    private func pick<R: RandomNumberGenerator>(_ alternatives: Range<Int>, depth: Int, maxDepth: Int,
                                                 _ length: (Int) -> Int, _ rng: inout R) -> Int? {
        if alternatives.isEmpty { return nil }
        if depth < maxDepth {
            let finite = alternatives.filter { length($0) < Int.max }
            return finite.randomElement(using: &rng)
        }
        return alternatives.min { length($0) < length($1) }.flatMap { length($0) < Int.max ? $0 : nil }
    }
}

extension GrammarProgram {
    /// The fewest code points each rule can match (Int.max when it can match nothing finite), by fixpoint.
    var minimalLengths: [Int] {
        let n = altBounds.count - 1
        var best = [Int](repeating: Int.max, count: n)
        var changed = true
        while changed {
            changed = false
            for r in 0..<n {
                for a in Int(altBounds[r]) ..< Int(altBounds[r + 1]) {
                    let l = alternativeMinimalLength(Int(altStarts[a]), best)
                    if l < best[r] {
                        best[r] = l
                        changed = true
                    }
                }
            }
        }
        return best
    }

    func alternativeMinimalLength(_ start: Int, _ minimal: [Int]) -> Int {
        var total = 0
        var i = start
        while kinds[i] != Kind.end.rawValue {
            let add: Int
            switch kind(Int32(i)) {
            case .rule: add = minimal[Int(values[i])]
            case .chars: add = classes[Int(values[i])].isEmpty ? Int.max : 1
            default: add = 1
            }
            if add == Int.max { return Int.max }
            total += add
            i += 1
        }
        return total
    }
}

extension CodePointSet {
    /// A random member, printable ASCII when the set has some (3 times in 4), never a surrogate.
    func randomScalar<R: RandomNumberGenerator>(using rng: inout R) -> Unicode.Scalar? {
        if isEmpty { return nil }
        if Int.random(in: 0..<4, using: &rng) != 0 {
            let printable = (32...126).filter { contains(UInt32($0)) }
            if let c = printable.randomElement(using: &rng) { return Unicode.Scalar(UInt32(c)) }
        }
        for _ in 0..<16 {
            if let s = Unicode.Scalar(element(at: UInt64.random(in: 0..<count, using: &rng))) { return s }
        }
        return nil
    }
}
