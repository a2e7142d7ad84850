/// Turns tokens into statements and expressions, following jinja2's grammar and operator
/// precedence (jinja2 `parser.py`: condexpr < or < and < not < compare < + - < ~ < * / // % <
/// ** < unary < filters/tests < postfix).
struct Parser {
    private let tokens: [Token]
    private var i = 0
    private var loopDepth = 0
    /// Inside an `if` test or branch, or an inline `if`: jinja2 compiles these in a "soft" frame
    /// where an unknown filter or test fails only when evaluated.
    private var soft = false
    /// Unknown filters and tests outside soft frames. jinja2 reports them when compiling, after
    /// parsing succeeded, so they are thrown only once the whole template has parsed.
    private var unknownNames: [JinjaError] = []
    /// Nesting of statements and bracketed expressions, bounded so that hostile templates
    /// cannot overflow the stack.
    private var nesting = 0
    static let maxNesting = 256

    private mutating func enter(_ loc: SourceLocation) throws {
        nesting += 1
        if nesting > Parser.maxNesting {
            throw JinjaError(.limit, "template nests deeper than \(Parser.maxNesting) levels", line: loc.line, column: loc.column)
        }
    }

    init(_ tokens: [Token]) { self.tokens = tokens }

    static func parse(_ tokens: [Token]) throws -> [Stmt] {
        var p = Parser(tokens)
        let (body, end) = try p.parseBody(until: [])
        if let end { throw p.error("unexpected '\(end)' tag", p.tokens[p.i - 1].location) }
        if let unknown = p.unknownNames.first { throw unknown }
        return body
    }

    // MARK: - Token helpers

    private var current: Token { tokens[min(i, tokens.count - 1)] }
    private var next: Token { tokens[min(i + 1, tokens.count - 1)] }

    private func error(_ m: String, _ loc: SourceLocation? = nil) -> JinjaError {
        let l = loc ?? current.location
        return JinjaError(.syntax, m, line: l.line, column: l.column)
    }

    private func isOp(_ s: String) -> Bool { current.kind == .op(s) }
    private func isName(_ s: String) -> Bool { current.kind == .name(s) }

    private mutating func skipOp(_ s: String) -> Bool {
        if isOp(s) { i += 1; return true }
        return false
    }

    private mutating func skipName(_ s: String) -> Bool {
        if isName(s) { i += 1; return true }
        return false
    }

    private mutating func expectOp(_ s: String) throws {
        guard skipOp(s) else { throw error("expected '\(s)', got \(describe(current))") }
    }

    private mutating func expectName() throws -> String {
        guard case .name(let n) = current.kind else { throw error("expected a name, got \(describe(current))") }
        i += 1
        return n
    }

    private mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else { throw error("expected end of statement block, got \(describe(current))") }
        i += 1
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .text: "text"
        case .variableBegin: "'{{'"
        case .variableEnd: "'}}'"
        case .blockBegin: "'{%'"
        case .blockEnd: "end of statement block"
        case .name(let n): "'\(n)'"
        case .string(let s): "string '\(s)'"
        case .int(let n): "integer \(n)"
        case .float(let d): "float \(d)"
        case .op(let o): "'\(o)'"
        case .eof: "end of template"
        }
    }

    // MARK: - Statements

    /// Parses statements until a block tag whose name is in `until` (returned, consumed along
    /// with its name) or the end of the template (returns nil).
    private mutating func parseBody(until: Set<String>) throws -> ([Stmt], String?) {
        var body: [Stmt] = []
        while true {
            let t = current
            switch t.kind {
            case .eof:
                if !until.isEmpty {
                    throw error("unexpected end of template; expected one of: \(until.sorted().joined(separator: ", "))")
                }
                return (body, nil)
            case .text(let s):
                i += 1
                body.append(Stmt(kind: .text(s), location: t.location))
            case .variableBegin:
                i += 1
                let e = try parseTuple()
                guard current.kind == .variableEnd else { throw error("expected '}}', got \(describe(current))") }
                i += 1
                body.append(Stmt(kind: .output(e), location: e.location))
            case .blockBegin:
                i += 1
                guard case .name(let tag) = current.kind else { throw error("expected a statement name, got \(describe(current))") }
                if until.contains(tag) {
                    i += 1
                    return (body, tag)
                }
                body.append(try parseStatement(tag, location: t.location))
            default:
                throw error("unexpected \(describe(t))")
            }
        }
    }

    private mutating func parseStatement(_ tag: String, location: SourceLocation) throws -> Stmt {
        let tagLocation = current.location
        i += 1
        try enter(tagLocation)
        defer { nesting -= 1 }
        switch tag {
        case "if":
            let savedSoft = soft
            soft = true
            defer { soft = savedSoft }
            var branches: [(Expr, [Stmt])] = []
            var cond = try parseExpression()
            while true {
                try expectBlockEnd()
                let (body, end) = try parseBody(until: ["elif", "else", "endif"])
                branches.append((cond, body))
                if end == "elif" {
                    cond = try parseExpression()
                    continue
                }
                var otherwise: [Stmt] = []
                if end == "else" {
                    try expectBlockEnd()
                    (otherwise, _) = try parseBody(until: ["endif"])
                }
                try expectBlockEnd()
                return Stmt(kind: .if(branches, otherwise: otherwise), location: location)
            }
        case "for":
            let target = try parseAssignTarget(allowAttribute: false)
            guard skipName("in") else { throw error("expected 'in', got \(describe(current))") }
            let iterable = try parseTuple(withCondition: false, extraEnd: ["recursive"])
            var filter: Expr?
            if skipName("if") { filter = try parseExpression() }
            let recursive = skipName("recursive")
            try expectBlockEnd()
            loopDepth += 1
            let savedSoft = soft
            soft = false
            let (body, end) = try parseBody(until: ["endfor", "else"])
            soft = savedSoft
            loopDepth -= 1
            var otherwise: [Stmt] = []
            if end == "else" {
                try expectBlockEnd()
                (otherwise, _) = try parseBody(until: ["endfor"])
            }
            try expectBlockEnd()
            return Stmt(kind: .for(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, recursive: recursive), location: location)
        case "set":
            let target = try parseAssignTarget(allowAttribute: true)
            if skipOp("=") {
                let value = try parseTuple()
                try expectBlockEnd()
                return Stmt(kind: .set(target, value), location: location)
            }
            var filters: [FilterCall] = []
            while skipOp("|") { filters.append(try parseFilterName()) }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endset"])
            try expectBlockEnd()
            return Stmt(kind: .setBlock(target, body: body, filters: filters), location: location)
        case "macro":
            let name = try expectName()
            let parameters = try parseParameters()
            try expectBlockEnd()
            let saved = (loopDepth, soft)
            loopDepth = 0
            soft = false
            let bodyStart = i
            let (body, _) = try parseBody(until: ["endmacro"])
            (loopDepth, soft) = saved
            let bodyTokens = tokens[bodyStart..<i]
            try expectBlockEnd()
            return Stmt(kind: .macro(name: name, parameters: parameters, body: body,
                                     catchesVarargs: bodyTokens.contains { $0.kind == .name("varargs") },
                                     catchesKwargs: bodyTokens.contains { $0.kind == .name("kwargs") }), location: location)
        case "call":
            let parameters = isOp("(") ? try parseParameters() : []
            let call = try parseExpression()
            guard case .call = call.kind else { throw error("expected a call after 'call'", call.location) }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endcall"])
            try expectBlockEnd()
            return Stmt(kind: .callBlock(call: call, parameters: parameters, body: body), location: location)
        case "filter":
            var filters: [FilterCall] = [try parseFilterName()]
            while skipOp("|") { filters.append(try parseFilterName()) }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endfilter"])
            try expectBlockEnd()
            return Stmt(kind: .filterBlock(filters, body: body), location: location)
        case "with":
            var assignments: [(AssignTarget, Expr)] = []
            while current.kind != .blockEnd {
                if !assignments.isEmpty { try expectOp(",") }
                let target = try parseAssignTarget(allowAttribute: false)
                try expectOp("=")
                assignments.append((target, try parseExpression()))
            }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endwith"])
            try expectBlockEnd()
            return Stmt(kind: .with(assignments, body: body), location: location)
        case "generation":
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endgeneration"])
            try expectBlockEnd()
            return Stmt(kind: .block(body), location: location)
        case "break", "continue":
            guard loopDepth > 0 else { throw error("'\(tag)' outside of a loop", tagLocation) }
            try expectBlockEnd()
            return Stmt(kind: tag == "break" ? .break : .continue, location: location)
        default:
            throw error("encountered unknown tag '\(tag)'", tagLocation)
        }
    }

    private mutating func parseAssignTarget(allowAttribute: Bool) throws -> AssignTarget {
        func one(_ p: inout Parser) throws -> AssignTarget {
            if p.skipOp("(") {
                let t = try p.parseAssignTarget(allowAttribute: false)
                try p.expectOp(")")
                return t
            }
            let n = try p.expectName()
            if allowAttribute, p.skipOp(".") { return .attribute(n, try p.expectName()) }
            return .name(n)
        }
        let first = try one(&self)
        guard isOp(",") else { return first }
        var items = [first]
        while skipOp(",") {
            if case .name = current.kind {} else if !isOp("(") { break }
            items.append(try one(&self))
        }
        return .tuple(items)
    }

    private mutating func parseParameters() throws -> [MacroParameter] {
        try expectOp("(")
        var params: [MacroParameter] = []
        while !isOp(")") {
            if !params.isEmpty { try expectOp(",") }
            if isOp(")") { break }
            let name = try expectName()
            params.append(MacroParameter(name: name, defaultValue: skipOp("=") ? try parseExpression() : nil))
        }
        try expectOp(")")
        return params
    }

    // MARK: - Expressions

    /// An expression or a comma-separated tuple without parentheses (`{{ a, b }}`, `set x = 1, 2`).
    private mutating func parseTuple(withCondition: Bool = true, extraEnd: Set<String> = []) throws -> Expr {
        let loc = current.location
        var items: [Expr] = []
        var sawComma = false
        while true {
            if !items.isEmpty {
                guard skipOp(",") else { break }
                sawComma = true
            }
            if current.kind == .blockEnd || current.kind == .variableEnd || isOp(")") { break }
            if case .name(let n) = current.kind, extraEnd.contains(n) || (n == "if" && !withCondition) { break }
            items.append(withCondition ? try parseExpression() : try parseOr())
        }
        if !sawComma {
            guard let only = items.first else { throw error("expected an expression, got \(describe(current))") }
            return only
        }
        return Expr(kind: .tuple(items), location: loc)
    }

    mutating func parseExpression() throws -> Expr {
        let mark = unknownNames.count
        var e = try parseOr()
        if isName("if") { unknownNames.removeSubrange(mark...) }
        while isName("if") {
            let loc = current.location
            i += 1
            // jinja2 visits the whole inline if, including the part before `if`, in a soft frame;
            // that part is already parsed here, so only the test and else branch are soft.
            let savedSoft = soft
            soft = true
            defer { soft = savedSoft }
            let test = try parseOr()
            let otherwise = skipName("else") ? try parseExpression() : nil
            e = Expr(kind: .conditional(test: test, then: e, otherwise: otherwise), location: loc)
        }
        return e
    }

    private mutating func parseOr() throws -> Expr {
        var e = try parseAnd()
        while isName("or") {
            i += 1
            e = Expr(kind: .or(e, try parseAnd()), location: e.location)
        }
        return e
    }

    private mutating func parseAnd() throws -> Expr {
        var e = try parseNot()
        while isName("and") {
            i += 1
            e = Expr(kind: .and(e, try parseNot()), location: e.location)
        }
        return e
    }

    private mutating func parseNot() throws -> Expr {
        if isName("not") {
            let loc = current.location
            try enter(loc)
            defer { nesting -= 1 }
            i += 1
            return Expr(kind: .not(try parseNot()), location: loc)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> Expr {
        let left = try parseMath1()
        var ops: [(String, Expr)] = []
        while true {
            if case .op(let o) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                i += 1
                ops.append((o, try parseMath1()))
            } else if isName("in") {
                i += 1
                ops.append(("in", try parseMath1()))
            } else if isName("not"), next.kind == .name("in") {
                i += 2
                ops.append(("not in", try parseMath1()))
            } else {
                break
            }
        }
        return ops.isEmpty ? left : Expr(kind: .compare(left, ops), location: left.location)
    }

    private mutating func parseBinary(_ ops: Set<String>, _ operand: (inout Parser) throws -> Expr) throws -> Expr {
        var e = try operand(&self)
        while case .op(let o) = current.kind, ops.contains(o) {
            let loc = current.location
            i += 1
            e = Expr(kind: .binary(o, e, try operand(&self)), location: loc)
        }
        return e
    }

    private mutating func parseMath1() throws -> Expr { try parseBinary(["+", "-"]) { try $0.parseConcat() } }
    private mutating func parseConcat() throws -> Expr { try parseBinary(["~"]) { try $0.parseMath2() } }
    private mutating func parseMath2() throws -> Expr { try parseBinary(["*", "/", "//", "%"]) { try $0.parsePow() } }
    private mutating func parsePow() throws -> Expr { try parseBinary(["**"]) { try $0.parseUnary() } }

    private mutating func parseUnary(withFilter: Bool = true) throws -> Expr {
        let loc = current.location
        try enter(loc)
        defer { nesting -= 1 }
        var e: Expr
        if skipOp("-") {
            e = Expr(kind: .negate(try parseUnary(withFilter: false)), location: loc)
        } else if skipOp("+") {
            e = Expr(kind: .plus(try parseUnary(withFilter: false)), location: loc)
        } else {
            e = try parsePostfix(try parsePrimary())
        }
        return withFilter ? try parseFilterExpression(e) : e
    }

    private mutating func parsePrimary() throws -> Expr {
        let t = current
        let loc = t.location
        switch t.kind {
        case .name(let n):
            i += 1
            switch n {
            case "true", "True": return Expr(kind: .literal(.bool(true)), location: loc)
            case "false", "False": return Expr(kind: .literal(.bool(false)), location: loc)
            case "none", "None": return Expr(kind: .literal(.none), location: loc)
            default: return Expr(kind: .name(n), location: loc)
            }
        case .string(var s):
            i += 1
            while case .string(let more) = current.kind {
                s += more
                i += 1
            }
            return Expr(kind: .literal(.string(s)), location: loc)
        case .int(let n):
            i += 1
            return Expr(kind: .literal(.int(n)), location: loc)
        case .float(let d):
            i += 1
            return Expr(kind: .literal(.float(d)), location: loc)
        case .op("("):
            i += 1
            if skipOp(")") { return Expr(kind: .tuple([]), location: loc) }
            var items: [Expr] = [try parseExpression()]
            var sawComma = false
            while skipOp(",") {
                sawComma = true
                if isOp(")") { break }
                items.append(try parseExpression())
            }
            try expectOp(")")
            return sawComma ? Expr(kind: .tuple(items), location: loc) : items[0]
        case .op("["):
            i += 1
            var items: [Expr] = []
            while !isOp("]") {
                if !items.isEmpty { try expectOp(","); if isOp("]") { break } }
                items.append(try parseExpression())
            }
            try expectOp("]")
            return Expr(kind: .list(items), location: loc)
        case .op("{"):
            i += 1
            var pairs: [(Expr, Expr)] = []
            while !isOp("}") {
                if !pairs.isEmpty { try expectOp(","); if isOp("}") { break } }
                let k = try parseExpression()
                try expectOp(":")
                pairs.append((k, try parseExpression()))
            }
            try expectOp("}")
            return Expr(kind: .dict(pairs), location: loc)
        default:
            throw error("unexpected \(describe(t))")
        }
    }

    private mutating func parsePostfix(_ base: Expr) throws -> Expr {
        var e = base
        while true {
            let loc = current.location
            if skipOp(".") {
                switch current.kind {
                case .name(let n):
                    i += 1
                    e = Expr(kind: .attribute(e, n), location: loc)
                case .int(let n):
                    i += 1
                    e = Expr(kind: .item(e, Expr(kind: .literal(.int(n)), location: loc)), location: loc)
                default:
                    throw error("expected an attribute name after '.', got \(describe(current))")
                }
            } else if skipOp("[") {
                e = try parseSubscript(e, loc)
            } else if isOp("(") {
                e = Expr(kind: .call(e, try parseCallArguments()), location: e.location)
            } else {
                return e
            }
        }
    }

    private mutating func parseSubscript(_ base: Expr, _ loc: SourceLocation) throws -> Expr {
        var parts: [Expr?] = []
        var part: Expr? = nil
        var isSlice = false
        while !isOp("]") {
            if skipOp(":") {
                isSlice = true
                parts.append(part)
                part = nil
                continue
            }
            if part != nil { throw error("expected ']' or ':'") }
            let e = try parseExpression()
            part = e
            if !isSlice, isOp(",") {
                var items = [e]
                while skipOp(",") { if isOp("]") { break }; items.append(try parseExpression()) }
                part = Expr(kind: .tuple(items), location: e.location)
            }
        }
        try expectOp("]")
        parts.append(part)
        if !isSlice {
            guard let index = parts[0] else { throw error("expected an index inside '[]'", loc) }
            return Expr(kind: .item(base, index), location: loc)
        }
        guard parts.count <= 3 else { throw error("too many ':' in slice", loc) }
        return Expr(kind: .slice(base, start: parts[0], stop: parts.count > 1 ? parts[1] : nil, step: parts.count > 2 ? parts[2] : nil), location: loc)
    }

    private mutating func parseCallArguments() throws -> CallArguments {
        try expectOp("(")
        var args = CallArguments()
        var first = true
        while !isOp(")") {
            if !first { try expectOp(","); if isOp(")") { break } }
            first = false
            if case .name(let n) = current.kind, next.kind == .op("=") {
                i += 2
                args.keywords.append((n, try parseExpression()))
            } else {
                if !args.keywords.isEmpty { throw error("positional argument after keyword argument") }
                args.positional.append(try parseExpression())
            }
        }
        try expectOp(")")
        return args
    }

    private mutating func parseFilterCall() throws -> FilterCall {
        try expectOp("|")
        return try parseFilterName()
    }

    /// A filter name with its optional arguments, after the `|`.
    private mutating func parseFilterName() throws -> FilterCall {
        let loc = current.location
        var name = try expectName()
        while isOp("."), case .name(let more) = next.kind {
            i += 2
            name += "." + more
        }
        let known = Filters.names.contains(name)
        if !known && !soft {
            unknownNames.append(JinjaError(.assertion, "no filter named '\(name)'", line: loc.line, column: loc.column))
        }
        let args = isOp("(") ? try parseCallArguments() : CallArguments()
        return FilterCall(name: name, known: known, arguments: args, location: loc)
    }

    private mutating func parseFilterExpression(_ base: Expr) throws -> Expr {
        var e = base
        while true {
            if isOp("|") {
                let f = try parseFilterCall()
                e = Expr(kind: .filter(e, f), location: f.location)
            } else if isName("is") {
                i += 1
                let negated = skipName("not")
                let loc = current.location
                var name: String
                switch current.kind {
                case .name(let n): name = n
                    i += 1
                // `is ==` style names are not jinja2 syntax, but `none`/`true`/`false` are names here.
                default: throw error("expected a test name after 'is', got \(describe(current))")
                }
                while isOp("."), case .name(let more) = next.kind {
                    i += 2
                    name += "." + more
                }
                let known = Tests.names.contains(name)
                if !known && !soft {
                    unknownNames.append(JinjaError(.assertion, "no test named '\(name)'", line: loc.line, column: loc.column))
                }
                var args = CallArguments()
                if isOp("(") {
                    args = try parseCallArguments()
                } else if startsPrimary(current), !isName("else"), !isName("or"), !isName("and") {
                    if isName("is") { throw error("you cannot chain multiple tests with 'is'") }
                    args.positional = [try parsePostfix(try parsePrimary())]
                }
                e = Expr(kind: .test(e, name: name, arguments: args, negated: negated, known: known), location: loc)
            } else if isOp("(") {
                e = Expr(kind: .call(e, try parseCallArguments()), location: current.location)
            } else {
                return e
            }
        }
    }

    private func startsPrimary(_ t: Token) -> Bool {
        switch t.kind {
        case .name, .string, .int, .float, .op("("), .op("["), .op("{"): true
        default: false
        }
    }
}
