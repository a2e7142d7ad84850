/// One token to evaluate, as in an entry of llama.cpp's `llama_batch`: which sequence it
/// belongs to, its position there, and whether its logits are wanted.
public struct LlamaBatchEntry: Sendable, Hashable {
    public var token: Int32
    public var position: Int
    public var sequence: Int
    public var wantsLogits: Bool

    public init(token: Int32, position: Int, sequence: Int = 0, wantsLogits: Bool = false) {
        self.token = token
        self.position = position
        self.sequence = sequence
        self.wantsLogits = wantsLogits
    }
}

/// The logits an evaluation produced: one row of `vocabularySize` for each entry that asked
/// for them, in entry order. The rows live in the context and stay valid until its next
/// evaluation.
public struct LlamaLogits {
    private let base: UnsafePointer<Float>?
    /// Rows (entries that wanted logits).
    public let count: Int
    public let vocabularySize: Int

    init(base: UnsafePointer<Float>?, count: Int, vocabularySize: Int) {
        self.base = base
        self.count = count
        self.vocabularySize = vocabularySize
    }

    /// The logits of the `index`-th entry that wanted them.
    public subscript(index: Int) -> UnsafeBufferPointer<Float> {
        precondition(index >= 0 && index < count, "logits row \(index) of \(count)")
        return UnsafeBufferPointer(start: base.map { $0 + index * vocabularySize }, count: vocabularySize)
    }
}
