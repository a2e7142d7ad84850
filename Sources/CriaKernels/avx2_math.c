// Elementwise f32 math of the forward pass with ggml's AVX2 code paths (ggml-cpu/vec.h
// ggml_v_expf and ggml_v_silu, vec.cpp ggml_vec_swiglu_f32 and ggml_vec_soft_max_f32), same
// operations in the same order. Swift's SIMD types lower the lane masks these need to one
// store per lane, so they are written with intrinsics here. The portable twins are the Swift
// versions in Tensor/GGMLMath.swift; tests compare the two.
#include "CriaKernels.h"
#include "internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#pragma STDC FP_CONTRACT OFF

#define CRIA_AVX2 __attribute__((target("avx2,fma,f16c")))

CRIA_AVX2 static inline __m256 exp8(__m256 x) {
    const __m256 r = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), r);
    const __m256 n = _mm256_sub_ps(z, r);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1))));
    const __m256 abs_n = _mm256_andnot_ps(_mm256_set1_ps(-0.f), n);
    const __m256 c = _mm256_cmp_ps(abs_n, _mm256_set1_ps(126), _CMP_GT_OQ);
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 j = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        u, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
    if (!_mm256_movemask_ps(c)) return _mm256_fmadd_ps(j, k, k);
    // |n| > 126: the scale 2^n does not fit one float; build it from two factors.
    const __m256i g = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                       _mm256_set1_epi32((int)0x82000000u));
    const __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(g, _mm256_set1_epi32(0x7f000000)));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(e, g));
    const __m256 d = _mm256_cmp_ps(abs_n, _mm256_set1_ps(192), _CMP_GT_OQ);
    const __m256 scaled = _mm256_mul_ps(_mm256_fmadd_ps(s2, j, s2), s1);
    const __m256 normal = _mm256_fmadd_ps(k, j, k);
    return _mm256_or_ps(_mm256_and_ps(d, _mm256_mul_ps(s1, s1)),
                        _mm256_andnot_ps(d, _mm256_or_ps(_mm256_and_ps(c, scaled), _mm256_andnot_ps(c, normal))));
}

CRIA_AVX2 static inline __m256 silu8(__m256 x) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1), e));
}

CRIA_AVX2 void cria_swiglu_f32_avx2(float *gate, const float *up, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(silu8(_mm256_loadu_ps(gate + i)), _mm256_loadu_ps(up + i)));
    for (; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

CRIA_AVX2 double cria_softmax_exp_f32_avx2(float *x, int64_t n, float max) {
    const __m256 m = _mm256_set1_ps(max);
    double sum = 0;
    int64_t i = 0;
    for (;; i += 8) {
        __m256 v;
        const int64_t left = n - i;
        if (left <= 0) break;
        if (left >= 8) {
            v = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), m));
            _mm256_storeu_ps(x + i, v);
        } else {
            // A partial block counts its missing lanes as masked cells: exp(-inf) = 0.
            float tail[8];
            for (int l = 0; l < 8; l++) tail[l] = l < left ? x[i + l] : -INFINITY;
            v = exp8(_mm256_sub_ps(_mm256_loadu_ps(tail), m));
            v = _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)left),
                                                                        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))));
            _mm256_storeu_ps(tail, v);
            for (int l = 0; l < left; l++) x[i + l] = tail[l];
        }
        __m128 s = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        s = _mm_add_ss(s, _mm_movehdup_ps(s));
        sum += (double)_mm_cvtss_f32(s);
    }
    return sum;
}

#endif
