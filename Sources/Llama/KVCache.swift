#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keys and values of every layer for a fixed set of sequences, in f16 as llama.cpp stores
/// them by default. Keys are grouped by KV head (each head's rows contiguous, so attention
/// streams them); values are transposed, as llama.cpp stores them without flash attention,
/// so that each attention output element is one contiguous dot product over positions.
///
/// Each sequence owns `capacity` positions. The memory is reserved with calloc and stays zero
/// pages until a position is written, so a cache for many long sequences costs only what is used.
final class KVCache {
    let layers: Int
    let sequences: Int
    let capacity: Int
    let kvDimension: Int
    let kvHeads: Int
    let headSize: Int
    /// `capacity` rounded up to whole blocks of 32 positions (the f16 dot products' stride).
    let paddedCapacity: Int
    /// Positions filled, per sequence.
    private(set) var lengths: [Int]

    private let keys: UnsafeMutablePointer<Float16>  // (layers, sequences, kvHeads, capacity, headSize)
    private let values: UnsafeMutablePointer<Float16>  // (layers, sequences, kvDimension, paddedCapacity)

    init(layers: Int, sequences: Int, capacity: Int, kvHeads: Int, headSize: Int) throws {
        self.layers = layers
        self.sequences = sequences
        self.capacity = capacity
        self.kvHeads = kvHeads
        self.headSize = headSize
        kvDimension = kvHeads * headSize
        paddedCapacity = (capacity + 31) / 32 * 32
        lengths = Array(repeating: 0, count: sequences)
        let keyCount = layers * sequences * capacity * kvDimension
        let valueCount = layers * sequences * kvDimension * paddedCapacity
        guard let k = calloc(max(keyCount, 1), 2), let v = calloc(max(valueCount, 1), 2) else {
            throw LlamaError("cannot reserve \((keyCount + valueCount) * 2) bytes of KV cache for "
                + "\(sequences) sequence(s) of \(capacity) tokens")
        }
        keys = k.bindMemory(to: Float16.self, capacity: max(keyCount, 1))
        values = v.bindMemory(to: Float16.self, capacity: max(valueCount, 1))
    }

    deinit {
        free(keys)
        free(values)
    }

    /// Bytes the cache holds for `positions` positions of one sequence.
    static func bytes(layers: Int, kvDimension: Int, positions: Int) -> Int {
        2 * layers * kvDimension * positions * MemoryLayout<Float16>.stride
    }

    /// Keys of one sequence in one layer: `(kvHeads, capacity, headSize)`.
    func keys(layer: Int, sequence: Int) -> UnsafeMutablePointer<Float16> {
        keys + (layer * sequences + sequence) * capacity * kvDimension
    }

    /// Values of one sequence in one layer, transposed: `(kvDimension, paddedCapacity)`.
    func values(layer: Int, sequence: Int) -> UnsafeMutablePointer<Float16> {
        values + (layer * sequences + sequence) * kvDimension * paddedCapacity
    }

    /// Marks positions up to `length` of `sequence` as filled (they were just written).
    func setLength(_ length: Int, of sequence: Int) {
        lengths[sequence] = length
    }

    /// Forgets positions from `length` on. Their values are zeroed: attention multiplies
    /// positions past the end of a sequence by probability 0, which must not meet a stale inf.
    func truncate(_ sequence: Int, to length: Int) {
        let old = lengths[sequence]
        guard length < old else { return }
        for layer in 0..<layers {
            let v = values(layer: layer, sequence: sequence)
            for d in 0..<kvDimension {
                (v + d * paddedCapacity + length).update(repeating: 0, count: old - length)
            }
        }
        lengths[sequence] = length
    }

    /// Makes `target` a copy of the first `length` positions of `source`.
    func copy(_ source: Int, to target: Int, length: Int) {
        guard source != target else {
            truncate(target, to: length)
            return
        }
        truncate(target, to: 0)
        for layer in 0..<layers {
            for h in 0..<kvHeads {
                let offset = h * capacity * headSize
                (keys(layer: layer, sequence: target) + offset)
                    .update(from: keys(layer: layer, sequence: source) + offset, count: length * headSize)
            }
            let from = values(layer: layer, sequence: source), to = values(layer: layer, sequence: target)
            for d in 0..<kvDimension {
                (to + d * paddedCapacity).update(from: from + d * paddedCapacity, count: length)
            }
        }
        lengths[target] = length
    }
}
