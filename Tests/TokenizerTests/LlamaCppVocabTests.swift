import Foundation
import GGUF
import Testing
@testable import Tokenizer

/// llama.cpp's tokenizer test vectors (tests/test-tokenizer-0.cpp): vocabulary-only GGUF files
/// from its models/ folder, each with inputs (.inp) and the ids llama.cpp encodes them to (.out)
/// with add_special and parse_special off. scripts/install-tokenizer-data.sh puts them in
/// $CRIA_TOKENIZERS/ggml-vocab (default ~/.cache/cria/tokenizers/ggml-vocab).
@Suite struct LlamaCppVocabTests {
    static let vocabularies = [
        "llama-spm", "llama-bpe", "qwen2", "gpt-2", "phi-3", "deepseek-llm", "deepseek-coder",
        "starcoder", "falcon", "refact", "command-r", "mpt", "qwen35",
    ]

    /// The other vocabularies with test vectors use tokenizer models outside the Llama family:
    /// WordPiece (BERT), Gemma 4's BPE with SentencePiece-style byte fallback, T5's Unigram.
    static let otherModels = ["bert-bge bert", "gemma-4 gemma4", "nomic-bert-moe t5"]

    @Test(arguments: otherModels)
    func otherModelsAreRejectedByName(_ entry: String) throws {
        let parts = entry.split(separator: " ").map(String.init)
        let (name, model) = (parts[0], parts[1])
        let path = Self.directory.appendingPathComponent("ggml-vocab-\(name).gguf").path
        #expect {
            _ = try Tokenizer(contentsOf: path)
        } throws: { error in
            (error as? TokenizerError)?.code == .unsupportedModel && "\(error)".contains("'\(model)'")
        }
    }

    static var directory: URL {
        let root = ProcessInfo.processInfo.environment["CRIA_TOKENIZERS"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/cria/tokenizers")
        return root.appendingPathComponent("ggml-vocab")
    }

    struct Case {
        var text: String
        var ids: [Int32]
    }

    /// tests/test-tokenizer-0.cpp `read_tests`: inputs end at each "\n__ggml_vocab_test__\n"
    /// (the last one, if the file does not end with the separator, at the end); one output line
    /// of space-separated ids per input.
    static func readCases(inputs: Data, outputs: String) throws -> [Case] {
        let separator = Array("\n__ggml_vocab_test__\n".utf8)
        let bytes = Array(inputs)
        var texts: [String] = []
        var start = 0
        var pos = 0
        while pos + separator.count <= bytes.count {
            if bytes[pos..<(pos + separator.count)].elementsEqual(separator) {
                texts.append(String(decoding: bytes[start..<pos], as: UTF8.self))
                pos += separator.count
                start = pos
            } else {
                pos += 1
            }
        }
        if start < bytes.count { texts.append(String(decoding: bytes[start...], as: UTF8.self)) }

        var lines = outputs.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.count == texts.count else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [
                NSLocalizedDescriptionKey: "\(texts.count) inputs but \(lines.count) output lines",
            ])
        }
        return try zip(texts, lines).map { text, line in
            let ids = try line.split(separator: " ").map { field in
                guard let id = Int32(field.trimmingCharacters(in: .whitespaces)) else {
                    throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "'\(field)' is not a token id"])
                }
                return id
            }
            return Case(text: text, ids: ids)
        }
    }

    @Test(arguments: vocabularies)
    func encodeMatchesLlamaCpp(_ name: String) throws {
        let model = LlamaCppVocabTests.directory.appendingPathComponent("ggml-vocab-\(name).gguf").path
        for path in [model, model + ".inp", model + ".out"] where !FileManager.default.fileExists(atPath: path) {
            Issue.record("\(path) is missing: run scripts/install-tokenizer-data.sh (make test does)")
            return
        }
        let cases = try LlamaCppVocabTests.readCases(
            inputs: Data(contentsOf: URL(fileURLWithPath: model + ".inp")),
            outputs: String(decoding: Data(contentsOf: URL(fileURLWithPath: model + ".out")), as: UTF8.self)
        )
        #expect(cases.count >= 40, "\(name): only \(cases.count) cases")
        let tokenizer = try Tokenizer(vocabulary: Vocabulary(gguf: GGUFFile(path: model)))

        var failed = 0
        for (index, c) in cases.enumerated() {
            let ids = tokenizer.encode(c.text, addSpecial: false, parseSpecial: false)
            guard ids != c.ids else { continue }
            failed += 1
            let first = (0..<min(ids.count, c.ids.count)).first { ids[$0] != c.ids[$0] } ?? min(ids.count, c.ids.count)
            Issue.record("""
                \(name) case \(index) \(c.text.debugDescription): ids differ from token \(first) on: \
                expected \(c.ids[first...].prefix(8)), got \(ids[first...].prefix(8)) \
                (\(c.ids.count) vs \(ids.count) tokens)
                """)
        }
        #expect(failed == 0, "\(name): \(failed) of \(cases.count) cases differ")
    }
}
