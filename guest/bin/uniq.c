/*
 * uniq [-c] [-d] [-u] [INPUT [OUTPUT]] - collapse runs of identical
 * adjacent lines into one. -c prefixes each with its count, -d prints only
 * repeated lines, -u only lines that are not repeated.
 */
#include "util.h"

static int counts, dups_only, singles_only;

static void
emit(FILE *out, const char *line, size_t len, long n)
{
	if ((dups_only && n < 2) || (singles_only && n > 1))
		return;
	if (counts)
		fprintf(out, "%7ld ", n);
	fwrite(line, 1, len, out);
	fputc('\n', out);
}

int
main(int argc, char **argv)
{
	FILE *in = stdin, *out = stdout;
	char *prev = NULL, *line = NULL;
	size_t pcap = 0, cap = 0, plen = 0;
	ssize_t len;
	long n = 0;
	int i = 1;

	setprog(argv, "uniq");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'c')
				counts = 1;
			else if (*p == 'd')
				dups_only = 1;
			else if (*p == 'u')
				singles_only = 1;
			else
				goto usage;
		}
	}
	if (argc - i > 2)
		goto usage;
	if (i < argc && strcmp(argv[i], "-") && !(in = fopen(argv[i], "r")))
		die(1, "%s: %s", argv[i], strerror(errno));
	if (i + 1 < argc && !(out = fopen(argv[i + 1], "w")))
		die(1, "%s: %s", argv[i + 1], strerror(errno));
	while ((len = getline(&line, &cap, in)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = 0;
		if (n > 0 && (size_t)len == plen && !memcmp(line, prev, plen)) {
			n++;
			continue;
		}
		if (n > 0)
			emit(out, prev, plen, n);
		if ((size_t)len + 1 > pcap) {
			char *np = realloc(prev, pcap = (size_t)len + 1);

			if (!np)
				die(1, "out of memory");
			prev = np;
		}
		memcpy(prev, line, (size_t)len + 1);
		plen = (size_t)len;
		n = 1;
	}
	if (n > 0)
		emit(out, prev, plen, n);
	if (ferror(in))
		die(1, "read error: %s", strerror(errno));
	if (fflush(out) == EOF)
		die(1, "write error: %s", strerror(errno));
	return 0;
usage:
	fprintf(stderr, "usage: uniq [-cdu] [INPUT [OUTPUT]]\n");
	return 2;
}
