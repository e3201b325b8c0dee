/*
 * test_ipc_abi.c - warren_v1's interface IPC calls (src/abi/ipc.c) from
 * the guest's side: every pointer is checked before anything changes, the
 * names and flags are checked, ids travel as u64s, msg_next's header has
 * its documented layout, and blocking calls block.
 *
 * The fixture is tests/abi/at.h's (a kernel with one process inside a
 * host call), with three pages of guest memory and srvfs on /srv. The process
 * is handler and emitter at once, which every call allows.
 */
#define _POSIX_C_SOURCE 200809L
#include "abi/abi.h"
#include "fs/fs.h"
#include "kern/file.h"
#include "kern/ipc.h"
#include "kern/kern.h"
#include "unit.h"
#include "../abi/at.h"

#include <stdio.h>
#include <stdlib.h>

#define WARREN "warren_v1"
#define PAGE 65536u
#define MEMSIZE (3 * PAGE)  /* room for bodies over the limit */
#define BAD 0xfffffff0u      /* a pointer whose range leaves memory */

static bool
env_init(struct env *e)
{
	return at_init(e, 0, MEMSIZE / PAGE, AT_SRV);
}

#define SYS(e, name, sig, ...) AT_SYS(e, WARREN, name, sig, __VA_ARGS__)

/* Guest memory map of the tests. */
enum { NAME = 100, TARGET = 200, BODY = 300, OUT = 1000, HDR = 1100, BUF = 2000, IDS = 4000 };

static uint32_t
put(struct env *e, uint32_t at, const char *s)
{
	size_t n = strlen(s);

	memcpy(e->mem + at, s, n);
	return (uint32_t)n;
}

static uint32_t
reg(struct env *e, const char *name)
{
	return SYS(e, "intf_register", "ii:i", NAME, put(e, NAME, name));
}

/* Emit body to target with flags; the id at OUT. */
static uint32_t
emit(struct env *e, const char *target, const char *body, uint32_t flags)
{
	uint32_t tl = put(e, TARGET, target), bl = put(e, BODY, body);

	return SYS(e, "msg_emit", "iiiiii:i", TARGET, tl, BODY, bl, flags, OUT);
}

static uint32_t
next(struct env *e, uint32_t flags, uint32_t hdr, uint32_t buf, uint32_t cap)
{
	return SYS(e, "msg_next", "iiiiii:i", 0, 0, flags, hdr, buf, cap);
}

TEST(ipc_abi_roundtrip)
{
	struct env e;
	uint64_t id;
	uint32_t n;

	CHECK(env_init(&e));
	CHECK_EQ_U64(reg(&e, "kv"), 0);
	CHECK_EQ_U64(reg(&e, "kv"), E_EXIST);
	CHECK_EQ_U64(emit(&e, "kv", "hello", IPC_ANSWER), 0);
	id = abi_rd64(e.mem + OUT);
	CHECK(id > 0);
	/* The header, byte by byte. */
	memset(e.mem + HDR, 0xee, 88);
	CHECK_EQ_U64(next(&e, 0, HDR, BUF, 100), 0);
	CHECK_EQ_U64(abi_rd64(e.mem + HDR), id);
	CHECK_EQ_U64(abi_rd32(e.mem + HDR + 8), IPC_MESSAGE);
	CHECK_EQ_U64(abi_rd32(e.mem + HDR + 12), (uint32_t)e.p->pid);
	CHECK_EQ_U64(abi_rd32(e.mem + HDR + 16), IPC_ANSWER);
	CHECK_EQ_U64(abi_rd32(e.mem + HDR + 20), 5);
	CHECK(!memcmp(e.mem + HDR + 24, "kv", 3));
	for (n = 27; n < 88; n++)
		CHECK_EQ_U64(e.mem[HDR + n], 0);
	CHECK(!memcmp(e.mem + BUF, "hello", 5));
	CHECK_EQ_U64(next(&e, 0, HDR, BUF, 100), E_AGAIN);
	/* Answer; wait over two ids, the answered one second. */
	CHECK_EQ_U64(emit(&e, "/srv/kv", "", IPC_ANSWER), 0);
	abi_le64(e.mem + IDS, abi_rd64(e.mem + OUT));
	abi_le64(e.mem + IDS + 8, id);
	CHECK_EQ_U64(SYS(&e, "msg_wait", "iiii:i", IDS, 2, 0, OUT), E_AGAIN);
	put(&e, BODY, "world");
	CHECK_EQ_U64(SYS(&e, "msg_answer", "Iiii:i", id, 0, BODY, 5), 0);
	CHECK_EQ_U64(SYS(&e, "msg_wait", "iiii:i", IDS, 2, 0, OUT), 0);
	CHECK_EQ_U64(abi_rd32(e.mem + OUT), 1);
	/* Too small a buffer: the size needed, nothing taken. */
	CHECK_EQ_U64(SYS(&e, "msg_take", "Iiiii:i", id, BUF, 2, OUT, OUT + 4), E_NOBUFS);
	CHECK_EQ_U64(abi_rd32(e.mem + OUT), 5);
	abi_le32(e.mem + OUT + 4, 77);
	CHECK_EQ_U64(SYS(&e, "msg_take", "Iiiii:i", id, BUF, 100, OUT, OUT + 4), 0);
	CHECK_EQ_U64(abi_rd32(e.mem + OUT), 5);
	CHECK_EQ_U64(abi_rd32(e.mem + OUT + 4), 0);
	CHECK(!memcmp(e.mem + BUF, "world", 5));
	/* An error status travels as is. */
	id = abi_rd64(e.mem + IDS);
	CHECK_EQ_U64(next(&e, 0, HDR, BUF, 100), 0);
	CHECK_EQ_U64(SYS(&e, "msg_answer", "Iiii:i", id, E_PERM, BODY, 0), 0);
	CHECK_EQ_U64(SYS(&e, "msg_take", "Iiiii:i", id, BUF, 100, OUT, OUT + 4), 0);
	CHECK_EQ_U64(abi_rd32(e.mem + OUT), 0);
	CHECK_EQ_U64(abi_rd32(e.mem + OUT + 4), E_PERM);
	/* Cancel, unregister. */
	CHECK_EQ_U64(emit(&e, "kv", "x", IPC_ANSWER), 0);
	id = abi_rd64(e.mem + OUT);
	CHECK_EQ_U64(SYS(&e, "msg_cancel", "I:i", id), 0);
	CHECK_EQ_U64(SYS(&e, "msg_cancel", "I:i", id), E_NOENT);
	CHECK_EQ_U64(SYS(&e, "intf_unregister", "ii:i", NAME, put(&e, NAME, "kv")), 0);
	CHECK_EQ_U64(SYS(&e, "intf_unregister", "ii:i", NAME, 2), E_NOENT);
	CHECK_EQ_U64(emit(&e, "kv", "x", IPC_ANSWER), E_NOENT);
	at_free(&e);
}

/* A bad pointer anywhere: EFAULT, and nothing happened. */
TEST(ipc_abi_faults_change_nothing)
{
	struct env e;
	uint64_t id;
	uint32_t tl, bl;

	CHECK(env_init(&e));
	CHECK_EQ_U64(SYS(&e, "intf_register", "ii:i", BAD, 4), E_FAULT);
	CHECK_EQ_U64(SYS(&e, "intf_register", "ii:i", NAME, MEMSIZE), E_FAULT);
	CHECK_EQ_U64(reg(&e, "f"), 0);
	tl = put(&e, TARGET, "f");
	bl = put(&e, BODY, "body");
	CHECK_EQ_U64(SYS(&e, "msg_emit", "iiiiii:i", TARGET, tl, BODY, bl, IPC_ANSWER, BAD),
		     E_FAULT);
	CHECK_EQ_U64(SYS(&e, "msg_emit", "iiiiii:i", TARGET, tl, BAD, bl, IPC_ANSWER, OUT),
		     E_FAULT);
	CHECK_EQ_U64(SYS(&e, "msg_emit", "iiiiii:i", BAD, tl, BODY, bl, IPC_ANSWER, OUT),
		     E_FAULT);
	CHECK_EQ_U64(SYS(&e, "msg_emit", "iiiiii:i", TARGET, tl, BODY, bl, IPC_ANSWER,
			 MEMSIZE - 4), E_FAULT);
	CHECK_EQ_U64(next(&e, 0, HDR, BUF, 100), E_AGAIN);    /* nothing was sent */
	CHECK_EQ_U64(emit(&e, "f", "body", IPC_ANSWER), 0);
	id = abi_rd64(e.mem + OUT);
	CHECK_EQ_U64(next(&e, 0, BAD, BUF, 100), E_FAULT);
	CHECK_EQ_U64(next(&e, 0, MEMSIZE - 80, BUF, 100), E_FAULT);
	CHECK_EQ_U64(next(&e, 0, HDR, BAD, 100), E_FAULT);
	CHECK_EQ_U64(next(&e, 0, HDR, MEMSIZE - 10, 100), E_FAULT);
	CHECK_EQ_U64(next(&e, 0, HDR, BUF, 100), 0);          /* still queued */
	CHECK_EQ_U64(abi_rd64(e.mem + HDR), id);
	CHECK_EQ_U64(SYS(&e, "msg_answer", "Iiii:i", id, 0, BAD, 3), E_FAULT);
	CHECK_EQ_U64(SYS(&e, "msg_wait", "iiii:i", IDS, 1, 0, OUT), E_NOENT);
	abi_le64(e.mem + IDS, id);
	CHECK_EQ_U64(SYS(&e, "msg_wait", "iiii:i", IDS, 1, 0, OUT), E_AGAIN);  /* not answered */
	CHECK_EQ_U64(SYS(&e, "msg_answer", "Iiii:i", id, 0, BODY, 4), 0);
	CHECK_EQ_U64(SYS(&e, "msg_wait", "iiii:i", BAD, 1, 0, OUT), E_FAULT);
	CHECK_EQ_U64(SYS(&e, "msg_wait", "iiii:i", IDS, 1, 0, BAD), E_FAULT);
	CHECK_EQ_U64(SYS(&e, "msg_wait", "iiii:i", MEMSIZE - 8, 2, 0, OUT), E_FAULT);
	CHECK_EQ_U64(SYS(&e, "msg_take", "Iiiii:i", id, BAD, 100, OUT, OUT + 4), E_FAULT);
	CHECK_EQ_U64(SYS(&e, "msg_take", "Iiiii:i", id, BUF, 100, BAD, OUT + 4), E_FAULT);
	CHECK_EQ_U64(SYS(&e, "msg_take", "Iiiii:i", id, BUF, 100, OUT, BAD), E_FAULT);
	CHECK_EQ_U64(SYS(&e, "msg_take", "Iiiii:i", id, BUF, 100, OUT, OUT + 4), 0);  /* kept */
	CHECK(!memcmp(e.mem + BUF, "body", 4));
	at_free(&e);
}

TEST(ipc_abi_bad_names_and_flags)
{
	struct env e;
	uint32_t tl, bl;

	CHECK(env_init(&e));
	CHECK_EQ_U64(SYS(&e, "intf_register", "ii:i", NAME, 0), E_INVAL);
	memset(e.mem + NAME, 'a', 64);
	CHECK_EQ_U64(SYS(&e, "intf_register", "ii:i", NAME, 64), E_INVAL);
	CHECK_EQ_U64(SYS(&e, "intf_register", "ii:i", NAME, 63), 0);
	memcpy(e.mem + NAME, "a\0b", 3);
	CHECK_EQ_U64(SYS(&e, "intf_register", "ii:i", NAME, 3), E_INVAL);
	CHECK_EQ_U64(reg(&e, "g"), 0);
	tl = put(&e, TARGET, "g");
	bl = put(&e, BODY, "x");
	CHECK_EQ_U64(SYS(&e, "msg_emit", "iiiiii:i", TARGET, tl, BODY, bl, 4, OUT), E_INVAL);
	CHECK_EQ_U64(SYS(&e, "msg_emit", "iiiiii:i", TARGET, 0, BODY, bl, 0, OUT), E_INVAL);
	memcpy(e.mem + TARGET, "g\0", 2);
	CHECK_EQ_U64(SYS(&e, "msg_emit", "iiiiii:i", TARGET, 2, BODY, bl, 0, OUT), E_INVAL);
	CHECK_EQ_U64(SYS(&e, "msg_emit", "iiiiii:i", TARGET, 1, BODY, IPC_BODY_MAX + 1, 0, OUT),
		     E_2BIG);
	CHECK_EQ_U64(SYS(&e, "msg_emit", "iiiiii:i", TARGET, 1, BODY, IPC_BODY_MAX, 0, OUT), 0);
	CHECK_EQ_U64(next(&e, 2, HDR, BUF, 100), E_INVAL);
	CHECK_EQ_U64(SYS(&e, "msg_next", "iiiiii:i", NAME, 64, 0, HDR, BUF, 100), E_INVAL);
	/* A body that does not fit: the header says how big, it stays. */
	CHECK_EQ_U64(next(&e, 0, HDR, BUF, 100), E_NOBUFS);
	CHECK_EQ_U64(abi_rd32(e.mem + HDR + 20), IPC_BODY_MAX);
	CHECK_EQ_U64(SYS(&e, "msg_wait", "iiii:i", IDS, 0, 0, OUT), E_INVAL);
	CHECK_EQ_U64(SYS(&e, "msg_wait", "iiii:i", 0, IPC_PROC_OUTSTANDING + 1, 0, OUT), E_INVAL);
	CHECK_EQ_U64(SYS(&e, "msg_wait", "iiii:i", IDS, 1, 2, OUT), E_INVAL);
	CHECK_EQ_U64(SYS(&e, "msg_answer", "Iiii:i", 1, 0, BODY, IPC_BODY_MAX + 1), E_2BIG);
	at_free(&e);
}

/* The blocking forms put the caller to sleep; nothing changes meanwhile. */
TEST(ipc_abi_blocking)
{
	struct env e;

	CHECK(env_init(&e));
	CHECK_EQ_U64(reg(&e, "b"), 0);
	next(&e, IPC_BLOCK, HDR, BUF, 100);
	CHECK(e.st == VM_BLOCK);
	at_resume(&e, false);
	CHECK_EQ_U64(emit(&e, "b", "m", IPC_ANSWER), 0);
	abi_le64(e.mem + IDS, abi_rd64(e.mem + OUT));
	SYS(&e, "msg_wait", "iiii:i", IDS, 1, IPC_BLOCK, OUT);
	CHECK(e.st == VM_BLOCK);
	at_resume(&e, false);
	/* No handler yet, and told to wait. */
	emit(&e, "later", "m", IPC_ANSWER | IPC_WAIT);
	CHECK(e.st == VM_BLOCK);
	at_resume(&e, false);
	CHECK_EQ_U64(emit(&e, "later", "m", IPC_ANSWER), E_NOENT);
	at_free(&e);
}
