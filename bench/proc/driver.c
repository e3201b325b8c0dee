/*
 * driver.c - `make bench-proc`: processes in warren against Linux
 * processes, the same operations in the same run, as one table.
 *
 *   driver DIR [OP...]
 *
 * DIR holds the two builds of procs.c and tiny.c (see proc.mk): `native`
 * and `tiny` (Linux, gcc -O2, tiny static), `procs.wasm` and `tiny.wasm`
 * (wasm32-wasi with the guest SDK). For each operation the driver runs
 * `native DIR/tiny OP` as a Linux process, then boots a fresh warren system
 * through the public API (include/warren.h, nothing else), installs the
 * two guests as /bin/procs and /bin/tiny, spawns `/bin/procs /bin/tiny OP`
 * and steps the system until it exits. Timings are taken inside each
 * program by the same code (timing.h); memory per idle process is measured
 * by the native program from /proc, and for warren here, as the growth of
 * this host process (resident pages plus page tables) while the guest
 * waits between its "idle_base" and "idle_ready" lines.
 *
 * BENCH_IDLE sets the number of idle processes (default 500). No timing
 * is a pass/fail criterion: the exit status is non-zero only when a
 * benchmark failed to run on either side.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "warren.h"
#include "../drv.h"

#define IDLE_DEFAULT 500
#define STEP_FUEL (1 << 24)     /* per wr_step, so the watchdog gets a look */
#define WATCHDOG_S 120.0        /* a warren run taking longer is stuck */
#define IDLE_MAX 30000
#define GIB (1024.0 * 1024.0 * 1024.0)
#define WASM_PAGE 65536.0

/* What the table compares; `key` is the result line both programs print. */
static const struct row {
	const char *op;
	const char *label;
	const char *key;
	int idle;               /* a count of processes per GiB, not a time */
	double target;          /* us (at most) or processes per GiB (more than) */
} rows[] = {
	{ "spawn", "spawn+exit+wait (tiny)", "spawn_us", 0, 10 },
	{ "fork", "fork+exit+wait (1 MiB)", "fork1m_us", 0, 20 },
	{ "pipe", "pipe round trip (1 byte)", "pipe_rt_us", 0, 1 },
	{ "idle-fork", "idle processes/GiB (fork)", "idle_bytes", 1, 30000 },
	{ "idle-spawn", "idle processes/GiB (spawn)", "idle_bytes", 1, 30000 },
};
#define NROWS (sizeof rows / sizeof rows[0])

/* A measurement: the value (us, or processes per GiB), or failed. */
struct result {
	int ok;
	double v;
};

static int
text_has_line(const struct text *t, const char *key)
{
	double v;

	return text_value(t, key, &v) == 0;
}

/*
 * What memory management costs on this host, since both sides pay it:
 * a Linux fork or spawn faults in and tears down pages, and a warren
 * process maps, touches and unmaps its linear memory. On virtual machines
 * whose page faults and TLB flushes trap to a hypervisor, these dominate
 * both columns, so the table is printed with them.
 */
static void
host_probe(void)
{
	const size_t len = 1u << 20;
	double t0, t1, t2, fault = 1e30, unmap = 1e30;

	for (int r = 0; r < 5; r++) {
		volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return;
		t0 = seconds(CLOCK_MONOTONIC);
		for (size_t i = 0; i < len; i += 4096)
			p[i] = 1;
		t1 = seconds(CLOCK_MONOTONIC);
		munmap((void *)p, len);
		t2 = seconds(CLOCK_MONOTONIC);
		if (t1 - t0 < fault)
			fault = t1 - t0;
		if (t2 - t1 < unmap)
			unmap = t2 - t1;
	}
	printf("host: first write to a fresh 4 KiB page %.2f us; munmap of 1 MiB %.1f us "
	       "(best of 5)\n", fault * 1e6 / (double)(len / 4096), unmap * 1e6);
}

/* ---- Linux -------------------------------------------------------------- */

static int
run_native(const char *dir, const struct row *row, long n, struct result *res)
{
	char prog[4096], tiny[4096], nbuf[32];
	char *argv[] = { prog, tiny, (char *)row->op, nbuf, NULL };
	struct text out = { 0 };
	int st, e;

	snprintf(prog, sizeof prog, "%s/native", dir);
	snprintf(tiny, sizeof tiny, "%s/tiny", dir);
	snprintf(nbuf, sizeof nbuf, "%ld", n);
	if ((e = run_collect(argv, &out, &st, "bench-proc")) != 0) {
		if (e > 0)
			fprintf(stderr, "bench-proc: %s: %s\n", prog, strerror(e));
		return -1;
	}
	text_comments(&out, "linux");
	res->ok = !out.nomem && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		  text_value(&out, row->key, &res->v) == 0 && res->v > 0;
	if (res->ok && row->idle)
		res->v = GIB / res->v;
	if (!res->ok)
		printf("  linux   %s failed (status 0x%x)\n", row->op, st);
	free(out.buf);
	return res->ok ? 0 : -1;
}

/* ---- warren ------------------------------------------------------------- */

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

/* What this host process holds: resident pages and its page tables. */
struct host_mem {
	long long rss, pte;
};

static int
host_mem(struct host_mem *m)
{
	m->rss = proc_field("/proc/self/smaps_rollup", "Rss");
	m->pte = proc_field("/proc/self/status", "VmPTE");
	return m->rss < 0 || m->pte < 0 ? -1 : 0;
}

/*
 * At the "idle_ready" pause: every child the guest listed is blocked;
 * the host's growth since "idle_base" is what the n idle processes cost.
 * Also reports warren's own accounting (linear memory pages).
 */
static int
idle_measure(wr_System *sys, const struct text *out, const struct host_mem *m0,
	     long n, struct result *res)
{
	struct host_mem m1;
	wr_ProcInfo info;
	unsigned long long pages = 0;
	long found = 0, asleep = 0;
	double per;

	if (host_mem(&m1) != 0) {
		printf("  warren  cannot read /proc/self\n");
		return -1;
	}
	for (const char *p = strstr(out->buf, "idle_pid "); p; p = strstr(p + 1, "\nidle_pid ")) {
		int32_t pid = (int32_t)strtol(strchr(p, ' ') + 1, NULL, 10);

		if (wr_proc_status(sys, pid, &info) != WR_OK)
			continue;
		found++;
		asleep += info.state == 'S';
		pages += info.pages;
	}
	if (found != n) {
		printf("  warren  %ld idle children listed, %ld expected\n", found, n);
		return -1;
	}
	per = (double)(m1.rss - m0->rss + m1.pte - m0->pte) / (double)n;
	printf("  warren  %ld processes (%ld asleep); per process: host RSS %.1f KiB, "
	       "page tables %.1f KiB; warren accounts %.1f pages (%.0f KiB of linear memory)\n",
	       n, asleep, (double)(m1.rss - m0->rss) / n / 1024,
	       (double)(m1.pte - m0->pte) / n / 1024, (double)pages / n,
	       (double)pages * WASM_PAGE / n / 1024);
	if (per <= 0) {
		printf("  warren  no memory growth measured\n");
		return -1;
	}
	res->v = GIB / per;
	return 0;
}

static int
run_warren(const char *dir, const struct row *row, long n, struct result *res)
{
	char path[4096], nbuf[32], err[256];
	const char *argv[] = { "procs", "/bin/tiny", row->op, nbuf, NULL };
	struct text out = { 0 };
	wr_Config cfg = { .seed = 1, .output = text_collect, .output_ctx = &out };
	wr_Spawn sp = { .path = "/bin/procs", .argv = argv,
			.stdio = { WR_STDIO_HOST, WR_STDIO_HOST, WR_STDIO_HOST } };
	wr_System *sys = NULL;
	wr_Event ev;
	struct host_mem m0 = { 0, 0 };
	int32_t pid;
	int phase = 0, done = 0, rc;
	double t0;

	snprintf(nbuf, sizeof nbuf, "%ld", n);
	res->ok = 0;
	cfg.max_procs = (uint32_t)n + 64;
	if ((rc = wr_system_new(&cfg, &sys, err, sizeof err)) != WR_OK) {
		printf("  warren  system: %s: %s\n", wr_errmsg(rc), err);
		return -1;
	}
	snprintf(path, sizeof path, "%s/procs.wasm", dir);
	if ((rc = wr_install_file(sys, "/bin/procs", path)) != WR_OK)
		goto syserr;
	snprintf(path, sizeof path, "%s/tiny.wasm", dir);
	if ((rc = wr_install_file(sys, "/bin/tiny", path)) != WR_OK)
		goto syserr;
	if ((rc = wr_spawn(sys, &sp, &pid)) != WR_OK)
		goto syserr;
	t0 = seconds(CLOCK_MONOTONIC);
	while (!done) {
		if ((rc = wr_step(sys, STEP_FUEL, &ev)) != WR_OK)
			goto syserr;
		switch (ev.what) {
		case WR_EV_BUDGET:
			if (seconds(CLOCK_MONOTONIC) - t0 > WATCHDOG_S) {
				printf("  warren  %s: still running after %.0f s\n", row->op,
				       WATCHDOG_S);
				goto fail;
			}
			break;
		case WR_EV_EXITED:
			if (ev.pid != pid)
				break;
			done = 1;
			res->ok = ev.status == 0;
			if (!res->ok)
				printf("  warren  procs %s ended: exit %d %s %s\n", row->op,
				       ev.exit_code, ev.signame, ev.diag);
			break;
		case WR_EV_DONE:
			done = 1;
			break;
		case WR_EV_IDLE:
			/* The idle guests pause twice for us to measure. */
			if (row->idle && phase == 0 && text_has_line(&out, "idle_base")) {
				if (host_mem(&m0) != 0)
					goto stuck;
				phase = 1;
			} else if (row->idle && phase == 1 && text_has_line(&out, "idle_ready")) {
				if (idle_measure(sys, &out, &m0, n, res) != 0)
					goto stuck;
				phase = 2;
			} else if (ev.wake_ns != UINT64_MAX) {
				struct timespec ts = { (time_t)(ev.wake_ns / 1000000000u),
						       (long)(ev.wake_ns % 1000000000u) };
				nanosleep(&ts, NULL);
				break;
			} else {
				goto stuck;
			}
			if (wr_stdin_write(sys, "g", 1) != 1)
				goto stuck;
			break;
		}
	}
	text_comments(&out, "warren");
	printf("  warren  (the whole run: %.2f s of wr_step)\n", seconds(CLOCK_MONOTONIC) - t0);
	if (res->ok && !row->idle)
		res->ok = text_value(&out, row->key, &res->v) == 0 && res->v > 0;
	else if (res->ok)
		res->ok = phase == 2;
	if (!res->ok)
		printf("  warren  %s failed\n", row->op);
	wr_system_free(sys);
	free(out.buf);
	return res->ok ? 0 : -1;
syserr:
	printf("  warren  %s: %s: %s\n", row->op, wr_errmsg(rc), wr_system_errmsg(sys));
	goto fail;
stuck:
	printf("  warren  %s: nothing can run and the guest is not where it should be\n",
	       row->op);
fail:
	text_comments(&out, "warren");
	wr_system_free(sys);
	free(out.buf);
	res->ok = 0;
	return -1;
}

/* ---- the table ---------------------------------------------------------- */

static void
cell(char *buf, size_t len, const struct row *row, const struct result *r)
{
	if (!r->ok)
		snprintf(buf, len, "failed");
	else if (row->idle)
		snprintf(buf, len, "%.0f", r->v);
	else
		snprintf(buf, len, "%.2f us", r->v);
}

static void
table(const struct result lx[], const struct result wr[], const int wanted[])
{
	char a[32], b[32], ratio[32], target[32];

	printf("\n%-28s %12s %12s %9s %10s  %s\n", "operation", "Linux", "warren",
	       "ratio", "target", "reached");
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *row = &rows[i];

		if (!wanted[i])
			continue;
		cell(a, sizeof a, row, &lx[i]);
		cell(b, sizeof b, row, &wr[i]);
		if (lx[i].ok && wr[i].ok)
			snprintf(ratio, sizeof ratio, "%.2fx",
				 row->idle ? wr[i].v / lx[i].v : lx[i].v / wr[i].v);
		else
			snprintf(ratio, sizeof ratio, "-");
		snprintf(target, sizeof target, row->idle ? "> %.0f" : "< %.0f us", row->target);
		printf("%-28s %12s %12s %9s %10s  %s\n", row->label, a, b, ratio, target,
		       !wr[i].ok ? "-" :
		       (row->idle ? wr[i].v > row->target : wr[i].v < row->target) ? "yes" : "no");
	}
	printf("ratio: how many times better warren is (Linux time / warren time; "
	       "warren processes / Linux processes)\n");
}

int
main(int argc, char **argv)
{
	struct result lx[NROWS], wr[NROWS];
	int wanted[NROWS], rc = 0;
	long n = IDLE_DEFAULT;
	const char *env = getenv("BENCH_IDLE");
	char load[128];

	if (argc < 2) {
		fprintf(stderr, "usage: driver DIR [spawn|fork|pipe|idle-fork|idle-spawn...]\n");
		return 2;
	}
	if (env && atol(env) > 0)
		n = atol(env) < IDLE_MAX ? atol(env) : IDLE_MAX;
	for (size_t i = 0; i < NROWS; i++) {
		wanted[i] = argc == 2;
		for (int j = 2; j < argc; j++)
			wanted[i] |= strcmp(argv[j], rows[i].op) == 0;
	}
	loadavg(load, sizeof load);
	printf("bench-proc: warren %s against Linux processes; %ld idle processes; "
	       "load average %s\n", wr_version(), n, load);
	host_probe();
	for (size_t i = 0; i < NROWS; i++) {
		lx[i].ok = wr[i].ok = 0;
		if (!wanted[i])
			continue;
		printf("%s:\n", rows[i].label);
		fflush(stdout);
		if (run_native(argv[1], &rows[i], n, &lx[i]) != 0)
			rc = 1;
		fflush(stdout);
		if (run_warren(argv[1], &rows[i], n, &wr[i]) != 0)
			rc = 1;
		fflush(stdout);
	}
	table(lx, wr, wanted);
	return rc;
}
