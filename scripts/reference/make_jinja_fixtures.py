#!/usr/bin/env python3
"""Write the Jinja fixtures Tests/Fixtures/jinja/conformance.json and templates.json with Python's jinja2
set up the way Hugging Face transformers renders chat templates.

    /root/ref/venv/bin/python scripts/reference/make_jinja_fixtures.py [conformance|templates]   # from the repository root

No argument writes both. Needs jinja2 (the venv of setup-venv.sh), gguf for the default model's template,
the templates of scripts/install-tokenizer-data.sh (tokenizer directory $CRIA_TOKENIZERS, else
~/.cache/cria/tokenizers, folder templates/) and the model of scripts/install-model.sh ($CRIA_MODELS, else
~/.cache/cria/models). Deterministic: a rerun writes byte-identical files.

The environment (transformers 5.24.0, src/transformers/utils/chat_template_utils.py,
`_cached_compile_jinja_template` and `render_jinja_template`; tokenization_utils_base.py, `apply_chat_template`):
  jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
      extensions=[<generation tag>, jinja2.ext.loopcontrols]); every other setting at jinja2's default
      (so keep_trailing_newline=False: one trailing newline of the template is dropped; no autoescape;
      Undefined is the lenient default, not StrictUndefined)
  filter tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False) = json.dumps with those
      arguments (replaces jinja2's HTML-escaping tojson)
  global raise_exception(message): raises jinja2.exceptions.TemplateError(message)
  global strftime_now(format): datetime.now().strftime(format); here the clock is frozen at FIXED_NOW
  global dict: a callable that returns dict(*args, **kwargs) (transformers wraps the type so that templates
      cannot reach its attributes)
  global namespace: jinja2's Namespace, refusing attribute names that start with "_" (SecurityError)
  {% generation %}...{% endgeneration %}: transformers' AssistantTracker tag; it renders its body unchanged
  render(messages=..., tools=..., documents=..., add_generation_prompt=..., **{bos_token, eos_token, ...},
      **kwargs): tools and documents are always passed (None when not given), the special tokens are
      the tokenizer's special_tokens_map (only those that are set), extra keyword arguments override them.
  Before rendering, apply_chat_template drops message keys whose value is None and render_jinja_template
  copies a message's reasoning under "reasoning_content" and "thinking"; that is the chat layer's job, not
  the interpreter's, so the fixtures give the messages exactly as the template receives them.

conformance.json: {"jinja2_version", "python_version", "strftime_now", "cases": [case]}; a case is
  {"name", "template", "context" (JSON object: the template's variables), "options": {"trim_blocks",
  "lstrip_blocks"}, then either "expected" (the output) or "error": true, "error_kind" (the exception's class:
  TemplateSyntaxError, TemplateAssertionError (a TemplateSyntaxError), UndefinedError, TemplateError (from
  raise_exception), SecurityError, TypeError, ZeroDivisionError, ...), "error_phase" ("compile": from_string
  raised; "render": rendering raised) and "message" (jinja2's text, informative only)}.
  JSON numbers written with a "." or an exponent are Python floats, the others ints; the difference shows in
  the output ("1" vs "1.0").

templates.json: {"jinja2_version", "python_version", "strftime_now", "templates": {name: {"source", "sha256",
  "bos_token", "eos_token", "text" (inline templates only)}}, "cases": [case]}; a case is {"template" (a key
  of templates), "source" ("cache:templates/<file>.jinja", the tokenizer directory, or "inline": the text is
  templates[name].text), "conversation" (a label), "messages", "tools" (null: passed as None),
  "add_generation_prompt", "bos_token", "eos_token" (null: the model's tokenizer has none, so the variable is
  not passed and is undefined), "extra" (more template variables: Llama 3.x's date_string, builtin_tools and
  tools_in_user_message, SmolLM3's enable_thinking, and firefunction-v2's functions and datetime, which that
  template needs on every render), then "expected" or "error": true, "error_kind", "message"}. Every case
  also passes documents=None, as transformers does; none of these templates reads it.
"""
import datetime
import hashlib
import json
import os
import platform
import re
import sys

import jinja2
import jinja2.ext
import jinja2.nodes
import jinja2.sandbox
import jinja2.utils

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "jinja")
TOKDIR = os.environ.get("CRIA_TOKENIZERS") or os.path.expanduser("~/.cache/cria/tokenizers")
MODELS = os.environ.get("CRIA_MODELS") or os.path.expanduser("~/.cache/cria/models")
DEFAULT_MODEL = "SmolLM2-135M-Instruct.Q4_1.gguf"

# strftime_now reads this instead of the clock, so that templates printing today's date give fixed output.
# Python's strftime runs in the C locale here (nothing calls setlocale): %b is "Jul", %A "Friday".
FIXED_NOW = datetime.datetime(2024, 7, 26, 0, 0, 0)

# MARK: - The transformers-style environment


class GenerationTag(jinja2.ext.Extension):
    """{% generation %}body{% endgeneration %}: transformers marks assistant text with it to find its token span;
    for rendering it is the body unchanged."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render_body"), [], [], body).set_lineno(lineno)

    def _render_body(self, caller):
        return caller()


class ChatNamespace(jinja2.utils.Namespace):
    """namespace() that refuses attribute names starting with an underscore, as transformers' does."""

    def __init__(*args, **kwargs):  # noqa: N805 - jinja2.utils.Namespace takes self from args the same way
        self, rest = args[0], args[1:]
        attrs = dict(*rest, **kwargs)
        for name in attrs:
            ChatNamespace._refuse_private(name)
        jinja2.utils.Namespace.__init__(self, attrs)

    def __setitem__(self, name, value):
        ChatNamespace._refuse_private(name)
        jinja2.utils.Namespace.__setitem__(self, name, value)

    @staticmethod
    def _refuse_private(name):
        if isinstance(name, str) and name.startswith("_"):
            raise jinja2.exceptions.SecurityError(f"namespace attribute {name!r} starts with an underscore")


class DictConstructor:
    """The template's dict(): builds a dict, exposes nothing else."""

    def __call__(self, *args, **kwargs):
        return dict(*args, **kwargs)


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return FIXED_NOW.strftime(format)


def make_environment(trim_blocks=True, lstrip_blocks=True):
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        trim_blocks=trim_blocks, lstrip_blocks=lstrip_blocks, extensions=[GenerationTag, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    env.globals["dict"] = DictConstructor()
    env.globals["namespace"] = ChatNamespace
    return env


def render(template, context, trim_blocks=True, lstrip_blocks=True):
    """Returns ("ok", output) or ("error", phase, exception)."""
    env = make_environment(trim_blocks, lstrip_blocks)
    try:
        compiled = env.from_string(template)
    except Exception as e:  # noqa: BLE001 - every failure is a fixture outcome
        return ("error", "compile", e)
    try:
        return ("ok", compiled.render(**context))
    except Exception as e:  # noqa: BLE001
        return ("error", "render", e)


ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


def outcome_fields(result):
    """The fixture fields for a render result; refuses output that would differ between runs."""
    if result[0] == "ok":
        if ADDRESS.search(result[1]):
            raise SystemExit(f"error: output shows a memory address, not deterministic: {result[1]!r}")
        return {"expected": result[1]}
    _, phase, e = result
    message = str(e)
    if ADDRESS.search(message):
        raise SystemExit(f"error: error message shows a memory address: {message!r}")
    return {"error": True, "error_kind": type(e).__name__, "error_phase": phase, "message": message}


def header():
    return {
        "generator": "scripts/reference/make_jinja_fixtures.py",
        "jinja2_version": jinja2.__version__,
        "python_version": platform.python_version(),
        "environment": "transformers 5.24.0 chat template environment (see the generator's docstring)",
        "strftime_now": {
            "now": FIXED_NOW.isoformat(),
            "locale": "C",
            "how": "strftime_now(format) returns datetime(2024, 7, 26, 0, 0, 0).strftime(format)",
        },
    }


def write_fixture(name, top, cases):
    """One case per line, so that a changed case is a one-line diff."""
    dumps = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    lines = ["{"]
    for key, value in top.items():
        lines.append(f"{dumps(key)}:{dumps(value)},")
    lines.append('"cases":[')
    lines.append(",\n".join(dumps(c) for c in cases))
    lines.append("]}")
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    data = "\n".join(lines) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(data)
    digest = hashlib.sha256(data.encode("utf-8")).hexdigest()
    print(f"{os.path.relpath(path, ROOT)}: {len(cases)} cases, {len(data.encode('utf-8'))} bytes, sha256 {digest}")


# MARK: - conformance.json

CASES = []


def case(name, template, context=None, trim_blocks=True, lstrip_blocks=True):
    CASES.append((name, template, context or {}, trim_blocks, lstrip_blocks))


MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "Bye"},
]
PEOPLE = [
    {"name": "Ann", "age": 31, "admin": True},
    {"name": "bob", "age": 25, "admin": False},
    {"name": "Cid", "age": 40},
]

# Literals and how values print (str() of the Python value: repr inside lists and dicts).
case("literal.int", "{{ 42 }}|{{ -7 }}|{{ 0 }}")
case("literal.int_underscore_hex", "{{ 1_000_000 }}|{{ 0x1F }}|{{ 0o17 }}|{{ 0b101 }}")
case("literal.float", "{{ 1.0 }}|{{ 1.5 }}|{{ -2.25 }}|{{ 0.1 }}")
case("literal.float_exponent", "{{ 1e3 }}|{{ 1.5e-3 }}|{{ 2E2 }}|{{ 1e16 }}|{{ 1e-5 }}|{{ 1e22 }}")
case("literal.float_repr", "{{ 0.1 + 0.2 }}|{{ 1 / 3 }}|{{ 2 / 3 }}|{{ 100.0 }}|{{ 123456789.125 }}")
case("literal.float_large_small", "{{ 1e15 }}|{{ 12345678901234567.0 }}|{{ 0.0001 }}|{{ 0.00001 }}")
case("literal.negative_zero", "{{ -0.0 }}|{{ 0.0 }}|{{ -0 }}")
case("literal.string_quotes", "{{ 'single' }}|{{ \"double\" }}|{{ 'it\\'s' }}|{{ \"say \\\"hi\\\"\" }}")
case("literal.string_escapes", "{{ 'a\\nb' }}|{{ 'tab\\there' }}|{{ 'back\\\\slash' }}|{{ '\\x41\\u00e9\\U0001F600' }}")
case("literal.string_unicode", "{{ 'héllo wörld 你好 🦙' }}")
case("literal.string_concat_adjacent", "{{ 'a' 'b' \"c\" }}")
case("literal.list", "{{ [1, 'a', 2.5, none, true] }}")
case("literal.list_nested_empty", "{{ [[], [1, [2]], {}] }}")
case("literal.dict", "{{ {'a': 1, 'b': 'x', 'c': [1, 2]} }}")
case("literal.dict_order_and_nesting", "{{ {'z': 1, 'a': {'y': none, 'b': false}} }}")
case("literal.tuple", "{{ (1, 'a') }}|{{ (1,) }}|{{ () }}")
case("literal.booleans_none", "{{ true }}|{{ True }}|{{ false }}|{{ False }}|{{ none }}|{{ None }}")
case("literal.string_repr_in_list", "{{ ['it\\'s', 'say \"hi\"', 'both \\' \"', 'a\\nb', 'back\\\\slash', 'é'] }}")
case("literal.string_repr_tab_cr", "{{ ['a\\tb', 'c\\rd'] }}")
case("literal.dict_duplicate_key", "{{ {'a': 1, 'a': 2} }}")
case("literal.dict_repr_keys", "{{ {1: 'int key', 'k': none} }}")
case("print.context_values", "{{ s }}|{{ i }}|{{ f }}|{{ b }}|{{ n }}|{{ l }}|{{ d }}",
     {"s": "text", "i": 3, "f": 2.0, "b": False, "n": None, "l": ["x", 1, 1.5, None, True], "d": {"k": [1, {"n": None}]}})
case("print.float_context", "{{ a }}|{{ b }}|{{ c }}|{{ d }}", {"a": 3.0, "b": 0.5, "c": 1e100, "d": -1.25e-7})
case("print.multiple_outputs_no_separator", "{{ 1 }}{{ 'a' }}{{ none }}{{ [] }}")

# Arithmetic
case("math.int_ops", "{{ 7 + 2 }}|{{ 7 - 2 }}|{{ 7 * 2 }}|{{ 7 / 2 }}|{{ 7 // 2 }}|{{ 7 % 2 }}|{{ 7 ** 2 }}")
case("math.true_division_is_float", "{{ 4 / 2 }}|{{ 0 / 5 }}|{{ -9 / 3 }}")
case("math.floor_division_negative", "{{ -7 // 2 }}|{{ 7 // -2 }}|{{ -7 // -2 }}")
case("math.modulo_negative", "{{ -7 % 3 }}|{{ 7 % -3 }}|{{ -7 % -3 }}")
case("math.float_ops", "{{ 7.5 // 2 }}|{{ 7.5 % 2 }}|{{ -7.5 // 2 }}|{{ 2.0 ** 3 }}|{{ 1.5 * 2 }}")
case("math.int_float_mixing", "{{ 1 + 1.0 }}|{{ 3 * 0.5 }}|{{ 10 - 2.5 }}|{{ 2 ** 0.5 }}")
case("math.power", "{{ 2 ** 10 }}|{{ 2 ** -1 }}|{{ 2 ** 0 }}|{{ 0 ** 0 }}")
case("math.unary_minus_binds_tighter_than_power", "{{ -2 ** 2 }}|{{ -(2 ** 2) }}")
case("math.power_right_assoc", "{{ 2 ** 3 ** 2 }}")
case("math.precedence", "{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ 10 - 4 - 3 }}|{{ 2 * 3 % 4 }}|{{ 10 / 4 * 2 }}")
case("math.unary", "{{ -x }}|{{ +x }}|{{ - -x }}", {"x": 5})
case("math.string_times_int", "{{ 'ab' * 3 }}|{{ 3 * '-' }}|{{ 'x' * 0 }}")
case("math.list_plus_list", "{{ [1, 2] + [3] }}|{{ [] + ['a'] }}")
case("math.list_times_int", "{{ [0] * 3 }}")
case("math.string_plus_string", "{{ 'a' + 'b' }}")
case("math.bool_arithmetic", "{{ true + 1 }}|{{ false * 3 }}")
case("math.large_int", "{{ 1000000 * 1000000 }}|{{ 2 ** 53 + 1 }}")
case("math.float_rounding", "{{ 0.1 * 3 }}|{{ 1.1 + 2.2 }}|{{ 3.0 * 1.1 }}")
case("math.string_modulo", "{{ '%s and %s' % ('a', 'b') }}|{{ '%d%%' % 50 }}|{{ '%.1f' % 2.25 }}|{{ '%s' % none }}")
case("math.float_inf_nan", "{{ 1e308 * 10 }}|{{ -1e308 * 10 }}|{{ (1e308 * 10) - (1e308 * 10) }}")
case("math.floor_division_float_divisor", "{{ 7 // 2.0 }}|{{ 10 / 3 }}|{{ 7 % 2.5 }}")
case("math.variables", "{{ a * b + c }}", {"a": 3, "b": 4, "c": 0.5})

# Comparisons
case("compare.basic", "{{ 1 < 2 }}|{{ 2 <= 2 }}|{{ 3 > 4 }}|{{ 3 >= 4 }}|{{ 1 == 1 }}|{{ 1 != 1 }}")
case("compare.chained", "{{ 1 < 2 < 3 }}|{{ 1 < 3 < 2 }}|{{ 3 > 2 > 1 }}|{{ 1 == 1 == 1 }}|{{ 1 < 2 == 2 }}")
case("compare.int_float_bool", "{{ 1 == 1.0 }}|{{ true == 1 }}|{{ false == 0 }}|{{ 0.5 < 1 }}|{{ true == 'true' }}")
case("compare.strings", "{{ 'a' < 'b' }}|{{ 'B' < 'a' }}|{{ 'abc' == 'abc' }}|{{ 'a' != 'A' }}|{{ 'ab' < 'abc' }}")
case("compare.lists_dicts", "{{ [1, 2] == [1, 2] }}|{{ [1, 2] < [1, 3] }}|{{ {'a': 1} == {'a': 1} }}|{{ (1, 2) == [1, 2] }}")
case("compare.none", "{{ none == none }}|{{ none == 0 }}|{{ none != '' }}")
case("compare.mixed_type_order_error", "{{ 1 < 'a' }}")
case("compare.none_order_error", "{{ none < 1 }}")

# in / not in
case("in.string", "{{ 'a' in 'abc' }}|{{ 'bc' in 'abc' }}|{{ 'x' in 'abc' }}|{{ '' in 'abc' }}")
case("in.list", "{{ 1 in [1, 2] }}|{{ 3 in [1, 2] }}|{{ 1 in [true] }}|{{ 'a' not in ['b'] }}")
case("in.dict_keys", "{{ 'k' in d }}|{{ 'v' in d }}|{{ 'x' not in d }}", {"d": {"k": "v"}})
case("in.message_key", "{% if 'tool_calls' in m %}yes{% else %}no{% endif %}", {"m": {"role": "assistant", "tool_calls": []}})
case("in.not_in_precedence", "{{ not 'a' in 'abc' }}|{{ 'a' not in 'abc' }}")
case("in.int_in_string_error", "{{ 1 in 'abc' }}")

# and / or / not: Python truthiness, the operand is returned
case("logic.or_returns_operand", "{{ 0 or 'x' }}|{{ 'a' or 'b' }}|{{ '' or [] }}|{{ none or 0 }}")
case("logic.and_returns_operand", "{{ 1 and 2 }}|{{ 0 and 2 }}|{{ '' and 'x' }}|{{ [1] and 'ok' }}")
case("logic.not", "{{ not 0 }}|{{ not 1 }}|{{ not '' }}|{{ not 'a' }}|{{ not [] }}|{{ not {} }}|{{ not none }}")
case("logic.truthiness_if",
     "{% for v in values %}{% if v %}T{% else %}F{% endif %}{% endfor %}",
     {"values": [0, 1, 0.0, 0.5, "", " ", [], [0], {}, {"a": 1}, None, False, True, "0", "False"]})
case("logic.short_circuit_skips_error", "{{ false and undefined_thing.attr }}|{{ true or undefined_thing.attr }}")
case("logic.precedence", "{{ true or false and false }}|{{ (true or false) and false }}|{{ not true or true }}")
case("logic.undefined_is_falsy", "{% if missing %}yes{% else %}no{% endif %}|{{ missing or 'fallback' }}")

# ~ concatenation
case("concat.tilde", "{{ 'a' ~ 1 ~ none ~ true ~ 2.0 }}")
case("concat.tilde_list", "{{ 'x' ~ [1, 'b'] }}")
case("concat.tilde_undefined", "{{ 'a' ~ missing ~ 'b' }}")
case("concat.plus_int_error", "{{ 'a' + 1 }}")
case("concat.plus_undefined_error", "{{ 'a' + missing }}")
case("concat.precedence_plus_looser_than_tilde", "{{ 1 + 2 ~ 3 * 2 }}")
case("concat.precedence_ok", "{{ (1 + 2) ~ 'x' }}|{{ 'n=' ~ 2 * 3 }}|{{ 'a' ~ 'b' == 'ab' }}")

# inline if
case("ifexpr.basic", "{{ 'yes' if x else 'no' }}|{{ 'yes' if not x else 'no' }}", {"x": 1})
case("ifexpr.without_else", "[{{ 'yes' if false }}]")
case("ifexpr.nested", "{{ 'a' if n == 1 else 'b' if n == 2 else 'c' }}", {"n": 2})
case("ifexpr.in_concat", "{{ 'role: ' + (m.role if m.role else 'none') }}", {"m": {"role": "user"}})

# attribute and item access
case("access.dict_dot_and_subscript", "{{ d.key }}|{{ d['key'] }}|{{ d[\"key\"] }}", {"d": {"key": "v"}})
case("access.nested", "{{ m.function.name }}|{{ m['function']['arguments']['x'] }}",
     {"m": {"function": {"name": "f", "arguments": {"x": 1}}}})
case("access.list_index", "{{ l[0] }}|{{ l[-1] }}|{{ l[-2] }}|{{ l[1] }}", {"l": ["a", "b", "c"]})
case("access.list_index_variable", "{{ l[i] }}|{{ l[i + 1] }}", {"l": ["a", "b", "c"], "i": 1})
case("access.list_out_of_range_is_undefined", "[{{ l[5] }}]|{{ l[5] is defined }}", {"l": [1]})
case("access.string_index", "{{ s[0] }}|{{ s[-1] }}|[{{ s[10] }}]", {"s": "hello"})
case("access.dot_index_on_list", "{{ l.0 }}|{{ l.1 }}", {"l": ["a", "b"]})
case("access.missing_key_is_undefined", "[{{ d.missing }}]|[{{ d['missing'] }}]|{{ d.missing is defined }}", {"d": {}})
case("access.missing_key_attr_error", "{{ d.missing.deeper }}", {"d": {}})
case("access.none_attr_is_undefined", "[{{ n.x }}]|{{ n.x is defined }}", {"n": None})
case("access.none_attr_chain_error", "{{ n.x.y }}", {"n": None})
case("access.key_named_like_method", "{{ d['items'] }}|{{ d['keys'] }}|{{ d.title }}", {"d": {"items": 1, "keys": 2, "title": "T"}})
case("access.method_call_on_chain", "{{ messages[0].content.upper() }}|{{ messages[-1]['content'].lower() }}", {"messages": MESSAGES})
case("access.attr_on_string_is_undefined", "[{{ s.nope }}]|[{{ l['0'] }}]", {"s": "abc", "l": [1]})
case("access.dict_int_keys", "{{ d[1] }}", {"d": {"1": "string key"}})
case("slice.list", "{{ l[1:3] }}|{{ l[:2] }}|{{ l[2:] }}|{{ l[-2:] }}|{{ l[:-1] }}|{{ l[:] }}", {"l": [0, 1, 2, 3, 4]})
case("slice.list_step", "{{ l[::2] }}|{{ l[1::2] }}|{{ l[::-1] }}|{{ l[3:0:-1] }}|{{ l[::-2] }}", {"l": [0, 1, 2, 3, 4]})
case("slice.string", "{{ s[1:] }}|{{ s[:3] }}|{{ s[::-1] }}|{{ s[-3:] }}|{{ s[1:4:2] }}", {"s": "abcdef"})
case("slice.out_of_range", "{{ l[5:] }}|{{ l[-10:1] }}|{{ s[10:] }}|", {"l": [1, 2], "s": "ab"})
case("slice.messages_rest", "{% for m in messages[1:] %}{{ m.role }},{% endfor %}", {"messages": MESSAGES})
case("slice.variable_bounds", "{{ l[a:b] }}", {"l": [0, 1, 2, 3], "a": 1, "b": 3})

# undefined
case("undefined.print_empty", "[{{ missing }}]")
case("undefined.attr_error", "{{ missing.attr }}")
case("undefined.item_error", "{{ missing['k'] }}")
case("undefined.is_defined", "{{ missing is defined }}|{{ missing is undefined }}|{{ x is defined }}", {"x": None})
case("undefined.call_error", "{{ missing() }}")
case("undefined.iterate_empty", "[{% for x in missing %}{{ x }}{% endfor %}]")
case("undefined.length_zero", "{{ missing | length }}")
case("undefined.compare", "{{ missing == none }}|{{ missing == missing2 }}")
case("undefined.default", "{{ missing | default('dflt') }}|{{ missing | d('d2') }}")
case("undefined.in_condition_with_not", "{% if not missing is defined %}not defined{% endif %}")
case("undefined.attr_is_defined_error", "{{ missing.attr is defined }}")
case("undefined.items_filter_empty", "{{ missing | items | list }}")
case("undefined.string_filter", "[{{ missing | string }}]|[{{ missing | upper }}]")

# if / elif / else
case("if.elif_else", "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}")
case("if.nested", "{% if a %}{% if b %}ab{% else %}a{% endif %}{% endif %}", {"a": True, "b": False})
case("if.multiple_elif", "{% if x == 'a' %}A{% elif x == 'b' %}B{% elif x == 'c' %}C{% endif %}", {"x": "c"})
case("if.set_in_if_leaks", "{% if true %}{% set y = 'inside' %}{% endif %}{{ y }}")

# for loops
case("for.basic", "{% for x in [1, 2, 3] %}{{ x }},{% endfor %}")
case("for.loop_index", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }} {% endfor %}")
case("for.loop_first_last_length", "{% for x in l %}{{ loop.first }}/{{ loop.last }}/{{ loop.length }} {% endfor %}", {"l": ["a", "b", "c"]})
case("for.loop_previtem_nextitem",
     "{% for x in l %}[{{ loop.previtem }}|{{ loop.nextitem }}|{{ loop.previtem is defined }}]{% endfor %}", {"l": [1, 2, 3]})
case("for.loop_cycle", "{% for x in range(5) %}{{ loop.cycle('a', 'b', 'c') }}{% endfor %}")
case("for.loop_changed", "{% for x in [1, 1, 2, 2, 1] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}")
case("for.loop_filter", "{% for x in range(10) if x is odd %}{{ x }}:{{ loop.index }}:{{ loop.length }} {% endfor %}")
case("for.loop_filter_messages",
     "{% for m in messages if m.role != 'system' %}{{ loop.index }}={{ m.role }}{% if not loop.last %},{% endif %}{% endfor %}",
     {"messages": MESSAGES})
case("for.else_empty", "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}")
case("for.else_not_taken", "{% for x in [1] %}{{ x }}{% else %}empty{% endfor %}")
case("for.else_when_filter_removes_all", "{% for x in [1, 3] if x is even %}{{ x }}{% else %}none even{% endfor %}")
case("for.dict_keys", "{% for k in d %}{{ k }},{% endfor %}", {"d": {"b": 1, "a": 2, "c": 3}})
case("for.dict_items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 1, "a": [2], "c": None}})
case("for.items_filter", "{% for k, v in d | items %}{{ k }}={{ v }};{% endfor %}", {"d": {"x": 1, "y": 2}})
case("for.tuple_unpack_list_pairs", "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }},{% endfor %}")
case("for.tuple_unpack_wrong_count", "{% for a, b in [[1, 2, 3]] %}{{ a }}{% endfor %}")
case("for.string_chars", "{% for c in 'héllo' %}{{ c }}.{% endfor %}")
case("for.nested_loops_outer", "{% for a in [1, 2] %}{% set outer = loop %}{% for b in 'xy' %}{{ outer.index }}{{ b }}{{ loop.index }} {% endfor %}{% endfor %}")
case("for.range_variants", "{{ range(3) | list }}|{{ range(2, 5) | list }}|{{ range(0, 10, 3) | list }}|{{ range(5, 0, -2) | list }}|{{ range(0) | list }}")
case("for.range_loop", "{% for i in range(messages | length) %}{{ i }}{% endfor %}", {"messages": MESSAGES})
case("for.break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}")
case("for.break_inner_only", "{% for a in [1, 2] %}{% for b in [1, 2, 3] %}{% if b == 2 %}{% break %}{% endif %}{{ a }}{{ b }} {% endfor %}{% endfor %}")
case("for.loop_last_after_continue", "{% for x in [1, 2, 3] %}{% if x == 3 %}{% continue %}{% endif %}{{ x }}{{ loop.last }} {% endfor %}")
case("for.iterate_none_error", "{% for x in n %}{{ x }}{% endfor %}", {"n": None})
case("for.iterate_int_error", "{% for x in 5 %}{{ x }}{% endfor %}")
case("for.loop_variable_scoped", "{% for x in [1, 2] %}{% endfor %}[{{ x }}]")
case("for.loop_outside_undefined", "{% for x in [1] %}{% endfor %}{{ loop is defined }}")
case("for.recursive",
     "{% for n in tree recursive %}{{ n.name }}{% if n.children %}({{ loop(n.children) }}){% endif %}{% endfor %}",
     {"tree": [{"name": "a", "children": [{"name": "b"}, {"name": "c", "children": [{"name": "d"}]}]}, {"name": "e"}]})
case("for.recursive_depth",
     "{% for n in tree recursive %}{{ loop.depth }}{{ loop.depth0 }}{% if n.children %}{{ loop(n.children) }}{% endif %}{% endfor %}",
     {"tree": [{"children": [{"children": [{}]}]}]})

# set and scoping
case("set.basic", "{% set x = 1 %}{% set y = x + 1 %}{{ x }}{{ y }}")
case("set.overwrite_context", "{% set x = 'new' %}{{ x }}", {"x": "old"})
case("set.in_loop_does_not_leak", "{% set x = 'before' %}{% for i in [1, 2] %}{% set x = i %}[{{ x }}]{% endfor %}{{ x }}")
case("set.in_loop_reads_outer", "{% set total = 10 %}{% for i in [1, 2] %}{{ total + i }},{% endfor %}")
case("set.in_loop_persists_within_iteration_only", "{% for i in [1, 2, 3] %}{% if i == 1 %}{% set seen = 'yes' %}{% endif %}{{ seen }}|{% endfor %}")
case("set.multiple_targets", "{% set a, b = 1, 2 %}{{ a }}{{ b }}|{% set c, d = [3, 4] %}{{ c }}{{ d }}")
case("set.in_loop_increment", "{% set x = 0 %}{% for i in [1, 2, 3] %}{% set x = x + 1 %}{{ x }}{% endfor %}|{{ x }}")
case("set.block", "{% set x %}Hello {{ name }}!{% endset %}[{{ x }}]|{{ x | length }}", {"name": "World"})
case("set.block_with_filter", "{% set x | upper %}shout {{ 1 + 1 }}{% endset %}{{ x }}")
case("set.block_whitespace", "{% set x %}\n  line\n{% endset %}[{{ x }}]")
case("set.messages_reassigned", "{% set messages = messages[1:] %}{{ messages | length }}", {"messages": MESSAGES})
case("set.in_if_inside_loop", "{% for m in [1, 2] %}{% if m == 2 %}{% set found = m %}{% endif %}{% endfor %}[{{ found }}]")
case("namespace.basic", "{% set ns = namespace(count=0, found=false) %}{% for i in range(3) %}{% set ns.count = ns.count + i %}{% endfor %}{{ ns.count }}|{{ ns.found }}")
case("namespace.set_new_attr", "{% set ns = namespace() %}{% set ns.value = 'set' %}{{ ns.value }}")
case("namespace.in_loop_flag",
     "{% set ns = namespace(last_user=-1) %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.last_user = loop.index0 %}{% endif %}{% endfor %}{{ ns.last_user }}",
     {"messages": MESSAGES})
case("namespace.missing_attr", "{% set ns = namespace(a=1) %}[{{ ns.b }}]|{{ ns.b is defined }}")
case("namespace.set_attr_on_non_namespace_error", "{% set d = {'a': 1} %}{% set d.a = 2 %}{{ d.a }}")
case("namespace.underscore_refused", "{% set ns = namespace(_secret=1) %}{{ ns._secret }}")
case("namespace.dict_argument", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}")

# macros and call blocks
case("macro.basic", "{% macro greet(name) %}Hello {{ name }}!{% endmacro %}{{ greet('Ann') }} {{ greet('Bob') }}")
case("macro.defaults_kwargs", "{% macro m(a, b=2, c='c') %}{{ a }}-{{ b }}-{{ c }}{% endmacro %}{{ m(1) }}|{{ m(1, 3) }}|{{ m(1, c='z') }}|{{ m(a=0, b=none) }}")
case("macro.missing_arg_is_undefined", "{% macro m(a, b) %}[{{ a }}|{{ b }}]{% endmacro %}{{ m(1) }}")
case("macro.too_many_args_error", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}")
case("macro.unknown_kwarg_error", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(a=1, z=2) }}")
case("macro.varargs_kwargs", "{% macro m(a) %}{{ a }}|{{ varargs }}|{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4) }}")
case("macro.recursive", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n }}*{{ fact(n - 1) }}{% endif %}{% endmacro %}{{ fact(4) }}")
case("macro.returns_string_usable_in_expr", "{% macro m() %}ab{% endmacro %}{{ m() | upper }}|{{ m() ~ 'c' }}|{{ (m() + 'd') | length }}")
case("macro.whitespace_trim",
     "{% macro item(x) %}\n  <{{ x }}>\n{% endmacro %}\n{% for i in [1, 2] %}\n{{ item(i) }}\n{% endfor %}\n")
case("macro.sees_globals_not_caller_locals",
     "{% set g = 'global' %}{% macro m() %}{{ g }}{% endmacro %}{% for g2 in [1] %}{% set g = 'loop' %}{{ m() }}{% endfor %}")
case("macro.caller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ 1 + 1 }}{% endcall %}")
case("macro.caller_with_args", "{% macro each(items) %}{% for i in items %}{{ caller(i, loop.index) }}{% endfor %}{% endmacro %}{% call(x, n) each(['a', 'b']) %}{{ n }}={{ x }};{% endcall %}")
case("macro.json_to_python_type_style",
     "{% macro t(spec) %}{% set m = {'string': 'str', 'integer': 'int'} %}{% if m[spec.type] is defined %}{{ m[spec.type] }}"
     "{% elif spec.type == 'array' %}{{ 'list[' + t(spec['items']) + ']' }}{% else %}Any{% endif %}{% endmacro %}"
     "{{ t({'type': 'string'}) }}|{{ t({'type': 'array', 'items': {'type': 'integer'}}) }}|{{ t({'type': 'object'}) }}")

# filter blocks, raw, comments, with, generation
case("block.filter_upper", "{% filter upper %}hello {{ name }}{% endfilter %}", {"name": "world"})
case("block.filter_chain", "{% filter trim | title %}   some words   {% endfilter %}")
case("block.raw", "{% raw %}{{ not rendered }} {% if %}{% endraw %}")
case("block.raw_whitespace", "a\n{% raw %}\n  {{ x }}\n{% endraw %}\nb")
case("block.raw_whitespace_control", "a {% raw -%}  x  {%- endraw %} b")
case("block.comment", "a{# a comment {{ x }} #}b")
case("block.comment_multiline", "a\n{# line1\nline2 #}\nb")
case("block.with", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]")
case("block.generation_tag", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}<{{ m.content }}>{% endif %}{% endfor %}",
     {"messages": MESSAGES})
case("block.do_not_enabled", "{% do x %}")

# Whitespace control with trim_blocks / lstrip_blocks (the transformers settings) and without
WS_IF = "{% if true %}\nyes\n{% endif %}\n"
WS_INDENTED = "  {% if true %}\n  x\n  {% endif %}\nend"
WS_LOOP = "<ul>\n  {% for i in [1, 2] %}\n  <li>{{ i }}</li>\n  {% endfor %}\n</ul>\n"
for trim, lstrip in ((True, True), (True, False), (False, True), (False, False)):
    suffix = f"trim{int(trim)}_lstrip{int(lstrip)}"
    case(f"ws.if_newlines.{suffix}", WS_IF, trim_blocks=trim, lstrip_blocks=lstrip)
    case(f"ws.indented_block.{suffix}", WS_INDENTED, trim_blocks=trim, lstrip_blocks=lstrip)
    case(f"ws.loop.{suffix}", WS_LOOP, trim_blocks=trim, lstrip_blocks=lstrip)
    case(f"ws.comment_line.{suffix}", "a\n  {# note #}\nb", trim_blocks=trim, lstrip_blocks=lstrip)
    case(f"ws.set_lines.{suffix}", "{% set x = 1 %}\n{% set y = 2 %}\n{{ x + y }}\n", trim_blocks=trim, lstrip_blocks=lstrip)
case("ws.trailing_newline_dropped", "hello\n")
case("ws.only_one_trailing_newline_dropped", "hello\n\n")
case("ws.leading_newline_kept", "\nhello")
case("ws.crlf_normalized", "a\r\nb\r\n{% if true %}\r\nc{% endif %}")
case("ws.cr_only", "a\rb")
case("ws.variable_tag_not_trimmed", "{{ 'a' }}\n{{ 'b' }}\n")
case("ws.variable_tag_not_lstripped", "  {{ 'x' }}\n")
case("ws.lstrip_only_at_line_start", "x {% if true %}y{% endif %} z")
case("ws.lstrip_tabs", "\t \t{% if true %}\nx{% endif %}")
case("ws.minus_both_sides", "a  \n  {%- if true -%}  \n  b  \n  {%- endif -%}  \n  c")
case("ws.minus_variable", "a\n\n  {{- 'b' -}}  \n\n c")
case("ws.minus_left_only", "a \n {{- 'b' }} \n c")
case("ws.minus_right_only", "a \n {{ 'b' -}} \n c")
case("ws.minus_comment", "a \n {#- comment -#} \n b")
case("ws.minus_in_loop", "{% for x in [1, 2, 3] -%}\n  {{ x }}\n{%- endfor %}")
case("ws.minus_with_lstrip_off", "a\n    {%- if true %}b{% endif %}", lstrip_blocks=False)
case("ws.trim_only_one_newline", "{% if true %}\n\nx{% endif %}")
case("ws.trim_after_endfor_at_eof", "{% for x in [1] %}{{ x }}\n{% endfor %}")
case("ws.trim_block_then_spaces", "{% if true %}   \nx{% endif %}")
case("ws.chat_style",
     "{% for message in messages %}\n    {% if message.role == 'user' %}\n        {{ '<u>' + message.content }}\n    {% else %}\n        {{ '<a>' + message.content }}\n    {% endif %}\n{% endfor %}\n",
     {"messages": MESSAGES[1:]})
case("ws.chat_style_dash",
     "{%- for message in messages %}\n    {%- if message.role == 'user' %}\n        {{- '<u>' + message.content + '\\n' }}\n    {%- else %}\n        {{- '<a>' + message.content + '\\n' }}\n    {%- endif %}\n{%- endfor %}\n",
     {"messages": MESSAGES[1:]})
case("ws.string_literal_newlines_kept", "{{ 'line1\nline2' }}")

# Tests (is ...)
case("test.defined_none", "{{ x is defined }}|{{ x is none }}|{{ y is none }}|{{ z is not none }}", {"x": None, "y": 0, "z": ""})
case("test.string", "{{ 'a' is string }}|{{ 1 is string }}|{{ none is string }}|{{ ['a'] is string }}")
case("test.number_integer_float", "{{ 1 is number }}|{{ 1.5 is number }}|{{ true is number }}|{{ '1' is number }}|{{ 1 is integer }}|{{ 1.0 is integer }}|{{ true is integer }}|{{ 1.0 is float }}|{{ 1 is float }}")
case("test.mapping_iterable_sequence",
     "{{ d is mapping }}|{{ l is mapping }}|{{ d is iterable }}|{{ l is iterable }}|{{ s is iterable }}|{{ 1 is iterable }}|{{ l is sequence }}|{{ s is sequence }}|{{ d is sequence }}|{{ none is iterable }}",
     {"d": {"a": 1}, "l": [1], "s": "str"})
case("test.boolean_true_false", "{{ true is boolean }}|{{ 1 is boolean }}|{{ true is true }}|{{ 1 is true }}|{{ false is false }}|{{ 0 is false }}|{{ none is false }}")
case("test.eq_equalto_sameas", "{{ 1 is eq 1 }}|{{ 'a' is equalto 'a' }}|{{ 2 is ne 3 }}|{{ none is sameas none }}|{{ true is sameas 1 }}|{{ 1 is sameas 1 }}")
case("test.comparisons", "{{ 3 is gt 2 }}|{{ 3 is ge 3 }}|{{ 3 is lt 2 }}|{{ 3 is le 3 }}|{{ 3 is greaterthan 1 }}|{{ 3 is lessthan 1 }}")
case("test.odd_even_divisible", "{{ 3 is odd }}|{{ 3 is even }}|{{ 0 is even }}|{{ -3 is odd }}|{{ 9 is divisibleby 3 }}|{{ 10 is divisibleby(3) }}")
case("test.in", "{{ 1 is in [1, 2] }}|{{ 'a' is in 'xyz' }}|{{ 'k' is in {'k': 1} }}")
case("test.lower_upper", "{{ 'abc' is lower }}|{{ 'aBc' is lower }}|{{ 'ABC' is upper }}|{{ 'A1' is upper }}")
case("test.callable", "{{ range is callable }}|{{ 'a' is callable }}|{{ raise_exception is callable }}")
case("test.not_is", "{{ 1 is not string }}|{{ not 1 is string }}|{{ x is not defined }}")
case("test.unknown_test_error", "{{ 1 is frobnicated }}")
case("test.unknown_test_in_untaken_branch", "{% if false %}{{ 1 is frobnicated }}{% endif %}ok")

# Filters
case("filter.trim", "[{{ '  a b \\n' | trim }}]|[{{ 'xxhixx' | trim('x') }}]")
case("filter.length_count", "{{ 'abc' | length }}|{{ [1, 2] | length }}|{{ {'a': 1} | length }}|{{ 'héllo' | count }}|{{ '🦙' | length }}")
case("filter.tojson_basic", "{{ v | tojson }}", {"v": {"a": [1, 2.5, "é", None, True], "b": "q\"uote<tag>&"}})
case("filter.tojson_unicode_emoji", "{{ v | tojson }}", {"v": ["naïve", "日本", "🦙", "\u2028"]})
case("filter.tojson_control_chars", "{{ v | tojson }}", {"v": "tab\tnl\ncr\rbs\\nul\u0000bel\u0007del\u007f"})
case("filter.tojson_indent", "{{ v | tojson(indent=2) }}", {"v": {"name": "f", "params": {"type": "object", "props": [1, {"x": []}], "empty": {}}}})
case("filter.tojson_indent4_positional", "{{ v | tojson(false, 4) }}", {"v": {"a": [1, 2]}})
case("filter.tojson_separators_sort", "{{ v | tojson(separators=(',', ':'), sort_keys=true) }}", {"v": {"b": 1, "a": [1, 2], "c": {"z": 1, "y": 2}}})
case("filter.tojson_ensure_ascii", "{{ v | tojson(ensure_ascii=true) }}", {"v": "é🦙"})
case("filter.tojson_scalars", "{{ 1 | tojson }}|{{ 1.0 | tojson }}|{{ 'x' | tojson }}|{{ none | tojson }}|{{ true | tojson }}|{{ (1, 2) | tojson }}|{{ 1e20 | tojson }}")
case("filter.tojson_undefined_error", "{{ missing | tojson }}")
case("filter.upper_lower", "{{ 'Hello Wörld' | upper }}|{{ 'Hello Wörld' | lower }}")
case("filter.title_capitalize", "{{ \"hello-world it's o'neil\" | title }}|{{ 'hELLO wORLD' | capitalize }}|{{ 'a(b)c [d]' | title }}")
case("filter.replace", "{{ 'aaa' | replace('a', 'b') }}|{{ 'aaa' | replace('a', 'b', 2) }}|{{ 'abc' | replace('', '-') }}")
case("filter.default", "{{ missing | default('d') }}|{{ none | default('d') }}|{{ '' | default('d') }}|{{ none | default('d', true) }}|{{ '' | d('d', true) }}|{{ 0 | default('d', boolean=true) }}|[{{ missing | default }}]")
case("filter.join", "{{ ['a', 'b', 'c'] | join(', ') }}|{{ [1, 2] | join }}|{{ 'abc' | join('-') }}|{{ people | join(', ', attribute='name') }}", {"people": PEOPLE})
case("filter.first_last", "{{ [1, 2, 3] | first }}|{{ [1, 2, 3] | last }}|{{ 'abc' | first }}|{{ 'abc' | last }}|[{{ [] | first }}]")
case("filter.items_list", "{{ d | items | list }}|{{ d | list }}", {"d": {"a": 1, "b": [2]}})
case("filter.list", "{{ 'ab' | list }}|{{ (1, 2) | list }}|{{ range(3) | list }}")
case("filter.map_attribute", "{{ people | map(attribute='name') | join(',') }}|{{ people | map(attribute='admin', default='?') | list }}", {"people": PEOPLE})
case("filter.map_filter", "{{ ['a', 'b'] | map('upper') | list }}|{{ ['1', '2'] | map('int') | sum }}|{{ [' x ', 'y '] | map('trim') | join('|') }}")
case("filter.map_nested_attribute", "{{ calls | map(attribute='function.name') | list }}",
     {"calls": [{"function": {"name": "a"}}, {"function": {"name": "b"}}]})
case("filter.select_reject", "{{ range(6) | select('odd') | list }}|{{ range(6) | reject('odd') | list }}|{{ [0, 1, '', 'a', none] | select | list }}|{{ [1, 2, 3] | select('equalto', 2) | list }}|{{ [1, none, 2] | reject('none') | list }}")
case("filter.select_with_arg_tests", "{{ [1, 5, 10] | select('gt', 3) | list }}|{{ ['a', 'b', 'c'] | select('in', ['a', 'c']) | list }}|{{ [3, 6, 7] | select('divisibleby', 3) | list }}")
case("filter.selectattr", "{{ people | selectattr('admin') | map(attribute='name') | list }}|{{ people | selectattr('admin', 'defined') | map(attribute='name') | list }}|{{ people | selectattr('age', 'gt', 30) | map(attribute='name') | list }}", {"people": PEOPLE})
case("filter.selectattr_equalto_messages", "{{ messages | selectattr('role', 'equalto', 'user') | list | length }}|{{ (messages | selectattr('role', '==', 'user') | first).content }}|{{ messages | selectattr('role', '!=', 'user') | map(attribute='role') | join(',') }}", {"messages": MESSAGES})
case("filter.rejectattr", "{{ people | rejectattr('admin') | map(attribute='name') | list }}|{{ people | rejectattr('admin', 'defined') | map(attribute='name') | list }}|{{ people | rejectattr('name', 'lower') | map(attribute='name') | list }}", {"people": PEOPLE})
case("filter.unique", "{{ ['a', 'A', 'b', 'a'] | unique | list }}|{{ ['a', 'A', 'b'] | unique(case_sensitive=true) | list }}|{{ [3, 1, 3, 2, 1] | unique | list }}|{{ people | unique(attribute='admin') | map(attribute='name') | list }}", {"people": PEOPLE})
case("filter.indent", "[{{ 'a\\nb\\n\\nc' | indent(2) }}]|[{{ 'a\\nb' | indent(2, true) }}]|[{{ 'a\\n\\nb' | indent(2, blank=true) }}]|[{{ 'a\\nb' | indent('>> ') }}]|[{{ 'a\\nb\\n' | indent(4) }}]|[{{ 'x' | indent }}]")
case("filter.string", "{{ 1 | string }}|{{ [1, 'a'] | string }}|{{ none | string }}|{{ (1 | string) + 'x' }}|{{ 1.0 | string }}")
case("filter.int", "{{ '42' | int }}|{{ '3.9' | int }}|{{ 3.9 | int }}|{{ -3.9 | int }}|{{ 'x' | int }}|{{ 'x' | int(7) }}|{{ '0x1A' | int(base=16) }}|{{ none | int }}|{{ true | int }}")
case("filter.float", "{{ '1.5' | float }}|{{ 2 | float }}|{{ 'x' | float }}|{{ 'x' | float(1.25) }}|{{ '1e3' | float }}")
case("filter.round", "{{ 2.5 | round }}|{{ 3.5 | round }}|{{ 2.675 | round(2) }}|{{ 3.14159 | round(2) }}|{{ 2.1 | round(method='ceil') }}|{{ 2.9 | round(method='floor') }}|{{ 2.345 | round(2, 'floor') }}|{{ 7 | round }}|{{ -2.5 | round }}")
case("filter.round_int_result", "{{ 2.7 | round | int }}")
case("filter.abs", "{{ -3 | abs }}|{{ -3.5 | abs }}|{{ 2 | abs }}")
case("filter.sum", "{{ [1, 2, 3] | sum }}|{{ [0.1, 0.2] | sum }}|{{ people | sum(attribute='age') }}|{{ [1, 2] | sum(start=10) }}|{{ [] | sum }}", {"people": PEOPLE})
case("filter.min_max", "{{ [3, 1, 2] | min }}|{{ [3, 1, 2] | max }}|{{ ['b', 'A', 'c'] | min }}|{{ ['b', 'A', 'c'] | max(case_sensitive=true) }}|{{ (people | max(attribute='age')).name }}|[{{ [] | min }}]", {"people": PEOPLE})
case("filter.sort", "{{ [3, 1, 2] | sort }}|{{ [3, 1, 2] | sort(reverse=true) }}|{{ ['b', 'A', 'c'] | sort }}|{{ ['b', 'A', 'c'] | sort(case_sensitive=true) }}|{{ people | sort(attribute='age') | map(attribute='name') | join(',') }}|{{ people | sort(attribute='name') | map(attribute='name') | join(',') }}", {"people": PEOPLE})
case("filter.sort_mixed_error", "{{ [1, 'a'] | sort }}")
case("filter.reverse", "{{ 'abc' | reverse }}|{{ [1, 2, 3] | reverse | list }}|{{ [1, 2, 3] | reverse | join }}")
case("filter.batch_slice", "{{ range(7) | batch(3) | list }}|{{ range(5) | batch(2, 'x') | list }}|{{ range(5) | slice(2) | list }}")
case("filter.wordcount", "{{ 'hello big  world' | wordcount }}|{{ '' | wordcount }}|{{ 'one-two three' | wordcount }}")
case("filter.safe_escape", "{{ '<b>&\"\\'' | safe }}|{{ '<b>&\"\\'' | escape }}|{{ '<i>' | e }}|{{ ('<' | e) + '>' }}")
case("filter.center", "[{{ 'ab' | center(6) }}]|[{{ 'abc' | center(6) }}]|[{{ 'abc' | center(2) }}]|[{{ 'x' | center }}]")
case("filter.truncate", "{{ 'hello world foo bar' | truncate(9) }}|{{ 'hello world foo bar' | truncate(9, true) }}|{{ 'hello world foo bar' | truncate(9, false, '…', 0) }}|{{ 'short' | truncate(9) }}|{{ 'hello world' | truncate(8) }}")
case("filter.dictsort", "{{ d | dictsort }}|{{ d | dictsort(true) }}|{{ d | dictsort(by='value') }}|{{ d | dictsort(reverse=true) }}", {"d": {"b": 1, "A": 3, "c": 2}})
case("filter.format", "{{ '%s-%d' | format('a', 3) }}|{{ '%.2f' | format(3.14159) }}")
case("filter.striptags_urlencode", "{{ '<p>a  <b>b</b></p>' | striptags }}|{{ 'a b&c' | urlencode }}")
case("filter.chained", "{{ messages | map(attribute='content') | map('upper') | select('ne', 'HI') | join(' ') }}", {"messages": MESSAGES})
case("filter.with_parentheses_args", "{{ 'a,b' | replace(',', ', ') | upper }}")
case("filter.precedence", "{{ -1 | abs }}|{{ 'a' ~ 'b' | upper }}|{{ not 'x' | length }}|{{ messages | length - 1 }}|{{ [1, 2, 3] | length > 2 }}", {"messages": MESSAGES})
case("filter.join_none_and_numbers", "{{ [1, none, 2.5, true] | join(',') }}")
case("filter.sort_tuple", "{{ (3, 1, 2) | sort }}")
case("filter.round_int_precision", "{{ 7 | round(1) }}|{{ 7 | round(1, 'floor') }}")
case("filter.unknown_error", "{{ 'x' | frobnicate }}")
case("filter.unknown_in_untaken_branch", "{% if false %}{{ 'x' | frobnicate }}{% endif %}ok")
case("filter.length_of_int_error", "{{ 5 | length }}")
case("filter.attr", "{{ d | attr('items') is callable }}|[{{ d | attr('missing') }}]", {"d": {"a": 1}})

# String methods
case("strmethod.strip", "[{{ '  a  '.strip() }}]|[{{ 'xxaxx'.strip('x') }}]|[{{ '\\n\\ta\\n'.strip() }}]|[{{ 'abcba'.strip('ab') }}]")
case("strmethod.lstrip_rstrip", "[{{ '  a  '.lstrip() }}]|[{{ '  a  '.rstrip() }}]|[{{ '\\n\\na\\n'.lstrip('\\n') }}]|[{{ 'a..'.rstrip('.') }}]")
case("strmethod.split", "{{ 'a b  c'.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a b c'.split(' ', 1) }}|{{ 'a-b-c'.rsplit('-', 1) }}|{{ ''.split() }}|{{ ''.split(',') }}|{{ '  lead trail  '.split() }}|{{ 'a b c'.split(maxsplit=1) }}")
case("strmethod.split_index", "{{ 'x</think>y</think>z'.split('</think>')[-1] }}|{{ 'k=v'.split('=')[0] }}")
case("strmethod.startswith_endswith", "{{ 'hello'.startswith('he') }}|{{ 'hello'.startswith(('x', 'h')) }}|{{ 'hello'.endswith('lo') }}|{{ 'hello'.endswith(('x', 'y')) }}|{{ 'hello'.startswith('l', 2) }}")
case("strmethod.case", "{{ 'aBc'.upper() }}|{{ 'aBc'.lower() }}|{{ \"hello-world it's\".title() }}|{{ 'hELLO'.capitalize() }}|{{ 'aBc'.swapcase() }}")
case("strmethod.replace_count", "{{ 'aaaa'.replace('a', 'b') }}|{{ 'aaaa'.replace('a', 'b', 2) }}|{{ 'a\\nb'.replace('\\n', '\\\\n') }}")
case("strmethod.format", "{{ '{}-{}'.format(1, 'x') }}|{{ '{name}!'.format(name='n') }}|{{ '{0}{0}'.format('ab') }}|{{ '{:>4}|{:.2f}'.format('a', 1.5) }}")
case("strmethod.join", "{{ ', '.join(['a', 'b']) }}|{{ ''.join(['x', 'y']) }}|{{ '-'.join('abc') }}")
case("strmethod.find_count_index", "{{ 'hello'.find('l') }}|{{ 'hello'.find('z') }}|{{ 'hello'.rfind('l') }}|{{ 'hello'.count('l') }}|{{ 'hello'.index('e') }}")
case("strmethod.splitlines", "{{ 'a\\nb\\r\\nc\\n'.splitlines() }}|{{ 'a\\n\\nb'.splitlines() | length }}|{{ 'x\\ny'.splitlines(true) }}")
case("strmethod.predicates", "{{ '123'.isdigit() }}|{{ '12a'.isdigit() }}|{{ 'abc'.isalpha() }}|{{ '   '.isspace() }}|{{ 'Ab'.isupper() }}|{{ 'ab'.islower() }}|{{ 'a1'.isalnum() }}")
case("strmethod.partition_zfill_center", "{{ 'a=b=c'.partition('=') }}|{{ '42'.zfill(5) }}|{{ 'ab'.center(6, '*') }}|{{ 'ab'.ljust(4, '.') }}|{{ 'ab'.rjust(4) }}")
case("strmethod.on_context_value", "{{ s.strip().upper() }}", {"s": "  mixed Case  "})
case("strmethod.unknown_method_error", "{{ 'a'.nosuchmethod() }}")
case("strmethod.format_map", "{{ '{x}'.format_map({'x': 1}) }}")

# Dict and list methods
case("dictmethod.items_keys_values", "{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}|{% for k in d.keys() %}{{ k }}{% endfor %}|{% for v in d.values() %}{{ v }}{% endfor %}|{{ d.keys() | list }}|{{ d.values() | list }}", {"d": {"x": 1, "y": 2}})
case("dictmethod.get", "{{ d.get('a') }}|{{ d.get('z') }}|{{ d.get('z', 'dflt') }}|{{ d.get('n', 'dflt') }}", {"d": {"a": 1, "n": None}})
case("dictmethod.mutation_unsafe", "{% set d = {'a': 1} %}{{ d.update({'b': 2}) }}")
case("dictmethod.pop_unsafe", "{% set d = {'a': 1} %}{{ d.pop('a') }}")
case("listmethod.append_unsafe", "{% set l = [1] %}{{ l.append(2) }}{{ l }}")
case("listmethod.index_count", "{{ [1, 2, 2].count(2) }}|{{ ['a', 'b'].index('b') }}")

# Globals
case("global.range", "{{ range(3) | list }}|{{ range(1, 4) | join }}|{{ range(10, 0, -3) | list }}")
case("global.range_too_large", "{{ range(100001) | length }}")
case("global.raise_exception", "{% if true %}{{ raise_exception('Conversation roles must alternate!') }}{% endif %}")
case("global.raise_exception_untaken", "{% if false %}{{ raise_exception('never') }}{% endif %}fine")
case("global.strftime_now", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d') }}|{{ strftime_now('%B %d, %Y') }}|{{ strftime_now('%A %H:%M') }}")
case("global.namespace_dict", "{{ dict(a=1, b='x') }}|{{ dict([('k', 'v')]) }}|{{ dict() }}")
case("global.cycler_joiner", "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}|{% set j = joiner(', ') %}{% for x in [1, 2, 3] %}{{ j() }}{{ x }}{% endfor %}")
case("global.context_shadows_global", "{{ range }}", {"range": "shadowed"})

# Unicode and escapes in context values
case("unicode.context_passthrough", "{{ s }}|{{ s | length }}|{{ s | upper }}|{{ s[0] }}{{ s[-1] }}", {"s": "ça 😀 日本"})
case("unicode.combining_and_zwj", "{{ s | length }}|{{ s[::-1] | length }}", {"s": "e\u0301👩‍💻"})
case("unicode.jinja_looking_text_not_evaluated", "{{ s }}", {"s": "{{ x }} {% if %} {# c #}"})
case("unicode.special_tokens_text", "{{ '<|im_start|>' + s + '<|im_end|>' }}", {"s": "<|eot_id|></s>[INST]"})

# Chat-template shapes
case("chat.basic_roles",
     "{% for m in messages %}{% if m.role == 'system' %}[S]{{ m.content }}{% elif m.role == 'user' %}[U]{{ m.content }}{% elif m.role == 'assistant' %}[A]{{ m.content }}{% else %}{{ raise_exception('bad role ' + m.role) }}{% endif %}{% endfor %}{% if add_generation_prompt %}[A]{% endif %}",
     {"messages": MESSAGES, "add_generation_prompt": True})
case("chat.bad_role_raises",
     "{% for m in messages %}{% if m.role not in ['user', 'assistant'] %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{{ m.content }}{% endfor %}",
     {"messages": MESSAGES})
case("chat.alternation_check",
     "{% for m in messages %}{% if (m.role == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{{ m.role[0] }}{% endfor %}",
     {"messages": MESSAGES[1:]})
case("chat.system_extraction",
     "{%- if messages[0]['role'] == 'system' %}\n    {%- set system_message = messages[0]['content'] | trim %}\n    {%- set loop_messages = messages[1:] %}\n{%- else %}\n    {%- set system_message = '' %}\n    {%- set loop_messages = messages %}\n{%- endif %}\n{{- bos_token }}{{ system_message }}\n{%- for message in loop_messages %}\n    {{- '<' + message['role'] + '>' + message['content'] | trim + eos_token }}\n{%- endfor %}\n",
     {"messages": MESSAGES, "bos_token": "<s>", "eos_token": "</s>"})
case("chat.tool_calls_json",
     "{%- for m in messages %}{%- if m.tool_calls is defined %}{%- for tc in m.tool_calls %}{{- '<tool_call>' + {'name': tc.function.name, 'arguments': tc.function.arguments} | tojson + '</tool_call>' }}{%- endfor %}{%- else %}{{- m.content }}{%- endif %}{%- endfor %}",
     {"messages": [{"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 3}}}]}]})
case("chat.arguments_string_or_dict",
     "{% for tc in calls %}{% if tc.arguments is string %}{{ tc.arguments }}{% else %}{{ tc.arguments | tojson }}{% endif %};{% endfor %}",
     {"calls": [{"arguments": "{\"a\": 1}"}, {"arguments": {"a": 1}}]})
case("chat.content_none_concat_error", "{{ '<a>' + m.content }}", {"m": {"role": "assistant", "content": None}})
case("chat.content_list_parts",
     "{% for part in m.content %}{% if part.type == 'text' %}{{ part.text }}{% elif part.type == 'image' %}<image>{% endif %}{% endfor %}",
     {"m": {"role": "user", "content": [{"type": "text", "text": "Look: "}, {"type": "image"}, {"type": "text", "text": " what?"}]}})
case("chat.content_is_string_check", "{% for m in messages %}{{ m.content if m.content is string else m.content | map(attribute='text') | join }};{% endfor %}",
     {"messages": [{"content": "plain"}, {"content": [{"text": "a"}, {"text": "b"}]}]})
case("chat.tools_none_vs_list", "{{ tools is none }}|{{ tools is defined }}|{% if tools %}has{% else %}no{% endif %} tools", {"tools": None})
case("chat.last_user_index",
     "{%- set ns = namespace(idx=0) %}{%- for m in messages %}{%- if m.role == 'user' %}{%- set ns.idx = loop.index0 %}{%- endif %}{%- endfor %}{{ ns.idx }}:{{ messages[ns.idx].content }}",
     {"messages": MESSAGES})

# Syntax and other errors
case("error.unclosed_if", "{% if true %}x")
case("error.unclosed_for", "{% for x in y %}x")
case("error.unexpected_end_tag", "{% endfor %}")
case("error.mismatched_end_tag", "{% if true %}x{% endfor %}")
case("error.unclosed_variable", "{{ x ")
case("error.unclosed_string", "{{ 'abc }}")
case("error.unclosed_comment", "{# never closed")
case("error.unknown_tag", "{% frobnicate %}")
case("error.bad_expression", "{{ 1 + }}")
case("error.else_outside_if", "{% else %}")
case("error.break_outside_loop", "{% break %}")
case("error.elif_after_else", "{% if a %}{% else %}{% elif b %}{% endif %}")
case("error.division_by_zero", "{{ 1 / 0 }}")
case("error.floor_division_by_zero", "{{ 1 // 0 }}")
case("error.modulo_by_zero", "{{ 1 % 0 }}")
case("error.call_non_callable", "{{ x() }}", {"x": 1})
case("sandbox.private_attribute_is_undefined", "[{{ ''.__class__ }}]")
case("sandbox.private_attribute_chain_error", "{{ ''.__class__.__mro__ }}")
case("error.add_list_and_string", "{{ [1] + 'a' }}")
case("access.subscript_int_is_undefined", "[{{ x[0] }}]", {"x": 5})
case("filter.int_base_ignored_for_int", "{{ 5 | int(base=2) }}")


def make_conformance():
    names = set()
    cases = []
    for name, template, context, trim, lstrip in CASES:
        if name in names:
            raise SystemExit(f"error: duplicate case name {name}")
        names.add(name)
        # Render from the JSON the fixture holds, so that the Swift side sees exactly these values.
        context_json = json.loads(json.dumps(context, ensure_ascii=False))
        result = render(template, context_json, trim, lstrip)
        c = {"name": name, "template": template, "context": context_json,
             "options": {"trim_blocks": trim, "lstrip_blocks": lstrip}}
        c.update(outcome_fields(result))
        cases.append(c)
    write_fixture("conformance.json", header(), cases)
    return cases


# MARK: - templates.json

# bos_token / eos_token: each model's tokenizer_config.json on the Hugging Face Hub (None where the
# tokenizer sets none; transformers then leaves the variable out of the render call).
TEMPLATES = [
    ("meta-llama-Llama-3.1-8B-Instruct", "<|begin_of_text|>", "<|eot_id|>"),
    ("meta-llama-Llama-3.2-3B-Instruct", "<|begin_of_text|>", "<|eot_id|>"),
    ("meta-llama-Llama-3.3-70B-Instruct", "<|begin_of_text|>", "<|eot_id|>"),
    ("NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use", "<|begin_of_text|>", "<|im_end|>"),
    ("NousResearch-Hermes-3-Llama-3.1-8B-tool_use", "<|begin_of_text|>", "<|im_end|>"),
    ("mistralai-Mistral-Nemo-Instruct-2407", "<s>", "</s>"),
    ("Mistral-Small-3.2-24B-Instruct-2506", "<s>", "</s>"),
    ("Qwen-Qwen2.5-7B-Instruct", None, "<|im_end|>"),
    ("HuggingFaceTB-SmolLM3-3B", None, "<|im_end|>"),
    ("microsoft-Phi-3.5-mini-instruct", "<s>", "<|endoftext|>"),
    ("google-gemma-2-2b-it", "<bos>", "<eos>"),
    ("deepseek-ai-DeepSeek-R1-Distill-Llama-8B", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    ("meetkai-functionary-medium-v3.1", "<|begin_of_text|>", "<|eot_id|>"),
    ("meetkai-functionary-medium-v3.2", "<|begin_of_text|>", "<|eot_id|>"),
    ("fireworks-ai-llama-3-firefunction-v2", "<|begin_of_text|>", "<|eot_id|>"),
]
# The default model's template comes from its GGUF (tokenizer.chat_template); the tokens are its
# tokenizer.ggml.bos_token_id / eos_token_id.
DEFAULT_TEMPLATE_NAME = "HuggingFaceTB-SmolLM2-135M-Instruct"

TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather",
        "description": "Get the current weather in a given location.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and country, e.g. Paris, France"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "The temperature unit"},
                "days": {"type": "integer", "description": "How many days of forecast, 0 for now"},
                "fields": {"type": "array", "items": {"type": "string"}, "description": "Which values to return"},
            },
            "required": ["location"],
        },
    }},
    {"type": "function", "function": {
        "name": "get_time",
        "description": "Get the current local time in a time zone.",
        "parameters": {
            "type": "object",
            "properties": {
                "timezone": {"type": "string", "description": "An IANA time zone name such as Asia/Tokyo"},
                "format_24h": {"type": "boolean", "description": "Whether to use a 24-hour clock"},
            },
            "required": ["timezone"],
        },
        "return": {"type": "string", "description": "The time as HH:MM"},
    }},
]

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
LONG_SYSTEM = (
    "You are Cria, a careful assistant.\n\n"
    "Rules:\n"
    "  1. Answer in the user's language.\n"
    "  2. Use Markdown lists when helpful:\n"
    "     - keep items short\n"
    "     - no more than five items\n"
    "\tTabs and trailing spaces stay as they are.   \n"
    "\n"
    "End of rules.\n"
)
WEATHER_RESULT = "{\"temperature\": 22, \"condition\": \"sunny\"}"

CALL_WEATHER_DICT = {"id": "a1b2c3d4e", "type": "function",
                     "function": {"name": "get_weather", "arguments": {"location": "Paris, France", "unit": "celsius"}}}
CALL_TIME_DICT = {"id": "f5g6h7i8j", "type": "function",
                  "function": {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo", "format_24h": True}}}
CALL_WEATHER_STRING = {"id": "call_1", "type": "function",
                       "function": {"name": "get_weather", "arguments": "{\"location\": \"Paris, France\", \"unit\": \"celsius\"}"}}

# (label, messages, tools)
CONVERSATIONS = [
    ("system_user", [SYSTEM, {"role": "user", "content": "Hello!"}], None),
    ("user_only", [{"role": "user", "content": "What is the capital of France?"}], None),
    ("multi_turn", [
        {"role": "user", "content": "Hi, who are you?"},
        {"role": "assistant", "content": "I am an AI assistant. How can I help?"},
        {"role": "user", "content": "Tell me a joke."},
    ], None),
    ("system_multi_turn", [
        SYSTEM,
        {"role": "user", "content": "What is 2 + 2?"},
        {"role": "assistant", "content": "2 + 2 = 4."},
        {"role": "user", "content": "And 3 + 3?"},
    ], None),
    ("ends_with_assistant", [
        {"role": "user", "content": "Say hi."},
        {"role": "assistant", "content": "Hi!"},
    ], None),
    ("assistant_empty_content", [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": ""},
        {"role": "user", "content": "Are you there?"},
    ], None),
    ("unicode_emoji", [
        {"role": "system", "content": "Réponds en français. 🇫🇷"},
        {"role": "user", "content": "Héllo wörld — 你好, мир! 🦙🎉 café\u00a0naïve"},
        {"role": "assistant", "content": "¡Hola! 👋 こんにちは 👩‍💻"},
        {"role": "user", "content": "Ça va? ✓ e\u0301"},
    ], None),
    ("long_system_prompt", [
        {"role": "system", "content": LONG_SYSTEM},
        {"role": "user", "content": "  Leading and trailing spaces, and a newline at the end.\n"},
    ], None),
    ("jinja_and_special_tokens_in_content", [
        {"role": "user", "content": "Render {{ x }} and {% if y %}z{% endif %} {# not a comment #} please."},
        {"role": "assistant", "content": "Literal: {{ messages }} {%- raw %}"},
        {"role": "user", "content": "Tokens: <|begin_of_text|><|eot_id|><|im_start|><|im_end|> <s></s> [INST][/INST] <start_of_turn>"},
    ], None),
    ("assistant_with_think", [
        {"role": "user", "content": "What is 2 + 2?"},
        {"role": "assistant", "content": "<think>\nSimple arithmetic.\n</think>\n\nThe answer is 4."},
        {"role": "user", "content": "Thanks."},
    ], None),
    ("tools_available", [SYSTEM, {"role": "user", "content": "What's the weather in Paris?"}], TOOLS),
    ("tools_user_only", [{"role": "user", "content": "What time is it in Tokyo?"}], TOOLS),
    ("tool_call_dict_arguments", [
        SYSTEM,
        {"role": "user", "content": "What's the weather in Paris?"},
        {"role": "assistant", "content": "", "tool_calls": [CALL_WEATHER_DICT]},
        {"role": "tool", "tool_call_id": "a1b2c3d4e", "name": "get_weather", "content": WEATHER_RESULT},
    ], TOOLS),
    ("tool_calls_parallel", [
        {"role": "user", "content": "Weather in Paris and time in Tokyo?"},
        {"role": "assistant", "content": "", "tool_calls": [CALL_WEATHER_DICT, CALL_TIME_DICT]},
        {"role": "tool", "tool_call_id": "a1b2c3d4e", "name": "get_weather", "content": WEATHER_RESULT},
        {"role": "tool", "tool_call_id": "f5g6h7i8j", "name": "get_time", "content": "15:04"},
        {"role": "assistant", "content": "It is 22°C and sunny in Paris, and 15:04 in Tokyo."},
    ], TOOLS),
    ("tool_call_string_arguments_null_content", [
        {"role": "user", "content": "What's the weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [CALL_WEATHER_STRING]},
        {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": WEATHER_RESULT},
        {"role": "assistant", "content": "It is 22°C and sunny."},
        {"role": "user", "content": "Thanks!"},
    ], TOOLS),
    ("empty_tools_list", [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Nothing, thanks."},
    ], []),
    ("tool_call_content_absent", [
        {"role": "user", "content": "What's the weather in Paris?"},
        {"role": "assistant", "tool_calls": [CALL_WEATHER_DICT]},
        {"role": "tool", "tool_call_id": "a1b2c3d4e", "name": "get_weather", "content": WEATHER_RESULT},
    ], TOOLS),
]

# Template variables some templates read besides the standard ones: (template names, conversation labels, extra).
EXTRAS = [
    (("meta-llama-Llama-3.1-8B-Instruct", "meta-llama-Llama-3.3-70B-Instruct"),
     ("system_user", "tool_call_dict_arguments"),
     {"builtin_tools": ["brave_search", "wolfram_alpha"], "date_string": "01 Jan 2025"}),
    (("meta-llama-Llama-3.1-8B-Instruct", "meta-llama-Llama-3.2-3B-Instruct", "meta-llama-Llama-3.3-70B-Instruct"),
     ("tools_available", "tool_call_dict_arguments"),
     {"tools_in_user_message": False}),
    (("meta-llama-Llama-3.2-3B-Instruct",), ("system_user",), {"date_string": "01 Jan 2025"}),
    (("HuggingFaceTB-SmolLM3-3B",), ("system_user", "multi_turn", "assistant_with_think"), {"enable_thinking": False}),
]
# firefunction-v2 reads two variables of its own on every render (Fireworks passes them): `functions`, the
# tools as a JSON string, and `datetime`. Its cases pass them, but for one conversation that shows the error
# without them.
FIREFUNCTION = "fireworks-ai-llama-3-firefunction-v2"
FIREFUNCTION_EXTRA = {"functions": json.dumps([t["function"] for t in TOOLS], ensure_ascii=False, indent=2),
                      "datetime": "2024-07-26 00:00"}


def read_default_model_template():
    import gguf  # only this part needs it

    path = os.path.join(MODELS, DEFAULT_MODEL)
    reader = gguf.GGUFReader(path)

    def string_field(key):
        field = reader.fields[key]
        return bytes(field.parts[field.data[0]]).decode("utf-8")

    def token(key):
        field = reader.fields[key]
        token_id = int(field.parts[field.data[0]][0])
        tokens = reader.fields["tokenizer.ggml.tokens"]
        return bytes(tokens.parts[tokens.data[token_id]]).decode("utf-8")

    return (string_field("tokenizer.chat_template"),
            token("tokenizer.ggml.bos_token_id"), token("tokenizer.ggml.eos_token_id"))


def make_templates():
    templates = {}
    sources = []  # (name, source, text, bos, eos)
    for name, bos, eos in TEMPLATES:
        path = os.path.join(TOKDIR, "templates", name + ".jinja")
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as e:
            raise SystemExit(f"error: {e}; run scripts/install-tokenizer-data.sh first")
        source = f"cache:templates/{name}.jinja"
        templates[name] = {"source": source, "sha256": hashlib.sha256(raw).hexdigest(), "bos_token": bos, "eos_token": eos}
        sources.append((name, source, raw.decode("utf-8"), bos, eos))
    text, bos, eos = read_default_model_template()
    templates[DEFAULT_TEMPLATE_NAME] = {
        "source": "inline", "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "bos_token": bos, "eos_token": eos, "text": text,
        "from": f"model:{DEFAULT_MODEL} tokenizer.chat_template",
    }
    sources.append((DEFAULT_TEMPLATE_NAME, "inline", text, bos, eos))

    cases = []
    for name, source, text, bos, eos in sources:
        base = FIREFUNCTION_EXTRA if name == FIREFUNCTION else {}
        runs = [(label, messages, tools, base) for label, messages, tools in CONVERSATIONS]
        if name == FIREFUNCTION:
            runs.append(("system_user", CONVERSATIONS[0][1], None, {}))
        by_label = {label: (messages, tools) for label, messages, tools in CONVERSATIONS}
        for names, labels, extra in EXTRAS:
            if name in names:
                runs += [(label, *by_label[label], extra) for label in labels]
        for label, messages, tools, extra in runs:
            for add_generation_prompt in (False, True):
                context = {"messages": messages, "tools": tools, "documents": None,
                           "add_generation_prompt": add_generation_prompt}
                if bos is not None:
                    context["bos_token"] = bos
                if eos is not None:
                    context["eos_token"] = eos
                context.update(extra)
                context = json.loads(json.dumps(context, ensure_ascii=False))
                result = render(text, context)
                c = {"template": name, "source": source, "conversation": label, "messages": messages, "tools": tools,
                     "add_generation_prompt": add_generation_prompt, "bos_token": bos, "eos_token": eos, "extra": extra}
                fields = outcome_fields(result)
                fields.pop("error_phase", None)
                c.update(fields)
                cases.append(c)
    top = header()
    top["templates"] = templates
    write_fixture("templates.json", top, cases)
    return cases


def main(argv):
    which = argv[1:] or ["conformance", "templates"]
    for w in which:
        if w == "conformance":
            make_conformance()
        elif w == "templates":
            make_templates()
        else:
            raise SystemExit(f"error: unknown fixture {w!r} (conformance, templates)")


if __name__ == "__main__":
    main(sys.argv)
