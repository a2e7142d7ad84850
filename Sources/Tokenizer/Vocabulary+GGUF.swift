import GGUF

extension Vocabulary {
    /// Reads the `tokenizer.ggml.*` metadata of a model file (keys: ggml docs/gguf.md).
    ///
    /// Missing optional keys take llama.cpp's defaults (src/llama-vocab.cpp `load`): no token
    /// types means all normal, no add_eos means false, no add_bos means true for SentencePiece
    /// and Llama 3 pre-tokenizers and false otherwise, no pre-tokenizer means "default",
    /// SentencePiece BOS/EOS/unknown default to 1/2/0.
    /// - Throws: `TokenizerError` when the tokens, merges or scores are missing or mistyped.
    public init(gguf file: GGUFFile) throws {
        func string(_ key: String) -> String? { file[key]?.string }
        func id(_ key: String) throws -> Int32? {
            guard let value = file[key] else { return nil }
            guard let int = value.int, let id = Int32(exactly: int) else {
                throw TokenizerError.inconsistent("'\(key)' is \(value), not a token id")
            }
            return id
        }

        guard let model = string("tokenizer.ggml.model") else { throw TokenizerError.missing("tokenizer.ggml.model") }
        guard let tokens = file["tokenizer.ggml.tokens"]?.stringArray else {
            throw TokenizerError.missing("tokenizer.ggml.tokens")
        }
        var merges: [String] = []
        var scores: [Float] = []
        switch model {
        case "gpt2":
            guard let values = file["tokenizer.ggml.merges"]?.stringArray else {
                throw TokenizerError.missing("tokenizer.ggml.merges")
            }
            merges = values
        case "llama":
            guard let values = file["tokenizer.ggml.scores"]?.array else { throw TokenizerError.missing("tokenizer.ggml.scores") }
            scores = try values.map { value in
                guard let score = value.float else {
                    throw TokenizerError.inconsistent("'tokenizer.ggml.scores' holds \(value), not a number")
                }
                return Float(score)
            }
        default:
            throw TokenizerError.unsupportedModel(model)
        }
        var tokenTypes: [Int32] = []
        if let value = file["tokenizer.ggml.token_type"] {
            let types = value.intArray ?? []
            let narrowed = types.compactMap { Int32(exactly: $0) }
            guard value.intArray != nil, narrowed.count == types.count else {
                throw TokenizerError.inconsistent("'tokenizer.ggml.token_type' is not an array of 32-bit integers")
            }
            tokenTypes = narrowed
        }
        let isSentencePiece = model == "llama"
        let preTokenizer = string("tokenizer.ggml.pre") ?? "default"
        let defaultAddBOS = isSentencePiece || (PreTokenizer(name: preTokenizer)?.addsBOSByDefault ?? false)
        self.init(
            tokens: tokens,
            tokenTypes: tokenTypes,
            merges: merges,
            scores: scores,
            bosID: try id("tokenizer.ggml.bos_token_id") ?? (isSentencePiece ? 1 : nil),
            eosID: try id("tokenizer.ggml.eos_token_id") ?? (isSentencePiece ? 2 : nil),
            eotID: try id("tokenizer.ggml.eot_token_id"),
            eomID: try id("tokenizer.ggml.eom_token_id"),
            unknownID: try id("tokenizer.ggml.unknown_token_id") ?? (isSentencePiece ? 0 : nil),
            paddingID: try id("tokenizer.ggml.padding_token_id"),
            addBOS: file["tokenizer.ggml.add_bos_token"]?.bool ?? defaultAddBOS,
            addEOS: file["tokenizer.ggml.add_eos_token"]?.bool ?? false,
            addSpacePrefix: file["tokenizer.ggml.add_space_prefix"]?.bool,
            model: model,
            preTokenizer: preTokenizer,
            modelName: string("general.name")
        )
    }
}
