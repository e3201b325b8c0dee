/*
 * union.c - union directories: the vnode ops of a mount entry whose
 * members are searched in order (fs.h, "A union directory").
 *
 * Every op works on the members' own vnodes and never crosses mounts:
 * the resolver crosses the child a lookup returns.  Members may be unions
 * themselves; ns_union_enter bounds the nesting so that no table, however
 * built, can recurse without end.
 *
 * Readdir cookies.  A union cookie names a member and a position in it:
 * bits 56-62 the member index, bits 0-55 the member's own cookie.  A
 * member cookie that does not fit (host directories use telldir values,
 * hashes on most Linux file systems) is kept in the entry's table of big
 * cookies and the union cookie is bit 63 plus its index there.  Cookies
 * stay valid while the member list is unchanged; a bind or unbind on the
 * union may make a listing in progress skip or repeat entries.
 */
#include <stdlib.h>
#include "base/alloc.h"
#include <string.h>

#include "fs/fs.h"
#include "fs/internal.h"

#define BIG (UINT64_C(1) << 63)
#define SHIFT 56
/* Room for the two cookies vn_readdir adds in front ("." and ".."). */
#define SMALL_MAX ((UINT64_C(1) << SHIFT) - 3)
#define BIG_MAX (1u << 20)

static struct mount *
M(struct vnode *v)
{
	return (struct mount *)v;
}

static bool
writable(const struct member *x)
{
	return !(x->flags & NS_RDONLY) && !(x->root->fs->flags & FS_RDONLY);
}

/*
 * The first member holding name: its index in *at, or E_NOENT; another
 * error of a lookup stops the search (the name exists but cannot be used).
 */
static int
holder(struct mount *m, const char *name, size_t len, size_t *at)
{
	struct vnode *v;
	int err = E_NOENT;

	for (size_t i = 0; i < m->n && err == E_NOENT; i++) {
		err = vn_lookup(m->mem[i].root, name, len, &v);
		vn_unref(v);
		*at = i;
	}
	return err;
}

/* The member that creates: the first one allowed to, or E_ACCES. */
static int
creator(struct mount *m, struct member **out)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->mem[i].flags & NS_CREATE) {
			*out = &m->mem[i];
			return writable(&m->mem[i]) ? 0 : E_ROFS;
		}
	return E_ACCES;
}

struct vnode *
ns_union_member(struct vnode *u, struct fs *fs)
{
	struct mount *m = M(u);

	if (!ns_is_union(u))
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (m->mem[i].root->fs == fs) {
			vn_ref(m->mem[i].root);
			return m->mem[i].root;
		}
	return NULL;
}

int
ns_union_pick(struct vnode *u, const char *name, size_t len, bool create, struct vnode **dir,
	      bool *rdonly)
{
	struct member *x = NULL;
	size_t at = 0;
	int err;

	*dir = NULL;
	if ((err = ns_union_enter(u)))
		return err;
	err = holder(M(u), name, len, &at);
	if (!err)
		x = &M(u)->mem[at];
	else if (err == E_NOENT && create)
		err = creator(M(u), &x);
	ns_union_leave(u);
	if (err == E_ROFS && x) {
		err = 0;   /* the caller decides what read-only forbids */
	}
	if (err)
		return err;
	vn_ref(x->root);
	*dir = x->root;
	*rdonly = !writable(x);
	return 0;
}

static int
lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct mount *m = M(dir);
	int err = E_NOENT;

	*out = NULL;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (!m->covered) {
			vn_ref(dir);
			*out = dir;
			return 0;
		}
		return vn_lookup(m->covered, "..", 2, out);
	}
	if ((err = ns_union_enter(dir)))
		return err;
	err = E_NOENT;
	for (size_t i = 0; i < m->n && err == E_NOENT; i++)
		err = vn_lookup(m->mem[i].root, name, len, out);
	ns_union_leave(dir);
	return err;
}

static int
create(struct vnode *dir, const char *name, size_t len, enum vnode_type type,
       struct vnode **out)
{
	struct member *x;
	int err;

	*out = NULL;
	if ((err = creator(M(dir), &x)))
		return err;
	if (!x->root->ops->create)
		return E_NOTSUP;
	if ((err = ns_union_enter(dir)))
		return err;
	err = x->root->ops->create(x->root, name, len, type, out);
	ns_union_leave(dir);
	return err;
}

static int
symlink_(struct vnode *dir, const char *name, size_t len, const char *target, size_t tlen)
{
	struct member *x;
	int err;

	if ((err = creator(M(dir), &x)))
		return err;
	if (!x->root->ops->symlink)
		return E_NOTSUP;
	if ((err = ns_union_enter(dir)))
		return err;
	err = x->root->ops->symlink(x->root, name, len, target, tlen);
	ns_union_leave(dir);
	return err;
}

static int
link_(struct vnode *dir, const char *name, size_t len, struct vnode *target)
{
	struct member *x;
	int err;

	if ((err = creator(M(dir), &x)))
		return err;
	if (target->fs != x->root->fs)
		return E_XDEV;
	if (!x->root->ops->link)
		return E_NOTSUP;
	return x->root->ops->link(x->root, name, len, target);
}

/* unlink and rmdir: in the member that holds the name. */
static int
removeop(struct vnode *dir, const char *name, size_t len, bool isdir)
{
	struct mount *m = M(dir);
	struct vnode *r;
	size_t at = 0;
	int err;

	if ((err = ns_union_enter(dir)))
		return err;
	err = holder(m, name, len, &at);
	if (!err && !writable(&m->mem[at]))
		err = E_ROFS;
	if (!err) {
		r = m->mem[at].root;
		if (!(isdir ? r->ops->rmdir : r->ops->unlink))
			err = E_NOTSUP;
		else
			err = (isdir ? r->ops->rmdir : r->ops->unlink)(r, name, len);
	}
	ns_union_leave(dir);
	return err;
}

static int
unlink_(struct vnode *dir, const char *name, size_t len)
{
	return removeop(dir, name, len, false);
}

static int
rmdir_(struct vnode *dir, const char *name, size_t len)
{
	return removeop(dir, name, len, true);
}

/* Within one union only, inside the member that holds the old name. */
static int
rename_(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
	const char *nname, size_t nlen)
{
	struct mount *m = M(odir);
	struct vnode *r;
	size_t at = 0;
	int err;

	if (odir != ndir)
		return E_XDEV;
	if ((err = ns_union_enter(odir)))
		return err;
	err = holder(m, oname, olen, &at);
	if (!err && !writable(&m->mem[at]))
		err = E_ROFS;
	if (!err) {
		r = m->mem[at].root;
		err = r->ops->rename ? r->ops->rename(r, oname, olen, r, nname, nlen) : E_NOTSUP;
	}
	ns_union_leave(odir);
	return err;
}

/* A union looks like its first member (times, size), as its own inode. */
static int
stat_(struct vnode *v, struct fs_stat *st)
{
	struct mount *m = M(v);
	struct fs_stat s;
	int err;

	st->nlink = 2;
	if (m->n == 0 || (err = ns_union_enter(v)))
		return 0;
	err = vn_stat(m->mem[0].root, &s);
	ns_union_leave(v);
	if (!err) {
		st->size = s.size;
		st->atim = s.atim;
		st->mtim = s.mtim;
		st->ctim = s.ctim;
	}
	return 0;
}

static int
set_times(struct vnode *v, uint64_t atim, uint64_t mtim, unsigned flags)
{
	struct mount *m = M(v);

	if (m->n == 0)
		return 0;
	if (!writable(&m->mem[0]))
		return E_ROFS;
	return vn_set_times(m->mem[0].root, atim, mtim, flags);
}

/* ---- readdir --------------------------------------------------------- */

static int
encode(struct mount *m, size_t member, uint64_t cookie, uint64_t *out)
{
	size_t i;

	if (cookie <= SMALL_MAX) {
		*out = (uint64_t)member << SHIFT | cookie;
		return 0;
	}
	for (i = 0; i < m->nbig; i++)
		if (m->big[i].member == member && m->big[i].cookie == cookie)
			break;
	if (i == m->nbig) {
		if (m->nbig >= BIG_MAX)
			return E_OVERFLOW;
		if (m->nbig == m->capbig) {
			size_t cap = m->capbig ? m->capbig * 2 : 16;
			struct bigcookie *b = al_realloc(m->big, cap * sizeof *b);

			if (!b)
				return E_NOMEM;
			m->big = b;
			m->capbig = cap;
		}
		m->big[m->nbig++] = (struct bigcookie){ member, cookie };
	}
	*out = BIG | i;
	return 0;
}

struct walk {
	struct mount *m;
	size_t member;
	fs_dirent_fn fn;
	void *arg;
	bool stop;
	int err;
};

static int
each(void *arg, const struct fs_dirent *d)
{
	struct walk *w = arg;
	struct fs_dirent e = *d;
	struct vnode *v;
	int r;

	/* A name an earlier member has is that member's: hide it here. */
	for (size_t j = 0; j < w->member; j++) {
		r = vn_lookup(w->m->mem[j].root, d->name, d->namelen, &v);
		vn_unref(v);
		if (r != E_NOENT)
			return 0;
	}
	if ((w->err = encode(w->m, w->member, d->next, &e.next)))
		return 1;
	if (w->fn(w->arg, &e)) {
		w->stop = true;
		return 1;
	}
	return 0;
}

static int
readdir_(struct vnode *dir, uint64_t cookie, fs_dirent_fn fn, void *arg)
{
	struct mount *m = M(dir);
	struct walk w = { .m = m, .fn = fn, .arg = arg };
	uint64_t c;
	size_t i;
	int err = 0;

	if (cookie & BIG) {
		if ((cookie & ~BIG) >= m->nbig)
			return 0;
		i = m->big[cookie & ~BIG].member;
		c = m->big[cookie & ~BIG].cookie;
	} else {
		i = (size_t)(cookie >> SHIFT);
		c = cookie & ((UINT64_C(1) << SHIFT) - 1);
	}
	if ((err = ns_union_enter(dir)))
		return err;
	for (; i < m->n && !w.stop; i++, c = 0) {
		struct vnode *r = m->mem[i].root;

		w.member = i;
		if (r->type != VN_DIR || !r->ops->readdir)
			continue;
		err = r->ops->readdir(r, c, each, &w);
		if (!err)
			err = w.err;
		if (err)
			break;
	}
	ns_union_leave(dir);
	return err;
}

const struct vnode_ops ns_union_ops = {
	.lookup = lookup,
	.create = create,
	.unlink = unlink_,
	.rmdir = rmdir_,
	.rename = rename_,
	.link = link_,
	.symlink = symlink_,
	.stat = stat_,
	.set_times = set_times,
	.readdir = readdir_,
};
