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

/// The mutable state of one sequence: KV cache and activation buffers, allocated once for
/// `contextLength` positions and reused every step (llama2.c's RunState).
public final class LlamaContext: @unchecked Sendable {
    public let model: LlamaModel
    public let pool: ThreadPool
    /// Positions the KV cache holds.
    public let contextLength: Int
    /// Tokens evaluated so far; the next token goes at this position.
    public private(set) var position = 0

    private let x: UnsafeMutablePointer<Float>  // (embeddingLength) residual stream
    private let xb: UnsafeMutablePointer<Float>  // (max(embeddingLength, queryDimension)) normed input / attention output
    private let q: UnsafeMutablePointer<Float>  // (queryDimension)
    private let k: UnsafeMutablePointer<Float>  // (kvDimension)
    private let v: UnsafeMutablePointer<Float>  // (kvDimension)
    private let gate: UnsafeMutablePointer<Float>  // (feedForwardLength)
    private let up: UnsafeMutablePointer<Float>  // (feedForwardLength)
    private let scores: UnsafeMutablePointer<Float>  // (headCount, contextLength)
    private let cosines: UnsafeMutablePointer<Float>  // (ropeDimensions / 2)
    private let sines: UnsafeMutablePointer<Float>  // (ropeDimensions / 2)
    private let keyCache: UnsafeMutablePointer<Float>  // (blockCount, contextLength, kvDimension)
    private let valueCache: UnsafeMutablePointer<Float>  // (blockCount, contextLength, kvDimension)
    public let logits: UnsafeMutablePointer<Float>  // (vocabularySize)

    /// - Parameters:
    ///   - contextLength: positions to hold, at most the model's trained context.
    public init(model: LlamaModel, contextLength: Int, pool: ThreadPool) throws {
        let c = model.config
        guard contextLength > 0, contextLength <= c.contextLength else {
            throw LlamaError("context length \(contextLength) is outside 1...\(c.contextLength) (the model's trained context)")
        }
        self.model = model
        self.pool = pool
        self.contextLength = contextLength
        // calloc: the large KV cache is zero pages until a position is written.
        func buffer(_ count: Int) throws -> UnsafeMutablePointer<Float> {
            guard let raw = calloc(max(count, 1), MemoryLayout<Float>.stride) else {
                throw LlamaError("cannot allocate \(count * 4) bytes for a context of \(contextLength) tokens")
            }
            return raw.bindMemory(to: Float.self, capacity: max(count, 1))
        }
        x = try buffer(c.embeddingLength)
        xb = try buffer(max(c.embeddingLength, c.queryDimension))
        q = try buffer(c.queryDimension)
        k = try buffer(c.kvDimension)
        v = try buffer(c.kvDimension)
        gate = try buffer(c.feedForwardLength)
        up = try buffer(c.feedForwardLength)
        scores = try buffer(c.headCount * contextLength)
        cosines = try buffer(c.ropeDimensions / 2)
        sines = try buffer(c.ropeDimensions / 2)
        keyCache = try buffer(c.blockCount * contextLength * c.kvDimension)
        valueCache = try buffer(c.blockCount * contextLength * c.kvDimension)
        logits = try buffer(c.vocabularySize)
    }

    deinit {
        for p in [x, xb, q, k, v, gate, up, scores, cosines, sines, keyCache, valueCache, logits] {
            free(p)
        }
    }

    /// Forgets every evaluated token.
    public func reset() { position = 0 }

    /// Drops cached positions from `newPosition` on, so generation can resume from there.
    public func rewind(to newPosition: Int) {
        position = max(0, min(position, newPosition))
    }

    /// Evaluates `token` at the next position and returns the logits for the token after it.
    @discardableResult
    public func step(_ token: Int32) throws -> UnsafeBufferPointer<Float> {
        let c = model.config
        guard token >= 0, Int(token) < c.vocabularySize else {
            throw LlamaError("token id \(token) is outside the vocabulary (0..<\(c.vocabularySize))")
        }
        guard position < contextLength else {
            throw LlamaError("the context is full (\(contextLength) tokens)")
        }
        let w = model.weights
        let pos = position
        let dim = c.embeddingLength, kvDim = c.kvDimension, headSize = c.headSize
        let groupSize = c.headCount / c.headCountKV
        let attentionScale = 1 / Float(headSize).squareRoot()

        Dequant.row(w.tokenEmbedding.type, w.tokenEmbedding.row(Int(token)), x, count: dim)
        model.rope.angles(position: pos, cosines: cosines, sines: sines)

        for l in 0..<c.blockCount {
            let layer = w.layers[l]
            layer.attentionNorm.withUnsafeBufferPointer {
                VectorOps.rmsNorm(xb, x, $0.baseAddress!, dim, eps: c.rmsEpsilon)
            }
            matvec(layer.query, xb, q, layer.key, xb, k, layer.value, xb, v)
            model.rope.apply(q, heads: c.headCount, headSize: headSize, cosines: cosines, sines: sines)
            model.rope.apply(k, heads: c.headCountKV, headSize: headSize, cosines: cosines, sines: sines)

            let layerKeys = keyCache + l * contextLength * kvDim
            let layerValues = valueCache + l * contextLength * kvDim
            (layerKeys + pos * kvDim).update(from: k, count: kvDim)
            (layerValues + pos * kvDim).update(from: v, count: kvDim)

            // Attention, one query head at a time, heads split across threads.
            let (q, xb, scores, contextLength) = (self.q, self.xb, self.scores, self.contextLength)
            pool.parallelFor(c.headCount) { heads in
                for h in heads {
                    let query = q + h * headSize
                    let kvOffset = (h / groupSize) * headSize
                    let att = scores + h * contextLength
                    for t in 0...pos {
                        att[t] = VectorOps.dot(query, layerKeys + t * kvDim + kvOffset, headSize) * attentionScale
                    }
                    VectorOps.softmax(att, pos + 1)
                    let out = xb + h * headSize
                    out.update(repeating: 0, count: headSize)
                    for t in 0...pos {
                        VectorOps.addScaled(out, layerValues + t * kvDim + kvOffset, att[t], headSize)
                    }
                }
            }
            // x += Wo · attention; the product goes to q, which is free now.
            matvec(layer.attentionOutput, xb, q)
            VectorOps.add(x, q, dim)

            layer.feedForwardNorm.withUnsafeBufferPointer {
                VectorOps.rmsNorm(xb, x, $0.baseAddress!, dim, eps: c.rmsEpsilon)
            }
            matvec(layer.gate, xb, gate, layer.up, xb, up)
            VectorOps.swiglu(gate, up, c.feedForwardLength)
            matvec(layer.down, gate, xb)
            VectorOps.add(x, xb, dim)
        }

        w.outputNorm.withUnsafeBufferPointer {
            VectorOps.rmsNorm(x, x, $0.baseAddress!, dim, eps: c.rmsEpsilon)
        }
        matvec(w.output, x, logits)
        position += 1
        return UnsafeBufferPointer(start: logits, count: c.vocabularySize)
    }

    /// Up to three matrix-vector products in one parallel job; rows of all of them are
    /// concatenated and split evenly across the threads.
    private func matvec(
        _ a: WeightMatrix, _ xa: UnsafePointer<Float>, _ outA: UnsafeMutablePointer<Float>,
        _ b: WeightMatrix? = nil, _ xb: UnsafePointer<Float>? = nil, _ outB: UnsafeMutablePointer<Float>? = nil,
        _ c: WeightMatrix? = nil, _ xc: UnsafePointer<Float>? = nil, _ outC: UnsafeMutablePointer<Float>? = nil
    ) {
        let rowsA = a.rows, rowsB = b?.rows ?? 0, rowsC = c?.rows ?? 0
        pool.parallelFor(rowsA + rowsB + rowsC) { range in
            func part(_ m: WeightMatrix, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ start: Int) {
                let lo = max(range.lowerBound - start, 0), hi = min(range.upperBound - start, m.rows)
                if lo < hi {
                    MatVec.matvec(m.type, weights: m.data, rowBytes: m.rowBytes, x: x, out: out, rows: lo..<hi, cols: m.columns)
                }
            }
            part(a, xa, outA, 0)
            if let b, let xb, let outB { part(b, xb, outB, rowsA) }
            if let c, let xc, let outC { part(c, xc, outC, rowsA + rowsB) }
        }
    }
}
