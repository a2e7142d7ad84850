/// Turns generated token ids into text as they arrive, never emitting part of a UTF-8 character.
///
/// Byte-level BPE tokens can end in the middle of a multi-byte character (an emoji is often two or
/// three tokens), so bytes of an unfinished character are held back until a later token completes
/// it. Bytes that can never become valid UTF-8 are emitted at once as U+FFFD, the same way
/// `Tokenizer.decode` renders them, so the concatenated output equals `decode` of all ids.
/// (`decode`'s `clean_spaces` pass, which llama.cpp applies only when detokenizing whole texts,
/// is not applied here, as in llama.cpp's streaming.)
public struct StreamingDecoder {
    public let tokenizer: Tokenizer
    public let showSpecial: Bool
    /// Bytes received but not yet emitted: at most the start of one character.
    private var pending: [UInt8] = []
    /// Decoding position (first token, byte runs), as in `Tokenizer.decodeBytes`.
    private var state = Tokenizer.DecodeState()

    /// - Parameters:
    ///   - tokenizer: the tokenizer whose ids will be appended.
    ///   - showSpecial: render control tokens such as `<|im_end|>` instead of dropping them.
    public init(tokenizer: Tokenizer, showSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.showSpecial = showSpecial
    }

    /// Adds one token and returns the text it completes, possibly empty.
    public mutating func append(_ id: Int32) -> String {
        tokenizer.appendPiece(id, showSpecial: showSpecial, state: &state, to: &pending)
        var cut = pending.count - StreamingDecoder.incompleteSuffixLength(pending)
        // An open run of byte tokens may still turn out invalid and be replaced as a whole.
        if let runStart = state.byteRunStart { cut = min(cut, runStart) }
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        if let runStart = state.byteRunStart { state.byteRunStart = runStart - cut }
        return text
    }

    /// Returns whatever is held back (an unfinished character becomes U+FFFD) and resets.
    public mutating func flush() -> String {
        tokenizer.finish(&state, &pending)
        defer {
            pending.removeAll()
            state = Tokenizer.DecodeState()
        }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the trailing bytes that are a proper prefix of some valid UTF-8 sequence, 0 if none.
    ///
    /// Only such a prefix is held back: everything before it decodes the same way whatever follows,
    /// because a UTF-8 decoder restarts at every lead byte.
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        guard !bytes.isEmpty else { return 0 }
        // A character is at most 4 bytes, so its start is among the last 3.
        for length in 1...min(3, bytes.count) {
            let start = bytes.count - length
            let lead = bytes[start]
            if lead & 0xC0 == 0x80 { continue }  // continuation byte: the lead is further back
            let needed: Int
            switch lead {
            case 0xC2...0xDF: needed = 2
            case 0xE0...0xEF: needed = 3
            case 0xF0...0xF4: needed = 4
            default: return 0  // ASCII or a byte that never starts a character
            }
            guard length < needed else { return 0 }
            // The second byte's range depends on the lead (Unicode 15, table 3-7).
            if length >= 2 {
                let second = bytes[start + 1]
                let range: ClosedRange<UInt8>
                switch lead {
                case 0xE0: range = 0xA0...0xBF
                case 0xED: range = 0x80...0x9F
                case 0xF0: range = 0x90...0xBF
                case 0xF4: range = 0x80...0x8F
                default: range = 0x80...0xBF
                }
                guard range.contains(second) else { return 0 }
            }
            return length  // further bytes are continuation bytes, checked by the loop above
        }
        return 0
    }
}
