/*
 * Dense matrix multiply in double precision, i-k-j order. Every value is a
 * small multiple of 0.5, so every product and sum is exact: the checksum
 * is the same whatever order a compiler evaluates them in.
 */
#include "kernels.h"

#define MAXN 512

static double a[MAXN * MAXN], b[MAXN * MAXN], c[MAXN * MAXN];

uint32_t
k_matmul(uint32_t n)
{
	uint64_t sum = 0;

	if (n > MAXN)
		n = MAXN;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < n; j++) {
			a[i * n + j] = (double)((i * 7 + j * 3) % 11) * 0.5 - 2.0;
			b[i * n + j] = (double)((i * 5 + j * 13) % 9) - 4.0;
			c[i * n + j] = 0.0;
		}
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < n; k++) {
			double aik = a[i * n + k];
			for (uint32_t j = 0; j < n; j++)
				c[i * n + j] += aik * b[k * n + j];
		}
	for (uint32_t i = 0; i < n * n; i++)
		sum = sum * 1000003u + (uint64_t)(int64_t)(c[i] * 2.0);
	return (uint32_t)(sum ^ (sum >> 32));
}
