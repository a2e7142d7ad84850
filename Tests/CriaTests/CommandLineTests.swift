import Foundation
import Testing

@Suite struct CommandLineTests {
    @Test func helpListsTheCommands() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("run") && r.stdout.contains("inspect"))
    }

    @Test func missingModelFileIsOneClearLine() throws {
        let r = try CLI.run(["run", "--model", "/nonexistent/model.gguf", "hello"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "error: no such file: /nonexistent/model.gguf\n")
    }

    @Test func missingDefaultModelSaysHowToInstallIt() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let r = try CLI.run(["run", "hello"], environment: ["CRIA_MODELS": scratch.dir.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("default model is not installed") && r.stderr.contains("make setup"))
    }

    @Test func notAGGUFFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("notes.gguf")
        try Data("this is not a model, just some text that is long enough".utf8).write(to: URL(fileURLWithPath: path))
        for command in [["run", "--model", path, "hi"], ["inspect", path]] {
            let r = try CLI.run(command)
            #expect(r.status == 1)
            #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains("not a GGUF file"))
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func unsupportedArchitecture() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("gpt2.gguf")
        try writeTinyLlama(to: path, architecture: "gpt2")
        let r = try CLI.run(["run", "--model", path, "hi"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("unsupported architecture 'gpt2'"))
    }

    @Test func unsupportedTensorType() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("i32.gguf")
        try writeTinyLlama(to: path, queryType: .i32)
        let r = try CLI.run(["run", "--model", path, "hi"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("blk.0.attn_q.weight") && r.stderr.contains("I32"))
    }

    @Test func missingTensorIsNamed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("partial.gguf")
        try writeTinyLlama(to: path, omit: "blk.0.ffn_up.weight")
        let r = try CLI.run(["run", "--model", path, "hi"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no tensor 'blk.0.ffn_up.weight'"))
    }

    @Test func badFlagsAreRejected() throws {
        let bad = [["--temperature", "-1"], ["--top-p", "0"], ["--threads", "0"], ["--max-tokens", "x"], ["--chat-format", "alpaca"]]
        for flags in bad {
            for command in [["run"] + flags + ["hi"], ["chat"] + flags] {
                let r = try CLI.run(command)
                #expect(r.status == 64, "\(command)")
                #expect(r.stderr.contains("Error:") || r.stderr.contains("error:"))
            }
        }
    }

    @Test func inspectPrintsMetadataAndTensors() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("tiny.gguf")
        try writeTinyLlama(to: path)
        let text = try CLI.run(["inspect", path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("llama.embedding_length") && text.stdout.contains("blk.0.ffn_down.weight"))
        #expect(text.stdout.contains("F32") && text.stdout.contains("[64, 32]"))

        let json = try CLI.run(["inspect", "--json", path])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let metadata = object?["metadata"] as? [String: Any]
        #expect(metadata?["general.architecture"] as? String == "llama")
        #expect((metadata?["llama.block_count"] as? NSNumber)?.intValue == 1)
        let tensors = object?["tensors"] as? [[String: Any]]
        #expect(tensors?.count == 11)
        #expect(tensors?.first?["name"] as? String == "token_embd.weight")
        #expect((tensors?.first?["shape"] as? [NSNumber])?.map(\.intValue) == [32, 16])
    }

    @Test func benchReportsJSON() throws {
        let path = Fixtures.root.appendingPathComponent("synthetic/mixed-types.gguf").path
        let r = try CLI.run(["bench", "--model", path, "--prompt-tokens", "8", "--gen-tokens", "4", "--batch", "3",
                             "--repetitions", "2", "--threads", "2", "--json"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        for key in ["prefill_tokens_per_second", "decode_tokens_per_second", "batch_decode_tokens_per_second"] {
            #expect(((object?[key] as? NSNumber)?.doubleValue ?? 0) > 0, "\(key)")
        }
        #expect((object?["prompt_tokens"] as? NSNumber)?.intValue == 8)
        #expect((object?["generated_tokens"] as? NSNumber)?.intValue == 4)
        #expect((object?["threads"] as? NSNumber)?.intValue == 2)
        #expect((object?["model_bytes"] as? NSNumber)?.intValue == 1_698_720)
        #expect(((object?["peak_rss_bytes"] as? NSNumber)?.intValue ?? 0) > 0)
        #expect((object?["batch"] as? NSNumber)?.intValue == 3)
        // 2 layers × 2 KV heads × 64 × 2 (keys and values) × 2 bytes × 12 positions.
        #expect((object?["kv_cache_bytes"] as? NSNumber)?.intValue == 2 * 128 * 2 * 2 * 12)
        #expect(r.stderr.contains("repetition 2/2"))

        // Without --batch there is no batch figure.
        let single = try CLI.run(["bench", "--model", path, "--prompt-tokens", "4", "--gen-tokens", "2", "--repetitions", "1", "--json"])
        let singleObject = try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any]
        #expect(single.status == 0 && singleObject?["batch_decode_tokens_per_second"] == nil)
    }

    @Test func benchRejectsBadInput() throws {
        let path = Fixtures.root.appendingPathComponent("synthetic/mixed-types.gguf").path
        for flags in [["--repetitions", "0"], ["--prompt-tokens", "-1"], ["--prompt-tokens", "0", "--gen-tokens", "0"],
                      ["--batch", "0"], ["--batch", "257"]] {
            let r = try CLI.run(["bench", "--model", path] + flags)
            #expect(r.status == 64, "flags \(flags)")
        }
        let tooLong = try CLI.run(["bench", "--model", path, "--prompt-tokens", "600"])
        #expect(tooLong.status == 1 && tooLong.stderr.contains("exceed the model's context of 512"))
        let missing = try CLI.run(["bench", "--model", "/nonexistent.gguf"])
        #expect(missing.status == 1 && missing.stderr == "error: no such file: /nonexistent.gguf\n")
    }
}

/// `cria serve` refuses bad flags before binding or loading anything.
@Suite struct ServeCommandTests {
    @Test func badFlagsAreOneClearErrorEach() throws {
        let cases: [([String], String)] = [
            (["--model", "/nonexistent/model.gguf"], "no such file: /nonexistent/model.gguf"),
            (["--port", "70000"], "--port must be in 0...65535"),
            (["--parallel", "0"], "--parallel must be in 1...256"),
            (["--max-body-bytes", "10"], "--max-body-bytes must be at least 1024"),
            (["--log-level", "loud"], "--log-level must be one of"),
            (["--model", "/nonexistent/a.gguf", "--alias", "a", "--alias", "b"], "more --alias options than --model options"),
        ]
        for (arguments, message) in cases {
            let r = try CLI.run(["serve"] + arguments)
            #expect(r.status != 0, "\(arguments)")
            #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
    }
}
