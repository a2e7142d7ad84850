import Foundation

/// The global functions transformers' chat-template environment provides: jinja2's `range`,
/// `namespace`, `dict`, plus transformers' `raise_exception` and `strftime_now`
/// (transformers, `utils/chat_template_utils.py`).
enum Globals {
    static func lookup(_ name: String, _ interp: Interpreter) -> Value? {
        switch name {
        case "range": return .callable(Callable("range", range))
        case "namespace":
            return .callable(Callable("namespace") { args in
                var attrs = OrderedDict()
                for a in args.positional {
                    guard case .dict(let d) = a else { throw JinjaError(.type, "namespace() positional argument must be a dict") }
                    for (k, v) in d.pairs { attrs[k] = v }
                }
                for (k, v) in args.keywords { attrs[k] = v }
                return .namespace(Namespace(attrs))
            })
        case "dict":
            return .callable(Callable("dict") { args in
                var d = OrderedDict()
                for a in args.positional {
                    switch a {
                    case .dict(let x): for (k, v) in x.pairs { d[k] = v }
                    case .list(let items), .tuple(let items):
                        for item in items {
                            guard let pair = item.sequence, pair.count == 2 else { throw JinjaError(.type, "dict() sequence elements must be pairs") }
                            d[pair[0]] = pair[1]
                        }
                    default: throw JinjaError(.type, "'\(a.typeName)' object is not iterable")
                    }
                }
                for (k, v) in args.keywords { d[k] = v }
                return .dict(d)
            })
        case "cycler":
            return .callable(Callable("cycler") { args in
                let items = args.positional
                let state = Namespace(OrderedDict([(.string("current"), items.first ?? .none)]))
                var position = 0
                state.attributes["next"] = .callable(Callable("cycler.next") { _ in
                    guard !items.isEmpty else { return .none }
                    let value = items[position]
                    position = (position + 1) % items.count
                    state.attributes["current"] = items[position]
                    return value
                })
                state.attributes["reset"] = .callable(Callable("cycler.reset") { _ in
                    position = 0
                    state.attributes["current"] = items.first ?? .none
                    return .none
                })
                return .namespace(state)
            })
        case "joiner":
            return .callable(Callable("joiner") { args in
                let separator = args.get(0, "sep") ?? .string(", ")
                var used = false
                return .callable(Callable("joiner") { _ in
                    defer { used = true }
                    return used ? separator : .string("")
                })
            })
        case "raise_exception":
            return .callable(Callable("raise_exception") { args in
                throw JinjaError(.raised, args.get(0, "message")?.pythonString ?? "")
            })
        case "strftime_now":
            let clock = interp.options.clock
            return .callable(Callable("strftime_now") { args in
                guard case .string(let format) = args.get(0, "format") ?? .undefined else {
                    throw JinjaError(.type, "strftime_now() needs a format string")
                }
                return .string(strftime(format, clock()))
            })
        default: return nil
        }
    }

    static func range(_ args: Arguments) throws -> Value {
        let ints = try args.positional.map { v -> Int in
            guard let i = v.integer else { throw JinjaError(.type, "'\(v.typeName)' object cannot be interpreted as an integer") }
            return i
        }
        var start = 0, stop = 0, step = 1
        switch ints.count {
        case 1: stop = ints[0]
        case 2: start = ints[0]; stop = ints[1]
        case 3: start = ints[0]; stop = ints[1]; step = ints[2]
        default: throw JinjaError(.type, "range expected 1 to 3 integer arguments, got \(ints.count)")
        }
        guard step != 0 else { throw JinjaError(.type, "range() arg 3 must not be zero") }
        // Same bound as jinja2's sandbox (MAX_RANGE = 100000).
        let count = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
        guard count <= 100_000 else { throw JinjaError(.limit, "range too big: \(count) elements (the sandbox allows 100000)") }
        return .list((0..<count).map { .int(start + $0 * step) })
    }

    /// C `strftime` in local time, as Python's `datetime.now().strftime` does.
    static func strftime(_ format: String, _ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&t, &parts)
        var buffer = [Int8](repeating: 0, count: 512)
        let n = Foundation.strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
