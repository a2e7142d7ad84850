/// The accepted tokens the penalties look at: a window of the last `window` tokens (all of
/// them when `window` is negative) and how often each token occurs in it. As
/// llama_sampler_penalties (src/llama-sampler.cpp), which keeps a ring buffer and a count map.
struct TokenHistory: Sendable {
    /// Tokens in the window; negative means unbounded.
    let window: Int
    /// The window's tokens once it is full, oldest at `head`; grows to `window` entries.
    private var ring: [Int32] = []
    private var head = 0
    /// Occurrences of each token in the window (only tokens that occur).
    private(set) var counts: [Int32: Int32] = [:]

    init(window: Int) {
        self.window = window
    }

    mutating func append(_ token: Int32) {
        if window == 0 { return }
        counts[token, default: 0] += 1
        if window < 0 { return }
        if ring.count < window {
            ring.append(token)
            return
        }
        let oldest = ring[head]
        if let count = counts[oldest], count > 1 {
            counts[oldest] = count - 1
        } else {
            counts[oldest] = nil
        }
        ring[head] = token
        head = (head + 1) % window
    }

    mutating func removeAll() {
        ring.removeAll(keepingCapacity: true)
        head = 0
        counts.removeAll(keepingCapacity: true)
    }
}
