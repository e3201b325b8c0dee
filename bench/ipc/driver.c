/*
 * driver.c - `make bench-ipc`: message round trips in warren against
 * Linux IPC, measured in the same run, as one table.
 *
 *   driver IPCDIR PROCDIR [ROW...]
 *
 * IPCDIR holds bench/ipc/rt.c built twice (ipc.mk): `rt` (Linux, gcc -O2)
 * and `rt.wasm` (wasm32-wasi with the guest SDK). PROCDIR holds
 * bench-proc's builds of procs.c, whose pipe benchmark gives both pipe
 * rows: `native` (the Linux baseline every ratio is taken against) and
 * `procs.wasm` (warren's pipe between two guests), so that code is not
 * repeated here. The rows:
 *
 *   pipe          Linux: 1-byte pipe round trip, two processes (baseline)
 *   unix          Linux: 1-byte round trip over a unix socketpair
 *   wpipe         warren: the pipe round trip between two guests
 *   guest-call    warren: a handler guest (`rt serve bench`) and an
 *                 emitter guest doing wr_call round trips (`rt call bench`)
 *   guest-emit    the same with wr_emit + wr_msg_wait + wr_msg_take
 *   native-call   warren: the emitter guest against a native interface
 *                 whose callback answers inside the emit
 *   native-queue  the same with a queue-served native interface: wr_step
 *                 returns WR_EV_MESSAGE and this host answers with
 *                 wr_next_message + wr_answer before stepping on
 *   guest-call-ev guest-call while this host drains the event ring after
 *                 every wr_step (of DRAIN_FUEL instructions), as an
 *                 embedder watching events would: every record is written.
 *                 In the other rows nobody drains, so once the ring is full
 *                 (wr_Config.max_events, 4096 records: within the first
 *                 thousand round trips) records are only counted as lost.
 *
 * Each warren row boots a fresh system through the public API
 * (include/warren.h, nothing else) and steps it until the emitter exits.
 * Round trips are timed inside the programs by bench/proc/timing.h (best
 * and median batch on the monotonic clock, the same rule on both sides);
 * for warren rows the driver also divides its own CPU time and the wasm
 * instructions run (wr_Event.fuel) over the emitter's life by the round
 * trips the emitter made (waiting for a busy machine's other work does
 * not count in CPU time, and the instruction count does not depend on
 * the machine at all). Every row runs BENCH_REPS times (default 3),
 * taking turns, and the best of each column is kept.
 *
 * BENCH_IPC_N=n makes each emitter do exactly n round trips in one loop
 * (the mean is printed): for profilers, where two runs with different n
 * give one round trip's cost by difference (profile.sh, `make
 * bench-ipc-profile`). No timing is a pass/fail criterion: the exit
 * status is non-zero only when a benchmark failed to run.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "warren.h"
#include "../drv.h"

#define STEP_FUEL (1 << 24)     /* per wr_step, so the watchdog gets a look */
#define DRAIN_FUEL (1 << 16)    /* per wr_step when draining: fewer records than
                                   the ring holds (6 a round trip, ~600 instructions) */
#define DRAIN_BATCH 256
#define WATCHDOG_S 120.0        /* a warren run taking longer is stuck */
#define REPS_DEFAULT 3
#define REPS_MAX 50
#define TARGET_US 1.0           /* the target for a message round trip */
#define INTF "bench"

/* How a row is run. */
enum setup {
	LINUX_PIPE,             /* PROCDIR/native PROCDIR/tiny pipe */
	LINUX_RT,               /* IPCDIR/rt ARG */
	WARREN_PIPE,            /* /bin/procs /bin/tiny pipe in a system */
	WARREN_GUESTS,          /* rt serve bench + rt ARG bench */
	WARREN_INLINE,          /* native callback + rt ARG bench */
	WARREN_QUEUE,           /* native queue served here + rt ARG bench */
};

static const struct row {
	const char *op;         /* its name on the command line */
	const char *label;
	enum setup setup;
	const char *arg;
	const char *key;        /* the result line */
	int ipc;                /* a warren message row: the target applies */
	int drain;              /* drain the event ring after every step */
} rows[] = {
	{ .op = "pipe", .label = "Linux pipe, 2 processes", .setup = LINUX_PIPE,
	  .arg = "pipe", .key = "pipe_rt_us" },
	{ .op = "unix", .label = "Linux unix socket, 2 processes", .setup = LINUX_RT,
	  .arg = "unix", .key = "unix_rt_us" },
	{ .op = "wpipe", .label = "warren pipe, 2 guests", .setup = WARREN_PIPE,
	  .arg = "pipe", .key = "pipe_rt_us" },
	{ .op = "guest-call", .label = "guest->guest wr_call", .setup = WARREN_GUESTS,
	  .arg = "call", .key = "call_rt_us", .ipc = 1 },
	{ .op = "guest-emit", .label = "guest->guest emit+wait+take", .setup = WARREN_GUESTS,
	  .arg = "emit", .key = "emit_rt_us", .ipc = 1 },
	{ .op = "native-call", .label = "guest->native callback", .setup = WARREN_INLINE,
	  .arg = "call", .key = "call_rt_us", .ipc = 1 },
	{ .op = "native-queue", .label = "guest->native host queue", .setup = WARREN_QUEUE,
	  .arg = "call", .key = "call_rt_us", .ipc = 1 },
	{ .op = "guest-call-ev", .label = "guest->guest wr_call, events on",
	  .setup = WARREN_GUESTS, .arg = "call", .key = "call_rt_us", .ipc = 1, .drain = 1 },
};
#define NROWS (sizeof rows / sizeof rows[0])
#define BASELINE 0              /* rows[0]: every ratio is against it */

/* A row's best over the repetitions; cpu_us and instr only for warren. */
struct result {
	int ok;
	double best_us, median_us, cpu_us, instr;
};

static const char *ipc_dir, *proc_dir;

/* The median from the commentary line bp_print writes ("median batch X"). */
static double
text_median(const struct text *t)
{
	const char *p = t->buf ? strstr(t->buf, "median batch ") : NULL;

	return p ? strtod(p + strlen("median batch "), NULL) : 0;
}

/* Keeps the better of each column of r in best. */
static void
keep_best(struct result *best, const struct result *r)
{
	if (!r->ok)
		return;
	if (!best->ok) {
		*best = *r;
		return;
	}
#define MIN_(f) if (r->f > 0 && (best->f <= 0 || r->f < best->f)) best->f = r->f
	MIN_(best_us);
	MIN_(median_us);
	MIN_(cpu_us);
	MIN_(instr);
#undef MIN_
}

/* ---- Linux -------------------------------------------------------------- */

static int
run_linux(const struct row *row, struct result *res, int verbose)
{
	char prog[4096], tiny[4096];
	char *argv_pipe[] = { prog, tiny, (char *)row->arg, NULL };
	char *argv_rt[] = { prog, (char *)row->arg, NULL };
	struct text out = { 0 };
	int st, e;

	if (row->setup == LINUX_PIPE) {
		snprintf(prog, sizeof prog, "%s/native", proc_dir);
		snprintf(tiny, sizeof tiny, "%s/tiny", proc_dir);
	} else {
		snprintf(prog, sizeof prog, "%s/rt", ipc_dir);
	}
	e = run_collect(row->setup == LINUX_PIPE ? argv_pipe : argv_rt, &out, &st, "bench-ipc");
	if (e != 0) {
		if (e > 0)
			printf("  linux   %s: %s\n", prog, strerror(e));
		return -1;
	}
	if (verbose)
		text_comments(&out, "linux");
	res->ok = !out.nomem && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		  text_value(&out, row->key, &res->best_us) == 0 && res->best_us > 0;
	res->median_us = res->ok ? text_median(&out) : 0;
	res->cpu_us = res->instr = 0;
	if (!res->ok) {
		if (!verbose)
			text_comments(&out, "linux");
		printf("  linux   %s failed (status 0x%x)\n", row->op, st);
	}
	free(out.buf);
	return res->ok ? 0 : -1;
}

/* ---- warren ------------------------------------------------------------- */

/* The native handler that answers at once, inside the emitter's call. */
static int
answer_now(void *ctx, wr_System *sys, const wr_Message *m)
{
	long *failed = ctx;

	if (m->kind == WR_MSG_MESSAGE && m->needs_answer &&
	    wr_answer(sys, m->id, 0, m->body, m->len) != WR_OK)
		(*failed)++;
	return WR_OK;
}

/* The queue-served handler: answer everything queued, then step on. */
static int
answer_queue(wr_System *sys, long *failed)
{
	uint8_t buf[64];
	wr_Message m;
	int rc;

	while ((rc = wr_next_message(sys, INTF, &m, buf, sizeof buf)) == WR_OK)
		if (m.kind == WR_MSG_MESSAGE && m.needs_answer &&
		    wr_answer(sys, m.id, 0, m.body, m.len) != WR_OK)
			(*failed)++;
	return rc == WR_EAGAIN ? 0 : rc;
}

/* State of one warren run. */
struct wrun {
	wr_System *sys;
	int32_t emitter, handler;       /* handler 0: none (native or pipe) */
	int emitter_done, handler_done, emitter_ok;
	long failed;                    /* native answers that failed */
	double cpu0, cpu1;
	uint64_t fuel;                  /* instructions while the emitter lived */
	uint64_t drained;               /* event records taken */
};

/* Takes every record in the event ring (and forgets them). */
static void
drain(struct wrun *w)
{
	static wr_Record recs[DRAIN_BATCH];
	size_t n;

	do
		w->drained += n = wr_events_drain(w->sys, recs, DRAIN_BATCH);
	while (n == DRAIN_BATCH);
}

static int
spawn(struct wrun *w, const char *path, const char *const *argv, int32_t *pid)
{
	wr_Spawn sp = { .path = path, .argv = argv,
			.stdio = { WR_STDIO_NULL, WR_STDIO_HOST, WR_STDIO_HOST } };
	int rc = wr_spawn(w->sys, &sp, pid);

	if (rc != WR_OK)
		printf("  warren  spawn %s: %s: %s\n", path, wr_errmsg(rc),
		       wr_system_errmsg(w->sys));
	return rc;
}

/* Installs the programs and starts the row's processes and handlers. */
static int
setup(struct wrun *w, const struct row *row)
{
	const char *pipe_argv[] = { "procs", "/bin/tiny", "pipe", NULL };
	const char *serve_argv[] = { "rt", "serve", INTF, NULL };
	const char *n = getenv("BENCH_IPC_N");
	const char *emit_argv[] = { "rt", row->arg, INTF, n && atol(n) > 0 ? n : NULL, NULL };
	char path[4096];
	int rc;

	if (row->setup == WARREN_PIPE) {
		snprintf(path, sizeof path, "%s/procs.wasm", proc_dir);
		if ((rc = wr_install_file(w->sys, "/bin/procs", path)) != WR_OK)
			goto err;
		return spawn(w, "/bin/procs", pipe_argv, &w->emitter);
	}
	snprintf(path, sizeof path, "%s/rt.wasm", ipc_dir);
	if ((rc = wr_install_file(w->sys, "/bin/rt", path)) != WR_OK)
		goto err;
	if (row->setup == WARREN_INLINE || row->setup == WARREN_QUEUE) {
		rc = wr_interface_register(w->sys, INTF,
					   row->setup == WARREN_INLINE ? answer_now : NULL,
					   &w->failed);
		if (rc != WR_OK)
			goto err;
	}
	if (row->setup == WARREN_GUESTS && spawn(w, "/bin/rt", serve_argv, &w->handler) != WR_OK)
		return -1;
	return spawn(w, "/bin/rt", emit_argv, &w->emitter);
err:
	printf("  warren  %s: %s: %s\n", row->op, wr_errmsg(rc), wr_system_errmsg(w->sys));
	return -1;
}

static int
run_warren(const struct row *row, struct result *res, int verbose)
{
	char err[256];
	struct text out = { 0 };
	wr_Config cfg = { .seed = 1, .output = text_collect, .output_ctx = &out };
	struct wrun w = { 0 };
	wr_Event ev;
	double t0, calls = 0;
	int rc, killed = 0;

	memset(res, 0, sizeof *res);
	if ((rc = wr_system_new(&cfg, &w.sys, err, sizeof err)) != WR_OK) {
		printf("  warren  system: %s: %s\n", wr_errmsg(rc), err);
		return -1;
	}
	if (setup(&w, row) != 0)
		goto fail;
	t0 = seconds(CLOCK_MONOTONIC);
	w.cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	while (!w.emitter_done || (w.handler && !w.handler_done)) {
		if ((rc = wr_step(w.sys, row->drain ? DRAIN_FUEL : STEP_FUEL, &ev)) != WR_OK) {
			printf("  warren  wr_step: %s: %s\n", wr_errmsg(rc),
			       wr_system_errmsg(w.sys));
			goto fail;
		}
		if (!w.emitter_done)
			w.fuel += ev.fuel;
		if (row->drain)
			drain(&w);
		if (seconds(CLOCK_MONOTONIC) - t0 > WATCHDOG_S) {
			printf("  warren  %s: still running after %.0f s\n", row->op, WATCHDOG_S);
			goto fail;
		}
		switch (ev.what) {
		case WR_EV_BUDGET:
			break;
		case WR_EV_MESSAGE:
			if (row->setup != WARREN_QUEUE || (rc = answer_queue(w.sys, &w.failed)) != 0) {
				printf("  warren  %s: unexpected message (%s)\n", row->op,
				       wr_errmsg(rc));
				goto fail;
			}
			break;
		case WR_EV_EXITED:
			if (ev.pid == w.emitter) {
				w.cpu1 = seconds(CLOCK_PROCESS_CPUTIME_ID);
				w.emitter_done = 1;
				w.emitter_ok = ev.status == 0;
				if (!w.emitter_ok)
					printf("  warren  %s: emitter ended: exit %d %s %s\n",
					       row->op, ev.exit_code, ev.signame, ev.diag);
			} else if (ev.pid == w.handler) {
				w.handler_done = 1;
				if (ev.status != 0 && !killed)
					printf("  warren  %s: handler ended: exit %d %s %s\n",
					       row->op, ev.exit_code, ev.signame, ev.diag);
			}
			break;
		case WR_EV_DONE:
			if (!w.emitter_done) {
				printf("  warren  %s: no processes left\n", row->op);
				goto fail;
			}
			w.handler_done = 1;
			break;
		case WR_EV_IDLE:
			/* The handler should see the emitter end and leave. */
			if (w.emitter_done && w.handler && !killed) {
				printf("  warren  %s: the handler missed the emitter's end; "
				       "killed\n", row->op);
				wr_kill(w.sys, w.handler, SIGKILL);
				killed = 1;
				break;
			}
			printf("  warren  %s: nothing can run (wake in %llu ns)\n", row->op,
			       (unsigned long long)ev.wake_ns);
			goto fail;
		}
	}
	if (verbose || !w.emitter_ok)
		text_comments(&out, "warren");
	res->ok = w.emitter_ok && !out.nomem && w.failed == 0 &&
		  text_value(&out, row->key, &res->best_us) == 0 && res->best_us > 0;
	res->median_us = text_median(&out);
	if (res->ok && text_value(&out, "calls", &calls) == 0 && calls > 0) {
		res->cpu_us = (w.cpu1 - w.cpu0) * 1e6 / calls;
		res->instr = (double)w.fuel / calls;
		if (verbose)
			printf("  warren  %.0f round trips in %.3f s of CPU, %llu instructions; "
			       "event records: %llu drained, %llu lost\n", calls, w.cpu1 - w.cpu0,
			       (unsigned long long)w.fuel, (unsigned long long)w.drained,
			       (unsigned long long)wr_events_lost(w.sys));
	}
	if (w.failed)
		printf("  warren  %s: %ld native answers failed\n", row->op, w.failed);
	if (!res->ok)
		printf("  warren  %s failed\n", row->op);
	wr_system_free(w.sys);
	free(out.buf);
	return res->ok ? 0 : -1;
fail:
	text_comments(&out, "warren");
	wr_system_free(w.sys);
	free(out.buf);
	res->ok = 0;
	return -1;
}

/* ---- the table ---------------------------------------------------------- */

static void
us(char *buf, size_t len, double v)
{
	if (v > 0)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, "-");
}

static void
table(const struct result r[], const int wanted[])
{
	char best[32], med[32], cpu[32], instr[32], ratio[32];

	printf("\n%-32s %10s %10s %10s %9s %8s %8s  %s\n", "round trip (1 byte)", "us", "median",
	       "CPU us", "instr", "ratio", "target", "reached");
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *row = &rows[i];

		if (!wanted[i])
			continue;
		if (!r[i].ok) {
			printf("%-32s %10s\n", row->label, "failed");
			continue;
		}
		us(best, sizeof best, r[i].best_us);
		us(med, sizeof med, r[i].median_us);
		us(cpu, sizeof cpu, r[i].cpu_us);
		if (r[i].instr > 0)
			snprintf(instr, sizeof instr, "%.0f", r[i].instr);
		else
			snprintf(instr, sizeof instr, "-");
		if (r[BASELINE].ok)
			snprintf(ratio, sizeof ratio, "%.2fx", r[BASELINE].best_us / r[i].best_us);
		else
			snprintf(ratio, sizeof ratio, "-");
		printf("%-32s %10s %10s %10s %9s %8s %8s  %s\n", row->label, best, med, cpu, instr,
		       ratio, row->ipc ? "< 1 us" : "",
		       !row->ipc ? "" : r[i].best_us < TARGET_US ? "yes" : "no");
	}
	printf("us: fastest batch, per round trip; median: the median batch (timing.h).\n"
	       "CPU us, instr: this host's CPU time and the instructions warren ran over the\n"
	       "  emitter's life, per round trip (calibration included).\n"
	       "ratio: Linux pipe time / this row's time (above 1: faster than the Linux pipe).\n");
}

static void
load(const char *when)
{
	char buf[128];

	loadavg(buf, sizeof buf);
	printf("load average (%s): %s\n", when, buf);
}

int
main(int argc, char **argv)
{
	struct result best[NROWS], r;
	int wanted[NROWS], reps = REPS_DEFAULT, rc = 0;
	const char *env = getenv("BENCH_REPS");

	if (argc < 3) {
		fprintf(stderr, "usage: driver IPCDIR PROCDIR [ROW...]\n");
		return 2;
	}
	ipc_dir = argv[1];
	proc_dir = argv[2];
	if (env && atoi(env) > 0)
		reps = atoi(env) < REPS_MAX ? atoi(env) : REPS_MAX;
	for (size_t i = 0; i < NROWS; i++) {
		wanted[i] = argc == 3 || i == BASELINE;
		for (int j = 3; j < argc; j++)
			wanted[i] |= strcmp(argv[j], rows[i].op) == 0;
		memset(&best[i], 0, sizeof best[i]);
	}
	for (int j = 3; j < argc; j++) {
		size_t i = 0;

		while (i < NROWS && strcmp(argv[j], rows[i].op) != 0)
			i++;
		if (i == NROWS) {
			fprintf(stderr, "bench-ipc: no row %s\n", argv[j]);
			return 2;
		}
	}
	printf("bench-ipc: warren %s message round trips against Linux IPC; best of %d runs\n",
	       wr_version(), reps);
	load("start");
	fflush(stdout);
	for (int k = 0; k < reps; k++)
		for (size_t i = 0; i < NROWS; i++) {
			if (!wanted[i])
				continue;
			if (k == 0)
				printf("%s:\n", rows[i].label);
			fflush(stdout);
			if (rows[i].setup == LINUX_PIPE || rows[i].setup == LINUX_RT)
				run_linux(&rows[i], &r, k == 0);
			else
				run_warren(&rows[i], &r, k == 0);
			keep_best(&best[i], &r);
			fflush(stdout);
		}
	for (size_t i = 0; i < NROWS; i++)
		if (wanted[i] && !best[i].ok)
			rc = 1;
	load("end");
	table(best, wanted);
	return rc;
}
