// AVX2/FMA/F16C K-quant kernels against Q8_K activations, written to perform the same operations
// in the same order as llama.cpp's x86 CPU path (ggml/src/ggml-cpu/arch/x86/quants.c,
// llama-cpp-python 0.3.36, plain __AVX2__ branches: no AVX-VNNI or AVX-512 on Zen 1):
// ggml_vec_dot_q{2,3,4,5,6}_K_q8_K, and quantize_row_q8_K, which on x86 is
// quantize_row_q8_K_ref (ggml/src/ggml-quants.c, compiled without FMA into libggml-base).
//
// Every K-quant dot product has the same skeleton: a super-block of 256 weights is 8 runs of 32
// bytes; per run, vpmaddubsw(weights, q8) then vpmaddwd with the run's 16-bit scales, summed
// into 8 int32 lanes; the lanes become floats and are accumulated with one FMA per super-block.
// The integer lanes are exact, so what must follow llama.cpp is which products land in which
// lane and every float step after that; both are kept in llama.cpp's order below.
#include "CriaKernels.h"
#include "kquants.h"

#if defined(__x86_64__)
#include <immintrin.h>

#pragma STDC FP_CONTRACT OFF

#define CRIA_AVX2 __attribute__((target("avx2,fma,f16c")))
#define CRIA_INLINE __attribute__((always_inline)) inline

// One conversion per super-block, from a register whose other lanes are zero: clang otherwise
// inserts the scalar into whatever register is at hand, denormals included (KERNELS.md).
CRIA_AVX2 static inline float f16_to_f32(uint16_t h) {
    __m128i v = _mm_cvtsi32_si128(h);
    __asm__("" : "+x"(v));  // opaque: keeps the vmovd that zeroes the other lanes
    return _mm_cvtss_f32(_mm_cvtph_ps(v));
}

// hsum_float_8
CRIA_AVX2 static inline float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// MARK: - Activation quantization

// The first element of largest magnitude (quantize_row_q8_K_ref keeps the first x[j] whose
// |x[j]| beats the running maximum; NaNs never do). Returns 0 with *max_out untouched when the
// block is all zeros or NaNs.
CRIA_AVX2 static inline float block_amax(const float *x, float *max_out) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    // vmaxps returns its second operand when either is NaN: NaN inputs leave m as it was.
    for (int j = 0; j < 256; j += 8) m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)), m);
    __m128 h = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    const float amax = _mm_cvtss_f32(h);
    if (amax == 0) return 0;
    const __m256 target = _mm256_set1_ps(amax);
    for (int j = 0; j < 256; j += 8) {
        const int hits = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)), target, _CMP_EQ_OQ));
        if (hits) {
            *max_out = x[j + __builtin_ctz((unsigned)hits)];
            break;
        }
    }
    return amax;
}

CRIA_AVX2 void cria_quantize_row_q8_K_avx2(const float *x, void *vy, int64_t k) {
    cria_block_q8_K *y = vy;
    const __m256 magic = _mm256_set1_ps(12582912.f);  // nearest_int: 1.5 * 2^23
    const __m256i mantissa = _mm256_set1_epi32(0x007fffff), bias = _mm256_set1_epi32(0x00400000);
    const __m256i limit = _mm256_set1_epi32(127), low_byte = _mm256_set1_epi32(0xff);
    for (int64_t i = 0; i < k / 256; i++, x += 256) {
        float max = 0;
        if (block_amax(x, &max) == 0) {
            // llama.cpp leaves bsums unwritten here; they only ever meet d = 0.
            memset(&y[i], 0, sizeof(y[i]));
            continue;
        }
        const float iscale = -127.f / max;
        const __m256 vscale = _mm256_set1_ps(iscale);
        for (int g = 0; g < 16; g++) {
            __m256i v[2];
            for (int h = 0; h < 2; h++) {
                const __m256 f = _mm256_add_ps(_mm256_mul_ps(vscale, _mm256_loadu_ps(x + 16 * g + 8 * h)), magic);
                const __m256i bits = _mm256_and_si256(_mm256_castps_si256(f), mantissa);
                // MIN(127, v), then the implicit int -> int8_t conversion keeps the low byte.
                v[h] = _mm256_min_epi32(_mm256_sub_epi32(bits, bias), limit);
            }
            // Low bytes through unsigned packs (no saturation: every value is 0...255 by then),
            // and bsums from the same bytes sign-extended.
            const __m256i packed16 = _mm256_packus_epi32(_mm256_and_si256(v[0], low_byte), _mm256_and_si256(v[1], low_byte));
            const __m128i packed8 = _mm_packus_epi16(_mm256_castsi256_si128(packed16), _mm256_extracti128_si256(packed16, 1));
            // packus works within 128-bit halves: bytes arrive as v0[0..3] v1[0..3] v0[4..7] v1[4..7].
            _mm_storeu_si128((__m128i *)(y[i].qs + 16 * g), _mm_shuffle_epi8(packed8,
                _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15)));
            const __m256i s = _mm256_add_epi32(_mm256_srai_epi32(_mm256_slli_epi32(v[0], 24), 24),
                                               _mm256_srai_epi32(_mm256_slli_epi32(v[1], 24), 24));
            __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
            t = _mm_add_epi32(t, _mm_unpackhi_epi64(t, t));
            t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 1));
            y[i].bsums[g] = (int16_t)_mm_cvtsi128_si32(t);
        }
        y[i].d = 1 / iscale;
    }
}

// MARK: - Unpacked super-blocks

// One weight super-block, unpacked once and shared by every activation column of a tile.
typedef struct {
    __m256i q[8];   // run k: the unsigned weight values of elements 32k...32k+31
    __m256i sc[8];  // run k: the int16 multiplier of each vpmaddwd pair
    __m256i hi[8];  // Q3_K: 4 where the element's high bit is clear, subtracted from q; else unused
    __m256i mins;   // Q2_K: 16 int16 mins; Q4_K/Q5_K: 8 int16 mins (low half); Q6_K: 16 int16 scales
    float d, dmin;  // the block's f16 super-scales
} krow;

// Per output element: the float accumulators of llama.cpp's loop.
typedef struct {
    __m256 acc;    // every type
    __m128 acc_m;  // Q4_K: the mins term
    float summs;   // Q5_K: the mins term
} kacc;

// Run k of Q2_K, Q3_K and Q6_K: scales of sub-blocks 2k (elements 0..15 of the run) and 2k+1
// (16..31), one vpshufb of the scales' half, like get_scale_shuffle_q3k.
CRIA_AVX2 static CRIA_INLINE __m256i run_scales16(__m256i scales16, int k) {
    const __m128i half = k < 4 ? _mm256_castsi256_si128(scales16) : _mm256_extracti128_si256(scales16, 1);
    const char i = (char)(4 * (k % 4));  // byte offset of scale 2k within its half
    const __m256i pick = _mm256_setr_epi8(i, i + 1, i, i + 1, i, i + 1, i, i + 1, i, i + 1, i, i + 1, i, i + 1, i, i + 1,
                                          i + 2, i + 3, i + 2, i + 3, i + 2, i + 3, i + 2, i + 3,
                                          i + 2, i + 3, i + 2, i + 3, i + 2, i + 3, i + 2, i + 3);
    return _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(half), pick);
}

// Sum over the 8 runs of vpmaddwd(scales, vpmaddubsw(q, q8)) (minus the same for `hi`, Q3_K).
CRIA_AVX2 static CRIA_INLINE __m256i runs_dot(const krow *w, const int8_t *q8, int with_hi) {
    __m256i sumi = _mm256_setzero_si256();
    for (int k = 0; k < 8; k++) {
        const __m256i y = _mm256_loadu_si256((const __m256i *)(q8 + 32 * k));
        __m256i p16 = _mm256_maddubs_epi16(w->q[k], y);
        if (with_hi) p16 = _mm256_sub_epi16(p16, _mm256_maddubs_epi16(w->hi[k], y));
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(w->sc[k], p16));
    }
    return sumi;
}

CRIA_AVX2 static CRIA_INLINE void fma_lanes(__m256 *acc, float d, __m256i sumi) {
    *acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), *acc);
}

// MARK: - Per type: unpack a weight super-block, accumulate one activation block, finish

// Q4_K/Q5_K: one scale per run (sub-block of 32), 8 mins.
CRIA_AVX2 static CRIA_INLINE void unpack_k4_scales(const uint8_t scales[12], krow *w) {
    uint8_t sm[16];
    cria_unpack_scales_k4(scales, sm);
    w->mins = _mm256_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(sm + 8)));
    for (int k = 0; k < 8; k++) w->sc[k] = _mm256_set1_epi16(sm[k]);
}

// Q4_K: runs 2j and 2j+1 are the low and high nibbles of qs[32j...32j+31].
CRIA_AVX2 static CRIA_INLINE void unpack_q4_K(const cria_block_q4_K *x, krow *w) {
    unpack_k4_scales(x->scales, w);
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    for (int j = 0; j < 4; j++) {
        const __m256i bits = _mm256_loadu_si256((const __m256i *)(x->qs + 32 * j));
        w->q[2 * j] = _mm256_and_si256(bits, m4);
        w->q[2 * j + 1] = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
    }
    w->d = f16_to_f32(x->d);
    w->dmin = f16_to_f32(x->dmin);
}

// Q4_K and Q5_K differ only in how the mins term is summed: four lanes (Q4_K) or one scalar
// per block (Q5_K).
CRIA_AVX2 static CRIA_INLINE void accumulate_k4(kacc *a, const krow *w, const cria_block_q8_K *y, int scalar_mins) {
    const float d = y->d * w->d;
    const float dmin = -y->d * w->dmin;
    const __m256i q8sums = _mm256_loadu_si256((const __m256i *)y->bsums);
    const __m128i q8s = _mm_hadd_epi16(_mm256_castsi256_si128(q8sums), _mm256_extracti128_si256(q8sums, 1));
    const __m128i prod = _mm_madd_epi16(_mm256_castsi256_si128(w->mins), q8s);
    if (scalar_mins) {
        const __m128i zero = _mm_setzero_si128();
        const __m128i hsum = _mm_hadd_epi32(_mm_hadd_epi32(prod, zero), zero);
        // `summs += dmin * hsum`, which llama.cpp's build contracts to vfmadd231ss.
        a->summs = _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(dmin), _mm_set_ss((float)_mm_cvtsi128_si32(hsum)), _mm_set_ss(a->summs)));
    } else {
        a->acc_m = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(prod), a->acc_m);
    }
    fma_lanes(&a->acc, d, runs_dot(w, y->qs, 0));
}

CRIA_AVX2 static CRIA_INLINE void accumulate_q4_K(kacc *a, const krow *w, const cria_block_q8_K *y) {
    accumulate_k4(a, w, y, 0);
}

CRIA_AVX2 static CRIA_INLINE float finish_q4_K(const kacc *a) {
    __m128 m = _mm_add_ps(a->acc_m, _mm_movehl_ps(a->acc_m, a->acc_m));
    m = _mm_add_ss(m, _mm_movehdup_ps(m));
    return hsum8(a->acc) + _mm_cvtss_f32(m);
}

// Q5_K: Q4_K's nibbles plus bit j of qh[l] as 16 for run j.
CRIA_AVX2 static CRIA_INLINE void unpack_q5_K(const cria_block_q5_K *x, krow *w) {
    unpack_k4_scales(x->scales, w);
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    const __m256i hbits = _mm256_loadu_si256((const __m256i *)x->qh);
    for (int j = 0; j < 4; j++) {
        const __m256i bits = _mm256_loadu_si256((const __m256i *)(x->qs + 32 * j));
        for (int h = 0; h < 2; h++) {
            const int bit = 2 * j + h;
            const __m256i high = _mm256_slli_epi16(
                _mm256_srli_epi16(_mm256_and_si256(hbits, _mm256_set1_epi8((char)(1 << bit))), bit), 4);
            const __m256i low = _mm256_and_si256(h ? _mm256_srli_epi16(bits, 4) : bits, m4);
            w->q[bit] = _mm256_add_epi8(low, high);
        }
    }
    w->d = f16_to_f32(x->d);
    w->dmin = f16_to_f32(x->dmin);
}

CRIA_AVX2 static CRIA_INLINE void accumulate_q5_K(kacc *a, const krow *w, const cria_block_q8_K *y) {
    accumulate_k4(a, w, y, 1);
}

CRIA_AVX2 static CRIA_INLINE float finish_q5_K(const kacc *a) { return hsum8(a->acc) + a->summs; }

// Q6_K: run 4j+v is nibble v/2 of ql[64j + 32(v%2) + l], with bits 2v, 2v+1 of qh[32j + l] as
// bits 4 and 5; ggml subtracts 32 from every weight through bsums (accumulate_q6_K).
CRIA_AVX2 static CRIA_INLINE void unpack_q6_K(const cria_block_q6_K *x, krow *w) {
    const __m256i m3 = _mm256_set1_epi8(3), m15 = _mm256_set1_epi8(15);
    for (int j = 0; j < 2; j++) {
        const __m256i bits1 = _mm256_loadu_si256((const __m256i *)(x->ql + 64 * j));
        const __m256i bits2 = _mm256_loadu_si256((const __m256i *)(x->ql + 64 * j + 32));
        const __m256i bitsH = _mm256_loadu_si256((const __m256i *)(x->qh + 32 * j));
        const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(bitsH, m3), 4);
        const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(bitsH, _mm256_set1_epi8(12)), 2);
        const __m256i h2 = _mm256_and_si256(bitsH, _mm256_set1_epi8(48));
        const __m256i h3 = _mm256_srli_epi16(_mm256_and_si256(bitsH, _mm256_set1_epi8(-64)), 2);
        w->q[4 * j] = _mm256_or_si256(_mm256_and_si256(bits1, m15), h0);
        w->q[4 * j + 1] = _mm256_or_si256(_mm256_and_si256(bits2, m15), h1);
        w->q[4 * j + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits1, 4), m15), h2);
        w->q[4 * j + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bits2, 4), m15), h3);
    }
    w->mins = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)x->scales));
    for (int k = 0; k < 8; k++) w->sc[k] = run_scales16(w->mins, k);
    w->d = f16_to_f32(x->d);
}

CRIA_AVX2 static CRIA_INLINE void accumulate_q6_K(kacc *a, const krow *w, const cria_block_q8_K *y) {
    const float d = y->d * w->d;
    // The -32 offset of every weight, as 32 * sum(bsums * scales) per pair of sub-blocks.
    const __m256i q8sums = _mm256_loadu_si256((const __m256i *)y->bsums);
    const __m256i q8sclsub = _mm256_slli_epi32(_mm256_madd_epi16(q8sums, w->mins), 5);
    fma_lanes(&a->acc, d, _mm256_sub_epi32(runs_dot(w, y->qs, 0), q8sclsub));
}

CRIA_AVX2 static CRIA_INLINE float finish_hsum(const kacc *a) { return hsum8(a->acc); }

// Q3_K: run 4j+v is bits 2v of qs[32j + l]; hmask bit 4j+v set means +0, clear means -4.
CRIA_AVX2 static CRIA_INLINE void unpack_q3_K(const cria_block_q3_K *x, krow *w) {
    uint8_t s[16];
    cria_unpack_scales_q3_K(x->scales, s);
    const __m128i scales8 = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)s), _mm_set1_epi8(32));
    const __m256i scales16 = _mm256_cvtepi8_epi16(scales8);
    for (int k = 0; k < 8; k++) w->sc[k] = run_scales16(scales16, k);
    const __m256i m3 = _mm256_set1_epi8(3);
    const __m256i hbits = _mm256_loadu_si256((const __m256i *)x->hmask);
    for (int j = 0; j < 2; j++) {
        const __m256i bits = _mm256_loadu_si256((const __m256i *)(x->qs + 32 * j));
        for (int v = 0; v < 4; v++) {
            const int bit = 4 * j + v;
            w->q[bit] = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * v), m3);
            w->hi[bit] = _mm256_slli_epi16(
                _mm256_srli_epi16(_mm256_andnot_si256(hbits, _mm256_set1_epi8((char)(1 << bit))), bit), 2);
        }
    }
    w->d = f16_to_f32(x->d);
}

CRIA_AVX2 static CRIA_INLINE void accumulate_q3_K(kacc *a, const krow *w, const cria_block_q8_K *y) {
    fma_lanes(&a->acc, y->d * w->d, runs_dot(w, y->qs, 1));
}

// Q2_K: run 4j+v is bits 2v of qs[32j + l]; scales[i] holds the scale (low nibble) and min
// (high nibble) of sub-block i.
CRIA_AVX2 static CRIA_INLINE void unpack_q2_K(const cria_block_q2_K *x, krow *w) {
    const __m128i m4 = _mm_set1_epi8(0x0f);
    const __m128i mins_and_scales = _mm_loadu_si128((const __m128i *)x->scales);
    w->mins = _mm256_cvtepi8_epi16(_mm_and_si128(_mm_srli_epi16(mins_and_scales, 4), m4));
    const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_and_si128(mins_and_scales, m4));
    for (int k = 0; k < 8; k++) w->sc[k] = run_scales16(scales16, k);
    const __m256i m3 = _mm256_set1_epi8(3);
    for (int j = 0; j < 2; j++) {
        const __m256i bits = _mm256_loadu_si256((const __m256i *)(x->qs + 32 * j));
        for (int v = 0; v < 4; v++) w->q[4 * j + v] = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * v), m3);
    }
    w->d = f16_to_f32(x->d);
    w->dmin = f16_to_f32(x->dmin);
}

CRIA_AVX2 static CRIA_INLINE void accumulate_q2_K(kacc *a, const krow *w, const cria_block_q8_K *y) {
    const float d = y->d * w->d;
    const float dmin = -y->d * w->dmin;
    const __m256i prod = _mm256_madd_epi16(w->mins, _mm256_loadu_si256((const __m256i *)y->bsums));
    a->acc = _mm256_fmadd_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(prod), a->acc);
    fma_lanes(&a->acc, d, runs_dot(w, y->qs, 0));
}

// MARK: - Tiles and entry points
//
// A tile of R weight rows × C activation columns: each weight super-block is unpacked once for
// the C columns. Every output keeps its own accumulators and llama.cpp's per-block operations in
// order, so it is bit-identical to one ggml_vec_dot_*_q8_K: what llama.cpp computes for these
// types unless it repacks the weights (Q4_K on AVX2, see scripts/reference/make_qdot_fixtures.py).

// 1 × 8 measured best on Zen 1 (weights 256 × 2048, 64 columns: 1×8 5.8 ns per block and
// column for Q4_K, 1×16 5.7, 2×8 6.0, 2×4 6.9, 1×4 6.8; one vec_dot per element 8.9).
#ifndef KTILE_ROWS
#define KTILE_ROWS 1
#endif
#ifndef KTILE_COLS
#define KTILE_COLS 8
#endif

_Static_assert(KTILE_COLS >= 2 && KTILE_COLS <= 16 && KTILE_ROWS >= 1 && KTILE_ROWS <= 4, "tile shape");

// Columns c... of rows r... (R of them), with C a compile-time constant in each call.
#define CRIA_KTILE_AT(t, C)                                                                                 \
    if (R == KTILE_ROWS) tile_##t(KTILE_ROWS, C, n, wr, row_bytes, xb + (size_t)c * xq_stride, xq_stride,    \
                                  out + (size_t)c * out_stride + r, out_stride);                            \
    else tile_##t(1, C, n, wr, row_bytes, xb + (size_t)c * xq_stride, xq_stride, out + (size_t)c * out_stride + r, \
                  out_stride)

#define CRIA_KQUANT_AVX2(t, finish)                                                                         \
    CRIA_AVX2 static CRIA_INLINE void tile_##t(int R, int C, int n, const uint8_t *w, size_t row_bytes,      \
                                               const uint8_t *xq, size_t xq_stride, float *out, size_t out_stride) { \
        kacc a[KTILE_ROWS][KTILE_COLS];                                                                     \
        for (int r = 0; r < R; r++)                                                                         \
            for (int c = 0; c < C; c++) {                                                                   \
                a[r][c].acc = _mm256_setzero_ps();                                                          \
                a[r][c].acc_m = _mm_setzero_ps();                                                           \
                a[r][c].summs = 0;                                                                          \
            }                                                                                               \
        for (int ib = 0; ib < n / 256; ib++) {                                                              \
            krow rows[KTILE_ROWS];                                                                          \
            for (int r = 0; r < R; r++)                                                                     \
                unpack_##t((const cria_block_##t *)(w + (size_t)r * row_bytes) + ib, &rows[r]);             \
            for (int c = 0; c < C; c++) {                                                                   \
                const cria_block_q8_K *y = (const cria_block_q8_K *)(xq + (size_t)c * xq_stride) + ib;      \
                for (int r = 0; r < R; r++) accumulate_##t(&a[r][c], &rows[r], y);                          \
            }                                                                                               \
        }                                                                                                   \
        for (int r = 0; r < R; r++)                                                                         \
            for (int c = 0; c < C; c++) out[(size_t)c * out_stride + r] = finish(&a[r][c]);                 \
    }                                                                                                       \
                                                                                                            \
    CRIA_AVX2 float cria_vec_dot_##t##_q8_K_avx2(int n, const void *x, const void *y) {                     \
        float out;                                                                                          \
        tile_##t(1, 1, n, x, 0, y, 0, &out, 0);                                                             \
        return out;                                                                                         \
    }                                                                                                       \
                                                                                                            \
    CRIA_AVX2 void cria_matmul_##t##_q8_K_avx2(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, \
                                               float *out, size_t out_stride, int64_t row_begin, int64_t row_end, \
                                               int64_t ncols, int n) {                                      \
        const uint8_t *wb = w, *xb = xq;                                                                    \
        for (int64_t r = row_begin; r < row_end;) {                                                         \
            const int R = row_end - r >= KTILE_ROWS ? KTILE_ROWS : 1;                                       \
            const uint8_t *wr = wb + (size_t)r * row_bytes;                                                 \
            int64_t c = 0;                                                                                  \
            for (; c + KTILE_COLS <= ncols; c += KTILE_COLS) CRIA_KTILE_AT(t, KTILE_COLS);                  \
            for (; c + KTILE_COLS / 2 <= ncols; c += KTILE_COLS / 2) CRIA_KTILE_AT(t, KTILE_COLS / 2);      \
            for (; c < ncols; c++) CRIA_KTILE_AT(t, 1);                                                     \
            r += R;                                                                                         \
        }                                                                                                   \
    }

CRIA_KQUANT_AVX2(q2_K, finish_hsum)
CRIA_KQUANT_AVX2(q3_K, finish_hsum)
CRIA_KQUANT_AVX2(q4_K, finish_q4_K)
CRIA_KQUANT_AVX2(q5_K, finish_q5_K)
CRIA_KQUANT_AVX2(q6_K, finish_hsum)

#endif
