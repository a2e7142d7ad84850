"""Helpers of the `cria serve` compatibility suite: starting and stopping a server, raw HTTP
(stdlib http.client, so that what is checked is exactly what the server sent), SSE and NDJSON
parsing, error-shape checks and small vector maths."""

from __future__ import annotations

import base64
import http.client
import json
import math
import os
import re
import signal
import socket
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL = "smollm2"  # the --alias every test server gets
API_KEY = "cria-compat-key-9f3a"  # the keyed server's --api-key
HEALTH_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 10.0


def cria_binary() -> Path:
    return Path(os.environ.get("CRIA") or REPO / ".build/release/cria")


def model_path() -> Path:
    models = os.environ.get("CRIA_MODELS") or Path.home() / ".cache/cria/models"
    return Path(models) / MODEL_FILE


def token_ids(text: str) -> list[int]:
    """The model's token ids of `text` (no BOS), from `cria tokenize`."""
    out = subprocess.run([str(cria_binary()), "tokenize", "--model", str(model_path()), "--no-bos", text],
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


# MARK: - Raw HTTP


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"HTTP {self.status} body is not JSON ({e}): {self.body[:300]!r}") from None

    def __repr__(self) -> str:
        return f"<HTTP {self.status} {self.headers.get('content-type')} {self.body[:300]!r}>"


def request(base: str, method: str, path: str, body=None, headers: dict | None = None,
            timeout: float = 120.0) -> Response:
    """One request on a fresh connection. `body` is bytes, str, or any JSON value."""
    host, port = base.removeprefix("http://").split(":")
    hdrs = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    if body is not None:
        hdrs.setdefault("Content-Type", "application/json")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


def request_oversized(base: str, path: str, body: bytes, headers: dict | None = None,
                      timeout: float = 60.0) -> Response:
    """POSTs a large body over a raw socket, tolerating a server that answers (413) and closes
    before the whole body is sent: the response is read whatever happened to the upload."""
    host, port = base.removeprefix("http://").split(":")
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
            f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    try:
        try:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            view = memoryview(body)
            for i in range(0, len(body), 65536):
                sock.sendall(view[i:i + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer should be waiting
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            if not data:
                raise AssertionError("the server reset the connection without an HTTP response") from None
    finally:
        sock.close()
    return parse_raw_response(data)


def parse_raw_response(data: bytes) -> Response:
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        raise AssertionError(f"no complete HTTP response head in {data[:200]!r}")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body, pos = b"", 0
        while True:
            end = rest.index(b"\r\n", pos)
            size = int(rest[pos:end].split(b";")[0], 16)
            if size == 0:
                break
            body += rest[end + 2:end + 2 + size]
            pos = end + 2 + size + 2
        rest = body
    elif "content-length" in headers:
        rest = rest[:int(headers["content-length"])]
    return Response(status, headers, rest)


# MARK: - Error shapes


def assert_openai_error(r: Response, status: int, *, code: str | None = None,
                        type_: str | None = None) -> dict:
    """`status` + {"error": {"message", "type", "param", "code"}}; returns the error object."""
    assert r.status == status, f"expected HTTP {status}, got {r!r}"
    body = r.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), \
        f"expected {{'error': {{...}}}} (OpenAI shape), got {body!r}"
    err = body["error"]
    for key in ("message", "type", "param", "code"):
        assert key in err, f"error object lacks {key!r}: {err!r}"
    assert isinstance(err["message"], str) and err["message"], f"empty error message: {err!r}"
    assert isinstance(err["type"], str) and err["type"], f"error type not a string: {err!r}"
    if code is not None:
        assert err["code"] == code, f"expected code {code!r}, got {err!r}"
    if type_ is not None:
        assert err["type"] == type_, f"expected type {type_!r}, got {err!r}"
    return err


def assert_ollama_error(r: Response, status: int) -> str:
    """`status` + {"error": "message"}; returns the message."""
    assert r.status == status, f"expected HTTP {status}, got {r!r}"
    body = r.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], \
        f"expected {{'error': 'message'}} (Ollama shape), got {body!r}"
    return body["error"]


# MARK: - Streams


def parse_sse(raw: bytes) -> list[str]:
    """The data of each SSE event, checking the framing `data: ...\\n\\n` strictly (comment lines
    starting with ':' are allowed and skipped). The last one should be "[DONE]"."""
    text = raw.decode("utf-8")
    assert text.endswith("\n\n"), f"SSE stream does not end with a blank line: {text[-200:]!r}"
    events = []
    for block in text[:-2].split("\n\n"):
        lines = [line for line in block.split("\n") if not line.startswith(":")]
        if not lines:
            continue
        assert len(lines) == 1 and lines[0].startswith("data: "), \
            f"SSE event is not one 'data: ' line: {block!r}"
        events.append(lines[0][len("data: "):])
    return events


def parse_ndjson(raw: bytes) -> list[dict]:
    text = raw.decode("utf-8")
    assert text.endswith("\n"), f"NDJSON stream does not end with a newline: {text[-200:]!r}"
    objs = []
    for line in text[:-1].split("\n"):
        try:
            obj = json.loads(line)
        except ValueError:
            raise AssertionError(f"NDJSON line is not one JSON value: {line!r}") from None
        assert isinstance(obj, dict), f"NDJSON line is not an object: {line!r}"
        objs.append(obj)
    return objs


# MARK: - Vectors


def norm(v) -> float:
    return math.sqrt(sum(x * x for x in v))


def cosine(a, b) -> float:
    assert len(a) == len(b), f"dimensions differ: {len(a)} vs {len(b)}"
    return sum(x * y for x, y in zip(a, b)) / (norm(a) * norm(b))


def decode_base64_floats(s: str) -> list[float]:
    raw = base64.b64decode(s)
    assert len(raw) % 4 == 0, f"base64 embedding is {len(raw)} bytes, not a multiple of 4"
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


def pick_stop_word(text: str) -> str:
    """A word (3+ letters) from the second half of `text`, to use as a stop sequence; the output
    with it as stop is then text[:text.find(word)]."""
    words = [m for m in re.finditer(r"[A-Za-z]{3,}", text)]
    later = [m for m in words if m.start() >= len(text) // 3] or words
    assert later, f"no word to use as a stop sequence in {text!r}"
    return later[0].group()


# MARK: - Server


@dataclass
class Server:
    args: list[str]
    log_path: Path
    name: str = "cria serve"
    port: int = 0
    proc: subprocess.Popen | None = None
    exit_info: str | None = None
    started_s: float = field(default=0.0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [str(cria_binary()), "serve", "--model", str(model_path()), "--alias", MODEL,
                "--host", "127.0.0.1", "--port", str(self.port), *self.args]

    def start(self) -> None:
        for attempt in range(3):
            self.port = free_port()
            with open(self.log_path, "ab") as log:
                log.write(f"$ {' '.join(self.command())}\n".encode())
                log.flush()
                t0 = time.monotonic()
                self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL)
            failure = self._wait_healthy()
            if failure is None:
                self.started_s = time.monotonic() - t0
                return
            in_use = re.search(r"in use|EADDRINUSE|bind", log_tail(self.log_path), re.I)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if not in_use or attempt == 2:
                raise RuntimeError(f"{self.name} did not become healthy: {failure}\n"
                                   f"--- {self.log_path} (tail) ---\n{log_tail(self.log_path)}")

    def _wait_healthy(self) -> str | None:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return f"exited with status {self.proc.returncode} before GET /health answered 200"
            try:
                r = request(self.url, "GET", "/health", timeout=5)
                if r.status == 200:
                    assert r.json() == {"status": "ok"}, f"GET /health 200 body: {r.body!r}"
                    return None
                last = repr(r)
            except (OSError, http.client.HTTPException) as e:
                last = f"{type(e).__name__}: {e}"
            time.sleep(0.2)
        return f"GET /health not 200 within {HEALTH_TIMEOUT_S:.0f} s (last: {last})"

    def stop(self) -> str | None:
        """SIGTERM, then waits up to 10 s. Returns None if it exited in time, else what went wrong
        (the process is then killed). Idempotent."""
        if self.proc is None or self.exit_info is not None:
            return None
        if self.proc.poll() is not None:
            self.exit_info = f"had already exited with status {self.proc.returncode}"
            return f"{self.name} {self.exit_info} before SIGTERM"
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.exit_info = "killed"
            return f"{self.name} did not exit within {STOP_TIMEOUT_S:.0f} s of SIGTERM (killed)"
        self.exit_info = f"exited with status {self.proc.returncode} {time.monotonic() - t0:.2f} s after SIGTERM"
        with open(self.log_path, "ab") as log:
            log.write(f"[compat suite] {self.exit_info}\n".encode())
        return None
