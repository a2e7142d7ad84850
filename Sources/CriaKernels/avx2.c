// AVX2/FMA/F16C kernels, written to perform the same operations in the same order as
// llama.cpp's x86 CPU path (ggml/src/ggml-cpu/arch/x86/quants.c, llama-cpp-python 0.3.36):
// quantize_row_q8_0, quantize_row_q8_1, ggml_vec_dot_q4_0_q8_0, ggml_vec_dot_q4_1_q8_1,
// ggml_vec_dot_q8_0_q8_0 (AVX2 branches, no AVX-VNNI: Zen 1 has none).
#include "CriaKernels.h"
#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#pragma STDC FP_CONTRACT OFF

#define CRIA_AVX2 __attribute__((target("avx2,fma,f16c")))

// f16 -> f32 through a table, like ggml's ggml_table_f32_f16: a scalar vcvtph2ps per scale
// costs Q4_1 (four scales per block) about 25% on Zen 1. The table holds exact conversions.
static float f16_table[65536];

CRIA_AVX2 void cria_avx2_init_tables(void) {
    for (uint32_t h = 0; h < 65536; h += 8) {
        const __m128i v = _mm_setr_epi16((short)h, (short)(h + 1), (short)(h + 2), (short)(h + 3),
                                         (short)(h + 4), (short)(h + 5), (short)(h + 6), (short)(h + 7));
        _mm256_storeu_ps(f16_table + h, _mm256_cvtph_ps(v));
    }
}

static inline float f16_to_f32(uint16_t h) { return f16_table[h]; }

CRIA_AVX2 static inline uint16_t f32_to_f16(float f) {
    return (uint16_t)_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(f), _MM_FROUND_TO_NEAREST_INT), 0);
}

// hsum_float_8
CRIA_AVX2 static inline float hsum8(__m256 x) {
    __m128 r = _mm256_extractf128_ps(x, 1);
    r = _mm_add_ps(r, _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// bytes_from_nibbles_32: low nibbles in the low 128 bits, high nibbles in the high 128 bits.
CRIA_AVX2 static inline __m256i nibbles(const uint8_t *qs) {
    const __m128i t = _mm_loadu_si128((const __m128i *)qs);
    const __m256i b = _mm256_insertf128_si256(_mm256_castsi128_si256(t), _mm_srli_epi16(t, 4), 1);
    return _mm256_and_si256(b, _mm256_set1_epi8(0x0f));
}

// mul_sum_us8_pairs_float (no VNNI): vpmaddubsw, vpmaddwd with ones, vcvtdq2ps.
CRIA_AVX2 static inline __m256 mul_sum_us8(__m256i ax, __m256i sy) {
    const __m256i dot = _mm256_maddubs_epi16(ax, sy);
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_set1_epi16(1), dot));
}

// mul_sum_i8_pairs_float
CRIA_AVX2 static inline __m256 mul_sum_i8(__m256i x, __m256i y) {
    return mul_sum_us8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

// MARK: - Quantization

// Returns d; leaves the 32 rounded int32 values in i[0..3].
CRIA_AVX2 static inline float quantize_block(const float *x, __m256i i[4]) {
    __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
    __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    __m256 maxAbs = _mm256_andnot_ps(signBit, v0);
    maxAbs = _mm256_max_ps(maxAbs, _mm256_andnot_ps(signBit, v1));
    maxAbs = _mm256_max_ps(maxAbs, _mm256_andnot_ps(signBit, v2));
    maxAbs = _mm256_max_ps(maxAbs, _mm256_andnot_ps(signBit, v3));
    __m128 max4 = _mm_max_ps(_mm256_extractf128_ps(maxAbs, 1), _mm256_castps256_ps128(maxAbs));
    max4 = _mm_max_ps(max4, _mm_movehl_ps(max4, max4));
    max4 = _mm_max_ss(max4, _mm_movehdup_ps(max4));
    const float amax = _mm_cvtss_f32(max4);

    const float d = amax / 127.f;
    const float id = (amax != 0.0f) ? 127.f / amax : 0.0f;
    const __m256 mul = _mm256_set1_ps(id);
#define CRIA_ROUND_NEAREST_EVEN (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
    i[0] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, mul), CRIA_ROUND_NEAREST_EVEN));
    i[1] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, mul), CRIA_ROUND_NEAREST_EVEN));
    i[2] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, mul), CRIA_ROUND_NEAREST_EVEN));
    i[3] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, mul), CRIA_ROUND_NEAREST_EVEN));
    return d;
}

// Saturating packs work within 128-bit halves; the permute restores element order.
CRIA_AVX2 static inline void store_packed(int8_t *qs, const __m256i i[4]) {
    const __m256i a = _mm256_packs_epi32(i[0], i[1]);
    const __m256i b = _mm256_packs_epi32(i[2], i[3]);
    __m256i p = _mm256_packs_epi16(a, b);
    p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)qs, p);
}

// hsum_i32_8
CRIA_AVX2 static inline int32_t hsum_i32_8(__m256i a) {
    const __m128i sum128 = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    const __m128i sum64 = _mm_add_epi32(_mm_unpackhi_epi64(sum128, sum128), sum128);
    const __m128i hi32 = _mm_shuffle_epi32(sum64, _MM_SHUFFLE(2, 3, 0, 1));
    return _mm_cvtsi128_si32(_mm_add_epi32(sum64, hi32));
}

CRIA_AVX2 void cria_quantize_row_q8_0_avx2(const float *x, void *vy, int64_t k) {
    cria_block_q8_0 *y = vy;
    __m256i i[4];
    for (int64_t b = 0; b < k / 32; b++) {
        const float d = quantize_block(x + 32 * b, i);
        y[b].d = f32_to_f16(d);
        store_packed(y[b].qs, i);
    }
}

CRIA_AVX2 void cria_quantize_row_q8_1_avx2(const float *x, void *vy, int64_t k) {
    cria_block_q8_1 *y = vy;
    __m256i i[4];
    for (int64_t b = 0; b < k / 32; b++) {
        const float d = quantize_block(x + 32 * b, i);
        y[b].d = f32_to_f16(d);
        const int32_t sum = hsum_i32_8(_mm256_add_epi32(_mm256_add_epi32(i[0], i[1]),
                                                        _mm256_add_epi32(i[2], i[3])));
        y[b].s = f32_to_f16(d * (float)sum);
        store_packed(y[b].qs, i);
    }
}

// MARK: - Dot products

CRIA_AVX2 static inline float dot_q4_1_q8_1(int n, const cria_block_q4_1 *x, const cria_block_q8_1 *y) {
    __m256 acc = _mm256_setzero_ps();
    __m128 summs = _mm_setzero_ps();
    for (int ib = 0; ib < n / 32; ib++) {
        const float d0 = f16_to_f32(x[ib].d);
        const float d1 = f16_to_f32(y[ib].d);
        // `summs += m * s`, which llama.cpp's build contracts to vfmadd231ss.
        summs = _mm_fmadd_ss(_mm_set_ss(f16_to_f32(x[ib].m)), _mm_set_ss(f16_to_f32(y[ib].s)), summs);
        const __m256 d0d1 = _mm256_mul_ps(_mm256_set1_ps(d0), _mm256_set1_ps(d1));
        const __m256i qx = nibbles(x[ib].qs);
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y[ib].qs);
        acc = _mm256_fmadd_ps(d0d1, mul_sum_us8(qx, qy), acc);
    }
    return hsum8(acc) + _mm_cvtss_f32(summs);
}

CRIA_AVX2 static inline float dot_q4_0_q8_0(int n, const cria_block_q4_0 *x, const cria_block_q8_0 *y) {
    __m256 acc = _mm256_setzero_ps();
    for (int ib = 0; ib < n / 32; ib++) {
        const __m256 d = _mm256_set1_ps(f16_to_f32(x[ib].d) * f16_to_f32(y[ib].d));
        const __m256i qx = _mm256_sub_epi8(nibbles(x[ib].qs), _mm256_set1_epi8(8));
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y[ib].qs);
        acc = _mm256_fmadd_ps(d, mul_sum_i8(qx, qy), acc);
    }
    return hsum8(acc);
}

CRIA_AVX2 static inline float dot_q8_0_q8_0(int n, const cria_block_q8_0 *x, const cria_block_q8_0 *y) {
    __m256 acc = _mm256_setzero_ps();
    for (int ib = 0; ib < n / 32; ib++) {
        const __m256 d = _mm256_set1_ps(f16_to_f32(x[ib].d) * f16_to_f32(y[ib].d));
        const __m256i qx = _mm256_loadu_si256((const __m256i *)x[ib].qs);
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y[ib].qs);
        acc = _mm256_fmadd_ps(d, mul_sum_i8(qx, qy), acc);
    }
    return hsum8(acc);
}

CRIA_AVX2 float cria_vec_dot_q4_1_q8_1_avx2(int n, const void *x, const void *y) { return dot_q4_1_q8_1(n, x, y); }
CRIA_AVX2 float cria_vec_dot_q4_0_q8_0_avx2(int n, const void *x, const void *y) { return dot_q4_0_q8_0(n, x, y); }
CRIA_AVX2 float cria_vec_dot_q8_0_q8_0_avx2(int n, const void *x, const void *y) { return dot_q8_0_q8_0(n, x, y); }

// MARK: - Row loops

CRIA_AVX2 void cria_matvec_q4_1_q8_1_avx2(const void *w, size_t row_bytes, const void *xq, float *out,
                                          int64_t row_begin, int64_t row_end, int n) {
    for (int64_t r = row_begin; r < row_end; r++)
        out[r] = dot_q4_1_q8_1(n, (const cria_block_q4_1 *)((const uint8_t *)w + (size_t)r * row_bytes), xq);
}

CRIA_AVX2 void cria_matvec_q4_0_q8_0_avx2(const void *w, size_t row_bytes, const void *xq, float *out,
                                          int64_t row_begin, int64_t row_end, int n) {
    for (int64_t r = row_begin; r < row_end; r++)
        out[r] = dot_q4_0_q8_0(n, (const cria_block_q4_0 *)((const uint8_t *)w + (size_t)r * row_bytes), xq);
}

CRIA_AVX2 void cria_matvec_q8_0_q8_0_avx2(const void *w, size_t row_bytes, const void *xq, float *out,
                                          int64_t row_begin, int64_t row_end, int n) {
    for (int64_t r = row_begin; r < row_end; r++)
        out[r] = dot_q8_0_q8_0(n, (const cria_block_q8_0 *)((const uint8_t *)w + (size_t)r * row_bytes), xq);
}

// MARK: - Matrix products
//
// out[c * out_stride + r] = dot(row r, column c) for a tile of R rows × C columns at once: each
// weight block is unpacked once for C columns and each activation block loaded once for R rows.
// Every output keeps its own accumulator and the per-block operations of the dot products above,
// in the same order, so the results are bit-identical to one vec_dot per element (which is what
// llama.cpp computes for these types in a batch: ggml_compute_forward_mul_mat, tinyBLAS_Q0_AVX).

#ifndef TILE_ROWS
#define TILE_ROWS 2
#endif
#ifndef TILE_COLS
#define TILE_COLS 4
#endif
#define CRIA_INLINE __attribute__((always_inline)) inline

CRIA_AVX2 static CRIA_INLINE void tile_q4_1(int R, int C, int n, const uint8_t *w, size_t row_bytes,
                                            const uint8_t *xq, size_t xq_stride, float *out, size_t out_stride) {
    __m256 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) acc[r][c] = _mm256_setzero_ps();
    for (int ib = 0; ib < n / 32; ib++) {
        __m256i qx[4];
        float d0[4];
        for (int r = 0; r < R; r++) {
            const cria_block_q4_1 *x = (const cria_block_q4_1 *)(w + (size_t)r * row_bytes) + ib;
            qx[r] = nibbles(x->qs);
            d0[r] = f16_to_f32(x->d);
        }
        for (int c = 0; c < C; c++) {
            const cria_block_q8_1 *y = (const cria_block_q8_1 *)(xq + (size_t)c * xq_stride) + ib;
            const __m256i qy = _mm256_loadu_si256((const __m256i *)y->qs);
            const __m256 d1 = _mm256_set1_ps(f16_to_f32(y->d));
            for (int r = 0; r < R; r++)
                acc[r][c] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(d0[r]), d1), mul_sum_us8(qx[r], qy), acc[r][c]);
        }
    }
    float dots[4][4];
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) dots[r][c] = hsum8(acc[r][c]);
    // The m·s sums, each a chain of scalar FMAs: all R×C chains advance together, so their
    // latency overlaps (one chain after another would leave the FMA unit idle).
    __m128 summs[4][4];
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) summs[r][c] = _mm_setzero_ps();
    for (int ib = 0; ib < n / 32; ib++) {
        __m128 m[4];
        for (int r = 0; r < R; r++)
            m[r] = _mm_set_ss(f16_to_f32(((const cria_block_q4_1 *)(w + (size_t)r * row_bytes) + ib)->m));
        for (int c = 0; c < C; c++) {
            const __m128 sy = _mm_set_ss(f16_to_f32(((const cria_block_q8_1 *)(xq + (size_t)c * xq_stride) + ib)->s));
            for (int r = 0; r < R; r++) summs[r][c] = _mm_fmadd_ss(m[r], sy, summs[r][c]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) out[(size_t)c * out_stride + r] = dots[r][c] + _mm_cvtss_f32(summs[r][c]);
}

// Q4_0 and Q8_0 weights against Q8_0 activations; `unpack` gives the signed weight bytes.
#define CRIA_TILE_Q0(name, block_t, unpack)                                                                  \
    CRIA_AVX2 static CRIA_INLINE void name(int R, int C, int n, const uint8_t *w, size_t row_bytes,          \
                                           const uint8_t *xq, size_t xq_stride, float *out, size_t out_stride) { \
        __m256 acc[4][4];                                                                                   \
        for (int r = 0; r < R; r++)                                                                         \
            for (int c = 0; c < C; c++) acc[r][c] = _mm256_setzero_ps();                                    \
        for (int ib = 0; ib < n / 32; ib++) {                                                               \
            __m256i ax[4], sx[4];                                                                           \
            float d0[4];                                                                                    \
            for (int r = 0; r < R; r++) {                                                                   \
                const block_t *x = (const block_t *)(w + (size_t)r * row_bytes) + ib;                       \
                sx[r] = unpack(x);                                                                          \
                ax[r] = _mm256_sign_epi8(sx[r], sx[r]);                                                     \
                d0[r] = f16_to_f32(x->d);                                                                   \
            }                                                                                               \
            for (int c = 0; c < C; c++) {                                                                   \
                const cria_block_q8_0 *y = (const cria_block_q8_0 *)(xq + (size_t)c * xq_stride) + ib;      \
                const __m256i qy = _mm256_loadu_si256((const __m256i *)y->qs);                              \
                const float d1 = f16_to_f32(y->d);                                                          \
                for (int r = 0; r < R; r++)                                                                 \
                    acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(d0[r] * d1),                                 \
                                                mul_sum_us8(ax[r], _mm256_sign_epi8(qy, sx[r])), acc[r][c]); \
            }                                                                                               \
        }                                                                                                   \
        for (int r = 0; r < R; r++)                                                                         \
            for (int c = 0; c < C; c++) out[(size_t)c * out_stride + r] = hsum8(acc[r][c]);                 \
    }

CRIA_AVX2 static inline __m256i unpack_q4_0(const cria_block_q4_0 *x) {
    return _mm256_sub_epi8(nibbles(x->qs), _mm256_set1_epi8(8));
}
CRIA_AVX2 static inline __m256i unpack_q8_0(const cria_block_q8_0 *x) {
    return _mm256_loadu_si256((const __m256i *)x->qs);
}
CRIA_TILE_Q0(tile_q4_0, cria_block_q4_0, unpack_q4_0)
CRIA_TILE_Q0(tile_q8_0, cria_block_q8_0, unpack_q8_0)

// Columns in tiles of TC over rows in tiles of TR (an odd last row with a 1-row tile); the
// columns left over (fewer than TC, e.g. single-token decode) go through the row loop, which
// is faster than a one-column tile.
#define CRIA_MATMUL(name, tile, rowloop, TR, TC)                                                            \
    CRIA_AVX2 void name(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,     \
                        size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n) {     \
        const uint8_t *wb = w, *xb = xq;                                                                    \
        const int64_t tiled = ncols / TC * TC;                                                              \
        if (tiled > 0) {                                                                                    \
            int64_t r = row_begin;                                                                          \
            for (; r + TR <= row_end; r += TR)                                                              \
                for (int64_t c = 0; c < tiled; c += TC)                                                     \
                    tile(TR, TC, n, wb + (size_t)r * row_bytes, row_bytes, xb + (size_t)c * xq_stride,     \
                         xq_stride, out + (size_t)c * out_stride + r, out_stride);                          \
            for (; r < row_end; r++)                                                                        \
                for (int64_t c = 0; c < tiled; c += TC)                                                     \
                    tile(1, TC, n, wb + (size_t)r * row_bytes, row_bytes, xb + (size_t)c * xq_stride,      \
                         xq_stride, out + (size_t)c * out_stride + r, out_stride);                          \
        }                                                                                                   \
        for (int64_t c = tiled; c < ncols; c++)                                                             \
            rowloop(w, row_bytes, xb + (size_t)c * xq_stride, out + (size_t)c * out_stride, row_begin, row_end, n); \
    }

CRIA_MATMUL(cria_matmul_q4_1_q8_1_avx2, tile_q4_1, cria_matvec_q4_1_q8_1_avx2, TILE_ROWS, TILE_COLS)
CRIA_MATMUL(cria_matmul_q4_0_q8_0_avx2, tile_q4_0, cria_matvec_q4_0_q8_0_avx2, TILE_ROWS, TILE_COLS)
CRIA_MATMUL(cria_matmul_q8_0_q8_0_avx2, tile_q8_0, cria_matvec_q8_0_q8_0_avx2, TILE_ROWS, TILE_COLS)


// MARK: - Q4_0 prompt matmul with rows in vector lanes
//
// For prompt batches llama.cpp does not use vec_dot on Q4_0: it repacks the weights and runs a
// gemm whose float sums differ from vec_dot's. Here, too, a batch takes a faster order: eight
// rows at once, one vector lane per row. Each block's integer dot Σ(q-8)·y is exact (maddubs of
// the unsigned nibbles, three levels of 16-bit horizontal adds that cannot overflow, minus
// 8·Σy); each row then accumulates fma(d_row·d_y, dot, acc) over its blocks in f32. The scalar
// twin performs the same operations per element, so both give the same bits.

#ifndef TILE_LANES_COLS
#define TILE_LANES_COLS 4
#endif

// 8 · Σ y over one Q8_0 block.
CRIA_AVX2 static inline int32_t q8_block_sum8(const __m256i y) {
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_set1_epi8(1), y);
    return 8 * hsum_i32_8(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}

CRIA_AVX2 static CRIA_INLINE void tile_q4_0_rows8(int C, int n, const uint8_t *w, size_t row_bytes, const uint8_t *xq,
                                                  size_t xq_stride, const int32_t *ysum8, float *out, size_t out_stride) {
    __m256 acc[4];
    for (int c = 0; c < C; c++) acc[c] = _mm256_setzero_ps();
    for (int ib = 0; ib < n / 32; ib++) {
        __m256i q[8];
        float d[8];
        for (int r = 0; r < 8; r++) {
            const cria_block_q4_0 *x = (const cria_block_q4_0 *)(w + (size_t)r * row_bytes) + ib;
            q[r] = nibbles(x->qs);
            d[r] = f16_to_f32(x->d);
        }
        const __m256 dr = _mm256_loadu_ps(d);
        for (int c = 0; c < C; c++) {
            const cria_block_q8_0 *y = (const cria_block_q8_0 *)(xq + (size_t)c * xq_stride) + ib;
            const __m256i yv = _mm256_loadu_si256((const __m256i *)y->qs);
            __m256i p[8];
            for (int r = 0; r < 8; r++) p[r] = _mm256_maddubs_epi16(q[r], yv);  // |.| <= 2·15·128
            const __m256i h01 = _mm256_hadd_epi16(p[0], p[1]), h23 = _mm256_hadd_epi16(p[2], p[3]);
            const __m256i h45 = _mm256_hadd_epi16(p[4], p[5]), h67 = _mm256_hadd_epi16(p[6], p[7]);
            // Per 128-bit half, lane r: row r's sum over that half (at most 8·3840 < 2^15).
            const __m256i h = _mm256_hadd_epi16(_mm256_hadd_epi16(h01, h23), _mm256_hadd_epi16(h45, h67));
            __m256i dot = _mm256_add_epi32(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(h)),
                                           _mm256_cvtepi16_epi32(_mm256_extracti128_si256(h, 1)));
            dot = _mm256_sub_epi32(dot, _mm256_set1_epi32(ysum8[c * (n / 32) + ib]));
            acc[c] = _mm256_fmadd_ps(_mm256_mul_ps(dr, _mm256_set1_ps(f16_to_f32(y->d))), _mm256_cvtepi32_ps(dot), acc[c]);
        }
    }
    for (int c = 0; c < C; c++) {
        float t[8];
        _mm256_storeu_ps(t, acc[c]);
        for (int r = 0; r < 8; r++) out[(size_t)c * out_stride + r] = t[r];
    }
}

// One row with the same arithmetic (rows left over after the 8-row tiles).
CRIA_AVX2 static void row_q4_0_lanes(int n, const uint8_t *w, const uint8_t *xq, size_t xq_stride, int64_t ncols,
                                     float *out, size_t out_stride) {
    const cria_block_q4_0 *x = (const cria_block_q4_0 *)w;
    for (int64_t c = 0; c < ncols; c++) {
        const cria_block_q8_0 *y = (const cria_block_q8_0 *)(xq + (size_t)c * xq_stride);
        float acc = 0;
        for (int ib = 0; ib < n / 32; ib++) {
            const __m256i yv = _mm256_loadu_si256((const __m256i *)y[ib].qs);
            const __m256i p = _mm256_maddubs_epi16(nibbles(x[ib].qs), yv);
            const int32_t dot = hsum_i32_8(_mm256_madd_epi16(p, _mm256_set1_epi16(1))) - q8_block_sum8(yv);
            const float scale = f16_to_f32(x[ib].d) * f16_to_f32(y[ib].d);
            acc = _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(scale), _mm_set_ss((float)dot), _mm_set_ss(acc)));
        }
        out[(size_t)c * out_stride] = acc;
    }
}

CRIA_AVX2 void cria_matmul_q4_0_q8_0_lanes_avx2(const void *w, size_t row_bytes, const void *xq, size_t xq_stride,
                                                float *out, size_t out_stride, int64_t row_begin, int64_t row_end,
                                                int64_t ncols, int n) {
    const uint8_t *wb = w, *xb = xq;
    const int nb = n / 32;
    if (nb > 64 * 64) {  // rows longer than 131072: beyond the stack table below
        cria_matmul_q4_0_q8_0_lanes_scalar(w, row_bytes, xq, xq_stride, out, out_stride, row_begin, row_end, ncols, n);
        return;
    }
    int64_t r = row_begin;
    // 8·Σy of every column's blocks, once for all row tiles; columns in groups to bound the stack.
    int32_t ysum8[64 * 64];
    const int64_t group = nb <= 64 ? 64 : 64 * 64 / nb;
    for (int64_t c0 = 0; c0 < ncols; c0 += group) {
        const int64_t cols = ncols - c0 < group ? ncols - c0 : group;
        for (int64_t c = 0; c < cols; c++)
            for (int ib = 0; ib < nb; ib++)
                ysum8[c * nb + ib] = q8_block_sum8(_mm256_loadu_si256(
                    (const __m256i *)((const cria_block_q8_0 *)(xb + (size_t)(c0 + c) * xq_stride) + ib)->qs));
        for (r = row_begin; r + 8 <= row_end; r += 8) {
            int64_t c = 0;
            for (; c + TILE_LANES_COLS <= cols; c += TILE_LANES_COLS)
                tile_q4_0_rows8(TILE_LANES_COLS, n, wb + (size_t)r * row_bytes, row_bytes, xb + (size_t)(c0 + c) * xq_stride,
                                xq_stride, ysum8 + c * nb, out + (size_t)(c0 + c) * out_stride + r, out_stride);
            for (; c < cols; c++)
                tile_q4_0_rows8(1, n, wb + (size_t)r * row_bytes, row_bytes, xb + (size_t)(c0 + c) * xq_stride, xq_stride,
                                ysum8 + c * nb, out + (size_t)(c0 + c) * out_stride + r, out_stride);
        }
    }
    r = row_begin + (row_end - row_begin) / 8 * 8;
    for (; r < row_end; r++) row_q4_0_lanes(n, wb + (size_t)r * row_bytes, xb, xq_stride, ncols, out + r, out_stride);
}

#endif
