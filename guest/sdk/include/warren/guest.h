/*
 * <warren/guest.h> - what the guest SDK offers beyond POSIX names.
 *
 * Programs built for warren include the usual headers (<unistd.h>,
 * <sys/wait.h>, <signal.h>, <fcntl.h>, <spawn.h>) and link -lwarren; this
 * header adds the few warren-specific calls the userland needs.
 */
#ifndef WARREN_GUEST_H
#define WARREN_GUEST_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The process table as text (warren_v1.ps): a header line, then one line
 * per process visible to the caller, "pid ppid pgid sid state nice fuel
 * pages name". Returns a malloc'd NUL-terminated string (the caller frees
 * it), or NULL with errno.
 */
char *wr_ps(void);

/* "INT" for 2 (no "SIG" prefix), NULL for a number warren does not name. */
const char *wr_signame(int sig);

/* The number of a signal named "INT", "SIGINT", "int" or "2"; -1 if none. */
int wr_signum(const char *name);

/* The highest signal number (64). */
#define WR_NSIG 64

#ifdef __cplusplus
}
#endif

#endif
