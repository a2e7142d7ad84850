import Foundation
import XCTest
@testable import Jinja

/// The real chat templates of templates.json (scripts/reference/make_jinja_fixtures.py) render
/// every conversation exactly as jinja2 does under transformers, or fail where jinja2 fails.
final class TemplateFixtureTests: XCTestCase {
    /// Where scripts/install-tokenizer-data.sh puts the chat templates ("cache:" sources).
    static var tokenizers: String {
        ProcessInfo.processInfo.environment["CRIA_TOKENIZERS"] ?? NSHomeDirectory() + "/.cache/cria/tokenizers"
    }

    static let kinds: [String: JinjaError.Kind] = [
        "TemplateError": .raised, "UndefinedError": .undefined, "TypeError": .type,
    ]

    func templateSource(_ name: String, _ info: OrderedDict) throws -> String {
        guard let source = JinjaFixtures.string(info["source"]) else { throw JinjaError(.runtime, "template \(name) has no source") }
        if source == "inline", let text = JinjaFixtures.string(info["text"]) { return text }
        guard source.hasPrefix("cache:") else { throw JinjaError(.runtime, "template \(name): unknown source \(source)") }
        let path = Self.tokenizers + "/" + source.dropFirst("cache:".count)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JinjaError(.runtime, "\(path) is missing: run scripts/install-tokenizer-data.sh (make test does)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    func testRealTemplates() throws {
        guard case .dict(let root) = try JinjaFixtures.load("templates.json"),
            case .dict(let templates)? = root["templates"], case .list(let cases)? = root["cases"]
        else { return XCTFail("templates.json has no templates or cases") }
        var parsed: [String: Template] = [:]
        var options = Template.Options.transformers
        options.clock = JinjaFixtures.fixedClock
        for (key, info) in templates.pairs {
            guard case .dict(let d) = info else { continue }
            parsed[key.pythonString] = try Template(try templateSource(key.pythonString, d), options: options)
        }
        var failures: [String] = []
        for c in cases {
            guard case .dict(let d) = c, let name = JinjaFixtures.string(d["template"]), let template = parsed[name] else {
                failures.append("case without a known template: \(c.pythonRepr.prefix(200))")
                continue
            }
            let label = "\(name) / \(JinjaFixtures.string(d["conversation"]) ?? "?") / add_generation_prompt=\(d["add_generation_prompt"]?.pythonString ?? "?")"
            var context: [String: Value] = [
                "messages": d["messages"] ?? .list([]),
                "tools": d["tools"] ?? .none,
                "documents": .none,
                "add_generation_prompt": d["add_generation_prompt"] ?? .bool(false),
            ]
            for key in ["bos_token", "eos_token"] {
                if let v = d[key], !v.isNone { context[key] = v }
            }
            if case .dict(let extra)? = d["extra"] {
                for (k, v) in extra.pairs { context[k.pythonString] = v }
            }
            let result = Result { try template.render(context) }
            if let expected = JinjaFixtures.string(d["expected"]) {
                switch result {
                case .success(let out) where out == expected: break
                case .success(let out): failures.append("\(label): expected\n\(expected)\n--- got\n\(out)")
                case .failure(let e): failures.append("\(label): threw \(e)")
                }
            } else {
                let errorKind = JinjaFixtures.string(d["error_kind"]) ?? "?"
                switch result {
                case .success(let out): failures.append("\(label): expected \(errorKind), got \(out)")
                case .failure(let e as JinjaError):
                    if let kind = Self.kinds[errorKind], kind != e.kind { failures.append("\(label): expected \(errorKind), threw \(e)") }
                case .failure(let e): failures.append("\(label): threw a non-Jinja error \(e)")
                }
            }
        }
        print("templates: \(cases.count - failures.count)/\(cases.count) passed")
        for f in failures { XCTFail(f) }
    }
}
