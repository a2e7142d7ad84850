import Cria
import Foundation
import Grammar
import Hummingbird

/// Ollama's API: generate, chat, embed, tags, show, ps, version.
/// Wire format: ollama/ollama docs/api.md.
struct OllamaRoutes: Sendable {
    let server: ServerContext
    /// The Ollama API version this server speaks.
    static let version = "0.6.3"

    func register(on router: Router<BasicRequestContext>) {
        router.post("/api/generate") { request, _ in try await generate(request) }
        router.post("/api/chat") { request, _ in try await chat(request) }
        router.post("/api/embed") { request, _ in try await embed(request) }
        router.post("/api/embeddings") { request, _ in try await legacyEmbeddings(request) }
        router.get("/api/tags") { _, _ in tags() }
        router.post("/api/show") { request, _ in try await show(request) }
        router.get("/api/ps") { _, _ in ps() }
        router.get("/api/version") { _, _ in jsonResponse(.object([("version", .string(OllamaRoutes.version))])) }
        router.head("/") { _, _ in Response(status: .ok) }
    }

    // MARK: - Generate and chat

    func generate(_ request: Request) async throws -> Response {
        let arrived = monotonicSeconds()
        let (body, document) = try await server.decodeKeepingDocument(OllamaGenerateRequest.self, from: request)
        let served = try server.store.find(body.model)
        try refuseUnsupported(images: body.images)
        if body.template != nil { throw APIError.invalidRequest("'template' overrides (Go templates) are not supported") }
        if body.suffix != nil { throw APIError.invalidRequest("'suffix' (fill-in-the-middle) is not supported") }
        var parameters = try GenerationParameters(ollama: body.options)
        parameters.grammar = try OutputFormat.ollama(document)?.compiled(param: "format")
        guard let text = body.prompt, !text.isEmpty else {
            // An empty prompt loads the model (it is already loaded) and answers at once.
            return jsonResponse(.object(header(served) + [
                ("response", .string("")), ("done", .bool(true)), ("done_reason", .string("load")),
            ]))
        }
        var prompt: [Int32]
        if body.raw == true {
            prompt = served.textPrompt(text)
        } else {
            let system = body.system.map { [ChatMessage(role: "system", content: $0)] } ?? []
            prompt = try served.chatPrompt(system + [ChatMessage(role: "user", content: text)], tools: nil)
        }
        if let context = body.context, !context.isEmpty {
            // The conversation so far, as an earlier answer returned it; the new turn follows without BOS.
            let bos = served.model.tokenizer.bosID
            prompt = context + (prompt.first == bos ? Array(prompt.dropFirst()) : prompt)
        }
        let run = try start(served, parameters, prompt: prompt, numCtx: body.options?.numCtx, arrived: arrived)
        if body.stream ?? true {
            let promptTokens = prompt
            return streamResponse(ndjson: true) { writer in
                var run = run
                try await streamGenerate(&run, prompt: promptTokens, writer: writer)
            }
        }
        var collecting = run
        let result = try await collecting.collect()
        return jsonResponse(.object(header(served) + [("response", .string(result.text))]
            + final(result.stats, run: collecting, context: prompt + result.tokens)))
    }

    private func streamGenerate(_ run: inout RunningGeneration, prompt: [Int32], writer: StreamWriter) async throws {
        var generated: [Int32] = []
        for try await event in run.events {
            switch event {
            case .token(let id, let text, _):
                run.noteToken()
                generated.append(id)
                if !text.isEmpty { try await writer.send(.object(header(run.served) + [("response", .string(text)), ("done", .bool(false))])) }
            case .text(let text):
                try await writer.send(.object(header(run.served) + [("response", .string(text)), ("done", .bool(false))]))
            case .finished(let stats):
                run.finished(stats)
                try await writer.send(.object(header(run.served) + [("response", .string(""))]
                    + final(stats, run: run, context: prompt + generated)))
            }
        }
    }

    func chat(_ request: Request) async throws -> Response {
        let arrived = monotonicSeconds()
        let (body, document) = try await server.decodeKeepingDocument(OllamaChatRequest.self, from: request)
        let served = try server.store.find(body.model)
        try refuseUnsupported(images: body.messages?.flatMap { $0.images ?? [] })
        var parameters = try GenerationParameters(ollama: body.options)
        parameters.grammar = try OutputFormat.ollama(document)?.compiled(param: "format")
        guard let messages = body.messages, !messages.isEmpty else {
            return jsonResponse(.object(header(served) + [
                ("message", .object([("role", .string("assistant")), ("content", .string(""))])),
                ("done", .bool(true)), ("done_reason", .string("load")),
            ]))
        }
        let tools = try ToolUse.request(document, served)
        try tools?.constrain(&parameters)
        let offered = tools.flatMap { $0.isActive ? $0 : nil }
        let prompt = try served.chatPrompt(messages.map(\.chatMessage), tools: offered)
        let run = try start(served, parameters, prompt: prompt, numCtx: body.options?.numCtx, arrived: arrived)
        if body.stream ?? true {
            return streamResponse(ndjson: true) { writer in
                var run = run
                try await streamChat(&run, tools: offered, writer: writer)
            }
        }
        var collecting = run
        let result = try await collecting.collect()
        let reply = offered?.reply(result.text) ?? (content: result.text, calls: [])
        return jsonResponse(.object(header(served) + [("message", message(reply.content, calls: reply.calls))]
            + final(result.stats, run: collecting, context: nil)))
    }

    /// Streams the reply; with tools, text goes through the tool-call parser and each call is
    /// sent, whole, in a message of its own as soon as it is complete (as Ollama does).
    private func streamChat(_ run: inout RunningGeneration, tools: ToolUse?, writer: StreamWriter) async throws {
        // Ollama sends each call whole, so its arguments are never streamed.
        var parser = tools?.parser(fragments: false)
        let served = run.served
        func send(_ text: String, finishing: Bool = false) async throws {
            guard parser != nil else {
                if !text.isEmpty { try await writer.send(.object(header(served) + [("message", message(text)), ("done", .bool(false))])) }
                return
            }
            let before = parser!.calls.count
            let events = finishing ? parser!.finish() : parser!.feed(text)
            let content = events.reduce(into: "") { if case .content(let piece) = $1 { $0 += piece } }
            let calls = Array(parser!.calls[before...])
            if !content.isEmpty || !calls.isEmpty {
                try await writer.send(.object(header(served) + [("message", message(content, calls: calls)), ("done", .bool(false))]))
            }
        }
        for try await event in run.events {
            switch event {
            case .token(_, let text, _):
                run.noteToken()
                if !text.isEmpty { try await send(text) }
            case .text(let text):
                if !text.isEmpty { try await send(text) }
            case .finished(let stats):
                if parser != nil { try await send("", finishing: true) }
                run.finished(stats)
                try await writer.send(.object(header(run.served) + [("message", message(""))] + final(stats, run: run, context: nil)))
            }
        }
    }

    /// Starts generating; `num_ctx` caps prompt and reply below the server's context.
    private func start(
        _ served: ServedModel, _ parameters: GenerationParameters, prompt: [Int32], numCtx: Int?, arrived: Double
    ) throws -> RunningGeneration {
        var request = parameters.request(prompt: prompt)
        if let numCtx, numCtx < served.engine.contextLength {
            guard prompt.count < numCtx else {
                throw APIError(CriaError(.promptTooLong, "the prompt has \(prompt.count) tokens but num_ctx is \(numCtx)"))
            }
            request.maxTokens = min(request.maxTokens, numCtx - prompt.count)
        }
        return try RunningGeneration(served: served, request: request, arrived: arrived, metrics: server.metrics)
    }

    private func refuseUnsupported(images: [String]?) throws(APIError) {
        if let images, !images.isEmpty { throw .invalidRequest("'images': this model has no vision input") }
    }

    /// An assistant message; tool calls with their arguments as objects, as Ollama sends them.
    private func message(_ text: String, calls: [ToolCall] = []) -> JSON {
        var fields: [(String, JSON)] = [("role", .string("assistant")), ("content", .string(text))]
        if !calls.isEmpty {
            fields.append(("tool_calls", .array(calls.map { call in
                let arguments = (try? JSONValue(parsing: call.arguments)).map(JSON.init) ?? .object([])
                return .object([("function", .object([("name", .string(call.name)), ("arguments", arguments)]))])
            })))
        }
        return .object(fields)
    }

    private func header(_ served: ServedModel) -> [(String, JSON)] {
        [("model", .string(served.ollamaName)), ("created_at", .string(OllamaRoutes.timestamp(Date())))]
    }

    /// The last object's fields: why it ended and the durations in nanoseconds.
    private func final(_ stats: GenerationStats, run: RunningGeneration, context: [Int32]?) -> [(String, JSON)] {
        let total = monotonicSeconds() - run.arrived
        let evaluation = stats.promptSeconds + stats.generationSeconds
        // Ollama's load_duration is the time before evaluation starts: here, preparing the
        // prompt and waiting for a sequence (the model stays loaded).
        let load = max(total - evaluation, 0)
        func ns(_ seconds: Double) -> JSON { .int(max(Int((seconds * 1e9).rounded()), 1)) }
        var fields: [(String, JSON)] = [
            ("done", .bool(true)), ("done_reason", .string(stats.stopReason.finishReason)),
        ]
        if let context { fields.append(("context", .array(context.map { .int(Int($0)) }))) }
        fields += [
            ("total_duration", ns(total)), ("load_duration", ns(load)),
            ("prompt_eval_count", .int(stats.promptTokens)), ("prompt_eval_duration", ns(stats.promptSeconds)),
            ("eval_count", .int(stats.generatedTokens)), ("eval_duration", ns(stats.generationSeconds)),
        ]
        return fields
    }

    // MARK: - Embeddings

    func embed(_ request: Request) async throws -> Response {
        let arrived = monotonicSeconds()
        let body = try await server.decode(OllamaEmbedRequest.self, from: request)
        let served = try server.store.find(body.model)
        var inputs = try embeddingInputs(body.input, served)
        if body.truncate == true {
            // Asked for explicitly: cut each input to what the context holds.
            let limit = served.engine.contextLength - 1
            inputs = inputs.map { Array($0.prefix(limit)) }
        }
        let vectors = try await vectors(inputs, served)
        let total = monotonicSeconds() - arrived
        return jsonResponse(.object([
            ("model", .string(served.ollamaName)),
            ("embeddings", .array(vectors.map { .array($0.map { .float($0) }) })),
            ("total_duration", .int(Int(total * 1e9))), ("load_duration", .int(0)),
            ("prompt_eval_count", .int(inputs.reduce(0) { $0 + $1.count })),
        ]))
    }

    func legacyEmbeddings(_ request: Request) async throws -> Response {
        let body = try await server.decode(OllamaLegacyEmbeddingRequest.self, from: request)
        let served = try server.store.find(body.model)
        let vectors = try await vectors([served.textPrompt(body.prompt)], served)
        return jsonResponse(.object([("embedding", .array(vectors[0].map { .float($0) }))]))
    }

    private func vectors(_ inputs: [[Int32]], _ served: ServedModel) async throws -> [[Float]] {
        do {
            return try await served.engine.embed(inputs)
        } catch let error as CriaError {
            throw APIError(error, param: "input")
        }
    }

    // MARK: - Models

    func tags() -> Response {
        jsonResponse(.object([("models", .array(server.store.models.map { served in
            .object([
                ("name", .string(served.ollamaName)), ("model", .string(served.ollamaName)),
                ("modified_at", .string(OllamaRoutes.timestamp(served.loadedAt))), ("size", .int(served.fileBytes)),
                ("digest", .string("")), ("details", served.details),
            ])
        }))]))
    }

    func ps() -> Response {
        jsonResponse(.object([("models", .array(server.store.models.map { served in
            let status = served.engine.status
            return .object([
                ("name", .string(served.ollamaName)), ("model", .string(served.ollamaName)),
                ("size", .int(served.fileBytes + status.capacityTokens * status.bytesPerToken)), ("digest", .string("")),
                ("details", served.details),
                // Models stay loaded for the server's lifetime.
                ("expires_at", .string(OllamaRoutes.timestamp(Date(timeIntervalSinceNow: 365 * 86400)))),
                ("size_vram", .int(0)), ("context_length", .int(served.engine.contextLength)),
            ])
        }))]))
    }

    func show(_ request: Request) async throws -> Response {
        let body = try await server.decode(OllamaShowRequest.self, from: request)
        guard let name = body.model ?? body.name else { throw APIError.invalidRequest("'model' is required", param: "model") }
        let served = try server.store.find(name)
        let c = served.model.config
        let arch = c.architecture
        let info: JSON = .object([
            ("general.architecture", .string(arch)),
            ("general.parameter_count", .int(served.model.file.tensors.reduce(0) { $0 + $1.elementCount })),
            ("\(arch).context_length", .int(c.contextLength)),
            ("\(arch).embedding_length", .int(c.embeddingLength)),
            ("\(arch).block_count", .int(c.blockCount)),
            ("\(arch).attention.head_count", .int(c.headCount)),
            ("\(arch).attention.head_count_kv", .int(c.headCountKV)),
            ("\(arch).feed_forward_length", .int(c.feedForwardLength)),
            ("\(arch).vocab_size", .int(c.vocabularySize)),
        ])
        return jsonResponse(.object([
            ("modelfile", .string("FROM \(served.model.path)\n")),
            ("parameters", .string("")),
            ("template", .string(served.model.chatTemplate ?? "")),
            ("details", served.details),
            ("model_info", info),
            ("capabilities", .array([.string("completion"), .string("embedding")])),
            ("modified_at", .string(OllamaRoutes.timestamp(served.loadedAt))),
        ]))
    }

    /// RFC 3339 with fractional seconds, as Ollama writes times.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
