"""Structured output through the real clients: OpenAI `response_format` (json_object,
json_schema), the `grammar` extension, Ollama `format` ("json" and a schema); every answer
parses and validates with the `jsonschema` package. Malformed grammars and schemas are 400s
that say where."""

from __future__ import annotations

import json

import jsonschema
import pytest

import cria_compat as cc
from cria_compat import MODEL

PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 40},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "hobbies": {"type": "array", "items": {"type": "string", "maxLength": 30}, "maxItems": 3},
        "pet": {"enum": ["llama", "alpaca", "none"]},
    },
    "required": ["name", "age", "pet"],
    "additionalProperties": False,
}
ASK = [{"role": "user", "content": "Describe a person who likes llamas, as JSON."}]


def response_format(schema: dict) -> dict:
    return {"type": "json_schema", "json_schema": {"name": "person", "schema": schema, "strict": True}}


def check(text: str, schema: dict) -> dict:
    value = json.loads(text)
    jsonschema.validate(value, schema)
    return value


def test_json_schema(oai):
    r = oai.chat.completions.create(model=MODEL, messages=ASK, response_format=response_format(PERSON),
                                    max_tokens=200, temperature=0)
    assert r.choices[0].finish_reason == "stop", r
    value = check(r.choices[0].message.content, PERSON)
    # Properties come in the schema's order (strict mode, as OpenAI's).
    assert list(value)[:2] == ["name", "age"], value


def test_json_schema_streamed_equals_whole(oai):
    whole = oai.chat.completions.create(model=MODEL, messages=ASK, response_format=response_format(PERSON),
                                        max_tokens=200, temperature=0)
    stream = oai.chat.completions.create(model=MODEL, messages=ASK, response_format=response_format(PERSON),
                                         max_tokens=200, temperature=0, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == whole.choices[0].message.content
    check(text, PERSON)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_json_object(oai, seed):
    r = oai.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Give me a JSON object about cats."}],
                                    response_format={"type": "json_object"}, max_tokens=300, seed=seed)
    text = r.choices[0].message.content
    if r.choices[0].finish_reason == "length":
        # Any JSON object may hold an unbounded string: cut at the limit, it is still a JSON prefix.
        assert text.lstrip().startswith("{"), r
    else:
        assert isinstance(json.loads(text), dict), r


def test_completions_with_schema(oai):
    schema = {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 9}, "minItems": 3, "maxItems": 3}
    r = oai.completions.create(model=MODEL, prompt="Three small numbers:", max_tokens=60, temperature=0,
                               extra_body={"response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": schema}}})
    check(r.choices[0].text, schema)


def test_grammar_extension(oai):
    grammar = 'root ::= ("yes" | "no") "."'
    r = oai.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Is the sky green?"}],
                                    max_tokens=20, temperature=0.7, seed=5, extra_body={"grammar": grammar})
    assert r.choices[0].message.content in ("yes.", "no."), r
    assert r.choices[0].finish_reason == "stop"


def test_ollama_format_json(oll):
    r = oll.chat(model=MODEL, messages=[{"role": "user", "content": "A JSON object describing the moon."}],
                 format="json", options={"num_predict": 300, "seed": 3})
    assert isinstance(json.loads(r.message.content), dict), r


def test_ollama_format_schema(oll):
    r = oll.generate(model=MODEL, prompt="Describe a person who likes llamas.", format=PERSON,
                     options={"num_predict": 200, "temperature": 0})
    check(r.response, PERSON)
    stream = oll.chat(model=MODEL, messages=ASK, format=PERSON, options={"num_predict": 200, "temperature": 0}, stream=True)
    check("".join(part.message.content for part in stream), PERSON)


# MARK: - errors

def test_malformed_grammar_is_400_with_position(base_url):
    body = {"model": MODEL, "messages": ASK, "grammar": 'root ::= "a"\nitem ::= [a-z'}
    err = cc.assert_openai_error(cc.request(base_url, "POST", "/v1/chat/completions", body), 400)
    assert err["param"] == "grammar", err
    assert "line 2" in err["message"] and "column" in err["message"], err


def test_undefined_rule_is_400(base_url):
    body = {"model": MODEL, "messages": ASK, "grammar": "root ::= missing"}
    err = cc.assert_openai_error(cc.request(base_url, "POST", "/v1/chat/completions", body), 400)
    assert "missing" in err["message"], err


@pytest.mark.parametrize("schema,word", [
    ({"type": "object", "properties": {"a": {"type": "string", "not": {"const": "x"}}}}, "not"),
    ({"type": "string", "format": "hostname-ish"}, "hostname-ish"),
    ({"$ref": "#/$defs/nowhere"}, "nowhere"),
    ({"type": "strung"}, "strung"),
])
def test_unenforceable_schema_is_400_naming_it(base_url, schema, word):
    body = {"model": MODEL, "messages": ASK, "response_format": response_format(schema)}
    err = cc.assert_openai_error(cc.request(base_url, "POST", "/v1/chat/completions", body), 400)
    assert word in err["message"], err
    assert err["param"] == "response_format", err
    r = cc.request(base_url, "POST", "/api/chat", {"model": MODEL, "messages": ASK, "format": schema, "stream": False})
    assert word in cc.assert_ollama_error(r, 400)


@pytest.mark.parametrize("fmt", [
    {"type": "yaml"},
    {"type": "json_schema"},
    {"type": "json_schema", "json_schema": {"name": "x"}},
    "json",
])
def test_bad_response_format_is_400(base_url, fmt):
    body = {"model": MODEL, "messages": ASK, "response_format": fmt}
    cc.assert_openai_error(cc.request(base_url, "POST", "/v1/chat/completions", body), 400)


def test_bad_ollama_format_is_400(base_url):
    for fmt in ("yaml", 3, ["json"]):
        r = cc.request(base_url, "POST", "/api/generate", {"model": MODEL, "prompt": "hi", "format": fmt, "stream": False})
        cc.assert_ollama_error(r, 400)


def test_grammar_and_response_format_together_is_400(base_url):
    body = {"model": MODEL, "messages": ASK, "grammar": 'root ::= "x"', "response_format": {"type": "json_object"}}
    cc.assert_openai_error(cc.request(base_url, "POST", "/v1/chat/completions", body), 400)
