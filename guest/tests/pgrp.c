/*
 * pgrp.c - process groups and sessions: setpgid/getpgid/setsid/getsid
 * with POSIX's rules, inheritance across fork, tcgetpgrp/tcsetpgrp on a
 * file that is not the console.
 */
#include "gt.h"

/* The harness runs each test as the leader of its own group. */
GT(initial_group)
{
	CHECK_EQ(getpgid(0), getpid());
	CHECK_EQ(getpgrp(), getpid());
	CHECK_EQ(getpgid(getpid()), getpid());
	CHECK(getsid(0) > 0);
	CHECK_EQ(getsid(0), getsid(getpid()));
}

GT(fork_inherits_group)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0)
		gt_child_exit(getpgrp() == getpgid(getppid()) && getsid(0) == getsid(getppid()));
	CHECK(gt_exited(gt_wait(c), 0));
}

GT(setpgid_rules)
{
	int p[2];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		char x;

		read(p[0], &x, 1);
		_exit(0);
	}
	/* A child into a group of its own, then back into ours. */
	CHECK_EQ(setpgid(c, 0), 0);
	CHECK_EQ(getpgid(c), c);
	CHECK_EQ(setpgid(c, getpgrp()), 0);
	CHECK_EQ(getpgid(c), getpgrp());
	/* Into a group that does not exist in the session: EPERM. */
	CHECK_EQ(setpgid(c, 999999), -1);
	CHECK_EQ(errno, EPERM);
	/* Someone else's process: ESRCH. */
	CHECK_EQ(setpgid(1, 1), -1);
	CHECK(errno == ESRCH || errno == EPERM);
	CHECK_EQ(setpgid(-1, 0), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(getpgid(999999), -1);
	CHECK_EQ(errno, ESRCH);
	write(p[1], "x", 1);
	CHECK(gt_exited(gt_wait(c), 0));
}

/* A child that has exec'd can no longer be moved: EACCES. */
GT(setpgid_after_exec)
{
	int p[2];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execl("/bin/cat", "cat", (char *)NULL);  /* waits for stdin to close */
		_exit(99);
	}
	close(p[0]);
	/* Wait until the exec happened: the ps name says so. */
	for (int i = 0; i < 200; i++) {
		if (setpgid(c, 0) < 0)
			break;
		gt_msleep(5);
	}
	CHECK_EQ(setpgid(c, 0), -1);
	CHECK_EQ(errno, EACCES);
	close(p[1]);
	CHECK(gt_exited(gt_wait(c), 0));
}

GT(setsid_new_session)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		pid_t old_sid = getsid(0);
		/* Our group is the harness's test group, led by our parent: we can. */
		pid_t sid = setsid();
		int ok = sid == getpid() && getsid(0) == sid && getpgrp() == sid && sid != old_sid;

		/* Now a group leader: a second setsid fails. */
		ok = ok && setsid() == -1 && errno == EPERM;
		/* No controlling console in the new session. */
		ok = ok && tcgetpgrp(0) == -1;
		gt_child_exit(ok);
	}
	CHECK(gt_exited(gt_wait(c), 0));
	/* The test process leads its group: EPERM. */
	CHECK_EQ(setsid(), -1);
	CHECK_EQ(errno, EPERM);
}

/* setpgid across sessions is refused. */
GT(setpgid_across_sessions)
{
	int up[2], down[2];
	char x;

	REQUIRE(pipe(up) == 0 && pipe(down) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		setsid();
		write(up[1], "s", 1);
		read(down[0], &x, 1);
		_exit(0);
	}
	REQUIRE(read(up[0], &x, 1) == 1);
	CHECK_EQ(setpgid(c, getpgrp()), -1);
	CHECK_EQ(errno, EPERM);
	write(down[1], "x", 1);
	CHECK(gt_exited(gt_wait(c), 0));
}

/* A session leader cannot change its group. */
GT(session_leader_stays)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		setsid();
		gt_child_exit(setpgid(0, 0) == -1 && errno == EPERM);
	}
	CHECK(gt_exited(gt_wait(c), 0));
}

/* Terminal calls on something that is not the console: ENOTTY. */
GT(tcpgrp_not_a_tty)
{
	int p[2];

	REQUIRE(pipe(p) == 0);
	CHECK(!isatty(p[0]));
	CHECK_EQ(errno, ENOTTY);
	CHECK_EQ(tcgetpgrp(p[0]), -1);
	CHECK_EQ(errno, ENOTTY);
	CHECK_EQ(tcsetpgrp(p[0], getpgrp()), -1);
	CHECK_EQ(errno, ENOTTY);
	int fd = open("/dev/null", O_RDWR);

	REQUIRE(fd >= 0);
	CHECK(!isatty(fd));
	CHECK_EQ(tcgetpgrp(fd), -1);
	CHECK(!isatty(-1));
	CHECK_EQ(errno, EBADF);
}

/* The console: isatty, and tcsetpgrp moves the foreground within the session. */
GT(console_foreground)
{
	int fd = open("/dev/console", O_RDWR);

	REQUIRE(fd >= 0);
	CHECK(isatty(fd));
	pid_t fg = tcgetpgrp(fd);

	if (fg < 0) {
		/* This session has no console (stdio is not the terminal here). */
		CHECK_EQ(errno, ENOTTY);
		return;
	}
	signal(SIGTTOU, SIG_IGN);
	CHECK_EQ(tcsetpgrp(fd, getpgrp()), 0);
	CHECK_EQ(tcgetpgrp(fd), getpgrp());
	/* 0 means no foreground group; there is none to give back then. */
	if (fg > 0)
		CHECK_EQ(tcsetpgrp(fd, fg), 0);
	CHECK_EQ(tcsetpgrp(fd, 999999), -1);
	CHECK_EQ(errno, EPERM);
}

/* nice: raises and lowers, clamped to -20..19. */
GT(nice_values)
{
	errno = 0;
	int n0 = nice(0);

	CHECK(errno == 0);
	CHECK_EQ(nice(5), n0 + 5);
	CHECK_EQ(nice(100), 19);
	CHECK_EQ(nice(-100), -20);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0)
		gt_child_exit(nice(0) == -20);  /* inherited */
	CHECK(gt_exited(gt_wait(c), 0));
}
