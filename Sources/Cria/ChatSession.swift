/// What a streamed generation produces: pieces of text as they are generated, then the stats.
public enum GenerationEvent: Sendable {
    /// The next piece of the reply (complete UTF-8 characters).
    case text(String)
    /// Generation ended; the last event.
    case finished(GenerationStats)
}

/// A conversation with a model that keeps its history and its KV cache between turns, so a
/// turn evaluates only the tokens it adds.
///
/// ```swift
/// let model = try Model(path: "SmolLM2-135M-Instruct.Q4_1.gguf")
/// let chat = try ChatSession(model: model, threads: 2)
/// for try await event in await chat.send("Name three llamas.") {
///     if case .text(let piece) = event { print(piece, terminator: "") }
/// }
/// ```
/// Cancelling the task that iterates the stream stops the reply; what was generated so far
/// stays in the history.
public actor ChatSession {
    public let model: Model
    /// The conversation so far, the system message (if any) first.
    public private(set) var messages: [ChatMessage]
    public var options: GenerationOptions
    /// OpenAI-style tool definitions (JSON text of an array) the template renders, if any.
    public var tools: String?
    private let generator: Generator
    /// A built-in format chosen by name; nil renders with the model's own template.
    private let format: ChatFormat?
    /// Generation blocks for seconds, so the session runs on a thread of its own.
    private let executor = ThreadExecutor(name: "cria.chat")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// - Parameters:
    ///   - system: the system message; nil leaves it to the template (many insert a default one).
    ///   - format: a built-in format by name, for models without a template; nil uses the model's.
    ///   - contextLength: positions the KV cache holds (default: the model's, at most 4096).
    ///   - threads: worker threads.
    ///   - options: generation options for every turn.
    /// - Throws: `CriaError` when the model has no usable chat template and no format is given.
    public init(
        model: Model, system: String? = nil, format: ChatFormat? = nil, contextLength: Int? = nil, threads: Int,
        options: GenerationOptions = GenerationOptions()
    ) throws {
        if format == nil, model.template == nil {
            _ = try model.chatTokens([])  // throws the reason
        }
        self.model = model
        self.format = format
        self.options = options
        self.generator = try Generator(model: model, contextLength: contextLength, threads: threads)
        self.messages = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
    }

    deinit {
        executor.shutdown()
    }

    /// Sets the tool definitions the template renders (JSON text of an array; nil for none).
    public func setTools(_ tools: String?) {
        self.tools = tools
    }

    /// Adds a message to the history without generating (a tool result, an earlier turn).
    public func append(_ message: ChatMessage) {
        messages.append(message)
    }

    /// Starts over with an empty conversation (keeping the system message unless a new one is given).
    public func reset(system: String? = nil) {
        let system = system ?? messages.first { $0.role == "system" }?.content
        messages = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
    }

    /// Replaces the conversation (e.g. one saved earlier). The cache is kept: the next turn
    /// reuses whatever prefix the new history shares with it.
    public func load(_ history: [ChatMessage]) {
        messages = history
    }

    /// Adds a user message and streams the assistant's reply, which joins the history when done.
    public func send(_ text: String) -> AsyncThrowingStream<GenerationEvent, Error> {
        reply(adding: ChatMessage(role: "user", content: text))
    }

    /// Streams the assistant's next reply to the history as it is (e.g. after `append`ing tool
    /// results), optionally adding a message first.
    public func reply(adding message: ChatMessage? = nil) -> AsyncThrowingStream<GenerationEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, Error>.makeStream()
        let task = Task { self.respond(to: message, continuation) }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Streams a plain completion of `text` (no chat format, not added to the history); it
    /// shares the cache, so a prompt that continues an earlier one evaluates only what is new.
    public func generate(raw text: String) -> AsyncThrowingStream<GenerationEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, Error>.makeStream()
        let task = Task { self.complete(text, continuation) }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func complete(_ text: String, _ continuation: AsyncThrowingStream<GenerationEvent, Error>.Continuation) {
        do {
            let prompt = model.tokenizer.encode(text, addSpecial: true, parseSpecial: false)
            let stats = try generator.generate(prompt: prompt, options: options) { piece in
                continuation.yield(.text(piece))
                return true
            }
            continuation.yield(.finished(stats))
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
    }

    /// The prompt tokens of the conversation plus a new user turn, ready for the reply.
    public func promptTokens(adding user: String) throws -> [Int32] {
        try tokens(for: messages + [ChatMessage(role: "user", content: user)])
    }

    private func tokens(for conversation: [ChatMessage]) throws -> [Int32] {
        try model.chatTokens(conversation, tools: tools, format: format)
    }

    private func respond(to message: ChatMessage?, _ continuation: AsyncThrowingStream<GenerationEvent, Error>.Continuation) {
        let added = message.map { [$0] } ?? []
        var reply = ""
        do {
            let prompt = try tokens(for: messages + added)
            let stats = try generator.generate(prompt: prompt, options: options) { piece in
                reply += piece
                continuation.yield(.text(piece))
                return true
            }
            messages += added
            messages.append(ChatMessage(role: "assistant", content: reply))
            continuation.yield(.finished(stats))
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
    }
}
