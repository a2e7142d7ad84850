import Grammar

/// Splits a model's output into content and tool calls, incrementally: feed the decoded text as it
/// streams, then `finish()` at the end of generation.
///
/// Design:
/// - Text that might start a call (a marker, a prefix of one, or text at the start of the output
///   that may be a bare JSON call) is held back until it is known. A call is reported when its text
///   is complete and valid: `callStarted` and its arguments then come together, the arguments as one
///   fragment of compact JSON (the model's object re-serialized by `JSONValue`). A call's events are
///   never retracted, which is what lets malformed call text fall back to content.
/// - Every decision depends only on the text, never on how it was split, so any split gives the
///   same calls, the same arguments and the same total content as the whole text.
/// - Malformed call text (broken JSON, an object that is not a call, a missing name) is content,
///   verbatim: the marker becomes content and the scan continues after it, so a later good call is
///   still found.
/// - Whitespace between content and a call, between calls and after the last call is framing and
///   dropped; so are end-of-turn tokens (`<|eot_id|>`, `<|eom_id|>`) should they reach the text.
/// - Markers are recognized wherever they appear, as llama.cpp does (they are special tokens in the
///   models' vocabularies, so a model writing prose does not emit them by accident); what follows a
///   marker and is not a call makes the marker content. Formats whose calls carry no marker (Llama 3's
///   bare JSON, the generic format, Functionary v3.2's recipients) recognize them only at the start
///   of the output (Llama 3: or right after another call), as llama.cpp's grammar triggers do: a JSON
///   object in the middle of prose is content.
/// - Held text is bounded: a call whose text runs past `maxCallBytes` without completing is content,
///   and at `finish()` whatever is still held is resolved (a call cut short is content).
public struct ToolCallParser: Sendable {
    public let format: ToolCallFormat
    /// The longest call text (from its marker or first byte) held back waiting to complete.
    public let maxCallBytes: Int
    private let makeID: @Sendable () -> String

    private var bytes: [UInt8] = []
    /// Bytes before this offset are reported.
    private var position = 0
    private var mode: ParserMode = .start(afterCall: false)
    private var ended = false
    /// The calls so far, complete.
    public private(set) var calls: [ToolCall] = []

    /// - Parameters:
    ///   - format: the model's tool-call syntax (`ToolCallFormat.detect(chatTemplate:)`).
    ///   - maxCallBytes: how much call text may be held back before giving up on it.
    ///   - idGenerator: ids for calls the model gave none for; by default `ToolCallID.generator(for:)`.
    public init(format: ToolCallFormat, maxCallBytes: Int = 1 << 20, idGenerator: (@Sendable () -> String)? = nil) {
        self.format = format
        self.maxCallBytes = max(64, maxCallBytes)
        self.makeID = idGenerator ?? ToolCallID.generator(for: format)
    }

    /// Takes the next piece of decoded text.
    public mutating func feed(_ text: String) -> [ToolCallEvent] {
        bytes.append(contentsOf: text.utf8)
        return run()
    }

    /// Ends the output: held text is resolved as content or as a completed call.
    public mutating func finish() -> [ToolCallEvent] {
        ended = true
        return run()
    }

    /// Content and calls of a whole output (`feed` then `finish`).
    public static func parse(_ text: String, format: ToolCallFormat, idGenerator: (@Sendable () -> String)? = nil)
        -> (content: String, calls: [ToolCall])
    {
        var parser = ToolCallParser(format: format, idGenerator: idGenerator)
        var content = ""
        for case .content(let s) in parser.feed(text) + parser.finish() { content += s }
        return (content, parser.calls)
    }

    // MARK: - scanning

    private mutating func run() -> [ToolCallEvent] {
        var events: [ToolCallEvent] = []
        while step(&events) {}
        if position > 0 {
            bytes.removeFirst(position)
            position = 0
        }
        return events
    }

    /// One decision; false when nothing more can be decided until more text arrives.
    private mutating func step(_ events: inout [ToolCallEvent]) -> Bool {
        switch mode {
        case .start(let afterCall): startStep(afterCall: afterCall, &events)
        case .text(let skipSpace): textStep(skipSpace: skipSpace, &events)
        }
    }

    private mutating func startStep(afterCall: Bool, _ events: inout [ToolCallEvent]) -> Bool {
        var i = position
        if format != .functionaryV32 {
            while i < bytes.count, ScanInput.isSpace(bytes[i]) || (afterCall && bytes[i] == UInt8(ascii: ";")) { i += 1 }
        }
        if i == bytes.count {
            guard ended else { return false }
            if afterCall { position = i }  // framing after the last call
            mode = .text(skipSpace: false)
            return true
        }
        if afterCall { position = i }
        guard format.startsAnchoredCall(bytes[i]) else {
            mode = .text(skipSpace: false)
            return true
        }
        switch bounded(from: i, { format.anchored($0, at: i) }) {
        case .needMore: return false
        case .reject:
            mode = .text(skipSpace: false)
            return true
        case .accept(let accepted):
            apply(accepted, &events)
            return true
        }
    }

    private mutating func textStep(skipSpace: Bool, _ events: inout [ToolCallEvent]) -> Bool {
        if skipSpace {
            while position < bytes.count, ScanInput.isSpace(bytes[position]) { position += 1 }
            if position == bytes.count { return false }
            mode = .text(skipSpace: false)
        }
        guard let (m, marker) = firstMarker() else {
            var emitEnd = ended ? bytes.count : bytes.count - heldMarkerPrefix()
            if !ended { emitEnd = spaceStart(before: emitEnd) }
            emit(position..<emitEnd, &events)
            return false
        }
        let markerEnd = m + marker.utf8.count
        switch bounded(from: m, { format.afterMarker(marker, $0, at: markerEnd) }) {
        case .needMore:
            emit(position..<spaceStart(before: m), &events)
            return false
        case .reject:
            emit(position..<markerEnd, &events)
            return true
        case .accept(let accepted):
            emit(position..<spaceStart(before: m), &events)
            apply(accepted, &events)
            return true
        }
    }

    /// Runs a recognizer on the call text from `start`, within `maxCallBytes` of it.
    private func bounded(from start: Int, _ recognize: (ScanInput) -> ScanInput.Outcome) -> ScanInput.Outcome {
        let limit = start + maxCallBytes
        let cut = bytes.count > limit
        let outcome = recognize(ScanInput(bytes: bytes, end: cut ? limit : bytes.count, ended: ended && !cut))
        if case .needMore = outcome, cut || ended { return .reject }
        return outcome
    }

    private mutating func apply(_ accepted: ScanInput.Accepted, _ events: inout [ToolCallEvent]) {
        if !accepted.content.isEmpty { events.appendContent(accepted.content) }
        for call in accepted.calls {
            let index = calls.count
            let id = call.id ?? makeID()
            calls.append(ToolCall(id: id, name: call.name, arguments: call.arguments))
            events.append(.callStarted(index: index, id: id, name: call.name))
            events.append(.arguments(index: index, fragment: call.arguments))
        }
        position = accepted.end
        mode = accepted.next
    }

    private mutating func emit(_ range: Range<Int>, _ events: inout [ToolCallEvent]) {
        guard !range.isEmpty else { return }
        events.appendContent(String(decoding: bytes[range], as: UTF8.self))
        position = range.upperBound
    }

    /// The earliest complete marker at or after `position`.
    private func firstMarker() -> (Int, String)? {
        var best: (Int, String)?
        let input = ScanInput(bytes: bytes, end: bytes.count, ended: ended)
        for marker in format.markers {
            if let at = input.find(marker, from: position), at < (best?.0 ?? Int.max) { best = (at, marker) }
        }
        return best
    }

    /// The length of the longest tail of the text that is a proper prefix of a marker.
    private func heldMarkerPrefix() -> Int {
        var held = 0
        for marker in format.markers {
            let m = Array(marker.utf8)
            var k = min(m.count - 1, bytes.count - position)
            while k > held {
                if bytes[(bytes.count - k)...].elementsEqual(m[..<k]) {
                    held = k
                    break
                }
                k -= 1
            }
        }
        return held
    }

    /// Where the whitespace that ends `position..<end` starts.
    private func spaceStart(before end: Int) -> Int {
        var s = end
        while s > position, ScanInput.isSpace(bytes[s - 1]) { s -= 1 }
        return s
    }
}

extension Array where Element == ToolCallEvent {
    /// Appends content, joined to a content event just before it.
    mutating func appendContent(_ text: String) {
        if case .content(let previous)? = last {
            self[count - 1] = .content(previous + text)
        } else {
            append(.content(text))
        }
    }
}
