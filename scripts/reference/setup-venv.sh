#!/usr/bin/env bash
# Creates the virtualenv the reference scripts run in, outside the repository
# (default /root/ref/venv; REF_VENV overrides). Builds llama.cpp through llama-cpp-python
# from source: about 10 minutes on 2 cores. CI never runs this; it reads the fixtures.
set -euo pipefail
venv="${REF_VENV:-/root/ref/venv}"
python3 -m venv "$venv"
CMAKE_ARGS="-DGGML_NATIVE=ON" "$venv/bin/pip" install llama-cpp-python==0.3.36 gguf numpy
# The tokenizer references: HF tokenizers, SentencePiece, tiktoken (make_tokenizer_golden.py).
"$venv/bin/pip" install tokenizers==0.23.3 sentencepiece==0.2.3 tiktoken==0.14.0
# The chat template reference (make_jinja_fixtures.py): jinja2 as transformers uses it, pinned
# because the fixtures record its exact output.
"$venv/bin/pip" install jinja2==3.1.6
echo "reference venv ready: $venv"
