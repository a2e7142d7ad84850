import ArgumentParser
import Foundation
import Cria
import GGUF

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a GGUF file's metadata and tensor table."
    )

    @Flag(help: "Print one JSON object (metadata in full, tensors with offsets).")
    var json = false

    @Argument(help: "The GGUF file.")
    var path: String

    func run() throws {
        let file = try failing { () throws -> GGUFFile in
            guard FileManager.default.fileExists(atPath: path) else { throw CriaError("no such file: \(path)") }
            do { return try GGUFFile(path: path) } catch let error as GGUFError { throw CriaError("\(error)") }
        }
        if json { try printJSON(file) } else { printText(file) }
    }

    private func printText(_ file: GGUFFile) {
        print("GGUF v\(file.version), \(file.fileSize) bytes, alignment \(file.alignment), "
            + "\(file.metadataKeys.count) metadata keys, \(file.tensors.count) tensors")
        print("\nmetadata:")
        let width = file.metadataKeys.map(\.count).max() ?? 0
        for key in file.metadataKeys {
            guard let value = file[key] else { continue }
            print("  " + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + summary(value))
        }
        print("\ntensors:")
        let nameWidth = file.tensors.map(\.name.count).max() ?? 0
        for t in file.tensors {
            let shape = "[" + t.shape.map(String.init).joined(separator: ", ") + "]"
            print("  " + t.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                + t.type.description.padding(toLength: 5, withPad: " ", startingAt: 0) + "  "
                + shape.padding(toLength: 14, withPad: " ", startingAt: 0) + "  \(t.byteCount) bytes")
        }
        let total = file.tensors.reduce(0) { $0 + $1.byteCount }
        print("\n\(file.tensors.count) tensors, \(total) bytes of tensor data")
    }

    /// One line for a value: long arrays and strings are cut, with their full size shown.
    private func summary(_ value: GGUFValue) -> String {
        switch value {
        case .string(let s):
            let line = s.replacingOccurrences(of: "\n", with: "\\n")
            return line.count > 80 ? "\"\(line.prefix(77))...\" (\(s.utf8.count) bytes)" : "\"\(line)\""
        case .array(let items):
            let head = items.prefix(5).map(summary).joined(separator: ", ")
            return items.count > 5 ? "[\(head), ...] (\(items.count) items)" : "[\(head)]"
        default:
            return "\(jsonValue(value))"
        }
    }

    private func printJSON(_ file: GGUFFile) throws {
        var metadata: [String: Any] = [:]
        for key in file.metadataKeys { if let value = file[key] { metadata[key] = jsonValue(value) } }
        let tensors: [[String: Any]] = file.tensors.map {
            ["name": $0.name, "type": $0.type.description, "shape": $0.shape, "bytes": $0.byteCount, "offset": $0.offset]
        }
        let object: [String: Any] = [
            "path": path, "version": file.version, "file_bytes": file.fileSize, "alignment": file.alignment,
            "metadata": metadata, "tensors": tensors,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    private func jsonValue(_ value: GGUFValue) -> Any {
        switch value {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return v
        case .int64(let v): return v
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        case .bool(let v): return v
        case .string(let v): return v
        case .array(let items): return items.map(jsonValue)
        }
    }
}
