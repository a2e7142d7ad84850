#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GGUF
import Tensor

/// The mutable state of a model run: a KV cache for `sequenceCount` sequences and activation
/// buffers for a batch of tokens, allocated once and reused for every evaluation (llama2.c's
/// RunState, llama.cpp's llama_context).
///
/// `evaluate` takes a batch of (token, position, sequence) entries: the tokens of one long
/// prompt, one new token of each of several sequences, or any mix. Weight matrices are read
/// once per chunk of up to `chunkTokens` tokens, so a batch costs far less than its tokens
/// one at a time. Numerics follow llama.cpp's CPU backend bit for bit (see `attention`).
public final class LlamaContext: @unchecked Sendable {
    public let model: LlamaModel
    public let pool: ThreadPool
    /// Positions each sequence can hold.
    public let contextLength: Int
    /// Sequences the KV cache holds, numbered `0..<sequenceCount`.
    public let sequenceCount: Int
    /// Tokens evaluated together in one pass over the weights.
    public let chunkTokens: Int

    let cache: KVCache
    private let width: Int  // max(embeddingLength, queryDimension): row stride of xb
    private let x: UnsafeMutablePointer<Float>  // (chunkTokens, embeddingLength) residual stream
    private let xb: UnsafeMutablePointer<Float>  // (chunkTokens, width) normed input / attention output
    private let q: UnsafeMutablePointer<Float>  // (chunkTokens, queryDimension)
    private let k: UnsafeMutablePointer<Float>  // (chunkTokens, kvDimension)
    private let v: UnsafeMutablePointer<Float>  // (chunkTokens, kvDimension)
    private let projected: UnsafeMutablePointer<Float>  // (chunkTokens, embeddingLength) output of Wo and Wdown
    private let gate: UnsafeMutablePointer<Float>  // (chunkTokens, feedForwardLength)
    private let up: UnsafeMutablePointer<Float>  // (chunkTokens, feedForwardLength)
    private let cosines: UnsafeMutablePointer<Float>  // (chunkTokens, ropeDimensions / 2)
    private let sines: UnsafeMutablePointer<Float>  // (chunkTokens, ropeDimensions / 2)
    /// q rounded to f16, held as f32: what llama.cpp multiplies with the f16 keys.
    private let queryRounded: UnsafeMutablePointer<Float>  // (chunkTokens, queryDimension)
    private let scores: UnsafeMutablePointer<Float>  // (max(threads, headCount), contextLength)
    /// Probabilities rounded to f16, held as f32.
    private let probabilities: UnsafeMutablePointer<Float>  // (max(threads, headCount), paddedCapacity)
    /// Activations quantized for integer dot products, one buffer per distinct input of a matmul.
    private let quantized: [UnsafeMutableRawPointer]  // 3 × (chunkTokens, maxQuantizedBytes(widest))
    /// Sequence, position and attention order of each token of the current chunk.
    private let chunkSequences: UnsafeMutablePointer<Int>  // (chunkTokens)
    private let chunkPositions: UnsafeMutablePointer<Int>  // (chunkTokens)
    private let chunkBatched: UnsafeMutablePointer<Bool>  // (chunkTokens)
    private var logits: UnsafeMutablePointer<Float>  // (logitRows, vocabularySize)
    private var logitRows: Int
    /// Per-sequence scratch of `evaluate`: next expected position and tokens in the batch.
    private var expected: [Int]
    private var counts: [Int]
    private var stepEntry = [LlamaBatchEntry(token: 0, position: 0, sequence: 0, wantsLogits: true)]

    /// - Parameters:
    ///   - contextLength: positions each sequence holds, at most the model's trained context.
    ///   - sequences: sequences the KV cache holds.
    ///   - chunkTokens: tokens per pass over the weights; more uses more activation memory.
    public init(
        model: LlamaModel, contextLength: Int, sequences: Int = 1, chunkTokens: Int = 64, pool: ThreadPool
    ) throws {
        let c = model.config
        guard contextLength > 0, contextLength <= c.contextLength else {
            throw LlamaError("context length \(contextLength) is outside 1...\(c.contextLength) (the model's trained context)")
        }
        guard sequences > 0, sequences <= 4096 else { throw LlamaError("sequence count \(sequences) is outside 1...4096") }
        guard chunkTokens > 0, chunkTokens <= 4096 else { throw LlamaError("chunk size \(chunkTokens) is outside 1...4096") }
        self.model = model
        self.pool = pool
        self.contextLength = contextLength
        sequenceCount = sequences
        self.chunkTokens = chunkTokens
        cache = try KVCache(
            layers: c.blockCount, sequences: sequences, capacity: contextLength, kvHeads: c.headCountKV, headSize: c.headSize)
        width = max(c.embeddingLength, c.queryDimension)
        let n = chunkTokens, threads = pool.threadCount
        // calloc: buffers sized for a full chunk cost memory only once a chunk that large runs.
        func buffer<T>(_ count: Int, _: T.Type) throws -> UnsafeMutablePointer<T> {
            guard let raw = calloc(max(count, 1), MemoryLayout<T>.stride) else {
                throw LlamaError("cannot allocate \(count * MemoryLayout<T>.stride) bytes of activations")
            }
            return raw.bindMemory(to: T.self, capacity: max(count, 1))
        }
        x = try buffer(n * c.embeddingLength, Float.self)
        xb = try buffer(n * width, Float.self)
        q = try buffer(n * c.queryDimension, Float.self)
        k = try buffer(n * c.kvDimension, Float.self)
        v = try buffer(n * c.kvDimension, Float.self)
        projected = try buffer(n * c.embeddingLength, Float.self)
        gate = try buffer(n * c.feedForwardLength, Float.self)
        up = try buffer(n * c.feedForwardLength, Float.self)
        cosines = try buffer(n * c.ropeDimensions / 2, Float.self)
        sines = try buffer(n * c.ropeDimensions / 2, Float.self)
        queryRounded = try buffer(n * c.queryDimension, Float.self)
        // One row per head: per thread, or per GQA group per thread (`attentionDecodeBatch`),
        // or all heads at once (`attentionDecode`).
        let scratchRows = max(threads * (c.headCount / c.headCountKV), c.headCount)
        scores = try buffer(scratchRows * contextLength, Float.self)
        probabilities = try buffer(scratchRows * cache.paddedCapacity, Float.self)
        let widest = max(c.embeddingLength, c.queryDimension, c.feedForwardLength)
        var slots: [UnsafeMutableRawPointer] = []
        let slotBytes = QuantizedMatVec.maxQuantizedBytes(count: widest)  // Q8_K: 292 bytes per 256 > Q8_1's 36 per 32
        for _ in 0..<3 { slots.append(UnsafeMutableRawPointer(try buffer(n * slotBytes + 64, UInt8.self))) }
        quantized = slots
        chunkSequences = try buffer(n, Int.self)
        chunkPositions = try buffer(n, Int.self)
        chunkBatched = try buffer(n, Bool.self)
        logitRows = 1
        logits = try buffer(c.vocabularySize, Float.self)
        expected = Array(repeating: 0, count: sequences)
        counts = Array(repeating: 0, count: sequences)
    }

    deinit {
        for p in [x, xb, q, k, v, projected, gate, up, cosines, sines, queryRounded, scores, probabilities, logits] { free(p) }
        for p in quantized { free(p) }
        free(chunkSequences)
        free(chunkPositions)
        free(chunkBatched)
    }

    // MARK: - Sequences

    /// Positions filled in `sequence`; its next token goes at this position.
    public func length(of sequence: Int) -> Int { cache.lengths[sequence] }

    /// Positions filled in sequence 0.
    public var position: Int { cache.lengths[0] }

    /// Bytes of KV cache one position of one sequence takes.
    public var kvBytesPerPosition: Int {
        KVCache.bytes(layers: model.config.blockCount, kvDimension: model.config.kvDimension, positions: 1)
    }

    /// Forgets every sequence.
    public func reset() {
        for s in 0..<sequenceCount { cache.truncate(s, to: 0) }
    }

    /// Drops positions of `sequence` from `length` on (llama.cpp's seq_rm), so it can go on
    /// from there.
    public func truncate(sequence: Int, to length: Int) throws {
        try checkSequence(sequence)
        cache.truncate(sequence, to: max(0, length))
    }

    /// Drops positions of sequence 0 from `newPosition` on.
    public func rewind(to newPosition: Int) {
        cache.truncate(0, to: max(0, newPosition))
    }

    /// Makes `target` hold a copy of the first `length` positions of `source` (llama.cpp's
    /// seq_cp), e.g. a shared prompt prefix that is then continued differently.
    public func copy(sequence source: Int, to target: Int, length: Int? = nil) throws {
        try checkSequence(source)
        try checkSequence(target)
        let count = length ?? cache.lengths[source]
        guard count >= 0, count <= cache.lengths[source] else {
            throw LlamaError("cannot copy \(count) positions of sequence \(source), which holds \(cache.lengths[source])")
        }
        cache.copy(source, to: target, length: count)
    }

    private func checkSequence(_ sequence: Int) throws {
        guard sequence >= 0, sequence < sequenceCount else {
            throw LlamaError("sequence \(sequence) is outside 0..<\(sequenceCount)")
        }
    }

    // MARK: - Evaluation

    /// Evaluates `token` at the next position of sequence 0 and returns the logits for the
    /// token after it.
    @discardableResult
    public func step(_ token: Int32) throws -> UnsafeBufferPointer<Float> {
        // One reused entry: decoding allocates nothing per token.
        stepEntry[0].token = token
        stepEntry[0].position = length(of: 0)
        return try evaluate(stepEntry)[0]
    }

    /// Evaluates `tokens` at the next positions of `sequence` as one batch and returns the
    /// logits after the last of them.
    @discardableResult
    public func prefill(_ tokens: [Int32], sequence: Int = 0) throws -> UnsafeBufferPointer<Float> {
        guard !tokens.isEmpty else { throw LlamaError("nothing to evaluate: the prompt has no tokens") }
        try checkSequence(sequence)
        let start = length(of: sequence)
        let entries = tokens.enumerated().map { i, token in
            LlamaBatchEntry(token: token, position: start + i, sequence: sequence, wantsLogits: i == tokens.count - 1)
        }
        return try evaluate(entries)[0]
    }

    /// Evaluates a batch. Each sequence's entries must continue it in order (positions
    /// `length(of:)`, `length(of:) + 1`, ...); nothing is changed when the batch is invalid.
    ///
    /// A sequence with two or more entries in the batch gets the attention products llama.cpp
    /// computes for a prompt batch (tinyBLAS order); a sequence with one entry gets those of
    /// single-token decode. So each sequence's results are those llama.cpp gives it alone,
    /// whatever else shares the batch.
    ///
    /// With `hiddenStates`, the rows are not logits but the final normalized hidden states
    /// (`embeddingLength` values each, the input of the output head): what embeddings pool.
    public func evaluate(_ entries: [LlamaBatchEntry], hiddenStates: Bool = false) throws -> LlamaLogits {
        let vocabulary = model.config.vocabularySize
        let rowWidth = hiddenStates ? model.config.embeddingLength : vocabulary
        for s in 0..<sequenceCount {
            expected[s] = cache.lengths[s]
            counts[s] = 0
        }
        var outputs = 0
        for e in entries {
            guard e.sequence >= 0, e.sequence < sequenceCount else {
                throw LlamaError("batch entry for sequence \(e.sequence), outside 0..<\(sequenceCount)")
            }
            guard e.token >= 0, Int(e.token) < vocabulary else {
                throw LlamaError("token id \(e.token) is outside the vocabulary (0..<\(vocabulary))")
            }
            guard e.position == expected[e.sequence] else {
                throw LlamaError("batch entry at position \(e.position) of sequence \(e.sequence), "
                    + "which continues at position \(expected[e.sequence])")
            }
            guard e.position < contextLength else {
                throw LlamaError("the context is full (\(contextLength) tokens)")
            }
            expected[e.sequence] += 1
            counts[e.sequence] += 1
            if e.wantsLogits { outputs += 1 }
        }
        try reserveLogits(outputs, width: rowWidth)
        var produced = 0
        var start = 0
        while start < entries.count {
            let end = min(start + chunkTokens, entries.count)
            produced += forward(entries, start..<end, firstOutput: produced, hiddenStates: hiddenStates)
            for i in start..<end { cache.setLength(entries[i].position + 1, of: entries[i].sequence) }
            start = end
        }
        return LlamaLogits(base: UnsafePointer(logits), count: produced, vocabularySize: rowWidth)
    }

    /// Makes room for `rows` output rows of `width` values (logits rows are the widest as
    /// long as the vocabulary outnumbers the embedding width).
    private func reserveLogits(_ rows: Int, width: Int) throws {
        let vocabulary = model.config.vocabularySize
        let needed = (rows * width + vocabulary - 1) / vocabulary
        guard needed > logitRows else { return }
        let count = needed * vocabulary
        guard let raw = calloc(count, MemoryLayout<Float>.stride) else {
            throw LlamaError("cannot allocate logits for \(rows) outputs")
        }
        free(logits)
        logits = raw.bindMemory(to: Float.self, capacity: count)
        logitRows = needed
    }

    /// Runs entries `range` (at most `chunkTokens`) through the model; returns how many
    /// logits rows it wrote, from row `firstOutput` on.
    private func forward(_ entries: [LlamaBatchEntry], _ range: Range<Int>, firstOutput: Int, hiddenStates: Bool) -> Int {
        let c = model.config, w = model.weights
        let n = range.count
        let dim = c.embeddingLength, qDim = c.queryDimension, kvDim = c.kvDimension, ffn = c.feedForwardLength
        let half = c.ropeDimensions / 2
        for (t, i) in range.enumerated() {
            let e = entries[i]
            Dequant.row(w.tokenEmbedding.type, w.tokenEmbedding.row(Int(e.token)), x + t * dim, count: dim)
            model.rope.anglesGGML(
                position: e.position, base: c.ropeFrequencyBase, frequencyFactors: w.ropeFrequencyFactors,
                cosines: cosines + t * half, sines: sines + t * half)
            chunkSequences[t] = e.sequence
            chunkPositions[t] = e.position
            chunkBatched[t] = !batchInvariant && counts[e.sequence] >= 2
        }

        for l in 0..<c.blockCount {
            let layer = w.layers[l]
            // x += the previous layer's feed-forward output, then xb = norm(x).
            normalize(layer.attentionNorm, n, addingProjection: l > 0)
            matmul(n, .init(layer.query, xb, width, q, qDim), .init(layer.key, xb, width, k, kvDim),
                   .init(layer.value, xb, width, v, kvDim))
            storeKeysAndValues(layer: l, n)
            attention(layer: l, n)
            matmul(n, .init(layer.attentionOutput, xb, width, projected, dim))
            normalize(layer.feedForwardNorm, n, addingProjection: true)
            matmul(n, .init(layer.gate, xb, width, gate, ffn), .init(layer.up, xb, width, up, ffn))
            forEachToken(n) { t in GGMLMath.swiglu(self.gate + t * ffn, self.up + t * ffn, ffn) }
            matmul(n, .init(layer.down, gate, ffn, projected, dim))
        }
        forEachToken(n) { t in VectorOps.add(self.x + t * dim, self.projected + t * dim, dim) }

        // Final norm and output head, only for the entries that want logits.
        var outputs = 0
        w.outputNorm.withUnsafeBufferPointer { norm in
            for (t, i) in range.enumerated() where entries[i].wantsLogits {
                let row = hiddenStates ? logits + (firstOutput + outputs) * dim : xb + outputs * width
                GGMLMath.rmsNorm(row, x + t * dim, norm.baseAddress!, dim, eps: c.rmsEpsilon)
                outputs += 1
            }
        }
        if outputs > 0 && !hiddenStates {
            let vocabulary = c.vocabularySize
            matmul(outputs, .init(w.output, xb, width, logits + firstOutput * vocabulary, vocabulary), tokens: false)
        }
        return outputs
    }

    /// Runs `body(t)` for each of the chunk's `n` tokens, split across the threads when
    /// there are several (one token runs inline: a dispatch would cost more than the work).
    private func forEachToken(_ n: Int, _ body: (Int) -> Void) {
        if n == 1 {
            body(0)
            return
        }
        pool.parallelFor(n) { range in
            for t in range { body(t) }
        }
    }

    /// xb[t] = rmsNorm(x[t]) · weight for the chunk's `n` tokens, after x[t] += projected[t]
    /// when `addingProjection` (the residual connection of the sublayer before).
    private func normalize(_ weight: [Float], _ n: Int, addingProjection: Bool) {
        let c = model.config
        let dim = c.embeddingLength, eps = c.rmsEpsilon, width = self.width
        let x = self.x, xb = self.xb, projected = self.projected
        weight.withUnsafeBufferPointer { wp in
            let w = wp.baseAddress!
            forEachToken(n) { t in
                if addingProjection { VectorOps.add(x + t * dim, projected + t * dim, dim) }
                GGMLMath.rmsNorm(xb + t * width, x + t * dim, w, dim, eps: eps)
            }
        }
    }

    /// Applies rope to q and k, writes k and v (f16) into the cache at each token's slot, and
    /// rounds q to f16 for attention.
    private func storeKeysAndValues(layer: Int, _ n: Int) {
        forEachToken(n) { t in self.storeKeysAndValues(layer: layer, token: t) }
    }

    private func storeKeysAndValues(layer: Int, token t: Int) {
        let c = model.config
        let qDim = c.queryDimension, kvDim = c.kvDimension, headSize = c.headSize, half = c.ropeDimensions / 2
        let padded = cache.paddedCapacity
        let qt = q + t * qDim, kt = k + t * kvDim, vt = v + t * kvDim
        model.rope.apply(qt, heads: c.headCount, headSize: headSize, cosines: cosines + t * half, sines: sines + t * half)
        model.rope.apply(kt, heads: c.headCountKV, headSize: headSize, cosines: cosines + t * half, sines: sines + t * half)
        let sequence = chunkSequences[t], pos = chunkPositions[t]
        let keys = cache.keys(layer: layer, sequence: sequence) + pos * headSize
        let values = cache.values(layer: layer, sequence: sequence) + pos
        let headStride = cache.capacity * headSize
        for i in 0..<kvDim {
            keys[i / headSize * headStride + i % headSize] = Float16(kt[i])
            values[i * padded] = Float16(vt[i])
        }
        let rounded = queryRounded + t * qDim
        for i in 0..<qDim { rounded[i] = Float(Float16(qt[i])) }
    }

    /// Attention of each chunk token's query over positions 0...its position of its own
    /// sequence, written to xb. Computed as llama.cpp does without flash attention: q rounded
    /// to f16, scores · scale through ggml's softmax, probabilities rounded to f16, f16 dot
    /// products in the order of the kernel llama.cpp would pick (llama-graph.cpp
    /// build_attn_mha; ggml-cpu.c mul_mat): tinyBLAS for a sequence's prompt batch,
    /// ggml_vec_dot_f16 for a single token.
    private func attention(layer: Int, _ n: Int) {
        if n == 1, !chunkBatched[0], chunkPositions[0] + 1 >= splitDecodeFrom {
            return attentionDecode(layer: layer)
        }
        if n > 1, (0..<n).allSatisfy({ !chunkBatched[$0] }) {
            return attentionDecodeBatch(layer: layer, n)
        }
        let c = model.config
        let headCount = c.headCount, headSize = c.headSize, qDim = c.queryDimension
        let groupSize = c.headCount / c.headCountKV, width = self.width
        let scale = 1 / Float(headSize).squareRoot()
        let qh = queryRounded, out = xb, cache = self.cache, padded = cache.paddedCapacity
        let scores = self.scores, probabilities = self.probabilities, contextLength = self.contextLength
        let sequences = chunkSequences, positions = chunkPositions, batchedOrder = chunkBatched
        // (token, head) pairs split across threads, interleaved: a prompt's later tokens
        // attend over more positions.
        pool.run { thread, threads in
            let att = scores + thread * contextLength
            let p = probabilities + thread * padded
            for unit in stride(from: thread, to: n * headCount, by: threads) {
                let t = unit / headCount, h = unit % headCount
                let position = positions[t], batched = batchedOrder[t]
                let keys = cache.keys(layer: layer, sequence: sequences[t]) + h / groupSize * contextLength * headSize
                let values = cache.values(layer: layer, sequence: sequences[t]) + h / groupSize * headSize * padded
                let query = qh + t * qDim + h * headSize
                let o = out + t * width + h * headSize
                if batched {
                    AttentionKernels.scores(keys: keys, stride: headSize, query: query, headSize: headSize,
                                            count: position + 1, batched: true, into: att)
                } else {
                    AttentionKernels.groupScoresDecode(keys: keys, stride: headSize, queries: query, heads: 1, headSize: headSize,
                                                       count: position + 1, into: att, scoreStride: contextLength)
                }
                let span = LlamaContext.probabilities(att, p, count: position + 1, scale: scale)
                if batched {
                    AttentionKernels.weightedValues(values: values, stride: padded, probabilities: p, span: span,
                                                    headSize: headSize, batched: true, into: o)
                } else {
                    AttentionKernels.groupValuesDecode(values: values, stride: padded, probabilities: p, probabilityStride: padded,
                                                       heads: 1, span: span, dimensions: 0..<headSize, into: o, outStride: headSize)
                }
            }
        }
    }

    /// Single-token decode of several sequences at once (each entry of the chunk is its
    /// sequence's only token): (token, KV head) pairs split across threads, the query heads of
    /// a GQA group reading each key and value row together. Same numbers as `attention`.
    private func attentionDecodeBatch(layer: Int, _ n: Int) {
        let c = model.config
        let headSize = c.headSize, qDim = c.queryDimension, kvHeads = c.headCountKV
        let group = c.headCount / c.headCountKV, width = self.width
        let scale = 1 / Float(headSize).squareRoot()
        let qh = queryRounded, out = xb, cache = self.cache, padded = cache.paddedCapacity
        let scores = self.scores, probabilities = self.probabilities, contextLength = self.contextLength
        let sequences = chunkSequences, positions = chunkPositions
        pool.run { thread, threads in
            // This thread's rows of the scratch: `group` heads each.
            let att = scores + thread * group * contextLength
            let p = probabilities + thread * group * padded
            for unit in stride(from: thread, to: n * kvHeads, by: threads) {
                let t = unit / kvHeads, g = unit % kvHeads
                let count = positions[t] + 1
                AttentionKernels.groupScoresDecode(
                    keys: cache.keys(layer: layer, sequence: sequences[t]) + g * contextLength * headSize, stride: headSize,
                    queries: qh + t * qDim + g * group * headSize, heads: group, headSize: headSize, count: count,
                    into: att, scoreStride: contextLength)
                var span = 0
                for h in 0..<group {
                    span = LlamaContext.probabilities(att + h * contextLength, p + h * padded, count: count, scale: scale)
                }
                AttentionKernels.groupValuesDecode(
                    values: cache.values(layer: layer, sequence: sequences[t]) + g * headSize * padded, stride: padded,
                    probabilities: p, probabilityStride: padded, heads: group, span: span, dimensions: 0..<headSize,
                    into: out + t * width + g * group * headSize, outStride: headSize)
            }
        }
    }

    /// Evaluates every token with single-token numerics (llama.cpp's decode kernels for
    /// attention and matmul), prompt tokens included, so that a token's results never depend
    /// on how a prompt was split or what else shares the batch: a server's greedy answer is
    /// then the same alone, under load, and with or without a cached prefix. Off, prompt
    /// batches follow llama.cpp's prompt kernels bit for bit.
    public var batchInvariant = false

    /// Context length from which single-token decode splits attention by positions and
    /// dimensions instead of by heads (three parallel phases instead of one); settable for tests.
    var splitDecodeFrom = 256

    /// Softmax of `count` scores, rounded to f16 into `p`, and zeros up to a whole block of
    /// 32 (llama.cpp's masked cells); returns that span.
    private static func probabilities(
        _ scores: UnsafeMutablePointer<Float>, _ p: UnsafeMutablePointer<Float>, count: Int, scale: Float
    ) -> Int {
        GGMLMath.softmax(scores, count, scale: scale)
        let span = (count + 31) / 32 * 32
        for s in 0..<count { p[s] = Float(Float16(scores[s])) }
        for s in count..<span { p[s] = 0 }
        return span
    }

    /// Single-token decode attention over a long context, in three phases so both threads
    /// stay busy whatever the head count: scores by (KV head, block of positions), softmax by
    /// head, outputs by (KV head, block of dimensions). The query heads of a GQA group read
    /// each key and value row together. Same numbers as `attention`'s decode path.
    private func attentionDecode(layer: Int) {
        let c = model.config
        let headCount = c.headCount, headSize = c.headSize, kvHeads = c.headCountKV
        let group = c.headCount / c.headCountKV
        let scale = 1 / Float(headSize).squareRoot()
        let qh = queryRounded, out = xb, padded = cache.paddedCapacity
        let scores = self.scores, probabilities = self.probabilities, contextLength = self.contextLength
        let count = chunkPositions[0] + 1, span = (count + 31) / 32 * 32
        let keys = cache.keys(layer: layer, sequence: chunkSequences[0])
        let values = cache.values(layer: layer, sequence: chunkSequences[0])
        let block = 128, blocks = (count + block - 1) / block
        pool.run { thread, threads in
            // Contiguous runs of blocks per thread: each streams its keys in order.
            for unit in ThreadPool.chunk(kvHeads * blocks, part: thread, of: threads) {
                let g = unit / blocks, start = unit % blocks * block
                AttentionKernels.groupScoresDecode(
                    keys: keys + (g * contextLength + start) * headSize, stride: headSize, queries: qh + g * group * headSize,
                    heads: group, headSize: headSize, count: min(block, count - start),
                    into: scores + g * group * contextLength + start, scoreStride: contextLength)
            }
        }
        pool.run { thread, threads in
            for h in stride(from: thread, to: headCount, by: threads) {
                _ = LlamaContext.probabilities(scores + h * contextLength, probabilities + h * padded, count: count, scale: scale)
            }
        }
        let dimensionBlock = 16, dimensionBlocks = (headSize + dimensionBlock - 1) / dimensionBlock
        pool.run { thread, threads in
            for unit in ThreadPool.chunk(kvHeads * dimensionBlocks, part: thread, of: threads) {
                let g = unit / dimensionBlocks, d = unit % dimensionBlocks * dimensionBlock
                AttentionKernels.groupValuesDecode(
                    values: values + g * headSize * padded, stride: padded, probabilities: probabilities + g * group * padded,
                    probabilityStride: padded, heads: group, span: span, dimensions: d..<min(d + dimensionBlock, headSize),
                    into: out + g * group * headSize, outStride: headSize)
            }
        }
    }

    // MARK: - Matrix products

    /// One weight matrix applied to the chunk: `output[t] = matrix · input[t]` for each token.
    struct Product {
        let matrix: WeightMatrix
        let input: UnsafePointer<Float>
        let inputStride: Int
        let output: UnsafeMutablePointer<Float>
        let outputStride: Int

        init(_ matrix: WeightMatrix, _ input: UnsafeMutablePointer<Float>, _ inputStride: Int,
             _ output: UnsafeMutablePointer<Float>, _ outputStride: Int) {
            self.matrix = matrix
            self.input = UnsafePointer(input)
            self.inputStride = inputStride
            self.output = output
            self.outputStride = outputStride
        }
    }

    /// Up to three products over `columns` tokens in one parallel job; the rows of all of them
    /// are concatenated and split evenly across the threads. Inputs of weight types with an
    /// integer dot product are quantized once first, as llama.cpp quantizes src1.
    /// - Parameter tokens: the columns are the chunk's tokens (not the compact rows of the
    ///   output head), so each takes the matmul order of its token (`chunkBatched`).
    private func matmul(_ columns: Int, _ a: Product, _ b: Product? = nil, _ c: Product? = nil, tokens: Bool = true) {
        // Each distinct (input, activation type) is quantized once, into the slot of its first use.
        func sameInput(_ p: Product?, _ other: Product?) -> Bool {
            guard let p, let other, p.input == other.input else { return false }
            return QuantizedMatVec.activationType(for: p.matrix.type) == QuantizedMatVec.activationType(for: other.matrix.type)
        }
        func quantizes(_ p: Product?) -> Bool { p.map { QuantizedMatVec.activationType(for: $0.matrix.type) != nil } ?? false }
        let sa: Int? = quantizes(a) ? 0 : nil
        let sb: Int? = quantizes(b) ? (sameInput(b, a) ? sa : 1) : nil
        let sc: Int? = quantizes(c) ? (sameInput(c, a) ? sa : sameInput(c, b) ? sb : 2) : nil
        let slots = quantized
        forEachToken(columns) { col in
            if sa == 0 { LlamaContext.quantize(a, column: col, into: slots[0]) }
            if sb == 1, let b { LlamaContext.quantize(b, column: col, into: slots[1]) }
            if sc == 2, let c { LlamaContext.quantize(c, column: col, into: slots[2]) }
        }
        let qa = sa.map { UnsafeRawPointer(slots[$0]) }
        let qb = sb.map { UnsafeRawPointer(slots[$0]) }
        let qc = sc.map { UnsafeRawPointer(slots[$0]) }
        let rowsA = a.matrix.rows, rowsB = b?.matrix.rows ?? 0, rowsC = c?.matrix.rows ?? 0
        let prompt: UnsafePointer<Bool>? = tokens ? UnsafePointer(chunkBatched) : nil
        pool.parallelFor(rowsA + rowsB + rowsC) { range in
            LlamaContext.product(a, qa, columns, prompt, range, offset: 0)
            if let b { LlamaContext.product(b, qb, columns, prompt, range, offset: rowsA) }
            if let c { LlamaContext.product(c, qc, columns, prompt, range, offset: rowsA + rowsB) }
        }
    }

    /// Quantizes column `column` of `p`'s input for its weight type's integer kernel.
    private static func quantize(_ p: Product, column: Int, into slot: UnsafeMutableRawPointer) {
        guard let type = QuantizedMatVec.activationType(for: p.matrix.type) else { return }
        let bytes = QuantizedMatVec.quantizedBytes(count: p.matrix.columns, as: type)
        QuantizedMatVec.quantize(p.input + column * p.inputStride, count: p.matrix.columns, as: type, into: slot + column * bytes)
    }

    /// The part of product `p` whose rows (offset by `offset` in the concatenation) fall in
    /// `range`. Columns go in groups whose quantized activations fit in L2 next to the weights,
    /// and that are all prompt tokens or all single tokens (`prompt`, one flag per column).
    private static func product(
        _ p: Product, _ xq: UnsafeRawPointer?, _ columns: Int, _ prompt: UnsafePointer<Bool>?, _ range: Range<Int>,
        offset: Int
    ) {
        let m = p.matrix
        let lo = max(range.lowerBound - offset, 0), hi = min(range.upperBound - offset, m.rows)
        guard lo < hi else { return }
        guard let xq, let type = QuantizedMatVec.activationType(for: m.type) else {
            for col in 0..<columns {
                MatVec.matvec(m.type, weights: m.data, rowBytes: m.rowBytes, x: p.input + col * p.inputStride,
                              out: p.output + col * p.outputStride, rows: lo..<hi, cols: m.columns)
            }
            return
        }
        let xqStride = QuantizedMatVec.quantizedBytes(count: m.columns, as: type)
        // A multiple of 4 columns: the tiled kernels take columns 4 at a time.
        let group = max(4, 192 * 1024 / xqStride / 4 * 4)
        var col = 0
        while col < columns {
            let promptOrder = prompt?[col] ?? false
            var end = min(col + group, columns)
            if let prompt {
                var e = col + 1
                while e < end, prompt[e] == promptOrder { e += 1 }
                end = e
            }
            QuantizedMatVec.matmul(
                m.type, weights: m.data, rowBytes: m.rowBytes, xq: xq + col * xqStride, xqStride: xqStride,
                out: p.output + col * p.outputStride, outStride: p.outputStride, rows: lo..<hi, columns: end - col,
                cols: m.columns, promptOrder: promptOrder)
            col = end
        }
    }
}
