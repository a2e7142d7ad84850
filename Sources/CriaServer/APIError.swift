import Cria
import Foundation
import Hummingbird

/// An error answered to a client: a status, a message, and OpenAI's `type`/`param`/`code`.
/// OpenAI routes render it as `{"error": {"message", "type", "param", "code"}}`, Ollama routes
/// as `{"error": "message"}`.
struct APIError: Error, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String
    var type: String
    var param: String?
    var code: String?
    /// Seconds after which a busy server may be asked again (`Retry-After`).
    var retryAfter: Int?

    var description: String { message }

    static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: code)
    }

    static func modelNotFound(_ name: String, available: [String]) -> APIError {
        APIError(
            status: .notFound, message: "model '\(name)' not found; this server has \(available.joined(separator: ", "))",
            type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    static func notFound(_ path: String) -> APIError {
        APIError(status: .notFound, message: "no route for \(path)", type: "invalid_request_error", code: "not_found")
    }

    static let unauthorized = APIError(
        status: .unauthorized, message: "invalid or missing API key (send 'Authorization: Bearer KEY')",
        type: "invalid_request_error", code: "invalid_api_key")

    static func tooLarge(limit: Int?) -> APIError {
        APIError(
            status: .contentTooLarge,
            message: limit.map { "the request body is larger than \($0) bytes" } ?? "the request body is too large",
            type: "invalid_request_error", code: "request_too_large")
    }

    /// The answer to a library error: a prompt over the context is 400, a full queue 503.
    init(_ error: CriaError, param: String? = nil) {
        switch error.kind {
        case .promptTooLong:
            self.init(status: .badRequest, message: error.description, type: "invalid_request_error", param: param,
                      code: "context_length_exceeded")
        case .busy:
            self.init(status: .serviceUnavailable, message: error.description, type: "server_error", code: "server_busy",
                      retryAfter: 1)
        case .unavailable:
            self.init(status: .serviceUnavailable, message: error.description, type: "server_error", code: "unavailable",
                      retryAfter: 5)
        case .general:
            self.init(status: .badRequest, message: error.description, type: "invalid_request_error", param: param)
        }
    }

    init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil, code: String? = nil,
         retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    /// A request body that did not decode: names the field and what was wrong.
    init(decoding error: DecodingError) {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
        }
        switch error {
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            self = .invalidRequest("'\(field)' has the wrong type: expected \(APIError.typeName(type))", param: field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            self = .invalidRequest("'\(field)' must not be null: expected \(APIError.typeName(type))", param: field)
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            self = .invalidRequest("'\(field)' is required", param: field)
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self = .invalidRequest("the request body is not valid JSON")
            } else {
                let field = path(context.codingPath)
                self = .invalidRequest("'\(field)': \(context.debugDescription)", param: field)
            }
        @unknown default:
            self = .invalidRequest("the request body does not decode: \(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        default:
            "\(type)".hasPrefix("Array") ? "an array" : "\(type)".contains("Dictionary") ? "an object" : "a value of another type"
        }
    }

    /// OpenAI's error object.
    var openAIBody: JSON {
        .object([
            ("error", .object([
                ("message", .string(message)),
                ("type", .string(type)),
                ("param", param.map { .string($0) } ?? .null),
                ("code", code.map { .string($0) } ?? .null),
            ])),
        ])
    }

    /// Ollama's error object.
    var ollamaBody: JSON { .object([("error", .string(message))]) }

    func response(ollama: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let body = (ollama ? ollamaBody : openAIBody).serialized
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
