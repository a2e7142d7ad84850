import Foundation
import Testing
@testable import GGUF

@Suite struct WriterTests {
    static let metadata: [(String, GGUFValue)] = [
        ("general.architecture", .string("llama")),
        ("u8", .uint8(255)), ("i8", .int8(-128)), ("u16", .uint16(65535)), ("i16", .int16(-32768)),
        ("u32", .uint32(.max)), ("i32", .int32(.min)), ("u64", .uint64(.max)), ("i64", .int64(.min)),
        ("f32", .float32(-0.0)), ("f64", .float64(.greatestFiniteMagnitude)),
        ("t", .bool(true)), ("f", .bool(false)), ("s", .string("")), ("emoji", .string("🦙\u{0}x")),
        ("strings", .array([.string("a"), .string(""), .string("ü")])),
        ("nested", .array([.array([.int32(1)]), .array([.string("x"), .string("y")]), .array([])])),
        ("empty", .array([])),
    ]

    static func writer(alignment: Int = 32) -> GGUFWriter {
        var w = GGUFWriter(alignment: alignment)
        for (k, v) in metadata { w.add(k, v) }
        w.addTensor(name: "a", shape: [3, 2], type: .f32, data: (0..<24).map { UInt8($0) })
        w.addTensor(name: "scalar", shape: [], type: .f16, data: [1, 2])
        w.addTensor(name: "q", shape: [64], type: .q4_1, data: [UInt8](repeating: 7, count: 40))
        w.addTensor(name: "empty", shape: [0, 4], type: .f32, data: [])
        return w
    }

    @Test(arguments: [32, 64, 1, 4096])
    func roundTrip(alignment: Int) throws {
        let w = Self.writer(alignment: alignment)
        let file = try parse(try w.serialized())
        #expect(file.version == 3)
        #expect(file.alignment == alignment)
        var keys = Self.metadata.map(\.0)
        if alignment != 32 { keys.append("general.alignment") }
        #expect(file.metadataKeys == keys)
        for (k, v) in Self.metadata {
            #expect(file[k] == v, "\(k)")
        }
        #expect(file.tensors.map(\.name) == w.tensors.map(\.name))
        for (info, t) in zip(file.tensors, w.tensors) {
            #expect(info.shape == t.shape)
            #expect(info.type == t.type)
            #expect(Array(file.data(of: info)) == t.data)
            #expect(info.offset % alignment == 0)
        }
        checkValidated(file)
    }

    @Test func writesAtomicallyToDisk() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-writer-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.gguf").path

        try Self.writer().write(to: path)
        let file = try GGUFFile(path: path)
        #expect(file.tensors.count == 4)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == (try Self.writer().serialized()))

        // A failing write leaves the previous file and no temporary behind.
        var bad = Self.writer()
        bad.addTensor(name: "a", shape: [1], type: .f32, data: [0, 0, 0, 0])
        #expect(throws: GGUFError.self) { try bad.write(to: path) }
        #expect(try GGUFFile(path: path).tensors.count == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.gguf"])
    }

    @Test func rejectsInconsistentInput() {
        func message(_ build: (inout GGUFWriter) -> Void) -> String {
            var w = GGUFWriter()
            build(&w)
            do { _ = try w.serialized(); return "" } catch { return error.description }
        }
        #expect(message { $0.addTensor(name: "t", shape: [3], type: .f32, data: [0]) }.contains("needs 12 bytes, got 1"))
        #expect(message { $0.addTensor(name: "t", shape: [31], type: .q8_0, data: []) }.contains("whole number of blocks"))
        #expect(message { $0.addTensor(name: "t", shape: [1, 1, 1, 1, 1], type: .f32, data: [0, 0, 0, 0]) }.contains("0...4"))
        #expect(message { $0.add("k", .int8(1)); $0.add("k", .int8(2)) }.contains("duplicate metadata key k"))
        #expect(message { $0.add("k", .array([.int8(1), .uint8(2)])) }.contains("homogeneous"))
        #expect(message { $0.alignment = 48 }.contains("power of two"))
        #expect(message { $0.add("general.alignment", .uint32(64)) }.contains("writer's alignment is 32"))
    }
}
