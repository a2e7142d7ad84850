#!/usr/bin/env python3
"""Decode speed of `cria run` and of llama.cpp (llama-cpp-python) on the same GGUF, same
threads, alternating runs in one process. A benchmark, not a test: CI does not run it.

    /root/ref/venv/bin/python scripts/compare-decode.py [--model M] [--threads 2] [--tokens 128] [--runs 3]

Prints each run and the median decode tokens/s of both, and their ratio (cria / llama.cpp).
Both decode greedily from the same raw prompt; llama.cpp's time is its own perf counter for
token evaluation, cria's is the "generated" figure `cria run` prints on stderr.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODEL = os.path.join(
    os.environ.get("CRIA_MODELS", os.path.expanduser("~/.cache/cria/models")),
    "SmolLM2-135M-Instruct.Q4_1.gguf")
PROMPT = "Once upon a time, in a small village nestled between the mountains,"


def run_cria(args):
    out = subprocess.run(
        [os.path.join(ROOT, ".build", "release", "cria"), "run", "--model", args.model, "--raw",
         "--temperature", "0", "--max-tokens", str(args.tokens), "--threads", str(args.threads), PROMPT],
        capture_output=True, text=True, check=True)
    m = re.search(r"generated: (\d+) tokens, ([\d.]+) s, ([\d.]+) tokens/s", out.stderr)
    if not m:
        sys.exit(f"cannot read cria's timings from: {out.stderr!r}")
    return int(m.group(1)), float(m.group(3))


def run_llama(llm, args):
    import llama_cpp
    llm.reset()
    llama_cpp.llama_perf_context_reset(llm.ctx)
    tokens = llm.tokenize(PROMPT.encode(), add_bos=True, special=True)
    llm.eval(tokens)
    llama_cpp.llama_perf_context_reset(llm.ctx)
    n = 0
    for _ in range(args.tokens):
        token = llm.sample(temp=0)
        llm.eval([token])
        n += 1
    perf = llama_cpp.llama_perf_context(llm.ctx)
    return perf.n_eval, perf.n_eval / (perf.t_eval_ms / 1000)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--tokens", type=int, default=128)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    import llama_cpp
    llm = llama_cpp.Llama(model_path=args.model, n_ctx=512, n_threads=args.threads,
                          n_threads_batch=args.threads, verbose=False)
    cria, llama = [], []
    for i in range(args.runs):
        n, rate = run_cria(args)
        cria.append(rate)
        print(f"run {i + 1}: cria      {n:4d} tokens  {rate:7.1f} tokens/s")
        n, rate = run_llama(llm, args)
        llama.append(rate)
        print(f"run {i + 1}: llama.cpp {n:4d} tokens  {rate:7.1f} tokens/s")
    c, l = statistics.median(cria), statistics.median(llama)
    print(f"median decode tokens/s, {args.threads} threads: cria {c:.1f}, llama.cpp {l:.1f}, "
          f"ratio cria/llama.cpp {c / l:.2f}")


if __name__ == "__main__":
    main()
