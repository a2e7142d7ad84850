import Foundation
import XCTest
@testable import Jinja

enum JinjaFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/jinja")

    static func load(_ name: String) throws -> Value {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try Value(jsonString: String(decoding: data, as: UTF8.self))
    }

    /// The fixtures' `strftime_now` clock: 2024-07-26 00:00:00 local time.
    static let fixedClock: @Sendable () -> Date = {
        var parts = tm()
        parts.tm_year = 2024 - 1900
        parts.tm_mon = 6
        parts.tm_mday = 26
        parts.tm_isdst = -1
        return Date(timeIntervalSince1970: TimeInterval(mktime(&parts)))
    }

    static func string(_ v: Value?) -> String? {
        if case .string(let s)? = v { return s }
        return nil
    }

    static func options(_ v: Value?) -> Template.Options {
        var o = Template.Options.transformers
        o.clock = fixedClock
        if case .dict(let d)? = v {
            if let t = d["trim_blocks"] { o.trimBlocks = t.truthy }
            if let l = d["lstrip_blocks"] { o.lstripBlocks = l.truthy }
            if let k = d["keep_trailing_newline"] { o.keepTrailingNewline = k.truthy }
        }
        return o
    }

    static func context(_ v: Value?) -> [String: Value] {
        guard case .dict(let d)? = v else { return [:] }
        var c: [String: Value] = [:]
        for (k, x) in d.pairs { c[k.pythonString] = x }
        return c
    }
}

/// Every case of conformance.json (scripts/reference/make_jinja_fixtures.py: jinja2 3.1.6 in
/// transformers' chat-template environment) renders to jinja2's output or fails like it.
final class ConformanceTests: XCTestCase {
    /// jinja2 exception names and the kinds they map to; unlisted ones only need some error.
    static let kinds: [String: JinjaError.Kind] = [
        "TemplateSyntaxError": .syntax, "TemplateAssertionError": .assertion, "UndefinedError": .undefined,
        "TemplateError": .raised, "TypeError": .type,
    ]

    /// Cases this interpreter knowingly does not match, with the reason.
    static let unsupported: [String: String] = [:]

    func testConformance() throws {
        guard case .dict(let root) = try JinjaFixtures.load("conformance.json"), case .list(let cases)? = root["cases"] else {
            return XCTFail("conformance.json has no cases")
        }
        XCTAssertGreaterThan(cases.count, 100)
        var failures: [String] = []
        for c in cases {
            guard case .dict(let d) = c, let name = JinjaFixtures.string(d["name"]), let source = JinjaFixtures.string(d["template"]) else {
                failures.append("malformed case \(c.pythonRepr)")
                continue
            }
            if Self.unsupported[name] != nil { continue }
            let result = Result { try Template(source, options: JinjaFixtures.options(d["options"])).render(JinjaFixtures.context(d["context"])) }
            if let expected = JinjaFixtures.string(d["expected"]) {
                switch result {
                case .success(let out) where out == expected: break
                case .success(let out): failures.append("\(name): expected \(Value.string(expected).pythonRepr), got \(Value.string(out).pythonRepr)")
                case .failure(let e): failures.append("\(name): expected \(Value.string(expected).pythonRepr), threw \(e)")
                }
            } else {
                let errorKind = JinjaFixtures.string(d["error_kind"]) ?? "?"
                switch result {
                case .success(let out): failures.append("\(name): expected \(errorKind), got \(Value.string(out).pythonRepr)")
                case .failure(let e as JinjaError):
                    if let kind = Self.kinds[errorKind], kind != e.kind { failures.append("\(name): expected \(errorKind), threw \(e)") }
                    if e.line < 1 { failures.append("\(name): error without a line: \(e)") }
                case .failure(let e): failures.append("\(name): threw a non-Jinja error \(e)")
                }
            }
        }
        print("conformance: \(cases.count - failures.count - Self.unsupported.count)/\(cases.count) passed")
        for f in failures { XCTFail(f) }
    }
}
