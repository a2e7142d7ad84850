// Timing harness for Tensor's Dot/MatVec kernels (not a test). Build and run with
// scripts/bench/quant_bench.sh. Single thread, best of 7, random data (seeded).
import Foundation
import GGUF
import Tensor

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

struct Rng {
    var s: UInt64
    mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random rows whose f16 fields are small finite values (every even byte pair patched where it
/// could be a scale is overkill; patching all 16-bit words to a small f16 keeps F16 finite too).
func makeMatrix(_ type: GGMLType, rows: Int, cols: Int) -> [UInt8] {
    var rng = Rng(s: 42)
    let n = rows * cols / type.blockSize * type.blockBytes
    var bytes = [UInt8](repeating: 0, count: n)
    for i in 0..<n { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
    if type == .f32 {
        bytes.withUnsafeMutableBytes { b in
            for i in 0..<(n / 4) { b.storeBytes(of: Float(i % 7) * 0.01, toByteOffset: 4 * i, as: Float.self) }
        }
    } else if type == .f16 || type == .bf16 {
        for i in stride(from: 1, to: n, by: 2) { bytes[i] &= 0x3B }  // keep exponents small and finite
    } else {
        // Clamp every block's leading/trailing bytes' exponent bits a little: finite values suffice for timing.
        for i in stride(from: 1, to: n, by: 2) where bytes[i] & 0x7C == 0x7C { bytes[i] &= 0x3B }
    }
    return bytes
}

func bench(_ type: GGMLType, rows: Int, cols: Int, label: String) {
    let w = makeMatrix(type, rows: rows, cols: cols)
    let rowBytes = cols / type.blockSize * type.blockBytes
    let x = (0..<cols).map { Float($0 % 13) * 0.1 - 0.6 }
    var out = [Float](repeating: 0, count: rows)
    let reps = max(1, 20_000_000 / (rows * cols))
    var best = Double.infinity
    w.withUnsafeBytes { wb in
        x.withUnsafeBufferPointer { xb in
            out.withUnsafeMutableBufferPointer { ob in
                guard let wp = wb.baseAddress, let xp = xb.baseAddress, let op = ob.baseAddress else { return }
                for _ in 0..<7 {
                    let t0 = now()
                    for _ in 0..<reps {
                        MatVec.matvec(type, weights: wp, rowBytes: rowBytes, x: xp, out: op, rows: 0..<rows, cols: cols)
                    }
                    best = min(best, (now() - t0) / Double(reps))
                }
            }
        }
    }
    let nsPerRow = best / Double(rows) * 1e9
    let gbs = Double(rows * rowBytes) / best / 1e9
    let gflops = 2.0 * Double(rows * cols) / best / 1e9
    print(String(format: "%-5@ %-28@ %8.1f ns/row  %6.2f GB/s weights  %6.2f GFLOP/s  (checksum %.3g)",
                 "\(type)" as NSString, label as NSString, nsPerRow, gbs, gflops, out.reduce(0, +)))
}

let args = CommandLine.arguments.dropFirst()
let all: [GGMLType] = [.q4_1, .q8_0, .q4_0, .q4_K, .q6_K, .q5_K, .q5_0, .q5_1, .f16, .f32, .bf16, .q2_K, .q3_K]
if args.isEmpty || args.contains("hot") {
    bench(.q4_1, rows: 576, cols: 576, label: "576x576 (L2-resident)")
    bench(.q4_1, rows: 1536, cols: 576, label: "1536x576 (ffn up/gate)")
    bench(.q4_1, rows: 576, cols: 1536, label: "576x1536 (ffn down)")
    bench(.q8_0, rows: 576, cols: 576, label: "576x576 (L2-resident)")
    bench(.q8_0, rows: 49152, cols: 576, label: "49152x576 (output head)")
}
if args.isEmpty || args.contains("all") {
    for type in all { bench(type, rows: 1536, cols: 1536, label: "1536x1536") }
}
