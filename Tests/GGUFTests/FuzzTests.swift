import Foundation
import Testing
@testable import GGUF

/// Damaged files must either parse to a fully validated result or throw `GGUFError`; a trap
/// here takes the whole test process down, which is the failure this suite exists to catch.
@Suite struct FuzzTests {
    enum Outcome { case parsed, threw }

    @discardableResult
    func check(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        do {
            let file = try parse(bytes)
            checkValidated(file, sourceLocation: sourceLocation)
            return .parsed
        } catch is GGUFError {
            return .threw
        } catch {
            Issue.record("non-GGUFError \(error)", sourceLocation: sourceLocation)
            return .threw
        }
    }

    @Test func truncatedAtEveryByte() throws {
        let bytes = try fixtureBytes("tiny-v3.gguf")
        let original = try parse(bytes)
        let lastByte = original.tensors.map { $0.offset + $0.byteCount }.max() ?? 0
        for length in 0..<bytes.count {
            let outcome = check(Array(bytes[0..<length]))
            // Short of the last tensor's end the file cannot be complete.
            if length < lastByte {
                #expect(outcome == .threw, "prefix of \(length) bytes parsed")
            }
        }
    }

    @Test func randomByteAndBitFlips() throws {
        let bytes = try fixtureBytes("tiny-v3.gguf")
        var rng = SeededRNG(seed: 0x6767_7566)
        var threw = 0
        let cases = 6000
        for n in 0..<cases {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<mutated.count, using: &rng)
                if n % 2 == 0 {
                    mutated[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                } else {
                    mutated[i] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            // Half the flips land in the header and directory, where they matter most.
            if n % 4 == 1 {
                let i = Int.random(in: 0..<1664, using: &rng)
                mutated[i] = UInt8.random(in: 0...255, using: &rng)
            }
            if check(mutated) == .threw { threw += 1 }
        }
        // Sanity: the fuzzer did reach the error paths and the success path.
        #expect(threw > 500 && threw < cases)
    }

    @Test(arguments: ["tiny-v3", "tiny-v3-align64"])
    func targetedFieldMutations(_ name: String) throws {
        let bytes = try fixtureBytes("\(name).gguf")
        let fields = try Self.fieldOffsets(bytes)
        #expect(fields.u64.count > 60 && fields.u32.count > 40)
        var rng = SeededRNG(seed: 42)
        var cases = 0
        let u64Values: [UInt64] = [.max, 0, 1, 1 << 62, 1 << 60, 1 << 32, 1 << 63, UInt64(bytes.count), UInt64(bytes.count) + 1]
        for offset in fields.u64 {
            let original = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
            for value in u64Values + [original &+ 1, original &- 1, original &+ 32, rng.next()] {
                var mutated = bytes
                withUnsafeBytes(of: value.littleEndian) { mutated.replaceSubrange(offset..<(offset + 8), with: $0) }
                check(mutated)
                cases += 1
            }
        }
        let u32Values: [UInt32] = [.max, 0, 1, 2, 4, 5, 8, 9, 12, 13, 31, 1 << 31]
        for offset in fields.u32 {
            for value in u32Values + [UInt32.random(in: 0...UInt32.max, using: &rng)] {
                var mutated = bytes
                withUnsafeBytes(of: value.littleEndian) { mutated.replaceSubrange(offset..<(offset + 4), with: $0) }
                check(mutated)
                cases += 1
            }
        }
        #expect(cases > 1000)
    }

    /// Offsets of every length, count, dimension and offset (u64) and every type id and n_dims
    /// (u32) in a valid file, found by walking it independently of the reader.
    static func fieldOffsets(_ bytes: [UInt8]) throws -> (u64: [Int], u32: [Int]) {
        var u64: [Int] = [8, 16], u32: [Int] = [4]
        var at = 24
        func load64() -> Int { Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) }) }
        func load32() -> Int { Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) }) }
        func string() { u64.append(at); let n = load64(); at += 8 + n }
        func value(_ type: Int) throws {
            switch type {
            case 0, 1, 7: at += 1
            case 2, 3: at += 2
            case 4, 5, 6: at += 4
            case 10, 11, 12: at += 8
            case 8: string()
            case 9:
                u32.append(at); let element = load32(); at += 4
                u64.append(at); let count = load64(); at += 8
                for _ in 0..<count { try value(element) }
            default: throw GGUFError(.invalidValue, "fixture walker: type \(type)")
            }
        }
        let tensorCount = Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self) })
        let kvCount = Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self) })
        for _ in 0..<kvCount {
            string()
            u32.append(at); let type = load32(); at += 4
            try value(type)
        }
        for _ in 0..<tensorCount {
            string()
            u32.append(at); let nDims = load32(); at += 4
            for _ in 0..<nDims { u64.append(at); at += 8 }
            u32.append(at); at += 4
            u64.append(at); at += 8
        }
        return (u64, u32)
    }
}
