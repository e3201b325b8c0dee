/*
 * timing.h - how every process benchmark times an operation, shared by the
 * Linux baseline (native.c, gcc) and the warren guests (g_*.c, clang for
 * wasm32-wasi), so both sides are measured by the same rule.
 *
 * An operation is timed in batches on the monotonic clock (inside warren
 * that is the host's CLOCK_MONOTONIC through WASI clock_time_get). The
 * batch size is calibrated so one batch takes about BP_BATCH_NS; the
 * result is the mean of the fastest batch, with the median batch beside
 * it. The machines we run on are shared: a batch that someone else's work
 * interrupted is slower, never faster, so the fastest batch is the best
 * estimate of the operation itself, and the median shows the spread.
 * Batches are short and many for the same reason: on a busy machine a
 * short one has a chance to run undisturbed.
 *
 * Results are printed as "key value" lines (value in the unit the key
 * names), which the driver (driver.c) parses; lines starting with '#' are
 * commentary it passes through.
 */
#ifndef BENCH_PROC_TIMING_H
#define BENCH_PROC_TIMING_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define BP_BATCH_NS 2000000.0   /* one batch: about 2 ms */
#define BP_BATCHES 31
#define BP_PROBE_NS 1000000.0   /* a calibration probe: at least 1 ms */
#define BP_MAX_BATCH 1000000L

/* One operation; 0 on success, -1 (with a message printed) on failure. */
typedef int (*bp_op)(void *ctx);

struct bp_result {
	double best_us;         /* mean of the fastest batch, per operation */
	double median_us;       /* mean of the median batch */
	long per_batch;         /* operations in one batch */
};

static inline double
bp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Runs op n times; the elapsed ns, or -1 if an operation failed. */
static inline double
bp_batch(bp_op op, void *ctx, long n)
{
	double t0 = bp_now_ns();

	for (long i = 0; i < n; i++)
		if (op(ctx) != 0)
			return -1;
	return bp_now_ns() - t0;
}

/*
 * Time op: one warm-up call, calibration probes, then BP_BATCHES batches.
 * Returns 0 and *r, or -1 if an operation failed.
 */
static inline int
bp_measure(bp_op op, void *ctx, struct bp_result *r)
{
	double t[BP_BATCHES], probe, x;
	long n = 1;

	if (op(ctx) != 0)
		return -1;
	/* Grow the probe until it is long enough to time; then the fastest of
	 * three such probes sets the rate (a stalled one would shrink batches). */
	for (;;) {
		if ((probe = bp_batch(op, ctx, n)) < 0)
			return -1;
		if (probe >= BP_PROBE_NS || n >= BP_MAX_BATCH)
			break;
		n *= 4;
	}
	for (int i = 0; i < 2; i++) {
		if ((x = bp_batch(op, ctx, n)) < 0)
			return -1;
		if (x < probe)
			probe = x;
	}
	n = (long)(BP_BATCH_NS / (probe / (double)n));
	if (n < 1)
		n = 1;
	if (n > BP_MAX_BATCH)
		n = BP_MAX_BATCH;
	for (int b = 0; b < BP_BATCHES; b++) {
		if ((t[b] = bp_batch(op, ctx, n)) < 0)
			return -1;
		/* insertion sort: a handful of numbers */
		for (int j = b; j > 0 && t[j] < t[j - 1]; j--) {
			x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	}
	r->per_batch = n;
	r->best_us = t[0] / (double)n / 1e3;
	r->median_us = t[BP_BATCHES / 2] / (double)n / 1e3;
	return 0;
}

/* The result lines for key: "key best" and a commentary line. */
static inline void
bp_print(const char *key, const char *what, const struct bp_result *r)
{
	printf("%s %.3f\n", key, r->best_us);
	printf("# %s: best batch %.3f us/op, median batch %.3f us/op, %ld ops per batch, %d batches\n",
	       what, r->best_us, r->median_us, r->per_batch, BP_BATCHES);
	fflush(stdout);
}

#endif
