import Foundation
import XCTest
@testable import Jinja

/// The guards, error locations and the public API around the interpreter.
final class GuardAndAPITests: XCTestCase {
    func render(_ source: String, _ context: [String: Value] = [:], options: Template.Options = .transformers) throws -> String {
        try Template(source, options: options).render(context)
    }

    func assertError(_ source: String, _ context: [String: Value] = [:], kind: JinjaError.Kind, line: Int, column: Int,
                     options: Template.Options = .transformers, file: StaticString = #filePath, lineNumber: UInt = #line) {
        do {
            let out = try render(source, context, options: options)
            XCTFail("expected a \(kind) error, rendered \(out)", file: file, line: lineNumber)
        } catch let e as JinjaError {
            XCTAssertEqual(e.kind, kind, "\(e)", file: file, line: lineNumber)
            XCTAssertEqual(e.line, line, "\(e)", file: file, line: lineNumber)
            XCTAssertEqual(e.column, column, "\(e)", file: file, line: lineNumber)
        } catch {
            XCTFail("non-Jinja error \(error)", file: file, line: lineNumber)
        }
    }

    func testUnboundedMacroRecursionIsALimitErrorNotACrash() {
        assertError("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", kind: .limit, line: 1, column: 1)
    }

    func testEndlessWorkHitsTheStepLimit() {
        var options = Template.Options.transformers
        options.maxSteps = 10_000
        XCTAssertThrowsError(try render("{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}", options: options)) {
            XCTAssertEqual(($0 as? JinjaError)?.kind, .limit)
        }
    }

    func testDeepNestingIsASyntaxLimitNotAStackOverflow() {
        let source = "{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}"
        XCTAssertThrowsError(try Template(source)) { XCTAssertEqual(($0 as? JinjaError)?.kind, .limit) }
    }

    func testErrorsCarryLineAndColumn() {
        assertError("a\n  {{ x.y }}", kind: .undefined, line: 2, column: 7)
        assertError("ok\n{{ 1 +\n }}", kind: .syntax, line: 3, column: 2)
        assertError("{% for x in [1] %}{% endfor", kind: .syntax, line: 1, column: 19)
        assertError("line\n{{ 'a' | nosuchfilter }}", kind: .assertion, line: 2, column: 10)
        assertError("{{ raise_exception('no system role') }}", kind: .raised, line: 1, column: 4)
        assertError("{{ 1 // 0 }}", kind: .runtime, line: 1, column: 6)
    }

    func testRaiseExceptionCarriesTheTemplateMessage() {
        XCTAssertThrowsError(try render("{{ raise_exception('Conversation roles must alternate') }}")) {
            XCTAssertEqual(($0 as? JinjaError)?.message, "Conversation roles must alternate")
        }
    }

    func testStrftimeNowUsesTheInjectedClock() throws {
        var options = Template.Options.transformers
        options.clock = JinjaFixtures.fixedClock
        XCTAssertEqual(try render("{{ strftime_now('%d %b %Y') }}", options: options), "26 Jul 2024")
    }

    func testTrailingNewlineOption() throws {
        XCTAssertEqual(try render("a\n"), "a")
        var keep = Template.Options.transformers
        keep.keepTrailingNewline = true
        XCTAssertEqual(try render("a\n", options: keep), "a\n")
    }

    func testJSONStringKeepsKeyOrderAndNumberKinds() throws {
        let v = try Value(jsonString: #"{"b": 1, "a": 2.0, "c": [true, null, "\u00e9\ud83d\ude00"]}"#)
        XCTAssertEqual(try render("{{ v }}|{{ v | tojson }}", ["v": v]),
                       #"{'b': 1, 'a': 2.0, 'c': [True, None, 'é😀']}|{"b": 1, "a": 2.0, "c": [true, null, "é😀"]}"#)
        XCTAssertThrowsError(try Value(jsonString: "{\"a\": }"))
        XCTAssertThrowsError(try Value(jsonString: String(repeating: "[", count: 100_000)))
        XCTAssertEqual(try Value(jsonString: String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).sequence?.count, 1)
    }

    func testJSONObjectConversion() throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(#"{"n": 3, "f": 1.5, "t": true, "s": "x", "l": [1, 0, false, 2.0, null]}"#.utf8))
        XCTAssertEqual(try render("{{ v.n }} {{ v.f }} {{ v.t }} {{ v.s }} {{ v.l }}", ["v": Value(json: parsed)]), "3 1.5 True x [1, 0, False, 2.0, None]")
        let swiftValues: [String: Any] = ["i": 1, "b": true, "d": 2.0, "a": ["x", 0]]
        XCTAssertEqual(try render("{{ v.i }} {{ v.b }} {{ v.d }} {{ v.a }}", ["v": Value(json: swiftValues)]), "1 True 2.0 ['x', 0]")
    }

    func testSetInsideLoopDoesNotLeakButNamespaceDoes() throws {
        let source = """
            {% set count = 0 %}{% set ns = namespace(count=0) %}
            {% for i in range(3) %}{% set count = count + 1 %}{% set ns.count = ns.count + 1 %}{% endfor %}
            {{ count }} {{ ns.count }}
            """
        XCTAssertEqual(try render(source), "0 3")
    }

    func testTemplateIsUsableFromSeveralThreads() throws {
        let template = try Template("{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}")
        let context: [String: Value] = ["messages": [["role": "user", "content": "hi"], ["role": "assistant", "content": "yo"]]]
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            XCTAssertEqual(try? template.render(context), "user:hi;assistant:yo;")
        }
    }

    /// Seeded token soup: whatever the text, parsing and rendering end in a result or a
    /// JinjaError, never a trap or a hang.
    func testRandomTemplateTextNeverTraps() {
        let pieces = ["{{", "}}", "{%", "%}", "{#", "#}", "-", "+", " if ", " for ", " in ", " x ", "endif", "endfor", "(", ")",
                      "[", "]", "{", "}", ",", ":", "'a'", "\"b", "1", "2.5", "|", "length", "tojson", " is ", "defined", ".",
                      "set", "=", "macro", "m", "endmacro", "raw", "endraw", "\n", " ", "loop", "not", "and", "~", "*", "**",
                      "//", "%", "namespace", "range", "caller", "call", "endcall", "\\"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var options = Template.Options.transformers
        options.maxSteps = 20_000
        var parsed = 0
        for _ in 0..<5000 {
            let source = (0..<(1 + next(30))).map { _ in pieces[next(pieces.count)] }.joined()
            do {
                let template = try Template(source, options: options)
                parsed += 1
                _ = try template.render(["x": [1, 2]])
            } catch is JinjaError {
            } catch {
                XCTFail("non-Jinja error \(error) for \(Value.string(source).pythonRepr)")
            }
        }
        XCTAssertGreaterThan(parsed, 500)
    }
}
