/*
 * signal.c - sending and delivering signals.
 *
 * A signal is a bit in the target's pending set. Sending decides only what
 * cannot wait: ignored signals are dropped on the spot, SIGCONT continues a
 * stopped process at once (even if it also catches it), SIGKILL and any
 * deliverable signal wake a sleeper. Everything else happens at a safe
 * point, just before the scheduler resumes the process (sig_deliver):
 * default actions terminate or stop it there, and a caught signal becomes a
 * call of the guest's handler export pushed on top of the suspended code
 * (vm_push_call), so handlers run in compute loops too: every slice ends at
 * a fuel check. Host calls return VM_STOP (kern_ret) when a signal became
 * deliverable during the call, so delivery also happens at syscall return.
 *
 * There is no signal mask during a handler (SA_NODEFER semantics): a
 * second instance of the signal arriving while its handler runs nests.
 */
#include "kern/kern.h"
#include "kern/kern_impl.h"
#include "kern/event.h"

#include <stddef.h>

static const struct {
	const char *name;
	enum sig_default def;
} sigs[KSIG_MAX + 1] = {
#define KSIG_ROW_(name, num, def) [num] = { #name, def },
	KSIG_LIST(KSIG_ROW_)
#undef KSIG_ROW_
};

#define STOP_SIGS (KSIG_BIT(KSIGSTOP) | KSIG_BIT(KSIGTSTP) | KSIG_BIT(KSIGTTIN) | KSIG_BIT(KSIGTTOU))
#define UNBLOCKABLE (KSIG_BIT(KSIGKILL) | KSIG_BIT(KSIGSTOP))

static bool
valid(int sig)
{
	return sig >= 1 && sig <= KSIG_MAX;
}

const char *
sig_name(int sig)
{
	return valid(sig) ? sigs[sig].name : NULL;
}

enum sig_default
sig_default_action(int sig)
{
	/* 32..64 are real-time signals: terminate by default. */
	return valid(sig) && sigs[sig].name ? sigs[sig].def : SD_TERM;
}

/* Whether t would do nothing at all with sig (so it is never made pending). */
static bool
discarded(const struct proc *t, int sig)
{
	uint64_t bit = KSIG_BIT(sig);
	enum sig_default d;

	if (t->sig_ignored & bit)
		return true;
	if ((t->sig_caught & bit) && t->sig_handler >= 0)
		return false;
	d = sig_default_action(sig);
	return d == SD_IGN || d == SD_CONT;
}

bool
sig_deliverable(const struct proc *p)
{
	return (p->sig_pending & ~p->sig_blocked) != 0;
}

/* Send sig to t on behalf of pid `from` (0: the kernel or the host). */
static void
send_from(struct proc *t, int sig, int32_t from)
{
	uint64_t bit;

	if (!valid(sig) || t->state == P_ZOMBIE)
		return;
	kern_event(t->k, KEV_SIGNAL, t->pid, sig, from, sig_name(sig));
	bit = KSIG_BIT(sig);
	if (sig == KSIGCONT) {
		t->sig_pending &= ~STOP_SIGS;
		if (t->state == P_STOPPED)
			proc_continue(t);
	} else if (bit & STOP_SIGS) {
		t->sig_pending &= ~KSIG_BIT(KSIGCONT);
	}
	if (discarded(t, sig))
		return;
	t->sig_pending |= bit;
	if (sig == KSIGKILL && t->state == P_STOPPED) {
		/* SIGKILL acts on stopped processes: let the scheduler run it. */
		t->k->nstopped--;
		t->state = P_BLOCKED;
		sched_runnable(t, true);
		return;
	}
	if (!(t->sig_blocked & bit) && t->state == P_BLOCKED)
		sched_wake(t, false);
}

void
sig_send_proc(struct proc *t, int sig)
{
	send_from(t, sig, 0);
}

static int
pgrp_send(struct kern *k, int32_t pgid, int sig, int32_t from)
{
	bool found = false;

	if (pgid <= 0)
		return E_SRCH;
	for (struct proc *p = k->all_head; p; p = p->all_next) {
		if (p->pgid != pgid || p->state == P_ZOMBIE || p->state == P_EMBRYO)
			continue;
		found = true;
		if (sig)
			send_from(p, sig, from);
	}
	return found ? 0 : E_SRCH;
}

int
sig_send_pgrp(struct kern *k, int32_t pgid, int sig)
{
	return pgrp_send(k, pgid, sig, 0);
}

int
sig_kill(struct proc *p, int32_t pid, int sig)
{
	struct kern *k = p->k;
	bool found = false;

	if (sig < 0 || sig > KSIG_MAX)
		return E_INVAL;
	if (pid > 0) {
		struct proc *t = proc_find(k, pid);

		if (!t || t->state == P_EMBRYO)
			return E_SRCH;
		if (sig)
			send_from(t, sig, p->pid);
		return 0;
	}
	if (pid == 0)
		return pgrp_send(k, p->pgid, sig, p->pid);
	if (pid < -1) {
		if (pid == INT32_MIN)
			return E_SRCH;
		return pgrp_send(k, -pid, sig, p->pid);
	}
	/* -1: everyone but init and the caller. */
	for (struct proc *t = k->all_head; t; t = t->all_next) {
		if (t == p || t->pid == 1 || t->state == P_ZOMBIE || t->state == P_EMBRYO)
			continue;
		found = true;
		if (sig)
			send_from(t, sig, p->pid);
	}
	return found ? 0 : E_SRCH;
}

int
sig_action(struct proc *p, int sig, int disp, int *old)
{
	uint64_t bit;
	int prev;

	if (!valid(sig) || sig == KSIGKILL || sig == KSIGSTOP)
		return E_INVAL;
	if (disp != SIGD_DEFAULT && disp != SIGD_IGNORE && disp != SIGD_CATCH)
		return E_INVAL;
	bit = KSIG_BIT(sig);
	prev = (p->sig_caught & bit) ? SIGD_CATCH : (p->sig_ignored & bit) ? SIGD_IGNORE : SIGD_DEFAULT;
	p->sig_caught &= ~bit;
	p->sig_ignored &= ~bit;
	if (disp == SIGD_CATCH)
		p->sig_caught |= bit;
	else if (disp == SIGD_IGNORE)
		p->sig_ignored |= bit;
	/* POSIX: setting a pending signal to be ignored discards it. */
	if ((p->sig_pending & bit) && discarded(p, sig))
		p->sig_pending &= ~bit;
	if (old)
		*old = prev;
	return 0;
}

int
sig_procmask(struct proc *p, int how, uint64_t set, uint64_t *old)
{
	if (old)
		*old = p->sig_blocked;
	switch (how) {
	case KSIG_BLOCK:
		p->sig_blocked |= set;
		break;
	case KSIG_UNBLOCK:
		p->sig_blocked &= ~set;
		break;
	case KSIG_SETMASK:
		p->sig_blocked = set;
		break;
	default:
		return E_INVAL;
	}
	p->sig_blocked &= ~UNBLOCKABLE;
	return 0;
}

int
sig_set_handler(struct proc *p, const char *name, size_t len)
{
	const struct vm_module *m;
	const struct vm_functype *t;
	int i;
	uint32_t f;

	if (!p->inst || len > UINT32_MAX)
		return E_INVAL;
	m = p->inst->mod;
	i = vm_module_find_export(m, name, (uint32_t)len, VM_EXT_FUNC);
	if (i < 0)
		return E_NOENT;
	f = m->exports[i].index;
	t = &m->types[m->func_type_index[f]];
	/* A re-exported import would run host code as a handler: refuse. */
	if (f < m->nfunc_imports || t->nparams != 1 || t->types[0] != VM_I32 || t->nresults != 0)
		return E_INVAL;
	p->sig_handler = (int32_t)kmod_unwrap(m, f);
	return 0;
}

int
sig_interrupts(const struct proc *p)
{
	uint64_t set = p->sig_pending & ~p->sig_blocked;

	if (!set)
		return 0;
	if (p->sig_handler >= 0 && (set & p->sig_caught))
		return E_INTR;
	return 1;
}

/* The lowest-numbered signal in a non-empty set, SIGKILL first. */
static int
first_sig(uint64_t set)
{
	if (set & KSIG_BIT(KSIGKILL))
		return KSIGKILL;
	return __builtin_ctzll(set) + 1;
}

bool
sig_deliver(struct proc *p, bool allow_catch)
{
	uint64_t set = p->sig_pending & ~p->sig_blocked;

	while (set) {
		int sig = first_sig(set);
		uint64_t bit = KSIG_BIT(sig);

		set &= ~bit;
		if ((p->sig_caught & bit) && p->sig_handler >= 0) {
			vm_slot arg = (uint32_t)sig;

			if (!allow_catch)
				continue; /* stays pending for the next safe point */
			p->sig_pending &= ~bit;
			if (vm_push_call(p->inst, (uint32_t)p->sig_handler, &arg, 1, NULL)) {
				/* No room for the handler frame: die as a native
				 * process overflowing its stack would. */
				proc_exit(p, wstatus_signal(KSIGSEGV));
				return true;
			}
			continue;
		}
		p->sig_pending &= ~bit;
		switch (sig_default_action(sig)) {
		case SD_TERM:
		case SD_CORE:
			proc_exit(p, wstatus_signal(sig));
			return true;
		case SD_STOP:
			proc_stop(p, sig);
			return true;
		case SD_IGN:
		case SD_CONT:
			break;
		}
	}
	return false;
}
