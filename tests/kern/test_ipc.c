/*
 * test_ipc.c - interfaces and messages (kern/ipc.h): every rule of the
 * contract, on processes the kernel made (direct calls, for the rules that
 * never block) and on tiny wat programs that import the ipc calls from a
 * test module "i" (for the blocking ones: IPC_WAIT, ipc_next, ipc_wait,
 * and the ends of handlers and emitters as the scheduler runs them).
 */
#include "unit.h"
#include "kt.h"
#include "kern/ipc.h"
#include "kern/event.h"
#include "base/alloc.h"
#include "fs/fs.h"
#include "sys/sys_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a kernel with srvfs on /srv ------------------------------------------------- */

#define NFUNCS 64
static struct vm_func *funcs[NFUNCS];
static int nfuncs;

static struct vm_func *resolve(void *ctx, const struct vm_import *imp,
			       const struct vm_functype *type, struct vm_error *err);

static uint64_t
clock_fn(void *ctx)
{
	(void)ctx;
	return kt_clock_ns;
}

/* Events recorded by on_event. */
struct rec {
	enum kev_type type;
	int32_t pid;
	int64_t a, b;
	char name[IPC_NAME_MAX + 1];
};
static struct rec recs[256];
static int nrecs;

static void
on_event(void *ctx, const struct kev *ev)
{
	(void)ctx;
	if (nrecs < 256 && (ev->type == KEV_MESSAGE || ev->type == KEV_ANSWER)) {
		struct rec *r = &recs[nrecs++];

		*r = (struct rec){ ev->type, ev->pid, ev->a, ev->b, "" };
		if (ev->name)
			snprintf(r->name, sizeof r->name, "%s", ev->name);
	}
}

static struct kern *
mkkern(uint64_t seed)
{
	struct kern_config cfg = { .seed = seed, .clock = clock_fn, .resolve = resolve };
	struct kern *k = NULL;
	struct fs *srv = NULL;
	struct vnode *r;

	kt_ntrace = 0;
	kt_clock_ns = 1000;
	nrecs = 0;
	if (kern_new(&cfg, &k))
		return NULL;
	k->root_ns = fs_default_root(0, seed, NULL);
	if (!k->root_ns || fs_mkdir(k->root_ns, NULL, "/srv", 4) || ipc_srvfs_new(k, &srv)) {
		kern_free(k);
		return NULL;
	}
	r = fs_root(srv);
	if (ns_mount(k->root_ns, "/srv", 4, r, 0)) {
		kern_free(k);
		k = NULL;
	}
	vn_unref(r);
	fs_unref(srv);
	if (k)
		k->on_event = on_event;
	return k;
}

static void
freekern(struct kern *k)
{
	kern_free(k);
	while (nfuncs)
		vm_func_free(funcs[--nfuncs]);
}

/* A process that never runs: for the calls that do not block. */
static struct proc *
mkproc(struct kern *k)
{
	struct proc *p = NULL;

	proc_alloc(k, NULL, &p);
	return p;
}

/* The whole text of a file at path in ns, NUL-terminated, in buf. */
static const char *
readfile(struct ns *ns, const char *path, char *buf, size_t cap)
{
	struct fs_io io = { 0 };
	struct vnode *v;
	size_t n = 0;

	buf[0] = 0;
	if (fs_open(ns, NULL, path, strlen(path), FS_O_READ, &io, &v))
		return "(open failed)";
	if (vn_read(v, &io, 0, buf, cap - 1, &n))
		n = 0;
	buf[n] = 0;
	vn_close(v, FS_O_READ, &io);
	vn_unref(v);
	return buf;
}

/* Directory entries of /srv joined by spaces. */
struct dirbuf {
	char s[512];
	size_t n;
};

static int
dir_add(void *arg, const struct fs_dirent *d)
{
	struct dirbuf *b = arg;

	if (d->namelen == 1 && d->name[0] == '.')
		return 0;
	if (d->namelen == 2 && !memcmp(d->name, "..", 2))
		return 0;
	if (b->n + d->namelen + 2 < sizeof b->s) {
		memcpy(b->s + b->n, d->name, d->namelen);
		b->n += d->namelen;
		b->s[b->n++] = ' ';
		b->s[b->n] = 0;
	}
	return 0;
}

static const char *
listsrv(struct ns *ns, struct dirbuf *b)
{
	struct fs_path fp;

	b->n = 0;
	b->s[0] = 0;
	if (fs_resolve(ns, NULL, "/srv", 4, FS_FOLLOW, &fp))
		return "(no /srv)";
	vn_readdir(fp.vn, 0, dir_add, b);
	fs_path_release(&fp);
	return b->s;
}

/* ---- registration ------------------------------------------------------------------ */

TEST(ipc_register_once)
{
	struct kern *k = mkkern(1);
	struct proc *a = mkproc(k), *b = mkproc(k);
	struct ipc_stats st;

	CHECK_EQ_U64(ipc_register(a, "kv"), 0);
	CHECK_EQ_U64(ipc_register(a, "kv"), E_EXIST);
	CHECK_EQ_U64(ipc_register(b, "kv"), E_EXIST);
	CHECK_EQ_U64(ipc_host_register(k, "kv", NULL, NULL), E_EXIST);
	CHECK_EQ_U64(ipc_unregister(b, "kv"), E_NOENT);
	CHECK_EQ_U64(ipc_host_unregister(k, "kv"), E_NOENT);
	CHECK_EQ_U64(ipc_unregister(a, "nope"), E_NOENT);
	ipc_stats(k, &st);
	CHECK_EQ_U64(st.interfaces, 1);
	CHECK_EQ_U64(ipc_unregister(a, "kv"), 0);
	CHECK_EQ_U64(ipc_unregister(a, "kv"), E_NOENT);
	CHECK_EQ_U64(ipc_register(b, "kv"), 0);
	ipc_stats(k, &st);
	CHECK_EQ_U64(st.interfaces, 1);
	freekern(k);
}

TEST(ipc_bad_names)
{
	static const char *const bad[] = {
		"", ".", "..", "a/b", "a b", "k\xc3\xa9", "x\n", "semi;colon",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	struct kern *k = mkkern(1);
	struct proc *a = mkproc(k);
	uint64_t id = 0;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_EQ_U64(ipc_register(a, bad[i]), E_INVAL);
		CHECK_EQ_U64(ipc_host_register(k, bad[i], NULL, NULL), E_INVAL);
		CHECK(ipc_emit(a, bad[i], 0, NULL, 0, &id) != 0);
	}
	CHECK_EQ_U64(ipc_register(a, NULL), E_INVAL);
	/* 63 bytes and every allowed character. */
	CHECK_EQ_U64(ipc_register(a, "012345678901234567890123456789012345678901234567890123456789012"),
		     0);
	CHECK_EQ_U64(ipc_register(a, "A-z_0.9"), 0);
	CHECK_EQ_U64(ipc_register(a, "..."), 0);
	CHECK_EQ_U64(ipc_emit(a, "A-z_0.9", 0, NULL, 0, &id), 0);
	CHECK_EQ_U64(id, 1);
	freekern(k);
}

TEST(ipc_interfaces_per_process)
{
	struct kern *k = mkkern(1);
	struct proc *a = mkproc(k), *b = mkproc(k);
	char name[16];

	for (int i = 0; i < IPC_PROC_INTFS; i++) {
		snprintf(name, sizeof name, "i%d", i);
		CHECK_EQ_U64(ipc_register(a, name), 0);
	}
	CHECK_EQ_U64(ipc_register(a, "more"), E_MFILE);
	CHECK_EQ_U64(ipc_register(b, "more"), 0);
	CHECK_EQ_U64(ipc_unregister(a, "i3"), 0);
	CHECK_EQ_U64(ipc_register(a, "again"), 0);
	freekern(k);
}

/* ---- emitting, answering, taking ------------------------------------------------------- */

TEST(ipc_emit_without_handler)
{
	struct kern *k = mkkern(1);
	struct proc *a = mkproc(k);
	static char big[IPC_BODY_MAX + 1];
	uint64_t id = 0;

	CHECK_EQ_U64(ipc_emit(a, "kv", IPC_ANSWER, "x", 1, &id), E_NOENT);
	CHECK_EQ_U64(ipc_emit(a, "/srv/kv", 0, NULL, 0, &id), E_NOENT);
	/* Not an interface: a directory, a file, srvfs's root. */
	CHECK_EQ_U64(ipc_emit(a, "/tmp", 0, NULL, 0, &id), E_INVAL);
	CHECK_EQ_U64(fs_put(k->root_ns, "/tmp/kv", "x", 1), 0);
	CHECK_EQ_U64(ipc_emit(a, "/tmp/kv", 0, NULL, 0, &id), E_INVAL);
	CHECK_EQ_U64(ipc_emit(a, "/srv", 0, NULL, 0, &id), E_INVAL);
	CHECK_EQ_U64(ipc_emit(a, "/srv/", 0, NULL, 0, &id), E_INVAL);
	CHECK_EQ_U64(ipc_emit(a, "/nowhere/kv", 0, NULL, 0, &id), E_NOENT);
	CHECK_EQ_U64(ipc_emit(a, "/srv/bad name", 0, NULL, 0, &id), E_NOENT);
	CHECK_EQ_U64(ipc_emit(a, "kv", 0x80, NULL, 0, &id), E_INVAL);
	CHECK_EQ_U64(ipc_register(a, "kv"), 0);
	CHECK_EQ_U64(ipc_emit(a, "kv", IPC_ANSWER, big, sizeof big, &id), E_2BIG);
	CHECK_EQ_U64(ipc_emit(a, "kv", IPC_ANSWER, big, IPC_BODY_MAX, &id), 0);
	CHECK_EQ_U64(id, 1);
	CHECK_EQ_U64(ipc_emit(a, "/srv/kv", IPC_ANSWER, "", 0, &id), 0);
	CHECK_EQ_U64(id, 2);
	freekern(k);
}

TEST(ipc_answer_ok_and_error)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k), *o = mkproc(k);
	struct ipc_delivery d;
	char buf[64];
	uint64_t id1 = 0, id2 = 0;
	size_t len = 0;
	int32_t err = -1;
	struct ipc_stats st;

	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "get a", 5, &id1), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "get b", 5, &id2), 0);
	CHECK_EQ_U64(id1, 1);
	CHECK_EQ_U64(id2, 2);
	CHECK_EQ_U64(ipc_take(e, id1, &err, buf, sizeof buf, &len), E_AGAIN);
	CHECK_EQ_U64(ipc_answer(h, id1, 0, "no", 2), E_NOENT); /* not delivered yet */
	/* The handler pulls, oldest first; d says who and what. */
	memset(buf, 0, sizeof buf);
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(d.kind, IPC_MESSAGE);
	CHECK_EQ_U64(d.id, id1);
	CHECK_EQ_U64(d.pid, e->pid);
	CHECK_EQ_U64(d.flags, IPC_ANSWER);
	CHECK_EQ_U64(d.len, 5);
	CHECK_STR(d.intf, "kv");
	CHECK_STR(buf, "get a");
	/* Too small a buffer: E_NOBUFS, d says how much, the message stays. */
	CHECK_EQ_U64(ipc_next(h, "kv", 0, &d, buf, 4), E_NOBUFS);
	CHECK_EQ_U64(d.id, id2);
	CHECK_EQ_U64(d.len, 5);
	CHECK_EQ_U64(ipc_next(h, "kv", 0, &d, buf, 5), 0);
	CHECK_EQ_U64(d.id, id2);
	CHECK_EQ_U64(ipc_next(h, "kv", 0, &d, buf, sizeof buf), E_AGAIN);
	CHECK_EQ_U64(ipc_next(h, "other", 0, &d, buf, sizeof buf), E_NOENT);
	CHECK_EQ_U64(ipc_next(o, NULL, 0, &d, buf, sizeof buf), E_NOENT);
	/* Only the handler answers, once. */
	CHECK_EQ_U64(ipc_answer(o, id1, 0, "x", 1), E_NOENT);
	CHECK_EQ_U64(ipc_answer(h, id1, 0, NULL, IPC_BODY_MAX + 1), E_2BIG);
	CHECK_EQ_U64(ipc_answer(h, id1, 0, "value a", 7), 0);
	CHECK_EQ_U64(ipc_answer(h, id1, 0, "again", 5), E_NOENT);
	CHECK_EQ_U64(ipc_answer(h, id2, E_PERM, "denied", 6), 0);
	/* Only the emitter takes. */
	CHECK_EQ_U64(ipc_take(o, id1, &err, buf, sizeof buf, &len), E_NOENT);
	CHECK_EQ_U64(ipc_take(e, id1, &err, buf, 3, &len), E_NOBUFS);
	CHECK_EQ_U64(len, 7);
	memset(buf, 0, sizeof buf);
	CHECK_EQ_U64(ipc_take(e, id1, &err, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(err, 0);
	CHECK_EQ_U64(len, 7);
	CHECK_STR(buf, "value a");
	CHECK_EQ_U64(ipc_take(e, id1, &err, buf, sizeof buf, &len), E_NOENT);
	memset(buf, 0, sizeof buf);
	CHECK_EQ_U64(ipc_take(e, id2, &err, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(err, E_PERM);
	CHECK_STR(buf, "denied");
	/* The records the events layer sees. */
	CHECK_EQ_U64(nrecs, 4);
	CHECK(recs[0].type == KEV_MESSAGE && recs[0].pid == e->pid && recs[0].a == 1 &&
	      !strcmp(recs[0].name, "kv"));
	CHECK(recs[1].type == KEV_MESSAGE && recs[1].a == 2);
	CHECK(recs[2].type == KEV_ANSWER && recs[2].pid == h->pid && recs[2].a == 1 &&
	      recs[2].b == 0 && !strcmp(recs[2].name, "kv"));
	CHECK(recs[3].type == KEV_ANSWER && recs[3].a == 2 && recs[3].b == E_PERM);
	ipc_stats(k, &st);
	CHECK_EQ_U64(st.emitted, 2);
	CHECK_EQ_U64(st.answered, 2);
	CHECK_EQ_U64(st.queued, 0);
	CHECK_EQ_U64(st.failed, 0);
	freekern(k);
}

TEST(ipc_no_answer_expected)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k);
	struct ipc_delivery d;
	char buf[16];
	uint64_t id = 0, ids[1];
	size_t len, ix = 9;
	int32_t err;

	CHECK_EQ_U64(ipc_register(h, "log"), 0);
	CHECK_EQ_U64(ipc_emit(e, "log", 0, "line", 4, &id), 0);
	ids[0] = id;
	/* Nothing to wait for or take: it expects no answer. */
	CHECK_EQ_U64(ipc_wait(e, ids, 1, 0, &ix), E_NOENT);
	CHECK_EQ_U64(ix, 0);
	CHECK_EQ_U64(ipc_take(e, id, &err, buf, sizeof buf, &len), E_NOENT);
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(d.flags, 0);
	CHECK_EQ_U64(d.id, id);
	/* Delivered: gone, nothing to answer or cancel. */
	CHECK_EQ_U64(ipc_answer(h, id, 0, NULL, 0), E_NOENT);
	CHECK_EQ_U64(ipc_cancel(e, id), E_NOENT);
	/* Queued, it can be cancelled. */
	CHECK_EQ_U64(ipc_emit(e, "log", 0, "x", 1, &id), 0);
	CHECK_EQ_U64(ipc_cancel(e, id), 0);
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), E_AGAIN);
	freekern(k);
}

TEST(ipc_cancel)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k);
	struct ipc_delivery d;
	char buf[16];
	uint64_t a = 0, b = 0, c = 0;
	size_t len;
	int32_t err;
	struct ipc_stats st;

	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "a", 1, &a), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "b", 1, &b), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "c", 1, &c), 0);
	CHECK_EQ_U64(ipc_cancel(h, a), E_NOENT);   /* not h's message */
	CHECK_EQ_U64(ipc_cancel(e, 999), E_NOENT);
	/* Before delivery: withdrawn; the handler never sees it. */
	CHECK_EQ_U64(ipc_cancel(e, a), 0);
	CHECK_EQ_U64(ipc_cancel(e, a), E_NOENT);
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(d.id, b);
	/* After delivery: the late answer is dropped (answer succeeds). */
	CHECK_EQ_U64(ipc_cancel(e, b), 0);
	CHECK_EQ_U64(ipc_answer(h, b, 0, "late", 4), 0);
	CHECK_EQ_U64(ipc_take(e, b, &err, buf, sizeof buf, &len), E_NOENT);
	CHECK_EQ_U64(ipc_answer(h, b, 0, "later", 5), E_NOENT);
	/* After the answer: the answer is freed. */
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(d.id, c);
	CHECK_EQ_U64(ipc_answer(h, c, 0, "v", 1), 0);
	CHECK_EQ_U64(ipc_cancel(e, c), 0);
	CHECK_EQ_U64(ipc_take(e, c, &err, buf, sizeof buf, &len), E_NOENT);
	ipc_stats(k, &st);
	CHECK_EQ_U64(st.cancelled, 3);
	CHECK_EQ_U64(st.queued, 0);
	freekern(k);
}

TEST(ipc_wait_nonblocking)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k), *o = mkproc(k);
	struct ipc_delivery d;
	char buf[16];
	uint64_t ids[4];
	size_t ix = 99;

	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "q", 1, &ids[i]), 0);
	CHECK_EQ_U64(ipc_wait(e, ids, 0, 0, &ix), E_INVAL);
	CHECK_EQ_U64(ipc_wait(e, ids, IPC_PROC_OUTSTANDING + 1, 0, &ix), E_INVAL);
	CHECK_EQ_U64(ipc_wait(e, ids, 3, 0, &ix), E_AGAIN);
	CHECK_EQ_U64(ipc_wait(o, ids, 3, 0, &ix), E_NOENT);
	CHECK_EQ_U64(ix, 0);
	ids[3] = 12345;
	CHECK_EQ_U64(ipc_wait(e, ids, 4, 0, &ix), E_NOENT);
	CHECK_EQ_U64(ix, 3);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(ipc_answer(h, ids[2], 0, NULL, 0), 0);
	CHECK_EQ_U64(ipc_wait(e, ids, 3, 0, &ix), 0);
	CHECK_EQ_U64(ix, 2);
	CHECK_EQ_U64(ipc_answer(h, ids[1], 0, NULL, 0), 0);
	CHECK_EQ_U64(ipc_wait(e, ids, 3, IPC_BLOCK, &ix), 0); /* answered: no sleep */
	CHECK_EQ_U64(ix, 1);
	CHECK_EQ_U64(ipc_wait(e, ids, 1, 0, &ix), E_AGAIN);
	freekern(k);
}

/* Bodies and answers at the limit, and answers larger than their message. */
TEST(ipc_large_bodies)
{
	static uint8_t big[IPC_BODY_MAX], got[IPC_BODY_MAX];
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k);
	struct ipc_delivery d;
	uint64_t a = 0, b = 0;
	size_t len = 0;
	int32_t err = -1;

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7 + 3);
	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, big, sizeof big, &a), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "s", 1, &b), 0);
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, got, sizeof got), 0);
	CHECK_EQ_U64(d.len, IPC_BODY_MAX);
	CHECK(!memcmp(got, big, sizeof big));
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, got, sizeof got), 0);
	CHECK_EQ_U64(ipc_answer(h, b, 0, big, sizeof big), 0);
	CHECK_EQ_U64(ipc_answer(h, a, 0, big + 1, 100), 0);
	memset(got, 0, sizeof got);
	CHECK_EQ_U64(ipc_take(e, b, &err, got, sizeof got, &len), 0);
	CHECK_EQ_U64(len, IPC_BODY_MAX);
	CHECK(!memcmp(got, big, sizeof big));
	CHECK_EQ_U64(ipc_take(e, a, &err, got, sizeof got, &len), 0);
	CHECK_EQ_U64(len, 100);
	CHECK(!memcmp(got, big + 1, 100));
	freekern(k);
}

/* ---- bounds --------------------------------------------------------------------------- */

TEST(ipc_interface_queue_bound)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k), *f = mkproc(k);
	struct ipc_delivery d;
	char buf[16];
	uint64_t id = 0;
	struct ipc_stats st;

	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	for (int i = 0; i < IPC_INTF_QUEUE; i++)
		CHECK_EQ_U64(ipc_emit(e, "kv", i & 1 ? IPC_ANSWER : 0, "m", 1, &id), 0);
	ipc_stats(k, &st);
	CHECK_EQ_U64(st.queued, IPC_INTF_QUEUE);
	/* Full for everybody, until the handler pulls. */
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "m", 1, &id), E_AGAIN);
	CHECK_EQ_U64(ipc_emit(f, "kv", 0, "m", 1, &id), E_AGAIN);
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(ipc_emit(f, "kv", IPC_ANSWER, "m", 1, &id), 0);
	CHECK_EQ_U64(id, IPC_INTF_QUEUE + 1);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "m", 1, &id), E_AGAIN);
	/* Other interfaces are not affected. */
	CHECK_EQ_U64(ipc_register(h, "other"), 0);
	CHECK_EQ_U64(ipc_emit(e, "other", IPC_ANSWER, "m", 1, &id), 0);
	freekern(k);
}

TEST(ipc_outstanding_bound)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k), *f = mkproc(k);
	struct ipc_delivery d;
	char buf[16];
	uint64_t id = 0, first = 0;
	size_t len;
	int32_t err;

	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	/* The handler pulls everything (no queue limit in the way) and answers nothing. */
	for (int i = 0; i < IPC_PROC_OUTSTANDING; i++) {
		CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "m", 1, &id), 0);
		if (!first)
			first = id;
		CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	}
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "m", 1, &id), E_AGAIN);
	CHECK_EQ_U64(ipc_emit(e, "kv", 0, "m", 1, &id), E_AGAIN);
	CHECK_EQ_U64(ipc_emit(f, "kv", IPC_ANSWER, "m", 1, &id), 0); /* per process */
	/* An answer is still outstanding until taken. */
	CHECK_EQ_U64(ipc_answer(h, first, 0, "a", 1), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "m", 1, &id), E_AGAIN);
	CHECK_EQ_U64(ipc_take(e, first, &err, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "m", 1, &id), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "m", 1, &id), E_AGAIN);
	/* A cancel frees a place too. */
	CHECK_EQ_U64(ipc_cancel(e, first + 1), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", 0, "m", 1, &id), 0);
	freekern(k);
}

/* ---- handler and emitter death ------------------------------------------------------------ */

TEST(ipc_unregister_answers_connreset)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k);
	struct ipc_delivery d;
	char buf[16];
	uint64_t a = 0, b = 0, c = 0, ids[2];
	size_t len = 9, ix;
	int32_t err = 0;
	struct ipc_stats st;
	struct dirbuf db;

	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "a", 1, &a), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "b", 1, &b), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", 0, "c", 1, &c), 0);
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_STR(listsrv(k->root_ns, &db), "kv ");
	CHECK_EQ_U64(ipc_unregister(h, "kv"), 0);
	CHECK_STR(listsrv(k->root_ns, &db), "");
	ids[0] = a;
	ids[1] = b;
	CHECK_EQ_U64(ipc_wait(e, ids, 2, 0, &ix), 0);
	CHECK_EQ_U64(ix, 0);
	/* Delivered and queued alike get E_CONNRESET with no body. */
	CHECK_EQ_U64(ipc_take(e, a, &err, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(err, E_CONNRESET);
	CHECK_EQ_U64(len, 0);
	CHECK_EQ_U64(ipc_take(e, b, &err, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(err, E_CONNRESET);
	CHECK_EQ_U64(ipc_cancel(e, c), E_NOENT); /* no answer wanted: just gone */
	CHECK_EQ_U64(ipc_answer(h, a, 0, "x", 1), E_NOENT);
	ipc_stats(k, &st);
	CHECK_EQ_U64(st.failed, 2);
	CHECK_EQ_U64(st.queued, 0);
	CHECK_EQ_U64(st.interfaces, 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "a", 1, &a), E_NOENT);
	freekern(k);
}

TEST(ipc_handler_exit_direct)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k);
	char buf[16];
	uint64_t a = 0, b = 0;
	size_t len;
	int32_t err = 0;

	CHECK_EQ_U64(ipc_register(h, "one"), 0);
	CHECK_EQ_U64(ipc_register(h, "two"), 0);
	CHECK_EQ_U64(ipc_emit(e, "one", IPC_ANSWER, "a", 1, &a), 0);
	CHECK_EQ_U64(ipc_emit(e, "two", IPC_ANSWER, "b", 1, &b), 0);
	ipc_proc_exit(h);
	ipc_proc_exit(h); /* a second time: nothing left */
	CHECK_EQ_U64(ipc_take(e, a, &err, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(err, E_CONNRESET);
	CHECK_EQ_U64(ipc_take(e, b, &err, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(err, E_CONNRESET);
	CHECK_EQ_U64(ipc_register(e, "one"), 0); /* the names are free again */
	CHECK_EQ_U64(nrecs, 4);
	CHECK(recs[2].type == KEV_ANSWER && recs[2].pid == h->pid && recs[2].b == E_CONNRESET);
	freekern(k);
}

TEST(ipc_emitter_exit_direct)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *g = mkproc(k), *e = mkproc(k);
	struct ipc_delivery d;
	char buf[16];
	uint64_t a = 0, b = 0, c = 0;
	struct ipc_stats st;

	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	CHECK_EQ_U64(ipc_register(g, "log"), 0);
	CHECK_EQ_U64(ipc_host_register(k, "nat", NULL, NULL), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "a", 1, &a), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "b", 1, &b), 0);
	CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "c", 1, &c), 0);
	CHECK_EQ_U64(ipc_emit(e, "nat", 0, "n", 1, &c), 0);
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(ipc_answer(h, b, 0, "B", 1), 0);
	ipc_proc_exit(e);
	/* Queued messages that want an answer withdrawn; the notification comes instead. */
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(d.kind, IPC_DESTROYED);
	CHECK_EQ_U64(d.pid, e->pid);
	CHECK_EQ_U64(d.id, 0);
	CHECK_STR(d.intf, "kv");
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), E_AGAIN);
	/* The late answer is dropped. */
	CHECK_EQ_U64(ipc_answer(h, a, 0, "A", 1), 0);
	/* Only the interfaces it emitted to hear of it. */
	CHECK_EQ_U64(ipc_next(g, NULL, 0, &d, buf, sizeof buf), E_AGAIN);
	/* A fire-and-forget message still arrives, ahead of the notice. */
	CHECK_EQ_U64(ipc_host_next(k, NULL, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(d.kind, IPC_MESSAGE);
	CHECK_EQ_U64(d.pid, e->pid);
	CHECK_EQ_U64(ipc_host_next(k, NULL, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(d.kind, IPC_DESTROYED);
	CHECK_EQ_U64(d.pid, e->pid);
	CHECK_EQ_U64(ipc_host_next(k, NULL, &d, buf, sizeof buf), E_AGAIN);
	ipc_stats(k, &st);
	CHECK_EQ_U64(st.queued, 0);
	freekern(k);
}

/* An emitter that talks to ever new names: the ones still registered hear of its end. */
TEST(ipc_emitter_many_names)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k);
	struct ipc_delivery d;
	char name[16], buf[16];
	uint64_t id;
	int notes = 0;

	CHECK_EQ_U64(ipc_register(h, "keep"), 0);
	CHECK_EQ_U64(ipc_emit(e, "keep", 0, "x", 1, &id), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "n%d", i);
		CHECK_EQ_U64(ipc_register(h, name), 0);
		CHECK_EQ_U64(ipc_emit(e, name, 0, "x", 1, &id), 0);
		CHECK_EQ_U64(ipc_next(h, name, 0, &d, buf, sizeof buf), 0);
		if (i < 990)
			CHECK_EQ_U64(ipc_unregister(h, name), 0);
	}
	CHECK_EQ_U64(ipc_next(h, "keep", 0, &d, buf, sizeof buf), 0);
	ipc_proc_exit(e);
	while (ipc_next(h, NULL, 0, &d, buf, sizeof buf) == 0) {
		CHECK_EQ_U64(d.kind, IPC_DESTROYED);
		notes++;
	}
	CHECK_EQ_U64(notes, 11);  /* keep and the last ten */
	freekern(k);
}

/* Notifications are bounded per interface too (a handler that never pulls). */
TEST(ipc_notifications_bounded)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k);
	struct ipc_delivery d;
	char buf[16];
	uint64_t id;
	int n = 0;

	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	for (int i = 0; i < 4 * IPC_PROC_OUTSTANDING + 10; i++) {
		struct proc *e = mkproc(k);

		CHECK(e != NULL);
		if (!e)
			break;
		CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "x", 1, &id), 0);
		proc_discard(e);  /* its exit path: the message withdrawn, a notice queued */
	}
	while (ipc_next(h, NULL, 0, &d, buf, sizeof buf) == 0) {
		CHECK_EQ_U64(d.kind, IPC_DESTROYED);
		n++;
	}
	CHECK_EQ_U64(n, 4 * IPC_PROC_OUTSTANDING);
	freekern(k);
}

/* Messages of live processes at kern_free: freed with the kernel (ASan checks). */
TEST(ipc_free_with_live_messages)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *e = mkproc(k);
	struct ipc_delivery d;
	char buf[16];
	uint64_t id;

	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	CHECK_EQ_U64(ipc_host_register(k, "nat", NULL, NULL), 0);
	for (int i = 0; i < 5; i++) {
		CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "abc", 3, &id), 0);
		CHECK_EQ_U64(ipc_emit(e, "nat", IPC_ANSWER, "abc", 3, &id), 0);
	}
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(ipc_answer(h, d.id, 0, "xyz", 3), 0);
	ipc_proc_exit(e);  /* leaves notifications queued */
	CHECK_EQ_U64(ipc_emit(h, "kv", IPC_ANSWER, "self", 4, &id), 0);
	freekern(k);
}

/* ---- native handlers -------------------------------------------------------------------- */

struct nat {
	struct kern *k;
	int calls, destroyed;
	int later;                  /* return 1 without answering */
	uint64_t last;
	int32_t last_pid;
	char body[64];
};

static int
nat_fn(void *ctx, const struct ipc_delivery *d, const uint8_t *body)
{
	struct nat *n = ctx;
	char ans[80];
	int l;

	if (d->kind == IPC_DESTROYED) {
		n->destroyed++;
		n->last_pid = d->pid;
		return 0;
	}
	n->calls++;
	n->last = d->id;
	n->last_pid = d->pid;
	snprintf(n->body, sizeof n->body, "%.*s", (int)d->len, (const char *)body);
	if (n->later || !(d->flags & IPC_ANSWER))
		return n->later;
	l = snprintf(ans, sizeof ans, "re:%s", n->body);
	ipc_host_answer(n->k, d->id, 0, ans, (size_t)l);
	return 0;
}

TEST(ipc_native_inline)
{
	struct kern *k = mkkern(1);
	struct proc *e = mkproc(k);
	struct nat n = { .k = k };
	char buf[64];
	uint64_t id = 0, ids[1];
	size_t len = 0, ix;
	int32_t err = -1;

	CHECK_EQ_U64(ipc_host_register(k, "nat", nat_fn, &n), 0);
	CHECK_EQ_U64(ipc_emit(e, "nat", IPC_ANSWER, "ping", 4, &id), 0);
	CHECK_EQ_U64(n.calls, 1);
	CHECK_EQ_U64(n.last, id);
	CHECK_EQ_U64(n.last_pid, e->pid);
	CHECK_STR(n.body, "ping");
	CHECK_EQ_U64(ipc_host_pending(k), 0);
	ids[0] = id;
	CHECK_EQ_U64(ipc_wait(e, ids, 1, 0, &ix), 0);
	memset(buf, 0, sizeof buf);
	CHECK_EQ_U64(ipc_take(e, id, &err, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(err, 0);
	CHECK_STR(buf, "re:ping");
	/* Answered later from the host's loop. */
	n.later = 1;
	CHECK_EQ_U64(ipc_emit(e, "nat", IPC_ANSWER, "slow", 4, &id), 0);
	ids[0] = id;
	CHECK_EQ_U64(ipc_wait(e, ids, 1, 0, &ix), E_AGAIN);
	CHECK_EQ_U64(ipc_host_answer(k, id, E_IO, "io", 2), 0);
	CHECK_EQ_U64(ipc_host_answer(k, id, 0, NULL, 0), E_NOENT);
	CHECK_EQ_U64(ipc_take(e, id, &err, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(err, E_IO);
	/* Fire and forget, then the emitter's end. */
	CHECK_EQ_U64(ipc_emit(e, "nat", 0, "note", 4, &id), 0);
	CHECK_EQ_U64(n.calls, 3);
	CHECK_EQ_U64(ipc_emit(e, "nat", IPC_ANSWER, "pending", 7, &id), 0);
	ipc_proc_exit(e);
	CHECK_EQ_U64(n.destroyed, 1);
	CHECK_EQ_U64(n.last_pid, e->pid);
	CHECK_EQ_U64(ipc_host_answer(k, id, 0, "late", 4), 0); /* dropped */
	CHECK_EQ_U64(ipc_host_unregister(k, "nat"), 0);
	CHECK_EQ_U64(ipc_host_unregister(k, "nat"), E_NOENT);
	freekern(k);
}

TEST(ipc_native_queued)
{
	struct kern *k = mkkern(1);
	struct proc *e = mkproc(k), *h = mkproc(k);
	struct ipc_delivery d;
	struct kern_event ev;
	char buf[64];
	uint64_t a = 0, b = 0, c = 0;
	size_t len;
	int32_t err;

	CHECK_EQ_U64(ipc_host_next(k, NULL, &d, buf, sizeof buf), E_NOENT);
	CHECK_EQ_U64(ipc_host_register(k, "nat", NULL, NULL), 0);
	CHECK_EQ_U64(ipc_register(h, "proc"), 0);
	CHECK_EQ_U64(ipc_host_next(k, NULL, &d, buf, sizeof buf), E_AGAIN);
	CHECK_EQ_U64(ipc_host_next(k, "proc", &d, buf, sizeof buf), E_NOENT);
	CHECK_EQ_U64(kern_step(k, 1000, &ev), 0);
	CHECK_EQ_U64(ev.what, KERN_IDLE);
	CHECK_EQ_U64(ipc_emit(e, "nat", IPC_ANSWER, "one", 3, &a), 0);
	CHECK_EQ_U64(ipc_emit(e, "proc", IPC_ANSWER, "p", 1, &b), 0);
	CHECK_EQ_U64(ipc_emit(e, "nat", 0, "two", 3, &c), 0);
	CHECK_EQ_U64(ipc_host_pending(k), 2);
	/* kern_step stops at once for the host, every call, until it drains. */
	CHECK_EQ_U64(kern_step(k, 1000, &ev), 0);
	CHECK_EQ_U64(ev.what, KERN_MESSAGE);
	CHECK_EQ_U64(kern_step(k, -1, &ev), 0);
	CHECK_EQ_U64(ev.what, KERN_MESSAGE);
	CHECK_EQ_U64(ipc_host_answer(k, a, 0, "x", 1), E_NOENT); /* not delivered */
	CHECK_EQ_U64(ipc_host_next(k, "nat", &d, buf, 2), E_NOBUFS);
	CHECK_EQ_U64(d.len, 3);
	memset(buf, 0, sizeof buf);
	CHECK_EQ_U64(ipc_host_next(k, NULL, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(d.id, a);
	CHECK_EQ_U64(d.pid, e->pid);
	CHECK_STR(buf, "one");
	CHECK_EQ_U64(ipc_host_pending(k), 1);
	CHECK_EQ_U64(ipc_answer(h, a, 0, "x", 1), E_NOENT); /* only the host answers it */
	CHECK_EQ_U64(ipc_host_answer(k, b, 0, "x", 1), E_NOENT); /* a process's message */
	CHECK_EQ_U64(ipc_host_answer(k, a, 0, "uno", 3), 0);
	CHECK_EQ_U64(ipc_host_next(k, NULL, &d, buf, sizeof buf), 0);
	CHECK_EQ_U64(d.id, c);
	CHECK_EQ_U64(d.flags, 0);
	CHECK_EQ_U64(ipc_host_pending(k), 0);
	CHECK_EQ_U64(kern_step(k, 1000, &ev), 0);
	CHECK_EQ_U64(ev.what, KERN_IDLE);
	memset(buf, 0, sizeof buf);
	CHECK_EQ_U64(ipc_take(e, a, &err, buf, sizeof buf, &len), 0);
	CHECK_STR(buf, "uno");
	/* A queue-served native going away answers what it held. */
	CHECK_EQ_U64(ipc_emit(e, "nat", IPC_ANSWER, "q", 1, &a), 0);
	CHECK_EQ_U64(ipc_host_unregister(k, "nat"), 0);
	CHECK_EQ_U64(ipc_host_pending(k), 0);
	CHECK_EQ_U64(ipc_take(e, a, &err, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(err, E_CONNRESET);
	freekern(k);
}

/* ---- names and namespaces -------------------------------------------------------------- */

TEST(ipc_srvfs)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k);
	char buf[128], want[64];
	struct dirbuf db;
	struct fs_stat st;
	struct fs_io io = { 0 };
	struct vnode *v;

	CHECK_STR(listsrv(k->root_ns, &db), "");
	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	CHECK_EQ_U64(ipc_host_register(k, "nat", NULL, NULL), 0);
	CHECK_EQ_U64(ipc_register(h, "b"), 0);
	CHECK_STR(listsrv(k->root_ns, &db), "kv nat b ");
	snprintf(want, sizeof want, "kv handler %d\n", (int)h->pid);
	CHECK_STR(readfile(k->root_ns, "/srv/kv", buf, sizeof buf), want);
	CHECK_STR(readfile(k->root_ns, "/srv/nat", buf, sizeof buf), "nat native\n");
	CHECK_STR(readfile(k->root_ns, "/srv/later", buf, sizeof buf), "later none\n");
	CHECK_EQ_U64(fs_stat(k->root_ns, NULL, "/srv/nat", 8, true, &st), 0);
	CHECK_EQ_U64(st.type, VN_FILE);
	CHECK_EQ_U64(st.size, 11);
	CHECK_EQ_U64(fs_stat(k->root_ns, NULL, "/srv/bad name", 13, true, &st), E_NOENT);
	CHECK_EQ_U64(fs_stat(k->root_ns, NULL, "/srv/..", 7, true, &st), 0);
	/* Read-only. */
	CHECK_EQ_U64(fs_open(k->root_ns, NULL, "/srv/kv", 7, FS_O_WRITE, &io, &v), E_ROFS);
	CHECK(fs_open(k->root_ns, NULL, "/srv/new", 8, FS_O_WRITE | FS_O_CREAT, &io, &v) != 0);
	CHECK(fs_mkdir(k->root_ns, NULL, "/srv/d", 6) != 0);
	CHECK_EQ_U64(ipc_unregister(h, "kv"), 0);
	CHECK_STR(listsrv(k->root_ns, &db), "nat b ");
	CHECK_STR(readfile(k->root_ns, "/srv/kv", buf, sizeof buf), "kv none\n");
	freekern(k);
}

/* srvfs cookies: stable across registrations and unregistrations. */
struct cookies {
	char names[8][8];
	uint64_t next[8];
	int n;
};

static int
cookie_add(void *arg, const struct fs_dirent *d)
{
	struct cookies *c = arg;

	if (c->n < 8 && d->namelen < 8) {
		memcpy(c->names[c->n], d->name, d->namelen);
		c->names[c->n][d->namelen] = 0;
		c->next[c->n++] = d->next;
	}
	return 0;
}

TEST(ipc_srvfs_cookies)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k);
	struct fs_path fp;
	struct cookies c = { .n = 0 };

	CHECK_EQ_U64(ipc_register(h, "a"), 0);
	CHECK_EQ_U64(ipc_register(h, "b"), 0);
	CHECK_EQ_U64(ipc_register(h, "c"), 0);
	CHECK_EQ_U64(fs_resolve(k->root_ns, NULL, "/srv", 4, FS_FOLLOW, &fp), 0);
	CHECK_EQ_U64(vn_readdir(fp.vn, 0, cookie_add, &c), 0);
	CHECK_EQ_U64(c.n, 5);   /* . .. a b c */
	if (c.n == 5) {
		uint64_t after_a = c.next[2], after_c = c.next[4];

		CHECK_STR(c.names[2], "a");
		CHECK_EQ_U64(ipc_unregister(h, "b"), 0);
		c.n = 0;
		CHECK_EQ_U64(vn_readdir(fp.vn, after_a, cookie_add, &c), 0);
		CHECK_EQ_U64(c.n, 1);
		CHECK_STR(c.names[0], "c");
		CHECK_EQ_U64(ipc_register(h, "b"), 0);   /* again: now after c */
		c.n = 0;
		CHECK_EQ_U64(vn_readdir(fp.vn, after_c, cookie_add, &c), 0);
		CHECK_EQ_U64(c.n, 1);
		CHECK_STR(c.names[0], "b");
	}
	fs_path_release(&fp);
	freekern(k);
}

/* Many names looked up and dropped: srvfs keeps some nodes, frees the rest. */
TEST(ipc_srvfs_many_names)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k);
	struct fs_stat st;
	char path[32], buf[64], want[64];

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 200; i++) {
			snprintf(path, sizeof path, "/srv/n%d", i);
			CHECK_EQ_U64(fs_stat(k->root_ns, NULL, path, strlen(path), true, &st), 0);
		}
	}
	CHECK_EQ_U64(ipc_register(h, "n7"), 0);
	snprintf(want, sizeof want, "n7 handler %d\n", (int)h->pid);
	CHECK_STR(readfile(k->root_ns, "/srv/n7", buf, sizeof buf), want);
	CHECK_STR(readfile(k->root_ns, "/srv/n199", buf, sizeof buf), "n199 none\n");
	freekern(k);
}

TEST(ipc_namespace_decides)
{
	struct kern *k = mkkern(1);
	struct proc *h = mkproc(k), *cut, *one, *full;
	uint64_t id = 0;

	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	CHECK_EQ_U64(ipc_register(h, "secret"), 0);
	CHECK_EQ_U64(fs_mkdir(k->root_ns, NULL, "/tmp/empty", 10), 0);
	CHECK_EQ_U64(fs_mkdir(k->root_ns, NULL, "/tmp/only", 9), 0);
	CHECK_EQ_U64(fs_put(k->root_ns, "/tmp/only/kv", "", 0), 0);
	cut = mkproc(k);
	one = mkproc(k);
	full = mkproc(k);
	/* cut: /srv replaced by an empty directory. */
	CHECK_EQ_U64(ns_bind(cut->ns, NULL, "/tmp/empty", 10, "/srv", 4, 0), 0);
	CHECK_EQ_U64(ipc_emit(cut, "kv", IPC_ANSWER, "x", 1, &id), E_NOENT);
	CHECK_EQ_U64(ipc_emit(cut, "/srv/kv", IPC_ANSWER, "x", 1, &id), E_NOENT);
	CHECK_EQ_U64(ipc_emit(cut, "kv", IPC_ANSWER | IPC_WAIT, "x", 1, &id), E_NOENT);
	/* one: /srv/kv bound into a directory of its own, then that over /srv. */
	CHECK_EQ_U64(ns_bind(one->ns, NULL, "/srv/kv", 7, "/tmp/only/kv", 12, 0), 0);
	CHECK_EQ_U64(ns_bind(one->ns, NULL, "/tmp/only", 9, "/srv", 4, 0), 0);
	CHECK_EQ_U64(ipc_emit(one, "kv", IPC_ANSWER, "x", 1, &id), 0);
	CHECK_EQ_U64(id, 1);
	CHECK_EQ_U64(ipc_emit(one, "/tmp/only/kv", IPC_ANSWER, "x", 1, &id), 0);
	CHECK_EQ_U64(ipc_emit(one, "secret", IPC_ANSWER, "x", 1, &id), E_NOENT);
	/* Any name for a srvfs node carries the node's name: a bind renames nothing. */
	CHECK_EQ_U64(ns_bind(full->ns, NULL, "/srv/secret", 11, "/tmp/only/kv", 12, 0), 0);
	CHECK_EQ_U64(ipc_emit(full, "/tmp/only/kv", IPC_ANSWER, "x", 1, &id), 0);
	CHECK_EQ_U64(nrecs, 3);
	CHECK_STR(recs[2].name, "secret");
	CHECK_EQ_U64(ipc_emit(full, "kv", IPC_ANSWER, "x", 1, &id), 0);
	/* A relative path resolves against the cwd (the root). */
	CHECK_EQ_U64(ipc_emit(full, "srv/kv", IPC_ANSWER, "x", 1, &id), 0);
	freekern(k);
}

/* The system mounts srvfs on /srv of its root and offers it as "#srv". */
TEST(ipc_system_srv)
{
	wr_System *sys = NULL;
	struct fs_path fp;
	struct dirbuf db;
	char buf[64];
	struct ns *ns;

	CHECK_EQ_U64(wr_system_new(NULL, &sys, NULL, 0), WR_OK);
	if (!sys)
		return;
	CHECK_EQ_U64(fs_resolve(sys->k->root_ns, NULL, "/srv", 4, FS_FOLLOW, &fp), 0);
	CHECK(fp.vn && !strcmp(fp.vn->fs->name, "srvfs"));
	fs_path_release(&fp);
	CHECK_EQ_U64(ipc_host_register(sys->k, "kv", NULL, NULL), 0);
	CHECK_STR(listsrv(sys->k->root_ns, &db), "kv ");
	/* A namespace that lost /srv mounts it again by name. */
	ns = ns_copy(sys->k->root_ns);
	CHECK(ns != NULL);
	if (ns) {
		CHECK_EQ_U64(fs_mkdir(ns, NULL, "/tmp/s", 6), 0);
		CHECK_EQ_U64(ns_mount_spec(ns, NULL, "#srv", 4, "/tmp/s", 6, 0), 0);
		CHECK_STR(readfile(ns, "/tmp/s/kv", buf, sizeof buf), "kv native\n");
		ns_unref(ns);
	}
	wr_system_free(sys);
}

/* ---- determinism ------------------------------------------------------------------------ */

static void
workload(uint64_t seed, uint64_t out[8])
{
	struct kern *k = mkkern(seed);
	struct proc *h = mkproc(k), *e = mkproc(k), *f = mkproc(k);
	struct ipc_delivery d;
	char buf[16];
	int n = 0;

	ipc_register(h, "kv");
	ipc_emit(e, "kv", IPC_ANSWER, "a", 1, &out[n++]);
	ipc_emit(f, "kv", 0, "b", 1, &out[n++]);
	ipc_next(h, NULL, 0, &d, buf, sizeof buf);
	ipc_answer(h, d.id, 0, NULL, 0);
	ipc_emit(e, "kv", IPC_ANSWER, "c", 1, &out[n++]);
	ipc_cancel(e, out[2]);
	ipc_emit(f, "kv", IPC_ANSWER, "d", 1, &out[n++]);
	out[n++] = (uint64_t)e->pid;
	out[n++] = (uint64_t)f->pid;
	out[n++] = (uint64_t)nrecs;
	out[n++] = (uint64_t)recs[nrecs - 1].a;
	freekern(k);
}

TEST(ipc_ids_deterministic)
{
	uint64_t a[8], b[8];

	workload(42, a);
	workload(42, b);
	CHECK(!memcmp(a, b, sizeof a));
	CHECK_EQ_U64(a[0], 1);
	CHECK_EQ_U64(a[1], 2);
	CHECK_EQ_U64(a[2], 3);
	CHECK_EQ_U64(a[3], 4);
}

/* ---- running processes ------------------------------------------------------------------ */

/* Deliveries the guests pulled (through i.next). */
static struct ipc_delivery dlog[64];
static int ndlog;

#define PROC(inst) ((struct proc *)vm_userdata(inst))
#define I32(x) ((int32_t)(uint32_t)(x))

static uint8_t *
gmem(struct vm_instance *inst, uint64_t off, uint64_t len)
{
	uint64_t size;
	uint8_t *m = vm_memory_data(inst, &size);

	return m && off <= size && len <= size - off ? m + off : NULL;
}

/* A name (ptr, len) of guest memory as a C string in buf. */
static const char *
gname(struct vm_instance *inst, vm_slot ptr, vm_slot len, char *buf, size_t cap)
{
	uint8_t *s = gmem(inst, (uint32_t)ptr, (uint32_t)len);

	if (!s || (uint32_t)len >= cap)
		return NULL;
	memcpy(buf, s, (uint32_t)len);
	buf[(uint32_t)len] = 0;
	return buf;
}

static enum vm_status
ret(struct proc *p, vm_slot *a, int e, vm_slot ok)
{
	if (e == E_BLOCK)
		return VM_BLOCK;
	a[0] = e ? (vm_slot)(int64_t)-e : ok;
	return kern_ret(p);
}

static enum vm_status
h_reg(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	char name[80];

	(void)ctx;
	return ret(PROC(inst), a, ipc_register(PROC(inst), gname(inst, a[0], a[1], name, sizeof name)), 0);
}

static enum vm_status
h_unreg(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	char name[80];
	const char *n = gname(inst, a[0], a[1], name, sizeof name);

	(void)ctx;
	return ret(PROC(inst), a, n ? ipc_unregister(PROC(inst), n) : E_INVAL, 0);
}

/* emit(name, nlen, flags, body, blen) -> id or -errno (i64) */
static enum vm_status
h_emit(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	char name[80];
	const char *n = gname(inst, a[0], a[1], name, sizeof name);
	uint8_t *body = gmem(inst, (uint32_t)a[3], (uint32_t)a[4]);
	uint64_t id = 0;
	int e = n && body ? ipc_emit(PROC(inst), n, (uint32_t)a[2], body, (uint32_t)a[4], &id)
			  : E_INVAL;

	(void)ctx;
	return ret(PROC(inst), a, e, id);
}

/* wait(ids, n, flags) -> index or -errno */
static enum vm_status
h_wait(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	uint64_t ids[16];
	uint32_t n = (uint32_t)a[1];
	uint8_t *p = gmem(inst, (uint32_t)a[0], (uint64_t)n * 8);
	size_t ix = 0;
	int e;

	(void)ctx;
	if (!p || n > 16)
		return ret(PROC(inst), a, E_INVAL, 0);
	memcpy(ids, p, n * 8);
	e = ipc_wait(PROC(inst), ids, n, (uint32_t)a[2], &ix);
	return ret(PROC(inst), a, e, (uint32_t)ix);
}

/* take(id, buf, cap) -> len, 100000 + error for an error answer, or -errno */
static enum vm_status
h_take(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	uint8_t *buf = gmem(inst, (uint32_t)a[1], (uint32_t)a[2]);
	int32_t err = 0;
	size_t len = 0;
	int e = buf ? ipc_take(PROC(inst), a[0], &err, buf, (uint32_t)a[2], &len) : E_INVAL;

	(void)ctx;
	return ret(PROC(inst), a, e, err ? 100000u + (uint32_t)err : (uint32_t)len);
}

/* next(flags, buf, cap) -> id (0: a notification) or -errno; logged in dlog */
static enum vm_status
h_next(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	uint8_t *buf = gmem(inst, (uint32_t)a[1], (uint32_t)a[2]);
	struct ipc_delivery d;
	int e = buf ? ipc_next(PROC(inst), NULL, (uint32_t)a[0], &d, buf, (uint32_t)a[2]) : E_INVAL;

	(void)ctx;
	if (!e && ndlog < 64)
		dlog[ndlog++] = d;
	return ret(PROC(inst), a, e, e ? 0 : d.id);
}

/* answer(id, error, body, len) -> 0 or -errno */
static enum vm_status
h_answer(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	uint8_t *body = gmem(inst, (uint32_t)a[2], (uint32_t)a[3]);
	int e = body ? ipc_answer(PROC(inst), a[0], I32(a[1]), body, (uint32_t)a[3]) : E_INVAL;

	(void)ctx;
	return ret(PROC(inst), a, e, 0);
}

static enum vm_status
h_cancel(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	(void)ctx;
	return ret(PROC(inst), a, ipc_cancel(PROC(inst), a[0]), 0);
}

static const struct {
	const char *name;
	vm_host_fn fn;
} table[] = {
	{ "reg", h_reg }, { "unreg", h_unreg }, { "emit", h_emit }, { "wait", h_wait },
	{ "take", h_take }, { "next", h_next }, { "answer", h_answer }, { "cancel", h_cancel },
	{ "log", kt_host_log }, { "exit", kt_host_exit },
};

static struct vm_func *
resolve(void *ctx, const struct vm_import *imp, const struct vm_functype *type,
	struct vm_error *err)
{
	(void)ctx;
	for (size_t i = 0; !strcmp(imp->module, "i") && i < sizeof table / sizeof table[0]; i++) {
		struct vm_func *f;

		if (strcmp(imp->name, table[i].name))
			continue;
		if (nfuncs >= NFUNCS)
			return NULL;
		if ((f = vm_host_func_new(type, table[i].fn, NULL, imp->name)))
			funcs[nfuncs++] = f;
		return f;
	}
	vm_err(err, VM_ERR_LINK, 0, "unknown import %s.%s", imp->module, imp->name);
	return NULL;
}

#define IMPORTS                                                                            \
	"(import \"i\" \"reg\" (func $reg (param i32 i32) (result i32)))\n"                \
	"(import \"i\" \"unreg\" (func $unreg (param i32 i32) (result i32)))\n"            \
	"(import \"i\" \"emit\" (func $emit (param i32 i32 i32 i32 i32) (result i64)))\n"  \
	"(import \"i\" \"wait\" (func $wait (param i32 i32 i32) (result i32)))\n"          \
	"(import \"i\" \"take\" (func $take (param i64 i32 i32) (result i32)))\n"          \
	"(import \"i\" \"next\" (func $next (param i32 i32 i32) (result i64)))\n"          \
	"(import \"i\" \"answer\" (func $answer (param i64 i32 i32 i32) (result i32)))\n"  \
	"(import \"i\" \"cancel\" (func $cancel (param i64) (result i32)))\n"              \
	"(import \"i\" \"log\" (func $log (param i32)))\n"                                 \
	"(import \"i\" \"exit\" (func $exit (param i32)))\n"                               \
	"(memory 1)\n"                                                                     \
	"(data (i32.const 0) \"kv\")\n"                                                    \
	"(data (i32.const 16) \"hello\")\n"

/* Spawn a program made of IMPORTS and body; its pid, or -1. */
static int32_t
spawn(struct kern *k, const char *body)
{
	char src[8192];
	size_t len = 0;
	uint8_t *bytes;
	int32_t pid;

	snprintf(src, sizeof src, "(module\n" IMPORTS "%s)\n", body);
	if (!(bytes = kt_wat(src, &len))) {
		unit_fail(__FILE__, __LINE__, "wat2wasm failed on:\n%s", src);
		return -1;
	}
	pid = kt_spawn(k, bytes, len);
	free(bytes);
	if (pid <= 0)
		unit_fail(__FILE__, __LINE__, "spawn: %d", pid);
	return pid;
}

/* The values pid logged, in order; how many. */
static int
logof(int32_t pid, int32_t *out, int max)
{
	int n = 0;

	for (int i = 0; i < kt_ntrace && n < max; i++)
		if (kt_trace[i].pid == pid)
			out[n++] = kt_trace[i].v;
	return n;
}

/* Serve n messages on kv, echoing each body (5 bytes) back. */
#define ECHO_SERVER(n)                                                                      \
	"(func (export \"_start\") (local $id i64) (local $i i32)\n"                        \
	"  (call $log (call $reg (i32.const 0) (i32.const 2)))\n"                           \
	"  (block $done (loop $l\n"                                                         \
	"    (br_if $done (i32.ge_u (local.get $i) (i32.const " #n ")))\n"                  \
	"    (local.set $id (call $next (i32.const 1) (i32.const 256) (i32.const 64)))\n"   \
	"    (call $log (i32.wrap_i64 (local.get $id)))\n"                                  \
	"    (drop (call $answer (local.get $id) (i32.const 0) (i32.const 256) (i32.const 5)))\n" \
	"    (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"                       \
	"    (br $l)))\n"                                                                   \
	"  (call $exit (i32.const 0)))\n"

/* Emit "hello" to kv n times (IPC_ANSWER | IPC_WAIT), each time waiting
 * (blocking) and taking the answer; logs id, wait, take, first byte. */
#define CLIENT(n)                                                                           \
	"(func (export \"_start\") (local $id i64) (local $i i32)\n"                        \
	"  (block $done (loop $l\n"                                                         \
	"    (br_if $done (i32.ge_u (local.get $i) (i32.const " #n ")))\n"                  \
	"    (local.set $id (call $emit (i32.const 0) (i32.const 2) (i32.const 3)\n"        \
	"                               (i32.const 16) (i32.const 5)))\n"                   \
	"    (call $log (i32.wrap_i64 (local.get $id)))\n"                                  \
	"    (i64.store (i32.const 64) (local.get $id))\n"                                  \
	"    (call $log (call $wait (i32.const 64) (i32.const 1) (i32.const 1)))\n"         \
	"    (i32.store8 (i32.const 512) (i32.const 0))\n"                                  \
	"    (call $log (call $take (local.get $id) (i32.const 512) (i32.const 64)))\n"     \
	"    (call $log (i32.load8_u (i32.const 512)))\n"                                   \
	"    (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"                       \
	"    (br $l)))\n"                                                                   \
	"  (call $exit (i32.const 0)))\n"

/* Run until every process is gone; false if that never happens. */
static bool
runall(struct kern *k)
{
	for (int i = 0; i < 10000; i++) {
		struct kern_event ev;

		kern_step(k, 100000, &ev);
		if (ev.what == KERN_DONE)
			return true;
		if (ev.what == KERN_IDLE && ev.wake_at == UINT64_MAX)
			return false;
		if (ev.what == KERN_IDLE)
			kt_clock_ns = ev.wake_at;
	}
	return false;
}

TEST(ipc_proc_wait_for_handler)
{
	struct kern *k = mkkern(3);
	int32_t c, s, v[32];
	int n;

	ndlog = 0;
	/* The client comes first: IPC_WAIT blocks it until kv registers. */
	c = spawn(k, CLIENT(3));
	CHECK(runall(k) == false); /* asleep: nothing else can wake it */
	CHECK_EQ_U64(kt_ntrace, 0);
	s = spawn(k, ECHO_SERVER(3));
	CHECK(runall(k));
	n = logof(c, v, 32);
	CHECK_EQ_U64(n, 12);
	for (int i = 0; i < 3 && n == 12; i++) {
		CHECK_EQ_U64(v[i * 4], i + 1);   /* ids 1, 2, 3 */
		CHECK_EQ_U64(v[i * 4 + 1], 0);   /* wait: index 0 */
		CHECK_EQ_U64(v[i * 4 + 2], 5);   /* take: 5 bytes */
		CHECK_EQ_U64(v[i * 4 + 3], 'h');
	}
	n = logof(s, v, 32);
	CHECK_EQ_U64(n, 4);
	CHECK_EQ_U64(v[0], 0);
	CHECK_EQ_U64(v[1], 1);
	CHECK_EQ_U64(v[3], 3);
	CHECK_EQ_U64(ndlog, 3);
	CHECK_EQ_U64(dlog[0].pid, c);
	freekern(k);
}

TEST(ipc_proc_handler_blocks_for_messages)
{
	struct kern *k = mkkern(4);
	int32_t c, s, v[32];

	ndlog = 0;
	s = spawn(k, ECHO_SERVER(2));
	CHECK(runall(k) == false);          /* registered, asleep in next */
	CHECK_EQ_U64(logof(s, v, 32), 1);
	c = spawn(k, CLIENT(2));
	CHECK(runall(k));
	CHECK_EQ_U64(logof(c, v, 32), 8);
	CHECK_EQ_U64(v[2], 5);
	CHECK_EQ_U64(v[7], 'h');
	freekern(k);
}

/*
 * Emit three, wait for any (blocking): the handler answers the second,
 * then waits for a fourth message before it answers the first.
 */
TEST(ipc_proc_wait_many)
{
	static const char client[] =
		"(func (export \"_start\")\n"
		"  (i64.store (i32.const 64) (call $emit (i32.const 0) (i32.const 2) (i32.const 3) (i32.const 16) (i32.const 1)))\n"
		"  (i64.store (i32.const 72) (call $emit (i32.const 0) (i32.const 2) (i32.const 3) (i32.const 16) (i32.const 1)))\n"
		"  (i64.store (i32.const 80) (call $emit (i32.const 0) (i32.const 2) (i32.const 3) (i32.const 16) (i32.const 1)))\n"
		"  (call $log (call $wait (i32.const 64) (i32.const 3) (i32.const 0)))\n"
		"  (call $log (call $wait (i32.const 64) (i32.const 3) (i32.const 1)))\n"
		"  (call $log (call $take (i64.load (i32.const 72)) (i32.const 512) (i32.const 64)))\n"
		"  (drop (call $emit (i32.const 0) (i32.const 2) (i32.const 3) (i32.const 16) (i32.const 1)))\n"
		"  (call $log (call $wait (i32.const 64) (i32.const 1) (i32.const 1)))\n"
		"  (call $log (call $take (i64.load (i32.const 64)) (i32.const 512) (i32.const 64)))\n"
		"  (call $exit (i32.const 0)))\n";
	static const char server[] =
		"(func (export \"_start\") (local $a i64) (local $b i64) (local $d i64)\n"
		"  (drop (call $reg (i32.const 0) (i32.const 2)))\n"
		"  (local.set $a (call $next (i32.const 1) (i32.const 256) (i32.const 64)))\n"
		"  (local.set $b (call $next (i32.const 1) (i32.const 256) (i32.const 64)))\n"
		"  (drop (call $next (i32.const 1) (i32.const 256) (i32.const 64)))\n"
		"  (call $log (call $answer (local.get $b) (i32.const 0) (i32.const 16) (i32.const 2)))\n"
		"  (local.set $d (call $next (i32.const 1) (i32.const 256) (i32.const 64)))\n"
		"  (call $log (call $answer (local.get $a) (i32.const 13) (i32.const 16) (i32.const 3)))\n"
		"  (call $log (call $answer (local.get $d) (i32.const 0) (i32.const 16) (i32.const 3)))\n"
		"  (call $exit (i32.const 0)))\n";
	struct kern *k = mkkern(5);
	int32_t c, s, v[32];

	ndlog = 0;
	s = spawn(k, server);
	c = spawn(k, client);
	CHECK(runall(k));
	CHECK_EQ_U64(logof(c, v, 32), 5);
	CHECK_EQ_I64(v[0], -E_AGAIN);
	CHECK_EQ_U64(v[1], 1);              /* the second id answered */
	CHECK_EQ_U64(v[2], 2);              /* 2 bytes */
	CHECK_EQ_U64(v[3], 0);
	CHECK_EQ_U64(v[4], 100000 + 13);    /* an error answer */
	CHECK_EQ_U64(logof(s, v, 32), 3);
	CHECK(v[0] == 0 && v[1] == 0 && v[2] == 0);
	CHECK_EQ_U64(ndlog, 4);
	freekern(k);
}

/* The handler dies holding a delivered message and a queued one. */
TEST(ipc_proc_handler_death)
{
	static const char client[] =
		"(func (export \"_start\")\n"
		"  (i64.store (i32.const 64) (call $emit (i32.const 0) (i32.const 2) (i32.const 3) (i32.const 16) (i32.const 1)))\n"
		"  (i64.store (i32.const 72) (call $emit (i32.const 0) (i32.const 2) (i32.const 3) (i32.const 16) (i32.const 1)))\n"
		"  (call $log (call $wait (i32.const 64) (i32.const 1) (i32.const 1)))\n"
		"  (call $log (call $take (i64.load (i32.const 64)) (i32.const 512) (i32.const 64)))\n"
		"  (call $log (call $take (i64.load (i32.const 72)) (i32.const 512) (i32.const 64)))\n"
		"  (call $exit (i32.const 0)))\n";
	static const char server[] =
		"(func (export \"_start\")\n"
		"  (drop (call $reg (i32.const 0) (i32.const 2)))\n"
		"  (call $log (i32.wrap_i64 (call $next (i32.const 1) (i32.const 256) (i32.const 64))))\n"
		"  (call $exit (i32.const 7)))\n";
	struct kern *k = mkkern(6);
	int32_t c, v[32];
	struct ipc_stats st;

	ndlog = 0;
	spawn(k, server);
	c = spawn(k, client);
	CHECK(runall(k));
	CHECK_EQ_U64(logof(c, v, 32), 3);
	CHECK_EQ_U64(v[0], 0);
	CHECK_EQ_U64(v[1], 100000 + E_CONNRESET);
	CHECK_EQ_U64(v[2], 100000 + E_CONNRESET);
	ipc_stats(k, &st);
	CHECK_EQ_U64(st.failed, 2);
	CHECK_EQ_U64(st.interfaces, 0);
	freekern(k);
}

/* The emitter dies with a message queued: the handler hears of it. */
TEST(ipc_proc_emitter_death)
{
	static const char client[] =
		"(func (export \"_start\")\n"
		"  (call $log (i32.wrap_i64 (call $emit (i32.const 0) (i32.const 2) (i32.const 2) (i32.const 16) (i32.const 1))))\n"
		"  (call $log (i32.wrap_i64 (call $emit (i32.const 0) (i32.const 2) (i32.const 3) (i32.const 16) (i32.const 1))))\n"
		"  (call $exit (i32.const 0)))\n";
	static const char server[] =
		"(func (export \"_start\")\n"
		"  (drop (call $reg (i32.const 0) (i32.const 2)))\n"
		"  (call $log (i32.const -1))\n"
		"  (call $log (i32.wrap_i64 (call $next (i32.const 1) (i32.const 256) (i32.const 64))))\n"
		"  (call $exit (i32.const 0)))\n";
	struct kern *k = mkkern(7);
	int32_t c, s, v[8];

	ndlog = 0;
	c = spawn(k, client);   /* blocks in emit (IPC_WAIT) */
	CHECK(runall(k) == false);
	/* The server registers; the client emits twice and ends before the
	 * server pulls: the one wanting an answer is withdrawn, the
	 * fire-and-forget one still arrives (then the notification). */
	s = spawn(k, server);
	CHECK(runall(k));
	CHECK_EQ_U64(logof(c, v, 8), 2);
	CHECK_EQ_U64(v[0], 1);
	CHECK_EQ_U64(v[1], 2);
	CHECK_EQ_U64(logof(s, v, 8), 2);
	CHECK_EQ_U64(ndlog, 1);
	CHECK_EQ_U64(dlog[0].kind, IPC_MESSAGE);
	CHECK_EQ_U64(dlog[0].pid, c);
	CHECK_STR(dlog[0].intf, "kv");
	freekern(k);
}

/* SIGKILL while blocked: a handler in ipc_next, an emitter in ipc_wait. */
TEST(ipc_proc_killed_while_blocked)
{
	static const char client[] =
		"(func (export \"_start\")\n"
		"  (i64.store (i32.const 64) (call $emit (i32.const 0) (i32.const 2) (i32.const 3) (i32.const 16) (i32.const 1)))\n"
		"  (call $log (call $wait (i32.const 64) (i32.const 1) (i32.const 1)))\n"
		"  (call $log (call $take (i64.load (i32.const 64)) (i32.const 512) (i32.const 64)))\n"
		"  (call $exit (i32.const 0)))\n";
	static const char server[] =
		"(func (export \"_start\")\n"
		"  (drop (call $reg (i32.const 0) (i32.const 2)))\n"
		"  (call $log (i32.wrap_i64 (call $next (i32.const 1) (i32.const 256) (i32.const 64))))\n"
		"  (call $log (i32.wrap_i64 (call $next (i32.const 1) (i32.const 256) (i32.const 64))))\n"
		"  (call $exit (i32.const 0)))\n";
	struct kern *k = mkkern(9);
	int32_t c, s, v[8];

	/* The handler dies: the emitter's wait ends with E_CONNRESET. */
	ndlog = 0;
	s = spawn(k, server);
	c = spawn(k, client);
	CHECK(runall(k) == false);
	CHECK_EQ_U64(logof(s, v, 8), 1);
	sig_send_proc(proc_find(k, s), KSIGKILL);
	CHECK(runall(k));
	CHECK_EQ_U64(logof(c, v, 8), 2);
	CHECK_EQ_U64(v[0], 0);
	CHECK_EQ_U64(v[1], 100000 + E_CONNRESET);
	freekern(k);

	/* The emitter dies: the handler's next gives IPC_DESTROYED. */
	k = mkkern(10);
	ndlog = 0;
	s = spawn(k, server);
	c = spawn(k, client);
	CHECK(runall(k) == false);
	sig_send_proc(proc_find(k, c), KSIGKILL);
	CHECK(runall(k));
	CHECK_EQ_U64(logof(s, v, 8), 2);
	CHECK_EQ_U64(v[0], 1);
	CHECK_EQ_U64(v[1], 0);
	CHECK_EQ_U64(ndlog, 2);
	CHECK_EQ_U64(dlog[1].kind, IPC_DESTROYED);
	CHECK_EQ_U64(dlog[1].pid, c);
	freekern(k);
}

/* A guest talks to a queue-served native handler: kern_step gives KERN_MESSAGE. */
TEST(ipc_proc_native_queued)
{
	struct kern *k = mkkern(8);
	int32_t c, v[16];
	int messages = 0, destroyed = 0, done = 0;

	/* The client waits (IPC_WAIT) until the host registers kv. */
	c = spawn(k, CLIENT(2));
	CHECK(runall(k) == false);
	CHECK_EQ_U64(kt_ntrace, 0);
	CHECK_EQ_U64(ipc_host_register(k, "kv", NULL, NULL), 0);
	for (int i = 0; i < 100 && !done; i++) {
		struct kern_event ev;
		struct ipc_delivery d;
		char buf[64];

		kern_step(k, 100000, &ev);
		if (ev.what == KERN_DONE)
			done = 1;
		if (ev.what != KERN_MESSAGE)
			continue;
		CHECK_EQ_U64(ipc_host_pending(k), 1);
		CHECK_EQ_U64(ipc_host_next(k, NULL, &d, buf, sizeof buf), 0);
		CHECK_EQ_U64(d.pid, c);
		if (d.kind == IPC_DESTROYED) {
			destroyed++;
			continue;
		}
		messages++;
		CHECK_EQ_U64(ipc_host_answer(k, d.id, 0, "HELLO", 5), 0);
	}
	CHECK(done);
	CHECK_EQ_U64(messages, 2);
	CHECK_EQ_U64(destroyed, 1);   /* the client's end */
	CHECK_EQ_U64(logof(c, v, 16), 8);
	CHECK_EQ_U64(v[7], 'H');
	freekern(k);
}

/* ---- out of memory ------------------------------------------------------------------------ */

static long fail_at = -1, nallocs, live;

static void *
failing(void *ud, void *ptr, size_t n)
{
	(void)ud;
	if (n == 0) {
		if (ptr)
			live--;
		free(ptr);
		return NULL;
	}
	if (!ptr) {
		if (nallocs++ == fail_at)
			return NULL;
		if ((ptr = malloc(n)))
			live++;
		return ptr;
	}
	return realloc(ptr, n);
}

/* A handler that never answers cannot make the kernel keep every cancelled message. */
TEST(ipc_orphans_bounded)
{
	static const struct al_alloc a = { failing, NULL };
	const struct al_alloc *prev = al_enter(&a);
	struct kern *k;
	struct proc *h, *e;
	struct ipc_delivery d;
	char buf[16];
	uint64_t id, first = 0;
	long at[3] = { 0 };

	fail_at = -1;
	nallocs = live = 0;
	k = mkkern(1);
	h = mkproc(k);
	e = mkproc(k);
	CHECK_EQ_U64(ipc_register(h, "kv"), 0);
	for (int i = 0; i < 3 * IPC_PROC_OUTSTANDING; i++) {
		CHECK_EQ_U64(ipc_emit(e, "kv", IPC_ANSWER, "x", 1, &id), 0);
		if (!first)
			first = id;
		CHECK_EQ_U64(ipc_next(h, NULL, 0, &d, buf, sizeof buf), 0);
		CHECK_EQ_U64(ipc_cancel(e, id), 0);
		if ((i + 1) % IPC_PROC_OUTSTANDING == 0)
			at[i / IPC_PROC_OUTSTANDING] = live;
	}
	/* Past the bound, memory stays flat (the id hash may have grown once). */
	CHECK_EQ_I64(at[2], at[1]);
	/* The newest orphans are kept (their answers dropped), the oldest gone. */
	CHECK_EQ_U64(ipc_answer(h, id, 0, "late", 4), 0);
	CHECK_EQ_U64(ipc_answer(h, first, 0, "late", 4), E_NOENT);
	freekern(k);
	al_leave(prev);
	CHECK_EQ_I64(live, 0);
}

/*
 * Random traffic: several processes and the host call everything with
 * valid and invalid arguments (nothing that blocks: these processes never
 * run), some allocations fail, processes end and are replaced. Nothing
 * may crash or leak, every error must be one the contract names, and at
 * the end nothing is left queued.
 */
static uint64_t rnd_state;

static uint32_t
rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state % n);
}

static bool
one_of(int e, const int *ok, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (e == ok[i])
			return true;
	return false;
}

#define ALLOWED(e, ...)                                                                 \
	do {                                                                            \
		static const int ok_[] = { 0, E_NOMEM, __VA_ARGS__ };                  \
		if (!one_of((e), ok_, sizeof ok_ / sizeof ok_[0]))                      \
			unit_fail(__FILE__, __LINE__, "unexpected errno %d", (e));      \
	} while (0)

static void
random_run(uint64_t seed, long fail_every)
{
	static const char *const names[] = { "a", "b", "kv", "nat", "q", "a", "b", "kv", "nat",
					     "bad name", "..", "/srv/a", "/srv/kv", "/tmp",
					     "/none/x", "srv/b" };
	static uint8_t body[IPC_BODY_MAX + 8], buf[IPC_BODY_MAX];
	static const struct al_alloc a = { failing, NULL };
	const struct al_alloc *prev = al_enter(&a);
	struct nat nt = { 0 };
	struct proc *ps[5];
	uint64_t ids[64] = { 0 }, dids[64] = { 0 };
	int owner[64] = { 0 }, downer[64] = { 0 };  /* emitter; handler (-1: host) */
	size_t nids = 0, ndids = 0;
	struct kern *k;
	struct ipc_stats st;

	fail_at = -1;
	nallocs = live = 0;
	rnd_state = seed * 2654435761u + 1;
	k = mkkern(seed);
	nt.k = k;
	nt.later = 1;
	for (int i = 0; i < 5; i++)
		ps[i] = mkproc(k);
	for (int step = 0; step < 4000; step++) {
		int pi = (int)rnd(5);
		struct proc *p = ps[pi];
		const char *name = names[rnd(sizeof names / sizeof names[0])];
		uint64_t id = rnd(100);
		size_t r;
		size_t len = rnd(8) ? rnd(100) : IPC_BODY_MAX + rnd(2) * 8;
		struct ipc_delivery d;
		size_t ix, got;
		int32_t err;
		int e;

		/* Every fail_every-th allocation fails (0: none). */
		fail_at = fail_every ? nallocs + (long)rnd((uint32_t)fail_every) : -1;
		switch (rnd(14)) {
		case 0:
			ALLOWED(ipc_register(p, name), E_INVAL, E_EXIST, E_MFILE);
			break;
		case 1:
			ALLOWED(ipc_unregister(p, name), E_NOENT);
			break;
		case 2:
		case 3:
		case 4:
			e = ipc_emit(p, name, rnd(2) ? IPC_ANSWER : 0, body, len, &id);
			ALLOWED(e, E_NOENT, E_INVAL, E_2BIG, E_AGAIN, E_NOTDIR);
			if (!e) {
				r = nids < 64 ? nids++ : rnd(64);
				ids[r] = id;
				owner[r] = pi;
			}
			break;
		case 5:
			if (nids && rnd(4)) {
				r = rnd((uint32_t)nids);
				id = ids[r];
				p = ps[owner[r]];
			}
			ALLOWED(ipc_cancel(p, id), E_NOENT);
			break;
		case 6:
			ALLOWED(ipc_wait(p, ids, nids ? 1 + rnd((uint32_t)nids) : 0, 0, &ix), E_AGAIN,
				E_NOENT, E_INVAL);
			break;
		case 7:
			if (nids && rnd(4)) {
				r = rnd((uint32_t)nids);
				id = ids[r];
				p = ps[owner[r]];
			}
			ALLOWED(ipc_take(p, id, &err, buf, rnd(2) ? sizeof buf : rnd(8), &got),
				E_AGAIN, E_NOENT, E_NOBUFS);
			break;
		case 8:
			e = ipc_next(p, rnd(2) ? NULL : name, 0, &d, buf, rnd(4) ? sizeof buf : rnd(8));
			ALLOWED(e, E_AGAIN, E_NOENT, E_NOBUFS);
			if (!e && d.id) {
				r = ndids < 64 ? ndids++ : rnd(64);
				dids[r] = d.id;
				downer[r] = pi;
			}
			break;
		case 9:
			if (ndids && rnd(4)) {
				r = rnd((uint32_t)ndids);
				id = dids[r];
				if (downer[r] >= 0)
					p = ps[downer[r]];
			}
			ALLOWED(ipc_answer(p, id, (int32_t)rnd(3), body, len), E_NOENT, E_2BIG);
			break;
		case 10:
			if (rnd(2))
				ALLOWED(ipc_host_register(k, name, rnd(2) ? nat_fn : NULL, &nt), E_INVAL,
					E_EXIST);
			else
				ALLOWED(ipc_host_unregister(k, name), E_NOENT);
			break;
		case 11:
			e = ipc_host_next(k, rnd(2) ? NULL : name, &d, buf, sizeof buf);
			ALLOWED(e, E_AGAIN, E_NOENT, E_NOBUFS);
			if (!e && d.id) {
				r = ndids < 64 ? ndids++ : rnd(64);
				dids[r] = d.id;
				downer[r] = -1;
			}
			break;
		case 12:
			if (ndids && rnd(4))
				id = dids[rnd((uint32_t)ndids)];
			if (rnd(3) == 0)
				id = nt.last;  /* a callback's message */
			ALLOWED(ipc_host_answer(k, id, 0, body, len), E_NOENT, E_2BIG);
			break;
		case 13:
			if (rnd(4) == 0) {
				/* A process ends; a new one takes its place. */
				int i = (int)rnd(5);

				fail_at = -1;
				proc_discard(ps[i]);
				ps[i] = mkproc(k);
				CHECK(ps[i] != NULL);
				if (!ps[i])
					goto out;
			}
			break;
		}
	}
out:
	fail_at = -1;
	ipc_stats(k, &st);
	CHECK(st.emitted > 100);   /* the traffic reached the interesting states */
	CHECK(st.answered > 3);
	CHECK(st.cancelled > 10);
	CHECK(st.failed > 10);
	for (int i = 0; i < 5; i++)
		if (ps[i])
			proc_discard(ps[i]);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		ipc_host_unregister(k, names[i]);
	ipc_stats(k, &st);
	CHECK_EQ_U64(st.queued, 0);
	CHECK_EQ_U64(st.interfaces, 0);
	CHECK_EQ_U64(ipc_host_pending(k), 0);
	freekern(k);
	al_leave(prev);
	CHECK_EQ_I64(live, 0);
}

TEST(ipc_random_traffic)
{
	for (uint64_t seed = 1; seed <= 10; seed++)
		random_run(seed, 0);
	for (uint64_t seed = 1; seed <= 10; seed++)
		random_run(seed, 20);
}

/* One workload of every call; each allocation in it fails in turn. */
static int
oom_once(long n)
{
	static const struct al_alloc a = { failing, NULL };
	const struct al_alloc *prev = al_enter(&a);
	struct kern *k;
	struct proc *h, *e;
	struct ipc_delivery d;
	struct nat nt = { 0 };
	char buf[16];
	uint64_t id = 0, id2 = 0;
	size_t len;
	int32_t err;
	int fails = 0;

	fail_at = -1;
	nallocs = live = 0;
	k = mkkern(1);
	h = mkproc(k);
	e = mkproc(k);
	nt.k = k;
	fail_at = n;
	nallocs = 0;
	fails += ipc_register(h, "kv") == E_NOMEM;
	fails += ipc_host_register(k, "nat", nat_fn, &nt) == E_NOMEM;
	fails += ipc_host_register(k, "q", NULL, NULL) == E_NOMEM;
	fails += ipc_emit(e, "kv", IPC_ANSWER, "abc", 3, &id) == E_NOMEM;
	fails += ipc_emit(e, "nat", IPC_ANSWER, "abc", 3, &id2) == E_NOMEM;
	fails += ipc_emit(e, "q", IPC_ANSWER, "abc", 3, &id2) == E_NOMEM;
	fails += ipc_next(h, NULL, 0, &d, buf, sizeof buf) == E_NOMEM;
	fails += ipc_answer(h, id, 0, "xyz", 3) == E_NOMEM;
	fails += ipc_take(e, id, &err, buf, sizeof buf, &len) == E_NOMEM;
	ipc_proc_exit(e);
	fail_at = -1;
	freekern(k);
	al_leave(prev);
	CHECK_EQ_I64(live, 0);
	return fails;
}

TEST(ipc_out_of_memory)
{
	int total = 0;
	long n;

	/* Fail the nth allocation inside the calls, for every n, until none fails. */
	for (n = 0; n < 100; n++) {
		int f = oom_once(n);

		if (n > 0 && f == 0 && nallocs <= n)
			break;
		total += f;
	}
	CHECK(total > 0);
	CHECK(n < 100);
}
