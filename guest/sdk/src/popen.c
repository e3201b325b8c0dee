/*
 * popen.c - popen(3) and pclose(3): /bin/sh -c CMD with its stdout (mode
 * "r") or stdin ("w") on a pipe. The streams of earlier popens are closed
 * in each new child, as POSIX asks; pclose waits for the shell and returns
 * its wait status.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../sdk.h"

/* The open popen streams and their shells. */
struct popened {
	FILE *f;
	pid_t pid;
	struct popened *next;
};

static struct popened *streams;

FILE *
popen(const char *cmd, const char *mode)
{
	struct popened *p;
	int fds[2], rd = mode[0] == 'r', mine, theirs;
	pid_t pid;

	if ((mode[0] != 'r' && mode[0] != 'w') || (mode[1] && mode[1] != 'e')) {
		errno = EINVAL;
		return NULL;
	}
	if (!(p = malloc(sizeof *p))) {
		errno = ENOMEM;
		return NULL;
	}
	if (pipe(fds) < 0) {
		free(p);
		return NULL;
	}
	mine = rd ? fds[0] : fds[1];
	theirs = rd ? fds[1] : fds[0];
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		free(p);
		return NULL;
	}
	if (pid == 0) {
		char *argv[] = { "sh", "-c", (char *)cmd, NULL };

		for (struct popened *q = streams; q; q = q->next)
			close(fileno(q->f));
		close(mine);
		if (theirs != (rd ? 1 : 0)) {
			dup2(theirs, rd ? 1 : 0);
			close(theirs);
		}
		execv("/bin/sh", argv);
		_exit(127);
	}
	close(theirs);
	if (mode[1] == 'e')
		fcntl(mine, F_SETFD, FD_CLOEXEC);
	if (!(p->f = fdopen(mine, rd ? "r" : "w"))) {
		close(mine);
		waitpid(pid, NULL, 0);
		free(p);
		return NULL;
	}
	p->pid = pid;
	p->next = streams;
	streams = p;
	return p->f;
}

int
pclose(FILE *f)
{
	struct popened **pp, *p;
	int st;
	pid_t r;

	for (pp = &streams; *pp && (*pp)->f != f; pp = &(*pp)->next)
		;
	if (!(p = *pp)) {
		errno = ECHILD;
		return -1;
	}
	*pp = p->next;
	fclose(f);
	while ((r = waitpid(p->pid, &st, 0)) < 0 && errno == EINTR)
		;
	free(p);
	return r < 0 ? -1 : st;
}
