/*
 * test_path.c - the resolver and namespaces over memfs and devfs:
 * ".", "..", symlinks and their limits, malformed paths, mounts in both
 * directions, read-only mounts, getcwd, the default root, devices.
 */
#include "fsutil.h"

TEST(fs_path_basics)
{
	struct ns *ns = memns(0, NULL);
	struct vnode *v, *w, *root = ns_root(ns);
	struct fs_path p;
	char longname[300], *longpath;

	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a")), 0);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a/b")), 0);
	CHECK_EQ_U64(putstr(ns, "/a/b/f", "F"), 0);

	CHECK_EQ_U64(fs_resolve(ns, NULL, "", 0, 0, &p), E_NOENT);
	CHECK_EQ_U64(fs_resolve(ns, NULL, "/a\0b", 4, 0, &p), E_INVAL);
	CHECK_EQ_U64(fs_resolve(ns, NULL, "a", 1, 0, &p), E_NOENT);   /* relative without cwd */
	CHECK_EQ_U64(resolve(ns, NULL, "//a///b//", 0, &v), 0);
	CHECK_EQ_U64(resolve(ns, NULL, "/a/./b/../b/.", 0, &w), 0);
	CHECK(v == w);
	vn_unref(w);
	CHECK_STR(getstr(ns, v, "f", NULL), "F");
	CHECK_STR(getstr(ns, v, "./f", NULL), "F");
	CHECK_STR(getstr(ns, v, "../b/f", NULL), "F");
	CHECK_STR(getstr(ns, v, "../../../../../a/b/f", NULL), "F");
	vn_unref(v);
	/* ".." at the root stays at the root. */
	CHECK_EQ_U64(resolve(ns, NULL, "/..", 0, &v), 0);
	CHECK(v == root);
	vn_unref(v);
	CHECK_EQ_U64(resolve(ns, root, "../../..", 0, &v), 0);
	CHECK(v == root);
	vn_unref(v);
	CHECK_EQ_U64(resolve(ns, NULL, "/a/b/f/..", 0, &v), E_NOTDIR);
	CHECK_EQ_U64(resolve(ns, NULL, "/a/b/f/.", 0, &v), E_NOTDIR);
	CHECK_EQ_U64(resolve(ns, NULL, "/a/b/f/", 0, &v), E_NOTDIR);
	CHECK_EQ_U64(resolve(ns, NULL, "/a/b/nope/x", FS_PARENT, &v), E_NOENT);

	/* Names and paths at and over the limits. */
	memset(longname, 'n', sizeof longname);
	longname[0] = '/';
	longname[FS_NAME_MAX + 1] = 0;
	CHECK_EQ_U64(putstr(ns, longname, "L"), 0);
	longname[FS_NAME_MAX + 1] = 'n';
	longname[FS_NAME_MAX + 2] = 0;
	CHECK_EQ_U64(putstr(ns, longname, "L"), E_NAMETOOLONG);
	CHECK_EQ_U64(resolve(ns, NULL, longname, 0, &v), E_NAMETOOLONG);
	longpath = malloc(FS_PATH_MAX + 2);
	for (size_t i = 0; i < FS_PATH_MAX + 1; i += 2)
		memcpy(longpath + i, "/.", 2);
	longpath[FS_PATH_MAX] = 0;
	CHECK_EQ_U64(resolve(ns, NULL, longpath, 0, &v), 0);
	vn_unref(v);
	longpath[FS_PATH_MAX] = '/';
	longpath[FS_PATH_MAX + 1] = 0;
	CHECK_EQ_U64(resolve(ns, NULL, longpath, 0, &v), E_NAMETOOLONG);
	free(longpath);

	/* FS_PARENT forms. */
	CHECK_EQ_U64(fs_resolve(ns, NULL, S("/a/b/new/"), FS_PARENT, &p), 0);
	CHECK(p.vn == NULL && p.dir != NULL && p.dirslash);
	CHECK_STR(p.name, "new");
	fs_path_release(&p);
	CHECK_EQ_U64(fs_resolve(ns, NULL, S("/a/.."), FS_PARENT, &p), 0);
	CHECK(p.vn == root && p.dir == NULL && p.namelen == 0);
	fs_path_release(&p);
	CHECK_EQ_U64(fs_resolve(ns, NULL, S("/"), FS_PARENT, &p), 0);
	CHECK(p.vn == root && p.namelen == 0);
	fs_path_release(&p);
	fs_path_release(&p);   /* releasing twice is harmless */
	vn_unref(root);
	ns_unref(ns);
}

TEST(fs_path_symlinks)
{
	struct ns *ns = memns(0, NULL);
	struct fs_io io = { 0 };
	struct fs_path p;
	struct vnode *v;
	char name[32], target[32];
	int i;

	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a")), 0);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a/b")), 0);
	CHECK_EQ_U64(putstr(ns, "/a/b/f", "F"), 0);
	CHECK_EQ_U64(fs_symlink(ns, S("b/f"), NULL, S("/a/rel")), 0);
	CHECK_EQ_U64(fs_symlink(ns, S("/a/b"), NULL, S("/abs")), 0);
	CHECK_EQ_U64(fs_symlink(ns, S("../a/b/"), NULL, S("/a/up")), 0);
	CHECK_EQ_U64(fs_symlink(ns, S("nowhere"), NULL, S("/dangling")), 0);
	CHECK_STR(getstr(ns, NULL, "/a/rel", NULL), "F");
	CHECK_STR(getstr(ns, NULL, "/abs/f", NULL), "F");
	CHECK_STR(getstr(ns, NULL, "/a/up/f", NULL), "F");
	CHECK_STR(getstr(ns, NULL, "/abs/../rel", NULL), "F");  /* ".." after a link: the target's parent */
	CHECK_EQ_U64(resolve(ns, NULL, "/dangling", FS_FOLLOW, &v), E_NOENT);
	CHECK_EQ_U64(resolve(ns, NULL, "/dangling", 0, &v), 0);
	CHECK_EQ_U64(v->type, VN_SYMLINK);
	vn_unref(v);
	/* A trailing slash follows a final link; without FS_FOLLOW the link itself. */
	CHECK_EQ_U64(resolve(ns, NULL, "/abs/", 0, &v), 0);
	CHECK_EQ_U64(v->type, VN_DIR);
	vn_unref(v);
	CHECK_EQ_U64(resolve(ns, NULL, "/a/rel/", FS_FOLLOW, &v), E_NOTDIR);
	/* O_NOFOLLOW on a link: E_LOOP. */
	CHECK_EQ_U64(fs_open(ns, NULL, S("/a/rel"), FS_O_READ | FS_O_NOFOLLOW, &io, &v), E_LOOP);
	/* Creating through a dangling link creates its target. */
	CHECK_EQ_U64(putstr(ns, "/dangling", "D"), 0);
	CHECK_STR(getstr(ns, NULL, "/nowhere", NULL), "D");
	/* Unlink removes the link, not the target. */
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/dangling")), 0);
	CHECK_STR(getstr(ns, NULL, "/nowhere", NULL), "D");
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/abs/")), E_ISDIR);

	/* Loops. */
	CHECK_EQ_U64(fs_symlink(ns, S("self"), NULL, S("/self")), 0);
	CHECK_EQ_U64(resolve(ns, NULL, "/self", FS_FOLLOW, &v), E_LOOP);
	CHECK_EQ_U64(resolve(ns, NULL, "/self/x", 0, &v), E_LOOP);
	CHECK_EQ_U64(fs_symlink(ns, S("/pong"), NULL, S("/ping")), 0);
	CHECK_EQ_U64(fs_symlink(ns, S("ping"), NULL, S("/pong")), 0);
	CHECK_EQ_U64(resolve(ns, NULL, "/ping", FS_FOLLOW, &v), E_LOOP);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/ping"), false, &(struct fs_stat){ 0 }), 0);
	/* A chain of exactly FS_SYMLOOP_MAX links resolves; one more does not. */
	CHECK_EQ_U64(putstr(ns, "/l0", "end"), 0);
	for (i = 1; i <= FS_SYMLOOP_MAX + 1; i++) {
		snprintf(name, sizeof name, "/l%d", i);
		snprintf(target, sizeof target, "l%d", i - 1);
		CHECK_EQ_U64(fs_symlink(ns, S(target), NULL, S(name)), 0);
	}
	snprintf(name, sizeof name, "/l%d", FS_SYMLOOP_MAX);
	CHECK_STR(getstr(ns, NULL, name, NULL), "end");
	snprintf(name, sizeof name, "/l%d", FS_SYMLOOP_MAX + 1);
	CHECK_EQ_U64(resolve(ns, NULL, name, FS_FOLLOW, &v), E_LOOP);
	/* A link whose expansion outgrows FS_PATH_MAX. */
	{
		char *big = malloc(FS_PATH_MAX);
		for (i = 0; i < FS_PATH_MAX - 2; i += 2)
			memcpy(big + i, "./", 2);
		big[FS_PATH_MAX - 2] = 0;
		CHECK_EQ_U64(fs_symlink(ns, S(big), NULL, S("/big")), 0);
		CHECK_EQ_U64(resolve(ns, NULL, "/big/a/b/f", FS_FOLLOW, &v), E_NAMETOOLONG);
		CHECK_EQ_U64(resolve(ns, NULL, "/big", FS_FOLLOW, &v), 0);
		vn_unref(v);
		free(big);
	}
	/* FS_PARENT|FS_FOLLOW through a link: dir/name describe the target. */
	CHECK_EQ_U64(fs_resolve(ns, NULL, S("/a/rel"), FS_PARENT | FS_FOLLOW, &p), 0);
	CHECK_STR(p.name, "f");
	CHECK(p.vn && p.vn->type == VN_FILE);
	fs_path_release(&p);
	CHECK_EQ_U64(fs_symlink(ns, "a\0b", 3, NULL, S("/nul")), E_INVAL);
	ns_unref(ns);
}

TEST(fs_path_mounts)
{
	struct fs *other = memfs_new(0);
	struct vnode *oroot = fs_root(other), *v, *w;
	struct ns *ns = memns(0, NULL), *copy;
	struct fs_io io = { 0 };
	char buf[128];
	size_t len;

	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/mnt")), 0);
	CHECK_EQ_U64(putstr(ns, "/mnt/under", "U"), 0);
	CHECK_EQ_U64(putstr(ns, "/top", "T"), 0);
	CHECK_EQ_U64(ns_mount(ns, S("/top"), oroot, 0), E_NOTDIR);
	CHECK_EQ_U64(ns_mount(ns, S("/nope"), oroot, 0), E_NOENT);
	CHECK_EQ_U64(ns_mount(ns, S("/mnt"), oroot, 0), 0);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/mnt/under"), true, &(struct fs_stat){ 0 }), E_NOENT);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/mnt/d")), 0);
	CHECK_EQ_U64(putstr(ns, "/mnt/d/f", "O"), 0);
	CHECK_STR(getstr(ns, NULL, "/mnt/../top", NULL), "T");
	CHECK_STR(getstr(ns, NULL, "/mnt/d/../../top", NULL), "T");
	CHECK_EQ_U64(resolve(ns, NULL, "/mnt/d", 0, &v), 0);
	CHECK_STR(getstr(ns, v, "../../top", NULL), "T");
	CHECK_EQ_U64(fs_getcwd(ns, v, buf, sizeof buf, &len), 0);
	CHECK_STR(buf, "/mnt/d");
	CHECK_EQ_U64(len, 6);
	CHECK_EQ_U64(fs_getcwd(ns, v, buf, 6, &len), E_RANGE);
	CHECK_EQ_U64(len, 6);
	/* Across file systems: E_XDEV; the mount point itself: E_BUSY. */
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/top"), NULL, S("/mnt/top")), E_XDEV);
	CHECK_EQ_U64(fs_link(ns, NULL, S("/top"), false, NULL, S("/mnt/top")), E_XDEV);
	CHECK_EQ_U64(fs_rmdir(ns, NULL, S("/mnt")), E_BUSY);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/mnt"), NULL, S("/mnt2")), E_BUSY);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/top"), NULL, S("/mnt")), E_BUSY);

	/* A copy is independent: unmounting in it leaves the original alone. */
	copy = ns_copy(ns);
	CHECK(copy != NULL);
	CHECK_EQ_U64(ns_unmount(copy, S("/mnt")), 0);
	CHECK_EQ_U64(ns_unmount(copy, S("/mnt")), E_INVAL);
	CHECK_STR(getstr(copy, NULL, "/mnt/under", NULL), "U");
	CHECK_STR(getstr(ns, NULL, "/mnt/d/f", NULL), "O");
	/* A directory of the unmounted fs still works, but ".." stops at its root. */
	CHECK_EQ_U64(fs_getcwd(copy, v, buf, sizeof buf, &len), E_NOENT);
	CHECK_EQ_U64(resolve(copy, v, "../..", 0, &w), 0);
	CHECK(w == oroot);
	vn_unref(w);
	ns_unref(copy);

	/* Stacked mounts: a read-only one on top. */
	{
		struct fs *third = memfs_new(0);
		struct vnode *troot = fs_root(third);
		CHECK_EQ_U64(ns_mount(ns, S("/mnt"), troot, NS_RDONLY), 0);
		CHECK_EQ_U64(fs_stat(ns, NULL, S("/mnt/d"), true, &(struct fs_stat){ 0 }), E_NOENT);
		CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/mnt/x")), E_ROFS);
		CHECK_EQ_U64(putstr(ns, "/mnt/x", "x"), E_ROFS);
		CHECK_EQ_U64(fs_open(ns, NULL, S("/mnt"), FS_O_READ, &io, &w), 0);
		vn_unref(w);
		/* ".." from the top mount lands above the whole stack. */
		CHECK_STR(getstr(ns, NULL, "/mnt/../top", NULL), "T");
		CHECK_EQ_U64(resolve(ns, NULL, "/mnt", 0, &w), 0);
		CHECK_EQ_U64(fs_getcwd(ns, w, buf, sizeof buf, NULL), 0);
		CHECK_STR(buf, "/mnt");
		vn_unref(w);
		CHECK_EQ_U64(ns_unmount(ns, S("/mnt/")), 0);
		CHECK_STR(getstr(ns, NULL, "/mnt/d/f", NULL), "O");
		vn_unref(troot);
		fs_unref(third);
	}
	CHECK_EQ_U64(ns_unmount(ns, S("/")), E_INVAL);
	CHECK_EQ_U64(ns_unmount(ns, S("/top")), E_INVAL);
	vn_unref(v);
	vn_unref(oroot);
	fs_unref(other);
	ns_unref(ns);
}

TEST(fs_path_rdonly_fs)
{
	/* A read-only memfs mounted read-write: the fs flag still wins. */
	struct fs *ro = memfs_new(0);
	struct vnode *root, *v;
	struct ns *ns = memns(0, NULL);
	struct fs_io io = { 0 };
	size_t n;

	root = fs_root(ro);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/ro")), 0);
	CHECK_EQ_U64(ns_mount(ns, S("/ro"), root, 0), 0);
	CHECK_EQ_U64(putstr(ns, "/ro/f", "x"), 0);
	ro->flags |= FS_RDONLY;
	CHECK_EQ_U64(putstr(ns, "/ro/g", "x"), E_ROFS);
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/ro/f")), E_ROFS);
	CHECK_EQ_U64(fs_symlink(ns, S("x"), NULL, S("/ro/s")), E_ROFS);
	CHECK_EQ_U64(fs_set_times(ns, NULL, S("/ro/f"), true, 0, 0, FS_ATIM_NOW), E_ROFS);
	CHECK_EQ_U64(fs_open(ns, NULL, S("/ro/f"), FS_O_WRITE, &io, &v), E_ROFS);
	CHECK_EQ_U64(fs_open(ns, NULL, S("/ro/f"), FS_O_READ, &io, &v), 0);
	CHECK_EQ_U64(vn_write(v, &io, 0, "y", 1, &n), E_ROFS);
	CHECK_EQ_U64(vn_truncate(v, 0), E_ROFS);
	vn_unref(v);
	CHECK_STR(getstr(ns, NULL, "/ro/f", NULL), "x");
	vn_unref(root);
	fs_unref(ro);
	ns_unref(ns);
}

TEST(fs_getcwd_memfs)
{
	struct ns *ns = memns(0, NULL);
	struct vnode *v, *root = ns_root(ns);
	char buf[64];

	CHECK_EQ_U64(fs_getcwd(ns, root, buf, sizeof buf, NULL), 0);
	CHECK_STR(buf, "/");
	CHECK_EQ_U64(fs_getcwd(ns, root, buf, 1, NULL), E_RANGE);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a")), 0);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a/bb")), 0);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a/bb/ccc")), 0);
	CHECK_EQ_U64(putstr(ns, "/a/bb/file", ""), 0);
	CHECK_EQ_U64(resolve(ns, NULL, "/a/bb/ccc", 0, &v), 0);
	CHECK_EQ_U64(fs_getcwd(ns, v, buf, sizeof buf, NULL), 0);
	CHECK_STR(buf, "/a/bb/ccc");
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/a/bb"), NULL, S("/moved")), 0);
	CHECK_EQ_U64(fs_getcwd(ns, v, buf, sizeof buf, NULL), 0);
	CHECK_STR(buf, "/moved/ccc");
	CHECK_EQ_U64(fs_rmdir(ns, NULL, S("/moved/ccc")), 0);
	CHECK_EQ_U64(fs_getcwd(ns, v, buf, sizeof buf, NULL), E_NOENT);
	vn_unref(v);
	CHECK_EQ_U64(resolve(ns, NULL, "/moved/file", 0, &v), 0);
	CHECK_EQ_U64(fs_getcwd(ns, v, buf, sizeof buf, NULL), E_NOTDIR);
	vn_unref(v);
	vn_unref(root);
	ns_unref(ns);
}

TEST(fs_default_root_and_devfs)
{
	struct fs *dev, *dev2;
	struct ns *ns = fs_default_root(1 << 20, 42, &dev), *ns2 = fs_default_root(0, 42, NULL);
	struct fs_io io = { 0 };
	struct names n;
	struct vnode *v;
	unsigned char a[64], b[64];
	size_t got;

	CHECK(ns != NULL && ns2 != NULL && dev != NULL);
	CHECK_EQ_U64(listdir(ns, "/", &n), 0);
	CHECK_STR(n.buf, "bin tmp dev task cap home etc");
	CHECK_EQ_U64(listdir(ns, "/dev", &n), 0);
	CHECK_STR(n.buf, "null zero random urandom");
	/* null: EOF, swallows writes. */
	CHECK_EQ_U64(fs_open(ns, NULL, S("/dev/null"), FS_O_READ | FS_O_WRITE, &io, &v), 0);
	CHECK_EQ_U64(vn_read(v, &io, 0, a, sizeof a, &got), 0);
	CHECK_EQ_U64(got, 0);
	CHECK_EQ_U64(vn_write(v, &io, 0, a, sizeof a, &got), 0);
	CHECK_EQ_U64(got, sizeof a);
	vn_unref(v);
	CHECK_EQ_U64(putstr(ns, "/dev/null", "discard"), 0);   /* O_TRUNC on a device is fine */
	/* zero. */
	CHECK_EQ_U64(fs_open(ns, NULL, S("/dev/zero"), FS_O_READ, &io, &v), 0);
	memset(a, 1, sizeof a);
	CHECK_EQ_U64(vn_read(v, &io, 0, a, sizeof a, &got), 0);
	CHECK_EQ_U64(got, sizeof a);
	CHECK(a[0] == 0 && a[63] == 0);
	vn_unref(v);
	/* random: deterministic per seed, different between reads. */
	CHECK_EQ_U64(fs_open(ns, NULL, S("/dev/urandom"), FS_O_READ, &io, &v), 0);
	CHECK_EQ_U64(vn_read(v, &io, 0, a, 13, &got), 0);
	CHECK_EQ_U64(got, 13);
	CHECK_EQ_U64(vn_read(v, &io, 0, a + 13, 51, &got), 0);
	vn_unref(v);
	CHECK_EQ_U64(fs_open(ns2, NULL, S("/dev/random"), FS_O_READ, &io, &v), 0);
	CHECK_EQ_U64(vn_read(v, &io, 0, b, 13, &got), 0);
	CHECK_EQ_U64(vn_read(v, &io, 0, b + 13, 51, &got), 0);
	vn_unref(v);
	CHECK_MEM(a, b, 8);   /* the first word of each read matches */
	CHECK(memcmp(a, a + 16, 16) != 0);
	dev2 = devfs_new(43);
	CHECK_EQ_U64(fs_root(dev2)->ops->lookup(dev2->root, S("random"), &v), 0);
	CHECK_EQ_U64(vn_read(v, &io, 0, b, 8, &got), 0);
	CHECK(memcmp(a, b, 8) != 0);
	vn_unref(v);
	vn_unref(dev2->root);
	fs_unref(dev2);
	/* Devices cannot be made or removed by path. */
	CHECK_EQ_U64(putstr(ns, "/dev/new", "x"), E_PERM);
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/dev/null")), E_PERM);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/dev/d")), E_PERM);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/dev/../bin"), true, &(struct fs_stat){ 0 }), 0);
	{
		struct fs_stat st;
		CHECK_EQ_U64(fs_stat(ns, NULL, S("/dev/zero"), true, &st), 0);
		CHECK_EQ_U64(st.type, VN_CHAR);
		CHECK_EQ_U64(st.dev, dev->dev);
	}
	/* devfs_add registers a device with the caller's ops. */
	{
		static const struct vnode_ops cons = { .read = NULL };
		int tag;
		CHECK_EQ_U64(devfs_add(dev, "console", VN_CHAR, &cons, &tag), 0);
		CHECK_EQ_U64(devfs_add(dev, "console", VN_CHAR, &cons, &tag), E_EXIST);
		CHECK_EQ_U64(devfs_add(dev, "a/b", VN_CHAR, &cons, &tag), E_INVAL);
		CHECK_EQ_U64(devfs_add(dev, "..", VN_CHAR, &cons, &tag), E_INVAL);
		CHECK_EQ_U64(resolve(ns, NULL, "/dev/console", 0, &v), 0);
		CHECK(v->priv == &tag && v->ops == &cons);
		CHECK_EQ_U64(vn_read(v, &io, 0, a, 1, &got), E_NOTSUP);
		CHECK_EQ_U64(vn_poll(v, FS_POLLIN, &io), FS_POLLIN);
		vn_unref(v);
		CHECK_EQ_U64(listdir(ns, "/dev", &n), 0);
		CHECK_STR(n.buf, "null zero random urandom console");
	}
	v = ns_root(ns);
	CHECK_EQ_U64(devfs_add(v->fs, "x", VN_CHAR, &(struct vnode_ops){ 0 }, NULL), E_INVAL);
	vn_unref(v);
	fs_unref(dev);
	ns_unref(ns);
	ns_unref(ns2);
}
