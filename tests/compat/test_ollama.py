"""Ollama routes through the real `ollama` client: generate and chat (streamed and not, the final
object's fields, options), tags, ps, show, version."""

from __future__ import annotations

import re

import pytest

import cria_compat as cc
from cria_compat import MODEL

PROMPT = "Why is the sky blue?"
CHAT = [{"role": "user", "content": "Write one sentence about mountains."}]
GREEDY = {"temperature": 0, "num_predict": 16}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def check_final(r, *, max_eval: int | None = None):
    """The final object of a generate/chat: done, done_reason and the counters and durations."""
    assert r.done is True, r
    assert r.done_reason in ("stop", "length"), f"done_reason {r.done_reason!r}"
    assert r.model in (MODEL, MODEL + ":latest"), r.model
    assert isinstance(r.created_at, str) and RFC3339.match(r.created_at), f"created_at {r.created_at!r}"
    for name in ("total_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"):
        value = getattr(r, name)
        assert isinstance(value, int) and value > 0, f"{name} = {value!r}, expected an int > 0"
    assert isinstance(r.load_duration, int) and r.load_duration >= 0, f"load_duration = {r.load_duration!r}"
    assert r.total_duration >= r.eval_duration and r.total_duration >= r.prompt_eval_duration, r
    if max_eval is not None:
        assert r.eval_count <= max_eval, r.eval_count
        if r.done_reason == "length":
            assert r.eval_count == max_eval


@pytest.fixture(scope="module")
def generate_ref(oll):
    return oll.generate(model=MODEL, prompt=PROMPT, options=GREEDY)


@pytest.fixture(scope="module")
def chat_ref(oll):
    return oll.chat(model=MODEL, messages=CHAT, options=GREEDY)


# MARK: - generate


def test_generate(generate_ref):
    r = generate_ref
    assert isinstance(r.response, str) and r.response.strip()
    check_final(r, max_eval=16)


def test_generate_stream_matches_non_stream(oll, generate_ref):
    parts = list(oll.generate(model=MODEL, prompt=PROMPT, options=GREEDY, stream=True))
    assert len(parts) >= 2
    for p in parts[:-1]:
        assert p.done is False, p
    check_final(parts[-1], max_eval=16)
    assert "".join(p.response or "" for p in parts) == generate_ref.response
    assert parts[-1].done_reason == generate_ref.done_reason
    assert parts[-1].eval_count == generate_ref.eval_count
    assert parts[-1].prompt_eval_count == generate_ref.prompt_eval_count


def test_generate_num_predict_length(oll):
    r = oll.generate(model=MODEL, prompt="Tell me a long story about a dragon.", options={"num_predict": 5, "temperature": 0})
    assert r.done_reason == "length"
    assert r.eval_count == 5


def test_generate_stop(oll, generate_ref):
    text = generate_ref.response
    stop = cc.pick_stop_word(text)
    r = oll.generate(model=MODEL, prompt=PROMPT, options={**GREEDY, "stop": [stop]})
    assert r.response == text[:text.find(stop)], f"stop={stop!r}, reference {text!r}"
    assert r.done_reason == "stop"


def test_generate_seed_reproducible(oll):
    opts = {"temperature": 0.9, "seed": 42, "num_predict": 8}
    a = oll.generate(model=MODEL, prompt="Invent a name for a new planet:", options=opts).response
    b = oll.generate(model=MODEL, prompt="Invent a name for a new planet:", options=opts).response
    assert a == b


def test_generate_latest_suffix_and_options_accepted(oll):
    r = oll.generate(model=MODEL + ":latest", prompt=PROMPT, keep_alive="5m",
                     options={"num_predict": 3, "temperature": 0.5, "top_k": 40, "top_p": 0.9, "min_p": 0.05,
                              "seed": 1, "num_ctx": 2048, "repeat_penalty": 1.1, "repeat_last_n": 64,
                              "presence_penalty": 0.1, "frequency_penalty": 0.1})
    check_final(r, max_eval=3)


def test_generate_system(oll):
    r = oll.generate(model=MODEL, prompt="Hi", system="You answer in one word.", options={"num_predict": 4, "temperature": 0})
    check_final(r, max_eval=4)


# MARK: - chat


def test_chat(chat_ref):
    r = chat_ref
    assert r.message.role == "assistant"
    assert isinstance(r.message.content, str) and r.message.content.strip()
    check_final(r, max_eval=16)


def test_chat_stream_matches_non_stream(oll, chat_ref):
    parts = list(oll.chat(model=MODEL, messages=CHAT, options=GREEDY, stream=True))
    assert len(parts) >= 2
    for p in parts[:-1]:
        assert p.done is False and p.message.role == "assistant", p
    check_final(parts[-1], max_eval=16)
    assert "".join(p.message.content or "" for p in parts) == chat_ref.message.content
    assert parts[-1].done_reason == chat_ref.done_reason


def test_chat_stop_and_num_predict(oll, chat_ref):
    text = chat_ref.message.content
    stop = cc.pick_stop_word(text)
    r = oll.chat(model=MODEL, messages=CHAT, options={**GREEDY, "stop": [stop]})
    assert r.message.content == text[:text.find(stop)], f"stop={stop!r}, reference {text!r}"
    assert r.done_reason == "stop"
    r = oll.chat(model=MODEL, messages=CHAT, options={"temperature": 0, "num_predict": 3})
    assert r.done_reason == "length" and r.eval_count == 3


def test_chat_seed_reproducible(oll):
    opts = {"temperature": 0.9, "seed": 7, "num_predict": 8}
    msgs = [{"role": "user", "content": "Invent a name for a new planet."}]
    assert oll.chat(model=MODEL, messages=msgs, options=opts).message.content == \
        oll.chat(model=MODEL, messages=msgs, options=opts).message.content


def test_chat_greedy_matches_openai(oll, oai):
    """The same conversation, greedy, gives the same text on both APIs."""
    # Penalties pinned off on both sides, in case the Ollama routes default to Ollama's (1.1).
    a = oll.chat(model=MODEL, messages=CHAT, options={"temperature": 0, "num_predict": 8, "repeat_penalty": 1.0,
                                                      "presence_penalty": 0, "frequency_penalty": 0}).message.content
    b = oai.chat.completions.create(model=MODEL, messages=CHAT, temperature=0, max_tokens=8, presence_penalty=0,
                                    frequency_penalty=0, extra_body={"repeat_penalty": 1.0}).choices[0].message.content
    assert a == b


# MARK: - models


def test_tags(oll):
    r = oll.list()
    names = [m.model for m in r.models]
    assert MODEL in names or MODEL + ":latest" in names, names
    m = next(m for m in r.models if m.model in (MODEL, MODEL + ":latest"))
    assert m.size is None or m.size > 0
    assert m.modified_at is not None


def test_ps(oll):
    r = oll.ps()
    names = [m.model for m in r.models]
    assert MODEL in names or MODEL + ":latest" in names, names


@pytest.mark.parametrize("name", [MODEL, MODEL + ":latest"])
def test_show(oll, name):
    r = oll.show(name)  # the client requires "model_info" in the answer
    assert r.details is not None, r
    assert r.modelinfo is None or isinstance(r.modelinfo, dict)
    if r.modelinfo and "general.architecture" in r.modelinfo:
        assert r.modelinfo["general.architecture"] == "llama"


def test_version(base_url):
    r = cc.request(base_url, "GET", "/api/version")
    assert r.status == 200, r
    body = r.json()
    assert isinstance(body.get("version"), str) and body["version"], body
