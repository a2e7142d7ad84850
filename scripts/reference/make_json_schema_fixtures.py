#!/usr/bin/env python3
"""Golden fixtures for Cria's JSON Schema -> GBNF converter and JSON Schema validator.

Reads llama.cpp's own tests (facts only: schemas, expected outcomes, strings):
  (a) tests/test-json-schema-to-grammar.cpp: every `test({STATUS, name, schema, grammar})` case;
  (b) tests/test-grammar-integration.cpp: every `test_schema(desc, schema, {passing}, {failing})` case;
and labels every string that is valid JSON with the Python `jsonschema` package (the independent
reference for the validator), plus hand-written schema/instance pairs covering each supported keyword.

Usage:
  make_json_schema_fixtures.py <vendor/llama.cpp dir | llama_cpp_python-*.tar.gz> [out dir]
Writes <out>/json_schema_conversion.json, json_schema_integration.json, json_schema_extra.json
(default out: Tests/Fixtures/grammar/schema next to this repo's root).
"""

import json
import os
import sys
import tarfile
from importlib.metadata import version

import jsonschema
from jsonschema import Draft7Validator, Draft202012Validator

CONVERSION_TEST = "tests/test-json-schema-to-grammar.cpp"
INTEGRATION_TEST = "tests/test-grammar-integration.cpp"


# MARK: - reading the sources

def read_sources(src):
    wanted = {CONVERSION_TEST: None, INTEGRATION_TEST: None}
    if os.path.isdir(src):
        for rel in wanted:
            with open(os.path.join(src, rel), encoding="utf-8") as f:
                wanted[rel] = f.read()
        return wanted
    with tarfile.open(src) as tar:
        for member in tar.getmembers():
            for rel in wanted:
                if member.name.endswith("vendor/llama.cpp/" + rel):
                    wanted[rel] = tar.extractfile(member).read().decode("utf-8")
    missing = [k for k, v in wanted.items() if v is None]
    if missing:
        sys.exit(f"not found in {src}: {missing}")
    return wanted


# MARK: - a small C++ tokenizer: string literals (raw and escaped, adjacent ones joined),
# identifiers, numbers and punctuation; comments skipped.

SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0",
                  "a": "\a", "b": "\b", "f": "\f", "v": "\v", "?": "?"}


def tokenize(text):
    tokens = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
        elif c == "#" and (i == 0 or text[i - 1] == "\n"):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith('R"', i):
            open_paren = text.index("(", i)
            delim = text[i + 2:open_paren]
            end = text.index(")" + delim + '"', open_paren)
            add_string(tokens, text[open_paren + 1:end])
            i = end + len(delim) + 2
        elif c == '"':
            j = i + 1
            out = []
            while text[j] != '"':
                if text[j] == "\\":
                    e = text[j + 1]
                    if e == "x":
                        k = j + 2
                        while k < n and text[k] in "0123456789abcdefABCDEF":
                            k += 1
                        out.append(chr(int(text[j + 2:k], 16)))
                        j = k
                        continue
                    if e == "u":
                        out.append(chr(int(text[j + 2:j + 6], 16)))
                        j += 6
                        continue
                    out.append(SIMPLE_ESCAPES[e])
                    j += 2
                else:
                    out.append(text[j])
                    j += 1
            add_string(tokens, "".join(out))
            i = j + 1
        elif c == "'":
            j = text.index("'", i + 1 if text[i + 1] != "\\" else i + 3)
            tokens.append(("char", text[i:j + 1]))
            i = j + 1
        elif c.isalnum() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(("id", text[i:j]))
            i = j
        else:
            tokens.append(("punct", c))
            i += 1
    return tokens


def add_string(tokens, s):
    # adjacent literals are one string in C++
    if tokens and tokens[-1][0] == "str":
        tokens[-1] = ("str", tokens[-1][1] + s)
    else:
        tokens.append(("str", s))


def call_arguments(tokens, start):
    """Arguments of the call whose '(' is at tokens[start]: a list of token lists, split on
    top-level commas; returns (args, index after ')')."""
    assert tokens[start] == ("punct", "(")
    depth, args, cur, i = 0, [], [], start + 1
    while True:
        kind, val = tokens[i]
        if kind == "punct" and val in "({[":
            depth += 1
        elif kind == "punct" and val in ")}]":
            if depth == 0:
                if cur:
                    args.append(cur)
                return args, i + 1
            depth -= 1
        if kind == "punct" and val == "," and depth == 0:
            args.append(cur)
            cur = []
        else:
            cur.append(tokens[i])
        i += 1


def braced_items(arg):
    """`{ a, b, c }` (a token list) -> list of token lists."""
    assert arg[0] == ("punct", "{") and arg[-1] == ("punct", "}"), arg
    inner = [("punct", "(")] + arg[1:-1] + [("punct", ")")]
    items, _ = call_arguments(inner, 0)
    return items


def the_string(arg):
    if len(arg) != 1 or arg[0][0] != "str":
        raise ValueError(f"expected one string literal, got {arg}")
    return arg[0][1]


def conversion_cases(text):
    tokens = tokenize(text)
    cases = []
    for i in range(len(tokens) - 2):
        if tokens[i] == ("id", "test") and tokens[i + 1] == ("punct", "(") and tokens[i + 2] == ("punct", "{"):
            args, _ = call_arguments(tokens, i + 1)
            fields = braced_items(args[0])
            status = fields[0][0][1]
            assert status in ("SUCCESS", "FAILURE")
            cases.append({
                "name": the_string(fields[1]),
                "schema": the_string(fields[2]),
                "expected_success": status == "SUCCESS",
                "expected_grammar": trim_grammar(the_string(fields[3])),
            })
    return cases


def trim_grammar(g):
    # as the C++ test compares: outer whitespace and each line's indentation dropped
    return "\n".join(line.lstrip(" \t") for line in g.strip().split("\n"))


def integration_cases(text):
    tokens = tokenize(text)
    cases = []
    for i in range(len(tokens) - 1):
        if tokens[i] == ("id", "test_schema") and tokens[i + 1] == ("punct", "("):
            if i > 0 and tokens[i - 1] == ("id", "void"):
                continue  # the definition
            args, _ = call_arguments(tokens, i + 1)
            assert len(args) == 4, args
            cases.append({
                "description": the_string(args[0]),
                "schema": the_string(args[1]),
                "passing": [the_string(a) for a in braced_items(args[2])],
                "failing": [the_string(a) for a in braced_items(args[3])],
            })
    return cases


# MARK: - labelling with jsonschema

def validator_class(schema):
    # Array-valued `items` is the draft-7 tuple form; everything else is read as 2020-12,
    # jsonschema's default for a schema without `$schema`.
    def uses_tuple_items(node):
        if isinstance(node, dict):
            if isinstance(node.get("items"), list):
                return True
            return any(uses_tuple_items(v) for v in node.values())
        if isinstance(node, list):
            return any(uses_tuple_items(v) for v in node)
        return False
    return Draft7Validator if uses_tuple_items(schema) else Draft202012Validator


def label(schema, text):
    """True/False from jsonschema (formats asserted), or None when `text` is not JSON."""
    try:
        instance = json.loads(text)
    except ValueError:
        return None
    cls = validator_class(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER).is_valid(instance)


def labelled(schema_text, strings):
    schema = json.loads(schema_text)
    return [{"text": s, "valid": label(schema, s)} for s in strings]


# MARK: - hand-written pairs, one group per supported keyword

EXTRA = [
    ("type string", {"type": "string"}, ['"a"', '""', '1', 'null', '["a"]']),
    ("type integer", {"type": "integer"}, ['1', '-7', '1.0', '1.5', '"1"', 'true']),
    ("type number", {"type": "number"}, ['1', '1.5', '-2e3', '"1"', 'null']),
    ("type boolean", {"type": "boolean"}, ['true', 'false', '0', '"true"']),
    ("type null", {"type": "null"}, ['null', '0', '""', 'false']),
    ("type array of types", {"type": ["string", "null"]}, ['"x"', 'null', '1', '[]']),
    ("type object", {"type": "object"}, ['{}', '{"a":1}', '[]', '"{}"']),
    ("type array", {"type": "array"}, ['[]', '[1,"a"]', '{}']),
    ("empty schema", {}, ['1', '"a"', 'null', '[{}]']),
    ("true schema", True, ['1', '{"a":[null]}']),
    ("properties and required", {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}, "required": ["a"]},
     ['{"a":1}', '{"a":1,"b":"x"}', '{"b":"x"}', '{"a":"1"}', '{"a":1,"b":2}', '{"a":1,"c":true}']),
    ("additionalProperties false", {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": False},
     ['{}', '{"a":1}', '{"a":1,"b":2}']),
    ("additionalProperties schema", {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": {"type": "string"}},
     ['{"a":1,"b":"x"}', '{"a":1,"b":2}', '{"c":"y"}']),
    ("items", {"type": "array", "items": {"type": "integer"}}, ['[]', '[1,2,3]', '[1,"a"]', '[1.5]']),
    ("prefixItems", {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
     ['["a",1]', '["a"]', '[]', '[1,"a"]', '["a",1,true]']),
    ("prefixItems with items false", {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
     ['["a"]', '[]', '["a",1]']),
    ("prefixItems with items schema", {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}},
     ['["a"]', '["a",1,2]', '["a","b"]']),
    ("minItems maxItems", {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2},
     ['[]', '[1]', '[1,2]', '[1,2,3]']),
    ("enum", {"enum": ["red", 1, None, [1], {"a": 1}]}, ['"red"', '1', '1.0', 'null', '[1]', '{"a":1}', '"blue"', '2', '{"a":2}']),
    ("const", {"const": {"k": [1, "x"]}}, ['{"k":[1,"x"]}', '{"k":[1,"y"]}', '{"k":[1,"x"],"z":0}']),
    ("anyOf", {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 0}]}, ['"a"', '3', '-3', 'null']),
    ("oneOf", {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]}, ['1', '2.5', '10.5', '12', 'null']),
    ("allOf", {"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
                         {"type": "object", "properties": {"b": {"type": "string"}}, "required": ["b"]}]},
     ['{"a":1,"b":"x"}', '{"a":1}', '{"b":"x"}', '{"a":"1","b":"x"}']),
    ("$ref to $defs", {"$defs": {"pos": {"type": "integer", "minimum": 1}}, "type": "array", "items": {"$ref": "#/$defs/pos"}},
     ['[1,2]', '[0]', '[]']),
    ("$ref to definitions", {"definitions": {"s": {"type": "string", "maxLength": 2}}, "properties": {"x": {"$ref": "#/definitions/s"}}},
     ['{"x":"ab"}', '{"x":"abc"}', '{}']),
    ("recursive $ref to #", {"type": "object", "properties": {"value": {"type": "integer"}, "next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}},
                              "required": ["value", "next"], "additionalProperties": False},
     ['{"value":1,"next":null}', '{"value":1,"next":{"value":2,"next":null}}', '{"value":1,"next":{"value":"2","next":null}}', '{"value":1}']),
    ("recursive $defs tree", {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "properties": {
        "name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}, "required": ["name"]}}},
     ['{"name":"a"}', '{"name":"a","children":[{"name":"b","children":[]}]}', '{"name":"a","children":[{"children":[]}]}']),
    ("pattern anchored", {"type": "string", "pattern": "^[a-z]+-\\d{2,3}$"}, ['"ab-12"', '"ab-1234"', '"AB-12"', '"x-123"', '"-12"']),
    ("pattern unanchored", {"type": "string", "pattern": "ab+c"}, ['"xxabbbcyy"', '"abc"', '"ac"', '""']),
    ("pattern alternation and groups", {"type": "string", "pattern": "^(foo|ba(r|z))?\\.(x|y){2}$"}, ['".xy"', '"bar.yy"', '"baz.xx"', '"ba.xx"', '"foo.x"']),
    ("pattern classes", {"type": "string", "pattern": "^[^0-9\\s][\\w.]*\\s?$"}, ['"a_b.c "', '"a"', '"1a"', '" a"', '"a b"']),
    ("pattern dot", {"type": "string", "pattern": "^a.c$"}, ['"abc"', '"a\\"c"', '"a\\nc"', '"ac"']),
    ("format date", {"type": "string", "format": "date"}, ['"2024-02-29"', '"2023-02-29"', '"2024-13-01"', '"2024-1-01"', '"x"']),
    ("format time", {"type": "string", "format": "time"}, ['"12:34:56Z"', '"12:34:56.789+02:00"', '"24:00:00Z"', '"12:34:56"']),
    ("format date-time", {"type": "string", "format": "date-time"}, ['"2024-01-02T03:04:05Z"', '"2024-01-02T03:04:05.123-05:30"', '"2024-01-02 03:04:05Z"', '"2024-01-02"']),
    ("format uuid", {"type": "string", "format": "uuid"}, ['"123e4567-e89b-12d3-a456-426614174000"', '"123E4567-E89B-12D3-A456-426614174000"', '"123e4567e89b12d3a456426614174000"', '"xyz"']),
    ("format email", {"type": "string", "format": "email"}, ['"a.b@example.com"', '"first+tag@sub.example.org"', '"no-at-sign"']),
    ("minLength maxLength", {"type": "string", "minLength": 2, "maxLength": 3}, ['"a"', '"ab"', '"abc"', '"abcd"', '"é🦙"']),
    ("integer minimum maximum", {"type": "integer", "minimum": -5, "maximum": 120}, ['-5', '-6', '0', '120', '121', '7.0']),
    ("integer exclusive bounds", {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10}, ['0', '1', '9', '10']),
    ("number bounds", {"type": "number", "minimum": 0.5, "exclusiveMaximum": 2}, ['0.5', '0.4', '1.99', '2', '1']),
    ("number minimum 0", {"type": "number", "minimum": 0}, ['0', '3.25', '-0.5', '1e3']),
    ("nullable object", {"type": ["object", "null"], "properties": {"a": {"type": "boolean"}}, "required": ["a"]},
     ['null', '{"a":true}', '{}', '"a"']),
    ("annotations ignored", {"title": "T", "description": "d", "$comment": "c", "examples": [1], "default": 1, "deprecated": False,
                             "readOnly": True, "writeOnly": False, "type": "integer"}, ['1', '"1"']),
    ("enum with type", {"type": "string", "enum": ["a", 1, "b"]}, ['"a"', '1', '"b"', '"c"']),
]


def extra_cases():
    cases = []
    for name, schema, instances in EXTRA:
        cases.append({
            "name": name,
            "schema": json.dumps(schema),
            "instances": [{"text": t, "valid": label(schema, t)} for t in instances],
        })
    return cases


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sources = read_sources(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "..", "Tests", "Fixtures", "grammar", "schema")
    os.makedirs(out, exist_ok=True)
    meta = {
        "source": "llama.cpp (vendored in llama_cpp_python 0.3.36)",
        "jsonschema": version("jsonschema"),
        "labels": "jsonschema Draft 2020-12 (Draft 7 when a schema uses array-valued items), formats asserted",
    }

    conversion = conversion_cases(sources[CONVERSION_TEST])
    integration = integration_cases(sources[INTEGRATION_TEST])
    for case in integration:
        case["passing"] = labelled(case["schema"], case["passing"])
        case["failing"] = labelled(case["schema"], case["failing"])

    def write(name, cases):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump({"meta": meta, "cases": cases}, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"{name}: {len(cases)} cases")

    write("json_schema_conversion.json", conversion)
    write("json_schema_integration.json", integration)
    write("json_schema_extra.json", extra_cases())


if __name__ == "__main__":
    main()
