/*
 * ipc.c - warren_v1, continued: interface IPC (kern/ipc.h, docs/ipc.md).
 *
 * Each call checks every guest range (names, bodies, out-pointers) before
 * it asks the kernel for anything, then hands the kernel host copies of
 * the names and pointers into guest memory for the bodies (the kernel
 * copies a body before it returns). Message ids are u64: passed as i64
 * parameters, or as little-endian u64s in guest memory (msg_emit's *id,
 * msg_wait's id array). A call that must wait returns E_BLOCK from the
 * kernel (which has put the caller to sleep first) and is re-executed when
 * woken, so the checks here run again each time.
 *
 * msg_next's header, 88 bytes, little-endian:
 *   @0 id u64 (0: a notification) @8 kind u32 (0 message, 1 process
 *   destroyed) @12 pid i32 @16 flags u32 (1: an answer is expected)
 *   @20 len u32 (the body's length) @24 intf name, NUL-padded, 64 bytes.
 */
#include "abi/abi.h"
#include "base/alloc.h"
#include "fs/fs.h"
#include "kern/ipc.h"
#include "kern/kern.h"

#include <string.h>

#define HDR_SIZE 88

/* Guest name [ptr, ptr + len) into buf (IPC_NAME_MAX + 1 bytes). E_FAULT;
 * E_INVAL for an empty name, one too long or one holding a NUL byte. */
static int
getname(struct abi_cx *cx, uint32_t ptr, uint32_t len, char *buf)
{
	const uint8_t *s = abi_mem(cx, ptr, len);

	if (!s)
		return E_FAULT;
	if (len == 0 || len > IPC_NAME_MAX || memchr(s, 0, len))
		return E_INVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	return 0;
}

static int
sys_intf_register(struct abi_cx *cx)
{
	char name[IPC_NAME_MAX + 1];
	int r = getname(cx, ARG32(cx, 0), ARG32(cx, 1), name);

	return r ? r : ipc_register(cx->p, name);
}

static int
sys_intf_unregister(struct abi_cx *cx)
{
	char name[IPC_NAME_MAX + 1];
	int r = getname(cx, ARG32(cx, 0), ARG32(cx, 1), name);

	return r ? r : ipc_unregister(cx->p, name);
}

static int
sys_msg_emit(struct abi_cx *cx)
{
	uint32_t tlen = ARG32(cx, 1), blen = ARG32(cx, 3), flags = ARG32(cx, 4);
	char small[256], *target = NULL;
	const uint8_t *body;
	uint64_t id = 0;
	int r;

	if (abi_check(cx, ARG32(cx, 5), 8))
		return E_FAULT;
	if (!(body = abi_mem(cx, ARG32(cx, 2), blen)))
		return E_FAULT;
	if (flags & ~(uint32_t)(IPC_ANSWER | IPC_WAIT))
		return E_INVAL;
	if (tlen == 0)
		return abi_check(cx, ARG32(cx, 0), 0) ? E_FAULT : E_INVAL;
	/* Interface names are short: no allocation for them. */
	if (tlen < sizeof small)
		target = small;
	else if (!(target = al_malloc(FS_PATH_MAX + 1)))
		return E_NOMEM;
	if ((r = abi_path(cx, ARG32(cx, 0), tlen, target, FS_PATH_MAX + 1)) == 0) {
		if (memchr(target, 0, tlen))
			r = E_INVAL;
		else if (blen > IPC_BODY_MAX)
			r = E_2BIG;
		else if ((r = ipc_emit(cx->p, target, flags, body, blen, &id)) == 0)
			r = abi_put64(cx, ARG32(cx, 5), id);
	}
	if (target != small)
		al_free(target);
	return r;
}

static int
sys_msg_cancel(struct abi_cx *cx)
{
	return ipc_cancel(cx->p, ARG64(cx, 0));
}

static int
sys_msg_wait(struct abi_cx *cx)
{
	uint32_t n = ARG32(cx, 1), flags = ARG32(cx, 2);
	const uint8_t *src;
	uint64_t *ids;
	size_t index = 0;
	int r;

	if (abi_check(cx, ARG32(cx, 3), 4))
		return E_FAULT;
	if (!(src = abi_mem(cx, ARG32(cx, 0), (uint64_t)n * 8)))
		return E_FAULT;
	if (n == 0 || n > IPC_PROC_OUTSTANDING || flags & ~(uint32_t)IPC_BLOCK)
		return E_INVAL;
	if (!(ids = al_malloc((size_t)n * sizeof *ids)))
		return E_NOMEM;
	for (uint32_t i = 0; i < n; i++)
		ids[i] = abi_rd64(src + 8 * (size_t)i);
	r = ipc_wait(cx->p, ids, n, flags, &index);
	al_free(ids);
	/* On ENOENT too: *index names the id that is not the caller's. */
	if ((r == 0 || r == E_NOENT) && index < n)
		abi_put32(cx, ARG32(cx, 3), (uint32_t)index);
	return r;
}

static int
sys_msg_take(struct abi_cx *cx)
{
	uint32_t cap = ARG32(cx, 2);
	int32_t status = 0;
	size_t len = 0;
	uint8_t *buf;
	int r;

	if (abi_check(cx, ARG32(cx, 3), 4) || abi_check(cx, ARG32(cx, 4), 4))
		return E_FAULT;
	if (!(buf = abi_mem(cx, ARG32(cx, 1), cap)))
		return E_FAULT;
	r = ipc_take(cx->p, ARG64(cx, 0), &status, buf, cap, &len);
	if (r == 0 || r == E_NOBUFS)
		abi_put32(cx, ARG32(cx, 3), (uint32_t)len);
	if (r == 0)
		abi_put32(cx, ARG32(cx, 4), (uint32_t)status);
	return r;
}

static int
sys_msg_next(struct abi_cx *cx)
{
	uint32_t nlen = ARG32(cx, 1), flags = ARG32(cx, 2), cap = ARG32(cx, 5);
	char name[IPC_NAME_MAX + 1];
	struct ipc_delivery d;
	uint8_t *hdr, *buf;
	int r;

	if (!(hdr = abi_mem(cx, ARG32(cx, 3), HDR_SIZE)))
		return E_FAULT;
	if (!(buf = abi_mem(cx, ARG32(cx, 4), cap)))
		return E_FAULT;
	if (nlen && (r = getname(cx, ARG32(cx, 0), nlen, name)))
		return r;
	if (flags & ~(uint32_t)IPC_BLOCK)
		return E_INVAL;
	memset(&d, 0, sizeof d);
	r = ipc_next(cx->p, nlen ? name : NULL, flags, &d, buf, cap);
	if (r == 0 || r == E_NOBUFS) {
		size_t il = 0;

		while (il < IPC_NAME_MAX && d.intf[il])
			il++;

		memset(hdr, 0, HDR_SIZE);
		abi_le64(hdr, d.id);
		abi_le32(hdr + 8, (uint32_t)d.kind);
		abi_le32(hdr + 12, (uint32_t)d.pid);
		abi_le32(hdr + 16, d.flags);
		abi_le32(hdr + 20, d.len);
		memcpy(hdr + 24, d.intf, il);
	}
	return r;
}

static int
sys_msg_answer(struct abi_cx *cx)
{
	uint32_t blen = ARG32(cx, 3);
	const uint8_t *body = abi_mem(cx, ARG32(cx, 2), blen);

	if (!body)
		return E_FAULT;
	if (blen > IPC_BODY_MAX)
		return E_2BIG;
	return ipc_answer(cx->p, ARG64(cx, 0), (int32_t)ARG32(cx, 1), body, blen);
}

static const struct abi_call calls[] = {
	{ "intf_register", "i32 name, i32 name_len", "errno", sys_intf_register,
	  "become the handler of interface `name` (1 to 63 bytes of `[A-Za-z0-9._-]`; it appears "
	  "as /srv/NAME). EEXIST it has a handler, EINVAL a bad name, EMFILE over 64 interfaces" },
	{ "intf_unregister", "i32 name, i32 name_len", "errno", sys_intf_unregister,
	  "stop handling `name`: its unanswered messages are answered ECONNRESET. ENOENT the "
	  "caller is not its handler" },
	{ "msg_emit", "i32 target, i32 target_len, i32 body, i32 body_len, i32 flags, i32 *id",
	  "errno", sys_msg_emit,
	  "send a message to the interface at `target`, a path in the caller's namespace (a "
	  "bare name is /srv/NAME); flags 1 an answer is expected, 2 wait for a handler to "
	  "register. *id (u64): the message. ENOENT no such interface or no handler, E2BIG "
	  "body over 64 KiB, EAGAIN the interface's queue (256) or the caller's outstanding "
	  "messages (1024) are full" },
	{ "msg_cancel", "i64 id", "errno", sys_msg_cancel,
	  "withdraw message `id`: queued, it is removed; delivered, its answer is dropped when "
	  "it comes; answered, the answer is freed. ENOENT not an outstanding message of the "
	  "caller's" },
	{ "msg_wait", "i32 ids, i32 n, i32 flags, i32 *index", "errno", sys_msg_wait,
	  "which of the `n` messages at `ids` (u64 each) has an answer: *index the first that "
	  "does; flags 1 block until one does, else EAGAIN. ENOENT an id is not the caller's "
	  "(*index names it), EINVAL n is 0 or over 1024" },
	{ "msg_take", "i64 id, i32 buf, i32 cap, i32 *len, i32 *status", "errno", sys_msg_take,
	  "take the answer of message `id`: body into buf, *len its length, *status 0 (ok) or "
	  "the error it was answered with (ECONNRESET: its handler went away). EAGAIN not "
	  "answered yet, ENOBUFS cap too small (*len the size needed, nothing taken)" },
	{ "msg_next", "i32 name, i32 name_len, i32 flags, i32 hdr, i32 buf, i32 cap", "errno",
	  sys_msg_next,
	  "the handler's next delivery from interface `name` (name_len 0: any it handles), "
	  "oldest first; flags 1 block. hdr: 88 bytes, id u64 @0, kind u32 @8 (0 message, 1 "
	  "emitter `pid` ended), pid i32 @12, flags u32 @16 (1: answer expected), len u32 @20, "
	  "interface name @24 (64 bytes, NUL-padded); the body goes to buf. EAGAIN nothing, "
	  "ENOENT no such interface of the caller's, ENOBUFS cap < len (hdr written, the message "
	  "stays queued)" },
	{ "msg_answer", "i64 id, i32 status, i32 body, i32 body_len", "errno", sys_msg_answer,
	  "answer message `id` delivered to the caller: status 0 ok, else an error code, with an "
	  "optional body. An answer to a cancelled message or a dead emitter is dropped (0). "
	  "ENOENT no such message awaiting the caller's answer, E2BIG body over 64 KiB" },
};

const struct abi_table abi_ipc_table = {
	.module = "warren_v1",
	.intro = "Interface IPC (src/abi/ipc.c, docs/ipc.md): the same import module as above. "
		 "Message ids are u64: i64 parameters, or little-endian u64s in memory.",
	.calls = calls,
	.ncalls = sizeof calls / sizeof calls[0],
};
