import GGUF
import Grammar
import Llama
import Sampling
import Synchronization
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
        if let source = chatTemplate {
            do {
                parsedTemplate = (try ChatTemplate(source), nil)
            } catch {
                parsedTemplate = (nil, "\(error)")
            }
        } else {
            parsedTemplate = (nil, nil)
        }
    }

    /// The model's chat template, parsed; nil when it has none (see `chatTemplateError` for one
    /// that does not parse).
    public var template: ChatTemplate? { parsedTemplate.template }
    /// Why the model's chat template could not be used, if it has one that does not parse.
    public var chatTemplateError: String? { parsedTemplate.error }
    private let parsedTemplate: (template: ChatTemplate?, error: String?)

    /// The vocabulary as a grammar sees it: each token's bytes, special tokens as their text (as
    /// llama.cpp's grammar sees them, src/llama-grammar.cpp: a tool-call marker that is a special
    /// token matches its text). End-of-generation tokens are never matched by text: the grammar
    /// allows them when it is complete. Built on first use, then shared.
    public var grammarVocabulary: GrammarVocabulary {
        grammarVocabularyCache.withLock { cache in
            if let built = cache { return built }
            let tokenizer = tokenizer
            let built = GrammarVocabulary(tokens: (0..<Int32(tokenizer.vocabularySize)).map(tokenizer.tokenBytes))
            cache = built
            return built
        }
    }
    private let grammarVocabularyCache = Mutex<GrammarVocabulary?>(nil)

    /// A constraint that keeps generated text inside `grammar`; generation ends when the grammar
    /// is complete and the model chooses to, or when nothing more can follow.
    /// With a `trigger`, the text is free until the trigger appears, and held to the grammar from there.
    public func constraint(_ grammar: Grammar, trigger: GrammarTrigger? = nil) -> GrammarConstraint {
        if let trigger {
            return GrammarConstraint(
                grammar: grammar, vocabulary: grammarVocabulary, endTokens: tokenizer.endOfGenerationTokens, trigger: trigger)
        }
        return GrammarConstraint(grammar: grammar, vocabulary: grammarVocabulary, endTokens: tokenizer.endOfGenerationTokens)
    }

    /// Text of a token (BOS/EOS as templates spell them), or nil.
    public func tokenText(_ id: Int32?) -> String? {
        id.map { String(decoding: tokenizer.tokenBytes($0), as: UTF8.self) }
    }

    /// A conversation as prompt tokens, ready for the assistant's reply: rendered by the model's
    /// chat template (as transformers renders it), or by a built-in `format` chosen by name.
    ///
    /// The text is tokenized with special tokens parsed; BOS is added where the vocabulary
    /// wants one unless the rendered text already starts with it.
    /// - Parameters:
    ///   - messages: the conversation.
    ///   - tools: OpenAI-style tool definitions as JSON text, for templates that render them.
    ///   - format: a built-in format chosen by name instead of the model's template.
    public func chatTokens(_ messages: [ChatMessage], tools: String? = nil, format: ChatFormat? = nil) throws -> [Int32] {
        let bos = tokenText(tokenizer.bosID), eos = tokenText(tokenizer.eosID)
        let text: String
        if let format {
            text = format.render(messages: messages, addGenerationPrompt: true, bos: bos ?? "", eos: eos ?? "")
        } else if let template {
            text = try template.render(messages: messages, tools: tools, addGenerationPrompt: true, bos: bos, eos: eos)
        } else if let error = chatTemplateError {
            throw CriaError("\(path): \(error); choose a built-in format (\(ChatFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        } else {
            throw CriaError("\(path) has no chat template; choose a built-in format (\(ChatFormat.allCases.map(\.rawValue).joined(separator: ", "))) or send plain text")
        }
        let startsWithBOS = bos.map { !$0.isEmpty && text.hasPrefix($0) } ?? false
        return tokenizer.encode(text, addSpecial: !startsWithBOS, parseSpecial: true)
    }
}
