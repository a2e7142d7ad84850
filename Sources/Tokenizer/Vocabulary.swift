/// Everything a tokenizer needs from a model file, independent of the file format.
///
/// Field meanings follow the GGUF `tokenizer.ggml.*` keys (ggml docs/gguf.md); `Vocabulary(gguf:)`
/// fills one from a model file, tests build one from a JSON dump.
public struct Vocabulary: Sendable {
    /// Token texts indexed by id. For byte-level BPE these are in the GPT-2 "bytes to unicode"
    /// alphabet; for SentencePiece ("llama") "▁" stands for a space.
    public var tokens: [String]
    /// One `TokenType` raw value per token (`tokenizer.ggml.token_type`); empty means all normal.
    public var tokenTypes: [Int32]
    /// BPE merges in rank order, each "left right" (`tokenizer.ggml.merges`; "gpt2" only).
    public var merges: [String]
    /// Merge priority of each token (`tokenizer.ggml.scores`; "llama" only).
    public var scores: [Float]
    public var bosID: Int32?
    public var eosID: Int32?
    public var eotID: Int32?
    /// End of message (`tokenizer.ggml.eom_token_id`, Llama 3.1 tool calls): ends generation too.
    public var eomID: Int32?
    public var unknownID: Int32?
    public var paddingID: Int32?
    public var addBOS: Bool
    public var addEOS: Bool
    /// `tokenizer.ggml.add_space_prefix` ("llama": prefix a space to text; default true).
    public var addSpacePrefix: Bool?
    /// `tokenizer.ggml.model`: "gpt2" (byte-level BPE) or "llama" (SentencePiece BPE).
    public var model: String
    /// `tokenizer.ggml.pre`: "smollm", "gpt-2", "llama-bpe" (and aliases) or "default".
    public var preTokenizer: String
    /// `general.name`: llama.cpp gives Phi-3's special tokens rstrip by name.
    public var modelName: String?

    public init(
        tokens: [String],
        tokenTypes: [Int32],
        merges: [String],
        scores: [Float] = [],
        bosID: Int32?,
        eosID: Int32?,
        eotID: Int32? = nil,
        eomID: Int32? = nil,
        unknownID: Int32? = nil,
        paddingID: Int32? = nil,
        addBOS: Bool = false,
        addEOS: Bool = false,
        addSpacePrefix: Bool? = nil,
        model: String = "gpt2",
        preTokenizer: String,
        modelName: String? = nil
    ) {
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.scores = scores
        self.bosID = bosID
        self.eosID = eosID
        self.eotID = eotID
        self.eomID = eomID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.addSpacePrefix = addSpacePrefix
        self.model = model
        self.preTokenizer = preTokenizer
        self.modelName = modelName
    }
}

/// Token types as stored in `tokenizer.ggml.token_type` (llama.cpp include/llama.h, `llama_token_type`).
public enum TokenType: Int32, Sendable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6
}
