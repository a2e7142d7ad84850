import Foundation

/// A tiktoken BPE file (Llama 3's `tokenizer.model`): one "base64-token rank" line per token
/// (tiktoken/load.py `load_tiktoken_bpe`).
struct TiktokenFile {
    /// Token bytes by rank.
    var tokens: [[UInt8]]

    /// - Throws: `TokenizerError.malformed` naming the first bad line.
    init(bytes: [UInt8]) throws {
        var byRank: [Int: [UInt8]] = [:]
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = line
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            let fields = line.split(separator: UInt8(ascii: " "))
            guard fields.count == 2,
                  let token = Data(base64Encoded: Data(fields[0])),
                  let rank = Int(String(decoding: fields[1], as: UTF8.self)), rank >= 0 else {
                let shown = String(decoding: line.prefix(60), as: UTF8.self)
                throw TokenizerError.malformed("tiktoken file line \(lineNumber) is not 'base64-token rank': '\(shown)'")
            }
            guard !token.isEmpty else { throw TokenizerError.malformed("tiktoken file line \(lineNumber): empty token") }
            guard byRank.updateValue(Array(token), forKey: rank) == nil else {
                throw TokenizerError.malformed("tiktoken file line \(lineNumber): rank \(rank) appears twice")
            }
        }
        guard !byRank.isEmpty else { throw TokenizerError.malformed("tiktoken file has no tokens") }
        tokens = []
        tokens.reserveCapacity(byRank.count)
        for rank in 0..<byRank.count {
            guard let token = byRank[rank] else {
                throw TokenizerError.malformed("tiktoken file has \(byRank.count) tokens but no rank \(rank)")
            }
            tokens.append(token)
        }
    }
}

extension TokenizerDefinition {
    /// tiktoken's rules with Llama 3's pattern and special tokens (meta-llama llama3
    /// `tokenizer.py`): the cl100k-style regex, a word that is a token is that token, otherwise
    /// byte-pair merges by rank; 256 special tokens after the 128,000 ranks, named as in
    /// Llama 3.1-3.3. A file of another size gets no special tokens.
    init(tiktoken file: TiktokenFile) throws {
        var seen = Set<[UInt8]>()
        for (rank, token) in file.tokens.enumerated() where !seen.insert(token).inserted {
            throw TokenizerError.inconsistent("tiktoken ranks \(rank) and \(file.tokens.firstIndex(of: token) ?? 0) are the same bytes")
        }
        var tokens = file.tokens.map { ByteLevel.encode($0) }
        var attributes = [TokenAttributes](repeating: .normal, count: tokens.count)
        let specials = file.tokens.count == 128_000 ? TokenizerDefinition.llama3SpecialTokens : []
        tokens += specials
        attributes += specials.map { _ in .control }
        self.init(tokens: tokens, attributes: attributes, alphabet: .byteLevel, merges: .ranks)
        self.pieces = file.tokens + specials.map { Array($0.utf8) }
        preTokenizer = .llama3
        ignoreMerges = true
        if !specials.isEmpty {
            bosID = 128_000
            eosID = 128_001
            eotID = 128_009
            prefixIDs = [128_000]
            extraEndOfGenerationIDs = [128_008]  // <|eom_id|>
        }
    }

    /// Llama 3.1's special tokens, ids 128000-128255.
    static let llama3SpecialTokens: [String] = {
        let named = [
            "<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
            "<|finetune_right_pad_id|>", "<|step_id|>", "<|start_header_id|>", "<|end_header_id|>",
            "<|eom_id|>", "<|eot_id|>", "<|python_tag|>",
        ]
        return named + (2..<(256 - named.count + 2)).map { "<|reserved_special_token_\($0)|>" }
    }()
}
