import Foundation

/// A variable scope. `for` iterations, macro calls and `with` blocks get their own frame, so a
/// `set` inside them does not leak out (jinja2 scoping); `if` does not.
final class Frame {
    var variables: [String: Value] = [:]
    let parent: Frame?

    init(parent: Frame?) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var f: Frame? = self
        while let frame = f {
            if let v = frame.variables[name] { return v }
            f = frame.parent
        }
        return nil
    }
}

/// The previous argument of `loop.changed`.
final class LastValue {
    var value: Value?
}

/// How a statement list finished: normally or by `break` / `continue`.
enum Flow {
    case normal, breakLoop, continueLoop
}

/// Walks the syntax tree. One interpreter renders one template once; it counts steps and
/// macro-call depth so that no template can hang or overflow the stack.
final class Interpreter {
    let options: Template.Options
    private var steps = 0
    private var depth = 0

    init(options: Template.Options) { self.options = options }

    func error(_ kind: JinjaError.Kind, _ message: String, _ loc: SourceLocation) -> JinjaError {
        JinjaError(kind, message, line: loc.line, column: loc.column)
    }

    private func step(_ loc: SourceLocation) throws {
        steps += 1
        if steps > options.maxSteps {
            throw error(.limit, "template exceeded \(options.maxSteps) evaluation steps", loc)
        }
    }

    // MARK: - Statements

    func render(_ body: [Stmt], _ frame: Frame, into out: inout String) throws -> Flow {
        for stmt in body {
            let flow = try execute(stmt, frame, into: &out)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ stmt: Stmt, _ frame: Frame, into out: inout String) throws -> Flow {
        try step(stmt.location)
        switch stmt.kind {
        case .text(let s):
            out += s
        case .output(let e):
            out += try eval(e, frame).pythonString
        case .if(let branches, let otherwise):
            for (cond, body) in branches where try eval(cond, frame).truthy {
                return try render(body, frame, into: &out)
            }
            return try render(otherwise, frame, into: &out)
        case .for(let target, let iterable, let filter, let body, let otherwise, let recursive):
            let items = try iterate(try eval(iterable, frame), iterable.location)
            let ran = try runLoop(items, target, filter, body, frame, into: &out, location: stmt.location, depth: recursive ? 1 : nil)
            if !ran { return try render(otherwise, frame, into: &out) }
        case .set(let target, let e):
            try assign(target, try eval(e, frame), frame, stmt.location)
        case .setBlock(let target, let body, let filters):
            var captured = ""
            _ = try render(body, frame, into: &captured)
            var value = Value.string(captured)
            for f in filters { value = try applyFilter(f, value, frame) }
            try assign(target, value, frame, stmt.location)
        case .macro(let name, let parameters, let body, let catchesVarargs, let catchesKwargs):
            frame.variables[name] = makeMacro(name, parameters, body, frame, stmt.location, catchesVarargs: catchesVarargs, catchesKwargs: catchesKwargs)
        case .callBlock(let call, let parameters, let body):
            guard case .call(let callee, let args) = call.kind else { return .normal }
            let caller = makeMacro("caller", parameters, body, frame, stmt.location, catchesVarargs: true, catchesKwargs: true)
            var arguments = try evalArguments(args, frame)
            arguments.keywords.append(("caller", caller))
            out += try callValue(try eval(callee, frame), arguments, call.location).pythonString
        case .filterBlock(let filters, let body):
            var captured = ""
            _ = try render(body, frame, into: &captured)
            var value = Value.string(captured)
            for f in filters { value = try applyFilter(f, value, frame) }
            out += value.pythonString
        case .with(let assignments, let body):
            let inner = Frame(parent: frame)
            for (target, e) in assignments { try assign(target, try eval(e, frame), inner, stmt.location) }
            return try render(body, inner, into: &out)
        case .block(let body):
            return try render(body, frame, into: &out)
        case .break:
            return .breakLoop
        case .continue:
            return .continueLoop
        }
        return .normal
    }

    /// Runs a loop body over `items`; returns whether the body ran at least once. `depth` is
    /// set for `recursive` loops, whose `loop(children)` renders the body again one level down.
    private func runLoop(
        _ allItems: [Value], _ target: AssignTarget, _ filter: Expr?, _ body: [Stmt],
        _ frame: Frame, into out: inout String, location: SourceLocation, depth recursionDepth: Int?
    ) throws -> Bool {
        var items = allItems
        if let filter {
            items = try items.filter { item in
                let f = Frame(parent: frame)
                try assign(target, item, f, location)
                return try eval(filter, f).truthy
            }
        }
        if items.isEmpty { return false }
        let n = items.count
        let changedState = LastValue()
        for (i, item) in items.enumerated() {
            let f = Frame(parent: frame)
            var loop = OrderedDict()
            loop["index"] = .int(i + 1)
            loop["index0"] = .int(i)
            loop["revindex"] = .int(n - i)
            loop["revindex0"] = .int(n - i - 1)
            loop["first"] = .bool(i == 0)
            loop["last"] = .bool(i == n - 1)
            loop["length"] = .int(n)
            loop["depth"] = .int(recursionDepth ?? 1)
            loop["depth0"] = .int((recursionDepth ?? 1) - 1)
            loop["changed"] = .callable(Callable("loop.changed") { args in
                let value = Value.tuple(args.positional)
                defer { changedState.value = value }
                return .bool(changedState.value != value)
            })
            if let recursionDepth {
                loop[Interpreter.callKey] = .callable(Callable("loop") { [unowned self] args in
                    self.depth += 1
                    defer { self.depth -= 1 }
                    if self.depth > self.options.maxDepth {
                        throw self.error(.limit, "recursive loop nested deeper than \(self.options.maxDepth) levels", location)
                    }
                    var inner = ""
                    let children = try self.iterate(args.positional.first ?? .undefined, location)
                    _ = try self.runLoop(children, target, filter, body, frame, into: &inner, location: location, depth: recursionDepth + 1)
                    return .string(inner)
                })
            }
            loop["previtem"] = i > 0 ? items[i - 1] : .undefined(hint: "'loop.previtem' is undefined on the first iteration")
            loop["nextitem"] = i < n - 1 ? items[i + 1] : .undefined(hint: "'loop.nextitem' is undefined on the last iteration")
            loop["cycle"] = .callable(Callable("loop.cycle") { args in
                guard !args.positional.isEmpty else { throw JinjaError(.type, "loop.cycle() needs at least one value") }
                return args.positional[i % args.positional.count]
            })
            f.variables["loop"] = .dict(loop)
            try assign(target, item, f, location)
            let flow = try render(body, f, into: &out)
            if flow == .breakLoop { break }
        }
        return true
    }

    /// A dict key no template or JSON can produce: a dict holding a callable under it (the
    /// `loop` of a recursive loop) can be called.
    static let callKey = Value.callable(Callable("__call__") { _ in .none })

    /// The elements a `for` loop or a filter walks: list items, dict keys, string characters.
    func iterate(_ v: Value, _ loc: SourceLocation) throws -> [Value] {
        switch v.plain {
        case .list(let a), .tuple(let a), .generator(let a): return a
        case .dict(let d): return d.keys
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default: throw error(.type, "'\(v.typeName)' object is not iterable", loc)
        }
    }

    func assign(_ target: AssignTarget, _ value: Value, _ frame: Frame, _ loc: SourceLocation) throws {
        switch target {
        case .name(let n):
            frame.variables[n] = value
        case .attribute(let n, let attr):
            guard case .namespace(let ns) = frame.lookup(n) ?? .undefined else {
                throw error(.type, "cannot assign attribute '\(attr)' on '\(n)': only namespace objects accept attribute assignment", loc)
            }
            ns.attributes[attr] = value
        case .tuple(let targets):
            let items = try iterate(value, loc)
            guard items.count == targets.count else {
                throw error(.type, items.count > targets.count
                    ? "too many values to unpack (expected \(targets.count))"
                    : "not enough values to unpack (expected \(targets.count), got \(items.count))", loc)
            }
            for (t, item) in zip(targets, items) { try assign(t, item, frame, loc) }
        }
    }

    private func makeMacro(
        _ name: String, _ parameters: [MacroParameter], _ body: [Stmt], _ frame: Frame, _ loc: SourceLocation,
        catchesVarargs: Bool, catchesKwargs: Bool
    ) -> Value {
        .callable(Callable(name) { [unowned self] args in
            self.depth += 1
            defer { self.depth -= 1 }
            if self.depth > self.options.maxDepth {
                throw self.error(.limit, "macro calls nested deeper than \(self.options.maxDepth) levels", loc)
            }
            if !catchesVarargs, args.positional.count > parameters.count {
                throw JinjaError(.type, "macro '\(name)' takes not more than \(parameters.count) argument(s)")
            }
            if !catchesKwargs, let extra = args.keywords.first(where: { k in k.0 != "caller" && !parameters.contains { $0.name == k.0 } }) {
                throw JinjaError(.type, "macro '\(name)' takes no keyword argument '\(extra.0)'")
            }
            let f = Frame(parent: frame)
            var extraKeywords = OrderedDict()
            for (k, v) in args.keywords {
                if parameters.contains(where: { $0.name == k }) || k == "caller" { f.variables[k] = v } else { extraKeywords[k] = v }
            }
            for (i, p) in parameters.enumerated() {
                if i < args.positional.count {
                    f.variables[p.name] = args.positional[i]
                } else if f.variables[p.name] == nil {
                    f.variables[p.name] = try p.defaultValue.map { try self.eval($0, f) } ?? .undefined(hint: "'\(p.name)' is undefined")
                }
            }
            f.variables["varargs"] = .tuple(Array(args.positional.dropFirst(parameters.count)))
            f.variables["kwargs"] = .dict(extraKeywords)
            var out = ""
            _ = try self.render(body, f, into: &out)
            return .string(out)
        })
    }

    // MARK: - Expressions

    func eval(_ e: Expr, _ frame: Frame) throws -> Value {
        do {
            return try evalUnlocated(e, frame)
        } catch var err as JinjaError where err.line == 0 {
            err.line = e.location.line
            err.column = e.location.column
            throw err
        }
    }

    private func evalUnlocated(_ e: Expr, _ frame: Frame) throws -> Value {
        try step(e.location)
        switch e.kind {
        case .literal(let v):
            return v
        case .name(let n):
            return frame.lookup(n) ?? Globals.lookup(n, self) ?? .undefined(hint: "'\(n)' is undefined")
        case .list(let items):
            return .list(try items.map { try eval($0, frame) })
        case .tuple(let items):
            return .tuple(try items.map { try eval($0, frame) })
        case .dict(let pairs):
            var d = OrderedDict()
            for (k, v) in pairs { d[try eval(k, frame)] = try eval(v, frame) }
            return .dict(d)
        case .attribute(let base, let name):
            return try getAttribute(try eval(base, frame), name, e.location)
        case .item(let base, let index):
            return try getItem(try eval(base, frame), try eval(index, frame), e.location)
        case .slice(let base, let start, let stop, let stepExpr):
            let v = try eval(base, frame)
            return try slice(v, try start.map { try eval($0, frame) }, try stop.map { try eval($0, frame) },
                             try stepExpr.map { try eval($0, frame) }, e.location)
        case .call(let callee, let args):
            let f = try eval(callee, frame)
            return try callValue(f, try evalArguments(args, frame), e.location)
        case .filter(let base, let f):
            return try applyFilter(f, try eval(base, frame), frame)
        case .test(let base, let name, let args, let negated, let known):
            guard known else { throw error(.runtime, "no test named '\(name)'", e.location) }
            let v = try eval(base, frame)
            let result = try Tests.apply(name, v, try evalArguments(args, frame), self, e.location)
            return .bool(result != negated)
        case .not(let x):
            return .bool(!(try eval(x, frame).truthy))
        case .negate(let x):
            switch try eval(x, frame) {
            case .int(let i): return .int(0 &- i)
            case .bool(let b): return .int(b ? -1 : 0)
            case .float(let d): return .float(-d)
            case .undefined(let hint): throw error(.undefined, hint, e.location)
            case let v: throw error(.type, "bad operand type for unary -: '\(v.typeName)'", e.location)
            }
        case .plus(let x):
            let v = try eval(x, frame)
            guard v.number != nil else { throw error(.type, "bad operand type for unary +: '\(v.typeName)'", e.location) }
            return v
        case .binary(let op, let l, let r):
            return try Operators.binary(op, try eval(l, frame), try eval(r, frame), e.location, self)
        case .and(let l, let r):
            let a = try eval(l, frame)
            return a.truthy ? try eval(r, frame) : a
        case .or(let l, let r):
            let a = try eval(l, frame)
            return a.truthy ? a : try eval(r, frame)
        case .compare(let first, let rest):
            var left = try eval(first, frame)
            for (op, rightExpr) in rest {
                let right = try eval(rightExpr, frame)
                if !(try Operators.compare(op, left, right, rightExpr.location, self)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let test, let then, let otherwise):
            if try eval(test, frame).truthy { return try eval(then, frame) }
            return try otherwise.map { try eval($0, frame) } ?? .undefined(hint: "the inline if expression has no else branch")
        }
    }

    func evalArguments(_ args: CallArguments, _ frame: Frame) throws -> Arguments {
        Arguments(try args.positional.map { try eval($0, frame) },
                  keywords: try args.keywords.map { ($0.0, try eval($0.1, frame)) })
    }

    func callValue(_ f: Value, _ args: Arguments, _ loc: SourceLocation) throws -> Value {
        switch f {
        case .callable(let c):
            do {
                return try c.body(args)
            } catch var err as JinjaError where err.line == 0 {
                err.line = loc.line
                err.column = loc.column
                throw err
            }
        case .undefined(let hint):
            throw error(.undefined, hint, loc)
        case .dict(let d) where d[Interpreter.callKey] != nil:
            return try callValue(d[Interpreter.callKey] ?? .none, args, loc)
        default:
            throw error(.type, "'\(f.typeName)' object is not callable", loc)
        }
    }

    func applyFilter(_ f: FilterCall, _ value: Value, _ frame: Frame) throws -> Value {
        guard f.known else { throw error(.runtime, "no filter named '\(f.name)'", f.location) }
        let args = try evalArguments(f.arguments, frame)
        do {
            return try Filters.apply(f.name, value, args, self, f.location)
        } catch var err as JinjaError where err.line == 0 {
            err.line = f.location.line
            err.column = f.location.column
            throw err
        }
    }

    // MARK: - Access

    /// `a.b`: methods and attributes first, then items (jinja2 `Environment.getattr`).
    func getAttribute(_ v: Value, _ name: String, _ loc: SourceLocation) throws -> Value {
        switch v.plain {
        case .undefined(let hint):
            throw error(.undefined, hint, loc)
        case .dict(let d):
            if let m = Methods.dictMethod(d, name) { return m }
            return d[name] ?? .undefined(hint: "'dict object' has no attribute '\(name)'")
        case .namespace(let ns):
            if name.hasPrefix("_") { throw error(.runtime, "access to namespace attribute '\(name)' is unsafe (it starts with an underscore)", loc) }
            return ns.attributes[name] ?? .undefined(hint: "'Namespace' object has no attribute '\(name)'")
        case .string(let s):
            return Methods.stringMethod(s, name) ?? .undefined(hint: "'str object' has no attribute '\(name)'")
        case .list(let a):
            return Methods.listMethod(a, name) ?? .undefined(hint: "'list object' has no attribute '\(name)'")
        default:
            return .undefined(hint: "'\(v.typeName) object' has no attribute '\(name)'")
        }
    }

    /// `a[b]`: items first, then attributes (jinja2 `Environment.getitem`).
    func getItem(_ v: Value, _ key: Value, _ loc: SourceLocation) throws -> Value {
        let key = key.plain
        switch v.plain {
        case .undefined(let hint):
            throw error(.undefined, hint, loc)
        case .dict(let d):
            if let x = d[key] { return x }
            if case .string(let name) = key, let m = Methods.dictMethod(d, name) { return m }
            return .undefined(hint: "'dict object' has no attribute \(key.pythonRepr)")
        case .list(let a), .tuple(let a):
            guard let i = key.integer else {
                if case .string(let name) = key { return try getAttribute(v, name, loc) }
                throw error(.type, "list indices must be integers, not \(key.typeName)", loc)
            }
            let j = i < 0 ? i + a.count : i
            return j >= 0 && j < a.count ? a[j] : .undefined(hint: "list object has no element \(i)")
        case .string(let s):
            guard let i = key.integer else {
                if case .string(let name) = key { return try getAttribute(v, name, loc) }
                throw error(.type, "string indices must be integers, not \(key.typeName)", loc)
            }
            let scalars = Array(s.unicodeScalars)
            let j = i < 0 ? i + scalars.count : i
            return j >= 0 && j < scalars.count ? .string(String(scalars[j])) : .undefined(hint: "string index \(i) out of range")
        case .namespace:
            if case .string(let name) = key { return try getAttribute(v, name, loc) }
            return .undefined(hint: "no item \(key.pythonRepr)")
        default:
            return .undefined(hint: "'\(v.typeName) object' has no attribute \(key.pythonRepr)")
        }
    }

    func slice(_ v: Value, _ start: Value?, _ stop: Value?, _ stepValue: Value?, _ loc: SourceLocation) throws -> Value {
        func bound(_ x: Value?) throws -> Int? {
            guard let x, !x.isNone else { return nil }
            guard let i = x.integer else { throw error(.type, "slice indices must be integers or None", loc) }
            return i
        }
        let step = try bound(stepValue) ?? 1
        guard step != 0 else { throw error(.type, "slice step cannot be zero", loc) }
        let startIndex = try bound(start), stopIndex = try bound(stop)
        let v = v.plain
        func indices(_ n: Int) -> [Int] {
            func clamp(_ x: Int?, _ dflt: Int) -> Int {
                guard var x else { return dflt }
                if x < 0 { x += n }
                return step > 0 ? min(max(x, 0), n) : min(max(x, -1), n - 1)
            }
            var out: [Int] = []
            if step > 0 {
                var i = clamp(startIndex, 0)
                let end = clamp(stopIndex, n)
                while i < end { out.append(i); i += step }
            } else {
                var i = clamp(startIndex, n - 1)
                let end = clamp(stopIndex, -1)
                while i > end { out.append(i); i += step }
            }
            return out
        }
        switch v {
        case .list(let a): return .list(indices(a.count).map { a[$0] })
        case .tuple(let a): return .tuple(indices(a.count).map { a[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in indices(scalars.count) { out.append(scalars[i]) }
            return .string(String(out))
        case .undefined(let hint): throw error(.undefined, hint, loc)
        default: throw error(.type, "'\(v.typeName)' object is not subscriptable", loc)
        }
    }
}
