/*
 * cp [-r] SRC DEST | cp [-r] SRC... DIR - copy files; -r (or -R) copies
 * directories recursively. A DEST that is a directory receives SRC under
 * its own name.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>

#include "util.h"

static int recursive;
static char buf[64 * 1024];

static int copy(const char *src, const char *dst);

static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (!p)
		die(1, "out of memory");
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* The destination name inside DIR for src: its last component, trailing slashes ignored. */
static char *
target(const char *dir, const char *src)
{
	char *copy = strdup(src), *t;

	if (!copy)
		die(1, "out of memory");
	t = join(dir, basename(copy));
	free(copy);
	return t;
}

static int
copyfile(const char *src, const char *dst)
{
	int in, out, status = 0;

	if ((in = open(src, O_RDONLY)) < 0) {
		warnerr(src);
		return -1;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0) {
		warnerr(dst);
		close(in);
		return -1;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warnerr(src);
			status = -1;
			break;
		}
		if (n == 0)
			break;
		if (writeall(out, buf, (size_t)n) < 0) {
			warnerr(dst);
			status = -1;
			break;
		}
	}
	close(in);
	if (close(out) < 0 && !status) {
		warnerr(dst);
		status = -1;
	}
	return status;
}

static int
copydir(const char *src, const char *dst)
{
	struct dirent *e;
	int status = 0;
	DIR *d;

	if (mkdir(dst, 0777) < 0 && errno != EEXIST) {
		warnerr(dst);
		return -1;
	}
	if (!(d = opendir(src))) {
		warnerr(src);
		return -1;
	}
	while ((e = readdir(d))) {
		char *s, *t;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		s = join(src, e->d_name);
		t = join(dst, e->d_name);
		if (copy(s, t) < 0)
			status = -1;
		free(s);
		free(t);
	}
	closedir(d);
	return status;
}

static int
copy(const char *src, const char *dst)
{
	struct stat st, dt;

	if (stat(src, &st) < 0) {
		warnerr(src);
		return -1;
	}
	if (stat(dst, &dt) == 0 && st.st_dev == dt.st_dev && st.st_ino == dt.st_ino) {
		warnx("'%s' and '%s' are the same file", src, dst);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!recursive) {
			warnx("-r not specified; omitting directory '%s'", src);
			return -1;
		}
		return copydir(src, dst);
	}
	return copyfile(src, dst);
}

int
main(int argc, char **argv)
{
	int i = 1, status = 0, n;
	struct stat st;
	const char *dest;

	setprog(argv, "cp");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++)
			if (*p == 'r' || *p == 'R')
				recursive = 1;
			else if (*p != 'f' && *p != 'p')
				goto usage;
	}
	n = argc - i;
	if (n < 2)
		goto usage;
	dest = argv[argc - 1];
	if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode)) {
		for (; i < argc - 1; i++) {
			char *t = target(dest, argv[i]);

			if (copy(argv[i], t) < 0)
				status = 1;
			free(t);
		}
		return status;
	}
	if (n > 2)
		die(1, "target '%s' is not a directory", dest);
	return copy(argv[i], dest) < 0;
usage:
	fprintf(stderr, "usage: cp [-r] SRC DEST\n       cp [-r] SRC... DIR\n");
	return 2;
}
