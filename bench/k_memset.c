/*
 * memset in a loop: fills of varying sizes, offsets and bytes over a 1 MiB
 * buffer. The wasm build (-mbulk-memory) turns __builtin_memset into
 * memory.fill.
 */
#include "kernels.h"

#define SZ (1u << 20)

static uint8_t buf[SZ];

uint32_t
k_memset(uint32_t n)
{
	uint32_t sum = 0;

	for (uint32_t r = 0; r < n; r++) {
		uint32_t len = 65536u + (r * 7919u) % (SZ / 2);
		uint32_t off = (r * 104729u) % (SZ - len);
		__builtin_memset(buf + off, (int)(r & 0xff), len);
		sum = sum * 33 + buf[off + len / 3] + buf[(r * 31u) % SZ];
	}
	return sum;
}
