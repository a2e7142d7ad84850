import Grammar

/// A call read from the model's text, before it gets an id of ours.
struct DecodedCall: Equatable {
    var name: String
    /// Compact JSON text of the arguments object.
    var arguments: String
    /// The id the model wrote, if it wrote one (Mistral, the generic format).
    var id: String?

    /// A call from a JSON object `{"name": ..., "arguments" | "parameters": ...}` (other keys, such as
    /// Llama 3.2's `"type": "function"`, are ignored). Nil when the object is not a call.
    /// - Parameter requireArguments: whether a call without arguments is refused (Llama 3's bare JSON
    ///   calls, so that an answer that happens to be a JSON object with a "name" stays content);
    ///   elsewhere a missing arguments key means `{}`.
    init?(object value: JSONValue, requireArguments: Bool = false) {
        guard let object = value.objectValue, let name = object["name"]?.stringValue, !name.isEmpty else { return nil }
        let given = object["arguments"] ?? object["parameters"]
        if requireArguments, given == nil { return nil }
        guard let arguments = DecodedCall.arguments(given) else { return nil }
        self.name = name
        self.arguments = arguments
        if case .string(let id)? = object["id"], !id.isEmpty { self.id = id }
    }

    init(name: String, arguments: String, id: String? = nil) {
        self.name = name
        self.arguments = arguments
        self.id = id
    }

    /// The arguments as compact JSON object text: an object re-serialized; a string that holds a JSON
    /// object decoded first (some models, and templates that `tojson` a string, write it so); absent
    /// is `{}`. Anything else is not a call's arguments.
    static func arguments(_ value: JSONValue?) -> String? {
        switch value {
        case nil: return "{}"
        case .object?: return value?.serialized
        case .string(let text)?:
            guard let inner = try? JSONValue(parsing: text), case .object = inner else { return nil }
            return inner.serialized
        default: return nil
        }
    }

    /// Arguments given as raw code for a Python tool: `{"code": ...}`, as llama.cpp maps it
    /// (common/chat.cpp, Llama 3.x and Functionary: raw python becomes a "python" call).
    static func python(code: String) -> DecodedCall {
        DecodedCall(name: "python", arguments: JSONValue.object(JSONObject([("code", .string(code))])).serialized)
    }
}
