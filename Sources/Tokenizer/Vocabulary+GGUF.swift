import GGUF

extension Vocabulary {
    /// Reads the `tokenizer.ggml.*` metadata of a model file (keys: ggml docs/gguf.md).
    ///
    /// Missing optional keys take llama.cpp's defaults (src/llama-vocab.cpp `load`): no token
    /// types means all normal, no add_eos means false, no add_bos means
    /// true for Llama 3 pre-tokenizers and false otherwise, no pre-tokenizer means "default".
    /// - Throws: `TokenizerError` when the tokens, merges or BOS/EOS ids are missing or mistyped.
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
        guard let merges = file["tokenizer.ggml.merges"]?.stringArray else {
            throw TokenizerError.missing("tokenizer.ggml.merges")
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
        guard let bosID = try id("tokenizer.ggml.bos_token_id") else { throw TokenizerError.missing("tokenizer.ggml.bos_token_id") }
        guard let eosID = try id("tokenizer.ggml.eos_token_id") else { throw TokenizerError.missing("tokenizer.ggml.eos_token_id") }

        let preTokenizer = string("tokenizer.ggml.pre") ?? "default"
        self.init(
            tokens: tokens,
            tokenTypes: tokenTypes,
            merges: merges,
            bosID: bosID,
            eosID: eosID,
            eotID: try id("tokenizer.ggml.eot_token_id"),
            unknownID: try id("tokenizer.ggml.unknown_token_id"),
            paddingID: try id("tokenizer.ggml.padding_token_id"),
            addBOS: file["tokenizer.ggml.add_bos_token"]?.bool ?? (PreTokenizer(name: preTokenizer)?.addsBOSByDefault ?? false),
            addEOS: file["tokenizer.ggml.add_eos_token"]?.bool ?? false,
            model: model,
            preTokenizer: preTokenizer
        )
    }
}
