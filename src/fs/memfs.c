/*
 * memfs.c - the in-memory file system: directories, regular files,
 * symlinks, hard links, timestamps, a byte quota.
 *
 * Lifetime: a node lives while it is linked (nlink > 0: directory entries
 * naming it; the root counts as linked) or referenced (v.refs > 0: held
 * outside, e.g. an open file).  Entries do not take vnode references, so
 * the tree has no cycles and unlinking an open file keeps it readable
 * until the last close.  A directory's ".." is a plain pointer, cleared
 * when the directory is removed.
 *
 * Directory entries are kept in insertion order, each with a sequence
 * number that never changes: readdir cookies are sequence numbers, so they
 * stay valid across any insertion or removal.  Lookups scan linearly;
 * directories here are small (a hash index is the obvious next step).
 *
 * File data lives in 4 KiB pages behind an array of page pointers; a NULL
 * page is a hole and reads as zeros, so truncating upward or writing past
 * the end costs nothing for the gap beyond the pointer array.
 */
#include <stdlib.h>
#include "base/alloc.h"
#include <string.h>

#include "fs/fs.h"
#include "fs/internal.h"

#define PAGE 4096u
#define NODE_COST 128u     /* charged per node: what the struct costs, roughly */
#define DENT_COST 32u      /* charged per entry, plus its name */

struct dent {
	uint64_t seq;
	struct mnode *node;
	size_t len;
	char *name;
};

struct mnode {
	struct vnode v;
	uint64_t nlink;
	uint64_t atim, mtim, ctim;
	union {
		struct {
			struct dent *ents;
			size_t n, cap;
			uint64_t seq;          /* the next entry's sequence number */
			uint64_t subdirs;
			struct mnode *parent;  /* NULL: the root, or removed */
		} dir;
		struct {
			unsigned char **pages;
			size_t npages;         /* length of the pointer array */
			uint64_t size;
		} file;
		struct {
			char *target;
			size_t len;
		} link;
	};
};

struct memfs {
	struct fs fs;
	uint64_t quota, used;
	uint64_t ino;
	struct mnode root;
};

static const struct vnode_ops ops;
static const struct fs_ops fsops;

static struct mnode *
M(struct vnode *v)
{
	return (struct mnode *)v;
}

static struct memfs *
FSOF(struct mnode *m)
{
	return (struct memfs *)m->v.fs;
}

static int
charge(struct memfs *fs, uint64_t bytes)
{
	if (fs->quota && (bytes > fs->quota || fs->used > fs->quota - bytes))
		return E_NOSPC;
	fs->used += bytes;
	return 0;
}

static void
refund(struct memfs *fs, uint64_t bytes)
{
	fs->used -= bytes < fs->used ? bytes : fs->used;
}

static void
touch(struct mnode *m, bool modified)
{
	uint64_t now = fs_now();

	m->ctim = now;
	if (modified)
		m->mtim = now;
}

/* Frees a node that is neither linked nor referenced (its entries are gone). */
static void
freenode(struct mnode *m)
{
	struct memfs *fs = FSOF(m);

	switch (m->v.type) {
	case VN_DIR:
		al_free(m->dir.ents);
		break;
	case VN_FILE:
		for (size_t i = 0; i < m->file.npages; i++)
			if (m->file.pages[i]) {
				al_free(m->file.pages[i]);
				refund(fs, PAGE);
			}
		refund(fs, m->file.npages * sizeof *m->file.pages);
		al_free(m->file.pages);
		break;
	case VN_SYMLINK:
		refund(fs, m->link.len);
		al_free(m->link.target);
		break;
	default:
		break;
	}
	refund(fs, NODE_COST);
	if (m != &fs->root)
		al_free(m);
}

static void
inactive(struct vnode *v)
{
	if (M(v)->nlink == 0)
		freenode(M(v));
}

/* A linked node lost a name; free it if nothing else holds it. */
static void
droplink(struct mnode *m)
{
	if (m->nlink > 0)
		m->nlink--;
	if (m->v.type == VN_DIR) {
		m->nlink = 0;
		m->dir.parent = NULL;
	}
	if (m->nlink == 0 && m->v.refs == 0)
		freenode(m);
}

static struct dent *
find(struct mnode *d, const char *name, size_t len)
{
	for (size_t i = 0; i < d->dir.n; i++) {
		struct dent *e = &d->dir.ents[i];
		if (e->len == len && memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

/* Room for one more entry in d (so that adding cannot fail afterwards). */
static int
reserve(struct mnode *d)
{
	struct dent *e;
	size_t cap;

	if (d->dir.n < d->dir.cap)
		return 0;
	cap = d->dir.cap ? d->dir.cap * 2 : 8;
	e = al_realloc(d->dir.ents, cap * sizeof *e);
	if (!e)
		return E_NOMEM;
	d->dir.ents = e;
	d->dir.cap = cap;
	return 0;
}

/* Appends an entry; reserve() and charge() have been done, name is owned. */
static void
addent(struct mnode *d, char *name, size_t len, struct mnode *m)
{
	d->dir.ents[d->dir.n++] = (struct dent){ .seq = d->dir.seq++, .node = m, .len = len,
						 .name = name };
	m->nlink++;
	if (m->v.type == VN_DIR) {
		m->dir.parent = d;
		d->dir.subdirs++;
	}
	touch(d, true);
}

/* Removes entry e from d without touching the node it names. */
static void
delent(struct mnode *d, struct dent *e)
{
	size_t i = (size_t)(e - d->dir.ents);

	refund(FSOF(d), DENT_COST + e->len);
	if (e->node->v.type == VN_DIR)
		d->dir.subdirs--;
	al_free(e->name);
	memmove(e, e + 1, (d->dir.n - i - 1) * sizeof *e);
	d->dir.n--;
	touch(d, true);
}

static char *
dupname(const char *name, size_t len)
{
	char *s = al_malloc(len + 1);

	if (s) {
		memcpy(s, name, len);
		s[len] = 0;
	}
	return s;
}

static void
initnode(struct memfs *fs, struct mnode *m, enum vnode_type type)
{
	m->v = (struct vnode){ .type = type, .ino = fs->ino++, .ops = &ops, .fs = &fs->fs };
	m->atim = m->mtim = m->ctim = fs_now();
}

/*
 * Makes a node of type and links it into d as name.  *out: the node
 * (unreferenced).  Everything that can fail happens before the link.
 */
static int
mknode(struct mnode *d, const char *name, size_t len, enum vnode_type type,
       struct mnode **out)
{
	struct memfs *fs = FSOF(d);
	struct mnode *m;
	char *s;
	int err;

	*out = NULL;
	if ((err = fs_check_name(name, len)) != 0)
		return err;
	if (!d->dir.parent && d != &fs->root)
		return E_NOENT;   /* d was removed */
	if (find(d, name, len))
		return E_EXIST;
	if ((err = charge(fs, NODE_COST + DENT_COST + len)) != 0)
		return err;
	m = al_calloc(1, sizeof *m);
	s = dupname(name, len);
	if (!m || !s || reserve(d) != 0) {
		al_free(m);
		al_free(s);
		refund(fs, NODE_COST + DENT_COST + len);
		return E_NOMEM;
	}
	initnode(fs, m, type);
	addent(d, s, len, m);
	*out = m;
	return 0;
}

static int
lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct mnode *d = M(dir), *m;
	struct dent *e;

	if (len == 2 && name[0] == '.' && name[1] == '.') {
		m = d->dir.parent ? d->dir.parent : d;
		if (!d->dir.parent && d != &FSOF(d)->root)
			return E_NOENT;
	} else {
		e = find(d, name, len);
		if (!e)
			return E_NOENT;
		m = e->node;
	}
	vn_ref(&m->v);
	*out = &m->v;
	return 0;
}

static int
create(struct vnode *dir, const char *name, size_t len, enum vnode_type type,
       struct vnode **out)
{
	struct mnode *m;
	int err;

	*out = NULL;
	if (type != VN_FILE && type != VN_DIR)
		return E_INVAL;
	err = mknode(M(dir), name, len, type, &m);
	if (err)
		return err;
	vn_ref(&m->v);
	*out = &m->v;
	return 0;
}

static int
symlink_(struct vnode *dir, const char *name, size_t len, const char *target, size_t tlen)
{
	struct memfs *fs = FSOF(M(dir));
	struct mnode *m;
	char *t;
	int err;

	if ((err = charge(fs, tlen)) != 0)
		return err;
	t = dupname(target, tlen);
	if (!t) {
		refund(fs, tlen);
		return E_NOMEM;
	}
	err = mknode(M(dir), name, len, VN_SYMLINK, &m);
	if (err) {
		al_free(t);
		refund(fs, tlen);
		return err;
	}
	m->link.target = t;
	m->link.len = tlen;
	return 0;
}

static int
link_(struct vnode *dir, const char *name, size_t len, struct vnode *target)
{
	struct mnode *d = M(dir), *m = M(target);
	struct memfs *fs = FSOF(d);
	char *s;
	int err;

	if (target->fs != dir->fs)
		return E_XDEV;
	if (target->type == VN_DIR)
		return E_PERM;
	if (m->nlink == 0)
		return E_NOENT;
	if ((err = fs_check_name(name, len)) != 0)
		return err;
	if (find(d, name, len))
		return E_EXIST;
	if ((err = charge(fs, DENT_COST + len)) != 0)
		return err;
	s = dupname(name, len);
	if (!s || reserve(d) != 0) {
		al_free(s);
		refund(fs, DENT_COST + len);
		return E_NOMEM;
	}
	addent(d, s, len, m);
	touch(m, false);
	return 0;
}

static int
unlink_(struct vnode *dir, const char *name, size_t len)
{
	struct mnode *d = M(dir), *m;
	struct dent *e = find(d, name, len);

	if (!e)
		return E_NOENT;
	m = e->node;
	if (m->v.type == VN_DIR)
		return E_ISDIR;
	delent(d, e);
	touch(m, false);
	droplink(m);
	return 0;
}

static int
rmdir_(struct vnode *dir, const char *name, size_t len)
{
	struct mnode *d = M(dir), *m;
	struct dent *e = find(d, name, len);

	if (!e)
		return E_NOENT;
	m = e->node;
	if (m->v.type != VN_DIR)
		return E_NOTDIR;
	if (m->dir.n > 0)
		return E_NOTEMPTY;
	delent(d, e);
	droplink(m);
	return 0;
}

/*
 * The generic layer has checked types, mount points, the same-file case
 * and that a moved directory does not land inside itself.
 */
static int
rename_(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
	const char *nname, size_t nlen)
{
	struct mnode *od = M(odir), *nd = M(ndir), *m, *victim = NULL;
	struct memfs *fs = FSOF(od);
	struct dent *oe, *ne;
	char *s;
	int err;

	if ((err = fs_check_name(nname, nlen)) != 0)
		return err;
	oe = find(od, oname, olen);
	if (!oe)
		return E_NOENT;
	m = oe->node;
	if (!nd->dir.parent && nd != &fs->root)
		return E_NOENT;
	ne = find(nd, nname, nlen);
	if (ne) {
		victim = ne->node;
		if (victim == m)
			return 0;
		if (m->v.type == VN_DIR && victim->v.type != VN_DIR)
			return E_NOTDIR;
		if (m->v.type != VN_DIR && victim->v.type == VN_DIR)
			return E_ISDIR;
		if (victim->v.type == VN_DIR && victim->dir.n > 0)
			return E_NOTEMPTY;
	}
	/* Everything that can fail first: the new name and room for its entry. */
	if ((err = charge(fs, DENT_COST + nlen)) != 0)
		return err;
	s = dupname(nname, nlen);
	if (!s || reserve(nd) != 0) {
		al_free(s);
		refund(fs, DENT_COST + nlen);
		return E_NOMEM;
	}
	if (ne) {
		/* reserve() may have moved nd's entry table: look the victim up again. */
		ne = find(nd, nname, nlen);
		delent(nd, ne);
		droplink(victim);
	}
	/* delent may have moved entries: find the old one again. */
	oe = find(od, oname, olen);
	delent(od, oe);
	m->nlink--;
	addent(nd, s, nlen, m);
	touch(m, false);
	return 0;
}

static int
readlink_(struct vnode *v, char *buf, size_t cap, size_t *len)
{
	struct mnode *m = M(v);

	memcpy(buf, m->link.target, m->link.len < cap ? m->link.len : cap);
	*len = m->link.len;
	return 0;
}

static int
read_(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n)
{
	struct mnode *m = M(v);
	unsigned char *out = buf;
	size_t done = 0, chunk, pi, po;

	(void)io;
	*n = 0;
	if (off >= m->file.size)
		return 0;
	if (len > m->file.size - off)
		len = (size_t)(m->file.size - off);
	while (done < len) {
		pi = (size_t)((off + done) / PAGE);
		po = (size_t)((off + done) % PAGE);
		chunk = PAGE - po < len - done ? PAGE - po : len - done;
		if (pi < m->file.npages && m->file.pages[pi])
			memcpy(out + done, m->file.pages[pi] + po, chunk);
		else
			memset(out + done, 0, chunk);
		done += chunk;
	}
	*n = done;
	return 0;
}

/* Makes the page pointer array cover npages entries. */
static int
growpages(struct mnode *m, size_t npages)
{
	struct memfs *fs = FSOF(m);
	unsigned char **p;
	size_t old = m->file.npages;
	int err;

	if (npages <= old)
		return 0;
	if ((err = charge(fs, (npages - old) * sizeof *p)) != 0)
		return err;
	p = al_realloc(m->file.pages, npages * sizeof *p);
	if (!p) {
		refund(fs, (npages - old) * sizeof *p);
		return E_NOMEM;
	}
	memset(p + old, 0, (npages - old) * sizeof *p);
	m->file.pages = p;
	m->file.npages = npages;
	return 0;
}

static int
write_(struct vnode *v, struct fs_io *io, uint64_t off, const void *buf, size_t len,
       size_t *n)
{
	struct mnode *m = M(v);
	struct memfs *fs = FSOF(m);
	const unsigned char *in = buf;
	size_t done = 0, chunk, pi, po;
	int err = 0;

	(void)io;
	*n = 0;
	if (len == 0)
		return 0;
	if (off >= FS_FILE_MAX)
		return E_FBIG;
	if (len > FS_FILE_MAX - off)
		len = (size_t)(FS_FILE_MAX - off);
	err = growpages(m, (size_t)((off + len + PAGE - 1) / PAGE));
	while (!err && done < len) {
		pi = (size_t)((off + done) / PAGE);
		po = (size_t)((off + done) % PAGE);
		chunk = PAGE - po < len - done ? PAGE - po : len - done;
		if (!m->file.pages[pi]) {
			if ((err = charge(fs, PAGE)) != 0)
				break;
			m->file.pages[pi] = al_calloc(1, PAGE);
			if (!m->file.pages[pi]) {
				refund(fs, PAGE);
				err = E_NOMEM;
				break;
			}
		}
		memcpy(m->file.pages[pi] + po, in + done, chunk);
		done += chunk;
	}
	if (done > 0) {
		if (off + done > m->file.size)
			m->file.size = off + done;
		touch(m, true);
		err = 0;   /* a short write is a success */
	}
	*n = done;
	return err;
}

static int
truncate_(struct vnode *v, uint64_t size)
{
	struct mnode *m = M(v);
	struct memfs *fs = FSOF(m);
	size_t keep, i;

	if (size > FS_FILE_MAX)
		return E_FBIG;
	if (size < m->file.size) {
		keep = (size_t)((size + PAGE - 1) / PAGE);
		for (i = keep; i < m->file.npages; i++)
			if (m->file.pages[i]) {
				al_free(m->file.pages[i]);
				m->file.pages[i] = NULL;
				refund(fs, PAGE);
			}
		/* The tail of the last kept page must read as zeros if the file regrows. */
		if (size % PAGE && keep - 1 < m->file.npages && m->file.pages[keep - 1])
			memset(m->file.pages[keep - 1] + size % PAGE, 0, PAGE - size % PAGE);
		if (keep < m->file.npages) {
			refund(fs, (m->file.npages - keep) * sizeof *m->file.pages);
			m->file.npages = keep;
			if (keep == 0) {
				al_free(m->file.pages);
				m->file.pages = NULL;
			}
		}
	}
	m->file.size = size;
	touch(m, true);
	return 0;
}

static int
stat_(struct vnode *v, struct fs_stat *st)
{
	struct mnode *m = M(v);

	st->atim = m->atim;
	st->mtim = m->mtim;
	st->ctim = m->ctim;
	switch (v->type) {
	case VN_DIR:
		st->nlink = m->nlink ? 2 + m->dir.subdirs : 0;
		st->size = 4096;
		break;
	case VN_FILE:
		st->nlink = m->nlink;
		st->size = m->file.size;
		break;
	default:
		st->nlink = m->nlink;
		st->size = m->link.len;
		break;
	}
	return 0;
}

static int
set_times(struct vnode *v, uint64_t atim, uint64_t mtim, unsigned flags)
{
	struct mnode *m = M(v);

	if (flags & FS_ATIM)
		m->atim = atim;
	if (flags & FS_MTIM)
		m->mtim = mtim;
	m->ctim = fs_now();
	return 0;
}

static int
readdir_(struct vnode *dir, uint64_t cookie, fs_dirent_fn fn, void *arg)
{
	struct mnode *d = M(dir);
	size_t lo = 0, hi = d->dir.n, mid;

	/* Entries are sorted by seq: start at the first one >= cookie. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (d->dir.ents[mid].seq < cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->dir.n; lo++) {
		struct dent *e = &d->dir.ents[lo];
		struct fs_dirent de = { .next = e->seq + 1, .ino = e->node->v.ino,
					.type = e->node->v.type, .name = e->name, .namelen = e->len };
		if (fn(arg, &de))
			break;
	}
	return 0;
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
};

/*
 * Frees the whole tree without recursion (a guest can nest directories as
 * deep as its quota allows): take the last entry of the current directory;
 * descend into it if it is a directory, free it if that was its last name;
 * free a directory once it is empty and climb to its parent.
 */
static void
destroy(struct fs *f)
{
	struct memfs *fs = (struct memfs *)f;
	struct mnode *cur = &fs->root, *m, *up;
	struct dent *e;

	for (;;) {
		if (cur->dir.n > 0) {
			e = &cur->dir.ents[--cur->dir.n];
			m = e->node;
			al_free(e->name);
			if (m->v.type == VN_DIR) {
				cur = m;
				continue;
			}
			if (--m->nlink == 0)
				freenode(m);
			continue;
		}
		up = cur->dir.parent;
		freenode(cur);
		if (cur == &fs->root)
			break;
		cur = up;
	}
	al_free(fs);
}

static const struct fs_ops fsops = {
	.inactive = inactive,
	.destroy = destroy,
};

struct fs *
memfs_new(uint64_t quota)
{
	struct memfs *fs = al_calloc(1, sizeof *fs);

	if (!fs)
		return NULL;
	fs->fs = (struct fs){ .refs = 1, .dev = fs_next_dev(), .name = "memfs", .ops = &fsops,
			      .root = &fs->root.v, .priv = fs };
	fs->quota = quota;
	fs->ino = 1;
	initnode(fs, &fs->root, VN_DIR);
	fs->root.nlink = 1;   /* held by the fs itself */
	fs->used = NODE_COST;
	return &fs->fs;
}

uint64_t
memfs_used(struct fs *fs)
{
	return fs->ops == &fsops ? ((struct memfs *)fs)->used : 0;
}
