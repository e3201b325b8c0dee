/*
 * test_file.c - fd tables (lowest free fd, dup, dup2, F_DUPFD, close-on-exec,
 * the fd limit, renumber, fork-like copies) and vnode-backed open files
 * (offsets shared by dup, pread/pwrite, append, seek, truncate, devices,
 * directories).
 */
#include <string.h>

#include "test_files.h"

#define S(s) (s), strlen(s)

static struct file *
mkpipe(struct file **w)
{
	struct file *r;

	if (pipe_new(NULL, false, 0, &r, w))
		return NULL;
	return r;
}

TEST(fdtab_lowest_free_and_close)
{
	struct fdtab *t = fdtab_new(0);
	struct file *w, *r = mkpipe(&w);
	int32_t fd;

	CHECK(t && r);
	CHECK_EQ_U64(t->limit, FDTAB_DEFAULT_LIMIT);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_U64(fdtab_install(t, r, 0, 0, &fd), 0);
		CHECK_EQ_U64(fd, i);
	}
	CHECK_EQ_U64(r->refs, 4);
	CHECK_EQ_U64(fdtab_close(t, 1), 0);
	CHECK_EQ_U64(r->refs, 3);
	CHECK(fdtab_get(t, 1) == NULL);
	CHECK(fdtab_get(t, 0) == r);
	CHECK(fdtab_get(t, -1) == NULL);
	CHECK(fdtab_get(t, 100000) == NULL);
	CHECK_EQ_U64(fdtab_close(t, 1), E_BADF);
	CHECK_EQ_U64(fdtab_close(t, -5), E_BADF);
	CHECK_EQ_U64(fdtab_install(t, w, 0, 0, &fd), 0);
	CHECK_EQ_U64(fd, 1);
	CHECK_EQ_U64(t->used, 3);
	CHECK_EQ_U64(fdtab_install(t, w, 0, 2, &fd), E_INVAL);
	file_unref(r);
	file_unref(w);
	fdtab_unref(t);
}

TEST(fdtab_dup_and_dupfd)
{
	struct fdtab *t = fdtab_new(64);
	struct file *w, *r = mkpipe(&w);
	int32_t fd;
	unsigned fl;

	CHECK_EQ_U64(fdtab_install(t, r, 0, 0, &fd), 0);
	CHECK_EQ_U64(fdtab_install(t, w, 0, FD_CLOEXEC_FLAG, &fd), 0);
	/* dup: lowest free, cloexec not inherited. */
	CHECK_EQ_U64(fdtab_dup(t, 1, 0, 0, &fd), 0);
	CHECK_EQ_U64(fd, 2);
	CHECK(fdtab_get(t, 2) == w);
	CHECK_EQ_U64(fdtab_getflags(t, 2, &fl), 0);
	CHECK_EQ_U64(fl, 0);
	/* F_DUPFD: lowest free >= min; F_DUPFD_CLOEXEC. */
	CHECK_EQ_U64(fdtab_dup(t, 0, 10, FD_CLOEXEC_FLAG, &fd), 0);
	CHECK_EQ_U64(fd, 10);
	CHECK_EQ_U64(fdtab_getflags(t, 10, &fl), 0);
	CHECK_EQ_U64(fl, FD_CLOEXEC_FLAG);
	CHECK_EQ_U64(fdtab_dup(t, 0, 10, 0, &fd), 0);
	CHECK_EQ_U64(fd, 11);
	CHECK_EQ_U64(fdtab_dup(t, 0, 1, 0, &fd), 0);
	CHECK_EQ_U64(fd, 3);
	CHECK_EQ_U64(fdtab_dup(t, 0, 64, 0, &fd), E_INVAL);
	CHECK_EQ_U64(fdtab_dup(t, 0, -1, 0, &fd), E_INVAL);
	CHECK_EQ_U64(fdtab_dup(t, 5, 0, 0, &fd), E_BADF);
	CHECK_EQ_U64(fdtab_getflags(t, 5, &fl), E_BADF);
	CHECK_EQ_U64(fdtab_setflags(t, 5, 0), E_BADF);
	CHECK_EQ_U64(fdtab_setflags(t, 0, 4), E_INVAL);
	file_unref(r);
	file_unref(w);
	fdtab_unref(t);
}

TEST(fdtab_dup2)
{
	struct fdtab *t = fdtab_new(32);
	struct file *w, *r = mkpipe(&w), *w2, *r2 = mkpipe(&w2);
	struct fs_io io = { 0 };
	char c;
	size_t n;
	int32_t fd;

	CHECK_EQ_U64(fdtab_install(t, r, 0, 0, &fd), 0);
	CHECK_EQ_U64(fdtab_install(t, w, 0, FD_CLOEXEC_FLAG, &fd), 0);
	CHECK_EQ_U64(fdtab_install(t, w2, 0, FD_CLOEXEC_FLAG, &fd), 0);
	file_unref(w);
	file_unref(w2);
	/* dup2 onto an open fd closes it (w2's last reference: r2 sees EOF)
	 * and clears close-on-exec. */
	CHECK_EQ_U64(fdtab_dup2(t, 1, 2), 0);
	CHECK(fdtab_get(t, 2) == w);
	CHECK_EQ_U64(file_read(r2, &c, 1, &n, &io), 0);
	CHECK_EQ_U64(n, 0);
	{
		unsigned fl = 99;

		CHECK_EQ_U64(fdtab_getflags(t, 2, &fl), 0);
		CHECK_EQ_U64(fl, 0);
		/* Same fd: nothing changes, not even the flag. */
		CHECK_EQ_U64(fdtab_dup2(t, 1, 1), 0);
		CHECK_EQ_U64(fdtab_getflags(t, 1, &fl), 0);
		CHECK_EQ_U64(fl, FD_CLOEXEC_FLAG);
	}
	/* Far beyond the table's current size, but within the limit. */
	CHECK_EQ_U64(fdtab_dup2(t, 0, 31), 0);
	CHECK(fdtab_get(t, 31) == r);
	CHECK_EQ_U64(t->used, 4);
	CHECK_EQ_U64(fdtab_dup2(t, 0, 32), E_BADF);
	CHECK_EQ_U64(fdtab_dup2(t, 0, -1), E_BADF);
	CHECK_EQ_U64(fdtab_dup2(t, 7, 8), E_BADF);
	CHECK_EQ_U64(fdtab_dup2(t, 7, 7), E_BADF);
	file_unref(r);
	file_unref(r2);
	fdtab_unref(t);
}

TEST(fdtab_renumber)
{
	struct fdtab *t = fdtab_new(16);
	struct file *w, *r = mkpipe(&w);
	int32_t fd;

	CHECK_EQ_U64(fdtab_install(t, r, 0, 0, &fd), 0);
	CHECK_EQ_U64(fdtab_install(t, w, 0, 0, &fd), 0);
	CHECK_EQ_U64(fdtab_renumber(t, 0, 5), 0);
	CHECK(fdtab_get(t, 0) == NULL);
	CHECK(fdtab_get(t, 5) == r);
	CHECK_EQ_U64(fdtab_renumber(t, 5, 5), 0);
	CHECK(fdtab_get(t, 5) == r);
	CHECK_EQ_U64(fdtab_renumber(t, 5, 1), 0);
	CHECK(fdtab_get(t, 1) == r);
	CHECK_EQ_U64(w->refs, 1);
	CHECK_EQ_U64(t->used, 1);
	CHECK_EQ_U64(fdtab_renumber(t, 0, 1), E_BADF);
	CHECK_EQ_U64(fdtab_renumber(t, 1, 16), E_BADF);
	file_unref(r);
	file_unref(w);
	fdtab_unref(t);
}

TEST(fdtab_cloexec_at_exec)
{
	struct fdtab *t = fdtab_new(0);
	struct file *w, *r = mkpipe(&w);
	int32_t fd;

	for (int i = 0; i < 6; i++)
		CHECK_EQ_U64(fdtab_install(t, i % 2 ? w : r, 0, 0, &fd), 0);
	CHECK_EQ_U64(fdtab_setflags(t, 1, FD_CLOEXEC_FLAG), 0);
	CHECK_EQ_U64(fdtab_setflags(t, 4, FD_CLOEXEC_FLAG), 0);
	fdtab_cloexec(t);
	CHECK(fdtab_get(t, 0) && !fdtab_get(t, 1) && fdtab_get(t, 2));
	CHECK(fdtab_get(t, 3) && !fdtab_get(t, 4) && fdtab_get(t, 5));
	CHECK_EQ_U64(t->used, 4);
	CHECK_EQ_U64(r->refs, 3);
	CHECK_EQ_U64(w->refs, 3);
	file_unref(r);
	file_unref(w);
	fdtab_unref(t);
}

TEST(fdtab_limit)
{
	struct fdtab *t = fdtab_new(4);
	struct file *w, *r = mkpipe(&w);
	int32_t fd;

	for (int i = 0; i < 4; i++)
		CHECK_EQ_U64(fdtab_install(t, r, 0, 0, &fd), 0);
	CHECK_EQ_U64(fdtab_install(t, r, 0, 0, &fd), E_MFILE);
	CHECK_EQ_U64(fdtab_dup(t, 0, 0, 0, &fd), E_MFILE);
	CHECK_EQ_U64(fdtab_dup(t, 0, 4, 0, &fd), E_INVAL);
	CHECK_EQ_U64(fdtab_dup2(t, 0, 4), E_BADF);
	CHECK_EQ_U64(fdtab_close(t, 2), 0);
	CHECK_EQ_U64(fdtab_install(t, w, 0, 0, &fd), 0);
	CHECK_EQ_U64(fd, 2);
	CHECK_EQ_U64(r->refs, 4);
	file_unref(r);
	file_unref(w);
	fdtab_unref(t);
}

TEST(fdtab_fork_copy_and_refcounts)
{
	struct fdtab *parent = fdtab_new(0), *child, *shared;
	struct file *w, *r = mkpipe(&w);
	struct fs_io io = { 0 };
	char c;
	size_t n;
	int32_t fd;
	unsigned fl;

	CHECK_EQ_U64(fdtab_install(parent, r, 0, 0, &fd), 0);
	CHECK_EQ_U64(fdtab_install(parent, w, 0, FD_CLOEXEC_FLAG, &fd), 0);
	file_unref(w);
	child = fdtab_copy(parent);
	CHECK(child != NULL);
	CHECK(fdtab_get(child, 0) == r && fdtab_get(child, 1) == w);
	CHECK_EQ_U64(w->refs, 2);
	CHECK_EQ_U64(child->used, 2);
	CHECK_EQ_U64(fdtab_getflags(child, 1, &fl), 0);
	CHECK_EQ_U64(fl, FD_CLOEXEC_FLAG);
	/* The writer lives while either table holds it. */
	CHECK_EQ_U64(fdtab_close(parent, 1), 0);
	CHECK_EQ_U64(file_read(r, &c, 1, &n, &io), E_BLOCK);
	/* exec in the child: a shared table is copied first, then cloexec. */
	shared = child;
	fdtab_ref(shared);
	CHECK_EQ_U64(fdtab_unshare(&child), 0);
	CHECK(child != shared);
	CHECK_EQ_U64(shared->refs, 1);
	fdtab_unref(shared);
	fdtab_cloexec(child);
	CHECK(fdtab_get(child, 1) == NULL);
	CHECK_EQ_U64(file_read(r, &c, 1, &n, &io), 0);
	CHECK_EQ_U64(n, 0);
	/* unshare of a private table keeps it. */
	shared = child;
	CHECK_EQ_U64(fdtab_unshare(&child), 0);
	CHECK(child == shared);
	fdtab_unref(child);
	CHECK_EQ_U64(r->refs, 2);
	file_unref(r);
	fdtab_unref(parent);
	fdtab_unref(NULL);
	file_unref(NULL);
}

/* ---- vnode-backed files ---------------------------------------------------- */

static struct ns *
rootns(void)
{
	return fs_default_root(0, 7, NULL);
}

TEST(file_regular_offsets)
{
	struct ns *ns = rootns();
	struct fs_io io = { 0 };
	struct file *f, *ro;
	struct fs_stat st;
	char buf[32];
	size_t n;
	uint64_t off;

	CHECK(ns != NULL);
	CHECK_EQ_U64(file_open(ns, NULL, S("/tmp/a"), FS_O_CREAT | FS_O_READ | FS_O_WRITE, 0,
			       &io, &f), 0);
	CHECK(f->flags & FILE_READ && f->flags & FILE_WRITE);
	CHECK_EQ_U64(file_write(f, "hello world", 11, &n, &io), 0);
	CHECK_EQ_U64(n, 11);
	CHECK_EQ_U64(f->off, 11);
	/* Reading at the end is EOF. */
	CHECK_EQ_U64(file_read(f, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 0);
	CHECK_EQ_U64(file_seek(f, 0, FILE_SEEK_SET, &off), 0);
	CHECK_EQ_U64(off, 0);
	{
		struct file_iov v[3] = { { buf, 2 }, { buf + 2, 0 }, { buf + 2, 4 } };

		CHECK_EQ_U64(file_readv(f, v, 3, &n, &io), 0);
		CHECK_EQ_U64(n, 6);
		CHECK_MEM(buf, "hello ", 6);
	}
	/* pread/pwrite leave the offset alone. */
	{
		struct file_iov v = { buf, 5 };

		CHECK_EQ_U64(file_preadv(f, &v, 1, 6, &n, &io), 0);
		CHECK_EQ_U64(n, 5);
		CHECK_MEM(buf, "world", 5);
		v = (struct file_iov){ "W", 1 };
		CHECK_EQ_U64(file_pwritev(f, &v, 1, 6, &n, &io), 0);
		CHECK_EQ_U64(f->off, 6);
		CHECK_EQ_U64(file_preadv(f, &v, 1, (uint64_t)INT64_MAX + 1, &n, &io), E_INVAL);
	}
	CHECK_EQ_U64(file_seek(f, -5, FILE_SEEK_END, &off), 0);
	CHECK_EQ_U64(off, 6);
	CHECK_EQ_U64(file_read(f, buf, 5, &n, &io), 0);
	CHECK_MEM(buf, "World", 5);
	CHECK_EQ_U64(file_seek(f, -2, FILE_SEEK_CUR, &off), 0);
	CHECK_EQ_U64(off, 9);
	CHECK_EQ_U64(file_seek(f, -10, FILE_SEEK_CUR, &off), E_INVAL);
	CHECK_EQ_U64(file_seek(f, INT64_MIN, FILE_SEEK_CUR, &off), E_INVAL);
	CHECK_EQ_U64(file_seek(f, INT64_MAX, FILE_SEEK_CUR, &off), E_OVERFLOW);
	CHECK_EQ_U64(file_seek(f, 0, 3, &off), E_INVAL);
	CHECK_EQ_U64(f->off, 9);
	/* Seeking past the end and writing leaves a hole of zeros. */
	CHECK_EQ_U64(file_seek(f, 20, FILE_SEEK_SET, NULL), 0);
	CHECK_EQ_U64(file_write(f, "!", 1, &n, &io), 0);
	CHECK_EQ_U64(file_stat(f, &st), 0);
	CHECK_EQ_U64(st.size, 21);
	CHECK_EQ_U64(st.type, VN_FILE);
	CHECK_EQ_U64(file_type(f), VN_FILE);
	CHECK_EQ_U64(file_poll(f, FS_POLLIN | FS_POLLOUT, &io), FS_POLLIN | FS_POLLOUT);
	CHECK_EQ_U64(file_truncate(f, 5), 0);
	CHECK_EQ_U64(file_stat(f, &st), 0);
	CHECK_EQ_U64(st.size, 5);
	CHECK_EQ_U64(file_sync(f), 0);
	CHECK(!file_isatty(f));

	/* Read-only: writes and truncation are refused. */
	CHECK_EQ_U64(file_open(ns, NULL, S("/tmp/a"), FS_O_READ, 0, &io, &ro), 0);
	CHECK_EQ_U64(file_write(ro, "x", 1, &n, &io), E_BADF);
	CHECK_EQ_U64(file_truncate(ro, 0), E_BADF);
	CHECK_EQ_U64(file_read(ro, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 5);
	CHECK_MEM(buf, "hello", 5);
	file_unref(ro);
	file_unref(f);
	CHECK_EQ_U64(file_open(ns, NULL, S("/tmp/missing"), FS_O_READ, 0, &io, &f), E_NOENT);
	CHECK(f == NULL);
	ns_unref(ns);
}

TEST(file_append_and_shared_offset)
{
	struct ns *ns = rootns();
	struct fs_io io = { 0 };
	struct fdtab *t = fdtab_new(0);
	struct file *f, *a;
	char buf[32];
	size_t n;
	int32_t fd, fd2;

	CHECK_EQ_U64(file_open(ns, NULL, S("/tmp/log"), FS_O_CREAT | FS_O_WRITE | FS_O_READ, 0,
			       &io, &f), 0);
	CHECK_EQ_U64(file_write(f, "one\n", 4, &n, &io), 0);
	/* Two fds for one open file share the offset. */
	CHECK_EQ_U64(fdtab_install(t, f, 0, 0, &fd), 0);
	CHECK_EQ_U64(fdtab_dup(t, fd, 0, 0, &fd2), 0);
	file_unref(f);
	CHECK_EQ_U64(file_seek(fdtab_get(t, fd), 0, FILE_SEEK_SET, NULL), 0);
	CHECK_EQ_U64(file_read(fdtab_get(t, fd2), buf, 2, &n, &io), 0);
	CHECK_EQ_U64(fdtab_get(t, fd)->off, 2);
	/* An O_APPEND file writes at the end whatever its offset. */
	CHECK_EQ_U64(file_open(ns, NULL, S("/tmp/log"), FS_O_WRITE | FS_O_READ, FILE_APPEND, &io,
			       &a), 0);
	CHECK(a->flags & FILE_APPEND);
	CHECK_EQ_U64(file_write(a, "two\n", 4, &n, &io), 0);
	CHECK_EQ_U64(file_seek(a, 0, FILE_SEEK_SET, NULL), 0);
	CHECK_EQ_U64(file_write(a, "three\n", 6, &n, &io), 0);
	CHECK_EQ_U64(a->off, 14);
	CHECK_EQ_U64(file_seek(a, 0, FILE_SEEK_SET, NULL), 0);
	CHECK_EQ_U64(file_read(a, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 14);
	CHECK_MEM(buf, "one\ntwo\nthree\n", 14);
	/* fcntl(F_SETFL) turns append off; the access mode stays. */
	CHECK_EQ_U64(file_set_flags(a, 0), 0);
	CHECK(a->flags & FILE_WRITE && !(a->flags & FILE_APPEND));
	file_unref(a);
	fdtab_unref(t);
	ns_unref(ns);
}

TEST(file_devices_and_dirs)
{
	struct ns *ns = rootns();
	struct fs_io io = { 0 };
	struct file *z, *nul, *d;
	unsigned char buf[64];
	size_t n;

	memset(buf, 0xff, sizeof buf);
	CHECK_EQ_U64(file_open(ns, NULL, S("/dev/zero"), FS_O_READ, 0, &io, &z), 0);
	{
		/* A stream read through several iovecs: one transfer, scattered. */
		struct file_iov v[3] = { { buf, 3 }, { buf + 3, 0 }, { buf + 3, 7 } };

		CHECK_EQ_U64(file_readv(z, v, 3, &n, &io), 0);
		CHECK_EQ_U64(n, 10);
		for (int i = 0; i < 10; i++)
			CHECK_EQ_U64(buf[i], 0);
		CHECK_EQ_U64(buf[10], 0xff);
	}
	CHECK_EQ_U64(file_type(z), VN_CHAR);
	file_unref(z);
	CHECK_EQ_U64(file_open(ns, NULL, S("/dev/null"), FS_O_WRITE | FS_O_READ, 0, &io, &nul), 0);
	{
		struct file_iov v[2] = { { "abc", 3 }, { "de", 2 } };

		CHECK_EQ_U64(file_writev(nul, v, 2, &n, &io), 0);
		CHECK_EQ_U64(n, 5);
	}
	CHECK_EQ_U64(file_read(nul, buf, sizeof buf, &n, &io), 0);
	CHECK_EQ_U64(n, 0);
	file_unref(nul);

	CHECK_EQ_U64(file_open(ns, NULL, S("/"), FS_O_READ | FS_O_DIRECTORY, 0, &io, &d), 0);
	CHECK_EQ_U64(file_read(d, buf, sizeof buf, &n, &io), E_ISDIR);
	CHECK_EQ_U64(file_type(d), VN_DIR);
	CHECK_EQ_U64(file_truncate(d, 0), E_BADF);
	file_unref(d);
	ns_unref(ns);
}

struct names {
	char all[256];
	int count;
};

static int
collect(void *arg, const struct fs_dirent *e)
{
	struct names *nm = arg;

	strncat(nm->all, e->name, e->namelen);
	strcat(nm->all, " ");
	nm->count++;
	return 0;
}

TEST(file_readdir)
{
	struct ns *ns = rootns();
	struct fs_io io = { 0 };
	struct names nm = { "", 0 };
	struct file *d;

	CHECK_EQ_U64(file_open(ns, NULL, S("/"), FS_O_DIRECTORY, 0, &io, &d), 0);
	CHECK_EQ_U64(file_readdir(d, 0, collect, &nm), 0);
	CHECK(strstr(nm.all, ". .. ") == nm.all);
	CHECK(strstr(nm.all, "tmp ") != NULL);
	CHECK(strstr(nm.all, "bin ") != NULL);
	CHECK_EQ_U64(nm.count, 9);
	file_unref(d);
	ns_unref(ns);
}
