import Foundation
import Jinja
import Testing

/// `cria template` against the jinja2 renders of real chat templates
/// (Tests/Fixtures/jinja/templates.json, scripts/reference/make_jinja_fixtures.py).
@Suite struct TemplateCommandTests {
    struct Case {
        var template: String
        var source: String
        var messages: Value
        var tools: Value?
        var addGenerationPrompt: Bool
        var bos: String?
        var eos: String?
        var hasExtra: Bool
        var expected: String?
        var errorMessage: String?
    }

    /// The cases, parsed keeping JSON key order (tool schemas are printed in that order).
    static func cases() throws -> [Case] {
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("jinja/templates.json"))
        guard case .dict(let root) = try Value(jsonString: String(decoding: data, as: UTF8.self)),
              case .list(let cases)? = root["cases"] else { return [] }
        return cases.compactMap { value in
            guard case .dict(let c) = value else { return nil }
            func string(_ key: String) -> String? { if case .string(let s)? = c[key] { return s } else { return nil } }
            var tools: Value? = c["tools"]
            if case .none? = tools { tools = nil }
            var hasExtra = false
            if case .dict(let extra)? = c["extra"] { hasExtra = !extra.isEmpty }
            var add = false
            if case .bool(let b)? = c["add_generation_prompt"] { add = b }
            return Case(
                template: string("template") ?? "", source: string("source") ?? "",
                messages: c["messages"] ?? .list([]), tools: tools, addGenerationPrompt: add,
                bos: string("bos_token"), eos: string("eos_token"), hasExtra: hasExtra,
                expected: string("expected"), errorMessage: string("message")
            )
        }
    }

    /// JSON text of a value, key order kept (jinja2's `tojson`).
    static func json(_ value: Value) throws -> Data {
        Data(try Template("{{ x | tojson }}").render(["x": value]).utf8)
    }

    static var templatesDirectory: String {
        (ProcessInfo.processInfo.environment["CRIA_TOKENIZERS"] ?? NSHomeDirectory() + "/.cache/cria/tokenizers") + "/templates"
    }

    /// Arguments for one case; nil for inline templates (the default model's), which `--model` reads.
    func arguments(_ c: Case, _ scratch: Scratch) throws -> [String] {
        let messages = scratch.path("messages-\(UUID().uuidString).json")
        try Self.json(c.messages).write(to: URL(fileURLWithPath: messages))
        // The fixtures render with strftime_now fixed at 26 Jul 2024.
        var arguments = ["template", "--messages", messages, "--bos", c.bos ?? "", "--eos", c.eos ?? "", "--date", "2024-07-26"]
        if c.source.hasPrefix("cache:templates/") {
            arguments += ["--template-file", Self.templatesDirectory + "/" + c.source.dropFirst("cache:templates/".count)]
        }
        if let tools = c.tools {
            let path = scratch.path("tools-\(UUID().uuidString).json")
            try Self.json(tools).write(to: URL(fileURLWithPath: path))
            arguments += ["--tools", path]
        }
        if c.addGenerationPrompt { arguments.append("--add-generation-prompt") }
        return arguments
    }

    @Test func rendersRealTemplatesAsJinja2Does() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let all = try Self.cases().filter { !$0.hasExtra && ($0.source.hasPrefix("cache:") || Fixtures.hasDefaultModel) }
        // Per template: the renders with tools, and the first plain one, both generation-prompt settings.
        var seen = Set<String>()
        var checked = 0
        for c in all where c.expected != nil {
            let key = "\(c.template) \(c.tools != nil) \(c.addGenerationPrompt)"
            guard seen.insert(key).inserted else { continue }
            let r = try CLI.run(try arguments(c, scratch))
            #expect(r.status == 0, "\(c.template): \(r.stderr)")
            #expect(r.stdout == c.expected, "\(c.template) tools=\(c.tools != nil) addGenerationPrompt=\(c.addGenerationPrompt)")
            checked += 1
        }
        #expect(checked >= 40)
    }

    @Test func templateErrorsAreOneLine() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let failing = try Self.cases().filter { $0.errorMessage != nil && !$0.hasExtra && $0.source.hasPrefix("cache:") }
        let c = try #require(failing.first { $0.errorMessage == "This model only supports single tool-calls at once!" })
        let r = try CLI.run(try arguments(c, scratch))
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("error: chat template: ") && r.stderr.contains("This model only supports single tool-calls at once!"))
        #expect(r.stderr.split(separator: "\n").count == 1)

        let bad = scratch.path("bad.jinja")
        try Data("{% for m in messages %}{{ m.content }".utf8).write(to: URL(fileURLWithPath: bad))
        let messages = scratch.path("m.json")
        try Data(#"[{"role": "user", "content": "hi"}]"#.utf8).write(to: URL(fileURLWithPath: messages))
        let syntax = try CLI.run(["template", "--template-file", bad, "--messages", messages])
        #expect(syntax.status == 1)
        #expect(syntax.stderr.contains("line 1"), "\(syntax.stderr)")

        // Bad --messages, --tools and --date.
        let plain = scratch.path("plain.jinja")
        try Data("{{ messages | length }}".utf8).write(to: URL(fileURLWithPath: plain))
        let notJSON = scratch.path("not.json"), object = scratch.path("object.json")
        try Data("[{\"role\": ".utf8).write(to: URL(fileURLWithPath: notJSON))
        try Data(#"{"role": "user"}"#.utf8).write(to: URL(fileURLWithPath: object))
        let checks: [([String], String)] = [
            (["--messages", notJSON], "--messages is not valid JSON"),
            (["--messages", object], "--messages must be a JSON array"),
            (["--messages", scratch.path("missing.json")], "cannot read"),
            (["--messages", messages, "--tools", notJSON], "--tools is not valid JSON"),
        ]
        for (arguments, message) in checks {
            let r = try CLI.run(["template", "--template-file", plain] + arguments)
            #expect(r.status == 1, "\(arguments)")
            #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(message), "\(r.stderr)")
        }
        let date = try CLI.run(["template", "--template-file", plain, "--messages", messages, "--date", "26/07/2024"])
        #expect(date.status == 64 && date.stderr.contains("--date must be YYYY-MM-DD"), "\(date.stderr)")
        let ok = try CLI.run(["template", "--template-file", plain, "--messages", messages])
        #expect(ok.status == 0 && ok.stdout == "1")
    }
}
