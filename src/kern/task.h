/*
 * task.h - the control plane: /task (taskfs) and /cap (capfs).
 *
 * Every process is visible and controllable as files (Plan 9's /proc,
 * Wanix's /task).  taskfs is a file system of the kernel: its vnodes name
 * processes by pid and look the process up again on every operation, so
 * a handle never reaches another process (pids are never reused within a
 * run), and one whose process has exited answers E_SRCH, "no such
 * process", except for the files that report the exit itself (status,
 * wait, exitcode) and the output a task made through /task/new left in
 * its pipes.
 *
 *   /task/new            reading allocates a task (a child of the reader,
 *                        not started, stdio on pipes) and returns its id
 *   /task/self           a link to the reader's own task
 *   /task/ID/ctl         whole-line verbs (one table: see taskfs.c)
 *   /task/ID/status      "pid ppid pgid state fuel mem name"
 *   /task/ID/wait        blocks until the task ends: "exit N" or "signal N NAME"
 *   /task/ID/exitcode    the shell's code (N, or 128 + signal) once ended
 *   /task/ID/env, cwd    writable before start, readable always
 *   /task/ID/args        one argument per line
 *   /task/ID/fd/N        the task's fd N (a made task's stdio: the other end
 *                        of its pipes); fd/N/ctl: dup PATH, pipe ID/fd/M, close
 *   /task/ID/ns/         ctl (bind, unbind, mount, nomount), mounts, dump
 *   /task/ID/stat/       mem, cpu, io
 *   /task/ID/tree/       a /task that shows ID and its descendants only
 *
 * Which tasks a /task shows is its view: the whole system ("#task"), or
 * one task's subtree (ID/tree).  A task made through a view stays in it
 * when its maker exits and it is re-parented.
 *
 *   /cap/new/pipe        reading makes a pipe and returns its id
 *   /cap/ID/r, /cap/ID/w its ends; the pipe goes once both are closed
 */
#ifndef WARREN_KERN_TASK_H
#define WARREN_KERN_TASK_H

#include <stddef.h>

struct kern;
struct ns;
struct proc;

/*
 * Builds taskfs and capfs for k, mounts them on /task and /cap of root
 * (which must exist) and offers them to the namespace family as "#task"
 * and "#cap".  Returns 0, E_NOMEM, or what ns_mount returned.  The file
 * systems live as long as a namespace or an open file holds them; k must
 * outlive them (kern_free drops every namespace first).
 */
int task_attach(struct kern *k, struct ns *root);

/*
 * The kernel's hook at the end of proc_exit: remembers how p ended for the
 * wait and exitcode files and wakes their readers.  A no-op without
 * taskfs.
 */
void task_exited(struct proc *p);

/*
 * Apply one ns/ctl line ("bind -r /tmp/jail /srv", "unbind /task", mount,
 * nomount) to p's namespace, as writing it to /task/ID/ns/ctl does.
 * Returns 0, or an errno with the reason in err (NUL-terminated when
 * errlen > 0).
 */
int task_ns_apply(struct proc *p, const char *line, char *err, size_t errlen);

/* A new capfs (the /cap file system) for k; NULL on allocation failure. */
struct fs *capfs_new(struct kern *k);

#endif
