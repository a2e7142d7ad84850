extension Tokenizer {
    /// Builds the tokenizer llama.cpp builds from a GGUF vocabulary.
    /// - Parameter vocabulary: tokens, merges or scores and special ids, e.g. from `Vocabulary(gguf:)`.
    /// - Throws: `TokenizerError` for a tokenizer model other than "gpt2" (byte-level BPE) and
    ///   "llama" (SentencePiece BPE), an unsupported pre-tokenizer, or inconsistent data (ids out
    ///   of range, duplicate tokens, malformed merges or merges naming unknown tokens).
    public convenience init(vocabulary: Vocabulary) throws {
        try self.init(definition: TokenizerDefinition(vocabulary: vocabulary))
    }
}

extension TokenizerDefinition {
    /// llama.cpp's rules for a GGUF vocabulary (src/llama-vocab.cpp `load`, `tokenize`, `detokenize`).
    init(vocabulary v: Vocabulary) throws {
        let count = v.tokens.count
        guard v.tokenTypes.isEmpty || v.tokenTypes.count >= count else {
            throw TokenizerError.inconsistent("\(v.tokenTypes.count) token types for \(count) tokens")
        }
        if let padding = v.paddingID, padding < 0 || Int(padding) >= count {
            throw TokenizerError.inconsistent("padding token id \(padding) is outside the vocabulary of \(count) tokens")
        }
        // llama.cpp renames empty tokens so that they can be looked up and never match text.
        let texts = v.tokens.enumerated().map { $1.isEmpty ? "[EMPTY_\($0)]" : $1 }
        let attributes = (0..<count).map { index in
            v.tokenTypes.isEmpty ? TokenAttributes.normal : TokenAttributes(type: v.tokenTypes[index])
        }
        switch v.model {
        case "gpt2":
            guard let preTokenizer = PreTokenizer(name: v.preTokenizer) else {
                throw TokenizerError.unsupportedPreTokenizer(v.preTokenizer)
            }
            var pairs: [(String, String)] = []
            pairs.reserveCapacity(v.merges.count)
            for (rank, merge) in v.merges.enumerated() {
                // Split at the first space after the first character (llama.cpp `load`: find(' ', 1)).
                let utf8 = Array(merge.utf8)
                guard utf8.count >= 3, let space = utf8[1...].firstIndex(of: UInt8(ascii: " ")) else {
                    throw TokenizerError.inconsistent("merge \(rank) '\(merge)' is not two tokens separated by a space")
                }
                pairs.append((String(decoding: utf8[..<space], as: UTF8.self), String(decoding: utf8[(space + 1)...], as: UTF8.self)))
            }
            self.init(tokens: texts, attributes: attributes, alphabet: .byteLevel, merges: .ranked(pairs))
            self.preTokenizer = preTokenizer
            self.ignoreMerges = preTokenizer.ignoresMerges
            self.cleanSpaces = preTokenizer.cleansSpaces
        case "llama":
            self.init(tokens: texts, attributes: attributes, alphabet: .characters, merges: .scores(v.scores, results: nil))
            let addSpacePrefix = v.addSpacePrefix ?? true
            self.escapeSpaces = true
            self.spacePrefix = addSpacePrefix ? .afterSpecial : .never
            self.leadingSpace = addSpacePrefix ? .firstToken : .keep
            self.byteFallback = true
            if let name = v.modelName?.lowercased(), name.contains("phi-3") || name.contains("phi3") {
                // llama.cpp `load`: Phi-3's special tokens eat the whitespace after them.
                rstripSpecialTokens = (except: ["<unk>", "<s>", "<|endoftext|>"], also: ["</s>"])
            }
        default:
            throw TokenizerError.unsupportedModel(v.model)
        }
        self.unknownID = v.unknownID
        self.bosID = v.bosID
        self.eosID = v.eosID
        self.eotID = v.eotID
        if let eom = v.eomID {
            guard eom >= 0 && Int(eom) < count else {
                throw TokenizerError.inconsistent("EOM token id \(eom) is outside the vocabulary of \(count) tokens")
            }
            extraEndOfGenerationIDs.insert(eom)
        }
        if v.addBOS, let bos = v.bosID { prefixIDs = [bos] }
        if v.addEOS, let eos = v.eosID { suffixIDs = [eos] }
    }
}
