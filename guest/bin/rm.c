/*
 * rm [-rRf] FILE... - remove files; -r (or -R) removes directories and
 * their contents, -f ignores missing files and never complains about them.
 * "." and ".." (as last component) are refused.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "util.h"

static int recursive, force;

static int rm(const char *path);

/* Remove everything inside dir, then dir. */
static int
rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int status = 0;

	if (!d) {
		warnerr(dir);
		return -1;
	}
	while ((e = readdir(d))) {
		size_t n;
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n = strlen(dir) + strlen(e->d_name) + 2;
		if (!(sub = malloc(n))) {
			closedir(d);
			die(1, "out of memory");
		}
		snprintf(sub, n, "%s/%s", dir, e->d_name);
		if (rm(sub) < 0)
			status = -1;
		free(sub);
	}
	closedir(d);
	if (rmdir(dir) < 0) {
		warnx("cannot remove '%s': %s", dir, strerror(errno));
		return -1;
	}
	return status;
}

static int
rm(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (force && errno == ENOENT)
			return 0;
		warnx("cannot remove '%s': %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!recursive) {
			warnx("cannot remove '%s': Is a directory", path);
			return -1;
		}
		return rmtree(path);
	}
	if (unlink(path) < 0) {
		warnx("cannot remove '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether the last component of path is "." or "..". */
static int
dotty(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	const char *b = path + n;

	while (b > path && b[-1] != '/')
		b--;
	return (path + n - b == 1 && b[0] == '.') || (path + n - b == 2 && !strncmp(b, "..", 2));
}

int
main(int argc, char **argv)
{
	int status = 0, i = 1;

	setprog(argv, "rm");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'r' || *p == 'R') {
				recursive = 1;
			} else if (*p == 'f') {
				force = 1;
			} else {
				fprintf(stderr, "usage: rm [-rRf] FILE...\n");
				return 2;
			}
		}
	}
	if (i == argc && !force) {
		fprintf(stderr, "usage: rm [-rRf] FILE...\n");
		return 2;
	}
	for (; i < argc; i++) {
		if (dotty(argv[i])) {
			warnx("refusing to remove '.' or '..' directory: skipping '%s'", argv[i]);
			status = 1;
			continue;
		}
		if (rm(argv[i]) < 0)
			status = 1;
	}
	return status;
}
