import GGUF

/// Hyperparameters of a Llama-architecture model, read from GGUF metadata
/// (`<arch>.*` keys; names and defaults as llama.cpp reads them: src/llama-arch.cpp,
/// src/llama-model.cpp).
public struct LlamaConfig: Sendable, Equatable {
    /// Architectures that share the Llama graph.
    public static let supportedArchitectures: Set<String> = ["llama", "mistral"]

    public var architecture: String
    /// Trained context length (`context_length`).
    public var contextLength: Int
    /// Width of the residual stream (`embedding_length`).
    public var embeddingLength: Int
    /// Transformer blocks (`block_count`).
    public var blockCount: Int
    /// Hidden width of the feed-forward network (`feed_forward_length`).
    public var feedForwardLength: Int
    /// Query heads (`attention.head_count`).
    public var headCount: Int
    /// Key/value heads (`attention.head_count_kv`, default headCount; fewer means GQA).
    public var headCountKV: Int
    /// Size of one head (`attention.key_length`, default embeddingLength / headCount).
    public var headSize: Int
    /// Rotated dimensions per head (`rope.dimension_count`, default headSize).
    public var ropeDimensions: Int
    /// Base of the rotary frequencies (`rope.freq_base`, default 10000).
    public var ropeFrequencyBase: Float
    /// Positions are multiplied by this (1 / `rope.scaling.factor` for linear scaling).
    public var ropePositionScale: Float
    /// Epsilon of RMSNorm (`attention.layer_norm_rms_epsilon`, default 1e-5).
    public var rmsEpsilon: Float
    /// Vocabulary size (`vocab_size`, else the tokenizer's token count).
    public var vocabularySize: Int

    public var kvDimension: Int { headCountKV * headSize }
    public var queryDimension: Int { headCount * headSize }

    public init(metadata file: GGUFFile) throws {
        guard let arch = file["general.architecture"]?.string else {
            throw LlamaError.missingKey("general.architecture")
        }
        guard LlamaConfig.supportedArchitectures.contains(arch) else {
            throw LlamaError("unsupported architecture '\(arch)' (Cria runs: "
                + LlamaConfig.supportedArchitectures.sorted().joined(separator: ", ") + ")")
        }
        architecture = arch

        func int(_ key: String, default value: Int? = nil) throws -> Int {
            let full = "\(arch).\(key)"
            guard let entry = file[full] else {
                if let value { return value }
                throw LlamaError.missingKey(full)
            }
            guard let v = entry.int else { throw LlamaError.badValue(full, "\(entry)", "is not an integer") }
            guard v > 0, v <= 1 << 24 else { throw LlamaError.badValue(full, v, "is out of range") }
            return v
        }
        func float(_ key: String, default value: Float) throws -> Float {
            let full = "\(arch).\(key)"
            guard let entry = file[full] else { return value }
            guard let v = entry.float, v.isFinite else {
                throw LlamaError.badValue(full, "\(entry)", "is not a finite number")
            }
            return Float(v)
        }

        contextLength = try int("context_length")
        embeddingLength = try int("embedding_length")
        blockCount = try int("block_count")
        feedForwardLength = try int("feed_forward_length")
        headCount = try int("attention.head_count")
        headCountKV = try int("attention.head_count_kv", default: headCount)
        guard headCount % headCountKV == 0 else {
            throw LlamaError("\(arch).attention.head_count (\(headCount)) is not a multiple of "
                + "\(arch).attention.head_count_kv (\(headCountKV))")
        }
        guard embeddingLength % headCount == 0 || file["\(arch).attention.key_length"] != nil else {
            throw LlamaError("\(arch).embedding_length (\(embeddingLength)) is not a multiple of "
                + "\(arch).attention.head_count (\(headCount))")
        }
        headSize = try int("attention.key_length", default: embeddingLength / headCount)
        let valueSize = try int("attention.value_length", default: headSize)
        guard valueSize == headSize else {
            throw LlamaError("\(arch).attention.value_length (\(valueSize)) differs from the key length "
                + "(\(headSize)); Cria supports equal sizes only")
        }
        ropeDimensions = try int("rope.dimension_count", default: headSize)
        guard ropeDimensions <= headSize, ropeDimensions % 2 == 0 else {
            throw LlamaError.badValue("\(arch).rope.dimension_count", ropeDimensions,
                                      "must be even and at most the head size \(headSize)")
        }
        ropeFrequencyBase = try float("rope.freq_base", default: 10_000)
        guard ropeFrequencyBase > 0 else {
            throw LlamaError.badValue("\(arch).rope.freq_base", ropeFrequencyBase, "must be positive")
        }
        rmsEpsilon = try float("attention.layer_norm_rms_epsilon", default: 1e-5)
        ropePositionScale = 1
        if let scaling = file["\(arch).rope.scaling.type"]?.string, scaling != "none" {
            guard scaling == "linear" else {
                throw LlamaError("unsupported rope scaling '\(scaling)' (\(arch).rope.scaling.type); "
                    + "Cria supports none and linear")
            }
            let factor = try float("rope.scaling.factor", default: 1)
            guard factor > 0 else {
                throw LlamaError.badValue("\(arch).rope.scaling.factor", factor, "must be positive")
            }
            ropePositionScale = 1 / factor
        }
        let tokenCount = file["tokenizer.ggml.tokens"]?.array?.count
        vocabularySize = try int("vocab_size", default: tokenCount ?? 0)
        if vocabularySize == 0, let embd = file.tensor(named: LlamaTensorName.tokenEmbedding), embd.shape.count == 2 {
            vocabularySize = embd.shape[1]
        }
        guard vocabularySize > 0 else { throw LlamaError.missingKey("\(arch).vocab_size") }
    }
}
