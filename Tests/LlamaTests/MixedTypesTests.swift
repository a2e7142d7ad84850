import Foundation
import GGUF
import Llama
import Tensor
import Testing

/// A random 2-layer Llama whose matrices use all 13 tensor types, against llama.cpp's logits
/// (Tests/Fixtures/synthetic, from scripts/reference/make_synthetic_fixtures.py). Q4_1, Q8_0
/// and the f16 attention match llama.cpp's rounding; the other types compute with f32
/// activations where llama.cpp quantizes them to 8 bits, hence a tolerance.
@Suite struct MixedTypesTests {
    struct Reference: Decodable {
        var types: [String]
        var prompt: [Int32]
        var steps: [Int32]
        var logits: [[Float]]
        var exact_logits: [[Float]]
    }

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/synthetic")

    @Test func logitsFollowLlamaCpp() throws {
        let reference = try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: Self.directory.appendingPathComponent("mixed-types.json")))
        #expect(reference.types.count == 13)
        let file = try GGUFFile(path: Self.directory.appendingPathComponent("mixed-types.gguf").path)
        let model = try LlamaModel(file: file)
        let context = try LlamaContext(model: model, contextLength: 64, pool: ThreadPool(threadCount: 2))
        var outputs: [[Float]] = []
        var logits: [Float] = []
        logits = Array(try context.prefill(reference.prompt))
        outputs.append(logits)
        for token in reference.steps { outputs.append(Array(try context.step(token))) }

        try #require(outputs.count == reference.logits.count && outputs.count == reference.exact_logits.count)
        for i in outputs.indices {
            let ours = outputs[i], llama = reference.logits[i], exact = reference.exact_logits[i]
            try #require(ours.count == exact.count && llama.count == exact.count)
            let spread = exact.map(abs).max() ?? 0
            let fromExact = zip(ours, exact).map { abs($0 - $1) }.max() ?? 0
            let llamaFromExact = zip(llama, exact).map { abs($0 - $1) }.max() ?? 0
            let fromLlama = zip(ours, llama).map { abs($0 - $1) }.max() ?? 0
            print("mixed types, output \(i): max |Δ| to exact f32 \(fromExact) (llama.cpp's: \(llamaFromExact)), "
                + "to llama.cpp \(fromLlama), max |logit| \(spread)")
            #expect(spread > 10, "the fixture's logits should not be flat")
            // 8-bit activations (Q4_0/Q4_1/Q8_0) and the f16 KV cache: about 1% of the range.
            #expect(fromExact < 0.02 * spread)
            // llama.cpp also rounds activations to 8 bits for K-quants and to bf16 for BF16,
            // so it sits farther from the exact result than we do.
            #expect(fromLlama < 0.1 * spread)
            func argmax(_ v: [Float]) -> Int? { v.indices.max { v[$0] < v[$1] } }
            #expect(argmax(ours) == argmax(exact))
        }
    }
}
