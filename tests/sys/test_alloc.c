/*
 * test_alloc.c - the failing-allocator test of the embedding API.
 *
 * The host's allocator (wr_Config.alloc) fails allocation number N (a
 * resize counts as one); for N = 1, 2, ... the main paths run: a system
 * with a program and a host mount in its config, installs (bytes and a
 * host file), a native handler, a spawn
 * with args, env, ns lines and WR_STDIO_PIPE, host pipe traffic, stepping
 * to the end (a guest emits a message the handler answers inline),
 * reading the output, the task table, and wr_system_free. Every call must
 * return a valid status (success or a clean error; never WR_ENOEXEC: the
 * programs are good, whatever failed was memory), nothing may crash
 * (run it under ASan: make SAN=1), and after wr_system_free the allocator
 * must hold no block. The loop ends with the first N that the run never
 * reaches: the run that completed without a failure.
 */
#define _POSIX_C_SOURCE 200809L
#include "unit.h"
#include "kern/kt.h"
#include "sys/api_guests.h"
#include "warren.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
answer_inline(void *ctx, wr_System *sys, const wr_Message *m)
{
	(void)ctx;
	if (m->kind != WR_MSG_MESSAGE)
		return WR_OK;
	return wr_answer(sys, m->id, 0, "pong", 4) == WR_OK ? WR_OK : WR_TRAP;
}

static char host_file[] = "/tmp/warren-alloc-XXXXXX";   /* made by the test */

struct outcome {
	char cat_out[64], caller_out[64];
	int cat_code, caller_code;
	int bad;                /* calls that returned something out of range */
};

static bool
valid(int st)
{
	return st >= WR_OK && st < WR_NSTATUS;
}

#define CALL(expr)                                                     \
	do {                                                           \
		int st_ = (expr);                                      \
		if (getenv("ALLOC_VERBOSE") && st_)                    \
			printf("%zu: %s -> %s (%s)\n", f->fail_at, #expr, wr_errmsg(st_), \
			       sys ? wr_system_errmsg(sys) : ""); \
		if (!valid(st_) || st_ == WR_ENOEXEC) {                \
			o->bad++;                                      \
			unit_fail(__FILE__, __LINE__, "%s: status %d (fail_at %zu)", #expr, \
				  st_, f->fail_at);                    \
		}                                                      \
	} while (0)

static void
drain(wr_System *sys, int32_t pid, int fd, char *buf, size_t cap)
{
	size_t used = strlen(buf), got = 0;

	while (used + 1 < cap &&
	       wr_proc_read(sys, pid, fd, buf + used, cap - 1 - used, &got) == WR_OK)
		used += got;
	buf[used] = 0;
}

/* One run with allocation fail_at failing; whether a failure was injected. */
static bool
run_once(size_t fail_at, const uint8_t *cat, size_t catlen, const uint8_t *caller,
	 size_t callerlen, struct outcome *o)
{
	struct counter fs = { .fail_at = fail_at }, *f = &fs;
	wr_Program prog = { .path = "/bin/cat", .bytes = cat, .len = catlen };
	wr_Mount mnt = { .host = "/tmp", .guest = "/mnt/host", .readonly = 1 };
	wr_Config cfg = { .seed = 5, .alloc = count_alloc, .alloc_ud = f, .programs = &prog,
			  .nprograms = 1, .mounts = &mnt, .nmounts = 1 };
	const char *const argv[] = { "cat", "-", NULL };
	const char *const envp[] = { "A=1", "B=2", NULL };
	const char *const ns[] = { "bind /bin /home", "unbind /task", NULL };
	wr_Spawn sp = { .path = "/home/cat", .argv = argv, .envp = envp, .ns = ns,
			.stdio = { WR_STDIO_PIPE, WR_STDIO_PIPE, WR_STDIO_PIPE } };
	wr_Spawn sc = { .path = "/bin/caller", .stdio = { WR_STDIO_NULL, WR_STDIO_PIPE,
							 WR_STDIO_NULL } };
	wr_System *sys = NULL;
	int32_t catpid = 0, callpid = 0;
	char err[200], table[1024];
	size_t n;
	int st;

	memset(o, 0, sizeof *o);
	o->cat_code = o->caller_code = -1;
	st = wr_system_new(&cfg, &sys, err, sizeof err);
	CALL(st);
	if (st == WR_OK) {
		CALL(wr_install(sys, "/bin/caller", caller, callerlen));
		CALL(wr_install_file(sys, "/etc/data", host_file));
		CALL(wr_interface_register(sys, "kv", answer_inline, NULL));
		CALL(wr_spawn(sys, &sp, &catpid));
		if (catpid) {
			CALL(wr_proc_write(sys, catpid, "hello", 5, &n));
			CALL(wr_proc_close(sys, catpid));
		}
		CALL(wr_spawn(sys, &sc, &callpid));
		CALL(wr_task_table(sys, table, sizeof table, &n));
		for (int i = 0; i < 300; i++) {
			wr_Event ev;

			st = wr_step(sys, 1000000, &ev);
			CALL(st);
			if (st != WR_OK || ev.what == WR_EV_DONE ||
			    (ev.what == WR_EV_IDLE && ev.wake_ns == UINT64_MAX))
				break;
			if (ev.what == WR_EV_EXITED && ev.pid == catpid)
				o->cat_code = ev.exit_code;
			if (ev.what == WR_EV_EXITED && ev.pid == callpid)
				o->caller_code = ev.exit_code;
			if (catpid)
				drain(sys, catpid, 1, o->cat_out, sizeof o->cat_out);
		}
		if (catpid) {
			char e2[16] = "";

			drain(sys, catpid, 1, o->cat_out, sizeof o->cat_out);
			drain(sys, catpid, 2, e2, sizeof e2);
		}
		if (callpid)
			drain(sys, callpid, 1, o->caller_out, sizeof o->caller_out);
		CALL(wr_interface_unregister(sys, "kv"));
		wr_system_free(sys);
	}
	if (f->live || f->bytes)
		unit_fail(__FILE__, __LINE__, "fail_at %zu: %zu blocks (%zu bytes) leaked", fail_at,
			  f->live, f->bytes);
	return f->failed;
}

/*
 * The host-loop paths: a deterministic system with a small event ring and
 * the syscall trace, a queue-served native interface (WR_EV_MESSAGE,
 * wr_next_message, wr_answer from the loop), events drained, metrics.
 */
static bool
run_queue(size_t fail_at, const uint8_t *caller, size_t callerlen, struct outcome *o)
{
	struct counter fs = { .fail_at = fail_at }, *f = &fs;
	wr_Program prog = { .path = "/bin/caller", .bytes = caller, .len = callerlen };
	wr_Config cfg = { .seed = 9, .alloc = count_alloc, .alloc_ud = f, .programs = &prog,
			  .nprograms = 1, .deterministic = 1, .max_events = 64 };
	wr_Spawn sc = { .path = "/bin/caller", .stdio = { WR_STDIO_NULL, WR_STDIO_PIPE,
							 WR_STDIO_PIPE } };
	wr_System *sys = NULL;
	wr_Record rec[16];
	wr_Message m;
	int32_t pid = 0;
	char err[200], buf[64], text[4096];
	size_t n;
	int st;

	memset(o, 0, sizeof *o);
	o->caller_code = -1;
	st = wr_system_new(&cfg, &sys, err, sizeof err);
	CALL(st);
	if (st == WR_OK) {
		CALL(wr_trace_syscalls(sys, 1));
		CALL(wr_interface_register(sys, "kv", NULL, NULL));
		CALL(wr_spawn(sys, &sc, &pid));
		for (int i = 0; i < 300; i++) {
			wr_Event ev;

			st = wr_step(sys, 1000000, &ev);
			CALL(st);
			while (wr_events_drain(sys, rec, 16) > 0)
				;
			if (st != WR_OK || ev.what == WR_EV_DONE ||
			    (ev.what == WR_EV_IDLE && ev.wake_ns == UINT64_MAX))
				break;
			if (ev.what == WR_EV_EXITED && ev.pid == pid)
				o->caller_code = ev.exit_code;
			if (ev.what == WR_EV_MESSAGE) {
				st = wr_next_message(sys, NULL, &m, buf, sizeof buf);
				CALL(st);
				if (st == WR_OK && m.kind == WR_MSG_MESSAGE)
					CALL(wr_answer(sys, m.id, 0, "pong", 4));
			}
		}
		if (pid)
			drain(sys, pid, 1, o->caller_out, sizeof o->caller_out);
		CALL(wr_metrics(sys, text, sizeof text, &n));
		wr_system_free(sys);
	}
	if (f->live || f->bytes)
		unit_fail(__FILE__, __LINE__, "queue fail_at %zu: %zu blocks (%zu bytes) leaked",
			  fail_at, f->live, f->bytes);
	return f->failed;
}

TEST(alloc_failing_allocator_queue)
{
	size_t callerlen = 0, n;
	uint8_t *caller = kt_wat(caller_wat, &callerlen);
	struct outcome o;
	int failures = 0;
	CHECK(caller != NULL);
	if (!caller)
		return;
	CHECK(!run_queue(0, caller, callerlen, &o));
	CHECK_STR(o.caller_out, "pong");
	CHECK_EQ_I64(o.caller_code, 0);
	for (n = 1; run_queue(n, caller, callerlen, &o); n++)
		failures += o.bad;
	CHECK_EQ_I64(failures, 0);
	printf("alloc_failing_allocator_queue: failed allocation N = 1..%zu, each a clean run, "
	       "no leak; run %zu completed without a failure\n", n - 1, n);
	free(caller);
}

TEST(alloc_failing_allocator)
{
	size_t catlen = 0, callerlen = 0, n;
	uint8_t *cat = kt_wat(cat_wat, &catlen), *caller = kt_wat(caller_wat, &callerlen);
	struct outcome o;
	int failures = 0;
	int fd = mkstemp(host_file);

	CHECK(cat && caller && fd >= 0);
	if (!cat || !caller || fd < 0)
		goto out;
	CHECK_EQ_I64(write(fd, "some host data\n", 15), 15);
	close(fd);
	/* the reference run: no failure, everything works */
	CHECK(!run_once(0, cat, catlen, caller, callerlen, &o));
	CHECK_STR(o.cat_out, "hello");
	CHECK_EQ_I64(o.cat_code, 3);
	CHECK_STR(o.caller_out, "pong");
	CHECK_EQ_I64(o.caller_code, 0);
	for (n = 1; run_once(n, cat, catlen, caller, callerlen, &o); n++)
		failures += o.bad;
	CHECK_EQ_I64(failures, 0);
	printf("alloc_failing_allocator: failed allocation N = 1..%zu, each a clean run, "
	       "no leak; run %zu completed without a failure\n", n - 1, n);
out:
	unlink(host_file);
	free(cat);
	free(caller);
}
