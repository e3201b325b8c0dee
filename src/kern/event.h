/*
 * event.h - lifecycle and syscall records the kernel reports to the layer
 * above (the system's event ring: include/warren.h wr_events_drain).
 *
 * The kernel calls kern_event at each point below; it costs one test when
 * nobody listens (k->on_event NULL). The numbering is the public one
 * (enum wr_record_type); src/sys checks that with static asserts.
 */
#ifndef WARREN_KERN_EVENT_H
#define WARREN_KERN_EVENT_H

#include <stdint.h>

#include "kern/kern.h"

enum kev_type {
	KEV_SPAWN = 0,   /* pid created; a = parent pid (0: host); name = program */
	KEV_EXEC,        /* pid exec'd name */
	KEV_EXIT,        /* pid ended; a = wait status */
	KEV_SIGNAL,      /* signal a sent to pid by b (0: kernel or host) */
	KEV_BLOCK,       /* pid went to sleep; name = the call, when known */
	KEV_WAKE,        /* pid made runnable */
	KEV_REAP,        /* pid collected by a (0: the host) */
	KEV_SYSCALL,     /* pid called name(args); a = result; b = fuel clock at entry */
	KEV_MESSAGE,     /* pid emitted message a to interface name */
	KEV_ANSWER,      /* pid answered message a with error b */
};

struct kev {
	enum kev_type type;
	int32_t pid;
	int64_t a, b;
	const char *name;            /* may be NULL */
	const uint64_t *args;        /* KEV_SYSCALL */
	int nargs;
};

static inline void
kern_event(struct kern *k, enum kev_type type, int32_t pid, int64_t a, int64_t b,
	   const char *name)
{
	if (k->on_event) {
		struct kev ev = { .type = type, .pid = pid, .a = a, .b = b, .name = name };

		k->on_event(k->event_ctx, &ev);
	}
}

#endif
