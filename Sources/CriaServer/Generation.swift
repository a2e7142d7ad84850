import Cria
import Foundation

/// Monotonic seconds, for durations.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// One stream of a request being served: its events, and the timings the APIs report.
struct RunningGeneration: Sendable {
    let served: ServedModel
    let events: AsyncThrowingStream<CompletionEvent, Error>
    /// When the request arrived.
    let arrived: Double
    let metrics: ServerMetrics
    private(set) var firstTokenAt: Double?

    init(served: ServedModel, request: CompletionRequest, arrived: Double, metrics: ServerMetrics) throws {
        self.served = served
        self.arrived = arrived
        self.metrics = metrics
        events = try served.engine.submit(request)
    }

    /// Starts one generation per choice; if one is refused, the ones started are cancelled
    /// (their streams are dropped) and the refusal is thrown.
    static func start(
        _ served: ServedModel, requests: [CompletionRequest], arrived: Double, metrics: ServerMetrics
    ) throws -> [RunningGeneration] {
        var started: [RunningGeneration] = []
        for request in requests {
            started.append(try RunningGeneration(served: served, request: request, arrived: arrived, metrics: metrics))
        }
        return started
    }

    /// Notes a token's arrival (for time to first token).
    mutating func noteToken() {
        if firstTokenAt == nil { firstTokenAt = monotonicSeconds() }
    }

    /// Records the finished generation's metrics.
    func finished(_ stats: GenerationStats) {
        metrics.generation(stats, firstTokenSeconds: firstTokenAt.map { $0 - arrived })
    }

    /// Everything a generation produced, for non-streaming answers.
    struct Result {
        var text = ""
        var tokens: [Int32] = []
        var logprobs: [TokenLogprob] = []
        var stats = GenerationStats()
    }

    /// Runs the stream to its end.
    mutating func collect() async throws -> Result {
        var result = Result()
        for try await event in events {
            switch event {
            case .token(let id, let text, let logprob):
                noteToken()
                result.text += text
                result.tokens.append(id)
                if let logprob { result.logprobs.append(logprob) }
            case .text(let text):
                result.text += text
            case .finished(let stats):
                result.stats = stats
                finished(stats)
            }
        }
        return result
    }
}

extension StopReason {
    /// OpenAI's `finish_reason` (Ollama's `done_reason` uses the same words).
    var finishReason: String {
        switch self {
        case .endOfGeneration, .stopString, .cancelled: "stop"
        case .maxTokens, .contextFull: "length"
        }
    }
}

extension ServedModel {
    /// Prompt tokens of a conversation, through the model's chat template, with the tools
    /// offered (if any) rendered as the template renders them.
    func chatPrompt(_ messages: [ChatMessage], tools: ToolUse?) throws(APIError) -> [Int32] {
        guard !messages.isEmpty else { throw .invalidRequest("'messages' must not be empty", param: "messages") }
        let roles: Set<String> = ["system", "developer", "user", "assistant", "tool"]
        if let (index, message) = messages.enumerated().first(where: { !roles.contains($0.element.role) }) {
            throw .invalidRequest(
                "'messages[\(index)].role' is '\(message.role)'; it must be one of system, developer, user, assistant, tool",
                param: "messages[\(index)].role")
        }
        let offered = tools.flatMap { $0.isActive ? $0 : nil }
        do {
            return try model.chatTokens(offered?.messages(messages) ?? messages, tools: offered?.definitions.serialized)
        } catch let error as CriaError {
            throw APIError(error, param: "messages")
        } catch {
            throw .invalidRequest("the chat template failed: \(error)", param: "messages")
        }
    }

    /// Prompt tokens of plain text: BOS where the model wants one, special tokens parsed (as
    /// llama.cpp's server does).
    func textPrompt(_ text: String) -> [Int32] {
        model.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
    }

    /// Text of one token, as APIs list it in log-probabilities.
    func tokenText(_ id: Int32) -> String {
        String(decoding: model.tokenizer.tokenBytes(id), as: UTF8.self)
    }

    func tokenBytes(_ id: Int32) -> JSON {
        .array(model.tokenizer.tokenBytes(id).map { .int(Int($0)) })
    }
}

/// Response ids as OpenAI spells them: a prefix ("chatcmpl-", "cmpl-") and 24 random alphanumerics.
func makeID(_ prefix: String) -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    return prefix + String((0..<24).map { _ in alphabet.randomElement()! })
}
