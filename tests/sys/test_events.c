/*
 * test_events.c - the event ring (order, drain, overflow counted with
 * seq gaps), the lifecycle records of a small fork/wait workload, the
 * syscall trace on and off (a blocked call is one record), the text form
 * of records, the Prometheus metrics (every line parses; counters match
 * the workload), and deterministic time (virtual clock, idle skipped,
 * realtime from 2000-01-01).
 *
 * Guests are small wat modules (kt_wat runs wat2wasm).
 */
#define _POSIX_C_SOURCE 200809L
#include "unit.h"
#include "kern/kt.h"
#include "warren.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WASI(name, sig) "(import \"wasi_snapshot_preview1\" \"" name "\" (func $" name " " sig "))\n"
#define WASIX(name, sig) "(import \"wasix_32v1\" \"" name "\" (func $" name " " sig "))\n"

/* fork; the child exits 3; the parent waits for it (blocking) and exits 0. */
static const char fork_wait[] =
	"(module\n"
	WASIX("proc_fork", "(param i32 i32) (result i32)")
	WASIX("proc_join", "(param i32 i32 i32) (result i32)")
	WASI("proc_exit", "(param i32)")
	" (memory (export \"memory\") 1)\n"
	" (func (export \"_start\")\n"
	"  (drop (call $proc_fork (i32.const 0) (i32.const 0)))\n"
	"  (if (i32.eqz (i32.load (i32.const 0))) (then (call $proc_exit (i32.const 3))))\n"
	"  (drop (call $proc_join (i32.const 16) (i32.const 0) (i32.const 32)))\n"
	"  (call $proc_exit (i32.const 0))))\n";

/* Traps at once. */
static const char trapper[] =
	"(module (func (export \"_start\") unreachable))\n";

/*
 * Sleeps 5 s (poll_oneoff, a relative monotonic clock), then exits with
 * the realtime clock's whole seconds since 2000-01-01 (mod 256).
 */
static const char sleeper[] =
	"(module\n"
	WASI("poll_oneoff", "(param i32 i32 i32 i32) (result i32)")
	WASI("clock_time_get", "(param i32 i64 i32) (result i32)")
	WASI("proc_exit", "(param i32)")
	" (memory (export \"memory\") 1)\n"
	" (func (export \"_start\")\n"
	"  (i32.store8 (i32.const 8) (i32.const 0))\n"        /* tag: clock */
	"  (i32.store (i32.const 16) (i32.const 1))\n"        /* monotonic */
	"  (i64.store (i32.const 24) (i64.const 5000000000))\n"
	"  (drop (call $poll_oneoff (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))\n"
	"  (drop (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 136)))\n"
	"  (call $proc_exit (i32.wrap_i64 (i64.div_u\n"
	"    (i64.sub (i64.load (i32.const 136)) (i64.const 946684800000000000))\n"
	"    (i64.const 1000000000))))))\n";

static wr_System *
new_sys(uint32_t max_events, int det)
{
	wr_Config cfg = { .seed = 7, .max_events = max_events, .deterministic = det };
	wr_System *sys = NULL;
	char err[200];

	CHECK_EQ_I64(wr_system_new(&cfg, &sys, err, sizeof err), WR_OK);
	return sys;
}

static int32_t
spawn_src(wr_System *sys, const char *src)
{
	return kt_wr_spawn(sys, src, WR_STDIO_NULL, WR_STDIO_NULL, WR_STDIO_NULL, 0);
}

/* Step until pid exits; its event (what -1 if it never did). */
static wr_Event
run_to_exit(wr_System *sys, int32_t pid)
{
	wr_Event ev = { 0 };

	for (int i = 0; i < 1000; i++) {
		CHECK_EQ_I64(wr_step(sys, 100000, &ev), WR_OK);
		if (ev.what == WR_EV_EXITED && ev.pid == pid)
			return ev;
		if (ev.what == WR_EV_DONE || ev.what == WR_EV_IDLE)
			break;
	}
	ev.what = -1;
	return ev;
}

#define MAXREC 256
static wr_Record recs[MAXREC];

static size_t
drain(wr_System *sys)
{
	return wr_events_drain(sys, recs, MAXREC);
}

/* Index of the first record of type t for pid (0: any) from `from`, or -1. */
static int
find(size_t n, size_t from, int t, int32_t pid)
{
	for (size_t i = from; i < n; i++)
		if (recs[i].type == t && (!pid || recs[i].pid == pid))
			return (int)i;
	return -1;
}

static int
count_type(size_t n, int t, int32_t pid)
{
	int c = 0;

	for (size_t i = 0; i < n; i++)
		c += recs[i].type == t && (!pid || recs[i].pid == pid);
	return c;
}

/* ---- the lifecycle ----------------------------------------------------------------- */

TEST(events_lifecycle)
{
	wr_System *sys = new_sys(0, 0);
	int32_t pid = spawn_src(sys, fork_wait), child;
	wr_Event ev = run_to_exit(sys, pid);
	size_t n = drain(sys);
	int sp, sc, bl, ex, wk, rp, ep, rh;

	CHECK_EQ_I64(ev.exit_code, 0);
	CHECK(n >= 8);
	for (size_t i = 0; i < n; i++) {
		CHECK_EQ_U64(recs[i].seq, i);
		if (i)
			CHECK(recs[i].clock >= recs[i - 1].clock);
	}
	sp = find(n, 0, WR_R_SPAWN, pid);
	CHECK_EQ_I64(sp, 0);
	CHECK_EQ_I64(recs[0].a, 0);
	CHECK_STR(recs[0].name, "t");
	sc = find(n, 1, WR_R_SPAWN, 0);
	CHECK(sc > 0);
	child = sc > 0 ? recs[sc].pid : -1;
	CHECK(child != pid);
	CHECK_EQ_I64(sc > 0 ? recs[sc].a : -1, pid);
	/* The parent sleeps in proc_join, the child exits 3, is signalled to
	 * the parent (SIGCHLD, from the kernel), wakes it and is reaped by it. */
	bl = find(n, 0, WR_R_BLOCK, pid);
	CHECK(bl > sc);
	CHECK_STR(bl >= 0 ? recs[bl].name : "", "proc_join");
	ex = find(n, 0, WR_R_EXIT, child);
	CHECK(ex > bl);
	CHECK_EQ_I64(ex >= 0 ? recs[ex].a : -1, 3 << 8);
	CHECK(find(n, ex, WR_R_SIGNAL, pid) > ex);
	CHECK_EQ_I64(recs[find(n, ex, WR_R_SIGNAL, pid)].a, 17);
	CHECK_EQ_I64(recs[find(n, ex, WR_R_SIGNAL, pid)].b, 0);
	wk = find(n, 0, WR_R_WAKE, pid);
	CHECK(wk > ex);
	rp = find(n, 0, WR_R_REAP, child);
	CHECK(rp > wk);
	CHECK_EQ_I64(rp >= 0 ? recs[rp].a : -1, pid);
	ep = find(n, 0, WR_R_EXIT, pid);
	CHECK(ep > rp);
	CHECK_EQ_I64(ep >= 0 ? recs[ep].a : -1, 0);
	rh = find(n, 0, WR_R_REAP, pid);
	CHECK(rh > ep);
	CHECK_EQ_I64(rh >= 0 ? recs[rh].a : -1, 0);
	/* The trace is off: no syscall records. */
	CHECK_EQ_I64(count_type(n, WR_R_SYSCALL, 0), 0);
	CHECK_EQ_U64(wr_events_lost(sys), 0);
	CHECK_EQ_U64(drain(sys), 0);
	wr_system_free(sys);
}

TEST(events_drain_in_parts)
{
	wr_System *sys = new_sys(0, 0);
	int32_t pid = spawn_src(sys, fork_wait);
	wr_Record part[3];
	uint64_t next = 0;
	size_t got;

	run_to_exit(sys, pid);
	while ((got = wr_events_drain(sys, part, 3)) > 0) {
		CHECK(got <= 3);
		for (size_t i = 0; i < got; i++)
			CHECK_EQ_U64(part[i].seq, next++);
	}
	CHECK(next >= 8);
	CHECK_EQ_U64(wr_events_drain(sys, part, 0), 0);
	CHECK_EQ_U64(wr_events_drain(NULL, part, 3), 0);
	CHECK_EQ_U64(wr_events_drain(sys, NULL, 3), 0);
	CHECK_EQ_U64(wr_events_lost(NULL), 0);
	CHECK_EQ_I64(wr_trace_syscalls(NULL, 1), WR_EARG);
	wr_system_free(sys);
}

TEST(events_overflow_counted)
{
	wr_System *sys = new_sys(3, 0);
	int32_t pid = spawn_src(sys, fork_wait);
	uint64_t lost;
	size_t n;

	run_to_exit(sys, pid);
	n = drain(sys);
	CHECK_EQ_U64(n, 3);
	lost = wr_events_lost(sys);
	CHECK(lost >= 5);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ_U64(recs[i].seq, i);
	/* Room again: the next record shows the gap. */
	pid = spawn_src(sys, fork_wait);
	run_to_exit(sys, pid);
	n = drain(sys);
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(recs[0].seq, 3 + lost);
	CHECK_EQ_I64(recs[0].type, WR_R_SPAWN);
	CHECK(wr_events_lost(sys) > lost);
	wr_system_free(sys);
}

/* ---- the syscall trace --------------------------------------------------------------- */

TEST(events_syscall_trace)
{
	wr_System *sys = new_sys(0, 0);
	int32_t pid, child;
	size_t n;
	int sc, bl, jn, i;

	CHECK_EQ_I64(wr_trace_syscalls(sys, 1), WR_OK);
	pid = spawn_src(sys, fork_wait);
	run_to_exit(sys, pid);
	n = drain(sys);
	sc = find(n, 1, WR_R_SPAWN, 0);
	child = sc > 0 ? recs[sc].pid : -1;
	/* The parent's fork: args (0, 0), result 0, recorded as it returns
	 * (after the child's SPAWN, begun before it); and the child's own
	 * return from it. */
	i = find(n, 0, WR_R_SYSCALL, pid);
	CHECK(i > sc && sc > 0);
	if (i > 0 && sc > 0) {
		CHECK((uint64_t)recs[i].b <= recs[sc].clock);
		CHECK_STR(recs[i].name, "proc_fork");
		CHECK_EQ_I64(recs[i].nargs, 2);
		CHECK_EQ_U64(recs[i].args[0], 0);
		CHECK_EQ_U64(recs[i].args[1], 0);
		CHECK_EQ_I64(recs[i].a, 0);
		CHECK((uint64_t)recs[i].b <= recs[i].clock);
	}
	i = find(n, 0, WR_R_SYSCALL, child);
	CHECK(i > sc);
	CHECK_STR(i >= 0 ? recs[i].name : "", "proc_fork");
	/* proc_join blocked once and was re-executed: one record, after the
	 * wake, begun before the block. */
	bl = find(n, 0, WR_R_BLOCK, pid);
	jn = -1;
	for (size_t j = 0; j < n; j++)
		if (recs[j].type == WR_R_SYSCALL && recs[j].pid == pid &&
		    !strcmp(recs[j].name, "proc_join")) {
			CHECK_EQ_I64(jn, -1);
			jn = (int)j;
		}
	CHECK(jn > bl && bl > 0);
	if (jn > 0 && bl > 0) {
		CHECK((uint64_t)recs[jn].b <= recs[bl].clock);
		CHECK_EQ_I64(recs[jn].nargs, 3);
		CHECK_EQ_U64(recs[jn].args[0], 16);
		CHECK_EQ_U64(recs[jn].args[2], 32);
		CHECK_EQ_I64(recs[jn].a, 0);
	}
	/* The fuel clock moves inside a slice: the parent's join began
	 * after its fork (a few instructions later, same slice). */
	i = find(n, 0, WR_R_SYSCALL, pid);
	if (i >= 0 && jn > 0)
		CHECK(recs[jn].b > recs[i].b);
	/* proc_exit: one each, result 0. */
	CHECK_EQ_I64(count_type(n, WR_R_SYSCALL, pid), 3);
	CHECK_EQ_I64(count_type(n, WR_R_SYSCALL, child), 2);

	/* Off again: lifecycle records only. */
	CHECK_EQ_I64(wr_trace_syscalls(sys, 0), WR_OK);
	pid = spawn_src(sys, fork_wait);
	run_to_exit(sys, pid);
	n = drain(sys);
	CHECK(n >= 8);
	CHECK_EQ_I64(count_type(n, WR_R_SYSCALL, 0), 0);
	wr_system_free(sys);
}

/* ---- the text form ---------------------------------------------------------------- */

TEST(events_record_format)
{
	wr_Record r = { .seq = 12, .clock = 3456, .pid = 5, .type = WR_R_SPAWN, .a = 1 };
	char buf[200], small[8];
	size_t n;

	snprintf(r.name, sizeof r.name, "sh");
	n = wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 SPAWN parent=1 sh");
	CHECK_EQ_U64(n, strlen(buf));
	/* snprintf-style: the length needed, truncated but terminated */
	CHECK_EQ_U64(wr_record_format(&r, small, sizeof small), n);
	CHECK_STR(small, "12 3456");
	CHECK_EQ_U64(wr_record_format(&r, NULL, 0), n);

	r.type = WR_R_EXIT;
	r.a = 3 << 8;
	wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 EXIT status=0x300 exit=3");
	r.a = 9;
	wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 EXIT status=0x9 signal=SIGKILL");

	r.type = WR_R_SIGNAL;
	r.a = 2;
	r.b = 7;
	snprintf(r.name, sizeof r.name, "SIGINT");
	wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 SIGNAL sig=2 SIGINT from=7");

	r.type = WR_R_SYSCALL;
	r.a = 8;
	r.b = 3400;
	r.nargs = 3;
	r.args[0] = 1;
	r.args[1] = 0x12345;
	r.args[2] = 2;
	snprintf(r.name, sizeof r.name, "fd_write");
	wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 SYSCALL fd_write(1, 0x12345, 2) = 8 began=3400");

	/* names are one printable word */
	r.type = WR_R_EXEC;
	snprintf(r.name, sizeof r.name, "a b\nc");
	wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 EXEC a?b?c");
	r.name[0] = 0;
	wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 EXEC -");

	r.type = WR_R_WAKE;
	r.a = 1;
	wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 WAKE timeout");
	r.type = WR_R_REAP;
	r.a = 0;
	wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 REAP by=0");
	r.type = WR_R_MESSAGE;
	r.a = 4;
	snprintf(r.name, sizeof r.name, "kv");
	wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 MESSAGE kv id=4");
	r.type = 99;
	wr_record_format(&r, buf, sizeof buf);
	CHECK_STR(buf, "12 3456 5 TYPE99 4 3400 kv");
	CHECK_EQ_U64(wr_record_format(NULL, buf, sizeof buf), 0);
	CHECK_STR(buf, "");
}

/* ---- metrics ------------------------------------------------------------------------ */

/* Every line a comment ("# HELP name text", "# TYPE name type") or a
 * sample "name{k="v",...} value" with a metric name; *samples counts. */
static bool
metrics_parse(const char *s, int *samples)
{
	*samples = 0;
	while (*s) {
		const char *e = strchr(s, '\n');
		char line[512];
		size_t l;

		if (!e)
			return false;     /* the last line ends with a newline too */
		l = (size_t)(e - s);
		if (l >= sizeof line)
			return false;
		memcpy(line, s, l);
		line[l] = 0;
		s = e + 1;
		if (!strncmp(line, "# HELP warren_", 14) || !strncmp(line, "# TYPE warren_", 14)) {
			if (!strncmp(line, "# TYPE", 6) && !strstr(line, " counter") &&
			    !strstr(line, " gauge"))
				return false;
			continue;
		}
		{
			const char *p = line;
			char *end;

			if (strncmp(p, "warren_", 7))
				return false;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			if (*p == '{') {
				const char *q = strchr(p, '}');

				if (!q || !strstr(p, "=\""))
					return false;
				p = q + 1;
			}
			if (*p != ' ')
				return false;
			strtoull(p + 1, &end, 10);
			if (end == p + 1 || *end)
				return false;
			(*samples)++;
		}
	}
	return true;
}

/* The value of the sample that starts with `key ` in metrics text m. */
static long long
metric(const char *m, const char *key)
{
	size_t l = strlen(key);

	for (const char *s = m; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (!strncmp(s, key, l) && s[l] == ' ')
			return atoll(s + l + 1);
	return -1;
}

TEST(events_metrics)
{
	wr_System *sys = new_sys(0, 0);
	static char m[8192];
	char small[16];
	size_t len = 0, len2 = 0;
	int32_t pid;
	int samples;

	pid = spawn_src(sys, fork_wait);
	CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 0);
	pid = spawn_src(sys, trapper);
	CHECK_EQ_I64(run_to_exit(sys, pid).signal, 6);
	CHECK_EQ_I64(wr_metrics(sys, m, sizeof m, &len), WR_OK);
	CHECK_EQ_U64(len, strlen(m));
	CHECK(metrics_parse(m, &samples));
	CHECK(samples >= 15);
	CHECK_EQ_I64(metric(m, "warren_processes_started_total"), 3);
	CHECK_EQ_I64(metric(m, "warren_processes_ended_total{reason=\"exit\"}"), 2);
	CHECK_EQ_I64(metric(m, "warren_processes_ended_total{reason=\"trap\"}"), 1);
	CHECK_EQ_I64(metric(m, "warren_processes_ended_total{reason=\"signal\"}"), 0);
	CHECK_EQ_I64(metric(m, "warren_processes{state=\"runnable\"}"), 0);
	CHECK(metric(m, "warren_fuel_total") > 0);
	CHECK_EQ_I64(metric(m, "warren_memory_pages"), 0);
	CHECK_EQ_I64(metric(m, "warren_messages_total{result=\"answered\"}"), 0);
	CHECK_EQ_I64(metric(m, "warren_events_lost_total"), 0);
	CHECK(strstr(m, "# TYPE warren_processes_started_total counter\n") != NULL);
	CHECK(strstr(m, "# TYPE warren_processes gauge\n") != NULL);

	/* too small: WR_ENOMEM, the full length, a terminated prefix */
	CHECK_EQ_I64(wr_metrics(sys, small, sizeof small, &len2), WR_ENOMEM);
	CHECK_EQ_U64(len2, len);
	CHECK_EQ_U64(strlen(small), sizeof small - 1);
	CHECK_EQ_I64(wr_metrics(sys, NULL, 0, &len2), WR_ENOMEM);
	CHECK_EQ_U64(len2, len);
	CHECK_EQ_I64(wr_metrics(NULL, m, sizeof m, &len2), WR_EARG);
	CHECK_EQ_I64(wr_metrics(sys, NULL, 5, &len2), WR_EARG);
	wr_system_free(sys);
}

TEST(events_metrics_fuel_limit)
{
	wr_Config cfg = { .seed = 1, .max_fuel = 20000 };
	wr_System *sys = NULL;
	static char m[8192];
	int32_t pid;

	CHECK_EQ_I64(wr_system_new(&cfg, &sys, NULL, 0), WR_OK);
	pid = spawn_src(sys, "(module (func (export \"_start\") (loop (br 0))))");
	CHECK(run_to_exit(sys, pid).signal != 0);
	CHECK_EQ_I64(wr_metrics(sys, m, sizeof m, NULL), WR_OK);
	CHECK_EQ_I64(metric(m, "warren_processes_ended_total{reason=\"killed_limit\"}"), 1);
	wr_system_free(sys);
}

/* ---- deterministic time --------------------------------------------------------------- */

TEST(events_deterministic_clock)
{
	wr_System *sys = new_sys(0, 1);
	int32_t pid = spawn_src(sys, sleeper);
	wr_Event ev;
	int idle = 0, i;
	size_t n;

	/* No IDLE while the timer is pending: the clock jumps to it. */
	for (i = 0; i < 100; i++) {
		CHECK_EQ_I64(wr_step(sys, -1, &ev), WR_OK);
		idle += ev.what == WR_EV_IDLE;
		if (ev.what == WR_EV_EXITED)
			break;
	}
	CHECK_EQ_I64(idle, 0);
	CHECK_EQ_I64(ev.what, WR_EV_EXITED);
	CHECK_EQ_I64(ev.exit_code, 5);    /* 2000-01-01 + 5 s and a few ns */
	n = drain(sys);
	/* The records' time is the virtual clock: past 5 s at the exit. */
	i = find(n, 0, WR_R_EXIT, pid);
	CHECK(i >= 0 && recs[i].time_ns >= 5000000000ull && recs[i].time_ns < 5001000000ull);
	CHECK(find(n, 0, WR_R_WAKE, pid) >= 0);
	CHECK_EQ_I64(recs[find(n, 0, WR_R_WAKE, pid)].a, 1);   /* by its timeout */
	wr_system_free(sys);
}

TEST(events_deterministic_budget)
{
	wr_System *sys = new_sys(0, 1);
	int32_t pid = spawn_src(sys, sleeper);
	wr_Event ev;
	int i;

	/* A bounded step that reaches the sleep reports BUDGET or EXITED,
	 * never IDLE. */
	for (i = 0; i < 100; i++) {
		CHECK_EQ_I64(wr_step(sys, 50, &ev), WR_OK);
		CHECK(ev.what != WR_EV_IDLE);
		if (ev.what == WR_EV_EXITED)
			break;
	}
	CHECK_EQ_I64(ev.what, WR_EV_EXITED);
	CHECK_EQ_I64(ev.pid, pid);
	CHECK_EQ_I64(ev.exit_code, 5);
	wr_system_free(sys);
}

/* Exits with the device number of its root (fd 3) mod 256. */
static const char rootdev[] =
	"(module\n"
	WASI("fd_filestat_get", "(param i32 i32) (result i32)")
	WASI("proc_exit", "(param i32)")
	" (memory (export \"memory\") 1)\n"
	" (func (export \"_start\")\n"
	"  (drop (call $fd_filestat_get (i32.const 3) (i32.const 64)))\n"
	"  (call $proc_exit (i32.and (i32.load (i32.const 64)) (i32.const 255)))))\n";

TEST(events_device_numbers_per_system)
{
	/* Each system numbers its file systems itself: the second system in
	 * this host process sees the same numbers as the first. */
	int code[2];

	for (int i = 0; i < 2; i++) {
		wr_System *sys = new_sys(0, 1);
		int32_t pid = spawn_src(sys, rootdev);

		code[i] = run_to_exit(sys, pid).exit_code;
		wr_system_free(sys);
	}
	CHECK(code[0] > 0);
	CHECK_EQ_I64(code[0], code[1]);
}

/* Ignores SIGALRM, sets a 1 ms interval alarm, then waits for input forever. */
static const char alarm_reader[] =
	"(module\n"
	"(import \"warren_v1\" \"sigaction\" (func $sigaction (param i32 i32 i32) (result i32)))\n"
	WASIX("proc_raise_interval", "(param i32 i64 i32) (result i32)")
	WASI("fd_read", "(param i32 i32 i32 i32) (result i32)")
	" (memory (export \"memory\") 1)\n"
	" (func (export \"_start\")\n"
	"  (drop (call $sigaction (i32.const 14) (i32.const 1) (i32.const 0)))\n"
	"  (drop (call $proc_raise_interval (i32.const 14) (i64.const 1) (i32.const 1)))\n"
	"  (i32.store (i32.const 16) (i32.const 64))\n"
	"  (i32.store (i32.const 20) (i32.const 8))\n"
	"  (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 32)))))\n";

TEST(events_deterministic_endless_timer)
{
	/* A timer that never wakes anyone: each wr_step returns (BUDGET,
	 * time moved on), never IDLE, never spinning forever. */
	wr_System *sys = new_sys(0, 1);
	size_t len = 0;
	uint8_t *b = kt_wat(alarm_reader, &len);
	wr_Spawn s = { .bytes = b, .len = len, .name = "t",
		       .stdio = { WR_STDIO_HOST, WR_STDIO_NULL, WR_STDIO_NULL } };
	wr_ProcInfo info;
	wr_Event ev;
	int32_t pid = 0;

	CHECK(b != NULL);
	CHECK_EQ_I64(wr_spawn(sys, &s, &pid), WR_OK);
	free(b);
	for (int i = 0; i < 5; i++) {
		CHECK_EQ_I64(wr_step(sys, -1, &ev), WR_OK);
		CHECK_EQ_I64(ev.what, WR_EV_BUDGET);
	}
	CHECK_EQ_I64(wr_proc_status(sys, pid, &info), WR_OK);
	CHECK_EQ_I64(info.state, 'S');
	/* Input still wakes it: it reads and ends. */
	CHECK_EQ_U64(wr_stdin_write(sys, "x", 1), 1);
	CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 0);
	wr_system_free(sys);
}

/* Exits 1 if its CPU-time clock moved across a short loop (one slice). */
static const char cputime[] =
	"(module\n"
	WASI("clock_time_get", "(param i32 i64 i32) (result i32)")
	WASI("proc_exit", "(param i32)")
	" (memory (export \"memory\") 1)\n"
	" (func (export \"_start\") (local $i i32)\n"
	"  (drop (call $clock_time_get (i32.const 2) (i64.const 1) (i32.const 0)))\n"
	"  (local.set $i (i32.const 100))\n"
	"  (loop $l (local.set $i (i32.sub (local.get $i) (i32.const 1)))\n"
	"    (br_if $l (local.get $i)))\n"
	"  (drop (call $clock_time_get (i32.const 2) (i64.const 1) (i32.const 8)))\n"
	"  (call $proc_exit (i64.gt_u (i64.load (i32.const 8)) (i64.load (i32.const 0))))))\n";

TEST(events_cputime_within_a_slice)
{
	wr_System *sys = new_sys(0, 1);
	int32_t pid = spawn_src(sys, cputime);

	CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 1);
	wr_system_free(sys);
}

/* An allocator that refuses blocks of one size (the event ring's first). */
static size_t refuse_size;
static int refused;

static void *
refusing_alloc(void *ud, void *ptr, size_t nsize)
{
	(void)ud;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	if (nsize == refuse_size) {
		refused++;
		return NULL;
	}
	return realloc(ptr, nsize);
}

TEST(events_ring_without_memory)
{
	/* No memory for the ring: every record is lost and counted, the
	 * system runs on, the metrics still count the processes. */
	wr_Config cfg = { .seed = 3, .alloc = refusing_alloc };
	wr_System *sys = NULL;
	static char m[8192];
	int32_t pid;

	refuse_size = 64 * sizeof(wr_Record);
	refused = 0;
	CHECK_EQ_I64(wr_system_new(&cfg, &sys, NULL, 0), WR_OK);
	pid = spawn_src(sys, fork_wait);
	CHECK_EQ_I64(run_to_exit(sys, pid).exit_code, 0);
	CHECK(refused > 0);
	CHECK_EQ_U64(drain(sys), 0);
	CHECK(wr_events_lost(sys) >= 8);
	CHECK_EQ_I64(wr_metrics(sys, m, sizeof m, NULL), WR_OK);
	CHECK_EQ_I64(metric(m, "warren_processes_started_total"), 2);
	CHECK_EQ_I64(metric(m, "warren_events_lost_total"), (long long)wr_events_lost(sys));
	wr_system_free(sys);
	refuse_size = 0;
}
