/*
 * touch [-c] FILE... - set the access and modification times of each FILE
 * to now, creating it empty if it does not exist (unless -c).
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "util.h"

int
main(int argc, char **argv)
{
	int nocreate = 0, status = 0, i = 1;

	setprog(argv, "touch");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-c")) {
			fprintf(stderr, "usage: touch [-c] FILE...\n");
			return 2;
		}
		nocreate = 1;
	}
	if (i == argc) {
		fprintf(stderr, "usage: touch [-c] FILE...\n");
		return 2;
	}
	for (; i < argc; i++) {
		if (utimensat(AT_FDCWD, argv[i], NULL, 0) == 0)
			continue;
		if (errno == ENOENT && !nocreate) {
			int fd = open(argv[i], O_WRONLY | O_CREAT, 0666);

			if (fd >= 0) {
				close(fd);
				continue;
			}
		} else if (errno == ENOENT) {
			continue;
		}
		warnx("cannot touch '%s': %s", argv[i], strerror(errno));
		status = 1;
	}
	return status;
}
