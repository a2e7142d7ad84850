/// Everything a tokenizer needs from a model file, independent of the file format.
///
/// Field meanings follow the GGUF `tokenizer.ggml.*` keys (ggml docs/gguf.md); `Vocabulary(gguf:)`
/// fills one from a model file, tests build one from a JSON dump.
public struct Vocabulary: Sendable {
    /// Token texts indexed by id. For byte-level BPE these are in the GPT-2 "bytes to unicode" alphabet.
    public var tokens: [String]
    /// One `TokenType` raw value per token (`tokenizer.ggml.token_type`); empty means all normal.
    public var tokenTypes: [Int32]
    /// BPE merges in rank order, each "left right" (`tokenizer.ggml.merges`).
    public var merges: [String]
    public var bosID: Int32
    public var eosID: Int32
    public var eotID: Int32?
    public var unknownID: Int32?
    public var paddingID: Int32?
    public var addBOS: Bool
    public var addEOS: Bool
    /// `tokenizer.ggml.model`: only "gpt2" (byte-level BPE) is supported.
    public var model: String
    /// `tokenizer.ggml.pre`: "smollm", "gpt-2", "llama-bpe" (and aliases) or "default".
    public var preTokenizer: String

    public init(
        tokens: [String],
        tokenTypes: [Int32],
        merges: [String],
        bosID: Int32,
        eosID: Int32,
        eotID: Int32? = nil,
        unknownID: Int32? = nil,
        paddingID: Int32? = nil,
        addBOS: Bool = false,
        addEOS: Bool = false,
        model: String = "gpt2",
        preTokenizer: String
    ) {
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.bosID = bosID
        self.eosID = eosID
        self.eotID = eotID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.model = model
        self.preTokenizer = preTokenizer
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
