import Cria
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import CriaServer

enum Fixtures {
    static var defaultModel: String {
        let env = ProcessInfo.processInfo.environment
        let dir = env["CRIA_MODELS"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache/cria/models")
        return dir + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    static var hasDefaultModel: Bool { FileManager.default.fileExists(atPath: defaultModel) }

    /// One engine for the suite: loading and the KV cache are shared by every test.
    static let served = Result {
        let model = try Model(path: defaultModel)
        let engine = try InferenceEngine(model: model, parallel: 2, contextLength: 512, threads: 2, maxQueue: 2)
        return ServedModel(name: "smollm2", model: model, engine: engine, loadSeconds: 0)
    }
}

/// Routes tested in process (Hummingbird's router test client) on the default model: shapes of
/// answers and errors, as the compatibility suite checks them again with the real clients.
@Suite(.serialized, .enabled(if: Fixtures.hasDefaultModel, "the default model is not installed (make model)"))
struct ServerTests {
    func app(key: String? = nil, maxBody: Int = 1 << 20, ready: Bool = true) throws -> some ApplicationProtocol {
        let store = ModelStore()
        if ready { store.publish([try Fixtures.served.get()]) }
        var options = ServerOptions()
        options.apiKey = key
        options.maxBodyBytes = maxBody
        return makeApplication(store: store, options: options, metrics: ServerMetrics(), logger: Logger(label: "test"))
    }

    func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = headers
        h[.contentType] = "application/json"
        return try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: body))
    }

    @Test func healthIsUnavailableUntilTheModelIsLoaded() async throws {
        try await app(ready: false).test(.router) { client in
            let r = try await client.execute(uri: "/health", method: .get)
            #expect(r.status == .serviceUnavailable)
            #expect(try json(r.body)["status"] as? String == "loading")
        }
        try await app().test(.router) { client in
            let r = try await client.execute(uri: "/health", method: .get)
            #expect(r.status == .ok)
        }
    }

    @Test func chatCompletionGreedyMatchesTheEngine() async throws {
        let served = try Fixtures.served.get()
        let prompt = try served.model.chatTokens([ChatMessage(role: "user", content: "Say hello.")])
        var direct = ""
        for try await event in try served.engine.submit(CompletionRequest(prompt: prompt, maxTokens: 12, sampling: .greedy)) {
            switch event {
            case .token(_, let t, _), .text(let t): direct += t
            case .finished: break
            }
        }
        let expected = direct
        try await app().test(.router) { client in
            let r = try await post(client, "/v1/chat/completions", #"{"model":"smollm2","messages":[{"role":"user","content":"Say hello."}],"temperature":0,"max_tokens":12}"#)
            #expect(r.status == .ok)
            let body = try json(r.body)
            #expect(body["object"] as? String == "chat.completion")
            let choice = try #require((body["choices"] as? [[String: Any]])?.first)
            let message = try #require(choice["message"] as? [String: Any])
            #expect(message["content"] as? String == expected)
            #expect(choice["finish_reason"] as? String == "length")
            let usage = try #require(body["usage"] as? [String: Any])
            #expect(usage["prompt_tokens"] as? Int == prompt.count)
            #expect(usage["completion_tokens"] as? Int == 12)
        }
    }

    @Test func streamedChatIsServerSentEventsEndingWithDone() async throws {
        try await app().test(.router) { client in
            let r = try await post(client, "/v1/chat/completions", #"{"messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":6,"stream":true,"stream_options":{"include_usage":true}}"#)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "text/event-stream")
            let text = String(buffer: r.body)
            let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.allSatisfy { $0.hasPrefix("data: ") })
            #expect(events.last == "data: [DONE]")
            let chunks = try events.dropLast().map { try json(ByteBuffer(string: String($0.dropFirst(6)))) }
            #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
            let usage = try #require(chunks.last?["usage"] as? [String: Any])
            #expect(usage["completion_tokens"] as? Int == 6)
            let finals = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
            #expect(finals == ["length"])
        }
    }

    @Test func ollamaStreamsNDJSONWithDurationsAtTheEnd() async throws {
        try await app().test(.router) { client in
            let r = try await post(client, "/api/generate", #"{"model":"smollm2:latest","prompt":"Hi","options":{"temperature":0,"num_predict":5}}"#)
            #expect(r.status == .ok)
            let lines = String(buffer: r.body).split(separator: "\n")
            let objects = try lines.map { try json(ByteBuffer(string: String($0))) }
            #expect(objects.dropLast().allSatisfy { $0["done"] as? Bool == false })
            let last = try #require(objects.last)
            #expect(last["done"] as? Bool == true)
            #expect(last["done_reason"] as? String == "length")
            #expect(last["eval_count"] as? Int == 5)
            for key in ["total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_duration"] {
                #expect((last[key] as? Int ?? 0) > 0, "\(key)")
            }
        }
    }

    @Test func errorsHaveTheAPIsShapeAndStatus() async throws {
        try await app(maxBody: 4096).test(.router) { client in
            var r = try await post(client, "/v1/chat/completions", "{not json")
            #expect(r.status == .badRequest)
            let error = try #require(try json(r.body)["error"] as? [String: Any])
            #expect(error["type"] as? String == "invalid_request_error")
            #expect(error["message"] as? String == "the request body is not valid JSON")

            r = try await post(client, "/v1/chat/completions", #"{"messages":[{"role":"user","content":"x"}],"max_tokens":"many"}"#)
            #expect(r.status == .badRequest)
            #expect((try json(r.body)["error"] as? [String: Any])?["param"] as? String == "max_tokens")

            r = try await post(client, "/v1/chat/completions", #"{"messages":[{"role":"user","content":"x"}],"temperature":-1}"#)
            #expect(r.status == .badRequest)

            r = try await post(client, "/v1/chat/completions", #"{"model":"gpt-9","messages":[{"role":"user","content":"x"}]}"#)
            #expect(r.status == .notFound)
            #expect((try json(r.body)["error"] as? [String: Any])?["code"] as? String == "model_not_found")

            r = try await post(client, "/api/chat", #"{"model":"gpt-9","messages":[]}"#)
            #expect(r.status == .notFound)
            #expect(try json(r.body)["error"] is String)

            r = try await post(client, "/v1/completions", "{\"prompt\":\"" + String(repeating: "a", count: 5000) + "\"}")
            #expect(r.status == .contentTooLarge)

            let words = String(repeating: "llama ", count: 600)
            r = try await post(client, "/v1/completions", "{\"prompt\":\"\(words)\"}")
            #expect(r.status == .badRequest)
            let overflow = try #require(try json(r.body)["error"] as? [String: Any])
            #expect(overflow["code"] as? String == "context_length_exceeded")
            #expect((overflow["message"] as? String)?.contains("context holds 512") == true)

            r = try await client.execute(uri: "/v1/nothing", method: .get)
            #expect(r.status == .notFound)

            r = try await post(client, "/v1/chat/completions", #"{"messages":[{"role":"wizard","content":"hi"}]}"#)
            #expect(r.status == .badRequest)
            #expect((try json(r.body)["error"] as? [String: Any])?["param"] as? String == "messages[0].role")
        }
    }

    @Test func ignoreEOSGeneratesPastTheEnd() async throws {
        try await app().test(.router) { client in
            let body = #"{"messages":[{"role":"user","content":"Say hi."}],"temperature":0,"max_tokens":40"#
            var r = try await post(client, "/v1/chat/completions", body + "}")
            var usage = try #require(try json(r.body)["usage"] as? [String: Any])
            let natural = try #require(usage["completion_tokens"] as? Int)
            #expect(natural < 40)
            r = try await post(client, "/v1/chat/completions", body + #","ignore_eos":true}"#)
            usage = try #require(try json(r.body)["usage"] as? [String: Any])
            #expect(usage["completion_tokens"] as? Int == 40)
        }
    }

    @Test func anAPIKeyGuardsEverythingButHealth() async throws {
        try await app(key: "sekret").test(.router) { client in
            var r = try await client.execute(uri: "/v1/models", method: .get)
            #expect(r.status == .unauthorized)
            #expect((try json(r.body)["error"] as? [String: Any])?["code"] as? String == "invalid_api_key")
            r = try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer sekreT"])
            #expect(r.status == .unauthorized)
            r = try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer sekret"])
            #expect(r.status == .ok)
            r = try await client.execute(uri: "/api/tags", method: .get)
            #expect(r.status == .unauthorized)
            r = try await client.execute(uri: "/health", method: .get)
            #expect(r.status == .ok)
        }
        #expect(APIKeyMiddleware<BasicRequestContext>.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!APIKeyMiddleware<BasicRequestContext>.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
    }

    @Test func embeddingsAreUnitVectors() async throws {
        try await app().test(.router) { client in
            let r = try await post(client, "/v1/embeddings", #"{"input":["The cat sat on the mat.","Quarterly revenue rose."]}"#)
            #expect(r.status == .ok)
            let data = try #require(try json(r.body)["data"] as? [[String: Any]])
            #expect(data.count == 2)
            for item in data {
                let v = try #require(item["embedding"] as? [Double])
                #expect(v.count == 576)
                #expect(abs(v.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
            }
            let b = try await post(client, "/v1/embeddings", #"{"input":"The cat sat on the mat.","encoding_format":"base64"}"#)
            let item = try #require((try json(b.body)["data"] as? [[String: Any]])?.first)
            let encoded = try #require(item["embedding"] as? String)
            let bytes = try #require(Data(base64Encoded: encoded))
            #expect(bytes.count == 576 * 4)
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        try await app().test(.router) { client in
            _ = try await client.execute(uri: "/v1/models", method: .get)
            _ = try await client.execute(uri: "/v1/models/none", method: .get)
            let r = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: r.body)
            #expect(text.contains(#"cria_http_requests_total{route="/v1/models",method="GET",status="200"} 1"#))
            #expect(text.contains(#"cria_http_requests_total{route="/v1/models/{id}",method="GET",status="404"} 1"#))
            #expect(text.contains("cria_kv_cache_capacity_tokens 1024"))
            #expect(text.contains("cria_queue_depth 0"))
        }
    }

    @Test func ollamaListsAndShowsTheModel() async throws {
        try await app().test(.router) { client in
            var r = try await client.execute(uri: "/api/tags", method: .get)
            let models = try #require(try json(r.body)["models"] as? [[String: Any]])
            #expect(models.first?["name"] as? String == "smollm2:latest")
            let details = try #require(models.first?["details"] as? [String: Any])
            #expect(details["quantization_level"] as? String == "Q4_1")
            #expect(details["family"] as? String == "llama")
            r = try await post(client, "/api/show", #"{"model":"smollm2"}"#)
            #expect(r.status == .ok)
            #expect((try json(r.body)["template"] as? String)?.contains("im_start") == true)
            r = try await client.execute(uri: "/api/version", method: .get)
            #expect(try json(r.body)["version"] is String)
        }
    }
}
