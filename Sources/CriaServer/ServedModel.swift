import Cria
import Foundation

/// A model the server answers for: its name, the loaded model and the engine serving it.
public struct ServedModel: Sendable {
    /// The name requests use (`--alias`, or the file name without `.gguf`).
    public let name: String
    public let model: Model
    public let engine: InferenceEngine
    public let loadedAt: Date
    /// Seconds loading took.
    public let loadSeconds: Double
    public let fileBytes: Int
    /// Tokens that end generation (banned by `ignore_eos`).
    let endOfGeneration: [Int32]

    public init(name: String, model: Model, engine: InferenceEngine, loadedAt: Date = Date(), loadSeconds: Double) {
        self.name = name
        self.model = model
        self.engine = engine
        self.loadedAt = loadedAt
        self.loadSeconds = loadSeconds
        fileBytes = ((try? FileManager.default.attributesOfItem(atPath: model.path)[.size]) as? Int) ?? 0
        endOfGeneration = (0..<Int32(model.config.vocabularySize)).filter { model.tokenizer.isEndOfGeneration($0) }
    }

    /// The name without `.gguf`, used when no alias is given.
    public static func defaultName(path: String) -> String {
        let file = (path as NSString).lastPathComponent
        return file.hasSuffix(".gguf") ? String(file.dropLast(5)) : file
    }

    /// Ollama's name for it: with a tag (`:latest` unless the name has one).
    var ollamaName: String { name.contains(":") ? name : name + ":latest" }

    /// Ollama's `details` object.
    var details: JSON {
        let file = model.file
        let type = file["general.file_type"]?.int.map(ServedModel.fileTypeName) ?? "unknown"
        return .object([
            ("parent_model", .string("")),
            ("format", .string("gguf")),
            ("family", .string(model.config.architecture)),
            ("families", .array([.string(model.config.architecture)])),
            ("parameter_size", .string(ServedModel.parameterSize(model))),
            ("quantization_level", .string(type)),
        ])
    }

    /// llama.cpp's names of `general.file_type` values (llama.h `llama_ftype`).
    static func fileTypeName(_ type: Int) -> String {
        let names = [
            0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
            12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 32: "BF16",
        ]
        return names[type] ?? "type \(type)"
    }

    /// Parameter count as Ollama shows it ("135M", "1.2B"), from the tensors' element counts.
    static func parameterSize(_ model: Model) -> String {
        let count = model.file.tensors.reduce(0) { $0 + $1.elementCount }
        if count >= 1_000_000_000 { return String(format: "%.1fB", Double(count) / 1e9) }
        return String(format: "%.0fM", Double(count) / 1e6)
    }
}
