import Foundation
import Testing
@testable import Tokenizer

/// The default model's vocabulary, dumped by scripts/reference/make_tokenizer_fixtures.py.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizer")

    /// smollm2-vocab.json: the GGUF `tokenizer.ggml.*` metadata as gguf-py reads it.
    struct VocabularyFile: Decodable {
        var model: String
        var pre: String
        var tokens: [String]
        var tokenType: [Int32]
        var merges: [String]
        var bosTokenID: Int32
        var eosTokenID: Int32
        var eotTokenID: Int32?
        var unknownTokenID: Int32?
        var paddingTokenID: Int32?
        var addBOSToken: Bool
        var addEOSToken: Bool

        enum CodingKeys: String, CodingKey {
            case model, pre, tokens, merges
            case tokenType = "token_type"
            case bosTokenID = "bos_token_id"
            case eosTokenID = "eos_token_id"
            case eotTokenID = "eot_token_id"
            case unknownTokenID = "unknown_token_id"
            case paddingTokenID = "padding_token_id"
            case addBOSToken = "add_bos_token"
            case addEOSToken = "add_eos_token"
        }

        var vocabulary: Vocabulary {
            Vocabulary(
                tokens: tokens, tokenTypes: tokenType, merges: merges,
                bosID: bosTokenID, eosID: eosTokenID, eotID: eotTokenID,
                unknownID: unknownTokenID, paddingID: paddingTokenID,
                addBOS: addBOSToken, addEOS: addEOSToken, model: model, preTokenizer: pre
            )
        }
    }

    private static let loadedVocabulary = Result {
        try JSONDecoder().decode(VocabularyFile.self, from: Data(contentsOf: directory.appendingPathComponent("smollm2-vocab.json")))
    }
    private static let loadedTokenizer = Result { try Tokenizer(vocabulary: vocabularyFile().vocabulary) }

    static func vocabularyFile() throws -> VocabularyFile { try loadedVocabulary.get() }
    /// The SmolLM2 tokenizer, built once and shared (it is Sendable).
    static func tokenizer() throws -> Tokenizer { try loadedTokenizer.get() }
}

extension Array where Element == UInt8 {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

/// A readable form of a fixture text for failure messages.
func describe(_ text: String) -> String {
    let escaped = text.debugDescription
    return escaped.count > 80 ? String(escaped.prefix(77)) + "..." : escaped
}
