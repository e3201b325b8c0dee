/*
 * hostfs.c - a host directory, confined.
 *
 * The confinement rests on three rules:
 *  1. The host path given at creation is opened once.  After that every
 *     host call names exactly one component relative to a directory
 *     descriptor warren holds (openat, fstatat, mkdirat, unlinkat,
 *     renameat, linkat, symlinkat, readlinkat, utimensat), always with
 *     O_NOFOLLOW / AT_SYMLINK_NOFOLLOW, so the host kernel never follows a
 *     symlink or a ".." on warren's behalf.  A component is never "..",
 *     "." or contains '/' (fs_check_name; the resolver filters them).
 *  2. ".." is answered from the parent vnode each directory vnode keeps a
 *     reference to, never from the host: the root answers itself (the
 *     resolver leaves the mount there).  A host directory moved elsewhere
 *     by a host process still answers its old parent.
 *  3. Symlinks are returned to the generic resolver as VN_SYMLINK; the fs
 *     is FS_CONFINE, so absolute targets restart at this fs's root.
 * A name swapped for a symlink between a lookup and an open cannot be
 * followed (O_NOFOLLOW fails), and a regular file opened lazily is checked
 * to be the same inode the lookup saw (else E_STALE).  Only regular files,
 * directories and symlinks are visible: devices, fifos and sockets give
 * E_ACCES and are left out of readdir, so a guest cannot reach a host
 * device even if one sits in the mounted tree.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include "base/alloc.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/fs.h"
#include "fs/internal.h"

struct hnode {
	struct vnode v;
	struct hnode *parent;  /* a reference; NULL for the root */
	char *name;            /* the name in parent, NUL-terminated; NULL for the root */
	int dirfd;             /* directories: an O_DIRECTORY descriptor */
	int fd;                /* regular files: opened on first use, -1 until then */
	bool fdwrite;          /* fd is O_RDWR */
	dev_t hdev;            /* the host identity the lookup saw */
	ino_t hino;
	struct hnode *hnext;   /* directories: the next in the cache bucket */
};

/*
 * Live directory vnodes are cached by host identity and parent, so that
 * every process whose working directory lies deep in a host tree shares
 * one chain of directory descriptors instead of holding its own.
 */
#define NBUCKET 256

struct hostfs {
	struct fs fs;
	dev_t rootdev;
	struct hnode *dirs[NBUCKET];
};

static struct hnode **
bucket(struct hostfs *fs, ino_t ino)
{
	return &fs->dirs[(uint64_t)ino % NBUCKET];
}

static struct hnode *
cached(struct hostfs *fs, struct hnode *parent, const struct stat *st)
{
	for (struct hnode *h = *bucket(fs, st->st_ino); h; h = h->hnext)
		if (h->hino == st->st_ino && h->hdev == st->st_dev && h->parent == parent)
			return h;
	return NULL;
}

static void
uncache(struct hostfs *fs, struct hnode *h)
{
	for (struct hnode **p = bucket(fs, h->hino); *p; p = &(*p)->hnext)
		if (*p == h) {
			*p = h->hnext;
			return;
		}
}

static const struct vnode_ops ops;
static const struct fs_ops fsops;

static struct hnode *
H(struct vnode *v)
{
	return (struct hnode *)v;
}

/* ---- host errors ---------------------------------------------------- */

static const struct {
	int host, err;
} errmap[] = {
	{ EPERM, E_PERM }, { ENOENT, E_NOENT }, { EIO, E_IO }, { ENXIO, E_NXIO },
	{ EBADF, E_BADF }, { ENOMEM, E_NOMEM }, { EACCES, E_ACCES }, { EFAULT, E_FAULT },
	{ EBUSY, E_BUSY }, { EEXIST, E_EXIST }, { EXDEV, E_XDEV }, { ENODEV, E_NODEV },
	{ ENOTDIR, E_NOTDIR }, { EISDIR, E_ISDIR }, { EINVAL, E_INVAL }, { ENFILE, E_NFILE },
	{ EMFILE, E_NFILE }, { ETXTBSY, E_TXTBSY }, { EFBIG, E_FBIG }, { ENOSPC, E_NOSPC },
	{ ESPIPE, E_SPIPE }, { EROFS, E_ROFS }, { EMLINK, E_MLINK }, { ENAMETOOLONG, E_NAMETOOLONG },
	{ ENOTEMPTY, E_NOTEMPTY }, { ELOOP, E_LOOP }, { EOVERFLOW, E_OVERFLOW },
	{ EDQUOT, E_DQUOT }, { ESTALE, E_STALE }, { EAGAIN, E_AGAIN }, { EINTR, E_INTR },
	{ ENOSYS, E_NOSYS }, { EOPNOTSUPP, E_NOTSUP }, { EILSEQ, E_ILSEQ }, { ERANGE, E_RANGE },
};

static int
hosterr(int e)
{
	for (size_t i = 0; i < sizeof errmap / sizeof errmap[0]; i++)
		if (errmap[i].host == e)
			return errmap[i].err;
	return E_IO;
}

/* ---- nodes ---------------------------------------------------------- */

static uint64_t
mkino(struct hostfs *fs, dev_t dev, ino_t ino)
{
	/* Inode numbers repeat across host file systems: mix in the device. */
	if (dev == fs->rootdev)
		return (uint64_t)ino;
	return (uint64_t)ino ^ ((uint64_t)dev * 0x9e3779b97f4a7c15u);
}

static enum vnode_type
modetype(mode_t m)
{
	return S_ISDIR(m) ? VN_DIR : S_ISREG(m) ? VN_FILE : S_ISLNK(m) ? VN_SYMLINK : VN_UNKNOWN;
}

/*
 * A vnode for the host object just found under parent/name with status
 * st; for directories dirfd is its descriptor (owned by the node after
 * success).  parent gains a reference held by the new node.
 */
static int
mknode(struct hnode *parent, const char *name, const struct stat *st, int dirfd, int fd,
       bool fdwrite, struct vnode **out)
{
	struct hostfs *fs = (struct hostfs *)parent->v.fs;
	struct hnode *h = al_calloc(1, sizeof *h);
	size_t len = strlen(name);

	if (!h || !(h->name = al_malloc(len + 1))) {
		al_free(h);
		return E_NOMEM;
	}
	memcpy(h->name, name, len + 1);
	h->v = (struct vnode){ .refs = 1, .type = modetype(st->st_mode),
			       .ino = mkino(fs, st->st_dev, st->st_ino), .ops = &ops, .fs = &fs->fs };
	fs->fs.refs++;   /* the reference handed out */
	vn_ref(&parent->v);
	h->parent = parent;
	h->dirfd = dirfd;
	h->fd = fd;
	h->fdwrite = fdwrite;
	h->hdev = st->st_dev;
	h->hino = st->st_ino;
	if (dirfd >= 0) {
		struct hnode **b = bucket(fs, h->hino);
		h->hnext = *b;
		*b = h;
	}
	*out = &h->v;
	return 0;
}

/*
 * Frees h and, without recursion, every ancestor it held the last
 * reference to (a guest can cd as deep as it likes).  The root belongs to
 * the fs and is freed in destroy.
 */
static void
inactive(struct vnode *v)
{
	struct hnode *h = H(v), *up;

	while (h->parent) {
		up = h->parent;
		if (h->dirfd >= 0) {
			uncache((struct hostfs *)h->v.fs, h);
			close(h->dirfd);
		}
		if (h->fd >= 0)
			close(h->fd);
		al_free(h->name);
		al_free(h);
		/* Drop h's reference on up as vn_unref would, minus the recursion;
		 * the caller's own fs reference keeps the fs alive meanwhile. */
		up->v.fs->refs--;
		if (--up->v.refs > 0)
			break;
		h = up;
	}
}

static int
lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct hnode *d = H(dir);
	char buf[FS_NAME_MAX + 1];
	struct stat st;
	int fd, err, tries;

	*out = NULL;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		struct hnode *up = d->parent ? d->parent : d;
		vn_ref(&up->v);
		*out = &up->v;
		return 0;
	}
	if ((err = fs_check_name(name, len)) != 0)
		return err;
	memcpy(buf, name, len);
	buf[len] = 0;
	/* A directory can be swapped for something else between the two calls: retry. */
	for (tries = 0; tries < 4; tries++) {
		if (fstatat(d->dirfd, buf, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return hosterr(errno);
		if (modetype(st.st_mode) == VN_UNKNOWN)
			return E_ACCES;
		if (!S_ISDIR(st.st_mode))
			return mknode(d, buf, &st, -1, -1, false, out);
		struct hnode *c = cached((struct hostfs *)dir->fs, d, &st);
		if (c) {
			vn_ref(&c->v);
			*out = &c->v;
			return 0;
		}
		fd = openat(d->dirfd, buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ELOOP || errno == ENOTDIR || errno == ENOENT)
				continue;
			return hosterr(errno);
		}
		if (fstat(fd, &st) != 0) {
			err = hosterr(errno);
			close(fd);
			return err;
		}
		err = mknode(d, buf, &st, fd, -1, false, out);
		if (err)
			close(fd);
		return err;
	}
	return E_AGAIN;
}

/* Opens a regular file's descriptor, for writing if write; E_STALE if the name moved on. */
static int
openfile(struct hnode *h, bool write)
{
	struct stat st;
	int fd, flags;

	if (h->fd >= 0 && (h->fdwrite || !write))
		return 0;
	if (!h->parent)
		return E_ISDIR;
	flags = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	if (write || !(h->v.fs->flags & FS_RDONLY)) {
		fd = openat(h->parent->dirfd, h->name, flags | O_RDWR);
		if (fd < 0 && (write || (errno != EACCES && errno != EROFS)))
			return hosterr(errno);
		if (fd >= 0)
			goto opened;
	}
	fd = openat(h->parent->dirfd, h->name, flags | O_RDONLY);
	if (fd < 0)
		return hosterr(errno);
	write = false;
opened:
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != h->hdev
	    || st.st_ino != h->hino) {
		close(fd);
		return E_STALE;
	}
	if (h->fd >= 0)
		close(h->fd);
	h->fd = fd;
	h->fdwrite = write || (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR;
	return 0;
}

static int
open_(struct vnode *v, unsigned oflags, struct fs_io *io)
{
	(void)io;
	if (v->type != VN_FILE)
		return 0;
	return openfile(H(v), (oflags & (FS_O_WRITE | FS_O_TRUNC)) != 0);
}

static int
create(struct vnode *dir, const char *name, size_t len, enum vnode_type type,
       struct vnode **out)
{
	struct hnode *d = H(dir);
	char buf[FS_NAME_MAX + 1];
	struct stat st;
	int fd, err;

	*out = NULL;
	if ((err = fs_check_name(name, len)) != 0)
		return err;
	memcpy(buf, name, len);
	buf[len] = 0;
	if (type == VN_DIR) {
		if (mkdirat(d->dirfd, buf, 0777) != 0)
			return hosterr(errno);
		return lookup(dir, name, len, out);
	}
	if (type != VN_FILE)
		return E_INVAL;
	fd = openat(d->dirfd, buf, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return hosterr(errno);
	if (fstat(fd, &st) != 0) {
		err = hosterr(errno);
		close(fd);
		return err;
	}
	err = mknode(d, buf, &st, -1, fd, true, out);
	if (err)
		close(fd);
	return err;
}

/* Copies a checked name into buf; the entry points below all take names this way. */
static int
cname(char *buf, const char *name, size_t len)
{
	int err = fs_check_name(name, len);

	if (!err) {
		memcpy(buf, name, len);
		buf[len] = 0;
	}
	return err;
}

static int
unlink_(struct vnode *dir, const char *name, size_t len)
{
	char buf[FS_NAME_MAX + 1];
	int err = cname(buf, name, len);

	if (err)
		return err;
	return unlinkat(H(dir)->dirfd, buf, 0) == 0 ? 0 : hosterr(errno);
}

static int
rmdir_(struct vnode *dir, const char *name, size_t len)
{
	char buf[FS_NAME_MAX + 1];
	int err = cname(buf, name, len);

	if (err)
		return err;
	if (unlinkat(H(dir)->dirfd, buf, AT_REMOVEDIR) == 0)
		return 0;
	return errno == EEXIST ? E_NOTEMPTY : hosterr(errno);
}

static int
rename_(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
	const char *nname, size_t nlen)
{
	char ob[FS_NAME_MAX + 1], nb[FS_NAME_MAX + 1];
	int err;

	if ((err = cname(ob, oname, olen)) != 0 || (err = cname(nb, nname, nlen)) != 0)
		return err;
	if (renameat(H(odir)->dirfd, ob, H(ndir)->dirfd, nb) == 0)
		return 0;
	return errno == EEXIST ? E_NOTEMPTY : hosterr(errno);
}

static int
link_(struct vnode *dir, const char *name, size_t len, struct vnode *target)
{
	struct hnode *t = H(target);
	char buf[FS_NAME_MAX + 1];
	int err;

	if (target->fs != dir->fs)
		return E_XDEV;
	if (target->type == VN_DIR || !t->parent)
		return E_PERM;
	if ((err = cname(buf, name, len)) != 0)
		return err;
	return linkat(t->parent->dirfd, t->name, H(dir)->dirfd, buf, 0) == 0 ? 0 : hosterr(errno);
}

static int
symlink_(struct vnode *dir, const char *name, size_t len, const char *target, size_t tlen)
{
	char buf[FS_NAME_MAX + 1], *t;
	int err;

	if ((err = cname(buf, name, len)) != 0)
		return err;
	t = al_malloc(tlen + 1);
	if (!t)
		return E_NOMEM;
	memcpy(t, target, tlen);
	t[tlen] = 0;
	err = symlinkat(t, H(dir)->dirfd, buf) == 0 ? 0 : hosterr(errno);
	al_free(t);
	return err;
}

static int
readlink_(struct vnode *v, char *buf, size_t cap, size_t *len)
{
	struct hnode *h = H(v);
	char *tmp;
	ssize_t n;

	tmp = al_malloc(FS_PATH_MAX + 1);
	if (!tmp)
		return E_NOMEM;
	n = readlinkat(h->parent->dirfd, h->name, tmp, FS_PATH_MAX + 1);
	if (n < 0) {
		al_free(tmp);
		return hosterr(errno);
	}
	memcpy(buf, tmp, (size_t)n < cap ? (size_t)n : cap);
	*len = (size_t)n;
	al_free(tmp);
	return 0;
}

static int
read_(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n)
{
	struct hnode *h = H(v);
	ssize_t r;
	int err;

	(void)io;
	*n = 0;
	if (off > INT64_MAX)
		return E_INVAL;
	if ((err = openfile(h, false)) != 0)
		return err;
	do
		r = pread(h->fd, buf, len, (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return hosterr(errno);
	*n = (size_t)r;
	return 0;
}

static int
write_(struct vnode *v, struct fs_io *io, uint64_t off, const void *buf, size_t len,
       size_t *n)
{
	struct hnode *h = H(v);
	ssize_t r;
	int err;

	(void)io;
	*n = 0;
	if (off > INT64_MAX)
		return E_FBIG;
	if ((err = openfile(h, true)) != 0)
		return err;
	do
		r = pwrite(h->fd, buf, len, (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return hosterr(errno);
	*n = (size_t)r;
	return 0;
}

static int
truncate_(struct vnode *v, uint64_t size)
{
	struct hnode *h = H(v);
	int err;

	if (size > INT64_MAX)
		return E_FBIG;
	if ((err = openfile(h, true)) != 0)
		return err;
	return ftruncate(h->fd, (off_t)size) == 0 ? 0 : hosterr(errno);
}

static int
stat_(struct vnode *v, struct fs_stat *st)
{
	struct hnode *h = H(v);
	struct stat s;
	int r;

	if (h->dirfd >= 0)
		r = fstat(h->dirfd, &s);
	else if (h->fd >= 0)
		r = fstat(h->fd, &s);
	else
		r = fstatat(h->parent->dirfd, h->name, &s, AT_SYMLINK_NOFOLLOW);
	if (r != 0)
		return hosterr(errno);
	st->nlink = (uint64_t)s.st_nlink;
	st->size = (uint64_t)s.st_size;
	st->atim = (uint64_t)s.st_atim.tv_sec * 1000000000u + (uint64_t)s.st_atim.tv_nsec;
	st->mtim = (uint64_t)s.st_mtim.tv_sec * 1000000000u + (uint64_t)s.st_mtim.tv_nsec;
	st->ctim = (uint64_t)s.st_ctim.tv_sec * 1000000000u + (uint64_t)s.st_ctim.tv_nsec;
	return 0;
}

static int
set_times(struct vnode *v, uint64_t atim, uint64_t mtim, unsigned flags)
{
	struct hnode *h = H(v);
	struct timespec ts[2] = {
		{ .tv_sec = (time_t)(atim / 1000000000u), .tv_nsec = (long)(atim % 1000000000u) },
		{ .tv_sec = (time_t)(mtim / 1000000000u), .tv_nsec = (long)(mtim % 1000000000u) },
	};
	int r;

	if (!(flags & FS_ATIM))
		ts[0].tv_nsec = UTIME_OMIT;
	if (!(flags & FS_MTIM))
		ts[1].tv_nsec = UTIME_OMIT;
	if (h->dirfd >= 0)
		r = futimens(h->dirfd, ts);
	else if (h->fd >= 0)
		r = futimens(h->fd, ts);
	else
		r = utimensat(h->parent->dirfd, h->name, ts, AT_SYMLINK_NOFOLLOW);
	return r == 0 ? 0 : hosterr(errno);
}

static enum vnode_type
dtype(int dirfd, const struct dirent *e)
{
	struct stat st;

	switch (e->d_type) {
	case DT_DIR:
		return VN_DIR;
	case DT_REG:
		return VN_FILE;
	case DT_LNK:
		return VN_SYMLINK;
	case DT_UNKNOWN:
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return modetype(st.st_mode);
		return VN_UNKNOWN;
	default:
		return VN_UNKNOWN;
	}
}

/*
 * Cookies are the host's telldir positions (stable on Linux file systems:
 * ext4 and tmpfs hand out hash or sequence offsets).  The stream is a fresh
 * one over a dup of the directory descriptor each call, so no host state
 * outlives the call.
 */
static int
readdir_(struct vnode *dir, uint64_t cookie, fs_dirent_fn fn, void *arg)
{
	struct hnode *d = H(dir);
	struct hostfs *fs = (struct hostfs *)dir->fs;
	struct dirent *e;
	enum vnode_type t;
	DIR *ds;
	long pos;
	int fd;

	if (cookie > (uint64_t)INT64_MAX)
		return E_INVAL;
	fd = dup(d->dirfd);
	if (fd < 0)
		return hosterr(errno);
	ds = fdopendir(fd);
	if (!ds) {
		close(fd);
		return hosterr(errno);
	}
	if (cookie)
		seekdir(ds, (long)cookie);
	else
		rewinddir(ds);
	for (;;) {
		errno = 0;
		e = readdir(ds);
		if (!e)
			break;
		pos = telldir(ds);
		if (pos < 0)
			break;
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		t = dtype(d->dirfd, e);
		if (t == VN_UNKNOWN)
			continue;
		struct fs_dirent de = { .next = (uint64_t)pos, .ino = mkino(fs, fs->rootdev, e->d_ino),
					.type = t, .name = e->d_name, .namelen = strlen(e->d_name) };
		if (fn(arg, &de))
			break;
	}
	closedir(ds);
	return 0;
}

static int
sync_(struct vnode *v)
{
	struct hnode *h = H(v);
	int fd = h->dirfd >= 0 ? h->dirfd : h->fd;

	if (fd < 0)
		return 0;
	return fsync(fd) == 0 || errno == EINVAL ? 0 : hosterr(errno);
}

static const struct vnode_ops ops = {
	.lookup = lookup,
	.create = create,
	.unlink = unlink_,
	.rmdir = rmdir_,
	.rename = rename_,
	.link = link_,
	.symlink = symlink_,
	.readlink = readlink_,
	.read = read_,
	.write = write_,
	.truncate = truncate_,
	.stat = stat_,
	.set_times = set_times,
	.readdir = readdir_,
	.open = open_,
	.sync = sync_,
};

static void
destroy(struct fs *f)
{
	struct hnode *root = H(f->root);

	if (root->dirfd >= 0)
		close(root->dirfd);
	al_free(root);
	al_free(f->priv);
}

static const struct fs_ops fsops = {
	.inactive = inactive,
	.destroy = destroy,
};

int
hostfs_new(const char *hostpath, unsigned flags, struct fs **out)
{
	struct hostfs *fs = NULL;
	struct hnode *root = NULL;
	struct stat st;
	int fd, err;

	*out = NULL;
	if (flags & ~(unsigned)HOSTFS_RDONLY)
		return E_INVAL;
	fd = open(hostpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hosterr(errno);
	if (fstat(fd, &st) != 0) {
		err = hosterr(errno);
		goto fail;
	}
	fs = al_calloc(1, sizeof *fs);
	root = al_calloc(1, sizeof *root);
	if (!fs || !root) {
		err = E_NOMEM;
		goto fail;
	}
	fs->rootdev = st.st_dev;
	fs->fs = (struct fs){ .refs = 1, .dev = fs_next_dev(), .name = "hostfs", .ops = &fsops,
			      .root = &root->v, .priv = fs,
			      .flags = FS_CONFINE | (flags & HOSTFS_RDONLY ? FS_RDONLY : 0) };
	root->v = (struct vnode){ .type = VN_DIR, .ino = (uint64_t)st.st_ino, .ops = &ops,
				  .fs = &fs->fs };
	root->dirfd = fd;
	root->fd = -1;
	root->hdev = st.st_dev;
	root->hino = st.st_ino;
	*out = &fs->fs;
	return 0;
fail:
	close(fd);
	al_free(fs);
	al_free(root);
	return err;
}
