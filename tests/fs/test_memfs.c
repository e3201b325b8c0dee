/*
 * test_memfs.c - memfs through the path-level API: files, directories,
 * links, rename, readdir cookies, quota, timestamps.
 */
#include "fsutil.h"

TEST(fs_errno_table)
{
	CHECK_EQ_U64(E_NOENT, 44);
	CHECK_EQ_U64(E_NOTCAPABLE, 76);
	CHECK_EQ_U64(E_2BIG, 1);
	CHECK_EQ_U64(E_ROFS, 69);
	CHECK_STR(fs_strerror(E_NOENT), "no such file or directory");
	CHECK_STR(fs_strerror(E_OK), "success");
	CHECK_STR(fs_errname(E_XDEV), "XDEV");
	CHECK_STR(fs_errname(E_BLOCK), "BLOCK");
	CHECK(strstr(fs_strerror(E_BLOCK), "would block") != NULL);
	CHECK_STR(fs_strerror(77), "unknown error");
	CHECK_STR(fs_strerror(-1), "unknown error");
	CHECK_EQ_U64(fs_wasi_filetype(VN_FILE), 4);
	CHECK_EQ_U64(fs_wasi_filetype(VN_FIFO), 0);
}

TEST(fs_memfs_files)
{
	struct ns *ns = memns(0, NULL);
	struct fs_io io = { 0 };
	struct fs_stat st;
	struct vnode *v;
	char buf[64];
	size_t n;
	int err;

	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a")), 0);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a")), E_EXIST);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/")), E_EXIST);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/x/y")), E_NOENT);
	CHECK_EQ_U64(putstr(ns, "/a/f", "hello"), 0);
	CHECK_STR(getstr(ns, NULL, "/a/f", NULL), "hello");
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a/f/g")), E_NOTDIR);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/a/f/"), true, &st), E_NOTDIR);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/a/f"), true, &st), 0);
	CHECK_EQ_U64(st.type, VN_FILE);
	CHECK_EQ_U64(st.size, 5);
	CHECK_EQ_U64(st.nlink, 1);

	/* open flags */
	CHECK_EQ_U64(fs_open(ns, NULL, S("/a/f"), FS_O_CREAT | FS_O_EXCL | FS_O_WRITE, &io, &v),
		     E_EXIST);
	CHECK_EQ_U64(fs_open(ns, NULL, S("/a/f"), FS_O_DIRECTORY, &io, &v), E_NOTDIR);
	CHECK_EQ_U64(fs_open(ns, NULL, S("/a"), FS_O_WRITE, &io, &v), E_ISDIR);
	CHECK_EQ_U64(fs_open(ns, NULL, S("/a/new/"), FS_O_CREAT | FS_O_WRITE, &io, &v), E_ISDIR);
	CHECK_EQ_U64(fs_open(ns, NULL, S("/a/none"), FS_O_READ, &io, &v), E_NOENT);
	err = fs_open(ns, NULL, S("/a/f"), FS_O_READ | FS_O_WRITE | FS_O_TRUNC, &io, &v);
	CHECK_EQ_U64(err, 0);
	if (!err) {
		CHECK_EQ_U64(vn_stat(v, &st), 0);
		CHECK_EQ_U64(st.size, 0);
		CHECK_EQ_U64(vn_write(v, &io, 0, "abcdef", 6, &n), 0);
		CHECK_EQ_U64(n, 6);
		CHECK_EQ_U64(vn_read(v, &io, 2, buf, sizeof buf, &n), 0);
		CHECK_EQ_U64(n, 4);
		CHECK_MEM(buf, "cdef", 4);
		CHECK_EQ_U64(vn_read(v, &io, 6, buf, sizeof buf, &n), 0);
		CHECK_EQ_U64(n, 0);
		CHECK_EQ_U64(vn_read(v, &io, 1000, buf, sizeof buf, &n), 0);
		CHECK_EQ_U64(n, 0);
		CHECK_EQ_U64(vn_truncate(v, 2), 0);
		CHECK_EQ_U64(vn_truncate(v, 10), 0);
		CHECK_EQ_U64(vn_read(v, &io, 0, buf, sizeof buf, &n), 0);
		CHECK_EQ_U64(n, 10);
		CHECK_MEM(buf, "ab\0\0\0\0\0\0\0\0", 10);
		CHECK_EQ_U64(vn_truncate(v, FS_FILE_MAX + 1), E_FBIG);
		CHECK_EQ_U64(vn_write(v, &io, FS_FILE_MAX, "x", 1, &n), E_FBIG);
		vn_close(v, FS_O_READ | FS_O_WRITE, &io);
		vn_unref(v);
	}
	/* A directory reads as E_ISDIR, a symlink as E_INVAL. */
	CHECK_EQ_U64(resolve(ns, NULL, "/a", 0, &v), 0);
	CHECK_EQ_U64(vn_read(v, &io, 0, buf, 1, &n), E_ISDIR);
	CHECK_EQ_U64(vn_write(v, &io, 0, buf, 1, &n), E_ISDIR);
	CHECK_EQ_U64(vn_truncate(v, 0), E_ISDIR);
	vn_unref(v);

	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/a")), E_ISDIR);
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/a/f/")), E_NOTDIR);
	CHECK_EQ_U64(fs_rmdir(ns, NULL, S("/a")), E_NOTEMPTY);
	CHECK_EQ_U64(fs_rmdir(ns, NULL, S("/a/f")), E_NOTDIR);
	CHECK_EQ_U64(fs_rmdir(ns, NULL, S("/")), E_BUSY);
	CHECK_EQ_U64(fs_rmdir(ns, NULL, S("/a/.")), E_INVAL);
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/a/f")), 0);
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/a/f")), E_NOENT);
	CHECK_EQ_U64(fs_rmdir(ns, NULL, S("/a/")), 0);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/a"), true, &st), E_NOENT);
	ns_unref(ns);
}

TEST(fs_memfs_sparse)
{
	struct fs *fs;
	struct ns *ns = memns(0, &fs);
	struct fs_io io = { 0 };
	struct vnode *v;
	static char buf[3 * 4096];
	size_t n;
	uint64_t before = memfs_used(fs);

	CHECK_EQ_U64(fs_open(ns, NULL, S("/s"), FS_O_CREAT | FS_O_WRITE, &io, &v), 0);
	CHECK_EQ_U64(vn_write(v, &io, 1 << 20, "end", 3, &n), 0);
	CHECK_EQ_U64(n, 3);
	/* One page holds data; the hole before costs only its pointer slots. */
	CHECK(memfs_used(fs) - before < 3 * 4096 + (1 << 20) / 4096 * 8 + 512);
	memset(buf, 'x', sizeof buf);
	CHECK_EQ_U64(vn_read(v, &io, 4096, buf, sizeof buf, &n), 0);
	CHECK_EQ_U64(n, sizeof buf);
	CHECK(buf[0] == 0 && buf[sizeof buf - 1] == 0);
	CHECK_EQ_U64(vn_read(v, &io, (1 << 20) - 1, buf, 10, &n), 0);
	CHECK_EQ_U64(n, 4);
	CHECK_MEM(buf, "\0end", 4);
	/* Writes across page boundaries. */
	memset(buf, 'q', sizeof buf);
	CHECK_EQ_U64(vn_write(v, &io, 100, buf, sizeof buf, &n), 0);
	CHECK_EQ_U64(n, sizeof buf);
	memset(buf, 0, sizeof buf);
	CHECK_EQ_U64(vn_read(v, &io, 99, buf, sizeof buf, &n), 0);
	CHECK(buf[0] == 0 && buf[1] == 'q' && buf[sizeof buf - 1] == 'q');
	vn_close(v, FS_O_WRITE, &io);
	vn_unref(v);
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/s")), 0);
	CHECK_EQ_U64(memfs_used(fs), before);
	ns_unref(ns);
}

TEST(fs_memfs_quota)
{
	struct fs *fs;
	struct ns *ns = memns(64 * 1024, &fs);
	struct fs_io io = { 0 };
	struct vnode *v;
	static char buf[100 * 1024];
	size_t n;
	uint64_t base = memfs_used(fs);
	char name[32];
	int i, err = 0;

	CHECK_EQ_U64(fs_open(ns, NULL, S("/big"), FS_O_CREAT | FS_O_WRITE, &io, &v), 0);
	CHECK_EQ_U64(vn_write(v, &io, 0, buf, sizeof buf, &n), 0);
	CHECK(n > 0 && n < sizeof buf);            /* short write at the limit */
	CHECK_EQ_U64(vn_write(v, &io, n, buf, sizeof buf, &n), E_NOSPC);
	CHECK(memfs_used(fs) <= 64 * 1024);
	CHECK_EQ_U64(vn_truncate(v, 0), 0);
	vn_unref(v);
	CHECK_EQ_U64(memfs_used(fs), base + 128 + 32 + 3);
	/* Nodes cost too: a directory flood stops with E_NOSPC. */
	for (i = 0; i < 10000 && !err; i++) {
		snprintf(name, sizeof name, "/d%d", i);
		err = fs_mkdir(ns, NULL, S(name));
	}
	CHECK_EQ_U64(err, E_NOSPC);
	CHECK(i > 10);
	ns_unref(ns);
}

TEST(fs_memfs_links)
{
	struct ns *ns = memns(0, NULL);
	struct fs_io io = { 0 };
	struct vnode *v;
	char buf[16];
	size_t n;

	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/d")), 0);
	CHECK_EQ_U64(nlink(ns, "/d"), 2);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/d/e")), 0);
	CHECK_EQ_U64(nlink(ns, "/d"), 3);
	CHECK_EQ_U64(putstr(ns, "/d/f", "data"), 0);
	CHECK_EQ_U64(fs_link(ns, NULL, S("/d/f"), false, NULL, S("/g")), 0);
	CHECK_EQ_U64(nlink(ns, "/d/f"), 2);
	CHECK_EQ_U64(nlink(ns, "/g"), 2);
	CHECK_EQ_U64(fs_link(ns, NULL, S("/d/f"), false, NULL, S("/g")), E_EXIST);
	CHECK_EQ_U64(fs_link(ns, NULL, S("/d"), false, NULL, S("/h")), E_PERM);
	CHECK_EQ_U64(fs_link(ns, NULL, S("/nope"), false, NULL, S("/h")), E_NOENT);
	CHECK_EQ_U64(putstr(ns, "/g", "changed"), 0);
	CHECK_STR(getstr(ns, NULL, "/d/f", NULL), "changed");

	/* An unlinked open file stays readable until its last reference goes. */
	CHECK_EQ_U64(fs_open(ns, NULL, S("/g"), FS_O_READ, &io, &v), 0);
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/d/f")), 0);
	CHECK_EQ_U64(nlink(ns, "/g"), 1);
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/g")), 0);
	CHECK_EQ_U64(vn_read(v, &io, 0, buf, sizeof buf, &n), 0);
	CHECK_EQ_U64(n, 7);
	{
		struct fs_stat st;
		CHECK_EQ_U64(vn_stat(v, &st), 0);
		CHECK_EQ_U64(st.nlink, 0);
	}
	vn_unref(v);

	/* Symlinks link too, and count as entries. */
	CHECK_EQ_U64(fs_symlink(ns, S("d/e"), NULL, S("/s")), 0);
	CHECK_EQ_U64(fs_link(ns, NULL, S("/s"), false, NULL, S("/s2")), 0);
	CHECK_EQ_U64(nlink(ns, "/s"), 2);
	CHECK_EQ_U64(fs_readlink(ns, NULL, S("/s2"), buf, sizeof buf, &n), 0);
	CHECK_EQ_U64(n, 3);
	CHECK_MEM(buf, "d/e", 3);
	CHECK_EQ_U64(fs_readlink(ns, NULL, S("/d"), buf, sizeof buf, &n), E_INVAL);
	CHECK_EQ_U64(fs_symlink(ns, S(""), NULL, S("/empty")), E_NOENT);
	CHECK_EQ_U64(fs_symlink(ns, S("x"), NULL, S("/s")), E_EXIST);

	/* rmdir removes a directory someone still holds: it stays usable, but empty and dead. */
	CHECK_EQ_U64(resolve(ns, NULL, "/d/e", 0, &v), 0);
	CHECK_EQ_U64(fs_rmdir(ns, NULL, S("/d/e")), 0);
	CHECK_EQ_U64(nlink(ns, "/d"), 2);
	CHECK_EQ_U64(fs_mkdir(ns, v, S("x")), E_NOENT);
	CHECK_EQ_U64(fs_stat(ns, v, S(".."), true, &(struct fs_stat){ 0 }), E_NOENT);
	vn_unref(v);
	ns_unref(ns);
}

TEST(fs_memfs_rename)
{
	struct fs *fs;
	struct ns *ns = memns(0, &fs);
	struct fs_stat st;
	uint64_t used;

	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a")), 0);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a/b")), 0);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/a/b/c")), 0);
	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/e")), 0);
	CHECK_EQ_U64(putstr(ns, "/f", "F"), 0);
	CHECK_EQ_U64(putstr(ns, "/a/g", "G"), 0);

	/* Onto itself: nothing happens. */
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/f"), NULL, S("/f")), 0);
	CHECK_STR(getstr(ns, NULL, "/f", NULL), "F");
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/a"), NULL, S("/a")), 0);
	/* Two names of one file: POSIX says do nothing, both stay. */
	CHECK_EQ_U64(fs_link(ns, NULL, S("/f"), false, NULL, S("/f2")), 0);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/f"), NULL, S("/f2")), 0);
	CHECK_EQ_U64(nlink(ns, "/f"), 2);
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/f2")), 0);

	/* A directory into its own subtree. */
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/a"), NULL, S("/a/b/c/a")), E_INVAL);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/a"), NULL, S("/a/x")), E_INVAL);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/a/b"), NULL, S("/a/b/c/d")), E_INVAL);
	/* A directory onto a non-empty directory, onto a file; a file onto a directory. */
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/e"), NULL, S("/a")), E_NOTEMPTY);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/e"), NULL, S("/f")), E_NOTDIR);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/f"), NULL, S("/e")), E_ISDIR);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/f"), NULL, S("/nodir/f")), E_NOENT);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/nope"), NULL, S("/x")), E_NOENT);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/"), NULL, S("/x")), E_BUSY);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/f/"), NULL, S("/x")), E_NOTDIR);
	/* A directory onto an empty one replaces it. */
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/a/b/c"), NULL, S("/e")), 0);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/a/b/c"), true, &st), E_NOENT);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/e"), true, &st), 0);
	CHECK_EQ_U64(nlink(ns, "/a/b"), 2);
	/* A moved directory's ".." follows it. */
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/a/b"), NULL, S("/e/b")), 0);
	CHECK_EQ_U64(nlink(ns, "/a"), 2);
	CHECK_EQ_U64(nlink(ns, "/e"), 3);
	CHECK_EQ_U64(putstr(ns, "/e/b/../z", "Z"), 0);
	CHECK_STR(getstr(ns, NULL, "/e/z", NULL), "Z");
	/* A file onto a file replaces it and frees the old one. */
	used = memfs_used(fs);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/a/g"), NULL, S("/f")), 0);
	CHECK_STR(getstr(ns, NULL, "/f", NULL), "G");
	CHECK(memfs_used(fs) < used);
	/* Rename within a directory. */
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/f"), NULL, S("/f3")), 0);
	CHECK_STR(getstr(ns, NULL, "/f3", NULL), "G");
	ns_unref(ns);
}

TEST(fs_memfs_readdir_cookies)
{
	struct ns *ns = memns(0, NULL);
	struct names n;
	struct vnode *d;
	uint64_t cookie;
	char name[16];
	int i;

	CHECK_EQ_U64(fs_mkdir(ns, NULL, S("/d")), 0);
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof name, "/d/e%d", i);
		CHECK_EQ_U64(putstr(ns, name, "x"), 0);
	}
	CHECK_EQ_U64(listdir(ns, "/d", &n), 0);
	CHECK_STR(n.buf, "e0 e1 e2 e3 e4 e5");
	CHECK_EQ_U64(n.count, 8);

	/* Read ".", "..", e0, e1; remember the cookie. */
	CHECK_EQ_U64(resolve(ns, NULL, "/d", 0, &d), 0);
	memset(&n, 0, sizeof n);
	n.limit = 4;
	CHECK_EQ_U64(vn_readdir(d, 0, collect, &n), 0);
	CHECK_STR(n.buf, "e0 e1");
	cookie = n.cookie;
	/* Modify around the cursor: remove seen and unseen, add new, rename. */
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/d/e0")), 0);
	CHECK_EQ_U64(fs_unlink(ns, NULL, S("/d/e3")), 0);
	CHECK_EQ_U64(putstr(ns, "/d/new", "y"), 0);
	CHECK_EQ_U64(fs_rename(ns, NULL, S("/d/e1"), NULL, S("/d/e1b")), 0);
	memset(&n, 0, sizeof n);
	CHECK_EQ_U64(vn_readdir(d, cookie, collect, &n), 0);
	CHECK_STR(n.buf, "e2 e4 e5 new e1b");
	/* Continuing with a cookie from the end gives nothing, and so does a wild one. */
	cookie = n.cookie;
	memset(&n, 0, sizeof n);
	CHECK_EQ_U64(vn_readdir(d, cookie, collect, &n), 0);
	CHECK_EQ_U64(n.count, 0);
	CHECK_EQ_U64(vn_readdir(d, UINT64_MAX, collect, &n), 0);
	CHECK_EQ_U64(n.count, 0);
	/* Cookie 1 starts at "..". */
	memset(&n, 0, sizeof n);
	n.limit = 1;
	CHECK_EQ_U64(vn_readdir(d, 1, collect, &n), 0);
	CHECK_EQ_U64(n.cookie, 2);
	vn_unref(d);
	ns_unref(ns);
}

static uint64_t fakenow;

static uint64_t
fakeclock(void *arg)
{
	return *(uint64_t *)arg;
}

TEST(fs_memfs_times)
{
	struct ns *ns;
	struct fs_stat st;

	fakenow = 1000;
	fs_set_clock(fakeclock, &fakenow);
	ns = memns(0, NULL);
	CHECK_EQ_U64(putstr(ns, "/f", "x"), 0);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/f"), true, &st), 0);
	CHECK_EQ_U64(st.atim, 1000);
	CHECK_EQ_U64(st.mtim, 1000);
	fakenow = 2000;
	CHECK_EQ_U64(putstr(ns, "/f", "y"), 0);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/f"), true, &st), 0);
	CHECK_EQ_U64(st.atim, 1000);
	CHECK_EQ_U64(st.mtim, 2000);
	CHECK_EQ_U64(st.ctim, 2000);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/"), true, &st), 0);
	CHECK_EQ_U64(st.mtim, 1000);       /* the entry was made at 1000 */
	fakenow = 3000;
	CHECK_EQ_U64(fs_set_times(ns, NULL, S("/f"), true, 5, 0, FS_ATIM | FS_MTIM_NOW), 0);
	CHECK_EQ_U64(fs_stat(ns, NULL, S("/f"), true, &st), 0);
	CHECK_EQ_U64(st.atim, 5);
	CHECK_EQ_U64(st.mtim, 3000);
	CHECK_EQ_U64(fs_set_times(ns, NULL, S("/f"), true, 5, 0, FS_ATIM | FS_ATIM_NOW), E_INVAL);
	CHECK_EQ_U64(fs_set_times(ns, NULL, S("/f"), true, 5, 0, 64), E_INVAL);
	fs_set_clock(NULL, NULL);
	CHECK(fs_now() > 1000000000ull * 1000000000ull);  /* after 2001 */
	ns_unref(ns);
}

TEST(fs_put_get)
{
	struct ns *ns = memns(0, NULL);
	void *data;
	size_t len;

	CHECK_EQ_U64(putstr(ns, "/f", "0123456789"), 0);
	CHECK_EQ_U64(fs_get(ns, NULL, "/f", 9, &data, &len), E_FBIG);
	CHECK_EQ_U64(fs_get(ns, NULL, "/f", 10, &data, &len), 0);
	CHECK_EQ_U64(len, 10);
	free(data);
	CHECK_EQ_U64(fs_get(ns, NULL, "/", 10, &data, &len), E_ISDIR);
	CHECK_EQ_U64(putstr(ns, "/", "x"), E_ISDIR);
	CHECK_EQ_U64(putstr(ns, "/no/f", "x"), E_NOENT);
	CHECK_EQ_U64(putstr(ns, "/e", ""), 0);
	CHECK_EQ_U64(fs_get(ns, NULL, "/e", 10, &data, &len), 0);
	CHECK_EQ_U64(len, 0);
	free(data);
	ns_unref(ns);
}
