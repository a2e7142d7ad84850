/// The split passes the pre-tokenizers chain. Each maps a list of fragments (ranges of scalar
/// indices) to a finer list that covers the same scalars and never crosses a fragment end.
///
/// llama.cpp (src/unicode.cpp `unicode_regex_split`) runs each regex either through a
/// hand-written scanner (GPT-2, Llama 3, Qwen 2, Qwen 3.5) or through `std::regex`. The passes
/// here follow whichever of the two llama.cpp uses for that regex, because its output — not
/// the regex as a Unicode-aware engine would read it — is what GGUF models are tested against.
/// What the `std::regex` route implies:
/// - A regex with a `\p{..}` class runs over a "collapsed" text: ASCII as itself, non-ASCII
///   whitespace as `\v`, every other non-ASCII scalar as one placeholder per category (`\p{N}`,
///   `\p{L}`, `\p{P}`, `\p{M}`, `\p{S}`, anything else). So ASCII literals such as `[a-z]` or
///   `[A-Z]` never match a non-ASCII scalar, and a non-ASCII letter is "not a-z" and "not A-Z"
///   at once: there is no case outside ASCII.
/// - A regex without `\p{..}` runs over the real scalars, non-ASCII whitespace still replaced by
///   `\v`, so no whitespace scalar matches a literal range such as `[ࠀ-一]`.
/// - `\s` is exactly `ScalarClass.whitespace` in both forms.
/// - Matching is ECMAScript's: the leftmost match, alternatives in order, greedy loops that back
///   off one scalar at a time. Unmatched scalars between two matches stay one fragment, whereas
///   the hand-written scanners emit each unmatched scalar alone.
struct WordScanner {
    let scalars: [Unicode.Scalar]
    let classes: [ScalarClass]

    private static let apostrophe = UInt32(UInt8(ascii: "'"))
    private static let space = UInt32(UInt8(ascii: " "))
    private static let notOther: ScalarClass = [.whitespace, .letter, .number]

    // MARK: - Generic passes

    /// A single-scalar regex (`\p{N}`, `[\r\n]`): every member scalar alone, the gaps kept.
    func isolate(_ fragments: [Range<Int>], _ isMember: (Unicode.Scalar, ScalarClass) -> Bool) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(fragments.count)
        for fragment in fragments {
            var start = fragment.lowerBound
            for pos in fragment where isMember(scalars[pos], classes[pos]) {
                if pos > start { out.append(start..<pos) }
                out.append(pos..<(pos + 1))
                start = pos + 1
            }
            if start < fragment.upperBound { out.append(start..<fragment.upperBound) }
        }
        return out
    }

    /// `[X]+`: maximal runs of members and of non-members.
    func runs(_ fragments: [Range<Int>], _ isMember: (Unicode.Scalar, ScalarClass) -> Bool) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(fragments.count)
        for fragment in fragments {
            var start = fragment.lowerBound
            var previous: Bool? = nil
            for pos in fragment {
                let member = isMember(scalars[pos], classes[pos])
                if let previous, previous != member {
                    out.append(start..<pos)
                    start = pos
                }
                previous = member
            }
            if start < fragment.upperBound { out.append(start..<fragment.upperBound) }
        }
        return out
    }

    /// llama.cpp src/unicode.cpp `unicode_regex_split_stl`: in each fragment, the leftmost match,
    /// then the leftmost match after it, and so on; matches and the gaps between them are the
    /// new fragments.
    /// - Parameter match: the end of the match that starts at `pos` (never `pos` itself: none of
    ///   the regexes matches the empty string), or nil. `end` is the fragment end: the regex sees
    ///   nothing past it, lookaheads included.
    func matches(_ fragments: [Range<Int>], _ match: (_ pos: Int, _ end: Int) -> Int?) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(fragments.count)
        for fragment in fragments {
            let end = fragment.upperBound
            var gapStart = fragment.lowerBound
            var pos = fragment.lowerBound
            while pos < end {
                guard let matchEnd = match(pos, end) else {
                    pos += 1
                    continue
                }
                if pos > gapStart { out.append(gapStart..<pos) }
                out.append(pos..<matchEnd)
                pos = matchEnd
                gapStart = pos
            }
            if gapStart < end { out.append(gapStart..<end) }
        }
        return out
    }

    /// `[0-9][0-9][0-9]`: triples of ASCII digits.
    func asciiDigitTriples(_ fragments: [Range<Int>]) -> [Range<Int>] {
        matches(fragments) { pos, end in
            guard pos + 3 <= end else { return nil }
            return isASCIIDigit(pos) && isASCIIDigit(pos + 1) && isASCIIDigit(pos + 2) ? pos + 3 : nil
        }
    }

    /// `\p{N}{1,n}`: runs of numbers cut into groups of `n` from the left.
    func numberGroups(_ fragments: [Range<Int>], of size: Int) -> [Range<Int>] {
        matches(fragments) { pos, end in
            guard classes[pos].contains(.number) else { return nil }
            var next = pos + 1
            while next < end && next - pos < size && classes[next].contains(.number) { next += 1 }
            return next
        }
    }

    /// `\s?[X]+`: a run of members, with the one whitespace scalar before it if there is one.
    func optionalSpaceRuns(_ fragments: [Range<Int>], _ isMember: (Unicode.Scalar, ScalarClass) -> Bool) -> [Range<Int>] {
        matches(fragments) { pos, end in
            var next = pos
            if !isMember(scalars[pos], classes[pos]) {
                guard classes[pos].contains(.whitespace), pos + 1 < end, isMember(scalars[pos + 1], classes[pos + 1]) else {
                    return nil
                }
                next = pos + 1
            }
            while next < end && isMember(scalars[next], classes[next]) { next += 1 }
            return next
        }
    }

    /// `\s+$`: the whitespace that ends a fragment, apart from what precedes it.
    func trailingWhitespace(_ fragments: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(fragments.count * 2)
        for fragment in fragments {
            var cut = fragment.upperBound
            while cut > fragment.lowerBound && classes[cut - 1].contains(.whitespace) { cut -= 1 }
            if cut > fragment.lowerBound && cut < fragment.upperBound {
                out.append(fragment.lowerBound..<cut)
                out.append(cut..<fragment.upperBound)
            } else {
                out.append(fragment)
            }
        }
        return out
    }

    // MARK: - Hand-written scanners (llama.cpp src/unicode.cpp)

    /// llama.cpp src/unicode.cpp `unicode_regex_split_custom_gpt2`.
    func gpt2(_ fragments: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(fragments.count * 2)
        for fragment in fragments {
            let end = fragment.upperBound
            /// Class at `pos`, nil past the fragment end.
            func cls(_ pos: Int) -> ScalarClass? { pos < end ? classes[pos] : nil }
            var pos = fragment.lowerBound
            var wordStart = pos
            func emit(_ upTo: Int) {
                if upTo > wordStart { out.append(wordStart..<upTo) }
                wordStart = upTo
            }

            while pos < end {
                let cpt = scalars[pos].value
                if cpt == WordScanner.apostrophe, let length = contractionLength(at: pos, end: end, caseInsensitive: false) {
                    pos += length
                    emit(pos)
                    continue
                }
                let leadingSpace = cpt == WordScanner.space
                let flags = leadingSpace ? cls(pos + 1) : classes[pos]
                if let flags {
                    if flags.contains(.letter) {
                        pos += leadingSpace ? 2 : 1
                        while cls(pos)?.contains(.letter) == true { pos += 1 }
                        emit(pos)
                        continue
                    }
                    if flags.contains(.number) {
                        pos += leadingSpace ? 2 : 1
                        while cls(pos)?.contains(.number) == true { pos += 1 }
                        emit(pos)
                        continue
                    }
                    if flags.isDisjoint(with: WordScanner.notOther) {
                        pos += leadingSpace ? 2 : 1
                        while let next = cls(pos), next.isDisjoint(with: WordScanner.notOther) { pos += 1 }
                        emit(pos)
                        continue
                    }
                }
                // No alternative matched: the scalar stands alone.
                pos = whitespaceEnd(at: pos, end: end, stopAtLineBreak: false) ?? pos + 1
                emit(pos)
            }
        }
        return out
    }

    /// llama.cpp src/unicode.cpp `unicode_regex_split_custom_llama3`, and the variants of its regex
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// other models use.
    /// - Parameters:
    ///   - digitGroup: the `{1,3}` of `\p{N}{1,3}` (Qwen 2's regex has single digits).
    ///   - contractions: whether the `(?i:'s|...)` alternative is there.
    ///   - marksJoinLetters: `[\p{L}\p{M}]+` for `\p{L}+`, and `\p{M}` out of the punctuation
    ///     class (Qwen 3.5, `unicode_regex_split_custom_qwen35`).
    ///   - lineBreaksAfterPunctuation: whether punctuation takes the line breaks after it (`[\r\n]*`).
    func llama3(
        _ fragments: [Range<Int>], digitGroup: Int = 3, contractions: Bool = true,
        marksJoinLetters: Bool = false, lineBreaksAfterPunctuation: Bool = true
    ) -> [Range<Int>] {
        let word: ScalarClass = marksJoinLetters ? [.letter, .mark] : .letter
        let notOther = WordScanner.notOther.union(word)
        var out: [Range<Int>] = []
        out.reserveCapacity(fragments.count * 2)
        for fragment in fragments {
            let end = fragment.upperBound
            func cls(_ pos: Int) -> ScalarClass? { pos < end ? classes[pos] : nil }
            func isWord(_ pos: Int) -> Bool { cls(pos).map { !$0.isDisjoint(with: word) } ?? false }
            var pos = fragment.lowerBound
            var wordStart = pos
            func emit(_ upTo: Int) {
                if upTo > wordStart { out.append(wordStart..<upTo) }
                wordStart = upTo
            }

            while pos < end {
                let cpt = scalars[pos].value
                let flags = classes[pos]
                if contractions && cpt == WordScanner.apostrophe,
                   let length = contractionLength(at: pos, end: end, caseInsensitive: true) {
                    pos += length
                    emit(pos)
                    continue
                }
                // [^\r\n\p{L}\p{N}]?\p{L}+
                if !isLineBreak(pos) && !flags.contains(.number) && (isWord(pos) || isWord(pos + 1)) {
                    pos += 1
                    while isWord(pos) { pos += 1 }
                    emit(pos)
                    continue
                }
                // \p{N}{1,3}
                if flags.contains(.number) {
                    var groupStart = pos
                    while cls(pos)?.contains(.number) == true {
                        pos += 1
                        if pos - groupStart >= digitGroup {
                            emit(pos)
                            groupStart = pos
                        }
                    }
                    emit(pos)
                    continue
                }
                // ' '?[^\s\p{L}\p{N}]+[\r\n]*
                let leadingSpace = cpt == WordScanner.space
                if let flags2 = leadingSpace ? cls(pos + 1) : flags, flags2.isDisjoint(with: notOther) {
                    pos += leadingSpace ? 2 : 1
                    while let next = cls(pos), next.isDisjoint(with: notOther) { pos += 1 }
                    while lineBreaksAfterPunctuation && pos < end && isLineBreak(pos) { pos += 1 }
                    emit(pos)
                    continue
                }
                pos = whitespaceEnd(at: pos, end: end, stopAtLineBreak: true) ?? pos + 1
                emit(pos)
            }
        }
        return out
    }

    // MARK: - Matchers for std::regex pre-tokenizers

    /// DeepSeek V3's word regex (src/llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_DEEPSEEK3_LLM):
    /// `[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    /// as std::regex matches it at `pos` over the collapsed text.
    func deepseekV3Word(at pos: Int, end: Int) -> Int? {
        let scalar = scalars[pos], cls = classes[pos]
        let symbols: ScalarClass = [.punctuation, .symbol]
        let word: ScalarClass = [.letter, .mark]
        // [!"#...~][A-Za-z]+: the punctuation and symbols of ASCII, then ASCII letters.
        if scalar.isASCII && !cls.isDisjoint(with: symbols) && pos + 1 < end && isASCIILetter(pos + 1) {
            var next = pos + 2
            while next < end && isASCIILetter(next) { next += 1 }
            return next
        }
        // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
        let canPrefix = !isLineBreak(pos) && cls.isDisjoint(with: [.letter, .punctuation, .symbol])
        if (canPrefix && pos + 1 < end && !classes[pos + 1].isDisjoint(with: word)) || !cls.isDisjoint(with: word) {
            var next = pos + 1
            while next < end && !classes[next].isDisjoint(with: word) { next += 1 }
            return next
        }
        // ' '?[\p{P}\p{S}]+[\r\n]*
        var start = pos
        if scalar == " " && pos + 1 < end && !classes[pos + 1].isDisjoint(with: symbols) { start = pos + 1 }
        if !classes[start].isDisjoint(with: symbols) {
            var next = start + 1
            while next < end && !classes[next].isDisjoint(with: symbols) { next += 1 }
            while next < end && isLineBreak(next) { next += 1 }
            return next
        }
        return whitespaceEnd(at: pos, end: end, stopAtLineBreak: true)
    }

    /// Tekken's regex (src/llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_TEKKEN) and, with contractions
    /// and `digitGroup` 3, GPT-4o's (LLAMA_VOCAB_PRE_TYPE_GPT4O, Llama 4), at `pos`:
    /// `[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+<c>|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*<c>|\p{N}{1,d}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// where `<c>` is `(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?` or nothing.
    /// llama.cpp's rewrite of the tokenizer.json regex, whose `\p{Lu}`..`\p{M}` std::regex lacks.
    func mixedCaseWord(at pos: Int, end: Int, digitGroup: Int, contractions: Bool) -> Int? {
        let cls = classes[pos]
        var letters: Int? = nil
        if cls.contains(.letter) {
            letters = pos
        } else if !isLineBreak(pos) && !cls.contains(.number) && pos + 1 < end && classes[pos + 1].contains(.letter) {
            letters = pos + 1
        }
        if let letters {
            var next = caseWordEnd(from: letters, end: end)
            if contractions && next < end && scalars[next].value == WordScanner.apostrophe,
               let length = contractionLength(at: next, end: end, caseInsensitive: true) {
                next += length
            }
            return next
        }
        if cls.contains(.number) {
            var next = pos + 1
            while next < end && next - pos < digitGroup && classes[next].contains(.number) { next += 1 }
            return next
        }
        // ' '?[^\s\p{L}\p{N}]+[\r\n/]*
        var start = pos
        if scalars[pos] == " " && pos + 1 < end && classes[pos + 1].isDisjoint(with: WordScanner.notOther) { start = pos + 1 }
        if classes[start].isDisjoint(with: WordScanner.notOther) {
            var next = start + 1
            while next < end && classes[next].isDisjoint(with: WordScanner.notOther) { next += 1 }
            while next < end && (isLineBreak(next) || scalars[next] == "/") { next += 1 }
            return next
        }
        return whitespaceEnd(at: pos, end: end, stopAtLineBreak: true)
    }

    /// Where the letters from `start` end under `U*L+|U+L*`, with U a letter other than a-z and
    /// L a letter other than A-Z (so every non-ASCII letter is both). The first alternative backs
    /// off its greedy U* until an L follows: to the last non-ASCII letter of the U run if no L
    /// comes after the run.
    private func caseWordEnd(from start: Int, end: Int) -> Int {
        var next = start
        var lastNonASCII: Int? = nil
        while next < end && classes[next].contains(.letter) && !isASCIILower(next) {
            if !scalars[next].isASCII { lastNonASCII = next }
            next += 1
        }
        if next < end && classes[next].contains(.letter) {
            // An a-z letter: L+ runs over a-z and non-ASCII letters.
            while next < end && classes[next].contains(.letter) && !isASCIIUpper(next) { next += 1 }
            return next
        }
        if let lastNonASCII { return lastNonASCII + 1 }
        return next  // U+L*: the run is all A-Z and nothing of L follows
    }

    // MARK: - Shared pieces

    /// Length of `'s|'t|'re|'ve|'m|'ll|'d` at `pos` (an apostrophe), or nil.
    private func contractionLength(at pos: Int, end: Int, caseInsensitive: Bool) -> Int? {
        guard pos + 1 < end else { return nil }
        func lower(_ index: Int) -> UInt32 {
            let value = scalars[index].value
            // Only ASCII letters lower-case to s/t/r/e/v/m/l/d, so ASCII folding matches unicode_tolower.
            return caseInsensitive && (65...90).contains(value) ? value + 32 : value
        }
        let next = lower(pos + 1)
        if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 { return 2 }  // s t m d
        guard pos + 2 < end else { return nil }
        let nextNext = lower(pos + 2)
        if (next == 0x72 && nextNext == 0x65) || (next == 0x76 && nextNext == 0x65) || (next == 0x6C && nextNext == 0x6C) {
            return 3  // re ve ll
        }
        return nil
    }

    /// End of `\s*[\r\n]+|\s+(?!\S)|\s+` at `pos` (the first alternative only if
    /// `stopAtLineBreak`), or nil if `pos` is not whitespace.
    private func whitespaceEnd(at pos: Int, end: Int, stopAtLineBreak: Bool) -> Int? {
        var next = pos
        var afterLastLineBreak: Int? = nil
        while next < end && classes[next].contains(.whitespace) {
            if isLineBreak(next) { afterLastLineBreak = next + 1 }
            next += 1
        }
        guard next > pos else { return nil }
        if stopAtLineBreak, let afterLastLineBreak { return afterLastLineBreak }
        // \s+(?!\S): leave the last space to prefix the next word.
        if next - pos > 1 && next < end { return next - 1 }
        return next
    }

    @inline(__always) private func isLineBreak(_ pos: Int) -> Bool { scalars[pos] == "\r" || scalars[pos] == "\n" }
    @inline(__always) private func isASCIIDigit(_ pos: Int) -> Bool { (48...57).contains(scalars[pos].value) }
    @inline(__always) private func isASCIIUpper(_ pos: Int) -> Bool { (65...90).contains(scalars[pos].value) }
    @inline(__always) private func isASCIILower(_ pos: Int) -> Bool { (97...122).contains(scalars[pos].value) }
    @inline(__always) private func isASCIILetter(_ pos: Int) -> Bool { isASCIIUpper(pos) || isASCIILower(pos) }
}
