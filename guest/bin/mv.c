/*
 * mv SRC DEST | mv SRC... DIR - rename files. Across file systems (a host
 * mount and memory, EXDEV) a regular file is copied and then removed.
 */
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>

#include "util.h"

static char buf[64 * 1024];

static int
copy_remove(const char *src, const char *dst)
{
	struct stat st;
	int in, out, status = 0;

	if (stat(src, &st) < 0 || !S_ISREG(st.st_mode)) {
		warnx("cannot move '%s' to '%s': %s", src, dst, strerror(EXDEV));
		return -1;
	}
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
		if (n <= 0) {
			if (n < 0) {
				warnerr(src);
				status = -1;
			}
			break;
		}
		if (writeall(out, buf, (size_t)n) < 0) {
			warnerr(dst);
			status = -1;
			break;
		}
	}
	close(in);
	if (close(out) < 0)
		status = -1;
	if (status == 0 && unlink(src) < 0) {
		warnerr(src);
		status = -1;
	}
	return status;
}

static int
move(const char *src, const char *dst)
{
	if (rename(src, dst) == 0)
		return 0;
	if (errno == EXDEV)
		return copy_remove(src, dst);
	warnx("cannot move '%s' to '%s': %s", src, dst, strerror(errno));
	return -1;
}

int
main(int argc, char **argv)
{
	int i = 1, status = 0;
	struct stat st;
	const char *dest;

	setprog(argv, "mv");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-f"))
			goto usage;
	}
	if (argc - i < 2)
		goto usage;
	dest = argv[argc - 1];
	if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode)) {
		for (; i < argc - 1; i++) {
			char *copy = strdup(argv[i]), *b, *t;
			size_t n;

			if (!copy)
				die(1, "out of memory");
			b = basename(copy);
			n = strlen(dest) + strlen(b) + 2;
			if (!(t = malloc(n)))
				die(1, "out of memory");
			snprintf(t, n, "%s/%s", dest, b);
			if (move(argv[i], t) < 0)
				status = 1;
			free(t);
			free(copy);
		}
		return status;
	}
	if (argc - i > 2)
		die(1, "target '%s' is not a directory", dest);
	return move(argv[i], dest) < 0;
usage:
	fprintf(stderr, "usage: mv SRC DEST\n       mv SRC... DIR\n");
	return 2;
}
