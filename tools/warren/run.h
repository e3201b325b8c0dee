/*
 * run.h - the process commands of the warren CLI: run and sh (run.c), ps
 * (ps.c) and trace (trace.c).
 */
#ifndef WARREN_TOOLS_RUN_H
#define WARREN_TOOLS_RUN_H

#include <stddef.h>

#include "warren.h"

/* `warren run ARGS` and `warren sh ARGS` (argv without the command name).
 * Return the exit status for warren. */
int cmd_run(int argc, char **argv);
int cmd_sh(int argc, char **argv);
/* `warren ps [HOSTPID...]` (ps.c). */
int cmd_ps(int argc, char **argv);
/* `warren trace [-o FILE] [--syscalls] [OPTIONS] PROG.wasm|sh ARGS` (trace.c). */
int cmd_trace(int argc, char **argv);

/*
 * What a command built on run and sh adds to the run (all optional):
 * config adjusts the configuration before the system is made; booted sees
 * the system before the first process is spawned (< 0 fails the run);
 * stepped sees it after every wr_step, with that step's event; slice sets
 * the budget of each step.
 */
struct run_hooks {
	void (*config)(wr_Config *cfg, void *ctx);
	int (*booted)(wr_System *sys, void *ctx);
	void (*stepped)(wr_System *sys, const wr_Event *ev, void *ctx);
	void *ctx;
	int64_t slice;      /* instructions per wr_step; 0: run's default */
};

/* `warren run` / `warren sh` with hooks (h may be NULL); cmd names the
 * command in messages. */
int run_prog(int argc, char **argv, const char *cmd, const struct run_hooks *h);
int run_sh(int argc, char **argv, const char *cmd, const struct run_hooks *h);

/* The file where the warren in host process hostpid publishes its task
 * table: $TMPDIR/warren-HOSTPID.tasks. 0, or -1 if it does not fit. */
int tasks_file(long hostpid, char *buf, size_t cap);

#endif
