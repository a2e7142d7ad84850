#!/usr/bin/env python3
"""Write Tests/Fixtures/tokenizer/pretokenizer-splits.json: how llama.cpp's pre-tokenizers split
a fixed set of texts into words, for every tokenizer.ggml.pre name Cria's PreTokenizer has a case
for.

    python3 scripts/reference/make_pretokenizer_fixtures.py [--llama-cpp DIR]   # from the repo root

DIR is llama.cpp's source tree as vendored in the llama-cpp-python 0.3.36 sdist
(`pip download --no-deps --no-binary :all: llama-cpp-python==0.3.36`, then unpack; DIR is
llama_cpp_python-0.3.36/vendor/llama.cpp). Needs g++ with C++17: the script compiles
src/unicode.cpp and src/unicode-data.cpp with a small driver that calls `unicode_regex_split`
(byte encoding off) and reads the regex lists from src/llama-vocab.cpp (`llm_tokenizer_bpe`),
so the split is llama.cpp's own, std::regex fallback included.

Output: {"texts": [...], "splits": {pre name: ["word lengths in scalars, space-separated", ...]}}.
"""
import argparse
import json
import os
import random
import re
import subprocess
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "pretokenizer-splits.json")
DEFAULT_LLAMA_CPP = "/tmp/lcpsrc/llama_cpp_python-0.3.36/vendor/llama.cpp"

# One tokenizer.ggml.pre name per PreTokenizer case, and the LLAMA_VOCAB_PRE_TYPE that
# src/llama-vocab.cpp `load` gives it.
NAMES = {
    "gpt-2": "GPT2",
    "trillion": "TRILLION",
    "smollm": "SMOLLM",
    "starcoder": "STARCODER",
    "falcon": "FALCON",
    "default": "DEFAULT",
    "llama-bpe": "LLAMA3",
    "dbrx": "DBRX",
    "qwen2": "QWEN2",
    "stablelm2": "STABLELM2",
    "qwen35": "QWEN35",
    "seed-coder": "SEED_CODER",
    "minicpm5": "MINICPM5",
    "laguna": "LAGUNA",
    "ufakzeka": "UFAKZEKA",
    "deepseek-llm": "DEEPSEEK_LLM",
    "deepseek-coder": "DEEPSEEK_CODER",
    "deepseek-v3": "DEEPSEEK3_LLM",
    "tekken": "TEKKEN",
    "llama4": "GPT4O",
}

TEXTS = [
    "Hello world 1234567",
    "HelloWorld XMLHttpRequest helloWORLD",
    "don't I'll WE'RE 's 'x '",
    "  leading spaces and trailing   ",
    "tabs\tand\n\nnewlines\r\n \n  x",
    "def f(n):\n    return n * 2  # comment\n",
    "a/b//c !!\n/d",
    "café naïve e\u0301te Ωabc Привет ПриветМИР ПРИВЕТмир ПриветABC",
    "日本語のテキストです。東京は大きい。",
    "中文文本测试，你好世界！你好world",
    "한국어 텍스트입니다 ㄱ",
    "Emoji: 😀🎉 👍🏽 😶\u200d🌫\ufe0f 🦙.cpp",
    "مرحبا بالعالم، كيف حالك؟ ١٢٣",
    "नमस्ते दुनिया १२३ ก่า",
    "\u00a0nbsp\u2009thin\u3000ideographic\u2028line\u0085nel",
    "Roman Ⅻ superscript ² fraction ½ fullwidth １２３ Ａａ！",
    "(hello ((hi ?! ？ 「quote」 ‘single’ “double”",
    "ǅ ʰ ª ᾈ 𝐀𐐀𞤀 \u0378\ue000",
]


def random_texts(count):
    rng = random.Random(20241125)
    pools = [
        list("abcdefghijklmnopqrstuvwxyz"), list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), list("0123456789"),
        list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
        [" ", " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\n\n", "\x0b", "\x0c"],
        ["\x01", "\x1c", "\x7f"], list("éµßÀ×¡Öö÷") + ["\xa0", "\x85", "\xad"],
        list("ΩωΑαΆ") + ["\u2126", "\u212a", "\u1fbe"], list("ПриветМИР"),
        ["一", "龥", "\u9fa6", "\u3400", "中"], list("あアーゟ゠ヿ") + ["\u30fb"], ["가", "힣", "\u3131", "\u1100"],
        list("काि१") + ["\u094d"], ["\u0301", "\ufe0f", "\u0308", "\u20dd"],
        ["🦙", "😀", "\u200d", "\u200b", "✅"], list("²½Ⅻ٣"),
        ["\u3000", "\u2028", "\u202f", "\u205f", "\u1680", "\u2003"],
        ["！", "Ａ", "ａ", "０", "：", "、", "。", "‘", "”", "～"], ["ǅ", "ʰ", "ª"], ["\u0378", "\u1c89", "\ue000"],
        list("ก่"), ["Ⴀ", "Ꭰ", "Ա", "ա"], ["𐐀", "𝐀", "𞤀"],
        ["'s", "'T", "'re", "'LL", "'d", "'x", "'"], ["Hello", "world", "HELLO", "camelCase", "XMLHttp"],
        ["1234567", "333", "/", "//", "\n/", " /"],
    ]
    weights = [6, 4, 4, 5, 7, 1, 2, 2, 2, 2, 1, 1, 1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 1, 3, 2, 1]
    texts = []
    for _ in range(count):
        n = rng.randint(1, 30)
        texts.append("".join(rng.choice(rng.choices(pools, weights)[0]) for _ in range(n)))
    return texts


def c_unescape(text):
    escapes = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "'": "'"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text)


def regex_lists(llama_cpp):
    """LLAMA_VOCAB_PRE_TYPE name -> regex list, from the llm_tokenizer_bpe constructor."""
    with open(os.path.join(llama_cpp, "src", "llama-vocab.cpp"), encoding="utf-8") as f:
        source = f.read()
    start = source.index("struct llm_tokenizer_bpe : llm_tokenizer {")
    body = source[start:source.index("std::vector<std::string> regex_exprs;", start)]
    lists = {}
    pattern = r"((?:\s*(?:case LLAMA_VOCAB_PRE_TYPE_\w+:|default:))+)\s*(?://[^\n]*\n\s*)*regex_exprs = \{(.*?)\};"
    for match in re.finditer(pattern, body, re.S):
        names = re.findall(r"LLAMA_VOCAB_PRE_TYPE_(\w+)", match.group(1))
        if "default:" in match.group(1):
            names.append("DEFAULT")
        code = "\n".join(line for line in match.group(2).split("\n") if not line.strip().startswith("//"))
        regexes = [c_unescape(s) for s in re.findall(r'"((?:[^"\\]|\\.)*)"', code)]
        for name in names:
            lists[name] = regexes
    return lists


DRIVER = r"""
#include "unicode.h"
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
static std::vector<std::string> read_nul(const char * path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream buffer;
    buffer << f.rdbuf();
    std::string all = buffer.str();
    std::vector<std::string> items;
    for (size_t pos = 0, next; (next = all.find('\0', pos)) != std::string::npos; pos = next + 1) {
        items.push_back(all.substr(pos, next - pos));
    }
    return items;
}
int main(int argc, char ** argv) {
    std::vector<std::string> regexes = read_nul(argv[1]);
    for (const std::string & text : read_nul(argv[2])) {
        std::vector<std::string> words = unicode_regex_split(text, regexes, false);
        for (size_t i = 0; i < words.size(); ++i) {
            printf(i ? " %zu" : "%zu", unicode_cpts_from_utf8(words[i]).size());
        }
        printf("\n");
    }
}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--llama-cpp", default=DEFAULT_LLAMA_CPP)
    parser.add_argument("--random", type=int, default=300, help="random texts after the fixed ones")
    args = parser.parse_args()

    lists = regex_lists(args.llama_cpp)
    texts = TEXTS + random_texts(args.random)
    src = os.path.join(args.llama_cpp, "src")
    with tempfile.TemporaryDirectory() as tmp:
        driver = os.path.join(tmp, "driver")
        with open(driver + ".cpp", "w") as f:
            f.write(DRIVER)
        subprocess.run(["g++", "-std=c++17", "-O2", "-I", src, driver + ".cpp",
                        os.path.join(src, "unicode.cpp"), os.path.join(src, "unicode-data.cpp"), "-o", driver], check=True)
        corpus = os.path.join(tmp, "texts")
        with open(corpus, "wb") as f:
            f.write(b"".join(t.encode("utf-8") + b"\0" for t in texts))
        splits = {}
        for name, pre_type in NAMES.items():
            regexes = os.path.join(tmp, "regexes")
            with open(regexes, "wb") as f:
                f.write(b"".join(r.encode("utf-8") + b"\0" for r in lists[pre_type]))
            lines = subprocess.run([driver, regexes, corpus], check=True, capture_output=True, text=True).stdout.split("\n")
            splits[name] = lines[:len(texts)]
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"texts": texts, "splits": splits}, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(f"wrote {OUT}: {len(texts)} texts x {len(splits)} pre-tokenizers")


if __name__ == "__main__":
    main()
