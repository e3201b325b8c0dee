/*
 * abi.h - the guest ABI: the host functions a warren process imports.
 *
 * Three import modules, each one table of calls (designated initializers):
 * wasi_snapshot_preview1 (wasi.c), wasix_32v1 (wasix.c) and warren_v1
 * (warren.c). One table row gives a call's name, its signature, its
 * handler and one line of documentation; the import resolver, the
 * dispatcher and docs/syscalls.md all come from the same rows, so the
 * list of calls, their types and their documentation cannot drift apart.
 *
 * The layer sits on the kernel (kern.h, file.h) and on fs.h: a handler
 * checks and copies its arguments out of guest memory, calls the kernel,
 * and writes the results back. It owns no process state of its own.
 *
 * Part one of this header is for the kernel and the system (creating the
 * resolver, the fd 3 convention); part two is shared by the files of
 * src/abi and their unit tests only.
 */
#ifndef WARREN_ABI_H
#define WARREN_ABI_H

#include <stdbool.h>
#include "base/alloc.h"
#include <stddef.h>
#include <stdint.h>

#include "fs/errno.h"
#include "vm/vm.h"

struct abi;
struct proc;
struct kern;

/* ---- part one: for the kernel and the system ----------------------------- */

/*
 * The resolver state: host function objects, made on first use and shared
 * by every instance of every program. Returns 0 and *out, or E_NOMEM.
 * Free it with abi_free after kern_free (kernel instances point at its
 * function objects).
 */
int abi_new(struct abi **out);
void abi_free(struct abi *a);   /* NULL is fine */

/*
 * The kern_config.resolve hook (ctx: the struct abi). Returns the host
 * function for import imp of type `type`, owned by the struct abi, or NULL
 * with VM_ERR_LINK in *err: "unknown import wasix_32v1.foo", "unknown
 * import module foo", or a signature mismatch naming both types. A name
 * listed twice with different types (wasix proc_join: the 2- and the
 * 3-argument form) is told apart by the import's type. Non-function
 * imports are refused. VM_ERR_NOMEM if a function object cannot be made.
 */
struct vm_func *abi_resolve(void *ctx, const struct vm_import *imp,
			    const struct vm_functype *type, struct vm_error *err);

/*
 * Give a process started by the host its fd 3: the root directory of its
 * namespace, the one WASI preopen (wasi-libc finds it with fd_prestat_get
 * and resolves every path through it). fds 0-2 must already be set up.
 * Returns 0, E_BADF if fd 3 is taken, E_NOMEM or E_MFILE.
 */
int abi_preopen(struct proc *p);

/*
 * docs/syscalls.md: every table as markdown, in a malloc'd NUL-terminated
 * string (the caller frees it), or NULL when out of memory.
 */
char *abi_doc(void);

/* ---- part two: shared by src/abi and its tests ----------------------------- */

/* Handler results besides WASI errno values (and E_BLOCK: see below). */
enum {
	ABI_EXIT = 2000,  /* vm_set_exit was called: the program ends (VM_EXIT) */
	ABI_TRAP = 2001,  /* vm_set_trap was called (VM_TRAP) */
};

/* The state of one host call. */
struct abi_cx {
	struct vm_instance *inst;  /* the caller's instance (not p->inst after exec) */
	struct proc *p;            /* vm_userdata(inst) */
	struct abi *abi;
	const vm_slot *args;       /* parameters */
	uint8_t *mem;              /* memory 0 at the start of the call (NULL: none) */
	uint64_t memsize;
};

/*
 * A handler returns a WASI errno (0 = success), which the dispatcher
 * writes as the call's i32 result (calls without results ignore it), or:
 *  - E_BLOCK: the process has been put to sleep (kern_sleep*); nothing has
 *    been changed yet, and the call will be re-executed when it wakes.
 *  - ABI_EXIT / ABI_TRAP after vm_set_exit / vm_set_trap.
 * Results go through out-pointers, written only once the call can no
 * longer fail (every pointer is checked before anything is done).
 */
typedef int (*abi_fn)(struct abi_cx *cx);

struct abi_call {
	const char *name;
	/* "i32 fd, i32 iovs, i32 iovs_len, i32 nread": type then name, "" for none */
	const char *params;
	/* "errno" (one i32) or "" (no result) */
	const char *result;
	abi_fn fn;
	const char *doc;           /* one line of markdown for docs/syscalls.md */
};

struct abi_table {
	const char *module;        /* import module name */
	const char *intro;         /* a paragraph for docs/syscalls.md */
	const struct abi_call *calls;
	size_t ncalls;
};

extern const struct abi_table abi_wasi_table;    /* wasi.c */
extern const struct abi_table abi_wasix_table;   /* wasix.c */
extern const struct abi_table abi_warren_table;  /* warren.c */
extern const struct abi_table abi_ns_table;      /* ns.c: more of warren_v1 */
extern const struct abi_table abi_ipc_table;     /* ipc.c: warren_v1 interface IPC */

/* Argument n of the call as an unsigned 32- or 64-bit value. */
#define ARG32(cx, n) ((uint32_t)(cx)->args[n])
#define ARG64(cx, n) ((uint64_t)(cx)->args[n])

/*
 * Guest memory. Every pointer and length from the guest goes through these:
 * [ptr, ptr + len) must lie inside memory 0 (64-bit arithmetic, so no
 * wrap-around); otherwise E_FAULT, and host memory is never touched.
 * Values are little-endian whatever the host, and may be unaligned.
 */
uint8_t *abi_mem(struct abi_cx *cx, uint32_t ptr, uint64_t len);  /* NULL: fault */
int abi_check(struct abi_cx *cx, uint32_t ptr, uint64_t len);     /* 0 or E_FAULT */
int abi_get16(struct abi_cx *cx, uint32_t ptr, uint16_t *v);
int abi_get32(struct abi_cx *cx, uint32_t ptr, uint32_t *v);
int abi_get64(struct abi_cx *cx, uint32_t ptr, uint64_t *v);
/* Stores: the caller has checked the range (abi_check) or accepts E_FAULT. */
int abi_put8(struct abi_cx *cx, uint32_t ptr, uint8_t v);
int abi_put16(struct abi_cx *cx, uint32_t ptr, uint16_t v);
int abi_put32(struct abi_cx *cx, uint32_t ptr, uint32_t v);
int abi_put64(struct abi_cx *cx, uint32_t ptr, uint64_t v);
/* Little-endian helpers on host buffers (struct layouts built off-line). */
void abi_le16(uint8_t *p, uint16_t v);
void abi_le32(uint8_t *p, uint32_t v);
void abi_le64(uint8_t *p, uint64_t v);
uint32_t abi_rd32(const uint8_t *p);
uint64_t abi_rd64(const uint8_t *p);

/*
 * Copy a guest path out into buf (cap >= len + 1 is checked: E_NAMETOOLONG
 * when len > FS_PATH_MAX) and NUL-terminate it. E_FAULT for a bad range.
 * Embedded NUL bytes are kept (fs_resolve refuses them with E_INVAL).
 */
int abi_path(struct abi_cx *cx, uint32_t ptr, uint32_t len, char *buf, size_t cap);

/*
 * proc_raise, shared by wasi_snapshot_preview1 and wasix_32v1 (same
 * signature, same meaning): the signal to the caller itself. E_INVAL for a
 * signal number out of range; raise(0) only checks the caller exists.
 */
int abi_proc_raise(struct abi_cx *cx);

/*
 * A guest string of at most max bytes copied into a malloc'd NUL-terminated
 * buffer (*out, owned by the caller). E_FAULT, E_2BIG (over max), E_NOMEM.
 */
int abi_strdup(struct abi_cx *cx, uint32_t ptr, uint32_t len, size_t max, char **out);

/*
 * An iovec array (WASI iovec/ciovec: {u32 buf, u32 len}, 8 bytes each):
 * checks the array and every buffer, entry by entry. *total gets the sum
 * of the lengths, capped at UINT32_MAX (a result count is an u32).
 * Returns 0 or E_FAULT (E_INVAL if n is absurd: over 1024 entries, as
 * POSIX's IOV_MAX).
 */
#define ABI_IOV_MAX 1024
int abi_iovecs(struct abi_cx *cx, uint32_t iovs, uint32_t n, uint64_t *total);
/* Entry i of a checked iovec array: host pointer and length. */
uint8_t *abi_iov(struct abi_cx *cx, uint32_t iovs, uint32_t i, uint32_t *len);

/*
 * `\n`-separated strings (WASIX args/envs) into a NULL-terminated vector:
 * one malloc'd block holding the pointers and the strings (al_free(*out)).
 * An empty buffer gives an empty vector; a trailing `\n` ends the last
 * string instead of adding an empty one. E_FAULT, E_2BIG (over max bytes),
 * E_NOMEM.
 */
int abi_strvec(struct abi_cx *cx, uint32_t ptr, uint32_t len, size_t max, char ***out);

/* The system's random bytes (devfs urandom, seeded): 0 or an errno. */
int abi_random(struct abi_cx *cx, void *buf, size_t len);

/* Largest argv/envp payload accepted by exec and spawn (bytes). */
#define ABI_ARG_MAX (1u << 20)

#endif
