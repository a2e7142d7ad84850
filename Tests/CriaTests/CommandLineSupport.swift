import Foundation
import GGUF

/// Runs the built `cria` executable, which SwiftPM puts next to the test bundle.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = testBinary.deletingLastPathComponent()
        // On Linux the test runner is `<build>/CriaPackageTests.xctest`; on macOS a bundle inside <build>.
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("cria").path),
              dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("cria").path
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try inputPipe.fileHandleForWriting.close()
        }
        // Read both pipes to the end before waiting, so a full pipe cannot block the child.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Test files under a fresh temporary directory.
struct Scratch {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cria-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

/// Paths of the repository's test fixtures and of the installed default model.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var defaultModel: String {
        let env = ProcessInfo.processInfo.environment
        let dir = env["CRIA_MODELS"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.cache/cria/models")
        return dir + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    static var hasDefaultModel: Bool { FileManager.default.fileExists(atPath: defaultModel) }
}

/// A tiny Llama-shaped GGUF (f32 weights of zeros unless a type is overridden), enough to
/// reach each load-time check. No tokenizer unless `tokens` is given.
func writeTinyLlama(
    to path: String, architecture: String = "llama", queryType: GGMLType = .f32,
    omit: String? = nil, extra: [(String, GGUFValue)] = []
) throws {
    let dim = 32, ff = 64, vocab = 16, layers = 1
    var w = GGUFWriter()
    w.add("general.architecture", .string(architecture))
    w.add("\(architecture).context_length", .uint32(64))
    w.add("\(architecture).embedding_length", .uint32(UInt32(dim)))
    w.add("\(architecture).block_count", .uint32(UInt32(layers)))
    w.add("\(architecture).feed_forward_length", .uint32(UInt32(ff)))
    w.add("\(architecture).attention.head_count", .uint32(4))
    w.add("\(architecture).attention.head_count_kv", .uint32(2))
    w.add("\(architecture).vocab_size", .uint32(UInt32(vocab)))
    for (k, v) in extra { w.add(k, v) }
    func tensor(_ name: String, _ shape: [Int], _ type: GGMLType = .f32) {
        guard name != omit else { return }
        let count = shape.reduce(1, *)
        w.addTensor(name: name, shape: shape, type: type,
                    data: [UInt8](repeating: 0, count: type.byteCount(elements: count) ?? 0))
    }
    tensor("token_embd.weight", [dim, vocab])
    tensor("output_norm.weight", [dim])
    for l in 0..<layers {
        tensor("blk.\(l).attn_norm.weight", [dim])
        tensor("blk.\(l).attn_q.weight", [dim, dim], queryType)
        tensor("blk.\(l).attn_k.weight", [dim, 16])
        tensor("blk.\(l).attn_v.weight", [dim, 16])
        tensor("blk.\(l).attn_output.weight", [dim, dim])
        tensor("blk.\(l).ffn_norm.weight", [dim])
        tensor("blk.\(l).ffn_gate.weight", [dim, ff])
        tensor("blk.\(l).ffn_up.weight", [dim, ff])
        tensor("blk.\(l).ffn_down.weight", [ff, dim])
    }
    try w.write(to: path)
}
