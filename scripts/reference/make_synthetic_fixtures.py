#!/usr/bin/env python3
"""A small random Llama-architecture GGUF whose matrices use every supported tensor type,
and llama.cpp's logits on it (through llama-cpp-python).

Writes Tests/Fixtures/synthetic/mixed-types.gguf (2 layers, width 256, GQA 4/2 heads, separate
output head, no vocabulary: tokenizer.ggml.model = "none", so token ids go in directly) and
mixed-types.json: a prompt of token ids evaluated as one batch, then a few single-token decode
steps, with llama.cpp's logits after the prompt and after each step, and the same logits from
an exact f32 numpy forward pass over the gguf package's dequantized weights.

K-quant blocks are random bytes with finite random f16 scales (the gguf package cannot
quantize to K types); the other types are quantized from Gaussian weights.

    /root/ref/venv/bin/python scripts/reference/make_synthetic_fixtures.py
"""
import json
import os

import gguf
import llama_cpp
import numpy as np
from gguf import GGMLQuantizationType as T

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "synthetic")
DIM, FF, HEADS, KV_HEADS, LAYERS, VOCAB, CTX = 256, 512, 4, 2, 2, 512, 512
# Byte offsets of each K-quant block's f16 scale fields (ggml-common.h block structs).
K_SCALES = {T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208]}
# One type per matrix, in turn, so that both layers together use all 13.
TYPES = [T.Q4_K, T.Q5_K, T.Q6_K, T.Q2_K, T.Q3_K, T.Q4_0, T.Q5_0,
         T.Q5_1, T.Q8_0, T.F16, T.BF16, T.Q4_1, T.F32, T.Q6_K]
MATRICES = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]


def shape_of(name):
    kv = DIM * KV_HEADS // HEADS
    return {"attn_q": (DIM, DIM), "attn_k": (kv, DIM), "attn_v": (kv, DIM), "attn_output": (DIM, DIM),
            "ffn_gate": (FF, DIM), "ffn_up": (FF, DIM), "ffn_down": (DIM, FF)}[name]


def tensor(rng, rows, cols, qtype, scale):
    if qtype in K_SCALES:
        block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
        n = rows * cols // block_size
        blocks = rng.integers(0, 256, size=(n, type_size), dtype=np.uint8)
        for off in K_SCALES[qtype]:
            # Sub-block scales reach 63 and quants 15, so d is small to keep weights near `scale`.
            d = (rng.uniform(0.5, 1.5, n) * scale / 200).astype(np.float16)
            blocks[:, off:off + 2] = d.view(np.uint8).reshape(n, 2)
        return blocks.reshape(rows, -1)
    w = (rng.standard_normal((rows, cols)) * scale).astype(np.float32)
    return w if qtype == T.F32 else gguf.quants.quantize(w, qtype)


def exact_forward(path, tokens, first_output):
    """The same model in plain f32 numpy on the gguf package's dequantized weights: the
    exact-math reference that rounding choices (llama.cpp's or ours) are measured against."""
    reader = gguf.GGUFReader(path)
    W = {}
    for t in reader.tensors:
        a = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        W[t.name] = a.reshape([int(x) for x in reversed(t.shape)]) if len(t.shape) > 1 else a.reshape(-1)
    hs, kvh = DIM // HEADS, KV_HEADS

    def rms(x, w):
        return x / np.sqrt(np.mean(x * x) + 1e-5) * w

    def rope(x, pos, n):
        x = x.reshape(n, hs).copy()
        theta = pos * 10000.0 ** (-2 * np.arange(hs // 2) / hs)
        c, s = np.cos(theta), np.sin(theta)
        a, b = x[:, 0::2].copy(), x[:, 1::2].copy()
        x[:, 0::2], x[:, 1::2] = a * c - b * s, a * s + b * c
        return x.reshape(-1)

    keys, values, outputs = [[] for _ in range(LAYERS)], [[] for _ in range(LAYERS)], []
    for pos, tok in enumerate(tokens):
        x = W["token_embd.weight"][tok].copy()
        for l in range(LAYERS):
            p = f"blk.{l}."
            h = rms(x, W[p + "attn_norm.weight"])
            keys[l].append(rope(W[p + "attn_k.weight"] @ h, pos, kvh))
            values[l].append(W[p + "attn_v.weight"] @ h)
            q = rope(W[p + "attn_q.weight"] @ h, pos, HEADS)
            K, V = np.stack(keys[l]).reshape(-1, kvh, hs), np.stack(values[l]).reshape(-1, kvh, hs)
            out = np.zeros(DIM, np.float32)
            for head in range(HEADS):
                g = head // (HEADS // kvh)
                sc = K[:, g, :] @ q[head * hs:(head + 1) * hs] / np.sqrt(hs)
                sc = np.exp(sc - sc.max())
                out[head * hs:(head + 1) * hs] = (sc / sc.sum()) @ V[:, g, :]
            x = x + W[p + "attn_output.weight"] @ out
            h = rms(x, W[p + "ffn_norm.weight"])
            gate, up = W[p + "ffn_gate.weight"] @ h, W[p + "ffn_up.weight"] @ h
            x = x + W[p + "ffn_down.weight"] @ (gate / (1 + np.exp(-gate)) * up)
        if pos >= first_output:
            outputs.append((W["output.weight"] @ rms(x, W["output_norm.weight"])).astype(np.float32).tolist())
    return outputs


def main():
    rng = np.random.default_rng(2026)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "mixed-types.gguf")
    w = gguf.GGUFWriter(path, "llama")
    w.add_context_length(CTX)
    w.add_embedding_length(DIM)
    w.add_block_count(LAYERS)
    w.add_feed_forward_length(FF)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(VOCAB)
    w.add_tokenizer_model("none")
    w.add_tensor("token_embd.weight", tensor(rng, VOCAB, DIM, T.F16, 1.0), raw_dtype=T.F16)
    w.add_tensor("output_norm.weight", (1 + 0.1 * rng.standard_normal(DIM)).astype(np.float32))
    w.add_tensor("output.weight", tensor(rng, VOCAB, DIM, T.Q6_K, 0.1), raw_dtype=T.Q6_K)
    used = []
    for layer in range(LAYERS):
        w.add_tensor(f"blk.{layer}.attn_norm.weight", (1 + 0.1 * rng.standard_normal(DIM)).astype(np.float32))
        w.add_tensor(f"blk.{layer}.ffn_norm.weight", (1 + 0.1 * rng.standard_normal(DIM)).astype(np.float32))
        for i, name in enumerate(MATRICES):
            qtype = TYPES[layer * len(MATRICES) + i]
            rows, cols = shape_of(name)
            data = tensor(rng, rows, cols, qtype, 0.08)
            w.add_tensor(f"blk.{layer}.{name}.weight", data, raw_dtype=None if qtype == T.F32 else qtype)
            used.append(qtype.name)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    llm = llama_cpp.Llama(model_path=path, n_ctx=CTX, n_threads=2, logits_all=True, verbose=False)
    prompt = [int(t) for t in rng.integers(0, VOCAB, 12)]
    steps = [int(t) for t in rng.integers(0, VOCAB, 6)]
    llm.eval(prompt)
    logits = [np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32).tolist()]
    for t in steps:
        llm.eval([t])
        logits.append(np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32).tolist())
    with open(os.path.join(OUT, "mixed-types.json"), "w") as f:
        exact = exact_forward(path, prompt + steps, len(prompt) - 1)
        json.dump({"types": sorted(set(used)), "prompt": prompt, "steps": steps, "logits": logits,
                   "exact_logits": exact}, f)
    print(f"wrote {path} ({os.path.getsize(path)} bytes), types {sorted(set(used))}")


if __name__ == "__main__":
    main()
