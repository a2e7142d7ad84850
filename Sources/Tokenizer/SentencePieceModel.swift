/// A SentencePiece `tokenizer.model`: the `ModelProto` protobuf message.
///
/// Field numbers and defaults from sentencepiece src/sentencepiece_model.proto: ModelProto
/// pieces = 1, trainer_spec = 2, normalizer_spec = 3; SentencePiece piece = 1, score = 2,
/// type = 3 (NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6); TrainerSpec
/// model_type = 3 (UNIGRAM 1, BPE 2, WORD 3, CHAR 4), treat_whitespace_as_suffix = 24,
/// byte_fallback = 35, unk_id = 40, bos_id = 41, eos_id = 42, unk_surface = 44;
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
            case (44, .bytes(let v)): unknownSurface = String(decoding: v, as: UTF8.self)
            case (3, _), (24, _), (35, _), (40...42, _), (44, _):
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

extension TokenizerDefinition {
    /// sentencepiece's rules (src/bpe_model.cc `bpe::Model::Encode`,
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
        // `DecodeSentencePiece`: "▁" is a space in every piece but control and unknown ones.
        self.pieces = zip(model.pieces, attributes).map { piece, attributes in
            if attributes.contains(.unknown) { return Array(model.unknownSurface.utf8) }
            if !attributes.isDisjoint(with: [.userDefined, .unused]) { return Array(piece.text.replacingMarkers().utf8) }
            return Tokenizer.llamaCppPiece(text: piece.text, attributes: attributes, alphabet: .characters)
        }
        let valid = 0..<Int32(tokens.count)
        // normalizer.cc: the dummy prefix and "▁" for spaces belong to normalization, so
        // user-defined pieces are matched in that text ("▁<|sep|>" can match the prefix).
        removeExtraSpaces = model.removeExtraWhitespaces
        if model.escapeWhitespaces { normalizer.append(.replace(" ", "\u{2581}")) }
        if model.addDummyPrefix { normalizer.append(.prepend(model.escapeWhitespaces ? "\u{2581}" : " ")) }
        leadingSpace = model.removeExtraWhitespaces ? .whileOutputEmpty : model.addDummyPrefix ? .firstNormalPiece : .keep
        byteRuns = .replaceInvalidBytes
        byteFallback = model.byteFallback
        unknownID = valid.contains(model.unknownID) ? model.unknownID : nil
        fuseUnknown = true
        bosID = valid.contains(model.bosID) ? model.bosID : nil
        eosID = valid.contains(model.eosID) ? model.eosID : nil
        if let bosID { prefixIDs = [bosID] }
        detectSpecialByName = false
        // User-defined pieces are found in the normalized text, leftmost longest (bpe_model.cc
        // `matcher_->PrefixMatch`).
        leftmostLongest = true
        normalizedTokens = Set(attributes.indices.filter { attributes[$0].contains(.userDefined) }.map(Int32.init))
        hiddenAttributes = .control  // sentencepiece renders <unk> as its surface, " ⁇ "
    }
}
