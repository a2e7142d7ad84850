import Foundation

/// A Hugging Face `tokenizer.json` read into a `TokenizerDefinition`, following the behaviour of
/// the `tokenizers` library (tokenizers/src: normalizers, pre_tokenizers, models/bpe,
/// processors/template.rs, decoders, added_vocabulary.rs).
///
/// Supported, because Llama-family models use them: a BPE model (with or without byte fallback,
/// unknown token, `ignore_merges`); normalizers Prepend, Replace (plain string), NFC/NFD/NFKC/NFKD,
/// Lowercase, Strip and Sequence; pre-tokenizers ByteLevel, Split with the regexes of a known
/// scanner, Digits, Metaspace and Sequence; post-processors TemplateProcessing, ByteLevel and
/// Sequence; decoders ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace and Sequence.
/// Anything else is an error that names it, never silently ignored.
struct HuggingFaceTokenizerJSON {
    typealias Object = [String: Any]

    let root: Object

    init(bytes: [UInt8]) throws {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw TokenizerError.malformed("tokenizer.json is not valid JSON (\(bytes.count) bytes; truncated?): \(error.localizedDescription)")
        }
        guard let root = parsed as? Object else { throw TokenizerError.malformed("tokenizer.json is not a JSON object") }
        self.root = root
    }

    static func object(_ value: Any?) -> Object? { value as? Object }
    static func string(_ value: Any?) -> String? { value as? String }
    static func int(_ value: Any?) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        return Int(exactly: number.doubleValue)
    }
    static func bool(_ value: Any?) -> Bool? { value as? Bool }
    static func kind(_ value: Any?) -> String { object(value).flatMap { string($0["type"]) } ?? "?" }
}

extension TokenizerDefinition {
    init(huggingFace json: HuggingFaceTokenizerJSON) throws {
        typealias J = HuggingFaceTokenizerJSON
        let root = json.root
        guard let model = J.object(root["model"]) else { throw TokenizerError.malformed("tokenizer.json has no \"model\" object") }
        let modelType = J.string(model["type"]) ?? (model["merges"] != nil ? "BPE" : "?")
        guard modelType == "BPE" else {
            throw TokenizerError.unsupported("tokenizer.json model '\(modelType)' is not supported; only BPE (the Llama family's)")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = J.string(model[key]), !value.isEmpty {
                throw TokenizerError.unsupported("tokenizer.json BPE '\(key)' is not supported")
            }
        }
        if let dropout = model["dropout"] as? NSNumber, dropout.doubleValue > 0 {
            throw TokenizerError.unsupported("tokenizer.json BPE dropout \(dropout) is not supported (encoding would be random)")
        }

        // Vocabulary and added tokens.
        guard let vocab = model["vocab"] as? [String: Any] else { throw TokenizerError.malformed("tokenizer.json model has no \"vocab\" object") }
        var textsByID: [Int: String] = [:]
        for (text, value) in vocab {
            guard let id = J.int(value), id >= 0, id < Int(Int32.max) else {
                throw TokenizerError.malformed("tokenizer.json vocab entry '\(text)' has id \(value), not a token id")
            }
            if let other = textsByID.updateValue(text, forKey: id) {
                throw TokenizerError.inconsistent("tokens '\(other)' and '\(text)' both have id \(id)")
            }
        }
        var attributesByID: [Int: TokenAttributes] = [:]
        var normalizedIDs: Set<Int32> = []
        for entry in root["added_tokens"] as? [Any] ?? [] {
            guard let added = J.object(entry), let id = J.int(added["id"]), id >= 0, id < Int(Int32.max),
                  let content = J.string(added["content"]) else {
                throw TokenizerError.malformed("tokenizer.json added_tokens entry \(entry) lacks an id or content")
            }
            if J.bool(added["single_word"]) == true {
                throw TokenizerError.unsupported("tokenizer.json added token '\(content)' has single_word, which is not supported")
            }
            if let existing = textsByID[id], existing != content {
                throw TokenizerError.inconsistent("added token \(id) '\(content)' differs from vocab token '\(existing)'")
            }
            textsByID[id] = content
            var attributes: TokenAttributes = J.bool(added["special"]) == true ? .control : .userDefined
            if J.bool(added["lstrip"]) == true { attributes.insert(.lstrip) }
            if J.bool(added["rstrip"]) == true { attributes.insert(.rstrip) }
            attributesByID[id] = attributes
            if J.bool(added["normalized"]) ?? (J.bool(added["special"]) != true) { normalizedIDs.insert(Int32(id)) }
        }
        let count = (textsByID.keys.max() ?? -1) + 1
        guard count > 0 else { throw TokenizerError.malformed("tokenizer.json has no tokens") }
        // Holes in the ids are allowed (they become unused tokens), but not so many that an id
        // like 2000000000 makes billions of them.
        guard count - textsByID.count <= 65_536 else {
            throw TokenizerError.inconsistent("token ids go up to \(count - 1) but there are only \(textsByID.count) tokens")
        }
        // Ids with no token (holes) get a text that cannot occur in input and are never produced.
        let tokens = (0..<count).map { textsByID[$0] ?? "\u{0}<unused \($0)>" }
        var attributes = (0..<count).map { attributesByID[$0] ?? (textsByID[$0] == nil ? .unused : .normal) }

        // Merges: "left right" strings or [left, right] pairs.
        var pairs: [(String, String)] = []
        let merges = model["merges"] as? [Any] ?? []
        pairs.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            if let string = J.string(merge) {
                let parts = string.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw TokenizerError.inconsistent("merge \(rank) '\(string)' is not two tokens separated by a space")
                }
                pairs.append((String(parts[0]), String(parts[1])))
            } else if let pair = merge as? [Any], pair.count == 2, let left = J.string(pair[0]), let right = J.string(pair[1]) {
                pairs.append((left, right))
            } else {
                throw TokenizerError.malformed("tokenizer.json merge \(rank) is \(merge), not a pair of tokens")
            }
        }

        // Pre-tokenizer: it decides the alphabet.
        let preSteps = try TokenizerDefinition.flatten(root["pre_tokenizer"], list: "pretokenizers", what: "pre_tokenizer")
        let isByteLevel = preSteps.contains { J.kind($0) == "ByteLevel" }
        self.init(tokens: tokens, attributes: attributes, alphabet: isByteLevel ? .byteLevel : .characters, merges: .ranked(pairs))
        if isByteLevel {
            try readByteLevelPreTokenizer(preSteps)
        } else {
            try readMetaspacePreTokenizer(preSteps)
        }
        normalizer = try TokenizerDefinition.flatten(root["normalizer"], list: "normalizers", what: "normalizer").map(TokenizerDefinition.normalizerStep)

        ignoreMerges = J.bool(model["ignore_merges"]) ?? false
        byteFallback = J.bool(model["byte_fallback"]) ?? false
        fuseUnknown = J.bool(model["fuse_unk"]) ?? false
        if let unknown = J.string(model["unk_token"]) {
            guard let id = tokens.firstIndex(where: { $0.utf8.elementsEqual(unknown.utf8) }) else {
                throw TokenizerError.inconsistent("unk_token '\(unknown)' is not a token")
            }
            unknownID = Int32(id)
        }
        stripUnicodeWhitespace = true
        leftmostLongest = true
        unsplitSpecialsBlock = true
        detectSpecialByName = false
        normalizedTokens = normalizedIDs
        // tokenizers normalizes a normalized added token's own content too: that is what it
        // matches in normalized text and what decoding renders (Prepend "▁" makes "▁<|user|>").
        for id in normalizedIDs {
            let content = normalizer.reduce(tokens[Int(id)]) { $1.apply(to: $0) }
            if !content.utf8.elementsEqual(tokens[Int(id)].utf8) { matchTexts[id] = content }
        }

        try readPostProcessor(root["post_processor"], tokens: tokens)
        try readDecoder(root["decoder"], attributes: &attributes)
        self.attributes = attributes

        // BOS: the post-processor's first token, else a conventional name; EOS by name.
        func id(_ names: [String]) -> Int32? {
            for name in names { if let index = tokens.firstIndex(of: name) { return Int32(index) } }
            return nil
        }
        bosID = prefixIDs.first ?? id(["<s>", "<|begin_of_text|>", "<|startoftext|>"])
        eosID = id(["</s>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>", "<eos>"])
        for (index, text) in tokens.enumerated()
        where KnownSpecialTokens.endOfGeneration.contains(text) && !attributes[index].contains(.normal) {
            extraEndOfGenerationIDs.insert(Int32(index))
        }
    }

    /// A step and the steps of nested `Sequence`s, in order.
    private static func flatten(_ value: Any?, list: String, what: String) throws -> [HuggingFaceTokenizerJSON.Object] {
        guard let value, !(value is NSNull) else { return [] }
        guard let object = value as? HuggingFaceTokenizerJSON.Object else {
            throw TokenizerError.malformed("tokenizer.json \(what) is not an object")
        }
        guard HuggingFaceTokenizerJSON.kind(object) == "Sequence" else { return [object] }
        guard let steps = object[list] as? [Any] else { throw TokenizerError.malformed("tokenizer.json \(what) Sequence has no \"\(list)\"") }
        return try steps.flatMap { try flatten($0, list: list, what: what) }
    }

    private static func pattern(_ value: Any?) -> (String, isRegex: Bool)? {
        guard let object = HuggingFaceTokenizerJSON.object(value) else { return nil }
        if let regex = HuggingFaceTokenizerJSON.string(object["Regex"]) { return (regex, true) }
        if let string = HuggingFaceTokenizerJSON.string(object["String"]) { return (string, false) }
        return nil
    }

    private static func normalizerStep(_ step: HuggingFaceTokenizerJSON.Object) throws -> NormalizerStep {
        typealias J = HuggingFaceTokenizerJSON
        switch J.kind(step) {
        case "Prepend":
            guard let prefix = J.string(step["prepend"]) else { throw TokenizerError.malformed("Prepend normalizer without \"prepend\"") }
            return .prepend(prefix)
        case "Replace":
            guard let (pattern, isRegex) = TokenizerDefinition.pattern(step["pattern"]), let content = J.string(step["content"]) else {
                throw TokenizerError.malformed("Replace normalizer without a pattern and content")
            }
            guard !isRegex else { throw TokenizerError.unsupported("Replace normalizer with a regex pattern ('\(pattern)') is not supported") }
            return .replace(pattern, content)
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "Strip":
            return .strip(left: J.bool(step["strip_left"]) ?? true, right: J.bool(step["strip_right"]) ?? true)
        case let other:
            throw TokenizerError.unsupported("tokenizer.json normalizer '\(other)' is not supported")
        }
    }

    /// Byte-level pipelines: Split regexes / Digits, then ByteLevel; mapped onto the scanner that
    /// implements the same list of regexes.
    private mutating func readByteLevelPreTokenizer(_ steps: [HuggingFaceTokenizerJSON.Object]) throws {
        typealias J = HuggingFaceTokenizerJSON
        var regexes: [String] = []
        for step in steps {
            switch J.kind(step) {
            case "Split":
                guard let (pattern, isRegex) = TokenizerDefinition.pattern(step["pattern"]), isRegex,
                      J.string(step["behavior"]) == "Isolated", J.bool(step["invert"]) != true else {
                    throw TokenizerError.unsupported("tokenizer.json Split pre-tokenizer \(step) is not supported (only Isolated regex splits)")
                }
                regexes.append(pattern)
            case "Digits":
                regexes.append(J.bool(step["individual_digits"]) == true ? "\\p{N}" : "\\p{N}+")
            case "ByteLevel":
                if J.bool(step["use_regex"]) ?? true { regexes.append(PreTokenizer.Pattern.gpt2) }
                byteLevelPrefixSpace = J.bool(step["add_prefix_space"]) ?? false
            case let other:
                throw TokenizerError.unsupported("tokenizer.json pre-tokenizer '\(other)' is not supported with ByteLevel")
            }
        }
        guard let scanner = PreTokenizer.matching(regexes: regexes) else {
            throw TokenizerError.unsupported("tokenizer.json pre-tokenizer regexes \(regexes) match no built-in scanner")
        }
        // These scanners follow llama.cpp's std::regex rewrite, which knows no letter case outside
        // ASCII; tokenizers' regex engine does, so the splits would differ on such text.
        guard scanner != .tekken && scanner != .gpt4o else {
            throw TokenizerError.unsupported("tokenizer.json pre-tokenizer '\(scanner)' is only supported from a GGUF file (llama.cpp's splitting); its tokenizer.json regex needs Unicode letter case")
        }
        // tokenizers adds the prefix space to every piece an earlier Split/Digits step made.
        guard !byteLevelPrefixSpace || regexes.count <= 1 else {
            throw TokenizerError.unsupported("tokenizer.json ByteLevel add_prefix_space after other pre-tokenizer steps is not supported")
        }
        preTokenizer = scanner
    }

    /// SentencePiece-style pipelines: nothing, or Metaspace.
    private mutating func readMetaspacePreTokenizer(_ steps: [HuggingFaceTokenizerJSON.Object]) throws {
        typealias J = HuggingFaceTokenizerJSON
        for step in steps {
            guard J.kind(step) == "Metaspace" else {
                throw TokenizerError.unsupported("tokenizer.json pre-tokenizer '\(J.kind(step))' is not supported without ByteLevel")
            }
            guard (J.string(step["replacement"]) ?? "\u{2581}") == "\u{2581}" else {
                throw TokenizerError.unsupported("Metaspace replacement other than '▁' is not supported")
            }
            escapeSpaces = true
            spacePrefixUnlessPresent = true
            splitAtMarker = J.bool(step["split"]) ?? true
            let scheme = J.string(step["prepend_scheme"]) ?? ((J.bool(step["add_prefix_space"]) ?? true) ? "always" : "never")
            switch scheme {
            case "always": spacePrefix = .everyFragment
            case "first": spacePrefix = .firstFragment
            case "never": spacePrefix = .never
            default: throw TokenizerError.unsupported("Metaspace prepend_scheme '\(scheme)' is not supported")
            }
        }
    }

    private mutating func readPostProcessor(_ value: Any?, tokens: [String]) throws {
        typealias J = HuggingFaceTokenizerJSON
        for step in try TokenizerDefinition.flatten(value, list: "processors", what: "post_processor") {
            switch J.kind(step) {
            case "ByteLevel":
                continue  // offsets only
            case "TemplateProcessing":
                guard let single = step["single"] as? [Any] else { throw TokenizerError.malformed("TemplateProcessing without \"single\"") }
                let specials = J.object(step["special_tokens"]) ?? [:]
                var seenSequence = false
                for piece in single {
                    guard let piece = J.object(piece) else { continue }
                    if J.object(piece["Sequence"]) != nil {
                        seenSequence = true
                        continue
                    }
                    guard let special = J.object(piece["SpecialToken"]), let name = J.string(special["id"]) else {
                        throw TokenizerError.malformed("TemplateProcessing piece \(piece) is neither Sequence nor SpecialToken")
                    }
                    var ids = (J.object(specials[name])?["ids"] as? [Any])?.compactMap(J.int) ?? []
                    if ids.isEmpty, let index = tokens.firstIndex(of: name) { ids = [index] }
                    guard !ids.isEmpty, ids.allSatisfy({ $0 >= 0 && $0 < tokens.count }) else {
                        throw TokenizerError.inconsistent("TemplateProcessing special token '\(name)' has no valid ids")
                    }
                    if seenSequence { suffixIDs += ids.map(Int32.init) } else { prefixIDs += ids.map(Int32.init) }
                }
            case let other:
                throw TokenizerError.unsupported("tokenizer.json post-processor '\(other)' is not supported")
            }
        }
    }

    /// Decoders become per-token pieces plus the leading-space rule.
    private mutating func readDecoder(_ value: Any?, attributes: inout [TokenAttributes]) throws {
        typealias J = HuggingFaceTokenizerJSON
        var byteLevel = false, replaceMarker = false, byteFallbackBytes = false
        for step in try TokenizerDefinition.flatten(value, list: "decoders", what: "decoder") {
            switch J.kind(step) {
            case "ByteLevel":
                byteLevel = true
            case "Replace":
                guard let (pattern, isRegex) = TokenizerDefinition.pattern(step["pattern"]), !isRegex,
                      pattern == "\u{2581}", J.string(step["content"]) == " " else {
                    throw TokenizerError.unsupported("tokenizer.json Replace decoder \(step) is not supported (only '▁' -> ' ')")
                }
                replaceMarker = true
            case "ByteFallback":
                byteFallbackBytes = true
            case "Fuse":
                continue  // joining pieces is what decoding does anyway
            case "Strip":
                let start = J.int(step["start"]) ?? 0, stop = J.int(step["stop"]) ?? 0
                guard J.string(step["content"]) == " ", start <= 1, stop == 0 else {
                    throw TokenizerError.unsupported("tokenizer.json Strip decoder \(step) is not supported (only one leading space)")
                }
                if start == 1 { leadingSpace = .output }
            case "Metaspace":
                replaceMarker = true
                let scheme = J.string(step["prepend_scheme"]) ?? ((J.bool(step["add_prefix_space"]) ?? true) ? "always" : "never")
                if scheme != "never" { leadingSpace = .firstTokenAll }
            case let other:
                throw TokenizerError.unsupported("tokenizer.json decoder '\(other)' is not supported")
            }
        }
        if byteFallbackBytes {
            byteRuns = .replaceWholeRun
            for (index, text) in tokens.enumerated() where Tokenizer.byteOfFallbackToken(text) != nil {
                attributes[index].insert(.byte)
            }
        }
        pieces = tokens.enumerated().map { index, text in
            let text = matchTexts[Int32(index)] ?? text
            if byteFallbackBytes, let byte = Tokenizer.byteOfFallbackToken(text) { return [byte] }
            if byteLevel {
                // tokenizers' ByteLevel decoder: a token with a character outside the alphabet stays as it is.
                let bytes = text.unicodeScalars.compactMap(ByteLevel.byte(for:))
                return bytes.count == text.unicodeScalars.count ? bytes : Array(text.utf8)
            }
            return Array((replaceMarker ? text.replacingMarkers() : text).utf8)
        }
    }
}

extension Tokenizer {
    /// The byte of a "<0xXX>" token (two hex digits), else nil.
    static func byteOfFallbackToken(_ text: String) -> UInt8? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 6, utf8.starts(with: Array("<0x".utf8)), utf8[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }
}
