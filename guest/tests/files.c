/*
 * files.c - the file system as a program sees it: files (create, write,
 * read, seek, truncate, append, O_EXCL), directories (mkdir, readdir,
 * rmdir, rename, ENOTEMPTY), symlinks, relative paths after chdir (also
 * in children), errors, /tmp, /bin and the /dev devices.
 */
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>

#include "gt.h"

static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	int r = gt_writeall(fd, text, strlen(text));

	close(fd);
	return r;
}

static char *
read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	gt_readall(fd, buf, cap);
	close(fd);
	return buf;
}

GT(file_rw)
{
	char buf[64];
	struct stat st;

	REQUIRE(write_file("/tmp/gt_f", "hello, file\n") == 0);
	CHECK(read_file("/tmp/gt_f", buf, sizeof buf) != NULL);
	CHECK_STR(buf, "hello, file\n");
	CHECK_EQ(stat("/tmp/gt_f", &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_size, 12);
	int fd = open("/tmp/gt_f", O_RDWR);

	REQUIRE(fd >= 0);
	CHECK_EQ(lseek(fd, 7, SEEK_SET), 7);
	CHECK_EQ(write(fd, "FILE", 4), 4);
	CHECK_EQ(lseek(fd, -5, SEEK_END), 7);
	CHECK_EQ(read(fd, buf, 4), 4);
	CHECK(!memcmp(buf, "FILE", 4));
	CHECK_EQ(ftruncate(fd, 5), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 5);
	/* A hole reads as zeros. */
	CHECK_EQ(lseek(fd, 10, SEEK_SET), 10);
	CHECK_EQ(write(fd, "!", 1), 1);
	CHECK_EQ(pread(fd, buf, 11, 0), 11);
	CHECK(!memcmp(buf, "hello\0\0\0\0\0!", 11));
	close(fd);
	CHECK_EQ(unlink("/tmp/gt_f"), 0);
	CHECK_EQ(stat("/tmp/gt_f", &st), -1);
	CHECK_EQ(errno, ENOENT);
}

GT(file_append_excl)
{
	char buf[32];
	int fd;

	write_file("/tmp/gt_a", "one\n");
	fd = open("/tmp/gt_a", O_WRONLY | O_APPEND);
	REQUIRE(fd >= 0);
	lseek(fd, 0, SEEK_SET);
	write(fd, "two\n", 4);  /* at the end all the same */
	close(fd);
	CHECK_STR(read_file("/tmp/gt_a", buf, sizeof buf), "one\ntwo\n");
	CHECK_EQ(open("/tmp/gt_a", O_WRONLY | O_CREAT | O_EXCL, 0644), -1);
	CHECK_EQ(errno, EEXIST);
	fd = open("/tmp/gt_a", O_WRONLY | O_TRUNC);
	CHECK(fd >= 0);
	close(fd);
	CHECK_STR(read_file("/tmp/gt_a", buf, sizeof buf), "");
	unlink("/tmp/gt_a");
	CHECK_EQ(open("/tmp/gt_a", O_RDONLY), -1);
	CHECK_EQ(errno, ENOENT);
}

static int
dir_has(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		found += !strcmp(e->d_name, name);
	closedir(d);
	return found;
}

GT(directories)
{
	struct stat st;

	CHECK_EQ(mkdir("/tmp/gt_d", 0755), 0);
	CHECK_EQ(mkdir("/tmp/gt_d", 0755), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(stat("/tmp/gt_d", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(mkdir("/tmp/gt_d/sub", 0755), 0);
	CHECK_EQ(write_file("/tmp/gt_d/sub/f", "x"), 0);
	CHECK_EQ(dir_has("/tmp/gt_d", "sub"), 1);
	CHECK_EQ(dir_has("/tmp/gt_d/sub", "f"), 1);
	CHECK_EQ(dir_has("/tmp/gt_d", "."), 1);
	CHECK_EQ(dir_has("/tmp/gt_d", ".."), 1);
	CHECK_EQ(rmdir("/tmp/gt_d/sub"), -1);
	CHECK_EQ(errno, ENOTEMPTY);
	CHECK_EQ(rename("/tmp/gt_d/sub/f", "/tmp/gt_d/g"), 0);
	CHECK_EQ(dir_has("/tmp/gt_d", "g"), 1);
	CHECK_EQ(dir_has("/tmp/gt_d/sub", "f"), 0);
	CHECK_EQ(rename("/tmp/gt_d/sub", "/tmp/gt_d/sub2"), 0);
	CHECK_EQ(rmdir("/tmp/gt_d/sub2"), 0);
	CHECK_EQ(unlink("/tmp/gt_d"), -1);  /* a directory */
	CHECK(errno == EISDIR || errno == EPERM);
	CHECK_EQ(open("/tmp/gt_d/g/x", O_RDONLY), -1);
	CHECK_EQ(errno, ENOTDIR);
	unlink("/tmp/gt_d/g");
	CHECK_EQ(rmdir("/tmp/gt_d"), 0);
	CHECK_EQ(dir_has("/tmp", "gt_d"), 0);
}

/*
 * rename onto an existing name in a directory whose entry table is full
 * (8, 16, 32 ... entries), so that making room moves the table: found by
 * the grinder (the host read a stale entry).
 */
GT(rename_over_existing_full_dir)
{
	char a[64], b[64], buf[16];

	for (int n = 8; n <= 32; n *= 2) {
		mkdir("/tmp/gt_rn", 0755);
		for (int i = 0; i < n; i++) {
			snprintf(a, sizeof a, "/tmp/gt_rn/e%d", i);
			write_file(a, i == 0 ? "first" : "other");
		}
		snprintf(b, sizeof b, "/tmp/gt_rn/e%d", n - 1);
		CHECK_EQ(rename("/tmp/gt_rn/e0", b), 0);
		CHECK_STR(read_file(b, buf, sizeof buf), "first");
		CHECK_EQ(dir_has("/tmp/gt_rn", "e0"), 0);
		for (int i = 1; i < n; i++) {
			snprintf(a, sizeof a, "/tmp/gt_rn/e%d", i);
			CHECK_EQ(unlink(a), 0);
		}
		CHECK_EQ(rmdir("/tmp/gt_rn"), 0);
	}
}

GT(symlinks)
{
	char buf[64];
	struct stat st;

	write_file("/tmp/gt_target", "through the link\n");
	CHECK_EQ(symlink("/tmp/gt_target", "/tmp/gt_link"), 0);
	CHECK_EQ(readlink("/tmp/gt_link", buf, sizeof buf), 14);
	CHECK(!memcmp(buf, "/tmp/gt_target", 14));
	CHECK_STR(read_file("/tmp/gt_link", buf, sizeof buf), "through the link\n");
	CHECK_EQ(lstat("/tmp/gt_link", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(stat("/tmp/gt_link", &st), 0);
	CHECK(S_ISREG(st.st_mode));
	/* Relative links resolve from the link's directory. */
	CHECK_EQ(symlink("gt_target", "/tmp/gt_rel"), 0);
	CHECK_STR(read_file("/tmp/gt_rel", buf, sizeof buf), "through the link\n");
	unlink("/tmp/gt_target");
	CHECK_EQ(open("/tmp/gt_link", O_RDONLY), -1);  /* dangling */
	CHECK_EQ(errno, ENOENT);
	unlink("/tmp/gt_link");
	unlink("/tmp/gt_rel");
}

/* Relative paths follow chdir, for this process and its children. */
GT(relative_paths)
{
	char buf[PATH_MAX], out[64];

	mkdir("/tmp/gt_r", 0755);
	mkdir("/tmp/gt_r/in", 0755);
	REQUIRE(chdir("/tmp/gt_r") == 0);
	CHECK_STR(getcwd(buf, sizeof buf), "/tmp/gt_r");
	CHECK_EQ(write_file("rel", "relative\n"), 0);
	CHECK_STR(read_file("/tmp/gt_r/rel", out, sizeof out), "relative\n");
	CHECK_STR(read_file("./rel", out, sizeof out), "relative\n");
	CHECK_STR(read_file("in/../rel", out, sizeof out), "relative\n");
	CHECK_EQ(chdir("in"), 0);
	CHECK_STR(getcwd(buf, sizeof buf), "/tmp/gt_r/in");
	CHECK_STR(read_file("../rel", out, sizeof out), "relative\n");
	CHECK_EQ(chdir(".."), 0);
	CHECK_STR(getcwd(buf, sizeof buf), "/tmp/gt_r");
	/* Absolute paths are not affected by the working directory. */
	CHECK(read_file("/tmp/gt_r/rel", out, sizeof out) != NULL);
	/* A child starts where the parent is, and its chdir stays its own. */
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		char b[PATH_MAX], o[64];
		int ok = getcwd(b, sizeof b) && !strcmp(b, "/tmp/gt_r") &&
			 read_file("rel", o, sizeof o) && !strcmp(o, "relative\n");

		ok = ok && chdir("/") == 0 && read_file("tmp/gt_r/rel", o, sizeof o);
		gt_child_exit(ok);
	}
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_STR(getcwd(buf, sizeof buf), "/tmp/gt_r");
	/* A program run from here sees the same directory. */
	char *argv[] = { "/bin/cat", "rel", NULL };

	CHECK(gt_exited(gt_run(argv, NULL, out, sizeof out, 0), 0));
	CHECK_STR(out, "relative\n");
	/* Bad chdirs change nothing. */
	CHECK_EQ(chdir("rel"), -1);
	CHECK_EQ(errno, ENOTDIR);
	CHECK_EQ(chdir("/no/such"), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_STR(getcwd(buf, sizeof buf), "/tmp/gt_r");
	CHECK_EQ(getcwd(buf, 3), NULL);
	CHECK_EQ(errno, ERANGE);
	chdir("/");
	unlink("/tmp/gt_r/rel");
	rmdir("/tmp/gt_r/in");
	rmdir("/tmp/gt_r");
}

/* .. at the root stays at the root. */
GT(dotdot_at_root)
{
	char buf[PATH_MAX];

	REQUIRE(chdir("/") == 0);
	CHECK_EQ(chdir("../../.."), 0);
	CHECK_STR(getcwd(buf, sizeof buf), "/");
	CHECK_EQ(dir_has("/../..", "tmp"), 1);
}

GT(standard_tree)
{
	struct stat st;

	CHECK(stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(stat("/bin", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(stat("/dev", &st) == 0 && S_ISDIR(st.st_mode));
	static const char *const progs[] = { "sh", "init", "echo", "cat", "ls", "test", "[" };

	for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
		char path[64];

		snprintf(path, sizeof path, "/bin/%s", progs[i]);
		CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
	}
}

/*
 * run.sh mounts the host's build/guest/tests read-only on /t: its files
 * are there, it cannot be written, and no path leaves the namespace.
 */
GT(host_mount)
{
	struct stat st, t;

	CHECK_EQ(stat("/t/files.wasm", &st), 0);
	CHECK(S_ISREG(st.st_mode) && st.st_size > 0);
	CHECK_EQ(dir_has("/t", "files.wasm"), 1);
	CHECK_EQ(open("/t/new_file", O_WRONLY | O_CREAT, 0644), -1);
	CHECK(errno == EROFS || errno == EACCES || errno == EPERM);
	CHECK_EQ(mkdir("/t/newdir", 0755), -1);
	CHECK_EQ(unlink("/t/files.wasm"), -1);
	/* .. out of the mount goes to the namespace's root, not the host's. */
	CHECK_EQ(stat("/t/../../../../tmp", &st), 0);
	CHECK_EQ(stat("/tmp", &t), 0);
	CHECK(st.st_ino == t.st_ino && st.st_dev == t.st_dev);
	CHECK_EQ(stat("/t/../../../../etc/passwd", &st), -1);
	CHECK_EQ(open("/t/../../../../../../etc/passwd", O_RDONLY), -1);
	/* A symlink from memory into the mount resolves inside the namespace. */
	CHECK_EQ(symlink("/t/files.wasm", "/tmp/gt_to_mount"), 0);
	CHECK_EQ(stat("/tmp/gt_to_mount", &st), 0);
	CHECK(S_ISREG(st.st_mode));
	unlink("/tmp/gt_to_mount");
}

GT(dev_null)
{
	int fd = open("/dev/null", O_RDWR);
	char buf[8];
	struct stat st;

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "gone", 4), 4);
	CHECK_EQ(read(fd, buf, sizeof buf), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	close(fd);
}

GT(dev_zero)
{
	int fd = open("/dev/zero", O_RDONLY);
	char buf[4096];

	REQUIRE(fd >= 0);
	memset(buf, 'x', sizeof buf);
	CHECK_EQ(read(fd, buf, sizeof buf), (long)sizeof buf);
	int zero = 1;

	for (size_t i = 0; i < sizeof buf; i++)
		zero &= buf[i] == 0;
	CHECK(zero);
	close(fd);
}

GT(dev_random)
{
	static const char *const devs[] = { "/dev/random", "/dev/urandom" };

	for (size_t d = 0; d < 2; d++) {
		int fd = open(devs[d], O_RDONLY);
		unsigned char a[64], b[64];

		REQUIRE(fd >= 0);
		CHECK_EQ(read(fd, a, sizeof a), (long)sizeof a);
		CHECK_EQ(read(fd, b, sizeof b), (long)sizeof b);
		CHECK(memcmp(a, b, sizeof a) != 0);
		int nonzero = 0;

		for (size_t i = 0; i < sizeof a; i++)
			nonzero += a[i] != 0;
		CHECK(nonzero > 32);
		close(fd);
	}
}

GT(dev_console)
{
	struct stat st;
	int fd = open("/dev/console", O_WRONLY);

	REQUIRE(fd >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	close(fd);
}

GT(errors)
{
	char buf[8];

	CHECK_EQ(open("/no/such/file", O_RDONLY), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(open("", O_RDONLY), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(mkdir("/no/such/dir", 0755), -1);
	CHECK_EQ(errno, ENOENT);
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY);

	CHECK(fd >= 0);
	CHECK_EQ(read(fd, buf, sizeof buf), -1);
	CHECK(errno == EISDIR || errno == EBADF);
	close(fd);
	CHECK_EQ(open("/tmp", O_WRONLY), -1);
	CHECK_EQ(errno, EISDIR);
	char longname[300];

	memset(longname, 'n', sizeof longname - 1);
	longname[0] = '/';
	longname[sizeof longname - 1] = 0;
	CHECK_EQ(open(longname, O_RDONLY), -1);
	CHECK(errno == ENAMETOOLONG || errno == ENOENT);
}

/* Big files: a few megabytes written and read back in odd chunks. */
GT(big_file)
{
	enum { SIZE = 3 * 1024 * 1024 + 17 };
	int fd = open("/tmp/gt_big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	static unsigned char buf[65536];
	size_t done = 0;
	int bad = 0;

	REQUIRE(fd >= 0);
	while (done < SIZE) {
		size_t n = SIZE - done < 4999 ? SIZE - done : 4999;

		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)((done + i) % 251);
		REQUIRE(gt_writeall(fd, buf, n) == 0);
		done += n;
	}
	CHECK_EQ(lseek(fd, 0, SEEK_END), SIZE);
	lseek(fd, 0, SEEK_SET);
	done = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			bad |= buf[i] != (unsigned char)((done + (size_t)i) % 251);
		done += (size_t)n;
	}
	CHECK_EQ(done, SIZE);
	CHECK(!bad);
	close(fd);
	unlink("/tmp/gt_big");
}
