/*
 * events.c - the system's event ring, the syscall trace switch, the
 * counters behind wr_metrics, and deterministic time.
 *
 * The kernel reports lifecycle records through k->on_event (kern/event.h);
 * here each becomes a wr_Record stamped with a sequence number, the fuel
 * clock (instructions run by the whole system, counted inside the running
 * slice too) and the system clock, and goes into a bounded ring the host
 * drains. The ring grows on demand up to wr_Config.max_events records; a
 * record that finds it full (or cannot get the memory to grow it) is
 * dropped and counted: its seq is still used, so the host sees a gap.
 *
 * Determinism (wr_Config.deterministic): the system clock is virtual,
 * one nanosecond per instruction of the fuel clock plus the idle time
 * skipped: when nothing can run but a timer is pending, events_step moves
 * the clock straight to it and carries on, so wr_step never reports IDLE
 * while a timer waits. The realtime clock (file times, WASI's realtime
 * clock) is the fixed epoch 2000-01-01T00:00:00Z plus the virtual clock;
 * it is put in force by sys_enter for the duration of every entry point
 * (fs_clock_push). Random sources (devfs random/urandom, random_get) are
 * already seeded from wr_Config.seed in every mode.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "warren.h"
#include "base/alloc.h"
#include "fs/fs.h"
#include "kern/event.h"
#include "kern/kern.h"
#include "sys/sys_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The kernel's numbering is the public one. */
_Static_assert((int)KEV_SPAWN == (int)WR_R_SPAWN, "KEV_SPAWN");
_Static_assert((int)KEV_EXEC == (int)WR_R_EXEC, "KEV_EXEC");
_Static_assert((int)KEV_EXIT == (int)WR_R_EXIT, "KEV_EXIT");
_Static_assert((int)KEV_SIGNAL == (int)WR_R_SIGNAL, "KEV_SIGNAL");
_Static_assert((int)KEV_BLOCK == (int)WR_R_BLOCK, "KEV_BLOCK");
_Static_assert((int)KEV_WAKE == (int)WR_R_WAKE, "KEV_WAKE");
_Static_assert((int)KEV_REAP == (int)WR_R_REAP, "KEV_REAP");
_Static_assert((int)KEV_SYSCALL == (int)WR_R_SYSCALL, "KEV_SYSCALL");
_Static_assert((int)KEV_MESSAGE == (int)WR_R_MESSAGE, "KEV_MESSAGE");
_Static_assert((int)KEV_ANSWER == (int)WR_R_ANSWER, "KEV_ANSWER");

#define DEFAULT_MAX_EVENTS 4096
#define FIRST_CAP 64
/* 2000-01-01T00:00:00Z in ns since the Unix epoch. */
#define DET_EPOCH_NS (UINT64_C(946684800) * 1000000000u)
/* Idle jumps in a row, with nothing run, before wr_step returns anyway. */
#define IDLE_JUMPS 64
/* Where the virtual clocks stop (short of UINT64_MAX, "no timer"). */
#define CLOCK_END (UINT64_MAX - 1)

/* ---- clocks ------------------------------------------------------------------- */

uint64_t
sys_fuel_clock(const struct kern *k)
{
	const struct proc *p = k->current;
	uint64_t c = k->fuel_total;

	/* Inside a slice: what the running image has been charged so far
	 * (after an exec in this call, the old image is the one running). */
	if (p) {
		const struct vm_instance *inst = p->old_inst ? p->old_inst : p->inst;

		if (inst)
			c += (uint64_t)vm_fuel_used(inst);
	}
	return c;
}

/* The virtual monotonic clock of a deterministic system. */
static uint64_t
det_clock(void *ctx)
{
	struct wr_System *sys = ctx;
	uint64_t fuel = sys->k ? sys_fuel_clock(sys->k) : 0;

	/* A guest can sleep toward the end of time: saturate, never wrap. */
	return fuel > CLOCK_END - DET_EPOCH_NS - sys->det_skip ? CLOCK_END - DET_EPOCH_NS
	       : sys->det_skip + fuel;
}

uint64_t
sys_det_realtime(void *ctx)
{
	return DET_EPOCH_NS + det_clock(ctx);
}

/* ---- the ring ------------------------------------------------------------------- */

/* Room for one more record: grow toward max, or false (full, or no memory). */
static bool
ring_room(struct wr_System *sys)
{
	struct sys_events *e = &sys->ev;
	uint32_t ncap;
	wr_Record *r;

	if (e->count < e->cap)
		return true;
	if (e->cap >= e->max)
		return false;
	ncap = e->cap ? e->cap * 2 : FIRST_CAP;
	if (ncap > e->max || ncap < e->cap)
		ncap = e->max;
	r = al_malloc((size_t)ncap * sizeof *r);
	if (!r)
		return false;
	/* Oldest first from index 0. */
	for (uint32_t i = 0; i < e->count; i++)
		r[i] = e->ring[(e->head + i) % e->cap];
	al_free(e->ring);
	e->ring = r;
	e->cap = ncap;
	e->head = 0;
	return true;
}

/* The ended-by reason of an exit, for the metrics. */
static enum sys_end
end_reason(struct kern *k, int32_t pid, int64_t wstatus)
{
	const struct proc *p = proc_find(k, pid);

	if ((wstatus & 0x7f) == 0)
		return END_EXIT;
	if (p && p->fuel_warned)
		return END_LIMIT;
	if (p && !strncmp(p->diag, "trap", 4))
		return END_TRAP;
	return END_SIGNAL;
}

static void
count(struct wr_System *sys, const struct kev *ev)
{
	switch (ev->type) {
	case KEV_SPAWN:
		sys->ev.started++;
		break;
	case KEV_EXIT:
		sys->ev.ended[end_reason(sys->k, ev->pid, ev->a)]++;
		break;
	default:
		break;
	}
}

static void
on_event(void *ctx, const struct kev *ev)
{
	struct wr_System *sys = ctx;
	struct sys_events *e = &sys->ev;
	wr_Record *r;
	uint64_t seq = e->seq++;

	count(sys, ev);
	if (!ring_room(sys)) {
		e->lost++;
		return;
	}
	r = &e->ring[(e->head + e->count) % e->cap];
	e->count++;
	memset(r, 0, sizeof *r);
	r->seq = seq;
	r->clock = sys_fuel_clock(sys->k);
	r->time_ns = kern_now(sys->k);
	r->type = (int)ev->type;
	r->pid = ev->pid;
	r->a = ev->a;
	r->b = ev->b;
	if (ev->args && ev->nargs > 0) {
		r->nargs = ev->nargs < 6 ? ev->nargs : 6;
		memcpy(r->args, ev->args, (size_t)r->nargs * sizeof r->args[0]);
	}
	if (ev->name) {
		/* Bounded copy (the record is zeroed): snprintf cost most of a
		 * record in the IPC benchmark's profile. */
		size_t n = strnlen(ev->name, sizeof r->name - 1);

		memcpy(r->name, ev->name, n);
	}
}

void
events_attach(struct wr_System *sys, const wr_Config *cfg)
{
	struct sys_events *e = &sys->ev;

	e->max = cfg->max_events ? cfg->max_events : DEFAULT_MAX_EVENTS;
	sys->det = cfg->deterministic != 0;
	if (sys->det) {
		/* Nothing has read the clock yet (no process exists). */
		sys->k->cfg.clock = det_clock;
		sys->k->cfg.clock_ctx = sys;
	}
	sys->k->on_event = on_event;
	sys->k->event_ctx = sys;
}

void
events_free(struct wr_System *sys)
{
	if (sys->k)
		sys->k->on_event = NULL;
	al_free(sys->ev.ring);
	sys->ev.ring = NULL;
	sys->ev.cap = sys->ev.count = sys->ev.head = 0;
}

int
events_step(struct wr_System *sys, int64_t budget, struct kern_event *ke)
{
	uint64_t ran = 0;
	int e, idle = 0;

	for (;;) {
		int64_t left = budget < 0 ? -1 : budget - (int64_t)ran;
		uint64_t now;

		if ((e = kern_step(sys->k, left < 0 && budget >= 0 ? 0 : left, ke)))
			return e;
		ran += ke->fuel;
		idle = ke->fuel ? 0 : idle + 1;
		if (!sys->det || ke->what != KERN_IDLE || ke->wake_at == UINT64_MAX)
			break;
		if (idle > IDLE_JUMPS) {
			/* Timers that wake nobody (an interval alarm, ignored):
			 * time passes, but the host gets control back. */
			ke->what = KERN_BUDGET;
			ke->wake_at = 0;
			break;
		}
		/* Deterministic: skip the idle time to the next timer. */
		now = kern_now(sys->k);
		if (ke->wake_at > now) {
			uint64_t gap = ke->wake_at - now;

			sys->det_skip = gap > CLOCK_END - DET_EPOCH_NS - sys->det_skip
					? CLOCK_END - DET_EPOCH_NS : sys->det_skip + gap;
			if (kern_now(sys->k) < ke->wake_at)
				break;   /* past the end of time: IDLE for good */
		}
		if (budget >= 0 && ran >= (uint64_t)budget) {
			/* Nothing left to spend: the timer fires on the next step. */
			ke->what = KERN_BUDGET;
			ke->wake_at = 0;
			break;
		}
	}
	ke->fuel = ran;
	return 0;
}

/* ---- the public calls ---------------------------------------------------------- */

size_t
wr_events_drain(wr_System *sys, wr_Record *out, size_t n)
{
	struct sys_events *e;
	size_t got = 0;

	if (!sys || !out)
		return 0;
	e = &sys->ev;
	while (got < n && e->count) {
		out[got++] = e->ring[e->head];
		e->head = (e->head + 1) % e->cap;
		e->count--;
	}
	return got;
}

uint64_t
wr_events_lost(const wr_System *sys)
{
	return sys ? sys->ev.lost : 0;
}

int
wr_trace_syscalls(wr_System *sys, int on)
{
	if (!sys)
		return WR_EARG;
	sys->k->trace_syscalls = on != 0;
	return WR_OK;
}

/* ---- the text form --------------------------------------------------------------- */

static const char *const type_names[] = {
	[WR_R_SPAWN] = "SPAWN", [WR_R_EXEC] = "EXEC", [WR_R_EXIT] = "EXIT",
	[WR_R_SIGNAL] = "SIGNAL", [WR_R_BLOCK] = "BLOCK", [WR_R_WAKE] = "WAKE",
	[WR_R_REAP] = "REAP", [WR_R_SYSCALL] = "SYSCALL", [WR_R_MESSAGE] = "MESSAGE",
	[WR_R_ANSWER] = "ANSWER",
};

/* An snprintf that appends to buf[*o..cap) and counts what it needed. */
static void
put(char *buf, size_t cap, size_t *o, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
put(char *buf, size_t cap, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*o < cap ? buf + *o : NULL, *o < cap ? cap - *o : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o += (size_t)n;
}

/* The record's name as one printable word ("-" when empty). */
static void
word(char *dst, const char *name)
{
	size_t i = 0;

	for (; i < sizeof ((wr_Record *)0)->name - 1 && name[i]; i++) {
		unsigned char c = (unsigned char)name[i];

		dst[i] = c > 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (!i)
		dst[i++] = '-';
	dst[i] = 0;
}

size_t
wr_record_format(const wr_Record *r, char *buf, size_t cap)
{
	char name[sizeof r->name];
	size_t o = 0;

	if (!r || (!buf && cap)) {
		if (buf && cap)
			buf[0] = 0;
		return 0;
	}
	if (cap)
		buf[0] = 0;
	word(name, r->name);
	put(buf, cap, &o, "%llu %llu %d ", (unsigned long long)r->seq,
	    (unsigned long long)r->clock, (int)r->pid);
	if (r->type < 0 || (size_t)r->type >= sizeof type_names / sizeof type_names[0]) {
		put(buf, cap, &o, "TYPE%d %lld %lld %s", r->type, (long long)r->a, (long long)r->b,
		    name);
		return o;
	}
	put(buf, cap, &o, "%s", type_names[r->type]);
	switch (r->type) {
	case WR_R_SPAWN:
		put(buf, cap, &o, " parent=%lld %s", (long long)r->a, name);
		break;
	case WR_R_EXEC:
		put(buf, cap, &o, " %s", name);
		break;
	case WR_R_EXIT:
		put(buf, cap, &o, " status=0x%llx", (unsigned long long)(uint32_t)r->a);
		if ((r->a & 0x7f) == 0) {
			put(buf, cap, &o, " exit=%d", (int)((r->a >> 8) & 0xff));
		} else {
			const char *s = wr_signal_name((int)(r->a & 0x7f));

			if (s)
				put(buf, cap, &o, " signal=%s", s);
			else
				put(buf, cap, &o, " signal=%d", (int)(r->a & 0x7f));
		}
		break;
	case WR_R_SIGNAL:
		put(buf, cap, &o, " sig=%lld %s from=%lld", (long long)r->a, name, (long long)r->b);
		break;
	case WR_R_BLOCK:
		put(buf, cap, &o, " %s", name);
		break;
	case WR_R_WAKE:
		if (r->a)
			put(buf, cap, &o, " timeout");
		break;
	case WR_R_REAP:
		put(buf, cap, &o, " by=%lld", (long long)r->a);
		break;
	case WR_R_SYSCALL:
		put(buf, cap, &o, " %s(", name);
		for (int i = 0; i < r->nargs && i < 6; i++) {
			if (r->args[i] < 65536)
				put(buf, cap, &o, "%s%llu", i ? ", " : "",
				    (unsigned long long)r->args[i]);
			else
				put(buf, cap, &o, "%s0x%llx", i ? ", " : "",
				    (unsigned long long)r->args[i]);
		}
		put(buf, cap, &o, ") = %lld began=%lld", (long long)r->a, (long long)r->b);
		break;
	case WR_R_MESSAGE:
		put(buf, cap, &o, " %s id=%lld", name, (long long)r->a);
		break;
	case WR_R_ANSWER:
		put(buf, cap, &o, " id=%lld error=%lld %s", (long long)r->a, (long long)r->b, name);
		break;
	}
	return o;
}
