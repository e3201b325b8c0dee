/*
 * guest_ipc.c - interface IPC from inside warren, through <warren/ipc.h>:
 * registration, emit with and without a handler (and waiting for one),
 * ok and error answers, cancel, waiting on several ids, queue limits,
 * handler death, process-destroyed notifications, and namespace
 * confinement through /srv. Each test runs in its own process (gt.h), so
 * its registrations go when it ends; names are unique per test anyway.
 *
 * Many tests use one process as both handler and emitter (it may emit to
 * its own interface), which makes every step deterministic; the others
 * fork, and synchronise over pipes, never over time.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <warren/ipc.h>

#include "gt.h"

#define WR_IMPORT(name) __attribute__((import_module("warren_v1"), import_name(#name)))
WR_IMPORT(bind) int32_t wr_bind(const char *old, size_t olen, const char *new, size_t nlen,
				uint32_t flags);

static int
bind(const char *old, const char *new)
{
	return wr_bind(old, strlen(old), new, strlen(new), 0);
}

/* -1 and errno -> errno; 0 -> 0: CHECK_EQ(E(call), ENOENT). */
#define E(call) ((call) < 0 ? errno : 0)

static char buf[WR_MSG_MAX + 16];

/* Emit s to target, expecting an answer; returns the id (0 on failure). */
static uint64_t
send(const char *target, const char *s)
{
	uint64_t id = 0;

	if (wr_emit(target, WR_EMIT_ANSWER, s, strlen(s), &id) < 0)
		return 0;
	return id;
}

/* Pull the next message of name without blocking; the body in buf. */
static int
next(const char *name, struct wr_msg *m)
{
	int r = wr_msg_next(name, 0, m, buf, sizeof buf - 1);

	if (r == 0)
		buf[m->len] = 0;
	return r;
}

/* Take the answer of id: status and body (NUL-terminated in buf). */
static int
take(uint64_t id, int *status)
{
	size_t len = 0;
	int r = wr_msg_take(id, status, buf, sizeof buf - 1, &len);

	buf[r == 0 ? len : 0] = 0;
	return r;
}

/* One byte over a pipe, for ordering between processes. */
static void
signal_fd(int fd)
{
	char c = 1;

	gt_writeall(fd, &c, 1);
}

static int
await_fd(int fd)
{
	char c;
	ssize_t r;

	while ((r = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	return r == 1;
}

GT(register_twice)
{
	char longname[80];
	pid_t pid;

	CHECK_EQ(wr_intf_register("rt"), 0);
	CHECK_EQ(E(wr_intf_register("rt")), EEXIST);
	if ((pid = fork()) == 0)
		gt_child_exit(E(wr_intf_register("rt")) == EEXIST);
	CHECK(gt_exited(gt_wait(pid), 0));
	CHECK_EQ(E(wr_intf_unregister("rt-other")), ENOENT);
	CHECK_EQ(wr_intf_unregister("rt"), 0);
	CHECK_EQ(E(wr_intf_unregister("rt")), ENOENT);
	CHECK_EQ(wr_intf_register("rt"), 0);
	/* Bad names. */
	memset(longname, 'a', sizeof longname);
	longname[WR_INTF_NAME_MAX + 1] = 0;
	CHECK_EQ(E(wr_intf_register(longname)), EINVAL);
	longname[WR_INTF_NAME_MAX] = 0;
	CHECK_EQ(wr_intf_register(longname), 0);
	CHECK_EQ(E(wr_intf_register("")), EINVAL);
	CHECK_EQ(E(wr_intf_register("a/b")), EINVAL);
	CHECK_EQ(E(wr_intf_register("sp ace")), EINVAL);
	CHECK_EQ(E(wr_intf_register(NULL)), EINVAL);
}

GT(srv_lists_interfaces)
{
	DIR *d;
	struct dirent *e;
	int seen = 0;

	REQUIRE(wr_intf_register("listed-one") == 0);
	REQUIRE((d = opendir("/srv")) != NULL);
	while ((e = readdir(d)))
		seen += !strcmp(e->d_name, "listed-one");
	closedir(d);
	CHECK_EQ(seen, 1);
}

GT(emit_without_handler)
{
	uint64_t id = 7;

	CHECK_EQ(E(wr_emit("nobody-here", WR_EMIT_ANSWER, "x", 1, &id)), ENOENT);
	CHECK_EQ(E(wr_emit("/srv/nobody-here", 0, "x", 1, &id)), ENOENT);
	CHECK_EQ(id, 7);
	/* A path that is not an interface. */
	CHECK_EQ(E(wr_emit("/tmp", 0, "x", 1, &id)), EINVAL);
	CHECK_EQ(E(wr_emit("", 0, "x", 1, &id)), EINVAL);
	CHECK_EQ(E(wr_emit(NULL, 0, "x", 1, &id)), EINVAL);
	CHECK_EQ(E(wr_emit("nobody-here", 99, "x", 1, &id)), EINVAL);
}

GT(emit_waits_for_handler)
{
	struct wr_msg m;
	uint64_t id;
	size_t index;
	int status = -1;
	pid_t pid;

	if ((pid = fork()) == 0) {
		/* Late on purpose: the parent is (most likely) already waiting. */
		gt_msleep(30);
		REQUIRE(wr_intf_register("late") == 0);
		REQUIRE(wr_msg_next("late", WR_MSG_BLOCK, &m, buf, sizeof buf) == 0);
		CHECK_EQ(m.len, 5);
		CHECK(!memcmp(buf, "hello", 5));
		CHECK_EQ(wr_msg_answer(m.id, 0, "hi", 2), 0);
		gt_child_exit(1);
	}
	/* Most likely before the registration: the emit sleeps until it. */
	REQUIRE(wr_emit("late", WR_EMIT_ANSWER | WR_EMIT_WAIT, "hello", 5, &id) == 0);
	REQUIRE(wr_msg_wait(&id, 1, WR_MSG_BLOCK, &index) == 0);
	CHECK_EQ(index, 0);
	CHECK_EQ(take(id, &status), 0);
	CHECK_EQ(status, 0);
	CHECK_STR(buf, "hi");
	CHECK(gt_exited(gt_wait(pid), 0));
}

GT(roundtrip_self)
{
	struct wr_msg m;
	uint64_t id, id2;
	size_t index = 9;
	int status = -1;

	REQUIRE(wr_intf_register("self") == 0);
	REQUIRE((id = send("self", "abc")) != 0);
	CHECK_EQ(E(wr_msg_wait(&id, 1, 0, &index)), EAGAIN);
	CHECK_EQ(E(take(id, &status)), EAGAIN);
	REQUIRE(next("self", &m) == 0);
	CHECK_EQ(m.id, id);
	CHECK_EQ(m.kind, WR_MSG_MESSAGE);
	CHECK_EQ(m.pid, getpid());
	CHECK(m.flags & WR_EMIT_ANSWER);
	CHECK_EQ(m.len, 3);
	CHECK_STR(m.intf, "self");
	CHECK_STR(buf, "abc");
	CHECK_EQ(E(next("self", &m)), EAGAIN);
	CHECK_EQ(E(next(NULL, &m)), EAGAIN);
	CHECK_EQ(E(next("not-mine", &m)), ENOENT);
	CHECK_EQ(wr_msg_answer(id, 0, "xyz", 3), 0);
	CHECK_EQ(E(wr_msg_answer(id, 0, "again", 5)), ENOENT);
	CHECK_EQ(wr_msg_wait(&id, 1, 0, &index), 0);
	CHECK_EQ(index, 0);
	CHECK_EQ(take(id, &status), 0);
	CHECK_EQ(status, 0);
	CHECK_STR(buf, "xyz");
	CHECK_EQ(E(take(id, &status)), ENOENT);
	/* Ids count up. */
	REQUIRE((id2 = send("/srv/self", "")) != 0);
	CHECK(id2 > id);
	REQUIRE(next(NULL, &m) == 0);
	CHECK_EQ(m.id, id2);
	CHECK_EQ(m.len, 0);
	CHECK_EQ(wr_msg_answer(id2, 0, NULL, 0), 0);
	CHECK_EQ(take(id2, &status), 0);
	CHECK_EQ(status, 0);
	CHECK_STR(buf, "");
}

GT(error_answers)
{
	struct wr_msg m;
	uint64_t id;
	int status = 0;

	REQUIRE(wr_intf_register("errs") == 0);
	REQUIRE((id = send("errs", "please")) != 0);
	REQUIRE(next("errs", &m) == 0);
	CHECK_EQ(wr_msg_answer(id, EPERM, "nope", 4), 0);
	CHECK_EQ(take(id, &status), 0);
	CHECK_EQ(status, EPERM);
	CHECK_STR(buf, "nope");
	/* An error without a body. */
	REQUIRE((id = send("errs", "again")) != 0);
	REQUIRE(next("errs", &m) == 0);
	CHECK_EQ(wr_msg_answer(id, ENOSPC, NULL, 0), 0);
	CHECK_EQ(take(id, &status), 0);
	CHECK_EQ(status, ENOSPC);
	CHECK_STR(buf, "");
}

GT(small_buffers)
{
	struct wr_msg m;
	char small[4];
	uint64_t id;
	size_t len = 0;
	int status = -1;

	REQUIRE(wr_intf_register("small") == 0);
	REQUIRE((id = send("small", "0123456789")) != 0);
	CHECK_EQ(E(wr_msg_next("small", 0, &m, small, sizeof small)), ENOBUFS);
	CHECK_EQ(m.len, 10);
	CHECK_EQ(m.id, id);
	REQUIRE(next("small", &m) == 0);       /* still queued */
	CHECK_STR(buf, "0123456789");
	CHECK_EQ(wr_msg_answer(id, 0, "abcdefgh", 8), 0);
	CHECK_EQ(E(wr_msg_take(id, &status, small, sizeof small, &len)), ENOBUFS);
	CHECK_EQ(len, 8);
	CHECK_EQ(take(id, &status), 0);        /* nothing was taken */
	CHECK_STR(buf, "abcdefgh");
	/* Bodies over the limit. */
	memset(buf, 'x', WR_MSG_MAX + 1);
	CHECK_EQ(E(wr_emit("small", 0, buf, WR_MSG_MAX + 1, &id)), E2BIG);
	REQUIRE(wr_emit("small", WR_EMIT_ANSWER, buf, WR_MSG_MAX, &id) == 0);
	REQUIRE(wr_msg_next("small", 0, &m, buf, sizeof buf) == 0);
	CHECK_EQ(m.len, WR_MSG_MAX);
	CHECK_EQ(E(wr_msg_answer(id, 0, buf, WR_MSG_MAX + 1)), E2BIG);
	CHECK_EQ(wr_msg_answer(id, 0, buf, WR_MSG_MAX), 0);
	CHECK_EQ(wr_msg_take(id, &status, buf, sizeof buf, &len), 0);
	CHECK_EQ(len, WR_MSG_MAX);
}

GT(no_answer_expected)
{
	struct wr_msg m;
	uint64_t id;

	REQUIRE(wr_intf_register("fire") == 0);
	REQUIRE(wr_emit("fire", 0, "forget", 6, &id) == 0);
	REQUIRE(next("fire", &m) == 0);
	CHECK_EQ(m.id, id);
	CHECK_EQ(m.flags & WR_EMIT_ANSWER, 0);
	CHECK_STR(buf, "forget");
	CHECK_EQ(E(wr_msg_answer(id, 0, "x", 1)), ENOENT);
	CHECK_EQ(E(wr_msg_cancel(id)), ENOENT);
}

GT(cancel)
{
	struct wr_msg m;
	uint64_t a, b, c;
	int status;

	REQUIRE(wr_intf_register("cx") == 0);
	/* Queued: withdrawn, the handler never sees it. */
	REQUIRE((a = send("cx", "a")) != 0);
	CHECK_EQ(wr_msg_cancel(a), 0);
	CHECK_EQ(E(next("cx", &m)), EAGAIN);
	CHECK_EQ(E(wr_msg_cancel(a)), ENOENT);
	/* Delivered: the late answer is dropped. */
	REQUIRE((b = send("cx", "b")) != 0);
	REQUIRE(next("cx", &m) == 0);
	CHECK_EQ(m.id, b);
	CHECK_EQ(wr_msg_cancel(b), 0);
	CHECK_EQ(wr_msg_answer(b, 0, "late", 4), 0);
	CHECK_EQ(E(take(b, &status)), ENOENT);
	CHECK_EQ(E(wr_msg_wait(&b, 1, 0, NULL)), ENOENT);
	/* Answered: the answer is freed. */
	REQUIRE((c = send("cx", "c")) != 0);
	REQUIRE(next("cx", &m) == 0);
	CHECK_EQ(wr_msg_answer(c, 0, "done", 4), 0);
	CHECK_EQ(wr_msg_cancel(c), 0);
	CHECK_EQ(E(take(c, &status)), ENOENT);
	CHECK_EQ(E(wr_msg_cancel(123456789)), ENOENT);
}

GT(wait_several)
{
	struct wr_msg m;
	uint64_t ids[4];
	size_t index = 99;
	int status;

	REQUIRE(wr_intf_register("multi") == 0);
	for (int i = 0; i < 3; i++)
		REQUIRE((ids[i] = send("multi", "m")) != 0);
	for (int i = 0; i < 3; i++)
		REQUIRE(next("multi", &m) == 0);
	CHECK_EQ(E(wr_msg_wait(ids, 3, 0, &index)), EAGAIN);
	CHECK_EQ(wr_msg_answer(ids[2], 0, "2", 1), 0);
	CHECK_EQ(wr_msg_wait(ids, 3, 0, &index), 0);
	CHECK_EQ(index, 2);
	CHECK_EQ(wr_msg_answer(ids[0], 0, "0", 1), 0);
	CHECK_EQ(wr_msg_wait(ids, 3, WR_MSG_BLOCK, &index), 0);
	CHECK_EQ(index, 0);
	CHECK_EQ(take(ids[0], &status), 0);
	CHECK_STR(buf, "0");
	CHECK_EQ(wr_msg_wait(ids + 1, 2, 0, &index), 0);
	CHECK_EQ(index, 1);
	CHECK_EQ(take(ids[2], &status), 0);
	CHECK_STR(buf, "2");
	CHECK_EQ(E(wr_msg_wait(ids + 1, 1, 0, &index)), EAGAIN);
	/* An id that is not the caller's (any more, or ever) is named. */
	ids[3] = 987654321;
	CHECK_EQ(E(wr_msg_wait(ids + 1, 2, 0, &index)), ENOENT);
	CHECK_EQ(index, 1);
	ids[2] = ids[1];
	CHECK_EQ(E(wr_msg_wait(ids + 2, 2, 0, &index)), ENOENT);
	CHECK_EQ(index, 1);
	CHECK_EQ(E(wr_msg_wait(ids, 0, 0, &index)), EINVAL);
	CHECK_EQ(E(wr_msg_wait(ids, 1, 77, &index)), EINVAL);
}

/* Blocking wait on two ids, answered out of order by another process. */
GT(wait_blocks)
{
	struct wr_msg m;
	uint64_t ids[2];
	size_t index = 9;
	int p[2], q[2], status = -1;
	pid_t pid;

	REQUIRE(pipe(p) == 0 && pipe(q) == 0);
	if ((pid = fork()) == 0) {
		uint64_t first;

		REQUIRE(wr_intf_register("slow") == 0);
		signal_fd(p[1]);
		REQUIRE(wr_msg_next("slow", WR_MSG_BLOCK, &m, buf, sizeof buf) == 0);
		first = m.id;
		REQUIRE(wr_msg_next("slow", WR_MSG_BLOCK, &m, buf, sizeof buf) == 0);
		CHECK_EQ(wr_msg_answer(m.id, 0, "second", 6), 0);
		REQUIRE(await_fd(q[0]));
		CHECK_EQ(wr_msg_answer(first, 0, "first", 5), 0);
		gt_child_exit(1);
	}
	REQUIRE(await_fd(p[0]));
	REQUIRE((ids[0] = send("slow", "1")) != 0);
	REQUIRE((ids[1] = send("slow", "2")) != 0);
	REQUIRE(wr_msg_wait(ids, 2, WR_MSG_BLOCK, &index) == 0);
	CHECK_EQ(index, 1);
	CHECK_EQ(take(ids[1], &status), 0);
	CHECK_STR(buf, "second");
	signal_fd(q[1]);
	REQUIRE(wr_msg_wait(ids, 1, WR_MSG_BLOCK, &index) == 0);
	CHECK_EQ(take(ids[0], &status), 0);
	CHECK_STR(buf, "first");
	CHECK(gt_exited(gt_wait(pid), 0));
}

/* The interface's queue holds 256 messages the handler has not pulled. */
GT(queue_full)
{
	struct wr_msg m;
	uint64_t id;
	int n = 0;

	REQUIRE(wr_intf_register("full") == 0);
	while (wr_emit("full", 0, "q", 1, &id) == 0 && n < 10000)
		n++;
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(n, 256);
	/* Pulling one makes room for one. */
	REQUIRE(next("full", &m) == 0);
	CHECK_EQ(wr_emit("full", 0, "q", 1, &id), 0);
	CHECK_EQ(E(wr_emit("full", 0, "q", 1, &id)), EAGAIN);
	/* Another interface is not affected. */
	REQUIRE(wr_intf_register("full2") == 0);
	CHECK_EQ(wr_emit("full2", 0, "q", 1, &id), 0);
}

/* An emitter has at most 1024 messages whose answers it has not taken. */
GT(outstanding_limit)
{
	char name[16];
	struct wr_msg m;
	uint64_t id, first = 0;
	int n = 0, status;

	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof name, "out%d", i);
		REQUIRE(wr_intf_register(name) == 0);
	}
	for (int i = 0; i < 5 && n < 1024; i++) {
		snprintf(name, sizeof name, "out%d", i);
		for (int j = 0; j < 256 && n < 1024; j++, n++) {
			REQUIRE(wr_emit(name, WR_EMIT_ANSWER, "o", 1, &id) == 0);
			if (!first)
				first = id;
		}
	}
	CHECK_EQ(E(wr_emit("out4", WR_EMIT_ANSWER, "o", 1, &id)), EAGAIN);
	CHECK_EQ(E(wr_emit("out4", 0, "o", 1, &id)), EAGAIN);
	/* Answered but not taken still counts; taken frees a slot. */
	REQUIRE(next("out0", &m) == 0);
	CHECK_EQ(m.id, first);
	CHECK_EQ(wr_msg_answer(first, 0, "", 0), 0);
	CHECK_EQ(E(wr_emit("out4", WR_EMIT_ANSWER, "o", 1, &id)), EAGAIN);
	CHECK_EQ(take(first, &status), 0);
	CHECK_EQ(wr_emit("out4", WR_EMIT_ANSWER, "o", 1, &id), 0);
	/* Cancelling frees one too. */
	CHECK_EQ(E(wr_emit("out4", WR_EMIT_ANSWER, "o", 1, &id)), EAGAIN);
	CHECK_EQ(wr_msg_cancel(id), 0);
	CHECK_EQ(wr_emit("out4", WR_EMIT_ANSWER, "o", 1, &id), 0);
}

/* A handler that ends leaves its unanswered messages answered ECONNRESET,
 * delivered or still queued, and its name free. */
GT(handler_death)
{
	struct wr_msg m;
	uint64_t ids[3];
	size_t index;
	int ready[2], go[2], status = 0;
	pid_t pid;

	REQUIRE(pipe(ready) == 0 && pipe(go) == 0);
	if ((pid = fork()) == 0) {
		REQUIRE(wr_intf_register("mortal") == 0);
		signal_fd(ready[1]);
		REQUIRE(await_fd(go[0]));
		REQUIRE(wr_msg_next("mortal", WR_MSG_BLOCK, &m, buf, sizeof buf) == 0);
		_exit(0);     /* with the message delivered, not answered */
	}
	REQUIRE(await_fd(ready[0]));
	REQUIRE((ids[0] = send("mortal", "delivered")) != 0);
	REQUIRE((ids[1] = send("mortal", "queued")) != 0);
	REQUIRE(wr_emit("mortal", 0, "no answer", 9, &ids[2]) == 0);
	signal_fd(go[1]);
	CHECK(gt_exited(gt_wait(pid), 0));
	for (int i = 0; i < 2; i++) {
		REQUIRE(wr_msg_wait(ids + i, 1, WR_MSG_BLOCK, &index) == 0);
		CHECK_EQ(take(ids[i], &status), 0);
		CHECK_EQ(status, ECONNRESET);
	}
	CHECK_EQ(E(wr_emit("mortal", WR_EMIT_ANSWER, "x", 1, &ids[0])), ENOENT);
	/* The name is free again. */
	CHECK_EQ(wr_intf_register("mortal"), 0);
}

/* Killed with a message still queued: the emitter blocked in msg_wait is
 * woken with the error answer. */
GT(handler_killed)
{
	uint64_t id;
	size_t index;
	int ready[2], sent[2], hold[2], status = 0;
	pid_t pid, waiter;

	REQUIRE(pipe(ready) == 0 && pipe(sent) == 0 && pipe(hold) == 0);
	if ((pid = fork()) == 0) {
		REQUIRE(wr_intf_register("killed") == 0);
		signal_fd(ready[1]);
		await_fd(hold[0]);     /* never pulls */
		_exit(0);
	}
	REQUIRE(await_fd(ready[0]));
	if ((waiter = fork()) == 0) {
		REQUIRE((id = send("killed", "help")) != 0);
		signal_fd(sent[1]);
		REQUIRE(wr_msg_wait(&id, 1, WR_MSG_BLOCK, &index) == 0);
		CHECK_EQ(take(id, &status), 0);
		gt_child_exit(status == ECONNRESET);
	}
	REQUIRE(await_fd(sent[0]));
	kill(pid, SIGKILL);
	CHECK(gt_signalled(gt_wait(pid), SIGKILL));
	CHECK(gt_exited(gt_wait(waiter), 0));
	/* Unregistering answers the same way. */
	REQUIRE(wr_intf_register("quits") == 0);
	REQUIRE((id = send("quits", "x")) != 0);
	CHECK_EQ(wr_intf_unregister("quits"), 0);
	CHECK_EQ(take(id, &status), 0);
	CHECK_EQ(status, ECONNRESET);
}

/* An emitter that ends: its queued messages that want an answer are
 * withdrawn (fire-and-forget ones still arrive), answers to it dropped,
 * and the handler hears of it. */
GT(emitter_destroyed)
{
	struct wr_msg m;
	uint64_t id;
	int ready[2];
	pid_t pid;

	REQUIRE(wr_intf_register("watch") == 0);
	/* One that emits and ends before anything is pulled. */
	if ((pid = fork()) == 0)
		gt_child_exit(send("watch", "bye") != 0);
	CHECK(gt_exited(gt_wait(pid), 0));
	REQUIRE(next("watch", &m) == 0);
	CHECK_EQ(m.kind, WR_MSG_DESTROYED);
	CHECK_EQ(m.pid, pid);
	CHECK_EQ(m.id, 0);
	CHECK_STR(m.intf, "watch");
	CHECK_EQ(E(next("watch", &m)), EAGAIN);
	/* Fire and forget, then end: the message still arrives, then the notice. */
	if ((pid = fork()) == 0)
		gt_child_exit(wr_emit("watch", 0, "fire", 4, &id) == 0);
	CHECK(gt_exited(gt_wait(pid), 0));
	REQUIRE(next("watch", &m) == 0);
	CHECK_EQ(m.kind, WR_MSG_MESSAGE);
	CHECK_EQ(m.pid, pid);
	CHECK_STR(buf, "fire");
	REQUIRE(next("watch", &m) == 0);
	CHECK_EQ(m.kind, WR_MSG_DESTROYED);
	CHECK_EQ(m.pid, pid);
	CHECK_EQ(E(next("watch", &m)), EAGAIN);
	/* One whose message was delivered: the answer is dropped. */
	REQUIRE(pipe(ready) == 0);
	if ((pid = fork()) == 0) {
		size_t index;

		REQUIRE((id = send("watch", "wait for me")) != 0);
		signal_fd(ready[1]);
		wr_msg_wait(&id, 1, WR_MSG_BLOCK, &index);
		_exit(3);
	}
	REQUIRE(await_fd(ready[0]));
	REQUIRE(wr_msg_next("watch", WR_MSG_BLOCK, &m, buf, sizeof buf) == 0);
	CHECK_EQ(m.kind, WR_MSG_MESSAGE);
	CHECK_EQ(m.pid, pid);
	id = m.id;
	kill(pid, SIGKILL);
	CHECK(gt_signalled(gt_wait(pid), SIGKILL));
	CHECK_EQ(wr_msg_answer(id, 0, "too late", 8), 0);
	REQUIRE(wr_msg_next("watch", WR_MSG_BLOCK, &m, buf, sizeof buf) == 0);
	CHECK_EQ(m.kind, WR_MSG_DESTROYED);
	CHECK_EQ(m.pid, pid);
	/* A process that never emitted to the interface is not reported. */
	if ((pid = fork()) == 0)
		_exit(0);
	CHECK(gt_exited(gt_wait(pid), 0));
	CHECK_EQ(E(next("watch", &m)), EAGAIN);
}

/* What a process can reach is what its namespace has at /srv. */
GT(namespace_confinement)
{
	struct wr_msg m;
	uint64_t id;
	pid_t pid;
	int fd;

	REQUIRE(wr_intf_register("nskv") == 0);
	REQUIRE(wr_intf_register("nsother") == 0);
	/* /srv replaced by an empty directory: nothing is reachable. */
	mkdir("/tmp/ipc-empty", 0777);
	if ((pid = fork()) == 0) {
		REQUIRE(bind("/tmp/ipc-empty", "/srv") == 0);
		CHECK_EQ(E(wr_emit("nskv", 0, "a", 1, &id)), ENOENT);
		CHECK_EQ(E(wr_emit("/srv/nskv", 0, "a", 1, &id)), ENOENT);
		CHECK_EQ(E(wr_emit("nsother", 0, "a", 1, &id)), ENOENT);
		CHECK_EQ(E(wr_emit("nskv", WR_EMIT_WAIT, "a", 1, &id)), ENOENT);
		gt_child_exit(1);
	}
	CHECK(gt_exited(gt_wait(pid), 0));
	CHECK_EQ(E(next(NULL, &m)), EAGAIN);
	/* Only /srv/nskv bound into the child's /srv. */
	mkdir("/tmp/ipc-box", 0777);
	REQUIRE((fd = open("/tmp/ipc-box/nskv", O_WRONLY | O_CREAT, 0666)) >= 0);
	close(fd);
	if ((pid = fork()) == 0) {
		int status = -1;

		REQUIRE(bind("/srv/nskv", "/tmp/ipc-box/nskv") == 0);
		REQUIRE(bind("/tmp/ipc-box", "/srv") == 0);
		CHECK_EQ(E(wr_emit("nsother", 0, "a", 1, &id)), ENOENT);
		REQUIRE((id = send("nskv", "from-box")) != 0);
		REQUIRE(wr_msg_wait(&id, 1, WR_MSG_BLOCK, NULL) == 0);
		CHECK_EQ(take(id, &status), 0);
		CHECK_STR(buf, "welcome");
		gt_child_exit(status == 0);
	}
	/* (A message wanting an answer whose emitter ended before it was
	 * pulled is withdrawn, so the child waits for its answer.) */
	REQUIRE(wr_msg_next(NULL, WR_MSG_BLOCK, &m, buf, sizeof buf - 1) == 0);
	buf[m.len] = 0;
	CHECK_EQ(m.pid, pid);
	CHECK_STR(m.intf, "nskv");
	CHECK_STR(buf, "from-box");
	CHECK_EQ(wr_msg_answer(m.id, 0, "welcome", 7), 0);
	CHECK(gt_exited(gt_wait(pid), 0));
	/* The parent's own namespace is untouched. */
	CHECK_EQ(wr_emit("nsother", 0, "p", 1, &id), 0);
	/* An interface can be reached under any name its namespace gives it. */
	mkdir("/tmp/ipc-alias", 0777);
	REQUIRE((fd = open("/tmp/ipc-alias/db", O_WRONLY | O_CREAT, 0666)) >= 0);
	close(fd);
	REQUIRE(bind("/srv/nskv", "/tmp/ipc-alias/db") == 0);
	CHECK_EQ(wr_emit("/tmp/ipc-alias/db", 0, "alias", 5, &id), 0);
}

/* wr_call: emit, wait and take in one. */
GT(call_helper)
{
	int p[2], status = -1;
	size_t len = 0;
	char out[32];
	pid_t pid;

	REQUIRE(pipe(p) == 0);
	if ((pid = fork()) == 0) {
		struct wr_msg m;

		REQUIRE(wr_intf_register("upper") == 0);
		signal_fd(p[1]);
		for (;;) {
			REQUIRE(wr_msg_next("upper", WR_MSG_BLOCK, &m, buf, sizeof buf) == 0);
			if (m.kind != WR_MSG_MESSAGE)
				continue;
			for (size_t i = 0; i < m.len; i++)
				if (buf[i] >= 'a' && buf[i] <= 'z')
					buf[i] -= 32;
			wr_msg_answer(m.id, m.len ? 0 : EINVAL, buf, m.len);
		}
	}
	REQUIRE(await_fd(p[0]));
	CHECK_EQ(wr_call("upper", "shout", 5, &status, out, sizeof out, &len), 0);
	CHECK_EQ(status, 0);
	CHECK_EQ(len, 5);
	CHECK(!memcmp(out, "SHOUT", 5));
	CHECK_EQ(wr_call("upper", "", 0, &status, out, sizeof out, &len), 0);
	CHECK_EQ(status, EINVAL);
	CHECK_EQ(E(wr_call("upper", "too long", 8, &status, out, 2, &len)), ENOBUFS);
	CHECK_EQ(E(wr_call("nobody", "x", 1, &status, out, sizeof out, &len)), ENOENT);
	kill(pid, SIGKILL);
	gt_wait(pid);
}

/* The tools: kvd serving, msg asking. */
GT(tools_msg_kvd)
{
	/* In order: each msg run, its input, exit status and output (NULL: any). */
	static const struct {
		char *argv[7];
		const char *input;
		int status;
		const char *out;
	} runs[] = {
		{ { "/bin/msg", "-w", "kvt", "set", "a", "one two" }, NULL, 0, "" },
		{ { "/bin/msg", "kvt", "get", "a" }, NULL, 0, "one two\n" },
		{ { "/bin/msg", "kvt", "get", "zz" }, NULL, 1,
		  "msg: kvt: error 44 (No such file or directory): no such key\n" },
		{ { "/bin/msg", "-t", "kvt" }, "set b 2\n", 0, NULL },
		{ { "/bin/msg", "kvt", "keys" }, NULL, 0, "a\nb\n" },
		{ { "/bin/msg", "nobody", "x" }, NULL, 1, "msg: nobody: No such file or directory\n" },
	};
	char out[256];
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		execl("/bin/kvd", "kvd", "kvt", (char *)NULL);
		_exit(127);
	}
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		st = gt_run(runs[i].argv, runs[i].input, out, sizeof out, 1);
		CHECK(gt_exited(st, runs[i].status));
		if (runs[i].out)
			CHECK_STR(out, runs[i].out);
	}
	kill(pid, SIGKILL);
	gt_wait(pid);
}
