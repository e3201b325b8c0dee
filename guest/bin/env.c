/*
 * env [-i] [-u NAME]... [NAME=VALUE]... [COMMAND [ARG...]] - run COMMAND
 * in a modified environment, or print the environment. -i starts empty,
 * -u removes NAME. Exit status: COMMAND's, 127 when it is not found, 126
 * when it cannot be run, 125 for env's own errors.
 */
#include "util.h"

extern char **environ;

int
main(int argc, char **argv)
{
	int i = 1;

	setprog(argv, "env");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-i") || !strcmp(argv[i], "-")) {
			clearenv();
		} else if (!strcmp(argv[i], "-u") && i + 1 < argc) {
			unsetenv(argv[++i]);
		} else if (!strncmp(argv[i], "-u", 2) && argv[i][2]) {
			unsetenv(argv[i] + 2);
		} else {
			fprintf(stderr, "usage: env [-i] [-u NAME]... [NAME=VALUE]... [COMMAND [ARG...]]\n");
			return 125;
		}
	}
	for (; i < argc && strchr(argv[i], '='); i++) {
		char *eq = strchr(argv[i], '=');

		*eq = 0;
		if (setenv(argv[i], eq + 1, 1) < 0)
			die(125, "cannot set '%s': %s", argv[i], strerror(errno));
		*eq = '=';
	}
	if (i == argc) {
		for (char **e = environ; e && *e; e++)
			puts(*e);
		return 0;
	}
	execvp(argv[i], argv + i);
	warnx("'%s': %s", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
