"""200 generations on the default model under 20 varied JSON Schemas (nested objects, arrays,
enums, optional fields, $ref, anyOf, patterns, formats, numeric ranges), 10 sampled answers
each: every answer must parse and validate with the `jsonschema` package. Sampling is at
temperature 0.8 with distinct seeds, so the grammar, not greedy luck, keeps them valid."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import jsonschema

from cria_compat import MODEL

S = {"type": "string", "maxLength": 24}

SCHEMAS: list[tuple[str, dict]] = [
    ("a user profile", {"type": "object", "properties": {"name": S, "age": {"type": "integer", "minimum": 0, "maximum": 120}},
                        "required": ["name", "age"], "additionalProperties": False}),
    ("a shopping list", {"type": "array", "items": S, "minItems": 1, "maxItems": 4}),
    ("a color choice", {"type": "object", "properties": {"color": {"enum": ["red", "green", "blue"]}},
                        "required": ["color"], "additionalProperties": False}),
    ("a book with optional fields", {"type": "object", "properties": {
        "title": S, "year": {"type": "integer", "minimum": 1400, "maximum": 2030}, "isbn": S, "tags": {"type": "array", "items": S, "maxItems": 2}},
        "required": ["title"], "additionalProperties": False}),
    ("an address book entry", {"type": "object", "properties": {
        "person": {"$ref": "#/$defs/person"}, "friends": {"type": "array", "items": {"$ref": "#/$defs/person"}, "maxItems": 2}},
        "required": ["person", "friends"], "additionalProperties": False,
        "$defs": {"person": {"type": "object", "properties": {"first": S, "last": S}, "required": ["first", "last"], "additionalProperties": False}}}),
    ("a weather report", {"type": "object", "properties": {
        "city": S, "celsius": {"type": "number"}, "sky": {"enum": ["sunny", "cloudy", "rain", "snow"]}, "wind": {"type": "boolean"}},
        "required": ["city", "celsius", "sky", "wind"], "additionalProperties": False}),
    ("a nested order", {"type": "object", "properties": {
        "id": {"type": "integer", "minimum": 1, "maximum": 99999},
        "customer": {"type": "object", "properties": {"name": S, "vip": {"type": "boolean"}}, "required": ["name", "vip"], "additionalProperties": False},
        "lines": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "object", "properties": {
            "sku": S, "qty": {"type": "integer", "minimum": 1, "maximum": 10}}, "required": ["sku", "qty"], "additionalProperties": False}}},
        "required": ["id", "customer", "lines"], "additionalProperties": False}),
    ("a yes or no answer", {"type": "boolean"}),
    ("a number between 1 and 10", {"type": "integer", "minimum": 1, "maximum": 10}),
    ("a point", {"type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}], "items": False, "minItems": 2}),
    ("a shape", {"anyOf": [
        {"type": "object", "properties": {"kind": {"const": "circle"}, "radius": {"type": "number"}}, "required": ["kind", "radius"], "additionalProperties": False},
        {"type": "object", "properties": {"kind": {"const": "square"}, "side": {"type": "number"}}, "required": ["kind", "side"], "additionalProperties": False}]}),
    ("a product code", {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"}},
                        "required": ["code"], "additionalProperties": False}),
    ("a meeting", {"type": "object", "properties": {"day": {"type": "string", "format": "date"}, "start": {"type": "string", "format": "time"},
                                                    "room": S}, "required": ["day", "start", "room"], "additionalProperties": False}),
    ("a user id", {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}, "email": {"type": "string", "format": "email"}},
                   "required": ["id"], "additionalProperties": False}),
    ("a nullable nickname", {"type": "object", "properties": {"nickname": {"type": ["string", "null"], "maxLength": 20}},
                             "required": ["nickname"], "additionalProperties": False}),
    ("a matrix", {"type": "array", "maxItems": 3, "items": {"type": "array", "maxItems": 3, "items": {"type": "integer", "minimum": -9, "maximum": 9}}}),
    ("a task list", {"type": "object", "properties": {"tasks": {"type": "array", "maxItems": 3, "items": {"type": "object", "properties": {
        "title": S, "done": {"type": "boolean"}, "priority": {"enum": [1, 2, 3]}}, "required": ["title", "done"], "additionalProperties": False}}},
        "required": ["tasks"], "additionalProperties": False}),
    ("an event with a timestamp", {"type": "object", "properties": {"name": S, "at": {"type": "string", "format": "date-time"}},
                                   "required": ["name", "at"], "additionalProperties": False}),
    ("a short word", {"type": "string", "minLength": 2, "maxLength": 8}),
    ("a temperature reading", {"allOf": [{"type": "object", "properties": {"value": {"type": "number"}}, "required": ["value"]},
                                         {"type": "object", "properties": {"unit": {"enum": ["C", "F"]}}, "required": ["unit"]}]}),
]
SEEDS = range(10)


def generate(oai, description: str, schema: dict, seed: int):
    r = oai.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": f"Answer with {description} as JSON."}],
        response_format={"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": True}},
        temperature=0.8, seed=seed, max_tokens=400)
    return r.choices[0]


def test_200_generations_parse_and_validate(oai):
    assert len(SCHEMAS) * len(SEEDS) == 200
    jobs = [(d, s, seed) for d, s in SCHEMAS for seed in SEEDS]
    with ThreadPoolExecutor(4) as pool:
        choices = list(pool.map(lambda job: generate(oai, *job), jobs))
    failures = []
    for (description, schema, seed), choice in zip(jobs, choices):
        text = choice.message.content
        try:
            jsonschema.validate(json.loads(text), schema)
        except (ValueError, jsonschema.ValidationError) as e:
            failures.append(f"{description} seed {seed} ({choice.finish_reason}): {text!r}: {str(e)[:200]}")
    assert not failures, f"{len(failures)} of 200 invalid:\n" + "\n".join(failures)
