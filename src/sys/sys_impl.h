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
#include "fs/fs.h"

struct kern;
struct abi;
struct fs;
struct tty;
struct file;
struct hostpipe;                      /* system.c: a WR_STDIO_PIPE process's host ends */
struct native;                        /* native.c: a native interface */

#define HOST_FILE_MAX (1u << 30)

/* Why processes ended, for wr_metrics (events.c counts them). */
enum sys_end { END_EXIT, END_SIGNAL, END_TRAP, END_LIMIT, END_NREASONS };

/* events.c: the event ring and the counters fed by the kernel's records. */
struct sys_events {
	wr_Record *ring;                  /* cap records, count of them from head */
	uint32_t cap, max, head, count;   /* max: wr_Config.max_events */
	uint64_t seq, lost;
	uint64_t started;                 /* processes started (KEV_SPAWN) */
	uint64_t ended[END_NREASONS];     /* processes ended, by reason */
};

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
	struct sys_events ev;             /* events.c */
	bool det;                         /* wr_Config.deterministic */
	uint64_t det_skip;                /* deterministic: idle ns skipped so far */
	uint64_t fs_devs;                 /* the last device number of its file systems */
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
uint64_t sys_det_realtime(void *sys);

static inline const struct al_alloc *
sys_enter(const struct wr_System *sys)
{
	/* A deterministic system's realtime clock (file times, WASI realtime),
	 * and the system's own device numbers (the same in every run). */
	fs_clock_push(sys->det ? sys_det_realtime : NULL, (void *)sys, (uint64_t *)&sys->fs_devs);
	return al_enter(sys->al);
}

static inline void
sys_leave(const struct al_alloc *prev)
{
	al_leave(prev);
	fs_clock_pop();
}

/*
 * events.c: the kernel's records into the ring, and deterministic time.
 * events_attach (right after kern_new, before any process exists) hooks
 * k->on_event and, for a deterministic system, the virtual clock;
 * events_free unhooks and frees the ring (before kern_free);
 * events_step is kern_step for wr_step (a deterministic system skips idle
 * time to the next timer instead of reporting IDLE).
 * sys_fuel_clock: instructions run by the system so far, the running
 * slice included (the records' clock).
 */
void events_attach(struct wr_System *sys, const wr_Config *cfg);
void events_free(struct wr_System *sys);
struct kern_event;
int events_step(struct wr_System *sys, int64_t budget, struct kern_event *ke);
uint64_t sys_fuel_clock(const struct kern *k);

/* native.c: drop every native interface record (wr_system_free, after kern_free). */
void native_free_all(struct wr_System *sys);


#endif
