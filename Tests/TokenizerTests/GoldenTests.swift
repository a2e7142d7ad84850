import Foundation
import Synchronization
import Testing
@testable import Tokenizer

/// Golden fixtures from the reference implementations (scripts/reference/make_tokenizer_golden.py
/// and make_spm_fixtures.py): every corpus string, with and without special tokens, must give the
/// reference's ids, and those ids must decode to the reference's text.
@Suite struct GoldenTests {
    struct Golden: Decodable, @unchecked Sendable {
        struct Source: Decodable {
            var kind: String
            var path: String
        }
        struct Encode: Decodable {
            var text: String
            var addSpecial: Bool
            var parseSpecial: Bool
            var ids: [Int32]
            var decodedHex: String
            enum CodingKeys: String, CodingKey {
                case text, ids
                case addSpecial = "add_special"
                case parseSpecial = "parse_special"
                case decodedHex = "decoded_hex"
            }
        }
        struct Decode: Decodable {
            var ids: [Int32]
            var showSpecial: Bool
            var hex: String
            enum CodingKeys: String, CodingKey {
                case ids, hex
                case showSpecial = "show_special"
            }
        }
        var source: Source
        var reference: String
        var encode: [Encode]
        var decodeShowSpecial: Bool
        var decode: [Decode]
        var eogIDs: [Int32]?
        var controlIDs: [Int32]?
        enum CodingKeys: String, CodingKey {
            case source, reference, encode, decode
            case decodeShowSpecial = "decode_show_special"
            case eogIDs = "eog_ids"
            case controlIDs = "control_ids"
        }
    }

    static let files = [
        "golden-llamacpp-smollm2", "golden-llamacpp-llama-bpe", "golden-llamacpp-llama-spm", "golden-llamacpp-phi-3",
        "golden-llama3-hf", "golden-llama3-tiktoken",
        "golden-spm-llamacpp", "golden-spm-hf", "golden-spm-sentencepiece",
        "golden-spm-hf-metaspace-first", "golden-spm-hf-metaspace-always", "golden-smollm2-hf", "golden-smollm2-hf-prefix",
        "golden-spm-hf-normalized-added",
    ]

    /// Small fixtures for corner cases (scripts/reference/make_edge_fixtures.py).
    static let edgeFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.appendingPathComponent("edge").path)) ?? []
        return names.filter { $0.hasPrefix("golden-") && $0.hasSuffix(".json") }.map { "edge/" + $0.dropLast(5) }.sorted()
    }()

    /// Each fixture and tokenizer is loaded once and shared by the tests (the Llama 3 ones are large).
    private static let loaded = Mutex<[String: Result<(Golden, Tokenizer), any Error>]>([:])

    static func load(_ name: String) throws -> (Golden, Tokenizer) {
        if let cached = loaded.withLock({ $0[name] }) { return try cached.get() }
        let result = Result { try loadUncached(name) }
        loaded.withLock { $0[name] = result }
        return try result.get()
    }

    private static func loadUncached(_ name: String) throws -> (Golden, Tokenizer) {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.directory.appendingPathComponent(name + ".json")))
        let path = try DataFiles.resolve(golden.source.path)
        return (golden, try Tokenizer(contentsOf: path))
    }

    /// The reference's decode result in the form it produces: raw bytes (llama.cpp, tiktoken) or
    /// a string with invalid UTF-8 replaced (tokenizers, sentencepiece).
    static func decoded(_ tokenizer: Tokenizer, _ ids: [Int32], showSpecial: Bool, kind: String) -> String {
        let bytes = tokenizer.decodeBytes(ids, showSpecial: showSpecial)
        if kind == "gguf" || kind == "tiktoken" { return bytes.hex }
        return Array(String(decoding: bytes, as: UTF8.self).utf8).hex
    }

    @Test(arguments: files + edgeFiles)
    func encodeMatchesReference(_ name: String) throws {
        let (golden, tokenizer) = try GoldenTests.load(name)
        #expect(Set(golden.encode.map(\.text)).count >= (name.hasPrefix("edge/") ? 3 : 300))
        var failures = 0
        for c in golden.encode {
            let ids = tokenizer.encode(c.text, addSpecial: c.addSpecial, parseSpecial: c.parseSpecial)
            if ids != c.ids {
                failures += 1
                let at = (0..<min(ids.count, c.ids.count)).first { ids[$0] != c.ids[$0] } ?? min(ids.count, c.ids.count)
                Issue.record("\(name) \(describe(c.text)) addSpecial=\(c.addSpecial) parseSpecial=\(c.parseSpecial): first difference at \(at): \(ids[at...].prefix(6)) vs \(golden.reference) \(c.ids[at...].prefix(6))")
                if failures >= 10 { break }
            }
        }
    }

    @Test(arguments: files + edgeFiles)
    func decodeMatchesReference(_ name: String) throws {
        let (golden, tokenizer) = try GoldenTests.load(name)
        var roundTrips = 0, failures = 0
        for c in golden.encode {
            let decoded = GoldenTests.decoded(tokenizer, c.ids, showSpecial: golden.decodeShowSpecial, kind: golden.source.kind)
            if decoded != c.decodedHex {
                failures += 1
                Issue.record("\(name) decode of \(describe(c.text)) ids \(c.ids.prefix(8)): \(decoded.prefix(80)) vs \(c.decodedHex.prefix(80))")
            }
            // decode(encode(s)) == s wherever the reference round-trips.
            if c.decodedHex == Array(c.text.utf8).hex && !c.addSpecial {
                roundTrips += 1
                #expect(tokenizer.decode(c.ids, showSpecial: golden.decodeShowSpecial) == c.text)
            }
            if failures >= 10 { break }
        }
        #expect(roundTrips > 0 || name.hasPrefix("edge/"))
        for c in golden.decode {
            let decoded = GoldenTests.decoded(tokenizer, c.ids, showSpecial: c.showSpecial, kind: golden.source.kind)
            if decoded != c.hex {
                failures += 1
                Issue.record("\(name) decode of ids \(c.ids.prefix(8)) showSpecial=\(c.showSpecial): \(decoded.prefix(80)) vs \(c.hex.prefix(80))")
                if failures >= 20 { break }
            }
        }
    }

    @Test(arguments: files.filter { $0.contains("llamacpp") })
    func specialTokenRolesMatchLlamaCpp(_ name: String) throws {
        let (golden, tokenizer) = try GoldenTests.load(name)
        let ids = 0..<Int32(tokenizer.vocabularySize)
        #expect(ids.filter(tokenizer.isEndOfGeneration) == golden.eogIDs)
        #expect(ids.filter(tokenizer.isControl) == golden.controlIDs)
    }
}

/// Where the tokenizer files that are too large to commit live (scripts/install-tokenizer-data.sh).
enum DataFiles {
    static var tokenizers: String {
        ProcessInfo.processInfo.environment["CRIA_TOKENIZERS"] ?? NSHomeDirectory() + "/.cache/cria/tokenizers"
    }
    static var models: String {
        ProcessInfo.processInfo.environment["CRIA_MODELS"] ?? NSHomeDirectory() + "/.cache/cria/models"
    }

    struct Missing: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is missing: run scripts/install-tokenizer-data.sh and scripts/install-model.sh (make test does)" }
    }

    /// "cache:", "model:" and "fixtures:" paths of the golden files.
    static func resolve(_ reference: String) throws -> String {
        let path: String
        if reference.hasPrefix("cache:") {
            path = tokenizers + "/" + reference.dropFirst(6)
        } else if reference.hasPrefix("model:") {
            path = models + "/" + reference.dropFirst(6)
        } else if reference.hasPrefix("fixtures:") {
            path = Fixtures.directory.appendingPathComponent(String(reference.dropFirst(9))).path
        } else {
            path = reference
        }
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path) }
        return path
    }
}
