/*
 * devfs.c - the device directory: null, zero, random, urandom, and
 * whatever the kernel registers (the console) through devfs_add.
 *
 * Devices are only ever added, so a device's index is its readdir cookie
 * and stays valid.  Device vnodes live as long as the devfs; their
 * references only keep the devfs alive.
 *
 * random and urandom share one xoshiro256** generator seeded through
 * splitmix64 from the seed given at creation: the same seed, the same
 * bytes, which keeps whole-system runs reproducible.  It is not a
 * cryptographic generator and does not pretend to be.
 */
#include <stdlib.h>
#include "base/alloc.h"
#include <string.h>

#include "fs/fs.h"
#include "fs/internal.h"

struct dev {
	struct vnode v;
	size_t len;
	char name[FS_NAME_MAX + 1];
};

struct devfs {
	struct fs fs;
	struct vnode root;
	struct dev **devs;
	size_t n, cap;
	uint64_t ino;
	uint64_t ctime;
	uint64_t rng[4];
};

static const struct fs_ops fsops;

static struct devfs *
D(struct vnode *v)
{
	return (struct devfs *)v->fs;
}

/* ---- the generator -------------------------------------------------- */

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
next(uint64_t *s)
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* ---- the devices ---------------------------------------------------- */

static int
nullread(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n)
{
	(void)v, (void)io, (void)off, (void)buf, (void)len;
	*n = 0;
	return 0;
}

static int
zeroread(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n)
{
	(void)v, (void)io, (void)off;
	memset(buf, 0, len);
	*n = len;
	return 0;
}

static int
randread(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n)
{
	unsigned char *p = buf;
	uint64_t r;
	size_t i, k;

	(void)io, (void)off;
	for (i = 0; i < len; i += 8) {
		r = next(D(v)->rng);
		k = len - i < 8 ? len - i : 8;
		memcpy(p + i, &r, k);
	}
	*n = len;
	return 0;
}

/* Writes to every built-in device are swallowed, as on Unix. */
static int
sink(struct vnode *v, struct fs_io *io, uint64_t off, const void *buf, size_t len, size_t *n)
{
	(void)v, (void)io, (void)off, (void)buf;
	*n = len;
	return 0;
}

static int
devstat(struct vnode *v, struct fs_stat *st)
{
	st->atim = st->mtim = st->ctim = D(v)->ctime;
	return 0;
}

#define BUILTIN(readfn) { .read = readfn, .write = sink, .stat = devstat, \
			  .set_times = fs_times_ignored, .truncate = fs_truncate_ignored }
static const struct vnode_ops nullops = BUILTIN(nullread);
static const struct vnode_ops zeroops = BUILTIN(zeroread);
static const struct vnode_ops randops = BUILTIN(randread);

static const struct {
	const char *name;
	const struct vnode_ops *ops;
} builtins[] = {
	{ "null", &nullops },
	{ "zero", &zeroops },
	{ "random", &randops },
	{ "urandom", &randops },
};

/* ---- the directory -------------------------------------------------- */

static int
lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct devfs *fs = D(dir);

	if (len == 2 && name[0] == '.' && name[1] == '.') {
		vn_ref(dir);
		*out = dir;
		return 0;
	}
	for (size_t i = 0; i < fs->n; i++)
		if (fs->devs[i]->len == len && memcmp(fs->devs[i]->name, name, len) == 0) {
			vn_ref(&fs->devs[i]->v);
			*out = &fs->devs[i]->v;
			return 0;
		}
	return E_NOENT;
}

static int
readdir_(struct vnode *dir, uint64_t cookie, fs_dirent_fn fn, void *arg)
{
	struct devfs *fs = D(dir);

	for (uint64_t i = cookie; i < fs->n; i++) {
		struct dev *d = fs->devs[i];
		struct fs_dirent e = { .next = i + 1, .ino = d->v.ino, .type = d->v.type,
				       .name = d->name, .namelen = d->len };
		if (fn(arg, &e))
			break;
	}
	return 0;
}

static int
rootstat(struct vnode *v, struct fs_stat *st)
{
	st->nlink = 2;
	return devstat(v, st);
}

/* Devices can neither be created nor removed by guests. */
static int
nocreate(struct vnode *dir, const char *name, size_t len, enum vnode_type type,
	 struct vnode **out)
{
	(void)dir, (void)name, (void)len, (void)type;
	*out = NULL;
	return E_PERM;
}

static int
noremove(struct vnode *dir, const char *name, size_t len)
{
	(void)dir, (void)name, (void)len;
	return E_PERM;
}

static const struct vnode_ops rootops = {
	.lookup = lookup,
	.create = nocreate,
	.unlink = noremove,
	.rmdir = noremove,
	.readdir = readdir_,
	.stat = rootstat,
	.set_times = fs_times_ignored,
};

static void
destroy(struct fs *f)
{
	struct devfs *fs = (struct devfs *)f;

	for (size_t i = 0; i < fs->n; i++)
		al_free(fs->devs[i]);
	al_free(fs->devs);
	al_free(fs);
}

static const struct fs_ops fsops = {
	.destroy = destroy,
};

int
devfs_add(struct fs *f, const char *name, enum vnode_type type, const struct vnode_ops *ops,
	  void *priv)
{
	struct devfs *fs = (struct devfs *)f;
	size_t len = strlen(name);
	struct dev **devs, *d;
	struct vnode *old;
	int err;

	if (f->ops != &fsops || !ops || type == VN_DIR || type == VN_SYMLINK)
		return E_INVAL;
	if ((err = fs_check_name(name, len)) != 0)
		return err;
	if (lookup(&fs->root, name, len, &old) == 0) {
		vn_unref(old);
		return E_EXIST;
	}
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 8;
		devs = al_realloc(fs->devs, cap * sizeof *devs);
		if (!devs)
			return E_NOMEM;
		fs->devs = devs;
		fs->cap = cap;
	}
	d = al_calloc(1, sizeof *d);
	if (!d)
		return E_NOMEM;
	d->v = (struct vnode){ .type = type, .ino = fs->ino++, .ops = ops, .priv = priv, .fs = f };
	memcpy(d->name, name, len);
	d->len = len;
	fs->devs[fs->n++] = d;
	return 0;
}

struct fs *
devfs_new(uint64_t seed)
{
	struct devfs *fs = al_calloc(1, sizeof *fs);
	uint64_t x = seed;

	if (!fs)
		return NULL;
	fs->fs = (struct fs){ .refs = 1, .dev = fs_next_dev(), .name = "devfs", .ops = &fsops,
			      .root = &fs->root, .priv = fs };
	fs->root = (struct vnode){ .type = VN_DIR, .ino = 1, .ops = &rootops, .fs = &fs->fs };
	fs->ino = 2;
	fs->ctime = fs_now();
	for (int i = 0; i < 4; i++)
		fs->rng[i] = splitmix(&x);
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (devfs_add(&fs->fs, builtins[i].name, VN_CHAR, builtins[i].ops, NULL) != 0) {
			destroy(&fs->fs);
			return NULL;
		}
	return &fs->fs;
}
