/*
 * path.c - path resolution through a namespace, the working-directory
 * path, and the path-level operations the ABI's path_* calls map to.
 *
 * The resolver is iterative.  The part of the path still to walk sits
 * right-aligned in a buffer of FS_PATH_MAX bytes; following a symlink
 * prepends its target in front of what remains, so no step ever copies
 * the rest of the path and the bound on the buffer is the bound on the
 * path (E_NAMETOOLONG beyond it).  The walk holds a reference to the
 * current directory (cur) and to each directory it came down through (a
 * stack, popped by ".."), so an error anywhere drops those and is done.
 *
 * Why a stack: with binds, one directory can be reached from several
 * places, so the place a ".." should return to is where the walk came
 * from, not something the directory or the mount table can tell.  The
 * stack also tells where the walk entered a confined (host) file system:
 * an absolute symlink there restarts from that entry point, so a host
 * directory bound anywhere can only ever name what lies inside it.
 */
#include <stdlib.h>
#include "base/alloc.h"
#include <string.h>

#include "fs/fs.h"
#include "fs/internal.h"

int
fs_check_name(const char *name, size_t len)
{
	if (len == 0 || (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')
	    || memchr(name, '/', len) || memchr(name, 0, len))
		return E_INVAL;
	return len > FS_NAME_MAX ? E_NAMETOOLONG : 0;
}

void
fs_path_release(struct fs_path *p)
{
	vn_unref(p->dir);
	vn_unref(p->vn);
	memset(p, 0, sizeof *p);
}

/* The state of one resolution. */
struct walk {
	struct ns *ns;
	int flags;
	char *buf;          /* [0, FS_PATH_MAX): the rest of the path, right-aligned */
	char *tmp;          /* FS_PATH_MAX + 1: a symlink's target */
	size_t pos;         /* the rest is buf[pos, FS_PATH_MAX) */
	int links;
	struct vnode *cur;  /* the directory the rest is relative to (a reference) */
	struct vnode **up;  /* the directories walked down through (references) */
	size_t nup, capup;
};

/* Steps down: cur goes on the stack, child (a reference) becomes cur. */
static int
push(struct walk *w, struct vnode *child)
{
	if (w->nup == w->capup) {
		size_t cap = w->capup ? w->capup * 2 : 16;
		struct vnode **up = al_realloc(w->up, cap * sizeof *up);

		if (!up)
			return E_NOMEM;
		w->up = up;
		w->capup = cap;
	}
	w->up[w->nup++] = w->cur;
	w->cur = child;
	return 0;
}

/* Forgets the stack from position k up. */
static void
cut(struct walk *w, size_t k)
{
	while (w->nup > k)
		vn_unref(w->up[--w->nup]);
}

/*
 * Where an absolute target of a link in confined fs starts: the directory
 * through which the walk entered fs (the stack is cut back to it), or,
 * when the whole walk lies inside fs, the namespace's root of fs.
 */
static void
confine(struct walk *w, struct fs *fs)
{
	struct vnode *start;
	size_t k = w->nup;

	if (w->cur->fs != fs) {
		/* cur is a union and the link is in a member of fs: enter that member. */
		start = ns_union_member(w->cur, fs);
		if (start) {
			vn_unref(w->cur);
			w->cur = start;
		}
		return;
	}
	while (k > 0 && w->up[k - 1]->fs == fs)
		k--;
	if (k == 0) {
		cut(w, 0);
		vn_unref(w->cur);
		w->cur = ns_confine_root(w->ns, fs);
		return;
	}
	if (k == w->nup)
		return;   /* cur itself is where the walk entered fs */
	vn_unref(w->cur);
	w->cur = w->up[k];
	for (size_t i = k + 1; i < w->nup; i++)
		vn_unref(w->up[i]);
	w->nup = k;
}

/*
 * Replaces the component just read (it ended at `end`) with link's target.
 * Relative targets continue from cur; absolute ones from the namespace
 * root, or the file system's root when it is confined.
 */
static int
splice(struct walk *w, struct vnode *link, size_t end)
{
	size_t tlen, rest = FS_PATH_MAX - end;
	struct vnode *start;
	int err;

	if (++w->links > FS_SYMLOOP_MAX)
		return E_LOOP;
	err = vn_readlink(link, w->tmp, FS_PATH_MAX + 1, &tlen);
	if (err)
		return err;
	if (tlen == 0)
		return E_NOENT;
	if (tlen > FS_PATH_MAX || tlen + rest > FS_PATH_MAX)
		return E_NAMETOOLONG;
	if (memchr(w->tmp, 0, tlen))
		return E_INVAL;
	w->pos = end - tlen;
	memcpy(w->buf + w->pos, w->tmp, tlen);
	if (w->tmp[0] == '/') {
		if (link->fs->flags & FS_CONFINE) {
			confine(w, link->fs);
		} else {
			start = ns_root(w->ns);
			cut(w, 0);
			vn_unref(w->cur);
			w->cur = start;
		}
	}
	return 0;
}

int
fs_resolve(struct ns *ns, struct vnode *cwd, const char *path, size_t len, int flags,
	   struct fs_path *out)
{
	struct walk w = { .ns = ns, .flags = flags };
	char walkbuf[2 * FS_PATH_MAX + 1];
	struct vnode *child = NULL, *next;
	size_t s, e, t;
	bool last, slash, covered;
	int err = 0;

	memset(out, 0, sizeof *out);
	if (len == 0)
		return E_NOENT;
	if (len > FS_PATH_MAX)
		return E_NAMETOOLONG;
	if (memchr(path, 0, len))
		return E_INVAL;
	if (path[0] != '/' && (!cwd || cwd->type != VN_DIR))
		return cwd ? E_NOTDIR : E_NOENT;
	/* On the stack: a lookup is the commonest call of all, and 8 KiB
	 * of host stack is cheaper than an allocation each time. */
	w.buf = walkbuf;
	w.tmp = w.buf + FS_PATH_MAX;
	w.pos = FS_PATH_MAX - len;
	memcpy(w.buf + w.pos, path, len);
	if (path[0] == '/') {
		w.cur = ns_root(ns);
	} else {
		vn_ref(cwd);
		w.cur = ns_translate(ns, cwd);
	}

	for (;;) {
		while (w.pos < FS_PATH_MAX && w.buf[w.pos] == '/')
			w.pos++;
		if (w.pos == FS_PATH_MAX) {
			/* Nothing named last ("/", "a/.", "a/b/.."): the result is cur. */
			out->vn = w.cur;
			w.cur = NULL;
			break;
		}
		s = w.pos;
		for (e = s; e < FS_PATH_MAX && w.buf[e] != '/'; e++)
			;
		if (e - s > FS_NAME_MAX) {
			err = E_NAMETOOLONG;
			goto fail;
		}
		for (t = e; t < FS_PATH_MAX && w.buf[t] == '/'; t++)
			;
		last = t == FS_PATH_MAX;
		slash = last && e < FS_PATH_MAX;
		if (w.cur->type != VN_DIR && !(w.cur->vflags & VN_HASKIDS)) {
			err = E_NOTDIR;
			goto fail;
		}
		w.pos = e;
		if (e - s == 1 && w.buf[s] == '.')
			continue;
		if (e - s == 2 && w.buf[s] == '.' && w.buf[s + 1] == '.') {
			if (w.nup) {
				vn_unref(w.cur);
				w.cur = w.up[--w.nup];
				continue;
			}
			err = ns_dotdot(ns, w.cur, &next);
			if (err)
				goto fail;
			vn_unref(w.cur);
			w.cur = next;
			continue;
		}
		err = vn_lookup(w.cur, w.buf + s, e - s, &child);
		if (err == E_NOENT && last && flags & FS_PARENT) {
			child = NULL;
			err = 0;
			covered = false;
		} else if (err) {
			goto fail;
		} else {
			child = ns_cross(ns, child, &covered);
		}
		if (child && child->type == VN_SYMLINK && (!last || slash || flags & FS_FOLLOW)) {
			err = splice(&w, child, e);
			vn_unref(child);
			child = NULL;
			if (err)
				goto fail;
			continue;
		}
		if (!last) {
			err = push(&w, child);
			if (err)
				goto fail;
			child = NULL;
			continue;
		}
		if (flags & FS_PARENT) {
			out->dir = w.cur;
			w.cur = NULL;
			memcpy(out->name, w.buf + s, e - s);
			out->name[e - s] = 0;
			out->namelen = e - s;
		} else if (slash && child->type != VN_DIR) {
			err = E_NOTDIR;
			goto fail;
		}
		out->vn = child;
		child = NULL;
		out->dirslash = slash;
		out->covered = covered;
		break;
	}
	vn_unref(w.cur);
	cut(&w, 0);
	al_free(w.up);
	out->rdonly = ns_rdonly(ns, out->vn ? out->vn : out->dir);
	return 0;
fail:
	vn_unref(child);
	vn_unref(w.cur);
	cut(&w, 0);
	al_free(w.up);
	fs_path_release(out);
	return err;
}

/* ---- getcwd --------------------------------------------------------- */

struct find {
	uint64_t ino;       /* wanted inode, or 0: every directory is a candidate */
	uint64_t cookie;    /* where the candidate was found / where to go on */
	char name[FS_NAME_MAX + 1];
	size_t namelen;
	bool found;
};

static int
findent(void *arg, const struct fs_dirent *d)
{
	struct find *f = arg;

	f->cookie = d->next;
	if (d->type != VN_DIR || (d->namelen <= 2 && d->name[0] == '.'
				  && (d->namelen == 1 || d->name[1] == '.')))
		return 0;
	if (f->ino && d->ino != f->ino)
		return 0;
	memcpy(f->name, d->name, d->namelen);
	f->namelen = d->namelen;
	f->found = true;
	return 1;
}

/*
 * The name under which parent holds me.  Inode numbers from readdir find
 * the candidate quickly; a lookup confirms it, because a host directory's
 * d_ino need not match (a mount point on the host shows the covered inode).
 * If no inode matches, every subdirectory is looked up.
 */
static int
nameof(struct vnode *parent, struct vnode *me, struct find *f)
{
	struct vnode *c;
	int pass, err;

	for (pass = 0; pass < 2; pass++) {
		f->ino = pass == 0 ? me->ino : 0;
		f->cookie = 0;
		for (;;) {
			f->found = false;
			err = vn_readdir(parent, f->cookie, findent, f);
			if (err)
				return err;
			if (!f->found)
				break;
			if (vn_lookup(parent, f->name, f->namelen, &c) == 0) {
				bool same = vn_same(c, me);
				vn_unref(c);
				if (same)
					return 0;
			}
		}
	}
	return E_NOENT;
}

int
fs_getcwd(struct ns *ns, struct vnode *dir, char *buf, size_t cap, size_t *len)
{
	char *tmp;
	size_t pos = FS_PATH_MAX, n;
	struct vnode *cur, *up = NULL, *me;
	struct find *f;
	int err = 0;

	if (len)
		*len = 0;
	if (dir->type != VN_DIR)
		return E_NOTDIR;
	tmp = al_malloc(FS_PATH_MAX + sizeof *f);
	if (!tmp)
		return E_NOMEM;
	f = (struct find *)(void *)(tmp + FS_PATH_MAX);
	vn_ref(dir);
	cur = ns_translate(ns, dir);
	while (!ns_is_root(ns, cur)) {
		me = ns_below(ns, cur);
		err = ns_dotdot(ns, cur, &up);
		if (err)
			goto out;
		if (vn_same(up, me)) {
			/* A root that is not mounted here: not reachable. */
			err = E_NOENT;
			goto out;
		}
		err = nameof(up, me, f);
		if (err)
			goto out;
		if (f->namelen + 1 > pos) {
			err = E_NAMETOOLONG;
			goto out;
		}
		pos -= f->namelen;
		memcpy(tmp + pos, f->name, f->namelen);
		tmp[--pos] = '/';
		vn_unref(cur);
		cur = up;
		up = NULL;
	}
	if (pos == FS_PATH_MAX)
		tmp[--pos] = '/';
	n = FS_PATH_MAX - pos;
	if (len)
		*len = n;
	if (n + 1 > cap) {
		err = E_RANGE;
		goto out;
	}
	memcpy(buf, tmp + pos, n);
	buf[n] = 0;
out:
	vn_unref(up);
	vn_unref(cur);
	al_free(tmp);
	return err;
}

/* ---- path-level operations ----------------------------------------- */

static int
resolve(struct ns *ns, struct vnode *base, const char *path, size_t len, int flags,
	struct fs_path *p)
{
	return fs_resolve(ns, base, path, len, flags, p);
}

/*
 * Resolves the two paths of a rename or a link (the new one as a parent):
 * both, or on an error neither.
 */
static int
resolve_pair(struct ns *ns, struct vnode *obase, const char *opath, size_t olen, int oflags,
	     struct vnode *nbase, const char *npath, size_t nlen, struct fs_path *o,
	     struct fs_path *n)
{
	int err = resolve(ns, obase, opath, olen, oflags, o);

	if (err)
		return err;
	err = resolve(ns, nbase, npath, nlen, FS_PARENT, n);
	if (err)
		fs_path_release(o);
	return err;
}

/*
 * Whether the directory p resolved into may be changed by an operation its
 * fs has (has_op) or lacks: 0, E_ROFS or E_NOTSUP.
 */
static int
changeable(const struct fs_path *p, bool has_op)
{
	if (p->rdonly)
		return E_ROFS;
	return has_op ? 0 : E_NOTSUP;
}

/*
 * Replaces a union parent directory by the member that holds (or would
 * create) the last name, so that operations between two directories see
 * the file systems they really touch: a rename from a union to a plain
 * directory of the same fs works, one across file systems is E_XDEV.
 */
static int
deunion(struct fs_path *p, bool create)
{
	struct vnode *d;
	bool ro = false;
	int err;

	for (int depth = 0; p->dir && p->namelen && ns_is_union(p->dir); depth++) {
		if (depth == NS_UNION_DEPTH)
			return E_LOOP;
		err = ns_union_pick(p->dir, p->name, p->namelen, create, &d, &ro);
		if (err)
			return err;
		vn_unref(p->dir);
		p->dir = d;
		p->rdonly |= ro;
	}
	return 0;
}

/*
 * A rename inside one union stays in the member that holds the old name,
 * rather than moving the file to the member that creates.
 */
static int
samedir(struct fs_path *o, struct fs_path *n)
{
	int err;

	if (o->dir != n->dir || !ns_is_union(o->dir))
		return 0;
	if ((err = deunion(o, false)) != 0)
		return err;
	vn_unref(n->dir);
	vn_ref(o->dir);
	n->dir = o->dir;
	n->rdonly |= o->rdonly;
	return 0;
}

/* The error for a path that names a directory by navigation ("/", "a/.."). */
static int
nonameerr(struct ns *ns, struct fs_path *p)
{
	return ns_is_root(ns, p->vn) ? E_BUSY : E_INVAL;
}

int
fs_open(struct ns *ns, struct vnode *base, const char *path, size_t len, unsigned oflags,
	struct fs_io *io, struct vnode **out)
{
	struct fs_path p;
	struct vnode *v = NULL;
	bool writing = oflags & (FS_O_WRITE | FS_O_TRUNC);
	int err;

	*out = NULL;
	err = resolve(ns, base, path, len,
		      (oflags & FS_O_NOFOLLOW ? 0 : FS_FOLLOW) | (oflags & FS_O_CREAT ? FS_PARENT : 0), &p);
	if (err)
		return err;
	if (p.vn) {
		if (oflags & FS_O_CREAT && oflags & FS_O_EXCL) {
			err = E_EXIST;
			goto out;
		}
		v = p.vn;
		vn_ref(v);
	} else {
		/* Only with FS_O_CREAT: the last name is missing. */
		if (p.dirslash) {
			err = E_ISDIR;
			goto out;
		}
		err = changeable(&p, p.dir->ops->create != NULL);
		if (!err)
			err = p.dir->ops->create(p.dir, p.name, p.namelen, VN_FILE, &v);
		if (err)
			goto out;
	}
	if (v->type == VN_SYMLINK)
		err = E_LOOP;
	else if (oflags & FS_O_DIRECTORY && v->type != VN_DIR)
		err = E_NOTDIR;
	else if (p.dirslash && v->type != VN_DIR)
		err = E_NOTDIR;
	else if (writing && v->type == VN_DIR)
		err = E_ISDIR;
	else if (writing && p.rdonly)
		err = E_ROFS;
	else if (oflags & FS_O_TRUNC && v->type == VN_FILE)
		err = vn_truncate(v, 0);
	if (!err && v->ops->open)
		err = v->ops->open(v, oflags, io);
	if (err)
		goto out;
	*out = v;
	v = NULL;
out:
	vn_unref(v);
	fs_path_release(&p);
	return err;
}

int
fs_mkdir(struct ns *ns, struct vnode *base, const char *path, size_t len)
{
	struct fs_path p;
	struct vnode *v = NULL;
	int err;

	err = resolve(ns, base, path, len, FS_PARENT, &p);
	if (err)
		return err;
	if (p.vn)
		err = E_EXIST;
	else if ((err = changeable(&p, p.dir->ops->create != NULL)) == 0)
		err = p.dir->ops->create(p.dir, p.name, p.namelen, VN_DIR, &v);
	vn_unref(v);
	fs_path_release(&p);
	return err;
}

int
fs_unlink(struct ns *ns, struct vnode *base, const char *path, size_t len)
{
	struct fs_path p;
	int err;

	err = resolve(ns, base, path, len, FS_PARENT, &p);
	if (err)
		return err;
	if (!p.vn)
		err = E_NOENT;
	else if (p.vn->type == VN_DIR)
		err = E_ISDIR;
	else if (p.dirslash)
		err = E_NOTDIR;
	else if ((err = changeable(&p, p.dir->ops->unlink != NULL)) == 0)
		err = p.dir->ops->unlink(p.dir, p.name, p.namelen);
	fs_path_release(&p);
	return err;
}

int
fs_rmdir(struct ns *ns, struct vnode *base, const char *path, size_t len)
{
	struct fs_path p;
	int err;

	err = resolve(ns, base, path, len, FS_PARENT, &p);
	if (err)
		return err;
	if (p.namelen == 0)
		err = nonameerr(ns, &p);
	else if (!p.vn)
		err = E_NOENT;
	else if (p.vn->type != VN_DIR)
		err = E_NOTDIR;
	else if (p.covered || ns_is_root(ns, p.vn))
		err = E_BUSY;
	else if ((err = changeable(&p, p.dir->ops->rmdir != NULL)) == 0)
		err = p.dir->ops->rmdir(p.dir, p.name, p.namelen);
	fs_path_release(&p);
	return err;
}

/* Whether dir is d or lies below it, walking ".." inside dir's fs. */
static int
within(struct vnode *dir, struct vnode *d, bool *yes)
{
	struct vnode *cur = dir, *up;
	int err = 0;

	*yes = false;
	vn_ref(cur);
	for (;;) {
		if (vn_same(cur, d)) {
			*yes = true;
			break;
		}
		if (vn_same(cur, cur->fs->root))
			break;
		err = vn_lookup(cur, "..", 2, &up);
		if (err)
			break;
		if (vn_same(up, cur)) {
			vn_unref(up);
			break;
		}
		vn_unref(cur);
		cur = up;
	}
	vn_unref(cur);
	return err;
}

int
fs_rename(struct ns *ns, struct vnode *obase, const char *opath, size_t olen,
	  struct vnode *nbase, const char *npath, size_t nlen)
{
	struct fs_path o, n;
	bool inside;
	int err;

	err = resolve_pair(ns, obase, opath, olen, FS_PARENT, nbase, npath, nlen, &o, &n);
	if (err)
		return err;
	if (o.namelen == 0)
		err = nonameerr(ns, &o);
	else if (!o.vn)
		err = E_NOENT;
	else if (n.namelen == 0)
		err = nonameerr(ns, &n);
	else if ((err = samedir(&o, &n)) != 0 || (err = deunion(&o, false)) != 0
		 || (err = deunion(&n, true)) != 0)
		;
	else if (o.covered || n.covered)
		err = E_BUSY;
	else if (o.dir->fs != n.dir->fs)
		err = E_XDEV;
	else if (o.rdonly || n.rdonly)
		err = E_ROFS;
	else if (n.vn && vn_same(o.vn, n.vn))
		err = 0;  /* POSIX: the same file under both names: nothing to do */
	else if (o.vn->type != VN_DIR && (o.dirslash || n.dirslash))
		err = E_NOTDIR;
	else if (o.vn->type == VN_DIR && n.vn && n.vn->type != VN_DIR)
		err = E_NOTDIR;
	else if (o.vn->type != VN_DIR && n.vn && n.vn->type == VN_DIR)
		err = E_ISDIR;
	else if (!o.dir->ops->rename)
		err = E_NOTSUP;
	else if (o.vn->type == VN_DIR && (err = within(n.dir, o.vn, &inside)) == 0 && inside)
		err = E_INVAL;
	else if (!err)
		err = o.dir->ops->rename(o.dir, o.name, o.namelen, n.dir, n.name, n.namelen);
	fs_path_release(&o);
	fs_path_release(&n);
	return err;
}

int
fs_link(struct ns *ns, struct vnode *obase, const char *opath, size_t olen, bool follow,
	struct vnode *nbase, const char *npath, size_t nlen)
{
	struct fs_path o, n;
	int err;

	err = resolve_pair(ns, obase, opath, olen, follow ? FS_FOLLOW : 0, nbase, npath, nlen, &o,
			   &n);
	if (err)
		return err;
	if (o.vn->type == VN_DIR)
		err = E_PERM;
	else if (n.vn || n.namelen == 0)
		err = E_EXIST;
	else if (n.dirslash)
		err = E_NOENT;
	else if ((err = deunion(&n, true)) != 0)
		;
	else if (o.vn->fs != n.dir->fs)
		err = E_XDEV;
	else if ((err = changeable(&n, n.dir->ops->link != NULL)) == 0)
		err = n.dir->ops->link(n.dir, n.name, n.namelen, o.vn);
	fs_path_release(&o);
	fs_path_release(&n);
	return err;
}

int
fs_symlink(struct ns *ns, const char *target, size_t tlen, struct vnode *base, const char *path,
	   size_t len)
{
	struct fs_path p;
	int err;

	if (tlen == 0)
		return E_NOENT;
	if (tlen > FS_PATH_MAX)
		return E_NAMETOOLONG;
	if (memchr(target, 0, tlen))
		return E_INVAL;
	err = resolve(ns, base, path, len, FS_PARENT, &p);
	if (err)
		return err;
	if (p.vn)
		err = E_EXIST;
	else if (p.dirslash)
		err = E_NOENT;
	else if ((err = changeable(&p, p.dir->ops->symlink != NULL)) == 0)
		err = p.dir->ops->symlink(p.dir, p.name, p.namelen, target, tlen);
	fs_path_release(&p);
	return err;
}

int
fs_readlink(struct ns *ns, struct vnode *base, const char *path, size_t len, char *buf,
	    size_t cap, size_t *n)
{
	struct fs_path p;
	int err;

	*n = 0;
	err = resolve(ns, base, path, len, 0, &p);
	if (err)
		return err;
	err = vn_readlink(p.vn, buf, cap, n);
	fs_path_release(&p);
	return err;
}

int
fs_stat(struct ns *ns, struct vnode *base, const char *path, size_t len, bool follow,
	struct fs_stat *st)
{
	struct fs_path p;
	int err;

	err = resolve(ns, base, path, len, follow ? FS_FOLLOW : 0, &p);
	if (err)
		return err;
	err = vn_stat(p.vn, st);
	fs_path_release(&p);
	return err;
}

int
fs_set_times(struct ns *ns, struct vnode *base, const char *path, size_t len, bool follow,
	     uint64_t atim, uint64_t mtim, unsigned flags)
{
	struct fs_path p;
	int err;

	err = resolve(ns, base, path, len, follow ? FS_FOLLOW : 0, &p);
	if (err)
		return err;
	err = p.rdonly ? E_ROFS : vn_set_times(p.vn, atim, mtim, flags);
	fs_path_release(&p);
	return err;
}

int
fs_put(struct ns *ns, const char *path, const void *data, size_t len)
{
	struct fs_io io = { 0 };
	struct vnode *v;
	size_t done = 0, n;
	unsigned of = FS_O_WRITE | FS_O_CREAT | FS_O_TRUNC;
	int err;

	err = fs_open(ns, NULL, path, strlen(path), of, &io, &v);
	if (err)
		return err;
	while (done < len) {
		err = vn_write(v, &io, done, (const char *)data + done, len - done, &n);
		if (err)
			break;
		if (n == 0) {
			err = E_IO;
			break;
		}
		done += n;
	}
	vn_close(v, of, &io);
	vn_unref(v);
	return err;
}

int
fs_get(struct ns *ns, struct vnode *base, const char *path, size_t max, void **data,
       size_t *len)
{
	struct fs_io io = { 0 };
	struct fs_stat st;
	struct vnode *v;
	size_t done = 0, n;
	char *buf = NULL;
	int err;

	*data = NULL;
	*len = 0;
	err = fs_open(ns, base, path, strlen(path), FS_O_READ, &io, &v);
	if (err)
		return err;
	err = vn_stat(v, &st);
	if (!err && st.type != VN_FILE)
		err = st.type == VN_DIR ? E_ISDIR : E_INVAL;
	if (!err && st.size > max)
		err = E_FBIG;
	if (!err && !(buf = al_malloc(st.size ? (size_t)st.size : 1)))
		err = E_NOMEM;
	while (!err && done < st.size) {
		err = vn_read(v, &io, done, buf + done, (size_t)st.size - done, &n);
		if (!err && n == 0)
			break;  /* shrunk underneath us: return what is there */
		done += n;
	}
	vn_close(v, FS_O_READ, &io);
	vn_unref(v);
	if (err) {
		al_free(buf);
		return err;
	}
	*data = buf;
	*len = done;
	return 0;
}

/* ---- the default root -------------------------------------------- */

struct ns *
fs_default_root(uint64_t quota, uint64_t seed, struct fs **devfs_out)
{
	static const char *const dirs[] = { "/bin", "/tmp", "/dev", "/task", "/cap", "/home", "/etc" };
	struct fs *mem = NULL, *dev = NULL;
	struct vnode *root = NULL;
	struct ns *ns = NULL;

	if (devfs_out)
		*devfs_out = NULL;
	mem = memfs_new(quota);
	dev = devfs_new(seed);
	if (!mem || !dev)
		goto fail;
	root = fs_root(mem);
	ns = ns_new(root);
	vn_unref(root);
	if (!ns)
		goto fail;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (fs_mkdir(ns, NULL, dirs[i], strlen(dirs[i])) != 0)
			goto fail;
	if (ns_mount(ns, "/dev", 4, dev->root, 0) != 0)
		goto fail;
	fs_unref(mem);
	if (devfs_out)
		*devfs_out = dev;
	else
		fs_unref(dev);
	return ns;
fail:
	ns_unref(ns);
	fs_unref(mem);
	fs_unref(dev);
	return NULL;
}
