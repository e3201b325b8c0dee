/*
 * vnode.c - what every file system shares: reference counting of vnodes
 * and file systems, the checked wrappers over struct vnode_ops, the clock
 * for timestamps, and the errno message table.
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <time.h>

#include "fs/fs.h"
#include "fs/internal.h"

/* ---- errno ---------------------------------------------------------- */

static const struct {
	int code;
	const char *name;
	const char *msg;
} errtab[] = {
#define X(name, value, msg) { value, #name, msg },
	FS_ERRNO_LIST(X)
#undef X
};

static int
errindex(int e)
{
	/* The WASI codes are dense from 0; only E_BLOCK sits apart. */
	if (e >= 0 && e <= E_WASI_MAX)
		return e;
	for (size_t i = E_WASI_MAX + 1; i < sizeof errtab / sizeof errtab[0]; i++)
		if (errtab[i].code == e)
			return (int)i;
	return -1;
}

const char *
fs_strerror(int e)
{
	int i = errindex(e);
	return i < 0 ? "unknown error" : errtab[i].msg;
}

const char *
fs_errname(int e)
{
	int i = errindex(e);
	return i < 0 ? "?" : errtab[i].name + 2;
}

uint8_t
fs_wasi_filetype(enum vnode_type t)
{
	/* WASI has no FIFO; UNKNOWN is what preview1 runtimes report for pipes. */
	return t == VN_FIFO ? 0 : (uint8_t)t;
}

/* ---- clock ---------------------------------------------------------- */

static uint64_t
hostclock(void *arg)
{
	struct timespec ts;

	(void)arg;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t (*clockfn)(void *) = hostclock;
static void *clockarg;

void
fs_set_clock(uint64_t (*now_ns)(void *), void *arg)
{
	clockfn = now_ns ? now_ns : hostclock;
	clockarg = now_ns ? arg : NULL;
}

/* The per-thread override stack of fs_clock_push; deeper pushes than it
 * holds keep the innermost one that fits (they only count). */
#define CLOCK_STACK 8
static _Thread_local struct {
	uint64_t (*fn)(void *);
	void *arg;
	uint64_t *devs;
} tl_clock[CLOCK_STACK];
static _Thread_local unsigned tl_depth;

void
fs_clock_push(uint64_t (*now_ns)(void *), void *arg, uint64_t *devs)
{
	if (tl_depth < CLOCK_STACK) {
		tl_clock[tl_depth].fn = now_ns;
		tl_clock[tl_depth].arg = arg;
		tl_clock[tl_depth].devs = devs;
	}
	tl_depth++;
}

void
fs_clock_pop(void)
{
	if (tl_depth)
		tl_depth--;
}

uint64_t
fs_now(void)
{
	if (tl_depth) {
		unsigned i = tl_depth < CLOCK_STACK ? tl_depth - 1 : CLOCK_STACK - 1;

		if (tl_clock[i].fn)
			return tl_clock[i].fn(tl_clock[i].arg);
	}
	return clockfn(clockarg);
}

/* ---- references ----------------------------------------------------- */

uint64_t
fs_next_dev(void)
{
	/* Only distinctness matters (stat's dev, vn_same across fs), among
	 * the file systems that can meet in one namespace: a system's own
	 * sequence (fs_clock_push) keeps its numbers the same in every run. */
	static uint64_t next = 1;

	if (tl_depth) {
		unsigned i = tl_depth < CLOCK_STACK ? tl_depth - 1 : CLOCK_STACK - 1;

		if (tl_clock[i].devs)
			return ++*tl_clock[i].devs;
	}
	return next++;
}

void
fs_ref(struct fs *fs)
{
	fs->refs++;
}

void
fs_unref(struct fs *fs)
{
	if (!fs || --fs->refs > 0)
		return;
	fs->ops->destroy(fs);
}

struct vnode *
fs_root(struct fs *fs)
{
	vn_ref(fs->root);
	return fs->root;
}

void
vn_ref(struct vnode *v)
{
	v->refs++;
	v->fs->refs++;
}

void
vn_unref(struct vnode *v)
{
	struct fs *fs;

	if (!v)
		return;
	/* The fs reference goes last: inactive may still need the fs. */
	fs = v->fs;
	if (--v->refs == 0 && fs->ops->inactive)
		fs->ops->inactive(v);
	fs_unref(fs);
}

bool
vn_same(const struct vnode *a, const struct vnode *b)
{
	return a == b || (a && b && a->fs == b->fs && a->ino == b->ino);
}

/* ---- checked wrappers ---------------------------------------------- */

int
vn_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	*out = NULL;
	if (dir->type != VN_DIR && !(dir->vflags & VN_HASKIDS))
		return E_NOTDIR;
	if (!dir->ops->lookup)
		return E_NOENT;
	return dir->ops->lookup(dir, name, len, out);
}

int
vn_read(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n)
{
	*n = 0;
	if (v->type == VN_DIR)
		return E_ISDIR;
	if (v->type == VN_SYMLINK)
		return E_INVAL;
	if (!v->ops->read)
		return E_NOTSUP;
	return v->ops->read(v, io, off, buf, len, n);
}

int
vn_write(struct vnode *v, struct fs_io *io, uint64_t off, const void *buf, size_t len,
	 size_t *n)
{
	*n = 0;
	if (v->type == VN_DIR)
		return E_ISDIR;
	if (v->type == VN_SYMLINK)
		return E_INVAL;
	if (v->fs->flags & FS_RDONLY)
		return E_ROFS;
	if (!v->ops->write)
		return E_NOTSUP;
	return v->ops->write(v, io, off, buf, len, n);
}

int
vn_truncate(struct vnode *v, uint64_t size)
{
	if (v->type == VN_DIR)
		return E_ISDIR;
	if (v->type != VN_FILE)
		return E_INVAL;
	if (v->fs->flags & FS_RDONLY)
		return E_ROFS;
	if (!v->ops->truncate)
		return E_NOTSUP;
	return v->ops->truncate(v, size);
}

int
vn_stat(struct vnode *v, struct fs_stat *st)
{
	*st = (struct fs_stat){
		.dev = v->fs->dev,
		.ino = v->ino,
		.type = v->type,
		.nlink = 1,
	};
	return v->ops->stat ? v->ops->stat(v, st) : 0;
}

int
vn_set_times(struct vnode *v, uint64_t atim, uint64_t mtim, unsigned flags)
{
	uint64_t now;

	if ((flags & FS_ATIM && flags & FS_ATIM_NOW) || (flags & FS_MTIM && flags & FS_MTIM_NOW)
	    || flags & ~(unsigned)(FS_ATIM | FS_ATIM_NOW | FS_MTIM | FS_MTIM_NOW))
		return E_INVAL;
	if (v->fs->flags & FS_RDONLY)
		return E_ROFS;
	if (!v->ops->set_times)
		return E_NOTSUP;
	if (flags & (FS_ATIM_NOW | FS_MTIM_NOW)) {
		now = fs_now();
		if (flags & FS_ATIM_NOW)
			atim = now;
		if (flags & FS_MTIM_NOW)
			mtim = now;
	}
	flags = (flags & (FS_ATIM | FS_ATIM_NOW) ? FS_ATIM : 0)
	    | (flags & (FS_MTIM | FS_MTIM_NOW) ? FS_MTIM : 0);
	return v->ops->set_times(v, atim, mtim, flags);
}

struct shift {
	fs_dirent_fn fn;
	void *arg;
};

static int
shifted(void *arg, const struct fs_dirent *d)
{
	struct shift *s = arg;
	struct fs_dirent e = *d;

	e.next += 2;
	return s->fn(s->arg, &e);
}

int
vn_readdir(struct vnode *dir, uint64_t cookie, fs_dirent_fn fn, void *arg)
{
	struct shift s = { fn, arg };
	struct vnode *up;
	struct fs_dirent d;
	int err;

	if (dir->type != VN_DIR)
		return E_NOTDIR;
	if (cookie == 0) {
		d = (struct fs_dirent){ .next = 1, .ino = dir->ino, .type = VN_DIR,
					.name = ".", .namelen = 1 };
		if (fn(arg, &d))
			return 0;
		cookie = 1;
	}
	if (cookie == 1) {
		d = (struct fs_dirent){ .next = 2, .ino = dir->ino, .type = VN_DIR,
					.name = "..", .namelen = 2 };
		if (dir->ops->lookup && dir->ops->lookup(dir, "..", 2, &up) == 0) {
			d.ino = up->ino;
			vn_unref(up);
		}
		if (fn(arg, &d))
			return 0;
		cookie = 2;
	}
	if (!dir->ops->readdir)
		return 0;
	err = dir->ops->readdir(dir, cookie - 2, shifted, &s);
	return err;
}

int
vn_readlink(struct vnode *v, char *buf, size_t cap, size_t *len)
{
	*len = 0;
	if (v->type != VN_SYMLINK || !v->ops->readlink)
		return E_INVAL;
	return v->ops->readlink(v, buf, cap, len);
}

unsigned
vn_poll(struct vnode *v, unsigned events, struct fs_io *io)
{
	if (!v->ops->poll)
		return events & (FS_POLLIN | FS_POLLOUT);
	return v->ops->poll(v, events, io);
}

int
vn_sync(struct vnode *v)
{
	return v->ops->sync ? v->ops->sync(v) : 0;
}

void
vn_close(struct vnode *v, unsigned oflags, struct fs_io *io)
{
	if (v->ops->close)
		v->ops->close(v, oflags, io);
}

int
fs_dirent_emit(fs_dirent_fn fn, void *arg, uint64_t next, uint64_t ino, enum vnode_type type,
	       const char *name)
{
	struct fs_dirent d = { .next = next, .ino = ino, .type = type, .name = name,
			       .namelen = strlen(name) };

	return fn(arg, &d);
}

int
fs_times_ignored(struct vnode *v, uint64_t atim, uint64_t mtim, unsigned flags)
{
	(void)v, (void)atim, (void)mtim, (void)flags;
	return 0;
}

int
fs_truncate_ignored(struct vnode *v, uint64_t size)
{
	(void)v, (void)size;
	return 0;
}
