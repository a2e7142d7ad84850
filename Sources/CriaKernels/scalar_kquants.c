// Portable twins of the K-quant kernels in avx2_kquants.c. They compute each of the 8 int32
// lanes of llama.cpp's AVX2 accumulators from the same products (int32 lane l of run k holds
// elements 32k + 4l ... 32k + 4l + 3) and then take the same float steps lane by lane, so they
// produce the same bits on any architecture.
#include "CriaKernels.h"
#include "kquants.h"

#include <math.h>

// No fused multiply-adds beyond the explicit fmaf calls (clang contracts a*b+c on ARM).
#pragma STDC FP_CONTRACT OFF

// MARK: - Activation quantization

// nearest_int (ggml-quants.c): adding 1.5 * 2^23 rounds to an integer, ties to even.
static inline int32_t nearest_int(float f) {
    const float v = f + 12582912.f;
    int32_t i;
    memcpy(&i, &v, 4);
    return (i & 0x007fffff) - 0x00400000;
}

void cria_quantize_row_q8_K_scalar(const float *x, void *vy, int64_t k) {
    cria_block_q8_K *y = vy;
    for (int64_t i = 0; i < k / 256; i++, x += 256) {
        float max = 0, amax = 0;
        for (int j = 0; j < 256; j++) {
            const float ax = fabsf(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        if (amax == 0) {
            memset(&y[i], 0, sizeof(y[i]));  // llama.cpp leaves bsums unwritten; they meet d = 0
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < 256; j++) {
            const int32_t v = nearest_int(iscale * x[j]);
            y[i].qs[j] = (int8_t)(v < 127 ? v : 127);  // MIN(127, v), then int -> int8_t keeps the low byte
        }
        for (int g = 0; g < 16; g++) {
            int32_t sum = 0;
            for (int l = 0; l < 16; l++) sum += y[i].qs[16 * g + l];
            y[i].bsums[g] = (int16_t)sum;
        }
        y[i].d = 1 / iscale;
    }
}

// MARK: - Unpacked super-blocks

// One weight super-block as plain arrays (the lanes of avx2_kquants.c's krow).
typedef struct {
    uint8_t q[256];   // unsigned weight values
    uint8_t hi[256];  // Q3_K: 4 where the high bit is clear (subtracted from q); else unused
    int16_t sc[16];   // the vpmaddwd multiplier of each sub-block of 16 elements
    int16_t mins[16]; // Q2_K: 16 mins; Q4_K/Q5_K: 8 mins; Q6_K: the 16 scales again
    float d, dmin;
} krow;

typedef struct {
    float acc[8];
    float acc_m[4];
    float summs;
} kacc;

static inline int32_t sat16(int32_t v) { return v < -32768 ? -32768 : (v > 32767 ? 32767 : v); }
static inline int32_t wrap16(int32_t v) { return (int16_t)(uint16_t)(uint32_t)v; }

// vpmaddubsw of elements e and e+1: unsigned weights times signed activations, saturated.
static inline int32_t pair(const uint8_t *w, const int8_t *q8, int e) {
    return sat16((int32_t)w[e] * q8[e] + (int32_t)w[e + 1] * q8[e + 1]);
}

// Lane l of the sum over the 8 runs of vpmaddwd(sc, vpmaddubsw(q, q8) [- vpmaddubsw(hi, q8)]).
static void runs_dot(const krow *w, const int8_t *q8, int with_hi, int32_t sumi[8]) {
    for (int l = 0; l < 8; l++) {
        uint32_t s = 0;  // wrapping, like vpaddd
        for (int k = 0; k < 8; k++) {
            for (int p = 0; p < 2; p++) {
                const int e = 32 * k + 4 * l + 2 * p;
                int32_t p16 = pair(w->q, q8, e);
                if (with_hi) p16 = wrap16(p16 - pair(w->hi, q8, e));
                s += (uint32_t)((int32_t)w->sc[e / 16] * p16);
            }
        }
        sumi[l] = (int32_t)s;
    }
}

static inline void fma_lanes(float acc[8], float d, const int32_t sumi[8]) {
    for (int l = 0; l < 8; l++) acc[l] = fmaf(d, (float)sumi[l], acc[l]);
}

// hsum_float_8: (hi128 + lo128), then + movehl, then + movehdup.
static inline float hsum8(const float v[8]) {
    const float r0 = v[4] + v[0], r1 = v[5] + v[1], r2 = v[6] + v[2], r3 = v[7] + v[3];
    return (r0 + r2) + (r1 + r3);
}

// MARK: - Per type

static void unpack_k4_scales(const uint8_t scales[12], krow *w) {
    uint8_t sm[16];
    cria_unpack_scales_k4(scales, sm);
    for (int i = 0; i < 16; i++) w->sc[i] = sm[i / 2];  // one scale per 32 elements
    for (int i = 0; i < 8; i++) w->mins[i] = sm[8 + i];
}

static void unpack_q4_K(const cria_block_q4_K *x, krow *w) {
    unpack_k4_scales(x->scales, w);
    for (int j = 0; j < 4; j++)
        for (int l = 0; l < 32; l++) {
            w->q[64 * j + l] = x->qs[32 * j + l] & 15;
            w->q[64 * j + 32 + l] = x->qs[32 * j + l] >> 4;
        }
    w->d = cria_fp16_to_fp32(x->d);
    w->dmin = cria_fp16_to_fp32(x->dmin);
}

// Q4_K and Q5_K differ only in how the mins term is summed: four lanes (Q4_K) or one scalar
// FMA per block (Q5_K: llama.cpp's build contracts `summs += dmin * hsum` to vfmadd231ss).
static void accumulate_k4(kacc *a, const krow *w, const cria_block_q8_K *y, int scalar_mins) {
    const float d = y->d * w->d;
    const float dmin = -y->d * w->dmin;
    int32_t q8s[8], prod[4], sumi[8];
    for (int k = 0; k < 8; k++) q8s[k] = wrap16(y->bsums[2 * k] + y->bsums[2 * k + 1]);  // vphaddw
    for (int k = 0; k < 4; k++) prod[k] = w->mins[2 * k] * q8s[2 * k] + w->mins[2 * k + 1] * q8s[2 * k + 1];
    if (scalar_mins) {
        const uint32_t hsum = ((uint32_t)prod[0] + (uint32_t)prod[1]) + ((uint32_t)prod[2] + (uint32_t)prod[3]);
        a->summs = fmaf(dmin, (float)(int32_t)hsum, a->summs);
    } else {
        for (int k = 0; k < 4; k++) a->acc_m[k] = fmaf(dmin, (float)prod[k], a->acc_m[k]);
    }
    runs_dot(w, y->qs, 0, sumi);
    fma_lanes(a->acc, d, sumi);
}

static void accumulate_q4_K(kacc *a, const krow *w, const cria_block_q8_K *y) { accumulate_k4(a, w, y, 0); }

static float finish_q4_K(const kacc *a) {
    return hsum8(a->acc) + ((a->acc_m[0] + a->acc_m[2]) + (a->acc_m[1] + a->acc_m[3]));
}

static void unpack_q5_K(const cria_block_q5_K *x, krow *w) {
    unpack_k4_scales(x->scales, w);
    for (int j = 0; j < 4; j++)
        for (int l = 0; l < 32; l++) {
            const uint8_t h = x->qh[l];
            w->q[64 * j + l] = (x->qs[32 * j + l] & 15) + (((h >> (2 * j)) & 1) << 4);
            w->q[64 * j + 32 + l] = (x->qs[32 * j + l] >> 4) + (((h >> (2 * j + 1)) & 1) << 4);
        }
    w->d = cria_fp16_to_fp32(x->d);
    w->dmin = cria_fp16_to_fp32(x->dmin);
}

static void accumulate_q5_K(kacc *a, const krow *w, const cria_block_q8_K *y) { accumulate_k4(a, w, y, 1); }

static float finish_q5_K(const kacc *a) { return hsum8(a->acc) + a->summs; }

static void unpack_q6_K(const cria_block_q6_K *x, krow *w) {
    for (int j = 0; j < 2; j++)
        for (int l = 0; l < 32; l++) {
            const uint8_t a = x->ql[64 * j + l], b = x->ql[64 * j + 32 + l], h = x->qh[32 * j + l];
            w->q[128 * j + l] = (a & 15) | ((h & 3) << 4);
            w->q[128 * j + 32 + l] = (b & 15) | (((h >> 2) & 3) << 4);
            w->q[128 * j + 64 + l] = (a >> 4) | (((h >> 4) & 3) << 4);
            w->q[128 * j + 96 + l] = (b >> 4) | (((h >> 6) & 3) << 4);
        }
    for (int i = 0; i < 16; i++) w->sc[i] = w->mins[i] = x->scales[i];
    w->d = cria_fp16_to_fp32(x->d);
}

static void accumulate_q6_K(kacc *a, const krow *w, const cria_block_q8_K *y) {
    int32_t sumi[8];
    runs_dot(w, y->qs, 0, sumi);
    for (int l = 0; l < 8; l++) {
        // 32 * (vpmaddwd of bsums with scales), the -32 offset of every weight.
        const int32_t sub = y->bsums[2 * l] * w->mins[2 * l] + y->bsums[2 * l + 1] * w->mins[2 * l + 1];
        sumi[l] = (int32_t)((uint32_t)sumi[l] - ((uint32_t)sub << 5));
    }
    fma_lanes(a->acc, y->d * w->d, sumi);
}

static float finish_hsum(const kacc *a) { return hsum8(a->acc); }

static void unpack_q3_K(const cria_block_q3_K *x, krow *w) {
    uint8_t s[16];
    cria_unpack_scales_q3_K(x->scales, s);
    for (int i = 0; i < 16; i++) w->sc[i] = (int16_t)s[i] - 32;
    for (int j = 0; j < 2; j++)
        for (int v = 0; v < 4; v++)
            for (int l = 0; l < 32; l++) {
                const int e = 128 * j + 32 * v + l, bit = 4 * j + v;
                w->q[e] = (x->qs[32 * j + l] >> (2 * v)) & 3;
                w->hi[e] = ((x->hmask[l] >> bit) & 1) ? 0 : 4;
            }
    w->d = cria_fp16_to_fp32(x->d);
}

static void accumulate_q3_K(kacc *a, const krow *w, const cria_block_q8_K *y) {
    int32_t sumi[8];
    runs_dot(w, y->qs, 1, sumi);
    fma_lanes(a->acc, y->d * w->d, sumi);
}

static void unpack_q2_K(const cria_block_q2_K *x, krow *w) {
    for (int i = 0; i < 16; i++) {
        w->sc[i] = x->scales[i] & 15;
        w->mins[i] = x->scales[i] >> 4;
    }
    for (int j = 0; j < 2; j++)
        for (int v = 0; v < 4; v++)
            for (int l = 0; l < 32; l++) w->q[128 * j + 32 * v + l] = (x->qs[32 * j + l] >> (2 * v)) & 3;
    w->d = cria_fp16_to_fp32(x->d);
    w->dmin = cria_fp16_to_fp32(x->dmin);
}

static void accumulate_q2_K(kacc *a, const krow *w, const cria_block_q8_K *y) {
    const float d = y->d * w->d;
    const float dmin = -y->d * w->dmin;
    int32_t prod[8], sumi[8];
    for (int l = 0; l < 8; l++) prod[l] = w->mins[2 * l] * y->bsums[2 * l] + w->mins[2 * l + 1] * y->bsums[2 * l + 1];
    fma_lanes(a->acc, dmin, prod);
    runs_dot(w, y->qs, 0, sumi);
    fma_lanes(a->acc, d, sumi);
}

// MARK: - Entry points

#define CRIA_KQUANT_SCALAR(t, finish)                                                                       \
    float cria_vec_dot_##t##_q8_K_scalar(int n, const void *vx, const void *vy) {                           \
        const cria_block_##t *x = vx;                                                                       \
        const cria_block_q8_K *y = vy;                                                                      \
        kacc a = {{0}, {0}, 0};                                                                             \
        krow w;                                                                                             \
        for (int ib = 0; ib < n / 256; ib++) {                                                              \
            unpack_##t(&x[ib], &w);                                                                         \
            accumulate_##t(&a, &w, &y[ib]);                                                                 \
        }                                                                                                   \
        return finish(&a);                                                                                  \
    }

CRIA_KQUANT_SCALAR(q2_K, finish_hsum)
CRIA_KQUANT_SCALAR(q3_K, finish_hsum)
CRIA_KQUANT_SCALAR(q4_K, finish_q4_K)
CRIA_KQUANT_SCALAR(q5_K, finish_q5_K)
CRIA_KQUANT_SCALAR(q6_K, finish_hsum)
