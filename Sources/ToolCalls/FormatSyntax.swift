import Grammar

/// Where `ToolCallParser` is in the output.
enum ParserMode: Sendable, Equatable {
    /// At the start of the output (or, for Llama 3, right after a JSON call), where formats whose calls
    /// have no marker (Llama 3's bare JSON, the generic format, Functionary v3.2's first recipient) may begin.
    case start(afterCall: Bool)
    /// In plain text, looking for a format's markers; `skipSpace` drops whitespace after a call.
    case text(skipSpace: Bool)
}

/// Each format's markers and how the text after one is read. Every answer depends only on the bytes
/// given (and whether the output has ended), never on how they were split into chunks, and an answer
/// other than `.needMore` stays the same however much text follows: that is what makes streaming
/// agree with parsing the whole text.
extension ToolCallFormat {
    /// Strings that start a call (or, for end-of-turn tokens, are dropped) wherever they appear.
    var markers: [String] {
        switch self {
        case .llama3: ["<|python_tag|>", "<|eom_id|>", "<|eot_id|>"]
        case .hermes: ["<tool_call>"]
        case .mistral: ["[TOOL_CALLS]"]
        case .functionaryV31: ["<function=", "<|python_tag|>", "<|eom_id|>", "<|eot_id|>"]
        case .functionaryV32: [">>>", "<|eom_id|>", "<|eot_id|>"]
        // llama.cpp looks for " functools["; the space is framing whitespace here (dropped like any
        // whitespace before a call).
        case .firefunctionV2: ["functools["]
        case .generic: []
        }
    }

    /// Whether a call may begin at the start of the output without a marker, at byte `c` (the first
    /// non-space byte, or the first byte for Functionary v3.2).
    func startsAnchoredCall(_ c: UInt8) -> Bool {
        switch self {
        case .llama3, .generic: c == UInt8(ascii: "{")
        case .functionaryV32: true
        default: false
        }
    }

    /// Reads an unmarked call starting at `i` (see `startsAnchoredCall`).
    func anchored(_ input: ScanInput, at i: Int) -> ScanInput.Outcome {
        switch self {
        case .llama3: llamaJSONCall(input, at: i)
        case .generic: genericDocument(input, at: i)
        case .functionaryV32: recipient(input, at: i, atStart: true)
        default: .reject
        }
    }

    /// Reads what follows `marker`, which ends at `i`.
    func afterMarker(_ marker: String, _ input: ScanInput, at i: Int) -> ScanInput.Outcome {
        switch marker {
        case "<|eom_id|>", "<|eot_id|>":
            // End-of-turn tokens, if the detokenizer passes them on, are not content.
            return .accept(.init(end: i, next: .text(skipSpace: true)))
        case "<tool_call>": return hermesCall(input, at: i)
        case "[TOOL_CALLS]": return mistralCalls(input, at: i)
        case "functools[": return callArray(input, at: i - 1, idKey: false)
        case "<function=": return functionTagCall(input, at: i)
        case "<|python_tag|>": return pythonTag(input, at: i)
        case ">>>": return recipient(input, at: i, atStart: false)
        default: return .reject
        }
    }

    // MARK: - Llama 3

    /// `{"name": n, "parameters": {...}}` (meta-llama-Llama-3.1-8B-Instruct.jinja renders exactly
    /// this; "arguments" is accepted too, as llama.cpp does). Then more calls may follow after `;` or
    /// whitespace.
    private func llamaJSONCall(_ input: ScanInput, at i: Int) -> ScanInput.Outcome {
        switch input.json(at: i) {
        case .needMore: return input.more
        case .invalid: return .reject
        case .value(let v, let e):
            guard let call = DecodedCall(object: v, requireArguments: true) else { return .reject }
            return .accept(.init(calls: [call], end: e, next: .start(afterCall: true)))
        }
    }

    /// After `<|python_tag|>` comes everything up to the end of the turn: JSON call(s), a builtin
    /// tool call `name.call(arg=value, ...)` (Llama 3.1's template renders builtin tools so), or raw
    /// code, which llama.cpp maps to a "python" call with `{"code": ...}` (Llama 3.1's code
    /// interpreter; Functionary v3.1's python tool, whose template writes the arguments as JSON).
    private func pythonTag(_ input: ScanInput, at i: Int) -> ScanInput.Outcome {
        let terminators = [input.find("<|eom_id|>", from: i), input.find("<|eot_id|>", from: i)].compactMap { $0 }
        let payloadEnd: Int
        if let t = terminators.min() {
            payloadEnd = t
        } else if input.ended {
            payloadEnd = input.end
        } else {
            return .needMore
        }
        let payload = ScanInput(bytes: input.bytes, end: payloadEnd, ended: true)
        let start = payload.skipSpace(i)
        var trimmedEnd = payloadEnd
        while trimmedEnd > start, ScanInput.isSpace(input.bytes[trimmedEnd - 1]) { trimmedEnd -= 1 }
        let finish = { (calls: [DecodedCall]) in ScanInput.Outcome.accept(.init(calls: calls, end: payloadEnd, next: .text(skipSpace: true))) }
        guard start < trimmedEnd else { return .reject }
        let first = input.bytes[start]
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "\"") {
            if self == .llama3, let calls = payload.jsonCallSequence(from: start, to: trimmedEnd) { return finish(calls) }
            if case .value(let v, let e) = payload.json(at: start), payload.skipSpace(e) == payloadEnd {
                if self == .functionaryV31, let arguments = DecodedCall.arguments(v) {
                    return finish([DecodedCall(name: "python", arguments: arguments)])
                }
            }
            if self == .llama3, first == UInt8(ascii: "{") { return .reject }
        }
        if self == .llama3, let builtin = payload.builtinCall(from: start, to: trimmedEnd) {
            switch builtin {
            case .call(let call): return finish([call])
            case .malformed: return .reject
            }
        }
        return finish([DecodedCall.python(code: input.text(start..<trimmedEnd))])
    }

    // MARK: - Hermes, Qwen 2.5

    /// `<tool_call>\n{"name": n, "arguments": {...}}\n</tool_call>` (NousResearch-Hermes-2-Pro /
    /// Hermes-3, Qwen-Qwen2.5-7B-Instruct templates). A missing `</tool_call>` is forgiven.
    private func hermesCall(_ input: ScanInput, at i: Int) -> ScanInput.Outcome {
        let j = input.skipSpace(i)
        guard j < input.end else { return input.more }
        guard input.bytes[j] == UInt8(ascii: "{") else { return .reject }
        return closedCall(input, at: j, close: "</tool_call>") { DecodedCall(object: $0) }
    }

    /// The JSON value at `j` made into a call by `make`, then `close` (optional).
    private func closedCall(_ input: ScanInput, at j: Int, close: String, make: (JSONValue) -> DecodedCall?) -> ScanInput.Outcome {
        switch input.json(at: j) {
        case .needMore: return input.more
        case .invalid: return .reject
        case .value(let v, let e):
            guard let call = make(v) else { return .reject }
            let k = input.skipSpace(e)
            switch input.match(close, at: k) {
            case .match(let end): return .accept(.init(calls: [call], end: end, next: .text(skipSpace: true)))
            case .partial where !input.ended: return .needMore
            default: return .accept(.init(calls: [call], end: e, next: .text(skipSpace: true)))
            }
        }
    }

    // MARK: - Functionary v3.1

    /// `<function=name>{...}</function>` (meetkai-functionary-medium-v3.1.jinja); the template writes
    /// the arguments with `tojson`, so a string holding JSON is decoded.
    private func functionTagCall(_ input: ScanInput, at i: Int) -> ScanInput.Outcome {
        let (name, j) = input.name(at: i, dotted: true)
        guard j < input.end else { return input.more }
        guard !name.isEmpty, input.bytes[j] == UInt8(ascii: ">") else { return .reject }
        let k = input.skipSpace(j + 1)
        guard k < input.end else { return input.more }
        return closedCall(input, at: k, close: "</function>") { v in
            DecodedCall.arguments(v).map { DecodedCall(name: name, arguments: $0) }
        }
    }

    // MARK: - Functionary v3.2

    /// `recipient\n...` after `>>>` (meetkai-functionary-medium-v3.2.jinja; the generation prompt
    /// ends in `>>>`, so the output's first segment has none, though one is accepted). Recipient
    /// `all` starts plain text; `python` may carry raw code; any other is a call with JSON arguments.
    private func recipient(_ input: ScanInput, at i: Int, atStart: Bool) -> ScanInput.Outcome {
        var i = i
        if atStart {
            switch input.match(">>>", at: i) {
            case .match(let e): i = e
            case .partial: return input.more
            case .mismatch: break
            }
        }
        let (name, j) = input.name(at: i)
        guard j < input.end else { return input.more }
        guard !name.isEmpty, input.bytes[j] == UInt8(ascii: "\n") else { return .reject }
        if name == "all" { return .accept(.init(end: j + 1, next: .text(skipSpace: false))) }
        let k = input.skipSpace(j + 1)
        guard k < input.end else { return input.more }
        let first = input.bytes[k]
        if name == "python", first != UInt8(ascii: "{") {
            // Raw code runs to the next recipient or the end of the output.
            let stop = [input.find(">>>", from: k), input.find("<|eom_id|>", from: k), input.find("<|eot_id|>", from: k)]
                .compactMap { $0 }.min()
            guard let stop = stop ?? (input.ended ? input.end : nil) else { return .needMore }
            var e = stop
            while e > k, ScanInput.isSpace(input.bytes[e - 1]) { e -= 1 }
            return .accept(.init(calls: [DecodedCall.python(code: input.text(k..<e))], end: stop, next: .text(skipSpace: true)))
        }
        switch input.json(at: k) {
        case .needMore: return input.more
        case .invalid: return .reject
        case .value(let v, let e):
            guard let arguments = DecodedCall.arguments(v) else { return .reject }
            return .accept(.init(calls: [DecodedCall(name: name, arguments: arguments)], end: e, next: .text(skipSpace: true)))
        }
    }

    // MARK: - Mistral, Firefunction

    /// After `[TOOL_CALLS]`: a JSON array of `{"name", "arguments", "id"}` (Mistral Nemo's template),
    /// or `name[CALL_ID]id[ARGS]{...}` (Mistral Small 3.2) / `name[ARGS]{...}` (Devstral).
    private func mistralCalls(_ input: ScanInput, at i: Int) -> ScanInput.Outcome {
        let j = input.skipSpace(i)
        guard j < input.end else { return input.more }
        if input.bytes[j] == UInt8(ascii: "[") { return callArray(input, at: j, idKey: true) }
        let (name, k) = input.name(at: j, dotted: true)
        guard k < input.end else { return input.more }
        guard !name.isEmpty else { return .reject }
        var id: String?
        var a = k
        switch input.match("[CALL_ID]", at: k) {
        case .partial: return input.more
        case .match(let e):
            let (given, f) = input.name(at: e)
            guard f < input.end else { return input.more }
            id = given.isEmpty ? nil : given
            a = f
        case .mismatch: break
        }
        switch input.match("[ARGS]", at: a) {
        case .partial: return input.more
        case .mismatch: return .reject
        case .match(let e):
            let s = input.skipSpace(e)
            guard s < input.end else { return input.more }
            switch input.json(at: s) {
            case .needMore: return input.more
            case .invalid: return .reject
            case .value(let v, let end):
                guard let arguments = DecodedCall.arguments(v) else { return .reject }
                return .accept(.init(calls: [DecodedCall(name: name, arguments: arguments, id: id)], end: end, next: .text(skipSpace: true)))
            }
        }
    }

    /// A JSON array of call objects at `i` (Mistral Nemo after `[TOOL_CALLS]`; Firefunction v2's
    /// `functools[...]`, fireworks-ai-llama-3-firefunction-v2.jinja). One bad element rejects all.
    private func callArray(_ input: ScanInput, at i: Int, idKey: Bool) -> ScanInput.Outcome {
        switch input.json(at: i) {
        case .needMore: return input.more
        case .invalid: return .reject
        case .value(let v, let e):
            guard let items = v.arrayValue else { return .reject }
            var calls: [DecodedCall] = []
            for item in items {
                guard var call = DecodedCall(object: item) else { return .reject }
                if !idKey { call.id = nil }
                calls.append(call)
            }
            return .accept(.init(calls: calls, end: e, next: .text(skipSpace: true)))
        }
    }

    // MARK: - generic

    /// llama.cpp's generic format (common/chat.cpp): `{"tool_call": {"name", "arguments"}}`,
    /// `{"tool_calls": [{"name", "arguments", "id"?}, ...]}` or `{"response": ...}` (a string is the
    /// content; another value is content as JSON text). Any other object is content.
    private func genericDocument(_ input: ScanInput, at i: Int) -> ScanInput.Outcome {
        switch input.json(at: i) {
        case .needMore: return input.more
        case .invalid: return .reject
        case .value(let v, let e):
            guard let object = v.objectValue else { return .reject }
            var accepted = ScanInput.Accepted(end: e, next: .text(skipSpace: true))
            if let one = object["tool_call"] {
                guard let call = DecodedCall(object: one) else { return .reject }
                accepted.calls = [call]
            } else if let many = object["tool_calls"] {
                guard let items = many.arrayValue else { return .reject }
                for item in items {
                    guard let call = DecodedCall(object: item) else { return .reject }
                    accepted.calls.append(call)
                }
            } else if let response = object["response"] {
                accepted.content = response.stringValue ?? response.serialized
            } else {
                return .reject
            }
            return .accept(accepted)
        }
    }
}

extension ScanInput {
    /// JSON call objects filling `start..<stop`, separated by whitespace or `;`; nil if anything else
    /// is there.
    func jsonCallSequence(from start: Int, to stop: Int) -> [DecodedCall]? {
        let view = ScanInput(bytes: bytes, end: stop, ended: true)
        var calls: [DecodedCall] = []
        var i = start
        while i < stop {
            guard case .value(let v, let e) = view.json(at: i), let call = DecodedCall(object: v, requireArguments: true) else { return nil }
            calls.append(call)
            i = e
            while i < stop, ScanInput.isSpace(bytes[i]) || bytes[i] == UInt8(ascii: ";") { i += 1 }
        }
        return calls.isEmpty ? nil : calls
    }

    enum Builtin { case call(DecodedCall), malformed }

    /// `name.call(arg=value, ...)` filling `start..<stop`, values being JSON (Llama 3.1's template
    /// writes `arg="value"`); nil when the text does not begin like one (then it is code).
    func builtinCall(from start: Int, to stop: Int) -> Builtin? {
        let view = ScanInput(bytes: bytes, end: stop, ended: true)
        let (name, n) = view.name(at: start)
        guard !name.isEmpty, !(bytes[start] >= UInt8(ascii: "0") && bytes[start] <= UInt8(ascii: "9")) else { return nil }
        var i = view.skipSpace(n)
        guard case .match(let d) = view.match(".", at: i) else { return nil }
        i = view.skipSpace(d)
        guard case .match(let c) = view.match("call", at: i) else { return nil }
        i = view.skipSpace(c)
        guard case .match(let p) = view.match("(", at: i) else { return nil }
        var arguments = JSONObject()
        i = view.skipSpace(p)
        if case .match(let close) = view.match(")", at: i) { return view.skipSpace(close) == stop ? .call(DecodedCall(name: name, arguments: "{}")) : .malformed }
        while true {
            let (key, k) = view.name(at: i)
            guard !key.isEmpty else { return .malformed }
            i = view.skipSpace(k)
            guard case .match(let eq) = view.match("=", at: i) else { return .malformed }
            i = view.skipSpace(eq)
            guard i < stop else { return .malformed }
            if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "[") {
                guard case .value(let v, let e) = view.json(at: i) else { return .malformed }
                arguments[key] = v
                i = e
            } else {
                // A bare number or literal, up to the next separator.
                var e = i
                while e < stop, bytes[e] != UInt8(ascii: ","), bytes[e] != UInt8(ascii: ")") { e += 1 }
                guard let v = try? JSONValue(parsing: Array(bytes[i..<e])) else { return .malformed }
                arguments[key] = v
                i = e
            }
            i = view.skipSpace(i)
            if case .match(let e) = view.match(",", at: i) { i = view.skipSpace(e); continue }
            guard case .match(let close) = view.match(")", at: i), view.skipSpace(close) == stop else { return .malformed }
            return .call(DecodedCall(name: name, arguments: JSONValue.object(arguments).serialized))
        }
    }
}
