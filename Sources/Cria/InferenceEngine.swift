import Foundation
import Grammar
import Llama
import Sampling
import Synchronization
import Tensor
import Tokenizer

/// One generation request for an `InferenceEngine`.
public struct CompletionRequest: Sendable {
    /// Prompt tokens (BOS included where the model wants one).
    public var prompt: [Int32]
    /// Most tokens to generate.
    public var maxTokens: Int
    public var sampling: SamplingParameters
    /// Generation stops before the first of these strings; the string is not output.
    public var stop: [String]
    /// Log-probabilities to report for each generated token: nil for none, 0 for the chosen
    /// token's only, k for the chosen token's and the k most likely.
    public var logprobs: Int?
    /// Whether the prompt may reuse keys and values a sequence already holds (prefix caching).
    public var cachePrompt: Bool
    /// The generated text must follow this grammar; generation ends when it can take nothing more.
    public var grammar: Grammar?
    /// When set, the grammar holds the text only from this trigger on.
    public var grammarTrigger: GrammarTrigger?

    public init(
        prompt: [Int32], maxTokens: Int, sampling: SamplingParameters = SamplingParameters(), stop: [String] = [],
        logprobs: Int? = nil, cachePrompt: Bool = true, grammar: Grammar? = nil, grammarTrigger: GrammarTrigger? = nil
    ) {
        self.grammar = grammar
        self.grammarTrigger = grammarTrigger
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stop = stop.filter { !$0.isEmpty }
        self.logprobs = logprobs
        self.cachePrompt = cachePrompt
    }
}

/// The log-probability of a generated token under the model, and the most likely alternatives.
public struct TokenLogprob: Sendable {
    public var id: Int32
    public var logprob: Float
    /// The most likely tokens, most likely first.
    public var top: [(id: Int32, logprob: Float)]
}

/// What a request produces, in order: tokens as they are generated, then the stats.
public enum CompletionEvent: Sendable {
    /// A generated token and the text it released: complete UTF-8 characters that are not part
    /// of a possible stop string (so the text of a token may come with a later one).
    case token(id: Int32, text: String, logprob: TokenLogprob?)
    /// Text held back until the end (an unfinished character or stop-string prefix).
    case text(String)
    /// Generation ended; the last event.
    case finished(GenerationStats)
}

/// A snapshot of an engine's load.
public struct EngineStatus: Sendable {
    /// Requests waiting for a free sequence.
    public var queued = 0
    /// Requests being served.
    public var active = 0
    /// Sequences that serve requests at once.
    public var slots = 0
    /// Positions of the KV cache holding tokens (kept prefixes included).
    public var cachedTokens = 0
    /// Positions the KV cache holds in all.
    public var capacityTokens = 0
    /// Bytes of KV cache per position.
    public var bytesPerToken = 0
}

/// Serves many requests on one model at once: a single loop runs batched forward passes in
/// which every running sequence decodes one token and waiting prompts are evaluated in chunks
/// (continuous batching). New requests join at the next step; a finished or cancelled one
/// frees its sequence at once.
///
/// Each sequence keeps the tokens it holds after its request ends, and a new request starts on
/// the sequence sharing the longest prefix with its prompt (or copies that prefix from a busy
/// one), so the next turn of a chat, or a shared system prompt, evaluates only what is new.
///
/// The loop runs on a thread of its own; `submit` and `embed` may be called from any task.
public final class InferenceEngine: Sendable {
    public let model: Model
    /// Sequences served at once.
    public let parallel: Int
    /// Positions each sequence holds.
    public let contextLength: Int
    /// Most requests waiting for a sequence before `submit` refuses more.
    public let maxQueue: Int
    /// Tokens evaluated per step at most (decode tokens plus prompt chunks).
    public let batchTokens: Int
    /// How embeddings pool the token states (from `<arch>.pooling_type`; mean if absent).
    public let pooling: Pooling

    /// How the states of a text's tokens become one embedding.
    public enum Pooling: Int, Sendable {
        case mean = 1
        case cls = 2
        case last = 3
    }

    private let context: LlamaContext
    private let shared: Mutex<Shared>
    private let wakeup = NSCondition()
    private let loop: UnsafeTransfer<Loop>

    /// State the loop and the callers share, behind `shared`.
    private struct Shared: ~Copyable {
        var queue: [Job] = []
        var embeddings: [EmbeddingJob] = []
        var busy = 0
        var stopping = false
        var cachedTokens = 0
    }

    /// - Parameters:
    ///   - parallel: sequences served at once.
    ///   - contextLength: positions per sequence (default: the model's trained context, at most 4096).
    ///   - threads: worker threads of the forward pass.
    ///   - batchTokens: tokens per step at most.
    ///   - maxQueue: requests that may wait for a sequence.
    public init(
        model: Model, parallel: Int = 4, contextLength: Int? = nil, threads: Int, batchTokens: Int = 512,
        maxQueue: Int = 64
    ) throws {
        guard parallel >= 1, parallel <= 256 else { throw CriaError("parallel sequences \(parallel) is outside 1...256") }
        guard batchTokens >= 1 else { throw CriaError("batch size \(batchTokens) must be at least 1") }
        guard maxQueue >= 0 else { throw CriaError("queue length \(maxQueue) must not be negative") }
        self.model = model
        self.parallel = parallel
        self.maxQueue = maxQueue
        self.batchTokens = batchTokens
        let length = contextLength ?? min(model.config.contextLength, 4096)
        self.contextLength = length
        let declared = model.file["\(model.config.architecture).pooling_type"]?.int ?? 1
        pooling = Pooling(rawValue: declared) ?? .mean
        do {
            // One more sequence than `parallel`: embeddings are evaluated there.
            context = try LlamaContext(
                model: model.llama, contextLength: length, sequences: parallel + 1, chunkTokens: 64,
                pool: ThreadPool(threadCount: threads))
        } catch let error as LlamaError {
            throw CriaError("\(error)")
        }
        // Answers must not depend on what else is being served or on what the cache held.
        context.batchInvariant = true
        shared = Mutex(Shared())
        loop = UnsafeTransfer(Loop(slots: parallel))
        let thread = Thread { [self] in run() }
        thread.name = "cria.engine"
        thread.stackSize = 8 << 20
        thread.start()
    }

    // MARK: - Requests

    /// Queues a request and returns its events. Cancelling the task that iterates the stream
    /// (or dropping the stream) cancels the request within one step.
    /// - Throws: `CriaError` of kind `.promptTooLong` when the prompt does not fit the context,
    ///   `.busy` when the queue is full, `.unavailable` when the engine is shutting down.
    public func submit(_ request: CompletionRequest) throws -> AsyncThrowingStream<CompletionEvent, Error> {
        try check(request.prompt)
        guard request.maxTokens >= 0 else { throw CriaError("max tokens \(request.maxTokens) must not be negative") }
        let (stream, continuation) = AsyncThrowingStream<CompletionEvent, Error>.makeStream()
        let job = Job(request: request, continuation: continuation, model: model)
        continuation.onTermination = { [weak self] _ in
            job.cancelled.store(true, ordering: .relaxed)
            self?.signal()
        }
        try enqueue { shared in shared.queue.append(job) }
        return stream
    }

    /// Embeddings of `inputs` (token lists), pooled and L2-normalized.
    public func embed(_ inputs: [[Int32]]) async throws -> [[Float]] {
        guard !inputs.isEmpty else { throw CriaError("no input to embed") }
        for input in inputs { try check(input) }
        return try await withCheckedThrowingContinuation { continuation in
            let job = EmbeddingJob(inputs: inputs, continuation: continuation)
            do {
                try enqueue { shared in shared.embeddings.append(job) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// The engine's load now.
    public var status: EngineStatus {
        shared.withLock { s in
            EngineStatus(
                queued: s.queue.count + s.embeddings.count, active: s.busy, slots: parallel, cachedTokens: s.cachedTokens,
                capacityTokens: parallel * contextLength, bytesPerToken: context.kvBytesPerPosition)
        }
    }

    /// Stops the loop: waiting requests fail with `.unavailable`, running ones end as cancelled.
    public func shutdown() {
        shared.withLock { $0.stopping = true }
        signal()
    }

    private func check(_ prompt: [Int32]) throws {
        guard !prompt.isEmpty else { throw CriaError("the prompt is empty") }
        guard prompt.count < contextLength else {
            throw CriaError(.promptTooLong,
                "the prompt has \(prompt.count) tokens but the context holds \(contextLength) (prompt and reply must fit)")
        }
        let vocabulary = Int32(model.config.vocabularySize)
        if let bad = prompt.first(where: { $0 < 0 || $0 >= vocabulary }) {
            throw CriaError("token id \(bad) is outside the vocabulary (0..<\(vocabulary))")
        }
    }

    private func enqueue(_ add: (inout Shared) -> Void) throws {
        let refusal: CriaError? = shared.withLock { s in
            if s.stopping { return CriaError(.unavailable, "the server is shutting down") }
            // Requests not yet admitted count against the sequences still free, then the queue.
            let outstanding = s.busy + s.queue.count + s.embeddings.count
            if outstanding >= parallel + maxQueue {
                let waiting = outstanding - min(s.busy, parallel)
                return CriaError(.busy, "all \(parallel) sequences are busy and \(waiting) requests are waiting; try again shortly")
            }
            add(&s)
            return nil
        }
        if let refusal { throw refusal }
        signal()
    }

    private func signal() {
        wakeup.lock()
        wakeup.signal()
        wakeup.unlock()
    }

    // MARK: - The loop

    /// One request in flight. `cancelled` is set from any thread; the rest belongs to the loop.
    private final class Job: @unchecked Sendable {
        let request: CompletionRequest
        let continuation: AsyncThrowingStream<CompletionEvent, Error>.Continuation
        let cancelled = Atomic<Bool>(false)
        let submitted = Clock.now()
        var sampler: Sampler
        var decoder: StreamingDecoder
        var stops: StopStringMatcher
        var stats = GenerationStats()
        /// Prompt tokens evaluated so far (cached ones included).
        var evaluated = 0
        /// The sampled token not yet evaluated.
        var last: Int32 = 0
        var started = 0.0
        var generationStarted = 0.0

        init(request: CompletionRequest, continuation: AsyncThrowingStream<CompletionEvent, Error>.Continuation, model: Model) {
            self.request = request
            self.continuation = continuation
            sampler = Sampler(request.sampling)
            sampler.grammar = request.grammar.map { model.constraint($0, trigger: request.grammarTrigger) }
            decoder = StreamingDecoder(tokenizer: model.tokenizer)
            stops = StopStringMatcher(request.stop)
            stats.promptTokens = request.prompt.count
        }

        var prefilled: Bool { evaluated == request.prompt.count }
    }

    private final class EmbeddingJob: @unchecked Sendable {
        let inputs: [[Int32]]
        let continuation: CheckedContinuation<[[Float]], Error>
        init(inputs: [[Int32]], continuation: CheckedContinuation<[[Float]], Error>) {
            self.inputs = inputs
            self.continuation = continuation
        }
    }

    /// A sequence of the KV cache: the tokens it holds and the request it serves, if any.
    private struct Slot {
        var tokens: [Int32] = []
        var job: Job?
        var lastUsed = 0
    }

    /// What only the loop's thread touches.
    private final class Loop {
        var slots: [Slot]
        var entries: [LlamaBatchEntry] = []
        /// For each logits row of a step: the slot it belongs to.
        var rows: [Int] = []
        var clock = 0
        init(slots: Int) { self.slots = Array(repeating: Slot(), count: slots) }
    }

    private func run() {
        let state = loop.value
        while true {
            wakeup.lock()
            var admitted: [Job] = []
            var embedding: EmbeddingJob?
            var stopping = false
            while true {
                let busy = state.slots.contains { $0.job != nil }
                let free = state.slots.reduce(0) { $0 + ($1.job == nil ? 1 : 0) }
                (admitted, embedding, stopping) = shared.withLock { s in
                    let take = min(free, s.queue.count)
                    let jobs = Array(s.queue.prefix(take))
                    s.queue.removeFirst(take)
                    s.busy += take
                    let e = s.embeddings.isEmpty ? nil : s.embeddings.removeFirst()
                    return (jobs, e, s.stopping)
                }
                if stopping || busy || !admitted.isEmpty || embedding != nil { break }
                wakeup.wait()
            }
            wakeup.unlock()
            if stopping {
                stop(state, admitted: admitted, embedding: embedding)
                return
            }
            for job in admitted { admit(job, state) }
            if let embedding { runEmbedding(embedding) }
            step(state)
        }
    }

    /// Gives `job` the free slot that holds the longest prefix of its prompt, copying a longer
    /// prefix from a busy slot when there is one.
    private func admit(_ job: Job, _ state: Loop) {
        let prompt = job.request.prompt
        func shared(_ tokens: [Int32]) -> Int {
            guard job.request.cachePrompt else { return 0 }
            var n = 0
            let limit = min(tokens.count, prompt.count - 1)  // the last prompt token is evaluated for its logits
            while n < limit && tokens[n] == prompt[n] { n += 1 }
            return n
        }
        var best = -1, bestShared = -1
        for (i, slot) in state.slots.enumerated() where slot.job == nil {
            let n = shared(slot.tokens)
            if n > bestShared || (n == bestShared && slot.lastUsed < state.slots[best].lastUsed) {
                best = i
                bestShared = n
            }
        }
        var reuse = bestShared
        if let donor = state.slots.indices.filter({ state.slots[$0].job != nil }).max(by: {
            shared(state.slots[$0].tokens) < shared(state.slots[$1].tokens)
        }), shared(state.slots[donor].tokens) > reuse {
            reuse = shared(state.slots[donor].tokens)
            try? context.copy(sequence: donor, to: best, length: reuse)
            state.slots[best].tokens = Array(state.slots[donor].tokens.prefix(reuse))
        } else {
            try? context.truncate(sequence: best, to: reuse)
            state.slots[best].tokens.removeSubrange(reuse...)
        }
        job.evaluated = reuse
        job.stats.cachedPromptTokens = reuse
        job.started = Clock.now()
        job.stats.queueSeconds = job.started - job.submitted
        job.sampler.accept(contentsOf: prompt)
        state.slots[best].job = job
    }

    /// One forward pass: a token for every decoding sequence, then prompt chunks in the room left.
    private func step(_ state: Loop) {
        // Cancelled requests free their sequences first.
        for i in state.slots.indices {
            if let job = state.slots[i].job, job.cancelled.load(ordering: .relaxed) {
                job.stats.stopReason = .cancelled
                finish(i, state)
            }
        }
        state.entries.removeAll(keepingCapacity: true)
        state.rows.removeAll(keepingCapacity: true)
        for (i, slot) in state.slots.enumerated() {
            guard let job = slot.job, job.prefilled else { continue }
            state.entries.append(LlamaBatchEntry(token: job.last, position: slot.tokens.count, sequence: i, wantsLogits: true))
            state.rows.append(i)
        }
        // Prompts: in admission order, as much as the batch has room for (at least one chunk's
        // worth, so prompts progress however many sequences decode).
        var room = max(batchTokens - state.entries.count, min(batchTokens, 64))
        let waiting = state.slots.indices.filter { state.slots[$0].job.map { !$0.prefilled } ?? false }
        for i in waiting.sorted(by: { state.slots[$0].job!.submitted < state.slots[$1].job!.submitted }) where room > 0 {
            guard let job = state.slots[i].job, !job.prefilled else { continue }
            let start = job.evaluated
            let end = min(job.request.prompt.count, start + room)
            for p in start..<end {
                let last = p == job.request.prompt.count - 1
                state.entries.append(LlamaBatchEntry(
                    token: job.request.prompt[p], position: state.slots[i].tokens.count + (p - start), sequence: i, wantsLogits: last))
                if last { state.rows.append(i) }
            }
            room -= end - start
        }
        guard !state.entries.isEmpty else { return }

        let logits: LlamaLogits
        do {
            logits = try context.evaluate(state.entries)
        } catch {
            // Not expected (the batch is built valid); fail what took part and start those sequences afresh.
            for i in Set(state.entries.map(\.sequence)) {
                guard let job = state.slots[i].job else { continue }
                job.continuation.finish(throwing: CriaError("evaluation failed: \(error)"))
                state.slots[i].job = nil
                state.slots[i].tokens = []
                try? context.truncate(sequence: i, to: 0)
                shared.withLock { $0.busy -= 1 }
            }
            return
        }
        for e in state.entries {
            state.slots[e.sequence].tokens.append(e.token)
            if let job = state.slots[e.sequence].job, !job.prefilled { job.evaluated += 1 }
        }
        let now = Clock.now()
        for (row, i) in state.rows.enumerated() {
            guard let job = state.slots[i].job else { continue }
            if job.generationStarted == 0 {
                job.stats.promptSeconds = now - job.started
                job.generationStarted = now
            }
            next(job, slot: i, logits: logits[row], state)
        }
        let cached = state.slots.reduce(0) { $0 + $1.tokens.count }
        shared.withLock { $0.cachedTokens = cached }
    }

    /// Samples the token after `logits` for the request in slot `i` and passes it on.
    private func next(_ job: Job, slot i: Int, logits: UnsafeBufferPointer<Float>, _ state: Loop) {
        if job.stats.generatedTokens >= job.request.maxTokens {
            job.stats.stopReason = .maxTokens
            return finish(i, state)
        }
        var logprob: TokenLogprob?
        let token: Int32
        if let k = job.request.logprobs {
            let sampled = job.sampler.sample(logits, topLogprobs: max(k, 0))
            token = sampled.id
            logprob = TokenLogprob(id: token, logprob: sampled.logprob, top: sampled.top)
        } else {
            token = job.sampler.sample(logits)  // no log-softmax pass over the vocabulary
        }
        if model.tokenizer.isEndOfGeneration(token) {
            job.stats.stopReason = .endOfGeneration
            return finish(i, state)
        }
        job.sampler.acceptSampled(token)
        job.stats.generatedTokens += 1
        let piece = job.decoder.append(token)
        let (text, hit) = job.stops.feed(piece)
        job.continuation.yield(.token(id: token, text: text, logprob: logprob))
        if hit {
            job.stats.stopReason = .stopString
            return finish(i, state)
        }
        if job.sampler.grammar?.isExhausted == true {
            job.stats.stopReason = .endOfGeneration
            return finish(i, state)
        }
        if job.stats.generatedTokens >= job.request.maxTokens {
            job.stats.stopReason = .maxTokens
            return finish(i, state)
        }
        if state.slots[i].tokens.count >= contextLength {
            job.stats.stopReason = .contextFull
            return finish(i, state)
        }
        job.last = token
    }

    /// Ends the request in slot `i`; the slot keeps its tokens for later prefixes.
    private func finish(_ i: Int, _ state: Loop) {
        guard let job = state.slots[i].job else { return }
        if job.stats.stopReason != .cancelled && job.stats.stopReason != .stopString {
            let (rest, hit) = job.stops.feed(job.decoder.flush())
            var tail = rest
            if hit { job.stats.stopReason = .stopString } else { tail += job.stops.flush() }
            if !tail.isEmpty { job.continuation.yield(.text(tail)) }
        }
        if job.generationStarted > 0 { job.stats.generationSeconds = Clock.now() - job.generationStarted }
        job.continuation.yield(.finished(job.stats))
        job.continuation.finish()
        state.clock += 1
        state.slots[i].job = nil
        state.slots[i].lastUsed = state.clock
        shared.withLock { $0.busy -= 1 }
    }

    private func stop(_ state: Loop, admitted: [Job], embedding: EmbeddingJob?) {
        let (queue, embeddings) = shared.withLock { s in
            defer {
                s.queue = []
                s.embeddings = []
            }
            return (s.queue, s.embeddings)
        }
        let refusal = CriaError(.unavailable, "the server is shutting down")
        for job in admitted + queue { job.continuation.finish(throwing: refusal) }
        for job in embeddings + (embedding.map { [$0] } ?? []) { job.continuation.resume(throwing: refusal) }
        for i in state.slots.indices where state.slots[i].job != nil {
            state.slots[i].job?.stats.stopReason = .cancelled
            finish(i, state)
        }
    }

    // MARK: - Embeddings

    private func runEmbedding(_ job: EmbeddingJob) {
        let sequence = parallel
        let width = model.config.embeddingLength
        var results: [[Float]] = []
        // An input is evaluated alone, in one call, so llama.cpp's prompt kernels are both
        // deterministic here and what llama.cpp's embeddings use.
        context.batchInvariant = false
        defer { context.batchInvariant = true }
        do {
            for input in job.inputs {
                try context.truncate(sequence: sequence, to: 0)
                let entries = input.enumerated().map { p, token in
                    LlamaBatchEntry(token: token, position: p, sequence: sequence, wantsLogits: true)
                }
                let states = try context.evaluate(entries, hiddenStates: true)
                var pooled = [Float](repeating: 0, count: width)
                let rows: Range<Int>
                switch pooling {
                case .mean: rows = 0..<states.count
                case .cls: rows = 0..<1
                case .last: rows = (states.count - 1)..<states.count
                }
                for r in rows {
                    let row = states[r]
                    for d in 0..<width { pooled[d] += row[d] }
                }
                let scale = 1 / Float(rows.count)
                var norm: Float = 0
                for d in 0..<width {
                    pooled[d] *= scale
                    norm += pooled[d] * pooled[d]
                }
                norm = norm.squareRoot()
                if norm > 0 { for d in 0..<width { pooled[d] /= norm } }
                results.append(pooled)
            }
            try context.truncate(sequence: sequence, to: 0)
            job.continuation.resume(returning: results)
        } catch {
            try? context.truncate(sequence: sequence, to: 0)
            job.continuation.resume(throwing: CriaError("embedding failed: \(error)"))
        }
    }
}

/// Hands a value that is only ever used from one thread across an isolation boundary.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
