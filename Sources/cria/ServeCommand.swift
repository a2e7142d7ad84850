import ArgumentParser
import Cria
import CriaServer
import Foundation
import Logging
import ServiceLifecycle

/// `cria serve`: an OpenAI- and Ollama-compatible HTTP server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve models over OpenAI's and Ollama's HTTP APIs.",
        discussion: """
            Loads each --model (default: the default model) and answers /v1/chat/completions, /v1/completions, \
            /v1/embeddings, /v1/models, /api/generate, /api/chat, /api/embed, /api/tags, /api/show, /api/ps, \
            /api/version, /health and /metrics. SIGTERM or SIGINT stops accepting requests and lets running \
            ones finish for --shutdown-timeout seconds.
            """)

    @Option(name: .customLong("model"), help: "GGUF model file to serve; repeat for more models (default: the default model).")
    var models: [String] = []

    @Option(name: .customLong("alias"), help: "Name for the --model at the same position (default: its file name without .gguf).")
    var aliases: [String] = []

    @Option(help: "Address to listen on (loopback unless told otherwise).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port = 8080

    @Option(help: "Requests generated at once per model (sequences in the KV cache).")
    var parallel = 4

    @Option(help: "Context length of each sequence in tokens (default: the model's, at most 4096).")
    var context: Int?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .customLong("batch"), help: "Tokens evaluated per step at most (decode tokens plus prompt chunks).")
    var batch = 512

    @Option(name: .customLong("api-key"), help: "Require 'Authorization: Bearer KEY' (default: $CRIA_API_KEY; none if unset).")
    var apiKey: String?

    @Option(name: .customLong("cors-origin"), help: "Origin browsers may call from (CORS), e.g. http://localhost:3000 or '*'.")
    var corsOrigin: String?

    @Option(name: .customLong("max-queue"), help: "Requests that may wait for a free sequence; more get 503 with Retry-After.")
    var maxQueue = 64

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body; larger ones get 413.")
    var maxBodyBytes = 8 << 20

    @Option(name: .customLong("shutdown-timeout"), help: "Seconds running requests get to finish on SIGTERM/SIGINT.")
    var shutdownTimeout = 10

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard aliases.count <= max(models.count, 1) else { throw ValidationError("more --alias options than --model options") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard (1...256).contains(parallel) else { throw ValidationError("--parallel must be in 1...256") }
        if let context { guard context >= 2 else { throw ValidationError("--context must be at least 2") } }
        if let threads { guard (1...1024).contains(threads) else { throw ValidationError("--threads must be in 1...1024") } }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard maxQueue >= 0 else { throw ValidationError("--max-queue must be 0 or more") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        guard shutdownTimeout >= 0 else { throw ValidationError("--shutdown-timeout must be 0 or more") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
        let names = servedNames
        guard Set(names).count == names.count else { throw ValidationError("two models are served as the same name; give --alias") }
        for path in modelPaths where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError(models.isEmpty
                ? "the default model is not installed at \(path) (run `make setup` to install it)"
                : "no such file: \(path)")
        }
    }

    private var modelPaths: [String] { models.isEmpty ? [ModelDirectory.defaultModelPath] : models }

    private var servedNames: [String] {
        modelPaths.enumerated().map { i, path in i < aliases.count ? aliases[i] : ServedModel.defaultName(path: path) }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "cria.serve")
        var options = ServerOptions()
        options.host = host
        options.port = port
        options.apiKey = apiKey ?? ProcessInfo.processInfo.environment["CRIA_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        options.corsOrigin = corsOrigin
        options.maxBodyBytes = maxBodyBytes

        let store = ModelStore()
        let metrics = ServerMetrics()
        let host = self.host
        let app = makeApplication(store: store, options: options, metrics: metrics, logger: logger) { port in
            printError("cria serve: listening on http://\(host):\(port)")
        }
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: EngineService(store: store)), .init(service: app)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(shutdownTimeout)
        let group = ServiceGroup(configuration: configuration)

        let loading = Task { try await load(into: store, logger: logger) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    do {
                        try await loading.value
                    } catch {
                        await group.triggerGracefulShutdown()
                        throw error
                    }
                }
                try await tasks.waitForAll()
            }
        } catch let error as CriaError {
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }

    /// Loads every model and starts its engine, then marks the server ready.
    private func load(into store: ModelStore, logger: Logger) async throws {
        var served: [ServedModel] = []
        for (path, name) in zip(modelPaths, servedNames) {
            let start = Date()
            let model = try Model(path: path)
            if let context, context > model.config.contextLength {
                throw CriaError("--context \(context) is larger than \(name)'s trained context (\(model.config.contextLength))")
            }
            let engine = try InferenceEngine(
                model: model, parallel: parallel, contextLength: context, threads: threads ?? defaultThreadCount(),
                batchTokens: batch, maxQueue: maxQueue)
            served.append(ServedModel(name: name, model: model, engine: engine, loadSeconds: Date().timeIntervalSince(start)))
            logger.info("model loaded", metadata: [
                "model": "\(name)", "path": "\(path)", "parallel": "\(parallel)", "context": "\(engine.contextLength)",
            ])
        }
        store.publish(served)
        printError("cria serve: ready (\(servedNames.joined(separator: ", ")))")
    }
}
