/* Sieve of Eratosthenes over a 1 MiB byte array, n times (sizes vary a
 * little per round so no compiler can hoist the work out of the loop). */
#include "kernels.h"

#define SIZE (1u << 20)

static uint8_t composite[SIZE];

static uint32_t
sieve(uint32_t size)
{
	uint32_t count = 0;

	__builtin_memset(composite, 0, size);
	for (uint32_t i = 2; i < size; i++) {
		if (composite[i])
			continue;
		count++;
		for (uint32_t j = i * 2; j < size; j += i)
			composite[j] = 1;
	}
	return count;
}

uint32_t
k_sieve(uint32_t n)
{
	uint32_t sum = 0;

	for (uint32_t r = 0; r < n; r++)
		sum = sum * 31 + sieve(SIZE - (r & 15) * 4096);
	return sum;
}
