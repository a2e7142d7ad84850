#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GGUF
import Tensor

/// A loaded Llama-architecture model: configuration and weights, shared read-only by any
/// number of `LlamaContext`s.
public final class LlamaModel: Sendable {
    public let config: LlamaConfig
    public let weights: LlamaWeights
    public let rope: Rope

    public init(file: GGUFFile) throws {
        let config = try LlamaConfig(metadata: file)
        self.config = config
        self.weights = try LlamaWeights(file: file, config: config)
        self.rope = Rope(
            dimensions: config.ropeDimensions, base: config.ropeFrequencyBase,
            positionScale: config.ropePositionScale, frequencyFactors: weights.ropeFrequencyFactors)
    }
}
