/// Everything `Tokenizer` needs, in one shape that every source format is translated into.
///
/// A GGUF vocabulary, a Hugging Face `tokenizer.json`, a SentencePiece `.model` and a tiktoken
/// file differ less in their data than in small rules: where a "▁" is prepended, whether a word
/// that is a token skips the merges, how unknown characters fall back, how decoding strips the
/// leading space. Each loader states those rules here, following its reference implementation
/// (llama.cpp, Hugging Face `tokenizers`, `sentencepiece`, `tiktoken`).
struct TokenizerDefinition {
    /// What the initial BPE symbols are.
    enum Alphabet {
        /// One symbol per byte; tokens are stored in GPT-2's byte-to-unicode alphabet.
        case byteLevel
        /// One symbol per Unicode scalar; tokens are stored as text with "▁" for spaces.
        case characters
    }

    /// How merge priorities are given.
    enum Merges {
        /// Ranked pairs of token texts, best first (GGUF `tokenizer.ggml.merges`, tokenizer.json).
        case ranked([(String, String)])
        /// Any two adjacent symbols whose concatenation is a token merge, higher token score first
        /// (SentencePiece BPE, llama.cpp `llm_tokenizer_spm`). Only tokens whose attributes meet
        /// `results` can be merge results.
        case scores([Float], results: TokenAttributes?)
        /// Any two adjacent symbols whose concatenation is a token merge, lower token id first
        /// (tiktoken: the id is the rank).
        case ranks
    }

    /// Where a word-boundary marker is put in front of a text fragment (the text between two
    /// special tokens).
    enum SpacePrefix {
        case never
        /// The fragment that starts the input only (tokenizer.json Metaspace `prepend_scheme: first`).
        case firstFragment
        /// Every fragment (Metaspace `always`).
        case everyFragment
        /// The first fragment and every fragment after a special token (llama.cpp SPM).
        case afterSpecial
    }

    /// How `decode` removes the space that the space prefix added.
    enum LeadingSpace {
        case keep
        /// One leading space of the first token's piece, even when that token is hidden
        /// (llama.cpp `detokenize`: `remove_space` is consumed by the first token).
        case firstToken
        /// One leading space of the decoded text (tokenizer.json `Strip` after `Fuse`,
        /// sentencepiece's first non-control piece).
        case output
        /// Every "▁" of the first token (tokenizer.json Metaspace decoder with a prepend scheme).
        case firstTokenAll
        /// One leading space of the first visible token if it is a normal, user-defined or unused piece
        /// (sentencepiece `DecodeSentencePiece` with `is_bos_ws`; `<unk>`'s surface " ⁇ " keeps
        /// its space).
        case firstNormalPiece
        /// The same for every such piece while the output is still empty (sentencepiece with
        /// `remove_extra_whitespaces`, which drops all leading spaces).
        case whileOutputEmpty
    }

    /// How `decode` renders runs of byte tokens that are not valid UTF-8.
    enum ByteRuns {
        /// As they are (llama.cpp returns bytes).
        case raw
        /// A whole run with any invalid byte becomes one U+FFFD per byte (tokenizers' ByteFallback).
        case replaceWholeRun
        /// Each byte that does not start a valid character becomes U+FFFD; any other token,
        /// hidden ones included, ends a run (sentencepiece `Decode`).
        case replaceInvalidBytes
    }

    /// Token texts by id, in the form `alphabet` implies.
    var tokens: [String]
    var attributes: [TokenAttributes]
    /// Bytes each token decodes to (special tokens: their text). Nil: derived from `tokens`.
    var pieces: [[UInt8]]? = nil
    var alphabet: Alphabet
    var merges: Merges

    // MARK: Encoding a fragment

    /// Text transformations applied to each fragment, in order (tokenizer.json normalizers).
    var normalizer: [NormalizerStep] = []
    var spacePrefix: SpacePrefix = .never
    /// No prefix for a fragment that already starts with the marker (Metaspace).
    var spacePrefixUnlessPresent = false
    /// Replace " " with "▁" (after the prefix and normalizer).
    var escapeSpaces = false
    /// Collapse runs of spaces and trim the ends before anything else (sentencepiece
    /// `remove_extra_whitespaces`).
    var removeExtraSpaces = false
    /// Byte-level alphabet: the word splitter.
    var preTokenizer: PreTokenizer? = nil
    /// Byte-level alphabet: prefix a space to a fragment that does not start with whitespace
    /// (tokenizer.json ByteLevel `add_prefix_space`).
    var byteLevelPrefixSpace = false
    /// Character alphabet: split words in front of every "▁" (Metaspace `split: true`).
    var splitAtMarker = false
    /// A word that is itself a token is that token (Llama 3's `ignore_merges`, tiktoken).
    var ignoreMerges = false
    /// Characters without a token become their UTF-8 bytes' `<0xXX>` tokens.
    var byteFallback = false
    var unknownID: Int32? = nil
    /// Consecutive unknown characters become one unknown token.
    var fuseUnknown = false

    // MARK: Special tokens

    /// Added in front when the caller asks for special tokens (BOS; tokenizer.json post-processor).
    var prefixIDs: [Int32] = []
    var suffixIDs: [Int32] = []
    var bosID: Int32? = nil
    var eosID: Int32? = nil
    var eotID: Int32? = nil
    /// Special tokens are matched in one scan from the left, longest at each position
    /// (tokenizers, sentencepiece), rather than longest token first over the whole text (llama.cpp).
    var leftmostLongest = false
    /// With `leftmostLongest`: special tokens are found even when not parsed, and such a match
    /// stays text but hides overlapping tokens (tokenizers with `encode_special_tokens`).
    var unsplitSpecialsBlock = false
    /// Added tokens matched in the normalized text rather than the input (tokenizer.json
    /// `normalized: true`).
    var normalizedTokens: Set<Int32> = []
    /// Special tokens matched in text by another text than their token text.
    var matchTexts: [Int32: String] = [:]
    /// Apply llama.cpp's by-name rules (end-of-turn texts become control and end generation).
    var detectSpecialByName = true
    /// Extra ids that end generation (tokenizer.json / tiktoken special tokens known by name).
    var extraEndOfGenerationIDs: Set<Int32> = []
    /// After llama.cpp's by-name rules: every special token but `except`, and the tokens in
    /// `also`, get rstrip (llama.cpp's Phi-3 rule).
    var rstripSpecialTokens: (except: Set<String>, also: Set<String>)? = nil
    /// lstrip/rstrip of special tokens eat Unicode whitespace (tokenizer.json) or ASCII `isspace`.
    var stripUnicodeWhitespace = false

    // MARK: Decoding

    var leadingSpace: LeadingSpace = .keep
    /// Tokens `decode` leaves out unless asked to show special tokens.
    var hiddenAttributes: TokenAttributes = .special
    /// llama.cpp's `clean_spaces` pass.
    var cleanSpaces = false
    var byteRuns: ByteRuns = .raw
}
