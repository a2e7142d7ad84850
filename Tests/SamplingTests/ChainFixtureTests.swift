import Foundation
import Sampling
import Testing

/// Tests/Fixtures/sampling/chain.json, from scripts/reference/make_sampler_fixtures.py: what
/// llama.cpp's chain (bias, penalties, top-k, top-p, min-p, temperature, dist) leaves to draw from.
struct ChainFixture: Decodable {
    struct Case: Decodable {
        struct Parameters: Decodable {
            var temperature: Float
            var topK: Int
            var topP: Float
            var minP: Float
            var minKeep: Int
            var repeatPenalty: Float
            var repeatLastN: Int
            var presencePenalty: Float
            var frequencyPenalty: Float
            var logitBias: [[Float]]  // [token, bias]

            var sampling: SamplingParameters {
                SamplingParameters(
                    temperature: temperature, topK: topK, topP: topP, minP: minP, minKeep: minKeep,
                    repeatPenalty: repeatPenalty, repeatLastN: repeatLastN, presencePenalty: presencePenalty,
                    frequencyPenalty: frequencyPenalty,
                    logitBias: Dictionary(uniqueKeysWithValues: logitBias.map { (Int32($0[0]), $0[1]) }))
            }
        }

        var name: String
        var logits: [Float]
        var parameters: Parameters
        var history: [Int32]
        var ids: [Int32]
        var probabilities: [Float]
    }

    var cases: [Case]

    static func load() throws -> ChainFixture {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sampling/chain.json")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(ChainFixture.self, from: Data(contentsOf: url))
    }
}

@Suite struct ChainFixtureTests {
    @Test func candidatesMatchLlamaCppsChain() throws {
        let fixture = try ChainFixture.load()
        #expect(fixture.cases.count == 40)
        for c in fixture.cases {
            var sampler = Sampler(c.parameters.sampling)
            sampler.accept(contentsOf: c.history)
            let got = c.logits.withUnsafeBufferPointer { sampler.candidates($0) }.sorted { $0.id < $1.id }
            let ids = got.map(\.id)
            guard ids == c.ids else {
                let missing = Set(c.ids).subtracting(ids).sorted(), extra = Set(ids).subtracting(c.ids).sorted()
                Issue.record("\(c.name): \(ids.count) candidates, llama.cpp \(c.ids.count); missing \(missing), extra \(extra)")
                continue
            }
            let worst = zip(got, c.probabilities).max { abs($0.0.probability - $0.1) < abs($1.0.probability - $1.1) }
            if let (g, expected) = worst {
                #expect(abs(g.probability - expected) <= 1e-5, "\(c.name) token \(g.id): \(g.probability) vs \(expected)")
            }
        }
    }

    @Test func candidatesDrawNothing() throws {
        // Asking for the distribution leaves the random sequence where it was.
        let logits: [Float] = [1.0, 3.0, 2.5, -1.0, 3.0, 0.5]
        let parameters = SamplingParameters(temperature: 2, topK: 0, topP: 1, minP: 0, seed: 11)
        var a = Sampler(parameters), b = Sampler(parameters)
        var first: [Int32] = [], second: [Int32] = []
        logits.withUnsafeBufferPointer { l in
            for _ in 0..<50 {
                _ = a.candidates(l)
                first.append(a.sample(l))
                second.append(b.sample(l))
            }
        }
        #expect(first == second)
    }

    @Test func topKOnAFullVocabularyIsTheSortedPrefix() {
        // Partial selection over 128256 logits against a full sort, with ties at the cut
        // broken toward the smaller id.
        var generator = SeededGenerator(seed: 3)
        var logits = (0..<128_256).map { _ in (generator.nextUnitFloat() * 20).rounded() / 2 - 5 }
        logits[1000] = .nan
        logits[2000] = -.infinity
        let k = 40
        var sampler = Sampler(SamplingParameters(temperature: 0.7, topK: k, topP: 1, minP: 0))
        let got = logits.withUnsafeBufferPointer { sampler.candidates($0) }
        let expected = logits.indices.filter { logits[$0].isFinite }
            .sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
            .prefix(k)
        #expect(got.map(\.id) == expected.map { Int32($0) })
        // Equal logits after the cut: 10 is the largest value and occurs far more than 40 times.
        #expect(got.allSatisfy { logits[Int($0.id)] == 5 })
        #expect(got.allSatisfy { abs($0.probability - 1 / Float(k)) < 1e-6 })
    }
}
