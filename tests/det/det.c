/*
 * det.c - the determinism test (make test-det): a multi-process workload
 * run twice in a deterministic system with the same seed must produce the
 * same event log (every lifecycle record and every system call, as text
 * via wr_record_format, plus each wr_step outcome and the final metrics)
 * and the same output, byte for byte; another seed gives other pids.
 *
 *   det BINDIR [-v] [-o LOGFILE]
 *
 * BINDIR holds the guest programs (build/guest/bin/NAME.wasm), installed
 * as /bin/NAME. The workload is a shell script: pipelines (fork, exec,
 * pipes, wait), a background job, sleeps (timers skipped by the virtual
 * clock), random bytes from /dev/urandom, file times (ls -l: the virtual
 * realtime clock), messages to an interface (kvd and msg: message ids)
 * and ps (the process table: pids, fuel). The seed-42 run is also repeated
 * in a fresh host process (`det BINDIR --hash 42`). Uses only
 * include/warren.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "warren.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char script[] =
	"echo start\n"
	"seq 1 30 | sort -r | head -n 5 | wc -l\n"
	"for i in 1 2 3; do echo line $i; done | cat | tail -n 2\n"
	"(sleep 0.2; echo late) &\n"
	"echo early\n"
	"wait\n"
	"head -n 2 /dev/urandom > /tmp/r\n"
	"wc -c < /tmp/r\n"
	"cat /tmp/r\n"
	"echo\n"
	"sleep 1\n"
	"touch /tmp/t\n"
	"ls -l /tmp\n"
	"echo x | grep -c x\n"
	"sh -c 'exit 3'; echo status $?\n"
	"kvd -c 3 &\n"
	"msg -w kv set a 1\n"
	"msg -t kv get a\n"
	"msg -t kv keys\n"
	"wait\n"
	"ps\n"
	"echo done\n";

/* A growing byte buffer. */
struct buf {
	char *s;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap : 4096;

		while (c < b->len + n + 1)
			c *= 2;
		b->s = realloc(b->s, c);
		if (!b->s) {
			fprintf(stderr, "det: out of memory\n");
			exit(2);
		}
		b->cap = c;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void
buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

struct run {
	struct buf log, out;
	uint64_t records, lost;
	int32_t pids[256];
	int npids;
	int exit_code;
	int steps;
};

static void
output(void *ctx, int stream, const void *p, size_t n)
{
	struct run *r = ctx;
	char tag[16];

	/* Each write with its stream: interleaving is part of the result. */
	snprintf(tag, sizeof tag, "[%d:%zu]", stream, n);
	buf_add(&r->out, tag, strlen(tag));
	buf_add(&r->out, p, n);
}

static void
drain(wr_System *sys, struct run *r)
{
	wr_Record rec[64];
	size_t n;
	char line[512];

	while ((n = wr_events_drain(sys, rec, 64)) > 0) {
		for (size_t i = 0; i < n; i++) {
			size_t l = wr_record_format(&rec[i], line, sizeof line);

			if (l >= sizeof line)
				l = sizeof line - 1;
			buf_add(&r->log, line, l);
			buf_add(&r->log, "\n", 1);
			r->records++;
			if (rec[i].type == WR_R_SPAWN && r->npids < 256)
				r->pids[r->npids++] = rec[i].pid;
		}
	}
}

static int
install_bin(wr_System *sys, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char host[4096], guest[300];

		if (l < 6 || strcmp(e->d_name + l - 5, ".wasm"))
			continue;
		snprintf(host, sizeof host, "%s/%s", dir, e->d_name);
		snprintf(guest, sizeof guest, "/bin/%.*s", (int)(l - 5), e->d_name);
		if (wr_install_file(sys, guest, host) != WR_OK) {
			fprintf(stderr, "det: install %s: %s\n", host, wr_system_errmsg(sys));
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	return n;
}

/* One deterministic run of the workload; 0 or -1 (setup failed). */
static int
run_once(const char *bindir, uint64_t seed, struct run *r)
{
	static const char *const argv[] = { "sh", "-c", script, NULL };
	wr_Config cfg = {
		.seed = seed, .deterministic = 1, .output = output, .output_ctx = r,
		.max_events = 4096,
	};
	wr_Spawn sp = {
		.path = "/bin/sh", .argv = argv, .cwd = "/",
		.stdio = { WR_STDIO_NULL, WR_STDIO_HOST, WR_STDIO_HOST },
	};
	static char metrics[16384];
	wr_System *sys = NULL;
	wr_Event ev;
	int32_t pid;
	char err[256];

	memset(r, 0, sizeof *r);
	r->exit_code = -1;
	if (wr_system_new(&cfg, &sys, err, sizeof err) != WR_OK) {
		fprintf(stderr, "det: wr_system_new: %s\n", err);
		return -1;
	}
	if (install_bin(sys, bindir) <= 0 || wr_trace_syscalls(sys, 1) != WR_OK ||
	    wr_spawn(sys, &sp, &pid) != WR_OK) {
		fprintf(stderr, "det: setup: %s\n", wr_system_errmsg(sys));
		wr_system_free(sys);
		return -1;
	}
	buf_printf(&r->log, "spawn %d\n", (int)pid);
	for (r->steps = 0; r->steps < 100000; r->steps++) {
		if (wr_step(sys, 50000, &ev) != WR_OK)
			break;
		drain(sys, r);
		buf_printf(&r->log, "step %d what=%d pid=%d status=%d fuel=%llu\n", r->steps,
			   ev.what, (int)ev.pid, (int)ev.status, (unsigned long long)ev.fuel);
		if (ev.what == WR_EV_EXITED && ev.pid == pid)
			r->exit_code = ev.exit_code;
		if (ev.what == WR_EV_DONE || ev.what == WR_EV_IDLE)
			break;
	}
	drain(sys, r);
	r->lost = wr_events_lost(sys);
	if (wr_metrics(sys, metrics, sizeof metrics, NULL) == WR_OK)
		buf_add(&r->log, metrics, strlen(metrics));
	wr_system_free(sys);
	return 0;
}

/* FNV-1a, 64 bits. */
static uint64_t
hash(const struct buf *b)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < b->len; i++) {
		h ^= (unsigned char)b->s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Whether b holds s (b may hold NUL bytes: random data). */
static int
contains(const struct buf *b, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; n <= b->len && i <= b->len - n; i++)
		if (!memcmp(b->s + i, s, n))
			return 1;
	return 0;
}

static int passed, failed;

static void
check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

static int
same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || !memcmp(a->s, b->s, a->len));
}

/* Where two buffers first differ, for the failure message. */
static void
show_diff(const char *what, const struct buf *a, const struct buf *b)
{
	size_t i = 0, line = 1;

	while (i < a->len && i < b->len && a->s[i] == b->s[i]) {
		if (a->s[i] == '\n')
			line++;
		i++;
	}
	fprintf(stderr, "det: %s differ at byte %zu (line %zu): %.60s | %.60s\n", what, i, line,
		i < a->len ? a->s + i : "", i < b->len ? b->s + i : "");
}

/* Run `self BINDIR --hash 42` (a new host process: other addresses, no
 * state left by earlier systems) and read its two hashes. */
static int
fresh_hashes(const char *self, const char *bindir, unsigned long long h[2])
{
	char cmd[8192];
	FILE *p;
	int ok;

	if (strchr(self, '\'') || strchr(bindir, '\''))
		return 0;
	snprintf(cmd, sizeof cmd, "'%s' '%s' --hash 42", self, bindir);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	ok = fscanf(p, "%llx %llx", &h[0], &h[1]) == 2;
	return pclose(p) == 0 && ok;
}

int
main(int argc, char **argv)
{
	struct run a, b, c;
	unsigned long long fresh[2] = { 0, 0 };
	const char *logfile = NULL;
	int verbose = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: det BINDIR [-v] [-o LOGFILE] | det BINDIR --hash SEED\n");
		return 2;
	}
	if (argc == 4 && !strcmp(argv[2], "--hash")) {
		/* One run, its hashes on stdout: the parent's fresh-process check. */
		if (run_once(argv[1], strtoull(argv[3], NULL, 10), &a))
			return 1;
		printf("%016llx %016llx\n", (unsigned long long)hash(&a.log),
		       (unsigned long long)hash(&a.out));
		free(a.log.s);
		free(a.out.s);
		return 0;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			logfile = argv[++i];
	}
	if (run_once(argv[1], 42, &a) || run_once(argv[1], 42, &b) ||
	    run_once(argv[1], 43, &c)) {
		printf("det: 0 passed, 1 failed\n");
		return 1;
	}
	if (verbose)
		fwrite(a.out.s, 1, a.out.len, stdout);
	if (logfile) {
		FILE *f = fopen(logfile, "w");

		if (f) {
			fwrite(a.log.s, 1, a.log.len, f);
			fclose(f);
		}
	}
	check(a.exit_code == 0, "the workload ran to its end (exit 0)");
	check(contains(&a.out, "done\n") && contains(&a.out, "late\n") &&
	      contains(&a.out, "status 3\n") && contains(&a.out, "[1:2]1\n[1:2]a\n"),
	      "its output is complete");
	check(a.lost == 0 && b.lost == 0, "no event lost");
	check(a.npids >= 10 && contains(&a.log, " SYSCALL ") && contains(&a.log, " BLOCK ") &&
	      contains(&a.log, " WAKE") && contains(&a.log, " REAP ") && contains(&a.log, " EXEC ") &&
	      contains(&a.log, " MESSAGE kv id=") && contains(&a.log, " ANSWER id="),
	      "the log holds spawns, execs, syscalls, blocks, wakes, reaps and messages");
	check(contains(&a.out, " Jan  1 00:00 t\n"),
	      "file times are on the virtual clock (2000-01-01 00:00)");
	check(same(&a.log, &b.log), "same seed: the event logs are identical");
	if (!same(&a.log, &b.log))
		show_diff("logs", &a.log, &b.log);
	check(same(&a.out, &b.out), "same seed: the outputs are identical");
	if (!same(&a.out, &b.out))
		show_diff("outputs", &a.out, &b.out);
	check(fresh_hashes(argv[0], argv[1], fresh) && fresh[0] == hash(&a.log) &&
	      fresh[1] == hash(&a.out), "same seed in a fresh host process: the same log and output");
	check(c.exit_code == 0 && (a.npids != c.npids ||
				   memcmp(a.pids, c.pids, sizeof a.pids[0] * (size_t)a.npids)),
	      "another seed: other pids");
	check(!same(&a.out, &c.out), "another seed: other random bytes in the output");
	check(!contains(&a.out, "[2:"), "nothing on stderr");
	printf("det: %llu records (%d processes), log %zu bytes, fnv1a64 %016llx; "
	       "output %zu bytes, fnv1a64 %016llx; %d steps\n",
	       (unsigned long long)a.records, a.npids, a.log.len,
	       (unsigned long long)hash(&a.log), a.out.len, (unsigned long long)hash(&a.out),
	       a.steps);
	printf("det: seed 43: pids");
	for (int i = 0; i < c.npids && i < 8; i++)
		printf(" %d", (int)c.pids[i]);
	printf(" ... vs seed 42:");
	for (int i = 0; i < a.npids && i < 8; i++)
		printf(" %d", (int)a.pids[i]);
	printf(" ...\n");
	printf("det: %d passed, %d failed\n", passed, failed);
	free(a.log.s);
	free(a.out.s);
	free(b.log.s);
	free(b.out.s);
	free(c.log.s);
	free(c.out.s);
	return failed ? 1 : 0;
}
