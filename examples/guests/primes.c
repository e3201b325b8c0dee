/*
 * primes.c - the demo guest: count the primes below n by trial division
 * by the primes found so far, which it keeps in linear memory.  Built for
 * wasm32 without libc.
 *
 * A long computation (about 100 million instructions for n = 400000)
 * whose state lives both in memory (the table of primes) and in locals (the
 * loop position), so suspending, cloning and snapshotting it mid-run show
 * something.  `progress` lets the host watch it between fuel slices by
 * reading linear memory.
 */
#define MAX_PRIMES (1u << 20)
#define EXPORT(name) __attribute__((export_name(name)))

static unsigned primes[MAX_PRIMES];
static volatile unsigned progress;

/* Address of the progress counter in linear memory. */
EXPORT("progress_addr") unsigned *
progress_addr(void)
{
	return (unsigned *)&progress;
}

/* The number of primes below n (counting stops at MAX_PRIMES primes). */
EXPORT("count_primes") int
count_primes(int n)
{
	unsigned un = n < 0 ? 0 : (unsigned)n, count = 0, i, k;

	if (un > 2)
		primes[count++] = 2;
	for (i = 3; i < un && count < MAX_PRIMES; i += 2) {
		progress = i;
		for (k = 1; k < count && primes[k] * primes[k] <= i; k++)
			if (i % primes[k] == 0)
				break;
		if (k == count || primes[k] * primes[k] > i)
			primes[count++] = i;
	}
	progress = un;
	return (int)count;
}
