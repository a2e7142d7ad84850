import Grammar

/// The beginning of a call, as far as streaming needs it: its name has been read and its arguments
/// object has begun, so it can be announced and its arguments streamed (`streamsArguments`).
struct CallHead: Equatable {
    var name: String
    /// The id the model wrote before the arguments, if any.
    var id: String?
    /// Offset of the arguments object's `{`.
    var argumentsStart: Int
}

/// The heads of the calls in a call text, in order, read from a prefix of it. A head depends only on
/// the text up to its arguments' `{`, so a longer prefix gives the same heads and maybe more: heads
/// found on any split of the text are the same. The list stops at the first call that cannot be
/// streamed (arguments before the name, arguments that are a string, raw code): that call and those
/// after it are reported when the call text is complete, as without streaming.
extension ToolCallFormat {
    /// Heads of an unmarked call starting at `i` (see `anchored`).
    func anchoredHeads(_ input: ScanInput, at i: Int) -> [CallHead] {
        switch self {
        case .llama3: input.callObjectHead(at: i, ids: true).map { [$0] } ?? []
        case .generic: input.genericHeads(at: i)
        case .functionaryV32: input.recipientHead(at: i, atStart: true)
        default: []
        }
    }

    /// Heads of the calls after `marker`, which ends at `i` (see `afterMarker`). `<|python_tag|>`
    /// payloads are not streamed: what they are (JSON, a builtin call, code) is known only at their end.
    func headsAfterMarker(_ marker: String, _ input: ScanInput, at i: Int) -> [CallHead] {
        switch marker {
        case "<tool_call>": input.callObjectHead(at: input.skipSpace(i), ids: true).map { [$0] } ?? []
        case "[TOOL_CALLS]": input.mistralHeads(at: input.skipSpace(i))
        case "functools[": input.callArrayHeads(at: i - 1, ids: false)
        case "<function=": input.functionTagHead(at: i)
        case ">>>": input.recipientHead(at: i, atStart: false)
        default: []
        }
    }
}

extension ScanInput {
    /// The head of a call object `{"name": n, "arguments" | "parameters": {...` at `i` (other keys
    /// may come first; `"id"` before the arguments is the call's id when `ids`). Nil while the
    /// arguments have not begun, or when the name does not come first or the arguments are not an
    /// object. A model's id written after the arguments comes too late to announce the call with.
    func callObjectHead(at i: Int, ids: Bool) -> CallHead? {
        guard i < end, bytes[i] == UInt8(ascii: "{") else { return nil }
        var name: String?
        var id: String?
        var j = skipSpace(i + 1)
        while let (key, v) = objectKey(at: j) {
            if key == "arguments" || key == "parameters" {
                guard let name, bytes[v] == UInt8(ascii: "{") else { return nil }
                return CallHead(name: name, id: id, argumentsStart: v)
            }
            guard let e = valueEnd(at: v) else { return nil }
            if key == "name" {
                guard let s = string(v..<e), !s.isEmpty else { return nil }
                name = s
            } else if ids, key == "id", let s = string(v..<e), !s.isEmpty {
                id = s
            }
            j = skipSpace(e)
            guard j < end, bytes[j] == UInt8(ascii: ",") else { return nil }
            j = skipSpace(j + 1)
        }
        return nil
    }

    /// Heads of a JSON array of call objects at `i`, one per element up to the first that cannot be
    /// streamed (see `callObjectHead`).
    func callArrayHeads(at i: Int, ids: Bool) -> [CallHead] {
        guard i < end, bytes[i] == UInt8(ascii: "[") else { return [] }
        var heads: [CallHead] = []
        var j = skipSpace(i + 1)
        while let head = callObjectHead(at: j, ids: ids) {
            heads.append(head)
            guard case .complete(let e) = JSONExtent.scan(bytes, from: j, end: end) else { break }
            j = skipSpace(e)
            guard j < end, bytes[j] == UInt8(ascii: ",") else { break }
            j = skipSpace(j + 1)
        }
        return heads
    }

    /// The generic format's `{"tool_call": {...}}` or `{"tool_calls": [...]}`.
    func genericHeads(at i: Int) -> [CallHead] {
        guard i < end, bytes[i] == UInt8(ascii: "{") else { return [] }
        var j = skipSpace(i + 1)
        while let (key, v) = objectKey(at: j) {
            if key == "tool_call" { return callObjectHead(at: v, ids: true).map { [$0] } ?? [] }
            if key == "tool_calls" { return callArrayHeads(at: v, ids: true) }
            guard let e = valueEnd(at: v) else { return [] }
            j = skipSpace(e)
            guard j < end, bytes[j] == UInt8(ascii: ",") else { return [] }
            j = skipSpace(j + 1)
        }
        return []
    }

    /// After `[TOOL_CALLS]`: an array of call objects, or `name[CALL_ID]id[ARGS]{`.
    func mistralHeads(at j: Int) -> [CallHead] {
        guard j < end else { return [] }
        if bytes[j] == UInt8(ascii: "[") { return callArrayHeads(at: j, ids: true) }
        let (name, k) = name(at: j, dotted: true)
        guard !name.isEmpty else { return [] }
        var id: String?
        var a = k
        if case .match(let e) = match("[CALL_ID]", at: k) {
            let (given, f) = self.name(at: e)
            id = given.isEmpty ? nil : given
            a = f
        }
        guard case .match(let e) = match("[ARGS]", at: a) else { return [] }
        return arguments(at: skipSpace(e), name: name, id: id)
    }

    /// `name>{` after `<function=`.
    func functionTagHead(at i: Int) -> [CallHead] {
        let (name, j) = name(at: i, dotted: true)
        guard !name.isEmpty, j < end, bytes[j] == UInt8(ascii: ">") else { return [] }
        return arguments(at: skipSpace(j + 1), name: name, id: nil)
    }

    /// Functionary v3.2's `name\n{`; recipient `all` is text, not a call.
    func recipientHead(at i: Int, atStart: Bool) -> [CallHead] {
        var i = i
        if atStart, case .match(let e) = match(">>>", at: i) { i = e }
        let (name, j) = name(at: i)
        guard !name.isEmpty, name != "all", j < end, bytes[j] == UInt8(ascii: "\n") else { return [] }
        return arguments(at: skipSpace(j + 1), name: name, id: nil)
    }

    // MARK: - reading a prefix of JSON

    /// A call whose arguments object starts at `i`, once its `{` is there.
    private func arguments(at i: Int, name: String, id: String?) -> [CallHead] {
        guard i < end, bytes[i] == UInt8(ascii: "{") else { return [] }
        return [CallHead(name: name, id: id, argumentsStart: i)]
    }

    /// An object member's key at `i` and where its value starts, once the value's first byte is there.
    private func objectKey(at i: Int) -> (String, value: Int)? {
        guard i < end, bytes[i] == UInt8(ascii: "\""), case .complete(let e) = JSONExtent.scan(bytes, from: i, end: end),
              let key = string(i..<e) else { return nil }
        let colon = skipSpace(e)
        guard colon < end, bytes[colon] == UInt8(ascii: ":") else { return nil }
        let v = skipSpace(colon + 1)
        return v < end ? (key, v) : nil
    }

    /// Where the value at `i` ends, once that is known: a string, object or array by `JSONExtent`; a
    /// number or literal at the first byte that cannot be part of it.
    private func valueEnd(at i: Int) -> Int? {
        let c = bytes[i]
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            guard case .complete(let e) = JSONExtent.scan(bytes, from: i, end: end) else { return nil }
            return e
        }
        var j = i
        while j < end, bytes[j] != UInt8(ascii: ","), bytes[j] != UInt8(ascii: "}"), bytes[j] != UInt8(ascii: "]"),
              !ScanInput.isSpace(bytes[j]) { j += 1 }
        return j < end && j > i ? j : nil
    }

    /// The JSON string literal in `range`, decoded.
    private func string(_ range: Range<Int>) -> String? {
        (try? JSONValue(parsing: Array(bytes[range])))?.stringValue
    }
}
