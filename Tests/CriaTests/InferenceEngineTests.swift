import Foundation
import Sampling
import Testing

@testable import Cria

/// The engine behind `cria serve`: batched requests give what each gives alone (greedy), prompts
/// reuse cached prefixes, cancellation and a full queue behave, embeddings match llama.cpp's.
@Suite(.serialized, .enabled(if: Fixtures.hasDefaultModel, "the default model is not installed (make model)"))
struct InferenceEngineTests {
    static let model = Result { try Model(path: Fixtures.defaultModel) }

    static func collect(_ stream: AsyncThrowingStream<CompletionEvent, Error>) async throws -> (String, GenerationStats, [TokenLogprob]) {
        var text = ""
        var stats = GenerationStats()
        var logprobs: [TokenLogprob] = []
        for try await event in stream {
            switch event {
            case .token(_, let piece, let lp):
                text += piece
                if let lp { logprobs.append(lp) }
            case .text(let piece): text += piece
            case .finished(let s): stats = s
            }
        }
        return (text, stats, logprobs)
    }

    static let prompts = [
        "The capital of France is", "def fibonacci(n):", "Llamas are", "Once upon a time, in a small village,",
        "1, 2, 3, 4,", "The three primary colors are",
    ]

    /// Each prompt alone, on an engine of its own, evaluated in one batch.
    static func alone(_ model: Model, _ prompts: [[Int32]], maxTokens: Int) async throws -> [String] {
        var texts: [String] = []
        for prompt in prompts {
            let engine = try InferenceEngine(model: model, parallel: 1, contextLength: 512, threads: 2, batchTokens: 512)
            defer { engine.shutdown() }
            texts.append(try await collect(engine.submit(CompletionRequest(prompt: prompt, maxTokens: maxTokens, sampling: .greedy))).0)
        }
        return texts
    }

    @Test func greedyAnswersDoNotDependOnConcurrencyOrBatchSize() async throws {
        let model = try Self.model.get()
        let prompts = Self.prompts.prefix(5).map { model.tokenizer.encode($0, addSpecial: true, parseSpecial: false) }
        let alone = try await Self.alone(model, prompts, maxTokens: 12)
        for batch in [1, 5, 512] {
            let engine = try InferenceEngine(model: model, parallel: 4, contextLength: 512, threads: 2, batchTokens: batch)
            defer { engine.shutdown() }
            let streams = try prompts.map { try engine.submit(CompletionRequest(prompt: $0, maxTokens: 12, sampling: .greedy)) }
            var together: [String] = []
            for stream in streams { together.append(try await Self.collect(stream).0) }
            #expect(together == alone, "batch \(batch)")
        }
    }

    @Test func greedyAnswersDoNotDependOnTheCachedPrefix() async throws {
        // A long shared prefix (past the split-decode threshold) continued two ways.
        let model = try Self.model.get()
        let history = String(repeating: "Llamas are camelids from South America. ", count: 40)
        let a = model.tokenizer.encode(history + "Question: what are llamas?", addSpecial: true, parseSpecial: false)
        let b = model.tokenizer.encode(history + "Question: where do llamas live?", addSpecial: true, parseSpecial: false)
        let alone = try await Self.alone(model, [a, b], maxTokens: 12)
        let engine = try InferenceEngine(model: model, parallel: 1, contextLength: 512, threads: 2, batchTokens: 64)
        defer { engine.shutdown() }
        _ = try await Self.collect(engine.submit(CompletionRequest(prompt: a, maxTokens: 12, sampling: .greedy)))
        let (text, stats, _) = try await Self.collect(engine.submit(CompletionRequest(prompt: b, maxTokens: 12, sampling: .greedy)))
        #expect(stats.cachedPromptTokens > 300)
        #expect(text == alone[1])
        let (again, statsAgain, _) = try await Self.collect(engine.submit(CompletionRequest(prompt: a, maxTokens: 12, sampling: .greedy)))
        #expect(statsAgain.cachedPromptTokens > 300)
        #expect(again == alone[0])
    }

    @Test func aSecondTurnReusesTheCachedPrefix() async throws {
        let model = try Self.model.get()
        let engine = try InferenceEngine(model: model, parallel: 2, contextLength: 512, threads: 2)
        defer { engine.shutdown() }
        let first = try model.chatTokens([ChatMessage(role: "user", content: "Name a fruit.")])
        let (reply, stats1, _) = try await Self.collect(engine.submit(CompletionRequest(prompt: first, maxTokens: 16, sampling: .greedy)))
        #expect(stats1.cachedPromptTokens == 0)
        let second = try model.chatTokens([
            ChatMessage(role: "user", content: "Name a fruit."), ChatMessage(role: "assistant", content: reply),
            ChatMessage(role: "user", content: "Another one?"),
        ])
        let (_, stats2, _) = try await Self.collect(engine.submit(CompletionRequest(prompt: second, maxTokens: 8, sampling: .greedy)))
        #expect(stats2.cachedPromptTokens >= first.count - 1)
        #expect(stats2.cachedPromptTokens < second.count)
        // Without prefix caching, nothing is reused and the answer is the same.
        let (_, stats3, _) = try await Self.collect(engine.submit(CompletionRequest(
            prompt: second, maxTokens: 8, sampling: .greedy, cachePrompt: false)))
        #expect(stats3.cachedPromptTokens == 0)
    }

    @Test func cachedAndUncachedPromptsGiveTheSameText() async throws {
        let model = try Self.model.get()
        let engine = try InferenceEngine(model: model, parallel: 1, contextLength: 256, threads: 2)
        defer { engine.shutdown() }
        let prompt = model.tokenizer.encode("The three primary colors are", addSpecial: true, parseSpecial: false)
        let a = try await Self.collect(engine.submit(CompletionRequest(prompt: prompt, maxTokens: 16, sampling: .greedy)))
        let b = try await Self.collect(engine.submit(CompletionRequest(prompt: prompt, maxTokens: 16, sampling: .greedy)))
        #expect(b.1.cachedPromptTokens == prompt.count - 1)
        #expect(a.0 == b.0)
    }

    @Test func theSameSeedGivesTheSameSample() async throws {
        let model = try Self.model.get()
        let engine = try InferenceEngine(model: model, parallel: 2, contextLength: 256, threads: 2)
        defer { engine.shutdown() }
        let prompt = model.tokenizer.encode("Write a word:", addSpecial: true, parseSpecial: false)
        func run(_ seed: UInt64) async throws -> String {
            try await Self.collect(engine.submit(CompletionRequest(
                prompt: prompt, maxTokens: 12, sampling: SamplingParameters(temperature: 1.0, topK: 0, topP: 1, seed: seed)))).0
        }
        let a = try await run(7), b = try await run(7)
        #expect(a == b)
        var others = Set<String>()
        for seed in 1...4 { others.insert(try await run(UInt64(seed))) }
        #expect(others.count > 1)
    }

    @Test func stopStringsAndTokenLimits() async throws {
        let model = try Self.model.get()
        let engine = try InferenceEngine(model: model, parallel: 1, contextLength: 256, threads: 2)
        defer { engine.shutdown() }
        let prompt = model.tokenizer.encode("1, 2, 3, 4,", addSpecial: true, parseSpecial: false)
        let full = try await Self.collect(engine.submit(CompletionRequest(prompt: prompt, maxTokens: 12, sampling: .greedy)))
        #expect(full.1.stopReason == .maxTokens)
        #expect(full.1.generatedTokens == 12)
        let cut = try #require(full.0.firstRange(of: "7"))
        let stopped = try await Self.collect(engine.submit(CompletionRequest(prompt: prompt, maxTokens: 12, sampling: .greedy, stop: ["7"])))
        #expect(stopped.1.stopReason == .stopString)
        #expect(stopped.0 == String(full.0[..<cut.lowerBound]))
    }

    @Test func logprobsAreTheModelsLogSoftmax() async throws {
        let model = try Self.model.get()
        let engine = try InferenceEngine(model: model, parallel: 1, contextLength: 256, threads: 2)
        defer { engine.shutdown() }
        let prompt = model.tokenizer.encode("The capital of France is", addSpecial: true, parseSpecial: false)
        let (_, _, lps) = try await Self.collect(engine.submit(CompletionRequest(prompt: prompt, maxTokens: 4, sampling: .greedy, logprobs: 3)))
        #expect(lps.count == 4)
        for lp in lps {
            #expect(lp.top.count == 3)
            #expect(lp.logprob <= 0)
            // Greedy: the chosen token is the most likely one.
            #expect(lp.top.first?.id == lp.id)
            #expect(zip(lp.top, lp.top.dropFirst()).allSatisfy { $0.logprob >= $1.logprob })
        }
    }

    @Test func promptsOverTheContextAndAFullQueueAreRefused() async throws {
        let model = try Self.model.get()
        let engine = try InferenceEngine(model: model, parallel: 1, contextLength: 64, threads: 2, maxQueue: 1)
        defer { engine.shutdown() }
        let long = [Int32](repeating: 42, count: 64)
        #expect(throws: CriaError(.promptTooLong, "the prompt has 64 tokens but the context holds 64 (prompt and reply must fit)")) {
            try engine.submit(CompletionRequest(prompt: long, maxTokens: 1))
        }
        let prompt = model.tokenizer.encode("Tell me a story.", addSpecial: true, parseSpecial: false)
        let running = try engine.submit(CompletionRequest(prompt: prompt, maxTokens: 40, sampling: .greedy))
        let waiting = try engine.submit(CompletionRequest(prompt: prompt, maxTokens: 40, sampling: .greedy))
        // Give the loop time to admit the first; the second then waits and a third is refused.
        var refused: CriaError?
        for _ in 0..<100 {
            do {
                let extra = try engine.submit(CompletionRequest(prompt: prompt, maxTokens: 1))
                _ = extra
                try await Task.sleep(for: .milliseconds(5))
            } catch let error as CriaError {
                refused = error
                break
            }
        }
        #expect(refused?.kind == .busy)
        _ = try await Self.collect(running)
        _ = try await Self.collect(waiting)
    }

    @Test func droppingAStreamCancelsItsRequest() async throws {
        let model = try Self.model.get()
        let engine = try InferenceEngine(model: model, parallel: 1, contextLength: 256, threads: 2)
        defer { engine.shutdown() }
        let prompt = model.tokenizer.encode("1, 2, 3, 4,", addSpecial: true, parseSpecial: false)
        do {
            let stream = try engine.submit(CompletionRequest(prompt: prompt, maxTokens: 200, sampling: .greedy))
            var it = stream.makeAsyncIterator()
            guard case .token = try await it.next() else {
                Issue.record("the first event is not a token")
                return
            }
        }
        // The only sequence must come free well before 200 tokens' time.
        let next = try engine.submit(CompletionRequest(prompt: prompt, maxTokens: 2, sampling: .greedy))
        let (_, stats, _) = try await Self.collect(next)
        #expect(stats.generatedTokens == 2)
        #expect(stats.queueSeconds < 5)
    }

    @Test func embeddingsMatchLlamaCpp() async throws {
        let model = try Self.model.get()
        let engine = try InferenceEngine(model: model, parallel: 1, contextLength: 256, threads: 2)
        defer { engine.shutdown() }
        struct Fixture: Decodable {
            struct Case: Decodable {
                var text: String
                var tokens: [Int32]
                var embedding: [Float]
            }
            var cases: [Case]
        }
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("embeddings/smollm2-embeddings.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        for c in fixture.cases {
            #expect(model.tokenizer.encode(c.text, addSpecial: true, parseSpecial: true) == c.tokens)
        }
        let vectors = try await engine.embed(fixture.cases.map(\.tokens))
        for (v, c) in zip(vectors, fixture.cases) {
            let cosine = zip(v, c.embedding).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let worst = zip(v, c.embedding).map { abs($0 - $1) }.max() ?? 0
            #expect(cosine > 0.9999, "\(c.text): cosine \(cosine)")
            #expect(worst < 2e-3, "\(c.text): largest difference \(worst)")
        }
    }
}
