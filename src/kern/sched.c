/*
 * sched.c - the kernel object, the scheduler, sleep/wakeup and timers.
 *
 * Scheduling is a multilevel feedback queue measured in fuel (wasm
 * instructions), so a schedule is a function of the seed and the inputs,
 * never of host timing:
 *
 *  - KERN_NLEVELS levels, 0 highest. A process runs for at most the
 *    quantum of its level, scaled by nice:
 *        quantum = base[level] * weight(nice) / 1024
 *    base = 10k, 40k, 160k, 640k instructions; weight(n) = 1024 * 1.25^-n
 *    (the table below), so each nice step is 25% more or less CPU, nice
 *    -20 gets 87x the quantum of nice 0 and nice 19 about 1/68.
 *  - The quantum is an allotment: it is spent across runs at one level.
 *    A process that spends it all drops a level (CPU-bound work sinks);
 *    one that blocks with more than half of it left rises a level
 *    (interactive work floats), otherwise it keeps its level.
 *  - Every BOOST_PERIOD instructions run by the whole system every process
 *    returns to level 0, so nothing starves.
 *  - Preemption is by fuel: vm_run(inst, quantum) returns VM_YIELD when the
 *    quantum is spent, at the next loop header or call, even in a loop
 *    that makes no system calls.
 *
 * Sleep/wakeup is xv6's, with the ERESTART twist: a host call that cannot
 * proceed calls kern_sleep, returns VM_BLOCK, and is re-executed from
 * scratch once the process is woken. Sleepers hang in a hash of wait
 * channels so that a wakeup costs a bucket walk, not a table scan.
 */
#define _POSIX_C_SOURCE 200809L
#include "kern/kern.h"
#include "base/alloc.h"
#include "kern/kern_impl.h"
#include "kern/ipc.h"
#include "kern/event.h"
#include "fs/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BOOST_PERIOD 10000000u
#define QUANTUM_MIN 1000
#define QUANTUM_MAX 64000000

static const int64_t base_quantum[KERN_NLEVELS] = { 10000, 40000, 160000, 640000 };

/* 1024 * 1.25^-nice for nice -20..19. */
static const int32_t nice_weight[40] = {
	88818, 71054, 56843, 45475, 36380, 29104, 23283, 18626, 14901, 11921,
	9537, 7629, 6104, 4883, 3906, 3125, 2500, 2000, 1600, 1280,
	1024, 819, 655, 524, 419, 336, 268, 215, 172, 137,
	110, 88, 70, 56, 45, 36, 29, 23, 18, 15,
};

/* ---- the kernel object ------------------------------------------------------ */

static uint64_t
host_clock(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
kern_new(const struct kern_config *cfg, struct kern **out)
{
	struct kern *k;

	*out = NULL;
	k = al_calloc(1, sizeof *k);
	if (!k)
		return E_NOMEM;
	if (cfg)
		k->cfg = *cfg;
	if (!k->cfg.max_procs)
		k->cfg.max_procs = 4096;
	if (!k->cfg.max_pages || k->cfg.max_pages > 65536)
		k->cfg.max_pages = 16384;
	if (!k->cfg.max_fds)
		k->cfg.max_fds = 1024;
	if (!k->cfg.max_total_pages)
		k->cfg.max_total_pages = 65536;
	if (!k->cfg.clock)
		k->cfg.clock = host_clock;
	k->nhash = 256;
	k->hash = al_calloc(k->nhash, sizeof *k->hash);
	if (!k->hash || ipc_init(k)) {
		al_free(k->hash);
		al_free(k);
		return E_NOMEM;
	}
	/* xorshift64* must not start at 0, and each seed needs a state of its
	 * own: the mix is made odd by complementing it (`| 1` would give seeds
	 * 2n and 2n+1 the same pids). */
	k->rng = k->cfg.seed ^ 0x9e3779b97f4a7c15ull;
	if (!(k->rng & 1))
		k->rng = ~k->rng;
	k->next_boost = BOOST_PERIOD;
	*out = k;
	return 0;
}

void
kern_free(struct kern *k)
{
	if (!k)
		return;
	/* Nothing may be woken or signalled while the table is torn down. */
	memset(k->wq, 0, sizeof k->wq);
	k->timers = NULL;
	k->rep_head = k->rep_tail = NULL;
	while (k->all_head)
		proc_destroy(k->all_head);
	proc_free_dead(k);
	ipc_free(k);
	kmod_cache_free(k);
	if (k->root_ns)
		ns_unref(k->root_ns);
	al_free(k->hash);
	al_free(k);
}

uint64_t
kern_now(struct kern *k)
{
	return k->cfg.clock(k->cfg.clock_ctx);
}

/* ---- run queues --------------------------------------------------------------- */

int64_t
sched_quantum(const struct proc *p)
{
	int64_t q = base_quantum[p->level] * nice_weight[p->nice + 20] / 1024;

	return q < QUANTUM_MIN ? QUANTUM_MIN : q > QUANTUM_MAX ? QUANTUM_MAX : q;
}

static void
rq_insert(struct kern *k, struct proc *p, bool head)
{
	int l = p->level;

	p->rq_prev = p->rq_next = NULL;
	if (head) {
		p->rq_next = k->rq_head[l];
		if (k->rq_head[l])
			k->rq_head[l]->rq_prev = p;
		else
			k->rq_tail[l] = p;
		k->rq_head[l] = p;
	} else {
		p->rq_prev = k->rq_tail[l];
		if (k->rq_tail[l])
			k->rq_tail[l]->rq_next = p;
		else
			k->rq_head[l] = p;
		k->rq_tail[l] = p;
	}
	k->nrunnable++;
}

static void
rq_remove(struct kern *k, struct proc *p)
{
	int l = p->level;

	if (p->rq_prev)
		p->rq_prev->rq_next = p->rq_next;
	else
		k->rq_head[l] = p->rq_next;
	if (p->rq_next)
		p->rq_next->rq_prev = p->rq_prev;
	else
		k->rq_tail[l] = p->rq_prev;
	p->rq_next = p->rq_prev = NULL;
	k->nrunnable--;
}

void
sched_runnable(struct proc *p, bool head)
{
	struct kern *k = p->k;

	if (p->state == P_RUNNABLE && p != k->current)
		return; /* already queued */
	p->state = P_RUNNABLE;
	if (p != k->current)
		rq_insert(k, p, head);
}

void
sched_remove(struct proc *p)
{
	struct kern *k = p->k;

	if (p->state == P_RUNNABLE && p != k->current)
		rq_remove(k, p);
	sleep_cancel(p);
	p->wake_at = 0;
	timer_update(p);
}

static struct proc *
rq_pick(struct kern *k)
{
	for (int l = 0; l < KERN_NLEVELS; l++) {
		struct proc *p = k->rq_head[l];

		if (p) {
			rq_remove(k, p);
			return p;
		}
	}
	return NULL;
}

/* Every process back to level 0, keeping the queues' order. */
static void
boost(struct kern *k)
{
	for (struct proc *p = k->all_head; p; p = p->all_next) {
		if (p->state == P_RUNNABLE && p != k->current)
			rq_remove(k, p);
		p->level = 0;
		p->qleft = sched_quantum(p);
	}
	for (struct proc *p = k->all_head; p; p = p->all_next)
		if (p->state == P_RUNNABLE && p != k->current)
			rq_insert(k, p, false);
}

/* ---- sleep and wakeup --------------------------------------------------------- */

static unsigned
chan_bucket(const void *chan)
{
	uint64_t h = (uint64_t)(uintptr_t)chan * 0x9e3779b97f4a7c15ull;

	return (unsigned)(h >> 56) % KERN_WQ_BUCKETS;
}

static void
wq_link(struct kern *k, struct kwait *w)
{
	struct kwait **b = &k->wq[chan_bucket(w->chan)];

	w->prev = NULL;
	w->next = *b;
	if (*b)
		(*b)->prev = w;
	*b = w;
}

static void
wq_unlink(struct kern *k, struct kwait *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		k->wq[chan_bucket(w->chan)] = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->next = w->prev = NULL;
}

/* The channel of sleepers that wait on more channels than a sleep holds. */
#define ANY_CHAN(k) ((void *)&(k)->nany)

void
sleep_cancel(struct proc *p)
{
	struct kern *k = p->k;

	for (unsigned i = 0; i < p->nwaits; i++)
		wq_unlink(k, &p->waits[i]);
	p->nwaits = 0;
	if (p->wait_any) {
		p->wait_any = false;
		k->nany--;
	}
}

/* Wake p from its sleep; timed_out says why. */
void
sched_wake(struct proc *p, bool timed_out)
{
	if (p->state != P_BLOCKED)
		return;
	/* A sleep that ends inside the call that began it (a deadline
	 * already past) was never seen as a block: no record. */
	if (p != p->k->current)
		kern_event(p->k, KEV_WAKE, p->pid, timed_out, 0, NULL);
	sleep_cancel(p);
	p->timed_out = timed_out;
	if (p->wake_at) {
		p->wake_at = 0;
		timer_update(p);
	}
	sched_runnable(p, false);
}

int
kern_sleep_many(struct proc *p, void *const *chans, size_t n, uint64_t deadline)
{
	struct kern *k = p->k;
	int e = sig_interrupts(p);

	if (e == E_INTR)
		return E_INTR;
	p->timed_out = false;
	if (e) {
		/* A signal the kernel acts on (stop, terminate) is pending: do not
		 * sleep; the scheduler acts, and the call is re-executed later. */
		return E_BLOCK;
	}
	sleep_cancel(p);
	if (n > KERN_NWAIT) {
		struct kwait *w = &p->waits[0];

		w->chan = ANY_CHAN(k);
		w->p = p;
		wq_link(k, w);
		p->nwaits = 1;
		p->wait_any = true;
		k->nany++;
	} else {
		for (size_t i = 0; i < n; i++) {
			struct kwait *w = &p->waits[p->nwaits];

			if (!chans[i])
				continue;
			w->chan = chans[i];
			w->p = p;
			wq_link(k, w);
			p->nwaits++;
		}
	}
	p->wake_at = deadline;
	timer_update(p);
	p->state = P_BLOCKED;
	if (deadline && deadline <= kern_now(k))
		sched_wake(p, true);
	return E_BLOCK;
}

int
kern_sleep_until(struct proc *p, void *chan, uint64_t deadline)
{
	return kern_sleep_many(p, &chan, chan ? 1 : 0, deadline);
}

int
kern_sleep(struct proc *p, void *chan)
{
	return kern_sleep_many(p, &chan, 1, 0);
}

/* Wake the first sleeper on chan in its bucket; false when none is left. */
static bool
wake_one(struct kern *k, void *chan)
{
	for (struct kwait *w = k->wq[chan_bucket(chan)]; w; w = w->next) {
		if (w->chan == chan) {
			sched_wake(w->p, false);
			return true;
		}
	}
	return false;
}

void
kern_wakeup(struct kern *k, void *chan)
{
	/* Waking a process unlinks all of its waits, possibly the bucket
	 * neighbours of the one found, so each round restarts the walk. */
	while (wake_one(k, chan))
		;
	if (k->nany && chan != ANY_CHAN(k))
		while (wake_one(k, ANY_CHAN(k)))
			;
}

uint64_t
kern_deadline(struct proc *p, uint64_t rel)
{
	uint64_t now;

	if (p->restarting && p->has_deadline)
		return p->deadline;
	now = kern_now(p->k);
	p->deadline = rel > UINT64_MAX - now ? UINT64_MAX : now + rel;
	p->has_deadline = true;
	return p->deadline;
}

enum vm_status
kern_ret(struct proc *p)
{
	p->restarting = false;
	p->has_deadline = false;
	return p->old_inst || sig_deliverable(p) ? VM_STOP : VM_OK;
}

/* ---- timers ------------------------------------------------------------------- */

void
timer_update(struct proc *p)
{
	struct kern *k = p->k;
	bool want = p->wake_at || p->alarm_at;

	if (want == p->on_timers)
		return;
	if (want) {
		p->tm_prev = NULL;
		p->tm_next = k->timers;
		if (k->timers)
			k->timers->tm_prev = p;
		k->timers = p;
	} else {
		if (p->tm_prev)
			p->tm_prev->tm_next = p->tm_next;
		else
			k->timers = p->tm_next;
		if (p->tm_next)
			p->tm_next->tm_prev = p->tm_prev;
		p->tm_next = p->tm_prev = NULL;
	}
	p->on_timers = want;
}

/* Fire what is due at `now`; returns the next deadline (UINT64_MAX: none). */
static uint64_t
timers_run(struct kern *k, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	struct proc *p, *nx;

	for (p = k->timers; p; p = nx) {
		nx = p->tm_next;
		if (p->alarm_at && p->alarm_at <= now) {
			if (p->alarm_interval) {
				uint64_t late = now - p->alarm_at;

				p->alarm_at += (late / p->alarm_interval + 1) * p->alarm_interval;
			} else {
				p->alarm_at = 0;
			}
			sig_send_proc(p, KSIGALRM);
		}
		if (p->wake_at && p->wake_at <= now) {
			if (p->state == P_BLOCKED)
				sched_wake(p, true);
			p->wake_at = 0;
		}
		if (p->wake_at && p->wake_at < next)
			next = p->wake_at;
		if (p->alarm_at && p->alarm_at < next)
			next = p->alarm_at;
		timer_update(p);
	}
	return next;
}

/* ---- running one slice ------------------------------------------------------- */

/* Trap messages to the signal a native process would have died of. */
static const struct {
	const char *msg;
	int sig;
} trap_sigs[] = {
	{ "out of bounds memory access", KSIGSEGV },
	{ "out of bounds table access", KSIGSEGV },
	{ "call stack exhausted", KSIGSEGV },
	{ "undefined element", KSIGSEGV },
	{ "uninitialized element", KSIGSEGV },
	{ "indirect call type mismatch", KSIGSEGV },
	{ "out of memory", KSIGSEGV },
	{ "integer divide by zero", KSIGFPE },
	{ "integer overflow", KSIGFPE },
	{ "invalid conversion to integer", KSIGFPE },
	{ "unaligned atomic", KSIGBUS },
	/* wasi-libc's abort() is __builtin_trap(): `unreachable`. */
	{ "unreachable", KSIGABRT },
};

static int
trap_signal(const char *msg)
{
	for (size_t i = 0; i < sizeof trap_sigs / sizeof trap_sigs[0]; i++)
		if (!strncmp(msg, trap_sigs[i].msg, strlen(trap_sigs[i].msg)))
			return trap_sigs[i].sig;
	return KSIGILL;
}

/* "trap in NAME: MSG", naming the innermost wasm function. */
static void
trap_diag(struct proc *p)
{
	struct vm_instance *inst = p->inst;
	const char *msg = vm_trap_message(inst);
	char fn[64] = "";

	if (inst->nframes) {
		uint32_t f = inst->frames[inst->nframes - 1].func;

		if (inst->mod->func_names && f < inst->mod->nfuncs && inst->mod->func_names[f])
			snprintf(fn, sizeof fn, "%s", inst->mod->func_names[f]);
		else
			snprintf(fn, sizeof fn, "func[%u]", f);
	}
	if (fn[0])
		snprintf(p->diag, sizeof p->diag, "trap in %s: %s", fn, msg);
	else
		snprintf(p->diag, sizeof p->diag, "trap: %s", msg);
}

/* The fuel limit: SIGXCPU when crossed, SIGKILL after a grace of 1/8. */
static void
check_fuel(struct proc *p)
{
	uint64_t lim = p->k->cfg.max_fuel;

	if (p->fuel_limit && (!lim || p->fuel_limit < lim))
		lim = p->fuel_limit;
	if (!lim || p->fuel <= lim || p->state == P_ZOMBIE)
		return;
	if (!p->fuel_warned) {
		p->fuel_warned = p->fuel;
		snprintf(p->diag, sizeof p->diag, "fuel limit of %llu instructions exceeded",
			 (unsigned long long)lim);
		sig_send_proc(p, KSIGXCPU);
	} else if (p->fuel > lim + lim / 8 + 100000) {
		sig_send_proc(p, KSIGKILL);
	}
}

/*
 * Run p (just taken off its queue; k->current) for at most `slice` fuel;
 * returns the fuel used. Signals are acted on first: a caught one is
 * delivered by pushing the handler on top of the suspended code, except
 * when p's next step is the re-execution of a blocked call: that call must
 * run first (it returns E_INTR through kern_ret, and the handler runs right
 * after it). Invariant: a process is on a run queue iff it is RUNNABLE and
 * not k->current, so everything called from here may change p's state
 * freely and p is queued again (or not) at the end.
 */
static uint64_t
run_one(struct kern *k, struct proc *p, int64_t slice)
{
	enum vm_status st = VM_YIELD;
	int64_t used = 0;
	bool head = false;

	k->current = p;
	if (sig_deliverable(p) && sig_deliver(p, !p->blocked_call))
		goto out; /* stopped or dead */
	if (p->qleft <= 0)
		p->qleft = sched_quantum(p);
	if (slice > p->qleft)
		slice = p->qleft;
	p->restarting = p->blocked_call;
	p->blocked_call = false;
	p->state = P_RUNNING;
	proc_mem_limit(p);
	st = vm_run(p->inst, slice, &used);
	proc_charge(p);
	p->restarting = false;
	if (st != VM_BLOCK)
		p->has_deadline = false; /* kept for the call's re-execution */
	if (used < 0)
		used = 0;
	p->fuel += (uint64_t)used;
	p->qleft -= used;
	k->fuel_total += (uint64_t)used;
	if (p->old_inst)
		proc_drop_old_image(p);

	switch (st) {
	case VM_OK:
		/* _start returned: exit 0, as wasi-libc's crt1 would. */
		proc_exit(p, wstatus_exit(0));
		break;
	case VM_EXIT:
		proc_exit(p, wstatus_exit(vm_exit_status(p->inst)));
		break;
	case VM_TRAP:
		trap_diag(p);
		proc_exit(p, wstatus_signal(trap_signal(vm_trap_message(p->inst))));
		break;
	case VM_BLOCK:
		/* Asleep, or (a pending stop/kill, a wakeup during the call)
		 * runnable again: either way the call is re-executed. */
		p->blocked_call = true;
		if (p->state == P_BLOCKED && p->level > 0 && p->qleft > sched_quantum(p) / 2) {
			p->level--;
			p->qleft = sched_quantum(p);
		}
		break;
	case VM_YIELD:
	case VM_STOP:
		if (p->qleft <= 0) {
			if (p->level < KERN_NLEVELS - 1)
				p->level++;
			p->qleft = sched_quantum(p);
		} else {
			/* Cut short by the budget or by a call that needs the
			 * kernel: it keeps its place. */
			head = true;
		}
		break;
	}
	check_fuel(p);
out:
	k->current = NULL;
	if (p->state == P_RUNNING || p->state == P_RUNNABLE) {
		p->state = P_RUNNABLE;
		rq_insert(k, p, head);
	}
	return (uint64_t)used;
}

int
kern_step(struct kern *k, int64_t budget, struct kern_event *ev)
{
	uint64_t ran = 0;

	memset(ev, 0, sizeof *ev);
	if (k->current)
		return E_INVAL;
	for (;;) {
		uint64_t next = UINT64_MAX;
		struct proc *p;
		int64_t slice;

		if (k->dead)
			proc_free_dead(k);
		if (k->rep_head) {
			proc_report(k, ev);
			break;
		}
		if (ipc_host_pending(k)) {
			/* The host drains its queue before calling again. */
			ev->what = KERN_MESSAGE;
			break;
		}
		if (k->timers)
			next = timers_run(k, kern_now(k));
		if (k->fuel_total >= k->next_boost) {
			boost(k);
			k->next_boost = k->fuel_total + BOOST_PERIOD;
		}
		if (budget >= 0 && ran >= (uint64_t)budget) {
			ev->what = KERN_BUDGET;
			break;
		}
		p = rq_pick(k);
		if (!p) {
			/* The last run may have set a timer, or a timer may
			 * have come due since the top of the loop. */
			if (k->timers)
				next = timers_run(k, kern_now(k));
			if (k->rep_head || k->nrunnable)
				continue;
			ev->what = k->nprocs ? KERN_IDLE : KERN_DONE;
			ev->wake_at = next;
			break;
		}
		slice = budget < 0 ? INT64_MAX : budget - (int64_t)ran;
		/* Count at least 1 per run so a process that blocks without
		 * sleeping cannot keep a bounded step spinning. */
		ran += run_one(k, p, slice) + 1;
	}
	ev->fuel = ran;
	return 0;
}
