/*
 * kt.h - a small harness for kernel tests: tiny wat programs that import a
 * few test host functions (module "k") and run as processes under a
 * kernel with a virtual clock and no abi layer.
 *
 * Imports (all return through kern_ret):
 *   k.pid () -> i32               k.ppid () -> i32
 *   k.fork () -> i32              child pid, 0 in the child, -errno
 *   k.exit (i32)                  k.log (i32): append (pid, v) to the trace
 *   k.wait (pid, opts, statusp) -> i32   rpid or -errno; status at statusp
 *   k.kill (pid, sig) -> i32      0 or -errno
 *   k.waitflag (i) -> i32         sleep until flag i is set: 0, or -E_INTR
 *   k.setflag (i)                 set flag i and wake its sleepers
 *   k.sigaction (sig, disp) -> i32
 *   k.handler () -> i32           register export "h" (i32) -> () as handler
 *   k.sleep (ns i64) -> i32       0 once the time has passed
 *   k.setpgid (pid, pgid) -> i32  k.getpgid (pid) -> i32   k.setsid () -> i32
 *   k.exec (i) -> i32             exec program i of kt_progs
 *   k.nice (inc) -> i32
 */
#ifndef WARREN_TESTS_KT_H
#define WARREN_TESTS_KT_H

#include "kern/kern.h"
#include "warren.h"

#include <stddef.h>
#include <stdint.h>

#define KT_MAXLOG 512

struct kt_log {
	int32_t pid, v;
};

extern struct kt_log kt_trace[KT_MAXLOG];
extern int kt_ntrace;
extern uint64_t kt_clock_ns;
extern int kt_flags[16];
/* Programs k.exec can switch to. */
extern const uint8_t *kt_progs[4];
extern size_t kt_proglen[4];
/* kt_run: the diag of the awaited exit, steps taken, clock advance per step
 * (set after kt_kern, or before run(); kt_kern_free resets it). */
extern char kt_diag[200];
extern int kt_steps;
extern uint64_t kt_tick_ns;
/* max_total_pages of the next kt_kern (0: default). */
extern uint32_t kt_total_pages;

/* wat source -> malloc'd wasm bytes (via wat2wasm), NULL on failure. */
uint8_t *kt_wat(const char *src, size_t *len);

/* A kernel with the test resolver and clock; trace and flags reset. */
struct kern *kt_kern(uint64_t seed, uint32_t max_procs, uint64_t max_fuel);
void kt_kern_free(struct kern *k);

/* Spawn a host child running wasm bytes; returns its pid or -errno. */
int32_t kt_spawn(struct kern *k, const uint8_t *bytes, size_t len);

/*
 * Step until every process is gone or `max_steps` steps ran; IDLE with a
 * timer advances the virtual clock to it. Returns the exit status of the
 * host child `pid` (Linux encoding), or -1 if it never ended.
 */
int32_t kt_run(struct kern *k, int32_t pid, int max_steps);

/* The host functions of k.log and k.exit, for test harnesses with their
 * own import tables (a process's userdata is its struct proc). */
enum vm_status kt_host_log(struct vm_instance *inst, void *ctx, vm_slot *a);
enum vm_status kt_host_exit(struct vm_instance *inst, void *ctx, vm_slot *a);

/* Spawns wat source in a system (include/warren.h) with the stdio modes
 * in, out, err (and in the foreground if fg); its pid, or 0 after a test
 * failure (wat2wasm or wr_spawn failed). */
int32_t kt_wr_spawn(wr_System *sys, const char *wat, int in, int out, int err, int fg);

/* How many trace entries have value v (from any pid when pid == 0). */
int kt_count(int32_t pid, int32_t v);
/* Index of the first trace entry with value v, -1 if none. */
int kt_find(int32_t v);

#endif
