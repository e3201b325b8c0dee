/*
 * trace.c - `warren trace [-o FILE] [--syscalls] [--events N] [OPTIONS] PROG.wasm|sh ARGS`:
 * run like `warren run` (a host PROG.wasm) or `warren sh` (the word sh),
 * on a deterministic system (wr_Config.deterministic: virtual time, seeded
 * randomness), draining the system's event records after every wr_step,
 * and write the run as a Chrome trace (the Trace Event Format that
 * Perfetto and chrome://tracing open) to FILE (default trace.json).
 *
 * The file is {"traceEvents":[...],"displayTimeUnit":"ns","otherData":{}}
 * with, for each warren process (a trace "process" whose pid is warren's):
 *   - "M" metadata: process_name ("sh [4]", renamed at exec) and
 *     thread_name for its tracks: "state" (tid = pid) and, with
 *     --syscalls, "syscalls" (tid = SYSCALL_TID + pid);
 *   - "B"/"E" slices on the state track: "running" (runnable: from spawn
 *     or wake to block or exit) and "blocked in CALL" (block to wake);
 *   - "X" complete events on the syscalls track, one per call, with its
 *     arguments and result;
 *   - "i" instant events: spawn, exec, signal, exit, reap, message emitted,
 *     message answered; and a global one where records were lost;
 *   - "s"/"f" flow events (id: the message id) from a message's emitter
 *     to the process that answered it.
 * ts is in microseconds of the system clock (wr_Record.time_ns), which on
 * a deterministic system is the fuel clock (one nanosecond per
 * instruction) plus the idle time skipped to the next timer, so a run's
 * trace is the same every time.  Host events (pid 0) are process "host".
 *
 * At the end it prints what it wrote and the records lost (wr_events_lost:
 * the ring was full) on stderr.  --events N sets the ring's capacity
 * (default 16384 records, 65536 with --syscalls); the ring is drained
 * after every step of the run loop (STEP instructions at most).  The exit status is the program's, as for
 * run and sh.
 */
#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYSCALL_TID 1000000000
#define DRAIN 256
#define STEP 100000             /* instructions per wr_step: the ring is drained after each */

/* What the trace knows of one warren process. */
struct ptrack {
	int32_t pid;
	bool used;
	bool seen;              /* named in the trace */
	int slice;              /* the open state slice: 0 none, 1 running, 2 blocked */
	double sys_end;         /* where the last syscall slice ended */
	bool blocked_in_call;   /* BLOCK seen since the last SYSCALL record */
	double block_ts;        /* ... its time and fuel clock */
	uint64_t block_clock;
	bool sys_named;         /* the syscalls track has its thread_name */
};

struct trace {
	const char *path;
	FILE *out;
	int syscalls;
	uint32_t events;        /* ring capacity; 0: the default */
	bool comma;             /* an event was written: the next needs a comma */
	bool failed;            /* a write failed */
	uint64_t records, nsys, gaps, next_seq, lost;
	double last_ts;
	struct ptrack *map;     /* open addressing by pid; cap a power of two */
	size_t cap, n;
	wr_Record buf[DRAIN];
};

/* ---- JSON output ---------------------------------------------------------- */

/* A JSON string: quotes, backslash and control bytes escaped; bytes over
 * 0x7f as \u00XX, so any name gives valid JSON. */
static void
jstr(FILE *f, const char *s, size_t max)
{
	putc('"', f);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

/* Start an event object: the fields every event has. */
static void
begin(struct trace *t, const char *ph, int32_t pid, int64_t tid, double ts)
{
	fprintf(t->out, "%s\n{\"ph\":\"%s\",\"pid\":%" PRId32 ",\"tid\":%" PRId64 ",\"ts\":%.3f",
		t->comma ? "," : "", ph, pid, tid, ts);
	t->comma = true;
}

/* Metadata: process_name or thread_name. */
static void
meta(struct trace *t, const char *what, int32_t pid, int64_t tid, const char *name)
{
	begin(t, "M", pid, tid, 0);
	fprintf(t->out, ",\"name\":\"%s\",\"args\":{\"name\":", what);
	jstr(t->out, name, 64);
	fputs("}}", t->out);
}

static void
slice(struct trace *t, const char *ph, int32_t pid, double ts, const char *name, const char *cat)
{
	begin(t, ph, pid, pid, ts);
	if (name) {
		fputs(",\"name\":", t->out);
		jstr(t->out, name, 64);
		fprintf(t->out, ",\"cat\":\"%s\"", cat);
	}
	fputs("}", t->out);
}

/* An instant event on pid's state track, with one string argument. */
static void
instant(struct trace *t, int32_t pid, double ts, const char *name, const wr_Record *r)
{
	char line[256];

	begin(t, "i", pid, pid, ts);
	fputs(",\"s\":\"t\",\"name\":", t->out);
	jstr(t->out, name, 80);
	wr_record_format(r, line, sizeof line);
	fprintf(t->out, ",\"cat\":\"event\",\"args\":{\"clock\":%" PRIu64 ",\"record\":", r->clock);
	jstr(t->out, line, sizeof line);
	fputs("}}", t->out);
}

/* A flow arrow's start ("s", at the emitter) or end ("f", at the answerer). */
static void
flow(struct trace *t, const char *ph, const wr_Record *r, double ts)
{
	begin(t, ph, r->pid, r->pid, ts);
	fprintf(t->out, ",\"name\":\"message\",\"cat\":\"message\",\"id\":%" PRId64 "%s}", r->a,
		ph[0] == 'f' ? ",\"bp\":\"e\"" : "");
}

/* ---- processes -------------------------------------------------------------- */

static struct ptrack *
find(struct trace *t, int32_t pid)
{
	size_t i;

	if (t->n * 2 >= t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct ptrack *nm = calloc(ncap, sizeof *nm);

		if (!nm)
			return NULL;
		for (size_t k = 0; k < t->cap; k++) {
			if (!t->map[k].used)
				continue;
			for (i = (uint32_t)t->map[k].pid & (ncap - 1); nm[i].used; i = (i + 1) & (ncap - 1))
				;
			nm[i] = t->map[k];
		}
		free(t->map);
		t->map = nm;
		t->cap = ncap;
	}
	for (i = (uint32_t)pid & (t->cap - 1); t->map[i].used; i = (i + 1) & (t->cap - 1))
		if (t->map[i].pid == pid)
			return &t->map[i];
	t->map[i].used = true;
	t->map[i].pid = pid;
	t->n++;
	return &t->map[i];
}

/* Name process pid (and, the first time, its state track). */
static void
name_proc(struct trace *t, struct ptrack *p, const char *name, bool first)
{
	char label[80];

	if (p->pid == 0)
		snprintf(label, sizeof label, "host");
	else
		snprintf(label, sizeof label, "%.40s [%" PRId32 "]", name[0] ? name : "?", p->pid);
	meta(t, "process_name", p->pid, p->pid, label);
	if (first)
		meta(t, "thread_name", p->pid, p->pid, "state");
}

/* A global instant: records were lost. On the host's process (pid 0). */
static void
mark_lost(struct trace *t, uint64_t n)
{
	struct ptrack *h = find(t, 0);

	if (h && !h->seen) {
		name_proc(t, h, "", true);
		h->seen = true;
	}
	begin(t, "i", 0, 0, t->last_ts);
	fprintf(t->out, ",\"s\":\"g\",\"name\":\"%" PRIu64 " records lost\",\"cat\":\"lost\"}", n);
}

/* Close pid's open state slice at ts; open `next` (1 running, 2 blocked). */
static void
set_state(struct trace *t, struct ptrack *p, double ts, int next, const char *call)
{
	char name[64];

	if (p->slice)
		slice(t, "E", p->pid, ts, NULL, NULL);
	p->slice = next;
	if (next == 1) {
		slice(t, "B", p->pid, ts, "running", "state");
	} else if (next == 2) {
		snprintf(name, sizeof name, "blocked in %.40s", call[0] ? call : "?");
		slice(t, "B", p->pid, ts, name, "blocked");
	}
}

/* One system call: an "X" slice on the process's syscalls track. It began
 * at fuel clock r->b; on a deterministic system time runs one ns per
 * instruction, except while the caller was blocked (time may jump), so
 * the start is measured back from the block when there was one. */
static void
syscall_slice(struct trace *t, struct ptrack *p, const wr_Record *r, double ts)
{
	uint64_t b = (uint64_t)r->b;
	double start;

	if (p->blocked_in_call && p->block_clock >= b)
		start = p->block_ts - (double)(p->block_clock - b) / 1000.0;
	else
		start = ts - (double)(r->clock >= b ? r->clock - b : 0) / 1000.0;
	if (start < p->sys_end)
		start = p->sys_end;
	if (start > ts)
		start = ts;
	if (!p->sys_named) {
		meta(t, "thread_name", p->pid, (int64_t)SYSCALL_TID + p->pid, "syscalls");
		p->sys_named = true;
	}
	begin(t, "X", p->pid, (int64_t)SYSCALL_TID + p->pid, start);
	fprintf(t->out, ",\"dur\":%.3f,\"name\":", ts - start);
	jstr(t->out, r->name, sizeof r->name);
	fprintf(t->out, ",\"cat\":\"syscall\",\"args\":{\"result\":%" PRId64 ",\"args\":[", r->a);
	for (int i = 0; i < r->nargs && i < 6; i++)
		fprintf(t->out, "%s%" PRIu64, i ? "," : "", r->args[i]);
	fputs("]}}", t->out);
	p->sys_end = ts;
	p->blocked_in_call = false;
}

static void
record(struct trace *t, const wr_Record *r)
{
	double ts = (double)r->time_ns / 1000.0;
	struct ptrack *p;
	char what[96];
	const char *sig;
	bool named = r->type == WR_R_SPAWN || r->type == WR_R_EXEC;

	if (r->seq != t->next_seq) {
		mark_lost(t, r->seq > t->next_seq ? r->seq - t->next_seq : 0);
		t->gaps += r->seq > t->next_seq ? r->seq - t->next_seq : 0;
	}
	t->next_seq = r->seq + 1;
	t->records++;
	if (ts < t->last_ts)
		ts = t->last_ts;    /* never backwards in the file */
	t->last_ts = ts;
	if (!(p = find(t, r->pid))) {
		t->failed = true;
		return;
	}
	if (!p->seen || named)
		name_proc(t, p, named ? r->name : "", !p->seen);
	p->seen = true;
	switch (r->type) {
	case WR_R_SPAWN:
		snprintf(what, sizeof what, "spawn by %" PRId64, r->a);
		instant(t, r->pid, ts, what, r);
		set_state(t, p, ts, 1, "");
		break;
	case WR_R_EXEC:
		snprintf(what, sizeof what, "exec %.40s", r->name);
		instant(t, r->pid, ts, what, r);
		break;
	case WR_R_EXIT: {
		int st = (int)r->a;

		if ((st & 0x7f) == 0)
			snprintf(what, sizeof what, "exit %d", (st >> 8) & 0xff);
		else
			snprintf(what, sizeof what, "killed by %s",
				 (sig = wr_signal_name(st & 0x7f)) ? sig : "a signal");
		set_state(t, p, ts, 0, "");
		instant(t, r->pid, ts, what, r);
		break;
	}
	case WR_R_SIGNAL:
		sig = wr_signal_name((int)r->a);
		snprintf(what, sizeof what, "%s from %" PRId64, sig ? sig : "signal", r->b);
		instant(t, r->pid, ts, what, r);
		break;
	case WR_R_BLOCK:
		set_state(t, p, ts, 2, r->name);
		p->blocked_in_call = true;
		p->block_ts = ts;
		p->block_clock = r->clock;
		break;
	case WR_R_WAKE:
		set_state(t, p, ts, 1, "");
		break;
	case WR_R_REAP:
		snprintf(what, sizeof what, "reaped by %" PRId64, r->a);
		instant(t, r->pid, ts, what, r);
		break;
	case WR_R_SYSCALL:
		t->nsys++;
		syscall_slice(t, p, r, ts);
		break;
	case WR_R_MESSAGE:
		snprintf(what, sizeof what, "message %" PRId64 " to %.40s", r->a, r->name);
		instant(t, r->pid, ts, what, r);
		flow(t, "s", r, ts);
		break;
	case WR_R_ANSWER:
		snprintf(what, sizeof what, "answer to %" PRId64 " (error %" PRId64 ")", r->a, r->b);
		instant(t, r->pid, ts, what, r);
		if (r->pid)
			flow(t, "f", r, ts);    /* the host (0) has no track to end on */
		break;
	default:
		snprintf(what, sizeof what, "record type %d", r->type);
		instant(t, r->pid, ts, what, r);
		break;
	}
}

/* ---- hooks ------------------------------------------------------------------------ */

static void
on_config(wr_Config *cfg, void *ctx)
{
	struct trace *t = ctx;

	cfg->deterministic = 1;
	cfg->max_events = t->events ? t->events : t->syscalls ? 1u << 16 : 1u << 14;
}

static int
on_booted(wr_System *sys, void *ctx)
{
	struct trace *t = ctx;
	int st;

	if (t->syscalls && (st = wr_trace_syscalls(sys, 1)) != WR_OK) {
		fprintf(stderr, "warren trace: cannot trace system calls: %s\n", wr_errmsg(st));
		return -1;
	}
	return 0;
}

static void
on_stepped(wr_System *sys, const wr_Event *ev, void *ctx)
{
	struct trace *t = ctx;
	size_t n;

	(void)ev;
	while ((n = wr_events_drain(sys, t->buf, DRAIN)) > 0)
		for (size_t i = 0; i < n; i++)
			record(t, &t->buf[i]);
	t->lost = wr_events_lost(sys);
}

/* Close the slices still open and the JSON document. */
static int
finish(struct trace *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->map[i].used && t->map[i].slice)
			set_state(t, &t->map[i], t->last_ts, 0, "");
	/* Losses after the last record drained leave no gap in seq: mark them. */
	if (t->lost > t->gaps)
		mark_lost(t, t->lost - t->gaps);
	fprintf(t->out, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"records\":%" PRIu64
		",\"syscalls\":%" PRIu64 ",\"lost\":%" PRIu64 "}}\n", t->records, t->nsys, t->lost);
	if (ferror(t->out) || t->failed) {
		fclose(t->out);
		return -1;
	}
	return fclose(t->out) == 0 ? 0 : -1;
}

static int
usage(void)
{
	fprintf(stderr,
		"usage: warren trace [-o FILE] [--syscalls] [--events N] [OPTIONS] PROG.wasm [ARG...]\n"
		"       warren trace [-o FILE] [--syscalls] [--events N] [OPTIONS] sh [-c CMD | SCRIPT]"
		" [ARG...]\n"
		"  runs like warren run / warren sh on a deterministic system and writes a\n"
		"  Chrome trace (Perfetto, chrome://tracing) of its processes to FILE\n"
		"  (default trace.json); --syscalls adds every system call; --events N\n"
		"  sizes the event ring (records beyond it are lost, and counted).\n"
		"  OPTIONS are those of run and sh.\n");
	return 2;
}

int
cmd_trace(int argc, char **argv)
{
	struct trace *t;
	struct run_hooks h = { on_config, on_booted, on_stepped, NULL, STEP };
	const char *path = "trace.json";
	char **args = NULL;
	int i = 0, j, st, syscalls = 0;
	unsigned long events = 0;
	char *end;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--syscalls")) {
			syscalls = 1;
		} else if (!strcmp(argv[i], "--events")) {
			if (++i == argc || argv[i][0] < '1' || argv[i][0] > '9' ||
			    (events = strtoul(argv[i], &end, 10)) == 0 || *end || events > 1ul << 24)
				return usage();
		} else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i == argc)
				return usage();
			path = argv[i];
		} else {
			break;
		}
	}
	/* The run options take a value each; then the program, or sh. */
	for (j = i; j < argc && argv[j][0] == '-' && argv[j][1] == '-' && strcmp(argv[j], "--");
	     j += 2)
		;
	if (j < argc && !strcmp(argv[j], "--"))
		j++;
	if (j >= argc)
		return usage();
	if (!(t = calloc(1, sizeof *t)))
		return 1;
	t->path = path;
	t->syscalls = syscalls;
	t->events = (uint32_t)events;
	if (!(t->out = fopen(path, "w"))) {
		fprintf(stderr, "warren trace: %s: %s\n", path, strerror(errno));
		free(t);
		return 1;
	}
	fputs("{\"traceEvents\":[", t->out);
	h.ctx = t;
	if (!strcmp(argv[j], "sh")) {
		/* warren sh's arguments: the options, "--", what follows "sh". */
		if (!(args = calloc((size_t)argc + 1, sizeof *args))) {
			fclose(t->out);
			free(t);
			return 1;
		}
		int n = 0;

		for (int k = i; k < j; k++)
			if (strcmp(argv[k], "--"))
				args[n++] = argv[k];
		args[n++] = "--";
		for (int k = j + 1; k < argc; k++)
			args[n++] = argv[k];
		st = run_sh(n, args, "trace", &h);
	} else {
		st = run_prog(argc - i, argv + i, "trace", &h);
	}
	if (finish(t) < 0) {
		fprintf(stderr, "warren trace: %s: write error\n", path);
		if (!st)
			st = 1;
	} else {
		fprintf(stderr, "warren trace: %s: %" PRIu64 " records (%" PRIu64 " system calls), %"
			PRIu64 " lost\n", path, t->records, t->nsys, t->lost);
	}
	free(t->map);
	free(t);
	free(args);
	return st;
}
