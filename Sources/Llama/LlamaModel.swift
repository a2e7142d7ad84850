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
    private let queryF16: UnsafeMutablePointer<Float16>  // (queryDimension)
    private let probabilitiesF16: UnsafeMutablePointer<Float16>  // (headCount, paddedContext)
    /// Keys as llama.cpp stores them by default: f16, one row per position.
    private let keyCache: UnsafeMutablePointer<Float16>  // (blockCount, contextLength, kvDimension)
    /// Values in f16, transposed as llama.cpp stores them without flash attention, so that
    /// each output element is one contiguous dot product over positions.
    private let valueCache: UnsafeMutablePointer<Float16>  // (blockCount, kvDimension, paddedContext)
    /// Activations quantized for integer dot products, one buffer per operand slot.
    private let quantized: [UnsafeMutableRawPointer]  // 3 × (max input width / 32 × 36 bytes)
    public let logits: UnsafeMutablePointer<Float>  // (vocabularySize)
    /// Context rounded up to whole blocks of 32 positions (the f16 dot products' stride).
    private let paddedContext: Int

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
        let padded = (contextLength + 31) / 32 * 32
        paddedContext = padded
        func halfBuffer(_ count: Int) throws -> UnsafeMutablePointer<Float16> {
            guard let raw = calloc(max(count, 1), MemoryLayout<Float16>.stride) else {
                throw LlamaError("cannot allocate \(count * 2) bytes for a context of \(contextLength) tokens")
            }
            return raw.bindMemory(to: Float16.self, capacity: max(count, 1))
        }
        queryF16 = try halfBuffer(c.queryDimension)
        probabilitiesF16 = try halfBuffer(c.headCount * padded)
        keyCache = try halfBuffer(c.blockCount * contextLength * c.kvDimension)
        valueCache = try halfBuffer(c.blockCount * c.kvDimension * padded)
        let widest = max(c.embeddingLength, c.queryDimension, c.feedForwardLength)
        var slots: [UnsafeMutableRawPointer] = []
        for _ in 0..<3 {
            guard let raw = calloc(widest / 32 * 36 + 64, 1) else {
                throw LlamaError("cannot allocate activation buffers")
            }
            slots.append(raw)
        }
        quantized = slots
        logits = try buffer(c.vocabularySize)
    }

    deinit {
        for p in [x, xb, q, k, v, gate, up, scores, cosines, sines, logits] { free(p) }
        for p in [queryF16, probabilitiesF16, keyCache, valueCache] { free(p) }
        for p in quantized { free(p) }
    }

    /// Forgets every evaluated token.
    public func reset() { position = 0 }

    /// Drops cached positions from `newPosition` on, so generation can resume from there.
    public func rewind(to newPosition: Int) {
        position = max(0, min(position, newPosition))
    }

    /// Evaluates `token` at the next position and returns the logits for the token after it.
    /// - Parameter batched: the token is part of a prompt of two or more tokens; llama.cpp
    ///   evaluates those as one batch, whose attention products sum in another order.
    @discardableResult
    public func step(_ token: Int32, batched: Bool = false) throws -> UnsafeBufferPointer<Float> {
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

        Dequant.row(w.tokenEmbedding.type, w.tokenEmbedding.row(Int(token)), x, count: dim)
        model.rope.anglesGGML(
            position: pos, base: c.ropeFrequencyBase, frequencyFactors: w.ropeFrequencyFactors,
            cosines: cosines, sines: sines)

        for l in 0..<c.blockCount {
            let layer = w.layers[l]
            layer.attentionNorm.withUnsafeBufferPointer {
                GGMLMath.rmsNorm(xb, x, $0.baseAddress!, dim, eps: c.rmsEpsilon)
            }
            matvec(layer.query, xb, q, layer.key, xb, k, layer.value, xb, v)
            model.rope.apply(q, heads: c.headCount, headSize: headSize, cosines: cosines, sines: sines)
            model.rope.apply(k, heads: c.headCountKV, headSize: headSize, cosines: cosines, sines: sines)

            let layerKeys = keyCache + l * contextLength * kvDim
            let layerValues = valueCache + l * kvDim * paddedContext
            for i in 0..<kvDim {
                layerKeys[pos * kvDim + i] = Float16(k[i])
                layerValues[i * paddedContext + pos] = Float16(v[i])
            }
            attention(keys: layerKeys, values: layerValues, position: pos, batched: batched)
            // x += Wo · attention; the product goes to q, which is free now.
            matvec(layer.attentionOutput, xb, q)
            VectorOps.add(x, q, dim)

            layer.feedForwardNorm.withUnsafeBufferPointer {
                GGMLMath.rmsNorm(xb, x, $0.baseAddress!, dim, eps: c.rmsEpsilon)
            }
            matvec(layer.gate, xb, gate, layer.up, xb, up)
            GGMLMath.swiglu(gate, up, c.feedForwardLength)
            matvec(layer.down, gate, xb)
            VectorOps.add(x, xb, dim)
        }

        w.outputNorm.withUnsafeBufferPointer {
            GGMLMath.rmsNorm(x, x, $0.baseAddress!, dim, eps: c.rmsEpsilon)
        }
        matvec(w.output, x, logits)
        position += 1
        return UnsafeBufferPointer(start: logits, count: c.vocabularySize)
    }

    /// Attention of the current query (q) over cached positions 0...position, written to xb;
    /// query heads are split across threads, each reading its shared KV head. Computed as
    /// llama.cpp does without flash attention: q rounded to f16, scores · scale through
    /// ggml's softmax, probabilities rounded to f16, f16 dot products in the order of the
    /// kernel llama.cpp would pick (llama-graph.cpp build_attn_mha; ggml-cpu.c mul_mat).
    private func attention(
        keys: UnsafeMutablePointer<Float16>, values: UnsafeMutablePointer<Float16>, position: Int, batched: Bool
    ) {
        let c = model.config
        let headSize = c.headSize, kvDim = c.kvDimension, padded = paddedContext
        let groupSize = c.headCount / c.headCountKV
        let scale = 1 / Float(headSize).squareRoot()
        let q = self.q, qh = self.queryF16, out = self.xb, scores = self.scores
        let probabilities = self.probabilitiesF16, contextLength = self.contextLength
        for i in 0..<c.queryDimension { qh[i] = Float16(q[i]) }
        // Positions past `position` count as probability 0, like llama.cpp's masked cells.
        let span = (position + 1 + 31) / 32 * 32
        pool.parallelFor(c.headCount) { heads in
            for h in heads {
                let query = qh + h * headSize
                let kvHead = h / groupSize
                let att = scores + h * contextLength
                for t in 0...position {
                    let key = keys + t * kvDim + kvHead * headSize
                    att[t] = batched
                        ? GGMLMath.dotF16Batch(key, query, headSize)
                        : GGMLMath.dotF16Decode(key, query, headSize)
                }
                GGMLMath.softmax(att, position + 1, scale: scale)
                let p = probabilities + h * padded
                for t in 0..<span { p[t] = t <= position ? Float16(att[t]) : 0 }
                let o = out + h * headSize
                for d in 0..<headSize {
                    let row = values + (kvHead * headSize + d) * padded
                    o[d] = batched ? GGMLMath.dotF16Batch(row, p, span) : GGMLMath.dotF16Decode(row, p, span)
                }
            }
        }
    }

    /// Up to three matrix-vector products in one parallel job; rows of all of them are
    /// concatenated and split evenly across the threads. Inputs of weight types with an
    /// integer dot product are quantized once first, as llama.cpp quantizes src1.
    private func matvec(
        _ a: WeightMatrix, _ xa: UnsafePointer<Float>, _ outA: UnsafeMutablePointer<Float>,
        _ b: WeightMatrix? = nil, _ xb: UnsafePointer<Float>? = nil, _ outB: UnsafeMutablePointer<Float>? = nil,
        _ c: WeightMatrix? = nil, _ xc: UnsafePointer<Float>? = nil, _ outC: UnsafeMutablePointer<Float>? = nil
    ) {
        let rowsA = a.rows, rowsB = b?.rows ?? 0, rowsC = c?.rows ?? 0
        // Quantize each distinct (input, activation type) once, into the slot of its first use.
        let slots = quantized
        func quantize(_ m: WeightMatrix?, _ x: UnsafePointer<Float>?, slot: Int) -> UnsafeRawPointer? {
            guard let m, let x, let type = QuantizedMatVec.activationType(for: m.type) else { return nil }
            QuantizedMatVec.quantize(x, count: m.columns, as: type, into: slots[slot])
            return UnsafeRawPointer(slots[slot])
        }
        func sameInput(_ m: WeightMatrix?, _ x: UnsafePointer<Float>?, _ em: WeightMatrix?, _ ex: UnsafePointer<Float>?) -> Bool {
            guard let m, let x, let em, let ex, x == ex else { return false }
            return QuantizedMatVec.activationType(for: m.type) == QuantizedMatVec.activationType(for: em.type)
        }
        let qa = quantize(a, xa, slot: 0)
        let qb = sameInput(b, xb, a, xa) ? qa : quantize(b, xb, slot: 1)
        let qc = sameInput(c, xc, a, xa) ? qa : sameInput(c, xc, b, xb) ? qb : quantize(c, xc, slot: 2)
        pool.parallelFor(rowsA + rowsB + rowsC) { range in
            func part(_ m: WeightMatrix, _ x: UnsafePointer<Float>, _ xq: UnsafeRawPointer?,
                      _ out: UnsafeMutablePointer<Float>, _ start: Int) {
                let lo = max(range.lowerBound - start, 0), hi = min(range.upperBound - start, m.rows)
                guard lo < hi else { return }
                if let xq {
                    QuantizedMatVec.matvec(m.type, weights: m.data, rowBytes: m.rowBytes, xq: xq, out: out, rows: lo..<hi, cols: m.columns)
                } else {
                    MatVec.matvec(m.type, weights: m.data, rowBytes: m.rowBytes, x: x, out: out, rows: lo..<hi, cols: m.columns)
                }
            }
            part(a, xa, qa, outA, 0)
            if let b, let xb, let outB { part(b, xb, qb, outB, rowsA) }
            if let c, let xc, let outC { part(c, xc, qc, outC, rowsA + rowsB) }
        }
    }
}
