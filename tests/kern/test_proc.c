/*
 * test_proc.c - the process kernel: fork, wait, exit, exec, signals,
 * groups, limits and the scheduler, with tiny wat programs (kt.h).
 */
#include "unit.h"
#include "kt.h"

#include <stdio.h>
#include <stdlib.h>

#define IMPORTS                                                                          \
	"(import \"k\" \"pid\" (func $pid (result i32)))\n"                              \
	"(import \"k\" \"ppid\" (func $ppid (result i32)))\n"                            \
	"(import \"k\" \"fork\" (func $fork (result i32)))\n"                            \
	"(import \"k\" \"exit\" (func $exit (param i32)))\n"                             \
	"(import \"k\" \"log\" (func $log (param i32)))\n"                               \
	"(import \"k\" \"wait\" (func $wait (param i32 i32 i32) (result i32)))\n"        \
	"(import \"k\" \"kill\" (func $kill (param i32 i32) (result i32)))\n"            \
	"(import \"k\" \"waitflag\" (func $waitflag (param i32) (result i32)))\n"        \
	"(import \"k\" \"setflag\" (func $setflag (param i32)))\n"                       \
	"(import \"k\" \"sigaction\" (func $sigaction (param i32 i32) (result i32)))\n"  \
	"(import \"k\" \"handler\" (func $handler (result i32)))\n"                      \
	"(import \"k\" \"sleep\" (func $sleep (param i64) (result i32)))\n"              \
	"(import \"k\" \"setpgid\" (func $setpgid (param i32 i32) (result i32)))\n"      \
	"(import \"k\" \"getpgid\" (func $getpgid (param i32) (result i32)))\n"          \
	"(import \"k\" \"setsid\" (func $setsid (result i32)))\n"                        \
	"(import \"k\" \"exec\" (func $exec (param i32) (result i32)))\n"                \
	"(import \"k\" \"nice\" (func $nice (param i32) (result i32)))\n"                \
	"(memory 1)\n"

#define SPIN "(loop $spin (br $spin))"

/* Run a one-process program; returns its exit status or -1. */
static int32_t
run(const char *body, uint64_t seed, uint32_t max_procs, uint64_t max_fuel, struct kern **kp)
{
	char src[8192];
	size_t len = 0;
	uint8_t *bytes;
	struct kern *k;
	int32_t pid, st;

	snprintf(src, sizeof src, "(module\n" IMPORTS "%s)\n", body);
	bytes = kt_wat(src, &len);
	if (!bytes) {
		unit_fail(__FILE__, __LINE__, "wat2wasm failed on:\n%s", src);
		return -1;
	}
	k = kt_kern(seed, max_procs, max_fuel);
	pid = kt_spawn(k, bytes, len);
	if (pid <= 0) {
		unit_fail(__FILE__, __LINE__, "spawn: %d (%s)", pid, k->all_head ? k->all_head->diag : "");
		kt_kern_free(k);
		free(bytes);
		return -1;
	}
	st = kt_run(k, pid, 10000);
	free(bytes);
	if (kp)
		*kp = k;
	else
		kt_kern_free(k);
	return st;
}

/*
 * The trace is exactly want[0..n): its length and every value (each one
 * checked, whatever the length), failures reported at the caller's line.
 */
static void
check_trace(int line, const int32_t *want, int n)
{
	if (kt_ntrace != n)
		unit_fail(__FILE__, line, "kt_ntrace: %d != %d", kt_ntrace, n);
	for (int i = 0; i < n && i < KT_MAXLOG; i++)
		if (kt_trace[i].v != want[i])
			unit_fail(__FILE__, line, "kt_trace[%d].v: %d != %d", i, (int)kt_trace[i].v,
				  (int)want[i]);
}

#define CHECK_TRACE(...)                                                                   \
	check_trace(__LINE__, (const int32_t[]){ __VA_ARGS__ },                            \
		    (int)(sizeof (const int32_t[]){ __VA_ARGS__ } / sizeof(int32_t)))

TEST(kern_fork_both_continue)
{
	int32_t st = run(
		"(func (export \"_start\") (local $c i32)\n"
		"  (local.set $c (call $fork))\n"
		"  (if (i32.eqz (local.get $c)) (then\n"
		"    (call $log (i32.const 100))\n"
		"    (call $log (call $pid))\n"
		"    (call $log (call $ppid))\n"
		"    (call $exit (i32.const 7))))\n"
		"  (call $log (i32.const 200))\n"
		"  (call $log (call $pid))\n"
		"  (call $log (local.get $c))\n"
		"  (call $log (call $wait (local.get $c) (i32.const 0) (i32.const 0)))\n"
		"  (call $log (i32.load (i32.const 0)))\n"
		"  (call $log (call $wait (i32.const -1) (i32.const 0) (i32.const 0))))\n",
		1, 0, 0, NULL);
	int32_t par[8], chi[4];
	int np = 0, nc = 0;
	int32_t ppid = kt_trace[kt_find(200)].pid, cpid = kt_trace[kt_find(100)].pid;

	CHECK_EQ_I64(st, 0);
	for (int i = 0; i < kt_ntrace; i++) {
		if (kt_trace[i].pid == ppid && np < 8)
			par[np++] = kt_trace[i].v;
		else if (kt_trace[i].pid == cpid && nc < 4)
			chi[nc++] = kt_trace[i].v;
	}
	CHECK_EQ_I64(np, 6);
	CHECK_EQ_I64(nc, 3);
	if (np != 6 || nc != 3)
		return;
	/* Child: its own pid, its parent's pid; parent: the child's pid. */
	CHECK(cpid != ppid);
	CHECK_EQ_I64(chi[0], 100);
	CHECK_EQ_I64(chi[1], cpid);
	CHECK_EQ_I64(chi[2], ppid);
	CHECK_EQ_I64(par[0], 200);
	CHECK_EQ_I64(par[1], 1);
	CHECK_EQ_I64(par[2], cpid);
	CHECK_EQ_I64(par[3], cpid);
	CHECK_EQ_I64(par[4], 7 << 8);
	CHECK_EQ_I64(par[5], -E_CHILD);
}

TEST(kern_wait_blocks_resumes_once)
{
	int32_t st = run(
		"(func (export \"_start\") (local $c i32) (local $i i32)\n"
		"  (local.set $c (call $fork))\n"
		"  (if (i32.eqz (local.get $c)) (then\n"
		"    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
		"      (br_if $l (i32.lt_u (local.get $i) (i32.const 300000))))\n"
		"    (call $log (i32.const 302))\n"
		"    (call $exit (i32.const 3))))\n"
		"  (call $log (i32.const 300))\n"
		"  (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 0)))\n"
		"  (call $log (i32.const 301))\n"
		"  (call $log (i32.load (i32.const 0))))\n",
		2, 0, 0, NULL);

	CHECK_EQ_I64(st, 0);
	CHECK_EQ_I64(kt_count(0, 301), 1);
	CHECK(kt_find(300) < kt_find(302));
	CHECK(kt_find(302) < kt_find(301));
	CHECK_EQ_I64(kt_trace[kt_ntrace - 1].v, 3 << 8);
}

TEST(kern_wnohang)
{
	run("(func (export \"_start\") (local $c i32)\n"
	    "  (local.set $c (call $fork))\n"
	    "  (if (i32.eqz (local.get $c)) (then\n"
	    "    (drop (call $waitflag (i32.const 0))) (call $exit (i32.const 1))))\n"
	    "  (call $log (call $wait (local.get $c) (i32.const 1) (i32.const 0)))\n"
	    "  (call $setflag (i32.const 0))\n"
	    "  (call $log (i32.sub (call $wait (local.get $c) (i32.const 0) (i32.const 0)) (local.get $c)))\n"
	    "  (call $log (call $wait (local.get $c) (i32.const 1) (i32.const 0))))\n",
	    3, 0, 0, NULL);
	CHECK_TRACE(0, 0, -E_CHILD);
}

TEST(kern_kill_terminates_compute_loop)
{
	run("(func (export \"_start\") (local $c i32)\n"
	    "  (local.set $c (call $fork))\n"
	    "  (if (i32.eqz (local.get $c)) (then " SPIN "))\n"
	    "  (call $log (call $kill (local.get $c) (i32.const 15)))\n"
	    "  (drop (call $wait (local.get $c) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (i32.load (i32.const 0)))\n"
	    "  (call $log (call $kill (local.get $c) (i32.const 15)))\n"
	    "  (call $log (call $kill (i32.const 99999) (i32.const 0)))\n"
	    "  (call $log (call $kill (local.get $c) (i32.const 65))))\n",
	    4, 0, 0, NULL);
	CHECK_TRACE(0, 15, -E_SRCH, -E_SRCH, -E_INVAL);
}

#define HANDLER                                                                    \
	"(global $got (mut i32) (i32.const 0))\n"                                  \
	"(func (export \"h\") (param $s i32)\n"                                    \
	"  (global.set $got (local.get $s)) (call $log (i32.const 500)))\n"

TEST(kern_handler_in_compute_loop)
{
	run(HANDLER
	    "(func (export \"_start\") (local $c i32)\n"
	    "  (local.set $c (call $fork))\n"
	    "  (if (i32.eqz (local.get $c)) (then\n"
	    "    (drop (call $sigaction (i32.const 10) (i32.const 2)))\n"
	    "    (drop (call $handler))\n"
	    "    (call $setflag (i32.const 1))\n"
	    "    (loop $l (br_if $l (i32.eqz (global.get $got))))\n"
	    "    (call $exit (global.get $got))))\n"
	    "  (drop (call $waitflag (i32.const 1)))\n"
	    "  (drop (call $kill (local.get $c) (i32.const 10)))\n"
	    "  (drop (call $wait (local.get $c) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (i32.load (i32.const 0))))\n",
	    5, 0, 0, NULL);
	CHECK_EQ_I64(kt_count(0, 500), 1);
	CHECK_EQ_I64(kt_trace[kt_ntrace - 1].v, 10 << 8);
}

TEST(kern_handler_inherited_across_fork)
{
	/* The parent installs the handler; the child gets it by fork. */
	run(HANDLER
	    "(func (export \"_start\") (local $c i32)\n"
	    "  (drop (call $sigaction (i32.const 12) (i32.const 2)))\n"
	    "  (drop (call $handler))\n"
	    "  (local.set $c (call $fork))\n"
	    "  (if (i32.eqz (local.get $c)) (then\n"
	    "    (call $setflag (i32.const 1))\n"
	    "    (loop $l (br_if $l (i32.eqz (global.get $got))))\n"
	    "    (call $exit (global.get $got))))\n"
	    "  (drop (call $waitflag (i32.const 1)))\n"
	    "  (drop (call $kill (local.get $c) (i32.const 12)))\n"
	    "  (drop (call $wait (local.get $c) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (i32.load (i32.const 0))))\n",
	    6, 0, 0, NULL);
	CHECK_EQ_I64(kt_trace[kt_ntrace - 1].v, 12 << 8);
}

TEST(kern_eintr_after_handler)
{
	run(HANDLER
	    "(func (export \"_start\") (local $c i32)\n"
	    "  (local.set $c (call $fork))\n"
	    "  (if (i32.eqz (local.get $c)) (then\n"
	    "    (drop (call $sigaction (i32.const 10) (i32.const 2)))\n"
	    "    (drop (call $handler))\n"
	    "    (call $setflag (i32.const 3))\n"
	    "    (call $log (call $waitflag (i32.const 4)))\n"
	    "    (call $exit (i32.const 0))))\n"
	    "  (drop (call $waitflag (i32.const 3)))\n"
	    "  (drop (call $kill (local.get $c) (i32.const 10)))\n"
	    "  (drop (call $wait (local.get $c) (i32.const 0) (i32.const 0))))\n",
	    7, 0, 0, NULL);
	CHECK_TRACE(500, -E_INTR);
}

TEST(kern_stop_continue_wait)
{
	run("(func (export \"_start\") (local $c i32)\n"
	    "  (local.set $c (call $fork))\n"
	    "  (if (i32.eqz (local.get $c)) (then " SPIN "))\n"
	    "  (drop (call $kill (local.get $c) (i32.const 19)))\n"
	    "  (call $log (i32.sub (call $wait (local.get $c) (i32.const 2) (i32.const 0)) (local.get $c)))\n"
	    "  (call $log (i32.load (i32.const 0)))\n"
	    "  (call $log (call $wait (local.get $c) (i32.const 3) (i32.const 0)))\n"
	    "  (drop (call $kill (local.get $c) (i32.const 18)))\n"
	    "  (call $log (i32.sub (call $wait (local.get $c) (i32.const 8) (i32.const 0)) (local.get $c)))\n"
	    "  (call $log (i32.load (i32.const 0)))\n"
	    "  (drop (call $kill (local.get $c) (i32.const 9)))\n"
	    "  (drop (call $wait (local.get $c) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (i32.load (i32.const 0))))\n",
	    8, 0, 0, NULL);
	CHECK_TRACE(0, 0x137f,
		    0, /* WNOHANG|WUNTRACED: already reported */
		    0, 0xffff, 9);
}

TEST(kern_orphans_go_to_init)
{
	run("(func (export \"_start\") (local $a i32) (local $b i32)\n"
	    "  (local.set $a (call $fork))\n"
	    "  (if (i32.eqz (local.get $a)) (then\n"
	    "    (local.set $b (call $fork))\n"
	    "    (if (i32.eqz (local.get $b)) (then\n"
	    "      (drop (call $waitflag (i32.const 2)))\n"
	    "      (call $log (i32.const 700))\n"
	    "      (call $log (call $ppid))\n"
	    "      (call $exit (i32.const 4))))\n"
	    "    (call $exit (i32.const 0))))\n"
	    "  (drop (call $wait (local.get $a) (i32.const 0) (i32.const 0)))\n"
	    "  (call $setflag (i32.const 2))\n"
	    "  (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (i32.load (i32.const 0))))\n",
	    9, 0, 0, NULL);
	CHECK_TRACE(700, 1, 4 << 8);
}

TEST(kern_fuel_limit_sigxcpu)
{
	int32_t st = run("(func (export \"_start\") " SPIN ")\n", 10, 0, 1000000, NULL);

	CHECK_EQ_I64(st, 24);
}

TEST(kern_trap_names_function)
{
	int32_t st = run("(func $boom (drop (i32.load (i32.const 70000))))\n"
			 "(func (export \"_start\") (call $boom))\n",
			 11, 0, 0, NULL);

	CHECK_EQ_I64(st, 11);
	CHECK_STR(kt_diag, "trap in boom: out of bounds memory access");
}

TEST(kern_process_limit)
{
	run("(func (export \"_start\")\n"
	    "  (local $i i32) (local $c i32)\n"
	    "  (loop $l\n"
	    "    (local.set $c (call $fork))\n"
	    "    (if (i32.eqz (local.get $c)) (then\n"
	    "      (drop (call $waitflag (i32.const 5))) (call $exit (i32.const 0))))\n"
	    "    (call $log (i32.lt_s (local.get $c) (i32.const 0)))\n"
	    "    (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
	    "    (br_if $l (i32.gt_s (local.get $c) (i32.const 0))))\n"
	    "  (call $log (local.get $c))\n"
	    "  (call $setflag (i32.const 5))\n"
	    "  (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 0)))\n"
	    "  (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (call $wait (i32.const -1) (i32.const 0) (i32.const 0))))\n",
	    12, 3, 0, NULL);
	CHECK_TRACE(0, 0, 1, -E_AGAIN, -E_CHILD);
}

TEST(kern_pids_seeded_increasing)
{
	int32_t a[2][6];

	for (int round = 0; round < 2; round++) {
		run("(func (export \"_start\") (local $i i32) (local $c i32)\n"
		    "  (call $log (call $pid))\n"
		    "  (loop $l\n"
		    "    (local.set $c (call $fork))\n"
		    "    (if (i32.eqz (local.get $c)) (then (call $exit (i32.const 0))))\n"
		    "    (call $log (local.get $c))\n"
		    "    (drop (call $wait (local.get $c) (i32.const 0) (i32.const 0)))\n"
		    "    (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
		    "    (br_if $l (i32.lt_u (local.get $i) (i32.const 5)))))\n",
		    42, 0, 0, NULL);
		CHECK_EQ_I64(kt_ntrace, 6);
		for (int i = 0; i < 6 && i < kt_ntrace; i++)
			a[round][i] = kt_trace[i].v;
	}
	CHECK_EQ_I64(a[0][0], 1);
	for (int i = 1; i < 6; i++) {
		CHECK(a[0][i] > a[0][i - 1]);
		CHECK(a[0][i] <= a[0][i - 1] + 4);
		CHECK_EQ_I64(a[0][i], a[1][i]);
	}
}

TEST(kern_exec_same_pid)
{
	static const char *second =
		"(module (import \"k\" \"pid\" (func $pid (result i32)))\n"
		"  (import \"k\" \"log\" (func $log (param i32)))\n"
		"  (import \"k\" \"exit\" (func $exit (param i32)))\n"
		"  (func (export \"_start\") (call $log (i32.const 900))\n"
		"    (call $log (call $pid)) (call $exit (i32.const 5))))\n";
	size_t len = 0;
	uint8_t *b = kt_wat(second, &len);

	CHECK(b != NULL);
	kt_progs[1] = b;
	kt_proglen[1] = len;
	run("(func (export \"_start\") (local $c i32)\n"
	    "  (local.set $c (call $fork))\n"
	    "  (if (i32.eqz (local.get $c)) (then\n"
	    "    (call $log (call $pid))\n"
	    "    (drop (call $exec (i32.const 1)))\n"
	    "    (call $log (i32.const 666))))\n"
	    "  (drop (call $wait (local.get $c) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (i32.const 901))\n"
	    "  (call $log (i32.load (i32.const 0))))\n",
	    13, 0, 0, NULL);
	CHECK_EQ_I64(kt_ntrace, 5);
	CHECK_EQ_I64(kt_count(0, 666), 0);
	if (kt_ntrace == 5) {
		CHECK_EQ_I64(kt_trace[1].v, 900);
		CHECK_EQ_I64(kt_trace[2].v, kt_trace[0].v);
		CHECK_EQ_I64(kt_trace[3].v, 901);
		CHECK_EQ_I64(kt_trace[4].v, 5 << 8);
	}
	kt_progs[1] = NULL;
	free(b);
}

TEST(kern_groups_kill_group)
{
	run("(func (export \"_start\") (local $a i32) (local $b i32)\n"
	    "  (local.set $a (call $fork))\n"
	    "  (if (i32.eqz (local.get $a)) (then " SPIN "))\n"
	    "  (call $log (call $setpgid (local.get $a) (i32.const 0)))\n"
	    "  (local.set $b (call $fork))\n"
	    "  (if (i32.eqz (local.get $b)) (then " SPIN "))\n"
	    "  (call $log (call $setpgid (local.get $b) (local.get $a)))\n"
	    "  (call $log (i32.sub (call $getpgid (local.get $b)) (local.get $a)))\n"
	    "  (call $log (call $setpgid (local.get $b) (i32.const 77777)))\n"
	    "  (call $log (call $kill (i32.sub (i32.const 0) (local.get $a)) (i32.const 9)))\n"
	    "  (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (i32.load (i32.const 0)))\n"
	    "  (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (i32.load (i32.const 0)))\n"
	    "  (call $log (call $setsid))\n"
	    "  (call $log (call $kill (i32.const -77777) (i32.const 9))))\n",
	    14, 0, 0, NULL);
	CHECK_TRACE(0, 0, 0, -E_PERM, 0, 9, 9,
		    -E_PERM, /* already a group leader */
		    -E_SRCH);
}

TEST(kern_sleep_timer)
{
	struct kern *k = NULL;

	run("(func (export \"_start\")\n"
	    "  (call $log (call $sleep (i64.const 5000000)))\n"
	    "  (call $log (call $sleep (i64.const 0))))\n",
	    15, 0, 0, &k);
	CHECK_EQ_I64(kt_ntrace, 2);
	CHECK(kt_clock_ns >= 1000 + 5000000);
	kt_kern_free(k);
}

TEST(kern_sigchld_ignored_no_zombies)
{
	run("(func (export \"_start\") (local $c i32)\n"
	    "  (drop (call $sigaction (i32.const 17) (i32.const 1)))\n"
	    "  (local.set $c (call $fork))\n"
	    "  (if (i32.eqz (local.get $c)) (then (call $exit (i32.const 0))))\n"
	    "  (call $log (call $wait (i32.const -1) (i32.const 0) (i32.const 0))))\n",
	    16, 0, 0, NULL);
	CHECK_TRACE(-E_CHILD);
}

TEST(kern_sigkill_blocked_sleeper)
{
	run("(func (export \"_start\") (local $c i32)\n"
	    "  (local.set $c (call $fork))\n"
	    "  (if (i32.eqz (local.get $c)) (then\n"
	    "    (call $setflag (i32.const 6))\n"
	    "    (drop (call $waitflag (i32.const 7)))\n"
	    "    (call $log (i32.const 666))))\n"
	    "  (drop (call $waitflag (i32.const 6)))\n"
	    "  (drop (call $kill (local.get $c) (i32.const 9)))\n"
	    "  (drop (call $wait (local.get $c) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (i32.load (i32.const 0))))\n",
	    17, 0, 0, NULL);
	CHECK_TRACE(9);
}

TEST(kern_interactive_not_delayed_by_hog)
{
	struct kern *k = NULL;

	/* A hog and a process that sleeps 1 ms twenty times; the clock moves
	 * 1 ms per step of 100k instructions. The sleeper must finish in about
	 * twenty steps however long the hog runs. */
	kt_tick_ns = 1000000;
	run("(func (export \"_start\") (local $c i32) (local $i i32)\n"
	    "  (local.set $c (call $fork))\n"
	    "  (if (i32.eqz (local.get $c)) (then " SPIN "))\n"
	    "  (loop $l\n"
	    "    (drop (call $sleep (i64.const 1000000)))\n"
	    "    (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
	    "    (br_if $l (i32.lt_u (local.get $i) (i32.const 20))))\n"
	    "  (call $log (i32.const 800))\n"
	    "  (drop (call $kill (local.get $c) (i32.const 9)))\n"
	    "  (drop (call $wait (local.get $c) (i32.const 0) (i32.const 0))))\n",
	    18, 0, 0, &k);
	CHECK_EQ_I64(kt_count(0, 800), 1);
	CHECK(kt_steps <= 45);
	kt_kern_free(k);
}

TEST(kern_two_hogs_share)
{
	struct kern *k = NULL;
	char src[4096];
	size_t len = 0;
	uint8_t *b;
	int32_t p1, p2;
	struct proc *a, *c;
	struct kern_event ev;

	snprintf(src, sizeof src, "(module " IMPORTS "(func (export \"_start\") " SPIN "))");
	b = kt_wat(src, &len);
	CHECK(b != NULL);
	if (!b)
		return;
	k = kt_kern(19, 0, 0);
	p1 = kt_spawn(k, b, len);
	p2 = kt_spawn(k, b, len);
	for (int i = 0; i < 100; i++)
		kern_step(k, 1000000, &ev);
	a = proc_find(k, p1);
	c = proc_find(k, p2);
	CHECK(a && c);
	if (a && c) {
		CHECK(a->fuel > 40000000 && c->fuel > 40000000);
		/* Within 10% of each other over 100M instructions. */
		CHECK(a->fuel < c->fuel + 10000000 && c->fuel < a->fuel + 10000000);
		CHECK(a->kmod == c->kmod);  /* one module shared */
	}
	kt_kern_free(k);
	free(b);
}

TEST(kern_total_pages_limit)
{
	/* Three pages for everyone: parent + two children of one page each. */
	kt_total_pages = 3;
	run("(func (export \"_start\") (local $i i32) (local $c i32)\n"
	    "  (loop $l\n"
	    "    (local.set $c (call $fork))\n"
	    "    (if (i32.eqz (local.get $c)) (then\n"
	    "      (drop (call $waitflag (i32.const 8))) (call $exit (i32.const 0))))\n"
	    "    (call $log (local.get $c))\n"
	    "    (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
	    "    (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))\n"
	    "  (call $log (memory.grow (i32.const 1)))\n"
	    "  (call $setflag (i32.const 8))\n"
	    "  (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 0)))\n"
	    "  (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (memory.grow (i32.const 1))))\n",
	    20, 0, 0, NULL);
	kt_total_pages = 0;
	CHECK_EQ_I64(kt_ntrace, 5);
	if (kt_ntrace == 5) {
		CHECK(kt_trace[0].v > 0);
		CHECK(kt_trace[1].v > 0);
		CHECK_EQ_I64(kt_trace[2].v, -E_AGAIN);
		CHECK_EQ_I64(kt_trace[3].v, -1);  /* memory.grow: no room left */
		CHECK_EQ_I64(kt_trace[4].v, 1);   /* children gone: room again */
	}
}

TEST(kern_orphaned_stopped_group_hup)
{
	/* A session leader's child in a group of its own stops; the leader
	 * (the group's only link to the session) exits: the group is orphaned
	 * (init is in another session), so it gets SIGHUP + SIGCONT and dies
	 * of the SIGHUP. init sees that. */
	run("(func (export \"_start\") (local $a i32) (local $b i32)\n"
	    "  (local.set $a (call $fork))\n"
	    "  (if (i32.eqz (local.get $a)) (then\n"
	    "    (drop (call $setsid))\n"
	    "    (local.set $b (call $fork))\n"
	    "    (if (i32.eqz (local.get $b)) (then\n"
	    "      (drop (call $setpgid (i32.const 0) (i32.const 0)))\n"
	    "      (drop (call $kill (call $pid) (i32.const 19)))\n"
	    "      (call $exit (i32.const 3))))\n"
	    "    (drop (call $wait (local.get $b) (i32.const 2) (i32.const 0)))\n"
	    "    (call $exit (i32.const 0))))\n"
	    "  (drop (call $wait (local.get $a) (i32.const 0) (i32.const 0)))\n"
	    "  (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 0)))\n"
	    "  (call $log (i32.load (i32.const 0))))\n",
	    21, 0, 0, NULL);
	CHECK_TRACE(1);
}

TEST(kern_handler_skips_command_export_wrapper)
{
	/* The shape wasm-ld gives exports of a command module: the kernel
	 * must call the wrapped function, not constructors and destructors
	 * around it. */
	run("(global $got (mut i32) (i32.const 0))\n"
	    "(func $ctors (call $log (i32.const 1)))\n"
	    "(func $dtors (call $log (i32.const 2)))\n"
	    "(func $real (param $s i32) (global.set $got (local.get $s)))\n"
	    "(func (export \"h\") (param i32)\n"
	    "  (call $ctors) (local.get 0) (call $real) (call $dtors))\n"
	    "(func (export \"_start\")\n"
	    "  (drop (call $sigaction (i32.const 10) (i32.const 2)))\n"
	    "  (drop (call $handler))\n"
	    "  (drop (call $kill (call $pid) (i32.const 10)))\n"
	    "  (call $log (global.get $got)))\n",
	    22, 0, 0, NULL);
	CHECK_TRACE(10);
}
