/*
 * pipe.c - pipes: bounded ring buffers with POSIX blocking rules.
 *
 * A pipe has two ends and two directions; end e writes direction e and
 * reads direction 1-e. A POSIX pipe uses one direction (end 0 reads, end 1
 * writes); a duplex one (WASIX fd_pipe) both. Each end is one struct file;
 * dup and fork share that file, so "a writer exists" is "the writing end's
 * file is still open somewhere".
 *
 * Every decision to block or fail is taken before a byte moves, so a call
 * that returns E_BLOCK can be re-executed from scratch (kern.h). Every state
 * change (bytes in, bytes out, an end closed) wakes the pipe's one channel:
 * readers, writers and pollers of both directions all sleep on it, which
 * keeps poll to one channel per file at the price of a rare spurious wakeup.
 *
 * A direction's buffer starts unallocated and doubles on demand up to
 * FILE_PIPE_CAP, so idle pipes (and pipes carrying a few bytes) stay small.
 */
#include <stdlib.h>
#include "base/alloc.h"
#include <string.h>

#include "kern/file_impl.h"
#include "kern/kern.h"

#define MIN_RING 512

struct ring {
	unsigned char *buf;
	uint32_t size;      /* bytes allocated: 0 or a power of two */
	uint32_t head;      /* index of the oldest byte */
	uint32_t used;      /* bytes held */
};

struct pipe {
	struct kern *k;
	struct ring dir[2];
	unsigned open[2];   /* open files of each end */
	uint64_t ino;
	uint64_t ctime;
};

static uint64_t next_ino = 1;

int
pipe_new(struct kern *k, bool duplex, unsigned flags, struct file **rd, struct file **wr)
{
	struct pipe *pp;
	struct file *a = NULL, *b = NULL;
	unsigned rw = duplex ? FILE_READ | FILE_WRITE : 0;

	*rd = *wr = NULL;
	if (flags & ~(unsigned)FILE_NONBLOCK)
		return E_INVAL;
	pp = al_calloc(1, sizeof *pp);
	a = file_alloc(FILE_PIPE, flags | FILE_READ | rw);
	b = file_alloc(FILE_PIPE, flags | FILE_WRITE | rw);
	if (!pp || !a || !b) {
		al_free(pp);
		al_free(a);
		al_free(b);
		return E_NOMEM;
	}
	pp->k = k;
	pp->open[0] = pp->open[1] = 1;
	pp->ino = next_ino++;
	pp->ctime = fs_now();
	a->pipe = b->pipe = pp;
	a->end = 0;
	b->end = 1;
	*rd = a;
	*wr = b;
	return 0;
}

static void
wake(struct pipe *pp)
{
	if (pp->k)
		kern_wakeup(pp->k, pp);
}

/* Room for `more` bytes beyond those held (used + more <= FILE_PIPE_CAP). */
static int
reserve(struct ring *r, uint32_t more)
{
	uint32_t size = r->size ? r->size : MIN_RING, first;
	unsigned char *nb;

	if (r->used + more <= r->size)
		return 0;
	while (size < r->used + more)
		size *= 2;
	nb = al_malloc(size);
	if (!nb)
		return E_NOMEM;
	/* Unwrap the old contents to the start of the new buffer. */
	if (r->used) {
		first = r->size - r->head < r->used ? r->size - r->head : r->used;
		memcpy(nb, r->buf + r->head, first);
		memcpy(nb + first, r->buf, r->used - first);
	}
	al_free(r->buf);
	r->buf = nb;
	r->size = size;
	r->head = 0;
	return 0;
}

/* Append count bytes gathered from the iovecs (count <= their total). */
static void
put(struct ring *r, const struct file_iov *iov, size_t niov, size_t count)
{
	uint32_t tail = (r->head + r->used) & (r->size - 1);

	for (size_t i = 0; i < niov && count; i++) {
		const unsigned char *src = iov[i].buf;
		size_t len = iov[i].len < count ? iov[i].len : count;

		count -= len;
		r->used += (uint32_t)len;
		while (len) {
			size_t k = r->size - tail < len ? r->size - tail : len;

			memcpy(r->buf + tail, src, k);
			src += k;
			len -= k;
			tail = (tail + (uint32_t)k) & (r->size - 1);
		}
	}
}

/* Remove count bytes (count <= used), scattering them into the iovecs. */
static void
get(struct ring *r, const struct file_iov *iov, size_t niov, size_t count)
{
	for (size_t i = 0; i < niov && count; i++) {
		unsigned char *dst = iov[i].buf;
		size_t len = iov[i].len < count ? iov[i].len : count;

		count -= len;
		r->used -= (uint32_t)len;
		while (len) {
			size_t k = r->size - r->head < len ? r->size - r->head : len;

			memcpy(dst, r->buf + r->head, k);
			dst += k;
			len -= k;
			r->head = (r->head + (uint32_t)k) & (r->size - 1);
		}
	}
	if (r->used == 0)
		r->head = 0;
}

/* Nothing can be done now: E_AGAIN, or E_BLOCK on the pipe's channel. */
static int
wait_on(struct pipe *pp, struct fs_io *io)
{
	if (io->nonblock)
		return E_AGAIN;
	io->chan = pp;
	return E_BLOCK;
}

int
pipe_readv(struct file *f, const struct file_iov *iov, size_t niov, size_t *n,
	   struct fs_io *io)
{
	struct pipe *pp = f->pipe;
	int d = 1 - f->end;
	struct ring *r = &pp->dir[d];
	size_t want = file_iov_total(iov, niov);

	*n = 0;
	if (want == 0)
		return 0;
	if (r->used == 0)
		return pp->open[d] ? wait_on(pp, io) : 0;
	if (want > r->used)
		want = r->used;
	get(r, iov, niov, want);
	*n = want;
	wake(pp);
	return 0;
}

int
pipe_writev(struct file *f, const struct file_iov *iov, size_t niov, size_t *n,
	    struct fs_io *io)
{
	struct pipe *pp = f->pipe;
	int d = f->end;
	struct ring *r = &pp->dir[d];
	size_t total = file_iov_total(iov, niov), space, want;
	int err;

	*n = 0;
	/* As Linux: an empty write succeeds even without a reader. */
	if (total == 0)
		return 0;
	if (!pp->open[1 - d]) {
		if (io->opener)
			sig_send_proc(io->opener, KSIGPIPE);
		return E_PIPE;
	}
	space = FILE_PIPE_CAP - r->used;
	if (total <= FILE_PIPE_BUF ? space < total : space == 0)
		return wait_on(pp, io);
	want = total < space ? total : space;
	err = reserve(r, (uint32_t)want);
	if (err)
		return err;
	put(r, iov, niov, want);
	*n = want;
	wake(pp);
	return 0;
}

unsigned
pipe_poll(struct file *f, unsigned events, struct fs_io *io)
{
	struct pipe *pp = f->pipe;
	int e = f->end;
	unsigned ready = 0;

	/* The peer gone counts as ready: the read sees EOF, the write E_PIPE. */
	if (events & FS_POLLIN && f->flags & FILE_READ) {
		if (pp->dir[1 - e].used)
			ready |= FS_POLLIN;
		if (!pp->open[1 - e])
			ready |= FS_POLLIN | FS_POLLHUP;
	}
	if (events & FS_POLLOUT && f->flags & FILE_WRITE) {
		if (!pp->open[1 - e])
			ready |= FS_POLLOUT | FS_POLLHUP;
		else if (FILE_PIPE_CAP - pp->dir[e].used >= FILE_PIPE_BUF)
			ready |= FS_POLLOUT;
	}
	if (!ready)
		io->chan = pp;
	return ready;
}

void
pipe_stat(const struct file *f, struct fs_stat *st)
{
	*st = (struct fs_stat){
		.ino = f->pipe->ino,
		.type = VN_FIFO,
		.nlink = 1,
		.atim = f->pipe->ctime,
		.mtim = f->pipe->ctime,
		.ctim = f->pipe->ctime,
	};
}

void
pipe_close(struct file *f)
{
	struct pipe *pp = f->pipe;

	pp->open[f->end]--;
	if (pp->open[0] || pp->open[1]) {
		wake(pp);
		return;
	}
	al_free(pp->dir[0].buf);
	al_free(pp->dir[1].buf);
	al_free(pp);
}
