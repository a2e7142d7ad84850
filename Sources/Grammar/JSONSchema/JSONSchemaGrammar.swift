/// Builds one GBNF grammar (llama.cpp's dialect, grammars/README.md) from one or more JSON
/// Schemas; tool calling puts several schemas in one grammar. Same schemas, same calls, same
/// text: rules are emitted sorted by name.
///
/// Policy (JSONSchemaValidator checks full JSON Schema meaning; the grammar may be narrower):
/// - Unsupported keywords (not, multipleOf, if/then/else, patternProperties, minProperties, ...)
///   are errors with their path, never dropped. llama.cpp ignores unknown keywords.
/// - A pattern outside the subset is an error; llama.cpp degrades it to "any string".
/// - `prefixItems` must be an array; llama.cpp reads a schema there as `items`.
/// - additionalProperties absent: no extra keys when `properties` is given, any when not
///   (llama.cpp common/json-schema.cpp build_object); JSON Schema allows extras. Narrower.
/// - Tuples require every prefix item; more items only when `items` gives a schema. Narrower.
/// - Property order is schema order; numbers have at most 16 digits per part. Narrower.
/// - Wider than the schema (the validator catches these): non-integer number bounds (only a
///   lower bound >= 0 is kept, as "no minus sign"), oneOf exclusivity (treated as anyOf),
///   uniqueItems, calendar validity of dates (02-30).
/// - Patterns combined with minLength/maxLength/format, or two patterns, are errors.
/// - allOf, and `$ref`/anyOf beside other keywords, are expanded into merged alternatives (at
///   most 64); llama.cpp merges only object properties and enums.
/// - Unsatisfiable combinations (enum values that fail the other keywords, minimum > maximum,
///   the schema `false`) are converter errors; the validator accepts such schemas.
public struct JSONSchemaGrammar: Sendable {
    /// name -> body; "" marks a name reserved for a rule whose body is being built.
    var rules: [String: String] = [:]

    public init() {
        _ = builtin("space")
    }

    /// Adds the rules for `schema` and returns the name of the rule matching one instance of it.
    /// - Parameters:
    ///   - schema: a JSON Schema (object or boolean).
    ///   - name: seeds the rule names (sanitized, made unique); "root" or "" name the root rule.
    /// - Throws: `JSONSchemaError` naming the keyword's path for anything unsupported or malformed.
    public mutating func add(schema: JSONValue, name: String) throws(JSONSchemaError) -> String {
        let document = try SchemaDocument(schema)
        var converter = SchemaConverter(document: document)
        let seed = name == "root" ? "" : GBNF.sanitize(name)
        // Built on a copy: a schema that fails leaves the grammar as it was.
        var copy = self
        let rootRule = copy.reserve(SchemaConverter.ruleName(seed))
        converter.refRules[document.root] = rootRule
        copy.rules[rootRule] = try converter.expression(document.root, name: seed, into: &copy)
        self = copy
        return rootRule
    }

    /// Adds a hand-written rule (`body` in GBNF, which may use `space`, `value` and the other
    /// builtins after `builtin(_:)`); returns its name, made unique.
    @discardableResult
    public mutating func addRule(_ name: String, _ body: String) -> String {
        var base = GBNF.sanitize(name)
        if base.isEmpty || GrammarBuiltins.isReserved(base) { base += "-" }
        return define(base, body)
    }

    /// Makes sure a builtin rule ("value", "string", "number", "integer", "boolean", "null",
    /// "object", "array", "space", "char", ...) and what it uses are in the grammar; returns its
    /// name, or nil for an unknown one.
    @discardableResult
    public mutating func builtin(_ name: String) -> String? {
        guard let rule = GrammarBuiltins.rules[name] else { return nil }
        if rules[name] == nil {
            rules[name] = rule.body
            for dep in rule.deps { builtin(dep) }
        }
        return name
    }

    /// The grammar text: `root ::= <rule>` (unless `rule` is "root") and every rule, each once,
    /// sorted by name.
    public func gbnf(root rule: String) -> String {
        var all = rules
        if rule != "root" { all["root"] = rule }
        return all.keys.sorted().map { "\($0) ::= \(all[$0] ?? "")\n" }.joined()
    }

    /// The grammar for one schema, its root rule named "root".
    public static func gbnf(for schema: JSONValue) throws(JSONSchemaError) -> String {
        var g = JSONSchemaGrammar()
        let root = try g.add(schema: schema, name: "root")
        return g.gbnf(root: root)
    }

    /// Any JSON object: OpenAI `response_format: {"type": "json_object"}`, Ollama `format: "json"`.
    public static let jsonObject: String = {
        var g = JSONSchemaGrammar()
        let object = g.builtin("object") ?? "object"
        return g.gbnf(root: object)
    }()

    // MARK: - rule table

    /// Adds `body` under `name`, or under name0, name1... when `name` holds a different body
    /// (llama.cpp's _add_rule scheme); an identical rule is shared.
    mutating func define(_ name: String, _ body: String) -> String {
        if rules[name] == nil || rules[name] == body {
            rules[name] = body
            return name
        }
        var i = 0
        while let existing = rules["\(name)\(i)"], existing != body { i += 1 }
        rules["\(name)\(i)"] = body
        return "\(name)\(i)"
    }

    /// A free name for a rule whose body comes later (recursive `$ref`s point at it meanwhile).
    mutating func reserve(_ name: String) -> String {
        var unique = name
        var i = 0
        while rules[unique] != nil {
            unique = "\(name)\(i)"
            i += 1
        }
        rules[unique] = ""
        return unique
    }
}
