/*
 * fd.c - file descriptors: dup, dup2, F_DUPFD, close-on-exec flags,
 * shared offsets across dup and fork, status flags, bad fds.
 */
#include "gt.h"

GT(dup_lowest)
{
	int fd = open("/dev/null", O_RDONLY);

	REQUIRE(fd >= 0);
	int d = dup(fd);

	CHECK(d > fd);
	close(fd);
	int e = dup(d);

	CHECK_EQ(e, fd);  /* the lowest free number */
	close(d);
	close(e);
}

GT(dup2_semantics)
{
	int a = open("/dev/null", O_RDONLY), b = open("/dev/zero", O_RDONLY);
	char c = 1;

	REQUIRE(a >= 0 && b >= 0);
	/* Onto an open fd: it is closed first, and now reads what a reads. */
	CHECK_EQ(dup2(a, b), b);
	CHECK_EQ(read(b, &c, 1), 0);  /* /dev/null, not /dev/zero */
	/* Onto itself: nothing happens, even to close-on-exec. */
	fcntl(a, F_SETFD, FD_CLOEXEC);
	CHECK_EQ(dup2(a, a), a);
	CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
	/* The copy does not inherit close-on-exec. */
	CHECK_EQ(dup2(a, 50), 50);
	CHECK_EQ(fcntl(50, F_GETFD), 0);
	/* Bad ones. */
	CHECK_EQ(dup2(-1, 5), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(dup2(a, -1), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(dup2(77, 77), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(dup(99), -1);
	CHECK_EQ(errno, EBADF);
}

GT(fcntl_dupfd)
{
	int fd = open("/dev/null", O_RDONLY);

	REQUIRE(fd >= 0);
	int d = fcntl(fd, F_DUPFD, 20);

	CHECK_EQ(d, 20);
	CHECK_EQ(fcntl(fd, F_DUPFD, 20), 21);
	CHECK_EQ(fcntl(d, F_GETFD), 0);
	int e = fcntl(fd, F_DUPFD_CLOEXEC, 30);

	CHECK_EQ(e, 30);
	CHECK_EQ(fcntl(e, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(e, F_SETFD, 0), 0);
	CHECK_EQ(fcntl(e, F_GETFD), 0);
	CHECK_EQ(fcntl(fd, F_DUPFD, -1), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(fcntl(fd, 12345), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(fcntl(-1, F_GETFD), -1);
	CHECK_EQ(errno, EBADF);
}

/* dup'ed fds share one open file: one offset. */
GT(dup_shares_offset)
{
	int fd = open("/tmp/gt_fd_off", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[16];

	REQUIRE(fd >= 0);
	int d = dup(fd);

	write(fd, "abc", 3);
	write(d, "def", 3);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6);
	CHECK_EQ(lseek(d, 0, SEEK_SET), 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 6);
	CHECK(!memcmp(buf, "abcdef", 6));
	close(fd);
	close(d);
	unlink("/tmp/gt_fd_off");
}

/* fork shares open files (offsets) but not the fd table itself. */
GT(fork_shares_files)
{
	int fd = open("/tmp/gt_fd_fork", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[16] = { 0 };

	REQUIRE(fd >= 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		write(fd, "child", 5);
		close(fd);  /* only the child's fd */
		_exit(0);
	}
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);  /* moved by the child */
	write(fd, "+parent", 7);
	lseek(fd, 0, SEEK_SET);
	CHECK_EQ(read(fd, buf, sizeof buf - 1), 12);
	CHECK_STR(buf, "child+parent");
	close(fd);
	unlink("/tmp/gt_fd_fork");
}

GT(status_flags)
{
	int fd = open("/tmp/gt_fd_fl", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);

	REQUIRE(fd >= 0);
	int fl = fcntl(fd, F_GETFL);

	CHECK(fl & O_APPEND);
	CHECK_EQ(fl & O_ACCMODE, O_WRONLY);
	CHECK_EQ(fcntl(fd, F_SETFL, 0), 0);
	CHECK(!(fcntl(fd, F_GETFL) & O_APPEND));
	close(fd);
	fd = open("/tmp/gt_fd_fl", O_RDONLY);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(fd);
	unlink("/tmp/gt_fd_fl");
}

GT(close_twice)
{
	int fd = open("/dev/null", O_RDONLY);

	REQUIRE(fd >= 0);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(close(fd), -1);
	CHECK_EQ(errno, EBADF);
	char c;

	CHECK_EQ(read(fd, &c, 1), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(write(fd, &c, 1), -1);
	CHECK_EQ(errno, EBADF);
}

/* stdio of the test is there: 0, 1, 2 are open. */
GT(stdio_open)
{
	for (int fd = 0; fd < 3; fd++)
		CHECK(fcntl(fd, F_GETFD) >= 0);
}

/* A redirect in the child does not touch the parent's fds. */
GT(redirect_in_child)
{
	int p[2];
	char out[32];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		dup2(p[1], 1);
		printf("to the pipe\n");
		fflush(stdout);
		_exit(0);
	}
	close(p[1]);
	gt_readall(p[0], out, sizeof out);
	CHECK_STR(out, "to the pipe\n");
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK(fcntl(1, F_GETFD) >= 0);
}
