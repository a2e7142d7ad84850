// Shared between the scalar and AVX2 translation units; not part of the public header.
#ifndef CRIA_KERNELS_INTERNAL_H
#define CRIA_KERNELS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// Block layouts: ggml/src/ggml-common.h (block_q4_0, block_q4_1, block_q8_0, block_q8_1).
typedef struct { uint16_t d; uint8_t qs[16]; } cria_block_q4_0;
typedef struct { uint16_t d; uint16_t m; uint8_t qs[16]; } cria_block_q4_1;
typedef struct { uint16_t d; int8_t qs[32]; } cria_block_q8_0;
typedef struct { uint16_t d; uint16_t s; int8_t qs[32]; } cria_block_q8_1;

_Static_assert(sizeof(cria_block_q4_0) == 18, "block_q4_0 is 18 bytes");
_Static_assert(sizeof(cria_block_q4_1) == 20, "block_q4_1 is 20 bytes");
_Static_assert(sizeof(cria_block_q8_0) == 34, "block_q8_0 is 34 bytes");
_Static_assert(sizeof(cria_block_q8_1) == 36, "block_q8_1 is 36 bytes");

#if defined(__x86_64__)
void cria_avx2_init_tables(void);
void cria_quantize_row_q8_0_avx2(const float *x, void *y, int64_t k);
void cria_quantize_row_q8_1_avx2(const float *x, void *y, int64_t k);
float cria_vec_dot_q4_1_q8_1_avx2(int n, const void *x, const void *y);
float cria_vec_dot_q4_0_q8_0_avx2(int n, const void *x, const void *y);
float cria_vec_dot_q8_0_q8_0_avx2(int n, const void *x, const void *y);
void cria_matvec_q4_1_q8_1_avx2(const void *w, size_t row_bytes, const void *xq, float *out,
                                int64_t row_begin, int64_t row_end, int n);
void cria_matvec_q4_0_q8_0_avx2(const void *w, size_t row_bytes, const void *xq, float *out,
                                int64_t row_begin, int64_t row_end, int n);
void cria_matvec_q8_0_q8_0_avx2(const void *w, size_t row_bytes, const void *xq, float *out,
                                int64_t row_begin, int64_t row_end, int n);
#define CRIA_MATMUL_DECL(name)                                                                          \
    void name(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out, size_t out_stride, \
              int64_t row_begin, int64_t row_end, int64_t ncols, int n);
CRIA_MATMUL_DECL(cria_matmul_q4_1_q8_1_avx2)
CRIA_MATMUL_DECL(cria_matmul_q4_0_q8_0_avx2)
CRIA_MATMUL_DECL(cria_matmul_q8_0_q8_0_avx2)
CRIA_MATMUL_DECL(cria_matmul_q4_0_q8_0_lanes_avx2)
#endif

#endif
