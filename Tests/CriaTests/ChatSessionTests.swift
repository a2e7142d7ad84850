import Foundation
import Testing
@testable import Cria
import Sampling

/// The library API on the default model: streamed turns, KV cache reuse across turns, stop
/// strings, cancellation.
@Suite(.serialized, .enabled(if: Fixtures.hasDefaultModel, "the default model is not installed (make model)"))
struct ChatSessionTests {
    static func greedy(maxTokens: Int, stop: [String] = []) -> GenerationOptions {
        GenerationOptions(maxTokens: maxTokens, sampling: SamplingParameters(temperature: 0), stop: stop)
    }

    /// Collects a stream: the text and the final stats.
    static func collect(_ stream: AsyncThrowingStream<GenerationEvent, Error>) async throws -> (String, GenerationStats?) {
        var text = "", stats: GenerationStats? = nil
        for try await event in stream {
            switch event {
            case .text(let piece): text += piece
            case .finished(let s): stats = s
            }
        }
        return (text, stats)
    }

    @Test func secondTurnEvaluatesOnlyNewTokens() async throws {
        let model = try Model(path: Fixtures.defaultModel)
        let chat = try ChatSession(model: model, threads: 2, options: Self.greedy(maxTokens: 24))
        let firstPrompt = try await chat.promptTokens(adding: "Name a color.")
        let (reply1, stats1) = try await Self.collect(await chat.send("Name a color."))
        let s1 = try #require(stats1)
        #expect(!reply1.isEmpty)
        #expect(s1.cachedPromptTokens == 0 && s1.promptTokens == firstPrompt.count)

        let secondPrompt = try await chat.promptTokens(adding: "And another one?")
        let (_, stats2) = try await Self.collect(await chat.send("And another one?"))
        let s2 = try #require(stats2)
        // The whole first turn (prompt and reply) is reused; only the new turn is evaluated.
        #expect(s2.promptTokens == secondPrompt.count)
        #expect(s2.cachedPromptTokens >= firstPrompt.count)
        #expect(s2.promptTokens - s2.cachedPromptTokens < 20)
        let history = await chat.messages
        #expect(history.map(\.role) == ["user", "assistant", "user", "assistant"])
        #expect(history[1].content == reply1)
    }

    @Test func reusedCacheGivesTheSameReplyAsAFreshOne() async throws {
        let model = try Model(path: Fixtures.defaultModel)
        let warm = try ChatSession(model: model, threads: 2, options: Self.greedy(maxTokens: 16))
        _ = try await Self.collect(await warm.send("Hi!"))
        let (warmReply, warmStats) = try await Self.collect(await warm.send("What is 2+2?"))
        #expect((warmStats?.cachedPromptTokens ?? 0) > 0)

        let cold = try ChatSession(model: model, threads: 2, options: Self.greedy(maxTokens: 16))
        await cold.load(await warm.messages.dropLast(2))
        let (coldReply, coldStats) = try await Self.collect(await cold.send("What is 2+2?"))
        #expect(coldStats?.cachedPromptTokens == 0)
        #expect(coldReply == warmReply)
    }

    @Test func stopStringsEndTheReplyBeforeThem() async throws {
        let model = try Model(path: Fixtures.defaultModel)
        let free = try ChatSession(model: model, threads: 2, options: Self.greedy(maxTokens: 40))
        let (full, _) = try await Self.collect(await free.generate(raw: "The days of the week are Monday, Tuesday,"))
        let words = full.split(separator: " ")
        try #require(words.count >= 3)
        let stop = String(words[2])
        let stopped = try ChatSession(model: model, threads: 2, options: Self.greedy(maxTokens: 40, stop: [stop]))
        let (text, stats) = try await Self.collect(await stopped.generate(raw: "The days of the week are Monday, Tuesday,"))
        #expect(stats?.stopReason == .stopString)
        #expect(text == String(full[..<(full.range(of: stop)?.lowerBound ?? full.endIndex)]))
    }

    @Test func cancellingTheConsumerStopsGeneration() async throws {
        let model = try Model(path: Fixtures.defaultModel)
        let chat = try ChatSession(model: model, threads: 2, options: Self.greedy(maxTokens: 2000))
        let consumer = Task {
            var pieces = 0
            for try await event in await chat.send("Write a very long story about llamas.") {
                if case .text = event { pieces += 1 }
                if pieces == 3 { break }  // leaving the loop ends the stream
            }
            return pieces
        }
        #expect(try await consumer.value == 3)
        // The session is free again at once; the cut-off reply stays in the history, short.
        let (_, stats) = try await Self.collect(await chat.send("Hi"))
        #expect(stats != nil)
        let history = await chat.messages
        #expect(history.map(\.role) == ["user", "assistant", "user", "assistant"])
        #expect(history[1].content.count < 1500)  // far short of 2000 tokens, even on a loaded machine
    }
}
