"""A second server with an API key and small limits (--parallel 4 --max-queue 4
--max-body-bytes 1048576 --api-key): 401, 413, 503 + Retry-After, and SIGTERM."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import ollama
import openai
import pytest

import cria_compat as cc
from cria_compat import API_KEY, MODEL

AUTH = {"Authorization": f"Bearer {API_KEY}"}
MSGS = [{"role": "user", "content": "Hello"}]
MAX_BODY = 1048576


# MARK: - API key


def test_health_needs_no_key(keyed_server):
    r = cc.request(keyed_server.url, "GET", "/health")
    assert r.status == 200 and r.json() == {"status": "ok"}, r


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key"}, {"Authorization": API_KEY}],
                         ids=["missing", "wrong", "not-bearer"])
@pytest.mark.parametrize("method,path,body", [
    ("GET", "/v1/models", None),
    ("POST", "/v1/chat/completions", {"model": MODEL, "messages": MSGS, "max_tokens": 1}),
    ("POST", "/v1/embeddings", {"model": MODEL, "input": "Hi"}),
], ids=["models", "chat", "embeddings"])
def test_openai_routes_401(keyed_server, headers, method, path, body):
    r = cc.request(keyed_server.url, method, path, body, headers=headers)
    cc.assert_openai_error(r, 401, code="invalid_api_key")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key"}], ids=["missing", "wrong"])
@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/tags", None),
    ("POST", "/api/generate", {"model": MODEL, "prompt": "Hi", "options": {"num_predict": 1}}),
    ("POST", "/api/embed", {"model": MODEL, "input": "Hi"}),
], ids=["tags", "generate", "embed"])
def test_ollama_routes_401(keyed_server, headers, method, path, body):
    r = cc.request(keyed_server.url, method, path, body, headers=headers)
    cc.assert_ollama_error(r, 401)


def test_openai_client_key(keyed_server):
    with openai.OpenAI(base_url=keyed_server.url + "/v1", api_key="wrong-key", max_retries=0, timeout=60) as bad:
        with pytest.raises(openai.AuthenticationError) as e:
            bad.models.list()
        assert e.value.status_code == 401 and e.value.code == "invalid_api_key", e.value.body
        with pytest.raises(openai.AuthenticationError):
            bad.chat.completions.create(model=MODEL, messages=MSGS, max_tokens=1)
    with openai.OpenAI(base_url=keyed_server.url + "/v1", api_key=API_KEY, max_retries=0, timeout=60) as good:
        assert MODEL in [m.id for m in good.models.list().data]
        r = good.chat.completions.create(model=MODEL, messages=MSGS, max_tokens=2, temperature=0)
        assert r.choices[0].message.content is not None


def test_ollama_client_key(keyed_server):
    with ollama.Client(host=keyed_server.url, timeout=60) as bad:
        with pytest.raises(ollama.ResponseError) as e:
            bad.list()
        assert e.value.status_code == 401
    with ollama.Client(host=keyed_server.url, timeout=60, headers={"Authorization": "Bearer wrong-key"}) as bad:
        with pytest.raises(ollama.ResponseError) as e:
            bad.generate(model=MODEL, prompt="Hi", options={"num_predict": 1})
        assert e.value.status_code == 401
    with ollama.Client(host=keyed_server.url, timeout=60, headers=AUTH) as good:
        names = [m.model for m in good.list().models]
        assert MODEL in names or MODEL + ":latest" in names
        r = good.generate(model=MODEL, prompt="Hi", options={"num_predict": 2, "temperature": 0})
        assert r.done is True


# MARK: - Body size


def padded(body: dict, size: int) -> bytes:
    """`body` as JSON padded with whitespace (still valid JSON) to exactly `size` bytes."""
    raw = json.dumps(body).encode()
    assert len(raw) < size
    return raw[:-1] + b" " * (size - len(raw)) + b"}"


@pytest.mark.parametrize("path,body", [
    ("/v1/chat/completions", {"model": MODEL, "messages": MSGS, "max_tokens": 1}),
    ("/api/generate", {"model": MODEL, "prompt": "Hi", "options": {"num_predict": 1}, "stream": False}),
], ids=["openai", "ollama"])
def test_body_limit(keyed_server, path, body):
    under = cc.request_oversized(keyed_server.url, path, padded(body, MAX_BODY - 1024), headers=AUTH)
    assert under.status == 200, f"a body of {MAX_BODY - 1024} bytes (limit {MAX_BODY}): {under!r}"
    over = cc.request_oversized(keyed_server.url, path, padded(body, MAX_BODY + MAX_BODY // 2), headers=AUTH)
    if path.startswith("/v1/"):
        cc.assert_openai_error(over, 413)
    else:
        cc.assert_ollama_error(over, 413)


def test_chunked_body_over_limit_is_413(keyed_server):
    """A chunked body (no Content-Length) is cut off at the limit with 413, like a declared one."""
    host, port = keyed_server.url.removeprefix("http://").split(":")
    head = ["POST /v1/chat/completions HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
            "Transfer-Encoding: chunked", "Connection: close"] + [f"{k}: {v}" for k, v in AUTH.items()]
    body = padded({"model": MODEL, "messages": MSGS, "max_tokens": 1}, MAX_BODY + MAX_BODY // 2)
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        try:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            for i in range(0, len(body), 65536):
                piece = body[i:i + 65536]
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer should be waiting
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    cc.assert_openai_error(cc.parse_raw_response(data), 413)


def test_declared_length_over_limit_is_refused_before_the_body(keyed_server):
    """A Content-Length over --max-body-bytes gets 413 from the head alone: the client sends
    only a few bytes of a 100 GB body and still gets its answer."""
    host, port = keyed_server.url.removeprefix("http://").split(":")
    head = [f"POST /v1/chat/completions HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
            "Content-Length: 107374182400", "Connection: close"] + [f"{k}: {v}" for k, v in AUTH.items()]
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + b'{"messages"')
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    cc.assert_openai_error(cc.parse_raw_response(data), 413)


def test_body_shorter_than_declared_is_a_client_error(keyed_server):
    """A body that ends (the client shuts down writing) before its declared length is the
    client's error, not the server's: a 400, never a 500."""
    host, port = keyed_server.url.removeprefix("http://").split(":")
    body = b'{"messages": [{"role": "user", "content": "hi"}]}'
    head = [f"POST /v1/chat/completions HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
            f"Content-Length: {len(body) + 100}", "Connection: close"] + [f"{k}: {v}" for k, v in AUTH.items()]
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    if data:  # closing without an answer is acceptable too; a 5xx is not
        response = cc.parse_raw_response(data)
        assert response.status < 500, response


# MARK: - Queue full


class StreamHolder(threading.Thread):
    """Sends one long streaming completion and keeps the connection open (reading what comes)
    until cancelled; records the status and headers."""

    def __init__(self, url: str, body: bytes):
        super().__init__(daemon=True)
        host, port = url.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=120)
        self.body = body
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.payload = b""
        self.error: str | None = None
        self.answered = threading.Event()
        self.cancelled = threading.Event()

    def run(self):
        try:
            self.conn.request("POST", "/v1/completions", body=self.body,
                              headers={**AUTH, "Content-Type": "application/json"})
            r = self.conn.getresponse()
            self.status, self.headers = r.status, {k.lower(): v for k, v in r.getheaders()}
            self.answered.set()
            if r.status != 200:
                self.payload = r.read()
                return
            while not self.cancelled.is_set():
                if not r.read1(4096):
                    break
        except (OSError, http.client.HTTPException, ValueError, AttributeError) as e:
            if not self.cancelled.is_set():
                self.error = f"{type(e).__name__}: {e}"
        finally:
            self.answered.set()

    def cancel(self):
        self.cancelled.set()
        try:
            if self.conn.sock is not None:
                self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


def test_queue_full_503_then_recovers(keyed_server):
    # parallel 4 + queue 4 = 8 requests held at most: 12 long streams must see some 503s.
    [eos, bos, im_end] = [0, 1, 2]  # SmolLM2's special tokens, banned so that streams stay long
    body = json.dumps({"model": MODEL, "prompt": "Count from one to one thousand: one, two, three,",
                       "max_tokens": 2000, "temperature": 0.8, "seed": 3, "stream": True,
                       "logit_bias": {str(eos): -100, str(bos): -100, str(im_end): -100}}).encode()
    holders = [StreamHolder(keyed_server.url, body) for _ in range(12)]
    try:
        for h in holders:
            h.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(h.status == 503 for h in holders):
            time.sleep(0.1)
        time.sleep(0.5)  # let the other rejections arrive
        statuses = [h.status for h in holders]
        rejected = [h for h in holders if h.status == 503]
        assert rejected, f"no 503 from 12 concurrent long streams with --parallel 4 --max-queue 4: statuses {statuses}, " \
                         f"errors {[h.error for h in holders if h.error]}"
        assert all(s in (200, 503, None) for s in statuses), f"statuses {statuses}"
        assert len([s for s in statuses if s == 200]) >= 4, f"fewer than --parallel streams accepted: {statuses}"
        for h in rejected:
            retry_after = h.headers.get("retry-after")
            assert retry_after is not None and retry_after.strip().isdigit() and int(retry_after) >= 1, \
                f"503 without a Retry-After of whole seconds: {h.headers}"
            cc.assert_openai_error(cc.Response(h.status, h.headers, h.payload), 503)
    finally:
        for h in holders:
            h.cancel()
        for h in holders:
            h.join(10)
    # Cancelling (closing) the streams must free their slots: a new request is served promptly.
    deadline = time.monotonic() + 30
    while True:
        try:
            r = cc.request(keyed_server.url, "POST", "/v1/completions",
                           {"model": MODEL, "prompt": "Hi", "max_tokens": 1}, headers=AUTH, timeout=30)
        except TimeoutError:
            pytest.fail("after the streams were closed, a 1-token completion got no answer within 30 s "
                        "(are closed streams still generating?)")
        if r.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert r.status == 200, f"30 s after the streams were closed the server still answers {r!r}"
    metrics = cc.request(keyed_server.url, "GET", "/metrics", headers=AUTH)
    assert metrics.status == 200, metrics


def test_sigterm_exits_within_10s(keyed_server):
    """Runs last in this module: the server, just used by cancelled streams, stops on SIGTERM."""
    problem = keyed_server.stop()
    assert problem is None, problem + "\n" + cc.log_tail(keyed_server.log_path)

