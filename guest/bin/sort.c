/*
 * sort [-rnu] [FILE...] - sort the lines of the FILEs (or stdin). -n
 * compares leading numbers (lines without one count as 0), -r reverses,
 * -u keeps the first of each run of equal lines (equal keys with -n).
 * Lines that compare equal by number are ordered by their bytes, as GNU
 * sort's last-resort comparison does.
 */
#include <ctype.h>

#include "util.h"

static int reverse, numeric, unique;

struct line {
	char *s;
	size_t len;
	double num;
};

/* The leading number of s (blanks skipped, optional sign, decimals). */
static double
leading(const char *s)
{
	double v = 0, scale = 1;
	int neg = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while (isdigit((unsigned char)*s))
		v = v * 10 + (*s++ - '0');
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			v += (*s - '0') * (scale /= 10);
	return neg ? -v : v;
}

static int
keycmp(const struct line *a, const struct line *b)
{
	if (numeric)
		return (a->num > b->num) - (a->num < b->num);
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->s, b->s, n);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int
cmp(const void *x, const void *y)
{
	const struct line *a = x, *b = y;
	int c = keycmp(a, b);

	if (c == 0 && numeric) {
		size_t n = a->len < b->len ? a->len : b->len;

		c = memcmp(a->s, b->s, n);
		if (!c)
			c = (a->len > b->len) - (a->len < b->len);
	}
	return reverse ? -c : c;
}

static struct line *lines;
static size_t nlines, cap;

static int
slurp(FILE *f)
{
	char *buf = NULL;
	size_t bcap = 0;
	ssize_t len;

	while ((len = getline(&buf, &bcap, f)) >= 0) {
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = 0;
		if (nlines == cap) {
			struct line *nl = realloc(lines, (cap = cap ? cap * 2 : 1024) * sizeof *lines);

			if (!nl)
				die(2, "out of memory");
			lines = nl;
		}
		if (!(lines[nlines].s = malloc((size_t)len + 1)))
			die(2, "out of memory");
		memcpy(lines[nlines].s, buf, (size_t)len + 1);
		lines[nlines].len = (size_t)len;
		lines[nlines].num = numeric ? leading(buf) : 0;
		nlines++;
	}
	free(buf);
	return ferror(f) ? -1 : 0;
}

int
main(int argc, char **argv)
{
	int i = 1, status = 0;

	setprog(argv, "sort");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'r')
				reverse = 1;
			else if (*p == 'n')
				numeric = 1;
			else if (*p == 'u')
				unique = 1;
			else {
				fprintf(stderr, "usage: sort [-rnu] [FILE...]\n");
				return 2;
			}
		}
	}
	if (i == argc && slurp(stdin) < 0) {
		warnerr("stdin");
		return 2;
	}
	for (; i < argc; i++) {
		FILE *f = strcmp(argv[i], "-") ? fopen(argv[i], "r") : stdin;

		if (!f || slurp(f) < 0) {
			warnerr(argv[i]);
			status = 2;
		}
		if (f && f != stdin)
			fclose(f);
	}
	qsort(lines, nlines, sizeof *lines, cmp);
	for (size_t k = 0; k < nlines; k++) {
		if (unique && k > 0 && keycmp(&lines[k - 1], &lines[k]) == 0)
			continue;
		fwrite(lines[k].s, 1, lines[k].len, stdout);
		putchar('\n');
	}
	return status;
}
