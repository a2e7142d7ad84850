/// Splits text into the words that BPE merges never cross, exactly as llama.cpp does.
///
/// llama.cpp (src/llama-vocab.cpp, `llm_tokenizer_bpe`) describes each pre-tokenizer as a list of
/// regexes applied in turn: each one splits every current fragment into its matches and the gaps
/// between them, and both become fragments. The GPT-2 and Llama 3 regexes run through hand-written
/// scanners there (src/unicode.cpp `unicode_regex_split_custom_gpt2` / `_llama3`), whose
/// behaviour — not the regex's — is what the models were converted against; the scanners here
/// follow those, including their handling of fragment ends. Everything works on indices into an
/// array of Unicode scalars.
enum PreTokenizer: Sendable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`
    case gpt2
    /// `\p{N}` (every digit alone), then GPT-2.
    case smollm
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// Decoding cleans spaces: llama.cpp's `load` sets clean_spaces for every BPE vocabulary and
    /// Llama 3's names do not clear it.
    case llama3
    /// `\p{N}` (every digit alone), then GPT-2, with llama.cpp's space cleaning on decode.
    case starcoder
    /// Llama 3's regex with `\p{N}` instead of `\p{N}{1,3}`; merges always applied.
    case qwen2
    /// llama.cpp's fallback: `[\p{P}\$\+<=>\^~\|]+`, GPT-2, `\p{N}+`, `[0-9][0-9][0-9]`.
    case `default`

    /// Accepted `tokenizer.ggml.pre` values: aliases that llama.cpp src/llama-vocab.cpp `load` maps to
    /// the same regexes *and* the same flags (clean_spaces, ignore_merges, no lstrip/rstrip tokens).
    static let names: [String: PreTokenizer] = [
        "smollm": .smollm, "command-r": .smollm,
        "starcoder": .starcoder, "refact": .starcoder, "codeshell": .starcoder, "exaone": .starcoder,
        "minerva-7b": .starcoder,
        "qwen2": .qwen2, "deepseek-r1-qwen": .qwen2,
        "gpt-2": .gpt2, "phi-2": .gpt2, "gigachat": .gpt2, "mellum": .gpt2, "a.x-4.0": .gpt2,
        "mpt": .gpt2, "olmo": .gpt2, "jais": .gpt2,
        "llama3": .llama3, "llama-v3": .llama3, "llama-bpe": .llama3, "falcon3": .llama3,
        "falcon-h1": .llama3, "pixtral": .llama3, "midm-2.0": .llama3, "lfm2": .llama3,
        "default": .default, "": .default,
    ]

    static var supportedNames: [String] { names.keys.filter { !$0.isEmpty }.sorted() }

    init?(name: String) {
        guard let value = PreTokenizer.names[name] else { return nil }
        self = value
    }

    /// Whether decoding applies llama.cpp's `clean_spaces` pass (" ," -> ","...): on for BPE
    /// vocabularies unless the pre-tokenizer turns it off (src/llama-vocab.cpp `load`).
    var cleansSpaces: Bool {
        switch self {
        case .gpt2, .starcoder, .default, .llama3: return true
        case .smollm, .qwen2: return false
        }
    }

    /// Whether llama.cpp adds BOS when the file has no `tokenizer.ggml.add_bos_token`.
    var addsBOSByDefault: Bool { self == .llama3 }

    /// Whether a word that is itself a token skips the merges (`ignore_merges`, Llama 3 only).
    var ignoresMerges: Bool { self == .llama3 }

    /// Splits `scalars` into consecutive, non-empty, covering ranges.
    /// - Parameters:
    ///   - scalars: the text. (n)
    ///   - classes: `ScalarClass` of each scalar. (n)
    func split(_ scalars: [Unicode.Scalar], _ classes: [ScalarClass]) -> [Range<Int>] {
        guard !scalars.isEmpty else { return [] }
        let text = Scanner(scalars: scalars, classes: classes)
        let whole = [0..<scalars.count]
        switch self {
        case .gpt2:
            return text.gpt2(whole)
        case .smollm, .starcoder:
            return text.gpt2(text.isolate(whole) { $0.contains(.number) })
        case .qwen2:
            return text.llama3(whole, digitGroup: 1)
        case .llama3:
            return text.llama3(whole)
        case .default:
            let punctuation = text.runs(whole) { scalar, cls in
                cls.contains(.punctuation) || "$+<=>^~|".unicodeScalars.contains(scalar)
            }
            let words = text.gpt2(punctuation)
            let numbers = text.runs(words) { _, cls in cls.contains(.number) }
            return text.asciiDigitTriples(numbers)
        }
    }
}

/// The split passes. Each maps a list of fragments to a finer list, never crossing a fragment end.
private struct Scanner {
    let scalars: [Unicode.Scalar]
    let classes: [ScalarClass]

    private static let apostrophe = UInt32(UInt8(ascii: "'"))
    private static let space = UInt32(UInt8(ascii: " "))
    private static let notOther: ScalarClass = [.whitespace, .letter, .number]

    /// `X` as a single-character regex: every scalar matching `isMember` alone, the gaps kept.
    func isolate(_ fragments: [Range<Int>], _ isMember: (ScalarClass) -> Bool) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(fragments.count)
        for fragment in fragments {
            var start = fragment.lowerBound
            for pos in fragment where isMember(classes[pos]) {
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

    /// `[0-9][0-9][0-9]`: leftmost non-overlapping triples of ASCII digits, the gaps kept.
    func asciiDigitTriples(_ fragments: [Range<Int>]) -> [Range<Int>] {
        func isDigit(_ pos: Int) -> Bool { (48...57).contains(scalars[pos].value) }
        var out: [Range<Int>] = []
        for fragment in fragments {
            var start = fragment.lowerBound
            var pos = fragment.lowerBound
            while pos + 3 <= fragment.upperBound {
                if isDigit(pos) && isDigit(pos + 1) && isDigit(pos + 2) {
                    if pos > start { out.append(start..<pos) }
                    out.append(pos..<(pos + 3))
                    pos += 3
                    start = pos
                } else {
                    pos += 1
                }
            }
            if start < fragment.upperBound { out.append(start..<fragment.upperBound) }
        }
        return out
    }

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
                if cpt == Scanner.apostrophe, let length = contractionLength(at: pos, end: end, caseInsensitive: false) {
                    pos += length
                    emit(pos)
                    continue
                }
                let leadingSpace = cpt == Scanner.space
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
                    if flags.isDisjoint(with: Scanner.notOther) {
                        pos += leadingSpace ? 2 : 1
                        while let next = cls(pos), next.isDisjoint(with: Scanner.notOther) { pos += 1 }
                        emit(pos)
                        continue
                    }
                }
                pos = whitespace(at: pos, end: end, stopAtLineBreak: false)
                emit(pos)
            }
        }
        return out
    }

    /// llama.cpp src/unicode.cpp `unicode_regex_split_custom_llama3`.
    /// - Parameter digitGroup: the `{1,3}` of `\p{N}{1,3}` (Qwen 2's regex has single digits).
    func llama3(_ fragments: [Range<Int>], digitGroup: Int = 3) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(fragments.count * 2)
        for fragment in fragments {
            let end = fragment.upperBound
            func cls(_ pos: Int) -> ScalarClass? { pos < end ? classes[pos] : nil }
            func isLineBreak(_ pos: Int) -> Bool { pos < end && (scalars[pos] == "\r" || scalars[pos] == "\n") }
            var pos = fragment.lowerBound
            var wordStart = pos
            func emit(_ upTo: Int) {
                if upTo > wordStart { out.append(wordStart..<upTo) }
                wordStart = upTo
            }

            while pos < end {
                let cpt = scalars[pos].value
                let flags = classes[pos]
                if cpt == Scanner.apostrophe, let length = contractionLength(at: pos, end: end, caseInsensitive: true) {
                    pos += length
                    emit(pos)
                    continue
                }
                // [^\r\n\p{L}\p{N}]?\p{L}+
                if !isLineBreak(pos) && !flags.contains(.number) {
                    if flags.contains(.letter) || cls(pos + 1)?.contains(.letter) == true {
                        pos += 1
                        while cls(pos)?.contains(.letter) == true { pos += 1 }
                        emit(pos)
                        continue
                    }
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
                let leadingSpace = cpt == Scanner.space
                if let flags2 = leadingSpace ? cls(pos + 1) : flags, flags2.isDisjoint(with: Scanner.notOther) {
                    pos += leadingSpace ? 2 : 1
                    while let next = cls(pos), next.isDisjoint(with: Scanner.notOther) { pos += 1 }
                    while isLineBreak(pos) { pos += 1 }
                    emit(pos)
                    continue
                }
                pos = whitespace(at: pos, end: end, stopAtLineBreak: true)
                emit(pos)
            }
        }
        return out
    }

    /// Length of `'s|'t|'re|'ve|'m|'ll|'d` at `pos`, or nil.
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

    /// The whitespace alternatives shared by both scanners; returns where the word ends.
    /// `stopAtLineBreak` adds Llama 3's `\s*[\r\n]+`.
    private func whitespace(at pos: Int, end: Int, stopAtLineBreak: Bool) -> Int {
        var count = 0
        var afterLastLineBreak: Int? = nil
        while pos + count < end, classes[pos + count].contains(.whitespace) {
            let scalar = scalars[pos + count]
            if scalar == "\r" || scalar == "\n" { afterLastLineBreak = pos + count + 1 }
            count += 1
        }
        if stopAtLineBreak, let afterLastLineBreak { return afterLastLineBreak }
        // \s+(?!\S): leave the last space to prefix the next word.
        if count > 1 && pos + count < end { return pos + count - 1 }
        if count > 0 { return pos + count }
        return pos + 1  // no alternative matched: the scalar stands alone
    }
}
