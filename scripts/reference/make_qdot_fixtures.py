#!/usr/bin/env python3
"""Golden fixtures for QuantizedMatVec: llama.cpp's own CPU kernels, called through ctypes.

llama-cpp-python exposes no ggml bindings, but its shared libraries export the ggml API, so this
script builds a one-op ggml graph, mul_mat(W, X), and runs it with ggml_graph_compute_with_ctx.
That is ggml_compute_forward_mul_mat itself (ggml/src/ggml-cpu/ggml-cpu.c): X is quantized with
type_traits_cpu[vec_dot_type].from_float, then llamafile_sgemm (tinyBLAS_Q0_AVX) handles Q4_0 and
Q8_0 weights when X has >= 2 columns, and ggml_vec_dot_* handles everything else (1 column, Q4_1).
A plain ggml context does not use the CPU_REPACK buffer type, so Q4_0 is not repacked here.

K-quants (Q2_K ... Q6_K) quantize X to Q8_K with quantize_row_q8_K, which on x86 is
quantize_row_q8_K_ref (ggml-quants.c); llamafile_sgemm has no K-quant case, so every output is
ggml_vec_dot_<type>_q8_K. A normal model load (llama_model_default_params: use_extra_bufts) does
repack Q4_K weights with a multiple of 8 rows on AVX2 CPUs (ggml-cpu/repack.cpp, q4_K_8x8_q8_K),
which this plain context does not; Q2_K needs AVX-512 for that, Q3_K/Q5_K/Q6_K are never
repacked on x86.

For each weight type and row length K, writes into Tests/Fixtures/qdot/:
  <TYPE>_<K>.w.bin     (ROWS, K/32 or K/256) weight blocks, random bytes with finite random f16 scales
  <TYPE>_<K>.x.bin     (COLS, K) float32 activations (random, plus blocks with .5 ties, zeros,
                       huge and tiny values)
  <TYPE>_<K>.xq.bin    (COLS, K/32 or K/256) activation blocks from llama.cpp's quantize_row_q8_0/
                       q8_1/q8_K (Q8_K bsums of an all-zero block, which llama.cpp leaves
                       unwritten, are zeros here: the buffer is zeroed first)
  <TYPE>_<K>.one.bin   (COLS, ROWS) float32: mul_mat of each column alone (decode path)
  <TYPE>_<K>.all.bin   (COLS, ROWS) float32: mul_mat of all COLS columns at once (prefill path)

Run from the repository root with the reference venv (scripts/reference/setup-venv.sh):
  /root/ref/venv/bin/python scripts/reference/make_qdot_fixtures.py [--types Q4_K,Q6_K,...]
(default: Q4_0,Q4_1,Q8_0; K-quant lengths are multiples of 256).
"""
import argparse
import ctypes as C
import glob
import os
import sys

import numpy as np
import llama_cpp

LIB = os.path.join(os.path.dirname(llama_cpp.__file__), "lib")
base = C.CDLL(glob.glob(os.path.join(LIB, "libggml-base.so"))[0], mode=C.RTLD_GLOBAL)
cpu = C.CDLL(glob.glob(os.path.join(LIB, "libggml-cpu.so"))[0], mode=C.RTLD_GLOBAL)

# ggml.h enum ggml_type
F32, Q4_0, Q4_1, Q8_0, Q8_1 = 0, 2, 3, 8, 9
Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K = 10, 11, 12, 13, 14, 15
K_QUANTS = (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)
BLOCK_BYTES = {Q4_0: 18, Q4_1: 20, Q8_0: 34, Q8_1: 36,
               Q2_K: 84, Q3_K: 110, Q4_K: 144, Q5_K: 176, Q6_K: 210, Q8_K: 292}
BLOCK_SIZE = {t: 256 if t in K_QUANTS + (Q8_K,) else 32 for t in BLOCK_BYTES}
NAMES = {Q4_0: "Q4_0", Q4_1: "Q4_1", Q8_0: "Q8_0",
         Q2_K: "Q2_K", Q3_K: "Q3_K", Q4_K: "Q4_K", Q5_K: "Q5_K", Q6_K: "Q6_K"}
ACT = {Q4_0: Q8_0, Q4_1: Q8_1, Q8_0: Q8_0, **{t: Q8_K for t in K_QUANTS}}  # type_traits_cpu vec_dot_type
# Byte offsets of each K-quant block's f16 fields (d, dmin): ggml-common.h block_q*_K.
K_F16 = {Q2_K: [80, 82], Q3_K: [108], Q4_K: [0, 2], Q5_K: [0, 2], Q6_K: [208]}


class InitParams(C.Structure):  # struct ggml_init_params
    _fields_ = [("mem_size", C.c_size_t), ("mem_buffer", C.c_void_p), ("no_alloc", C.c_bool)]


base.ggml_init.restype = C.c_void_p
base.ggml_init.argtypes = [InitParams]
base.ggml_free.argtypes = [C.c_void_p]
base.ggml_new_tensor_2d.restype = C.c_void_p
base.ggml_new_tensor_2d.argtypes = [C.c_void_p, C.c_int, C.c_int64, C.c_int64]
base.ggml_mul_mat.restype = C.c_void_p
base.ggml_mul_mat.argtypes = [C.c_void_p, C.c_void_p, C.c_void_p]
base.ggml_new_graph.restype = C.c_void_p
base.ggml_new_graph.argtypes = [C.c_void_p]
base.ggml_build_forward_expand.argtypes = [C.c_void_p, C.c_void_p]
base.ggml_get_data.restype = C.c_void_p
base.ggml_get_data.argtypes = [C.c_void_p]
cpu.ggml_cpu_init.argtypes = []
cpu.ggml_graph_compute_with_ctx.restype = C.c_int
cpu.ggml_graph_compute_with_ctx.argtypes = [C.c_void_p, C.c_void_p, C.c_int]
for name in ("quantize_row_q8_0", "quantize_row_q8_1", "quantize_row_q8_K"):
    getattr(cpu, name).argtypes = [C.c_void_p, C.c_void_p, C.c_int64]
VEC_DOT = {Q4_0: cpu.ggml_vec_dot_q4_0_q8_0, Q4_1: cpu.ggml_vec_dot_q4_1_q8_1,
           Q8_0: cpu.ggml_vec_dot_q8_0_q8_0,
           **{t: getattr(cpu, f"ggml_vec_dot_q{NAMES[t][1]}_K_q8_K") for t in K_QUANTS}}
for f in VEC_DOT.values():
    f.argtypes = [C.c_int, C.c_void_p, C.c_size_t, C.c_void_p, C.c_size_t, C.c_void_p, C.c_size_t, C.c_int]
QUANTIZE = {Q8_0: cpu.quantize_row_q8_0, Q8_1: cpu.quantize_row_q8_1, Q8_K: cpu.quantize_row_q8_K}

ROWS, COLS = 8, 4
LENGTHS = [32, 64, 576, 1536]
K_LENGTHS = [256, 768, 2048]


def ptr(a):
    return a.ctypes.data_as(C.c_void_p)


def mul_mat(wtype, w, x):
    """ggml's mul_mat of (ROWS, K) weights `w` by (ncols, K) activations `x`: (ncols, ROWS)."""
    ncols, k = x.shape
    ctx = base.ggml_init(InitParams(64 << 20, None, False))
    a = base.ggml_new_tensor_2d(ctx, wtype, k, ROWS)
    b = base.ggml_new_tensor_2d(ctx, F32, k, ncols)
    C.memmove(base.ggml_get_data(a), w.ctypes.data, w.nbytes)
    C.memmove(base.ggml_get_data(b), x.ctypes.data, x.nbytes)
    out = base.ggml_mul_mat(ctx, a, b)
    graph = base.ggml_new_graph(ctx)
    base.ggml_build_forward_expand(graph, out)
    assert cpu.ggml_graph_compute_with_ctx(ctx, graph, 1) == 0
    result = np.frombuffer(C.string_at(base.ggml_get_data(out), ncols * ROWS * 4), dtype=np.float32).copy()
    base.ggml_free(ctx)
    return result.reshape(ncols, ROWS)


def random_weights(rng, wtype, k):
    if wtype in K_QUANTS:
        return random_k_weights(rng, wtype, k)
    nb = k // 32
    raw = rng.integers(0, 256, size=(ROWS, nb, BLOCK_BYTES[wtype]), dtype=np.uint8)
    d = (rng.standard_normal((ROWS, nb)) * 0.02).astype(np.float16)
    raw[:, :, 0:2] = d.view(np.uint8).reshape(ROWS, nb, 2)
    if wtype == Q4_1:
        m = (-np.abs(rng.standard_normal((ROWS, nb))) * 0.1).astype(np.float16)
        raw[:, :, 2:4] = m.view(np.uint8).reshape(ROWS, nb, 2)
    return raw.reshape(ROWS, nb * BLOCK_BYTES[wtype])


def random_k_weights(rng, wtype, k):
    nb = k // 256
    raw = rng.integers(0, 256, size=(ROWS, nb, BLOCK_BYTES[wtype]), dtype=np.uint8)
    for off in K_F16[wtype]:
        d = (rng.standard_normal((ROWS, nb)) * 0.02).astype(np.float16)
        raw[:, :, off:off + 2] = d.view(np.uint8).reshape(ROWS, nb, 2)
    return raw.reshape(ROWS, nb * BLOCK_BYTES[wtype])


def random_k_activations(rng, k):
    """Like random_activations, with the edges of quantize_row_q8_K_ref's 256-element blocks."""
    x = (rng.standard_normal((COLS, k)) * rng.choice([0.1, 1.0, 30.0], size=(COLS, 1))).astype(np.float32)
    # Column 1, block 0: the first largest |x| is -127, so iscale = -127/max = 1 and every
    # n + 0.5 is a rounding tie; a later +127 of the same magnitude must not take over.
    ties = rng.integers(-126, 126, size=256).astype(np.float32) + 0.5
    ties[5], ties[200] = -127.0, 127.0
    x[1, 0:256] = ties
    if k >= 512:
        x[2, 256:512] = 0.0                                                 # all zero: d = 0
        x[3, 0:256] = rng.standard_normal(256).astype(np.float32) * 1e30    # huge
        x[3, 256:512] = rng.standard_normal(256).astype(np.float32) * 1e-30  # tiny
    return x


def random_activations(rng, k):
    x = (rng.standard_normal((COLS, k)) * rng.choice([0.1, 1.0, 30.0], size=(COLS, 1))).astype(np.float32)
    nb = k // 32
    # Block 0 of column 1: amax is exactly 127, so id == 1 and every n + 0.5 is a rounding tie.
    if COLS > 1:
        ties = rng.integers(-127, 127, size=32).astype(np.float32) + 0.5
        ties[rng.integers(0, 32)] = 127.0
        x[1, 0:32] = ties
    if nb > 1:
        x[2, 32:64] = 0.0                                            # all-zero block: d = 0, id = 0
        x[3, 0:32] = rng.standard_normal(32).astype(np.float32) * 1e30  # huge
        x[3, 32:64] = rng.standard_normal(32).astype(np.float32) * 1e-30  # tiny: d underflows in f16
    return x


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--types", default="Q4_0,Q4_1,Q8_0", help="comma-separated weight types")
    types = [next(t for t, n in NAMES.items() if n == name) for name in parser.parse_args().types.split(",")]
    out_dir = os.path.join("Tests", "Fixtures", "qdot")
    os.makedirs(out_dir, exist_ok=True)
    cpu.ggml_cpu_init()
    # The original fixtures keep their shared random stream; each K-quant has its own, so that
    # the files do not depend on which types one run writes.
    rng = np.random.default_rng(0xC21A)
    for wtype in types:
        k_quant = wtype in K_QUANTS
        k_rng = np.random.default_rng(0xC21A + 256 * wtype)
        for k in (K_LENGTHS if k_quant else LENGTHS):
            w = random_weights(k_rng if k_quant else rng, wtype, k)
            x = random_k_activations(k_rng, k) if k_quant else random_activations(rng, k)
            atype = ACT[wtype]
            xq = np.zeros((COLS, k // BLOCK_SIZE[atype] * BLOCK_BYTES[atype]), dtype=np.uint8)
            for c in range(COLS):
                QUANTIZE[atype](ptr(x[c]), ptr(xq[c]), k)
            one = np.stack([mul_mat(wtype, w, x[c:c + 1])[0] for c in range(COLS)])
            every = mul_mat(wtype, w, x)
            # The graph's decode path must be the exported vec_dot on the exported quantizer.
            for c in range(COLS):
                for r in range(ROWS):
                    s = np.zeros(1, dtype=np.float32)
                    VEC_DOT[wtype](k, ptr(s), 0, ptr(w[r]), 0, ptr(xq[c]), 0, 1)
                    assert s[0].tobytes() == one[c, r].tobytes(), (NAMES[wtype], k, c, r)
            same = np.sum(one.view(np.uint32) == every.view(np.uint32))
            print(f"{NAMES[wtype]} K={k}: prefill path equals decode path in {same}/{one.size} outputs")
            stem = os.path.join(out_dir, f"{NAMES[wtype]}_{k}")
            w.tofile(stem + ".w.bin")
            x.tofile(stem + ".x.bin")
            xq.tofile(stem + ".xq.bin")
            one.astype("<f4").tofile(stem + ".one.bin")
            every.astype("<f4").tofile(stem + ".all.bin")


if __name__ == "__main__":
    sys.exit(main())
