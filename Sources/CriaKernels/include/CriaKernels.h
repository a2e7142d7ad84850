// Quantized matrix-vector kernels that reproduce llama.cpp's CPU arithmetic bit for bit.
//
// llama.cpp quantizes the activation vector once per matmul (Q8_0 or Q8_1 blocks) and takes
// integer dot products against the weight blocks. The greedy output of small models is chaotic
// enough that a different float summation order changes the generated text, so these kernels
// follow ggml-cpu/arch/x86/quants.c exactly: same lanes, same FMAs, same horizontal sum.
//
// Every function has an AVX2/FMA/F16C path (chosen at run time) and a portable scalar twin that
// produces the same bits. The twins are exported with a `_scalar` suffix so tests can compare
// them with the dispatching entry points (no global switch: Swift tests run concurrently).
#ifndef CRIA_KERNELS_H
#define CRIA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes of one ggml block_q8_0: f16 d, int8 qs[32].
#define CRIA_Q8_0_BLOCK_BYTES 34
/// Bytes of one ggml block_q8_1: f16 d, f16 s (= d * sum(qs)), int8 qs[32].
#define CRIA_Q8_1_BLOCK_BYTES 36
/// Bytes of one ggml block_q4_0: f16 d, uint8 qs[16].
#define CRIA_Q4_0_BLOCK_BYTES 18
/// Bytes of one ggml block_q4_1: f16 d, f16 m, uint8 qs[16].
#define CRIA_Q4_1_BLOCK_BYTES 20

/// A spin-wait hint (x86 PAUSE, ARM YIELD): lets a sibling hyperthread run while a worker
/// waits for the next job.
void cria_cpu_relax(void);

/// 1 when the dispatching functions use the AVX2/FMA/F16C paths (x86-64 CPU that has all three).
int cria_uses_avx2(void);

// MARK: - Activation quantization (k is a multiple of 32)

/// x: (k) -> y: (k/32) block_q8_0. Mirrors quantize_row_q8_0 (arch/x86/quants.c, AVX2 branch).
void cria_quantize_row_q8_0(const float *x, void *y, int64_t k);
/// x: (k) -> y: (k/32) block_q8_1. Mirrors quantize_row_q8_1 (arch/x86/quants.c, AVX2 branch).
void cria_quantize_row_q8_1(const float *x, void *y, int64_t k);

// MARK: - One output element (n is a multiple of 32)

/// x: (n/32) block_q4_1, y: (n/32) block_q8_1. Mirrors ggml_vec_dot_q4_1_q8_1.
float cria_vec_dot_q4_1_q8_1(int n, const void *x, const void *y);
/// x: (n/32) block_q4_0, y: (n/32) block_q8_0. Mirrors ggml_vec_dot_q4_0_q8_0 (and tinyBLAS_Q0_AVX).
float cria_vec_dot_q4_0_q8_0(int n, const void *x, const void *y);
/// x: (n/32) block_q8_0, y: (n/32) block_q8_0. Mirrors ggml_vec_dot_q8_0_q8_0 (and tinyBLAS_Q0_AVX).
float cria_vec_dot_q8_0_q8_0(int n, const void *x, const void *y);

// MARK: - Row loops

/// w: (rows, row_bytes) block_q4_1 rows, xq: (n/32) block_q8_1, out: (rows);
/// writes out[r] for r in [row_begin, row_end).
void cria_matvec_q4_1_q8_1(const void *w, size_t row_bytes, const void *xq, float *out,
                           int64_t row_begin, int64_t row_end, int n);
/// w: (rows, row_bytes) block_q4_0 rows, xq: (n/32) block_q8_0, out: (rows).
void cria_matvec_q4_0_q8_0(const void *w, size_t row_bytes, const void *xq, float *out,
                           int64_t row_begin, int64_t row_end, int n);
/// w: (rows, row_bytes) block_q8_0 rows, xq: (n/32) block_q8_0, out: (rows).
void cria_matvec_q8_0_q8_0(const void *w, size_t row_bytes, const void *xq, float *out,
                           int64_t row_begin, int64_t row_end, int n);

// MARK: - Matrix products (several activation columns at once)

/// w: (rows, row_bytes) weight rows; xq: (ncols, xq_stride bytes) quantized activation columns;
/// out: (ncols, out_stride floats). Writes out[c * out_stride + r] for r in [row_begin, row_end)
/// and c in [0, ncols), each bit-identical to the matching cria_vec_dot_* of row r and column c.
void cria_matmul_q4_1_q8_1(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                           size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q4_0_q8_0(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                           size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q8_0_q8_0(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                           size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);

// MARK: - Elementwise math (AVX2 only; the portable versions are in Swift)

/// gate[i] = silu(gate[i]) * up[i] as ggml_vec_swiglu_f32. Only call when cria_uses_avx2().
void cria_swiglu_f32_avx2(float *gate, const float *up, int64_t n);
/// x[i] = exp(x[i] - max) with ggml_v_expf in blocks of 8 (a partial last block padded with
/// masked lanes); returns the sum of the blocks' float sums, added in double, as
/// ggml_vec_soft_max_f32. Only call when cria_uses_avx2().
double cria_softmax_exp_f32_avx2(float *x, int64_t n, float max);

// MARK: - Decode attention over an f16 KV cache (AVX2 only; the portable versions are in Swift)

/// scores[h * score_stride + t] = dot(keys + t * stride, queries + h * head_size) for t in
/// [0, count) and the `heads` (1...4) query heads of one GQA group, in ggml_vec_dot_f16 order.
/// head_size is a multiple of 32, at most 256. Only call when cria_uses_avx2().
void cria_attention_scores_decode_avx2(const uint16_t *keys, size_t stride, const float *queries,
                                       int heads, int head_size, int64_t count, float *scores,
                                       size_t score_stride);
/// out[h * out_stride + d] = dot(values + d * stride, probabilities + h * probability_stride, span)
/// for d in [dim_begin, dim_end) and `heads` (1...4) heads, in ggml_vec_dot_f16 order; span is a
/// multiple of 32. Only call when cria_uses_avx2().
void cria_attention_values_decode_avx2(const uint16_t *values, size_t stride, const float *probabilities,
                                       size_t probability_stride, int heads, int64_t span, int dim_begin,
                                       int dim_end, float *out, size_t out_stride);

/// Q4_0 weights times Q8_0 activation columns in the order used for prompt batches: per block
/// the exact integer dot Σ(q-8)·y, then per output acc = fmaf(d_w · d_y, dot, acc) over the
/// blocks in order (llama.cpp likewise leaves vec_dot's order for its repacked Q4_0 gemm).
/// Same arguments and layout as cria_matmul_q4_0_q8_0.
void cria_matmul_q4_0_q8_0_lanes(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                                 size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);

// MARK: - Scalar twins (same bits as the AVX2 paths, any architecture)

void cria_quantize_row_q8_0_scalar(const float *x, void *y, int64_t k);
void cria_quantize_row_q8_1_scalar(const float *x, void *y, int64_t k);
float cria_vec_dot_q4_1_q8_1_scalar(int n, const void *x, const void *y);
float cria_vec_dot_q4_0_q8_0_scalar(int n, const void *x, const void *y);
float cria_vec_dot_q8_0_q8_0_scalar(int n, const void *x, const void *y);
void cria_matmul_q4_1_q8_1_scalar(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                                  size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q4_0_q8_0_scalar(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                                  size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q4_0_q8_0_lanes_scalar(const void *w, size_t row_bytes, const void *xq, size_t xq_stride,
                                        float *out, size_t out_stride, int64_t row_begin, int64_t row_end,
                                        int64_t ncols, int n);
void cria_matmul_q8_0_q8_0_scalar(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                                  size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);

// MARK: - K-quants against Q8_K activations (k and n are multiples of 256)
//
// Q8_K is ggml's block_q8_K: f32 d, int8 qs[256], int16 bsums[16] (sums of 16 qs each). The dot
// products mirror ggml_vec_dot_q{2,3,4,5,6}_K_q8_K (arch/x86/quants.c, AVX2 branches), the
// quantizer quantize_row_q8_K_ref (ggml-quants.c), which is what llama.cpp's x86 build calls.

/// Bytes of one ggml block_q8_K.
#define CRIA_Q8_K_BLOCK_BYTES 292

/// x: (k) -> y: (k/256) block_q8_K.
void cria_quantize_row_q8_K(const float *x, void *y, int64_t k);
/// x: (n/256) block_q4_K (q5_K, ...), y: (n/256) block_q8_K.
float cria_vec_dot_q2_K_q8_K(int n, const void *x, const void *y);
float cria_vec_dot_q3_K_q8_K(int n, const void *x, const void *y);
float cria_vec_dot_q4_K_q8_K(int n, const void *x, const void *y);
float cria_vec_dot_q5_K_q8_K(int n, const void *x, const void *y);
float cria_vec_dot_q6_K_q8_K(int n, const void *x, const void *y);
/// Same contract as cria_matmul_q4_1_q8_1, with block_q8_K activation columns.
void cria_matmul_q2_K_q8_K(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                           size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q3_K_q8_K(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                           size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q4_K_q8_K(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                           size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q5_K_q8_K(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                           size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q6_K_q8_K(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                           size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);

void cria_quantize_row_q8_K_scalar(const float *x, void *y, int64_t k);
float cria_vec_dot_q2_K_q8_K_scalar(int n, const void *x, const void *y);
float cria_vec_dot_q3_K_q8_K_scalar(int n, const void *x, const void *y);
float cria_vec_dot_q4_K_q8_K_scalar(int n, const void *x, const void *y);
float cria_vec_dot_q5_K_q8_K_scalar(int n, const void *x, const void *y);
float cria_vec_dot_q6_K_q8_K_scalar(int n, const void *x, const void *y);
void cria_matmul_q2_K_q8_K_scalar(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                                  size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q3_K_q8_K_scalar(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                                  size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q4_K_q8_K_scalar(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                                  size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q5_K_q8_K_scalar(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                                  size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);
void cria_matmul_q6_K_q8_K_scalar(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,
                                  size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n);

// MARK: - f16 helpers (round-to-nearest-even), exposed for tests

uint16_t cria_fp32_to_fp16(float f);
float cria_fp16_to_fp32(uint16_t h);

#ifdef __cplusplus
}
#endif

#endif
