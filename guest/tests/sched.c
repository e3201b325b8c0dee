/*
 * sched.c - the scheduler as programs feel it: a CPU-bound process does
 * not delay an interactive one, sleeps are on time under load, nice gives
 * less CPU, and a yield lets others run.
 */
#include <sched.h>

#include "gt.h"

/* Start n processes that only compute. */
static void
hogs(pid_t *kids, int n)
{
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			volatile unsigned long x = 0;

			for (;;)
				x++;
		}
	}
}

static void
unhog(pid_t *kids, int n)
{
	for (int i = 0; i < n; i++)
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			gt_wait(kids[i]);
		}
}

/* Round trips through a pair of pipes with an echoing child; worst one in ns. */
static uint64_t
ping_pong(int rounds, uint64_t *total)
{
	int to[2], from[2];
	uint64_t worst = 0, t0 = gt_now_ns();
	char b = 'p';

	if (pipe(to) < 0 || pipe(from) < 0)
		return UINT64_MAX;
	pid_t c = fork();

	if (c == 0) {
		close(to[1]);  /* or the read below never sees EOF */
		close(from[0]);
		while (read(to[0], &b, 1) == 1)
			write(from[1], &b, 1);
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	for (int i = 0; i < rounds; i++) {
		uint64_t t = gt_now_ns();

		if (write(to[1], &b, 1) != 1 || read(from[0], &b, 1) != 1)
			return UINT64_MAX;
		t = gt_now_ns() - t;
		if (t > worst)
			worst = t;
	}
	close(to[1]);
	close(from[0]);
	gt_wait(c);
	*total = gt_now_ns() - t0;
	return worst;
}

/* Gate: a CPU-bound process does not delay an interactive one. */
GT(interactive_not_delayed)
{
	pid_t k[3];
	uint64_t base_total, load_total, base_worst, load_worst;

	base_worst = ping_pong(100, &base_total);
	hogs(k, 3);
	gt_msleep(50);  /* let the hogs sink to the low levels */
	load_worst = ping_pong(100, &load_total);
	unhog(k, 3);
	printf("    100 round trips: %llu us alone, %llu us next to 3 CPU hogs (worst %llu us)\n",
	       (unsigned long long)(base_total / 1000), (unsigned long long)(load_total / 1000),
	       (unsigned long long)(load_worst / 1000));
	CHECK(base_worst != UINT64_MAX && load_worst != UINT64_MAX);
	/* Generous bounds: each trip waits at most for a hog's slice, never for it to finish. */
	CHECK(load_worst < 250 * 1000000ull);
	CHECK(load_total < 3000 * 1000000ull);
}

/* Sleeps end on time even with the CPU busy. */
GT(sleep_on_time_under_load)
{
	pid_t k[2];

	hogs(k, 2);
	for (int i = 0; i < 5; i++) {
		uint64_t t = gt_now_ns();

		gt_msleep(20);
		t = gt_now_ns() - t;
		CHECK(t >= 19 * 1000000ull);
		CHECK(t < 250 * 1000000ull);
	}
	unhog(k, 2);
}

/* Two hogs share the CPU; the niced one gets less. */
GT(nice_gives_less)
{
	int p[2];
	pid_t kids[2];
	unsigned long counts[2] = { 0, 0 };

	REQUIRE(pipe(p) == 0);
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		REQUIRE(kids[i] >= 0);
		if (kids[i] == 0) {
			volatile unsigned long n = 0;
			uint64_t end;

			if (i == 1)
				nice(19);
			end = gt_now_ns() + 400 * 1000000ull;
			while (gt_now_ns() < end)
				for (int j = 0; j < 1000; j++)
					n++;
			unsigned long v = n;

			write(p[1], &i, sizeof i);
			write(p[1], &v, sizeof v);
			_exit(0);
		}
	}
	for (int r = 0; r < 2; r++) {
		int i;
		unsigned long v;

		REQUIRE(read(p[0], &i, sizeof i) == sizeof i && i >= 0 && i < 2);
		REQUIRE(read(p[0], &v, sizeof v) == sizeof v);
		counts[i] = v;
	}
	for (int i = 0; i < 2; i++)
		CHECK(gt_exited(gt_wait(kids[i]), 0));
	printf("    nice 0: %lu, nice 19: %lu\n", counts[0], counts[1]);
	CHECK(counts[1] > 0);
	CHECK(counts[0] > counts[1]);
}

/* Many processes all make progress (no one starves). */
GT(no_starvation)
{
	enum { N = 8 };
	int p[2];
	pid_t kids[N];

	REQUIRE(pipe(p) == 0);
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		REQUIRE(kids[i] >= 0);
		if (kids[i] == 0) {
			volatile unsigned long n = 0;

			/* Compute a while, then say so. */
			for (unsigned long j = 0; j < 3000000; j++)
				n++;
			write(p[1], "d", 1);
			_exit(0);
		}
	}
	close(p[1]);
	int done = 0;
	char c;

	while (read(p[0], &c, 1) == 1)
		done++;
	CHECK_EQ(done, N);
	for (int i = 0; i < N; i++)
		CHECK(gt_exited(gt_wait(kids[i]), 0));
}

GT(yield)
{
	for (int i = 0; i < 100; i++)
		CHECK_EQ(sched_yield(), 0);
}
