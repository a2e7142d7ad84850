import Foundation
import Testing

/// `cria tokenize` / `cria detokenize` against the golden fixtures of the tokenizer tests.
@Suite struct TokenizeCommandTests {
    static let spmModel = Fixtures.root.appendingPathComponent("tokenizer/spm-llama2-style.model").path
    static let spmGGUF = Fixtures.root.appendingPathComponent("tokenizer/spm-llama2-style.gguf").path

    /// Encode cases of a golden fixture (Tests/Fixtures/tokenizer/golden-*.json).
    static func cases(_ name: String) throws -> [(text: String, addSpecial: Bool, parseSpecial: Bool, ids: [Int32])] {
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("tokenizer/\(name).json"))
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let encode = root?["encode"] as? [[String: Any]] ?? []
        return encode.compactMap { c in
            guard let text = c["text"] as? String, let add = c["add_special"] as? Bool,
                  let parse = c["parse_special"] as? Bool, let ids = c["ids"] as? [Int] else { return nil }
            return (text, add, parse, ids.map(Int32.init))
        }
    }

    static func json(_ ids: [Int32]) -> String { "[" + ids.map(String.init).joined(separator: ", ") + "]\n" }

    @Test func tokenizeMatchesSentencePieceAndLlamaCpp() throws {
        let texts = ["Hello world", "The year 2024 has 365 days.", "naïve café 日本語"]
        for (fixture, path) in [("golden-spm-sentencepiece", Self.spmModel), ("golden-spm-llamacpp", Self.spmGGUF)] {
            let cases = try Self.cases(fixture)
            for text in texts {
                for c in cases where c.text == text && !c.parseSpecial {
                    var arguments = ["tokenize", "--tokenizer", path, text]
                    if !c.addSpecial { arguments.insert("--no-bos", at: 1) }
                    let r = try CLI.run(arguments)
                    #expect(r.status == 0, "\(r.stderr)")
                    #expect(r.stdout == Self.json(c.ids), "\(fixture) \(text) addSpecial=\(c.addSpecial)")
                }
            }
        }
    }

    @Test func parseSpecialAndFileInput() throws {
        let cases = try Self.cases("golden-spm-llamacpp")
        let c = try #require(cases.first { $0.text.contains("<s>") && $0.parseSpecial && !$0.addSpecial })
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = scratch.path("input.txt")
        try Data(c.text.utf8).write(to: URL(fileURLWithPath: file))
        let r = try CLI.run(["tokenize", "--model", Self.spmGGUF, "--parse-special", "--no-bos", "--file", file])
        #expect(r.status == 0)
        #expect(r.stdout == Self.json(c.ids))
    }

    @Test func detokenizeInvertsTokenize() throws {
        let text = "Llamas 🦙 hum: \"ok\" — 42\n"
        let ids = try CLI.run(["tokenize", "--tokenizer", Self.spmModel, "--no-bos", text])
        #expect(ids.status == 0)
        // The JSON array as one argument, as a pipeline would pass it.
        let back = try CLI.run(["detokenize", "--tokenizer", Self.spmModel, ids.stdout])
        #expect(back.status == 0)
        #expect(back.stdout == text)
        let special = try CLI.run(["detokenize", "--tokenizer", Self.spmModel, "--show-special", "1,", "800"])
        // The first piece after a shown control token keeps its space, as in llama.cpp and tokenizers.
        #expect(special.stdout == "<s> H")
    }

    @Test func badInputIsOneClearLine() throws {
        let malformed = Fixtures.root.appendingPathComponent("tokenizer/malformed/truncated.tokenizer.json").path
        let checks: [([String], String)] = [
            (["tokenize", "--tokenizer", malformed, "hi"], "not valid JSON"),
            (["tokenize", "--tokenizer", "/nonexistent/tok.json", "hi"], "no such file: /nonexistent/tok.json"),
            (["detokenize", "--tokenizer", Self.spmModel, "5", "99999"], "'99999' is not a token id of this vocabulary (0..<3200)"),
            (["detokenize", "--tokenizer", Self.spmModel, "x"], "'x' is not a token id"),
        ]
        for (arguments, message) in checks {
            let r = try CLI.run(arguments)
            #expect(r.status == 1, "\(arguments)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(message), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
        for arguments in [["tokenize", "--model", Self.spmGGUF, "--tokenizer", Self.spmModel, "hi"], ["tokenize", "--tokenizer", Self.spmModel]] {
            let r = try CLI.run(arguments)
            #expect(r.status == 64, "\(arguments): \(r.stderr)")
        }
    }
}
