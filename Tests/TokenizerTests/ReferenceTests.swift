import Foundation
import GGUF
import Testing
@testable import Tokenizer

/// The JSON dump of the default model's vocabulary (what the unit tests use without the model)
/// must be what the GGUF reader reads from the model.
@Suite struct ReferenceTests {
    @Test func ggufVocabularyEqualsJSONDump() throws {
        let fromFile = try Vocabulary(gguf: GGUFFile(path: DataFiles.resolve("model:SmolLM2-135M-Instruct.Q4_1.gguf")))
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
