import Foundation
import GGUF
import Testing
@testable import Tokenizer

/// Token ids and bytes must equal llama.cpp's for the default model.
@Suite struct ReferenceTests {
    @Test func encodeMatchesLlamaCpp() throws {
        let tokenizer = try Fixtures.tokenizer()
        let reference = try Fixtures.reference()
        #expect(reference.encode.count >= 200)
        for c in reference.encode {
            let ids = tokenizer.encode(c.text, addSpecial: c.addSpecial, parseSpecial: c.parseSpecial)
            #expect(ids == c.ids, "\(describe(c.text)) addSpecial=\(c.addSpecial) parseSpecial=\(c.parseSpecial)")
        }
    }

    @Test func decodeMatchesLlamaCpp() throws {
        let tokenizer = try Fixtures.tokenizer()
        let reference = try Fixtures.reference()
        for c in reference.decode {
            let bytes = tokenizer.decodeBytes(c.ids, showSpecial: c.showSpecial)
            #expect(bytes.hex == c.hex, "ids \(c.ids.prefix(8))... showSpecial=\(c.showSpecial)")
        }
    }

    @Test func endOfGenerationAndControlTokensMatchLlamaCpp() throws {
        let tokenizer = try Fixtures.tokenizer()
        let reference = try Fixtures.reference()
        #expect(tokenizer.vocabularySize == reference.nVocab)
        let ids = (0..<Int32(tokenizer.vocabularySize))
        #expect(ids.filter(tokenizer.isEndOfGeneration) == reference.eogIDs)
        #expect(ids.filter(tokenizer.isSpecial) == reference.controlIDs)
        // <|endoftext|>, <|im_end|> and <reponame> (a fill-in-the-middle repository marker).
        #expect(reference.eogIDs == [0, 2, 4])
    }

    @Test func decodeInvertsEncode() throws {
        let tokenizer = try Fixtures.tokenizer()
        for c in try Fixtures.reference().encode where !c.addSpecial {
            // Control tokens parsed from the text come back only when shown.
            let decoded = tokenizer.decode(c.ids, showSpecial: c.parseSpecial)
            #expect(decoded == c.text, "\(describe(c.text)) parseSpecial=\(c.parseSpecial)")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: Fixtures.modelPath)))
    func ggufVocabularyEqualsJSONDump() throws {
        let fromFile = try Vocabulary(gguf: GGUFFile(path: Fixtures.modelPath))
        let dumped = try Fixtures.vocabularyFile().vocabulary
        #expect(fromFile.tokens == dumped.tokens)
        #expect(fromFile.tokenTypes == dumped.tokenTypes)
        #expect(fromFile.merges == dumped.merges)
        #expect(fromFile.bosID == dumped.bosID && fromFile.eosID == dumped.eosID)
        #expect(fromFile.eotID == dumped.eotID && fromFile.unknownID == dumped.unknownID)
        #expect(fromFile.paddingID == dumped.paddingID)
        #expect(fromFile.addBOS == dumped.addBOS && fromFile.addEOS == dumped.addEOS)
        #expect(fromFile.preTokenizer == "smollm" && fromFile.model == "gpt2")
    }
}
