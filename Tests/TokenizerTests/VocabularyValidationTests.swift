import Testing
@testable import Tokenizer

/// A hand-made byte-level vocabulary: the 256 byte tokens, then `extra`.
func tinyVocabulary(extra: [String] = ["ab", "bc", "abc"], merges: [String] = ["b c", "a b", "ab c"],
                    types: [Int32]? = nil, preTokenizer: String = "smollm") -> Vocabulary {
    let tokens = (0..<256).map { ByteLevel.encode([UInt8($0)]) } + extra + ["<|end|>"]
    var tokenTypes = [Int32](repeating: 1, count: tokens.count)
    tokenTypes[tokens.count - 1] = 3
    return Vocabulary(
        tokens: tokens, tokenTypes: types ?? tokenTypes, merges: merges,
        bosID: Int32(tokens.count - 1), eosID: Int32(tokens.count - 1), preTokenizer: preTokenizer
    )
}

@Suite struct VocabularyValidationTests {
    @Test func mergesApplyInRankOrder() throws {
        let tokenizer = try Tokenizer(vocabulary: tinyVocabulary())
        let a: Int32 = 97, ab: Int32 = 256, bc: Int32 = 257, abc: Int32 = 258
        // "b c" outranks "a b", so "abc" becomes a + bc and "ab c" never applies.
        #expect(tokenizer.encode("abc") == [a, bc])
        #expect(tokenizer.encode("abab") == [ab, ab])
        let reordered = try Tokenizer(vocabulary: tinyVocabulary(merges: ["a b", "ab c", "b c"]))
        #expect(reordered.encode("abc") == [abc])
        #expect(reordered.decode([abc, 10, ab]) == "abc\nab")
    }

    @Test func controlTokenTextIsParsedOnlyOnRequest() throws {
        let tokenizer = try Tokenizer(vocabulary: tinyVocabulary())
        let end = Int32(tokenizer.vocabularySize - 1)
        #expect(tokenizer.encode("x<|end|>", parseSpecial: true) == [120, end])
        #expect(tokenizer.encode("x<|end|>", parseSpecial: false).count == 8)
        #expect(tokenizer.isEndOfGeneration(end))
    }

    func expectInconsistent(_ vocabulary: Vocabulary, mentioning fragment: String) {
        #expect {
            _ = try Tokenizer(vocabulary: vocabulary)
        } throws: { error in
            guard let error = error as? TokenizerError else { return false }
            return error.code == .inconsistentVocabulary && error.description.contains(fragment)
        }
    }

    @Test func mergeNamingAnUnknownTokenThrows() {
        expectInconsistent(tinyVocabulary(merges: ["a b", "ab zz"]), mentioning: "'zz'")
    }

    @Test func mergeWhoseResultIsNotATokenThrows() {
        expectInconsistent(tinyVocabulary(merges: ["c a"]), mentioning: "'ca'")
    }

    @Test func malformedMergeThrows() {
        expectInconsistent(tinyVocabulary(merges: ["abc"]), mentioning: "merge 0")
    }

    @Test func endOfMessageEndsGeneration() throws {
        var vocabulary = tinyVocabulary()
        #expect(try !Tokenizer(vocabulary: vocabulary).isEndOfGeneration(258))
        vocabulary.eomID = 258
        #expect(try Tokenizer(vocabulary: vocabulary).isEndOfGeneration(258))
        vocabulary.eomID = 259 + 1
        expectInconsistent(vocabulary, mentioning: "EOM token id 260")
    }

    @Test func outOfRangeSpecialIDsThrow() {
        var vocabulary = tinyVocabulary()
        vocabulary.bosID = 100_000
        expectInconsistent(vocabulary, mentioning: "BOS token id 100000")
        vocabulary = tinyVocabulary()
        vocabulary.eotID = -1
        expectInconsistent(vocabulary, mentioning: "EOT token id -1")
        vocabulary = tinyVocabulary()
        vocabulary.paddingID = Int32(vocabulary.tokens.count)
        expectInconsistent(vocabulary, mentioning: "padding")
    }

    @Test func duplicateTokensAndShortTypeListsThrow() {
        expectInconsistent(tinyVocabulary(extra: ["ab", "ab"], merges: []), mentioning: "both 'ab'")
        expectInconsistent(tinyVocabulary(types: [1, 1]), mentioning: "token types")
    }

    @Test func unsupportedModelAndPreTokenizerThrow() {
        var vocabulary = tinyVocabulary()
        vocabulary.model = "bert"
        #expect { try Tokenizer(vocabulary: vocabulary) } throws: { error in
            (error as? TokenizerError)?.code == .unsupportedModel && "\(error)".contains("'bert'")
        }
        vocabulary.model = "llama"  // SentencePiece needs scores
        expectInconsistent(vocabulary, mentioning: "0 token scores for")
        #expect {
            _ = try Tokenizer(vocabulary: tinyVocabulary(preTokenizer: "no-such-pre"))
        } throws: { error in
            (error as? TokenizerError)?.code == .unsupportedPreTokenizer && "\(error)".contains("smollm")
        }
    }
}
