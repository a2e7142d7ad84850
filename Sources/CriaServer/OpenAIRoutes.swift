import Cria
import Foundation
import Hummingbird
import ToolCalls

/// OpenAI's API: chat completions, completions, embeddings, models.
/// Wire format: https://platform.openai.com/docs/api-reference (chat, completions, embeddings).
struct OpenAIRoutes: Sendable {
    let server: ServerContext

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/chat/completions") { request, _ in try await chat(request) }
        router.post("/v1/completions") { request, _ in try await completions(request) }
        router.post("/v1/embeddings") { request, _ in try await embeddings(request) }
        router.get("/v1/models") { _, _ in models() }
        router.get("/v1/models/{id}") { _, context in try model(context.parameters.get("id") ?? "") }
    }

    // MARK: - Chat

    func chat(_ request: Request) async throws -> Response {
        let arrived = monotonicSeconds()
        let (body, document) = try await server.decodeKeepingDocument(ChatCompletionRequest.self, from: request)
        let served = try server.store.find(body.model)
        var parameters = try GenerationParameters(openAI: body.sampling, vocabularySize: served.model.config.vocabularySize)
        if let output = try OutputFormat.openAI(document) { parameters.grammar = try output.format.compiled(param: output.param) }
        var logprobs: Int? = nil
        if body.logprobs == true {
            let top = body.topLogprobs ?? 0
            guard (0...20).contains(top) else {
                throw APIError.invalidRequest("top_logprobs must be between 0 and 20, not \(top)", param: "top_logprobs")
            }
            logprobs = top
        } else if body.topLogprobs != nil {
            throw APIError.invalidRequest("top_logprobs needs logprobs: true", param: "top_logprobs")
        }
        let tools = try ToolUse.request(document, served)
        try tools?.constrain(&parameters)
        let prompt = try served.chatPrompt(body.messages, tools: tools)
        let offered = tools.flatMap { $0.isActive ? $0 : nil }
        let requests = (0..<parameters.choices).map {
            parameters.request(prompt: prompt, choice: $0, logprobs: logprobs, endOfGeneration: served.endOfGeneration)
        }
        var runs = try RunningGeneration.start(served, requests: requests, arrived: arrived, metrics: server.metrics)
        let response = ResponseHeader(id: makeID("chatcmpl-"), created: Int(Date().timeIntervalSince1970), model: served.name)
        if body.stream == true {
            let usage = body.streamOptions?.includeUsage == true
            let started = runs
            return sse { writer in
                var runs = started
                try await streamChat(&runs, response, usage: usage, promptTokens: prompt.count, tools: offered, writer)
            }
        }
        var choices: [JSON] = []
        var usage = Usage(prompt: prompt.count)
        for index in runs.indices {
            let result = try await runs[index].collect()
            usage.add(result.stats)
            var message: [(String, JSON)] = [("role", .string("assistant")), ("content", .string(result.text))]
            var finish = result.stats.stopReason.finishReason
            if let offered {
                let reply = offered.reply(result.text)
                if !reply.calls.isEmpty {
                    message = [
                        ("role", .string("assistant")), ("content", reply.content.isEmpty ? .null : .string(reply.content)),
                        ("tool_calls", .array(reply.calls.map(toolCallJSON))),
                    ]
                    finish = "tool_calls"
                }
            }
            choices.append(.object([
                ("index", .int(index)),
                ("message", .object(message)),
                ("logprobs", logprobs == nil ? .null : .object([("content", .array(result.logprobs.map { chatLogprob($0, served) }))])),
                ("finish_reason", .string(finish)),
            ]))
        }
        return jsonResponse(.object(response.fields(object: "chat.completion") + [
            ("choices", .array(choices)), ("usage", usage.json),
        ]))
    }

    private func streamChat(
        _ runs: inout [RunningGeneration], _ header: ResponseHeader, usage includeUsage: Bool, promptTokens: Int,
        tools: ToolUse?, _ writer: SSEWriter
    ) async throws {
        let usageField: [(String, JSON)] = includeUsage ? [("usage", .null)] : []
        func chunk(_ index: Int, delta: JSON, logprobs: JSON = .null, finish: String? = nil) -> JSON {
            .object(header.fields(object: "chat.completion.chunk") + [
                ("choices", .array([.object([
                    ("index", .int(index)), ("delta", delta), ("logprobs", logprobs),
                    ("finish_reason", finish.map { .string($0) } ?? .null),
                ])])),
            ] + usageField)
        }
        if let tools {
            let usage = try await streamToolChoices(&runs, tools, writer, chunk: { chunk($0, delta: $1, finish: $2) })
            if includeUsage {
                var total = Usage(prompt: promptTokens)
                total.add(usage)
                try await writer.send(.object(header.fields(object: "chat.completion.chunk") + [("choices", .array([])), ("usage", total.json)]))
            }
            return try await writer.done()
        }
        let usage = try await streamChoices(
            &runs, writer,
            start: { chunk($0, delta: .object([("role", .string("assistant")), ("content", .string(""))])) },
            piece: { index, text, logprob, served in
                let lp: JSON = logprob.map { .object([("content", .array([chatLogprob($0, served)]))]) } ?? .null
                return chunk(index, delta: .object([("content", .string(text))]), logprobs: lp)
            },
            end: { chunk($0, delta: .object([]), finish: $1.stopReason.finishReason) })
        if includeUsage {
            var total = Usage(prompt: promptTokens)
            total.add(usage)
            try await writer.send(.object(header.fields(object: "chat.completion.chunk") + [("choices", .array([])), ("usage", total.json)]))
        }
        try await writer.done()
    }

    /// Streams each choice in turn: `start`'s chunk, a chunk per piece of text, `end`'s chunk
    /// with the finish reason; returns the choices' stats, summed.
    private func streamChoices(
        _ runs: inout [RunningGeneration], _ writer: SSEWriter, start: (Int) -> JSON?,
        piece: (Int, String, TokenLogprob?, ServedModel) -> JSON, end: (Int, GenerationStats) -> JSON
    ) async throws -> [GenerationStats] {
        var finished: [GenerationStats] = []
        for index in runs.indices {
            if let first = start(index) { try await writer.send(first) }
            let served = runs[index].served
            for try await event in runs[index].events {
                switch event {
                case .token(_, let text, let logprob):
                    runs[index].noteToken()
                    guard !text.isEmpty || logprob != nil else { continue }
                    try await writer.send(piece(index, text, logprob, served))
                case .text(let text):
                    try await writer.send(piece(index, text, nil, served))
                case .finished(let stats):
                    runs[index].finished(stats)
                    finished.append(stats)
                    try await writer.send(end(index, stats))
                }
            }
        }
        return finished
    }

    /// Streams each choice in turn with its text passed through the tool-call parser: content
    /// as `delta.content`, a call's first chunk with its `id`, `type` and `name`, then its
    /// arguments in fragments; the finish reason is `tool_calls` when the choice made calls.
    private func streamToolChoices(
        _ runs: inout [RunningGeneration], _ tools: ToolUse, _ writer: SSEWriter, chunk: (Int, JSON, String?) -> JSON
    ) async throws -> [GenerationStats] {
        var finished: [GenerationStats] = []
        for index in runs.indices {
            try await writer.send(chunk(index, .object([("role", .string("assistant")), ("content", .string(""))]), nil))
            var parser = tools.parser(fragments: true)
            func send(_ events: [ToolCallEvent]) async throws {
                for event in events {
                    let delta: JSON = switch event {
                    case .content(let text): .object([("content", .string(text))])
                    case .callStarted(let i, let id, let name):
                        .object([("tool_calls", .array([.object([
                            ("index", .int(i)), ("id", .string(id)), ("type", .string("function")),
                            ("function", .object([("name", .string(name)), ("arguments", .string(""))])),
                        ])]))])
                    case .arguments(let i, let fragment):
                        .object([("tool_calls", .array([.object([
                            ("index", .int(i)), ("function", .object([("arguments", .string(fragment))])),
                        ])]))])
                    }
                    try await writer.send(chunk(index, delta, nil))
                }
            }
            for try await event in runs[index].events {
                switch event {
                case .token(_, let text, _):
                    runs[index].noteToken()
                    if !text.isEmpty { try await send(parser.feed(text)) }
                case .text(let text):
                    try await send(parser.feed(text))
                case .finished(let stats):
                    try await send(parser.finish())
                    runs[index].finished(stats)
                    finished.append(stats)
                    let reason = parser.calls.isEmpty ? stats.stopReason.finishReason : "tool_calls"
                    try await writer.send(chunk(index, .object([]), reason))
                }
            }
        }
        return finished
    }

    private func toolCallJSON(_ call: ToolCall) -> JSON {
        .object([
            ("id", .string(call.id)), ("type", .string("function")),
            ("function", .object([("name", .string(call.name)), ("arguments", .string(call.arguments))])),
        ])
    }

    private func chatLogprob(_ lp: TokenLogprob, _ served: ServedModel) -> JSON {
        .object([
            ("token", .string(served.tokenText(lp.id))),
            ("logprob", .float(lp.logprob)),
            ("bytes", served.tokenBytes(lp.id)),
            ("top_logprobs", .array(lp.top.map { top in
                .object([
                    ("token", .string(served.tokenText(top.id))), ("logprob", .float(top.logprob)),
                    ("bytes", served.tokenBytes(top.id)),
                ])
            })),
        ])
    }

    // MARK: - Completions

    func completions(_ request: Request) async throws -> Response {
        let arrived = monotonicSeconds()
        let (body, document) = try await server.decodeKeepingDocument(CompletionRequestBody.self, from: request)
        let served = try server.store.find(body.model)
        var parameters = try GenerationParameters(openAI: body.sampling, vocabularySize: served.model.config.vocabularySize)
        if let output = try OutputFormat.openAI(document) { parameters.grammar = try output.format.compiled(param: output.param) }
        if let lp = body.logprobs, !(0...5).contains(lp) {
            throw APIError.invalidRequest("logprobs must be between 0 and 5, not \(lp)", param: "logprobs")
        }
        if body.echo == true { throw APIError.invalidRequest("echo is not supported", param: "echo") }
        let prompts: [[Int32]] = switch body.prompt {
        case .texts(let texts): texts.map { served.textPrompt($0) }
        case .tokens(let lists): lists
        }
        guard !prompts.isEmpty, prompts.count <= 16 else {
            throw APIError.invalidRequest("'prompt' must hold 1 to 16 prompts, not \(prompts.count)", param: "prompt")
        }
        var requests: [CompletionRequest] = []
        for prompt in prompts {
            for choice in 0..<parameters.choices {
                requests.append(parameters.request(
                    prompt: prompt, choice: choice, logprobs: body.logprobs, endOfGeneration: served.endOfGeneration))
            }
        }
        var runs = try RunningGeneration.start(served, requests: requests, arrived: arrived, metrics: server.metrics)
        let header = ResponseHeader(id: makeID("cmpl-"), created: Int(Date().timeIntervalSince1970), model: served.name)
        let promptTokens = prompts.reduce(0) { $0 + $1.count }
        if body.stream == true {
            let usage = body.streamOptions?.includeUsage == true
            let started = runs
            return sse { writer in
                var runs = started
                try await streamCompletions(&runs, header, usage: usage, promptTokens: promptTokens, writer)
            }
        }
        var choices: [JSON] = []
        var usage = Usage(prompt: promptTokens)
        for index in runs.indices {
            let result = try await runs[index].collect()
            usage.add(result.stats)
            choices.append(.object([
                ("text", .string(result.text)),
                ("index", .int(index)),
                ("logprobs", body.logprobs == nil ? .null : completionLogprobs(result.logprobs, served)),
                ("finish_reason", .string(result.stats.stopReason.finishReason)),
            ]))
        }
        return jsonResponse(.object(header.fields(object: "text_completion") + [("choices", .array(choices)), ("usage", usage.json)]))
    }

    private func streamCompletions(
        _ runs: inout [RunningGeneration], _ header: ResponseHeader, usage includeUsage: Bool, promptTokens: Int,
        _ writer: SSEWriter
    ) async throws {
        let usageField: [(String, JSON)] = includeUsage ? [("usage", .null)] : []
        func chunk(_ index: Int, text: String, logprobs: JSON = .null, finish: String? = nil) -> JSON {
            .object(header.fields(object: "text_completion") + [
                ("choices", .array([.object([
                    ("text", .string(text)), ("index", .int(index)), ("logprobs", logprobs),
                    ("finish_reason", finish.map { .string($0) } ?? .null),
                ])])),
            ] + usageField)
        }
        let usage = try await streamChoices(
            &runs, writer, start: { _ in nil },
            piece: { index, text, logprob, served in
                chunk(index, text: text, logprobs: logprob.map { completionLogprobs([$0], served) } ?? .null)
            },
            end: { chunk($0, text: "", finish: $1.stopReason.finishReason) })
        if includeUsage {
            var total = Usage(prompt: promptTokens)
            total.add(usage)
            try await writer.send(.object(header.fields(object: "text_completion") + [("choices", .array([])), ("usage", total.json)]))
        }
        try await writer.done()
    }

    /// The legacy completions shape: parallel lists of tokens, log-probabilities, alternatives, offsets.
    private func completionLogprobs(_ lps: [TokenLogprob], _ served: ServedModel) -> JSON {
        var offset = 0
        var offsets: [JSON] = []
        for lp in lps {
            offsets.append(.int(offset))
            offset += served.tokenText(lp.id).utf8.count
        }
        return .object([
            ("tokens", .array(lps.map { .string(served.tokenText($0.id)) })),
            ("token_logprobs", .array(lps.map { .float($0.logprob) })),
            ("top_logprobs", .array(lps.map { lp in .object(lp.top.map { (served.tokenText($0.id), .float($0.logprob)) }) })),
            ("text_offset", .array(offsets)),
        ])
    }

    // MARK: - Embeddings

    func embeddings(_ request: Request) async throws -> Response {
        let body = try await server.decode(EmbeddingRequestBody.self, from: request)
        let served = try server.store.find(body.model)
        let format = body.encodingFormat ?? "float"
        guard format == "float" || format == "base64" else {
            throw APIError.invalidRequest("encoding_format must be 'float' or 'base64', not '\(format)'", param: "encoding_format")
        }
        if let d = body.dimensions, d != served.model.config.embeddingLength {
            throw APIError.invalidRequest(
                "dimensions: this model's embeddings have \(served.model.config.embeddingLength) dimensions, not \(d)", param: "dimensions")
        }
        let inputs = try embeddingInputs(body.input, served)
        let vectors: [[Float]]
        do {
            vectors = try await served.engine.embed(inputs)
        } catch let error as CriaError {
            throw APIError(error, param: "input")
        }
        let data: [JSON] = vectors.enumerated().map { i, v in
            .object([
                ("object", .string("embedding")), ("index", .int(i)),
                ("embedding", format == "base64" ? .string(base64(v)) : .array(v.map { .float($0) })),
            ])
        }
        let tokens = inputs.reduce(0) { $0 + $1.count }
        return jsonResponse(.object([
            ("object", .string("list")), ("data", .array(data)), ("model", .string(served.name)),
            ("usage", .object([("prompt_tokens", .int(tokens)), ("total_tokens", .int(tokens))])),
        ]))
    }

    /// Little-endian f32 values, base64: what OpenAI's clients decode.
    private func base64(_ values: [Float]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
    }

    // MARK: - Models

    func models() -> Response {
        jsonResponse(.object([
            ("object", .string("list")),
            ("data", .array(server.store.models.map(modelObject))),
        ]))
    }

    func model(_ id: String) throws -> Response {
        jsonResponse(modelObject(try server.store.find(id)))
    }

    private func modelObject(_ served: ServedModel) -> JSON {
        .object([
            ("id", .string(served.name)), ("object", .string("model")),
            ("created", .int(Int(served.loadedAt.timeIntervalSince1970))), ("owned_by", .string("cria")),
        ])
    }
}

/// Texts or token lists to embed, as token lists (BOS added, special tokens parsed, as
/// llama.cpp's server tokenizes them).
func embeddingInputs(_ input: PromptInput, _ served: ServedModel) throws(APIError) -> [[Int32]] {
    let inputs: [[Int32]] = switch input {
    case .texts(let texts): texts.map { served.textPrompt($0) }
    case .tokens(let lists): lists
    }
    guard !inputs.isEmpty, inputs.count <= 256 else {
        throw .invalidRequest("'input' must hold 1 to 256 items, not \(inputs.count)", param: "input")
    }
    return inputs
}

/// The fields every OpenAI completion object starts with.
struct ResponseHeader {
    let id: String
    let created: Int
    let model: String

    func fields(object: String) -> [(String, JSON)] {
        [("id", .string(id)), ("object", .string(object)), ("created", .int(created)), ("model", .string(model)),
         ("system_fingerprint", .string("cria"))]
    }
}

/// Token counts of a response.
struct Usage {
    var prompt: Int
    var completion = 0
    var cached = 0

    mutating func add(_ stats: GenerationStats) {
        completion += stats.generatedTokens
        cached = max(cached, stats.cachedPromptTokens)
    }

    mutating func add(_ all: [GenerationStats]) {
        for stats in all { add(stats) }
    }

    var json: JSON {
        .object([
            ("prompt_tokens", .int(prompt)), ("completion_tokens", .int(completion)), ("total_tokens", .int(prompt + completion)),
            ("prompt_tokens_details", .object([("cached_tokens", .int(cached))])),
        ])
    }
}
