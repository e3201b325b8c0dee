/*
 * file.c - open files: the offset, the status flags, and the dispatch of
 * I/O to a vnode or a pipe end.
 *
 * Two shapes of I/O. Positional objects (regular files, directories) are
 * read and written iovec by iovec at an offset, stopping at the first short
 * transfer. Streams (pipes, devices, the console) get one transfer per
 * call, so that a pipe write of PIPE_BUF bytes stays atomic and a console
 * read returns one line, however the guest split its buffer: several small
 * iovecs are gathered into a bounce buffer, a large request goes to its
 * first non-empty iovec only (a short count, which POSIX allows).
 */
#include <stdlib.h>
#include "base/alloc.h"
#include <string.h>

#include "kern/file_impl.h"
#include "kern/kern.h"

#define BOUNCE 4096   /* stream requests up to this size are gathered */

struct file *
file_alloc(enum file_kind kind, unsigned flags)
{
	struct file *f = al_calloc(1, sizeof *f);

	if (!f)
		return NULL;
	f->refs = 1;
	f->kind = kind;
	f->flags = flags;
	f->rights_base = UINT64_MAX;
	f->rights_inheriting = UINT64_MAX;
	return f;
}

size_t
file_iov_total(const struct file_iov *iov, size_t niov)
{
	size_t total = 0;

	for (size_t i = 0; i < niov; i++) {
		if (iov[i].len > SIZE_MAX - total)
			return SIZE_MAX;
		total += iov[i].len;
	}
	return total;
}

int
file_new_vnode(struct vnode *vn, unsigned oflags, unsigned flags, struct file **out)
{
	struct file *f;

	*out = NULL;
	flags &= FILE_FDFLAGS;
	if (oflags & FS_O_READ)
		flags |= FILE_READ;
	if (oflags & FS_O_WRITE)
		flags |= FILE_WRITE;
	if (oflags & FS_O_NONBLOCK)
		flags |= FILE_NONBLOCK;
	f = file_alloc(FILE_VNODE, flags);
	if (!f)
		return E_NOMEM;
	vn_ref(vn);
	f->vn = vn;
	f->oflags = oflags;
	*out = f;
	return 0;
}

int
file_open(struct ns *ns, struct vnode *base, const char *path, size_t len, unsigned oflags,
	  unsigned flags, struct fs_io *io, struct file **out)
{
	struct vnode *vn;
	int err;

	*out = NULL;
	if (flags & FILE_NONBLOCK)
		oflags |= FS_O_NONBLOCK;
	err = fs_open(ns, base, path, len, oflags, io, &vn);
	if (err)
		return err;
	err = file_new_vnode(vn, oflags, flags, out);
	if (err)
		vn_close(vn, oflags, io);
	vn_unref(vn);
	return err;
}

void
file_ref(struct file *f)
{
	f->refs++;
}

void
file_unref(struct file *f)
{
	struct fs_io io = { 0 };

	if (!f || --f->refs > 0)
		return;
	if (f->kind == FILE_PIPE) {
		pipe_close(f);
	} else {
		vn_close(f->vn, f->oflags, &io);
		vn_unref(f->vn);
	}
	al_free(f);
}

struct tty *
file_tty(const struct file *f)
{
	if (f->kind != FILE_VNODE || f->vn->ops != &tty_vnode_ops)
		return NULL;
	return f->vn->priv;
}

bool
file_isatty(const struct file *f)
{
	return file_tty(f) != NULL;
}

enum vnode_type
file_type(const struct file *f)
{
	return f->kind == FILE_PIPE ? VN_FIFO : f->vn->type;
}

static bool
positional(const struct file *f)
{
	return f->kind == FILE_VNODE && (f->vn->type == VN_FILE || f->vn->type == VN_DIR);
}

/* Positional transfer: iovec by iovec from off, stopping when one is short.
 * An error after some progress is dropped in favour of the short count. */
static int
vn_xfer(struct file *f, bool wr, const struct file_iov *iov, size_t niov, uint64_t off,
	size_t *n, struct fs_io *io)
{
	size_t done = 0, got;
	int err = 0;

	for (size_t i = 0; i < niov; i++) {
		if (iov[i].len == 0)
			continue;
		if (off + done < off)
			return done ? 0 : E_OVERFLOW;
		got = 0;
		if (wr)
			err = vn_write(f->vn, io, off + done, iov[i].buf, iov[i].len, &got);
		else
			err = vn_read(f->vn, io, off + done, iov[i].buf, iov[i].len, &got);
		if (err)
			break;
		done += got;
		if (got < iov[i].len)
			break;
	}
	*n = done;
	return done ? 0 : err;
}

/* One transfer of the whole request on a stream vnode (see the top of the
 * file; pipes gather and scatter by themselves). */
static int
stream_xfer(struct file *f, bool wr, const struct file_iov *iov, size_t niov, size_t *n,
	    struct fs_io *io)
{
	unsigned char bounce[BOUNCE];
	struct file_iov one;
	size_t total = file_iov_total(iov, niov), first = 0, nonempty = 0, at;
	int err;

	*n = 0;
	if (total == 0)
		return 0;
	for (size_t i = niov; i-- > 0;) {
		if (iov[i].len) {
			first = i;
			nonempty++;
		}
	}
	if (nonempty == 1 || total > sizeof bounce) {
		one = iov[first];
	} else {
		one = (struct file_iov){ bounce, total };
		if (wr) {
			at = 0;
			for (size_t i = 0; i < niov; i++) {
				if (iov[i].len)
					memcpy(bounce + at, iov[i].buf, iov[i].len);
				at += iov[i].len;
			}
		}
	}
	if (wr)
		err = vn_write(f->vn, io, f->off, one.buf, one.len, n);
	else
		err = vn_read(f->vn, io, f->off, one.buf, one.len, n);
	if (err || wr || one.buf != bounce)
		return err;
	at = 0;
	for (size_t i = 0; i < niov && at < *n; i++) {
		size_t k = iov[i].len < *n - at ? iov[i].len : *n - at;

		if (k)
			memcpy(iov[i].buf, bounce + at, k);
		at += k;
	}
	return 0;
}

/* The io the lower layers see: the caller's, made nonblocking by the file's
 * flag. The channel goes back to the caller's io afterwards. */
static struct fs_io
effective_io(const struct file *f, const struct fs_io *io)
{
	struct fs_io e = *io;

	e.chan = NULL;
	if (f->flags & FILE_NONBLOCK)
		e.nonblock = true;
	return e;
}

static void
account(struct fs_io *io, bool wr, size_t n)
{
	struct proc *p = io->opener;

	if (!p)
		return;
	if (wr)
		p->wbytes += n;
	else
		p->rbytes += n;
}

static int
rw(struct file *f, bool wr, const struct file_iov *iov, size_t niov, size_t *n,
   struct fs_io *io)
{
	struct fs_io e = effective_io(f, io);
	struct fs_stat st;
	int err;

	*n = 0;
	if (!(f->flags & (wr ? FILE_WRITE : FILE_READ)))
		return E_BADF;
	if (!positional(f)) {
		/* Pipes handle their iovecs themselves: atomicity spans them all. */
		if (f->kind == FILE_PIPE)
			err = wr ? pipe_writev(f, iov, niov, n, &e) : pipe_readv(f, iov, niov, n, &e);
		else
			err = stream_xfer(f, wr, iov, niov, n, &e);
	} else {
		if (wr && f->flags & FILE_APPEND) {
			err = vn_stat(f->vn, &st);
			if (err)
				return err;
			f->off = st.size;
		}
		err = vn_xfer(f, wr, iov, niov, f->off, n, &e);
		f->off += *n;
	}
	io->chan = e.chan;
	account(io, wr, *n);
	return err;
}

int
file_readv(struct file *f, const struct file_iov *iov, size_t niov, size_t *n,
	   struct fs_io *io)
{
	return rw(f, false, iov, niov, n, io);
}

int
file_writev(struct file *f, const struct file_iov *iov, size_t niov, size_t *n,
	    struct fs_io *io)
{
	return rw(f, true, iov, niov, n, io);
}

int
file_read(struct file *f, void *buf, size_t len, size_t *n, struct fs_io *io)
{
	struct file_iov v = { buf, len };

	return rw(f, false, &v, 1, n, io);
}

int
file_write(struct file *f, const void *buf, size_t len, size_t *n, struct fs_io *io)
{
	struct file_iov v = { (void *)buf, len };

	return rw(f, true, &v, 1, n, io);
}

static int
prw(struct file *f, bool wr, const struct file_iov *iov, size_t niov, uint64_t off,
    size_t *n, struct fs_io *io)
{
	struct fs_io e = effective_io(f, io);
	int err;

	*n = 0;
	if (!(f->flags & (wr ? FILE_WRITE : FILE_READ)))
		return E_BADF;
	if (f->kind == FILE_PIPE || file_isatty(f))
		return E_SPIPE;
	if (off > INT64_MAX)
		return E_INVAL;
	if (positional(f))
		err = vn_xfer(f, wr, iov, niov, off, n, &e);
	else
		err = stream_xfer(f, wr, iov, niov, n, &e);
	io->chan = e.chan;
	account(io, wr, *n);
	return err;
}

int
file_preadv(struct file *f, const struct file_iov *iov, size_t niov, uint64_t off,
	    size_t *n, struct fs_io *io)
{
	return prw(f, false, iov, niov, off, n, io);
}

int
file_pwritev(struct file *f, const struct file_iov *iov, size_t niov, uint64_t off,
	     size_t *n, struct fs_io *io)
{
	return prw(f, true, iov, niov, off, n, io);
}

int
file_seek(struct file *f, int64_t delta, int whence, uint64_t *newoff)
{
	struct fs_stat st;
	uint64_t base;
	int err;

	if (f->kind == FILE_PIPE || file_isatty(f))
		return E_SPIPE;
	switch (whence) {
	case FILE_SEEK_SET:
		base = 0;
		break;
	case FILE_SEEK_CUR:
		base = f->off;
		break;
	case FILE_SEEK_END:
		err = vn_stat(f->vn, &st);
		if (err)
			return err;
		base = st.size;
		break;
	default:
		return E_INVAL;
	}
	if (base > INT64_MAX)
		return E_OVERFLOW;
	if (delta < 0 && (uint64_t)-(delta + 1) + 1 > base)
		return E_INVAL;
	if (delta > 0 && (uint64_t)delta > (uint64_t)INT64_MAX - base)
		return E_OVERFLOW;
	f->off = delta < 0 ? base - ((uint64_t)-(delta + 1) + 1) : base + (uint64_t)delta;
	if (newoff)
		*newoff = f->off;
	return 0;
}

int
file_stat(struct file *f, struct fs_stat *st)
{
	if (f->kind == FILE_PIPE) {
		pipe_stat(f, st);
		return 0;
	}
	return vn_stat(f->vn, st);
}

int
file_truncate(struct file *f, uint64_t size)
{
	if (!(f->flags & FILE_WRITE))
		return E_BADF;
	if (f->kind == FILE_PIPE || f->vn->type != VN_FILE)
		return E_INVAL;
	if (size > INT64_MAX)
		return E_FBIG;
	return vn_truncate(f->vn, size);
}

int
file_set_times(struct file *f, uint64_t atim, uint64_t mtim, unsigned flags)
{
	if (f->kind == FILE_PIPE)
		return E_NOTSUP;
	return vn_set_times(f->vn, atim, mtim, flags);
}

int
file_sync(struct file *f)
{
	if (f->kind == FILE_PIPE)
		return E_INVAL;
	return vn_sync(f->vn);
}

int
file_readdir(struct file *f, uint64_t cookie, fs_dirent_fn fn, void *arg)
{
	if (f->kind == FILE_PIPE)
		return E_NOTDIR;
	/* No FILE_READ check: WASI opens directories with the readdir right
	 * alone, which need not map to read access. */
	return vn_readdir(f->vn, cookie, fn, arg);
}

int
file_set_flags(struct file *f, unsigned fdflags)
{
	if (fdflags & ~(unsigned)FILE_FDFLAGS)
		return E_INVAL;
	f->flags = (f->flags & ~(unsigned)FILE_FDFLAGS) | fdflags;
	return 0;
}

unsigned
file_poll(struct file *f, unsigned events, struct fs_io *io)
{
	struct fs_io e = effective_io(f, io);
	unsigned ready;

	events &= FS_POLLIN | FS_POLLOUT;
	if (f->kind == FILE_PIPE)
		ready = pipe_poll(f, events, &e);
	else if (positional(f))
		ready = events;
	else
		ready = vn_poll(f->vn, events, &e);
	io->chan = ready ? NULL : e.chan;
	return ready;
}
