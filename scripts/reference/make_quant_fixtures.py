#!/usr/bin/env python3
"""Golden fixtures for Tensor's dequantization tests.

For each type: seeded random blocks (random bytes, with every f16 scale field replaced by a
finite random value so nothing decodes to NaN/Inf), dequantized with the `gguf` Python package
(gguf/quants.py, `gguf.quants.dequantize`). Writes, per type, into Tests/Fixtures/quant/:
  <TYPE>.blocks.bin  raw little-endian block bytes
  <TYPE>.f32.bin     expected little-endian float32 values

Run from the repository root: python3 scripts/reference/make_quant_fixtures.py
"""
import os
import sys

import numpy as np
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType as T
from gguf.quants import dequantize

N_BLOCKS = 32  # per quantized type
N_PLAIN = 256  # elements per plain float type

# Byte offsets of the f16 scale fields inside one block (ggml/src/ggml-common.h block structs).
F16_FIELDS = {
    T.Q4_0: [0],
    T.Q4_1: [0, 2],
    T.Q5_0: [0],
    T.Q5_1: [0, 2],
    T.Q8_0: [0],
    T.Q2_K: [80, 82],   # scales[16], qs[64], d, dmin
    T.Q3_K: [108],      # hmask[32], qs[64], scales[12], d
    T.Q4_K: [0, 2],     # d, dmin, scales[12], qs[128]
    T.Q5_K: [0, 2],     # d, dmin, scales[12], qh[32], qs[128]
    T.Q6_K: [208],      # ql[128], qh[64], scales[16], d
}


def random_scales(rng, n):
    mag = rng.uniform(1e-3, 0.1, size=n)
    sign = rng.choice([-1.0, 1.0], size=n)
    return (mag * sign).astype(np.float16)


def make(rng, qtype):
    if qtype == T.F32:
        return rng.standard_normal(N_PLAIN).astype(np.float32).view(np.uint8)
    if qtype == T.F16:
        return rng.standard_normal(N_PLAIN).astype(np.float16).view(np.uint8)
    if qtype == T.BF16:
        # Truncate f32 to its high half: always finite for normal-distributed values.
        f = rng.standard_normal(N_PLAIN).astype(np.float32)
        return (f.view(np.uint32) >> 16).astype(np.uint16).view(np.uint8)
    _, type_size = GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, size=(N_BLOCKS, type_size), dtype=np.uint8)
    for off in F16_FIELDS[qtype]:
        blocks[:, off:off + 2] = random_scales(rng, N_BLOCKS).view(np.uint8).reshape(N_BLOCKS, 2)
    return blocks.reshape(-1)


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = os.path.join(root, "Tests", "Fixtures", "quant")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20240601)
    types = [T.F32, T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0,
             T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K]
    for qtype in types:
        raw = make(rng, qtype)
        expected = np.asarray(dequantize(raw, qtype), dtype=np.float32).reshape(-1)
        if not np.all(np.isfinite(expected)):
            sys.exit(f"{qtype.name}: non-finite expected values")
        raw.astype(np.uint8).tofile(os.path.join(out, f"{qtype.name}.blocks.bin"))
        expected.astype("<f4").tofile(os.path.join(out, f"{qtype.name}.f32.bin"))
        print(f"{qtype.name}: {raw.size} bytes -> {expected.size} floats")


if __name__ == "__main__":
    main()
