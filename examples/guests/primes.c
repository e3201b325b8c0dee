/*
 * primes.c - the demo guest: count the primes below n with a sieve of
 * Eratosthenes kept in linear memory.  Built for wasm32 without libc.
 *
 * It is deliberately a long, memory-heavy computation (about 100 million
 * instructions for n = 4000000) so that suspending, cloning and
 * snapshotting it mid-run show something: the sieve half filled in, the
 * loop position in the frames.  `progress` lets the host watch it between
 * fuel slices by reading linear memory.
 */
#define LIMIT (4u << 20)
#define EXPORT(name) __attribute__((export_name(name)))

static unsigned char composite[LIMIT];
static volatile unsigned progress;

/* Address of the progress counter in linear memory. */
EXPORT("progress_addr") unsigned *
progress_addr(void)
{
	return (unsigned *)&progress;
}

/* The number of primes below n (n is clamped to LIMIT). */
EXPORT("count_primes") int
count_primes(int n)
{
	unsigned un = n < 0 ? 0 : (unsigned)n, i, j;
	int count = 0;

	if (un > LIMIT)
		un = LIMIT;
	for (i = 0; i < un; i++)
		composite[i] = 0;
	for (i = 2; i < un; i++) {
		progress = i;
		if (composite[i])
			continue;
		count++;
		if (i > un / i)
			continue;
		for (j = i * i; j < un; j += i)
			composite[j] = 1;
	}
	progress = un;
	return count;
}
