/*
 * metrics.c - wr_metrics: the system's counters and gauges in the
 * Prometheus text exposition format (version 0.0.4): for each metric a
 * "# HELP" and a "# TYPE" line, then its samples, "name{labels} value".
 *
 * Counters come from the event records (events.c: processes started and
 * ended by reason), the kernel (fuel, memory) and the IPC layer
 * (ipc_stats); gauges are read from the process table when asked.
 */
#include "warren.h"
#include "kern/ipc.h"
#include "kern/kern.h"
#include "sys/sys_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct out {
	char *buf;
	size_t cap, len;
};

static void
emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->cap ? o->buf + o->len : NULL,
		      o->len < o->cap ? o->cap - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void
head(struct out *o, const char *name, const char *type, const char *help)
{
	emit(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample(struct out *o, const char *name, const char *labels, uint64_t v)
{
	emit(o, "%s%s %llu\n", name, labels, (unsigned long long)v);
}

/* Process states as the gauge's label values (ps letters' long names). */
static const char *const state_names[] = {
	[P_EMBRYO] = "new", [P_RUNNABLE] = "runnable", [P_RUNNING] = "running",
	[P_BLOCKED] = "sleeping", [P_STOPPED] = "stopped", [P_ZOMBIE] = "zombie",
};
#define NSTATES (sizeof state_names / sizeof state_names[0])

static const char *const end_names[END_NREASONS] = {
	[END_EXIT] = "exit", [END_SIGNAL] = "signal", [END_TRAP] = "trap",
	[END_LIMIT] = "killed_limit",
};

static void
metrics(struct wr_System *sys, struct out *o)
{
	struct kern *k = sys->k;
	struct ipc_stats st = { 0 };
	uint64_t states[NSTATES] = { 0 };
	char lab[48];

	for (const struct proc *p = k->all_head; p; p = p->all_next)
		if ((unsigned)p->state < NSTATES)
			states[p->state]++;
	if (k->ipc)
		ipc_stats(k, &st);

	head(o, "warren_processes_started_total", "counter", "Processes created (spawn, fork).");
	sample(o, "warren_processes_started_total", "", sys->ev.started);

	head(o, "warren_processes", "gauge", "Processes in the table, by state.");
	for (size_t i = 0; i < NSTATES; i++) {
		snprintf(lab, sizeof lab, "{state=\"%s\"}", state_names[i]);
		sample(o, "warren_processes", lab, states[i]);
	}

	head(o, "warren_processes_ended_total", "counter",
	     "Processes ended: exit (exit status), signal, trap, killed_limit (over a fuel limit).");
	for (int i = 0; i < END_NREASONS; i++) {
		snprintf(lab, sizeof lab, "{reason=\"%s\"}", end_names[i]);
		sample(o, "warren_processes_ended_total", lab, sys->ev.ended[i]);
	}

	head(o, "warren_fuel_total", "counter", "Instructions run by all processes.");
	sample(o, "warren_fuel_total", "", sys_fuel_clock(k));

	head(o, "warren_memory_pages", "gauge", "Linear memory of all processes, in 64 KiB pages.");
	sample(o, "warren_memory_pages", "", k->pages_total);

	head(o, "warren_messages_emitted_total", "counter", "Interface messages emitted.");
	sample(o, "warren_messages_emitted_total", "", st.emitted);

	head(o, "warren_messages_total", "counter",
	     "Interface messages settled: answered (by the handler, ok or with an error code), "
	     "failed (by the kernel: the handler went away), cancelled (by the emitter).");
	sample(o, "warren_messages_total", "{result=\"answered\"}", st.answered);
	sample(o, "warren_messages_total", "{result=\"failed\"}", st.failed);
	sample(o, "warren_messages_total", "{result=\"cancelled\"}", st.cancelled);

	head(o, "warren_messages_queued", "gauge", "Interface messages waiting now.");
	sample(o, "warren_messages_queued", "", st.queued);

	head(o, "warren_interfaces", "gauge", "Interfaces with a handler now.");
	sample(o, "warren_interfaces", "", st.interfaces);

	head(o, "warren_events_lost_total", "counter", "Event records dropped on a full ring.");
	sample(o, "warren_events_lost_total", "", sys->ev.lost);
}

int
wr_metrics(wr_System *sys, char *buf, size_t cap, size_t *len)
{
	const struct al_alloc *prev;
	struct out o = { buf, cap, 0 };

	if (!sys || (!buf && cap))
		return WR_EARG;
	prev = sys_enter(sys);
	if (cap)
		buf[0] = 0;
	metrics(sys, &o);
	sys_leave(prev);
	if (len)
		*len = o.len;
	if (o.len < cap)
		return WR_OK;
	if (cap)
		buf[cap - 1] = 0;
	snprintf(sys->errmsg, sizeof sys->errmsg, "the metrics need %zu bytes", o.len + 1);
	return WR_ENOMEM;
}
