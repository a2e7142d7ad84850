import Foundation
import Testing
@testable import GGUF

/// The reader against what gguf-py reads back from the same files
/// (scripts/reference/make_gguf_fixtures.py writes both).
@Suite struct FixtureTests {
    struct Expected {
        var json: [String: Any]
        var metadata: [(String, GGUFValue)]
    }

    static func load(_ name: String) throws -> Expected {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturePath(name)))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = try #require(json["metadata"] as? [[String: Any]])
        var metadata: [(String, GGUFValue)] = []
        for entry in entries {
            let key = try #require(entry["key"] as? String)
            metadata.append((key, try value(entry)))
        }
        return Expected(json: json, metadata: metadata)
    }

    /// A typed JSON value `{"type": "uint8", "value": ...}` (64-bit integers are strings).
    static func value(_ entry: [String: Any]) throws -> GGUFValue {
        let type = try #require(entry["type"] as? String)
        let raw = entry["value"]
        func number() throws -> NSNumber { try #require(raw as? NSNumber) }
        switch type {
        case "uint8": return .uint8(try number().uint8Value)
        case "int8": return .int8(try number().int8Value)
        case "uint16": return .uint16(try number().uint16Value)
        case "int16": return .int16(try number().int16Value)
        case "uint32": return .uint32(try number().uint32Value)
        case "int32": return .int32(try number().int32Value)
        case "uint64": return .uint64(try #require(UInt64(raw as? String ?? "")))
        case "int64": return .int64(try #require(Int64(raw as? String ?? "")))
        case "float32": return .float32(Float(try number().doubleValue))
        case "float64": return .float64(try number().doubleValue)
        case "bool": return .bool(try #require(raw as? Bool))
        case "string": return .string(try #require(raw as? String))
        case "array": return .array(try #require(raw as? [[String: Any]]).map(value))
        default:
            Issue.record("unknown JSON type \(type)")
            return .bool(false)
        }
    }

    @Test(arguments: ["tiny-v3", "tiny-v3-align64", "tiny-v2"])
    func matchesGGUFPy(_ name: String) throws {
        let expected = try Self.load("\(name).json")
        let file = try GGUFFile(path: fixturePath("\(name).gguf"))
        let json = expected.json

        #expect(file.version == json["version"] as? Int)
        #expect(file.alignment == json["alignment"] as? Int)
        #expect(file.dataOffset == json["data_offset"] as? Int)
        #expect(file.fileSize == json["file_size"] as? Int)

        #expect(file.metadataKeys == expected.metadata.map(\.0))
        #expect(file.metadata.count == expected.metadata.count)
        for (key, value) in expected.metadata {
            #expect(file[key] == value, "metadata \(key)")
        }

        let tensors = try #require(json["tensors"] as? [[String: Any]])
        #expect(file.tensors.map(\.name) == tensors.map { $0["name"] as? String })
        for (info, t) in zip(file.tensors, tensors) {
            #expect(info.shape == t["shape"] as? [Int], "\(info.name)")
            #expect(info.type.description == t["type"] as? String, "\(info.name)")
            #expect(Int(info.type.rawValue) == t["type_id"] as? Int, "\(info.name)")
            #expect(info.offset == t["offset"] as? Int, "\(info.name)")
            #expect(info.byteCount == t["byte_count"] as? Int, "\(info.name)")
            #expect(info.elementCount == t["element_count"] as? Int, "\(info.name)")
            let hex = file.data(of: info).map { String(format: "%02x", $0) }.joined()
            #expect(hex == t["data_hex"] as? String, "\(info.name) data")
        }
        checkValidated(file)
    }

    @Test func typedAccessors() throws {
        let file = try GGUFFile(path: fixturePath("tiny-v3.gguf"))
        #expect(file["general.architecture"]?.string == "llama")
        #expect(file["llama.block_count"]?.int == 1)
        #expect(file["test.uint64"]?.int == nil)  // 2^64 - 1 does not fit in Int
        #expect(file["test.int64"]?.int == Int.min)
        #expect(file["test.int8"]?.float == -100)
        #expect(file["test.float32"]?.float == Double(Float(0.1)))
        #expect(file["test.bool_true"]?.bool == true)
        #expect(file["test.string_utf8"]?.string == "héllo ✓ 🦙")
        #expect(file["tokenizer.ggml.tokens"]?.stringArray == ["<unk>", "<s>", "</s>", "▁hello", "ü", "\n"])
        #expect(file["tokenizer.ggml.token_type"]?.intArray == [2, 3, 3, 1, 1, 6])
        #expect(file["tokenizer.ggml.scores"]?.floatArray == [0, -1.5, 2.25])
        #expect(file["tokenizer.ggml.tokens"]?.intArray == nil)
        #expect(file["test.array_of_arrays"]?.array?.compactMap(\.intArray) == [[1, 2, 3], [4], [5, 6]])
        #expect(file["missing"] == nil)
        let embd = try #require(file.tensor(named: "token_embd.weight"))
        let floats = file.data(of: embd).withMemoryRebound(to: Float.self) { Array($0) }
        #expect(floats == (0..<24).map { Float($0) * 0.5 - 3 })
        #expect(file.tensor(named: "nope") == nil)
    }

    @Test func missingFileNamesPath() {
        #expect {
            _ = try GGUFFile(path: "/nonexistent/model.gguf")
        } throws: { error in
            let e = error as? GGUFError
            return e?.kind == .io && "\(error)".contains("/nonexistent/model.gguf")
        }
    }
}
