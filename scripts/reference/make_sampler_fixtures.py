#!/usr/bin/env python3
"""Golden fixtures for the Sampling chain: llama.cpp's own samplers, called through ctypes.

Each case builds the chain common/sampling.cpp builds (common_sampler_init): logit bias, then
penalties, top-k, top-p, min-p, temperature, then dist; feeds the token history through
llama_sampler_accept and applies the chain to a llama_token_data_array of random logits
(src/llama-sampler.cpp). After the dist sampler every surviving candidate carries the
normalized probability it was drawn with; the fixture records those ids and probabilities,
which is the distribution Sampler.candidates(_:) must return. Candidates whose logit is -inf
(banned by a bias, or cleared by temperature 0) have probability 0 and are left out, since the
Swift chain drops them up front.

Cases where llama.cpp's answer depends on the order of its unstable partial sort (ties at the
top-k cut, at the top-p cut, at the greedy maximum) or where a float rounding could move a
cut (cumulative probability or min-p threshold within 1e-4) are regenerated; the count of
regenerated draws is printed.

repeat_last_n -1 ("the whole history", as Ollama's API has it) is passed to llama.cpp as the
history length: llama_sampler_init_penalties itself clamps negative values to 0 (off).

Run from the repository root with the reference venv (scripts/reference/setup-venv.sh):
  /root/ref/venv/bin/python scripts/reference/make_sampler_fixtures.py
Writes Tests/Fixtures/sampling/chain.json.
"""
import ctypes as C
import json
import math
import os

import numpy as np
import llama_cpp as L

OUT = os.path.join("Tests", "Fixtures", "sampling", "chain.json")
NEG_INF = float("-inf")
MARGIN = 1e-4


def llama_chain(params, vocab, history):
    """The common_sampler_init chain for `params` with `history` accepted."""
    chain = L.llama_sampler_chain_init(L.llama_sampler_chain_default_params())
    bias = params["logitBias"]
    if bias:
        arr = (L.llama_logit_bias * len(bias))()
        for i, (token, value) in enumerate(bias):
            arr[i].token = token
            arr[i].bias = value
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_logit_bias(vocab, len(bias), arr))
    last_n = params["repeatLastN"]
    if last_n < 0:
        last_n = max(len(history), 1)
    L.llama_sampler_chain_add(chain, L.llama_sampler_init_penalties(
        vocab, last_n, params["repeatPenalty"], params["frequencyPenalty"], params["presencePenalty"]))
    if params.get("stopAfterPenalties"):
        return chain
    L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_k(params["topK"]))
    L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_p(params["topP"], params["minKeep"]))
    L.llama_sampler_chain_add(chain, L.llama_sampler_init_min_p(params["minP"], params["minKeep"]))
    L.llama_sampler_chain_add(chain, L.llama_sampler_init_temp(params["temperature"]))
    L.llama_sampler_chain_add(chain, L.llama_sampler_init_dist(1234))
    return chain


def apply(params, logits, history):
    """Runs the chain on `logits`; returns the candidates as (id, logit, p) in chain order."""
    n = len(logits)
    data = (L.llama_token_data * n)()
    for i, value in enumerate(logits):
        data[i].id = i
        data[i].logit = float(value)
        data[i].p = 0.0
    cur = L.llama_token_data_array(data=C.cast(data, L.llama_token_data_p), size=n, selected=-1, sorted=False)
    chain = llama_chain(params, n, history)
    for token in history:
        L.llama_sampler_accept(chain, token)
    L.llama_sampler_apply(chain, C.byref(cur))
    out = [(cur.data[i].id, cur.data[i].logit, cur.data[i].p) for i in range(cur.size)]
    L.llama_sampler_free(chain)
    return out


def ambiguous(params, logits, history):
    """True when llama.cpp's result would hang on sort order or on a rounding at a cut."""
    adjusted = apply(dict(params, stopAfterPenalties=True), logits, history)
    values = np.array(sorted((x[1] for x in adjusted if x[1] != NEG_INF), reverse=True), dtype=np.float64)
    if len(values) < 2:
        return False
    if params["temperature"] <= 0:
        return values[0] == values[1]
    k = params["topK"]
    if 0 < k < len(values):
        if values[k - 1] == values[k]:
            return True
        values = values[:k]
    if params["topP"] < 1:
        p = np.exp(values - values[0])
        p /= p.sum()
        cumulative = np.cumsum(p)
        if np.min(np.abs(cumulative - params["topP"])) < MARGIN:
            return True
        cut = len(values)
        for i, c in enumerate(cumulative):
            if c >= params["topP"] and i + 1 >= params["minKeep"]:
                cut = i + 1
                break
        if cut < len(values) and values[cut - 1] == values[cut]:
            return True
        values = values[:cut]
    if params["minP"] > 0:
        threshold = values[0] + math.log(params["minP"])
        if np.min(np.abs(values - threshold)) < MARGIN:
            return True
        kept = int(np.sum(values >= threshold))
        if kept < params["minKeep"] < len(values) and values[params["minKeep"] - 1] == values[params["minKeep"]]:
            return True
    return False


def random_logits(rng, n, style):
    """Logits rounded to 3 decimals (exact in JSON and in Float), with ties and -inf entries."""
    scale = {"flat": 0.5, "normal": 2.0, "peaked": 6.0}[style]
    x = np.round(rng.standard_normal(n) * scale, 3)
    # Ties: copy some values onto other entries.
    for _ in range(max(1, n // 20)):
        x[rng.integers(n)] = x[rng.integers(n)]
    if style == "peaked":
        x[rng.integers(n)] = 12.0
    values = [float(v) for v in x.astype(np.float32)]
    for i in rng.choice(n, size=max(1, n // 50), replace=False):
        values[int(i)] = NEG_INF
    return values


def random_params(rng, n):
    params = {
        "temperature": float(rng.choice([0.0, 0.3, 0.8, 1.0, 1.5])),
        "topK": int(rng.choice([0, 0, 1, 5, 40, 40, n + 10])),
        "topP": float(rng.choice([1.0, 0.95, 0.9, 0.5])),
        "minP": float(rng.choice([0.0, 0.05, 0.05, 0.2])),
        "minKeep": int(rng.choice([0, 0, 0, 3])),
        "repeatPenalty": float(rng.choice([1.0, 1.1, 1.5])),
        "repeatLastN": int(rng.choice([0, 8, 64, -1])),
        "presencePenalty": float(rng.choice([0.0, 0.0, 0.5, -0.25])),
        "frequencyPenalty": float(rng.choice([0.0, 0.0, 0.3])),
        "logitBias": [],
    }
    if rng.random() < 0.3:
        # Loose filters, penalties on: penalized tokens with negative logits survive to the
        # distribution, so the sign rule of the repeat penalty shows in the probabilities.
        params.update(topK=0, topP=1.0, minP=float(rng.choice([0.0, 0.001])),
                      repeatPenalty=float(rng.choice([1.1, 1.5])), repeatLastN=int(rng.choice([8, 64, -1])))
    if rng.random() < 0.6:
        tokens = rng.choice(n, size=int(rng.integers(1, 6)), replace=False)
        params["logitBias"] = [
            (int(t), float(rng.choice([NEG_INF, -5.0, -1.5, 2.0, 4.0]))) for t in tokens
        ]
    return params


def history_for(rng, n):
    length = int(rng.choice([0, 5, 30, 100]))
    # Repeats and a few ids outside the vocabulary (ignored by penalties).
    pool = rng.integers(0, n, size=max(1, length // 3))
    history = [int(rng.choice(pool)) for _ in range(length)]
    if length and rng.random() < 0.3:
        history[int(rng.integers(length))] = n + 7
    return history


def encode(x):
    return "-inf" if x == NEG_INF else x


def main():
    L.llama_backend_init()
    rng = np.random.default_rng(20250611)
    sizes = [64, 100, 257, 512, 1000] * 8
    sizes[-1] = 1500  # above 1024: llama.cpp's top-p takes its partial-sort path
    sizes[-2] = 1500
    cases, redraws = [], 0
    for index, n in enumerate(sizes):
        while True:
            style = ["flat", "normal", "peaked"][index % 3]
            logits = random_logits(rng, n, style)
            params = random_params(rng, n)
            if index == len(sizes) - 1:  # full vocabulary into top-p
                params.update(topK=0, topP=0.9, temperature=1.0)
            history = history_for(rng, n)
            if not ambiguous(params, logits, history):
                break
            redraws += 1
        survivors = [(t, p) for t, logit, p in apply(params, logits, history) if logit != NEG_INF]
        survivors.sort(key=lambda x: x[0])
        cases.append({
            "name": f"case{index:02d}-{style}-{n}",
            "logits": [encode(v) for v in logits],
            "parameters": dict(params, logitBias=[[t, encode(b)] for t, b in params["logitBias"]]),
            "history": history,
            "ids": [t for t, _ in survivors],
            "probabilities": [float(f"{p:.9g}") for _, p in survivors],
        })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"source": "llama-cpp-python 0.3.36 (llama.cpp sampler chain)", "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {OUT} ({os.path.getsize(OUT)} bytes); {redraws} ambiguous draws redone")


if __name__ == "__main__":
    main()
