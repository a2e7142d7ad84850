import Synchronization

/// Text <-> token ids for the tokenizers of the Llama family: byte-level BPE (GPT-2, Llama 3,
/// SmolLM, Qwen, ...) and SentencePiece-style BPE with byte fallback (Llama 2, Mistral, Phi-3),
/// loaded from a GGUF vocabulary, a Hugging Face `tokenizer.json`, a SentencePiece `.model` or a
/// tiktoken file. Each source is tokenized the way its reference implementation does it
/// (see `TokenizerDefinition`).
///
/// Immutable after `init` except for a word cache behind a mutex, so one instance can serve
/// concurrent requests.
public final class Tokenizer: Sendable {
    public let vocabularySize: Int
    /// Beginning-of-sequence token, if the vocabulary has one.
    public let bosID: Int32?
    /// End-of-sequence token, if the vocabulary has one.
    public let eosID: Int32?

    let rules: Rules
    let encoder: BytePairEncoder
    /// Token texts by id, as stored. (vocabularySize)
    let tokenTexts: [String]
    /// Token text's UTF-8 -> id, for whole-word lookups (`ignoreMerges`). Keyed by bytes: Swift
    /// strings compare by canonical equivalence, and vocabularies hold canonically equivalent
    /// tokens (Llama 2 has both U+03AF and U+1F77).
    let idsByText: [[UInt8]: Int32]
    /// Token of each single-scalar text (character alphabet).
    let scalarTokens: [UInt32: Int32]
    /// Token of each byte: its one-character token (byte-level) or its `<0xXX>` token. (256)
    let byteTokens: [Int32]
    /// Bytes each token decodes to (special tokens: their text). (vocabularySize)
    let pieces: [[UInt8]]
    /// (vocabularySize)
    let attributes: [TokenAttributes]
    /// Tokens split out of text before anything else, longest first.
    let specialTokens: [SpecialToken]
    let endOfGenerationIDs: Set<Int32>
    /// Some special tokens are matched in normalized text (tokenizer.json `normalized: true`).
    let hasNormalizedTokens: Bool
    /// Fragment word bytes -> ids. Cleared when it reaches `cacheLimit` entries.
    private let wordCache = Mutex<[[UInt8]: [Int32]]>([:])
    private static let cacheLimit = 1 << 16
    /// Longest word (in bytes) that is cached.
    private static let cachedWordLimit = 256

    /// The encoding and decoding rules of `TokenizerDefinition`, without the vocabulary data.
    struct Rules: Sendable {
        var alphabet: TokenizerDefinition.Alphabet
        var normalizer: [NormalizerStep]
        var spacePrefix: TokenizerDefinition.SpacePrefix
        var spacePrefixUnlessPresent: Bool
        var escapeSpaces: Bool
        var removeExtraSpaces: Bool
        var preTokenizer: PreTokenizer?
        var byteLevelPrefixSpace: Bool
        var splitAtMarker: Bool
        var ignoreMerges: Bool
        var byteFallback: Bool
        var unknownID: Int32?
        var fuseUnknown: Bool
        var prefixIDs: [Int32]
        var suffixIDs: [Int32]
        var stripUnicodeWhitespace: Bool
        var leadingSpace: TokenizerDefinition.LeadingSpace
        var cleanSpaces: Bool
        var byteRuns: TokenizerDefinition.ByteRuns
        var hiddenAttributes: TokenAttributes
        var leftmostLongest: Bool
        var unsplitSpecialsBlock: Bool
    }

    struct SpecialToken: Sendable {
        var id: Int32
        var bytes: [UInt8]
        /// Control and unknown tokens are matched only when the caller asks to parse specials;
        /// user-defined ones always (llama.cpp src/llama-vocab.cpp `tokenizer_st_partition`).
        var needsParseSpecial: Bool
        var lstrip: Bool
        var rstrip: Bool
        /// tokenizer.json `normalized`: matched in the normalized text.
        var normalized: Bool
    }

    /// Builds a tokenizer from a definition, checking it for consistency.
    /// - Throws: `TokenizerError.inconsistent` for ids out of range, duplicate tokens, or merges
    ///   that are malformed or name unknown tokens.
    init(definition d: TokenizerDefinition) throws {
        let count = d.tokens.count
        guard count > 0, count < Int(Int32.max) else {
            throw TokenizerError.inconsistent("the vocabulary has \(count) tokens")
        }
        guard d.attributes.count == count else {
            throw TokenizerError.inconsistent("\(d.attributes.count) token types for \(count) tokens")
        }
        func checkID(_ id: Int32?, _ name: String) throws {
            if let id, id < 0 || Int(id) >= count {
                throw TokenizerError.inconsistent("\(name) token id \(id) is outside the vocabulary of \(count) tokens")
            }
        }
        try checkID(d.bosID, "BOS")
        try checkID(d.eosID, "EOS")
        try checkID(d.eotID, "EOT")
        try checkID(d.unknownID, "unknown")
        for id in d.prefixIDs + d.suffixIDs + Array(d.extraEndOfGenerationIDs) { try checkID(id, "special") }

        var idsByText: [[UInt8]: Int32] = [:]
        idsByText.reserveCapacity(count)
        for (index, text) in d.tokens.enumerated() {
            if let earlier = idsByText.updateValue(Int32(index), forKey: Array(text.utf8)) {
                throw TokenizerError.inconsistent("tokens \(earlier) and \(index) are both '\(text)'")
            }
        }

        var attributes = d.attributes
        var endOfGenerationIDs = d.extraEndOfGenerationIDs
        if let eos = d.eosID { endOfGenerationIDs.insert(eos) }
        if let eot = d.eotID { endOfGenerationIDs.insert(eot) }
        if d.detectSpecialByName {
            KnownSpecialTokens.apply(tokens: d.tokens, attributes: &attributes, endOfGenerationIDs: &endOfGenerationIDs)
        }
        if let rule = d.rstripSpecialTokens {
            for (index, text) in d.tokens.enumerated() {
                let special = !attributes[index].isDisjoint(with: [.control, .userDefined, .unknown])
                if rule.also.contains(text) || (special && !rule.except.contains(text)) {
                    attributes[index].insert(.rstrip)
                }
            }
        }

        var byteTokens = [Int32](repeating: -1, count: 256)
        var scalarTokens: [UInt32: Int32] = [:]
        switch d.alphabet {
        case .byteLevel:
            for byte in 0..<256 { byteTokens[byte] = idsByText[Array(ByteLevel.encode([UInt8(byte)]).utf8)] ?? -1 }
        case .characters:
            for (index, text) in d.tokens.enumerated() {
                let scalars = text.unicodeScalars
                if scalars.count == 1, let scalar = scalars.first, scalarTokens[scalar.value] == nil {
                    scalarTokens[scalar.value] = Int32(index)
                }
            }
            for byte in 0..<256 {
                // llama.cpp `byte_to_token` / sentencepiece byte pieces: "<0xXX>", upper-case hex.
                if let id = idsByText[Array(Tokenizer.byteTokenText(UInt8(byte)).utf8)] {
                    byteTokens[byte] = id
                }
            }
        }

        let merges = try Tokenizer.mergeTable(d, idsByText: idsByText, attributes: attributes)

        let specialTokens = attributes.indices
            .filter { !attributes[$0].isDisjoint(with: [.control, .userDefined, .unknown]) && !(d.matchTexts[Int32($0)] ?? d.tokens[$0]).isEmpty }
            .map { index in
                SpecialToken(
                    id: Int32(index), bytes: Array((d.matchTexts[Int32(index)] ?? d.tokens[index]).utf8),
                    needsParseSpecial: !attributes[index].isDisjoint(with: .special),
                    lstrip: attributes[index].contains(.lstrip), rstrip: attributes[index].contains(.rstrip),
                    normalized: d.normalizedTokens.contains(Int32(index))
                )
            }
            .sorted { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }

        self.vocabularySize = count
        self.bosID = d.bosID
        self.eosID = d.eosID
        self.rules = Rules(
            alphabet: d.alphabet, normalizer: d.normalizer, spacePrefix: d.spacePrefix,
            spacePrefixUnlessPresent: d.spacePrefixUnlessPresent, escapeSpaces: d.escapeSpaces,
            removeExtraSpaces: d.removeExtraSpaces, preTokenizer: d.preTokenizer,
            byteLevelPrefixSpace: d.byteLevelPrefixSpace, splitAtMarker: d.splitAtMarker,
            ignoreMerges: d.ignoreMerges, byteFallback: d.byteFallback, unknownID: d.unknownID,
            fuseUnknown: d.fuseUnknown, prefixIDs: d.prefixIDs, suffixIDs: d.suffixIDs,
            stripUnicodeWhitespace: d.stripUnicodeWhitespace, leadingSpace: d.leadingSpace,
            cleanSpaces: d.cleanSpaces, byteRuns: d.byteRuns,
            hiddenAttributes: d.hiddenAttributes, leftmostLongest: d.leftmostLongest,
            unsplitSpecialsBlock: d.unsplitSpecialsBlock
        )
        var encoder = BytePairEncoder(merges: merges)
        if case .scores(_, let results) = d.merges, results?.contains(.unused) == true {
            encoder.splitResults = Set(attributes.indices.filter { attributes[$0].contains(.unused) }.map(Int32.init))
        }
        self.encoder = encoder
        self.tokenTexts = d.tokens
        self.idsByText = idsByText
        self.scalarTokens = scalarTokens
        self.byteTokens = byteTokens
        self.pieces = d.pieces ?? zip(d.tokens, attributes).map { Tokenizer.llamaCppPiece(text: $0, attributes: $1, alphabet: d.alphabet) }
        self.attributes = attributes
        self.specialTokens = specialTokens
        self.endOfGenerationIDs = endOfGenerationIDs
        self.hasNormalizedTokens = specialTokens.contains(where: \.normalized)
    }

    static func byteTokenText(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return "<0x" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self) + ">"
    }

    // MARK: - Merge tables

    /// (left id, right id) -> (rank, result id) for every merge the definition allows.
    private static func mergeTable(
        _ d: TokenizerDefinition, idsByText: [[UInt8]: Int32], attributes: [TokenAttributes]
    ) throws -> [UInt64: BytePairEncoder.Merge] {
        var merges: [UInt64: BytePairEncoder.Merge] = [:]
        switch d.merges {
        case .ranked(let pairs):
            merges.reserveCapacity(pairs.count)
            for (rank, (left, right)) in pairs.enumerated() {
                guard let leftID = idsByText[Array(left.utf8)], let rightID = idsByText[Array(right.utf8)] else {
                    let missing = idsByText[Array(left.utf8)] == nil ? left : right
                    throw TokenizerError.inconsistent("merge \(rank) '\(left) \(right)' names '\(missing)', which is not a token")
                }
                guard let resultID = idsByText[Array(left.utf8) + Array(right.utf8)] else {
                    throw TokenizerError.inconsistent("merge \(rank) '\(left) \(right)' makes '\(left + right)', which is not a token")
                }
                let key = BytePairEncoder.key(leftID, rightID)
                if merges[key] == nil {  // a repeated merge keeps its first rank, as std::map::emplace does
                    merges[key] = .init(rank: Int32(rank), result: resultID)
                }
            }
        case .scores(let scores, let results):
            guard scores.count == d.tokens.count else {
                throw TokenizerError.inconsistent("\(scores.count) token scores for \(d.tokens.count) tokens")
            }
            // Higher score merges first; equal scores are equal ranks (leftmost wins).
            let distinct = Set(scores.filter { !$0.isNaN }).sorted(by: >)
            var rankOfScore: [Float: Int32] = [:]
            for (rank, score) in distinct.enumerated() { rankOfScore[score] = Int32(rank) }
            let worst = Int32(distinct.count)
            for (index, text) in d.tokens.enumerated() {
                if let results, attributes[index].isDisjoint(with: results) { continue }
                let utf8 = Array(text.utf8)
                let rank = rankOfScore[scores[index]] ?? worst
                for cut in 1..<max(utf8.count, 1) where !UTF8.isContinuation(utf8[cut]) {
                    guard let leftID = idsByText[Array(utf8[..<cut])],
                          let rightID = idsByText[Array(utf8[cut...])] else { continue }
                    merges[BytePairEncoder.key(leftID, rightID)] = .init(rank: rank, result: Int32(index))
                }
            }
        case .ranks:
            var idsByBytes: [[UInt8]: Int32] = [:]
            let tokenBytes = d.tokens.map { text in text.unicodeScalars.compactMap(ByteLevel.byte(for:)) }
            idsByBytes.reserveCapacity(tokenBytes.count)
            for (index, bytes) in tokenBytes.enumerated() where attributes[index].contains(.normal) {
                idsByBytes[bytes] = Int32(index)
            }
            for (index, bytes) in tokenBytes.enumerated() where bytes.count >= 2 && attributes[index].contains(.normal) {
                for cut in 1..<bytes.count {
                    guard let leftID = idsByBytes[Array(bytes[..<cut])], let rightID = idsByBytes[Array(bytes[cut...])] else { continue }
                    merges[BytePairEncoder.key(leftID, rightID)] = .init(rank: Int32(index), result: Int32(index))
                }
            }
        }
        return merges
    }

    /// llama.cpp src/llama-vocab.cpp `token_to_piece`, with special tokens shown.
    static func llamaCppPiece(text: String, attributes: TokenAttributes, alphabet: TokenizerDefinition.Alphabet) -> [UInt8] {
        if !attributes.isDisjoint(with: [.unknown, .control, .userDefined]) {
            return Array(text.utf8)
        }
        if attributes.contains(.normal) {
            switch alphabet {
            case .characters:
                return Array(text.replacingMarkers().utf8)
            case .byteLevel:
                var bytes: [UInt8] = []
                bytes.reserveCapacity(text.unicodeScalars.count)
                for scalar in text.unicodeScalars {
                    if let byte = ByteLevel.byte(for: scalar) {
                        bytes.append(byte)
                    } else {
                        // `llama_decode_text` keeps what it cannot map, marked.
                        let hex = String(scalar).utf8.map { hexByte($0) }.joined()
                        bytes.append(contentsOf: Array("[UNK_BYTE_0x\(hex)\(text)]".utf8))
                    }
                }
                return bytes
            }
        }
        if attributes.contains(.byte) {
            // `token_to_byte`: "<0xXX>" byte-fallback tokens.
            let utf8 = Array(text.utf8)
            guard utf8.count >= 5, let byte = UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16) else { return [] }
            return [byte]
        }
        return []
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
    }

    // MARK: - Encoding

    /// Tokenizes text the way the tokenizer's reference implementation does (`llama_tokenize`
    /// for GGUF vocabularies).
    /// - Parameters:
    ///   - text: the text.
    ///   - addSpecial: add BOS / EOS (or the tokenizer.json post-processor's tokens) where the
    ///     vocabulary asks for them.
    ///   - parseSpecial: turn the text of control tokens such as `<|im_start|>` into those tokens;
    ///     otherwise such text is tokenized as ordinary characters. User-defined tokens are
    ///     always recognised.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3 + 2)
        if addSpecial { output.append(contentsOf: rules.prefixIDs) }
        let bytes = Array(text.utf8)
        // Special tokens first, then (tokenizer.json `normalized`, sentencepiece user-defined
        // pieces) the tokens matched in normalized text: tokenizers
        // `AddedVocabulary::extract_and_normalize`, sentencepiece's normalize-then-PrefixMatch.
        var pieces: [Piece] = []
        for fragment in partition(bytes, parseSpecial: parseSpecial, normalizedPass: false) {
            switch fragment {
            case .token(let id):
                pieces.append(.token(id))
            case .text(let range) where hasNormalizedTokens:
                let normalized = Array(normalize(String(decoding: bytes[range], as: UTF8.self)).utf8)
                for inner in partition(normalized, parseSpecial: parseSpecial, normalizedPass: true) {
                    switch inner {
                    case .token(let id): pieces.append(.token(id))
                    case .text(let part):
                        pieces.append(.text(normalized[part], offset: range.lowerBound + part.lowerBound, normalized: true))
                    }
                }
            case .text(let range):
                pieces.append(.text(bytes[range], offset: range.lowerBound, normalized: false))
            }
        }
        var afterSpecial = true
        for piece in pieces {
            switch piece {
            case .token(let id):
                output.append(id)
                afterSpecial = true
            case .text(let text, let offset, let normalized):
                let prefix: Bool
                switch rules.spacePrefix {
                case .never: prefix = false
                case .firstFragment: prefix = offset == 0
                case .everyFragment: prefix = true
                case .afterSpecial: prefix = afterSpecial
                }
                encodeFragment(text, prefix: prefix, normalized: normalized, into: &output)
                afterSpecial = false
            }
        }
        if addSpecial { output.append(contentsOf: rules.suffixIDs) }
        return output
    }

    enum Fragment {
        case text(Range<Int>)
        case token(Int32)
    }

    /// Text to encode (already normalized or not) or a matched token.
    enum Piece {
        case text(ArraySlice<UInt8>, offset: Int, normalized: Bool)
        case token(Int32)
    }

    /// Splits out special tokens, longest first (llama.cpp `tokenizer_st_partition`), dropping
    /// whitespace next to tokens marked lstrip / rstrip.
    /// - Parameter normalizedPass: match only the tokens tokenizer.json marks `normalized`
    ///   (in normalized text), else only the others (all of them without a normalizer).
    func partition(_ bytes: [UInt8], parseSpecial: Bool, normalizedPass: Bool) -> [Fragment] {
        guard !bytes.isEmpty else { return [] }
        // tokenizers finds special tokens even when told not to split them (encode_special_tokens),
        // and a match it then leaves as text still hides overlapping added tokens.
        let blocking = rules.unsplitSpecialsBlock && !parseSpecial
        let candidates = specialTokens.filter {
            (parseSpecial || !$0.needsParseSpecial || blocking) && (hasNormalizedTokens ? $0.normalized == normalizedPass : !normalizedPass)
        }
        guard !candidates.isEmpty else { return [.text(0..<bytes.count)] }
        if rules.leftmostLongest { return partitionLeftmostLongest(bytes, candidates, parseSpecial: parseSpecial) }
        // Where each byte that starts a candidate occurs, so that each token's pass visits only
        // those positions (the same matches as scanning every byte).
        var startsToken = [Bool](repeating: false, count: 256)
        for special in candidates { startsToken[Int(special.bytes[0])] = true }
        var positions = [[Int]](repeating: [], count: 256)
        for (pos, byte) in bytes.enumerated() where startsToken[Int(byte)] { positions[Int(byte)].append(pos) }

        var fragments: [Fragment] = [.text(0..<bytes.count)]
        for special in candidates {
            let length = special.bytes.count
            let starts = positions[Int(special.bytes[0])]
            guard let last = starts.last, starts[0] + length <= bytes.count, last >= 0 else { continue }
            var split: [Fragment] = []
            split.reserveCapacity(fragments.count + 2)
            var index = 0  // into `starts`; fragments are in increasing order
            for fragment in fragments {
                guard case .text(let range) = fragment else {
                    split.append(fragment)
                    continue
                }
                var start = range.lowerBound
                var pos = range.lowerBound
                while index < starts.count && starts[index] < range.lowerBound { index += 1 }
                while index < starts.count && starts[index] + length <= range.upperBound {
                    let candidate = starts[index]
                    index += 1
                    guard candidate >= pos, bytes[candidate..<(candidate + length)].elementsEqual(special.bytes) else { continue }
                    var end = candidate
                    if special.lstrip { end = whitespaceStart(bytes, before: candidate, from: start) }
                    if end > start { split.append(.text(start..<end)) }
                    split.append(.token(special.id))
                    pos = candidate + length
                    if special.rstrip { pos = whitespaceEnd(bytes, after: pos, upTo: range.upperBound) }
                    start = pos
                }
                if start < range.upperBound { split.append(.text(start..<range.upperBound)) }
            }
            fragments = split
        }
        return fragments
    }

    /// One scan from the left taking the longest token at each position (tokenizers' Aho-Corasick
    /// `LeftmostLongest`, sentencepiece's `PrefixMatcher`).
    private func partitionLeftmostLongest(_ bytes: [UInt8], _ candidates: [SpecialToken], parseSpecial: Bool) -> [Fragment] {
        var byFirstByte = [[SpecialToken]](repeating: [], count: 256)
        for special in candidates { byFirstByte[Int(special.bytes[0])].append(special) }  // longest first
        var fragments: [Fragment] = []
        var start = 0, pos = 0
        while pos < bytes.count {
            let match = byFirstByte[Int(bytes[pos])].first { special in
                pos + special.bytes.count <= bytes.count && bytes[pos..<(pos + special.bytes.count)].elementsEqual(special.bytes)
            }
            guard let match else {
                pos += 1
                continue
            }
            guard parseSpecial || !match.needsParseSpecial else {
                pos += match.bytes.count  // found, but stays text
                continue
            }
            var end = pos
            if match.lstrip { end = whitespaceStart(bytes, before: pos, from: start) }
            if end > start { fragments.append(.text(start..<end)) }
            fragments.append(.token(match.id))
            pos += match.bytes.count
            if match.rstrip { pos = whitespaceEnd(bytes, after: pos, upTo: bytes.count) }
            start = pos
        }
        if start < bytes.count { fragments.append(.text(start..<bytes.count)) }
        return fragments
    }

    /// Start of the whitespace run that ends at `pos` (not before `from`).
    private func whitespaceStart(_ bytes: [UInt8], before pos: Int, from: Int) -> Int {
        var start = pos
        while start > from {
            var lead = start - 1  // back over continuation bytes to the scalar's first byte
            while lead > from && bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
            guard isStripSpace(bytes, at: lead) else { break }
            start = lead
        }
        return start
    }

    /// End of the whitespace run that starts at `pos` (not after `upTo`).
    private func whitespaceEnd(_ bytes: [UInt8], after pos: Int, upTo: Int) -> Int {
        var end = pos
        while end < upTo && isStripSpace(bytes, at: end) {
            end += 1
            while end < upTo && bytes[end] & 0xC0 == 0x80 { end += 1 }
        }
        return end
    }

    /// Whether the character at `pos` is whitespace to strip: C `isspace` (llama.cpp) or Unicode
    /// White_Space (tokenizers).
    private func isStripSpace(_ bytes: [UInt8], at pos: Int) -> Bool {
        guard rules.stripUnicodeWhitespace, bytes[pos] >= 0x80 else { return Tokenizer.isASCIISpace(bytes[pos]) }
        let length = Tokenizer.validCharacterLength(bytes, at: pos)
        guard length > 0, let scalar = String(decoding: bytes[pos..<(pos + length)], as: UTF8.self).unicodeScalars.first else { return false }
        return scalar.properties.isWhitespace
    }

    /// C `isspace`.
    static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    /// Encodes text that contains no special tokens.
    /// - Parameter normalized: the text has been through the normalizer already.
    func encodeFragment(_ bytes: ArraySlice<UInt8>, prefix: Bool, normalized: Bool = false, into output: inout [Int32]) {
        var text = String(decoding: bytes, as: UTF8.self)
        if !normalized { text = normalize(text) }
        guard !text.isEmpty else { return }  // text that normalizes to nothing gives nothing
        switch rules.alphabet {
        case .byteLevel:
            // tokenizers' ByteLevel `add_prefix_space`: unless the text starts with " " (only that).
            if rules.byteLevelPrefixSpace && !text.utf8.starts(with: [0x20]) {
                text = " " + text
            }
            if prefix { text = " " + text }
            let scalars = Array(text.unicodeScalars)
            let words: [Range<Int>]
            if let preTokenizer = rules.preTokenizer {
                words = preTokenizer.split(scalars, scalars.map(ScalarClass.init))
            } else {
                words = scalars.isEmpty ? [] : [0..<scalars.count]
            }
            var word: [UInt8] = []
            for range in words {
                word.removeAll(keepingCapacity: true)
                for scalar in scalars[range] { word.append(contentsOf: UTF8.encode(scalar)!) }
                encodeCached(word, into: &output, encodeByteLevelWord)
            }
        case .characters:
            if rules.escapeSpaces { text = text.replacingBytes(" ", with: Tokenizer.marker) }
            if prefix && !(rules.spacePrefixUnlessPresent && text.utf8.starts(with: Tokenizer.marker.utf8)) {
                text = Tokenizer.marker + text
            }
            var word: [UInt8] = []
            let utf8 = Array(text.utf8)
            var start = 0
            func flush(_ end: Int) {
                guard end > start else { return }
                word = Array(utf8[start..<end])
                encodeCached(word, into: &output, encodeCharacterWord)
                start = end
            }
            if rules.splitAtMarker {
                // "▁" is E2 96 81; a word starts at each one.
                var pos = 0
                while pos + 2 < utf8.count {
                    if utf8[pos] == 0xE2 && utf8[pos + 1] == 0x96 && utf8[pos + 2] == 0x81 && pos > start {
                        flush(pos)
                    }
                    pos += 1
                }
            }
            flush(utf8.count)
        }
    }

    static let marker = "\u{2581}"

    private func normalize(_ text: String) -> String {
        var text = text
        if rules.removeExtraSpaces { text = Tokenizer.removeExtraSpaces(text) }
        for step in rules.normalizer { text = step.apply(to: text) }
        return text
    }

    private func encodeCached(_ word: [UInt8], into output: inout [Int32], _ encodeWord: ([UInt8], inout [Int32]) -> Void) {
        // Whole fragments (SentencePiece without word splits) would fill the cache with prompts.
        guard word.count <= Tokenizer.cachedWordLimit else {
            encodeWord(word, &output)
            return
        }
        if let cached = wordCache.withLock({ $0[word] }) {
            output.append(contentsOf: cached)
            return
        }
        var ids: [Int32] = []
        encodeWord(word, &ids)
        output.append(contentsOf: ids)
        wordCache.withLock { cache in
            if cache.count >= Tokenizer.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[word] = ids
        }
    }

    /// One pre-tokenized word of a byte-level vocabulary. Bytes without a token are dropped, as in llama.cpp.
    private func encodeByteLevelWord(_ word: [UInt8], into output: inout [Int32]) {
        if rules.ignoreMerges, let id = idsByText[Array(ByteLevel.encode(word).utf8)] {
            output.append(id)
            return
        }
        encoder.encode(word.map { byteTokens[Int($0)] }) { id, _ in
            if id >= 0 { output.append(id) }
        }
    }

    /// One word of a character vocabulary (UTF-8 of text with "▁" for spaces).
    private func encodeCharacterWord(_ word: [UInt8], into output: inout [Int32]) {
        if rules.ignoreMerges, let id = idsByText[word] {
            output.append(id)
            return
        }
        let text = String(decoding: word, as: UTF8.self)
        let scalars = Array(text.unicodeScalars)
        var fusedUnknown = false
        encoder.encode(scalars.map { scalarTokens[$0.value] ?? -1 }) { id, index in
            if id >= 0 {
                output.append(id)
                fusedUnknown = false
                return
            }
            if rules.byteFallback {
                let utf8 = Array(String(scalars[index]).utf8)
                if utf8.allSatisfy({ byteTokens[Int($0)] >= 0 }) {
                    output.append(contentsOf: utf8.map { byteTokens[Int($0)] })
                    fusedUnknown = false
                    return
                }
            }
            guard let unknown = rules.unknownID else { return }
            if rules.fuseUnknown && fusedUnknown { return }
            output.append(unknown)
            fusedUnknown = true
        }
    }

    /// sentencepiece `remove_extra_whitespaces`: no leading or trailing spaces, runs of spaces as one.
    static func removeExtraSpaces(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar == " " {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(scalar)
        }
        return String(out)
    }

    // MARK: - Decoding

    /// The bytes token ids stand for, as the reference's detokenizer produces them (for GGUF
    /// vocabularies `llama_detokenize` without removing specials). Control tokens are rendered
    /// only when `showSpecial`. Ids outside the vocabulary are skipped.
    public func decodeBytes(_ ids: [Int32], showSpecial: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        var state = DecodeState()
        for id in ids { appendPiece(id, showSpecial: showSpecial, state: &state, to: &bytes) }
        finish(&state, &bytes)
        if rules.cleanSpaces { bytes = Tokenizer.cleanSpaces(bytes) }
        return bytes
    }

    /// Text for token ids; invalid UTF-8 (e.g. a cut-off multi-byte character) becomes U+FFFD.
    public func decode(_ ids: [Int32], showSpecial: Bool = false) -> String {
        String(decoding: decodeBytes(ids, showSpecial: showSpecial), as: UTF8.self)
    }

    /// Raw bytes a token stands for; special tokens give their text, unknown ids nothing.
    public func tokenBytes(_ id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < vocabularySize else { return [] }
        return pieces[Int(id)]
    }

    /// The token's text as the vocabulary stores it (e.g. "Ġthe", "▁the", "<0x0A>").
    public func tokenText(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < vocabularySize else { return nil }
        return tokenTexts[Int(id)]
    }

    /// Whether generation should stop at this token: EOS, EOT and the end-of-turn tokens llama.cpp
    /// recognises by name (`<|im_end|>`, `<|endoftext|>`, ...).
    public func isEndOfGeneration(_ id: Int32) -> Bool {
        endOfGenerationIDs.contains(id)
    }

    /// Every token at which generation stops, in id order.
    public var endOfGenerationTokens: [Int32] { endOfGenerationIDs.sorted() }

    /// Whether a token is a control or unknown token (hidden by `decode` unless `showSpecial`).
    public func isSpecial(_ id: Int32) -> Bool {
        guard id >= 0, Int(id) < vocabularySize else { return false }
        return !attributes[Int(id)].isDisjoint(with: .special)
    }

    /// Whether a token is a control token (llama.cpp `llama_vocab_is_control`).
    public func isControl(_ id: Int32) -> Bool {
        guard id >= 0, Int(id) < vocabularySize else { return false }
        return attributes[Int(id)].contains(.control)
    }

    /// What decoding has seen so far: whether the first token is behind, and an open run of
    /// byte tokens.
    struct DecodeState {
        var tokens = 0
        var visibleTokens = 0
        var byteRunStart: Int? = nil
        /// Bytes appended so far (before any replacement of invalid byte runs).
        var outputBytes = 0
    }

    func appendPiece(_ id: Int32, showSpecial: Bool, state: inout DecodeState, to bytes: inout [UInt8]) {
        guard id >= 0, Int(id) < vocabularySize else { return }
        let index = Int(id)
        let isFirst = state.tokens == 0
        state.tokens += 1
        let isByte = attributes[index].contains(.byte)
        if !isByte && rules.byteRuns == .replaceInvalidBytes { finish(&state, &bytes) }
        if !showSpecial && !attributes[index].isDisjoint(with: rules.hiddenAttributes) { return }
        var piece = pieces[index][...]
        let isFirstVisible = state.visibleTokens == 0
        state.visibleTokens += 1
        switch rules.leadingSpace {
        case .keep:
            break
        case .firstToken:
            if isFirst && piece.first == 0x20 { piece = piece.dropFirst() }
        case .output:
            if isFirstVisible && piece.first == 0x20 { piece = piece.dropFirst() }
        case .firstNormalPiece:
            if isFirstVisible && piece.first == 0x20 && !attributes[index].isDisjoint(with: [.normal, .userDefined, .unused]) {
                piece = piece.dropFirst()
            }
        case .whileOutputEmpty:
            if state.outputBytes == 0 && piece.first == 0x20 && !attributes[index].isDisjoint(with: [.normal, .userDefined, .unused]) {
                piece = piece.dropFirst()
            }
        case .firstTokenAll:
            if isFirstVisible && attributes[index].contains(.normal) && !isByte {
                piece = ArraySlice(Array(String(decoding: piece, as: UTF8.self).replacingBytes(" ", with: "").utf8))
            }
        }
        if rules.byteRuns != .raw {
            if isByte {
                if state.byteRunStart == nil { state.byteRunStart = bytes.count }
            } else {
                finish(&state, &bytes)
            }
        }
        bytes.append(contentsOf: piece)
        state.outputBytes += piece.count
    }

    /// Closes a run of byte tokens, replacing invalid UTF-8 as `rules.byteRuns` says.
    func finish(_ state: inout DecodeState, _ bytes: inout [UInt8]) {
        guard let start = state.byteRunStart else { return }
        state.byteRunStart = nil
        let run = Array(bytes[start...])
        guard String(validating: run, as: UTF8.self) == nil else { return }
        bytes.removeSubrange(start...)
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        switch rules.byteRuns {
        case .raw:
            bytes.append(contentsOf: run)
        case .replaceWholeRun:
            for _ in run { bytes.append(contentsOf: replacement) }
        case .replaceInvalidBytes:
            var pos = 0
            while pos < run.count {
                let length = Tokenizer.validCharacterLength(run, at: pos)
                if length > 0 {
                    bytes.append(contentsOf: run[pos..<(pos + length)])
                    pos += length
                } else {
                    bytes.append(contentsOf: replacement)
                    pos += 1
                }
            }
        }
    }

    /// Length of the valid UTF-8 character at `pos`, 0 if none starts there (Unicode table 3-7).
    static func validCharacterLength(_ bytes: [UInt8], at pos: Int) -> Int {
        let lead = bytes[pos]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; second = 0xA0...0xBF
        case 0xED: length = 3; second = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; second = 0x90...0xBF
        case 0xF4: length = 4; second = 0x80...0x8F
        case 0xF1...0xF3: length = 4
        default: return 0
        }
        guard pos + length <= bytes.count, second.contains(bytes[pos + 1]) else { return 0 }
        for offset in 2..<max(length, 2) where !(0x80...0xBF).contains(bytes[pos + offset]) { return 0 }
        return length
    }

    /// llama.cpp `llama_vocab::impl::detokenize`, `clean_spaces` branch: removes the space before
    /// ? ! . , and before some contractions, ported pass for pass (they read back their own output).
    static func cleanSpaces(_ input: [UInt8]) -> [UInt8] {
        var text = input
        let space = UInt8(ascii: " "), quote = UInt8(ascii: "'")

        var total = text.isEmpty ? 0 : 1
        for i in 1..<max(text.count, 1) {
            let x = text[i]
            if text[i - 1] == space && (x == UInt8(ascii: "?") || x == UInt8(ascii: "!") || x == UInt8(ascii: ".") || x == UInt8(ascii: ",")) {
                total -= 1
            }
            text[total] = x
            total += 1
        }

        let total2 = total
        total = total2 > 0 ? 1 : 0
        var i = 1
        while i < total2 {
            let x = text[i]
            if x == quote && i + 1 < total2 && text[i - 1] == space && text[i + 1] == space {
                total -= 1
                i += 1
                text[i] = 0
            }
            text[total] = x
            total += 1
            i += 1
        }

        let total3 = total
        total = total3 > 0 ? 1 : 0
        i = 1
        while i < total3 {
            let x = text[i]
            if text[i - 1] == space && x == quote && i + 1 < total3 {
                let x1 = text[i + 1]
                if x1 == UInt8(ascii: "s") || x1 == UInt8(ascii: "m") {
                    total -= 1
                } else if x1 != UInt8(ascii: "t") && x1 != UInt8(ascii: "d") && i + 2 < total3 {
                    let x2 = text[i + 2]
                    if (x1 == UInt8(ascii: "r") || x1 == UInt8(ascii: "v")) && x2 == UInt8(ascii: "e") {
                        total -= 1
                    }
                }
            }
            text[total] = x
            total += 1
            i += 1
        }
        return Array(text[0..<total])
    }
}

extension String {
    /// "▁" -> " " (SentencePiece's space marker).
    func replacingMarkers() -> String { replacingBytes("\u{2581}", with: " ") }

    /// Replaces every occurrence of `target`'s UTF-8 bytes. Unlike `replacing`, which matches whole
    /// Characters, this finds " " in " \u{E0100}" (a space and a variation selector form one
    /// Character), as byte-oriented tokenizers do. Valid because UTF-8 is self-synchronizing.
    func replacingBytes(_ target: String, with replacement: String) -> String {
        let needle = Array(target.utf8)
        guard let first = needle.first else { return self }
        let bytes = Array(utf8)
        let substitute = Array(replacement.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 4)
        var pos = 0
        while pos < bytes.count {
            if bytes[pos] == first && pos + needle.count <= bytes.count && bytes[pos..<(pos + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: substitute)
                pos += needle.count
            } else {
                out.append(bytes[pos])
                pos += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
