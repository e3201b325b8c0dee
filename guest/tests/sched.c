/*
 * sched.c - the scheduler as programs feel it: a CPU-bound process does
 * not delay an interactive one, sleeps are on time under load, nice gives
 * less CPU, and a yield lets others run.
 */
#include <fcntl.h>
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

/* Instructions the processes kids[0..n) have run: the fuel field of their
 * /task status lines ("pid ppid pgid state fuel mem name"). */
static uint64_t
fuel_of(const pid_t *kids, int n)
{
	uint64_t sum = 0;

	for (int i = 0; i < n; i++) {
		char path[48], line[160];
		unsigned long long fuel = 0;
		int fd;
		ssize_t r;

		snprintf(path, sizeof path, "/task/%d/status", (int)kids[i]);
		if ((fd = open(path, O_RDONLY)) < 0)
			return UINT64_MAX;
		r = read(fd, line, sizeof line - 1);
		close(fd);
		if (r <= 0)
			return UINT64_MAX;
		line[r] = 0;
		if (sscanf(line, "%*d %*d %*d %*s %llu", &fuel) != 1)
			return UINT64_MAX;
		sum += fuel;
	}
	return sum;
}

/*
 * Round trips through a pair of pipes with an echoing child. Returns the
 * most instructions the n processes kids ran during one round trip (how
 * long the interactive pair waited, in the scheduler's own unit: fuel, so
 * the bound below holds on any machine), UINT64_MAX on error.
 */
static uint64_t
ping_pong(int rounds, const pid_t *kids, int n)
{
	int to[2], from[2];
	uint64_t worst = 0;
	char b = 'p';

	if (pipe(to) < 0 || pipe(from) < 0)
		return UINT64_MAX;
	pid_t c = fork();

	if (c < 0)
		return UINT64_MAX;
	if (c == 0) {
		close(to[1]);
		close(from[0]);
		while (read(to[0], &b, 1) == 1)
			write(from[1], &b, 1);
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	for (int i = 0; i < rounds; i++) {
		uint64_t before = fuel_of(kids, n), after;

		if (write(to[1], &b, 1) != 1 || read(from[0], &b, 1) != 1)
			return UINT64_MAX;
		after = fuel_of(kids, n);
		if (before == UINT64_MAX || after == UINT64_MAX)
			return UINT64_MAX;
		if (after - before > worst)
			worst = after - before;
	}
	close(to[1]);
	close(from[0]);
	gt_wait(c);
	return worst;
}

/*
 * Gate: a CPU-bound process does not delay an interactive one. The hogs
 * sink to the lowest level; the ping-pong pair blocks every trip and stays
 * high, so a trip waits at most for each hog's current slice (after a
 * periodic boost), never for the hogs to finish: at most one largest
 * quantum (640,000 instructions at nice 0) per hog.
 */
GT(interactive_not_delayed)
{
	enum { NHOGS = 3 };
	pid_t k[NHOGS];
	uint64_t worst;

	hogs(k, NHOGS);
	gt_msleep(50);  /* let the hogs sink to the low levels */
	worst = ping_pong(100, k, NHOGS);
	unhog(k, NHOGS);
	printf("    100 round trips next to %d CPU hogs: the hogs ran at most %llu "
	       "instructions during one\n", NHOGS, (unsigned long long)worst);
	CHECK(worst != UINT64_MAX);
	CHECK(worst <= NHOGS * 640000ull);
}

/* Sleeps end, not early, with the CPU busy (how late is a matter of the
 * hogs' slices; the bound on that is the test above, in fuel). */
GT(sleep_on_time_under_load)
{
	pid_t k[2];

	hogs(k, 2);
	for (int i = 0; i < 5; i++) {
		uint64_t t = gt_now_ns();

		gt_msleep(20);
		t = gt_now_ns() - t;
		CHECK(t >= 19 * 1000000ull);
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
