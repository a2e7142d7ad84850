import Cria
import Hummingbird

/// Writes a streamed answer: server-sent events (`data: {json}` and a blank line, ending with
/// `data: [DONE]`) for OpenAI, or newline-delimited JSON for Ollama.
final class StreamWriter: @unchecked Sendable {
    private var writer: any ResponseBodyWriter
    private let ndjson: Bool

    fileprivate init(_ writer: any ResponseBodyWriter, ndjson: Bool) {
        self.writer = writer
        self.ndjson = ndjson
    }

    func send(_ value: JSON) async throws {
        var text = ndjson ? "" : "data: "
        value.write(into: &text)
        text += ndjson ? "\n" : "\n\n"
        try await writer.write(ByteBuffer(string: text))
    }

    /// OpenAI's end-of-stream marker.
    func done() async throws {
        if !ndjson { try await writer.write(ByteBuffer(string: "data: [DONE]\n\n")) }
    }

    fileprivate func finish() async throws {
        try await writer.finish(nil)
    }
}

typealias SSEWriter = StreamWriter

/// A streamed response whose body `produce` writes. An error after the stream has started
/// can no longer change the status, so it is sent as a last event in the API's error shape.
func streamResponse(ndjson: Bool, _ produce: @escaping @Sendable (StreamWriter) async throws -> Void) -> Response {
    let contentType = ndjson ? "application/x-ndjson" : "text/event-stream"
    return Response(
        status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"],
        body: ResponseBody { writer in
            let stream = StreamWriter(writer, ndjson: ndjson)
            do {
                try await produce(stream)
            } catch let error as CriaError {
                let apiError = APIError(error)
                try await stream.send(ndjson ? apiError.ollamaBody : apiError.openAIBody)
            }
            try await stream.finish()
        })
}

func sse(_ produce: @escaping @Sendable (StreamWriter) async throws -> Void) -> Response {
    streamResponse(ndjson: false, produce)
}
