import Foundation
import Testing
@testable import ToolCalls

/// `ToolCallFormat.detect(chatTemplate:)` on the real templates (scripts/install-tokenizer-data.sh
/// installs them under ~/.cache/cria/tokenizers/templates).
@Suite(.enabled(if: Fixtures.hasTemplates, "the chat templates are not installed (scripts/install-tokenizer-data.sh)"))
struct DetectTests {
    static let expected: [String: ToolCallFormat] = [
        "meta-llama-Llama-3.1-8B-Instruct.jinja": .llama3,
        "meta-llama-Llama-3.2-3B-Instruct.jinja": .llama3,
        "meta-llama-Llama-3.3-70B-Instruct.jinja": .llama3,
        "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja": .hermes,
        "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja": .hermes,
        "Qwen-Qwen2.5-7B-Instruct.jinja": .hermes,
        "Qwen-QwQ-32B.jinja": .hermes,
        "Qwen-Qwen3-0.6B.jinja": .hermes,
        "MiMo-VL.jinja": .hermes,
        "mistralai-Mistral-Nemo-Instruct-2407.jinja": .mistral,
        "Mistral-Small-3.2-24B-Instruct-2506.jinja": .mistral,
        "unsloth-mistral-Devstral-Small-2507.jinja": .mistral,
        "meetkai-functionary-medium-v3.1.jinja": .functionaryV31,
        "meetkai-functionary-medium-v3.2.jinja": .functionaryV32,
        "fireworks-ai-llama-3-firefunction-v2.jinja": .firefunctionV2,
        // Other tool syntaxes, which none of the specific parsers reads.
        "Qwen3-Coder.jinja": .generic,
        "GLM-4.6.jinja": .generic,
        "MiniMax-M3.jinja": .generic,
        "NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.jinja": .generic,
        "google-gemma-2-2b-it.jinja": .generic,
        "deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja": .generic,
    ]

    @Test func everyTemplateFileIsDetected() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.templates).filter { $0.hasSuffix(".jinja") }
        #expect(files.count >= 20)
        var known = 0
        for file in files.sorted() {
            let source = try String(contentsOfFile: Fixtures.templates + "/" + file, encoding: .utf8)
            let format = ToolCallFormat.detect(chatTemplate: source)
            if let want = Self.expected[file] {
                #expect(format == want, "\(file)")
                known += 1
            }
        }
        #expect(known == Self.expected.count, "some expected templates are missing")
    }
}

@Suite struct DetectWithoutFilesTests {
    @Test func noTemplateIsGeneric() {
        #expect(ToolCallFormat.detect(chatTemplate: nil) == .generic)
        #expect(ToolCallFormat.detect(chatTemplate: "") == .generic)
        #expect(ToolCallFormat.detect(chatTemplate: "{{ messages }}") == .generic)
    }

    @Test func markers() {
        #expect(ToolCallFormat.detect(chatTemplate: "{{ '<tool_call>' }}") == .hermes)
        #expect(ToolCallFormat.detect(chatTemplate: "{{ '[TOOL_CALLS]' }}") == .mistral)
        #expect(ToolCallFormat.detect(chatTemplate: "{{ '<|python_tag|>' }}") == .llama3)
        #expect(ToolCallFormat.detect(chatTemplate: "{{ '>>>all' }}") == .functionaryV32)
        #expect(ToolCallFormat.detect(chatTemplate: "{{ ' functools[' }}") == .firefunctionV2)
        #expect(ToolCallFormat.detect(chatTemplate: "<|start_header_id|>{{ '<function=' }}") == .functionaryV31)
    }
}
