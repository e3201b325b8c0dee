/*
 * rt.c - message round trips, one source for both sides (see ipc.mk):
 * built with gcc -O2 as a Linux baseline and with clang for wasm32-wasi
 * plus the guest SDK as warren's handler and emitter guests. Every round
 * trip is timed by bench/proc/timing.h, the rule bench-proc uses too.
 *
 *   rt unix            (Linux) 1-byte round trip over a socketpair between
 *                      this process and a forked child
 *   rt serve NAME      (warren) register interface NAME and answer every
 *                      message with its own body until an emitter ends
 *   rt call NAME [N]   (warren) round trips to NAME with wr_call
 *   rt emit NAME [N]   (warren) the same with wr_emit + wr_msg_wait +
 *                      wr_msg_take, the three calls wr_call stands for
 *
 * With N, an emitter makes exactly N round trips in one timed loop and
 * prints their mean instead (for profilers: two runs with different N
 * give the cost of one round trip by difference).
 *
 * The emitter's first message waits for a handler to register
 * (WR_EMIT_WAIT), so the host may start both guests at once; the
 * handler's notification that the emitter ended (WR_MSG_DESTROYED) ends
 * `rt serve`. Results are "key value"
 * lines (timing.h), plus "calls N": every round trip made, warm-up and
 * calibration included, so the host can divide its own CPU time by it.
 * The exit status is non-zero only when an operation failed.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../proc/timing.h"

static long calls;

static int
fail(const char *what)
{
	printf("# rt: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	return -1;
}

#ifdef __wasm__

#include <warren/ipc.h>

static const char *target;

static int
check(int status, size_t len, char got)
{
	if (status != 0 || len != 1 || got != 'x') {
		printf("# rt: bad answer: status %d, %zu bytes\n", status, len);
		fflush(stdout);
		return -1;
	}
	calls++;
	return 0;
}

static int
op_call(void *v)
{
	char b = 'x', a = 0;
	int status;
	size_t len;

	(void)v;
	if (wr_call(target, &b, 1, &status, &a, 1, &len) != 0)
		return fail("wr_call");
	return check(status, len, a);
}

/* One message the long way; flags add WR_EMIT_WAIT for the first one. */
static int
emit_wait_take(unsigned flags)
{
	char b = 'x', a = 0;
	uint64_t id;
	size_t index, len;
	int status;

	if (wr_emit(target, WR_EMIT_ANSWER | flags, &b, 1, &id) != 0)
		return fail("wr_emit");
	if (wr_msg_wait(&id, 1, WR_MSG_BLOCK, &index) != 0)
		return fail("wr_msg_wait");
	if (wr_msg_take(id, &status, &a, 1, &len) != 0)
		return fail("wr_msg_take");
	return check(status, len, a);
}

static int
op_emit(void *v)
{
	(void)v;
	return emit_wait_take(0);
}

static int
serve(const char *name)
{
	struct wr_msg m;
	char buf[16];
	long served = 0;

	if (wr_intf_register(name) != 0)
		return fail("wr_intf_register");
	for (;;) {
		if (wr_msg_next(name, WR_MSG_BLOCK, &m, buf, sizeof buf) != 0)
			return fail("wr_msg_next");
		if (m.kind == WR_MSG_DESTROYED)
			break;
		if ((m.flags & WR_EMIT_ANSWER) && wr_msg_answer(m.id, 0, buf, m.len) != 0)
			return fail("wr_msg_answer");
		served++;
	}
	printf("# handler answered %ld messages\n", served);
	return 0;
}

static int
emitter(const char *name, int call, long n)
{
	struct bp_result r;
	double t;
	int rc;

	target = name;
	if (emit_wait_take(WR_EMIT_WAIT) != 0)
		return -1;
	if (n > 0) {
		if ((t = bp_batch(call ? op_call : op_emit, NULL, n)) < 0)
			return -1;
		printf("%s %.3f\ncalls %ld\n", call ? "call_rt_us" : "emit_rt_us", t / 1e3 / n,
		       calls);
		return 0;
	}
	rc = bp_measure(call ? op_call : op_emit, NULL, &r);
	if (rc == 0) {
		bp_print(call ? "call_rt_us" : "emit_rt_us",
			 call ? "1-byte wr_call round trip" : "1-byte emit+wait+take round trip", &r);
		printf("calls %ld\n", calls);
	}
	fflush(stdout);
	return rc;
}

static int
run(const char *op, const char *name, const char *count)
{
	if (!name)
		return 2;
	if (strcmp(op, "serve") == 0)
		return serve(name) == 0 ? 0 : 1;
	if (strcmp(op, "call") == 0 || strcmp(op, "emit") == 0)
		return emitter(name, op[0] == 'c', count ? atol(count) : 0) == 0 ? 0 : 1;
	return 2;
}

#else /* Linux */

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

static int sock = -1;

static int
op_unix(void *v)
{
	char b = 'x';

	(void)v;
	if (write(sock, &b, 1) != 1)
		return fail("write");
	if (read(sock, &b, 1) != 1)
		return fail("read");
	calls++;
	return 0;
}

static int
bench_unix(void)
{
	struct bp_result r;
	int sv[2], st, rc;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return fail("socketpair");
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return fail("fork");
	}
	if (pid == 0) {         /* echo until EOF */
		char b;
		ssize_t n;

		close(sv[0]);
		while ((n = read(sv[1], &b, 1)) == 1)
			if (write(sv[1], &b, 1) != 1)
				_exit(1);
		_exit(n == 0 ? 0 : 1);
	}
	close(sv[1]);
	sock = sv[0];
	rc = bp_measure(op_unix, NULL, &r);
	close(sock);            /* EOF: the child leaves */
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return fail("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("# rt: echo child ended with status 0x%x\n", st);
		rc = -1;
	}
	if (rc == 0) {
		bp_print("unix_rt_us", "1-byte unix socket round trip between two processes", &r);
		printf("calls %ld\n", calls);
	}
	return rc;
}

static int
run(const char *op, const char *name, const char *count)
{
	struct sigaction sa;

	(void)name;
	(void)count;
	/* A dead peer must show up as an error, not kill us. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (strcmp(op, "unix") == 0)
		return bench_unix() == 0 ? 0 : 1;
	return 2;
}

#endif

int
main(int argc, char **argv)
{
	int rc = argc >= 2 && argc <= 4 ?
		 run(argv[1], argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL) : 2;

	fflush(stdout);
	if (rc == 2)
		fprintf(stderr, "usage: rt unix | rt serve NAME | rt call|emit NAME [N]\n");
	return rc;
}
