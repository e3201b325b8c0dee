/*
 * gt.h - the guest test harness, in the manner of xv6's usertests.
 *
 * A test program is a list of GT(name) { ... } functions. main() (here)
 * runs each one in a child process of its own, in a process group of its
 * own, under an alarm, and judges it by how the child ends: exit 0 is a
 * pass, anything else (a failed CHECK, a crash, a signal, the alarm) a
 * failure. One line per test, "ok NAME" or "FAIL NAME: why", and a closing
 * "NAME: N passed, N failed" line that guest/tests/run.sh sums up.
 * Run only some tests by naming them: prog.wasm fork_basic exec_args; skip
 * some with GT_SKIP="name ..." in the environment (they print "skip NAME").
 *
 * Inside a test, CHECK records a failure (file:line, the expression and
 * errno) and goes on; REQUIRE stops the test. Processes a test forks
 * report back through their exit status (gt_child_exit) or a pipe.
 */
#ifndef WARREN_GUEST_GT_H
#define WARREN_GUEST_GT_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef GT_TIMEOUT
#define GT_TIMEOUT 60   /* seconds a test may take before SIGALRM ends it */
#endif

struct gt_test {
	const char *name;
	void (*fn)(void);
	struct gt_test *next;
};

static struct gt_test *gt_head, **gt_tail = &gt_head;
static int gt_failed;          /* failures in the running test (its process) */
static const char *gt_prog = "gt";

static void
gt_register(struct gt_test *t)
{
	*gt_tail = t;
	gt_tail = &t->next;
}

#define GT(name)                                                      \
	static void gt_fn_##name(void);                               \
	static struct gt_test gt_t_##name = { #name, gt_fn_##name, 0 }; \
	__attribute__((constructor)) static void gt_reg_##name(void)  \
	{                                                             \
		gt_register(&gt_t_##name);                            \
	}                                                             \
	static void gt_fn_##name(void)

static void
gt_fail(const char *file, int line, const char *what)
{
	int e = errno;

	fflush(stdout);
	fprintf(stderr, "    %s:%d: %s (errno %d: %s, pid %d)\n", file, line, what, e, strerror(e),
		(int)getpid());
	gt_failed++;
}

#define CHECK(cond)                                                   \
	do {                                                          \
		if (!(cond))                                          \
			gt_fail(__FILE__, __LINE__, "CHECK(" #cond ")"); \
	} while (0)

#define REQUIRE(cond)                                                 \
	do {                                                          \
		if (!(cond)) {                                        \
			gt_fail(__FILE__, __LINE__, "REQUIRE(" #cond ")"); \
			_exit(1);                                     \
		}                                                     \
	} while (0)

/* CHECK(a == b) that prints both values. */
#define CHECK_EQ(a, b)                                                \
	do {                                                          \
		long long gt_a_ = (long long)(a), gt_b_ = (long long)(b); \
		if (gt_a_ != gt_b_) {                                 \
			char gt_m_[160];                              \
			snprintf(gt_m_, sizeof gt_m_, "CHECK_EQ(%s, %s): %lld != %lld", #a, #b, \
				 gt_a_, gt_b_);                       \
			gt_fail(__FILE__, __LINE__, gt_m_);           \
		}                                                     \
	} while (0)

#define CHECK_STR(a, b)                                               \
	do {                                                          \
		const char *gt_a_ = (a), *gt_b_ = (b);                \
		if (strcmp(gt_a_, gt_b_)) {                           \
			char gt_m_[512];                              \
			snprintf(gt_m_, sizeof gt_m_, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", #a, #b, \
				 gt_a_, gt_b_);                       \
			gt_fail(__FILE__, __LINE__, gt_m_);           \
		}                                                     \
	} while (0)

/* In a process a test forked: end it with 0 if ok and no CHECK failed there. */
static inline __attribute__((noreturn)) void
gt_child_exit(int ok)
{
	fflush(stdout);
	_exit(ok && !gt_failed ? 0 : 1);
}

/* waitpid for one pid, through EINTR; returns the status, -1 on error. */
static inline int
gt_wait(pid_t pid)
{
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, 0);

		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static inline int
gt_exited(int st, int code)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static inline int
gt_signalled(int st, int sig)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

static inline uint64_t
gt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void
gt_msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Read until EOF or cap - 1 bytes; NUL-terminates. Returns bytes read. */
static inline size_t
gt_readall(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	return n;
}

static inline int
gt_writeall(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Run argv[0] (a path) with `input` on its stdin, its stdout captured into
 * out (cap bytes, NUL-terminated); stderr too when errtoo > 0, thrown away
 * when errtoo < 0, left alone when 0. Returns the wait status, -1 if it
 * could not be started.
 */
static inline int
gt_run(char *const argv[], const char *input, char *out, size_t cap, int errtoo)
{
	int in[2], res[2];
	pid_t pid;
	int st;

	if (pipe(in) < 0 || pipe(res) < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(res[1], 1);
		if (errtoo > 0) {
			dup2(res[1], 2);
		} else if (errtoo < 0) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 2);
			close(null);
		}
		close(in[0]);
		close(in[1]);
		close(res[0]);
		close(res[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(res[1]);
	/* Small inputs fit the pipe: write all, then read all. */
	if (input)
		gt_writeall(in[1], input, strlen(input));
	close(in[1]);
	gt_readall(res[0], out, cap);
	close(res[0]);
	st = gt_wait(pid);
	return st;
}

static const char *
gt_describe(int st, char *buf, size_t cap)
{
	if (st == -1)
		snprintf(buf, cap, "lost (waitpid failed)");
	else if (WIFEXITED(st))
		snprintf(buf, cap, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, cap, "killed by signal %d%s", WTERMSIG(st),
			 WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
	else
		snprintf(buf, cap, "status 0x%x", st);
	return buf;
}

/* Run one test in a child; 1 if it passed. */
static int
gt_one(struct gt_test *t)
{
	char why[64];
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		printf("FAIL %s: fork: %s\n", t->name, strerror(errno));
		return 0;
	}
	if (pid == 0) {
		setpgid(0, 0);
		alarm(GT_TIMEOUT);
		gt_failed = 0;
		t->fn();
		gt_child_exit(1);
	}
	setpgid(pid, pid);
	st = gt_wait(pid);
	/* Whatever the test left behind in its group goes with it. */
	kill(-pid, SIGKILL);
	if (gt_exited(st, 0)) {
		printf("ok %s\n", t->name);
		return 1;
	}
	printf("FAIL %s: %s\n", t->name, gt_describe(st, why, sizeof why));
	return 0;
}

/* Whether name is listed in GT_SKIP (space-separated test names). */
static int
gt_skipped(const char *name)
{
	const char *list = getenv("GT_SKIP");
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ");

		if (len == n && !strncmp(p, name, n))
			return 1;
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int pass = 0, fail = 0, skip = 0;

	if (argc > 0 && argv[0]) {
		const char *s = strrchr(argv[0], '/');

		gt_prog = s ? s + 1 : argv[0];
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct gt_test *t = gt_head; t; t = t->next) {
		int wanted = argc < 2;

		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], t->name))
				wanted = 1;
		if (!wanted)
			continue;
		if (gt_skipped(t->name)) {
			printf("skip %s\n", t->name);
			skip++;
			continue;
		}
		if (gt_one(t))
			pass++;
		else
			fail++;
	}
	/* Reap what tests orphaned to us (when we are the init of the system). */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	printf("%s: %d passed, %d failed, %d skipped\n", gt_prog, pass, fail, skip);
	return fail != 0;
}

#endif
