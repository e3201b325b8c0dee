/*
 * tee [-a] [-i] [FILE...] - copy stdin to stdout and to each FILE
 * (appending with -a; -i ignores SIGINT). A FILE that cannot be written
 * is reported and dropped; the copy goes on.
 */
#include <fcntl.h>
#include <signal.h>

#include "util.h"

int
main(int argc, char **argv)
{
	static char buf[64 * 1024];
	int append = 0, status = 0, i = 1, nout = 0;
	int *fds;
	const char **names;

	setprog(argv, "tee");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'a') {
				append = 1;
			} else if (*p == 'i') {
				signal(SIGINT, SIG_IGN);
			} else {
				fprintf(stderr, "usage: tee [-ai] [FILE...]\n");
				return 2;
			}
		}
	}
	fds = malloc((size_t)(argc - i + 1) * sizeof *fds);
	names = malloc((size_t)(argc - i + 1) * sizeof *names);
	if (!fds || !names)
		die(1, "out of memory");
	fds[nout] = 1;
	names[nout++] = "stdout";
	for (; i < argc; i++) {
		int fd = open(argv[i], O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0666);

		if (fd < 0) {
			warnerr(argv[i]);
			status = 1;
			continue;
		}
		fds[nout] = fd;
		names[nout++] = argv[i];
	}
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warnerr("stdin");
			return 1;
		}
		if (n == 0)
			break;
		for (int k = 0; k < nout; k++)
			if (fds[k] >= 0 && writeall(fds[k], buf, (size_t)n) < 0) {
				warnerr(names[k]);
				fds[k] = -1;
				status = 1;
			}
	}
	for (int k = 1; k < nout; k++)
		if (fds[k] >= 0 && close(fds[k]) < 0) {
			warnerr(names[k]);
			status = 1;
		}
	return status;
}
