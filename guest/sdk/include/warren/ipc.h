/*
 * <warren/ipc.h> - interface IPC for guests (warren_v1's msg_* calls).
 *
 * A process registers as the handler of a named interface; others emit
 * messages to it by name (a path in their namespace: "kv" is /srv/kv).
 * A message expects zero or one answer: ok (status 0) with a body, or an
 * error status with an optional body. Handlers pull messages with
 * wr_msg_next, which is the backpressure. See docs/ipc.md.
 *
 * Every function returns 0 on success or -1 with errno set:
 *   ENOENT   no such interface in the caller's namespace / no handler /
 *            not one of the caller's messages
 *   EEXIST   the interface already has a handler
 *   EAGAIN   nothing yet (non-blocking), or a queue is full
 *   E2BIG    body over WR_MSG_MAX
 *   ENOBUFS  the buffer is too small (the length needed is reported)
 *   EINVAL   bad name or arguments
 */
#ifndef WARREN_IPC_H
#define WARREN_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WR_MSG_MAX (64 * 1024)    /* bytes of a body */
#define WR_INTF_NAME_MAX 63

/* wr_emit flags */
#define WR_EMIT_ANSWER 1          /* an answer is expected */
#define WR_EMIT_WAIT   2          /* no handler yet: block until one registers */
/* wr_msg_next / wr_msg_wait flags */
#define WR_MSG_BLOCK   1          /* block until something arrives */

/* What wr_msg_next returns. */
enum { WR_MSG_MESSAGE = 0, WR_MSG_DESTROYED = 1 };

struct wr_msg {
	uint64_t id;              /* 0 for WR_MSG_DESTROYED */
	int kind;                 /* WR_MSG_MESSAGE or WR_MSG_DESTROYED */
	pid_t pid;                /* the emitter (or the process that ended) */
	unsigned flags;           /* WR_EMIT_ANSWER if it expects an answer */
	size_t len;               /* body length */
	char intf[WR_INTF_NAME_MAX + 1];  /* which interface */
};

/* Handler side. */
int wr_intf_register(const char *name);
int wr_intf_unregister(const char *name);
/* Next delivery from interface name (NULL: any of the caller's); the body
 * goes to buf (ENOBUFS if cap < m->len: the message stays queued). */
int wr_msg_next(const char *name, unsigned flags, struct wr_msg *m, void *buf, size_t cap);
int wr_msg_answer(uint64_t id, int status, const void *body, size_t len);

/* Emitter side. */
int wr_emit(const char *target, unsigned flags, const void *body, size_t len, uint64_t *id);
int wr_msg_cancel(uint64_t id);
/* Which of ids[0..n) has an answer: *index gets the first (EAGAIN if none
 * and not WR_MSG_BLOCK). */
int wr_msg_wait(const uint64_t *ids, size_t n, unsigned flags, size_t *index);
/* Take the answer of id: *status (0 ok), body into buf, *len its length
 * (ENOBUFS if cap is too small: *len says how much, nothing is taken). */
int wr_msg_take(uint64_t id, int *status, void *buf, size_t cap, size_t *len);

/* Emit, wait and take in one: a blocking call. Returns 0 and the answer's
 * status in *status, or -1 with errno. */
int wr_call(const char *target, const void *body, size_t len, int *status, void *buf,
	    size_t cap, size_t *outlen);

#ifdef __cplusplus
}
#endif

#endif
