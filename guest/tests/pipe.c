/*
 * pipe.c - pipes: transfer, blocking reader and writer, EOF, EPIPE,
 * non-blocking ends, large transfers, a process pipeline.
 */
#include <poll.h>

#include "gt.h"

GT(pipe_basic)
{
	int p[2];
	char buf[16];

	REQUIRE(pipe(p) == 0);
	CHECK(p[0] >= 3 && p[1] >= 3 && p[0] != p[1]);
	CHECK_EQ(write(p[1], "hello", 5), 5);
	CHECK_EQ(read(p[0], buf, sizeof buf), 5);
	CHECK(!memcmp(buf, "hello", 5));
	close(p[1]);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);  /* EOF */
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	close(p[0]);
}

/* A reader blocked on an empty pipe wakes when data comes. */
GT(pipe_blocking_read)
{
	int p[2];
	char buf[8];
	uint64_t t0;

	REQUIRE(pipe(p) == 0);
	t0 = gt_now_ns(); /* before fork: the child may run first */
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		gt_msleep(60);
		write(p[1], "late", 4);
		_exit(0);
	}
	CHECK_EQ(read(p[0], buf, sizeof buf), 4);
	CHECK(gt_now_ns() - t0 >= 50 * 1000000ull);
	CHECK(gt_exited(gt_wait(c), 0));
}

/* EOF only when every write end is closed, in every process. */
GT(pipe_eof_all_writers)
{
	int p[2], sync[2];
	char buf[8], x;

	REQUIRE(pipe(p) == 0 && pipe(sync) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		close(p[0]);
		read(sync[0], &x, 1);  /* hold the write end until told */
		_exit(0);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	/* The child still holds a writer: no EOF, just nothing yet. */
	CHECK_EQ(read(p[0], buf, sizeof buf), -1);
	CHECK_EQ(errno, EAGAIN);
	write(sync[1], "x", 1);
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
}

GT(pipe_epipe)
{
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	REQUIRE(pipe(p) == 0);
	close(p[0]);
	CHECK_EQ(write(p[1], "x", 1), -1);
	CHECK_EQ(errno, EPIPE);
}

/* A writer blocks when the pipe is full and goes on as the reader drains it:
 * a megabyte crosses intact. */
GT(pipe_large_transfer)
{
	enum { TOTAL = 1 << 20 };
	int p[2];
	pid_t c;

	REQUIRE(pipe(p) == 0);
	c = fork();
	REQUIRE(c >= 0);
	if (c == 0) {
		static unsigned char chunk[3000];
		size_t sent = 0;

		close(p[0]);
		while (sent < TOTAL) {
			size_t n = TOTAL - sent < sizeof chunk ? TOTAL - sent : sizeof chunk;

			for (size_t i = 0; i < n; i++)
				chunk[i] = (unsigned char)((sent + i) * 7 + 3);
			if (gt_writeall(p[1], chunk, n) < 0)
				_exit(1);
			sent += n;
		}
		_exit(0);
	}
	close(p[1]);
	static unsigned char buf[4096];
	size_t got = 0;
	int bad = 0;

	for (;;) {
		ssize_t n = read(p[0], buf, (got / 4096) % 3 == 0 ? 1000 : sizeof buf);

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			bad |= buf[i] != (unsigned char)((got + (size_t)i) * 7 + 3);
		got += (size_t)n;
	}
	CHECK_EQ(got, TOTAL);
	CHECK(!bad);
	CHECK(gt_exited(gt_wait(c), 0));
}

/* Non-blocking ends: EAGAIN instead of waiting; a full pipe takes a short write. */
GT(pipe_nonblocking)
{
	int p[2];
	static char big[1 << 20];
	char buf[8];

	REQUIRE(pipe(p) == 0);
	CHECK_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	CHECK_EQ(read(p[0], buf, sizeof buf), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	ssize_t n = write(p[1], big, sizeof big);

	CHECK(n > 0 && n < (ssize_t)sizeof big);  /* the pipe is bounded */
	CHECK_EQ(write(p[1], big, sizeof big), -1);
	CHECK_EQ(errno, EAGAIN);
	/* Draining makes room again. */
	CHECK(read(p[0], big, sizeof big) > 0);
	CHECK(write(p[1], "x", 1) == 1);
}

/* poll sees a pipe become readable, and the hang-up of its writer. */
GT(pipe_poll)
{
	int p[2];
	struct pollfd pf;

	REQUIRE(pipe(p) == 0);
	pf.fd = p[0];
	pf.events = POLLIN;
	CHECK_EQ(poll(&pf, 1, 0), 0);
	write(p[1], "z", 1);
	CHECK_EQ(poll(&pf, 1, 1000), 1);
	CHECK(pf.revents & POLLIN);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		gt_msleep(30);
		write(p[1], "y", 1);
		_exit(0);
	}
	char b[4];

	read(p[0], b, sizeof b);
	pf.revents = 0;
	CHECK_EQ(poll(&pf, 1, 5000), 1);  /* blocks until the child writes */
	CHECK(gt_exited(gt_wait(c), 0));
}

/* Closes fds[0..n). */
static void
close_all(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/*
 * Forks one program of a pipeline: the child takes in as stdin and out as
 * stdout (-1: the one it has), closes the pipe ends fds[0..n) and execs path
 * with argv (exit status 99 when it cannot).
 */
static pid_t
stage(int in, int out, const int *fds, int n, const char *path, char *const argv[])
{
	pid_t c = fork();

	if (c == 0) {
		if (in >= 0)
			dup2(in, 0);
		if (out >= 0)
			dup2(out, 1);
		close_all(fds, n);
		execv(path, argv);
		_exit(99);
	}
	return c;
}

/* echo | cat | wc -c through real programs, wired with dup2. */
GT(pipeline_programs)
{
	int p[3][2];  /* echo -> cat -> wc -> this test */
	char out[64];

	REQUIRE(pipe(p[0]) == 0 && pipe(p[1]) == 0 && pipe(p[2]) == 0);
	pid_t p1 = stage(-1, p[0][1], p[0], 6, "/bin/echo",
			 (char *[]){ "echo", "through three processes", NULL });

	REQUIRE(p1 >= 0);
	pid_t p2 = stage(p[0][0], p[1][1], p[0], 6, "/bin/cat", (char *[]){ "cat", NULL });

	REQUIRE(p2 >= 0);
	pid_t p3 = stage(p[1][0], p[2][1], p[0], 6, "/bin/wc", (char *[]){ "wc", "-c", NULL });

	REQUIRE(p3 >= 0);
	close_all(p[0], 4);
	close(p[2][1]);
	gt_readall(p[2][0], out, sizeof out);
	CHECK_STR(out, "24\n");
	CHECK(gt_exited(gt_wait(p1), 0));
	CHECK(gt_exited(gt_wait(p2), 0));
	CHECK(gt_exited(gt_wait(p3), 0));
}

/* The reader of a pipeline exits early: the writer dies of SIGPIPE (yes | head). */
GT(pipeline_early_reader_exit)
{
	int p[2][2];  /* yes -> head -> this test */
	char out[64];

	REQUIRE(pipe(p[0]) == 0);
	/* yes starts before the second pipe exists, so it holds no end of it. */
	pid_t w = stage(-1, p[0][1], p[0], 2, "/bin/yes", (char *[]){ "yes", NULL });

	REQUIRE(w >= 0);
	REQUIRE(pipe(p[1]) == 0);
	pid_t r = stage(p[0][0], p[1][1], p[0], 4, "/bin/head", (char *[]){ "head", "-n", "2", NULL });

	REQUIRE(r >= 0);
	close_all(p[0], 2);
	close(p[1][1]);
	gt_readall(p[1][0], out, sizeof out);
	CHECK_STR(out, "y\ny\n");
	CHECK(gt_exited(gt_wait(r), 0));
	CHECK(gt_signalled(gt_wait(w), SIGPIPE));
}

/* Many pipes opened and closed: the fd numbers come back. */
GT(pipe_churn)
{
	int first[2];

	REQUIRE(pipe(first) == 0);
	close(first[0]);
	close(first[1]);
	for (int i = 0; i < 2000; i++) {
		int p[2];

		REQUIRE(pipe(p) == 0);
		CHECK(p[0] == first[0] && p[1] == first[1]);
		close(p[0]);
		close(p[1]);
	}
}
