import GGUF
import Llama
import Sampling
import Tensor
import Tokenizer

/// A model loaded from a GGUF file: weights, tokenizer and chat format, ready to generate.
public final class Model: Sendable {
    public let path: String
    public let file: GGUFFile
    public let llama: LlamaModel
    public let tokenizer: Tokenizer
    /// The model's Jinja chat template (`tokenizer.chat_template`), if it has one.
    public let chatTemplate: String?

    public var config: LlamaConfig { llama.config }

    /// Opens and checks a GGUF model: every tensor the graph needs, with the shapes and types
    /// its metadata implies. Throws `CriaError` naming what is wrong.
    public init(path: String) throws {
        self.path = path
        do {
            file = try GGUFFile(path: path)
            llama = try LlamaModel(file: file)
            tokenizer = try Tokenizer(vocabulary: Vocabulary(gguf: file))
        } catch let error as GGUFError {
            throw CriaError("\(error)")
        } catch let error as LlamaError {
            throw CriaError("\(path): \(error)")
        } catch let error as TokenizerError {
            throw CriaError("\(path): tokenizer: \(error)")
        }
        chatTemplate = file["tokenizer.chat_template"]?.string
    }

    /// The prompt for one user message in the model's chat format.
    public func chatPrompt(user: String, system: String? = nil) throws -> String {
        guard let template = chatTemplate else {
            throw CriaError("\(path) has no chat template; use --raw to send the prompt as plain text")
        }
        guard let format = ChatFormat.detect(template: template) else {
            throw CriaError("\(path): the chat template is not one of the built-in formats "
                + "(\(ChatFormat.allCases.map(\.rawValue).joined(separator: ", "))); use --raw")
        }
        let bos = tokenizer.bosID.map { String(decoding: tokenizer.tokenBytes($0), as: UTF8.self) } ?? ""
        let system = system ?? (format == .chatML ? ChatFormat.defaultSystemMessage(template: template) : nil)
        return format.render(user: user, system: system, bos: bos)
    }
}
