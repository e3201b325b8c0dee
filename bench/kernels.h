/*
 * kernels.h - the benchmark suite as one table.
 *
 * Each kernel is a C function `uint32_t k_NAME(uint32_t n)` returning a
 * checksum, compiled twice from the same source: natively (gcc -O2) into
 * the native driver, and to wasm32 (clang -O2) as its own module exporting
 * k_NAME. Both builds must return the same checksum for the same n, which
 * is how the runner knows warren computed the right thing.
 *
 * X(name, n, pages): n is chosen so the native kernel runs for roughly
 * 50-200 ms on the reference machine (2-core AMD EPYC VM); pages is the
 * initial linear memory the wasm build needs (64 KiB each), kept in sync
 * with the static buffers in the kernel's source.
 */
#ifndef WARREN_BENCH_KERNELS_H
#define WARREN_BENCH_KERNELS_H

#include <stdint.h>

#define BENCH_KERNELS(X)             \
	X(fib,     39, 2)            \
	X(sieve,   50, 20)           \
	X(matmul,  512, 100)          \
	X(sha256,  400, 4)           \
	X(mix,     35, 14)           \
	X(memcpy,  20000, 36)         \
	X(memset,  30000, 20)

#define BENCH_DECLARE(name, n, pages) uint32_t k_##name(uint32_t);
BENCH_KERNELS(BENCH_DECLARE)
#undef BENCH_DECLARE

/* k_sha256.c: plain SHA-256 of a buffer, used by the native self-test. */
void sha256(const uint8_t *p, uint32_t len, uint8_t out[32]);

#endif
