/// The regexes each pre-tokenizer implements, so a Hugging Face `tokenizer.json` pre-tokenizer
/// sequence can be mapped onto a case.
extension PreTokenizer {
    /// The regexes this case implements, in order, as Hugging Face `tokenizer.json` `Split`
    /// pre-tokenizers write them (`ByteLevel` with `use_regex: true` is `Pattern.gpt2`, `Digits`
    /// is `\p{N}` with `individual_digits: true` and `\p{N}+` without). Where llama.cpp rewrote
    /// a regex for `std::regex` (src/llama-vocab.cpp), this is the original it cites; the split
    /// still follows llama.cpp's rewrite (see `WordScanner`), which for Tekken and GPT-4o knows
    /// no letter case outside ASCII and leaves `\p{M}` out of words.
    ///
    /// Cases that differ only in flags (`starcoder` and `smollm`, `gpt2` and `trillion`,
    /// `llama3` and `dbrx`, `qwen2` and `stablelm2`) share a list.
    var regexes: [String] {
        switch self {
        case .gpt2, .trillion: return [Pattern.gpt2]
        case .smollm, .starcoder: return [#"\p{N}"#, Pattern.gpt2]
        case .llama3, .dbrx: return [Pattern.llama3]
        case .qwen2, .stablelm2: return [Pattern.qwen2]
        case .qwen35: return [Pattern.qwen35]
        case .seedCoder: return [Pattern.seedCoder]
        case .ufakzeka: return [Pattern.ufakzeka]
        case .minicpm5: return [#"\p{N}{1,3}"#, Pattern.minicpm5]
        case .laguna: return [#"[^\n]+|[\n]+"#, Pattern.qwen2]
        case .default: return [#"[\p{P}\$\+<=>\^~\|]+"#, Pattern.gpt2, #"\p{N}+"#, "[0-9][0-9][0-9]"]
        case .falcon: return [#"[\p{P}\$\+<=>\^~\|`]+"#, Pattern.gpt2, "[0-9][0-9][0-9]"]
        case .deepseekLLM:
            return [
                #"[\r\n]"#, #"\s?["# + Pattern.deepseekLetters + "]+", #"\s?["# + Pattern.deepseekPunctuation + "]+",
                #"\s+$"#, "[" + Pattern.deepseekCJK + "]+", #"\p{N}+"#,
            ]
        case .deepseekCoder:
            return [#"[\r\n]"#, #"\s?\p{L}+"#, #"\s?\p{P}+"#, "[" + Pattern.deepseekCJK + "]+", #"\p{N}"#]
        case .deepseekV3: return [#"\p{N}{1,3}"#, "[" + Pattern.deepseekV3CJK + "]+", Pattern.deepseekV3]
        case .tekken: return [Pattern.tekken]
        case .gpt4o: return [Pattern.gpt4o]
        }
    }

    /// The case whose `regexes` equal `regexes`, or nil. Also accepts llama.cpp's spellings
    /// (src/llama-vocab.cpp): literal line breaks for `\r` `\n`, `(?:'[sS]|'[tT]|...)` for
    /// `(?i:'s|'t|...)`, the lookahead classes of its Tekken and GPT-4o rewrites, and GPT-2's
    /// regex without the final `|\s+`. Among cases that share a list, the first declared wins.
    static func matching(regexes: [String]) -> PreTokenizer? {
        let wanted = regexes.map(canonical)
        return allCases.first { $0.regexes == wanted }
    }

    /// `regex` in the spelling `regexes` uses.
    static func canonical(_ regex: String) -> String {
        var text = regex
            .replacingBytes("\r", with: #"\r"#)
            .replacingBytes("\n", with: #"\n"#)
            .replacingBytes("\t", with: #"\t"#)
            .replacingBytes(#"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"#, with: #"(?i:'s|'t|'re|'ve|'m|'ll|'d)"#)
            .replacingBytes(#"((?=[\p{L}])([^a-z]))"#, with: #"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]"#)
            .replacingBytes(#"((?=[\p{L}])([^A-Z]))"#, with: #"[\p{Ll}\p{Lm}\p{Lo}\p{M}]"#)
        if text == Pattern.gpt2LlamaCpp { text = Pattern.gpt2 }
        return text
    }

    /// Regex texts and the literal class bodies the splits test.
    enum Pattern {
        /// openai/gpt-2 src/encoder.py; tokenizers ByteLevel with `use_regex: true`.
        static let gpt2 = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
        /// llama.cpp's GPT-2 regex: without `|\s+`, which its scanner does not need.
        static let gpt2LlamaCpp = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"#
        static let llama3 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        static let qwen2 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        static let qwen35 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        static let seedCoder = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+"#
        static let minicpm5 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        static let ufakzeka = #"[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        static let tekken = #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        static let gpt4o = #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        static let deepseekV3 = ##"[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"##

        /// The ASCII symbols llama.cpp's default and Falcon pre-tokenizers add to `\p{P}`.
        static let defaultSymbols = "$+<=>^~|"
        static let falconSymbols = "$+<=>^~|`"
        /// DeepSeek LLM's letters: cased letters (Lu, Ll, Lt) of Latin, Greek, Coptic, Cyrillic,
        /// Georgian, Cherokee, Glagolitic, Deseret, Osage, Old Hungarian, Warang Citi and Adlam,
        /// and Armenian capitals only.
        static let deepseekLetters =
            "A-Za-z\u{B5}\u{C0}-\u{D6}\u{D8}-\u{F6}\u{F8}-\u{1BA}\u{1BC}-\u{1BF}\u{1C4}-\u{293}"
            + "\u{295}-\u{2AF}\u{370}-\u{373}\u{376}\u{377}\u{37B}-\u{37D}\u{37F}\u{386}"
            + "\u{388}-\u{38A}\u{38C}\u{38E}-\u{3A1}\u{3A3}-\u{3F5}\u{3F7}-\u{481}\u{48A}-\u{52F}"
            + "\u{531}-\u{556}\u{10A0}-\u{10C5}\u{13A0}-\u{13F5}\u{13F8}-\u{13FD}\u{1C90}-\u{1CBA}"
            + "\u{1CBD}-\u{1CBF}\u{1D00}-\u{1D2B}\u{1D6B}-\u{1D77}\u{1D79}-\u{1D9A}"
            + "\u{1E00}-\u{1F15}\u{1F18}-\u{1F1D}\u{1F20}-\u{1F45}\u{1F48}-\u{1F4D}"
            + "\u{1F50}-\u{1F57}\u{1F59}\u{1F5B}\u{1F5D}\u{1F5F}-\u{1F7D}\u{1F80}-\u{1FB4}"
            + "\u{1FB6}-\u{1FBC}\u{1FBE}\u{1FC2}-\u{1FC4}\u{1FC6}-\u{1FCC}\u{1FD0}-\u{1FD3}"
            + "\u{1FD6}-\u{1FDB}\u{1FE0}-\u{1FEC}\u{1FF2}-\u{1FF4}\u{1FF6}-\u{1FFC}\u{2102}\u{2107}"
            + "\u{210A}-\u{2113}\u{2115}\u{2119}-\u{211D}\u{2124}\u{2126}\u{2128}\u{212A}-\u{212D}"
            + "\u{212F}-\u{2134}\u{2139}\u{213C}-\u{213F}\u{2145}-\u{2149}\u{214E}\u{2183}\u{2184}"
            + "\u{2C00}-\u{2C7B}\u{2C7E}-\u{2CE4}\u{2CEB}-\u{2CEE}\u{2CF2}\u{2CF3}\u{A640}-\u{A66D}"
            + "\u{A680}-\u{A69B}\u{A722}-\u{A76F}\u{A771}-\u{A787}\u{A78B}-\u{A78E}"
            + "\u{AB70}-\u{ABBF}\u{FB00}-\u{FB06}\u{FB13}-\u{FB17}\u{FF21}-\u{FF3A}"
            + "\u{FF41}-\u{FF5A}\u{10400}-\u{1044F}\u{104B0}-\u{104D3}\u{104D8}-\u{104FB}"
            + "\u{10C80}-\u{10CB2}\u{10CC0}-\u{10CF2}\u{118A0}-\u{118DF}\u{1E900}-\u{1E943}"
        /// ASCII punctuation, symbols *and letters* (`:-~` spans them), their full-width forms,
        /// curly quotes, and the ideographic space, comma and full stop.
        static let deepseekPunctuation = "!-/:-~\u{FF01}-\u{FF0F}\u{FF1A}-\u{FF5E}\u{2018}-\u{201F}\u{3000}-\u{3002}"
        /// CJK ideographs to U+9FA5, everything from U+0800 up to them, and Hangul.
        static let deepseekCJK = "\u{4E00}-\u{9FA5}\u{800}-\u{4E00}\u{AC00}-\u{D7FF}"
        /// CJK ideographs to U+9FA5, hiragana and katakana.
        static let deepseekV3CJK = "\u{4E00}-\u{9FA5}\u{3040}-\u{309F}\u{30A0}-\u{30FF}"
    }
}
