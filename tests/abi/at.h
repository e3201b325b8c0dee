/*
 * at.h - the fixture of the guest ABI tests (tests/abi/test_abi.c, which
 * holds the code, and tests/ipc/test_ipc_abi.c): a real kernel with the
 * default root file system, one process "inside a host call"
 * (k->current) and an instance whose memory is the guest's and whose
 * userdata is that process. Calls go through abi_resolve with the type
 * the test spells, so every call also checks the table row's signature.
 */
#ifndef WARREN_TESTS_AT_H
#define WARREN_TESTS_AT_H

#include "abi/abi.h"
#include "kern/kern.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct env {
	struct abi *abi;
	struct kern *k;
	struct proc *p;
	struct vm_instance *inst;
	uint8_t *mem;
	enum vm_status st;     /* of the last call */
};

/* What at_init adds to the kernel and the process. */
enum {
	AT_STDIO = 1,          /* fds 0-2 on /dev/null, then the preopens (from 3) */
	AT_SRV = 2,            /* srvfs mounted at /srv */
};

/* A fresh fixture: max_procs (0: default), `pages` pages of guest memory
 * (1 to 100), the AT_ flags. false on any failure (free it anyway). */
bool at_init(struct env *e, uint32_t max_procs, uint32_t pages, int flags);
void at_free(struct env *e);

/* After a call returned VM_BLOCK: wake the process as the scheduler would
 * (its channels) and mark the next call as a re-execution or not. */
void at_resume(struct env *e, bool restarting);

/* "iIi:i" -> a functype (i i32, I i64; results after ':', none without
 * one) with its types in `types` (as many as the letters). */
void at_mktype(const char *sig, struct vm_functype *t, uint8_t *types);

/* The host function mod.name of type sig, or NULL with err set. */
struct vm_func *at_lookup(struct env *e, const char *mod, const char *name, const char *sig,
			  struct vm_error *err);

/* Calls mod.name(a[0..na)) as the process (e->st: its status); returns
 * the i32 result (0 if none; UINT32_MAX, a test failure, if unresolved). */
uint32_t at_call(struct env *e, const char *mod, const char *name, const char *sig,
		 const uint64_t *a, size_t na);

#define AT_SYS(e, mod, name, sig, ...) \
	at_call(e, mod, name, sig, (const uint64_t[]){ __VA_ARGS__ }, \
		sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

#endif
