"""Tool calling end to end through the real `openai` and `ollama` clients on the default model:
`tools` with `tool_choice` auto, none, required and a named function, streamed and not;
arguments validate against each tool's schema; tool results fed back as `tool` messages."""

from __future__ import annotations

import json

import jsonschema
import pytest

import cria_compat as cc
from cria_compat import MODEL

WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 30},
        "unit": {"enum": ["celsius", "fahrenheit"]},
    },
    "required": ["city", "unit"],
    "additionalProperties": False,
}
TIME = {
    "type": "object",
    "properties": {"timezone": {"type": "string", "maxLength": 30}},
    "required": ["timezone"],
    "additionalProperties": False,
}
TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city", "parameters": WEATHER}},
    {"type": "function", "function": {"name": "get_time", "description": "Current time in a timezone", "parameters": TIME}},
]
SCHEMAS = {"get_weather": WEATHER, "get_time": TIME}
ASK = [{"role": "user", "content": "What is the weather like in Paris today?"}]


def check_calls(calls):
    assert calls, "no tool calls"
    ids = set()
    for call in calls:
        assert call.type == "function", call
        assert isinstance(call.id, str) and call.id and call.id not in ids, call
        ids.add(call.id)
        assert call.function.name in SCHEMAS, call
        jsonschema.validate(json.loads(call.function.arguments), SCHEMAS[call.function.name])


def test_required(oai):
    r = oai.chat.completions.create(model=MODEL, messages=ASK, tools=TOOLS, tool_choice="required",
                                    max_tokens=200, temperature=0)
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls", choice
    check_calls(choice.message.tool_calls)


def test_named_function(oai):
    r = oai.chat.completions.create(model=MODEL, messages=ASK, tools=TOOLS, max_tokens=200, temperature=0.7, seed=4,
                                    tool_choice={"type": "function", "function": {"name": "get_time"}})
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls", choice
    check_calls(choice.message.tool_calls)
    assert [c.function.name for c in choice.message.tool_calls] == ["get_time"]


def test_streamed_calls_equal_whole(oai):
    whole = oai.chat.completions.create(model=MODEL, messages=ASK, tools=TOOLS, tool_choice="required",
                                        max_tokens=200, temperature=0)
    stream = list(oai.chat.completions.create(model=MODEL, messages=ASK, tools=TOOLS, tool_choice="required",
                                              max_tokens=200, temperature=0, stream=True))
    calls: dict[int, dict] = {}
    finish = None
    for chunk in stream:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        finish = chunk.choices[0].finish_reason or finish
        for part in delta.tool_calls or []:
            if part.index not in calls:
                # The first chunk of a call carries its id, type and name.
                assert part.id and part.type == "function" and part.function.name, part
                calls[part.index] = {"id": part.id, "name": part.function.name, "arguments": part.function.arguments or ""}
            else:
                assert part.id is None and (part.function.name is None), part
                calls[part.index]["arguments"] += part.function.arguments or ""
    assert finish == "tool_calls"
    expected = whole.choices[0].message.tool_calls
    assert [(c["name"], json.loads(c["arguments"])) for c in calls.values()] == \
        [(c.function.name, json.loads(c.function.arguments)) for c in expected]
    assert sum(1 for c in stream if c.choices and c.choices[0].delta.tool_calls) > len(calls), \
        "arguments should arrive in several fragments"


def test_tool_result_round_trip(oai):
    first = oai.chat.completions.create(model=MODEL, messages=ASK, tools=TOOLS, tool_choice="required",
                                        max_tokens=200, temperature=0)
    call = first.choices[0].message.tool_calls[0]
    messages = ASK + [
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temperature": 21, "sky": "sunny"})},
    ]
    r = oai.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS, tool_choice="none",
                                    max_tokens=40, temperature=0)
    assert r.choices[0].message.tool_calls is None
    assert isinstance(r.choices[0].message.content, str) and r.choices[0].message.content


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_auto_is_content_or_valid_calls(oai, seed):
    r = oai.chat.completions.create(model=MODEL, messages=ASK, tools=TOOLS, max_tokens=200, seed=seed)
    choice = r.choices[0]
    if choice.message.tool_calls:
        assert choice.finish_reason == "tool_calls"
        check_calls(choice.message.tool_calls)
    else:
        assert isinstance(choice.message.content, str)


def test_none_never_calls(oai):
    r = oai.chat.completions.create(model=MODEL, messages=ASK, tools=TOOLS, tool_choice="none", max_tokens=30, temperature=0)
    assert r.choices[0].message.tool_calls is None and r.choices[0].finish_reason != "tool_calls"


def test_ollama_tools(oll):
    r = oll.chat(model=MODEL, messages=ASK, tools=TOOLS, options={"num_predict": 200, "temperature": 0})
    for call in r.message.tool_calls or []:
        assert call.function.name in SCHEMAS
        jsonschema.validate(dict(call.function.arguments), SCHEMAS[call.function.name])
    assert r.message.tool_calls or isinstance(r.message.content, str)


def test_ollama_streamed_tools_equal_whole(oll):
    options = {"num_predict": 200, "temperature": 0}
    whole = oll.chat(model=MODEL, messages=ASK, tools=TOOLS, options=options)
    calls, content = [], ""
    for part in oll.chat(model=MODEL, messages=ASK, tools=TOOLS, options=options, stream=True):
        content += part.message.content or ""
        calls += part.message.tool_calls or []
    # Each call arrives whole, once: the same calls and content as the answer in one piece.
    assert [(c.function.name, dict(c.function.arguments)) for c in calls] == \
        [(c.function.name, dict(c.function.arguments)) for c in whole.message.tool_calls or []]
    assert content == whole.message.content


@pytest.mark.parametrize("patch,param", [
    ({"tool_choice": {"type": "function", "function": {"name": "nope"}}}, "tool_choice"),
    ({"tool_choice": "sometimes"}, "tool_choice"),
    ({"tools": {"type": "function"}}, "tools"),
    ({"tools": [{"type": "function", "function": {"description": "no name"}}]}, "tools"),
    ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "dependentSchemas": {}}}}]}, "tools"),
    ({"tools": [], "tool_choice": "required"}, "tool_choice"),
    ({"parallel_tool_calls": "yes"}, "parallel_tool_calls"),
])
def test_bad_tools_are_400(base_url, patch, param):
    body = {"model": MODEL, "messages": ASK, "tools": TOOLS} | patch
    err = cc.assert_openai_error(cc.request(base_url, "POST", "/v1/chat/completions", body), 400)
    assert err["param"] == param, err
