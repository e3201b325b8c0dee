/*
 * sys_impl.h - the system object (include/warren.h's wr_System), shared
 * by the files of src/sys: system.c (creation, programs, spawning,
 * stepping, the console and host streams), and the parts added beside it
 * (native interfaces, events and metrics).
 */
#ifndef WARREN_SYS_IMPL_H
#define WARREN_SYS_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "warren.h"
#include "base/alloc.h"

struct kern;
struct abi;
struct fs;
struct tty;
struct file;
struct hostpipe;                      /* system.c: a WR_STDIO_PIPE process's host ends */
struct native;                        /* native.c: a native interface */

#define HOST_FILE_MAX (1u << 30)

struct hostdev {
	struct wr_System *sys;
	int stream;
};

struct wr_System {
	struct al_alloc alloc;            /* the host's allocator (wr_Config.alloc) */
	const struct al_alloc *al;        /* &alloc, or NULL: the C library's */
	struct kern *k;
	struct abi *abi;
	struct fs *devfs;
	struct tty *tty;
	struct file *stdin_r, *stdin_w;   /* the host input pipe (lazily made) */
	bool stdin_closed;
	struct hostdev dev[2];            /* /dev/hostout, /dev/hosterr */
	char **env;                       /* default environment (one block) */
	wr_OutputFn output;
	void *output_ctx;
	bool in_step;
	struct hostpipe *pipes;           /* WR_STDIO_PIPE host ends, newest first */
	struct native *natives;           /* native interfaces (native.c) */
	char msg_intf[64];                /* wr_next_message's interface name */
	char errmsg[256];
};

/*
 * Every public entry point that takes a system runs with the system's
 * allocator in force:
 *
 *	const struct al_alloc *prev = sys_enter(sys);
 *	... the call's work, all allocation on the host's allocator ...
 *	sys_leave(prev);
 *
 * sys must not be NULL (check arguments first, or enter inside).
 */
static inline const struct al_alloc *
sys_enter(const struct wr_System *sys)
{
	return al_enter(sys->al);
}

static inline void
sys_leave(const struct al_alloc *prev)
{
	al_leave(prev);
}

/* native.c: drop every native interface record (wr_system_free, after kern_free). */
void native_free_all(struct wr_System *sys);


#endif
