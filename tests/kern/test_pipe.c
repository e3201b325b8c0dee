/*
 * test_pipe.c - pipes: EOF, blocking decisions that consume nothing,
 * atomic and partial writes, EPIPE with SIGPIPE, duplex ends, poll,
 * accounting, and wakeups of sleeping processes.
 */
#include <stdlib.h>
#include <string.h>

#include "test_files.h"

/* Write len bytes of value c; returns the errno, *n the count. */
static int
fill(struct file *f, int c, size_t len, size_t *n, struct fs_io *io)
{
	unsigned char *buf = malloc(len ? len : 1);
	int err;

	memset(buf, c, len);
	err = file_write(f, buf, len, n, io);
	free(buf);
	return err;
}

/* Read and discard up to len bytes; returns the count (0 on error). */
static size_t
drain(struct file *f, size_t len)
{
	unsigned char *buf = malloc(len ? len : 1);
	struct fs_io io = { 0 };
	size_t n = 0;

	if (file_read(f, buf, len, &n, &io))
		n = 0;
	free(buf);
	return n;
}

TEST(pipe_data_then_eof)
{
	struct file *r, *w;
	struct fs_io io = { 0 };
	char buf[16];
	size_t n = 99;

	CHECK_EQ_U64(pipe_new(NULL, false, 0, &r, &w), 0);
	CHECK_EQ_U64(file_write(w, "hello", 5, &n, &io), 0);
	CHECK_EQ_U64(n, 5);
	CHECK_EQ_U64(file_read(r, buf, 3, &n, &io), 0);
	CHECK_EQ_U64(n, 3);
	CHECK_MEM(buf, "hel", 3);
	CHECK_EQ_U64(file_read(r, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 2);
	CHECK_MEM(buf, "lo", 2);
	/* Empty with a writer: block, on the pipe's channel. */
	io.chan = NULL;
	CHECK_EQ_U64(file_read(r, buf, sizeof buf, &n, &io), E_BLOCK);
	CHECK(io.chan != NULL);
	CHECK_EQ_U64(n, 0);
	/* A zero-length read never blocks. */
	CHECK_EQ_U64(file_read(r, buf, 0, &n, &io), 0);
	/* Data written before the last writer closes is still read, then EOF. */
	CHECK_EQ_U64(file_write(w, "x", 1, &n, &io), 0);
	file_unref(w);
	CHECK_EQ_U64(file_read(r, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(file_read(r, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 0);
	CHECK_EQ_U64(file_read(r, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 0);
	file_unref(r);
}

TEST(pipe_access_and_seek)
{
	struct file *r, *w;
	struct fs_io io = { 0 };
	struct fs_stat st;
	struct file_iov v;
	char c = 'a';
	size_t n;

	CHECK_EQ_U64(pipe_new(NULL, false, 0, &r, &w), 0);
	CHECK_EQ_U64(file_write(r, &c, 1, &n, &io), E_BADF);
	CHECK_EQ_U64(file_read(w, &c, 1, &n, &io), E_BADF);
	CHECK_EQ_U64(file_seek(r, 0, FILE_SEEK_CUR, NULL), E_SPIPE);
	v = (struct file_iov){ &c, 1 };
	CHECK_EQ_U64(file_pwritev(w, &v, 1, 0, &n, &io), E_SPIPE);
	CHECK_EQ_U64(file_preadv(r, &v, 1, 0, &n, &io), E_SPIPE);
	CHECK_EQ_U64(file_stat(r, &st), 0);
	CHECK_EQ_U64(st.type, VN_FIFO);
	CHECK_EQ_U64(file_type(w), VN_FIFO);
	CHECK(!file_isatty(r));
	CHECK_EQ_U64(file_truncate(w, 0), E_INVAL);
	CHECK_EQ_U64(file_sync(w), E_INVAL);
	CHECK_EQ_U64(file_readdir(r, 0, NULL, NULL), E_NOTDIR);
	file_unref(r);
	file_unref(w);
	CHECK_EQ_U64(pipe_new(NULL, false, FILE_APPEND, &r, &w), E_INVAL);
	CHECK(r == NULL && w == NULL);
}

TEST(pipe_full_blocks_without_consuming)
{
	struct file *r, *w;
	struct fs_io io = { 0 };
	size_t n;

	CHECK_EQ_U64(pipe_new(NULL, false, 0, &r, &w), 0);
	CHECK_EQ_U64(fill(w, 'a', FILE_PIPE_CAP, &n, &io), 0);
	CHECK_EQ_U64(n, FILE_PIPE_CAP);
	/* Full: any write blocks, and nothing is written. */
	CHECK_EQ_U64(fill(w, 'b', 10, &n, &io), E_BLOCK);
	CHECK_EQ_U64(n, 0);
	CHECK(io.chan != NULL);
	CHECK_EQ_U64(fill(w, 'b', 100000, &n, &io), E_BLOCK);
	/* 5 bytes free: a 10-byte write is atomic, so it still blocks. */
	CHECK_EQ_U64(drain(r, 5), 5);
	CHECK_EQ_U64(fill(w, 'b', 10, &n, &io), E_BLOCK);
	CHECK_EQ_U64(n, 0);
	/* A large write is allowed to be short: it takes the 5 bytes. */
	CHECK_EQ_U64(fill(w, 'c', FILE_PIPE_BUF + 1, &n, &io), 0);
	CHECK_EQ_U64(n, 5);
	/* Everything read back in order: a's, then the five c's. */
	{
		static unsigned char buf[FILE_PIPE_CAP];
		size_t got;

		CHECK_EQ_U64(file_read(r, buf, sizeof buf, &got, &io), 0);
		CHECK_EQ_U64(got, FILE_PIPE_CAP);
		CHECK_EQ_U64(buf[0], 'a');
		CHECK_EQ_U64(buf[FILE_PIPE_CAP - 6], 'a');
		CHECK_MEM(buf + FILE_PIPE_CAP - 5, "ccccc", 5);
	}
	file_unref(r);
	file_unref(w);
}

TEST(pipe_large_write_is_partial)
{
	struct file *r, *w;
	struct fs_io io = { 0 };
	size_t n;

	CHECK_EQ_U64(pipe_new(NULL, false, 0, &r, &w), 0);
	CHECK_EQ_U64(fill(w, 'a', 100000, &n, &io), 0);
	CHECK_EQ_U64(n, FILE_PIPE_CAP);
	CHECK_EQ_U64(drain(r, 1000), 1000);
	CHECK_EQ_U64(fill(w, 'a', 100000, &n, &io), 0);
	CHECK_EQ_U64(n, 1000);
	file_unref(r);
	file_unref(w);
}

TEST(pipe_small_writes_are_atomic)
{
	struct file *r, *w;
	struct fs_io io = { 0 };
	size_t n;

	CHECK_EQ_U64(pipe_new(NULL, false, 0, &r, &w), 0);
	CHECK_EQ_U64(fill(w, 'a', FILE_PIPE_CAP - 100, &n, &io), 0);
	/* 100 bytes free: PIPE_BUF bytes go all at once or not at all. */
	CHECK_EQ_U64(fill(w, 'b', FILE_PIPE_BUF, &n, &io), E_BLOCK);
	CHECK_EQ_U64(n, 0);
	CHECK_EQ_U64(fill(w, 'b', 100, &n, &io), 0);
	CHECK_EQ_U64(n, 100);
	file_unref(r);
	file_unref(w);
}

TEST(pipe_nonblocking)
{
	struct file *r, *w;
	struct fs_io io = { 0 };
	char c;
	size_t n;

	CHECK_EQ_U64(pipe_new(NULL, false, FILE_NONBLOCK, &r, &w), 0);
	CHECK_EQ_U64(file_read(r, &c, 1, &n, &io), E_AGAIN);
	CHECK_EQ_U64(fill(w, 'a', FILE_PIPE_CAP, &n, &io), 0);
	CHECK_EQ_U64(fill(w, 'a', 1, &n, &io), E_AGAIN);
	/* The flag can be cleared per file (fcntl F_SETFL). */
	CHECK_EQ_U64(file_set_flags(w, 0), 0);
	CHECK_EQ_U64(fill(w, 'a', 1, &n, &io), E_BLOCK);
	CHECK_EQ_U64(file_set_flags(w, 0x100), E_INVAL);
	CHECK(w->flags & FILE_WRITE);
	/* The caller's io can ask for nonblocking too. */
	io.nonblock = true;
	CHECK_EQ_U64(fill(w, 'a', 1, &n, &io), E_AGAIN);
	file_unref(r);
	file_unref(w);
}

TEST(pipe_epipe_and_sigpipe)
{
	struct kern *k = tf_kern();
	struct proc *p = k ? tf_proc(k, NULL) : NULL;
	struct file *r, *w;
	struct fs_io io = { .opener = p };
	size_t n;

	CHECK(p != NULL);
	if (!p) {
		kern_free(k);
		return;
	}
	CHECK_EQ_U64(pipe_new(k, false, 0, &r, &w), 0);
	CHECK_EQ_U64(file_write(w, "ab", 2, &n, &io), 0);
	CHECK(!tf_pending(p, KSIGPIPE));
	file_unref(r);
	CHECK_EQ_U64(file_write(w, "ab", 2, &n, &io), E_PIPE);
	CHECK_EQ_U64(n, 0);
	CHECK(tf_pending(p, KSIGPIPE));
	/* A zero-length write does nothing at all (as on Linux). */
	p->sig_pending = 0;
	CHECK_EQ_U64(file_write(w, "", 0, &n, &io), 0);
	CHECK(!tf_pending(p, KSIGPIPE));
	/* An ignored SIGPIPE leaves just the error. */
	p->sig_pending = 0;
	p->sig_ignored |= KSIG_BIT(KSIGPIPE);
	CHECK_EQ_U64(file_write(w, "ab", 2, &n, &io), E_PIPE);
	CHECK(!tf_pending(p, KSIGPIPE));
	file_unref(w);
	kern_free(k);
}

TEST(pipe_shared_ends_count_once)
{
	struct file *r, *w;
	struct fs_io io = { 0 };
	char c;
	size_t n;

	/* A dup'd or inherited end is the same file: closing one reference
	 * keeps the writer alive. */
	CHECK_EQ_U64(pipe_new(NULL, false, 0, &r, &w), 0);
	file_ref(w);
	file_unref(w);
	CHECK_EQ_U64(file_read(r, &c, 1, &n, &io), E_BLOCK);
	file_unref(w);
	CHECK_EQ_U64(file_read(r, &c, 1, &n, &io), 0);
	CHECK_EQ_U64(n, 0);
	file_unref(r);
}

TEST(pipe_duplex)
{
	struct file *a, *b;
	struct fs_io io = { 0 };
	char buf[8];
	size_t n;

	CHECK_EQ_U64(pipe_new(NULL, true, 0, &a, &b), 0);
	CHECK_EQ_U64(file_write(a, "to-b", 4, &n, &io), 0);
	CHECK_EQ_U64(file_write(b, "to-a", 4, &n, &io), 0);
	CHECK_EQ_U64(file_read(b, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 4);
	CHECK_MEM(buf, "to-b", 4);
	CHECK_EQ_U64(file_read(a, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 4);
	CHECK_MEM(buf, "to-a", 4);
	CHECK_EQ_U64(file_read(a, buf, sizeof buf, &n, &io), E_BLOCK);
	file_unref(b);
	CHECK_EQ_U64(file_read(a, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 0);
	CHECK_EQ_U64(file_write(a, "x", 1, &n, &io), E_PIPE);
	file_unref(a);
}

TEST(pipe_iovecs_and_wraparound)
{
	struct file *r, *w;
	struct fs_io io = { 0 };
	unsigned char out[3000], in[3000];
	uint32_t seed = 12345, wpos = 0, rpos = 0;
	size_t n;

	CHECK_EQ_U64(pipe_new(NULL, false, 0, &r, &w), 0);
	/* A byte stream written and read in odd pieces, through 3 iovecs
	 * each way, wrapping the ring many times and growing it. */
	for (int round = 0; round < 400; round++) {
		size_t a, b, c;
		struct file_iov v[3];

		seed = seed * 1103515245 + 12345;
		a = (seed >> 8) % 700;
		b = (seed >> 4) % 900;
		c = (seed >> 12) % 1300;
		for (size_t i = 0; i < a + b + c; i++)
			out[i] = (unsigned char)(wpos + i) * 7;
		v[0] = (struct file_iov){ out, a };
		v[1] = (struct file_iov){ out + a, b };
		v[2] = (struct file_iov){ out + a + b, c };
		if (file_writev(w, v, 3, &n, &io) == 0)
			wpos += (uint32_t)n;
		seed = seed * 1103515245 + 12345;
		a = (seed >> 3) % 800;
		b = (seed >> 9) % 1000;
		c = (seed >> 14) % 1200;
		v[0] = (struct file_iov){ in, a };
		v[1] = (struct file_iov){ in + a, b };
		v[2] = (struct file_iov){ in + a + b, c };
		if (file_readv(r, v, 3, &n, &io) == 0) {
			for (size_t i = 0; i < n; i++)
				if (in[i] != (unsigned char)((rpos + i) * 7)) {
					CHECK_EQ_U64(in[i], (unsigned char)((rpos + i) * 7));
					round = 1000;
					break;
				}
			rpos += (uint32_t)n;
		}
	}
	CHECK(wpos > 100000);
	CHECK(rpos > 100000);
	file_unref(r);
	file_unref(w);
}

TEST(pipe_poll)
{
	struct file *r, *w;
	struct fs_io io = { 0 };
	size_t n;

	CHECK_EQ_U64(pipe_new(NULL, false, 0, &r, &w), 0);
	CHECK_EQ_U64(file_poll(r, FS_POLLIN, &io), 0);
	CHECK(io.chan != NULL);
	CHECK_EQ_U64(file_poll(w, FS_POLLOUT, &io), FS_POLLOUT);
	CHECK(io.chan == NULL);
	/* An event the end cannot have is never ready. */
	CHECK_EQ_U64(file_poll(r, FS_POLLOUT, &io), 0);
	CHECK_EQ_U64(file_write(w, "x", 1, &n, &io), 0);
	CHECK_EQ_U64(file_poll(r, FS_POLLIN | FS_POLLOUT, &io), FS_POLLIN);
	/* Polling consumed nothing. */
	CHECK_EQ_U64(drain(r, 10), 1);
	/* Almost full: less than PIPE_BUF free is not writable. */
	CHECK_EQ_U64(fill(w, 'a', FILE_PIPE_CAP - 10, &n, &io), 0);
	CHECK_EQ_U64(file_poll(w, FS_POLLOUT, &io), 0);
	CHECK(io.chan != NULL);
	file_unref(r);
	CHECK_EQ_U64(file_poll(w, FS_POLLOUT, &io), FS_POLLOUT | FS_POLLHUP);
	file_unref(w);

	CHECK_EQ_U64(pipe_new(NULL, false, 0, &r, &w), 0);
	file_unref(w);
	CHECK_EQ_U64(file_poll(r, FS_POLLIN, &io), FS_POLLIN | FS_POLLHUP);
	file_unref(r);
}

TEST(pipe_wakes_sleepers)
{
	struct kern *k = tf_kern();
	struct proc *rd = k ? tf_proc(k, NULL) : NULL;
	struct proc *wr = k ? tf_proc(k, NULL) : NULL;
	struct file *r, *w;
	struct fs_io io = { .opener = rd };
	char c;
	size_t n;

	CHECK(rd && wr);
	if (!rd || !wr) {
		kern_free(k);
		return;
	}
	CHECK_EQ_U64(pipe_new(k, false, 0, &r, &w), 0);
	/* A reader on an empty pipe sleeps; a write wakes it. */
	CHECK_EQ_U64(file_read(r, &c, 1, &n, &io), E_BLOCK);
	CHECK_EQ_U64(tf_sleep(rd, io.chan), E_BLOCK);
	CHECK_EQ_U64(rd->state, P_BLOCKED);
	io.opener = wr;
	CHECK_EQ_U64(file_write(w, "z", 1, &n, &io), 0);
	CHECK_EQ_U64(rd->state, P_RUNNABLE);
	CHECK_EQ_U64(wr->wbytes, 1);
	/* A writer on a full pipe sleeps; a read wakes it. */
	CHECK_EQ_U64(fill(w, 'a', FILE_PIPE_CAP - 1, &n, &io), 0);
	CHECK_EQ_U64(fill(w, 'a', 1, &n, &io), E_BLOCK);
	CHECK_EQ_U64(tf_sleep(wr, io.chan), E_BLOCK);
	CHECK_EQ_U64(wr->state, P_BLOCKED);
	io.opener = rd;
	CHECK_EQ_U64(file_read(r, &c, 1, &n, &io), 0);
	CHECK_EQ_U64(c, 'z');
	CHECK_EQ_U64(rd->rbytes, 1);
	CHECK_EQ_U64(wr->state, P_RUNNABLE);
	/* A writer sleeping on a full pipe is woken by the reader's close
	 * (it then gets E_PIPE). */
	CHECK_EQ_U64(fill(w, 'a', 1, &n, &io), 0);
	CHECK_EQ_U64(fill(w, 'a', 1, &n, &io), E_BLOCK);
	CHECK_EQ_U64(tf_sleep(wr, io.chan), E_BLOCK);
	file_unref(r);
	CHECK_EQ_U64(wr->state, P_RUNNABLE);
	file_unref(w);

	/* A reader is woken by the last writer's close (it then sees EOF). */
	CHECK_EQ_U64(pipe_new(k, false, 0, &r, &w), 0);
	io.opener = rd;
	CHECK_EQ_U64(file_read(r, &c, 1, &n, &io), E_BLOCK);
	CHECK_EQ_U64(tf_sleep(rd, io.chan), E_BLOCK);
	file_unref(w);
	CHECK_EQ_U64(rd->state, P_RUNNABLE);
	CHECK_EQ_U64(file_read(r, &c, 1, &n, &io), 0);
	CHECK_EQ_U64(n, 0);
	file_unref(r);
	kern_free(k);
}
