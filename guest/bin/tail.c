/*
 * tail [-n N | -n +N | -N] [FILE...] - the last N lines (10 by default)
 * of each FILE or stdin; with +N, everything from line N on. The input is
 * read whole (pipes have no end to seek from).
 */
#include "util.h"

static int
tail(FILE *f, long n, int from_start)
{
	size_t cap = 0, len = 0;
	char *buf = NULL;
	int c;

	if (from_start) {
		long line = 1;

		while ((c = getc(f)) != EOF) {
			if (line >= n)
				putchar(c);
			if (c == '\n')
				line++;
		}
		return ferror(f) ? -1 : 0;
	}
	while ((c = getc(f)) != EOF) {
		if (len == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (!nb)
				die(1, "out of memory");
			buf = nb;
		}
		buf[len++] = (char)c;
	}
	if (ferror(f)) {
		free(buf);
		return -1;
	}
	/*
	 * Scan back from the end counting line ends; the n-th one (a final
	 * '\n' ends the last line, it does not start another) is where the
	 * last n lines begin. Reaching the start means the whole input.
	 */
	size_t start = len > 0 && buf[len - 1] == '\n' ? len - 1 : len;
	long seen = 0;

	while (start > 0 && !(buf[start - 1] == '\n' && ++seen == n))
		start--;
	fwrite(buf + start, 1, len - start, stdout);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	long n = 10;
	int i = 1, status = 0, plus = 0;
	const char *arg;

	setprog(argv, "tail");
	for (; i < argc && (argv[i][0] == '-' || argv[i][0] == '+') && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-n")) {
			if (++i >= argc)
				goto usage;
			arg = argv[i];
		} else if (!strncmp(argv[i], "-n", 2)) {
			arg = argv[i] + 2;
		} else if (argv[i][0] == '+') {
			arg = argv[i];
		} else {
			arg = argv[i] + 1;
		}
		plus = arg[0] == '+';
		if ((n = parse_count(arg + plus)) < 0)
			goto usage;
	}
	if (n == 0 && !plus)
		return 0;
	if (i == argc)
		return tail(stdin, n, plus) < 0;
	for (int first = i; i < argc; i++) {
		FILE *f = strcmp(argv[i], "-") ? fopen(argv[i], "r") : stdin;

		if (!f) {
			warnerr(argv[i]);
			status = 1;
			continue;
		}
		if (argc - first > 1)
			printf("%s==> %s <==\n", i > first ? "\n" : "", argv[i]);
		if (tail(f, n, plus) < 0) {
			warnerr(argv[i]);
			status = 1;
		}
		if (f != stdin)
			fclose(f);
	}
	return status;
usage:
	fprintf(stderr, "usage: tail [-n [+]N] [FILE...]\n");
	return 2;
}
