/*
 * limits.c - bombs, contained. run.sh starts this program in a small
 * system (--procs 40 --mem 512 --fuel 300000000): a fork bomb, a memory
 * bomb, an endless loop and an fd leak each fail with a clear error in
 * their own process tree, while the test (and everything else) goes on
 * and the system recovers afterwards.
 */
#include <sched.h>

#include "gt.h"

/*
 * The blocks a bomb allocates are chained from a volatile root, so the
 * compiler cannot drop the malloc calls (an unused malloc may be removed,
 * and a loop on its result assumed endless).
 */
static void *volatile chain;

static int
grab_megabyte(int touch)
{
	void **m = malloc(1 << 20);

	if (!m)
		return 0;
	if (touch)
		memset(m, 0x5a, 1 << 20);
	*m = chain;
	chain = m;
	return 1;
}

/* fork until the system refuses; returns when it does (0) or -1 */
static int
fork_works_again(int seconds)
{
	for (int i = 0; i < seconds * 100; i++) {
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		if (c > 0)
			return gt_exited(gt_wait(c), 0) ? 0 : -1;
		gt_msleep(10);
	}
	return -1;
}

GT(fork_bomb)
{
	int p[2];
	char x;

	REQUIRE(pipe(p) == 0);
	pid_t leader = fork();

	REQUIRE(leader >= 0);
	if (leader == 0) {
		int told = 0;

		setpgid(0, 0);
		close(p[0]);
		/* Every process forks forever; the first refusal is reported. */
		for (;;) {
			pid_t c = fork();

			if (c < 0) {
				if (errno == EAGAIN && !told++)
					write(p[1], "A", 1);
				sched_yield();
			}
		}
	}
	setpgid(leader, leader);
	close(p[1]);
	/* The bomb hits the process limit: EAGAIN, not a crash. */
	CHECK_EQ(read(p[0], &x, 1), 1);
	CHECK_EQ(x, 'A');
	/* We still run: a file, a pipe, a computation. */
	int fd = open("/tmp/gt_still_here", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "yes", 3), 3);
	close(fd);
	unlink("/tmp/gt_still_here");
	/* Defuse: the whole group goes, init reaps the orphans. */
	CHECK_EQ(kill(-leader, SIGKILL), 0);
	CHECK(gt_signalled(gt_wait(leader), SIGKILL));
	CHECK_EQ(fork_works_again(10), 0);
}

/* A plain process limit: fork says EAGAIN at the limit, and counts right. */
GT(process_limit)
{
	enum { MAX = 64 };
	pid_t kids[MAX];
	int n = 0;

	while (n < MAX) {
		pid_t c = fork();

		if (c < 0) {
			CHECK_EQ(errno, EAGAIN);
			break;
		}
		if (c == 0) {
			for (;;)
				pause();
		}
		kids[n++] = c;
	}
	CHECK(n > 10 && n < 40);  /* --procs 40, less what already runs */
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		CHECK(gt_signalled(gt_wait(kids[i]), SIGKILL));
	CHECK_EQ(fork_works_again(5), 0);
}

GT(memory_bomb)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		int n = 0;

		while (grab_megabyte(1))  /* touched: really used */
			n++;
		/* --mem 512 pages is 32 MiB: malloc said no before that. */
		_exit(n > 2 && n <= 32 ? 42 : 1);
	}
	CHECK(gt_exited(gt_wait(c), 42));
	/* We can still allocate. */
	char *m = malloc(4 << 20);

	CHECK(m != NULL);
	if (m)
		memset(m, 1, 4 << 20);
	free(m);
}

/* Several memory bombs at once: each fails alone. */
GT(memory_bombs_parallel)
{
	enum { N = 4 };
	pid_t kids[N];

	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		REQUIRE(kids[i] >= 0);
		if (kids[i] == 0) {
			int n = 0;

			while (grab_megabyte(0))
				n++;
			_exit(n > 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int st = gt_wait(kids[i]);

		/* Out of memory shows as malloc failing (exit 0), never as a host problem. */
		CHECK(gt_exited(st, 0) || gt_signalled(st, SIGKILL));
	}
}

/* An endless loop is stopped by the fuel limit: SIGXCPU. */
GT(cpu_limit)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		volatile unsigned long n = 0;

		for (;;)
			n++;
	}
	int st = gt_wait(c);

	CHECK(gt_signalled(st, SIGXCPU));
}

/* Catching SIGXCPU buys nothing: SIGKILL follows. */
static void
ignore_xcpu(int sig)
{
	(void)sig;
}

GT(cpu_limit_caught)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		volatile unsigned long n = 0;

		signal(SIGXCPU, ignore_xcpu);
		for (;;)
			n++;
	}
	CHECK(gt_signalled(gt_wait(c), SIGKILL));
}

/* While a process burns its fuel, others keep running normally. */
GT(cpu_limit_others_run)
{
	pid_t hog = fork();

	REQUIRE(hog >= 0);
	if (hog == 0) {
		volatile unsigned long n = 0;

		for (;;)
			n++;
	}
	char *argv[] = { "/bin/echo", "alive", NULL };
	char out[32];

	for (int i = 0; i < 5; i++) {
		CHECK(gt_exited(gt_run(argv, NULL, out, sizeof out, 0), 0));
		CHECK_STR(out, "alive\n");
	}
	kill(hog, SIGKILL);
	gt_wait(hog);
}

/* An fd leak ends in EMFILE for that process only. */
GT(fd_leak)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		int n = 0, fd, last = -1;

		while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
			last = fd;
			n++;
		}
		int ok = errno == EMFILE && n > 100;
		int p[2];

		/* pipes and dups fail the same way */
		ok = ok && pipe(p) == -1 && errno == EMFILE;
		ok = ok && dup(0) == -1 && errno == EMFILE;
		/* one closed, one free */
		close(last);
		ok = ok && open("/dev/null", O_RDONLY) == last;
		gt_child_exit(ok);
	}
	CHECK(gt_exited(gt_wait(c), 0));
	int fd = open("/dev/null", O_RDONLY);

	CHECK(fd >= 0 && fd < 10);
	close(fd);
}

/* The bombs of the tests above left nothing behind: the table is clean. */
GT(clean_afterwards)
{
	CHECK_EQ(fork_works_again(5), 0);
	CHECK_EQ(waitpid(-1, NULL, WNOHANG), -1);
	CHECK_EQ(errno, ECHILD);
}
