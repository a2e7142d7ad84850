import Foundation
import GGUF
@testable import Llama
import Tensor
import Testing

/// The batched forward pass on the 2-layer mixed-type model: several sequences in one batch,
/// chunking, sequence copies and bad batches. Each sequence must get exactly the logits it
/// gets alone, whatever shares its batch.
@Suite struct BatchTests {
    static let model: LlamaModel? = {
        let path = MixedTypesTests.directory.appendingPathComponent("mixed-types.gguf").path
        return try? LlamaModel(file: GGUFFile(path: path))
    }()

    static let promptA: [Int32] = [214, 474, 444, 247, 74, 10, 84, 298, 214, 476, 420, 466]
    static let promptB: [Int32] = [3, 97, 250, 11]
    static let promptC: [Int32] = [400, 12, 77, 301, 5, 5, 18]

    func context(sequences: Int = 1, chunk: Int = 64) throws -> LlamaContext {
        let model = try #require(Self.model)
        return try LlamaContext(model: model, contextLength: 48, sequences: sequences, chunkTokens: chunk,
                                pool: ThreadPool(threadCount: 2))
    }

    /// Logits after `prompt`, then after each of `steps` decoded one at a time, for a sequence alone.
    func alone(_ prompt: [Int32], steps: [Int32] = []) throws -> [[Float]] {
        let ctx = try context()
        var out = [Array(try ctx.prefill(prompt))]
        for token in steps { out.append(Array(try ctx.step(token))) }
        return out
    }

    static func entries(_ tokens: [Int32], sequence: Int, from start: Int = 0, logitsAtEnd: Bool = true) -> [LlamaBatchEntry] {
        tokens.enumerated().map { i, t in
            LlamaBatchEntry(token: t, position: start + i, sequence: sequence, wantsLogits: logitsAtEnd && i == tokens.count - 1)
        }
    }

    @Test func sequencesInOneBatchMatchEachAlone() throws {
        let ctx = try context(sequences: 3)
        // Interleaved prompts of three sequences in one call.
        var batch = Self.entries(Self.promptA, sequence: 0) + Self.entries(Self.promptB, sequence: 2)
        batch.insert(contentsOf: Self.entries(Self.promptC, sequence: 1), at: 5)
        let logits = try ctx.evaluate(batch)
        #expect(logits.count == 3)
        // Output rows follow entry order: A's last entry comes after C's.
        let order = batch.filter(\.wantsLogits).map(\.sequence)
        let expected = [0: try alone(Self.promptA)[0], 1: try alone(Self.promptC)[0], 2: try alone(Self.promptB)[0]]
        for (row, sequence) in order.enumerated() {
            #expect(Array(logits[row]) == expected[sequence], "sequence \(sequence)")
        }
        #expect(ctx.length(of: 0) == Self.promptA.count && ctx.length(of: 1) == Self.promptC.count)
        #expect(ctx.length(of: 2) == Self.promptB.count)

        // Then one decode token per sequence per batch, three steps.
        let steps: [[Int32]] = [[7, 8, 9], [300, 301, 302], [44, 45, 46]]
        var decoded: [[[Float]]] = [[], [], []]
        for step in 0..<3 {
            let batch = (0..<3).map { s in
                LlamaBatchEntry(token: steps[s][step], position: ctx.length(of: s), sequence: s, wantsLogits: true)
            }
            let logits = try ctx.evaluate(batch)
            for s in 0..<3 { decoded[s].append(Array(logits[s])) }
        }
        for (s, prompt) in [Self.promptA, Self.promptC, Self.promptB].enumerated() {
            #expect(decoded[s] == Array(try alone(prompt, steps: steps[s]).dropFirst()), "sequence \(s) decode")
        }
    }

    @Test func chunkSizeDoesNotChangeResults() throws {
        let whole = try context(chunk: 64)
        let small = try context(chunk: 5)
        let batch = Self.entries(Self.promptA, sequence: 0).map {
            var e = $0
            e.wantsLogits = true
            return e
        }
        let a = try whole.evaluate(batch)
        let rowsA = (0..<a.count).map { Array(a[$0]) }
        let b = try small.evaluate(batch)
        #expect(b.count == Self.promptA.count)
        #expect((0..<b.count).map { Array(b[$0]) } == rowsA)
    }

    @Test func copiedPrefixContinuesLikeTheOriginal() throws {
        let ctx = try context(sequences: 2)
        try ctx.prefill(Self.promptA)
        try ctx.copy(sequence: 0, to: 1, length: 8)
        #expect(ctx.length(of: 1) == 8)
        let rest = Array(Self.promptA[8...])
        let logits = try ctx.evaluate(Self.entries(rest, sequence: 1, from: 8))
        #expect(Array(logits[0]) == (try alone(Self.promptA)[0]))

        // Truncating and re-evaluating gives the same logits again.
        try ctx.truncate(sequence: 0, to: 3)
        #expect(ctx.length(of: 0) == 3)
        let again = try ctx.evaluate(Self.entries(Array(Self.promptA[3...]), sequence: 0, from: 3))
        #expect(Array(again[0]) == (try alone(Self.promptA)[0]))
    }

    @Test func badBatchesThrowAndChangeNothing() throws {
        let ctx = try context(sequences: 2)
        try ctx.prefill(Self.promptB)
        let bad: [[LlamaBatchEntry]] = [
            [LlamaBatchEntry(token: 1, position: 0, sequence: 0)],  // position already filled
            [LlamaBatchEntry(token: 1, position: 5, sequence: 0)],  // skips position 4
            [LlamaBatchEntry(token: 1, position: 0, sequence: 2)],  // no such sequence
            [LlamaBatchEntry(token: 1, position: 0, sequence: -1)],
            [LlamaBatchEntry(token: -3, position: 4, sequence: 0)],  // bad token
            [LlamaBatchEntry(token: 1, position: 0, sequence: 1), LlamaBatchEntry(token: 99_999, position: 1, sequence: 1)],
            (0..<49).map { LlamaBatchEntry(token: 1, position: $0, sequence: 1) },  // past the context of 48
        ]
        for batch in bad {
            #expect(throws: LlamaError.self) { try ctx.evaluate(batch) }
            #expect(ctx.length(of: 0) == Self.promptB.count && ctx.length(of: 1) == 0)
        }
        #expect(throws: LlamaError.self) { try ctx.copy(sequence: 0, to: 1, length: 5) }
        #expect(throws: LlamaError.self) { try ctx.copy(sequence: 0, to: 3) }
        #expect(throws: LlamaError.self) { try ctx.prefill([]) }
        #expect(try ctx.evaluate([]).count == 0)
    }

    @Test func splitDecodeAttentionMatchesPerHeadAttention() throws {
        let perHead = try context(), split = try context()
        perHead.splitDecodeFrom = .max
        split.splitDecodeFrom = 1
        let prompt = Array(Self.promptA.prefix(5))
        #expect(Array(try perHead.prefill(prompt)) == Array(try split.prefill(prompt)))
        for token: Int32 in [9, 300, 41, 7, 7, 250, 3, 88, 120, 5, 64, 2, 19, 33, 400, 401, 402] {
            #expect(Array(try perHead.step(token)) == Array(try split.step(token)), "token \(token)")
        }
    }
}
