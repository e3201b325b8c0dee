/*
 * memcpy in a loop: copies of varying sizes and offsets between two 1 MiB
 * buffers. The wasm build (-mbulk-memory) turns __builtin_memcpy into
 * memory.copy, so this measures how well the VM hands bulk copies to the host.
 */
#include "kernels.h"

#define SZ (1u << 20)

static uint8_t src[SZ], dst[SZ];

uint32_t
k_memcpy(uint32_t n)
{
	uint32_t sum = 0;

	for (uint32_t i = 0; i < SZ; i++)
		src[i] = (uint8_t)(i * 131u >> 3);
	for (uint32_t r = 0; r < n; r++) {
		uint32_t len = 65536u + (r * 7919u) % (SZ / 2);
		uint32_t so = (r * 104729u) % (SZ - len), d = (r * 1299709u) % (SZ - len);
		__builtin_memcpy(dst + d, src + so, len);
		sum = sum * 33 + dst[d + len / 2] + dst[d + len - 1];
		src[r % SZ] ^= (uint8_t)sum;
	}
	return sum;
}
