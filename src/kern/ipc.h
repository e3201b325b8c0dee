/*
 * ipc.h - interfaces and messages (Redshirt's model), in the kernel.
 *
 * A process (or the host: a native handler) registers as the handler of
 * a named interface; one handler per name. Other processes emit messages
 * to the interface, never to a pid. A message expects zero or one answer:
 * ok (error 0) with a body, or an error code with an optional body.
 *
 * Names and namespaces. Registered interfaces appear as files in srvfs,
 * mounted at /srv in the root namespace. An emitter names the interface by
 * a path resolved in its own namespace ("kv" is short for "/srv/kv"); the
 * path must end on a srvfs node, which carries the interface name. srvfs
 * lists the registered names, but a lookup of any well-formed name gives a
 * node (so a parent can bind /srv/kv into a child's namespace before kv
 * has a handler, and an emitter can wait for a handler to register). A
 * parent decides what a child can reach by what it leaves at /srv for it:
 * `bind -r /tmp/empty /srv` cuts a child off from every interface.
 *
 * Life of a message: QUEUED on its interface (bounded: IPC_INTF_QUEUE) ->
 * DELIVERED to the handler by ipc_next (the handler pulls: backpressure)
 * -> ANSWERED, held for the emitter until it takes the answer
 * (ipc_take). A message that needs no answer is freed when delivered.
 * Each emitter has at most IPC_PROC_OUTSTANDING messages it has not yet
 * taken the answer of (or that are not yet delivered, when no answer is
 * expected).
 *
 * Death. When a handler ends (or unregisters), every message it had not
 * answered, queued or delivered, is answered with E_CONNRESET, and its
 * registrations are dropped. When an emitter ends, its queued messages that
 * expect an answer are withdrawn (fire-and-forget ones are still
 * delivered), answers still due to it are dropped on arrival, and the
 * handler of every interface it had emitted to gets an IPC_DESTROYED
 * notification naming its pid (through ipc_next, outside the queue bound).
 *
 * Ids: message ids count up from 1 in the order of emission, per kernel,
 * so a run with the same seed and inputs gives the same ids.
 *
 * Blocking follows kern.h: a call that must wait puts the process to sleep
 * (kern_sleep*) before changing anything and returns E_BLOCK; it is
 * re-executed when woken.
 */
#ifndef WARREN_KERN_IPC_H
#define WARREN_KERN_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kern;
struct proc;
struct fs;

#define IPC_NAME_MAX 63              /* bytes of an interface name: [A-Za-z0-9._-] */
#define IPC_BODY_MAX (64u * 1024)    /* bytes of a message body or an answer body */
#define IPC_INTF_QUEUE 256           /* messages queued (not yet pulled) per interface */
#define IPC_PROC_OUTSTANDING 1024    /* messages per emitter not yet answered and taken */
#define IPC_PROC_INTFS 64            /* interfaces one process may handle */

/* ipc_emit flags */
#define IPC_ANSWER   1u   /* the emitter wants an answer (else: fire and forget) */
#define IPC_WAIT     2u   /* no handler yet: block until one registers (else E_NOENT) */
/* ipc_next / ipc_wait flags */
#define IPC_BLOCK    1u   /* sleep until something arrives (else E_AGAIN) */

/* What ipc_next delivers. */
enum ipc_kind {
	IPC_MESSAGE = 0,     /* a message: id, emitter pid, flags, body */
	IPC_DESTROYED = 1,   /* process `pid`, which had emitted to this interface, ended */
};

struct ipc_delivery {
	enum ipc_kind kind;
	uint64_t id;          /* 0 for IPC_DESTROYED */
	int32_t pid;          /* the emitter (0: the host) */
	uint32_t flags;       /* IPC_ANSWER when an answer is expected */
	uint32_t len;         /* body length (also when the caller's buffer is too small) */
	char intf[IPC_NAME_MAX + 1];
};

/*
 * A native interface's callback (the host's C handler), called inside the
 * emitter's host call as the message arrives: d describes it, body/len is
 * its body (valid for the call). Return 0 when done (answered inside with
 * ipc_host_answer, or no answer needed), or 1 to answer later.
 */
typedef int (*ipc_native_fn)(void *ctx, const struct ipc_delivery *d, const uint8_t *body);

/* Set up and tear down k->ipc (kern_new / kern_free call these). 0 or E_NOMEM. */
int ipc_init(struct kern *k);
void ipc_free(struct kern *k);

/* The srvfs file system over k's interfaces (the system mounts it at /srv). */
int ipc_srvfs_new(struct kern *k, struct fs **out);

/* Whether the NUL-terminated s (NULL: no) is an interface name: 1 to
 * IPC_NAME_MAX bytes of [A-Za-z0-9._-], neither "." nor "..". */
bool ipc_name_ok(const char *s);

/* ---- process calls (each on behalf of p, the caller) ------------------------ */

/* Become the handler of `name`. E_INVAL (bad name), E_EXIST (taken),
 * E_MFILE (over IPC_PROC_INTFS), E_NOMEM. Wakes emitters waiting (IPC_WAIT). */
int ipc_register(struct proc *p, const char *name);
/* Stop handling `name` (unanswered messages get E_CONNRESET). E_NOENT if p
 * is not its handler. */
int ipc_unregister(struct proc *p, const char *name);

/*
 * Emit a message to the interface at `target` (a path in p's namespace;
 * a bare name means /srv/NAME). *id gets its id. E_NOENT: no such
 * interface in p's namespace, or no handler (without IPC_WAIT); E_INVAL:
 * the path is not an interface; E_2BIG: body over IPC_BODY_MAX; E_AGAIN:
 * the interface's queue or p's outstanding count is full ("queue full");
 * E_BLOCK (IPC_WAIT and no handler yet). A native handler with a callback
 * gets it at once, inside this call.
 */
int ipc_emit(struct proc *p, const char *target, uint32_t flags, const void *body,
	     size_t len, uint64_t *id);
/*
 * Withdraw message id (emitted by p): queued, it is removed; delivered,
 * the answer is dropped when it comes; answered, the answer is freed.
 * E_NOENT: not a message of p's that is still outstanding.
 */
int ipc_cancel(struct proc *p, uint64_t id);
/*
 * Which of the n messages ids[] (emitted by p, with IPC_ANSWER) has an
 * answer: *index gets the first one that does. E_AGAIN: none yet (without
 * IPC_BLOCK); E_BLOCK; E_NOENT: an id is not an outstanding message of p's
 * (*index names it); E_INVAL: n is 0 or over IPC_PROC_OUTSTANDING.
 */
int ipc_wait(struct proc *p, const uint64_t *ids, size_t n, uint32_t flags, size_t *index);
/*
 * Take the answer of message id: *error gets its error code (0: ok), the
 * body is copied into buf and *len gets its length; the message is then
 * gone. E_AGAIN: not answered yet; E_NOENT: not an outstanding message of
 * p's; E_NOBUFS: cap < the body length (*len says how much; nothing taken).
 */
int ipc_take(struct proc *p, uint64_t id, int32_t *error, void *buf, size_t cap, size_t *len);

/*
 * The handler's next delivery, from interface `name` (NULL: any interface
 * p handles), oldest first, notifications included. The body is copied
 * into buf. E_AGAIN (nothing, without IPC_BLOCK), E_BLOCK, E_NOENT (p
 * handles no such interface, or none at all), E_NOBUFS (cap < d->len;
 * the message stays queued, d says what it is).
 */
int ipc_next(struct proc *p, const char *name, uint32_t flags, struct ipc_delivery *d,
	     void *buf, size_t cap);
/*
 * Answer message id, delivered to p. error 0: ok. An answer to a cancelled
 * message, or to one whose emitter has ended, is dropped (returns 0).
 * E_NOENT: not a delivered message of p's interfaces awaiting an answer;
 * E_2BIG: body over IPC_BODY_MAX.
 */
int ipc_answer(struct proc *p, uint64_t id, int32_t error, const void *body, size_t len);

/* p is ending (called from the exit path once, before it becomes a zombie). */
void ipc_proc_exit(struct proc *p);

/* ---- the host (native handlers) ----------------------------------------------- */

/*
 * Serve `name` from the host. fn NULL: messages queue and kern_step
 * returns KERN_MESSAGE while any is queued; take them with ipc_host_next.
 * E_INVAL, E_EXIST, E_NOMEM.
 */
int ipc_host_register(struct kern *k, const char *name, ipc_native_fn fn, void *ctx);
int ipc_host_unregister(struct kern *k, const char *name);
/* Like ipc_next for the host's queue-served interfaces (name NULL: any). */
int ipc_host_next(struct kern *k, const char *name, struct ipc_delivery *d, void *buf,
		  size_t cap);
/* Like ipc_answer for messages delivered to native handlers. */
int ipc_host_answer(struct kern *k, uint64_t id, int32_t error, const void *body, size_t len);
/* Messages queued for queue-served native interfaces (kern_step's KERN_MESSAGE test). */
size_t ipc_host_pending(const struct kern *k);

/* ---- accounting (metrics) ------------------------------------------------------ */
struct ipc_stats {
	uint64_t emitted, answered, cancelled, failed;  /* failed: answered by the kernel
	                                                   with an error (handler died) */
	uint64_t queued;                                /* now, all interfaces */
	uint32_t interfaces;                            /* registered now */
};
void ipc_stats(const struct kern *k, struct ipc_stats *st);

#endif
