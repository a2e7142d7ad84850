/// An expression with the source location of its first token (for error messages).
struct Expr {
    indirect enum Kind {
        case literal(Value)
        case name(String)
        case list([Expr])
        case tuple([Expr])
        case dict([(Expr, Expr)])
        case attribute(Expr, String)
        case item(Expr, Expr)
        case slice(Expr, start: Expr?, stop: Expr?, step: Expr?)
        case call(Expr, CallArguments)
        case filter(Expr, FilterCall)
        case test(Expr, name: String, arguments: CallArguments, negated: Bool, known: Bool)
        case not(Expr)
        case negate(Expr)
        case plus(Expr)
        /// `+ - * / // % ** ~`
        case binary(String, Expr, Expr)
        case and(Expr, Expr)
        case or(Expr, Expr)
        /// A comparison chain: `a < b <= c`; operators include `in` and `not in`.
        case compare(Expr, [(String, Expr)])
        case conditional(test: Expr, then: Expr, otherwise: Expr?)
    }

    var kind: Kind
    var location: SourceLocation
}

struct CallArguments {
    var positional: [Expr] = []
    var keywords: [(String, Expr)] = []
}

struct FilterCall {
    var name: String
    /// False when the name is unknown inside an `if` (jinja2 defers that error to run time).
    var known = true
    var arguments: CallArguments
    var location: SourceLocation
}

/// The left side of `set` and the variables of `for`.
indirect enum AssignTarget {
    case name(String)
    case tuple([AssignTarget])
    /// `ns.attribute`: only namespaces accept assignment.
    case attribute(String, String)
}

struct MacroParameter {
    var name: String
    var defaultValue: Expr?
}

/// A template statement with the location of its tag.
struct Stmt {
    indirect enum Kind {
        case text(String)
        case output(Expr)
        case `if`([(Expr, [Stmt])], otherwise: [Stmt])
        case `for`(target: AssignTarget, iterable: Expr, filter: Expr?, body: [Stmt], otherwise: [Stmt], recursive: Bool)
        case set(AssignTarget, Expr)
        case setBlock(AssignTarget, body: [Stmt], filters: [FilterCall])
        /// `catchesVarargs`/`catchesKwargs`: the body mentions `varargs`/`kwargs`, so extra
        /// arguments are accepted (jinja2 decides this at compile time the same way).
        case macro(name: String, parameters: [MacroParameter], body: [Stmt], catchesVarargs: Bool, catchesKwargs: Bool)
        case callBlock(call: Expr, parameters: [MacroParameter], body: [Stmt])
        case filterBlock([FilterCall], body: [Stmt])
        case with([(AssignTarget, Expr)], body: [Stmt])
        case `break`
        case `continue`
        /// transformers' `{% generation %}` marks assistant text; rendering just emits the body.
        case block([Stmt])
    }

    var kind: Kind
    var location: SourceLocation
}
