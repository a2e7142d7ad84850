#!/usr/bin/env python3
"""Golden fixtures for Sources/ToolCalls: model output text -> expected content and tool calls.

Writes Tests/Fixtures/toolcalls/<format>.json, one file per ToolCallFormat:
  {"format": "<ToolCallFormat raw value>", "jinja2_version": ..., "cases": [case]}
  case = {"name", "source", "text", "content", "calls": [{"name", "arguments": {...}, "id"?}]}
"id" is present only where the model's text carries one (Mistral).

Where the text comes from ("source" in each case):
  * "template:<file>": the exact text the model is trained to emit, obtained by rendering the real chat
    template (/root/.cache/cria/tokenizers/templates/, llama.cpp's models/templates collection) twice
    with jinja2: once on [system?, user] with add_generation_prompt=True, once on
    [system?, user, assistant-with-tool_calls] without it. The model's output is what the second render
    adds after the first, up to the end-of-turn token (<|eot_id|>, <|eom_id|>, <|im_end|>, </s>), which
    generation stops on and the detokenizer does not hand to the parser.
  * "format:<fact>": written by hand from a documented fact of the format that a template cannot
    render (raw code after <|python_tag|>, malformed JSON, a marker mentioned in prose, text with no
    call). The fact's origin is named in the case.

Format facts (all read from the templates named, checked against llama.cpp's tests/test-chat.cpp,
which feeds the same strings to its parsers):
  llama3:         meta-llama-Llama-3.{1,2,3}: '{"name": "<n>", "parameters": <args|tojson>}' as the
                  whole assistant turn; builtin tools as '<|python_tag|><n>.call(<k>="<v>", ...)'.
                  Meta's Llama 3.1 model card: code_interpreter output is '<|python_tag|>' + raw code.
  hermes:         NousResearch-Hermes-2-Pro / Hermes-3, Qwen-Qwen2.5-7B-Instruct:
                  '<tool_call>\\n{"name": "<n>", "arguments": <args|tojson>}\\n</tool_call>' per call,
                  joined by '\\n', after the content.
  mistral:        mistralai-Mistral-Nemo-Instruct-2407: '[TOOL_CALLS][' + function|tojson minus '}' +
                  ', "id": "<9 alphanumerics>"}' joined by ', ' + ']'.
                  Mistral-Small-3.2-24B-Instruct-2506: '[TOOL_CALLS]<n>[CALL_ID]<id>[ARGS]<args|tojson>'
                  per call; unsloth-mistral-Devstral-Small-2507: '[TOOL_CALLS]<n>[ARGS]<args>'.
  functionaryV31: meetkai-functionary-medium-v3.1: '<function=<n>>' + args|tojson + '</function>' per
                  call; the python tool as '<|python_tag|>' + args.
  functionaryV32: meetkai-functionary-medium-v3.2: the generation prompt ends in '>>>'; content is
                  '>>>all\\n<content>', a call '>>><n>\\n<arguments text>'.
  firefunctionV2: fireworks-ai-llama-3-firefunction-v2: content + ' functools[' +
                  '{"name": "<n>", "arguments": <args|tojson>}' joined by ', ' + ']'.
  generic:        llama.cpp common/chat.cpp (generic format, used for templates with no native tool
                  syntax): the whole output is {"tool_call": {"name", "arguments"}},
                  {"tool_calls": [{"name", "arguments", "id"?}, ...]} or {"response": ...}.

Expected content follows Sources/ToolCalls' documented rules: whitespace between content and a call,
between calls and after the last call is framing and dropped; malformed call text is content verbatim.

Run: python3 scripts/reference/make_tool_call_fixtures.py
"""

import datetime
import json
import os
import sys

import jinja2
import jinja2.sandbox

TEMPLATES = os.environ.get("CRIA_TEMPLATES", "/root/.cache/cria/tokenizers/templates")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "toolcalls")
END_OF_TURN = ["<|eot_id|>", "<|eom_id|>", "<|im_end|>", "</s>"]

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
                   "required": ["city"]}}}
SEARCH_TOOL = {"type": "function", "function": {
    "name": "search_db", "description": "Query a database",
    "parameters": {"type": "object", "properties": {"filter": {"type": "object"}}}}}
PYTHON_TOOL = {"type": "function", "function": {
    "name": "python", "description": "Run Python code",
    "parameters": {"type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"]}}}
TOOLS = [WEATHER_TOOL, SEARCH_TOOL, PYTHON_TOOL]

PARIS = {"city": "Paris", "unit": "celsius"}
TOKYO = {"city": "Tokyo"}
UNICODE = {"city": "Zürich \"Altstadt\" \\ 東京 😀", "note": "line1\nline2\ttab"}
NESTED = {"filter": {"range": [1, 2.5, -3], "tags": ["a", "b"], "deep": {"x": None, "y": True, "z": {}}}}
USER = {"role": "user", "content": "What's the weather in Paris?"}


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def env():
    e = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                                     extensions=["jinja2.ext.loopcontrols"])
    e.filters["tojson"] = tojson
    e.globals["raise_exception"] = raise_exception
    e.globals["strftime_now"] = lambda f: datetime.datetime(2024, 7, 26).strftime(f)
    return e


def render(template, messages, add_generation_prompt, **extra):
    with open(os.path.join(TEMPLATES, template)) as f:
        source = f.read()
    t = env().from_string(source)
    return t.render(messages=messages, add_generation_prompt=add_generation_prompt, bos_token="<s>",
                    eos_token="</s>", tools=extra.pop("tools", TOOLS), date_string="26 Jul 2024", **extra)


def model_output(template, calls, content="", ids=None, string_args=False, **extra):
    """What the model emits for an assistant turn with `calls` [(name, args)], per the template."""
    tool_calls = []
    for i, (name, args) in enumerate(calls):
        call = {"type": "function", "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)
                                                 if string_args else args}}
        if ids:
            call["id"] = ids[i]
        tool_calls.append(call)
    assistant = {"role": "assistant", "content": content, "tool_calls": tool_calls}
    prefix = render(template, [USER], True, **dict(extra))
    full = render(template, [USER, assistant], False, **dict(extra))
    if not full.startswith(prefix):
        # Templates without a generation prompt (Mistral) end the user turn the same way either way.
        common = os.path.commonprefix([prefix, full])
        prefix = common
    out = full[len(prefix):]
    cut = min([out.find(m) for m in END_OF_TURN if m in out] or [len(out)])
    return out[:cut]


def case(name, source, text, content, calls):
    return {"name": name, "source": source, "text": text, "content": content,
            "calls": [dict({"name": n, "arguments": a}, **({"id": i} if i else {})) for (n, a, i) in calls]}


def calls_of(pairs, ids=None):
    return [(n, a, ids[k] if ids else None) for k, (n, a) in enumerate(pairs)]


def common_cases(template, content_supported=True, parallel=True, **extra):
    src = "template:" + template
    out = [
        case("single", src, model_output(template, [("get_weather", PARIS)], **extra), "",
             calls_of([("get_weather", PARIS)])),
        case("unicode_escapes", src, model_output(template, [("get_weather", UNICODE)], **extra), "",
             calls_of([("get_weather", UNICODE)])),
        case("nested", src, model_output(template, [("search_db", NESTED)], **extra), "",
             calls_of([("search_db", NESTED)])),
        case("no_call", "format:plain assistant text", "Hello, world!\nWhat's up? 😀", "Hello, world!\nWhat's up? 😀",
             []),
    ]
    if parallel:
        pairs = [("get_weather", PARIS), ("get_weather", TOKYO)]
        out.append(case("parallel", src, model_output(template, pairs, **extra), "", calls_of(pairs)))
    if content_supported:
        content = "Let me check the weather for you."
        text = model_output(template, [("get_weather", PARIS)], content=content, **extra)
        if content in text:  # Hermes 2 Pro / 3 drop an assistant turn's content when it has tool calls
            out.append(case("content_before", src, text, content, calls_of([("get_weather", PARIS)])))
    return out


def mistral_ids(n):
    return ["abc123xyz", "Q9w8E7r6T"][:n]


def fixtures():
    files = {}

    # -- llama3
    t = "meta-llama-Llama-3.1-8B-Instruct.jinja"
    cases = common_cases(t, content_supported=False, parallel=False)
    cases += common_cases("meta-llama-Llama-3.2-3B-Instruct.jinja", content_supported=False, parallel=False)[:1]
    cases += common_cases("meta-llama-Llama-3.3-70B-Instruct.jinja", content_supported=False, parallel=False)[:1]
    cases[-2]["name"] = "single_llama32"
    cases[-1]["name"] = "single_llama33"
    single = model_output(t, [("get_weather", PARIS)])
    tokyo = model_output(t, [("get_weather", TOKYO)])
    cases.append(case("parallel_semicolon", "format:llama.cpp test-chat.cpp: several JSON calls separated by ';'",
                      single + "; " + tokyo, "", calls_of([("get_weather", PARIS), ("get_weather", TOKYO)])))
    cases.append(case("parallel_newline", "format:several JSON calls, one per line",
                      single + "\n" + tokyo, "", calls_of([("get_weather", PARIS), ("get_weather", TOKYO)])))
    cases.append(case("arguments_key", "format:llama.cpp accepts \"arguments\" for \"parameters\"",
                      '{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}', "",
                      calls_of([("get_weather", PARIS)])))
    builtin = {"builtin_tools": ["brave_search", "wolfram_alpha"]}
    q = {"query": "weather in Paris today"}
    cases.append(case("builtin_brave_search", "template:" + t,
                      model_output(t, [("brave_search", q)], **builtin), "", calls_of([("brave_search", q)])))
    w = {"query": "integral of x^2"}
    cases.append(case("builtin_wolfram_alpha", "template:" + t,
                      model_output(t, [("wolfram_alpha", w)], **builtin), "", calls_of([("wolfram_alpha", w)])))
    code = "import math\nprint(math.sqrt(2))"
    cases.append(case("python_tag_raw_code", "format:Llama 3.1 model card: code_interpreter emits "
                      "<|python_tag|> then raw Python, ended by <|eom_id|>",
                      "<|python_tag|>" + code, "", calls_of([("python", {"code": code})])))
    cases.append(case("python_tag_json", "format:llama.cpp: JSON call after <|python_tag|>",
                      "<|python_tag|>" + single, "", calls_of([("get_weather", PARIS)])))
    cases.append(case("content_then_python_tag", "format:text before <|python_tag|> is content",
                      "Searching now.<|python_tag|>" + model_output(t, [("brave_search", q)], **builtin)
                      .replace("<|python_tag|>", ""), "Searching now.", calls_of([("brave_search", q)])))
    cases.append(case("json_in_prose", "format:a JSON call is recognized only at the start of the output",
                      'You could reply with {"name": "get_weather", "parameters": {"city": "Paris"}} yourself.',
                      'You could reply with {"name": "get_weather", "parameters": {"city": "Paris"}} yourself.', []))
    cases.append(case("json_not_a_call", "format:a JSON object without name and parameters is content",
                      '{"answer": 42}', '{"answer": 42}', []))
    cases.append(case("malformed", "format:broken JSON falls back to content",
                      '{"name": "get_weather", "parameters": {"city": }}',
                      '{"name": "get_weather", "parameters": {"city": }}', []))
    files["llama3"] = cases

    # -- hermes
    cases = []
    for k, (t, tag) in enumerate([("NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja", "hermes2pro"),
                                  ("NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja", "hermes3"),
                                  ("Qwen-Qwen2.5-7B-Instruct.jinja", "qwen25")]):
        for c in common_cases(t):
            if c["source"].startswith("format:") and k > 0:
                continue
            c["name"] += "_" + tag
            cases.append(c)
    t = "Qwen-Qwen2.5-7B-Instruct.jinja"
    cases.append(case("string_arguments", "template:" + t + " (arguments given as a JSON string, rendered by tojson)",
                      model_output(t, [("get_weather", PARIS)], string_args=True), "",
                      calls_of([("get_weather", PARIS)])))
    cases.append(case("marker_in_prose", "format:<tool_call> is a marker wherever it appears (a special token); "
                      "what follows that is not a call is content",
                      "Wrap calls in <tool_call> tags.", "Wrap calls in <tool_call> tags.", []))
    cases.append(case("malformed", "format:broken JSON inside <tool_call> falls back to content",
                      '<tool_call>\n{"name": "get_weather", "arguments": {"city": }\n</tool_call>',
                      '<tool_call>\n{"name": "get_weather", "arguments": {"city": }\n</tool_call>', []))
    cases.append(case("content_after", "format:text after the last call is content",
                      '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Tokyo"}}\n</tool_call>\nDone.',
                      "Done.", calls_of([("get_weather", TOKYO)])))
    files["hermes"] = cases

    # -- mistral
    t = "mistralai-Mistral-Nemo-Instruct-2407.jinja"
    src = "template:" + t
    cases = []
    for name, pairs in [("single", [("get_weather", PARIS)]), ("parallel", [("get_weather", PARIS), ("get_weather", TOKYO)]),
                        ("unicode_escapes", [("get_weather", UNICODE)]), ("nested", [("search_db", NESTED)])]:
        ids = mistral_ids(len(pairs))
        cases.append(case(name, src, model_output(t, pairs, ids=ids), "", calls_of(pairs, ids)))
    cases.append(case("no_call", "format:plain assistant text", "Hello, world!\nWhat's up?", "Hello, world!\nWhat's up?", []))
    t = "Mistral-Small-3.2-24B-Instruct-2506.jinja"
    for name, pairs in [("small32_single", [("get_weather", PARIS)]),
                        ("small32_parallel", [("get_weather", PARIS), ("search_db", NESTED)])]:
        ids = mistral_ids(len(pairs))
        cases.append(case(name, "template:" + t, model_output(t, pairs, ids=ids), "", calls_of(pairs, ids)))
    t = "unsloth-mistral-Devstral-Small-2507.jinja"
    cases.append(case("devstral_no_id", "template:" + t, model_output(t, [("get_weather", PARIS)], ids=mistral_ids(1)),
                      "", calls_of([("get_weather", PARIS)])))
    cases.append(case("content_before_array", "format:text before [TOOL_CALLS] is content",
                      'Sure.[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Tokyo"}}]', "Sure.",
                      calls_of([("get_weather", TOKYO)])))
    cases.append(case("malformed", "format:broken JSON after [TOOL_CALLS] falls back to content",
                      '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Tokyo"}, ]',
                      '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Tokyo"}, ]', []))
    files["mistral"] = cases

    # -- functionary v3.1
    t = "meetkai-functionary-medium-v3.1.jinja"
    cases = common_cases(t)
    cases.append(case("string_arguments", "template:" + t + " (arguments given as a JSON string, rendered by tojson)",
                      model_output(t, [("get_weather", PARIS)], string_args=True), "", calls_of([("get_weather", PARIS)])))
    code = "print(sum(range(10)))"
    cases.append(case("python_tag_raw_code", "format:functionary v3.1 README and llama.cpp: <|python_tag|> then raw code",
                      "<|python_tag|>" + code, "", calls_of([("python", {"code": code})])))
    cases.append(case("python_tag_template", "template:" + t, model_output(t, [("python", {"code": code})]), "",
                      calls_of([("python", {"code": code})])))
    cases.append(case("malformed", "format:broken JSON inside <function=...> falls back to content",
                      '<function=get_weather>{"city": "Paris"</function>', '<function=get_weather>{"city": "Paris"</function>', []))
    files["functionaryV31"] = cases

    # -- functionary v3.2 (arguments are concatenated as text: pass JSON text)
    t = "meetkai-functionary-medium-v3.2.jinja"
    src = "template:" + t

    def v32(pairs, content=""):
        return model_output(t, [(n, a) for n, a in pairs], content=content, string_args=True)
    cases = [
        case("single", src, v32([("get_weather", PARIS)]), "", calls_of([("get_weather", PARIS)])),
        case("parallel", src, v32([("get_weather", PARIS), ("get_weather", TOKYO)]), "",
             calls_of([("get_weather", PARIS), ("get_weather", TOKYO)])),
        case("content_before", src, v32([("get_weather", PARIS)], "Let me check."), "Let me check.",
             calls_of([("get_weather", PARIS)])),
        case("unicode_escapes", src, v32([("get_weather", UNICODE)]), "", calls_of([("get_weather", UNICODE)])),
        case("nested", src, v32([("search_db", NESTED)]), "", calls_of([("search_db", NESTED)])),
        case("no_call", "format:llama.cpp test-chat.cpp: content is 'all\\n' + text", "all\nHello, world!\nWhat's up?",
             "Hello, world!\nWhat's up?", []),
        case("python_raw_code", "format:functionary v3.2: >>>python carries raw code",
             "python\nprint('hi')", "", calls_of([("python", {"code": "print('hi')"})])),
        case("malformed", "format:broken JSON after a recipient falls back to content",
             'get_weather\n{"city": ', 'get_weather\n{"city": ', []),
    ]
    files["functionaryV32"] = cases

    # -- firefunction v2
    t = "fireworks-ai-llama-3-firefunction-v2.jinja"
    # The template reads the tool list as a preformatted string and the date from the caller.
    cases = common_cases(t, functions=json.dumps([x["function"] for x in TOOLS]), datetime="Jul 26 2024")
    cases.append(case("malformed", "format:broken JSON after functools[ falls back to content",
                      ' functools[{"name": "get_weather", "arguments": {"city": "Paris"}', 
                      ' functools[{"name": "get_weather", "arguments": {"city": "Paris"}', []))
    files["firefunctionV2"] = cases

    # -- generic
    fmt = "format:llama.cpp common/chat.cpp generic format"
    files["generic"] = [
        case("single", fmt, json.dumps({"tool_call": {"name": "get_weather", "arguments": PARIS}}, indent=2), "",
             calls_of([("get_weather", PARIS)])),
        case("parallel", fmt, json.dumps({"tool_calls": [{"name": "get_weather", "arguments": PARIS, "id": "call_1"},
                                                         {"name": "get_weather", "arguments": TOKYO, "id": "call_2"}]}),
             "", calls_of([("get_weather", PARIS), ("get_weather", TOKYO)], ["call_1", "call_2"])),
        case("unicode_escapes", fmt, json.dumps({"tool_call": {"name": "get_weather", "arguments": UNICODE}},
                                                ensure_ascii=False), "",
             calls_of([("get_weather", UNICODE)])),
        case("unicode_escapes_ascii", fmt, json.dumps({"tool_call": {"name": "get_weather", "arguments": UNICODE}},
                                                      ensure_ascii=True), "", calls_of([("get_weather", UNICODE)])),
        case("nested", fmt, json.dumps({"tool_call": {"name": "search_db", "arguments": NESTED}}), "",
             calls_of([("search_db", NESTED)])),
        case("response", fmt, json.dumps({"response": "Hello, world! 😀"}), "Hello, world! 😀", []),
        case("no_call", "format:plain text is content", "Hello, world!", "Hello, world!", []),
        case("not_a_call", fmt + ": another JSON object is content", '{"answer": 42}', '{"answer": 42}', []),
        case("malformed", fmt + ": broken JSON is content", '{"tool_call": {"name": "get_weather", "arguments": {',
             '{"tool_call": {"name": "get_weather", "arguments": {', []),
    ]
    return files


def main():
    os.makedirs(OUT, exist_ok=True)
    for fmt, cases in fixtures().items():
        names = [c["name"] for c in cases]
        assert len(names) == len(set(names)), names
        with open(os.path.join(OUT, fmt + ".json"), "w") as f:
            json.dump({"format": fmt, "jinja2_version": jinja2.__version__, "cases": cases}, f, indent=1,
                      ensure_ascii=False)
            f.write("\n")
        print(f"{fmt}: {len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
