// Portable twins of the AVX2 kernels in avx2.c. They emulate the vector code lane by lane
// (x86 MAXPS/CVTPS2DQ/PACKSS/PMADDUBSW semantics, FMA per lane, the hsum_float_8 order), so
// they produce the same bits on any architecture.
#include "CriaKernels.h"
#include "internal.h"

#include <math.h>

// The twins must not pick up fused multiply-adds the vector code does not have (clang contracts
// a*b+c by default on ARM); the FMAs they do need are explicit fmaf calls.
#pragma STDC FP_CONTRACT OFF

// MARK: - f16

static inline uint32_t f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float f32_from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

float cria_fp16_to_fp32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    const uint32_t exponent = (h >> 10) & 0x1f;
    uint32_t mantissa = h & 0x3ff;
    if (exponent == 0x1f) return f32_from_bits(sign | 0x7f800000 | (mantissa << 13));
    if (exponent != 0) return f32_from_bits(sign | ((exponent + 112) << 23) | (mantissa << 13));
    if (mantissa == 0) return f32_from_bits(sign);
    // Subnormal: mantissa * 2^-24, exact in f32.
    return (h & 0x8000) ? -(float)mantissa * 0x1p-24f : (float)mantissa * 0x1p-24f;
}

// Round to nearest, ties to even: what F16C's vcvtps2ph with imm 0 and ggml's portable
// ggml_compute_fp32_to_fp16 (ggml-impl.h) both produce for finite values.
uint16_t cria_fp32_to_fp16(float f) {
    const uint32_t w = f32_bits(f);
    const uint16_t sign = (uint16_t)((w >> 16) & 0x8000);
    const uint32_t a = w & 0x7fffffff;
    const uint32_t e = a >> 23;
    if (e == 0xff) return sign | 0x7c00 | (a > 0x7f800000 ? (0x200 | ((a & 0x7fffff) >> 13)) : 0);
    if (e >= 143) return sign | 0x7c00;          // >= 65536 overflows
    if (a <= 0x33000000) return sign;            // <= 2^-25 rounds to zero (2^-25 is a tie)
    uint32_t h, rem, half;
    if (e >= 113) {                              // normal f16 (carry may reach infinity: correct)
        h = ((e - 112) << 10) | ((a & 0x7fffff) >> 13);
        rem = a & 0x1fff;
        half = 0x1000;
    } else {                                     // subnormal f16: mantissa / 2^(126-e)
        const uint32_t mantissa = (a & 0x7fffff) | 0x800000;
        const uint32_t shift = 126 - e;          // 14...24
        h = mantissa >> shift;
        rem = mantissa & ((1u << shift) - 1);
        half = 1u << (shift - 1);
    }
    if (rem > half || (rem == half && (h & 1))) h += 1;
    return sign | (uint16_t)h;
}

// MARK: - x86 instruction semantics

// MAXPS/MAXSS: src1 > src2 ? src1 : src2 (so a NaN in either operand yields src2).
static inline float x86_max(float a, float b) { return a > b ? a : b; }

// CVTPS2DQ on an already rounded value: out of range or NaN gives the "integer indefinite".
static inline int32_t x86_cvt(float r) {
    if (!(r >= -2147483648.0f && r < 2147483648.0f)) return INT32_MIN;
    return (int32_t)r;
}

// PACKSSDW then PACKSSWB: saturate to int16, then to int8 (same as clamping to int8).
static inline int8_t x86_pack(int32_t v) {
    return (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
}

static inline int32_t sat16(int32_t v) { return v < -32768 ? -32768 : (v > 32767 ? 32767 : v); }

// PSIGNB(y, x): y negated (wrapping) where x < 0, zero where x == 0.
static inline int32_t x86_sign(int8_t y, int8_t x) {
    if (x == 0) return 0;
    if (x > 0) return y;
    return y == -128 ? -128 : -y;
}

// hsum_float_8 (arch/x86/quants.c): (hi128 + lo128), then + movehl, then + movehdup.
static inline float hsum8(const float v[8]) {
    const float r0 = v[4] + v[0], r1 = v[5] + v[1], r2 = v[6] + v[2], r3 = v[7] + v[3];
    return (r0 + r2) + (r1 + r3);
}

// MARK: - Quantization

// Shared by q8_0 and q8_1; returns d and writes the int32 values before packing to `iv`.
static float quantize_block(const float *x, int8_t qs[32], int32_t iv[32]) {
    float m[8];
    for (int l = 0; l < 8; l++) {
        float v = fabsf(x[l]);
        v = x86_max(v, fabsf(x[8 + l]));
        v = x86_max(v, fabsf(x[16 + l]));
        v = x86_max(v, fabsf(x[24 + l]));
        m[l] = v;
    }
    float m4[4];
    for (int j = 0; j < 4; j++) m4[j] = x86_max(m[4 + j], m[j]);
    const float m2_0 = x86_max(m4[0], m4[2]);
    const float m2_1 = x86_max(m4[1], m4[3]);
    const float amax = x86_max(m2_0, m2_1);

    const float d = amax / 127.f;
    const float id = (amax != 0.0f) ? 127.f / amax : 0.0f;
    for (int j = 0; j < 32; j++) {
        iv[j] = x86_cvt(rintf(x[j] * id));   // default rounding mode: nearest, ties to even
        qs[j] = x86_pack(iv[j]);
    }
    return d;
}

void cria_quantize_row_q8_0_scalar(const float *x, void *vy, int64_t k) {
    cria_block_q8_0 *y = vy;
    int32_t iv[32];
    for (int64_t i = 0; i < k / 32; i++) {
        const float d = quantize_block(x + 32 * i, y[i].qs, iv);
        y[i].d = cria_fp32_to_fp16(d);
    }
}

void cria_quantize_row_q8_1_scalar(const float *x, void *vy, int64_t k) {
    cria_block_q8_1 *y = vy;
    int32_t iv[32];
    for (int64_t i = 0; i < k / 32; i++) {
        const float d = quantize_block(x + 32 * i, y[i].qs, iv);
        uint32_t sum = 0;  // wrapping, like vpaddd
        for (int j = 0; j < 32; j++) sum += (uint32_t)iv[j];
        y[i].d = cria_fp32_to_fp16(d);
        y[i].s = cria_fp32_to_fp16(d * (float)(int32_t)sum);
    }
}

// MARK: - Dot products

// Lane l of mul_sum_us8_pairs_float: bytes 4l..4l+3, PMADDUBSW (saturating pairs), PMADDWD.
static inline float lane_dot(const uint8_t u[32], const int8_t s[32], int l) {
    const int b = 4 * l;
    const int32_t p0 = sat16((int32_t)u[b] * s[b] + (int32_t)u[b + 1] * s[b + 1]);
    const int32_t p1 = sat16((int32_t)u[b + 2] * s[b + 2] + (int32_t)u[b + 3] * s[b + 3]);
    return (float)(p0 + p1);
}

// mul_sum_i8_pairs_float: |x| times y with x's sign, via PSIGNB.
static inline void sign_split(const int8_t x[32], const int8_t y[32], uint8_t u[32], int8_t s[32]) {
    for (int j = 0; j < 32; j++) {
        u[j] = (uint8_t)(x[j] < 0 ? -(int32_t)x[j] : x[j]);
        s[j] = (int8_t)x86_sign(y[j], x[j]);
    }
}

// bytes_from_nibbles_32: low nibbles are elements 0..15, high nibbles 16..31.
static inline void nibbles(const uint8_t qs[16], uint8_t out[32]) {
    for (int j = 0; j < 16; j++) {
        out[j] = qs[j] & 0x0f;
        out[j + 16] = qs[j] >> 4;
    }
}

float cria_vec_dot_q4_1_q8_1_scalar(int n, const void *vx, const void *vy) {
    const cria_block_q4_1 *x = vx;
    const cria_block_q8_1 *y = vy;
    float acc[8] = {0};
    float summs = 0;
    uint8_t u[32];
    for (int ib = 0; ib < n / 32; ib++) {
        const float d0 = cria_fp16_to_fp32(x[ib].d);
        const float d1 = cria_fp16_to_fp32(y[ib].d);
        // llama.cpp's `summs += m * s` is contracted to an FMA by its compiler (vfmadd231ss
        // in libggml-cpu.so of llama-cpp-python 0.3.36 on this machine).
        summs = fmaf(cria_fp16_to_fp32(x[ib].m), cria_fp16_to_fp32(y[ib].s), summs);
        const float d0d1 = d0 * d1;
        nibbles(x[ib].qs, u);
        for (int l = 0; l < 8; l++) acc[l] = fmaf(d0d1, lane_dot(u, y[ib].qs, l), acc[l]);
    }
    return hsum8(acc) + summs;
}

float cria_vec_dot_q4_0_q8_0_scalar(int n, const void *vx, const void *vy) {
    const cria_block_q4_0 *x = vx;
    const cria_block_q8_0 *y = vy;
    float acc[8] = {0};
    uint8_t raw[32], u[32];
    int8_t qx[32], s[32];
    for (int ib = 0; ib < n / 32; ib++) {
        const float d = cria_fp16_to_fp32(x[ib].d) * cria_fp16_to_fp32(y[ib].d);
        nibbles(x[ib].qs, raw);
        for (int j = 0; j < 32; j++) qx[j] = (int8_t)(raw[j] - 8);
        sign_split(qx, y[ib].qs, u, s);
        for (int l = 0; l < 8; l++) acc[l] = fmaf(d, lane_dot(u, s, l), acc[l]);
    }
    return hsum8(acc);
}

float cria_vec_dot_q8_0_q8_0_scalar(int n, const void *vx, const void *vy) {
    const cria_block_q8_0 *x = vx;
    const cria_block_q8_0 *y = vy;
    float acc[8] = {0};
    uint8_t u[32];
    int8_t s[32];
    for (int ib = 0; ib < n / 32; ib++) {
        const float d = cria_fp16_to_fp32(x[ib].d) * cria_fp16_to_fp32(y[ib].d);
        sign_split(x[ib].qs, y[ib].qs, u, s);
        for (int l = 0; l < 8; l++) acc[l] = fmaf(d, lane_dot(u, s, l), acc[l]);
    }
    return hsum8(acc);
}

// Twin of cria_matmul_q4_0_q8_0_lanes_avx2: exact integer block dots, one fmaf chain per output.
void cria_matmul_q4_0_q8_0_lanes_scalar(const void *w, size_t row_bytes, const void *xq, size_t xq_stride,
                                        float *out, size_t out_stride, int64_t row_begin, int64_t row_end,
                                        int64_t ncols, int n) {
    for (int64_t c = 0; c < ncols; c++) {
        const cria_block_q8_0 *y = (const cria_block_q8_0 *)((const uint8_t *)xq + (size_t)c * xq_stride);
        for (int64_t r = row_begin; r < row_end; r++) {
            const cria_block_q4_0 *x = (const cria_block_q4_0 *)((const uint8_t *)w + (size_t)r * row_bytes);
            float acc = 0;
            for (int ib = 0; ib < n / 32; ib++) {
                int32_t dot = 0;
                for (int k = 0; k < 16; k++) {
                    dot += ((x[ib].qs[k] & 0x0f) - 8) * y[ib].qs[k];
                    dot += ((x[ib].qs[k] >> 4) - 8) * y[ib].qs[k + 16];
                }
                const float scale = cria_fp16_to_fp32(x[ib].d) * cria_fp16_to_fp32(y[ib].d);
                acc = fmaf(scale, (float)dot, acc);
            }
            out[(size_t)c * out_stride + r] = acc;
        }
    }
}
