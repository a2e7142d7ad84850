extension PreTokenizer {
    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static func matching(regexes: [String]) -> PreTokenizer? {
        switch regexes {
        case [gpt2Regex]: return .gpt2
        case [llama3Regex]: return .llama3
        case [#"\p{N}"#, gpt2Regex]: return .smollm
        default: return nil
        }
    }
}
