/*
 * proc.c - the process table, fork, exit, wait, groups and sessions.
 *
 * The table is a hash from pid to process plus a list of every process in
 * creation order (which is pid order: pids only grow). Pids come from a
 * seeded generator: 1 for the first process, then
 *     next = previous + 1 + (xorshift64*(seed) % 4)
 * so a run is reproducible for a seed, pids are never reused within a run,
 * and guests cannot assume consecutive pids. Running out (near INT32_MAX)
 * fails process creation with E_AGAIN.
 *
 * Family: each process links its children (first child, siblings). An
 * exiting process's children go to init (pid 1) while it lives, otherwise
 * to the host, which reaps such orphans silently. Processes the host
 * spawned are the host's children: their exit is reported by kern_step
 * (KERN_EXITED) and they are reaped then. A zombie is freed only outside
 * any host call (k->dead), because the scheduler may still hold it.
 */
#include "kern/kern.h"
#include "base/alloc.h"
#include "kern/event.h"
#include "kern/kern_impl.h"
#include "kern/ipc.h"
#include "fs/fs.h"
#include "kern/file.h"
#include "kern/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the table ----------------------------------------------------------------- */

static uint64_t
xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static int
next_pid(struct kern *k, int32_t *pid)
{
	int64_t next;

	if (!k->last_pid) {
		*pid = 1;
		return 0;
	}
	next = (int64_t)k->last_pid + 1 + (int64_t)(xorshift(&k->rng) % 4);
	if (next > INT32_MAX - 8)
		return E_AGAIN;
	*pid = (int32_t)next;
	return 0;
}

static unsigned
pid_bucket(const struct kern *k, int32_t pid)
{
	return ((uint32_t)pid * 2654435761u) & (k->nhash - 1);
}

/* Double the hash when it gets crowded; failure just leaves it crowded. */
static void
hash_grow(struct kern *k)
{
	uint32_t n = k->nhash * 2;
	struct proc **h = al_calloc(n, sizeof *h);

	if (!h)
		return;
	for (uint32_t i = 0; i < k->nhash; i++) {
		struct proc *p, *nx;

		for (p = k->hash[i]; p; p = nx) {
			unsigned b = ((uint32_t)p->pid * 2654435761u) & (n - 1);

			nx = p->hnext;
			p->hnext = h[b];
			h[b] = p;
		}
	}
	al_free(k->hash);
	k->hash = h;
	k->nhash = n;
}

struct proc *
proc_find(struct kern *k, int32_t pid)
{
	if (pid <= 0)
		return NULL;
	for (struct proc *p = k->hash[pid_bucket(k, pid)]; p; p = p->hnext)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void
table_insert(struct kern *k, struct proc *p)
{
	unsigned b;

	if (k->nprocs >= k->nhash * 2)
		hash_grow(k);
	b = pid_bucket(k, p->pid);
	p->hnext = k->hash[b];
	k->hash[b] = p;
	p->all_prev = k->all_tail;
	if (k->all_tail)
		k->all_tail->all_next = p;
	else
		k->all_head = p;
	k->all_tail = p;
	k->nprocs++;
}

static void
table_remove(struct kern *k, struct proc *p)
{
	struct proc **pp = &k->hash[pid_bucket(k, p->pid)];

	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
	if (p->all_prev)
		p->all_prev->all_next = p->all_next;
	else
		k->all_head = p->all_next;
	if (p->all_next)
		p->all_next->all_prev = p->all_prev;
	else
		k->all_tail = p->all_prev;
	p->all_next = p->all_prev = p->hnext = NULL;
	k->nprocs--;
	if (k->init == p)
		k->init = NULL;
}

static void
child_link(struct proc *parent, struct proc *c)
{
	c->parent = parent;
	c->ppid = parent ? parent->pid : 0;
	c->sib_prev = NULL;
	c->sib_next = NULL;
	if (!parent)
		return;
	c->sib_next = parent->children;
	if (parent->children)
		parent->children->sib_prev = c;
	parent->children = c;
}

static void
child_unlink(struct proc *c)
{
	if (c->parent) {
		if (c->sib_prev)
			c->sib_prev->sib_next = c->sib_next;
		else
			c->parent->children = c->sib_next;
		if (c->sib_next)
			c->sib_next->sib_prev = c->sib_prev;
	}
	c->sib_next = c->sib_prev = NULL;
	c->parent = NULL;
}

/* ---- creation and destruction ---------------------------------------------------- */

static void
strv_free(char **v)
{
	al_free(v);
}

/* Everything but the struct and its place in the table. */
static struct vm_memory *
proc_mem(const struct proc *p)
{
	const struct vm_instance *inst = p->inst;

	if (!inst || !inst->mod->nmems || !inst->mems)
		return NULL;
	return inst->mems[0];
}

void
proc_charge(struct proc *p)
{
	uint32_t pages = proc_pages(p);

	p->k->pages_total += pages;
	p->k->pages_total -= p->pages_charged;
	p->pages_charged = pages;
}

void
proc_mem_limit(struct proc *p)
{
	struct vm_memory *m = proc_mem(p);
	uint64_t others, room;

	if (!m)
		return;
	others = p->k->pages_total - p->pages_charged;
	room = p->k->cfg.max_total_pages > others ? p->k->cfg.max_total_pages - others : 0;
	if (room < m->pages)
		room = m->pages;
	m->max_pages = room < p->mem_cap ? (uint32_t)room : p->mem_cap;
}

static void
release(struct proc *p)
{
	/* Closing may wake sleepers (pipe peers): p->fds is cleared first so
	 * nothing can reach a half-closed table through p. */
	if (p->fds) {
		struct fdtab *t = p->fds;

		p->fds = NULL;
		fdtab_unref(t);
	}
	if (p->cwd)
		vn_unref(p->cwd);
	p->cwd = NULL;
	if (p->ns)
		ns_unref(p->ns);
	p->ns = NULL;
	if (p->old_inst)
		proc_drop_old_image(p);
	vm_instance_free(p->inst);
	p->inst = NULL;
	if (p->kmod)
		kmod_unref(p->kmod);
	p->kmod = NULL;
	proc_charge(p);
	strv_free(p->argv);
	strv_free(p->envp);
	p->argv = p->envp = NULL;
	p->argc = p->envc = 0;
}

int
proc_alloc(struct kern *k, struct proc *parent, struct proc **out)
{
	struct proc *p;
	int32_t pid;
	int e;

	*out = NULL;
	if (k->nprocs >= k->cfg.max_procs)
		return E_AGAIN;
	if ((e = next_pid(k, &pid)))
		return e;
	p = al_calloc(1, sizeof *p);
	if (!p)
		return E_NOMEM;
	p->k = k;
	p->pid = pid;
	p->state = P_EMBRYO;
	p->sig_handler = -1;
	p->start_ns = kern_now(k);
	if (parent) {
		p->pgid = parent->pgid;
		p->sid = parent->sid;
		p->ns = parent->ns ? ns_copy(parent->ns) : NULL;
		if (parent->ns && !p->ns)
			goto nomem;
		p->cwd = parent->cwd;
		if (p->cwd)
			vn_ref(p->cwd);
		p->sig_blocked = parent->sig_blocked;
		p->sig_ignored = parent->sig_ignored;
		p->sig_caught = parent->sig_caught;
		p->sig_handler = parent->sig_handler;
		p->nice = parent->nice;
		memcpy(p->name, parent->name, sizeof p->name);
	} else {
		p->pgid = p->sid = pid;
		if (k->root_ns) {
			p->ns = ns_copy(k->root_ns);
			if (!p->ns)
				goto nomem;
			p->cwd = ns_root(p->ns);
		}
	}
	p->fds = parent && parent->fds ? fdtab_copy(parent->fds) : fdtab_new(k->cfg.max_fds);
	if (!p->fds)
		goto nomem;
	p->qleft = sched_quantum(p);
	k->last_pid = pid;
	table_insert(k, p);
	child_link(parent, p);
	if (pid == 1)
		k->init = p;
	*out = p;
	return 0;
nomem:
	release(p);
	al_free(p);
	return E_NOMEM;
}

void
proc_start(struct proc *p)
{
	if (p->state == P_EMBRYO && p->inst) {
		kern_event(p->k, KEV_SPAWN, p->pid, p->ppid, 0, p->name);
		sched_runnable(p, false);
	}
}

/* Out of the table and the family; then freed now or, if the scheduler
 * may still hold it, at its next safe point. */
static void
reap(struct proc *p)
{
	struct kern *k = p->k;

	kern_event(k, KEV_REAP, p->pid, p->parent ? p->parent->pid : 0, 0, NULL);
	child_unlink(p);
	table_remove(k, p);
	release(p);
	p->state = P_ZOMBIE;
	p->rep_next = k->dead;
	k->dead = p;
}

void
proc_free_dead(struct kern *k)
{
	while (k->dead) {
		struct proc *p = k->dead;

		k->dead = p->rep_next;
		al_free(p);
	}
}

void
proc_discard(struct proc *p)
{
	struct kern *k = p->k;

	if (p->state != P_EMBRYO)
		return;
	ipc_proc_exit(p);
	child_unlink(p);
	table_remove(k, p);
	release(p);
	al_free(p);
}

void
proc_destroy(struct proc *p)
{
	struct kern *k = p->k;

	/* The kernel is going away: queues, waits and timers were dropped
	 * wholesale (kern_free), so only the family and the table matter. */
	while (p->children)
		child_unlink(p->children);
	child_unlink(p);
	p->nwaits = 0;
	p->wait_any = false;
	table_remove(k, p);
	release(p);
	al_free(p);
}

/* ---- fork ------------------------------------------------------------------------ */

int
proc_fork(struct proc *p, int32_t *child)
{
	struct vm_error err;
	struct proc *c;
	int e;

	if (p->fork_child) {
		/* The clone re-executing the call that created it. */
		p->fork_child = false;
		*child = 0;
		return 0;
	}
	if (p->k->pages_total + proc_pages(p) > p->k->cfg.max_total_pages)
		return E_AGAIN;
	if ((e = proc_alloc(p->k, p, &c)))
		return e;
	c->inst = vm_clone(p->inst, &err);
	c->argv = kern_strv_dup(p->argv, -1, &c->argc);
	c->envp = kern_strv_dup(p->envp, -1, &c->envc);
	if (!c->inst || !c->argv || !c->envp) {
		proc_discard(c);
		return E_NOMEM;
	}
	vm_set_userdata(c->inst, c);
	c->mem_cap = p->mem_cap;
	proc_charge(c);
	proc_mem_limit(p); /* the room left for p's own growth just shrank */
	c->kmod = p->kmod;
	if (c->kmod)
		kmod_ref(c->kmod);
	c->fork_child = true;
	proc_start(c);
	*child = c->pid;
	return 0;
}

int
proc_spawn(struct proc *p, const char *path, char *const argv[], char *const envp[],
	   int (*actions)(struct proc *child, void *arg), void *arg, int32_t *child)
{
	struct proc *c;
	int e;

	if ((e = proc_alloc(p->k, p, &c)))
		return e;
	if (actions && (e = actions(c, arg)))
		goto fail;
	if ((e = proc_exec(c, path, argv, envp)))
		goto fail;
	proc_start(c);
	*child = c->pid;
	return 0;
fail:
	memcpy(p->diag, c->diag, sizeof p->diag);
	proc_discard(c);
	return e;
}

/* ---- exit and wait ----------------------------------------------------------------- */

/* Tell p's parent (or the host) that p changed state. */
static void
notify_parent(struct proc *p)
{
	struct proc *pp = p->parent;

	if (pp) {
		sig_send_proc(pp, KSIGCHLD);
		kern_wakeup(p->k, pp);
	}
}

/*
 * POSIX orphaned process groups: a group none of whose members has a
 * parent in another group of the same session can no longer be continued
 * by job control, so if it has stopped members they get SIGHUP and
 * SIGCONT. Checked for the groups an exit may have orphaned.
 */
static bool
pgrp_orphaned_stopped(struct kern *k, int32_t pgid)
{
	bool stopped = false;

	for (struct proc *q = k->all_head; q; q = q->all_next) {
		if (q->pgid != pgid || q->state == P_ZOMBIE)
			continue;
		if (q->parent && q->parent->pgid != pgid && q->parent->sid == q->sid &&
		    q->parent->state != P_ZOMBIE)
			return false;
		stopped |= q->state == P_STOPPED;
	}
	return stopped;
}

static void
orphan_check(struct kern *k, int32_t pgid)
{
	if (k->nstopped && pgid > 0 && pgrp_orphaned_stopped(k, pgid)) {
		sig_send_pgrp(k, pgid, KSIGHUP);
		sig_send_pgrp(k, pgid, KSIGCONT);
	}
}

void
proc_exit(struct proc *p, int32_t wstatus)
{
	struct kern *k = p->k;
	struct proc *init = k->init == p ? NULL : k->init;
	struct proc *c, *nx;

	if (p->state == P_ZOMBIE || p->state == P_EMBRYO)
		return;
	kern_event(k, KEV_EXIT, p->pid, wstatus, 0, p->name);
	if (p->state == P_STOPPED)
		k->nstopped--;
	sched_remove(p);
	p->alarm_at = 0;
	timer_update(p);
	ipc_proc_exit(p);
	release(p);
	p->state = P_ZOMBIE;
	p->wstatus = wstatus;
	p->sig_pending = 0;
	p->report = 0;
	if (k->init == p)
		k->init = NULL;
	task_exited(p);

	for (c = p->children; c; c = nx) {
		nx = c->sib_next;
		child_unlink(c);
		child_link(init, c);
		if (c->state != P_ZOMBIE) {
			if (c->pgid != p->pgid)
				orphan_check(k, c->pgid);
			continue;
		}
		if (init)
			notify_parent(c);
		else
			reap(c);
	}
	orphan_check(k, p->pgid);

	if (p->parent) {
		if (p->parent->sig_ignored & KSIG_BIT(KSIGCHLD)) {
			/* POSIX: a parent ignoring SIGCHLD leaves no zombies. */
			struct proc *pp = p->parent;

			reap(p);
			kern_wakeup(k, pp);
		} else {
			notify_parent(p);
		}
	} else if (p->host_spawned) {
		p->rep_next = NULL;
		if (k->rep_tail)
			k->rep_tail->rep_next = p;
		else
			k->rep_head = p;
		k->rep_tail = p;
	} else {
		reap(p);
	}
}

void
proc_report(struct kern *k, struct kern_event *ev)
{
	struct proc *p = k->rep_head;

	k->rep_head = p->rep_next;
	if (!k->rep_head)
		k->rep_tail = NULL;
	ev->what = KERN_EXITED;
	ev->pid = p->pid;
	ev->status = p->wstatus;
	memcpy(ev->diag, p->diag, sizeof ev->diag);
	reap(p);
}

static bool
wait_matches(const struct proc *p, const struct proc *c, int32_t pid)
{
	if (pid == -1)
		return true;
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == p->pgid;
	return pid != INT32_MIN && c->pgid == -pid;
}

int
proc_waitpid(struct proc *p, int32_t pid, int options, int32_t *rpid, int32_t *wstatus)
{
	bool any = false;

	if (options & ~(KWNOHANG | KWUNTRACED | KWCONTINUED))
		return E_INVAL;
	for (struct proc *c = p->children; c; c = c->sib_next) {
		if (!wait_matches(p, c, pid))
			continue;
		any = true;
		if (c->state == P_ZOMBIE) {
			*rpid = c->pid;
			*wstatus = c->wstatus;
			reap(c);
			return 0;
		}
		if ((options & KWUNTRACED) && (c->report & PR_STOPPED)) {
			c->report &= ~PR_STOPPED;
			*rpid = c->pid;
			*wstatus = wstatus_stopped(c->stopsig);
			return 0;
		}
		if ((options & KWCONTINUED) && (c->report & PR_CONTINUED)) {
			c->report &= ~PR_CONTINUED;
			*rpid = c->pid;
			*wstatus = WSTATUS_CONTINUED;
			return 0;
		}
	}
	if (!any)
		return E_CHILD;
	if (options & KWNOHANG) {
		*rpid = 0;
		*wstatus = 0;
		return 0;
	}
	return kern_sleep(p, p);
}

void
proc_stop(struct proc *p, int sig)
{
	if (p->state == P_ZOMBIE || p->state == P_STOPPED)
		return;
	sched_remove(p);
	p->state = P_STOPPED;
	p->k->nstopped++;
	p->stopsig = (uint8_t)sig;
	p->report = PR_STOPPED;
	notify_parent(p);
}

void
proc_continue(struct proc *p)
{
	if (p->state != P_STOPPED)
		return;
	p->report = PR_CONTINUED;
	p->k->nstopped--;
	/* Any call it was blocked in is simply re-executed. */
	p->state = P_BLOCKED;
	sched_runnable(p, false);
	notify_parent(p);
}

int
wstatus_to_code(int32_t ws)
{
	if ((ws & 0x7f) == 0)
		return (ws >> 8) & 0xff;
	if ((ws & 0xff) == 0x7f)
		return 128 + ((ws >> 8) & 0xff);
	return 128 + (ws & 0x7f);
}

/* ---- groups and sessions -------------------------------------------------------------- */

static struct proc *
self_or_find(struct proc *p, int32_t pid)
{
	return pid == 0 ? p : proc_find(p->k, pid);
}

bool
kern_group_in_session(struct kern *k, int32_t pgid, int32_t sid)
{
	for (struct proc *q = k->all_head; q; q = q->all_next)
		if (q->pgid == pgid && q->sid == sid && q->state != P_ZOMBIE)
			return true;
	return false;
}

int
proc_setpgid(struct proc *p, int32_t pid, int32_t pgid)
{
	struct proc *t;

	if (pid < 0 || pgid < 0)
		return E_INVAL;
	t = self_or_find(p, pid);
	if (!t || (t != p && t->parent != p) || t->state == P_ZOMBIE)
		return E_SRCH;
	if (t != p && t->execed)
		return E_ACCES;
	if (t->sid != p->sid || t->sid == t->pid)
		return E_PERM;
	if (pgid == 0)
		pgid = t->pid;
	if (pgid != t->pid && !kern_group_in_session(p->k, pgid, p->sid))
		return E_PERM;
	t->pgid = pgid;
	return 0;
}

int
proc_getpgid(struct proc *p, int32_t pid, int32_t *pgid)
{
	struct proc *t = self_or_find(p, pid);

	if (!t || pid < 0)
		return E_SRCH;
	*pgid = t->pgid;
	return 0;
}

int
proc_setsid(struct proc *p, int32_t *sid)
{
	for (struct proc *q = p->k->all_head; q; q = q->all_next)
		if (q->pgid == p->pid && q->state != P_ZOMBIE)
			return E_PERM; /* p leads a group, or its pid is someone's group */
	p->sid = p->pgid = p->pid;
	*sid = p->sid;
	return 0;
}

int
proc_getsid(struct proc *p, int32_t pid, int32_t *sid)
{
	struct proc *t = self_or_find(p, pid);

	if (!t || pid < 0)
		return E_SRCH;
	*sid = t->sid;
	return 0;
}

int
proc_getppid(struct proc *p, int32_t pid, int32_t *ppid)
{
	struct proc *t = self_or_find(p, pid);

	if (!t || pid < 0)
		return E_SRCH;
	*ppid = t->ppid;
	return 0;
}

/* ---- scheduling, timers, accounting ------------------------------------------------- */

int
proc_nice(struct proc *p, int inc, int *newnice)
{
	int64_t n = (int64_t)p->nice + inc;

	p->nice = n < -20 ? -20 : n > 19 ? 19 : (int)n;
	if (p->qleft > sched_quantum(p))
		p->qleft = sched_quantum(p);
	if (newnice)
		*newnice = p->nice;
	return 0;
}

int
proc_alarm(struct proc *p, uint64_t ns, uint64_t interval, uint64_t *remaining)
{
	uint64_t now = kern_now(p->k);

	if (remaining)
		*remaining = p->alarm_at > now ? p->alarm_at - now : p->alarm_at ? 1 : 0;
	p->alarm_at = ns ? (ns > UINT64_MAX - now ? UINT64_MAX : now + ns) : 0;
	p->alarm_interval = ns ? interval : 0;
	timer_update(p);
	return 0;
}

uint32_t
proc_pages(const struct proc *p)
{
	const struct vm_memory *m = proc_mem(p);

	return m ? m->pages : 0;
}

char
proc_state_letter(enum proc_state s)
{
	static const char letters[] = {
		[P_EMBRYO] = 'R', [P_RUNNABLE] = 'R', [P_RUNNING] = 'R',
		[P_BLOCKED] = 'S', [P_STOPPED] = 'T', [P_ZOMBIE] = 'Z',
	};

	return (unsigned)s < sizeof letters ? letters[s] : '?';
}

int
proc_ps(struct proc *p, char *buf, size_t cap, size_t *used)
{
	size_t n = 0;
	char line[160];
	int l;

	for (struct proc *q = p->k->all_head; q; q = q->all_next) {
		l = snprintf(line, sizeof line, "%d %d %d %d %c %d %llu %u %s\n", q->pid, q->ppid,
			     q->pgid, q->sid, proc_state_letter(q->state), q->nice,
			     (unsigned long long)q->fuel, proc_pages(q), q->name[0] ? q->name : "-");
		if (l < 0)
			continue;
		if (n + (size_t)l <= cap)
			memcpy(buf + n, line, (size_t)l);
		n += (size_t)l;
	}
	*used = n;
	return n > cap ? E_NOBUFS : 0;
}
