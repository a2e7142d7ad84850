// Run-time choice between the AVX2/FMA/F16C kernels and the scalar twins, plus the scalar
// row loops.
#include "CriaKernels.h"
#include "internal.h"
#include "kquants.h"

#if defined(__x86_64__)
#include <pthread.h>

static int avx2_state;
static pthread_once_t avx2_once = PTHREAD_ONCE_INIT;

static void detect_avx2(void) {
    __builtin_cpu_init();
    avx2_state = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                 __builtin_cpu_supports("f16c");
    if (avx2_state) cria_avx2_init_tables();
}

static int has_avx2(void) {
    pthread_once(&avx2_once, detect_avx2);
    return avx2_state;
}
#else
static int has_avx2(void) { return 0; }
#endif

int cria_uses_avx2(void) { return has_avx2(); }

void cria_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

#if defined(__x86_64__)
#define DISPATCH(avx2_call, scalar_call) \
    if (has_avx2()) { avx2_call; } else { scalar_call; }
#else
#define DISPATCH(avx2_call, scalar_call) { scalar_call; }
#endif

void cria_quantize_row_q8_0(const float *x, void *y, int64_t k) {
    DISPATCH(cria_quantize_row_q8_0_avx2(x, y, k), cria_quantize_row_q8_0_scalar(x, y, k))
}

void cria_quantize_row_q8_1(const float *x, void *y, int64_t k) {
    DISPATCH(cria_quantize_row_q8_1_avx2(x, y, k), cria_quantize_row_q8_1_scalar(x, y, k))
}

float cria_vec_dot_q4_1_q8_1(int n, const void *x, const void *y) {
    DISPATCH(return cria_vec_dot_q4_1_q8_1_avx2(n, x, y), return cria_vec_dot_q4_1_q8_1_scalar(n, x, y))
}

float cria_vec_dot_q4_0_q8_0(int n, const void *x, const void *y) {
    DISPATCH(return cria_vec_dot_q4_0_q8_0_avx2(n, x, y), return cria_vec_dot_q4_0_q8_0_scalar(n, x, y))
}

float cria_vec_dot_q8_0_q8_0(int n, const void *x, const void *y) {
    DISPATCH(return cria_vec_dot_q8_0_q8_0_avx2(n, x, y), return cria_vec_dot_q8_0_q8_0_scalar(n, x, y))
}

#define SCALAR_ROWS(dot)                                                     \
    for (int64_t r = row_begin; r < row_end; r++)                            \
        out[r] = dot(n, (const uint8_t *)w + (size_t)r * row_bytes, xq);

void cria_matvec_q4_1_q8_1(const void *w, size_t row_bytes, const void *xq, float *out,
                           int64_t row_begin, int64_t row_end, int n) {
    DISPATCH(cria_matvec_q4_1_q8_1_avx2(w, row_bytes, xq, out, row_begin, row_end, n),
             SCALAR_ROWS(cria_vec_dot_q4_1_q8_1_scalar))
}

void cria_matvec_q4_0_q8_0(const void *w, size_t row_bytes, const void *xq, float *out,
                           int64_t row_begin, int64_t row_end, int n) {
    DISPATCH(cria_matvec_q4_0_q8_0_avx2(w, row_bytes, xq, out, row_begin, row_end, n),
             SCALAR_ROWS(cria_vec_dot_q4_0_q8_0_scalar))
}

void cria_matvec_q8_0_q8_0(const void *w, size_t row_bytes, const void *xq, float *out,
                           int64_t row_begin, int64_t row_end, int n) {
    DISPATCH(cria_matvec_q8_0_q8_0_avx2(w, row_bytes, xq, out, row_begin, row_end, n),
             SCALAR_ROWS(cria_vec_dot_q8_0_q8_0_scalar))
}

// One vec_dot per element: the reference the tiled AVX2 kernels must equal bit for bit.
#define SCALAR_MATMUL(name, dot)                                                                        \
    void name(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,           \
              size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n) {           \
        for (int64_t c = 0; c < ncols; c++)                                                             \
            for (int64_t r = row_begin; r < row_end; r++)                                               \
                out[(size_t)c * out_stride + r] =                                                       \
                    dot(n, (const uint8_t *)w + (size_t)r * row_bytes, (const uint8_t *)xq + (size_t)c * xq_stride); \
    }

SCALAR_MATMUL(cria_matmul_q4_1_q8_1_scalar, cria_vec_dot_q4_1_q8_1_scalar)
SCALAR_MATMUL(cria_matmul_q4_0_q8_0_scalar, cria_vec_dot_q4_0_q8_0_scalar)
SCALAR_MATMUL(cria_matmul_q8_0_q8_0_scalar, cria_vec_dot_q8_0_q8_0_scalar)

#define MATMUL_DISPATCH(name)                                                                           \
    void name(const void *w, size_t row_bytes, const void *xq, size_t xq_stride, float *out,           \
              size_t out_stride, int64_t row_begin, int64_t row_end, int64_t ncols, int n) {           \
        DISPATCH(name##_avx2(w, row_bytes, xq, xq_stride, out, out_stride, row_begin, row_end, ncols, n), \
                 name##_scalar(w, row_bytes, xq, xq_stride, out, out_stride, row_begin, row_end, ncols, n)) \
    }

MATMUL_DISPATCH(cria_matmul_q4_1_q8_1)
MATMUL_DISPATCH(cria_matmul_q4_0_q8_0)
MATMUL_DISPATCH(cria_matmul_q8_0_q8_0)

// MARK: - K-quants against Q8_K

void cria_quantize_row_q8_K(const float *x, void *y, int64_t k) {
    DISPATCH(cria_quantize_row_q8_K_avx2(x, y, k), cria_quantize_row_q8_K_scalar(x, y, k))
}

#define KQUANT_DISPATCH(t)                                                                              \
    float cria_vec_dot_##t##_q8_K(int n, const void *x, const void *y) {                                \
        DISPATCH(return cria_vec_dot_##t##_q8_K_avx2(n, x, y), return cria_vec_dot_##t##_q8_K_scalar(n, x, y)) \
    }                                                                                                   \
    SCALAR_MATMUL(cria_matmul_##t##_q8_K_scalar, cria_vec_dot_##t##_q8_K_scalar)                        \
    MATMUL_DISPATCH(cria_matmul_##t##_q8_K)

KQUANT_DISPATCH(q2_K)
KQUANT_DISPATCH(q3_K)
KQUANT_DISPATCH(q4_K)
KQUANT_DISPATCH(q5_K)
KQUANT_DISPATCH(q6_K)
MATMUL_DISPATCH(cria_matmul_q4_0_q8_0_lanes)
