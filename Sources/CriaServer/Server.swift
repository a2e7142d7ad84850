import Cria
import Foundation
import Grammar
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// How the server listens and what it allows.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Requests must send `Authorization: Bearer KEY` (all routes but `/health`).
    public var apiKey: String?
    /// The origin browsers may call from (CORS); nil sends no CORS headers.
    public var corsOrigin: String?
    /// Largest request body accepted; larger ones get 413.
    public var maxBodyBytes = 8 << 20
    /// Seconds a connection may stay silent before it is closed (slow or stalled clients).
    public var idleTimeoutSeconds = 30

    public init() {}
}

/// Everything a handler needs: the models, the options, the metrics.
struct ServerContext: Sendable {
    let store: ModelStore
    let options: ServerOptions
    let metrics: ServerMetrics

    /// Reads and decodes a JSON request body; answers 413 past the size limit and 400 with
    /// the field's name when it does not decode.
    func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        try decode(type, try await body(of: request))
    }

    /// Decodes a body as `decode` does, and also returns it as a `JSONValue`: objects in the
    /// order written, which JSON schemas and tool definitions need (JSONDecoder loses it).
    func decodeKeepingDocument<T: Decodable>(_ type: T.Type, from request: Request) async throws -> (body: T, document: JSONValue) {
        let buffer = try await body(of: request)
        let body = try decode(type, buffer)
        do {
            return (body, try JSONValue(parsing: Array(buffer.readableBytesView)))
        } catch {
            throw APIError.invalidRequest("the request body is not valid JSON: \(error)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        }
    }

    /// The request's body, refused with 413 past the size limit.
    private func body(of request: Request) async throws -> ByteBuffer {
        var request = request
        // A declared length over the limit is refused before any of the body is read.
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > options.maxBodyBytes {
            throw APIError.tooLarge(limit: options.maxBodyBytes)
        }
        do {
            return try await request.collectBody(upTo: options.maxBodyBytes)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.tooLarge(limit: options.maxBodyBytes)
        } catch {
            throw APIError.invalidRequest("the request body could not be read: it ended before its declared length")
        }
    }
}

/// Builds the HTTP application: OpenAI and Ollama routes, `/health`, `/metrics`, with API-key,
/// CORS, error-shaping and metrics middleware.
public func makeApplication(
    store: ModelStore, options: ServerOptions, metrics: ServerMetrics, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let context = ServerContext(store: store, options: options, metrics: metrics)
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: APIMiddleware(metrics: metrics, logger: logger))
    if let origin = options.corsOrigin {
        router.add(middleware: CORSMiddleware(
            allowOrigin: .custom(origin), allowHeaders: [.accept, .authorization, .contentType, .origin],
            allowMethods: [.get, .post, .options]))
    }
    if let key = options.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }

    router.get("/health") { _, _ in health(store) }
    router.get("/") { _, _ in "Cria is running" }
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition(models: store.models))))
    }
    OpenAIRoutes(server: context).register(on: router)
    OllamaRoutes(server: context).register(on: router)

    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(options.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(options.host, port: options.port), serverName: "cria"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? options.port) },
        logger: logger)
}

private func health(_ store: ModelStore) -> Response {
    let body: JSON
    let status: HTTPResponse.Status
    if store.isReady {
        (status, body) = (.ok, .object([("status", .string("ok"))]))
    } else if let failure = store.failure {
        (status, body) = (.serviceUnavailable, .object([("status", .string("error")), ("error", .string(failure))]))
    } else {
        (status, body) = (.serviceUnavailable, .object([("status", .string("loading"))]))
    }
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body.serialized)))
}

/// A JSON response.
func jsonResponse(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: value.serialized)))
}

// MARK: - Middleware

/// Outermost: turns every error into the API's error shape (Ollama's under `/api/`, OpenAI's
/// elsewhere), adds the request id, and counts the request by route and status.
struct APIMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    let logger: Logger

    static var requestIDHeader: HTTPField.Name { HTTPField.Name("X-Request-ID")! }

    /// Routes counted by name; anything else is "other", so scanners cannot grow the label set.
    static var routes: Set<String> {
        [
            "/health", "/metrics", "/", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models",
            "/api/generate", "/api/chat", "/api/embed", "/api/embeddings", "/api/tags", "/api/show", "/api/ps", "/api/version",
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let ollama = path.hasPrefix("/api/")
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = error.response(ollama: ollama)
        } catch let error as CriaError {
            response = APIError(error).response(ollama: ollama)
        } catch let error as HTTPResponseError {
            let status = error.status
            let apiError: APIError = switch status {
            case .notFound: .notFound("\(request.method) \(path)")
            case .contentTooLarge: .tooLarge(limit: nil)
            default: APIError(status: status, message: "\(status.reasonPhrase)", type: "invalid_request_error")
            }
            response = apiError.response(ollama: ollama)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            response = APIError(status: .internalServerError, message: "internal error: \(error)", type: "server_error")
                .response(ollama: ollama)
        }
        response.headers[APIMiddleware.requestIDHeader] = context.id
        let route = path.hasPrefix("/v1/models/") ? "/v1/models/{id}" : APIMiddleware.routes.contains(path) ? path : "other"
        metrics.request(route: route, method: request.method.rawValue, status: response.status.code)
        if response.status.code >= 400 {
            context.logger.info("request refused", metadata: [
                "route": "\(path)", "status": "\(response.status.code)",
            ])
        } else {
            context.logger.debug("request", metadata: ["route": "\(path)", "status": "\(response.status.code)"])
        }
        return response
    }
}

/// Requires `Authorization: Bearer KEY` on every route but `/health` (and CORS preflights),
/// comparing in time that does not depend on where the keys differ.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: [UInt8]

    init(key: String) { self.key = Array(key.utf8) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/health" || request.method == .options { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), APIKeyMiddleware.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), key) else {
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }

    /// Equal bytes, in time that depends only on the lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}

// MARK: - Lifecycle

/// Owns the engines: stops them once the HTTP server has drained (services shut down in
/// reverse order, so this one, listed first, stops last).
public struct EngineService: Service {
    let store: ModelStore

    public init(store: ModelStore) { self.store = store }

    public func run() async throws {
        try? await gracefulShutdown()
        for served in store.models { served.engine.shutdown() }
    }
}
