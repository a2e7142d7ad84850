import Foundation

/// A parsed Jinja template, rendered the way Hugging Face transformers renders chat templates:
/// jinja2 3.1's `ImmutableSandboxedEnvironment` with `trim_blocks`, `lstrip_blocks` and the
/// loop-controls extension, plus the `raise_exception` and `strftime_now` globals.
public struct Template: Sendable {
    /// Lexer switches and resource guards.
    public struct Options: Sendable {
        /// Remove the first newline after a block tag (jinja2 `trim_blocks`).
        public var trimBlocks: Bool
        /// Strip spaces and tabs from the start of a line up to a block tag (jinja2 `lstrip_blocks`).
        public var lstripBlocks: Bool
        /// Keep a single newline at the end of the template (jinja2 default: false).
        public var keepTrailingNewline: Bool
        /// Evaluation steps (statements plus expressions) before rendering fails.
        public var maxSteps: Int
        /// Nested macro calls before rendering fails.
        public var maxDepth: Int
        /// The clock behind `strftime_now`; inject a fixed one in tests.
        public var clock: @Sendable () -> Date

        public init(
            trimBlocks: Bool = false, lstripBlocks: Bool = false, keepTrailingNewline: Bool = false,
            maxSteps: Int = 10_000_000, maxDepth: Int = 500, clock: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.trimBlocks = trimBlocks
            self.lstripBlocks = lstripBlocks
            self.keepTrailingNewline = keepTrailingNewline
            self.maxSteps = maxSteps
            self.maxDepth = maxDepth
            self.clock = clock
        }

        /// jinja2's defaults: no block trimming.
        public static let jinja2 = Options()
        /// transformers' chat-template environment: `trim_blocks` and `lstrip_blocks`.
        public static let transformers = Options(trimBlocks: true, lstripBlocks: true)
    }

    public let options: Options
    private let body: Body

    /// Parses `source`.
    /// - Throws: `JinjaError` (kind `.syntax`, or `.assertion` for an unknown filter or test)
    ///   with the line and column of the problem.
    public init(_ source: String, options: Options = .transformers) throws {
        self.options = options
        // jinja2 normalizes line endings to "\n" and, unless told otherwise, drops one final newline.
        var text = source.contains("\r") ? Methods.replace(Methods.replace(source, "\r\n", "\n"), "\r", "\n") : source
        if !options.keepTrailingNewline, text.unicodeScalars.last == "\n" { text.unicodeScalars.removeLast() }
        let tokens = try Lexer.tokenize(text, options: options)
        body = Body(statements: try Parser.parse(tokens))
    }

    /// Renders the template with `context` as its variables.
    /// - Throws: `JinjaError` for runtime failures, `raise_exception` calls (kind `.raised`) and
    ///   exceeded guards (kind `.limit`), with the line and column of the failing construct.
    public func render(_ context: [String: Value]) throws -> String {
        let interpreter = Interpreter(options: options)
        let globals = Frame(parent: nil)
        globals.variables = context
        var out = ""
        _ = try runWithLargeStack { try interpreter.render(body.statements, globals, into: &out) }
        return out
    }

    /// Runs `work` on a thread with a large stack so that the recursion the depth guards allow
    /// cannot overflow the caller's (possibly small) stack.
    private func runWithLargeStack<T>(_ work: () throws -> T) throws -> T {
        try withoutActuallyEscaping(work) { work in
            let box = ResultBox<T>(work)
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                if let work = box.work { box.result = Result { try work() } }
                // The closure must not outlive `withoutActuallyEscaping`.
                box.work = nil
                done.signal()
            }
            thread.stackSize = 256 << 20
            thread.start()
            done.wait()
            guard let result = box.result else { throw JinjaError(.runtime, "render thread did not finish") }
            return try result.get()
        }
    }
}

/// Hands the work to the render thread and the result back; the semaphore orders the accesses.
private final class ResultBox<T>: @unchecked Sendable {
    var work: (() throws -> T)?
    var result: Result<T, Error>?
    init(_ work: @escaping () throws -> T) { self.work = work }
}

/// The parsed statements; immutable after parsing, so safe to share between threads.
private final class Body: @unchecked Sendable {
    let statements: [Stmt]
    init(statements: [Stmt]) { self.statements = statements }
}
