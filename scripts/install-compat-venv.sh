#!/usr/bin/env bash
# Installs the Python environment of the `cria serve` compatibility suite (tests/compat, run by
# scripts/compat-serve): a virtual environment at $CRIA_COMPAT_VENV (else
# ~/.cache/cria/compat-venv) holding the real OpenAI and Ollama client libraries and pytest, at
# pinned versions, with their dependencies pinned too (the versions pip resolved for these pins),
# so that a new release of a dependency cannot change what the suite tests.
# Skipped when the environment already has exactly these versions; otherwise the missing or
# different packages are installed from PyPI (or $PIP_INDEX_URL) into it, creating it if needed.
# $PYTHON picks the interpreter (default python3; the openai client needs Python >= 3.10).
set -euo pipefail

venv="${CRIA_COMPAT_VENV:-$HOME/.cache/cria/compat-venv}"
python="${PYTHON:-python3}"

# The clients under test and the test runner, then their dependencies.
requirements="
openai==3.57.0
ollama==0.6.3
pytest==9.2.0
jsonschema==4.26.0

annotated-types==0.8.0
anyio==4.16.0
attrs==26.1.0
certifi==2026.10.19.post1
h11==0.16.0
httpcore==1.0.9
httpcore2==2.16.2
httpx==0.28.1
httpx2==2.16.2
idna==3.20
iniconfig==2.3.1
jiter==0.19.0
jsonschema-specifications==2025.9.1
packaging==26.4
pluggy==1.7.0
pydantic==2.14.4
pydantic_core==2.50.5
Pygments==2.21.0
referencing==0.37.0
rpds-py==0.30.0
sniffio==1.3.1
truststore==0.10.5
typing-inspection==0.4.5
typing_extensions==4.16.0
"

# Prints the requirements (stdin) that the environment's interpreter ($1) does not have at
# exactly the pinned version; prints them all if there is no working interpreter.
stale() {
    local req
    req=$(cat)
    if [ -x "$1" ] && "$1" - "$req" <<'PY' 2>/dev/null; then :; else echo "$req" | grep -v '^$'; fi
import sys
from importlib import metadata
for line in sys.argv[1].split():
    name, version = line.split("==")
    try:
        if metadata.version(name) == version:
            continue
    except metadata.PackageNotFoundError:
        pass
    print(line)
PY
}

if [ -z "$(stale "$venv/bin/python" <<< "$requirements")" ]; then
    echo "compat venv: $venv (present, pinned versions ok)" >&2
    exit 0
fi

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "error: $python is missing or older than Python 3.10 (the openai client needs 3.10); set \$PYTHON" >&2
    exit 1
fi
if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    echo "compat venv: creating $venv with $("$python" --version 2>&1) ..." >&2
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv --clear "$venv"
fi

reqfile=$(mktemp)
trap 'rm -f "$reqfile"' EXIT
grep -v '^$' <<< "$requirements" > "$reqfile"
echo "compat venv: installing $(stale "$venv/bin/python" <<< "$requirements" | wc -l) pinned packages from PyPI ..." >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$reqfile"

if missing=$(stale "$venv/bin/python" <<< "$requirements") && [ -n "$missing" ]; then
    echo "error: after installing, $venv still lacks:" $missing >&2
    exit 1
fi
echo "compat venv: installed $venv (openai 3.57.0, ollama 0.6.3, pytest 9.2.0)" >&2
