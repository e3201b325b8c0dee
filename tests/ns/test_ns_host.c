/*
 * test_ns_host.c - the hostile suite for binds over a host directory:
 * whatever is bound where, no walk reaches a host file outside what the
 * namespace shows.  Layout on the host (a fresh temp dir T):
 *
 *   T/outside/secret           "SECRET"  (must never be read)
 *   T/box/                     mounted at /mnt
 *   T/box/etc/passwd           "INSIDE"
 *   T/box/inner/file           "FILE"
 *   T/box/inner/up             -> ../../outside/secret
 *   T/box/inner/abs            -> /outside/secret
 *   T/box/inner/abs2           -> /etc/passwd
 *   T/box/inner/hostabs        -> T/outside/secret
 *   T/box/inner/dotdots        -> ../../../../../../..
 *   T/box/inner/loop           -> loop
 *   T/box/outlink              -> T/outside
 *
 * and in the namespace: /i = bind of /mnt/inner, /u = a union of a memfs
 * directory and /mnt/inner, /j = bind of /mnt/etc.
 */
#define _GNU_SOURCE
#include "fs/hostbox.h"
#include "fs/internal.h"

/* hostflags: HOSTFS_RDONLY or 0; nsflags: NS_RDONLY or 0 for the /mnt mount. */
static int
hsetup(struct hostbox *b, unsigned hostflags, unsigned nsflags)
{
	char p[512];
	struct vnode *root;

	if (hostbox_make(b, "warren-ns"))
		return -1;
	hostbox_link(b, "../../outside/secret", "inner/up");
	hostbox_link(b, "/outside/secret", "inner/abs");
	hostbox_link(b, "/etc/passwd", "inner/abs2");
	snprintf(p, sizeof p, "%s/outside/secret", b->top);
	hostbox_link(b, p, "inner/hostabs");
	hostbox_link(b, "../../../../../../..", "inner/dotdots");
	hostbox_link(b, "loop", "inner/loop");
	snprintf(p, sizeof p, "%s/outside", b->top);
	hostbox_link(b, p, "outlink");

	b->ns = memns(0, NULL);
	if (fs_mkdir(b->ns, NULL, S("/mnt")) || fs_mkdir(b->ns, NULL, S("/i"))
	    || fs_mkdir(b->ns, NULL, S("/u")) || fs_mkdir(b->ns, NULL, S("/j"))
	    || putstr(b->ns, "/u/mine", "MINE") || hostfs_new(b->box, hostflags, &b->fs))
		return -1;
	root = fs_root(b->fs);
	if (ns_mount(b->ns, S("/mnt"), root, nsflags)) {
		vn_unref(root);
		return -1;
	}
	vn_unref(root);
	if (ns_bind(b->ns, NULL, S("/mnt/inner"), S("/i"), 0)
	    || ns_bind(b->ns, NULL, S("/mnt/inner"), S("/u"), NS_AFTER)
	    || ns_bind(b->ns, NULL, S("/mnt/etc"), S("/j"), 0))
		return -1;
	return 0;
}

TEST(ns_host_binds_basic)
{
	struct hostbox b;
	struct names n;
	int err;

	CHECK(hsetup(&b, 0, 0) == 0);
	CHECK_STR(hostbox_read(&b, NULL, "/i/file", NULL), "FILE");
	CHECK_STR(hostbox_read(&b, NULL, "/u/file", NULL), "FILE");
	CHECK_STR(hostbox_read(&b, NULL, "/u/mine", NULL), "MINE");
	CHECK_STR(hostbox_read(&b, NULL, "/j/passwd", NULL), "INSIDE");
	CHECK_EQ_U64(listdir(b.ns, "/u", &n), 0);
	CHECK(strstr(n.buf, "mine") && strstr(n.buf, "file") && strstr(n.buf, "abs"));
	/* Leaving a bind by ".." returns to the namespace, not to the box. */
	CHECK_STR(hostbox_read(&b, NULL, "/i/../u/mine", NULL), "MINE");
	CHECK_STR(hostbox_read(&b, NULL, "/j/../i/file", NULL), "FILE");
	CHECK_EQ_U64(fs_stat(b.ns, NULL, S("/i/../etc"), true, &(struct fs_stat){ 0 }), E_NOENT);
	/* A write through a bind lands in the box; through the union in the original. */
	CHECK_EQ_U64(putstr(b.ns, "/i/new", "NEW"), 0);
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/inner/new", NULL), "NEW");
	CHECK_EQ_U64(putstr(b.ns, "/u/made", "M"), 0);
	CHECK_EQ_U64(fs_stat(b.ns, NULL, S("/mnt/inner/made"), true, &(struct fs_stat){ 0 }), E_NOENT);
	hostbox_read(&b, NULL, "/u/up", &err);
	CHECK_EQ_U64(err, E_NOENT);
	hostbox_free(&b);
}

TEST(ns_host_binds_links)
{
	struct hostbox b;
	int err;

	CHECK(hsetup(&b, 0, 0) == 0);
	/* Through the whole box: absolute links start at the box root. */
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/inner/abs2", NULL), "INSIDE");
	/* Through a bind of a subdirectory: only the bound part is reachable. */
	static const char *const paths[] = {
		"/i/up", "/i/abs", "/i/abs2", "/i/hostabs", "/i/dotdots/outside/secret",
		"/u/up", "/u/abs", "/u/abs2", "/u/hostabs", "/u/dotdots/outside/secret",
		"/mnt/inner/up", "/mnt/inner/abs", "/mnt/inner/hostabs",
		"/mnt/inner/dotdots/outside/secret", "/mnt/outlink/secret", "/i/loop",
		"/j/../../outside/secret", "/i/../../../outside/secret",
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		const char *s = hostbox_read(&b, NULL, paths[i], &err);

		if (s)
			unit_fail(__FILE__, __LINE__, "%s read \"%s\"", paths[i], s);
	}
	hostbox_read(&b, NULL, "/i/abs2", &err);
	CHECK_EQ_U64(err, E_NOENT);
	hostbox_read(&b, NULL, "/i/loop", &err);
	CHECK_EQ_U64(err, E_LOOP);
	/* Binding a link that leaves the box binds nothing. */
	CHECK_EQ_U64(ns_bind(b.ns, NULL, S("/mnt/outlink"), S("/i"), 0), E_NOENT);
	CHECK_EQ_U64(ns_bind(b.ns, NULL, S("/i/dotdots"), S("/j"), 0), 0);   /* the root: fine */
	CHECK_STR(hostbox_read(&b, NULL, "/j/u/mine", NULL), "MINE");
	hostbox_free(&b);
}

TEST(ns_host_binds_cwd)
{
	struct hostbox b;
	struct vnode *inner, *u, *v;
	char buf[256];

	CHECK(hsetup(&b, 0, 0) == 0);
	CHECK_EQ_U64(resolve(b.ns, NULL, "/i", FS_FOLLOW, &inner), 0);
	CHECK_EQ_U64(resolve(b.ns, NULL, "/u", FS_FOLLOW, &u), 0);
	CHECK_EQ_U64(fs_getcwd(b.ns, inner, buf, sizeof buf, NULL), 0);
	CHECK_STR(buf, "/u");   /* bound in two places: the topmost names it */
	CHECK_EQ_U64(fs_getcwd(b.ns, u, buf, sizeof buf, NULL), 0);
	CHECK_STR(buf, "/u");
	CHECK_STR(hostbox_read(&b, inner, "file", NULL), "FILE");
	CHECK_STR(hostbox_read(&b, u, "mine", NULL), "MINE");
	CHECK(hostbox_read(&b, inner, "../../../outside/secret", NULL) == NULL);
	CHECK(hostbox_read(&b, inner, "abs", NULL) == NULL);
	CHECK(hostbox_read(&b, u, "abs", NULL) == NULL);
	CHECK(hostbox_read(&b, u, "../../outside/secret", NULL) == NULL);
	/* Everything unbound: a working directory left inside still cannot leave the box. */
	CHECK_EQ_U64(ns_unbind(b.ns, NULL, NULL, 0, S("/u")), 0);
	CHECK_EQ_U64(ns_unbind(b.ns, NULL, NULL, 0, S("/i")), 0);
	CHECK_EQ_U64(ns_unbind(b.ns, NULL, NULL, 0, S("/j")), 0);
	CHECK_EQ_U64(ns_unbind(b.ns, NULL, NULL, 0, S("/mnt")), 0);
	CHECK(hostbox_read(&b, inner, "../../outside/secret", NULL) == NULL);
	CHECK(hostbox_read(&b, inner, "../../../../../outside/secret", NULL) == NULL);
	CHECK(hostbox_read(&b, inner, "abs", NULL) == NULL);
	CHECK(hostbox_read(&b, inner, "hostabs", NULL) == NULL);
	CHECK_STR(hostbox_read(&b, inner, "abs2", NULL), "INSIDE");   /* the box is all it has */
	CHECK_EQ_U64(resolve(b.ns, inner, "../../..", 0, &v), 0);
	CHECK(v == b.fs->root);
	vn_unref(v);
	CHECK_EQ_U64(fs_getcwd(b.ns, inner, buf, sizeof buf, NULL), E_NOENT);
	vn_unref(u);
	vn_unref(inner);
	hostbox_free(&b);
}

TEST(ns_host_binds_rdonly)
{
	struct hostbox b;

	/* A read-only mount stays read-only through every bind and union. */
	CHECK(hsetup(&b, 0, NS_RDONLY) == 0);
	CHECK_EQ_U64(putstr(b.ns, "/mnt/inner/x", "x"), E_ROFS);
	CHECK_EQ_U64(putstr(b.ns, "/i/x", "x"), E_ROFS);
	CHECK_EQ_U64(putstr(b.ns, "/j/passwd", "x"), E_ROFS);
	CHECK_EQ_U64(fs_unlink(b.ns, NULL, S("/u/file")), E_ROFS);
	CHECK_EQ_U64(fs_rename(b.ns, NULL, S("/u/file"), NULL, S("/u/file2")), E_ROFS);
	CHECK_EQ_U64(putstr(b.ns, "/u/mine2", "ok"), 0);   /* the memfs original creates */
	CHECK_EQ_U64(ns_bind(b.ns, NULL, S("/i"), S("/u"), NS_BEFORE | NS_CREATE), E_EXIST);
	CHECK_EQ_U64(ns_unbind(b.ns, NULL, S("/i"), S("/u")), 0);
	CHECK_EQ_U64(ns_bind(b.ns, NULL, S("/i"), S("/u"), NS_BEFORE | NS_CREATE), 0);
	CHECK_EQ_U64(putstr(b.ns, "/u/mine3", "x"), E_ROFS);
	CHECK_EQ_U64(fs_mkdir(b.ns, NULL, S("/u/d")), E_ROFS);
	CHECK_STR(hostbox_read(&b, NULL, "/u/file", NULL), "FILE");
	hostbox_free(&b);
	/* A read-only host fs, mounted writable: the same. */
	CHECK(hsetup(&b, HOSTFS_RDONLY, 0) == 0);
	CHECK_EQ_U64(putstr(b.ns, "/i/x", "x"), E_ROFS);
	CHECK_EQ_U64(fs_symlink(b.ns, S("x"), NULL, S("/i/s")), E_ROFS);
	hostbox_free(&b);
}

/*
 * Random walks: paths built from components that include every way out,
 * from the root and from working directories inside binds and unions.
 */
TEST(ns_host_binds_random_walks)
{
	static const char *const parts[] = {
		".", "..", "i", "u", "j", "mnt", "inner", "etc", "passwd", "file", "up", "abs",
		"abs2", "hostabs", "dotdots", "outlink", "outside", "secret", "loop", "",
	};
	struct hostbox b;
	struct vnode *bases[4] = { NULL }, *v;
	char path[512];
	uint64_t x = 424242;
	int i, n, reached = 0, files = 0;

	CHECK(hsetup(&b, 0, 0) == 0);
	CHECK_EQ_U64(resolve(b.ns, NULL, "/i", FS_FOLLOW, &bases[1]), 0);
	CHECK_EQ_U64(resolve(b.ns, NULL, "/u", FS_FOLLOW, &bases[2]), 0);
	CHECK_EQ_U64(resolve(b.ns, NULL, "/j", FS_FOLLOW, &bases[3]), 0);
	for (i = 0; i < 20000; i++) {
		size_t len = 0;
		struct vnode *base;

		x = x * 6364136223846793005u + 1442695040888963407u;
		n = 1 + (int)((x >> 59) & 7);
		base = bases[(x >> 30) & 3];
		if (!base || (x >> 20) & 1)
			len = (size_t)snprintf(path, sizeof path, "/");
		len = hostbox_names(&x, parts, sizeof parts / sizeof parts[0], n, path, sizeof path,
				    len);
		if (len == 0)
			continue;
		if (resolve(b.ns, path[0] == '/' ? NULL : base, path, FS_FOLLOW, &v) == 0) {
			reached++;
			if (v->type == VN_FILE) {
				files++;
				hostbox_read(&b, path[0] == '/' ? NULL : base, path, NULL);
			}
			vn_unref(v);
		}
		/* Halfway, the binds change under the walks. */
		if (i == 10000) {
			CHECK_EQ_U64(ns_bind(b.ns, NULL, S("/mnt/etc"), S("/u"), NS_BEFORE), 0);
			CHECK_EQ_U64(ns_unbind(b.ns, NULL, NULL, 0, S("/mnt")), 0);
		}
	}
	if (reached < 800 || files < 50)
		unit_fail(__FILE__, __LINE__, "only %d walks reached something, %d files", reached, files);
	for (i = 0; i < 4; i++)
		vn_unref(bases[i]);
	hostbox_free(&b);
}
