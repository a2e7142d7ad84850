// Read bandwidth of main memory with N threads: each thread sums its share of a 1 GiB buffer
// (far larger than any cache) with 256-bit loads, five passes; prints GB/s. The figure decode
// speed is compared with: a memory-bound decode step reads every weight once.
//   cc -O2 -mavx2 -pthread scripts/bench/membw.c -o /tmp/membw && /tmp/membw 2
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BYTES (1L << 30)
#define PASSES 5

static char *buffer;
static int threads;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *reader(void *arg) {
    const long part = BYTES / threads, begin = (long)arg * part;
    __m256i acc = _mm256_setzero_si256();
    for (int pass = 0; pass < PASSES; pass++)
        for (long i = begin; i < begin + part; i += 128)
            for (int j = 0; j < 128; j += 32) acc = _mm256_add_epi64(acc, _mm256_load_si256((const __m256i *)(buffer + i + j)));
    return (void *)(long)_mm256_extract_epi64(acc, 0);
}

int main(int argc, char **argv) {
    threads = argc > 1 ? atoi(argv[1]) : 1;
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "usage: membw [threads]\n");
        return 64;
    }
    buffer = aligned_alloc(64, BYTES);
    if (!buffer) {
        fprintf(stderr, "membw: cannot allocate 1 GiB\n");
        return 1;
    }
    memset(buffer, 1, BYTES);
    pthread_t ids[256];
    const double start = now();
    for (long t = 0; t < threads; t++) pthread_create(&ids[t], NULL, reader, (void *)t);
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    printf("%d thread(s): %.1f GB/s read\n", threads, (double)PASSES * BYTES / (now() - start) / 1e9);
    free(buffer);
    return 0;
}
