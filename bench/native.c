/*
 * native.c - the native side of the benchmarks: the kernels compiled with
 * gcc -O2, run as an ordinary Linux process.
 *
 *   native NAME N REPS   run k_NAME(N) REPS times; print "checksum best_ms"
 *   native --noop        exit at once (the runner times process spawn with it)
 *   native --selftest    check sha256() against the FIPS 180-4 test vector
 *   native --list        print every kernel with its default n
 *
 * The runner (runner.c) spawns this program so that native time is measured
 * in a process of its own, as a user would run it, both inside
 * (clock_gettime around the kernel) and outside (spawn to exit).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"

struct kernel {
	const char *name;
	uint32_t (*fn)(uint32_t);
	uint32_t n;
};

#define BENCH_ENTRY(name, n, pages) { #name, k_##name, n },
static const struct kernel kernels[] = { BENCH_KERNELS(BENCH_ENTRY) };
#undef BENCH_ENTRY

/*
 * Kernels are timed in CPU time of this process, not wall time: the
 * benchmark machines are shared, and a kernel descheduled for a while
 * would otherwise count someone else's work. (Spawn costs, which include
 * the kernel's sleeping in exec and wait, use wall time: wall_ms.)
 */
static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
selftest(void)
{
	static const uint8_t want[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
		0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	uint8_t got[32];

	sha256((const uint8_t *)"abc", 3, got);
	if (memcmp(got, want, 32) != 0) {
		fprintf(stderr, "native: sha256(\"abc\") is wrong\n");
		return 1;
	}
	printf("native: selftest ok\n");
	return 0;
}

int
main(int argc, char **argv)
{
	const struct kernel *k = NULL;
	uint32_t n, reps, sum = 0;
	double best = -1;

	if (argc == 2 && strcmp(argv[1], "--noop") == 0)
		return 0;
	if (argc == 2 && strcmp(argv[1], "--selftest") == 0)
		return selftest();
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
			printf("%s %u\n", kernels[i].name, (unsigned)kernels[i].n);
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: native NAME N REPS | --noop | --selftest | --list\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
		if (strcmp(kernels[i].name, argv[1]) == 0)
			k = &kernels[i];
	if (!k) {
		fprintf(stderr, "native: no kernel %s\n", argv[1]);
		return 2;
	}
	n = (uint32_t)strtoul(argv[2], NULL, 0);
	reps = (uint32_t)strtoul(argv[3], NULL, 0);
	for (uint32_t r = 0; r < reps || r == 0; r++) {
		double t0 = cpu_ms();
		uint32_t s = k->fn(n);
		double t = cpu_ms() - t0;
		if (r > 0 && s != sum) {
			fprintf(stderr, "native: %s gave different checksums\n", k->name);
			return 1;
		}
		sum = s;
		if (best < 0 || t < best)
			best = t;
	}
	printf("%u %.3f\n", (unsigned)sum, best);
	return 0;
}
