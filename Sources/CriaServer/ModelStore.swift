import Cria
import Synchronization

/// The models the server answers for, once loaded; `/health` is ready when they all are.
public final class ModelStore: Sendable {
    private struct State {
        var models: [ServedModel] = []
        var ready = false
        var failure: String?
    }
    private let state = Mutex(State())

    public init() {}

    /// The loaded models, in the order given on the command line.
    public var models: [ServedModel] { state.withLock { $0.models } }
    public var isReady: Bool { state.withLock { $0.ready } }
    /// Why loading failed, if it did.
    public var failure: String? { state.withLock { $0.failure } }

    /// Makes `models` available and the server ready.
    public func publish(_ models: [ServedModel]) {
        state.withLock {
            $0.models = models
            $0.ready = true
        }
    }

    public func fail(_ message: String) {
        state.withLock { $0.failure = message }
    }

    /// The model a request names: by name, or by Ollama's `name:latest`; the first one when
    /// the request names none.
    func find(_ name: String?) throws(APIError) -> ServedModel {
        let models = self.models
        guard !models.isEmpty else {
            throw APIError(status: .serviceUnavailable, message: "the model is still loading", type: "server_error",
                           code: "loading", retryAfter: 2)
        }
        guard let name, !name.isEmpty else { return models[0] }
        if let m = models.first(where: { $0.name == name || $0.ollamaName == name }) { return m }
        if name.hasSuffix(":latest"), let m = models.first(where: { $0.name == name.dropLast(7) }) { return m }
        throw .modelNotFound(name, available: models.map(\.name))
    }
}
