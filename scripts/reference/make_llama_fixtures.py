#!/usr/bin/env python3
"""Reference outputs of llama.cpp (through llama-cpp-python) for the default model.

For each prompt in prompts.json, as a raw completion: the prompt's token ids (special tokens
parsed, BOS as the model's metadata says), the logits at the last prompt position, and the
greedy continuation of up to 64 tokens, stopping at an end-of-generation token.

Writes Tests/Fixtures/llama/smollm2-reference.json and smollm2-logits-<i>.f32 (raw
little-endian float32, one value per vocabulary entry).

Run in the reference venv (scripts/reference/setup-venv.sh):
    /root/ref/venv/bin/python scripts/reference/make_llama_fixtures.py [MODEL.gguf]
"""
import json
import os
import sys

import llama_cpp
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "llama")
DEFAULT_MODEL = os.path.join(
    os.environ.get("CRIA_MODELS", os.path.expanduser("~/.cache/cria/models")),
    "SmolLM2-135M-Instruct.Q4_1.gguf")
MAX_TOKENS = 64


def main():
    model_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_MODEL
    with open(os.path.join(ROOT, "scripts", "reference", "prompts.json")) as f:
        prompts = json.load(f)
    llm = llama_cpp.Llama(model_path=model_path, n_ctx=512, n_batch=512, n_threads=2,
                          logits_all=True, verbose=False)
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for i, prompt in enumerate(prompts):
        tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        llm.reset()
        llm.eval(tokens)
        logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
        logits.tofile(os.path.join(OUT, f"smollm2-logits-{i}.f32"))
        generated = []
        step_logits = logits
        for _ in range(MAX_TOKENS):
            token = int(np.argmax(step_logits))
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                break
            generated.append(token)
            llm.eval([token])
            step_logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
        top = np.argsort(-logits, kind="stable")[:10]
        cases.append({
            "prompt": prompt,
            "tokens": [int(t) for t in tokens],
            "logits_file": f"smollm2-logits-{i}.f32",
            "top10": [int(t) for t in top],
            "greedy": generated,
            "greedy_text": llm.detokenize(generated).decode("utf-8", errors="replace"),
        })
        print(f"[{i}] {len(tokens)} prompt tokens, {len(generated)} generated: "
              f"{cases[-1]['greedy_text'][:60]!r}", file=sys.stderr)
    with open(os.path.join(OUT, "smollm2-reference.json"), "w") as f:
        json.dump({"model": os.path.basename(model_path),
                   "llama_cpp_python": llama_cpp.__version__,
                   "max_tokens": MAX_TOKENS,
                   "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
