/// A grammar that cannot be compiled: what is wrong, and where in the grammar text.
///
/// `line` and `column` are 1-based (the column counts Unicode scalars from the start of the line);
/// `offset` is the 0-based byte offset into the UTF-8 text.
public struct GrammarError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(message: String, line: Int, column: Int, offset: Int) {
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// Locates byte `offset` of `text` (given as UTF-8 bytes).
    init(_ message: String, at offset: Int, in text: [UInt8]) {
        let end = min(max(offset, 0), text.count)
        var line = 1
        var column = 1
        for i in 0..<end {
            let b = text[i]
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        self.init(message: message, line: line, column: column, offset: end)
    }

    public var description: String {
        "grammar error at line \(line), column \(column): \(message)"
    }
}
