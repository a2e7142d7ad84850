import GGUF
import Tensor

/// GGUF tensor names of the Llama graph, in one place (llama.cpp: src/llama-arch.cpp,
/// LLM_TENSOR_NAMES for LLM_ARCH_LLAMA).
public enum LlamaTensorName {
    public static let tokenEmbedding = "token_embd.weight"
    public static let outputNorm = "output_norm.weight"
    public static let output = "output.weight"
    public static let ropeFrequencies = "rope_freqs.weight"
    public static func attentionNorm(_ layer: Int) -> String { "blk.\(layer).attn_norm.weight" }
    public static func query(_ layer: Int) -> String { "blk.\(layer).attn_q.weight" }
    public static func key(_ layer: Int) -> String { "blk.\(layer).attn_k.weight" }
    public static func value(_ layer: Int) -> String { "blk.\(layer).attn_v.weight" }
    public static func attentionOutput(_ layer: Int) -> String { "blk.\(layer).attn_output.weight" }
    public static func feedForwardNorm(_ layer: Int) -> String { "blk.\(layer).ffn_norm.weight" }
    public static func gate(_ layer: Int) -> String { "blk.\(layer).ffn_gate.weight" }
    public static func up(_ layer: Int) -> String { "blk.\(layer).ffn_up.weight" }
    public static func down(_ layer: Int) -> String { "blk.\(layer).ffn_down.weight" }
}

/// A read-only matrix view into the mapped model file: `rows` rows of `columns` elements,
/// each row `rowBytes` bytes of `type` blocks. GGUF shape is (columns, rows).
public struct WeightMatrix: @unchecked Sendable {
    public let name: String
    public let type: GGMLType
    public let rows: Int
    public let columns: Int
    public let rowBytes: Int
    public let data: UnsafeRawPointer  // (rows, rowBytes)

    public func row(_ index: Int) -> UnsafeRawPointer { data + index * rowBytes }
}

/// Weights of one transformer block.
public struct LlamaLayerWeights: Sendable {
    public let attentionNorm: [Float]  // (embeddingLength)
    public let query: WeightMatrix  // (queryDimension, embeddingLength)
    public let key: WeightMatrix  // (kvDimension, embeddingLength)
    public let value: WeightMatrix  // (kvDimension, embeddingLength)
    public let attentionOutput: WeightMatrix  // (embeddingLength, queryDimension)
    public let feedForwardNorm: [Float]  // (embeddingLength)
    public let gate: WeightMatrix  // (feedForwardLength, embeddingLength)
    public let up: WeightMatrix  // (feedForwardLength, embeddingLength)
    public let down: WeightMatrix  // (embeddingLength, feedForwardLength)
}

/// All weights of a Llama model: matrices are zero-copy views into the GGUF mapping (kept
/// alive by `file`); the small norm vectors are converted to f32 once.
public struct LlamaWeights: @unchecked Sendable {
    public let file: GGUFFile
    public let tokenEmbedding: WeightMatrix  // (vocabularySize, embeddingLength)
    public let layers: [LlamaLayerWeights]
    public let outputNorm: [Float]  // (embeddingLength)
    /// The output head; the token embedding when the model ties them.
    public let output: WeightMatrix  // (vocabularySize, embeddingLength)
    /// Llama 3.1 frequency factors, if present: (ropeDimensions / 2).
    public let ropeFrequencyFactors: [Float]?

    public init(file: GGUFFile, config c: LlamaConfig) throws {
        self.file = file
        func matrix(_ name: String, rows: Int, columns: Int) throws -> WeightMatrix {
            guard let info = file.tensor(named: name) else { throw LlamaError.missingTensor(name) }
            guard info.shape == [columns, rows] else {
                throw LlamaError("tensor \(name) has shape \(info.shape) but the model's metadata "
                    + "implies [\(columns), \(rows)]")
            }
            guard Dequant.isSupported(info.type) else {
                throw LlamaError("tensor \(name) has type \(info.type), which Cria cannot compute with yet")
            }
            guard let rowBytes = info.type.byteCount(elements: columns) else {
                throw LlamaError("tensor \(name): rows of \(columns) elements are not whole \(info.type) blocks")
            }
            let bytes = file.data(of: info)
            guard let base = bytes.baseAddress, bytes.count >= rowBytes * rows else {
                throw LlamaError("tensor \(name) holds \(bytes.count) bytes, fewer than its shape needs")
            }
            return WeightMatrix(name: name, type: info.type, rows: rows, columns: columns, rowBytes: rowBytes, data: base)
        }
        func vector(_ name: String, count: Int) throws -> [Float] {
            guard let info = file.tensor(named: name) else { throw LlamaError.missingTensor(name) }
            guard info.elementCount == count, info.shape.count == 1 else {
                throw LlamaError("tensor \(name) has shape \(info.shape) but the model's metadata implies [\(count)]")
            }
            guard Dequant.isSupported(info.type) else {
                throw LlamaError("tensor \(name) has type \(info.type), which Cria cannot read yet")
            }
            let bytes = file.data(of: info)
            guard let base = bytes.baseAddress, let needed = info.type.byteCount(elements: count),
                  bytes.count >= needed
            else { throw LlamaError("tensor \(name) holds \(bytes.count) bytes, fewer than its shape needs") }
            var out = [Float](repeating: 0, count: count)
            out.withUnsafeMutableBufferPointer { Dequant.row(info.type, base, $0.baseAddress!, count: count) }
            return out
        }

        tokenEmbedding = try matrix(LlamaTensorName.tokenEmbedding, rows: c.vocabularySize, columns: c.embeddingLength)
        guard Dequant.isSupported(tokenEmbedding.type) else {
            throw LlamaError("tensor \(tokenEmbedding.name) has type \(tokenEmbedding.type), which Cria cannot read yet")
        }
        var layers: [LlamaLayerWeights] = []
        layers.reserveCapacity(c.blockCount)
        for l in 0..<c.blockCount {
            layers.append(LlamaLayerWeights(
                attentionNorm: try vector(LlamaTensorName.attentionNorm(l), count: c.embeddingLength),
                query: try matrix(LlamaTensorName.query(l), rows: c.queryDimension, columns: c.embeddingLength),
                key: try matrix(LlamaTensorName.key(l), rows: c.kvDimension, columns: c.embeddingLength),
                value: try matrix(LlamaTensorName.value(l), rows: c.kvDimension, columns: c.embeddingLength),
                attentionOutput: try matrix(LlamaTensorName.attentionOutput(l), rows: c.embeddingLength, columns: c.queryDimension),
                feedForwardNorm: try vector(LlamaTensorName.feedForwardNorm(l), count: c.embeddingLength),
                gate: try matrix(LlamaTensorName.gate(l), rows: c.feedForwardLength, columns: c.embeddingLength),
                up: try matrix(LlamaTensorName.up(l), rows: c.feedForwardLength, columns: c.embeddingLength),
                down: try matrix(LlamaTensorName.down(l), rows: c.embeddingLength, columns: c.feedForwardLength)
            ))
        }
        self.layers = layers
        outputNorm = try vector(LlamaTensorName.outputNorm, count: c.embeddingLength)
        if file.tensor(named: LlamaTensorName.output) != nil {
            output = try matrix(LlamaTensorName.output, rows: c.vocabularySize, columns: c.embeddingLength)
        } else {
            output = tokenEmbedding
        }
        if file.tensor(named: LlamaTensorName.ropeFrequencies) != nil {
            ropeFrequencyFactors = try vector(LlamaTensorName.ropeFrequencies, count: c.ropeDimensions / 2)
        } else {
            ropeFrequencyFactors = nil
        }
    }
}
