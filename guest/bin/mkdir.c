/*
 * mkdir [-p] [-m MODE] DIR... - create directories. -p: create missing
 * parents too, and accept a directory that already exists. The mode is
 * accepted and ignored (WASI has no permission bits).
 */
#include <sys/stat.h>

#include "util.h"

/* Create path and its missing parents (path is modified, then restored). */
static int
mkpath(char *path)
{
	struct stat st;

	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = 0;
		if (mkdir(path, 0777) < 0 && errno != EEXIST) {
			*p = c;
			return -1;
		}
		*p = c;
		if (!c)
			break;
		while (p[1] == '/')
			p++;
	}
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int parents = 0, status = 0, i = 1;

	setprog(argv, "mkdir");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'p') {
				parents = 1;
			} else if (*p == 'm') {
				if (!p[1] && ++i >= argc)
					goto usage;
				break;
			} else {
				goto usage;
			}
		}
	}
	if (i == argc)
		goto usage;
	for (; i < argc; i++) {
		int r = parents ? mkpath(argv[i]) : mkdir(argv[i], 0777);

		if (r < 0) {
			warnx("cannot create directory '%s': %s", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
usage:
	fprintf(stderr, "usage: mkdir [-p] [-m MODE] DIR...\n");
	return 2;
}
