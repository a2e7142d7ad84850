"""Error paths of the server without an API key: status codes and body shapes, seen both raw
(http.client) and through the real clients."""

from __future__ import annotations

import re

import ollama
import openai
import pytest

import cria_compat as cc
from cria_compat import MODEL

MSGS = [{"role": "user", "content": "Hello"}]
LONG_PROMPT = " ".join(["word"] * 10_000)  # at least 10,000 tokens: over any default context
UNKNOWN = "no-such-model"


# MARK: - Malformed JSON, wrong types, bad values


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"])
def test_openai_malformed_json(base_url, path):
    r = cc.request(base_url, "POST", path, b'{"model": "smollm2", "messages": [')
    cc.assert_openai_error(r, 400, type_="invalid_request_error")


@pytest.mark.parametrize("path", ["/api/generate", "/api/chat", "/api/embed", "/api/embeddings", "/api/show"])
def test_ollama_malformed_json(base_url, path):
    r = cc.request(base_url, "POST", path, b'{"model": "smollm2", "prompt": ')
    cc.assert_ollama_error(r, 400)


@pytest.mark.parametrize("path,body", [
    pytest.param("/v1/chat/completions", [1, 2], id="body-array"),
    pytest.param("/v1/chat/completions", {"model": MODEL, "messages": "Hello"}, id="messages-string"),
    pytest.param("/v1/chat/completions", {"model": MODEL}, id="messages-missing"),
    pytest.param("/v1/chat/completions", {"model": MODEL, "messages": MSGS, "max_tokens": "ten"}, id="max_tokens-string"),
    pytest.param("/v1/chat/completions", {"model": MODEL, "messages": MSGS, "temperature": "hot", "max_tokens": 1}, id="temperature-string"),
    pytest.param("/v1/chat/completions", {"model": MODEL, "messages": MSGS, "stop": 5, "max_tokens": 1}, id="stop-number"),
    pytest.param("/v1/chat/completions", {"model": MODEL, "messages": MSGS, "stream": "yes", "max_tokens": 1}, id="stream-string"),
    pytest.param("/v1/chat/completions", {"model": 7, "messages": MSGS, "max_tokens": 1}, id="model-number"),
    pytest.param("/v1/chat/completions", {"model": MODEL, "messages": MSGS, "n": 9, "max_tokens": 1}, id="n-9"),
    pytest.param("/v1/chat/completions", {"model": MODEL, "messages": MSGS, "n": 0, "max_tokens": 1}, id="n-0"),
    pytest.param("/v1/chat/completions", {"model": MODEL, "messages": MSGS, "logprobs": True, "top_logprobs": 21, "max_tokens": 1}, id="top_logprobs-21"),
    pytest.param("/v1/completions", {"model": MODEL, "prompt": 42, "max_tokens": 1}, id="prompt-number"),
    pytest.param("/v1/completions", {"model": MODEL, "prompt": "Hi", "logprobs": 6, "max_tokens": 1}, id="logprobs-6"),
    pytest.param("/v1/completions", {"model": MODEL, "prompt": "Hi", "max_tokens": -3}, id="max_tokens-negative"),
    pytest.param("/v1/embeddings", {"model": MODEL, "input": {"text": "Hi"}}, id="input-object"),
    pytest.param("/v1/embeddings", {"model": MODEL, "input": "Hi", "encoding_format": "bogus"}, id="encoding_format-bogus"),
])
def test_openai_bad_request(base_url, path, body):
    r = cc.request(base_url, "POST", path, body)
    cc.assert_openai_error(r, 400, type_="invalid_request_error")


@pytest.mark.parametrize("path,body", [
    pytest.param("/api/generate", {"model": MODEL, "prompt": 5, "options": {"num_predict": 1}}, id="generate-prompt-number"),
    pytest.param("/api/generate", {"model": MODEL, "prompt": "Hi", "options": {"num_predict": "x"}}, id="generate-num_predict-string"),
    pytest.param("/api/generate", {"model": MODEL, "prompt": "Hi", "options": "fast"}, id="generate-options-string"),
    pytest.param("/api/chat", {"model": MODEL, "messages": "Hi", "options": {"num_predict": 1}}, id="chat-messages-string"),
    pytest.param("/api/embed", {"model": MODEL, "input": 5}, id="embed-input-number"),
])
def test_ollama_bad_request(base_url, path, body):
    r = cc.request(base_url, "POST", path, body)
    cc.assert_ollama_error(r, 400)


def test_openai_client_bad_request(oai):
    with pytest.raises(openai.BadRequestError) as e:
        oai.chat.completions.create(model=MODEL, messages=MSGS, max_tokens="ten")  # type: ignore[arg-type]
    assert e.value.status_code == 400 and e.value.type == "invalid_request_error", e.value.body


def test_ollama_client_bad_request(oll):
    with pytest.raises(ollama.ResponseError) as e:
        oll.generate(model=MODEL, prompt="Hi", options={"temperature": "hot", "num_predict": 1})
    assert e.value.status_code == 400 and isinstance(e.value.error, str) and e.value.error


# MARK: - Unknown model


def test_openai_unknown_model_raw(base_url):
    r = cc.request(base_url, "POST", "/v1/chat/completions", {"model": UNKNOWN, "messages": MSGS})
    cc.assert_openai_error(r, 404, code="model_not_found")


@pytest.mark.parametrize("call", ["chat", "chat-stream", "completions", "embeddings"])
def test_openai_client_unknown_model(oai, call):
    with pytest.raises(openai.NotFoundError) as e:
        if call == "chat":
            oai.chat.completions.create(model=UNKNOWN, messages=MSGS, max_tokens=2)
        elif call == "chat-stream":
            list(oai.chat.completions.create(model=UNKNOWN, messages=MSGS, max_tokens=2, stream=True))
        elif call == "completions":
            oai.completions.create(model=UNKNOWN, prompt="Hi", max_tokens=2)
        else:
            oai.embeddings.create(model=UNKNOWN, input="Hi")
    assert e.value.status_code == 404 and e.value.code == "model_not_found", e.value.body


@pytest.mark.parametrize("call", ["generate", "generate-stream", "chat", "chat-stream", "embed", "embeddings", "show"])
def test_ollama_client_unknown_model(oll, call):
    with pytest.raises(ollama.ResponseError) as e:
        if call == "generate":
            oll.generate(model=UNKNOWN, prompt="Hi")
        elif call == "generate-stream":
            list(oll.generate(model=UNKNOWN, prompt="Hi", stream=True))
        elif call == "chat":
            oll.chat(model=UNKNOWN, messages=MSGS)
        elif call == "chat-stream":
            list(oll.chat(model=UNKNOWN, messages=MSGS, stream=True))
        elif call == "embed":
            oll.embed(model=UNKNOWN, input="Hi")
        elif call == "embeddings":
            oll.embeddings(model=UNKNOWN, prompt="Hi")
        else:
            oll.show(UNKNOWN)
    assert e.value.status_code == 404, f"{e.value!r} status {e.value.status_code}"
    assert isinstance(e.value.error, str) and e.value.error


def test_ollama_unknown_model_raw(base_url):
    r = cc.request(base_url, "POST", "/api/generate", {"model": UNKNOWN, "prompt": "Hi"})
    cc.assert_ollama_error(r, 404)


# MARK: - Context overflow


def _check_sizes_named(message: str):
    numbers = [int(n) for n in re.findall(r"\d+", message.replace(",", ""))]
    assert any(n >= 10_000 for n in numbers) and any(0 < n < 10_000 for n in numbers), \
        f"the message should name the prompt's size (>= 10000 tokens) and the context's: {message!r}"


def test_openai_context_overflow_raw(base_url):
    r = cc.request(base_url, "POST", "/v1/chat/completions",
                   {"model": MODEL, "messages": [{"role": "user", "content": LONG_PROMPT}], "max_tokens": 2})
    err = cc.assert_openai_error(r, 400, code="context_length_exceeded", type_="invalid_request_error")
    _check_sizes_named(err["message"])


@pytest.mark.parametrize("call", ["chat", "chat-stream", "completions"])
def test_openai_client_context_overflow(oai, call):
    with pytest.raises(openai.BadRequestError) as e:
        if call == "chat":
            oai.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": LONG_PROMPT}], max_tokens=2)
        elif call == "chat-stream":
            list(oai.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": LONG_PROMPT}],
                                             max_tokens=2, stream=True))
        else:
            oai.completions.create(model=MODEL, prompt=LONG_PROMPT, max_tokens=2)
    assert e.value.code == "context_length_exceeded", e.value.body


@pytest.mark.parametrize("call", ["generate", "chat-stream"])
def test_ollama_context_overflow(oll, base_url, call):
    with pytest.raises(ollama.ResponseError) as e:
        if call == "generate":
            oll.generate(model=MODEL, prompt=LONG_PROMPT, options={"num_predict": 2})
        else:
            list(oll.chat(model=MODEL, messages=[{"role": "user", "content": LONG_PROMPT}],
                          options={"num_predict": 2}, stream=True))
    assert e.value.status_code == 400, f"{e.value!r} status {e.value.status_code}"


# MARK: - Routes


@pytest.mark.parametrize("method,path", [("GET", "/v1/nope"), ("POST", "/v1/nope"), ("GET", "/nope"),
                                         ("POST", "/api/nope"), ("GET", "/v1/models/no-such-model")])
def test_unknown_route_or_model_404(base_url, method, path):
    """Unknown paths get 404 in the shape of the API they fall under: Ollama's under /api/."""
    r = cc.request(base_url, method, path, {} if method == "POST" else None)
    if path.startswith("/api/"):
        cc.assert_ollama_error(r, 404)
    else:
        cc.assert_openai_error(r, 404)


def test_health(base_url):
    r = cc.request(base_url, "GET", "/health")
    assert r.status == 200 and r.json() == {"status": "ok"}, r


def test_metrics(base_url):
    r = cc.request(base_url, "GET", "/metrics")
    assert r.status == 200, r
    assert r.headers.get("content-type", "").startswith("text/plain"), r.headers
    text = r.body.decode()
    samples = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert samples, f"no samples in /metrics: {text[:300]!r}"
    for line in samples:
        assert re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+( \d+)?$", line), f"not Prometheus text: {line!r}"
