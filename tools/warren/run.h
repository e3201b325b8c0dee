/*
 * run.h - the process commands of the warren CLI (run.c).
 */
#ifndef WARREN_TOOLS_RUN_H
#define WARREN_TOOLS_RUN_H

/* `warren run ARGS` and `warren sh ARGS` (argv without the command name).
 * Return the exit status for warren. */
int cmd_run(int argc, char **argv);
int cmd_sh(int argc, char **argv);

#endif
