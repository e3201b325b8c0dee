/*
 * ns.c - namespaces: refcounted, ordered mount tables.
 *
 * A mount is (covered directory -> root of a file system).  Mounts are
 * keyed by the covered vnode, not by a path string, so a mount stays where
 * it is whatever path reaches it (relative paths, symlinks, ".."), as in
 * Plan 9.  Entry 0 is the namespace root and covers nothing.  Later entries
 * sit on top of earlier ones: mounting on a mount point covers the root of
 * the mount below.  Tables are small (a handful of entries), so a linear
 * scan per step is cheaper than any index.
 */
#include <stdlib.h>
#include <string.h>

#include "fs/fs.h"
#include "fs/internal.h"

struct mount {
	struct vnode *covered;   /* NULL for entry 0 */
	struct vnode *root;
	unsigned flags;
	char *path;              /* as given to ns_mount, for listings */
};

struct ns {
	unsigned refs;
	size_t n, cap;
	struct mount *m;
};

static int
grow(struct ns *ns)
{
	struct mount *m;
	size_t cap;

	if (ns->n < ns->cap)
		return 0;
	cap = ns->cap ? ns->cap * 2 : 4;
	m = realloc(ns->m, cap * sizeof *m);
	if (!m)
		return E_NOMEM;
	ns->m = m;
	ns->cap = cap;
	return 0;
}

static char *
strndup_(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

struct ns *
ns_new(struct vnode *root)
{
	struct ns *ns = calloc(1, sizeof *ns);

	if (!ns || grow(ns) != 0 || !(ns->m[0].path = strndup_("/", 1))) {
		if (ns)
			free(ns->m);
		free(ns);
		return NULL;
	}
	ns->refs = 1;
	ns->n = 1;
	ns->m[0].covered = NULL;
	ns->m[0].root = root;
	ns->m[0].flags = 0;
	vn_ref(root);
	return ns;
}

struct ns *
ns_copy(struct ns *ns)
{
	struct ns *c = calloc(1, sizeof *c);
	size_t i;

	if (!c)
		return NULL;
	c->m = calloc(ns->n, sizeof *c->m);
	if (!c->m) {
		free(c);
		return NULL;
	}
	for (i = 0; i < ns->n; i++) {
		c->m[i] = ns->m[i];
		c->m[i].path = strndup_(ns->m[i].path, strlen(ns->m[i].path));
		if (!c->m[i].path)
			goto fail;
		if (c->m[i].covered)
			vn_ref(c->m[i].covered);
		vn_ref(c->m[i].root);
	}
	c->refs = 1;
	c->n = c->cap = ns->n;
	return c;
fail:
	c->n = i;
	c->refs = 1;
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
	for (size_t i = 0; i < ns->n; i++) {
		vn_unref(ns->m[i].covered);
		vn_unref(ns->m[i].root);
		free(ns->m[i].path);
	}
	free(ns->m);
	free(ns);
}

struct vnode *
ns_root(struct ns *ns)
{
	vn_ref(ns->m[0].root);
	return ns->m[0].root;
}

bool
ns_is_root(struct ns *ns, struct vnode *v)
{
	return vn_same(v, ns->m[0].root);
}

/* The topmost entry (> 0) whose covered directory is v, or 0. */
static size_t
covering(struct ns *ns, struct vnode *v)
{
	for (size_t i = ns->n; i-- > 1;)
		if (vn_same(ns->m[i].covered, v))
			return i;
	return 0;
}

/* The topmost entry (> 0) whose root is v, or 0. */
static size_t
rooted(struct ns *ns, struct vnode *v)
{
	for (size_t i = ns->n; i-- > 1;)
		if (vn_same(ns->m[i].root, v))
			return i;
	return 0;
}

struct vnode *
ns_cross(struct ns *ns, struct vnode *v, bool *covered)
{
	size_t i, steps;
	struct vnode *r;

	*covered = false;
	/* ns->n bounds the steps even if a table ever held a cycle. */
	for (steps = 0; steps < ns->n && (i = covering(ns, v)) != 0; steps++) {
		r = ns->m[i].root;
		vn_ref(r);
		vn_unref(v);
		v = r;
		*covered = true;
	}
	return v;
}

struct vnode *
ns_below(struct ns *ns, struct vnode *v)
{
	size_t i, steps;

	for (steps = 0; steps < ns->n && !ns_is_root(ns, v) && (i = rooted(ns, v)) != 0; steps++)
		v = ns->m[i].covered;
	return v;
}

int
ns_dotdot(struct ns *ns, struct vnode *v, struct vnode **out)
{
	*out = NULL;
	if (ns_is_root(ns, v)) {
		vn_ref(v);
		*out = v;
		return 0;
	}
	v = ns_below(ns, v);
	if (ns_is_root(ns, v)) {
		vn_ref(v);
		*out = v;
		return 0;
	}
	return vn_lookup(v, "..", 2, out);
}

bool
ns_rdonly(struct ns *ns, struct vnode *v)
{
	if (v->fs->flags & FS_RDONLY)
		return true;
	for (size_t i = ns->n; i-- > 0;)
		if (ns->m[i].root->fs == v->fs)
			return (ns->m[i].flags & NS_RDONLY) != 0;
	return false;
}

int
ns_mount(struct ns *ns, const char *path, size_t len, struct vnode *root, unsigned flags)
{
	struct fs_path p;
	char *s;
	int err;

	if (root->type != VN_DIR)
		return E_NOTDIR;
	if (flags & ~(unsigned)NS_RDONLY)
		return E_INVAL;
	err = fs_resolve(ns, NULL, path, len, FS_FOLLOW, &p);
	if (err)
		return err;
	if (p.vn->type != VN_DIR) {
		err = E_NOTDIR;
		goto out;
	}
	/* Mounting a mount's own root on itself would make ns_cross spin. */
	if (vn_same(p.vn, root)) {
		err = E_INVAL;
		goto out;
	}
	s = strndup_(path, len);
	if (!s || grow(ns) != 0) {
		free(s);
		err = E_NOMEM;
		goto out;
	}
	ns->m[ns->n++] = (struct mount){ .covered = p.vn, .root = root, .flags = flags, .path = s };
	vn_ref(root);
	p.vn = NULL;    /* the entry keeps the reference */
out:
	fs_path_release(&p);
	return err;
}

int
ns_unmount(struct ns *ns, const char *path, size_t len)
{
	struct fs_path p;
	struct vnode *raw = NULL;
	size_t i, top = 0, steps;
	int err;

	/* Find the raw directory the name denotes, then climb its mount stack. */
	err = fs_resolve(ns, NULL, path, len, FS_PARENT, &p);
	if (err)
		return err;
	if (p.namelen == 0 || !p.vn) {
		err = p.vn ? E_INVAL : E_NOENT;
		goto out;
	}
	err = vn_lookup(p.dir, p.name, p.namelen, &raw);
	if (err)
		goto out;
	for (steps = 0; steps < ns->n && (i = covering(ns, top ? ns->m[top].root : raw)) != 0;
	     steps++)
		top = i;
	if (!top) {
		err = E_INVAL;
		goto out;
	}
	vn_unref(ns->m[top].covered);
	vn_unref(ns->m[top].root);
	free(ns->m[top].path);
	memmove(&ns->m[top], &ns->m[top + 1], (ns->n - top - 1) * sizeof ns->m[0]);
	ns->n--;
out:
	vn_unref(raw);
	fs_path_release(&p);
	return err;
}
