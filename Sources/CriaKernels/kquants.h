// K-quant block layouts and the AVX2 entry points, shared by avx2_kquants.c, scalar_kquants.c
// and dispatch.c; not part of the public header.
#ifndef CRIA_KERNELS_KQUANTS_H
#define CRIA_KERNELS_KQUANTS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// Block layouts: ggml/src/ggml-common.h (block_q2_K ... block_q6_K, block_q8_K), QK_K = 256.
typedef struct { float d; int8_t qs[256]; int16_t bsums[16]; } cria_block_q8_K;
typedef struct { uint8_t scales[16]; uint8_t qs[64]; uint16_t d; uint16_t dmin; } cria_block_q2_K;
typedef struct { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; uint16_t d; } cria_block_q3_K;
typedef struct { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qs[128]; } cria_block_q4_K;
typedef struct { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } cria_block_q5_K;
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } cria_block_q6_K;

_Static_assert(sizeof(cria_block_q8_K) == 292, "block_q8_K is 292 bytes");
_Static_assert(sizeof(cria_block_q2_K) == 84, "block_q2_K is 84 bytes");
_Static_assert(sizeof(cria_block_q3_K) == 110, "block_q3_K is 110 bytes");
_Static_assert(sizeof(cria_block_q4_K) == 144, "block_q4_K is 144 bytes");
_Static_assert(sizeof(cria_block_q5_K) == 176, "block_q5_K is 176 bytes");
_Static_assert(sizeof(cria_block_q6_K) == 210, "block_q6_K is 210 bytes");

// The scales and mins of Q4_K/Q5_K, rearranged as ggml's `utmp` words (arch/x86/quants.c,
// ggml_vec_dot_q4_K_q8_K): bytes 0..7 are the 6-bit scales of sub-blocks 0..7, bytes 8..15
// their 6-bit mins (the get_scale_min_k4 order). Little-endian, like the file format.
static inline void cria_unpack_scales_k4(const uint8_t s[12], uint8_t out[16]) {
    uint32_t a[3], u[4];
    memcpy(a, s, 12);
    u[0] = a[0] & 0x3f3f3f3f;
    u[1] = (a[2] & 0x0f0f0f0f) | (((a[0] >> 6) & 0x03030303) << 4);
    u[2] = a[1] & 0x3f3f3f3f;
    u[3] = ((a[2] >> 4) & 0x0f0f0f0f) | (((a[1] >> 6) & 0x03030303) << 4);
    memcpy(out, u, 16);
}

// The 16 6-bit scales of Q3_K in sub-block order, before ggml subtracts 32
// (ggml_vec_dot_q3_K_q8_K's `aux` words).
static inline void cria_unpack_scales_q3_K(const uint8_t s[12], uint8_t out[16]) {
    uint32_t a[3], u[4];
    memcpy(a, s, 12);
    u[0] = (a[0] & 0x0f0f0f0f) | ((a[2] & 0x03030303) << 4);
    u[1] = (a[1] & 0x0f0f0f0f) | (((a[2] >> 2) & 0x03030303) << 4);
    u[2] = ((a[0] >> 4) & 0x0f0f0f0f) | (((a[2] >> 4) & 0x03030303) << 4);
    u[3] = ((a[1] >> 4) & 0x0f0f0f0f) | (((a[2] >> 6) & 0x03030303) << 4);
    memcpy(out, u, 16);
}

#if defined(__x86_64__)
void cria_quantize_row_q8_K_avx2(const float *x, void *y, int64_t k);
#define CRIA_KQUANT_AVX2_DECL(t)                                                                            \
    float cria_vec_dot_##t##_q8_K_avx2(int n, const void *x, const void *y);                                \
    void cria_matmul_##t##_q8_K_avx2(const void *w, size_t row_bytes, const void *xq, size_t xq_stride,    \
                                     float *out, size_t out_stride, int64_t row_begin, int64_t row_end,     \
                                     int64_t ncols, int n);
CRIA_KQUANT_AVX2_DECL(q2_K)
CRIA_KQUANT_AVX2_DECL(q3_K)
CRIA_KQUANT_AVX2_DECL(q4_K)
CRIA_KQUANT_AVX2_DECL(q5_K)
CRIA_KQUANT_AVX2_DECL(q6_K)
#endif

#endif
