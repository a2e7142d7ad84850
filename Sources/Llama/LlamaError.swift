/// Why a model cannot be loaded or run. One error type for the module; each message names
/// the key, tensor or value at fault.
public struct LlamaError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    static func missingKey(_ key: String) -> LlamaError {
        LlamaError("model metadata has no '\(key)'")
    }

    static func badValue(_ key: String, _ value: CustomStringConvertible, _ why: String) -> LlamaError {
        LlamaError("model metadata '\(key)' = \(value) \(why)")
    }

    static func missingTensor(_ name: String) -> LlamaError {
        LlamaError("model has no tensor '\(name)'")
    }
}
