/*
 * proc.c - fork, wait, process ids, groups and sessions, the controlling
 * terminal's foreground group, nice, ps and system().
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <warren/guest.h>

#include "../sdk.h"

/*
 * The child is a clone of this instance suspended in the host call, so
 * both return from here: the parent with the child's pid, the child with 0.
 */
pid_t
fork(void)
{
	uint32_t pid = 0;
	int32_t e = __wr_proc_fork(1, &pid);

	return e ? __wr_fail(e) : (pid_t)pid;
}

/* warren serves vfork as a full fork (docs/abi.md), which is always safe. */
pid_t
vfork(void)
{
	return fork();
}

pid_t
waitpid(pid_t pid, int *status, int options)
{
	unsigned seen = __wr_sig_nonrestart;

	for (;;) {
		int32_t st = 0, rpid = 0;
		int32_t e = __wr_waitpid(pid, options, &st, &rpid);

		/* Interrupted only by SA_RESTART handlers: wait again. */
		if (e == EINTR && __wr_sig_nonrestart == seen)
			continue;
		if (e)
			return __wr_fail(e);
		if (status && rpid > 0)
			*status = st;
		return rpid;
	}
}

pid_t
wait(int *status)
{
	return waitpid(-1, status, 0);
}

pid_t
wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	pid_t r = waitpid(pid, status, options);

	if (r > 0 && ru)
		memset(ru, 0, sizeof *ru);
	return r;
}

pid_t
wait3(int *status, int options, struct rusage *ru)
{
	return wait4(-1, status, options, ru);
}

pid_t
getpid(void)
{
	uint32_t pid = 0;

	__wr_proc_id(&pid);
	return (pid_t)pid;
}

pid_t
getppid(void)
{
	uint32_t ppid = 0;

	__wr_proc_parent((uint32_t)getpid(), &ppid);
	return (pid_t)ppid;
}

int
setpgid(pid_t pid, pid_t pgid)
{
	return __wr_ret(__wr_setpgid(pid, pgid));
}

pid_t
getpgid(pid_t pid)
{
	int32_t pgid = 0;
	int32_t e = __wr_getpgid(pid, &pgid);

	return e ? __wr_fail(e) : pgid;
}

pid_t
getpgrp(void)
{
	return getpgid(0);
}

pid_t
setpgrp(void)
{
	return setpgid(0, 0) < 0 ? -1 : getpgrp();
}

pid_t
setsid(void)
{
	int32_t sid = 0;
	int32_t e = __wr_setsid(&sid);

	return e ? __wr_fail(e) : sid;
}

pid_t
getsid(pid_t pid)
{
	int32_t sid = 0;
	int32_t e = __wr_getsid(pid, &sid);

	return e ? __wr_fail(e) : sid;
}

pid_t
tcgetpgrp(int fd)
{
	int32_t pgid = 0;
	int32_t e = __wr_tcgetpgrp(fd, &pgid);

	return e ? __wr_fail(e) : pgid;
}

int
tcsetpgrp(int fd, pid_t pgid)
{
	return __wr_ret(__wr_tcsetpgrp(fd, pgid));
}

/* Returns the new nice value; -1 is also a valid one, so callers clear errno first. */
int
nice(int inc)
{
	int32_t nv = 0;
	int32_t e = __wr_nice(inc, &nv);

	return e ? __wr_fail(e) : nv;
}

uid_t
getuid(void)
{
	return 0;
}

uid_t
geteuid(void)
{
	return 0;
}

gid_t
getgid(void)
{
	return 0;
}

gid_t
getegid(void)
{
	return 0;
}

char *
wr_ps(void)
{
	uint32_t cap = 4096;

	for (int tries = 0; tries < 16; tries++) {
		char *buf = malloc(cap + 1);
		uint32_t used = 0;
		int32_t e;

		if (!buf) {
			errno = ENOMEM;
			return NULL;
		}
		e = __wr_ps(buf, cap, &used);
		if (e == 0 && used <= cap) {
			buf[used] = 0;
			return buf;
		}
		free(buf);
		if (e != ENOBUFS && e != 0) {
			errno = e;
			return NULL;
		}
		/* The table grew between calls or did not fit: room for a few more lines. */
		cap = used + 1024;
	}
	errno = ENOBUFS;
	return NULL;
}

/*
 * system(3): /bin/sh -c cmd in a child, SIGINT and SIGQUIT ignored and
 * SIGCHLD blocked in the caller meanwhile. system(NULL) says a shell exists.
 */
int
system(const char *cmd)
{
	struct sigaction ign, oint, oquit;
	sigset_t chld, omask;
	int status = -1;
	pid_t pid;

	if (!cmd)
		return access("/bin/sh", X_OK) == 0;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	sigprocmask(SIG_BLOCK, &chld, &omask);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "sh", "-c", (char *)cmd, NULL };

		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		sigprocmask(SIG_SETMASK, &omask, NULL);
		execv("/bin/sh", argv);
		_exit(127);
	}
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	sigprocmask(SIG_SETMASK, &omask, NULL);
	return status;
}
