/// Splits text into the words that BPE merges never cross, exactly as llama.cpp does.
///
/// llama.cpp (src/llama-vocab.cpp, `llm_tokenizer_bpe`) describes each pre-tokenizer as a list of
/// regexes applied in turn: each one splits every current fragment into its matches and the gaps
/// between them, and both become fragments. `WordScanner` implements each regex the way llama.cpp
/// runs it (a hand-written scanner or `std::regex` over a collapsed text), since that — not the
/// regex read by a Unicode-aware engine — is what GGUF models were converted and tested against.
/// Everything works on indices into an array of Unicode scalars.
///
/// A case is a pre-tokenizer type of llama.cpp together with the flags its `tokenizer.ggml.pre`
/// names set; cases that split alike but differ in flags are separate cases.
enum PreTokenizer: Sendable, CaseIterable {
    /// GPT-2's regex.
    case gpt2
    /// `\p{N}` (every number alone), then GPT-2; no space cleaning.
    case smollm
    /// Llama 3's regex; a word that is a token skips the merges, BOS by default.
    case llama3
    /// `\p{N}` (every number alone), then GPT-2, with llama.cpp's space cleaning on decode.
    case starcoder
    /// Llama 3's regex with `\p{N}` instead of `\p{N}{1,3}`; merges always applied.
    case qwen2
    /// llama.cpp's fallback: `[\p{P}\$\+<=>\^~\|]+`, GPT-2, `\p{N}+`, `[0-9][0-9][0-9]`.
    case `default`
    /// Runs of punctuation and ASCII symbols, GPT-2, ASCII digit triples.
    case falcon
    /// DeepSeek LLM: line breaks, Latin/Greek/Cyrillic/... letter runs, punctuation runs,
    /// trailing whitespace, CJK and Hangul runs, number runs.
    case deepseekLLM
    /// DeepSeek Coder: line breaks, letter runs, punctuation runs, CJK and Hangul runs, single numbers.
    case deepseekCoder
    /// DeepSeek V3 (and R1): number triples, CJK and kana runs, then a word regex with marks.
    case deepseekV3
    /// Mistral's Tekken (Mistral Nemo and later): words split at lower-to-upper case changes,
    /// single numbers; a word that is a token skips the merges, BOS by default.
    case tekken
    /// GPT-4o's regex (Llama 4): Tekken's words with contractions attached, number triples.
    case gpt4o
    /// Qwen 3.5: Qwen 2 with combining marks inside words.
    case qwen35
    /// Seed-Coder: Qwen 2 without line breaks after punctuation.
    case seedCoder
    /// MiniCPM 5: number triples, then Llama 3's regex; a word that is a token skips the merges.
    case minicpm5
    /// Laguna: runs of line feeds apart, then Qwen 2.
    case laguna
    /// Qwen 2 without contractions (an apostrophe prefixes the letters after it).
    case ufakzeka
    /// GPT-2 without space cleaning.
    case trillion
    /// Llama 3's regex with merges always applied, no BOS by default.
    case dbrx
    /// Qwen 2 with space cleaning.
    case stablelm2

    /// Accepted `tokenizer.ggml.pre` values: the names src/llama-vocab.cpp `load` maps to each
    /// case's regexes *and* flags (clean_spaces, ignore_merges, add_bos, no special-token
    /// attributes or BOS changes by name).
    static let names: [String: PreTokenizer] = [
        "gpt-2": .gpt2, "phi-2": .gpt2, "gigachat": .gpt2, "mellum": .gpt2, "a.x-4.0": .gpt2,
        "mpt": .gpt2, "olmo": .gpt2, "jais": .gpt2, "exaone4": .gpt2,
        "trillion": .trillion, "granite-docling": .trillion,
        "smollm": .smollm, "command-r": .smollm,
        "starcoder": .starcoder, "refact": .starcoder, "codeshell": .starcoder, "exaone": .starcoder,
        "minerva-7b": .starcoder, "mellum2": .starcoder,
        "falcon": .falcon,
        "llama3": .llama3, "llama-v3": .llama3, "llama-bpe": .llama3, "falcon3": .llama3,
        "falcon-h1": .llama3, "pixtral": .llama3, "midm-2.0": .llama3, "lfm2": .llama3,
        "jina-v5-nano": .llama3,
        "dbrx": .dbrx, "smaug-bpe": .dbrx,
        "qwen2": .qwen2, "deepseek-r1-qwen": .qwen2, "kormo": .qwen2, "f2llmv2": .qwen2,
        "hunyuan": .qwen2, "solar-open": .qwen2, "grok-2": .qwen2,
        "stablelm2": .stablelm2, "megrez": .stablelm2,
        "qwen35": .qwen35,
        "seed-coder": .seedCoder,
        "minicpm5": .minicpm5,
        "laguna": .laguna,
        "ufakzeka": .ufakzeka,
        "deepseek-llm": .deepseekLLM,
        "deepseek-coder": .deepseekCoder,
        "deepseek-v3": .deepseekV3, "hunyuan-dense": .deepseekV3, "joyai-llm": .deepseekV3, "hy_v4": .deepseekV3,
        "tekken": .tekken,
        "gpt-4o": .gpt4o, "llama4": .gpt4o, "kanana2": .gpt4o, "talkie": .gpt4o, "minimax-m2": .gpt4o,
        "default": .default, "": .default,
    ]

    static var supportedNames: [String] { names.keys.filter { !$0.isEmpty }.sorted() }

    init?(name: String) {
        guard let value = PreTokenizer.names[name] else { return nil }
        self = value
    }

    /// Whether decoding applies llama.cpp's `clean_spaces` pass (" ," -> ","...): on for BPE
    /// vocabularies unless the name turns it off (src/llama-vocab.cpp `load`).
    var cleansSpaces: Bool {
        switch self {
        case .gpt2, .starcoder, .default, .falcon, .llama3, .dbrx, .stablelm2, .minicpm5:
            return true
        case .smollm, .qwen2, .deepseekLLM, .deepseekCoder, .deepseekV3, .tekken, .gpt4o, .qwen35,
             .seedCoder, .laguna, .ufakzeka, .trillion:
            return false
        }
    }

    /// Whether llama.cpp adds BOS when the file has no `tokenizer.ggml.add_bos_token`.
    var addsBOSByDefault: Bool { self == .llama3 || self == .tekken }

    /// Whether a word that is itself a token skips the merges (`ignore_merges`).
    var ignoresMerges: Bool { self == .llama3 || self == .tekken || self == .minicpm5 }

    /// Splits `scalars` into consecutive, non-empty, covering ranges.
    /// - Parameters:
    ///   - scalars: the text. (n)
    ///   - classes: `ScalarClass` of each scalar. (n)
    func split(_ scalars: [Unicode.Scalar], _ classes: [ScalarClass]) -> [Range<Int>] {
        guard !scalars.isEmpty else { return [] }
        let text = WordScanner(scalars: scalars, classes: classes)
        let whole = [0..<scalars.count]
        switch self {
        case .gpt2, .trillion:
            return text.gpt2(whole)
        case .smollm, .starcoder:
            return text.gpt2(text.isolate(whole) { _, cls in cls.contains(.number) })
        case .llama3, .dbrx:
            return text.llama3(whole)
        case .qwen2, .stablelm2:
            return text.llama3(whole, digitGroup: 1)
        case .qwen35:
            return text.llama3(whole, digitGroup: 1, marksJoinLetters: true)
        case .seedCoder:
            return text.llama3(whole, digitGroup: 1, lineBreaksAfterPunctuation: false)
        case .ufakzeka:
            return text.llama3(whole, digitGroup: 1, contractions: false)
        case .minicpm5:
            // The second regex has \p{N}+, but every number run is at most 3 long by then.
            return text.llama3(text.numberGroups(whole, of: 3))
        case .laguna:
            return text.llama3(text.runs(whole) { scalar, _ in scalar == "\n" }, digitGroup: 1)
        case .default:
            let punctuation = text.runs(whole) { scalar, cls in
                cls.contains(.punctuation) || PreTokenizer.defaultSymbols.contains(scalar)
            }
            let words = text.gpt2(punctuation)
            let numbers = text.runs(words) { _, cls in cls.contains(.number) }
            return text.asciiDigitTriples(numbers)
        case .falcon:
            let punctuation = text.runs(whole) { scalar, cls in
                cls.contains(.punctuation) || PreTokenizer.falconSymbols.contains(scalar)
            }
            return text.asciiDigitTriples(text.gpt2(punctuation))
        case .deepseekLLM:
            var words = text.isolate(whole) { scalar, _ in scalar == "\r" || scalar == "\n" }
            words = text.optionalSpaceRuns(words) { scalar, cls in
                !cls.contains(.whitespace) && PreTokenizer.deepseekLetters.contains(scalar)
            }
            words = text.optionalSpaceRuns(words) { scalar, cls in
                !cls.contains(.whitespace) && PreTokenizer.deepseekPunctuation.contains(scalar)
            }
            words = text.trailingWhitespace(words)
            words = text.runs(words) { scalar, cls in
                !cls.contains(.whitespace) && PreTokenizer.deepseekCJK.contains(scalar)
            }
            return text.runs(words) { _, cls in cls.contains(.number) }
        case .deepseekCoder:
            var words = text.isolate(whole) { scalar, _ in scalar == "\r" || scalar == "\n" }
            words = text.optionalSpaceRuns(words) { _, cls in cls.contains(.letter) }
            words = text.optionalSpaceRuns(words) { _, cls in cls.contains(.punctuation) }
            words = text.runs(words) { scalar, cls in
                !cls.contains(.whitespace) && PreTokenizer.deepseekCJK.contains(scalar)
            }
            return text.isolate(words) { _, cls in cls.contains(.number) }
        case .deepseekV3:
            var words = text.numberGroups(whole, of: 3)
            words = text.runs(words) { scalar, cls in
                !cls.contains(.whitespace) && PreTokenizer.deepseekV3CJK.contains(scalar)
            }
            return text.matches(words, text.deepseekV3Word)
        case .tekken:
            return text.matches(whole) { pos, end in text.mixedCaseWord(at: pos, end: end, digitGroup: 1, contractions: false) }
        case .gpt4o:
            return text.matches(whole) { pos, end in text.mixedCaseWord(at: pos, end: end, digitGroup: 3, contractions: true) }
        }
    }

    // Literal sets, built from the regex texts in PreTokenizer+Regexes.swift.
    private static let defaultSymbols = CodePointSet(Pattern.defaultSymbols)
    private static let falconSymbols = CodePointSet(Pattern.falconSymbols)
    private static let deepseekLetters = CodePointSet(Pattern.deepseekLetters)
    private static let deepseekPunctuation = CodePointSet(Pattern.deepseekPunctuation)
    private static let deepseekCJK = CodePointSet(Pattern.deepseekCJK)
    private static let deepseekV3CJK = CodePointSet(Pattern.deepseekV3CJK)
}
