/*
 * tracecheck FILE - check a `warren trace` file: strict JSON (the spec
 * runner's RFC 8259 parser, tests/spec/json.c), shaped as the Trace Event
 * Format that Perfetto reads, and consistent:
 *   - the top level is an object with a "traceEvents" array;
 *   - every event is an object with "ph" (one of M B E X i s f), numeric
 *     "pid", "tid" and "ts"; B, X, i, s and f have a "name"; X has a
 *     "dur" >= 0; s and f (flows) a numeric "id", each f after its s;
 *     M is a process_name or thread_name with args.name;
 *   - on each (pid, tid) track, B and E nest (E never without its B) and
 *     ts never goes back between them; at the end every B is closed;
 *   - every pid with events has a process_name.
 * Prints one summary line ("events N processes N slices N syscalls N
 * instants N") and, per process, "pid N name NAME" (its last name); exits
 * 0 when the file passes, 1 with the reason otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json.h"

#define MAX_TRACKS 65536

struct track {
	double pid, tid;
	int depth;
	double last;
};

static struct track tracks[MAX_TRACKS];
static size_t ntracks;

static struct {
	double pid;
	const char *name;
	int events;
} procs[MAX_TRACKS];
static size_t nprocs;
static double flows[MAX_TRACKS];
static size_t nflows;

static int
fail(const char *what, size_t i)
{
	printf("tracecheck: event %zu: %s\n", i, what);
	return 1;
}

static const struct json *
num(const struct json *e, const char *key, double *out)
{
	const struct json *v = json_get(e, key);

	if (!v || v->type != JSON_NUMBER)
		return NULL;
	*out = strtod(v->str, NULL);
	return v;
}

static struct track *
track(double pid, double tid)
{
	for (size_t i = 0; i < ntracks; i++)
		if (tracks[i].pid == pid && tracks[i].tid == tid)
			return &tracks[i];
	if (ntracks == MAX_TRACKS)
		return NULL;
	tracks[ntracks] = (struct track){ pid, tid, 0, -1 };
	return &tracks[ntracks++];
}

static size_t
proc(double pid)
{
	for (size_t i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			return i;
	if (nprocs == MAX_TRACKS)
		return 0;
	procs[nprocs].pid = pid;
	return nprocs++;
}

int
main(int argc, char **argv)
{
	char err[256], *text = NULL;
	size_t len = 0, cap = 0, n, slices = 0, sys = 0, inst = 0;
	struct json *doc;
	const struct json *evs;
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: tracecheck FILE (readable)\n");
		return 2;
	}
	for (;;) {
		if (len == cap) {
			char *nt = realloc(text, cap = cap ? cap * 2 : 1 << 16);

			if (!nt)
				return 2;
			text = nt;
		}
		if (!(n = fread(text + len, 1, cap - len, f)))
			break;
		len += n;
	}
	fclose(f);
	if (!(doc = json_parse(text, len, err, sizeof err))) {
		printf("tracecheck: not JSON: %s\n", err);
		return 1;
	}
	evs = json_get(doc, "traceEvents");
	if (!evs || evs->type != JSON_ARRAY)
		return fail("no traceEvents array", 0);
	for (size_t i = 0; i < evs->len; i++) {
		const struct json *e = &evs->items[i], *args;
		const char *ph = json_get_str(e, "ph"), *name = json_get_str(e, "name");
		double pid, tid, ts, dur;
		struct track *t;
		size_t p;

		if (e->type != JSON_OBJECT || !ph || strlen(ph) != 1 || !strchr("MBEXisf", ph[0]))
			return fail("not an event with a known ph", i);
		if (!num(e, "pid", &pid) || !num(e, "tid", &tid) || !num(e, "ts", &ts) || ts < 0)
			return fail("pid, tid or ts missing or not a number", i);
		if (strchr("BXisf", ph[0]) && !name)
			return fail("no name", i);
		p = proc(pid);
		procs[p].events++;
		if (!(t = track(pid, tid)))
			return fail("too many tracks", i);
		switch (ph[0]) {
		case 'M':
			args = json_get(e, "args");
			if (!name || (strcmp(name, "process_name") && strcmp(name, "thread_name")) ||
			    !json_get_str(args, "name"))
				return fail("bad metadata", i);
			if (!strcmp(name, "process_name"))
				procs[p].name = json_get_str(args, "name");
			break;
		case 'B':
			if (ts < t->last)
				return fail("B goes back in time on its track", i);
			t->depth++;
			t->last = ts;
			slices++;
			break;
		case 'E':
			if (t->depth == 0)
				return fail("E without B", i);
			if (ts < t->last)
				return fail("E before its B", i);
			t->depth--;
			t->last = ts;
			break;
		case 'X':
			if (!num(e, "dur", &dur) || dur < 0)
				return fail("X without a dur >= 0", i);
			sys++;
			break;
		case 'i':
			inst++;
			break;
		case 's':
		case 'f':
			if (!num(e, "id", &dur))
				return fail("a flow without an id", i);
			if (ph[0] == 's') {
				if (nflows < MAX_TRACKS)
					flows[nflows++] = dur;
				break;
			}
			for (p = 0; p < nflows && flows[p] != dur; p++)
				;
			if (p == nflows)
				return fail("a flow ends that never began", i);
			break;
		}
	}
	for (size_t i = 0; i < ntracks; i++)
		if (tracks[i].depth)
			return fail("a B never closed", evs->len);
	for (size_t i = 0; i < nprocs; i++)
		if (!procs[i].name)
			return fail("a process without a process_name", evs->len);
	printf("events %zu processes %zu slices %zu syscalls %zu instants %zu\n", evs->len, nprocs,
	       slices, sys, inst);
	for (size_t i = 0; i < nprocs; i++)
		printf("pid %.0f name %s\n", procs[i].pid, procs[i].name);
	json_free(doc);
	free(text);
	return 0;
}
