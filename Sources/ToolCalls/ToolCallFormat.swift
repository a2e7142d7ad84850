/// The tool-call syntaxes of the Llama family's chat models, each as its chat template teaches it.
///
/// Facts come from the templates in llama.cpp's models/templates collection (installed under
/// ~/.cache/cria/tokenizers/templates) and llama.cpp's common/chat.cpp, which parses the same text;
/// scripts/reference/make_tool_call_fixtures.py renders each template's tool-call turn.
public enum ToolCallFormat: String, Sendable, CaseIterable {
    /// Llama 3.1 / 3.2 / 3.3: `{"name": n, "parameters": {...}}` as the whole turn (several joined by
    /// `;` or newlines); `<|python_tag|>` followed by JSON call(s), a builtin call
    /// `brave_search.call(query="...")`, or raw code for the code interpreter.
    case llama3
    /// Hermes 2 Pro / Hermes 3 / Qwen 2.5 (and Qwen 3, QwQ): `<tool_call>\n{"name", "arguments"}\n</tool_call>`.
    case hermes
    /// Mistral Nemo: `[TOOL_CALLS][{"name", "arguments", "id"}]`; Mistral Small 3.2 / Devstral:
    /// `[TOOL_CALLS]name[CALL_ID]id[ARGS]{...}`, `[TOOL_CALLS]name[ARGS]{...}`.
    case mistral
    /// Functionary v3.1 (Llama 3.1 based): `<function=name>{...}</function>`; `<|python_tag|>` + code.
    case functionaryV31
    /// Functionary v3.2: `>>>recipient\n...` segments; recipient `all` is plain text.
    case functionaryV32
    /// Firefunction v2: ` functools[{"name", "arguments"}, ...]`.
    case firefunctionV2
    /// llama.cpp's generic format for templates with no tool syntax of their own: the whole output is
    /// `{"tool_call": {...}}`, `{"tool_calls": [...]}` or `{"response": ...}`.
    case generic

    /// Recognizes the format from a chat template's source, by the markers its tool-call turn renders
    /// (the order of checks follows llama.cpp common/chat.cpp's template detection).
    /// Templates with other tool syntaxes (Qwen3-Coder's `<function=...><parameter=...>`, GLM's
    /// `<arg_key>`, MiniMax's `<invoke>`) are `generic`: none of these parsers would read them.
    public static func detect(chatTemplate: String?) -> ToolCallFormat {
        guard let t = chatTemplate, !t.isEmpty else { return .generic }
        if t.contains(">>>all") { return .functionaryV32 }
        if t.contains(" functools[") { return .firefunctionV2 }
        if t.contains("<function="), t.contains("<|start_header_id|>") { return .functionaryV31 }
        if t.contains("[TOOL_CALLS]") { return .mistral }
        if t.contains("<tool_call>"),
           !["<function=", "<parameter=", "<arg_key>", "<invoke"].contains(where: { t.contains($0) }) {
            return .hermes
        }
        if t.contains("<|python_tag|>") || t.contains("<|start_header_id|>ipython<|end_header_id|>") { return .llama3 }
        return .generic
    }
}
