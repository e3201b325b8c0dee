/*
 * ipc.c - <warren/ipc.h>: interface IPC over warren_v1's intf_* and msg_*
 * calls (docs/abi.md, docs/ipc.md).
 *
 * Each function is one host call: the errno it returns becomes -1 and
 * errno. Blocking calls (msg_next and msg_wait with WR_MSG_BLOCK, msg_emit
 * with WR_EMIT_WAIT) sleep in the host; a caught signal ends them with
 * EINTR, which they retry while the signal's handler asked for SA_RESTART.
 */
#include <string.h>
#include <warren/ipc.h>

#include "../sdk.h"

#define WR_IMPORT_IPC(name) __attribute__((import_module("warren_v1"), import_name(#name)))

WR_IMPORT_IPC(intf_register) int32_t __wr_intf_register(const char *name, uint32_t len);
WR_IMPORT_IPC(intf_unregister) int32_t __wr_intf_unregister(const char *name, uint32_t len);
WR_IMPORT_IPC(msg_emit) int32_t __wr_msg_emit(const char *target, uint32_t target_len,
					      const void *body, uint32_t body_len, uint32_t flags,
					      uint64_t *id);
WR_IMPORT_IPC(msg_cancel) int32_t __wr_msg_cancel(uint64_t id);
WR_IMPORT_IPC(msg_wait) int32_t __wr_msg_wait(const uint64_t *ids, uint32_t n, uint32_t flags,
					      uint32_t *index);
WR_IMPORT_IPC(msg_take) int32_t __wr_msg_take(uint64_t id, void *buf, uint32_t cap,
					      uint32_t *len, int32_t *status);
WR_IMPORT_IPC(msg_next) int32_t __wr_msg_next(const char *name, uint32_t name_len,
					      uint32_t flags, void *hdr, void *buf, uint32_t cap);
WR_IMPORT_IPC(msg_answer) int32_t __wr_msg_answer(uint64_t id, int32_t status,
						  const void *body, uint32_t len);

/* msg_next's header (docs/abi.md): little-endian, as wasm32 is. */
struct hdr {
	uint64_t id;
	uint32_t kind;
	int32_t pid;
	uint32_t flags;
	uint32_t len;
	char intf[64];
};
_Static_assert(sizeof(struct hdr) == 88, "msg_next's header is 88 bytes");

/* A length the host call can carry: over 4 GiB is over any limit anyway. */
static uint32_t
len32(size_t n)
{
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* EINTR from a blocking call: retry when only SA_RESTART handlers ran. */
#define RESTARTING(e, seen) ((e) == EINTR && __wr_sig_nonrestart == (seen))

int
wr_intf_register(const char *name)
{
	if (!name)
		return __wr_fail(EINVAL);
	return __wr_ret(__wr_intf_register(name, len32(strlen(name))));
}

int
wr_intf_unregister(const char *name)
{
	if (!name)
		return __wr_fail(EINVAL);
	return __wr_ret(__wr_intf_unregister(name, len32(strlen(name))));
}

int
wr_msg_next(const char *name, unsigned flags, struct wr_msg *m, void *buf, size_t cap)
{
	unsigned seen = __wr_sig_nonrestart;
	struct hdr h;
	int32_t e;
	char none;

	if (!m)
		return __wr_fail(EINVAL);
	do {
		memset(&h, 0, sizeof h);
		e = __wr_msg_next(name ? name : "", name ? len32(strlen(name)) : 0, flags, &h,
				  buf ? buf : (void *)&none, buf ? len32(cap) : 0);
	} while (RESTARTING(e, seen));
	if (e == 0 || e == ENOBUFS) {
		m->id = h.id;
		m->kind = (int)h.kind;
		m->pid = (pid_t)h.pid;
		m->flags = h.flags;
		m->len = h.len;
		memcpy(m->intf, h.intf, sizeof m->intf - 1);
		m->intf[sizeof m->intf - 1] = 0;
	}
	return __wr_ret(e);
}

int
wr_msg_answer(uint64_t id, int status, const void *body, size_t len)
{
	char none;

	if (!body && len)
		return __wr_fail(EINVAL);
	return __wr_ret(__wr_msg_answer(id, status, body ? body : &none, len32(len)));
}

int
wr_emit(const char *target, unsigned flags, const void *body, size_t len, uint64_t *id)
{
	unsigned seen = __wr_sig_nonrestart;
	uint64_t got = 0;
	char none;
	int32_t e;

	if (!target || (!body && len))
		return __wr_fail(EINVAL);
	do
		e = __wr_msg_emit(target, len32(strlen(target)), body ? body : &none, len32(len),
				  flags, &got);
	while (RESTARTING(e, seen));
	if (e)
		return __wr_fail(e);
	if (id)
		*id = got;
	return 0;
}

int
wr_msg_cancel(uint64_t id)
{
	return __wr_ret(__wr_msg_cancel(id));
}

int
wr_msg_wait(const uint64_t *ids, size_t n, unsigned flags, size_t *index)
{
	unsigned seen = __wr_sig_nonrestart;
	uint32_t i = 0;
	int32_t e;

	if (!ids && n)
		return __wr_fail(EINVAL);
	do
		e = __wr_msg_wait(ids, len32(n), flags, &i);
	while (RESTARTING(e, seen));
	if ((e == 0 || e == ENOENT) && index)
		*index = i;
	return __wr_ret(e);
}

int
wr_msg_take(uint64_t id, int *status, void *buf, size_t cap, size_t *len)
{
	uint32_t got = 0;
	int32_t st = 0;
	char none;
	int32_t e = __wr_msg_take(id, buf ? buf : &none, buf ? len32(cap) : 0, &got, &st);

	if ((e == 0 || e == ENOBUFS) && len)
		*len = got;
	if (e == 0 && status)
		*status = st;
	return __wr_ret(e);
}

int
wr_call(const char *target, const void *body, size_t len, int *status, void *buf, size_t cap,
	size_t *outlen)
{
	uint64_t id;
	size_t index;
	int saved;

	if (wr_emit(target, WR_EMIT_ANSWER, body, len, &id) < 0)
		return -1;
	if (wr_msg_wait(&id, 1, WR_MSG_BLOCK, &index) < 0 ||
	    wr_msg_take(id, status, buf, cap, outlen) < 0) {
		/* A signal or a buffer too small: withdraw, so nothing leaks. */
		saved = errno;
		wr_msg_cancel(id);
		errno = saved;
		return -1;
	}
	return 0;
}
