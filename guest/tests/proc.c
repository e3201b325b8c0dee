/*
 * proc.c - fork, exit and wait: pids, return values, statuses, WNOHANG,
 * WUNTRACED/WCONTINUED, groups, ECHILD, zombies and orphans.
 */
#include <sys/resource.h>
#include <warren/guest.h>

#include "gt.h"

/* Gate: getpid/getppid differ correctly after fork. */
GT(fork_pids)
{
	pid_t me = getpid(), parent = getppid();
	int p[2];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		pid_t ids[2] = { getpid(), getppid() };

		write(p[1], ids, sizeof ids);
		gt_child_exit(ids[0] != me && ids[1] == me);
	}
	pid_t ids[2] = { 0, 0 };

	CHECK_EQ(read(p[0], ids, sizeof ids), sizeof ids);
	CHECK_EQ(ids[0], c);
	CHECK_EQ(ids[1], me);
	CHECK_EQ(getpid(), me);
	CHECK_EQ(getppid(), parent);
	CHECK(gt_exited(gt_wait(c), 0));
}

/* Gate: fork returns the child's pid to the parent and 0 to the child, and both
 * reach the statement after it. */
static volatile int after_fork;

GT(fork_returns_twice)
{
	int p[2];
	pid_t c;

	REQUIRE(pipe(p) == 0);
	after_fork = 0;
	c = fork();
	after_fork++;  /* both run this */
	REQUIRE(c >= 0);
	if (c == 0) {
		char msg = after_fork == 1 ? 'c' : 'x';

		write(p[1], &msg, 1);
		_exit(7);
	}
	char got = 0;

	CHECK_EQ(read(p[0], &got, 1), 1);
	CHECK_EQ(got, 'c');
	CHECK_EQ(after_fork, 1);
	CHECK(c > 0 && c != getpid());
	CHECK(gt_exited(gt_wait(c), 7));
}

/* The child gets a copy of memory: writes on one side stay on that side. */
GT(fork_memory_copied)
{
	static char big[256 * 1024];
	int local = 5;

	memset(big, 'a', sizeof big);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		int ok = local == 5 && big[1000] == 'a' && big[sizeof big - 1] == 'a';

		local = 6;
		memset(big, 'b', sizeof big);
		gt_child_exit(ok && big[5] == 'b');
	}
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_EQ(local, 5);
	CHECK_EQ(big[5], 'a');
	CHECK_EQ(big[sizeof big - 1], 'a');
}

/* Gate: a parent blocked in wait resumes exactly once when its child exits. */
GT(wait_resumes_once)
{
	int st, returns = 0;
	uint64_t t0 = gt_now_ns();
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		gt_msleep(100);
		_exit(3);
	}
	pid_t r = waitpid(c, &st, 0);

	returns++;
	CHECK_EQ(r, c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	CHECK(gt_now_ns() - t0 >= 90 * 1000000ull);  /* it did block */
	/* Once reaped, never again. */
	CHECK_EQ(waitpid(c, &st, 0), -1);
	CHECK_EQ(errno, ECHILD);
	CHECK_EQ(waitpid(-1, &st, WNOHANG), -1);
	CHECK_EQ(errno, ECHILD);
	CHECK_EQ(returns, 1);
}

/* Exit codes survive as the low 8 bits. */
GT(exit_codes)
{
	static const int codes[] = { 0, 1, 2, 42, 127, 128, 255, 256 + 9 };

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		pid_t c = fork();

		REQUIRE(c >= 0);
		if (c == 0)
			exit(codes[i]);
		int st = gt_wait(c);

		CHECK(WIFEXITED(st));
		CHECK_EQ(WEXITSTATUS(st), codes[i] & 0xff);
	}
}

/* Gate: WNOHANG returns 0 while the child runs. */
GT(wnohang)
{
	int p[2], st = 0;

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		char x;

		close(p[1]);
		read(p[0], &x, 1);  /* until the parent says so */
		_exit(4);
	}
	close(p[0]);
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(waitpid(c, &st, WNOHANG), 0);
		CHECK_EQ(waitpid(-1, &st, WNOHANG), 0);
	}
	close(p[1]);
	CHECK(gt_exited(gt_wait(c), 4));
}

/* wait4 and wait3: waitpid's semantics, usage zeroed (warren keeps none per child). */
GT(wait4_wait3)
{
	struct rusage ru;
	int st = 0;
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0)
		_exit(12);
	memset(&ru, 0xff, sizeof ru);
	CHECK_EQ(wait4(c, &st, 0, &ru), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 12);
	CHECK_EQ(ru.ru_utime.tv_sec, 0);
	c = fork();
	REQUIRE(c >= 0);
	if (c == 0)
		_exit(13);
	CHECK_EQ(wait3(&st, 0, NULL), c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 13);
	CHECK_EQ(wait4(-1, &st, WNOHANG, NULL), -1);
	CHECK_EQ(errno, ECHILD);
}

/* Any child: every one reaped once, with its own status. */
GT(wait_any_many)
{
	enum { N = 20 };
	pid_t kids[N];
	int seen[N] = { 0 };

	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		REQUIRE(kids[i] >= 0);
		if (kids[i] == 0) {
			gt_msleep((N - i) * 3);
			_exit(i);
		}
	}
	for (int n = 0; n < N; n++) {
		int st;
		pid_t r = wait(&st);

		REQUIRE(r > 0);
		REQUIRE(WIFEXITED(st));
		int i = WEXITSTATUS(st);

		REQUIRE(i >= 0 && i < N);
		CHECK_EQ(kids[i], r);
		CHECK_EQ(seen[i], 0);
		seen[i]++;
	}
	CHECK_EQ(wait(NULL), -1);
	CHECK_EQ(errno, ECHILD);
}

GT(echild)
{
	CHECK_EQ(waitpid(-1, NULL, 0), -1);
	CHECK_EQ(errno, ECHILD);
	CHECK_EQ(waitpid(getpid(), NULL, 0), -1);
	CHECK_EQ(errno, ECHILD);
	CHECK_EQ(waitpid(1, NULL, WNOHANG), -1);  /* init is nobody's child here */
	CHECK_EQ(errno, ECHILD);
	CHECK_EQ(waitpid(-1, NULL, 0x40000), -1);  /* unknown option */
	CHECK_EQ(errno, EINVAL);
}

/* A specific pid is waited for even when another child ends first. */
GT(wait_specific)
{
	pid_t slow = fork();

	REQUIRE(slow >= 0);
	if (slow == 0) {
		gt_msleep(80);
		_exit(1);
	}
	pid_t fast = fork();

	REQUIRE(fast >= 0);
	if (fast == 0)
		_exit(2);
	CHECK(gt_exited(gt_wait(slow), 1));
	CHECK(gt_exited(gt_wait(fast), 2));
}

/* WUNTRACED sees a stopped child, WCONTINUED a continued one. */
GT(wait_stopped_continued)
{
	int st;
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		for (;;)
			pause();
	}
	CHECK_EQ(kill(c, SIGSTOP), 0);
	CHECK_EQ(waitpid(c, &st, WUNTRACED), c);
	CHECK(WIFSTOPPED(st));
	CHECK_EQ(WSTOPSIG(st), SIGSTOP);
	CHECK(!WIFEXITED(st) && !WIFSIGNALED(st));
	/* Reported once. */
	CHECK_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), 0);
	CHECK_EQ(kill(c, SIGCONT), 0);
	CHECK_EQ(waitpid(c, &st, WCONTINUED), c);
	CHECK(WIFCONTINUED(st));
	CHECK_EQ(kill(c, SIGTERM), 0);
	CHECK(gt_signalled(gt_wait(c), SIGTERM));
}

/* Without WUNTRACED a stop is not reported; the wait goes on until the exit. */
GT(wait_ignores_stop_by_default)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		raise(SIGSTOP);
		_exit(5);
	}
	gt_msleep(50);
	CHECK_EQ(waitpid(c, NULL, WNOHANG), 0);
	kill(c, SIGCONT);
	CHECK(gt_exited(gt_wait(c), 5));
}

/* waitpid(-pgid) and waitpid(0) pick children by process group. */
GT(wait_group)
{
	int st;
	pid_t a = fork();

	REQUIRE(a >= 0);
	if (a == 0) {
		gt_msleep(30);
		_exit(10);
	}
	pid_t b = fork();

	REQUIRE(b >= 0);
	if (b == 0) {
		setpgid(0, 0);
		gt_msleep(10);
		_exit(11);
	}
	setpgid(b, b);  /* b leads its own group */
	/* Only b is in group b, however long a takes. */
	CHECK_EQ(waitpid(-b, &st, 0), b);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 11);
	CHECK_EQ(waitpid(-b, &st, WNOHANG), -1);
	CHECK_EQ(errno, ECHILD);
	/* a shares our group: waitpid(0) finds it. */
	CHECK_EQ(waitpid(0, &st, 0), a);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 10);
}

/* Is pid a zombie? (ps state Z) */
static int
state_of(pid_t pid)
{
	char *t = wr_ps(), *line, *save = NULL;
	int state = 0;

	if (!t)
		return 0;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int p;
		char s;

		if (sscanf(line, "%d %*d %*d %*d %c", &p, &s) == 2 && p == pid)
			state = s;
	}
	free(t);
	return state;
}

/* An exited child stays a zombie until reaped, then it is gone. */
GT(zombie)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0)
		_exit(0);
	for (int i = 0; i < 100 && state_of(c) != 'Z'; i++)
		gt_msleep(5);
	CHECK_EQ(state_of(c), 'Z');
	CHECK_EQ(kill(c, 0), 0);  /* a zombie still exists */
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_EQ(state_of(c), 0);
	CHECK_EQ(kill(c, 0), -1);
	CHECK_EQ(errno, ESRCH);
}

/* An orphan is adopted by init (pid 1), which reaps it. */
GT(orphan_reparented)
{
	int p[2], sync[2];

	REQUIRE(pipe(p) == 0 && pipe(sync) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		pid_t g = fork();
		char x;

		if (g == 0) {
			pid_t before = getppid(), after = before;

			write(sync[1], "x", 1);  /* the parent may go now */
			for (int i = 0; i < 400 && after == before; i++) {
				gt_msleep(5);
				after = getppid();
			}
			write(p[1], &before, sizeof before);
			write(p[1], &after, sizeof after);
			_exit(0);
		}
		if (g > 0)
			read(sync[0], &x, 1);
		_exit(g > 0 ? 0 : 1);
	}
	close(p[1]);
	CHECK(gt_exited(gt_wait(c), 0));
	pid_t ids[2] = { 0, 0 };

	CHECK_EQ(read(p[0], &ids[0], sizeof ids[0]), sizeof ids[0]);
	CHECK_EQ(read(p[0], &ids[1], sizeof ids[1]), sizeof ids[1]);
	CHECK_EQ(ids[0], c);
	CHECK_EQ(ids[1], 1);
	/* Not ours to wait for: init reaps it. */
	CHECK_EQ(waitpid(-1, NULL, WNOHANG), -1);
	CHECK_EQ(errno, ECHILD);
}

/* Pids are never reused within a run. */
GT(pids_unique)
{
	enum { N = 64 };
	pid_t seen[N];

	for (int i = 0; i < N; i++) {
		pid_t c = fork();

		REQUIRE(c >= 0);
		if (c == 0)
			_exit(0);
		seen[i] = c;
		CHECK(gt_exited(gt_wait(c), 0));
		for (int j = 0; j < i; j++)
			CHECK(seen[j] != c);
	}
}

/* vfork is a fork under warren: the child may even return to the caller's frame. */
GT(vfork_works)
{
	pid_t c = vfork();

	REQUIRE(c >= 0);
	if (c == 0)
		_exit(9);
	CHECK(gt_exited(gt_wait(c), 9));
}

/* A fork tree three levels deep, each waiting for its children. */
static int
tree(int depth)
{
	pid_t kids[2];
	int ok = 1;

	if (depth == 0)
		return 1;
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			return 0;
		if (kids[i] == 0)
			_exit(tree(depth - 1) ? 0 : 1);
	}
	for (int i = 0; i < 2; i++)
		ok &= gt_exited(gt_wait(kids[i]), 0);
	return ok;
}

GT(fork_tree)
{
	CHECK(tree(4));
	CHECK_EQ(wait(NULL), -1);
}
