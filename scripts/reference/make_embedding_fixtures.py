#!/usr/bin/env python3
"""Reference embeddings of llama.cpp (through llama-cpp-python) for the default model.

For each sentence: its token ids (BOS as the model's metadata says, special tokens parsed)
and llama.cpp's mean-pooled, L2-normalized embedding (the final normalized hidden states
averaged over the tokens: LLAMA_POOLING_TYPE_MEAN, what `llama-server --embeddings` returns
for /v1/embeddings).

Writes Tests/Fixtures/embeddings/smollm2-embeddings.json.

Run in the reference venv (scripts/reference/setup-venv.sh):
    /root/ref/venv/bin/python scripts/reference/make_embedding_fixtures.py [MODEL.gguf]
"""
import json
import os
import sys

import llama_cpp
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "embeddings")
DEFAULT_MODEL = os.path.join(
    os.environ.get("CRIA_MODELS", os.path.expanduser("~/.cache/cria/models")),
    "SmolLM2-135M-Instruct.Q4_1.gguf")
SENTENCES = [
    "The cat sat on the mat.",
    "A cat was sitting on the rug.",
    "Quarterly revenue rose by eight percent.",
    "Llamas are domesticated South American camelids.",
    "def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)",
    "Émile a mangé une crêpe à Paris 🥞",
    "x",
]


def main():
    model_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_MODEL
    llm = llama_cpp.Llama(model_path=model_path, n_ctx=512, n_batch=512, n_ubatch=512, n_threads=2,
                          embedding=True, pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN, verbose=False)
    cases = []
    for text in SENTENCES:
        tokens = llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
        vector = np.array(llm.embed(text, normalize=False), dtype=np.float64)
        vector = vector / np.linalg.norm(vector)
        cases.append({"text": text, "tokens": tokens, "embedding": [round(float(v), 7) for v in vector]})
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "smollm2-embeddings.json"), "w") as f:
        json.dump({"model": os.path.basename(model_path), "pooling": "mean", "normalize": "l2",
                   "llama_cpp_python": llama_cpp.__version__, "cases": cases}, f)
        f.write("\n")
    print(f"wrote {len(cases)} embeddings of {len(cases[0]['embedding'])} dimensions")


if __name__ == "__main__":
    main()
