import Grammar

/// Splits a model's output into content and tool calls, incrementally: feed the decoded text as it
/// streams, then `finish()` at the end of generation.
///
/// Design:
/// - Text that might start a call (a marker, a prefix of one, or text at the start of the output
///   that may be a bare JSON call) is held back until it is known. By default (see below for
///   `streamsArguments`) a call is reported when its text is complete and valid: `callStarted` and
///   its arguments then come together, the arguments as one fragment of compact JSON (the model's
///   object re-serialized by `JSONValue`). A call's events are never retracted, which is what lets
///   malformed call text fall back to content.
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
///
/// Streaming arguments (`streamsArguments`), for output a grammar holds to the call syntax from the
/// marker on, so that a call once begun completes validly unless generation is cut short:
/// - A call is announced (`callStarted`) as soon as its name has been read and its arguments object
///   has begun, and its arguments follow as fragments, one per `feed` that extends them. This needs
///   the name before the arguments, which every format writes: `{"name": n, "arguments": {...}}` in
///   Llama 3, Hermes, Mistral Nemo, Firefunction and the generic format, `<function=n>{...}`,
///   `>>>n\n{...}`, `[TOOL_CALLS]n[ARGS]{...}`. A call that cannot be announced early (arguments
///   before the name, arguments written as a string, `<|python_tag|>` payloads, raw code), and the
///   calls after it in the same call text, are reported whole when complete, as without streaming.
/// - The fragments are the arguments' text minified as it arrives: whitespace outside strings
///   dropped, everything else verbatim. So `1.0`, `1e3` and `\u00e9` stay as written, where the
///   default mode re-serializes (`1`, `1000`, `é`); for text that differs from what
///   `JSONValue.serialized` writes only in whitespace (as the templates' `tojson` renders plain
///   values) both modes give the same text, and in any case equal JSON values. A call reported whole in this mode has re-serialized
///   arguments, as in the default mode.
/// - An announced call is never retracted. If its text then turns out malformed or the output ends
///   in it, it stays a call with the arguments that arrived, up to the first byte that cannot
///   continue the JSON (so they may be invalid JSON, e.g. cut off by a token limit), and is listed in
///   `calls`; scanning resumes as text after those arguments. The size bound still applies: a call
///   whose text runs past `maxCallBytes` keeps the arguments read up to the bound.
/// - The id must be sent with `callStarted`: an id the model writes before the arguments
///   (`[CALL_ID]`, or an `"id"` key) is used, one it writes after them (Mistral Nemo's and the
///   generic format's `"id"`, which their grammars put last) comes too late and a generated one is
///   used instead.
/// - Which calls are announced, their fragments' concatenation and the content still depend only on
///   the text, never on how it was split.
public struct ToolCallParser: Sendable {
    public let format: ToolCallFormat
    /// The longest call text (from its marker or first byte) held back waiting to complete.
    public let maxCallBytes: Int
    /// Whether calls are announced as soon as their name is known and their arguments streamed.
    public let streamsArguments: Bool
    private let makeID: @Sendable () -> String

    private var bytes: [UInt8] = []
    /// Bytes before this offset are reported.
    private var position = 0
    private var mode: ParserMode = .start(afterCall: false)
    private var ended = false
    /// The announced calls of the call text being read, their arguments streaming.
    private var streamed: [ArgumentStream] = []
    /// The calls so far: complete ones and, when streaming, announced ones with the arguments so far.
    public private(set) var calls: [ToolCall] = []

    /// - Parameters:
    ///   - format: the model's tool-call syntax (`ToolCallFormat.detect(chatTemplate:)`).
    ///   - maxCallBytes: how much call text may be held back before giving up on it.
    ///   - streamsArguments: announce each call once its name is known and stream its arguments as
    ///     minified fragments, for output a grammar holds to the call syntax (see the type's doc);
    ///     by default a call is reported when complete and valid, its arguments re-serialized.
    ///   - idGenerator: ids for calls the model gave none for; by default `ToolCallID.generator(for:)`.
    public init(
        format: ToolCallFormat, maxCallBytes: Int = 1 << 20, streamsArguments: Bool = false,
        idGenerator: (@Sendable () -> String)? = nil
    ) {
        self.format = format
        self.maxCallBytes = max(64, maxCallBytes)
        self.streamsArguments = streamsArguments
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
    public static func parse(
        _ text: String, format: ToolCallFormat, streamsArguments: Bool = false, idGenerator: (@Sendable () -> String)? = nil
    ) -> (content: String, calls: [ToolCall]) {
        var parser = ToolCallParser(format: format, streamsArguments: streamsArguments, idGenerator: idGenerator)
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
            for k in streamed.indices { streamed[k].offset -= position }
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
        let outcome = bounded(from: i) { format.anchored($0, at: i) }
        let syntax = format  // not `self`, which streamCalls mutates
        let streaming = streamCalls(from: i, contentEnd: position, &events) { syntax.anchoredHeads($0, at: i) }
        switch outcome {
        case .needMore: return false
        case .reject:
            if streaming {
                endStreamedText()
            } else {
                mode = .text(skipSpace: false)
            }
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
        let outcome = bounded(from: m) { format.afterMarker(marker, $0, at: markerEnd) }
        let syntax = format  // not `self`, which streamCalls mutates
        let streaming = streamCalls(from: m, contentEnd: spaceStart(before: m), &events) {
            syntax.headsAfterMarker(marker, $0, at: markerEnd)
        }
        switch outcome {
        case .needMore:
            emit(position..<spaceStart(before: m), &events)
            return false
        case .reject:
            if streaming {
                endStreamedText()
            } else {
                emit(position..<markerEnd, &events)
            }
            return true
        case .accept(let accepted):
            emit(position..<spaceStart(before: m), &events)
            apply(accepted, &events)
            return true
        }
    }

    /// The call text from `start` as far as `maxCallBytes` lets a recognizer see it.
    private func boundedInput(from start: Int) -> (ScanInput, cut: Bool) {
        let limit = start + maxCallBytes
        let cut = bytes.count > limit
        return (ScanInput(bytes: bytes, end: cut ? limit : bytes.count, ended: ended && !cut), cut)
    }

    /// Runs a recognizer on the call text from `start`, within `maxCallBytes` of it.
    private func bounded(from start: Int, _ recognize: (ScanInput) -> ScanInput.Outcome) -> ScanInput.Outcome {
        let (input, cut) = boundedInput(from: start)
        let outcome = recognize(input)
        if case .needMore = outcome, cut || ended { return .reject }
        return outcome
    }

    // MARK: - streaming arguments

    /// When streaming, announces the calls of the call text at `start` whose heads have arrived (after
    /// the content up to `contentEnd`) and streams the arguments of those announced; whether any is.
    /// Runs whatever the recognizer answered, so that which calls are announced does not depend on
    /// whether the text arrived before or with the byte that completes or breaks the call text.
    private mutating func streamCalls(
        from start: Int, contentEnd: Int, _ events: inout [ToolCallEvent], heads: (ScanInput) -> [CallHead]
    ) -> Bool {
        guard streamsArguments else { return false }
        let (input, _) = boundedInput(from: start)
        let found = heads(input)
        guard !found.isEmpty else { return false }
        if streamed.isEmpty { emit(position..<contentEnd, &events) }
        // The size bound may fall inside a character; its bytes past the bound are not read.
        var available = input.end
        while available < bytes.count, available > 0, bytes[available] & 0xC0 == 0x80 { available -= 1 }
        for (k, head) in found.enumerated() {
            if k == streamed.count {
                let id = head.id ?? makeID()
                streamed.append(ArgumentStream(index: calls.count, start: head.argumentsStart))
                calls.append(ToolCall(id: id, name: head.name, arguments: ""))
                events.append(.callStarted(index: calls.count - 1, id: id, name: head.name))
            }
            let fragment = streamed[k].read(bytes, to: available)
            guard !fragment.isEmpty else { continue }
            calls[streamed[k].index].arguments += fragment
            events.append(.arguments(index: streamed[k].index, fragment: fragment))
        }
        return true
    }

    /// The call text of announced calls was rejected (malformed, cut short, past the bound): the calls
    /// stay as they are and the scan goes on as text after the last one's arguments.
    private mutating func endStreamedText() {
        position = streamed.last?.offset ?? position
        streamed = []
        mode = .text(skipSpace: true)
    }

    private mutating func apply(_ accepted: ScanInput.Accepted, _ events: inout [ToolCallEvent]) {
        if !accepted.content.isEmpty { events.appendContent(accepted.content) }
        // Announced calls have streamed all their arguments by now: the call text is complete.
        let announced = streamed.count
        streamed = []
        for call in accepted.calls.dropFirst(announced) {
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
