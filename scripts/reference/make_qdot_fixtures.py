#!/usr/bin/env python3
"""Golden fixtures for QuantizedMatVec: llama.cpp's own CPU kernels, called through ctypes.

llama-cpp-python exposes no ggml bindings, but its shared libraries export the ggml API, so this
script builds a one-op ggml graph, mul_mat(W, X), and runs it with ggml_graph_compute_with_ctx.
That is ggml_compute_forward_mul_mat itself (ggml/src/ggml-cpu/ggml-cpu.c): X is quantized with
type_traits_cpu[vec_dot_type].from_float, then llamafile_sgemm (tinyBLAS_Q0_AVX) handles Q4_0 and
Q8_0 weights when X has >= 2 columns, and ggml_vec_dot_* handles everything else (1 column, Q4_1).
A plain ggml context does not use the CPU_REPACK buffer type, so Q4_0 is not repacked here.

For each weight type and row length K, writes into Tests/Fixtures/qdot/:
  <TYPE>_<K>.w.bin     (ROWS, K/32) weight blocks, random bytes with finite random f16 scales
  <TYPE>_<K>.x.bin     (COLS, K) float32 activations (random, plus blocks with .5 ties, zeros,
                       huge and tiny values)
  <TYPE>_<K>.xq.bin    (COLS, K/32) activation blocks from llama.cpp's quantize_row_q8_0/q8_1
  <TYPE>_<K>.one.bin   (COLS, ROWS) float32: mul_mat of each column alone (decode path)
  <TYPE>_<K>.all.bin   (COLS, ROWS) float32: mul_mat of all COLS columns at once (prefill path)

Run from the repository root with the reference venv (scripts/reference/setup-venv.sh):
  /root/ref/venv/bin/python scripts/reference/make_qdot_fixtures.py
"""
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
BLOCK_BYTES = {Q4_0: 18, Q4_1: 20, Q8_0: 34, Q8_1: 36}
NAMES = {Q4_0: "Q4_0", Q4_1: "Q4_1", Q8_0: "Q8_0"}
ACT = {Q4_0: Q8_0, Q4_1: Q8_1, Q8_0: Q8_0}  # type_traits_cpu vec_dot_type


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
for name in ("quantize_row_q8_0", "quantize_row_q8_1"):
    getattr(cpu, name).argtypes = [C.c_void_p, C.c_void_p, C.c_int64]
for name in ("ggml_vec_dot_q4_0_q8_0", "ggml_vec_dot_q4_1_q8_1", "ggml_vec_dot_q8_0_q8_0"):
    getattr(cpu, name).argtypes = [C.c_int, C.c_void_p, C.c_size_t, C.c_void_p, C.c_size_t,
                                   C.c_void_p, C.c_size_t, C.c_int]
VEC_DOT = {Q4_0: cpu.ggml_vec_dot_q4_0_q8_0, Q4_1: cpu.ggml_vec_dot_q4_1_q8_1,
           Q8_0: cpu.ggml_vec_dot_q8_0_q8_0}
QUANTIZE = {Q8_0: cpu.quantize_row_q8_0, Q8_1: cpu.quantize_row_q8_1}

ROWS, COLS = 8, 4
LENGTHS = [32, 64, 576, 1536]


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
    nb = k // 32
    raw = rng.integers(0, 256, size=(ROWS, nb, BLOCK_BYTES[wtype]), dtype=np.uint8)
    d = (rng.standard_normal((ROWS, nb)) * 0.02).astype(np.float16)
    raw[:, :, 0:2] = d.view(np.uint8).reshape(ROWS, nb, 2)
    if wtype == Q4_1:
        m = (-np.abs(rng.standard_normal((ROWS, nb))) * 0.1).astype(np.float16)
        raw[:, :, 2:4] = m.view(np.uint8).reshape(ROWS, nb, 2)
    return raw.reshape(ROWS, nb * BLOCK_BYTES[wtype])


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
    out_dir = os.path.join("Tests", "Fixtures", "qdot")
    os.makedirs(out_dir, exist_ok=True)
    cpu.ggml_cpu_init()
    rng = np.random.default_rng(0xC21A)
    for wtype in (Q4_0, Q4_1, Q8_0):
        for k in LENGTHS:
            w = random_weights(rng, wtype, k)
            x = random_activations(rng, k)
            atype = ACT[wtype]
            xq = np.zeros((COLS, k // 32 * BLOCK_BYTES[atype]), dtype=np.uint8)
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
