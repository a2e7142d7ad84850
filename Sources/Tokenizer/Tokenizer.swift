import Synchronization

/// Text <-> token ids for byte-level BPE vocabularies (GPT-2 style), matching llama.cpp's
/// `llama_tokenize` / `llama_detokenize` token for token and byte for byte.
///
/// Immutable after `init` except for a word cache behind a mutex, so one instance can serve
/// concurrent requests.
public final class Tokenizer: Sendable {
    public let vocabularySize: Int
    public let bosID: Int32
    public let eosID: Int32

    let preTokenizer: PreTokenizer
    let addBOS: Bool
    let addEOS: Bool
    let encoder: BytePairEncoder
    /// Byte-level token text -> id (only Llama 3's whole-word lookup needs it).
    let idsByText: [String: Int32]
    /// Bytes each token decodes to (special tokens: their text). (vocabularySize)
    let pieces: [[UInt8]]
    /// (vocabularySize)
    let attributes: [TokenAttributes]
    /// Tokens split out of text before pre-tokenization, longest first.
    let specialTokens: [SpecialToken]
    let endOfGenerationIDs: Set<Int32>
    /// Pre-tokenized word bytes -> ids. Cleared when it reaches `cacheLimit` entries.
    private let wordCache = Mutex<[[UInt8]: [Int32]]>([:])
    private static let cacheLimit = 1 << 16

    struct SpecialToken: Sendable {
        var id: Int32
        var bytes: [UInt8]
        /// Control and unknown tokens are matched only when the caller asks to parse specials;
        /// user-defined ones always (llama.cpp src/llama-vocab.cpp `tokenizer_st_partition`).
        var needsParseSpecial: Bool
    }

    /// Builds a tokenizer, checking the vocabulary for consistency.
    /// - Parameter vocabulary: tokens, merges and special ids, e.g. from `Vocabulary(gguf:)`.
    /// - Throws: `TokenizerError` for a model or pre-tokenizer other than byte-level BPE with a
    ///   supported pre-tokenizer, or for inconsistent data (ids out of range, duplicate tokens,
    ///   malformed merges or merges naming unknown tokens).
    public init(vocabulary: Vocabulary) throws {
        guard vocabulary.model == "gpt2" else { throw TokenizerError.unsupportedModel(vocabulary.model) }
        guard let preTokenizer = PreTokenizer(name: vocabulary.preTokenizer) else {
            throw TokenizerError.unsupportedPreTokenizer(vocabulary.preTokenizer)
        }
        let count = vocabulary.tokens.count
        guard count > 0, count < Int(Int32.max) else {
            throw TokenizerError.inconsistent("the vocabulary has \(count) tokens")
        }
        guard vocabulary.tokenTypes.isEmpty || vocabulary.tokenTypes.count >= count else {
            throw TokenizerError.inconsistent("\(vocabulary.tokenTypes.count) token types for \(count) tokens")
        }
        func checkID(_ id: Int32?, _ name: String) throws {
            if let id, id < 0 || Int(id) >= count {
                throw TokenizerError.inconsistent("\(name) token id \(id) is outside the vocabulary of \(count) tokens")
            }
        }
        try checkID(vocabulary.bosID, "BOS")
        try checkID(vocabulary.eosID, "EOS")
        try checkID(vocabulary.eotID, "EOT")
        try checkID(vocabulary.unknownID, "unknown")
        try checkID(vocabulary.paddingID, "padding")

        // llama.cpp renames empty tokens so that they can be looked up and never match text.
        let texts = vocabulary.tokens.enumerated().map { $1.isEmpty ? "[EMPTY_\($0)]" : $1 }
        var idsByText: [String: Int32] = [:]
        idsByText.reserveCapacity(count)
        for (index, text) in texts.enumerated() {
            if let earlier = idsByText.updateValue(Int32(index), forKey: text) {
                throw TokenizerError.inconsistent("tokens \(earlier) and \(index) are both '\(text)'")
            }
        }

        var merges: [UInt64: BytePairEncoder.Merge] = [:]
        merges.reserveCapacity(vocabulary.merges.count)
        for (rank, merge) in vocabulary.merges.enumerated() {
            // Split at the first space after the first character (llama.cpp `load`: find(' ', 1)).
            let utf8 = Array(merge.utf8)
            guard utf8.count >= 3, let space = utf8[1...].firstIndex(of: UInt8(ascii: " ")) else {
                throw TokenizerError.inconsistent("merge \(rank) '\(merge)' is not two tokens separated by a space")
            }
            let left = String(decoding: utf8[..<space], as: UTF8.self)
            let right = String(decoding: utf8[(space + 1)...], as: UTF8.self)
            guard let leftID = idsByText[left], let rightID = idsByText[right] else {
                let missing = idsByText[left] == nil ? left : right
                throw TokenizerError.inconsistent("merge \(rank) '\(merge)' names '\(missing)', which is not a token")
            }
            guard let resultID = idsByText[left + right] else {
                throw TokenizerError.inconsistent("merge \(rank) '\(merge)' makes '\(left + right)', which is not a token")
            }
            let key = BytePairEncoder.key(leftID, rightID)
            if merges[key] == nil {  // a repeated merge keeps its first rank, as std::map::emplace does
                merges[key] = .init(rank: Int32(rank), result: resultID)
            }
        }
        let byteTokens = (0..<256).map { byte -> Int32 in
            idsByText[ByteLevel.encode([UInt8(byte)])] ?? -1
        }

        var attributes = (0..<count).map { index in
            vocabulary.tokenTypes.isEmpty ? TokenAttributes.normal : TokenAttributes(type: vocabulary.tokenTypes[index])
        }
        let endOfGenerationIDs = KnownSpecialTokens.apply(
            tokens: texts, attributes: &attributes, eosID: vocabulary.eosID, eotID: vocabulary.eotID
        )

        let specialTokens = attributes.indices
            .filter { !attributes[$0].isDisjoint(with: [.control, .userDefined, .unknown]) }
            .map { SpecialToken(id: Int32($0), bytes: Array(texts[$0].utf8), needsParseSpecial: !attributes[$0].isDisjoint(with: .special)) }
            .sorted { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }

        self.vocabularySize = count
        self.bosID = vocabulary.bosID
        self.eosID = vocabulary.eosID
        self.preTokenizer = preTokenizer
        self.addBOS = vocabulary.addBOS
        self.addEOS = vocabulary.addEOS
        self.encoder = BytePairEncoder(merges: merges, byteTokens: byteTokens)
        self.idsByText = idsByText
        self.pieces = zip(texts, attributes).map(Tokenizer.piece)
        self.attributes = attributes
        self.specialTokens = specialTokens
        self.endOfGenerationIDs = endOfGenerationIDs
    }

    /// llama.cpp src/llama-vocab.cpp `token_to_piece` for BPE, with special tokens shown.
    private static func piece(text: String, attributes: TokenAttributes) -> [UInt8] {
        if !attributes.isDisjoint(with: [.unknown, .control, .userDefined]) {
            return Array(text.utf8)
        }
        if attributes.contains(.normal) {
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

    /// Tokenizes text the way `llama_tokenize` does.
    /// - Parameters:
    ///   - text: the text.
    ///   - addSpecial: add BOS / EOS where the vocabulary asks for them.
    ///   - parseSpecial: turn the text of control tokens such as `<|im_start|>` into those tokens;
    ///     otherwise such text is tokenized as ordinary characters.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3 + 2)
        if addSpecial && addBOS { output.append(bosID) }
        let bytes = Array(text.utf8)
        for fragment in partition(bytes, parseSpecial: parseSpecial) {
            switch fragment {
            case .token(let id):
                output.append(id)
            case .text(let range):
                encodeOrdinary(bytes[range], into: &output)
            }
        }
        if addSpecial && addEOS { output.append(eosID) }
        return output
    }

    enum Fragment {
        case text(Range<Int>)
        case token(Int32)
    }

    /// Splits out special tokens, longest first (llama.cpp `tokenizer_st_partition`).
    func partition(_ bytes: [UInt8], parseSpecial: Bool) -> [Fragment] {
        guard !bytes.isEmpty else { return [] }
        var fragments: [Fragment] = [.text(0..<bytes.count)]
        for special in specialTokens where parseSpecial || !special.needsParseSpecial {
            guard let first = special.bytes.first else { continue }
            var split: [Fragment] = []
            split.reserveCapacity(fragments.count)
            for fragment in fragments {
                guard case .text(let range) = fragment else {
                    split.append(fragment)
                    continue
                }
                var start = range.lowerBound
                var pos = range.lowerBound
                while pos + special.bytes.count <= range.upperBound {
                    if bytes[pos] == first && bytes[pos..<(pos + special.bytes.count)].elementsEqual(special.bytes) {
                        if pos > start { split.append(.text(start..<pos)) }
                        split.append(.token(special.id))
                        pos += special.bytes.count
                        start = pos
                    } else {
                        pos += 1
                    }
                }
                if start < range.upperBound { split.append(.text(start..<range.upperBound)) }
            }
            fragments = split
        }
        return fragments
    }

    /// Pre-tokenizes and BPE-encodes text that contains no special tokens.
    func encodeOrdinary(_ bytes: ArraySlice<UInt8>, into output: inout [Int32]) {
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        let classes = scalars.map(ScalarClass.init)
        var word: [UInt8] = []
        for range in preTokenizer.split(scalars, classes) {
            word.removeAll(keepingCapacity: true)
            for scalar in scalars[range] {
                if let encoded = UTF8.encode(scalar) { word.append(contentsOf: encoded) }
            }
            if let cached = wordCache.withLock({ $0[word] }) {
                output.append(contentsOf: cached)
                continue
            }
            var ids: [Int32] = []
            encodeWord(word, into: &ids)
            output.append(contentsOf: ids)
            wordCache.withLock { cache in
                if cache.count >= Tokenizer.cacheLimit { cache.removeAll(keepingCapacity: true) }
                cache[word] = ids
            }
        }
    }

    private func encodeWord(_ word: [UInt8], into output: inout [Int32]) {
        if preTokenizer.ignoresMerges, let id = idsByText[ByteLevel.encode(word)] {
            output.append(id)
            return
        }
        encoder.encode(word, into: &output)
    }

    // MARK: - Decoding

    /// The bytes token ids stand for, as `llama_detokenize` produces them (special tokens are not
    /// removed; they are rendered only when `showSpecial`). Ids outside the vocabulary are skipped.
    public func decodeBytes(_ ids: [Int32], showSpecial: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        for id in ids { appendPiece(id, showSpecial: showSpecial, to: &bytes) }
        return preTokenizer.cleansSpaces ? Tokenizer.cleanSpaces(bytes) : bytes
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

    /// Whether generation should stop at this token: EOS, EOT and the end-of-turn tokens llama.cpp
    /// recognises by name (`<|im_end|>`, `<|endoftext|>`, ...).
    public func isEndOfGeneration(_ id: Int32) -> Bool {
        endOfGenerationIDs.contains(id)
    }

    /// Whether a token is a control or unknown token (hidden by `decode` unless `showSpecial`).
    public func isSpecial(_ id: Int32) -> Bool {
        guard id >= 0, Int(id) < vocabularySize else { return false }
        return !attributes[Int(id)].isDisjoint(with: .special)
    }

    func appendPiece(_ id: Int32, showSpecial: Bool, to bytes: inout [UInt8]) {
        guard id >= 0, Int(id) < vocabularySize else { return }
        if !showSpecial && !attributes[Int(id)].isDisjoint(with: .special) { return }
        bytes.append(contentsOf: pieces[Int(id)])
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
