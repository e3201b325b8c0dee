/*
 * cat [-u] [FILE...] - copy each FILE (or stdin, also for "-") to stdout.
 * A file that cannot be read is reported and skipped (exit status 1).
 * Output is unbuffered, so -u is accepted and changes nothing.
 */
#include <fcntl.h>

#include "util.h"

static char buf[64 * 1024];

/* Copy fd to stdout. 0, or -1 with the failing side reported. */
static int
copy(int fd, const char *name)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			warnerr(name);
			return -1;
		}
		if (writeall(1, buf, (size_t)n) < 0) {
			warnerr("write error");
			exit(1);
		}
	}
}

int
main(int argc, char **argv)
{
	int i = 1, status = 0;

	setprog(argv, "cat");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-u")) {
			fprintf(stderr, "%s: unknown option %s\nusage: cat [-u] [FILE...]\n", prog,
				argv[i]);
			return 2;
		}
	}
	if (i == argc)
		return copy(0, "stdin") ? 1 : 0;
	for (; i < argc; i++) {
		int fd;

		if (!strcmp(argv[i], "-")) {
			if (copy(0, "stdin"))
				status = 1;
			continue;
		}
		if ((fd = open(argv[i], O_RDONLY)) < 0) {
			warnerr(argv[i]);
			status = 1;
			continue;
		}
		if (copy(fd, argv[i]))
			status = 1;
		close(fd);
	}
	return status;
}
