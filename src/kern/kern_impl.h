/*
 * kern_impl.h - what the files of the process kernel (proc.c, exec.c,
 * sched.c, signal.c) share among themselves. Not for other layers: they
 * use kern.h.
 */
#ifndef WARREN_KERN_IMPL_H
#define WARREN_KERN_IMPL_H

#include "kern/kern.h"
#include "base/alloc.h"

/* sched.c */
/* The allotment of p at its level and nice (fuel). */
int64_t sched_quantum(const struct proc *p);
/* Make p RUNNABLE and queue it (at the head: it keeps its turn); no-op if queued. */
void sched_runnable(struct proc *p, bool head);
/* Take p off its run queue, wait channels and sleep timeout (stop, exit). */
void sched_remove(struct proc *p);
/* End p's sleep (if BLOCKED): runnable; timed_out records why. */
void sched_wake(struct proc *p, bool timed_out);
/* Unlink p's wait channels. */
void sleep_cancel(struct proc *p);
/* Put p on / take it off the timer list after wake_at or alarm_at changed. */
void timer_update(struct proc *p);

/* proc.c */
/* Free a process outright, whatever its state (kern_free). */
void proc_destroy(struct proc *p);
/* Free the instance exec replaced, now that its host call has returned. */
void proc_drop_old_image(struct proc *p);
/* Pop the oldest host report into *ev (KERN_EXITED) and reap it. */
void proc_report(struct kern *k, struct kern_event *ev);
/* Free the processes on k->dead. */
void proc_free_dead(struct kern *k);
/* Stop p (state STOPPED) by sig, or continue it: wait reports, SIGCHLD. */
void proc_stop(struct proc *p, int sig);
void proc_continue(struct proc *p);

/*
 * Memory accounting: charge p's current pages to k->pages_total, and cap
 * its memory's growth so that all processes together stay within
 * max_total_pages (before running it).
 */
void proc_charge(struct proc *p);
void proc_mem_limit(struct proc *p);

/* exec.c */
void kmod_ref(struct kmod *m);
void kmod_unref(struct kmod *m);
/* Drop the module cache (modules still in use stay alive until unref'd). */
void kmod_cache_free(struct kern *k);
/* For an export wrapper that wasm-ld made for a command module
 * ("f.command_export": constructors, f, destructors), the wrapped f;
 * otherwise f itself. */
uint32_t kmod_unwrap(const struct vm_module *mod, uint32_t f);

/* signal.c */
/*
 * What a pending signal means for a call about to sleep: 0 nothing, E_INTR
 * a caught signal is deliverable (fail the call), 1 the kernel will act on
 * one (stop, terminate): do not sleep, let the scheduler run.
 */
int sig_interrupts(const struct proc *p);
/*
 * Act on p's deliverable signals before it runs: terminate, stop, or
 * (allow_catch) push handler calls. Returns true if p must not run now
 * (stopped or dead).
 */
bool sig_deliver(struct proc *p, bool allow_catch);

#endif
