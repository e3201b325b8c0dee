/*
 * init [-f] [PROGRAM [ARG...]] - process 1.
 *
 * Starts PROGRAM (default /bin/sh) as its child in a process group of its
 * own, made the console's foreground group when stdin is the console, and
 * reaps every process that ends up as its child (orphans are reparented to
 * init). When PROGRAM ends, init ends the same way: with its exit status,
 * or killed by the same signal. With -f it stays instead, reaping orphans
 * until it is killed.
 *
 * init ignores the terminal's signals (INT, QUIT, TSTP, TTIN, TTOU, HUP)
 * so that ^C reaches the program, never init; the child gets the default
 * dispositions back before it execs.
 */
#include <signal.h>
#include <sys/wait.h>

#include "util.h"

static const int shielded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };

static void
shield(void (*disp)(int))
{
	for (size_t i = 0; i < sizeof shielded / sizeof shielded[0]; i++)
		signal(shielded[i], disp);
}

int
main(int argc, char **argv)
{
	static char *defcmd[] = { "/bin/sh", NULL };
	char **cmd = defcmd;
	int forever = 0, tty, status = 0, i = 1;
	pid_t child;

	setprog(argv, "init");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-f")) {
			fprintf(stderr, "usage: init [-f] [PROGRAM [ARG...]]\n");
			return 2;
		}
		forever = 1;
	}
	if (i < argc)
		cmd = argv + i;
	shield(SIG_IGN);
	tty = isatty(0);
	if ((child = fork()) < 0)
		die(1, "fork: %s", strerror(errno));
	if (child == 0) {
		shield(SIG_DFL);
		setpgid(0, 0);
		if (tty)
			tcsetpgrp(0, getpid());
		execvp(cmd[0], cmd);
		warnx("cannot run %s: %s", cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	/* Both sides set the group, so neither order of running can miss it. */
	setpgid(child, child);
	if (tty)
		tcsetpgrp(0, child);
	for (;;) {
		int st;
		pid_t r = waitpid(-1, &st, 0);

		if (r == child) {
			status = st;
			child = -1;
			if (!forever)
				break;
		} else if (r < 0 && errno == ECHILD) {
			if (!forever)
				break;
			pause();
		} else if (r < 0 && errno != EINTR) {
			warnerr("waitpid");
			if (!forever)
				return 1;
		}
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		/* End the way the program ended, so the host reports the signal. */
		signal(sig, SIG_DFL);
		raise(sig);
		return 128 + sig;
	}
	return WEXITSTATUS(status);
}
