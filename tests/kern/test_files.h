/*
 * test_files.h - helpers shared by the files layer's tests (test_file.c,
 * test_pipe.c, test_tty.c): a kernel with real processes that never run,
 * and a way to park one on a wait channel as if it were inside a host call.
 * Everything is static: each test file gets its own copy.
 */
#ifndef WARREN_TESTS_KERN_TEST_FILES_H
#define WARREN_TESTS_KERN_TEST_FILES_H

#include "kern/file.h"
#include "kern/kern.h"
#include "kern/kern_impl.h"
#include "unit.h"

/* (module (func (export "_start"))): enough to make a process runnable. */
static const uint8_t tf_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
	0x03, 0x02, 0x01, 0x00,
	0x07, 0x0a, 0x01, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00,
	0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
};

static __attribute__((unused)) struct kern *
tf_kern(void)
{
	struct kern_config cfg = { .seed = 1 };
	struct kern *k = NULL;

	if (kern_new(&cfg, &k))
		return NULL;
	return k;
}

/* A runnable process: a child of parent (same group and session), or of the
 * host (a session and group of its own). */
static __attribute__((unused)) struct proc *
tf_proc(struct kern *k, struct proc *parent)
{
	char *argv[] = { "t", NULL }, *envp[] = { NULL };
	struct proc *p;

	if (proc_alloc(k, parent, &p))
		return NULL;
	if (proc_exec_bytes(p, "t", tf_wasm, sizeof tf_wasm, argv, envp)) {
		proc_discard(p);
		return NULL;
	}
	proc_start(p);
	return p;
}

/*
 * What the abi does after E_BLOCK, with p taken off the run queue first as
 * the scheduler does for the process it runs: p ends up BLOCKED on chan.
 */
static __attribute__((unused)) int
tf_sleep(struct proc *p, void *chan)
{
	struct kern *k = p->k;
	int err;

	sched_remove(p);
	p->state = P_RUNNING;
	k->current = p;
	err = kern_sleep(p, chan);
	k->current = NULL;
	return err;
}

static __attribute__((unused)) bool
tf_pending(const struct proc *p, int sig)
{
	return (p->sig_pending & KSIG_BIT(sig)) != 0;
}

#endif
