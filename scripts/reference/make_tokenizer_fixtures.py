#!/usr/bin/env python3
"""Dump the default model's GGUF vocabulary for Tests/TokenizerTests (which then need neither the
98 MB model nor the Swift GGUF reader for their unit tests).

    /root/ref/venv/bin/python scripts/reference/make_tokenizer_fixtures.py [--model PATH]

Needs gguf (scripts/reference/setup-venv.sh builds that venv). The model defaults to the
installed SmolLM2-135M-Instruct (Q4_1 GGUF). The token ids llama.cpp gives for it are in
golden-llamacpp-smollm2.json (make_tokenizer_golden.py).

Output (Tests/Fixtures/tokenizer/):
  smollm2-vocab.json  the vocabulary read with gguf.GGUFReader: tokens, token types, merges,
                      special ids, flags and pre-tokenizer name.
"""
import argparse
import json
import os

import gguf

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")
DEFAULT_MODEL = os.path.join(os.environ.get("CRIA_MODELS") or os.path.expanduser("~/.cache/cria/models"),
                             "SmolLM2-135M-Instruct.Q4_1.gguf")


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    vocab = dump_vocabulary(args.model)
    print(f"{len(vocab['tokens'])} tokens, {len(vocab['merges'])} merges -> {OUT}/smollm2-vocab.json")


if __name__ == "__main__":
    main()
