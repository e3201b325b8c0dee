/* Recursive Fibonacci: call-heavy code, nothing else. */
#include "kernels.h"

static uint32_t
fib(uint32_t n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

uint32_t
k_fib(uint32_t n)
{
	return fib(n);
}
