"""Fixtures of the `cria serve` compatibility suite.

`server`: one `cria serve` on the default model (alias smollm2, a free loopback port) for the
whole session; `keyed_server`: a second one with an API key and small limits
(--parallel 4 --max-queue 4 --max-body-bytes 1048576 --api-key), for the tests of
test_keyed_server.py. Both are stopped with SIGTERM and must exit within 10 s.

Environment: CRIA (binary, default .build/release/cria of this checkout), CRIA_MODELS (model
directory, default ~/.cache/cria/models), CRIA_COMPAT_THREADS (--threads, default 2).
"""

from __future__ import annotations

import os
import shutil

import ollama
import openai
import pytest

import cria_compat as cc

THREADS = os.environ.get("CRIA_COMPAT_THREADS", "2")

_servers: list[cc.Server] = []

# Proxies must not see loopback traffic (httpx and curl honour *_proxy variables), the clients
# must not pick up a host or key from the environment, nor the server a key (CRIA_API_KEY).
for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID",
            "OLLAMA_HOST", "OLLAMA_API_KEY", "CRIA_API_KEY"):
    os.environ.pop(var, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def pytest_configure(config):
    missing = []
    if not cc.cria_binary().is_file():
        missing.append(f"cria binary {cc.cria_binary()} (build it: swift build -c release --product cria, or set CRIA)")
    if not cc.model_path().is_file():
        missing.append(f"model {cc.model_path()} (scripts/install-model.sh)")
    if not shutil.which("curl"):
        missing.append("curl")
    if missing:
        pytest.exit("compat suite: missing " + "; ".join(missing), returncode=2)


def _start(tmp_path_factory, name: str, args: list[str]) -> cc.Server:
    log = tmp_path_factory.mktemp("logs") / f"{name}.log"
    srv = cc.Server(args=args, log_path=log, name=name)
    _servers.append(srv)
    srv.start()
    return srv


def _stop(srv: cc.Server) -> None:
    problem = srv.stop()
    if problem:
        pytest.fail(problem + f"\n--- {srv.log_path} (tail) ---\n{cc.log_tail(srv.log_path)}", pytrace=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = _start(tmp_path_factory, "server", ["--parallel", "4", "--threads", THREADS])
    yield srv
    _stop(srv)


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory):
    srv = _start(tmp_path_factory, "keyed-server",
                 ["--parallel", "4", "--threads", THREADS, "--max-queue", "4",
                  "--max-body-bytes", "1048576", "--api-key", cc.API_KEY])
    yield srv
    _stop(srv)


@pytest.fixture(scope="session")
def base_url(server) -> str:
    return server.url


@pytest.fixture(scope="session")
def oai(server):
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused-no-key-set", max_retries=0, timeout=120)
    yield client
    client.close()


@pytest.fixture(scope="session")
def oll(server):
    client = ollama.Client(host=server.url, timeout=120)
    yield client
    client.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if exitstatus == 0:
        for srv in _servers:
            terminalreporter.write_line(f"{srv.name}: healthy {srv.started_s:.1f} s after start; {srv.exit_info}")
        return
    for srv in _servers:
        terminalreporter.section(f"{srv.name} log (tail): {srv.log_path}")
        terminalreporter.write_line(cc.log_tail(srv.log_path, 60))
