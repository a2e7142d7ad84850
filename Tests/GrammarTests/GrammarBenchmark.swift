import Foundation
import Testing
import Grammar

/// Timing of masking, run by hand (never part of a normal run; timing is not asserted):
///   CRIA_GRAMMAR_BENCH=1 swift test -c release --filter GrammarBenchmark
/// Vocabulary: the first 49,152 and all 128,256 tokens of Llama 3's tiktoken ranks (llama3/tokenizer.model
/// of scripts/install-tokenizer-data.sh, in $CRIA_TOKENIZERS or ~/.cache/cria/tokenizers); the first
/// 49K ranks stand in for the default model's 49,152-token byte-level BPE.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CRIA_GRAMMAR_BENCH"] != nil))
struct GrammarBenchmark {
    static func llama3Tokens() -> [[UInt8]]? {
        let env = ProcessInfo.processInfo.environment
        let dir = env["CRIA_TOKENIZERS"] ?? (NSHomeDirectory() + "/.cache/cria/tokenizers")
        guard let text = try? String(contentsOfFile: dir + "/llama3/tokenizer.model", encoding: .utf8) else { return nil }
        var tokens: [[UInt8]] = []
        for line in text.split(separator: "\n") {
            guard let b64 = line.split(separator: " ").first, let data = Data(base64Encoded: String(b64)) else { continue }
            tokens.append([UInt8](data))
        }
        return tokens + (0..<256).map { _ in [] }  // special tokens: no bytes
    }

    static func time(_ iterations: Int, _ body: () -> Void) -> Double {
        var best = Double.infinity
        var total = 0.0
        for _ in 0..<iterations {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3
            best = min(best, dt)
            total += dt
        }
        _ = total
        return best
    }

    @Test func maskTimings() throws {
        guard let all = Self.llama3Tokens() else {
            print("bench: no llama3/tokenizer.model; run scripts/install-tokenizer-data.sh")
            return
        }
        let json = try GrammarFixtures.gbnf("json.gbnf")
        for size in [49_152, all.count] {
            let tokens = Array(all.prefix(size))
            let t0 = DispatchTime.now().uptimeNanoseconds
            let vocab = GrammarVocabulary(tokens: tokens)
            let build = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            print("bench: vocabulary \(size) tokens built in \(String(format: "%.1f", build)) ms")
            var flags = [Bool](repeating: false, count: size)
            let states: [(String, String)] = [
                ("start", ""),
                ("start of value", #"{"name": "#),
                ("inside string value", #"{"name": "Ada Love"#),
                ("inside key", #"{"na"#),
                ("inside number", #"{"n": 12"#),
                ("nested, after comma", #"{"a": [1, {"b": [true, "x"], "c": {"#),
            ]
            for (label, prefix) in states {
                let grammar = try Grammar(gbnf: json)  // a new grammar: the vocabulary's automaton starts cold
                var m = grammar.matcher()
                let ok = m.accept(prefix.utf8)
                #expect(ok)
                var allowed = 0
                let cold = Self.time(1) { allowed = flags.withUnsafeMutableBufferPointer { vocab.allowedTokens(m, into: $0) } }
                let warm = Self.time(50) { _ = flags.withUnsafeMutableBufferPointer { vocab.allowedTokens(m, into: $0) } }
                let ids = (0..<2000).map { _ in Int32.random(in: 0..<Int32(size)) }
                let check = Self.time(5) { for t in ids { _ = vocab.allows(m, token: t) } } / Double(ids.count)
                print("bench: \(size) \(label): \(allowed) allowed; mask cold \(String(format: "%.0f", cold)) µs, warm \(String(format: "%.0f", warm)) µs; one token \(String(format: "%.2f", check)) µs")
            }
            // A whole generation: a random JSON document, tokenized greedily by longest match, masked at every step.
            let grammar = try Grammar(gbnf: json)
            var rng = SystemRandomNumberGenerator()
            var doc = ""
            for _ in 0..<200 where doc.utf8.count < 500 {
                let d = grammar.randomSentence(using: &rng, maxDepth: 10) ?? ""
                if d.utf8.count > doc.utf8.count { doc = d }
            }
            let bytes = Array(doc.utf8)
            var lookup: [[UInt8]: Int32] = [:]
            for (i, t) in tokens.enumerated() where !t.isEmpty && t.count <= 16 { lookup[t] = Int32(i) }
            var m = grammar.matcher()
            var i = 0
            var steps = 0
            var maskTime = 0.0
            var worst = 0.0
            while i < bytes.count {
                var len = min(16, bytes.count - i)
                while len > 1 && lookup[Array(bytes[i..<i + len])] == nil { len -= 1 }
                let dt = Self.time(1) { _ = flags.withUnsafeMutableBufferPointer { vocab.allowedTokens(m, into: $0) } }
                maskTime += dt
                worst = max(worst, dt)
                let tok = lookup[Array(bytes[i..<i + len])] ?? -1
                #expect(tok >= 0 && flags[Int(tok)], "token at byte \(i) not allowed")
                m.accept(bytes[i..<i + len])
                i += len
                steps += 1
            }
            print("bench: \(size) generation of \(bytes.count) bytes in \(steps) tokens: mean mask \(String(format: "%.0f", maskTime / Double(steps))) µs, worst \(String(format: "%.0f", worst)) µs")
        }
    }
}
