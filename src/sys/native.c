/*
 * native.c - native interface handlers: the host serving an interface in C
 * (include/warren.h: wr_interface_register, wr_next_message, wr_answer).
 *
 * The kernel (src/kern/ipc.c) keeps the interfaces and the messages; this
 * file adapts its host side to the public API. Each native interface has a
 * record (struct native) that is the kernel callback's context: it turns
 * a struct ipc_delivery into a wr_Message and calls the host's
 * wr_HandlerFn inside the emitter's host call (so inside wr_step: the
 * in_step guard keeps the handler from running the system). Interfaces
 * without a callback queue their messages; wr_step then stops with
 * WR_EV_MESSAGE and the host takes them with wr_next_message.
 */
#include "warren.h"
#include "base/alloc.h"
#include "fs/errno.h"
#include "kern/ipc.h"
#include "kern/kern.h"
#include "sys/sys_impl.h"

#include <stdio.h>
#include <string.h>

struct native {
	struct wr_System *sys;
	wr_HandlerFn fn;                  /* NULL: served from the host loop */
	void *ctx;
	char name[IPC_NAME_MAX + 1];
	struct native *next;
};

/* The WR_* status for an errno of the ipc layer. */
static int
ipc_status(int e)
{
	static const struct {
		int e, wr;
	} map[] = {
		{ 0, WR_OK }, { E_EXIST, WR_EEXIST }, { E_AGAIN, WR_EAGAIN },
		{ E_NOENT, WR_ENOENT }, { E_INVAL, WR_EARG }, { E_2BIG, WR_EARG },
		{ E_NOMEM, WR_ENOMEM }, { E_NOBUFS, WR_ENOMEM }, { E_MFILE, WR_ENOMEM },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].e == e)
			return map[i].wr;
	return WR_EIO;
}

static int
fail(struct wr_System *sys, int status, const char *what, const char *name)
{
	snprintf(sys->errmsg, sizeof sys->errmsg, "%s %.63s: %s", what, name ? name : "(any)",
		 wr_errmsg(status));
	return status;
}

static struct native **
find(struct wr_System *sys, const char *name)
{
	struct native **pp;

	for (pp = &sys->natives; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->name, name))
			return pp;
	return NULL;
}

static void
to_message(const struct ipc_delivery *d, const char *intf, const void *body, wr_Message *m)
{
	memset(m, 0, sizeof *m);
	m->id = d->id;
	m->kind = d->kind == IPC_DESTROYED ? WR_MSG_DESTROYED : WR_MSG_MESSAGE;
	m->pid = d->pid;
	m->needs_answer = (d->flags & IPC_ANSWER) != 0;
	m->interface = intf;
	m->body = body;
	m->len = d->len;
}

/*
 * The kernel's callback: inside the emitter's host call (so inside
 * wr_step). WR_OK: done; WR_BLOCK: answered later with wr_answer; any
 * other return is a handler failure, answered E_IO for it if an answer
 * is still due.
 */
static int
native_cb(void *ctx, const struct ipc_delivery *d, const uint8_t *body)
{
	struct native *n = ctx;
	wr_Message m;
	int r;

	to_message(d, n->name, body, &m);
	r = n->fn(n->ctx, n->sys, &m);
	if (r == WR_BLOCK)
		return 1;
	if (r != WR_OK && d->kind == IPC_MESSAGE && (d->flags & IPC_ANSWER))
		ipc_host_answer(n->sys->k, d->id, E_IO, NULL, 0);
	return 0;
}

static int
interface_register(struct wr_System *sys, const char *name, wr_HandlerFn fn, void *ctx)
{
	struct native *n;
	int e;

	if (find(sys, name))
		return fail(sys, WR_EEXIST, "register", name);
	n = al_calloc(1, sizeof *n);
	if (!n)
		return fail(sys, WR_ENOMEM, "register", name);
	n->sys = sys;
	n->fn = fn;
	n->ctx = ctx;
	memcpy(n->name, name, strlen(name) + 1);
	e = ipc_host_register(sys->k, name, fn ? native_cb : NULL, n);
	if (e) {
		al_free(n);
		return fail(sys, ipc_status(e), "register", name);
	}
	n->next = sys->natives;
	sys->natives = n;
	return WR_OK;
}

int
wr_interface_register(wr_System *sys, const char *name, wr_HandlerFn fn, void *ctx)
{
	const struct al_alloc *prev;
	int st;

	if (!sys)
		return WR_EARG;
	if (!ipc_name_ok(name))
		return fail(sys, WR_EARG, "register", "(bad name)");
	if (sys->in_step)
		return WR_ESTATE;
	prev = sys_enter(sys);
	st = interface_register(sys, name, fn, ctx);
	sys_leave(prev);
	return st;
}

int
wr_interface_unregister(wr_System *sys, const char *name)
{
	const struct al_alloc *prev;
	struct native **pp, *n;
	int st = WR_OK;

	if (!sys || !name)
		return WR_EARG;
	if (sys->in_step)
		return WR_ESTATE;
	prev = sys_enter(sys);
	if (!(pp = find(sys, name))) {
		st = fail(sys, WR_ENOENT, "unregister", name);
	} else {
		n = *pp;
		ipc_host_unregister(sys->k, n->name);
		*pp = n->next;
		al_free(n);
	}
	sys_leave(prev);
	return st;
}

int
wr_next_message(wr_System *sys, const char *name, wr_Message *m, void *buf, size_t cap)
{
	const struct al_alloc *prev;
	struct ipc_delivery d;
	struct native **pp;
	int e, st;

	if (m)
		memset(m, 0, sizeof *m);
	if (!sys || !m || (!buf && cap))
		return WR_EARG;
	if (sys->in_step)
		return WR_ESTATE;
	if (name && !(pp = find(sys, name)))
		return fail(sys, WR_ENOENT, "next message of", name);
	prev = sys_enter(sys);
	memset(&d, 0, sizeof d);
	e = ipc_host_next(sys->k, name, &d, buf, cap);
	sys_leave(prev);
	if (e && e != E_NOBUFS)
		return e == E_AGAIN ? WR_EAGAIN : fail(sys, ipc_status(e), "next message of", name);
	/* The name must outlive the call: the record's, else the system's copy. */
	d.intf[IPC_NAME_MAX] = 0;
	pp = find(sys, d.intf);
	if (!pp) {
		snprintf(sys->msg_intf, sizeof sys->msg_intf, "%s", d.intf);
	}
	to_message(&d, pp ? (*pp)->name : sys->msg_intf, buf, m);
	st = e ? WR_ENOMEM : WR_OK;
	if (e) {
		m->body = NULL;
		snprintf(sys->errmsg, sizeof sys->errmsg, "message %llu needs %zu bytes",
			 (unsigned long long)m->id, m->len);
	}
	return st;
}

int
wr_answer(wr_System *sys, uint64_t id, int error, const void *body, size_t len)
{
	const struct al_alloc *prev;
	int e;

	if (!sys || (!body && len))
		return WR_EARG;
	if (len > IPC_BODY_MAX) {
		snprintf(sys->errmsg, sizeof sys->errmsg, "answer of %zu bytes: over %u", len,
			 IPC_BODY_MAX);
		return WR_EARG;
	}
	/* Allowed inside a handler's callback: that is where inline answers come from. */
	prev = sys_enter(sys);
	e = ipc_host_answer(sys->k, id, error, body, len);
	sys_leave(prev);
	if (e) {
		snprintf(sys->errmsg, sizeof sys->errmsg, "answer %llu: %s",
			 (unsigned long long)id, e == E_NOENT ? "no such message waits" : "failed");
		return ipc_status(e);
	}
	return WR_OK;
}

void
native_free_all(struct wr_System *sys)
{
	while (sys->natives) {
		struct native *n = sys->natives;

		sys->natives = n->next;
		al_free(n);
	}
}
