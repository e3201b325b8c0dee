/*
 * test_hostfs.c - a host directory mounted in a namespace, and every way
 * out of it we could think of.  Layout on the host (a fresh temp dir T):
 *
 *   T/outside/secret          "SECRET"  (must never be read)
 *   T/box/                    mounted at /mnt
 *   T/box/etc/passwd          "INSIDE"
 *   T/box/inner/file          "FILE"
 *
 * plus symlinks added by each test.  The namespace root is a memfs with
 * /mnt and nothing named "outside", so a walk that leaves the box the
 * Unix way lands in memfs and finds nothing.
 */
#define _GNU_SOURCE
#include <fcntl.h>

#include "hostbox.h"

static int
setup(struct hostbox *b, unsigned flags)
{
	struct vnode *root;

	if (hostbox_make(b, "warren-hostfs"))
		return -1;
	b->ns = memns(0, NULL);
	if (fs_mkdir(b->ns, NULL, S("/mnt")) != 0 || hostfs_new(b->box, flags, &b->fs) != 0)
		return -1;
	root = fs_root(b->fs);
	if (ns_mount(b->ns, S("/mnt"), root, 0) != 0)
		return -1;
	vn_unref(root);
	return 0;
}

TEST(fs_hostfs_basic)
{
	struct hostbox b;
	struct names n;
	struct vnode *v;
	struct fs_io io = { 0 };
	struct fs_stat st;
	char buf[256], p[400];
	size_t len;
	int err;

	CHECK(setup(&b, 0) == 0);
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/inner/file", NULL), "FILE");
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/etc/passwd", NULL), "INSIDE");
	CHECK_EQ_U64(listdir(b.ns, "/mnt", &n), 0);
	CHECK(strstr(n.buf, "etc") && strstr(n.buf, "inner") && !strstr(n.buf, ".."));
	/* Writes go to the host. */
	CHECK_EQ_U64(putstr(b.ns, "/mnt/new", "NEW"), 0);
	snprintf(p, sizeof p, "%s/new", b.box);
	{
		FILE *f = fopen(p, "r");
		CHECK(f != NULL);
		if (f) {
			CHECK(fgets(buf, sizeof buf, f) != NULL);
			CHECK_STR(buf, "NEW");
			fclose(f);
		}
	}
	CHECK_EQ_U64(fs_mkdir(b.ns, NULL, S("/mnt/d")), 0);
	CHECK_EQ_U64(fs_mkdir(b.ns, NULL, S("/mnt/d")), E_EXIST);
	CHECK_EQ_U64(fs_rename(b.ns, NULL, S("/mnt/new"), NULL, S("/mnt/d/moved")), 0);
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/d/moved", NULL), "NEW");
	CHECK_EQ_U64(fs_link(b.ns, NULL, S("/mnt/d/moved"), false, NULL, S("/mnt/hard")), 0);
	CHECK_EQ_U64(nlink(b.ns, "/mnt/hard"), 2);
	CHECK_EQ_U64(fs_rmdir(b.ns, NULL, S("/mnt/d")), E_NOTEMPTY);
	CHECK_EQ_U64(fs_unlink(b.ns, NULL, S("/mnt/d/moved")), 0);
	CHECK_EQ_U64(fs_rmdir(b.ns, NULL, S("/mnt/d")), 0);
	CHECK_EQ_U64(fs_unlink(b.ns, NULL, S("/mnt/inner")), E_ISDIR);
	CHECK_EQ_U64(fs_symlink(b.ns, S("inner/file"), NULL, S("/mnt/sl")), 0);
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/sl", NULL), "FILE");
	CHECK_EQ_U64(fs_readlink(b.ns, NULL, S("/mnt/sl"), buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(len, 10);
	CHECK_EQ_U64(fs_rename(b.ns, NULL, S("/mnt/hard"), NULL, S("/top")), E_XDEV);
	/* Files: read, write, truncate, stat, times through an open vnode. */
	CHECK_EQ_U64(fs_open(b.ns, NULL, S("/mnt/inner/file"), FS_O_READ | FS_O_WRITE, &io, &v), 0);
	CHECK_EQ_U64(vn_write(v, &io, 4, "+MORE", 5, &len), 0);
	CHECK_EQ_U64(vn_read(v, &io, 0, buf, sizeof buf, &len), 0);
	CHECK_EQ_U64(len, 9);
	CHECK_MEM(buf, "FILE+MORE", 9);
	CHECK_EQ_U64(vn_truncate(v, 2), 0);
	CHECK_EQ_U64(vn_stat(v, &st), 0);
	CHECK_EQ_U64(st.size, 2);
	CHECK_EQ_U64(st.type, VN_FILE);
	CHECK_EQ_U64(vn_set_times(v, 1000000000ull * 7, 1000000000ull * 9, FS_ATIM | FS_MTIM), 0);
	CHECK_EQ_U64(vn_stat(v, &st), 0);
	CHECK_EQ_U64(st.mtim, 1000000000ull * 9);
	CHECK_EQ_U64(vn_sync(v), 0);
	vn_unref(v);
	/* getcwd inside the mount. */
	CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/inner", 0, &v), 0);
	CHECK_EQ_U64(fs_getcwd(b.ns, v, buf, sizeof buf, NULL), 0);
	CHECK_STR(buf, "/mnt/inner");
	vn_unref(v);
	/* Opening a missing file through O_CREAT, then O_EXCL. */
	CHECK_EQ_U64(fs_open(b.ns, NULL, S("/mnt/c"), FS_O_CREAT | FS_O_EXCL | FS_O_WRITE, &io, &v), 0);
	vn_unref(v);
	err = fs_open(b.ns, NULL, S("/mnt/c"), FS_O_CREAT | FS_O_EXCL | FS_O_WRITE, &io, &v);
	CHECK_EQ_U64(err, E_EXIST);
	hostbox_free(&b);
}

TEST(fs_hostfs_escape_dotdot)
{
	struct hostbox b;
	struct vnode *v, *w, *mroot;
	int err;

	CHECK(setup(&b, 0) == 0);
	CHECK(!hostbox_read(&b, NULL, "/mnt/../outside/secret", &err));
	CHECK_EQ_U64(err, E_NOENT);
	CHECK(!hostbox_read(&b, NULL, "/mnt/inner/../../outside/secret", &err));
	CHECK_EQ_U64(err, E_NOENT);
	CHECK(!hostbox_read(&b, NULL, "/mnt/../../../../outside/secret", &err));
	CHECK_EQ_U64(err, E_NOENT);
	CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/inner", 0, &v), 0);
	CHECK(!hostbox_read(&b, v, "../../outside/secret", &err));
	CHECK(!hostbox_read(&b, v, "../../../../../../../../outside/secret", &err));
	CHECK_EQ_U64(err, E_NOENT);
	vn_unref(v);
	/* ".." at the mount root leaves into the namespace: here the memfs root. */
	CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/..", 0, &v), 0);
	w = ns_root(b.ns);
	CHECK(v == w);
	vn_unref(v);
	vn_unref(w);
	/* Unmounted, the hostfs root's ".." is itself: never the host parent. */
	mroot = fs_root(b.fs);
	CHECK_EQ_U64(ns_unmount(b.ns, S("/mnt")), 0);
	CHECK_EQ_U64(resolve(b.ns, mroot, "../../..", 0, &v), 0);
	CHECK(vn_same(v, mroot));
	vn_unref(v);
	CHECK(!hostbox_read(&b, mroot, "../outside/secret", &err));
	CHECK_EQ_U64(err, E_NOENT);
	CHECK_STR(hostbox_read(&b, mroot, "../../inner/file", NULL), "FILE");
	/* A host ".." is never passed as a name either. */
	CHECK_EQ_U64(mroot->ops->lookup(mroot, S("a/b"), &v), E_INVAL);
	vn_unref(mroot);
	hostbox_free(&b);
}

TEST(fs_hostfs_escape_symlinks)
{
	struct hostbox b;
	char target[400];
	int err;

	CHECK(setup(&b, 0) == 0);
	/* Relative links climbing out: they climb the namespace instead. */
	hostbox_link(&b, "../outside/secret", "up");
	hostbox_link(&b, "../../../../../../../../outside/secret", "way_up");
	hostbox_link(&b, "../outside", "updir");
	CHECK(!hostbox_read(&b, NULL, "/mnt/up", &err));
	CHECK_EQ_U64(err, E_NOENT);
	CHECK(!hostbox_read(&b, NULL, "/mnt/way_up", &err));
	CHECK_EQ_U64(err, E_NOENT);
	CHECK(!hostbox_read(&b, NULL, "/mnt/updir/secret", &err));
	CHECK_EQ_U64(err, E_NOENT);
	/* Absolute links resolve at the mount's root. */
	snprintf(target, sizeof target, "%s/outside/secret", b.top);
	hostbox_link(&b, target, "abs_host");
	hostbox_link(&b, "/etc/passwd", "abs_etc");
	hostbox_link(&b, "/outside/secret", "abs_out");
	hostbox_link(&b, "/../../outside/secret", "abs_dotdot");
	CHECK(!hostbox_read(&b, NULL, "/mnt/abs_host", &err));
	CHECK_EQ_U64(err, E_NOENT);
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/abs_etc", NULL), "INSIDE");
	CHECK(!hostbox_read(&b, NULL, "/mnt/abs_out", &err));
	CHECK(!hostbox_read(&b, NULL, "/mnt/abs_dotdot", &err));
	CHECK_EQ_U64(err, E_NOENT);
	/* Symlinked directories in the middle of a path. */
	snprintf(target, sizeof target, "%s/outside", b.top);
	hostbox_link(&b, target, "dirlink");
	hostbox_link(&b, "/", "rootlink");
	CHECK(!hostbox_read(&b, NULL, "/mnt/dirlink/secret", &err));
	CHECK_EQ_U64(err, E_NOENT);
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/rootlink/etc/passwd", NULL), "INSIDE");
	CHECK(!hostbox_read(&b, NULL, "/mnt/rootlink/../outside/secret", &err));
	CHECK(!hostbox_read(&b, NULL, "/mnt/inner/../updir/secret", &err));
	/* Writing through escaping links stays inside too. */
	CHECK_EQ_U64(putstr(b.ns, "/mnt/up", "X"), E_NOENT);
	{
		char p[400];
		FILE *f;
		char buf[32] = "";
		snprintf(p, sizeof p, "%s/outside/secret", b.top);
		f = fopen(p, "r");
		CHECK(f && fgets(buf, sizeof buf, f));
		if (f)
			fclose(f);
		CHECK_STR(buf, "SECRET");
	}
	/* A dangling absolute link is created inside the mount. */
	hostbox_link(&b, "/made", "maker");
	CHECK_EQ_U64(putstr(b.ns, "/mnt/maker", "M"), 0);
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/made", NULL), "M");
	hostbox_free(&b);
}

TEST(fs_hostfs_escape_swaps)
{
	struct hostbox b;
	struct vnode *dir, *file;
	struct fs_io io = { 0 };
	char p[400], q[400], target[400], buf[32];
	size_t n;
	int err;

	CHECK(setup(&b, 0) == 0);
	/* A directory held (a cwd), then swapped for a link to the outside. */
	CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/inner", 0, &dir), 0);
	CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/inner/file", 0, &file), 0);
	snprintf(p, sizeof p, "%s/inner", b.box);
	snprintf(q, sizeof q, "%s/inner_old", b.box);
	CHECK(rename(p, q) == 0);
	snprintf(target, sizeof target, "%s/outside", b.top);
	CHECK(symlink(target, p) == 0);
	/* The held directory is still the real one (its descriptor followed it). */
	CHECK_STR(hostbox_read(&b, dir, "file", NULL), "FILE");
	CHECK(!hostbox_read(&b, dir, "secret", &err));
	CHECK_EQ_U64(err, E_NOENT);
	/* A fresh walk meets the link and resolves it inside the namespace. */
	CHECK(!hostbox_read(&b, NULL, "/mnt/inner/secret", &err));
	CHECK_EQ_U64(err, E_NOENT);
	/* The file looked up before the swap: its name in the real directory still works. */
	CHECK_EQ_U64(vn_read(file, &io, 0, buf, sizeof buf, &n), 0);
	CHECK_EQ_U64(n, 4);
	vn_unref(file);

	/* A file looked up, then swapped for a symlink before its first open. */
	CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/etc/passwd", 0, &file), 0);
	snprintf(p, sizeof p, "%s/etc/passwd", b.box);
	snprintf(target, sizeof target, "%s/outside/secret", b.top);
	CHECK(unlink(p) == 0);
	CHECK(symlink(target, p) == 0);
	memset(buf, 0, sizeof buf);
	err = vn_read(file, &io, 0, buf, sizeof buf, &n);
	CHECK(err == E_LOOP);
	CHECK(strcmp(buf, "SECRET") != 0);
	vn_unref(file);
	/* ... or for another file: the inode check refuses it. */
	CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/inner_old/file", 0, &file), 0);
	snprintf(p, sizeof p, "%s/inner_old/file", b.box);
	snprintf(q, sizeof q, "%s/inner_old/other", b.box);
	hostbox_put(q, "OTHER");
	CHECK(rename(q, p) == 0);
	CHECK_EQ_U64(vn_read(file, &io, 0, buf, sizeof buf, &n), E_STALE);
	vn_unref(file);
	vn_unref(dir);
	hostbox_free(&b);
}

TEST(fs_hostfs_specials_and_rdonly)
{
	struct hostbox b;
	struct names n;
	struct vnode *v;
	struct fs_io io = { 0 };
	char p[400];
	int err;

	CHECK(setup(&b, HOSTFS_RDONLY) == 0);
	snprintf(p, sizeof p, "%s/fifo", b.box);
	CHECK(mkfifo(p, 0666) == 0);
	CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/fifo", 0, &v), E_ACCES);
	CHECK_EQ_U64(listdir(b.ns, "/mnt", &n), 0);
	CHECK(strstr(n.buf, "fifo") == NULL);
	CHECK(strstr(n.buf, "inner") != NULL);
	/* Read-only: reads work, nothing changes. */
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/inner/file", NULL), "FILE");
	CHECK_EQ_U64(putstr(b.ns, "/mnt/x", "x"), E_ROFS);
	CHECK_EQ_U64(putstr(b.ns, "/mnt/inner/file", "x"), E_ROFS);
	CHECK_EQ_U64(fs_mkdir(b.ns, NULL, S("/mnt/d")), E_ROFS);
	CHECK_EQ_U64(fs_unlink(b.ns, NULL, S("/mnt/inner/file")), E_ROFS);
	CHECK_EQ_U64(fs_rmdir(b.ns, NULL, S("/mnt/etc")), E_ROFS);
	CHECK_EQ_U64(fs_rename(b.ns, NULL, S("/mnt/etc"), NULL, S("/mnt/etc2")), E_ROFS);
	CHECK_EQ_U64(fs_symlink(b.ns, S("x"), NULL, S("/mnt/s")), E_ROFS);
	CHECK_EQ_U64(fs_set_times(b.ns, NULL, S("/mnt/etc"), true, 0, 0, FS_MTIM_NOW), E_ROFS);
	err = fs_open(b.ns, NULL, S("/mnt/inner/file"), FS_O_READ, &io, &v);
	CHECK_EQ_U64(err, 0);
	if (!err) {
		size_t k;
		CHECK_EQ_U64(vn_write(v, &io, 0, "x", 1, &k), E_ROFS);
		vn_unref(v);
	}
	CHECK_STR(hostbox_read(&b, NULL, "/mnt/inner/file", NULL), "FILE");
	hostbox_free(&b);
	CHECK_EQ_U64(hostfs_new("/nonexistent/warren", 0, &b.fs), E_NOENT);
	CHECK_EQ_U64(hostfs_new("/dev/null", 0, &b.fs), E_NOTDIR);
}

TEST(fs_hostfs_deep_cwd)
{
	/* A deep chain of held directories frees without recursion. */
	struct hostbox b;
	struct vnode *cur, *next;
	int i;

	CHECK(setup(&b, 0) == 0);
	CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt", 0, &cur), 0);
	for (i = 0; i < 200; i++) {
		CHECK_EQ_U64(fs_mkdir(b.ns, cur, S("d")), 0);
		CHECK_EQ_U64(resolve(b.ns, cur, "d", 0, &next), 0);
		vn_unref(cur);
		cur = next;
	}
	{
		char buf[1024];
		CHECK_EQ_U64(fs_getcwd(b.ns, cur, buf, sizeof buf, NULL), 0);
		CHECK_EQ_U64(strlen(buf), 4 + 200 * 2);
	}
	/* Directories are shared: a second walk reuses the same vnodes (and descriptors). */
	{
		struct vnode *again, *x, *y;
		char path[1024] = "/mnt";
		for (i = 0; i < 200; i++)
			strcat(path, "/d");
		CHECK_EQ_U64(resolve(b.ns, NULL, path, 0, &again), 0);
		CHECK(again == cur);
		vn_unref(again);
		CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/inner", 0, &x), 0);
		CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/etc/../inner/", 0, &y), 0);
		CHECK(x == y);
		vn_unref(x);
		vn_unref(y);
	}
	vn_unref(cur);
	hostbox_free(&b);
}

/*
 * Random walks: paths built from components that include every escape
 * ingredient above, resolved from the root and from inside the box.
 * Nothing may ever read the secret, and the run must stay leak-free.
 */
TEST(fs_hostfs_random_walks)
{
	static const char *const parts[] = {
		".", "..", "inner", "etc", "passwd", "file", "up", "abs", "dir", "root",
		"loop", "mnt", "outside", "secret", "", "nope",
	};
	struct hostbox b;
	struct vnode *inner, *v;
	char path[512], target[400];
	uint64_t x = 12345;
	int i, n, reached = 0;

	CHECK(setup(&b, 0) == 0);
	hostbox_link(&b, "../outside/secret", "up");
	hostbox_link(&b, "/outside/secret", "abs");
	snprintf(target, sizeof target, "%s/outside", b.top);
	hostbox_link(&b, target, "dir");
	hostbox_link(&b, "/", "root");
	hostbox_link(&b, "loop/loop", "loop");
	hostbox_link(&b, "../../..", "inner/upup");
	CHECK_EQ_U64(resolve(b.ns, NULL, "/mnt/inner", 0, &inner), 0);
	for (i = 0; i < 4000; i++) {
		size_t len = 0;
		x = x * 6364136223846793005u + 1442695040888963407u;
		n = 1 + (int)((x >> 40) & 1 ? x >> 62 : x >> 60);
		path[0] = 0;
		if ((x >> 20) & 1)
			len = (size_t)snprintf(path, sizeof path, "/");
		len = hostbox_names(&x, parts, sizeof parts / sizeof parts[0], n, path, sizeof path,
				    len);
		if (len == 0)
			continue;
		if (resolve(b.ns, (x >> 50) & 1 ? inner : NULL, path, FS_FOLLOW, &v) == 0) {
			reached++;
			if (v->type == VN_FILE) {
				const char *s =
					hostbox_read(&b, (x >> 50) & 1 ? inner : NULL, path, NULL);
				CHECK(!s || strcmp(s, "SECRET") != 0);
			}
			vn_unref(v);
		}
	}
	CHECK(reached > 100);
	vn_unref(inner);
	hostbox_free(&b);
}
