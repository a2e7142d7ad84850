/// How llama.cpp treats a token beyond its stored type (llama.cpp include/llama.h `llama_token_attr`).
struct TokenAttributes: OptionSet, Sendable {
    let rawValue: UInt8

    static let undefined = TokenAttributes([])
    static let unknown = TokenAttributes(rawValue: 1 << 0)
    static let unused = TokenAttributes(rawValue: 1 << 1)
    static let normal = TokenAttributes(rawValue: 1 << 2)
    static let control = TokenAttributes(rawValue: 1 << 3)
    static let userDefined = TokenAttributes(rawValue: 1 << 4)
    static let byte = TokenAttributes(rawValue: 1 << 5)
    /// When matched as a special token, whitespace before it is dropped.
    static let lstrip = TokenAttributes(rawValue: 1 << 6)
    /// When matched as a special token, whitespace after it is dropped.
    static let rstrip = TokenAttributes(rawValue: 1 << 7)

    /// Hidden when decoding unless special tokens are shown, matched in text only when parsing specials.
    static let special: TokenAttributes = [.unknown, .control]

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init(type: Int32) {
        switch TokenType(rawValue: type) {
        case .normal: self = .normal
        case .unknown: self = .unknown
        case .control: self = .control
        case .userDefined: self = .userDefined
        case .unused: self = .unused
        case .byte: self = .byte
        case .undefined, nil: self = .undefined
        }
    }
}

/// Token texts that llama.cpp recognises by name when loading a vocabulary.
///
/// The conversion scripts do not record end-of-turn or fill-in-the-middle roles, so llama.cpp
/// (src/llama-vocab.cpp `llama_vocab::impl::load`, "auto-detect special tokens by text") finds them
/// by text, forces them to control type, and stops generation on some of them. Copied from there.
enum KnownSpecialTokens {
    /// Texts that end generation.
    static let endOfGeneration: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<｜end▁of▁sentence｜>", "[e~[",
    ]

    /// Fill-in-the-middle pad, repository and file-separator texts: also end generation.
    static let fimEndOfGeneration: Set<String> = [
        "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
        "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>",
        "<|file_sep|>",
    ]

    /// Fill-in-the-middle prefix, suffix and middle texts: control, but do not end generation.
    static let fimOther: Set<String> = [
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
        "<|code_prefix|>", "<|prefix|>",
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
        "<|code_suffix|>", "<|suffix|>",
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
        "<|code_middle|>", "<|middle|>",
    ]

    /// gpt-oss: always rendered, so llama.cpp makes them user-defined.
    static let forcedUserDefined: Set<String> = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]

    /// Applies llama.cpp's by-name rules to `attributes` and to the end-of-generation ids.
    static func apply(
        tokens: [String],
        attributes: inout [TokenAttributes],
        endOfGenerationIDs: inout Set<Int32>
    ) {
        var endID: Int32? = nil
        var hasReturn = false, hasCall = false, hasFlush = false
        for (index, text) in tokens.enumerated() {
            let id = Int32(index)
            if endOfGeneration.contains(text) || fimEndOfGeneration.contains(text) {
                endOfGenerationIDs.insert(id)
                attributes[index].insert(.control)
            } else if fimOther.contains(text) {
                attributes[index].insert(.control)
            }
            switch text {
            case "<|return|>": hasReturn = true
            case "<|call|>", "<|calls|>": hasCall = true
            case "<|flush|>": hasFlush = true
            case "<|end|>": endID = id
            default: break
            }
            if forcedUserDefined.contains(text) {
                attributes[index] = .userDefined
            }
        }
        // o200k_harmony and solar-open end turns with <|return|>/<|call|> (or <|calls|>/<|flush|>);
        // their <|end|> only separates messages.
        if let endID, (hasReturn && hasCall) || (hasCall && hasFlush) {
            endOfGenerationIDs.remove(endID)
            attributes[Int(endID)] = .userDefined
        }
    }
}
