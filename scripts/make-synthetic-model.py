#!/usr/bin/env python3
"""Writes a Llama-shaped GGUF with random weights, for speed and robustness tests beyond the
default model. Needs the `gguf` and `numpy` packages.

    python3 scripts/make-synthetic-model.py --shape llama-3.2-1b --type Q4_0 -o /tmp/l1b-q4_0.gguf

Shapes: smollm2-135m, llama-3.2-1b (hidden 2048, 16 layers, 32/8 heads, FFN 8192, vocab 128256),
llama-3-8b (hidden 4096, 32 layers, 32/8 heads, FFN 14336, vocab 128256). Every matrix gets
--type; norms are f32. Quantized blocks are random bytes with finite f16 scales chosen to keep
weights small; float types are Gaussian. No tokenizer (tokenizer.ggml.model = "none"): feed
token ids, as `cria bench` does.
"""
import argparse
import os
import sys

import gguf
import numpy as np
from gguf import GGMLQuantizationType as T

SHAPES = {
    "smollm2-135m": dict(dim=576, layers=30, heads=9, kv_heads=3, ff=1536, vocab=49152, ctx=8192, base=100000.0),
    "llama-3.2-1b": dict(dim=2048, layers=16, heads=32, kv_heads=8, ff=8192, vocab=128256, ctx=131072, base=500000.0),
    "llama-3-8b": dict(dim=4096, layers=32, heads=32, kv_heads=8, ff=14336, vocab=128256, ctx=8192, base=500000.0),
}
# Byte offsets of the f16 scale fields inside one block (ggml-common.h block structs).
SCALE_FIELDS = {
    T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2], T.Q8_0: [0],
    T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
}
# Scale per type so that dequantized weights stay near 0.02 in magnitude.
SCALE_SIZE = {T.Q4_0: 0.003, T.Q4_1: 0.003, T.Q5_0: 0.0015, T.Q5_1: 0.0015, T.Q8_0: 0.0002,
              T.Q2_K: 0.0005, T.Q3_K: 0.0005, T.Q4_K: 0.0002, T.Q5_K: 0.0001, T.Q6_K: 0.0005}


def matrix(rng, rows, cols, qtype):
    if qtype in (T.F32, T.F16, T.BF16):
        w = (rng.standard_normal((rows, cols), dtype=np.float32) * 0.02)
        if qtype == T.F32:
            return w
        return gguf.quants.quantize(w, qtype)
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    if cols % block:
        sys.exit(f"error: a row of {cols} is not a whole number of {qtype.name} blocks of {block}")
    n = rows * cols // block
    blocks = rng.integers(0, 256, size=(n, size), dtype=np.uint8)
    for off in SCALE_FIELDS[qtype]:
        d = (rng.uniform(0.5, 1.5, n) * SCALE_SIZE[qtype]).astype(np.float16)
        blocks[:, off:off + 2] = d.view(np.uint8).reshape(n, 2)
    return blocks.reshape(rows, -1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shape", choices=sorted(SHAPES), required=True)
    p.add_argument("--type", required=True, help="F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K")
    p.add_argument("--output-type", help="type of the output head (default: Q6_K for K-quants, else --type)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args()
    try:
        qtype = T[args.type.upper()]
    except KeyError:
        sys.exit(f"error: unknown type {args.type}")
    if qtype not in SCALE_FIELDS and qtype not in (T.F32, T.F16, T.BF16):
        sys.exit(f"error: type {args.type} is not one Cria computes with")
    out_type = T[args.output_type.upper()] if args.output_type else qtype
    s = SHAPES[args.shape]
    rng = np.random.default_rng(args.seed)
    tmp = args.output + ".partial"
    w = gguf.GGUFWriter(tmp, "llama")
    w.add_name(f"synthetic {args.shape} {qtype.name}")
    w.add_context_length(s["ctx"])
    w.add_embedding_length(s["dim"])
    w.add_block_count(s["layers"])
    w.add_feed_forward_length(s["ff"])
    w.add_head_count(s["heads"])
    w.add_head_count_kv(s["kv_heads"])
    w.add_rope_freq_base(s["base"])
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(s["vocab"])
    w.add_tokenizer_model("none")
    dim, ff, kv = s["dim"], s["ff"], s["dim"] * s["kv_heads"] // s["heads"]

    def add(name, data, t):
        w.add_tensor(name, data, raw_dtype=None if t == T.F32 else t)

    add("token_embd.weight", matrix(rng, s["vocab"], dim, qtype), qtype)
    add("output_norm.weight", np.ones(dim, np.float32), T.F32)
    add("output.weight", matrix(rng, s["vocab"], dim, out_type), out_type)
    for l in range(s["layers"]):
        add(f"blk.{l}.attn_norm.weight", np.ones(dim, np.float32), T.F32)
        add(f"blk.{l}.ffn_norm.weight", np.ones(dim, np.float32), T.F32)
        for name, rows, cols in [("attn_q", dim, dim), ("attn_k", kv, dim), ("attn_v", kv, dim),
                                 ("attn_output", dim, dim), ("ffn_gate", ff, dim), ("ffn_up", ff, dim),
                                 ("ffn_down", dim, ff)]:
            add(f"blk.{l}.{name}.weight", matrix(rng, rows, cols, qtype), qtype)
        print(f"\rlayer {l + 1}/{s['layers']}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file(progress=True)
    w.close()
    os.replace(tmp, args.output)
    print(f"wrote {args.output} ({os.path.getsize(args.output)} bytes)")


if __name__ == "__main__":
    main()
