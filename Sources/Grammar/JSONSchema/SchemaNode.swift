/// The JSON types a schema's `type` keyword names. `integer` is the whole numbers within `number`.
enum SchemaType: String, Sendable, CaseIterable {
    case null, boolean, integer, number, string, array, object
}

/// The string formats both the converter and the validator understand.
enum SchemaFormat: String, Sendable {
    case date, time, dateTime = "date-time", uuid, email
}

/// One parsed schema object: every constraining keyword, typed. Sub-schemas are indices into
/// `SchemaDocument.nodes`, which lets `$ref` cycles (recursive schemas) be plain integers.
/// All keywords present constrain together (a conjunction), as JSON Schema says.
struct SchemaNode: Sendable {
    /// JSON pointer of this schema inside its document.
    var path: String
    /// The boolean schema `false`.
    var isFalse = false
    /// `type`, in the order written; nil when absent.
    var types: [SchemaType]?
    /// `enum` and `const` (const as a one-value list); every list must contain the instance.
    var valueLists: [[JSONValue]] = []
    var ref: Int?
    var refPath = ""
    var allOf: [Int] = []
    var anyOf: [Int] = []
    var oneOf: [Int] = []

    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?
    var format: SchemaFormat?

    var minimum: JSONValue?
    var maximum: JSONValue?
    var exclusiveMinimum: JSONValue?
    var exclusiveMaximum: JSONValue?

    /// `prefixItems`, or draft-7 array-valued `items` (same meaning).
    var prefixItems: [Int]?
    /// `items` as a schema: the items after the prefix.
    var items: Int?
    var minItems: Int?
    var maxItems: Int?
    /// Checked by the validator only: a grammar cannot see earlier items.
    var uniqueItems = false

    var properties: [(name: String, node: Int)] = []
    var required: [String] = []
    var additionalProperties: Int?

    init(path: String) { self.path = path }

    /// True when nothing but `$ref` constrains (annotations aside).
    var isPureRef: Bool { ref != nil && hasNoLocalConstraints && allOf.isEmpty && anyOf.isEmpty && oneOf.isEmpty }

    /// No keyword of its own other than the composition keywords and `$ref`.
    var hasNoLocalConstraints: Bool {
        !isFalse && types == nil && valueLists.isEmpty && !hasStringKeywords && !hasNumberKeywords
            && !hasArrayKeywords && !hasObjectKeywords
    }

    var hasStringKeywords: Bool { minLength != nil || maxLength != nil || pattern != nil || format != nil }
    var hasNumberKeywords: Bool {
        minimum != nil || maximum != nil || exclusiveMinimum != nil || exclusiveMaximum != nil
    }
    var hasArrayKeywords: Bool { prefixItems != nil || items != nil || minItems != nil || maxItems != nil || uniqueItems }
    var hasObjectKeywords: Bool { !properties.isEmpty || !required.isEmpty || additionalProperties != nil }
}

/// A schema parsed once, `$ref`s resolved, shared by the converter and the validator so both
/// accept exactly the same schemas.
struct SchemaDocument: Sendable {
    var nodes: [SchemaNode]
    /// Always 0: the document root, which `"$ref": "#"` names.
    var root: Int { 0 }

    init(_ schema: JSONValue) throws(JSONSchemaError) {
        var parser = SchemaParser(root: schema)
        nodes = try parser.parseDocument()
    }
}
