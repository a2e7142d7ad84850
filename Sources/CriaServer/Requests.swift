import Cria

// Request bodies of the OpenAI and Ollama APIs. Fields follow the APIs' own names; anything not
// listed is ignored, as both servers do. Values are checked in `GenerationParameters`.

/// A string or a list of strings (`stop`).
struct StringList: Decodable {
    var values: [String]

    init(from decoder: Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let s = try? single.decode(String.self) {
            values = [s]
        } else {
            values = try single.decode([String].self)
        }
    }
}

/// A prompt or embedding input: text, texts, token ids, or lists of token ids.
enum PromptInput: Decodable {
    case texts([String])
    case tokens([[Int32]])

    init(from decoder: Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let s = try? single.decode(String.self) {
            self = .texts([s])
        } else if let list = try? single.decode([String].self) {
            self = .texts(list)
        } else if let ids = try? single.decode([Int32].self) {
            self = .tokens([ids])
        } else if let lists = try? single.decode([[Int32]].self) {
            self = .tokens(lists)
        } else {
            throw DecodingError.typeMismatch(String.self, .init(
                codingPath: decoder.codingPath,
                debugDescription: "expected a string, a list of strings, a list of token ids or a list of such lists"))
        }
    }

    var count: Int {
        switch self {
        case .texts(let t): t.count
        case .tokens(let t): t.count
        }
    }
}

/// The sampling fields OpenAI requests share.
struct OpenAISampling: Decodable {
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var minP: Double?
    var repeatPenalty: Double?
    var repeatLastN: Int?
    var presencePenalty: Double?
    var frequencyPenalty: Double?
    var seed: Int64?
    var stop: StringList?
    var logitBias: [String: Double]?
    var n: Int?
    var cachePrompt: Bool?
    var ignoreEOS: Bool?

    enum CodingKeys: String, CodingKey {
        case maxTokens = "max_tokens", maxCompletionTokens = "max_completion_tokens", temperature
        case topP = "top_p", topK = "top_k", minP = "min_p", repeatPenalty = "repeat_penalty"
        case repeatLastN = "repeat_last_n", presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty", seed, stop, logitBias = "logit_bias", n
        case cachePrompt = "cache_prompt", ignoreEOS = "ignore_eos"
    }
}

struct StreamOptions: Decodable {
    var includeUsage: Bool?
    enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
}

struct ChatCompletionRequest: Decodable {
    var model: String?
    var messages: [ChatMessage]
    var sampling: OpenAISampling
    var logprobs: Bool?
    var topLogprobs: Int?
    var stream: Bool?
    var streamOptions: StreamOptions?
    var user: String?

    enum CodingKeys: String, CodingKey {
        case model, messages, logprobs, topLogprobs = "top_logprobs", stream, streamOptions = "stream_options", user
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        messages = try c.decode([ChatMessage].self, forKey: .messages)
        logprobs = try c.decodeIfPresent(Bool.self, forKey: .logprobs)
        topLogprobs = try c.decodeIfPresent(Int.self, forKey: .topLogprobs)
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try c.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        sampling = try OpenAISampling(from: decoder)
    }
}

struct CompletionRequestBody: Decodable {
    var model: String?
    var prompt: PromptInput
    var sampling: OpenAISampling
    /// OpenAI's completions take an integer: how many alternatives to list per token.
    var logprobs: Int?
    var echo: Bool?
    var stream: Bool?
    var streamOptions: StreamOptions?
    var user: String?

    enum CodingKeys: String, CodingKey {
        case model, prompt, logprobs, echo, stream, streamOptions = "stream_options", user
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        prompt = try c.decode(PromptInput.self, forKey: .prompt)
        logprobs = try c.decodeIfPresent(Int.self, forKey: .logprobs)
        echo = try c.decodeIfPresent(Bool.self, forKey: .echo)
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try c.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        sampling = try OpenAISampling(from: decoder)
    }
}

struct EmbeddingRequestBody: Decodable {
    var model: String?
    var input: PromptInput
    var encodingFormat: String?
    var dimensions: Int?
    var user: String?

    enum CodingKeys: String, CodingKey {
        case model, input, encodingFormat = "encoding_format", dimensions, user
    }
}

// MARK: - Ollama

/// Ollama's `options` (the subset that applies to generation here).
struct OllamaOptions: Decodable {
    var temperature: Double?
    var topK: Int?
    var topP: Double?
    var minP: Double?
    var seed: Int64?
    var numPredict: Int?
    var numCtx: Int?
    var stop: StringList?
    var repeatPenalty: Double?
    var repeatLastN: Int?
    var presencePenalty: Double?
    var frequencyPenalty: Double?

    enum CodingKeys: String, CodingKey {
        case temperature, topK = "top_k", topP = "top_p", minP = "min_p", seed, numPredict = "num_predict"
        case numCtx = "num_ctx", stop, repeatPenalty = "repeat_penalty", repeatLastN = "repeat_last_n"
        case presencePenalty = "presence_penalty", frequencyPenalty = "frequency_penalty"
    }
}

/// `keep_alive`: a duration string ("5m", "1h", "-1") or a number of seconds.
struct KeepAlive: Decodable {
    var seconds: Double

    init(from decoder: Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let n = try? single.decode(Double.self) {
            seconds = n
            return
        }
        let text = try single.decode(String.self)
        guard let parsed = KeepAlive.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: single, debugDescription: "'\(text)' is not a duration (e.g. \"5m\", \"1h\", \"30s\", \"-1\")")
        }
        seconds = parsed
    }

    /// Go-style durations as Ollama takes them: a sequence of number+unit, or a bare number of seconds.
    static func parse(_ text: String) -> Double? {
        if let n = Double(text) { return n }
        var rest = Substring(text)
        var sign = 1.0
        if rest.hasPrefix("-") {
            sign = -1
            rest = rest.dropFirst()
        }
        var total = 0.0
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("h", 3600), ("m", 60), ("s", 1)]
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            total += value * unit.1
            rest = rest.dropFirst(unit.0.count)
        }
        return sign * total
    }
}

struct OllamaGenerateRequest: Decodable {
    var model: String?
    var prompt: String?
    var suffix: String?
    var system: String?
    var template: String?
    var context: [Int32]?
    var stream: Bool?
    var raw: Bool?
    var images: [String]?
    var options: OllamaOptions?
    var keepAlive: KeepAlive?

    enum CodingKeys: String, CodingKey {
        case model, prompt, suffix, system, template, context, stream, raw, images, options, keepAlive = "keep_alive"
    }
}

struct OllamaChatRequest: Decodable {
    var model: String?
    var messages: [OllamaMessage]?
    var stream: Bool?
    var options: OllamaOptions?
    var keepAlive: KeepAlive?

    enum CodingKeys: String, CodingKey { case model, messages, stream, options, keepAlive = "keep_alive" }
}

/// An Ollama chat message: tool call arguments are a JSON object, not text as in OpenAI's.
struct OllamaMessage: Decodable {
    var role: String
    var content: String?
    var images: [String]?
    var toolCalls: [OllamaToolCall]?
    var toolName: String?

    enum CodingKeys: String, CodingKey { case role, content, images, toolCalls = "tool_calls", toolName = "tool_name" }

    struct OllamaToolCall: Decodable {
        struct Function: Decodable {
            var name: String
            var arguments: JSON?
        }
        var function: Function
    }

    var chatMessage: ChatMessage {
        let calls = toolCalls?.enumerated().map { i, call in
            ToolCall(id: "call_\(i)", name: call.function.name, arguments: (call.function.arguments ?? .object([])).serialized)
        }
        return ChatMessage(role: role, content: content ?? "", toolCalls: calls, name: toolName)
    }
}

struct OllamaEmbedRequest: Decodable {
    var model: String?
    var input: PromptInput
    var truncate: Bool?
    var options: OllamaOptions?
    var keepAlive: KeepAlive?

    enum CodingKeys: String, CodingKey { case model, input, truncate, options, keepAlive = "keep_alive" }
}

struct OllamaLegacyEmbeddingRequest: Decodable {
    var model: String?
    var prompt: String
    var options: OllamaOptions?
    var keepAlive: KeepAlive?

    enum CodingKeys: String, CodingKey { case model, prompt, options, keepAlive = "keep_alive" }
}

struct OllamaShowRequest: Decodable {
    var model: String?
    var name: String?
}
