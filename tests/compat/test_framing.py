"""Stream framing as plain `curl -sN` sees it: SSE on the OpenAI routes (`data: {json}` + blank
line per event, `data: [DONE]` last), NDJSON on the Ollama routes (one object per line, the last
with done true)."""

from __future__ import annotations

import json
import subprocess

import pytest

from cria_compat import MODEL, parse_ndjson, parse_sse


def curl(url: str, body: dict) -> tuple[dict[str, str], bytes]:
    """POSTs `body` with curl -sN; returns (lower-cased headers of the final response, body)."""
    out = subprocess.run(["curl", "-sN", "--noproxy", "*", "--max-time", "120", "-D", "-", "-X", "POST",
                          "-H", "Content-Type: application/json", "--data-binary", json.dumps(body), url],
                         capture_output=True, timeout=150)
    assert out.returncode == 0, f"curl exited {out.returncode}: {out.stderr.decode(errors='replace')}"
    head, sep, payload = out.stdout.partition(b"\r\n\r\n")
    assert sep, f"no header block in curl output: {out.stdout[:300]!r}"
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].split()[1] == "200", f"status line {lines[0]!r}; body {payload[:300]!r}"
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return headers, payload


@pytest.mark.parametrize("path,body", [
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": "Say hello."}]}),
    ("/v1/completions", {"prompt": "Once upon a time"}),
], ids=["chat", "completions"])
def test_sse_framing(base_url, path, body):
    headers, raw = curl(base_url + path, {"model": MODEL, "max_tokens": 8, "temperature": 0, "stream": True,
                                          "stream_options": {"include_usage": True}, **body})
    assert headers.get("content-type", "").startswith("text/event-stream"), headers
    events = parse_sse(raw)
    assert len(events) >= 3, events
    assert events[-1] == "[DONE]", f"last event {events[-1]!r}"
    assert "[DONE]" not in events[:-1]
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(isinstance(c, dict) and c.get("id") == chunks[0]["id"] for c in chunks), chunks
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] > 0, chunks[-1]
    assert chunks[-2]["choices"][0]["finish_reason"] in ("stop", "length"), chunks[-2]


@pytest.mark.parametrize("path,body,field", [
    ("/api/generate", {"prompt": "Once upon a time"}, "response"),
    ("/api/chat", {"messages": [{"role": "user", "content": "Say hello."}]}, "message"),
], ids=["generate", "chat"])
def test_ndjson_framing(base_url, path, body, field):
    headers, raw = curl(base_url + path, {"model": MODEL, "options": {"num_predict": 8, "temperature": 0}, **body})
    assert "ndjson" in headers.get("content-type", ""), f"content-type {headers.get('content-type')!r}"
    objs = parse_ndjson(raw)
    assert len(objs) >= 2, objs
    assert all(o.get("done") is False for o in objs[:-1]), objs
    assert objs[-1].get("done") is True, objs[-1]
    for key in ("done_reason", "total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration",
                "eval_count", "eval_duration"):
        assert key in objs[-1], f"final object lacks {key!r}: {objs[-1]}"
    assert all(field in o for o in objs[:-1]), objs


@pytest.mark.parametrize("path,body", [
    ("/api/generate", {"prompt": "Once upon a time"}),
    ("/api/chat", {"messages": [{"role": "user", "content": "Say hello."}]}),
], ids=["generate", "chat"])
def test_ollama_stream_false_is_one_object(base_url, path, body):
    headers, raw = curl(base_url + path, {"model": MODEL, "stream": False,
                                          "options": {"num_predict": 4, "temperature": 0}, **body})
    assert headers.get("content-type", "").startswith("application/json"), headers
    obj = json.loads(raw)
    assert obj["done"] is True and obj["done_reason"] in ("stop", "length"), obj


def test_openai_non_stream_is_json(base_url):
    headers, raw = curl(base_url + "/v1/chat/completions",
                        {"model": MODEL, "max_tokens": 2, "messages": [{"role": "user", "content": "Hi"}]})
    assert headers.get("content-type", "").startswith("application/json"), headers
    assert json.loads(raw)["object"] == "chat.completion"
