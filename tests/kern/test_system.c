/*
 * test_system.c - the system API of include/warren.h (wr_System), through
 * the embedder's eyes: spawning WASI programs (small wat modules importing
 * wasi_snapshot_preview1), stdio wiring, the console, events and errors.
 */
#include "unit.h"
#include "kt.h"
#include "wat_guests.h"
#include "warren.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cat: copy fd 0 to fd 1 until EOF, then exit 5. */
static const char cat_wat[] =
	WG_MODULE "(func (export \"_start\") (local $n i32)\n" WG_CAT
	"  (call $proc_exit (i32.const 5))))\n";

/* Writes "out\n" to fd 1 and "err\n" to fd 2, exits 0. */
static const char hello_wat[] = WG_MODULE WG_HELLO_DATA "(func (export \"_start\")\n" WG_HELLO "))\n";

static const char spin_wat[] = WG_SPIN;

static const char trap_wat[] =
	WG_MODULE
	"(func $deep (drop (i32.load (i32.const 100000))))\n"
	"(func (export \"_start\") (call $deep)))\n";

struct capture {
	char buf[3][4096];
	size_t len[3];
};

static void
capture_fn(void *ctx, int stream, const void *buf, size_t n)
{
	struct capture *c = ctx;

	if (stream < 0 || stream > 2 || c->len[stream] + n >= sizeof c->buf[0])
		return;
	memcpy(c->buf[stream] + c->len[stream], buf, n);
	c->len[stream] += n;
}

static wr_System *
new_system(struct capture *cap, uint64_t max_fuel)
{
	wr_Config cfg = { .seed = 7, .max_fuel = max_fuel };
	wr_System *sys = NULL;
	char err[200];

	if (cap) {
		memset(cap, 0, sizeof *cap);
		cfg.output = capture_fn;
		cfg.output_ctx = cap;
	}
	CHECK_EQ_I64(wr_system_new(&cfg, &sys, err, sizeof err), WR_OK);
	return sys;
}

/* Step until pid exits (or max steps); returns the event. */
static wr_Event
run_until_exit(wr_System *sys, int32_t pid, int max)
{
	wr_Event ev = { 0 };

	for (int i = 0; i < max; i++) {
		CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
		if (ev.what == WR_EV_EXITED && ev.pid == pid)
			return ev;
		if (ev.what == WR_EV_DONE)
			break;
	}
	ev.what = -1;
	return ev;
}

TEST(sys_host_stdio_streams)
{
	struct capture cap;
	wr_System *sys = new_system(&cap, 0);
	int32_t pid = kt_wr_spawn(sys, hello_wat, WR_STDIO_NULL, WR_STDIO_HOST, WR_STDIO_HOST, 0);
	wr_Event ev = run_until_exit(sys, pid, 100);

	CHECK_EQ_I64(ev.what, WR_EV_EXITED);
	CHECK_EQ_I64(ev.exit_code, 0);
	CHECK_EQ_I64(ev.signal, 0);
	CHECK_STR(cap.buf[1], "out\n");
	CHECK_STR(cap.buf[2], "err\n");
	CHECK_EQ_I64(wr_step(sys, 1000, &ev), WR_OK);
	CHECK_EQ_I64(ev.what, WR_EV_DONE);
	wr_system_free(sys);
}

TEST(sys_stdin_pipe_to_cat)
{
	struct capture cap;
	wr_System *sys = new_system(&cap, 0);
	int32_t pid = kt_wr_spawn(sys, cat_wat, WR_STDIO_HOST, WR_STDIO_HOST, WR_STDIO_HOST, 0);
	wr_Event ev;

	CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
	CHECK_EQ_I64(ev.what, WR_EV_IDLE);
	CHECK(ev.wake_ns == UINT64_MAX);
	CHECK_EQ_I64(wr_stdin_write(sys, "abc", 3), 3);
	CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
	CHECK_EQ_I64(wr_stdin_write(sys, "def\n", 4), 4);
	wr_stdin_close(sys);
	ev = run_until_exit(sys, pid, 100);
	CHECK_EQ_I64(ev.exit_code, 5);
	CHECK_STR(cap.buf[1], "abcdef\n");
	wr_system_free(sys);
}

TEST(sys_console_in_out)
{
	wr_System *sys = new_system(NULL, 0);
	int32_t pid = kt_wr_spawn(sys, cat_wat, WR_STDIO_CONSOLE, WR_STDIO_CONSOLE,
				WR_STDIO_CONSOLE, 1);
	char out[64] = "";
	size_t n;
	wr_Event ev;

	CHECK_EQ_I64(wr_console_write(sys, "line one\n", 9), 9);
	CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
	n = wr_console_read(sys, out, sizeof out - 1);
	out[n] = 0;
	CHECK_STR(out, "line one\n");
	wr_console_eof(sys);
	ev = run_until_exit(sys, pid, 100);
	CHECK_EQ_I64(ev.exit_code, 5);
	wr_system_free(sys);
}

TEST(sys_console_ctrl_c_kills_foreground)
{
	wr_System *sys = new_system(NULL, 0);
	int32_t pid = kt_wr_spawn(sys, spin_wat, WR_STDIO_CONSOLE, WR_STDIO_CONSOLE,
				WR_STDIO_CONSOLE, 1);
	wr_Event ev;
	wr_ProcInfo pi;

	CHECK_EQ_I64(wr_step(sys, 100000, &ev), WR_OK);
	CHECK_EQ_I64(ev.what, WR_EV_BUDGET);
	CHECK_EQ_I64(wr_proc_status(sys, pid, &pi), WR_OK);
	CHECK_EQ_I64(pi.pid, pid);
	CHECK_EQ_I64(pi.pgid, pid);
	CHECK(pi.fuel >= 90000);
	CHECK(pi.pages >= 1);
	CHECK_EQ_I64(wr_console_signal(sys, 'C'), WR_OK);
	CHECK_EQ_I64(wr_console_signal(sys, 'x'), WR_EARG);
	ev = run_until_exit(sys, pid, 10);
	CHECK_EQ_I64(ev.what, WR_EV_EXITED);
	CHECK_EQ_I64(ev.signal, 2);
	CHECK_STR(ev.signame, "SIGINT");
	CHECK_EQ_I64(ev.exit_code, -1);
	CHECK_EQ_I64(wr_proc_status(sys, pid, &pi), WR_ESRCH);
	wr_system_free(sys);
}

TEST(sys_trap_and_fuel_limit)
{
	wr_System *sys = new_system(NULL, 2000000);
	int32_t pid = kt_wr_spawn(sys, trap_wat, WR_STDIO_NULL, WR_STDIO_NULL, WR_STDIO_NULL, 0);
	wr_Event ev = run_until_exit(sys, pid, 10);

	CHECK_EQ_I64(ev.signal, 11);
	CHECK_STR(ev.signame, "SIGSEGV");
	CHECK_STR(ev.diag, "trap in deep: out of bounds memory access");
	pid = kt_wr_spawn(sys, spin_wat, WR_STDIO_NULL, WR_STDIO_NULL, WR_STDIO_NULL, 0);
	ev = run_until_exit(sys, pid, 100);
	CHECK_EQ_I64(ev.signal, 24);
	CHECK_STR(ev.signame, "SIGXCPU");
	wr_system_free(sys);
}

/*
 * A start function is the process's first code, run under its fuel and
 * preempted like the rest: one that never ends neither hangs exec nor the
 * host, lets others run, and is stopped by the fuel limit. One that ends
 * has run before _start.
 */
static const char start_spin_wat[] =
	WG_MODULE "(func $s (loop $l (br $l))) (start $s)\n"
	"(func (export \"_start\") (call $proc_exit (i32.const 3))))\n";

static const char start_then_main_wat[] =
	WG_MODULE "(global $g (mut i32) (i32.const 4))\n"
	"(func $s (global.set $g (i32.add (global.get $g) (i32.const 38)))) (start $s)\n"
	"(func (export \"_start\") (call $proc_exit (global.get $g))))\n";

TEST(sys_start_function_runs_as_the_process)
{
	struct capture cap;
	wr_System *sys = new_system(&cap, 3000000);
	int32_t spinner = kt_wr_spawn(sys, start_spin_wat, WR_STDIO_NULL, WR_STDIO_NULL,
				      WR_STDIO_NULL, 0);
	int32_t pid = kt_wr_spawn(sys, start_then_main_wat, WR_STDIO_NULL, WR_STDIO_NULL,
				  WR_STDIO_NULL, 0);
	int32_t hello = kt_wr_spawn(sys, hello_wat, WR_STDIO_NULL, WR_STDIO_HOST,
				    WR_STDIO_HOST, 0);
	wr_Event ev;
	int exited = 0, spinner_signal = 0, code = -1;

	CHECK(spinner > 0 && pid > 0 && hello > 0);
	for (int i = 0; i < 200 && exited < 3; i++) {
		CHECK_EQ_I64(wr_step(sys, 500000, &ev), WR_OK);
		if (ev.what != WR_EV_EXITED)
			continue;
		exited++;
		if (ev.pid == spinner)
			spinner_signal = ev.signal;
		else if (ev.pid == pid)
			code = ev.exit_code;
	}
	CHECK_EQ_I64(exited, 3);
	CHECK_EQ_I64(code, 42);            /* start ran, then _start */
	CHECK_EQ_I64(spinner_signal, 24); /* SIGXCPU: the fuel limit */
	CHECK_STR(cap.buf[1], "out\n");
	wr_system_free(sys);
}

TEST(sys_kill_from_host)
{
	wr_System *sys = new_system(NULL, 0);
	int32_t pid = kt_wr_spawn(sys, spin_wat, WR_STDIO_NULL, WR_STDIO_NULL, WR_STDIO_NULL, 0);
	wr_Event ev;

	CHECK_EQ_I64(wr_step(sys, 10000, &ev), WR_OK);
	CHECK_EQ_I64(wr_kill(sys, pid, 15), WR_OK);
	CHECK_EQ_I64(wr_kill(sys, pid + 1000, 15), WR_ESRCH);
	CHECK_EQ_I64(wr_kill(sys, pid, 99), WR_EARG);
	ev = run_until_exit(sys, pid, 10);
	CHECK_EQ_I64(ev.signal, 15);
	wr_system_free(sys);
}

TEST(sys_spawn_errors)
{
	struct capture cap;
	wr_System *sys = new_system(&cap, 0);
	static const uint8_t junk[] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 0x0a, 0x05, 0x01 };
	static const char *argv[] = { "x", NULL };
	wr_Spawn s = { .bytes = junk, .len = sizeof junk, .name = "junk.wasm" };
	size_t len = 0;
	uint8_t *noimp = kt_wat("(module (import \"nope\" \"f\" (func)) (func (export \"_start\")))",
				&len);
	int32_t pid = 0;

	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_ENOEXEC);
	CHECK(strstr(wr_system_errmsg(sys), "junk.wasm: ") == wr_system_errmsg(sys));
	CHECK(strstr(wr_system_errmsg(sys), "offset") != NULL);
	s.bytes = noimp;
	s.len = len;
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_ENOEXEC);
	CHECK(strstr(wr_system_errmsg(sys), "nope.f") != NULL);
	s = (wr_Spawn){ .path = "/bin/none", .argv = argv };
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_ENOFILE);
	CHECK_STR(wr_system_errmsg(sys), "/bin/none: no such file or directory");
	s = (wr_Spawn){ .path = "/tmp" };
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_ENOEXEC);
	CHECK_EQ_I64(wr_spawn(sys, NULL, &pid), WR_EARG);
	CHECK_EQ_I64(wr_spawn(NULL, &s, &pid), WR_EARG);
	CHECK_EQ_I64(wr_install(sys, "relative", junk, 1), WR_EARG);
	CHECK_EQ_I64(wr_install_file(sys, "/bin/x", "/nonexistent/file"), WR_ENOFILE);
	CHECK_EQ_I64(pid, 0);
	free(noimp);
	wr_system_free(sys);
}

TEST(sys_install_and_spawn_by_path)
{
	struct capture cap;
	wr_System *sys = new_system(&cap, 0);
	size_t len = 0;
	uint8_t *b = kt_wat(hello_wat, &len);
	static const char *argv[] = { "hello", "x", NULL };
	wr_Spawn s = { .path = "/usr/local/bin/hello", .argv = argv, .cwd = "/tmp",
		       .stdio = { WR_STDIO_NULL, WR_STDIO_HOST, WR_STDIO_NULL } };
	int32_t pid = 0, pid2 = 0;
	wr_Event ev;

	CHECK_EQ_I64(wr_install(sys, "/usr/local/bin/hello", b, len), WR_OK);
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_OK);
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid2), WR_OK);
	CHECK(pid2 > pid);
	ev = run_until_exit(sys, pid, 10);
	CHECK_EQ_I64(ev.exit_code, 0);
	ev = run_until_exit(sys, pid2, 10);
	CHECK_EQ_I64(ev.exit_code, 0);
	CHECK_STR(cap.buf[1], "out\nout\n");
	s.cwd = "/nonexistent";
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_ENOFILE);
	free(b);
	wr_system_free(sys);
}

TEST(sys_config_errors)
{
	wr_Mount m = { .host = "/nonexistent-dir-for-warren", .guest = "/mnt" };
	wr_Config cfg = { .mounts = &m, .nmounts = 1 };
	wr_System *sys = (wr_System *)1;
	char err[200];

	CHECK(wr_system_new(&cfg, &sys, err, sizeof err) != WR_OK);
	CHECK(sys == NULL);
	CHECK(strstr(err, "/nonexistent-dir-for-warren") != NULL);
	CHECK_EQ_I64(wr_system_new(NULL, NULL, NULL, 0), WR_EARG);
	m.host = "/tmp";
	CHECK_EQ_I64(wr_system_new(&cfg, &sys, err, sizeof err), WR_OK);
	wr_system_free(sys);
	wr_system_free(NULL);
}

static uint64_t virtual_ns;

static uint64_t
virtual_clock(void *ctx)
{
	(void)ctx;
	return virtual_ns;
}

TEST(sys_virtual_clock_sleep)
{
	/* poll_oneoff on a 5 s relative clock: the system goes idle with the
	 * wake time, and the host moves its clock there. */
	static const char sleep_wat[] =
		"(module " WG_WASI("poll_oneoff", "(param i32 i32 i32 i32) (result i32)")
		WG_WASI("proc_exit", "(param i32)") "(memory (export \"memory\") 1)\n"
		"(func (export \"_start\")\n"
		"  (i64.store (i32.const 0) (i64.const 7))\n"        /* userdata */
		"  (i32.store8 (i32.const 8) (i32.const 0))\n"       /* clock */
		"  (i32.store (i32.const 16) (i32.const 1))\n"       /* monotonic */
		"  (i64.store (i32.const 24) (i64.const 5000000000))\n"
		"  (i64.store (i32.const 32) (i64.const 0))\n"
		"  (i32.store16 (i32.const 40) (i32.const 0))\n"     /* relative */
		"  (call $proc_exit (call $poll_oneoff (i32.const 0) (i32.const 64)\n"
		"    (i32.const 1) (i32.const 128)))))\n";
	wr_Config cfg = { .clock = virtual_clock };
	wr_System *sys = NULL;
	int32_t pid;
	wr_Event ev;

	virtual_ns = 1000;
	CHECK_EQ_I64(wr_system_new(&cfg, &sys, NULL, 0), WR_OK);
	pid = kt_wr_spawn(sys, sleep_wat, WR_STDIO_NULL, WR_STDIO_NULL, WR_STDIO_NULL, 0);
	CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
	CHECK_EQ_I64(ev.what, WR_EV_IDLE);
	CHECK_EQ_I64(ev.wake_ns, 5000000000ull);
	virtual_ns += 4000000000ull;
	CHECK_EQ_I64(wr_step(sys, 1000000, &ev), WR_OK);
	CHECK_EQ_I64(ev.what, WR_EV_IDLE);
	CHECK_EQ_I64(ev.wake_ns, 1000000000ull);
	virtual_ns += ev.wake_ns;
	ev = run_until_exit(sys, pid, 10);
	CHECK_EQ_I64(ev.what, WR_EV_EXITED);
	CHECK_EQ_I64(ev.exit_code, 0);
	wr_system_free(sys);
}
