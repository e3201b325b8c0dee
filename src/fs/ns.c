/*
 * ns.c - namespaces: refcounted, ordered mount tables; bind, unbind,
 * mount; the family that copies share.
 *
 * A mount entry (struct mount, internal.h) covers one vnode and lists
 * what is bound there.  Entries are keyed by the covered vnode, not by a
 * path string, so a mount stays where it is whatever path reaches it
 * (relative paths, symlinks, ".."), as in Plan 9.  Entry 0 is the root
 * and covers nothing.  A replace bind stacks a new entry on top of the
 * entries covering the same place (unbinding it reveals what was there);
 * crossing onto a place takes its topmost entry, then crosses again from
 * what that shows (a bind of /a shows whatever is later bound onto /a
 * too, as in Plan 9).  A -b or -a bind adds a member to the union at the place, making one (with the
 * original directory as a member) if there is none yet.  Tables are
 * small, so a linear scan per step is cheaper than any index.
 *
 * Every entry is also a vnode: the union directory of its members
 * (union.c).  Union vnodes belong to the family's fs, which numbers them
 * by the place they cover (the "places" registry below), so a copy of a
 * namespace shows the same union under the same (dev, ino).
 */
#include <stdio.h>
#include "base/alloc.h"
#include <stdlib.h>
#include <string.h>

#include "fs/fs.h"
#include "fs/internal.h"

/* A union inode number per covered place, for the life of the family. */
struct place {
	uint64_t dev, ino, uino;
};

/* A file system offered to the family as "#name". */
struct srv {
	char *name;
	struct vnode *root;
};

struct ufs {
	struct fs fs;
	struct place *places;
	size_t nplaces, capplaces;
	uint64_t next_ino;
	struct srv *srv;
	size_t nsrv, capsrv;
	unsigned depth;          /* union ops in progress, nested */
};

struct ns {
	unsigned refs;
	struct ufs *fam;
	struct mount **m;
	size_t n, cap;
	bool nomount;
};

static const struct fs_ops famops;

/* ---- small helpers ----------------------------------------------------- */

static char *
dupstr(const char *s, size_t n)
{
	char *p = al_malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

/* Grows an array of elements of size sz to hold one more; E_NOMEM. */
static int
growarr(void **arr, size_t *cap, size_t n, size_t sz)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 4;
	p = al_realloc(*arr, c * sz);
	if (!p)
		return E_NOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

static struct ufs *
FAM(struct vnode *v)
{
	return (struct ufs *)v->fs;
}

bool
ns_is_union(const struct vnode *v)
{
	return v && v->ops == &ns_union_ops;
}

struct vnode *
ns_view(struct mount *m)
{
	return m->covered && m->n == 1 ? m->mem[0].root : &m->v;
}

int
ns_union_enter(struct vnode *u)
{
	struct ufs *f = FAM(u);

	if (f->depth >= NS_UNION_DEPTH)
		return E_LOOP;
	f->depth++;
	return 0;
}

void
ns_union_leave(struct vnode *u)
{
	FAM(u)->depth--;
}

/* ---- the family ------------------------------------------------------- */

static void
freemount(struct vnode *v)
{
	struct mount *m = (struct mount *)v;

	vn_unref(m->covered);
	for (size_t i = 0; i < m->n; i++) {
		vn_unref(m->mem[i].root);
		al_free(m->mem[i].src);
	}
	al_free(m->mem);
	al_free(m->big);
	al_free(m->path);
	al_free(m);
}

static void
famdestroy(struct fs *fs)
{
	struct ufs *f = (struct ufs *)fs;

	for (size_t i = 0; i < f->nsrv; i++) {
		al_free(f->srv[i].name);
		vn_unref(f->srv[i].root);
	}
	al_free(f->srv);
	al_free(f->places);
	al_free(f);
}

static const struct fs_ops famops = {
	.inactive = freemount,
	.destroy = famdestroy,
};

static struct ufs *
famnew(void)
{
	struct ufs *f = al_calloc(1, sizeof *f);

	if (!f)
		return NULL;
	/* No root vnode: every union is reached through a namespace. */
	f->fs = (struct fs){ .refs = 1, .dev = fs_next_dev(), .name = "union", .ops = &famops,
			     .priv = f };
	f->next_ino = 2;     /* 1 is the root union */
	return f;
}

/* The union inode number for the place covered (NULL: the root). */
static int
placeino(struct ufs *f, struct vnode *covered, uint64_t *ino)
{
	uint64_t dev;

	if (!covered) {
		*ino = 1;
		return 0;
	}
	dev = covered->fs->dev;
	for (size_t i = 0; i < f->nplaces; i++)
		if (f->places[i].dev == dev && f->places[i].ino == covered->ino) {
			*ino = f->places[i].uino;
			return 0;
		}
	if (growarr((void **)&f->places, &f->capplaces, f->nplaces, sizeof *f->places))
		return E_NOMEM;
	f->places[f->nplaces++] = (struct place){ dev, covered->ino, f->next_ino };
	*ino = f->next_ino++;
	return 0;
}

/* A new entry covering `covered` (referenced here), no members, refs 1. */
static struct mount *
mountnew(struct ufs *f, struct vnode *covered, const char *path)
{
	struct mount *m = al_calloc(1, sizeof *m);
	uint64_t ino;

	if (!m)
		return NULL;
	if (placeino(f, covered, &ino) || !(m->path = dupstr(path, strlen(path)))) {
		al_free(m);
		return NULL;
	}
	m->v = (struct vnode){ .type = VN_DIR, .ino = ino, .ops = &ns_union_ops, .priv = m,
			       .fs = &f->fs };
	vn_ref(&m->v);
	if (covered)
		vn_ref(covered);
	m->covered = covered;
	return m;
}

/* Inserts member root (referenced here) at position at. */
static int
addmember(struct mount *m, size_t at, struct vnode *root, unsigned flags, const char *src)
{
	char *s = dupstr(src, strlen(src));

	if (!s || growarr((void **)&m->mem, &m->cap, m->n, sizeof *m->mem)) {
		al_free(s);
		return E_NOMEM;
	}
	memmove(&m->mem[at + 1], &m->mem[at], (m->n - at) * sizeof *m->mem);
	m->mem[at] = (struct member){ .root = root, .flags = flags, .src = s };
	vn_ref(root);
	m->n++;
	return 0;
}

static void
delmember(struct mount *m, size_t at)
{
	vn_unref(m->mem[at].root);
	al_free(m->mem[at].src);
	memmove(&m->mem[at], &m->mem[at + 1], (m->n - at - 1) * sizeof *m->mem);
	m->n--;
}

/* ---- namespaces -------------------------------------------------------- */

static int
tableadd(struct ns *ns, struct mount *m)
{
	if (growarr((void **)&ns->m, &ns->cap, ns->n, sizeof *ns->m))
		return E_NOMEM;
	ns->m[ns->n++] = m;
	return 0;
}

static void
tabledel(struct ns *ns, size_t i)
{
	struct mount *m = ns->m[i];

	memmove(&ns->m[i], &ns->m[i + 1], (ns->n - i - 1) * sizeof *ns->m);
	ns->n--;
	vn_unref(&m->v);
}

static const char *
fslabel(struct vnode *v, char *buf, size_t cap)
{
	snprintf(buf, cap, "#%s", v->fs->name ? v->fs->name : "fs");
	return buf;
}

struct ns *
ns_new(struct vnode *root)
{
	struct ns *ns = al_calloc(1, sizeof *ns);
	struct mount *m = NULL;
	char label[64];

	if (!ns || !(ns->fam = famnew()))
		goto fail;
	ns->refs = 1;
	m = mountnew(ns->fam, NULL, "/");
	if (!m || addmember(m, 0, root, NS_CREATE, fslabel(root, label, sizeof label))
	    || tableadd(ns, m))
		goto fail;
	return ns;
fail:
	if (m)
		vn_unref(&m->v);
	if (ns && ns->fam)
		fs_unref(&ns->fam->fs);
	if (ns)
		al_free(ns->m);
	al_free(ns);
	return NULL;
}

/* What vnode v of namespace from is in namespace to (a copy of it). */
static struct vnode *
mapped(struct ns *from, struct ns *to, struct vnode *v)
{
	for (size_t i = 0; v && ns_is_union(v) && i < from->n; i++)
		if (v == &from->m[i]->v)
			return &to->m[i]->v;
	return v;
}

struct ns *
ns_copy(struct ns *ns)
{
	struct ns *c = al_calloc(1, sizeof *c);
	size_t i, j;

	if (!c)
		return NULL;
	c->refs = 1;
	c->fam = ns->fam;
	fs_ref(&c->fam->fs);
	c->nomount = ns->nomount;
	c->m = al_calloc(ns->n, sizeof *c->m);
	if (!c->m)
		goto fail;
	c->cap = ns->n;
	/* Two passes: an entry may name a union made after it (bind -a /b /a). */
	for (i = 0; i < ns->n; i++) {
		c->m[i] = mountnew(c->fam, NULL, ns->m[i]->path);
		if (!c->m[i])
			goto fail;
		c->n++;
	}
	for (i = 0; i < ns->n; i++) {
		struct mount *s = ns->m[i], *d = c->m[i];

		d->v.ino = s->v.ino;
		d->locked = s->locked;
		if (s->covered) {
			d->covered = mapped(ns, c, s->covered);
			vn_ref(d->covered);
		}
		for (j = 0; j < s->n; j++)
			if (addmember(d, j, mapped(ns, c, s->mem[j].root), s->mem[j].flags,
				      s->mem[j].src))
				goto fail;
	}
	return c;
fail:
	ns_unref(c);
	return NULL;
}

void
ns_ref(struct ns *ns)
{
	ns->refs++;
}

void
ns_unref(struct ns *ns)
{
	if (!ns || --ns->refs > 0)
		return;
	/* Entries may hold each other (a union member, a stacked cover):
	 * drop the table's references from the top down. */
	while (ns->n)
		tabledel(ns, ns->n - 1);
	al_free(ns->m);
	if (ns->fam)
		fs_unref(&ns->fam->fs);
	al_free(ns);
}

struct vnode *
ns_root(struct ns *ns)
{
	vn_ref(&ns->m[0]->v);
	return &ns->m[0]->v;
}

/* ---- the steps the resolver takes ------------------------------------ */

/* The topmost entry (> 0) covering v, or 0. */
static size_t
covering(struct ns *ns, struct vnode *v)
{
	for (size_t i = ns->n; i-- > 1;)
		if (vn_same(ns->m[i]->covered, v))
			return i;
	return 0;
}

/*
 * The topmost entry whose view or one of whose members is v (the
 * original directory of a union excepted: it is the place itself),
 * as index + 1, or 0.
 */
static size_t
rooted(struct ns *ns, struct vnode *v)
{
	for (size_t i = ns->n; i-- > 0;) {
		struct mount *m = ns->m[i];

		if (vn_same(ns_view(m), v))
			return i + 1;
		for (size_t j = 0; j < m->n; j++)
			if (vn_same(m->mem[j].root, v) && !vn_same(m->mem[j].root, m->covered))
				return i + 1;
	}
	return 0;
}

bool
ns_is_root(struct ns *ns, struct vnode *v)
{
	return vn_same(v, &ns->m[0]->v) || rooted(ns, v) == 1;
}

struct vnode *
ns_cross(struct ns *ns, struct vnode *v, bool *covered)
{
	size_t i, steps;
	struct vnode *r;

	*covered = false;
	/* ns->n bounds the steps even if a table ever held a cycle. */
	for (steps = 0; steps < ns->n && (i = covering(ns, v)) != 0; steps++) {
		r = ns_view(ns->m[i]);
		vn_ref(r);
		vn_unref(v);
		v = r;
		*covered = true;
	}
	return v;
}

struct vnode *
ns_translate(struct ns *ns, struct vnode *v)
{
	struct mount *u = (struct mount *)v;
	struct vnode *r;
	bool covered;

	if (!ns_is_union(v) || v->fs != &ns->fam->fs)
		return v;
	for (size_t i = 0; i < ns->n; i++)
		if (ns->m[i] == u)
			return v;
	if (!u->covered) {
		vn_unref(v);
		return ns_root(ns);
	}
	r = u->covered;
	vn_ref(r);
	vn_unref(v);
	r = ns_translate(ns, r);
	return ns_cross(ns, r, &covered);
}

struct vnode *
ns_below(struct ns *ns, struct vnode *v)
{
	size_t i, steps;

	for (steps = 0; steps <= ns->n; steps++) {
		if (ns_is_root(ns, v))
			break;
		i = rooted(ns, v);
		if (i > 1)
			v = ns->m[i - 1]->covered;
		else if (ns_is_union(v) && ((struct mount *)v)->covered)
			v = ((struct mount *)v)->covered;   /* a union of another namespace */
		else
			break;
	}
	return v;
}

int
ns_dotdot(struct ns *ns, struct vnode *v, struct vnode **out)
{
	*out = NULL;
	v = ns_below(ns, v);
	if (ns_is_root(ns, v)) {
		*out = ns_root(ns);
		return 0;
	}
	return vn_lookup(v, "..", 2, out);
}

bool
ns_rdonly(struct ns *ns, struct vnode *v)
{
	if (v->fs->flags & FS_RDONLY)
		return true;
	if (ns_is_union(v))
		return false;
	for (size_t i = 0; i < ns->n; i++)
		for (size_t j = 0; j < ns->m[i]->n; j++)
			if (ns->m[i]->mem[j].flags & NS_RDONLY && ns->m[i]->mem[j].root->fs == v->fs)
				return true;
	return false;
}

struct vnode *
ns_confine_root(struct ns *ns, struct fs *fs)
{
	for (size_t i = ns->n; i-- > 0;)
		for (size_t j = 0; j < ns->m[i]->n; j++)
			if (ns->m[i]->mem[j].root->fs == fs) {
				vn_ref(ns->m[i]->mem[j].root);
				return ns->m[i]->mem[j].root;
			}
	return fs_root(fs);
}

/* ---- bind, unbind, mount ----------------------------------------------- */

/* Where a bind or unbind acts: what the path names, below every mount. */
struct spot {
	struct vnode *raw;        /* referenced; NULL for the root */
	struct vnode *view;       /* referenced: what the place shows now */
	bool root;
	bool rdonly;              /* raw is read-only */
	size_t chain[64];         /* the entries covering raw, bottom first */
	size_t nchain;
	bool deep;                /* more cover raw than chain holds */
};

static void
spotfree(struct spot *s)
{
	vn_unref(s->raw);
	vn_unref(s->view);
	s->raw = s->view = NULL;
}

static int
locate(struct ns *ns, struct vnode *cwd, const char *path, size_t len, struct spot *s)
{
	struct fs_path p;
	bool covered;
	int err;

	memset(s, 0, sizeof *s);
	err = fs_resolve(ns, cwd, path, len, FS_PARENT | FS_FOLLOW, &p);
	if (err)
		return err;
	if (p.namelen == 0) {
		/* "/" names the root; "x/." and "x/.." name no place of their own. */
		if (ns_is_root(ns, p.vn)) {
			s->root = true;
			s->chain[s->nchain++] = 0;
			s->view = ns_root(ns);
		} else {
			err = E_INVAL;
		}
	} else if (!p.vn) {
		err = E_NOENT;
	} else if ((err = vn_lookup(p.dir, p.name, p.namelen, &s->raw)) == 0) {
		s->rdonly = ns_rdonly(ns, s->raw);
		for (size_t i = 1; i < ns->n; i++) {
			if (!vn_same(ns->m[i]->covered, s->raw))
				continue;
			if (s->nchain == sizeof s->chain / sizeof s->chain[0]) {
				s->deep = true;
				break;
			}
			s->chain[s->nchain++] = i;
		}
		vn_ref(s->raw);
		s->view = ns_cross(ns, s->raw, &covered);
	}
	fs_path_release(&p);
	if (err)
		spotfree(s);
	return err;
}

/* The absolute form of path (relative to cwd), malloc'd. */
static char *
abspath(struct ns *ns, struct vnode *cwd, const char *path, size_t len)
{
	char *dir, *s;
	size_t dlen = 0;

	if ((len && path[0] == '/') || !cwd)
		return dupstr(path, len);
	dir = al_malloc(FS_PATH_MAX + 1);
	if (!dir)
		return NULL;
	if (fs_getcwd(ns, cwd, dir, FS_PATH_MAX + 1, &dlen) != 0) {
		al_free(dir);
		return dupstr(path, len);
	}
	s = al_malloc(dlen + len + 2);
	if (s)
		snprintf(s, dlen + len + 2, "%s%s%.*s", dir, dlen > 1 ? "/" : "", (int)len, path);
	al_free(dir);
	return s;
}

/* Whether the union target can be reached from v through union members. */
static bool
contains(struct vnode *v, struct vnode *target, int depth)
{
	struct mount *m = (struct mount *)v;

	if (vn_same(v, target))
		return true;
	if (!ns_is_union(v))
		return false;
	if (depth >= NS_UNION_DEPTH)
		return true;   /* too deep to be used anyway */
	for (size_t i = 0; i < m->n; i++)
		if (contains(m->mem[i].root, target, depth + 1))
			return true;
	return false;
}

static int
bindat(struct ns *ns, struct vnode *cwd, struct vnode *old, bool oldro, const char *src,
       const char *new, size_t nlen, unsigned flags)
{
	unsigned mode = flags & NS_MODES, mflags;
	struct mount *m = NULL, *t;
	struct vnode *view;
	struct spot s;
	char *where = NULL;
	int err;

	if (mode == NS_MODES || flags & ~(unsigned)(NS_RDONLY | NS_MODES | NS_CREATE))
		return E_INVAL;
	err = locate(ns, cwd, new, nlen, &s);
	if (err)
		return err;
	view = s.view;
	mflags = (flags & (NS_RDONLY | NS_CREATE)) | (oldro ? NS_RDONLY : 0) | (mode ? 0 : NS_CREATE);
	if (old->type == VN_DIR && view->type != VN_DIR)
		err = E_NOTDIR;
	else if (old->type != VN_DIR && (view->type == VN_DIR || s.root))
		err = E_ISDIR;
	else if (old->type != VN_DIR && mode)
		err = E_NOTDIR;     /* a union of files */
	else if (s.deep || (!mode && s.nchain >= sizeof s.chain / sizeof s.chain[0]))
		err = E_NOSPC;   /* stacked too deep at one place */
	else if (vn_same(old, view))
		err = E_INVAL;
	else if (!(where = abspath(ns, cwd, new, nlen)))
		err = E_NOMEM;
	if (err)
		goto out;

	if (s.root || (mode && s.nchain)) {
		/* The place already has an entry: the union there changes. */
		t = ns->m[s.chain[s.nchain - 1]];
		if (contains(old, &t->v, 0)) {
			err = E_LOOP;
		} else if (!mode) {
			/* Only the root gets here: it becomes old alone. */
			size_t had = t->n;

			err = addmember(t, 0, old, mflags, src);
			while (!err && t->n > 1 && had--)
				delmember(t, 1);
		} else {
			for (size_t i = 0; i < t->n && !err; i++)
				if (vn_same(t->mem[i].root, old))
					err = E_EXIST;
			if (!err && t->n >= NS_MEMBERS_MAX)
				err = E_NOSPC;
			if (!err)
				err = addmember(t, mode == NS_BEFORE ? 0 : t->n, old, mflags, src);
		}
		goto out;
	}
	if (ns->n >= NS_ENTRIES_MAX) {
		err = E_NOSPC;
		goto out;
	}
	/* A new entry at the place: on top of the others there (replace), or a union. */
	m = mountnew(ns->fam, s.raw, where);
	if (!m) {
		err = E_NOMEM;
		goto out;
	}
	if (mode)
		err = addmember(m, 0, s.raw, NS_CREATE | (s.rdonly ? NS_RDONLY : 0), where);
	if (!err)
		err = addmember(m, mode == NS_BEFORE ? 0 : m->n, old, mflags, src);
	if (!err)
		err = tableadd(ns, m);
	if (!err)
		m = NULL;
out:
	if (m)
		vn_unref(&m->v);
	al_free(where);
	spotfree(&s);
	return err;
}

int
ns_bind_vnode(struct ns *ns, struct vnode *cwd, struct vnode *root, const char *src,
	      const char *new, size_t nlen, unsigned flags)
{
	return bindat(ns, cwd, root, ns_rdonly(ns, root), src, new, nlen, flags);
}

int
ns_bind(struct ns *ns, struct vnode *cwd, const char *old, size_t olen, const char *new,
	size_t nlen, unsigned flags)
{
	struct fs_path p;
	char *src;
	int err;

	err = fs_resolve(ns, cwd, old, olen, FS_FOLLOW, &p);
	if (err)
		return err;
	src = abspath(ns, cwd, old, olen);
	err = src ? bindat(ns, cwd, p.vn, p.rdonly, src, new, nlen, flags) : E_NOMEM;
	al_free(src);
	fs_path_release(&p);
	return err;
}

int
ns_mount(struct ns *ns, const char *path, size_t len, struct vnode *root, unsigned flags)
{
	char label[80];

	if (root->type != VN_DIR)
		return E_NOTDIR;
	if (flags & ~(unsigned)NS_RDONLY)
		return E_INVAL;
	/* Listed under the name the family offers it by, if it does. */
	fslabel(root, label, sizeof label);
	for (size_t i = 0; i < ns->fam->nsrv; i++)
		if (ns->fam->srv[i].root == root)
			snprintf(label, sizeof label, "#%s", ns->fam->srv[i].name);
	return bindat(ns, NULL, root, false, label, path, len, flags);
}

int
ns_unbind(struct ns *ns, struct vnode *cwd, const char *old, size_t olen, const char *new,
	  size_t nlen)
{
	struct fs_path p = { 0 };
	struct mount *m;
	struct spot s;
	size_t k, j;
	int err;

	err = locate(ns, cwd, new, nlen, &s);
	if (err)
		return err;
	if (!old) {
		if (s.root || !s.nchain)
			err = E_INVAL;
		else if (ns->m[s.chain[s.nchain - 1]]->locked)
			err = E_PERM;
		else
			tabledel(ns, s.chain[s.nchain - 1]);
		goto out;
	}
	err = fs_resolve(ns, cwd, old, olen, FS_FOLLOW, &p);
	if (err)
		goto out;
	err = E_INVAL;
	for (k = s.nchain; k-- > 0 && err == E_INVAL;) {
		m = ns->m[s.chain[k]];
		for (j = 0; j < m->n; j++)
			if (vn_same(m->mem[j].root, p.vn))
				break;
		if (j == m->n)
			continue;
		if (s.root && m->n == 1) {
			err = E_BUSY;
			break;
		}
		delmember(m, j);
		err = 0;
		if (!s.root && (m->n == 0 || (m->n == 1 && vn_same(m->mem[0].root, m->covered))))
			tabledel(ns, s.chain[k]);
	}
out:
	fs_path_release(&p);
	spotfree(&s);
	return err;
}

int
ns_unmount(struct ns *ns, const char *path, size_t len)
{
	return ns_unbind(ns, NULL, NULL, 0, path, len);
}

/* ---- mount specs and the family's file systems ------------------------- */

/* "memfs" or "memfs:BYTES" with an optional K, M or G. */
static int
mkmemfs(const char *arg, size_t len, struct fs **out)
{
	uint64_t q = 0, unit = 1;
	size_t i;

	*out = NULL;
	if (!arg) {
		q = NS_MEMFS_QUOTA;
	} else {
		if (len && (arg[len - 1] == 'K' || arg[len - 1] == 'M' || arg[len - 1] == 'G')) {
			unit = arg[len - 1] == 'K' ? 1u << 10 : arg[len - 1] == 'M' ? 1u << 20 : 1u << 30;
			len--;
		}
		if (len == 0 || len > 12)
			return E_INVAL;
		for (i = 0; i < len; i++) {
			if (arg[i] < '0' || arg[i] > '9')
				return E_INVAL;
			q = q * 10 + (uint64_t)(arg[i] - '0');
		}
		q *= unit;
		if (q == 0 || q > FS_FILE_MAX)
			return E_INVAL;
	}
	*out = memfs_new(q);
	return *out ? 0 : E_NOMEM;
}

static const struct {
	const char *name;
	int (*make)(const char *arg, size_t len, struct fs **out);
} makers[] = {
	{ "memfs", mkmemfs },
};

static bool
srvname_ok(const char *name, size_t len)
{
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] == '/' || name[i] == 0x7f)
			return false;
	return true;
}

int
ns_srv_add(struct ns *ns, const char *name, struct vnode *root)
{
	struct ufs *f = ns->fam;
	size_t len = strlen(name);
	char *s;

	if (!srvname_ok(name, len) || root->type != VN_DIR || ns_is_union(root))
		return E_INVAL;
	for (size_t i = 0; i < f->nsrv; i++)
		if (!strcmp(f->srv[i].name, name))
			return E_EXIST;
	s = dupstr(name, len);
	if (!s || growarr((void **)&f->srv, &f->capsrv, f->nsrv, sizeof *f->srv)) {
		al_free(s);
		return E_NOMEM;
	}
	vn_ref(root);
	f->srv[f->nsrv++] = (struct srv){ s, root };
	return 0;
}

int
ns_srv_mount(struct ns *ns, const char *name, const char *path, struct fs *fs)
{
	struct vnode *r = fs_root(fs);
	int e = ns_srv_add(ns, name, r);

	if (!e)
		e = ns_mount(ns, path, strlen(path), r, 0);
	vn_unref(r);
	fs_unref(fs);
	return e;
}

void
ns_set_nomount(struct ns *ns)
{
	ns->nomount = true;
	for (size_t i = 1; i < ns->n; i++)
		ns->m[i]->locked = true;
}

bool
ns_nomount(const struct ns *ns)
{
	return ns->nomount;
}

int
ns_mount_spec(struct ns *ns, struct vnode *cwd, const char *spec, size_t slen, const char *new,
	      size_t nlen, unsigned flags)
{
	struct ufs *f = ns->fam;
	const char *colon;
	struct fs *fs = NULL;
	struct vnode *root;
	char *src;
	size_t i, nl;
	int err;

	if (slen == 0 || slen > 128 || memchr(spec, 0, slen))
		return E_INVAL;
	if (!(src = dupstr(spec, slen)))
		return E_NOMEM;
	if (spec[0] == '#') {
		err = ns->nomount ? E_PERM : E_NOENT;
		for (i = 0; i < f->nsrv && err == E_NOENT; i++)
			if (strlen(f->srv[i].name) == slen - 1 && !memcmp(f->srv[i].name, spec + 1, slen - 1))
				err = bindat(ns, cwd, f->srv[i].root, ns_rdonly(ns, f->srv[i].root), src,
					     new, nlen, flags);
		al_free(src);
		return err;
	}
	colon = memchr(spec, ':', slen);
	nl = colon ? (size_t)(colon - spec) : slen;
	err = E_NOENT;
	for (i = 0; i < sizeof makers / sizeof makers[0]; i++)
		if (strlen(makers[i].name) == nl && !memcmp(makers[i].name, spec, nl)) {
			err = makers[i].make(colon ? colon + 1 : NULL, colon ? slen - nl - 1 : 0, &fs);
			break;
		}
	if (!err) {
		root = fs_root(fs);
		err = bindat(ns, cwd, root, false, src, new, nlen, flags);
		vn_unref(root);
		fs_unref(fs);
	}
	al_free(src);
	return err;
}

/* ---- listings ------------------------------------------------------------ */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void
sbput(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = al_realloc(b->s, cap))) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void
sbstr(struct sbuf *b, const char *s)
{
	sbput(b, s, strlen(s));
}

/*
 * A path or label as one word: as is when plain, else in single quotes
 * with quotes doubled (rc style); control bytes show as '?', so a line
 * is always one line.
 */
static void
sbword(struct sbuf *b, const char *s)
{
	bool plain = *s != 0;

	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '\'' || *p == 0x7f || *p == '\\')
			plain = false;
	if (plain) {
		sbstr(b, s);
		return;
	}
	sbput(b, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			sbput(b, "''", 2);
		else if ((unsigned char)*p < ' ' || *p == 0x7f)
			sbput(b, "?", 1);
		else
			sbput(b, p, 1);
	}
	sbput(b, "'", 1);
}

static void
mountsline(struct sbuf *b, struct mount *m, struct member *x)
{
	sbword(b, m->path);
	sbput(b, " ", 1);
	sbword(b, x->src);
	sbput(b, " ", 1);
	sbstr(b, x->root->fs->name ? x->root->fs->name : "?");
	sbstr(b, x->flags & NS_RDONLY || x->root->fs->flags & FS_RDONLY ? " ro" : " rw");
	if (x->flags & NS_CREATE)
		sbstr(b, ",create");
	if (m->n > 1 || !m->covered)
		sbstr(b, ",union");
	sbput(b, "\n", 1);
}

static void
dumpline(struct sbuf *b, const char *flag, bool create, struct mount *m, struct member *x)
{
	bool mnt = x->src[0] == '#' || !strncmp(x->src, "memfs", 5);

	sbstr(b, mnt ? "mount" : "bind");
	if (*flag || create) {
		sbstr(b, " -");
		sbstr(b, flag);
		if (create)
			sbstr(b, "c");
	}
	sbput(b, " ", 1);
	sbword(b, x->src);
	sbput(b, " ", 1);
	sbword(b, m->path);
	sbput(b, "\n", 1);
}

static void
dumpentry(struct sbuf *b, struct mount *m)
{
	size_t j, orig = m->n;

	for (j = 0; j < m->n; j++)
		if (m->covered && vn_same(m->mem[j].root, m->covered))
			orig = j;
	if (orig == m->n) {
		/* No original: the first member replaced the place. */
		dumpline(b, "", false, m, &m->mem[0]);
		for (j = 1; j < m->n; j++)
			dumpline(b, "a", m->mem[j].flags & NS_CREATE, m, &m->mem[j]);
		return;
	}
	for (j = orig; j-- > 0;)
		dumpline(b, "b", m->mem[j].flags & NS_CREATE, m, &m->mem[j]);
	for (j = orig + 1; j < m->n; j++)
		dumpline(b, "a", m->mem[j].flags & NS_CREATE, m, &m->mem[j]);
}

int
ns_text(struct ns *ns, int form, char **out, size_t *len)
{
	struct sbuf b = { 0 };

	*out = NULL;
	*len = 0;
	sbput(&b, "", 0);
	for (size_t i = 0; i < ns->n; i++) {
		struct mount *m = ns->m[i];

		if (form == NS_TEXT_MOUNTS) {
			for (size_t j = 0; j < m->n; j++)
				mountsline(&b, m, &m->mem[j]);
		} else {
			dumpentry(&b, m);
		}
	}
	if (b.oom) {
		al_free(b.s);
		return E_NOMEM;
	}
	*out = b.s;
	*len = b.len;
	return 0;
}
