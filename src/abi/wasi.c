/*
 * wasi.c - wasi_snapshot_preview1, all of it.
 *
 * Each handler checks its arguments in a fixed order: out-pointers and
 * buffers first (EFAULT), then flags (EINVAL), then the fd (EBADF), and
 * only then acts, so a failing call changes nothing. Reads and writes go
 * straight between guest memory and the file layer (struct file_iov
 * points into the checked guest buffers); nothing is staged on the host.
 *
 * Blocking: the file layer returns E_BLOCK with a wait channel and no
 * data moved; the handler returns kern_sleep(p, chan), and the call is
 * re-executed from scratch when the channel is woken (kern.h).
 *
 * Paths: resolved in the process's namespace relative to the directory
 * fd given (fd 3, the preopen, is the namespace root); see the
 * introduction of docs/syscalls.md for why fd 3 is not the working
 * directory.
 */
#include "abi/abi.h"
#include "base/alloc.h"
#include "fs/fs.h"
#include "kern/file.h"
#include "kern/kern.h"

#include <stdlib.h>
#include <string.h>

/* ---- WASI constants (witx, preview1) ------------------------------------------ */

enum {
	CLOCK_REALTIME = 0,
	CLOCK_MONOTONIC = 1,
	CLOCK_PROCESS_CPUTIME = 2,
	CLOCK_THREAD_CPUTIME = 3,
};

#define R(n) (UINT64_C(1) << (n))
enum {
	OFLAGS_CREAT = 1,
	OFLAGS_DIRECTORY = 2,
	OFLAGS_EXCL = 4,
	OFLAGS_TRUNC = 8,
	LOOKUP_FOLLOW = 1,
	FST_ALL = FS_ATIM | FS_ATIM_NOW | FS_MTIM | FS_MTIM_NOW,
	SUBCLOCK_ABSTIME = 1,
	EVENT_CLOCK = 0,
	EVENT_FD_READ = 1,
	EVENT_FD_WRITE = 2,
	EVENT_HANGUP = 1,
	PREOPEN_FD = 3,
};

static const uint64_t
	RIGHT_FD_DATASYNC = R(0), RIGHT_FD_READ = R(1), RIGHT_FD_SEEK = R(2),
	RIGHT_FD_FDSTAT_SET_FLAGS = R(3), RIGHT_FD_SYNC = R(4), RIGHT_FD_TELL = R(5),
	RIGHT_FD_WRITE = R(6), RIGHT_FD_ADVISE = R(7), RIGHT_FD_ALLOCATE = R(8),
	RIGHT_FD_READDIR = R(14), RIGHT_FD_FILESTAT_GET = R(21),
	RIGHT_FD_FILESTAT_SET_SIZE = R(22), RIGHT_FD_FILESTAT_SET_TIMES = R(23),
	RIGHT_POLL_FD_READWRITE = R(27),
	/* every path_* right: bits 9-13, 15-20, 24-26 */
	RIGHTS_PATH = R(9) | R(10) | R(11) | R(12) | R(13) | R(15) | R(16) | R(17) | R(18) |
		      R(19) | R(20) | R(24) | R(25) | R(26),
	RIGHTS_ALL = R(30) - 1;

/* What each kind of open file can do, before its access mode is applied. */
static uint64_t
file_rights(struct file *f, uint64_t *inheriting)
{
	uint64_t common = RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_FILESTAT_GET |
			  RIGHT_POLL_FD_READWRITE;
	uint64_t r;

	*inheriting = 0;
	switch (file_type(f)) {
	case VN_DIR:
		r = common | RIGHTS_PATH | RIGHT_FD_READDIR | RIGHT_FD_FILESTAT_SET_TIMES |
		    RIGHT_FD_SYNC | RIGHT_FD_DATASYNC | RIGHT_FD_ADVISE;
		*inheriting = RIGHTS_ALL;
		break;
	case VN_FILE:
		r = common | RIGHT_FD_DATASYNC | RIGHT_FD_READ | RIGHT_FD_SEEK | RIGHT_FD_SYNC |
		    RIGHT_FD_TELL | RIGHT_FD_WRITE | RIGHT_FD_ADVISE | RIGHT_FD_ALLOCATE |
		    RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_FD_FILESTAT_SET_TIMES;
		break;
	case VN_CHAR:
		/* wasi-libc's isatty(): a character device without seek/tell. */
		r = common | RIGHT_FD_READ | RIGHT_FD_WRITE;
		if (!file_isatty(f))
			r |= RIGHT_FD_SEEK | RIGHT_FD_TELL | RIGHT_FD_SYNC | RIGHT_FD_DATASYNC;
		break;
	default:  /* pipes */
		r = common | RIGHT_FD_READ | RIGHT_FD_WRITE;
		break;
	}
	if (!(f->flags & FILE_READ))
		r &= ~(RIGHT_FD_READ | RIGHT_FD_READDIR);
	if (!(f->flags & FILE_WRITE))
		r &= ~(RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE |
		       RIGHT_FD_DATASYNC);
	*inheriting &= f->rights_inheriting;
	return r & f->rights_base;
}

/* ---- shared helpers ------------------------------------------------------------ */

static struct fs_io
io_of(struct abi_cx *cx)
{
	return (struct fs_io){ .opener = cx->p };
}

/* The open file at fd (borrowed), or E_BADF. */
static int
getfile(struct abi_cx *cx, uint32_t fd, struct file **f)
{
	*f = cx->p->fds ? fdtab_get(cx->p->fds, (int32_t)fd) : NULL;
	return *f ? 0 : E_BADF;
}

/* The directory an *at call is relative to (borrowed): E_BADF, E_NOTDIR. */
static int
getdir(struct abi_cx *cx, uint32_t fd, struct vnode **dir)
{
	struct file *f;
	int r = getfile(cx, fd, &f);

	if (r)
		return r;
	if (f->kind != FILE_VNODE || f->vn->type != VN_DIR)
		return E_NOTDIR;
	*dir = f->vn;
	return 0;
}

/* A guest path relative to dir fd `fd`: copied into buf, base vnode found. */
static int
getpath(struct abi_cx *cx, uint32_t fd, uint32_t ptr, uint32_t len, char *buf,
	struct vnode **base)
{
	int r = abi_path(cx, ptr, len, buf, FS_PATH_MAX + 1);

	return r ? r : getdir(cx, fd, base);
}

/* filestat, 64 bytes: dev, ino, filetype u8 @16, nlink @24, size, atim, mtim, ctim. */
static void
put_filestat(uint8_t *m, const struct fs_stat *st)
{
	memset(m, 0, 64);
	abi_le64(m, st->dev);
	abi_le64(m + 8, st->ino);
	m[16] = fs_wasi_filetype(st->type);
	abi_le64(m + 24, st->nlink);
	abi_le64(m + 32, st->size);
	abi_le64(m + 40, st->atim);
	abi_le64(m + 48, st->mtim);
	abi_le64(m + 56, st->ctim);
}

/*
 * Turn a checked guest iovec array into file_iovs (a small array on the
 * stack, or *heap for long ones). Returns 0, E_FAULT, E_INVAL or E_NOMEM.
 */
#define IOV_STACK 16
static int
get_iovs(struct abi_cx *cx, uint32_t iovs, uint32_t n, struct file_iov *stack,
	 struct file_iov **out)
{
	struct file_iov *v = stack;
	uint64_t total;
	int r = abi_iovecs(cx, iovs, n, &total);

	*out = NULL;
	if (r)
		return r;
	if (n > IOV_STACK) {
		v = al_malloc(n * sizeof *v);
		if (!v)
			return E_NOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;

		v[i].buf = abi_iov(cx, iovs, i, &len);
		v[i].len = len;
	}
	*out = v;
	return 0;
}

static void
put_iovs(struct file_iov *v, struct file_iov *stack)
{
	if (v != stack)
		al_free(v);
}

/* The four I/O calls share one body: which transfer, and at what offset. */
enum xfer { X_READ, X_WRITE, X_PREAD, X_PWRITE };

static int
do_io(struct abi_cx *cx, enum xfer how, uint32_t fd, uint32_t iovs, uint32_t niovs,
      uint64_t off, uint32_t nptr)
{
	struct file_iov stack[IOV_STACK], *v;
	struct fs_io io = io_of(cx);
	struct file *f;
	size_t n = 0;
	int r;

	if ((r = abi_check(cx, nptr, 4)) || (r = get_iovs(cx, iovs, niovs, stack, &v)))
		return r;
	if ((how == X_PREAD || how == X_PWRITE) && off > INT64_MAX)
		r = E_INVAL;
	else
		r = getfile(cx, fd, &f);
	if (!r) {
		switch (how) {
		case X_READ: r = file_readv(f, v, niovs, &n, &io); break;
		case X_WRITE: r = file_writev(f, v, niovs, &n, &io); break;
		case X_PREAD: r = file_preadv(f, v, niovs, off, &n, &io); break;
		case X_PWRITE: r = file_pwritev(f, v, niovs, off, &n, &io); break;
		}
	}
	put_iovs(v, stack);
	if (r == E_BLOCK)
		return kern_sleep(cx->p, io.chan);
	if (r)
		return r;
	return abi_put32(cx, nptr, (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n));
}

/* argv/environ: the vector and the size of its strings (with NULs). */
static void
vec_sizes(char **v, int n, uint32_t *count, uint64_t *bytes)
{
	*count = v ? (uint32_t)n : 0;
	*bytes = 0;
	for (int i = 0; v && i < n; i++)
		*bytes += strlen(v[i]) + 1;
}

static int
vec_sizes_get(struct abi_cx *cx, char **v, int n)
{
	uint32_t count;
	uint64_t bytes;
	int r;

	if ((r = abi_check(cx, ARG32(cx, 0), 4)) || (r = abi_check(cx, ARG32(cx, 1), 4)))
		return r;
	vec_sizes(v, n, &count, &bytes);
	if (bytes > UINT32_MAX)
		return E_OVERFLOW;
	abi_put32(cx, ARG32(cx, 0), count);
	return abi_put32(cx, ARG32(cx, 1), (uint32_t)bytes);
}

static int
vec_get(struct abi_cx *cx, char **v, int n)
{
	uint32_t ptrs = ARG32(cx, 0), buf = ARG32(cx, 1), count;
	uint64_t bytes, at = 0;
	uint8_t *pm, *bm;

	vec_sizes(v, n, &count, &bytes);
	pm = abi_mem(cx, ptrs, (uint64_t)count * 4);
	bm = abi_mem(cx, buf, bytes);
	if (!pm || !bm)
		return E_FAULT;
	for (uint32_t i = 0; i < count; i++) {
		size_t len = strlen(v[i]) + 1;

		abi_le32(pm + 4 * i, buf + (uint32_t)at);
		memcpy(bm + at, v[i], len);
		at += len;
	}
	return 0;
}

/* ---- args, environ, clocks, random ---------------------------------------------- */

static int
sys_args_get(struct abi_cx *cx)
{
	return vec_get(cx, cx->p->argv, cx->p->argc);
}

static int
sys_args_sizes_get(struct abi_cx *cx)
{
	return vec_sizes_get(cx, cx->p->argv, cx->p->argc);
}

static int
sys_environ_get(struct abi_cx *cx)
{
	return vec_get(cx, cx->p->envp, cx->p->envc);
}

static int
sys_environ_sizes_get(struct abi_cx *cx)
{
	return vec_sizes_get(cx, cx->p->envp, cx->p->envc);
}

/* Nanoseconds on clock id: E_INVAL for an unknown clock. */
static int
clock_now(struct abi_cx *cx, uint32_t id, uint64_t *t)
{
	switch (id) {
	case CLOCK_REALTIME:
		*t = fs_now();
		return 0;
	case CLOCK_MONOTONIC:
		*t = kern_now(cx->p->k);
		return 0;
	case CLOCK_PROCESS_CPUTIME:
	case CLOCK_THREAD_CPUTIME:
		/* CPU time is fuel: one instruction counts one nanosecond
		 * (the running slice's included). */
		*t = cx->p->fuel + (uint64_t)vm_fuel_used(cx->inst);
		return 0;
	default:
		return E_INVAL;
	}
}

static int
sys_clock_res_get(struct abi_cx *cx)
{
	uint64_t t;
	int r;

	if ((r = abi_check(cx, ARG32(cx, 1), 8)) || (r = clock_now(cx, ARG32(cx, 0), &t)))
		return r;
	return abi_put64(cx, ARG32(cx, 1), 1);
}

static int
sys_clock_time_get(struct abi_cx *cx)
{
	uint64_t t;
	int r;

	if ((r = abi_check(cx, ARG32(cx, 2), 8)) || (r = clock_now(cx, ARG32(cx, 0), &t)))
		return r;
	return abi_put64(cx, ARG32(cx, 2), t);
}

static int
sys_random_get(struct abi_cx *cx)
{
	uint8_t *m = abi_mem(cx, ARG32(cx, 0), ARG32(cx, 1));

	return m ? abi_random(cx, m, ARG32(cx, 1)) : E_FAULT;
}

/* ---- fd_* ------------------------------------------------------------------------ */

static int
sys_fd_advise(struct abi_cx *cx)
{
	struct file *f;
	int r;

	if (ARG32(cx, 3) > 5)
		return E_INVAL;
	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	if (f->kind == FILE_PIPE)
		return E_SPIPE;
	return 0; /* advice only: memfs has no cache to steer */
}

static int
sys_fd_allocate(struct abi_cx *cx)
{
	uint64_t off = ARG64(cx, 1), len = ARG64(cx, 2);
	struct fs_stat st;
	struct file *f;
	int r;

	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	if (f->kind == FILE_PIPE)
		return E_SPIPE;
	if (off > INT64_MAX || len > INT64_MAX - off)
		return E_FBIG;
	if (!len)
		return E_INVAL;
	switch (file_type(f)) {
	case VN_FILE: break;
	case VN_DIR: return E_ISDIR;
	default: return E_NODEV;
	}
	if ((r = file_stat(f, &st)))
		return r;
	if (!(f->flags & FILE_WRITE))
		return E_BADF;
	return off + len > st.size ? file_truncate(f, off + len) : 0;
}

static int
sys_fd_close(struct abi_cx *cx)
{
	return cx->p->fds ? fdtab_close(cx->p->fds, (int32_t)ARG32(cx, 0)) : E_BADF;
}

static int
sys_fd_sync(struct abi_cx *cx)
{
	struct file *f;
	int r = getfile(cx, ARG32(cx, 0), &f);

	return r ? r : file_sync(f);
}

static int
sys_fd_fdstat_get(struct abi_cx *cx)
{
	uint8_t *m = abi_mem(cx, ARG32(cx, 1), 24);
	uint64_t base, inh;
	struct file *f;
	int r;

	if (!m)
		return E_FAULT;
	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	base = file_rights(f, &inh);
	memset(m, 0, 24);
	m[0] = fs_wasi_filetype(file_type(f));
	abi_le16(m + 2, (uint16_t)(f->flags & FILE_FDFLAGS));
	abi_le64(m + 8, base);
	abi_le64(m + 16, inh);
	return 0;
}

static int
sys_fd_fdstat_set_flags(struct abi_cx *cx)
{
	struct file *f;
	int r;

	if (ARG32(cx, 1) & ~(uint32_t)FILE_FDFLAGS)
		return E_INVAL;
	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	return file_set_flags(f, ARG32(cx, 1));
}

static int
sys_fd_fdstat_set_rights(struct abi_cx *cx)
{
	uint64_t base = ARG64(cx, 1), inh = ARG64(cx, 2), cur, curinh;
	struct file *f;
	int r;

	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	cur = file_rights(f, &curinh);
	/* Rights can only be dropped. */
	if ((base & ~cur) || (inh & ~curinh))
		return E_NOTCAPABLE;
	f->rights_base &= base;
	f->rights_inheriting &= inh;
	return 0;
}

static int
sys_fd_filestat_get(struct abi_cx *cx)
{
	uint8_t *m = abi_mem(cx, ARG32(cx, 1), 64);
	struct fs_stat st;
	struct file *f;
	int r;

	if (!m)
		return E_FAULT;
	if ((r = getfile(cx, ARG32(cx, 0), &f)) || (r = file_stat(f, &st)))
		return r;
	put_filestat(m, &st);
	return 0;
}

static int
sys_fd_filestat_set_size(struct abi_cx *cx)
{
	struct file *f;
	int r;

	if (ARG64(cx, 1) > INT64_MAX)
		return E_INVAL;
	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	return file_truncate(f, ARG64(cx, 1));
}

static int
sys_fd_filestat_set_times(struct abi_cx *cx)
{
	struct file *f;
	int r;

	if (ARG32(cx, 3) & ~(uint32_t)FST_ALL)
		return E_INVAL;
	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	return file_set_times(f, ARG64(cx, 1), ARG64(cx, 2), ARG32(cx, 3));
}

static int
sys_fd_pread(struct abi_cx *cx)
{
	return do_io(cx, X_PREAD, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), ARG64(cx, 3),
		     ARG32(cx, 4));
}

static int
sys_fd_pwrite(struct abi_cx *cx)
{
	return do_io(cx, X_PWRITE, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), ARG64(cx, 3),
		     ARG32(cx, 4));
}

static int
sys_fd_read(struct abi_cx *cx)
{
	return do_io(cx, X_READ, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), 0, ARG32(cx, 3));
}

static int
sys_fd_write(struct abi_cx *cx)
{
	return do_io(cx, X_WRITE, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), 0, ARG32(cx, 3));
}

/* fd 3 is the preopen while it is a directory open on the namespace root. */
static int
preopen(struct abi_cx *cx, uint32_t fd)
{
	struct vnode *root;
	struct file *f;
	bool yes;

	if (fd != PREOPEN_FD || getfile(cx, fd, &f) || f->kind != FILE_VNODE || !cx->p->ns)
		return E_BADF;
	root = ns_root(cx->p->ns);
	yes = root && vn_same(root, f->vn);
	vn_unref(root);
	return yes ? 0 : E_BADF;
}

static int
sys_fd_prestat_get(struct abi_cx *cx)
{
	uint8_t *m = abi_mem(cx, ARG32(cx, 1), 8);
	int r;

	if (!m)
		return E_FAULT;
	if ((r = preopen(cx, ARG32(cx, 0))))
		return r;
	memset(m, 0, 8);          /* tag 0: a directory */
	abi_le32(m + 4, 1);       /* strlen("/") */
	return 0;
}

static int
sys_fd_prestat_dir_name(struct abi_cx *cx)
{
	uint8_t *m = abi_mem(cx, ARG32(cx, 1), ARG32(cx, 2));
	int r;

	if (!m)
		return E_FAULT;
	if ((r = preopen(cx, ARG32(cx, 0))))
		return r;
	if (ARG32(cx, 2) < 1)
		return E_NAMETOOLONG;
	m[0] = '/';
	return 0;
}

/* fd_readdir: WASI dirents (d_next u64, d_ino u64, d_namlen u32, d_type u8,
 * 24 bytes, then the name), the last one cut off where the buffer ends. */
struct rdbuf {
	uint8_t *out;
	uint32_t cap, used;
};

static int
rd_entry(void *arg, const struct fs_dirent *d)
{
	struct rdbuf *b = arg;
	uint8_t hdr[24] = { 0 };
	size_t n;

	abi_le64(hdr, d->next);
	abi_le64(hdr + 8, d->ino);
	abi_le32(hdr + 16, (uint32_t)d->namelen);
	hdr[20] = fs_wasi_filetype(d->type);
	n = b->cap - b->used < 24 ? b->cap - b->used : 24;
	memcpy(b->out + b->used, hdr, n);
	b->used += (uint32_t)n;
	n = b->cap - b->used < d->namelen ? b->cap - b->used : d->namelen;
	memcpy(b->out + b->used, d->name, n);
	b->used += (uint32_t)n;
	return b->used == b->cap;
}

static int
sys_fd_readdir(struct abi_cx *cx)
{
	struct rdbuf b = { .out = abi_mem(cx, ARG32(cx, 1), ARG32(cx, 2)), .cap = ARG32(cx, 2) };
	struct file *f;
	int r;

	if (!b.out || abi_check(cx, ARG32(cx, 4), 4))
		return E_FAULT;
	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	if (file_type(f) != VN_DIR)
		return E_NOTDIR;
	if (b.cap && (r = file_readdir(f, ARG64(cx, 3), rd_entry, &b)))
		return r;
	return abi_put32(cx, ARG32(cx, 4), b.used);
}

static int
sys_fd_renumber(struct abi_cx *cx)
{
	return cx->p->fds ? fdtab_renumber(cx->p->fds, (int32_t)ARG32(cx, 0),
					   (int32_t)ARG32(cx, 1)) : E_BADF;
}

static int
sys_fd_seek(struct abi_cx *cx)
{
	struct file *f;
	uint64_t off;
	int r;

	if (abi_check(cx, ARG32(cx, 3), 8))
		return E_FAULT;
	if (ARG32(cx, 2) > FILE_SEEK_END)
		return E_INVAL;
	if ((r = getfile(cx, ARG32(cx, 0), &f)) ||
	    (r = file_seek(f, (int64_t)ARG64(cx, 1), (int)ARG32(cx, 2), &off)))
		return r;
	return abi_put64(cx, ARG32(cx, 3), off);
}

static int
sys_fd_tell(struct abi_cx *cx)
{
	struct file *f;
	uint64_t off;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 8))
		return E_FAULT;
	if ((r = getfile(cx, ARG32(cx, 0), &f)) || (r = file_seek(f, 0, FILE_SEEK_CUR, &off)))
		return r;
	return abi_put64(cx, ARG32(cx, 1), off);
}

/* ---- path_* ---------------------------------------------------------------------- */

static int
sys_path_create_directory(struct abi_cx *cx)
{
	char path[FS_PATH_MAX + 1];
	struct vnode *base;
	int r = getpath(cx, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), path, &base);

	return r ? r : fs_mkdir(cx->p->ns, base, path, ARG32(cx, 2));
}

static int
sys_path_filestat_get(struct abi_cx *cx)
{
	uint8_t *m = abi_mem(cx, ARG32(cx, 4), 64);
	char path[FS_PATH_MAX + 1];
	struct vnode *base;
	struct fs_stat st;
	int r;

	if (!m)
		return E_FAULT;
	if ((r = getpath(cx, ARG32(cx, 0), ARG32(cx, 2), ARG32(cx, 3), path, &base)))
		return r;
	if (ARG32(cx, 1) & ~(uint32_t)LOOKUP_FOLLOW)
		return E_INVAL;
	if ((r = fs_stat(cx->p->ns, base, path, ARG32(cx, 3), ARG32(cx, 1) & LOOKUP_FOLLOW,
			 &st)))
		return r;
	put_filestat(m, &st);
	return 0;
}

static int
sys_path_filestat_set_times(struct abi_cx *cx)
{
	char path[FS_PATH_MAX + 1];
	struct vnode *base;
	int r;

	if ((r = getpath(cx, ARG32(cx, 0), ARG32(cx, 2), ARG32(cx, 3), path, &base)))
		return r;
	if ((ARG32(cx, 1) & ~(uint32_t)LOOKUP_FOLLOW) || (ARG32(cx, 6) & ~(uint32_t)FST_ALL))
		return E_INVAL;
	return fs_set_times(cx->p->ns, base, path, ARG32(cx, 3), ARG32(cx, 1) & LOOKUP_FOLLOW,
			    ARG64(cx, 4), ARG64(cx, 5), ARG32(cx, 6));
}

static int
sys_path_link(struct abi_cx *cx)
{
	char *opath = NULL, *npath = NULL;
	struct vnode *obase, *nbase;
	int r = E_NOMEM;

	opath = al_malloc(FS_PATH_MAX + 1);
	npath = al_malloc(FS_PATH_MAX + 1);
	if (!opath || !npath)
		goto out;
	if ((r = getpath(cx, ARG32(cx, 0), ARG32(cx, 2), ARG32(cx, 3), opath, &obase)) ||
	    (r = getpath(cx, ARG32(cx, 4), ARG32(cx, 5), ARG32(cx, 6), npath, &nbase)))
		goto out;
	if (ARG32(cx, 1) & ~(uint32_t)LOOKUP_FOLLOW) {
		r = E_INVAL;
		goto out;
	}
	r = fs_link(cx->p->ns, obase, opath, ARG32(cx, 3), ARG32(cx, 1) & LOOKUP_FOLLOW, nbase,
		    npath, ARG32(cx, 6));
out:
	al_free(opath);
	al_free(npath);
	return r;
}

static int
sys_path_open(struct abi_cx *cx)
{
	uint32_t dirflags = ARG32(cx, 1), oflags = ARG32(cx, 4), fdflags = ARG32(cx, 7);
	uint64_t rbase = ARG64(cx, 5), rinh = ARG64(cx, 6);
	char path[FS_PATH_MAX + 1];
	struct fs_io io = io_of(cx);
	struct vnode *base;
	struct file *f;
	unsigned fo = 0;
	int32_t fd;
	int r;

	if (abi_check(cx, ARG32(cx, 8), 4))
		return E_FAULT;
	if ((r = getpath(cx, ARG32(cx, 0), ARG32(cx, 2), ARG32(cx, 3), path, &base)))
		return r;
	if ((dirflags & ~(uint32_t)LOOKUP_FOLLOW) || (oflags & ~0xfu) ||
	    (fdflags & ~(uint32_t)FILE_FDFLAGS))
		return E_INVAL;
	/* wasi-libc asks for read or write access through the rights. */
	if (rbase & (RIGHT_FD_READ | RIGHT_FD_READDIR))
		fo |= FS_O_READ;
	if (rbase & RIGHT_FD_WRITE)
		fo |= FS_O_WRITE;
	if (oflags & OFLAGS_CREAT)
		fo |= FS_O_CREAT;
	if (oflags & OFLAGS_EXCL)
		fo |= FS_O_EXCL;
	if (oflags & OFLAGS_TRUNC)
		fo |= FS_O_TRUNC;
	if (oflags & OFLAGS_DIRECTORY)
		fo |= FS_O_DIRECTORY;
	if (!(dirflags & LOOKUP_FOLLOW))
		fo |= FS_O_NOFOLLOW;
	if (fdflags & FILE_NONBLOCK)
		fo |= FS_O_NONBLOCK;
	r = file_open(cx->p->ns, base, path, ARG32(cx, 3), fo, fdflags, &io, &f);
	if (r == E_BLOCK)
		return kern_sleep(cx->p, io.chan);
	if (r)
		return r;
	f->rights_base = rbase;
	f->rights_inheriting = rinh;
	r = fdtab_install(cx->p->fds, f, 0, 0, &fd);
	file_unref(f);
	if (r)
		return r;
	return abi_put32(cx, ARG32(cx, 8), (uint32_t)fd);
}

static int
sys_path_readlink(struct abi_cx *cx)
{
	uint8_t *out = abi_mem(cx, ARG32(cx, 3), ARG32(cx, 4));
	char path[FS_PATH_MAX + 1];
	struct vnode *base;
	size_t n = 0;
	int r;

	if (!out || abi_check(cx, ARG32(cx, 5), 4))
		return E_FAULT;
	if ((r = getpath(cx, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), path, &base)) ||
	    (r = fs_readlink(cx->p->ns, base, path, ARG32(cx, 2), (char *)out, ARG32(cx, 4),
			     &n)))
		return r;
	/* A link longer than the buffer is cut, as readlink(2) does. */
	return abi_put32(cx, ARG32(cx, 5), n < ARG32(cx, 4) ? (uint32_t)n : ARG32(cx, 4));
}

static int
sys_path_remove_directory(struct abi_cx *cx)
{
	char path[FS_PATH_MAX + 1];
	struct vnode *base;
	int r = getpath(cx, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), path, &base);

	return r ? r : fs_rmdir(cx->p->ns, base, path, ARG32(cx, 2));
}

static int
sys_path_rename(struct abi_cx *cx)
{
	char *opath = al_malloc(FS_PATH_MAX + 1), *npath = al_malloc(FS_PATH_MAX + 1);
	struct vnode *obase, *nbase;
	int r = E_NOMEM;

	if (!opath || !npath)
		goto out;
	if ((r = getpath(cx, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), opath, &obase)) ||
	    (r = getpath(cx, ARG32(cx, 3), ARG32(cx, 4), ARG32(cx, 5), npath, &nbase)))
		goto out;
	r = fs_rename(cx->p->ns, obase, opath, ARG32(cx, 2), nbase, npath, ARG32(cx, 5));
out:
	al_free(opath);
	al_free(npath);
	return r;
}

static int
sys_path_symlink(struct abi_cx *cx)
{
	char *target = al_malloc(FS_PATH_MAX + 1), *path = al_malloc(FS_PATH_MAX + 1);
	struct vnode *base;
	int r = E_NOMEM;

	if (!target || !path)
		goto out;
	if ((r = abi_path(cx, ARG32(cx, 0), ARG32(cx, 1), target, FS_PATH_MAX + 1)) ||
	    (r = getpath(cx, ARG32(cx, 2), ARG32(cx, 3), ARG32(cx, 4), path, &base)))
		goto out;
	r = fs_symlink(cx->p->ns, target, ARG32(cx, 1), base, path, ARG32(cx, 4));
out:
	al_free(target);
	al_free(path);
	return r;
}

static int
sys_path_unlink_file(struct abi_cx *cx)
{
	char path[FS_PATH_MAX + 1];
	struct vnode *base;
	int r = getpath(cx, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), path, &base);

	return r ? r : fs_unlink(cx->p->ns, base, path, ARG32(cx, 2));
}

/* ---- poll_oneoff ------------------------------------------------------------------ */

/*
 * Subscriptions are 48 bytes: userdata u64 @0, tag u8 @8, then clock (id
 * u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40) or fd (u32
 * @16). Events are 32 bytes: userdata @0, error u16 @8, type u8 @10,
 * nbytes u64 @16, flags u16 @24.
 *
 * Every execution polls everything afresh; relative timeouts count from
 * the first execution of the call (kern_deadline), so a sleep interrupted
 * by unrelated wakeups still ends on time.
 */
#define POLL_MAX 4096

static void
put_event(uint8_t *ev, const uint8_t *sub, uint16_t error, uint8_t type, uint16_t flags)
{
	memset(ev, 0, 32);
	memcpy(ev, sub, 8);
	abi_le16(ev + 8, error);
	ev[10] = type;
	abi_le16(ev + 24, flags);
}

static int
sys_poll_oneoff(struct abi_cx *cx)
{
	uint32_t nsubs = ARG32(cx, 2), nev = 0;
	uint8_t *in, *out, *evs, *sub;
	void **chans;
	size_t nchans = 0;
	uint64_t start, now, deadline = 0;
	int r = 0;

	if (!nsubs || nsubs > POLL_MAX)
		return E_INVAL;
	in = abi_mem(cx, ARG32(cx, 0), (uint64_t)nsubs * 48);
	out = abi_mem(cx, ARG32(cx, 1), (uint64_t)nsubs * 32);
	if (!in || !out || abi_check(cx, ARG32(cx, 3), 4))
		return E_FAULT;
	/*
	 * Events are gathered in a host copy first: the subscriptions and the
	 * events may overlap in guest memory, and a call that goes to sleep
	 * must leave the guest's memory alone.
	 */
	chans = al_malloc(nsubs * sizeof *chans);
	evs = al_malloc((size_t)nsubs * 32);
	if (!chans || !evs) {
		al_free(chans);
		al_free(evs);
		return E_NOMEM;
	}
	start = kern_deadline(cx->p, 0);
	now = kern_now(cx->p->k);
	for (uint32_t i = 0; i < nsubs; i++) {
		uint64_t at, timeout;
		uint32_t id;
		struct file *f;

		sub = in + 48 * (size_t)i;
		switch (sub[8]) {
		case EVENT_CLOCK:
			id = abi_rd32(sub + 16);
			timeout = abi_rd64(sub + 24);
			if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC) {
				put_event(evs + 32 * nev++, sub,
					  id <= CLOCK_THREAD_CPUTIME ? E_NOTSUP : E_INVAL,
					  EVENT_CLOCK, 0);
				break;
			}
			if (!(sub[40] & SUBCLOCK_ABSTIME))
				at = timeout > UINT64_MAX - start ? UINT64_MAX : start + timeout;
			else if (id == CLOCK_MONOTONIC)
				at = timeout;
			else {
				/* A realtime instant, carried over to the monotonic clock. */
				uint64_t rt = fs_now();

				at = timeout <= rt ? now : timeout - rt > UINT64_MAX - now ?
				     UINT64_MAX : now + (timeout - rt);
			}
			if (at <= now)
				put_event(evs + 32 * nev++, sub, 0, EVENT_CLOCK, 0);
			else if (!deadline || at < deadline)
				deadline = at;
			break;
		case EVENT_FD_READ:
		case EVENT_FD_WRITE: {
			unsigned want = sub[8] == EVENT_FD_READ ? FS_POLLIN : FS_POLLOUT, got;
			struct fs_io io = io_of(cx);

			if (getfile(cx, abi_rd32(sub + 16), &f)) {
				put_event(evs + 32 * nev++, sub, E_BADF, sub[8], 0);
				break;
			}
			got = file_poll(f, want, &io);
			if (got & (want | FS_POLLHUP))
				put_event(evs + 32 * nev++, sub, 0, sub[8],
					  got & FS_POLLHUP ? EVENT_HANGUP : 0);
			else if (io.chan)
				chans[nchans++] = io.chan;
			break;
		}
		default:
			put_event(evs + 32 * nev++, sub, E_INVAL, sub[8], 0);
			break;
		}
	}
	if (nev) {
		memcpy(out, evs, (size_t)nev * 32);
		r = abi_put32(cx, ARG32(cx, 3), nev);
	} else {
		r = kern_sleep_many(cx->p, chans, nchans, deadline);
	}
	al_free(evs);
	al_free(chans);
	return r;
}

/* ---- processes, sockets ------------------------------------------------------------- */

static int
sys_proc_exit(struct abi_cx *cx)
{
	vm_set_exit(cx->inst, (int32_t)ARG32(cx, 0));
	return ABI_EXIT;
}

int
abi_proc_raise(struct abi_cx *cx)
{
	/* raise(0) checks that the caller exists: it does. */
	if (ARG32(cx, 0) > KSIG_MAX)
		return E_INVAL;
	return sig_kill(cx->p, cx->p->pid, (int)ARG32(cx, 0));
}

/*
 * sched_yield: the first execution returns VM_BLOCK without sleeping, so
 * the scheduler puts the process at the back of its run queue; the
 * re-execution (kern.h: p->restarting) then succeeds.
 */
static int
sys_sched_yield(struct abi_cx *cx)
{
	return cx->p->restarting ? 0 : E_BLOCK;
}

static int
sock_none(struct abi_cx *cx)
{
	struct file *f;
	int r = getfile(cx, ARG32(cx, 0), &f);

	return r ? r : E_NOTSUP;
}

/* ---- the preopen ----------------------------------------------------------------------- */

int
abi_preopen(struct proc *p)
{
	struct fs_io io = { .opener = p };
	struct file *f;
	int32_t fd;
	int r;

	if (!p->fds || !p->ns)
		return E_BADF;
	if (fdtab_get(p->fds, PREOPEN_FD))
		return E_BADF;
	r = file_open(p->ns, NULL, "/", 1, FS_O_READ | FS_O_DIRECTORY, 0, &io, &f);
	if (r)
		return r;
	r = fdtab_install(p->fds, f, PREOPEN_FD, 0, &fd);
	file_unref(f);
	if (!r && fd != PREOPEN_FD) {
		fdtab_close(p->fds, fd);
		r = E_BADF;
	}
	return r;
}

/* ---- the table ------------------------------------------------------------------------ */

#define FD "i32 fd"
static const struct abi_call calls[] = {
	{ .name = "args_get", .result = "errno", .fn = sys_args_get,
	  .params = "i32 argv, i32 argv_buf",
	  .doc = "the process's argv: pointers into argv_buf, NUL-terminated strings" },
	{ .name = "args_sizes_get", .result = "errno", .fn = sys_args_sizes_get,
	  .params = "i32 *argc, i32 *argv_buf_size",
	  .doc = "argc and the bytes args_get needs" },
	{ .name = "environ_get", .result = "errno", .fn = sys_environ_get,
	  .params = "i32 environ, i32 environ_buf",
	  .doc = "the environment, as args_get" },
	{ .name = "environ_sizes_get", .result = "errno", .fn = sys_environ_sizes_get,
	  .params = "i32 *count, i32 *buf_size",
	  .doc = "as args_sizes_get" },
	{ .name = "clock_res_get", .result = "errno", .fn = sys_clock_res_get,
	  .params = "i32 clock, i32 *resolution",
	  .doc = "1 ns for every clock; EINVAL for an unknown clock" },
	{ .name = "clock_time_get", .result = "errno", .fn = sys_clock_time_get,
	  .params = "i32 clock, i64 precision, i32 *time",
	  .doc = "realtime: the system's epoch clock; monotonic: the kernel clock (what poll "
	         "and alarms count); process/thread CPU time: fuel, one instruction = 1 ns" },
	{ .name = "fd_advise", .result = "errno", .fn = sys_fd_advise,
	  .params = FD ", i64 offset, i64 len, i32 advice",
	  .doc = "checked and ignored (ESPIPE on pipes, EINVAL for an unknown advice)" },
	{ .name = "fd_allocate", .result = "errno", .fn = sys_fd_allocate,
	  .params = FD ", i64 offset, i64 len",
	  .doc = "grows a regular file to offset+len (ESPIPE pipes, EISDIR, ENODEV devices)" },
	{ .name = "fd_close", .result = "errno", .fn = sys_fd_close,
	  .params = FD,
	  .doc = "close(2)" },
	{ .name = "fd_datasync", .result = "errno", .fn = sys_fd_sync,
	  .params = FD,
	  .doc = "fdatasync(2); EINVAL on pipes" },
	{ .name = "fd_fdstat_get", .result = "errno", .fn = sys_fd_fdstat_get,
	  .params = FD ", i32 *fdstat",
	  .doc = "filetype, fdflags (APPEND, NONBLOCK...), rights: the file's kind masked by "
	         "its access mode; the console has no seek/tell right (wasi-libc's isatty)" },
	{ .name = "fd_fdstat_set_flags", .result = "errno", .fn = sys_fd_fdstat_set_flags,
	  .params = FD ", i32 fdflags",
	  .doc = "fcntl(F_SETFL): APPEND, DSYNC, NONBLOCK, RSYNC, SYNC" },
	{ .name = "fd_fdstat_set_rights", .result = "errno", .fn = sys_fd_fdstat_set_rights,
	  .params = FD ", i64 base, i64 inheriting",
	  .doc = "drops rights (ENOTCAPABLE when adding any)" },
	{ .name = "fd_filestat_get", .result = "errno", .fn = sys_fd_filestat_get,
	  .params = FD ", i32 *filestat",
	  .doc = "fstat(2); pipes are filetype 0 (unknown: WASI has no FIFO type)" },
	{ .name = "fd_filestat_set_size", .result = "errno", .fn = sys_fd_filestat_set_size,
	  .params = FD ", i64 size",
	  .doc = "ftruncate(2)" },
	{ .name = "fd_filestat_set_times", .result = "errno", .fn = sys_fd_filestat_set_times,
	  .params = FD ", i64 atim, i64 mtim, i32 fstflags",
	  .doc = "futimens(2)" },
	{ .name = "fd_pread", .result = "errno", .fn = sys_fd_pread,
	  .params = FD ", i32 iovs, i32 iovs_len, i64 offset, i32 *nread",
	  .doc = "preadv(2); ESPIPE on pipes and the console" },
	{ .name = "fd_prestat_get", .result = "errno", .fn = sys_fd_prestat_get,
	  .params = FD ", i32 *prestat",
	  .doc = "fd 3 while it is open on the namespace root: a directory named `/`; any "
	         "other fd EBADF (which ends wasi-libc's scan)" },
	{ .name = "fd_prestat_dir_name", .result = "errno", .fn = sys_fd_prestat_dir_name,
	  .params = FD ", i32 path, i32 path_len",
	  .doc = "`/` (no NUL)" },
	{ .name = "fd_pwrite", .result = "errno", .fn = sys_fd_pwrite,
	  .params = FD ", i32 iovs, i32 iovs_len, i64 offset, i32 *nwritten",
	  .doc = "pwritev(2); writes at offset even with APPEND" },
	{ .name = "fd_read", .result = "errno", .fn = sys_fd_read,
	  .params = FD ", i32 iovs, i32 iovs_len, i32 *nread",
	  .doc = "readv(2); blocks on empty pipes and the console" },
	{ .name = "fd_readdir", .result = "errno", .fn = sys_fd_readdir,
	  .params = FD ", i32 buf, i32 buf_len, i64 cookie, i32 *bufused",
	  .doc = "dirents (24-byte header + name) from cookie (0: first, `.` and `..` "
	         "included); the last one is cut at buf_len, as WASI specifies" },
	{ .name = "fd_renumber", .result = "errno", .fn = sys_fd_renumber,
	  .params = "i32 from, i32 to",
	  .doc = "preview1: `to` becomes `from`'s file and `from` is closed" },
	{ .name = "fd_seek", .result = "errno", .fn = sys_fd_seek,
	  .params = FD ", i64 offset, i32 whence, i32 *newoffset",
	  .doc = "lseek(2); ESPIPE on pipes and the console" },
	{ .name = "fd_sync", .result = "errno", .fn = sys_fd_sync,
	  .params = FD,
	  .doc = "fsync(2)" },
	{ .name = "fd_tell", .result = "errno", .fn = sys_fd_tell,
	  .params = FD ", i32 *offset",
	  .doc = "lseek(fd, 0, SEEK_CUR)" },
	{ .name = "fd_write", .result = "errno", .fn = sys_fd_write,
	  .params = FD ", i32 iovs, i32 iovs_len, i32 *nwritten",
	  .doc = "writev(2); EPIPE and SIGPIPE on a pipe without readers" },
	{ .name = "path_create_directory", .result = "errno", .fn = sys_path_create_directory,
	  .params = FD ", i32 path, i32 path_len",
	  .doc = "mkdirat(2)" },
	{ .name = "path_filestat_get", .result = "errno", .fn = sys_path_filestat_get,
	  .params = FD ", i32 lookupflags, i32 path, i32 path_len, i32 *filestat",
	  .doc = "fstatat(2); lookupflags 1: follow a final symlink" },
	{ .name = "path_filestat_set_times", .result = "errno", .fn = sys_path_filestat_set_times,
	  .params = FD ", i32 lookupflags, i32 path, i32 path_len, i64 atim, i64 mtim, "
	    "i32 fstflags",
	  .doc = "utimensat(2)" },
	{ .name = "path_link", .result = "errno", .fn = sys_path_link,
	  .params = "i32 old_fd, i32 old_lookupflags, i32 old_path, i32 old_path_len, "
	    "i32 new_fd, i32 new_path, i32 new_path_len",
	  .doc = "linkat(2); EPERM for directories" },
	{ .name = "path_open", .result = "errno", .fn = sys_path_open,
	  .params = FD ", i32 lookupflags, i32 path, i32 path_len, i32 oflags, "
	    "i64 rights_base, i64 rights_inheriting, i32 fdflags, i32 *fd",
	  .doc = "openat(2): read access if rights_base has FD_READ or FD_READDIR, write "
	         "access if FD_WRITE; oflags CREAT, DIRECTORY, EXCL, TRUNC; without "
	         "lookupflags 1 a final symlink gives ELOOP; the lowest free fd" },
	{ .name = "path_readlink", .result = "errno", .fn = sys_path_readlink,
	  .params = FD ", i32 path, i32 path_len, i32 buf, i32 buf_len, i32 *bufused",
	  .doc = "readlinkat(2), cut at buf_len" },
	{ .name = "path_remove_directory", .result = "errno", .fn = sys_path_remove_directory,
	  .params = FD ", i32 path, i32 path_len",
	  .doc = "unlinkat(AT_REMOVEDIR)" },
	{ .name = "path_rename", .result = "errno", .fn = sys_path_rename,
	  .params = FD ", i32 old_path, i32 old_path_len, i32 new_fd, i32 new_path, "
	    "i32 new_path_len",
	  .doc = "renameat(2)" },
	{ .name = "path_symlink", .result = "errno", .fn = sys_path_symlink,
	  .params = "i32 old_path, i32 old_path_len, i32 fd, i32 new_path, i32 new_path_len",
	  .doc = "symlinkat(2)" },
	{ .name = "path_unlink_file", .result = "errno", .fn = sys_path_unlink_file,
	  .params = FD ", i32 path, i32 path_len",
	  .doc = "unlinkat(2); EISDIR for directories" },
	{ .name = "poll_oneoff", .result = "errno", .fn = sys_poll_oneoff,
	  .params = "i32 in, i32 out, i32 nsubscriptions, i32 *nevents",
	  .doc = "waits for the first ready subscription: realtime/monotonic clocks "
	         "(relative or absolute), fd read/write readiness (pipes, the console; files "
	         "are always ready; HANGUP when the other end is gone); CPU-time clocks: "
	         "ENOTSUP events; EINVAL for 0 or over 4096 subscriptions" },
	{ .name = "proc_exit", .result = "", .fn = sys_proc_exit,
	  .params = "i32 rval",
	  .doc = "exit(rval): the process ends with status rval & 0xff" },
	{ .name = "proc_raise", .result = "errno", .fn = abi_proc_raise,
	  .params = "i32 sig",
	  .doc = "raise(3) with Linux signal numbers (0 only checks); the signal acts before "
	         "the call returns" },
	{ .name = "random_get", .result = "errno", .fn = sys_random_get,
	  .params = "i32 buf, i32 buf_len",
	  .doc = "bytes from the system's seeded generator (the one behind /dev/urandom)" },
	{ .name = "sched_yield", .result = "errno", .fn = sys_sched_yield,
	  .params = "",
	  .doc = "the caller goes to the back of its run queue" },
	{ .name = "sock_accept", .result = "errno", .fn = sock_none,
	  .params = FD ", i32 flags, i32 *fd",
	  .doc = "no sockets in warren: EBADF, else ENOTSUP" },
	{ .name = "sock_recv", .result = "errno", .fn = sock_none,
	  .params = FD ", i32 ri_data, i32 ri_data_len, i32 ri_flags, i32 *ro_datalen, "
	    "i32 *ro_flags",
	  .doc = "EBADF, else ENOTSUP" },
	{ .name = "sock_send", .result = "errno", .fn = sock_none,
	  .params = FD ", i32 si_data, i32 si_data_len, i32 si_flags, i32 *so_datalen",
	  .doc = "EBADF, else ENOTSUP" },
	{ .name = "sock_shutdown", .result = "errno", .fn = sock_none,
	  .params = FD ", i32 how",
	  .doc = "EBADF, else ENOTSUP" },
};
#undef FD

const struct abi_table abi_wasi_table = {
	.module = "wasi_snapshot_preview1",
	.intro = "WASI preview1, complete: every function of the witx is here. fd 0-2 are "
		 "stdin, stdout and stderr; fd 3 is the preopened `/` (see Paths above).",
	.calls = calls,
	.ncalls = sizeof calls / sizeof calls[0],
};
