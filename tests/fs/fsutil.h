/*
 * fsutil.h - small helpers shared by the fs unit tests.
 */
#ifndef WARREN_TESTS_FSUTIL_H
#define WARREN_TESTS_FSUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fs.h"
#include "unit.h"

#define S(s) (s), strlen(s)

/* A memfs root namespace with the quota given; *fsp gets a borrowed fs pointer. */
static inline struct ns *
memns(uint64_t quota, struct fs **fsp)
{
	struct fs *fs = memfs_new(quota);
	struct vnode *root = fs_root(fs);
	struct ns *ns = ns_new(root);

	vn_unref(root);
	if (fsp)
		*fsp = fs;
	fs_unref(fs);
	return ns;
}

static inline int
putstr(struct ns *ns, const char *path, const char *s)
{
	return fs_put(ns, path, s, strlen(s));
}

/* The whole file at path as a NUL-terminated string (static buffer), or NULL with *err. */
static inline const char *
getstr(struct ns *ns, struct vnode *base, const char *path, int *err)
{
	static char buf[4096];
	void *data;
	size_t len;
	int e = fs_get(ns, base, path, sizeof buf - 1, &data, &len);

	if (err)
		*err = e;
	if (e)
		return NULL;
	memcpy(buf, data, len);
	buf[len] = 0;
	free(data);
	return buf;
}

static inline int
resolve(struct ns *ns, struct vnode *cwd, const char *path, int flags, struct vnode **out)
{
	struct fs_path p;
	int err = fs_resolve(ns, cwd, path, strlen(path), flags, &p);

	*out = NULL;
	if (err)
		return err;
	if (flags & FS_PARENT) {
		fs_path_release(&p);
		return 0;
	}
	*out = p.vn;
	p.vn = NULL;
	fs_path_release(&p);
	return 0;
}

static inline uint64_t
nlink(struct ns *ns, const char *path)
{
	struct fs_stat st;

	if (fs_stat(ns, NULL, S(path), false, &st) != 0)
		return (uint64_t)-1;
	return st.nlink;
}

/* readdir collection: names joined by ' ' (without "." and ".."). */
struct names {
	char buf[4096];
	size_t len;
	int count, limit;
	uint64_t cookie;
};

static inline int
collect(void *arg, const struct fs_dirent *d)
{
	struct names *n = arg;

	if (n->limit && n->count == n->limit)
		return 1;
	n->cookie = d->next;
	n->count++;
	if ((d->namelen == 1 && d->name[0] == '.') || (d->namelen == 2 && !memcmp(d->name, "..", 2)))
		return 0;
	if (n->len + d->namelen + 2 < sizeof n->buf) {
		if (n->len)
			n->buf[n->len++] = ' ';
		memcpy(n->buf + n->len, d->name, d->namelen);
		n->len += d->namelen;
		n->buf[n->len] = 0;
	}
	return 0;
}

/* Lists dir (absolute path) from cookie 0 into n. */
static inline int
listdir(struct ns *ns, const char *path, struct names *n)
{
	struct vnode *v;
	int err;

	memset(n, 0, sizeof *n);
	err = resolve(ns, NULL, path, FS_FOLLOW, &v);
	if (err)
		return err;
	err = vn_readdir(v, 0, collect, n);
	vn_unref(v);
	return err;
}

#endif
