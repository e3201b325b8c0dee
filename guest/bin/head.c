/*
 * head [-n N | -N] [FILE...] - the first N lines (10 by default) of each
 * FILE or stdin, with "==> FILE <==" headers when there are several.
 */
#include "util.h"

static int
head(FILE *f, long n)
{
	int c;

	while (n > 0 && (c = getc(f)) != EOF) {
		putchar(c);
		if (c == '\n')
			n--;
	}
	return ferror(f) ? -1 : 0;
}

int
main(int argc, char **argv)
{
	long n = 10;
	int i = 1, status = 0;

	setprog(argv, "head");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-n")) {
			if (++i >= argc || (n = parse_count(argv[i])) < 0)
				goto usage;
		} else if (!strncmp(argv[i], "-n", 2)) {
			if ((n = parse_count(argv[i] + 2)) < 0)
				goto usage;
		} else if ((n = parse_count(argv[i] + 1)) < 0) {
			goto usage;
		}
	}
	if (i == argc)
		return head(stdin, n) < 0;
	for (int first = i; i < argc; i++) {
		FILE *f = strcmp(argv[i], "-") ? fopen(argv[i], "r") : stdin;

		if (!f) {
			warnerr(argv[i]);
			status = 1;
			continue;
		}
		if (argc - first > 1)
			printf("%s==> %s <==\n", i > first ? "\n" : "", argv[i]);
		if (head(f, n) < 0) {
			warnerr(argv[i]);
			status = 1;
		}
		if (f != stdin)
			fclose(f);
	}
	return status;
usage:
	fprintf(stderr, "usage: head [-n N] [FILE...]\n");
	return 2;
}
