/// A streamed call's arguments object, read as its text arrives and minified on the fly: whitespace
/// outside strings is dropped, every other byte kept as written (`1.0`, `\u00e9` stay so). It stops
/// after the object's closing brace, or before the first byte that cannot continue it by
/// `JSONExtent`'s rules, so where it stops depends only on the text.
struct ArgumentStream: Sendable {
    /// The call's index in `ToolCallParser.calls`.
    let index: Int
    /// The next byte to read, in the parser's held bytes.
    var offset: Int
    /// Whether the object has ended (or stopped being JSON).
    private(set) var done = false
    private var scanner = JSONScanner()

    init(index: Int, start: Int) {
        self.index = index
        self.offset = start
    }

    /// Reads `bytes[offset..<end]` (ending on a scalar boundary) and returns the minified text read.
    mutating func read(_ bytes: [UInt8], to end: Int) -> String {
        var kept: [UInt8] = []
        while !done, offset < end {
            let c = bytes[offset]
            switch scanner.read(c) {
            case .space: break
            case .inside: kept.append(c)
            case .last:
                kept.append(c)
                done = true
            case .invalid:
                done = true
                return String(decoding: kept, as: UTF8.self)
            }
            offset += 1
        }
        return String(decoding: kept, as: UTF8.self)
    }
}
