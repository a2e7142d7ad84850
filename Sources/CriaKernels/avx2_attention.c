// Attention over an f16 KV cache for single-token decode, in the summation order of
// ggml_vec_dot_f16 on AVX2 (four 8-lane FMA accumulators over blocks of 32, combined
// (a0+a2)+(a1+a3), then low+high halves and two hadds), which is what llama.cpp computes
// for one token without flash attention. The query heads of one GQA group share each key and
// value row, so every f16 row is converted once for all of them, and the horizontal sums of 8
// positions are done together. The portable twins are the Swift kernels in
// Tensor/AttentionKernels.swift; tests compare the two.
#include "CriaKernels.h"
#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>

#pragma STDC FP_CONTRACT OFF

#define CRIA_AVX2 __attribute__((target("avx2,fma,f16c")))

// ((a0 + a2) + (a1 + a3)) for one position.
CRIA_AVX2 static inline __m256 combine4(const __m256 a[4]) {
    return _mm256_add_ps(_mm256_add_ps(a[0], a[2]), _mm256_add_ps(a[1], a[3]));
}

// The two-hadd horizontal sums of 8 vectors, in position order: out[p] = hsum(s[p]) where
// hsum(v) = (t0 + t1) + (t2 + t3), t = low half + high half.
CRIA_AVX2 static inline __m256 hsum8x8(const __m256 s[8]) {
    __m256 x[4];
    for (int i = 0; i < 4; i++) {
        const __m256 lo = _mm256_permute2f128_ps(s[2 * i], s[2 * i + 1], 0x20);
        const __m256 hi = _mm256_permute2f128_ps(s[2 * i], s[2 * i + 1], 0x31);
        x[i] = _mm256_add_ps(lo, hi);  // [t(s[2i]), t(s[2i+1])]
    }
    const __m256 h0 = _mm256_hadd_ps(x[0], x[1]);  // s0, s2 | s1, s3 pair sums
    const __m256 h1 = _mm256_hadd_ps(x[2], x[3]);  // s4, s6 | s5, s7
    const __m256 r = _mm256_hadd_ps(h0, h1);       // s0 s2 s4 s6 | s1 s3 s5 s7
    return _mm256_permutevar8x32_ps(r, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

CRIA_AVX2 static inline float hsum1(__m256 v) {
    __m128 t = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    t = _mm_hadd_ps(t, t);
    t = _mm_hadd_ps(t, t);
    return _mm_cvtss_f32(t);
}

CRIA_AVX2 static inline __m256 load_f16(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

// The scores of `lanes` (at most 8) positions of each head, from their accumulator sums.
CRIA_AVX2 static inline void store_scores(__m256 sums[4][8], int heads, int lanes, float *scores, size_t score_stride) {
    for (int h = 0; h < heads; h++) {
        float *out = scores + (size_t)h * score_stride;
        if (lanes == 8) {
            _mm256_storeu_ps(out, hsum8x8(sums[h]));
        } else {
            for (int p = 0; p < lanes; p++) out[p] = hsum1(sums[h][p]);
        }
    }
}

// Head size 64 with a compile-time head count: the key row stays in 8 registers.
#define CRIA_INLINE __attribute__((always_inline)) inline

CRIA_AVX2 static CRIA_INLINE void scores_64(const uint16_t *keys, size_t stride, const float *queries, const int heads,
                                            int64_t count, float *scores, size_t score_stride) {
    __m256 sums[4][8];
    for (int64_t t = 0; t < count; t += 8) {
        const int lanes = count - t < 8 ? (int)(count - t) : 8;
        for (int p = 0; p < lanes; p++) {
            const uint16_t *k = keys + (size_t)(t + p) * stride;
            _mm_prefetch((const char *)(k + 16 * stride), _MM_HINT_T0);
            _mm_prefetch((const char *)(k + 16 * stride + 32), _MM_HINT_T0);
            __m256 row[8];
            for (int j = 0; j < 8; j++) row[j] = load_f16(k + 8 * j);
            for (int h = 0; h < heads; h++) {
                const float *q = queries + h * 64;
                __m256 a[4];
                for (int j = 0; j < 4; j++) a[j] = _mm256_fmadd_ps(row[j], _mm256_loadu_ps(q + 8 * j), _mm256_setzero_ps());
                for (int j = 0; j < 4; j++) a[j] = _mm256_fmadd_ps(row[4 + j], _mm256_loadu_ps(q + 32 + 8 * j), a[j]);
                sums[h][p] = combine4(a);
            }
        }
        store_scores(sums, heads, lanes, scores + t, score_stride);
    }
}

CRIA_AVX2 void cria_attention_scores_decode_avx2(const uint16_t *keys, size_t stride, const float *queries,
                                                 int heads, int head_size, int64_t count, float *scores,
                                                 size_t score_stride) {
    if (head_size == 64) {
        switch (heads) {
        case 1: scores_64(keys, stride, queries, 1, count, scores, score_stride); return;
        case 2: scores_64(keys, stride, queries, 2, count, scores, score_stride); return;
        case 3: scores_64(keys, stride, queries, 3, count, scores, score_stride); return;
        default: scores_64(keys, stride, queries, 4, count, scores, score_stride); return;
        }
    }
    float row[256];  // one key row as f32, shared by the group's heads
    __m256 sums[4][8];
    for (int64_t t = 0; t < count; t += 8) {
        const int lanes = count - t < 8 ? (int)(count - t) : 8;
        for (int p = 0; p < lanes; p++) {
            const uint16_t *k = keys + (size_t)(t + p) * stride;
            for (int i = 0; i < head_size; i += 8) _mm256_storeu_ps(row + i, load_f16(k + i));
            for (int h = 0; h < heads; h++) {
                const float *q = queries + (size_t)h * head_size;
                __m256 a[4];
                for (int j = 0; j < 4; j++) a[j] = _mm256_setzero_ps();
                for (int i = 0; i < head_size; i += 32)
                    for (int j = 0; j < 4; j++)
                        a[j] = _mm256_fmadd_ps(_mm256_loadu_ps(row + i + 8 * j), _mm256_loadu_ps(q + i + 8 * j), a[j]);
                sums[h][p] = combine4(a);
            }
        }
        store_scores(sums, heads, lanes, scores + t, score_stride);
    }
}

CRIA_AVX2 static CRIA_INLINE void values_decode(const uint16_t *values, size_t stride, const float *probabilities,
                                                size_t probability_stride, const int heads, int64_t span,
                                                int dim_begin, int dim_end, float *out, size_t out_stride) {
    for (int d = dim_begin; d < dim_end; d++) {
        const uint16_t *v = values + (size_t)d * stride;
        __m256 a[4][4];
        for (int h = 0; h < heads; h++)
            for (int j = 0; j < 4; j++) a[h][j] = _mm256_setzero_ps();
        for (int64_t i = 0; i < span; i += 32) {
            __m256 x[4];
            for (int j = 0; j < 4; j++) x[j] = load_f16(v + i + 8 * j);
            for (int h = 0; h < heads; h++) {
                const float *p = probabilities + (size_t)h * probability_stride + i;
                for (int j = 0; j < 4; j++) a[h][j] = _mm256_fmadd_ps(x[j], _mm256_loadu_ps(p + 8 * j), a[h][j]);
            }
        }
        for (int h = 0; h < heads; h++) out[(size_t)h * out_stride + d] = hsum1(combine4(a[h]));
    }
}

CRIA_AVX2 void cria_attention_values_decode_avx2(const uint16_t *values, size_t stride, const float *probabilities,
                                                 size_t probability_stride, int heads, int64_t span, int dim_begin,
                                                 int dim_end, float *out, size_t out_stride) {
    switch (heads) {
    case 1: values_decode(values, stride, probabilities, probability_stride, 1, span, dim_begin, dim_end, out, out_stride); return;
    case 2: values_decode(values, stride, probabilities, probability_stride, 2, span, dim_begin, dim_end, out, out_stride); return;
    case 3: values_decode(values, stride, probabilities, probability_stride, 3, span, dim_begin, dim_end, out, out_stride); return;
    default: values_decode(values, stride, probabilities, probability_stride, 4, span, dim_begin, dim_end, out, out_stride); return;
    }
}

#endif
