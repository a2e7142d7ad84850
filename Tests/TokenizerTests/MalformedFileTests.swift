import Foundation
import Testing
@testable import Tokenizer

/// Broken tokenizer files must give a `TokenizerError` that says what is wrong, never a crash.
@Suite struct MalformedFileTests {
    static func path(_ name: String) -> String {
        Fixtures.directory.appendingPathComponent("malformed/" + name).path
    }

    func expectError(_ path: String, kind: Tokenizer.FileKind? = nil, code: TokenizerError.Code, mentioning words: [String]) {
        #expect {
            _ = try Tokenizer(contentsOf: path, kind: kind)
        } throws: { error in
            guard let error = error as? TokenizerError else { return false }
            let ok = error.code == code && words.allSatisfy { error.message.contains($0) }
            if !ok { Issue.record("\(path): \(error.code) '\(error.message)'") }
            return ok
        }
    }

    @Test func truncatedJSON() {
        expectError(Self.path("truncated.tokenizer.json"), code: .malformedFile, mentioning: ["not valid JSON"])
    }

    @Test func mergeNamingAnUnknownToken() {
        expectError(Self.path("merges-unknown.tokenizer.json"), code: .inconsistentVocabulary, mentioning: ["'ab c'", "'c', which is not a token"])
    }

    @Test func badProtobuf() {
        expectError(Self.path("truncated.model"), code: .malformedFile, mentioning: ["invalid protobuf at byte", "runs past the end"])
        expectError(Self.path("bad.model"), code: .malformedFile, mentioning: ["invalid protobuf", "runs past the end"])
        expectError(Self.path("bad-wiretype.model"), code: .malformedFile, mentioning: ["wire type 7"])
    }

    @Test func badTiktoken() {
        expectError(Self.path("bad.tiktoken"), code: .malformedFile, mentioning: ["line 3", "not-base64!"])
        expectError(Self.path("missing-rank.tiktoken"), code: .malformedFile, mentioning: ["line 3", "base64-token rank"])
    }

    @Test func missingEmptyAndTruncatedFiles() throws {
        expectError("/nonexistent/tokenizer.json", code: .unreadableFile, mentioning: ["/nonexistent/tokenizer.json: cannot read the file: no such file"])
        expectError(FileManager.default.temporaryDirectory.path, code: .unreadableFile, mentioning: ["it is a directory"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cria-malformed-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        expectError(empty, code: .malformedFile, mentioning: ["no pieces"])
        // A GGUF vocabulary cut in half.
        let gguf = try Data(contentsOf: Fixtures.directory.appendingPathComponent("spm-llama2-style.gguf"))
        let truncated = directory.appendingPathComponent("truncated.gguf").path
        FileManager.default.createFile(atPath: truncated, contents: gguf.prefix(gguf.count / 2))
        expectError(truncated, code: .malformedFile, mentioning: ["truncated.gguf"])
    }

    @Test func unsupportedPiecesAreNamed() throws {
        // A tokenizer.json with a WordPiece model, and one with an unknown normalizer.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cria-unsupported-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let wordPiece = directory.appendingPathComponent("wordpiece.json").path
        FileManager.default.createFile(atPath: wordPiece, contents: Data(#"{"model": {"type": "WordPiece", "vocab": {"a": 0}}}"#.utf8))
        expectError(wordPiece, code: .unsupportedFeature, mentioning: ["'WordPiece'"])
        let normalizer = directory.appendingPathComponent("normalizer.json").path
        FileManager.default.createFile(atPath: normalizer, contents: Data(#"{"normalizer": {"type": "BertNormalizer"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}"#.utf8))
        expectError(normalizer, code: .unsupportedFeature, mentioning: ["'BertNormalizer'"])
    }

    @Test func hugeIdsAndEmptyTokensDoNotCrash() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cria-hostile-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // An id of two billion would mean two billion placeholder tokens.
        let huge = directory.appendingPathComponent("huge.json").path
        FileManager.default.createFile(atPath: huge, contents: Data(#"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 2000000000}, "merges": []}}"#.utf8))
        expectError(huge, code: .inconsistentVocabulary, mentioning: ["up to 2000000000", "only 2 tokens"])
        // An added token that normalizes to nothing is never matched (tokenizers loads it too).
        let empty = directory.appendingPathComponent("empty-added.json").path
        FileManager.default.createFile(atPath: empty, contents: Data(#"""
            {"normalizer": {"type": "Strip", "strip_left": true, "strip_right": true},
             "added_tokens": [{"id": 3, "content": "  ", "special": false, "normalized": true}],
             "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, " ": 2}, "merges": []}}
            """#.utf8))
        let tokenizer = try Tokenizer(contentsOf: empty)
        #expect(tokenizer.encode("a  b", addSpecial: false) == [0, 2, 2, 1])  // tokenizers 0.23.3 gives the same
    }
}
