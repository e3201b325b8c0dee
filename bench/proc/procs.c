/*
 * procs.c - the process benchmarks, one source for both sides: built with
 * gcc -O2 as the Linux baseline and with clang for wasm32-wasi plus the
 * guest SDK as the warren guest, so the two run the same operations timed
 * by the same rule (timing.h).
 *
 *   procs TINY OP [N]
 *
 * TINY is tiny.c (natively linked -static; in warren a path such as
 * /bin/tiny). OP is one of:
 *   spawn       posix_spawn(TINY) + waitpid
 *   fork        fork with 1 MiB touched + child _exit + waitpid
 *   pipe        1-byte round trip between this process and a forked child
 *   idle-fork   fork N children (default 500) that block reading a pipe
 *   idle-spawn  posix_spawn N copies of "TINY read" reading that pipe
 * One OP per run: each starts from a fresh process, so memory one
 * benchmark grew (a wasm memory never shrinks) cannot inflate the next.
 * Results are "key value" lines (see timing.h); the exit status is
 * non-zero only when an operation failed.
 *
 * The idle benchmarks count memory the way each system spends it.
 * Natively this program does it: the growth of the Pss summed over this
 * process and its children (the user pages they dirtied, split fairly
 * where still shared) plus the growth of the kernel's per-process memory
 * (kernel stacks, page tables, unreclaimable slab: task, mm, vmas, files)
 * from /proc/meminfo, which is system-wide and so a little noisy; the
 * breakdown is printed. In warren all of it is host memory, which the
 * host measures (driver.c): the guest prints "idle_base" and waits for a
 * byte on fd 0 before starting the children, then prints "idle_pid P" for
 * each child and "idle_ready N" and waits again while the host measures.
 * Either way the children are killed with SIGKILL at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "timing.h"

#define FORK_MEM (1u << 20)
#define IDLE_DEFAULT 500
#define IDLE_MAX 30000

extern char **environ;

struct ctx {
	const char *tiny;
	int ping, pong;                 /* pipe: write ping, read pong */
};

/*
 * The 1 MiB a fork copies. Written through a volatile pointer: memory that
 * is only written and freed may legally never be written at all.
 */
static volatile unsigned char *fork_mem;

static int
fail(const char *what)
{
	printf("# procs: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	return -1;
}

/* Waits for pid; 0 if it exited with status 0 (or was killed with `sig`). */
static int
reap(pid_t pid, int sig)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return fail("waitpid");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (sig && WIFSIGNALED(st) && WTERMSIG(st) == sig)
		return 0;
	printf("# procs: child %d ended with status 0x%x\n", (int)pid, st);
	return -1;
}

/* ---- the timed operations ------------------------------------------------ */

static int
op_spawn(void *v)
{
	struct ctx *c = v;
	char *argv[] = { (char *)c->tiny, NULL };
	pid_t pid;
	int e;

	if ((e = posix_spawn(&pid, c->tiny, NULL, NULL, argv, environ)) != 0) {
		errno = e;
		return fail(c->tiny);
	}
	return reap(pid, 0);
}

static int
op_fork(void *v)
{
	pid_t pid;

	(void)v;
	if ((pid = fork()) < 0)
		return fail("fork");
	if (pid == 0)
		_exit(0);
	return reap(pid, 0);
}

static int
op_pipe(void *v)
{
	struct ctx *c = v;
	char b = 'x';

	if (write(c->ping, &b, 1) != 1)
		return fail("write");
	if (read(c->pong, &b, 1) != 1)
		return fail("read");
	return 0;
}

/* ---- the timing benchmarks ----------------------------------------------- */

static int
bench_spawn(struct ctx *c, long n)
{
	struct bp_result r;

	(void)n;
	if (bp_measure(op_spawn, c, &r) != 0)
		return -1;
	bp_print("spawn_us", "posix_spawn(tiny) + waitpid", &r);
	return 0;
}

static int
bench_fork(struct ctx *c, long n)
{
	struct bp_result r;
	int rc;

	(void)n;
	if (!(fork_mem = malloc(FORK_MEM)))
		return fail("malloc");
	for (size_t i = 0; i < FORK_MEM; i++)
		fork_mem[i] = (unsigned char)i;
	rc = bp_measure(op_fork, c, &r);
	if (rc == 0)
		bp_print("fork1m_us", "fork (1 MiB touched) + _exit + waitpid", &r);
	free((void *)fork_mem);
	fork_mem = NULL;
	return rc;
}

/* The child of the pipe benchmark: echo bytes until EOF. */
static void
echo_child(int in, int out)
{
	char b;
	ssize_t n;

	while ((n = read(in, &b, 1)) == 1)
		if (write(out, &b, 1) != 1)
			_exit(1);
	_exit(n == 0 ? 0 : 1);
}

static int
bench_pipe(struct ctx *c, long n)
{
	struct bp_result r;
	int a[2], b[2], rc = -1;
	pid_t pid = -1;

	(void)n;
	if (pipe(a) < 0)
		return fail("pipe");
	if (pipe(b) < 0) {
		close(a[0]);
		close(a[1]);
		return fail("pipe");
	}
	if ((pid = fork()) < 0) {
		fail("fork");
		goto out;
	}
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		echo_child(a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	a[0] = b[1] = -1;
	c->ping = a[1];
	c->pong = b[0];
	rc = bp_measure(op_pipe, c, &r);
	close(a[1]);            /* EOF: the child leaves */
	a[1] = -1;
	if (reap(pid, 0) != 0)
		rc = -1;
	if (rc == 0)
		bp_print("pipe_rt_us", "1-byte pipe round trip between two processes", &r);
out:
	for (int i = 0; i < 2; i++) {
		if (a[i] >= 0)
			close(a[i]);
		if (b[i] >= 0)
			close(b[i]);
	}
	return rc;
}

/* ---- idle processes: where memory is counted ----------------------------- */

#ifdef __wasm__

/*
 * In warren the host counts: say where we are, then block on fd 0 (the
 * host's input pipe) until the host has measured and sends a byte.
 */
struct idle_mem {
	int unused;
};

static int
host_pause(void)
{
	char b;

	fflush(stdout);
	if (read(0, &b, 1) < 0)
		return fail("read fd 0");
	return 0;
}

static int
idle_before(struct idle_mem *m)
{
	(void)m;
	printf("idle_base\n");
	return host_pause();
}

static int
idle_after(struct idle_mem *m, const pid_t *kids, long n)
{
	(void)m;
	for (long i = 0; i < n; i++)
		printf("idle_pid %d\n", (int)kids[i]);
	printf("idle_ready %ld\n", n);
	return host_pause();
}

/* wait_blocked: the host steps warren until nothing can run. */
static int
wait_blocked(const pid_t *kids, long n)
{
	(void)kids;
	(void)n;
	return 0;
}

#else

/* Kernel memory that grows with each process, from /proc/meminfo. */
static const char *const kfields[] = { "KernelStack", "PageTables", "SUnreclaim" };
#define NKFIELDS (sizeof kfields / sizeof kfields[0])

struct idle_mem {
	long long pss;
	long long kern[NKFIELDS];
};

/* A "Key:   123 kB" field of a /proc file, in bytes; -1 if absent. */
static long long
proc_field(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtoll(line + klen + 1, NULL, 10) * 1024;
			break;
		}
	fclose(f);
	return v;
}

static long long
pss_of(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	return proc_field(path, "Pss");
}

static int
idle_before(struct idle_mem *m)
{
	if ((m->pss = pss_of(getpid())) < 0)
		return fail("smaps_rollup");
	for (size_t i = 0; i < NKFIELDS; i++)
		if ((m->kern[i] = proc_field("/proc/meminfo", kfields[i])) < 0)
			return fail("meminfo");
	return 0;
}

static int
idle_after(struct idle_mem *m0, const pid_t *kids, long n)
{
	struct idle_mem m1;
	long long per, kern = 0;

	if (idle_before(&m1) != 0)
		return -1;
	for (long i = 0; i < n; i++) {
		long long p = pss_of(kids[i]);

		if (p < 0)
			return fail("smaps_rollup");
		m1.pss += p;
	}
	for (size_t i = 0; i < NKFIELDS; i++)
		kern += m1.kern[i] - m0->kern[i];
	per = (m1.pss - m0->pss + kern) / n;
	if (per <= 0) {
		printf("# procs: idle: no memory growth measured\n");
		return -1;
	}
	printf("idle_bytes %lld\n", per);
	printf("# idle: %ld processes blocked in read; per process: user Pss %.1f KiB",
	       n, (double)(m1.pss - m0->pss) / n / 1024);
	for (size_t i = 0; i < NKFIELDS; i++)
		printf(", %s %.1f KiB", kfields[i], (double)(m1.kern[i] - m0->kern[i]) / n / 1024);
	printf(" (kernel fields system-wide)\n");
	return 0;
}

/* The state letter of /proc/PID/stat: 'S' once blocked in read. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	size_t k;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return '?';
	k = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[k] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/*
 * Spawned children have no ready pipe to report on: wait until each one
 * sleeps (tiny does nothing else but block in read). At most ~10 s.
 */
static int
wait_blocked(const pid_t *kids, long n)
{
	struct timespec ms = { 0, 1000000 };

	for (long i = 0, tries = 0; i < n; ) {
		if (proc_state(kids[i]) == 'S') {
			i++;
			continue;
		}
		if (++tries > 10000) {
			printf("# procs: idle child %d never blocked\n", (int)kids[i]);
			return -1;
		}
		nanosleep(&ms, NULL);
	}
	return 0;
}

#endif

/* ---- idle processes ------------------------------------------------------ */

/* A forked idle child: says it is ready, then blocks in read. */
static void
idle_child(int hold, int ready)
{
	char b = 'r';

	if (write(ready, &b, 1) != 1)
		_exit(1);
	while (read(hold, &b, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* Reads n ready bytes (one per forked child). */
static int
await_ready(int fd, long n)
{
	char buf[256];

	while (n > 0) {
		ssize_t k = read(fd, buf, sizeof buf);

		if (k <= 0)
			return fail("read ready");
		n -= k;
	}
	return 0;
}

static int
bench_idle(struct ctx *c, long n, int by_spawn)
{
	struct idle_mem m;
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)c->tiny, "read", NULL };
	int hold[2] = { -1, -1 }, ready[2] = { -1, -1 }, rc = -1, e;
	long started = 0;
	pid_t *kids;

	if (n <= 0)
		n = IDLE_DEFAULT;
	if (n > IDLE_MAX)
		n = IDLE_MAX;
	if (!(kids = calloc((size_t)n, sizeof *kids)))
		return fail("calloc");
	if ((e = posix_spawn_file_actions_init(&fa)) != 0) {
		free(kids);
		errno = e;
		return fail("posix_spawn_file_actions_init");
	}
	if (pipe(hold) < 0 || pipe(ready) < 0) {
		fail("pipe");
		goto out;
	}
	/* Spawned children get the read end as fd 0 and nothing else. */
	for (int i = 0; i < 2; i++)
		if (fcntl(hold[i], F_SETFD, FD_CLOEXEC) < 0 ||
		    fcntl(ready[i], F_SETFD, FD_CLOEXEC) < 0) {
			fail("fcntl");
			goto out;
		}
	if ((e = posix_spawn_file_actions_adddup2(&fa, hold[0], 0)) != 0) {
		errno = e;
		fail("posix_spawn_file_actions_adddup2");
		goto out;
	}
	fflush(stdout);         /* forked children must not inherit buffered output */
	if (idle_before(&m) != 0)
		goto out;
	for (started = 0; started < n; started++) {
		if (by_spawn) {
			if ((e = posix_spawn(&kids[started], c->tiny, &fa, NULL, argv,
					     environ)) != 0) {
				errno = e;
				fail("posix_spawn");
				goto out;
			}
			continue;
		}
		if ((kids[started] = fork()) < 0) {
			fail("fork");
			goto out;
		}
		if (kids[started] == 0) {
			close(hold[1]);
			close(ready[0]);
			idle_child(hold[0], ready[1]);
		}
	}
	if (by_spawn ? wait_blocked(kids, n) != 0 : await_ready(ready[0], n) != 0)
		goto out;
	rc = idle_after(&m, kids, n);
out:
	for (long i = 0; i < started; i++)
		kill(kids[i], SIGKILL);
	for (long i = 0; i < started; i++)
		if (reap(kids[i], SIGKILL) != 0)
			rc = -1;
	for (int i = 0; i < 2; i++) {
		if (hold[i] >= 0)
			close(hold[i]);
		if (ready[i] >= 0)
			close(ready[i]);
	}
	posix_spawn_file_actions_destroy(&fa);
	free(kids);
	return rc;
}

static int
bench_idle_fork(struct ctx *c, long n)
{
	return bench_idle(c, n, 0);
}

static int
bench_idle_spawn(struct ctx *c, long n)
{
	return bench_idle(c, n, 1);
}

static const struct {
	const char *name;
	int (*run)(struct ctx *, long n);
} benches[] = {
	{ "spawn", bench_spawn },
	{ "fork", bench_fork },
	{ "pipe", bench_pipe },
	{ "idle-fork", bench_idle_fork },
	{ "idle-spawn", bench_idle_spawn },
};
#define NBENCHES (sizeof benches / sizeof benches[0])

int
main(int argc, char **argv)
{
	struct ctx c = { .ping = -1, .pong = -1 };
	struct sigaction sa;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: procs TINY spawn|fork|pipe|idle-fork|idle-spawn [N]\n");
		return 2;
	}
	c.tiny = argv[1];
	/* A dead pipe reader must show up as an error, not kill us. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	for (size_t i = 0; i < NBENCHES; i++)
		if (strcmp(argv[2], benches[i].name) == 0) {
			int rc = benches[i].run(&c, argc > 3 ? atol(argv[3]) : 0);

			fflush(stdout);
			return rc == 0 ? 0 : 1;
		}
	fprintf(stderr, "procs: no benchmark %s\n", argv[2]);
	return 2;
}
