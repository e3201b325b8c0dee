/*
 * test_api.c - the embedding API's additions (include/warren.h): error
 * paths of every call (bad arguments get status codes, never crashes),
 * the host's allocator, programs in the config, WR_STDIO_PIPE host pipes,
 * wr_Spawn.ns, and native interface handlers (inline, deferred, and
 * served from the host loop through WR_EV_MESSAGE).
 *
 * Guests are small wat modules (kt_wat runs wat2wasm) importing
 * wasi_snapshot_preview1 and warren_v1's msg_* calls.
 */
#define _POSIX_C_SOURCE 200809L
#include "unit.h"
#include "kern/kt.h"
#include "sys/api_guests.h"
#include "warren.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------- */

static uint8_t *
wat(const char *src, size_t *len)
{
	uint8_t *b = kt_wat(src, len);

	if (!b)
		unit_fail(__FILE__, __LINE__, "wat2wasm failed on:\n%s", src);
	return b;
}

static wr_System *
new_sys(struct counter *c)
{
	wr_Config cfg = { .seed = 11 };
	wr_System *sys = NULL;
	char err[200];

	if (c) {
		memset(c, 0, sizeof *c);
		cfg.alloc = count_alloc;
		cfg.alloc_ud = c;
	}
	CHECK_EQ_I64(wr_system_new(&cfg, &sys, err, sizeof err), WR_OK);
	return sys;
}

/* Spawn wat source with stdio modes; 0 on failure. */
static int32_t
spawn_src(wr_System *sys, const char *src, int in, int out, int err)
{
	return kt_wr_spawn(sys, src, in, out, err, 0);
}

/* Step until pid exits; the event (what -1 if it never did). */
static wr_Event
run_to_exit(wr_System *sys, int32_t pid)
{
	wr_Event ev = { 0 };

	for (int i = 0; i < 200; i++) {
		CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
		if (ev.what == WR_EV_EXITED && ev.pid == pid)
			return ev;
		if (ev.what == WR_EV_DONE || (ev.what == WR_EV_IDLE && ev.wake_ns == UINT64_MAX))
			break;
	}
	ev.what = -1;
	return ev;
}

/* Everything pid wrote to fd, up to EOF, NUL-terminated into buf. */
static int
read_all(wr_System *sys, int32_t pid, int fd, char *buf, size_t cap)
{
	size_t used = 0, got;
	int st;

	for (;;) {
		st = wr_proc_read(sys, pid, fd, buf + used, cap - 1 - used, &got);
		if (st != WR_OK)
			break;
		used += got;
		if (used == cap - 1)
			break;
	}
	buf[used] = 0;
	return st;
}

/* ---- bad arguments ---------------------------------------------------------------- */

TEST(api_null_system)
{
	wr_Event ev;
	wr_ProcInfo info;
	wr_Message m;
	wr_Spawn s = { .path = "/bin/x" };
	wr_System *out = (wr_System *)&ev;
	char buf[16];
	size_t n = 99;
	int32_t pid = 5;

	CHECK_EQ_I64(wr_system_new(NULL, NULL, NULL, 0), WR_EARG);
	wr_system_free(NULL);
	CHECK_STR(wr_system_errmsg(NULL), "");
	CHECK_EQ_I64(wr_install(NULL, "/a", (const uint8_t *)"x", 1), WR_EARG);
	CHECK_EQ_I64(wr_install_file(NULL, "/a", "/etc/hostname"), WR_EARG);
	CHECK_EQ_I64(wr_spawn(NULL, &s, &pid), WR_EARG);
	CHECK_EQ_I64(pid, 0);
	CHECK_EQ_I64(wr_step(NULL, 100, &ev), WR_EARG);
	CHECK_EQ_U64(wr_console_write(NULL, "x", 1), 0);
	wr_console_eof(NULL);
	CHECK_EQ_U64(wr_console_read(NULL, buf, sizeof buf), 0);
	CHECK_EQ_I64(wr_console_signal(NULL, 'C'), WR_EARG);
	CHECK_EQ_U64(wr_stdin_write(NULL, "x", 1), 0);
	wr_stdin_close(NULL);
	CHECK_EQ_I64(wr_kill(NULL, 2, 9), WR_EARG);
	CHECK_EQ_I64(wr_proc_status(NULL, 2, &info), WR_EARG);
	CHECK_EQ_I64(wr_task_table(NULL, buf, sizeof buf, &n), WR_EARG);
	CHECK_EQ_I64(wr_proc_write(NULL, 2, "x", 1, &n), WR_EARG);
	CHECK_EQ_U64(n, 0);
	CHECK_EQ_I64(wr_proc_close(NULL, 2), WR_EARG);
	n = 99;
	CHECK_EQ_I64(wr_proc_read(NULL, 2, 1, buf, sizeof buf, &n), WR_EARG);
	CHECK_EQ_U64(n, 0);
	CHECK_EQ_I64(wr_interface_register(NULL, "kv", NULL, NULL), WR_EARG);
	CHECK_EQ_I64(wr_interface_unregister(NULL, "kv"), WR_EARG);
	CHECK_EQ_I64(wr_next_message(NULL, NULL, &m, buf, sizeof buf), WR_EARG);
	CHECK_EQ_I64(wr_answer(NULL, 1, 0, NULL, 0), WR_EARG);
	/* out is cleared before anything can fail */
	CHECK_EQ_I64(wr_system_new(&(wr_Config){ .nmounts = 1 }, &out, NULL, 0), WR_EARG);
	CHECK(out == NULL);
	out = (wr_System *)&ev;
	CHECK_EQ_I64(wr_system_new(&(wr_Config){ .nprograms = 1 }, &out, NULL, 0), WR_EARG);
	CHECK(out == NULL);
}

TEST(api_bad_arguments)
{
	wr_System *sys = new_sys(NULL);
	wr_Spawn s = { 0 };
	wr_ProcInfo info;
	wr_Message m;
	char buf[64], big[100];
	size_t n;
	int32_t pid = 0;

	if (!sys)
		return;
	CHECK_EQ_I64(wr_install(sys, NULL, (const uint8_t *)"x", 1), WR_EARG);
	CHECK_EQ_I64(wr_install(sys, "relative", (const uint8_t *)"x", 1), WR_EARG);
	CHECK_EQ_I64(wr_install(sys, "/a", NULL, 1), WR_EARG);
	CHECK_EQ_I64(wr_install_file(sys, "/a", NULL), WR_EARG);
	CHECK_EQ_I64(wr_install_file(sys, "/a", "/nonexistent/warren-file"), WR_ENOFILE);
	CHECK(strstr(wr_system_errmsg(sys), "/nonexistent/warren-file") != NULL);
	CHECK_EQ_I64(wr_install_file(sys, "/a", "/"), WR_EIO);
	CHECK_EQ_I64(wr_spawn(sys, NULL, &pid), WR_EARG);
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_EARG);     /* neither path nor bytes */
	s.path = "/bin/none";
	CHECK_EQ_I64(wr_spawn(sys, &s, NULL), WR_EARG);
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_ENOFILE);
	CHECK(strstr(wr_system_errmsg(sys), "/bin/none") != NULL);
	s.stdio[1] = 42;
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_EARG);
	CHECK(strstr(wr_system_errmsg(sys), "stdio[1]") != NULL);
	s.stdio[1] = -1;
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_EARG);
	s.stdio[1] = WR_STDIO_HOST;          /* no output callback */
	s.path = NULL;
	s.bytes = (const uint8_t *)"\0asm\1\0\0\0";
	s.len = 8;
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_EARG);
	s.stdio[1] = WR_STDIO_PIPE;          /* a valid module without _start */
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_ENOEXEC);
	s.bytes = (const uint8_t *)"garbage!";
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_ENOEXEC);
	CHECK_EQ_I64(pid, 0);
	CHECK_EQ_I64(wr_step(sys, 10, NULL), WR_EARG);
	CHECK_EQ_I64(wr_kill(sys, 0, 9), WR_EARG);
	CHECK_EQ_I64(wr_kill(sys, 5, 99), WR_EARG);
	CHECK_EQ_I64(wr_kill(sys, 12345, 9), WR_ESRCH);
	CHECK_EQ_I64(wr_kill(sys, -12345, 9), WR_ESRCH);
	CHECK_EQ_I64(wr_console_signal(sys, 'Q'), WR_EARG);
	CHECK_EQ_I64(wr_proc_status(sys, 12345, &info), WR_ESRCH);
	CHECK_EQ_I64(wr_proc_status(sys, 1, NULL), WR_EARG);
	CHECK_EQ_I64(wr_task_table(sys, NULL, 10, NULL), WR_EARG);
	CHECK_EQ_I64(wr_task_table(sys, buf, 4, &n), WR_ENOMEM);
	CHECK(n > 4);
	/* host pipes */
	CHECK_EQ_I64(wr_proc_write(sys, 12345, "x", 1, &n), WR_ESRCH);
	CHECK_EQ_I64(wr_proc_write(sys, 12345, NULL, 1, &n), WR_EARG);
	CHECK_EQ_I64(wr_proc_close(sys, 12345), WR_ESRCH);
	CHECK_EQ_I64(wr_proc_read(sys, 12345, 1, buf, sizeof buf, &n), WR_ESRCH);
	CHECK_EQ_I64(wr_proc_read(sys, 12345, 0, buf, sizeof buf, &n), WR_EARG);
	CHECK_EQ_I64(wr_proc_read(sys, 12345, 3, buf, sizeof buf, &n), WR_EARG);
	CHECK_EQ_I64(wr_proc_read(sys, 12345, 1, NULL, 4, &n), WR_EARG);
	CHECK_EQ_I64(wr_proc_read(sys, 12345, 1, buf, 0, &n), WR_EARG);
	/* interfaces */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	CHECK_EQ_I64(wr_interface_register(sys, NULL, NULL, NULL), WR_EARG);
	CHECK_EQ_I64(wr_interface_register(sys, "", NULL, NULL), WR_EARG);
	CHECK_EQ_I64(wr_interface_register(sys, "a/b", NULL, NULL), WR_EARG);
	CHECK_EQ_I64(wr_interface_register(sys, "a b", NULL, NULL), WR_EARG);
	CHECK_EQ_I64(wr_interface_register(sys, big, NULL, NULL), WR_EARG);
	big[63] = 0;
	CHECK_EQ_I64(wr_interface_register(sys, big, NULL, NULL), WR_OK);   /* 63 bytes */
	CHECK_EQ_I64(wr_interface_register(sys, big, NULL, NULL), WR_EEXIST);
	CHECK_EQ_I64(wr_interface_unregister(sys, big), WR_OK);
	CHECK_EQ_I64(wr_interface_unregister(sys, big), WR_ENOENT);
	CHECK_EQ_I64(wr_interface_unregister(sys, NULL), WR_EARG);
	CHECK_EQ_I64(wr_interface_register(sys, "kv", NULL, NULL), WR_OK);
	CHECK_EQ_I64(wr_next_message(sys, NULL, &m, buf, sizeof buf), WR_EAGAIN);
	CHECK_EQ_I64(wr_next_message(sys, "kv", &m, buf, sizeof buf), WR_EAGAIN);
	CHECK_EQ_I64(wr_next_message(sys, "other", &m, buf, sizeof buf), WR_ENOENT);
	CHECK_EQ_I64(wr_next_message(sys, "kv", NULL, buf, sizeof buf), WR_EARG);
	CHECK_EQ_I64(wr_next_message(sys, "kv", &m, NULL, 4), WR_EARG);
	CHECK_EQ_I64(wr_answer(sys, 777, 0, "x", 1), WR_ENOENT);
	CHECK_EQ_I64(wr_answer(sys, 777, 0, NULL, 1), WR_EARG);
	{
		size_t blen = 64 * 1024 + 1;
		char *body = calloc(1, blen);

		CHECK_EQ_I64(wr_answer(sys, 777, 0, body, blen), WR_EARG);
		free(body);
	}
	wr_system_free(sys);
}

/* ---- the host's allocator ------------------------------------------------------------ */

TEST(api_host_allocator)
{
	struct counter c;
	wr_System *sys = new_sys(&c);
	int32_t pid;
	wr_Event ev;
	char out[64];

	if (!sys)
		return;
	CHECK(c.live > 0);   /* the system itself and its parts */
	pid = spawn_src(sys, hello_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_PIPE);
	ev = run_to_exit(sys, pid);
	CHECK_EQ_I64(ev.what, WR_EV_EXITED);
	CHECK_EQ_I64(read_all(sys, pid, 1, out, sizeof out), WR_EOF);
	CHECK_STR(out, "out\n");
	wr_system_free(sys);
	CHECK(c.calls > 10);
	CHECK_EQ_U64(c.live, 0);
	CHECK_EQ_U64(c.bytes, 0);
}

/* ---- programs in the config ---------------------------------------------------------- */

TEST(api_config_programs)
{
	struct counter c;
	size_t len = 0;
	uint8_t *b = wat(hello_wat, &len);
	char host[] = "/tmp/api-prog-XXXXXX", err[200], out[64];
	int fd = mkstemp(host);
	wr_Program progs[2] = {
		{ .path = "/bin/hello", .bytes = b, .len = len },
		{ .path = "/opt/x/hello2", .host_path = host },
	};
	wr_Config cfg = { .programs = progs, .nprograms = 2, .alloc = count_alloc, .alloc_ud = &c };
	wr_System *sys = NULL;
	wr_Spawn s = { .path = "/opt/x/hello2", .stdio = { WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL } };
	int32_t pid = 0;

	memset(&c, 0, sizeof c);
	CHECK(fd >= 0 && b);
	if (fd < 0 || !b)
		goto out;
	CHECK_EQ_I64(write(fd, b, len), (int64_t)len);
	close(fd);
	CHECK_EQ_I64(wr_system_new(&cfg, &sys, err, sizeof err), WR_OK);
	if (!sys)
		goto out;
	for (int i = 0; i < 2; i++) {
		s.path = i ? "/bin/hello" : "/opt/x/hello2";
		CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_OK);
		CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 0);
		CHECK_EQ_I64(read_all(sys, pid, 1, out, sizeof out), WR_EOF);
		CHECK_STR(out, "out\n");
	}
	wr_system_free(sys);
	CHECK_EQ_U64(c.live, 0);

	/* a bad program fails creation cleanly, naming it */
	progs[1].host_path = "/nonexistent/warren-prog";
	sys = (wr_System *)&c;
	CHECK_EQ_I64(wr_system_new(&cfg, &sys, err, sizeof err), WR_ENOFILE);
	CHECK(sys == NULL);
	CHECK(strstr(err, "/nonexistent/warren-prog") != NULL);
	CHECK_EQ_U64(c.live, 0);
	progs[1].host_path = NULL;
	CHECK_EQ_I64(wr_system_new(&cfg, &sys, err, sizeof err), WR_EARG);
	CHECK(strstr(err, "/opt/x/hello2") != NULL);
	progs[1].path = NULL;
	CHECK_EQ_I64(wr_system_new(&cfg, &sys, err, sizeof err), WR_EARG);
	CHECK(strstr(err, "programs[1]") != NULL);
	progs[1].path = "relative";
	progs[1].bytes = b;
	CHECK_EQ_I64(wr_system_new(&cfg, &sys, err, sizeof err), WR_EARG);
	CHECK_EQ_U64(c.live, 0);
out:
	unlink(host);
	free(b);
}

/* ---- host pipes ------------------------------------------------------------------------ */

TEST(api_pipes)
{
	struct counter c;
	wr_System *sys = new_sys(&c);
	char out[256], err[64];
	size_t n = 0;
	int32_t pid;
	wr_Event ev;

	if (!sys)
		return;
	pid = spawn_src(sys, cat_wat, WR_STDIO_PIPE, WR_STDIO_PIPE, WR_STDIO_PIPE);
	CHECK(pid > 0);
	CHECK_EQ_I64(wr_proc_read(sys, pid, 1, out, sizeof out, &n), WR_EAGAIN);
	CHECK_EQ_I64(wr_proc_write(sys, pid, "hello ", 6, &n), WR_OK);
	CHECK_EQ_U64(n, 6);
	CHECK_EQ_I64(wr_proc_write(sys, pid, "", 0, &n), WR_OK);
	CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
	CHECK_EQ_I64(wr_proc_read(sys, pid, 1, out, sizeof out, &n), WR_OK);
	CHECK_EQ_U64(n, 6);
	CHECK_EQ_I64(wr_proc_write(sys, pid, "world", 5, NULL), WR_OK);
	CHECK_EQ_I64(wr_proc_close(sys, pid), WR_OK);
	CHECK_EQ_I64(wr_proc_close(sys, pid), WR_ESRCH);     /* no host pipe on fd 0 now */
	CHECK_EQ_I64(wr_proc_write(sys, pid, "x", 1, &n), WR_ESRCH);
	ev = run_to_exit(sys, pid);
	CHECK_EQ_I64(ev.what, WR_EV_EXITED);
	CHECK_EQ_I64(ev.exit_code, 3);
	/* output outlives the process */
	CHECK_EQ_I64(read_all(sys, pid, 1, out, sizeof out), WR_EOF);
	CHECK_STR(out, "world");
	CHECK_EQ_I64(wr_proc_read(sys, pid, 1, out, sizeof out, &n), WR_EOF);  /* again */
	CHECK_EQ_I64(read_all(sys, pid, 2, err, sizeof err), WR_EOF);
	CHECK_STR(err, "err\n");
	/* both streams at EOF: the host ends are gone */
	CHECK_EQ_I64(wr_proc_read(sys, pid, 2, err, sizeof err, &n), WR_ESRCH);
	wr_system_free(sys);
	CHECK_EQ_U64(c.live, 0);
}

TEST(api_pipe_full_and_closed)
{
	struct counter c;
	wr_System *sys = new_sys(&c);
	static char big[200000];
	size_t n = 0, total = 0;
	int32_t pid;
	int st;

	if (!sys)
		return;
	/* spin never reads: the pipe fills, then EAGAIN */
	pid = spawn_src(sys, spin_wat, WR_STDIO_PIPE, WR_STDIO_NULL, WR_STDIO_NULL);
	for (int i = 0; i < 100 && (st = wr_proc_write(sys, pid, big, sizeof big, &n)) == WR_OK; i++)
		total += n;
	CHECK_EQ_I64(st, WR_EAGAIN);
	CHECK_EQ_U64(n, 0);
	CHECK(total > 0 && total < sizeof big * 100);
	/* stdout is not a host pipe */
	CHECK_EQ_I64(wr_proc_read(sys, pid, 1, big, 10, &n), WR_ESRCH);
	/* the reader dies: the write end reports EOF */
	CHECK_EQ_I64(wr_kill(sys, pid, 9), WR_OK);
	CHECK_EQ_I64(run_to_exit(sys, pid).signal, 9);
	CHECK_EQ_I64(wr_proc_write(sys, pid, "x", 1, &n), WR_ESRCH);  /* freed at exit: no output pipes */

	/* a writer with only fd 0 piped, killed while its pipe still holds data */
	pid = spawn_src(sys, spin_wat, WR_STDIO_PIPE, WR_STDIO_PIPE, WR_STDIO_NULL);
	CHECK_EQ_I64(wr_proc_write(sys, pid, "abc", 3, &n), WR_OK);
	CHECK_EQ_I64(wr_kill(sys, pid, 9), WR_OK);
	CHECK_EQ_I64(run_to_exit(sys, pid).signal, 9);
	CHECK_EQ_I64(wr_proc_write(sys, pid, "x", 1, &n), WR_EOF);    /* stdout still unread */
	/* freed with the system when never drained */
	pid = spawn_src(sys, hello_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_PIPE);
	run_to_exit(sys, pid);
	wr_system_free(sys);
	CHECK_EQ_U64(c.live, 0);
}

/* ---- namespaces ------------------------------------------------------------------------ */

TEST(api_spawn_ns)
{
	struct counter c;
	wr_System *sys = new_sys(&c);
	size_t len = 0;
	uint8_t *b = wat(hello_wat, &len);
	const char *bind[] = { "bind /opt/p /bin", "unbind /task", NULL };
	const char *bad[] = { "bind /opt/p /bin", "frobnicate /x", NULL };
	const char *bad2[] = { "bind /nonexistent /bin", NULL };
	const char *bad3[] = { "bind \"/opt", NULL };
	wr_Spawn s = { .path = "/bin/hello", .stdio = { WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL },
		       .argv = (const char *const[]){ "hello", "a", NULL },
		       .envp = (const char *const[]){ "A=1", NULL } };
	char out[64];
	int32_t pid = 0;

	if (!sys || !b)
		goto out;
	CHECK_EQ_I64(wr_install(sys, "/opt/p/hello", b, len), WR_OK);
	/* only reachable through the bind */
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_ENOFILE);
	s.ns = bind;
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_OK);
	CHECK(pid > 0);
	CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 0);
	CHECK_EQ_I64(read_all(sys, pid, 1, out, sizeof out), WR_EOF);
	CHECK_STR(out, "out\n");
	/* bad lines: WR_EARG naming the line, nothing started */
	s.ns = bad;
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_EARG);
	CHECK_EQ_I64(pid, 0);
	CHECK(strstr(wr_system_errmsg(sys), "ns line 2") != NULL);
	CHECK(strstr(wr_system_errmsg(sys), "frobnicate") != NULL);
	s.ns = bad2;
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_EARG);
	CHECK(strstr(wr_system_errmsg(sys), "ns line 1") != NULL);
	s.ns = bad3;
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_EARG);
	s.ns = (const char *const[]){ "bind /opt/p /bin\nunbind /task", NULL };
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_EARG);
	/* the system's own namespace is untouched */
	s.ns = NULL;
	s.path = "/opt/p/hello";
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_OK);
	CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 0);
	wr_system_free(sys);
	CHECK_EQ_U64(c.live, 0);
out:
	free(b);
}

/* ---- native handlers ------------------------------------------------------------------- */

struct served {
	int mode;               /* 0: answer inline, 1: defer, 2: return garbage */
	int calls;              /* messages */
	int destroyed;          /* process-destroyed notifications */
	int32_t destroyed_pid;
	uint64_t id;
	int32_t pid;
	int needs_answer;
	char body[64];
	char intf[64];
	int reentry[8];         /* what the forbidden calls returned */
	int status_ok;
};

static int
serve(void *ctx, wr_System *sys, const wr_Message *m)
{
	struct served *s = ctx;
	char ans[80];
	wr_Event ev;
	wr_Message m2;
	wr_ProcInfo info;
	wr_Spawn sp = { .path = "/bin/x" };
	int32_t pid;
	size_t n;
	char buf[8];
	int r;

	if (m->kind == WR_MSG_DESTROYED) {
		s->destroyed++;
		s->destroyed_pid = m->pid;
		return m->id == 0 && !m->needs_answer ? WR_OK : WR_TRAP;
	}
	s->calls++;
	s->id = m->id;
	s->pid = m->pid;
	s->needs_answer = m->needs_answer;
	snprintf(s->intf, sizeof s->intf, "%s", m->interface ? m->interface : "(null)");
	snprintf(s->body, sizeof s->body, "%.*s", (int)m->len, (const char *)m->body);
	/* nothing that runs the system */
	s->reentry[0] = wr_step(sys, 100, &ev);
	s->reentry[1] = wr_spawn(sys, &sp, &pid);
	s->reentry[2] = wr_interface_register(sys, "other", NULL, NULL);
	s->reentry[3] = wr_next_message(sys, NULL, &m2, buf, sizeof buf);
	s->reentry[4] = wr_proc_write(sys, m->pid, "x", 1, &n);
	s->reentry[5] = wr_proc_read(sys, m->pid, 1, buf, sizeof buf, &n);
	s->reentry[6] = wr_interface_unregister(sys, "kv");
	s->reentry[7] = wr_proc_close(sys, m->pid);
	s->status_ok = wr_proc_status(sys, m->pid, &info) == WR_OK && info.pid == m->pid &&
		       wr_console_write(sys, "x", 1) == 0 && wr_stdin_write(sys, "x", 1) == 0 &&
		       wr_console_read(sys, buf, sizeof buf) == 0;
	if (s->mode == 1)
		return WR_BLOCK;
	if (s->mode == 2)
		return 12345;
	r = snprintf(ans, sizeof ans, "pong:%s", s->body);
	return wr_answer(sys, m->id, 0, ans, (size_t)r);
}

static void
check_reentry(const struct served *s)
{
	for (int i = 0; i < 8; i++)
		if (s->reentry[i] != WR_ESTATE)
			unit_fail(__FILE__, __LINE__, "re-entry %d from a handler: %d, not WR_ESTATE", i,
				  s->reentry[i]);
	CHECK(s->status_ok);
}

TEST(api_native_inline)
{
	struct counter c;
	wr_System *sys = new_sys(&c);
	struct served sv = { .mode = 0 };
	char out[64];
	int32_t pid;
	wr_Event ev;

	if (!sys)
		return;
	CHECK_EQ_I64(wr_interface_register(sys, "kv", serve, &sv), WR_OK);
	CHECK_EQ_I64(wr_interface_register(sys, "kv", serve, &sv), WR_EEXIST);
	pid = spawn_src(sys, caller_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL);
	ev = run_to_exit(sys, pid);
	CHECK_EQ_I64(ev.what, WR_EV_EXITED);
	CHECK_EQ_I64(ev.exit_code, 0);
	CHECK_EQ_I64(sv.calls, 1);
	CHECK(sv.id != 0);
	CHECK_EQ_I64(sv.pid, pid);
	CHECK(sv.needs_answer);
	CHECK_STR(sv.intf, "kv");
	CHECK_STR(sv.body, "ping");
	check_reentry(&sv);
	CHECK_EQ_I64(read_all(sys, pid, 1, out, sizeof out), WR_EOF);
	CHECK_STR(out, "pong:ping");
	/* the emitter ended: the handler heard of it */
	CHECK_EQ_I64(sv.destroyed, 1);
	CHECK_EQ_I64(sv.destroyed_pid, pid);
	/* answered already: a second answer finds nothing */
	CHECK_EQ_I64(wr_answer(sys, sv.id, 0, "x", 1), WR_ENOENT);

	/* a handler that fails answers the emitter with EIO (29) */
	sv.mode = 2;
	pid = spawn_src(sys, caller_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL);
	ev = run_to_exit(sys, pid);
	CHECK_EQ_I64(ev.exit_code, 29);
	CHECK_EQ_I64(wr_interface_unregister(sys, "kv"), WR_OK);
	/* no handler: the emitter's msg_emit fails with ENOENT (44) -> exit 144 */
	pid = spawn_src(sys, caller_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL);
	CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 144);
	wr_system_free(sys);
	CHECK_EQ_U64(c.live, 0);
}

TEST(api_native_deferred)
{
	struct counter c;
	wr_System *sys = new_sys(&c);
	struct served sv = { .mode = 1 };
	char out[64];
	int32_t pid;
	wr_Event ev = { 0 };
	int i;

	if (!sys)
		return;
	CHECK_EQ_I64(wr_interface_register(sys, "kv", serve, &sv), WR_OK);
	pid = spawn_src(sys, caller_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL);
	/* the emitter waits for the answer: the system goes idle */
	for (i = 0; i < 20; i++) {
		CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
		if (ev.what == WR_EV_IDLE)
			break;
	}
	CHECK_EQ_I64(ev.what, WR_EV_IDLE);
	CHECK_EQ_I64(sv.calls, 1);
	check_reentry(&sv);
	CHECK_EQ_I64(wr_answer(sys, sv.id, 0, "later", 5), WR_OK);
	CHECK_EQ_I64(wr_answer(sys, sv.id, 0, "again", 5), WR_ENOENT);
	ev = run_to_exit(sys, pid);
	CHECK_EQ_I64(ev.exit_code, 0);
	CHECK_EQ_I64(read_all(sys, pid, 1, out, sizeof out), WR_EOF);
	CHECK_STR(out, "later");

	/* deferred, then the interface goes away: the emitter gets ECONNRESET (15) */
	pid = spawn_src(sys, caller_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL);
	for (i = 0; i < 20 && sv.calls < 2; i++)
		CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
	CHECK_EQ_I64(sv.calls, 2);
	CHECK_EQ_I64(wr_interface_unregister(sys, "kv"), WR_OK);
	CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 15);
	CHECK_EQ_I64(wr_answer(sys, sv.id, 0, "late", 4), WR_ENOENT);
	wr_system_free(sys);
	CHECK_EQ_U64(c.live, 0);
}

TEST(api_native_queue)
{
	struct counter c;
	wr_System *sys = new_sys(&c);
	char buf[64], out[64];
	wr_Message m;
	uint64_t id;
	int32_t pid;
	wr_Event ev = { 0 };
	int i;

	if (!sys)
		return;
	CHECK_EQ_I64(wr_interface_register(sys, "kv", NULL, NULL), WR_OK);
	pid = spawn_src(sys, caller_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL);
	for (i = 0; i < 20; i++) {
		CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
		if (ev.what != WR_EV_BUDGET)
			break;
	}
	CHECK_EQ_I64(ev.what, WR_EV_MESSAGE);
	/* too small a buffer: the message stays, its size is told */
	CHECK_EQ_I64(wr_next_message(sys, "kv", &m, buf, 2), WR_ENOMEM);
	CHECK_EQ_U64(m.len, 4);
	CHECK_EQ_I64(wr_next_message(sys, NULL, &m, buf, sizeof buf), WR_OK);
	CHECK_EQ_I64(m.kind, WR_MSG_MESSAGE);
	CHECK_EQ_I64(m.pid, pid);
	CHECK(m.id != 0);
	CHECK(m.needs_answer);
	CHECK_STR(m.interface, "kv");
	CHECK_EQ_U64(m.len, 4);
	CHECK(m.body == (const uint8_t *)buf && !memcmp(buf, "ping", 4));
	id = m.id;
	CHECK_EQ_I64(wr_next_message(sys, NULL, &m, buf, sizeof buf), WR_EAGAIN);
	CHECK_EQ_I64(m.id, 0);
	CHECK_EQ_I64(wr_answer(sys, id, 0, "served", 6), WR_OK);
	ev = run_to_exit(sys, pid);
	CHECK_EQ_I64(ev.exit_code, 0);
	CHECK_EQ_I64(read_all(sys, pid, 1, out, sizeof out), WR_EOF);
	CHECK_STR(out, "served");
	/* the emitter ended: a notification waits in the queue */
	CHECK_EQ_I64(wr_next_message(sys, "kv", &m, buf, sizeof buf), WR_OK);
	CHECK_EQ_I64(m.kind, WR_MSG_DESTROYED);
	CHECK_EQ_I64(m.pid, pid);
	CHECK_EQ_U64(m.id, 0);
	CHECK_EQ_I64(wr_answer(sys, 0, 0, NULL, 0), WR_ENOENT);
	/* an error answer with a body */
	pid = spawn_src(sys, caller_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL);
	for (i = 0; i < 20 && wr_next_message(sys, "kv", &m, buf, sizeof buf) == WR_EAGAIN; i++)
		CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
	CHECK_EQ_I64(m.kind, WR_MSG_MESSAGE);
	CHECK_EQ_I64(wr_answer(sys, m.id, 7, "no", 2), WR_OK);
	CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 7);
	wr_system_free(sys);
	CHECK_EQ_U64(c.live, 0);
}

/* A name is one handler's: a process's registration and a native one exclude each other. */
TEST(api_native_name_taken)
{
	struct counter c;
	wr_System *sys = new_sys(&c);
	int32_t pid, pid2;
	wr_Event ev;

	if (!sys)
		return;
	pid = spawn_src(sys, handler_wat, WR_STDIO_NULL, WR_STDIO_NULL, WR_STDIO_NULL);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
	CHECK_EQ_I64(ev.what, WR_EV_IDLE);       /* registered, waiting in msg_next */
	CHECK_EQ_I64(wr_interface_register(sys, "kv", NULL, NULL), WR_EEXIST);
	CHECK_EQ_I64(wr_interface_unregister(sys, "kv"), WR_ENOENT);   /* not the host's */
	CHECK_EQ_I64(wr_kill(sys, pid, 9), WR_OK);
	CHECK_EQ_I64(run_to_exit(sys, pid).signal, 9);
	/* the handler died: the name is free again */
	CHECK_EQ_I64(wr_interface_register(sys, "kv", NULL, NULL), WR_OK);
	/* and now a process cannot take it: EEXIST (20) -> exit 120 */
	pid2 = spawn_src(sys, handler_wat, WR_STDIO_NULL, WR_STDIO_NULL, WR_STDIO_NULL);
	CHECK_EQ_I64(run_to_exit(sys, pid2).exit_code, 120);
	wr_system_free(sys);
	CHECK_EQ_U64(c.live, 0);
}

/* A handler that misbehaves: frees the system (ignored), kills its emitter, installs. */
static int
rude(void *ctx, wr_System *sys, const wr_Message *m)
{
	int *calls = ctx;

	++*calls;
	wr_system_free(sys);
	if (m->kind == WR_MSG_MESSAGE) {
		CHECK_EQ_I64(wr_install(sys, "/tmp/from-handler", (const uint8_t *)"x", 1), WR_OK);
		CHECK_EQ_I64(wr_kill(sys, m->pid, 9), WR_OK);
	}
	return WR_OK;   /* and no answer */
}

TEST(api_native_rude_handler)
{
	struct counter c;
	wr_System *sys = new_sys(&c);
	int calls = 0;
	int32_t pid;
	wr_Event ev;

	if (!sys)
		return;
	CHECK_EQ_I64(wr_interface_register(sys, "kv", rude, &calls), WR_OK);
	pid = spawn_src(sys, caller_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL);
	ev = run_to_exit(sys, pid);
	CHECK_EQ_I64(ev.what, WR_EV_EXITED);
	CHECK_EQ_I64(ev.signal, 9);
	CHECK(calls >= 1);
	/* the system still works */
	pid = spawn_src(sys, hello_wat, WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_NULL);
	CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 0);
	wr_system_free(sys);
	CHECK_EQ_U64(c.live, 0);
}

/* Two systems on two allocators, used in turns: every block goes back where it came from. */
TEST(api_two_allocators)
{
	struct counter c1, c2;
	wr_System *a = new_sys(&c1), *b = new_sys(&c2);
	int32_t pa, pb;
	char out[64];
	size_t n;

	if (!a || !b) {
		wr_system_free(a);
		wr_system_free(b);
		return;
	}
	pa = spawn_src(a, cat_wat, WR_STDIO_PIPE, WR_STDIO_PIPE, WR_STDIO_NULL);
	pb = spawn_src(b, cat_wat, WR_STDIO_PIPE, WR_STDIO_PIPE, WR_STDIO_NULL);
	CHECK_EQ_I64(wr_proc_write(a, pa, "from a", 6, &n), WR_OK);
	CHECK_EQ_I64(wr_proc_write(b, pb, "from b", 6, &n), WR_OK);
	CHECK_EQ_I64(wr_proc_close(b, pb), WR_OK);
	CHECK_EQ_I64(run_to_exit(b, pb).exit_code, 3);
	CHECK_EQ_I64(wr_proc_close(a, pa), WR_OK);
	wr_system_free(b);
	CHECK_EQ_U64(c2.live, 0);
	CHECK_EQ_U64(c2.bytes, 0);
	CHECK_EQ_I64(run_to_exit(a, pa).exit_code, 3);
	CHECK_EQ_I64(read_all(a, pa, 1, out, sizeof out), WR_EOF);
	CHECK_STR(out, "from a");
	wr_system_free(a);
	CHECK_EQ_U64(c1.live, 0);
	CHECK_EQ_U64(c1.bytes, 0);
}
