/// A SentencePiece `tokenizer.model`: the `ModelProto` protobuf message.
///
/// Field numbers and defaults from sentencepiece src/sentencepiece_model.proto: ModelProto
/// pieces = 1, trainer_spec = 2, normalizer_spec = 3; SentencePiece piece = 1, score = 2,
/// type = 3 (NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6); TrainerSpec
/// model_type = 3 (UNIGRAM 1, BPE 2, WORD 3, CHAR 4), treat_whitespace_as_suffix = 24,
/// byte_fallback = 35, unk_id = 40, bos_id = 41, eos_id = 42, pad_id = 43, unk_surface = 44;
/// NormalizerSpec name = 1, precompiled_charsmap = 2, add_dummy_prefix = 3,
/// remove_extra_whitespaces = 4, escape_whitespaces = 5.
struct SentencePieceModel {
    struct Piece {
        var text: String
        var score: Float
        /// Same numbering as `TokenType`.
        var type: Int32
    }

    var pieces: [Piece] = []
    var modelType: Int32 = 1
    var treatWhitespaceAsSuffix = false
    var byteFallback = false
    var unknownID: Int32 = 0
    var bosID: Int32 = 1
    var eosID: Int32 = 2
    var padID: Int32 = -1
    var unknownSurface = " \u{2047} "
    var normalizerName = ""
    var precompiledCharsmap: [UInt8] = []
    var addDummyPrefix = true
    var removeExtraWhitespaces = true
    var escapeWhitespaces = true

    /// Parses a serialized `ModelProto`.
    /// - Throws: `TokenizerError.malformed` naming the byte offset where the protobuf breaks.
    init(bytes: [UInt8]) throws {
        var reader = ProtobufReader(bytes: bytes[...])
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let message)):
                pieces.append(try SentencePieceModel.piece(message))
            case (2, .bytes(let message)):
                try readTrainerSpec(message)
            case (3, .bytes(let message)):
                try readNormalizerSpec(message)
            case (1...3, _):
                throw TokenizerError.malformed("SentencePiece model: field \(field) at byte \(reader.lastFieldOffset) has the wrong wire type")
            default:
                break  // self_test_data, denormalizer_spec: not needed to tokenize
            }
        }
        guard !pieces.isEmpty else { throw TokenizerError.malformed("SentencePiece model: no pieces") }
    }

    private static func piece(_ message: ArraySlice<UInt8>) throws -> Piece {
        var piece = Piece(text: "", score: 0, type: 1)
        var reader = ProtobufReader(bytes: message)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let text)):
                guard let string = String(validating: text, as: UTF8.self) else {
                    throw TokenizerError.malformed("SentencePiece model: a piece is not valid UTF-8")
                }
                piece.text = string
            case (2, .fixed32(let bits)): piece.score = Float(bitPattern: bits)
            case (3, .varint(let type)):
                guard (1...6).contains(type) else { throw TokenizerError.malformed("SentencePiece model: piece type \(type)") }
                piece.type = Int32(type)
            case (1...3, _):
                throw TokenizerError.malformed("SentencePiece model: piece field \(field) has the wrong wire type")
            default: break
            }
        }
        return piece
    }

    private mutating func readTrainerSpec(_ message: ArraySlice<UInt8>) throws {
        var reader = ProtobufReader(bytes: message)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (3, .varint(let v)): modelType = Int32(truncatingIfNeeded: v)
            case (24, .varint(let v)): treatWhitespaceAsSuffix = v != 0
            case (35, .varint(let v)): byteFallback = v != 0
            case (40, .varint(let v)): unknownID = Int32(truncatingIfNeeded: v)
            case (41, .varint(let v)): bosID = Int32(truncatingIfNeeded: v)
            case (42, .varint(let v)): eosID = Int32(truncatingIfNeeded: v)
            case (43, .varint(let v)): padID = Int32(truncatingIfNeeded: v)
            case (44, .bytes(let v)): unknownSurface = String(decoding: v, as: UTF8.self)
            case (3, _), (24, _), (35, _), (40...44, _):
                throw TokenizerError.malformed("SentencePiece model: trainer_spec field \(field) has the wrong wire type")
            default: break
            }
        }
    }

    private mutating func readNormalizerSpec(_ message: ArraySlice<UInt8>) throws {
        var reader = ProtobufReader(bytes: message)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let v)): normalizerName = String(decoding: v, as: UTF8.self)
            case (2, .bytes(let v)): precompiledCharsmap = Array(v)
            case (3, .varint(let v)): addDummyPrefix = v != 0
            case (4, .varint(let v)): removeExtraWhitespaces = v != 0
            case (5, .varint(let v)): escapeWhitespaces = v != 0
            case (1...5, _):
                throw TokenizerError.malformed("SentencePiece model: normalizer_spec field \(field) has the wrong wire type")
            default: break
            }
        }
    }
}

/// Reads protobuf wire format (protobuf docs, "Encoding"): each field is a varint key
/// (number << 3 | wire type) followed by a varint, 8 bytes, a length-delimited run, or 4 bytes.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed32(UInt32)
    }

    let bytes: ArraySlice<UInt8>
    private var position: Int
    private(set) var lastFieldOffset = 0

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    /// The next field, or nil at the end.
    mutating func next() throws -> (Int, Value)? {
        guard position < bytes.endIndex else { return nil }
        lastFieldOffset = position
        let key = try varint()
        let field = Int(key >> 3)
        guard field > 0 else { throw error("field number 0") }
        switch key & 7 {
        case 0:
            return (field, .varint(try varint()))
        case 1:
            return (field, .fixed64(UInt64(littleEndianBytes: try take(8))))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw error("a field of \(length) bytes runs past the end (\(bytes.endIndex - position) left)")
            }
            return (field, .bytes(try take(Int(length))))
        case 5:
            return (field, .fixed32(UInt32(truncatingIfNeeded: UInt64(littleEndianBytes: try take(4)))))
        default:
            throw error("wire type \(key & 7) (groups and unknown types are not used by this format)")
        }
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.endIndex else { throw error("the data ends inside a number") }
            guard shift < 64 else { throw error("a number longer than 10 bytes") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count <= bytes.endIndex - position else { throw error("the data ends inside a field") }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    private func error(_ what: String) -> TokenizerError {
        TokenizerError.malformed("invalid protobuf at byte \(lastFieldOffset): \(what)")
    }
}

extension UInt64 {
    init(littleEndianBytes bytes: ArraySlice<UInt8>) {
        self = bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension TokenizerDefinition {
    /// sentencepiece's rules (src/bpe_model.cc `Model::SampleEncodeAsIds`... `Encode`,
    /// src/normalizer.cc, src/sentencepiece_processor.cc `Decode`) for a BPE model.
    init(sentencePiece model: SentencePieceModel) throws {
        guard model.modelType == 2 else {
            let name = [1: "unigram", 3: "word", 4: "char"][Int(model.modelType)] ?? "type \(model.modelType)"
            throw TokenizerError.unsupported("SentencePiece \(name) models are not supported; only BPE models (Llama 2, Mistral)")
        }
        guard model.precompiledCharsmap.isEmpty else {
            throw TokenizerError.unsupported("SentencePiece normalization '\(model.normalizerName)' (a precompiled character map) is not supported; only identity normalization (Llama 2)")
        }
        guard !model.treatWhitespaceAsSuffix else {
            throw TokenizerError.unsupported("SentencePiece treat_whitespace_as_suffix is not supported")
        }
        let tokens = model.pieces.map(\.text)
        let attributes = model.pieces.map { TokenAttributes(type: $0.type) }
        // Pieces that BPE may produce: normal, user-defined and unused (`pieces_` in bpe_model.cc).
        self.init(
            tokens: tokens, attributes: attributes, alphabet: .characters,
            merges: .scores(model.pieces.map(\.score), results: [.normal, .userDefined, .unused])
        )
        self.pieces = zip(model.pieces, attributes).map { piece, attributes in
            if attributes.contains(.unknown) { return Array(model.unknownSurface.utf8) }
            return Tokenizer.llamaCppPiece(text: piece.text, attributes: attributes, alphabet: .characters)
        }
        let valid = 0..<Int32(tokens.count)
        escapeSpaces = model.escapeWhitespaces
        removeExtraSpaces = model.removeExtraWhitespaces
        spacePrefix = model.addDummyPrefix ? .inputStart : .never
        leadingSpace = model.addDummyPrefix ? .firstNormalPiece : .keep
        byteRuns = .replaceInvalidBytes
        byteFallback = model.byteFallback
        unknownID = valid.contains(model.unknownID) ? model.unknownID : nil
        fuseUnknown = true
        bosID = valid.contains(model.bosID) ? model.bosID : nil
        eosID = valid.contains(model.eosID) ? model.eosID : nil
        if let bosID { prefixIDs = [bosID] }
        detectSpecialByName = false
        hiddenAttributes = .control  // sentencepiece renders <unk> as its surface, " ⁇ "
    }
}
