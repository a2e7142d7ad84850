import Foundation
import Grammar
@testable import ToolCalls

enum Fixtures {
    /// Tests/Fixtures, found by walking up from this file.
    static let root: URL = {
        var dir = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("Tests/Fixtures")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    }()

    static var templates: String {
        (ProcessInfo.processInfo.environment["CRIA_TOKENIZERS"] ?? NSHomeDirectory() + "/.cache/cria/tokenizers") + "/templates"
    }

    static var hasTemplates: Bool { FileManager.default.fileExists(atPath: templates) }

    struct Case {
        var format: ToolCallFormat
        var name: String
        var text: String
        var content: String
        /// (name, arguments as compact JSON in the fixture's key order, id if the model gave one)
        var calls: [(name: String, arguments: String, id: String?)]
    }

    /// Every case of Tests/Fixtures/toolcalls/*.json (scripts/reference/make_tool_call_fixtures.py).
    static func toolCallCases() throws -> [Case] {
        let dir = root.appendingPathComponent("toolcalls")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        var cases: [Case] = []
        for file in files {
            let doc = try JSONValue(parsing: String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8))
            guard let raw = doc["format"]?.stringValue, let format = ToolCallFormat(rawValue: raw),
                  let items = doc["cases"]?.arrayValue else { throw FixtureError("\(file): no format or cases") }
            for item in items {
                guard let name = item["name"]?.stringValue, let text = item["text"]?.stringValue,
                      let content = item["content"]?.stringValue, let calls = item["calls"]?.arrayValue else {
                    throw FixtureError("\(file): a case lacks name, text, content or calls")
                }
                let expected = try calls.map { call in
                    guard let n = call["name"]?.stringValue, let a = call["arguments"] else { throw FixtureError("\(file) \(name): bad call") }
                    return (name: n, arguments: a.serialized, id: call["id"]?.stringValue)
                }
                cases.append(Case(format: format, name: name, text: text, content: content, calls: expected))
            }
        }
        return cases
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Deterministic ids, so runs over different splits can be compared.
final class CountingIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let prefix: String
    init(prefix: String = "call_") { self.prefix = prefix }
    var generator: @Sendable () -> String {
        { [self] in
            lock.lock()
            defer { lock.unlock() }
            next += 1
            return "\(prefix)\(next)"
        }
    }
}

/// SplitMix64: seeded, so a failing split can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// What a stream of events adds up to.
struct StreamResult: Equatable, CustomStringConvertible {
    var content = ""
    var calls: [ToolCall] = []
    var description: String { "content \(content.debugDescription), calls \(calls)" }
}

/// Feeds `pieces` and finishes; checks the events' own consistency (indices in order, each call's
/// arguments after its `callStarted`, fragments add up to each call's arguments, ids and names as in
/// `calls`) and returns content and calls.
func stream(
    _ pieces: [String], format: ToolCallFormat, streamsArguments: Bool = false, ids: CountingIDs = CountingIDs()
) -> (StreamResult, problems: [String]) {
    let (batches, calls) = feed(pieces, format: format, streamsArguments: streamsArguments, ids: ids)
    let (result, problems) = check(batches.flatMap { $0 }, calls: calls)
    return (result, problems)
}

/// The events of each `feed` (and, last, of `finish`), and the parser's calls at the end.
func feed(
    _ pieces: [String], format: ToolCallFormat, streamsArguments: Bool = false, ids: CountingIDs = CountingIDs()
) -> (batches: [[ToolCallEvent]], calls: [ToolCall]) {
    var parser = ToolCallParser(format: format, streamsArguments: streamsArguments, idGenerator: ids.generator)
    var batches = pieces.map { parser.feed($0) }
    batches.append(parser.finish())
    return (batches, parser.calls)
}

private func check(_ events: [ToolCallEvent], calls: [ToolCall]) -> (StreamResult, problems: [String]) {
    var result = StreamResult()
    var problems: [String] = []
    var started: [(id: String, name: String)] = []
    var fragments: [String] = []
    for event in events {
        switch event {
        case .content(let s):
            if s.isEmpty { problems.append("empty content event") }
            result.content += s
        case .callStarted(let index, let id, let name):
            if index != started.count { problems.append("call \(index) started out of order") }
            started.append((id, name))
            fragments.append("")
        case .arguments(let index, let fragment):
            if index != started.count - 1 { problems.append("arguments for call \(index) out of order") }
            if fragment.isEmpty { problems.append("empty fragment for call \(index)") }
            if fragments.indices.contains(index) { fragments[index] += fragment }
        }
    }
    result.calls = calls
    if started.count != calls.count { problems.append("\(started.count) callStarted events for \(calls.count) calls") }
    for (i, call) in calls.enumerated() where i < started.count {
        if started[i].id != call.id || started[i].name != call.name { problems.append("call \(i): started as \(started[i]), is \(call)") }
        if fragments[i] != call.arguments { problems.append("call \(i): fragments \(fragments[i]) != arguments \(call.arguments)") }
    }
    return (result, problems)
}

/// `text` cut into pieces of 1...maxPiece Unicode scalars (so grapheme clusters are split too).
func randomSplit(_ text: String, seed: UInt64, maxPiece: Int = 8) -> [String] {
    var rng = SeededGenerator(state: seed)
    let scalars = Array(text.unicodeScalars)
    var pieces: [String] = []
    var i = 0
    while i < scalars.count {
        let n = Int.random(in: 1...maxPiece, using: &rng)
        var piece = String.UnicodeScalarView()
        piece.append(contentsOf: scalars[i..<min(scalars.count, i + n)])
        pieces.append(String(piece))
        i += n
    }
    return pieces
}
