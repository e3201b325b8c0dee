/*
 * test_tty.c - the console: canonical lines, editing, ^D, raw mode, echo,
 * output buffering, ^C/^Z/^\ to the foreground group, SIGTTIN for
 * background readers, tcsetpgrp/tcgetpgrp, and wakeups.
 */
#include <string.h>

#include "test_files.h"

#define S(s) (s), strlen(s)

/* A console registered in a default root's devfs and opened read-write. */
struct con {
	struct ns *ns;
	struct tty *t;
	struct file *f;
};

static bool
con_open(struct con *c, struct kern *k, unsigned flags)
{
	struct fs_io io = { 0 };
	struct fs *devfs = NULL;

	*c = (struct con){ 0 };
	c->ns = fs_default_root(0, 1, &devfs);
	c->t = tty_new(k);
	if (!c->ns || !c->t || devfs_add(devfs, "console", VN_CHAR, &tty_vnode_ops, c->t)
	    || file_open(c->ns, NULL, S("/dev/console"), FS_O_READ | FS_O_WRITE, flags, &io,
			 &c->f)) {
		fs_unref(devfs);
		return false;
	}
	fs_unref(devfs);
	if (k)
		k->console = c->t;
	return true;
}

static void
con_close(struct con *c)
{
	file_unref(c->f);
	ns_unref(c->ns);
	tty_free(c->t);
}

static void
in(struct con *c, const char *s)
{
	CHECK_EQ_U64(tty_input(c->t, s, strlen(s)), strlen(s));
}

/* Read once (len bytes at most) as process p; the text, or "<errno name>". */
static const char *
rd_as(struct con *c, struct proc *p, size_t len)
{
	static char buf[TTY_LINE_MAX + 64];
	struct fs_io io = { .opener = p };
	size_t n = 0;
	int err;

	if (len >= sizeof buf)
		len = sizeof buf - 1;
	err = file_read(c->f, buf, len, &n, &io);
	if (err) {
		buf[0] = '<';
		strcpy(buf + 1, fs_errname(err));
		strcat(buf, ">");
		return buf;
	}
	buf[n] = 0;
	return buf;
}

static const char *
rd(struct con *c, size_t len)
{
	return rd_as(c, NULL, len);
}

static const char *
drained(struct con *c)
{
	static char buf[256];
	size_t n = tty_drain(c->t, buf, sizeof buf - 1);

	buf[n] = 0;
	return buf;
}

TEST(tty_canonical_lines)
{
	struct con c;
	struct fs_io io = { 0 };
	char b;
	size_t n;

	CHECK(con_open(&c, NULL, 0));
	CHECK(file_isatty(c.f));
	CHECK_EQ_U64(tty_mode(c.t), TTY_ICANON | TTY_ISIG);
	in(&c, "ab\ncd\n");
	CHECK_STR(rd(&c, 100), "ab\n");
	CHECK_STR(rd(&c, 100), "cd\n");
	CHECK_STR(rd(&c, 100), "<BLOCK>");
	CHECK_EQ_U64(file_read(c.f, &b, 1, &n, &io), E_BLOCK);
	CHECK(io.chan == c.t);
	/* A line read in pieces. */
	in(&c, "hello\n");
	CHECK_STR(rd(&c, 2), "he");
	CHECK_STR(rd(&c, 100), "llo\n");
	/* The line being typed is not readable until its newline. */
	in(&c, "abc");
	CHECK_STR(rd(&c, 100), "<BLOCK>");
	in(&c, "\r");
	CHECK_STR(rd(&c, 100), "abc\n");
	/* The console is a stream. */
	CHECK_EQ_U64(file_seek(c.f, 0, FILE_SEEK_SET, NULL), E_SPIPE);
	{
		struct file_iov v = { &b, 1 };

		CHECK_EQ_U64(file_preadv(c.f, &v, 1, 0, &n, &io), E_SPIPE);
	}
	con_close(&c);
}

TEST(tty_readv_one_line)
{
	struct con c;
	struct fs_io io = { 0 };
	char a[3], b[10];
	struct file_iov v[2] = { { a, sizeof a }, { b, sizeof b } };
	size_t n;

	CHECK(con_open(&c, NULL, 0));
	in(&c, "abcdef\nnext\n");
	/* Two iovecs get one line, split across them. */
	CHECK_EQ_U64(file_readv(c.f, v, 2, &n, &io), 0);
	CHECK_EQ_U64(n, 7);
	CHECK_MEM(a, "abc", 3);
	CHECK_MEM(b, "def\n", 4);
	CHECK_STR(rd(&c, 100), "next\n");
	con_close(&c);
}

TEST(tty_editing)
{
	struct con c;

	CHECK(con_open(&c, NULL, 0));
	in(&c, "abx\x7f\x08" "c\n");
	CHECK_STR(rd(&c, 100), "ac\n");
	/* Erase at the start of a line does nothing, and never reaches back
	 * into a line already committed. */
	in(&c, "\x7f\x7fz\n");
	CHECK_STR(rd(&c, 100), "z\n");
	in(&c, "a\n\x7f" "b\n");
	CHECK_STR(rd(&c, 100), "a\n");
	CHECK_STR(rd(&c, 100), "b\n");
	/* ^U kills the line being typed. */
	in(&c, "junk\x15ok\n");
	CHECK_STR(rd(&c, 100), "ok\n");
	con_close(&c);
}

TEST(tty_eof_char)
{
	struct con c;

	CHECK(con_open(&c, NULL, 0));
	/* ^D at the start of a line: one read returns 0, then input goes on. */
	in(&c, "\x04");
	CHECK_STR(rd(&c, 100), "");
	CHECK_STR(rd(&c, 100), "<BLOCK>");
	in(&c, "x\n");
	CHECK_STR(rd(&c, 100), "x\n");
	/* ^D after text delivers the text without a newline. */
	in(&c, "abc\x04");
	CHECK_STR(rd(&c, 100), "abc");
	CHECK_STR(rd(&c, 100), "<BLOCK>");
	/* ... also when the read ends exactly at the ^D. */
	in(&c, "abc\x04");
	CHECK_STR(rd(&c, 3), "abc");
	CHECK_STR(rd(&c, 100), "<BLOCK>");
	/* Two ^Ds: the text, then end of file. */
	in(&c, "abc\x04\x04");
	CHECK_STR(rd(&c, 100), "abc");
	CHECK_STR(rd(&c, 100), "");
	con_close(&c);
}

TEST(tty_long_line_and_full_input)
{
	struct con c;
	static char big[TTY_INBUF + 100];

	CHECK(con_open(&c, NULL, 0));
	/* A line longer than TTY_LINE_MAX is cut and delivered in pieces. */
	memset(big, 'a', TTY_LINE_MAX + 10);
	CHECK_EQ_U64(tty_input(c.t, big, TTY_LINE_MAX + 10), TTY_LINE_MAX + 10);
	CHECK_EQ_U64(strlen(rd(&c, sizeof big)), TTY_LINE_MAX);
	CHECK_STR(rd(&c, 100), "<BLOCK>");
	in(&c, "\n");
	CHECK_EQ_U64(strlen(rd(&c, sizeof big)), 11);
	/* A full input buffer takes no more; the host offers the rest later. */
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = i % 64 == 63 ? '\n' : 'b';
	CHECK_EQ_U64(tty_input(c.t, big, sizeof big), TTY_INBUF);
	CHECK_EQ_U64(strlen(rd(&c, 1000)), 64);
	CHECK_EQ_U64(tty_input(c.t, big, sizeof big), 64);
	con_close(&c);
}

TEST(tty_host_eof)
{
	struct con c;

	CHECK(con_open(&c, NULL, 0));
	in(&c, "line\npartial");
	tty_input_eof(c.t);
	CHECK_STR(rd(&c, 100), "line\n");
	CHECK_STR(rd(&c, 100), "partial");
	CHECK_STR(rd(&c, 100), "");
	CHECK_STR(rd(&c, 100), "");
	{
		struct fs_io io = { 0 };

		CHECK_EQ_U64(file_poll(c.f, FS_POLLIN, &io), FS_POLLIN);
	}
	con_close(&c);
}

TEST(tty_raw_mode)
{
	struct con c;

	CHECK(con_open(&c, NULL, 0));
	in(&c, "typed");
	tty_set_mode(c.t, 0);
	CHECK_EQ_U64(tty_mode(c.t), 0);
	/* What was being typed becomes readable; so is every byte as it comes,
	 * control characters included. */
	CHECK_STR(rd(&c, 100), "typed");
	in(&c, "a\x04\x03\x7f");
	CHECK_STR(rd(&c, 2), "a\x04");
	CHECK_STR(rd(&c, 100), "\x03\x7f");
	CHECK_STR(rd(&c, 100), "<BLOCK>");
	tty_set_mode(c.t, TTY_ICANON | 0x100);
	CHECK_EQ_U64(tty_mode(c.t), TTY_ICANON);
	con_close(&c);
}

static char cb_buf[256];
static size_t cb_len;

static void
collect(void *ctx, const void *buf, size_t n)
{
	(void)ctx;
	if (n > sizeof cb_buf - cb_len)
		n = sizeof cb_buf - cb_len;
	memcpy(cb_buf + cb_len, buf, n);
	cb_len += n;
}

TEST(tty_echo_and_output)
{
	struct con c;
	struct fs_io io = { 0 };
	static char big[TTY_OUTBUF];
	size_t n;

	CHECK(con_open(&c, NULL, 0));
	/* Echo is off by default. */
	in(&c, "ab\n");
	CHECK_STR(drained(&c), "");
	tty_set_mode(c.t, TTY_DEFAULT_MODE | TTY_ECHO);
	in(&c, "xy\x7f\n");
	CHECK_STR(drained(&c), "xy\b \b\n");
	in(&c, "q\x03");
	CHECK_STR(drained(&c), "q^C\n");
	/* Buffered output, drained by the host; a full buffer blocks writers. */
	CHECK_EQ_U64(file_write(c.f, "out", 3, &n, &io), 0);
	CHECK_STR(drained(&c), "out");
	memset(big, 'o', sizeof big);
	CHECK_EQ_U64(file_write(c.f, big, sizeof big - 1, &n, &io), 0);
	CHECK_EQ_U64(file_write(c.f, "xyz", 3, &n, &io), 0);
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(file_write(c.f, "yz", 2, &n, &io), E_BLOCK);
	CHECK(io.chan == c.t);
	CHECK_EQ_U64(file_poll(c.f, FS_POLLOUT, &io), 0);
	io.nonblock = true;
	CHECK_EQ_U64(file_write(c.f, "yz", 2, &n, &io), E_AGAIN);
	io.nonblock = false;
	/* Switching to a callback flushes the buffer through it first. */
	cb_len = 0;
	tty_set_output(c.t, collect, NULL);
	CHECK_EQ_U64(cb_len, sizeof cb_buf);
	cb_len = 0;
	CHECK_EQ_U64(file_write(c.f, "direct", 6, &n, &io), 0);
	CHECK_EQ_U64(n, 6);
	CHECK_MEM(cb_buf, "direct", 6);
	CHECK_EQ_U64(file_poll(c.f, FS_POLLOUT, &io), FS_POLLOUT);
	con_close(&c);
}

/* ---- with a kernel: signals, job control, wakeups ----------------------------- */

struct jc {
	struct kern *k;
	struct proc *a, *b, *other;   /* a, b: one session, two groups */
	struct con c;
};

static bool
jc_open(struct jc *j)
{
	*j = (struct jc){ 0 };
	j->k = tf_kern();
	if (!j->k)
		return false;
	j->a = tf_proc(j->k, NULL);
	j->b = j->a ? tf_proc(j->k, j->a) : NULL;
	j->other = tf_proc(j->k, NULL);
	if (!j->b || !j->other || !con_open(&j->c, j->k, 0))
		return false;
	j->b->pgid = j->b->pid;
	tty_attach(j->c.t, j->a->sid, j->a->pgid);
	return true;
}

static void
jc_close(struct jc *j)
{
	con_close(&j->c);
	kern_free(j->k);
}

TEST(tty_signals_to_foreground)
{
	struct jc j;

	CHECK(jc_open(&j));
	if (!j.b)
		goto out;
	CHECK_EQ_U64(j.k->fg_pgid, j.a->pgid);
	CHECK_EQ_U64(j.k->console_sid, j.a->sid);
	/* ^C drops the line being typed and signals the foreground only. */
	in(&j.c, "abc\x03" "def\n");
	CHECK(tf_pending(j.a, KSIGINT));
	CHECK(!tf_pending(j.b, KSIGINT));
	CHECK_STR(rd(&j.c, 100), "def\n");
	j.a->sig_pending = 0;
	/* Hand the console to b's group: ^Z and ^\ go there. */
	{
		struct fs_io io = { .opener = j.a };

		CHECK_EQ_U64(tty_setpgrp(j.c.f, j.a, j.b->pgid, &io), 0);
	}
	in(&j.c, "\x1a\x1c");
	CHECK(tf_pending(j.b, KSIGTSTP));
	CHECK(tf_pending(j.b, KSIGQUIT));
	CHECK(!tf_pending(j.a, KSIGTSTP));
	/* The host's own ^C. */
	tty_signal(j.c.t, KSIGINT);
	CHECK(tf_pending(j.b, KSIGINT));
	CHECK(!tf_pending(j.a, KSIGINT));
	/* Without ISIG, ^C is just a byte. */
	j.b->sig_pending = 0;
	tty_set_mode(j.c.t, TTY_ICANON);
	in(&j.c, "\x03\n");
	CHECK(!tf_pending(j.b, KSIGINT));
	CHECK_STR(rd(&j.c, 100), "\x03\n");
out:
	jc_close(&j);
}

TEST(tty_background_read_gets_sigttin)
{
	struct jc j;
	struct fs_io io;
	size_t n;

	CHECK(jc_open(&j));
	if (!j.b)
		goto out;
	in(&j.c, "line\n");
	/* b is in the background: SIGTTIN to its group, the read blocks and
	 * nothing is consumed. */
	CHECK_STR(rd_as(&j.c, j.b, 100), "<BLOCK>");
	CHECK(tf_pending(j.b, KSIGTTIN));
	CHECK(!tf_pending(j.a, KSIGTTIN));
	/* With SIGTTIN ignored: E_IO. */
	j.b->sig_pending = 0;
	j.b->sig_ignored |= KSIG_BIT(KSIGTTIN);
	CHECK_STR(rd_as(&j.c, j.b, 100), "<IO>");
	j.b->sig_ignored = 0;
	j.b->sig_blocked |= KSIG_BIT(KSIGTTIN);
	CHECK_STR(rd_as(&j.c, j.b, 100), "<IO>");
	CHECK(!tf_pending(j.b, KSIGTTIN));
	/* Writing from the background is allowed. */
	io = (struct fs_io){ .opener = j.b };
	CHECK_EQ_U64(file_write(j.c.f, "bg", 2, &n, &io), 0);
	CHECK_EQ_U64(j.b->wbytes, 2);
	CHECK_STR(drained(&j.c), "bg");
	/* A process of another session is not subject to job control. */
	CHECK_STR(rd_as(&j.c, j.other, 2), "li");
	/* The foreground reads the rest, and is charged for it. */
	CHECK_STR(rd_as(&j.c, j.a, 100), "ne\n");
	CHECK_EQ_U64(j.a->rbytes, 3);
out:
	jc_close(&j);
}

TEST(tty_setpgrp_getpgrp)
{
	struct jc j;
	struct fs_io io = { 0 };
	struct file *r, *w;
	int32_t pg = -1;

	CHECK(jc_open(&j));
	if (!j.b)
		goto out;
	CHECK_EQ_U64(tty_getpgrp(j.c.f, j.a, &pg), 0);
	CHECK_EQ_U64(pg, j.a->pgid);
	CHECK_EQ_U64(pipe_new(NULL, false, 0, &r, &w), 0);
	CHECK_EQ_U64(tty_setpgrp(r, j.a, j.a->pgid, &io), E_NOTTY);
	CHECK_EQ_U64(tty_getpgrp(w, j.a, &pg), E_NOTTY);
	file_unref(r);
	file_unref(w);
	/* Not the caller's controlling terminal. */
	CHECK_EQ_U64(tty_setpgrp(j.c.f, j.other, j.other->pgid, &io), E_NOTTY);
	CHECK_EQ_U64(tty_getpgrp(j.c.f, j.other, &pg), E_NOTTY);
	CHECK_EQ_U64(tty_setpgrp(j.c.f, j.a, 0, &io), E_INVAL);
	CHECK_EQ_U64(tty_setpgrp(j.c.f, j.a, 999999, &io), E_PERM);
	CHECK_EQ_U64(tty_setpgrp(j.c.f, j.a, j.other->pgid, &io), E_PERM);
	/* From the background: SIGTTOU to the caller's group, retried later... */
	CHECK_EQ_U64(tty_setpgrp(j.c.f, j.b, j.b->pgid, &io), E_BLOCK);
	CHECK(io.chan == j.c.t);
	CHECK(tf_pending(j.b, KSIGTTOU));
	CHECK_EQ_U64(j.k->fg_pgid, j.a->pgid);
	/* ...unless it ignores SIGTTOU, as a job-control shell does. */
	j.b->sig_pending = 0;
	j.b->sig_ignored |= KSIG_BIT(KSIGTTOU);
	CHECK_EQ_U64(tty_setpgrp(j.c.f, j.b, j.b->pgid, &io), 0);
	CHECK_EQ_U64(j.k->fg_pgid, j.b->pgid);
	CHECK(!tf_pending(j.b, KSIGTTOU));
	CHECK_EQ_U64(tty_getpgrp(j.c.f, j.a, &pg), 0);
	CHECK_EQ_U64(pg, j.b->pgid);
	/* A console with no session is taken by the first tcsetpgrp. */
	tty_attach(j.c.t, 0, 0);
	CHECK_EQ_U64(tty_setpgrp(j.c.f, j.other, j.other->pgid, &io), 0);
	CHECK_EQ_U64(j.k->console_sid, j.other->sid);
	CHECK_EQ_U64(j.k->fg_pgid, j.other->pgid);
out:
	jc_close(&j);
}

TEST(tty_wakeups)
{
	struct jc j;
	struct fs_io io = { 0 };
	size_t n;

	CHECK(jc_open(&j));
	if (!j.b)
		goto out;
	/* A reader waiting for a line is woken when one is committed, not
	 * by the keystrokes before it. */
	io.opener = j.a;
	CHECK_EQ_U64(file_poll(j.c.f, FS_POLLIN, &io), 0);
	CHECK(io.chan == j.c.t);
	CHECK_STR(rd_as(&j.c, j.a, 100), "<BLOCK>");
	CHECK_EQ_U64(tf_sleep(j.a, j.c.t), E_BLOCK);
	in(&j.c, "ab");
	CHECK_EQ_U64(j.a->state, P_BLOCKED);
	in(&j.c, "\n");
	CHECK_EQ_U64(j.a->state, P_RUNNABLE);
	CHECK_EQ_U64(file_poll(j.c.f, FS_POLLIN, &io), FS_POLLIN);
	CHECK_STR(rd_as(&j.c, j.a, 100), "ab\n");
	/* A background reader waits for the foreground to change. */
	CHECK_STR(rd_as(&j.c, j.b, 100), "<BLOCK>");
	j.b->sig_pending = 0;
	CHECK_EQ_U64(tf_sleep(j.b, j.c.t), E_BLOCK);
	CHECK_EQ_U64(j.b->state, P_BLOCKED);
	io.opener = j.a;
	CHECK_EQ_U64(tty_setpgrp(j.c.f, j.a, j.b->pgid, &io), 0);
	CHECK_EQ_U64(j.b->state, P_RUNNABLE);
	/* A writer blocked on a full output buffer is woken by a drain. */
	{
		static char big[TTY_OUTBUF];
		char tmp[16];

		io.opener = j.a;
		CHECK_EQ_U64(file_write(j.c.f, big, sizeof big, &n, &io), 0);
		CHECK_EQ_U64(file_write(j.c.f, "x", 1, &n, &io), E_BLOCK);
		CHECK_EQ_U64(tf_sleep(j.a, io.chan), E_BLOCK);
		CHECK_EQ_U64(j.a->state, P_BLOCKED);
		CHECK_EQ_U64(tty_drain(j.c.t, tmp, sizeof tmp), sizeof tmp);
		CHECK_EQ_U64(j.a->state, P_RUNNABLE);
	}
out:
	jc_close(&j);
}
