/*
 * seq [-s SEP] [-w] [FIRST [INCR]] LAST - print numbers from FIRST (1) to
 * LAST by INCR (1), one per line (or separated by SEP). Integers print as
 * integers; with a fraction anywhere, every number gets as many decimals
 * as the most precise argument. -w pads with zeros to equal width.
 */
#include "util.h"

static int
decimals(const char *s)
{
	const char *dot = strchr(s, '.');

	return dot ? (int)strspn(dot + 1, "0123456789") : 0;
}

static double
number(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || v != v)
		die(1, "invalid floating point argument: '%s'", s);
	return v;
}

int
main(int argc, char **argv)
{
	const char *sep = "\n";
	double first = 1, incr = 1, last;
	int i = 1, prec = 0, wide = 0, width = 0;

	setprog(argv, "seq");
	for (; i < argc && argv[i][0] == '-' && argv[i][1] && !(argv[i][1] >= '0' && argv[i][1] <= '9') &&
	       argv[i][1] != '.';
	     i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-s") && i + 1 < argc)
			sep = argv[++i];
		else if (!strncmp(argv[i], "-s", 2) && argv[i][2])
			sep = argv[i] + 2;
		else if (!strcmp(argv[i], "-w"))
			wide = 1;
		else
			goto usage;
	}
	switch (argc - i) {
	case 1:
		last = number(argv[i]);
		break;
	case 2:
		first = number(argv[i]);
		last = number(argv[i + 1]);
		break;
	case 3:
		first = number(argv[i]);
		incr = number(argv[i + 1]);
		last = number(argv[i + 2]);
		break;
	default:
		goto usage;
	}
	if (incr == 0)
		die(1, "invalid Zero increment value: '%s'", argv[i + 1]);
	for (int k = i; k < argc; k++)
		if (decimals(argv[k]) > prec)
			prec = decimals(argv[k]);
	if (wide) {
		char a[64], b[64];
		int wa = snprintf(a, sizeof a, "%.*f", prec, first);
		int wb = snprintf(b, sizeof b, "%.*f", prec, last);

		width = wa > wb ? wa : wb;
	}
	/* Count steps instead of adding up increments, so no error accumulates. */
	long long n = 0;

	for (;; n++) {
		double v = first + (double)n * incr;

		if ((incr > 0 && v > last + 1e-9 * (incr < 0 ? -incr : incr)) ||
		    (incr < 0 && v < last - 1e-9 * -incr))
			break;
		if (n > 0)
			fputs(sep, stdout);
		printf("%0*.*f", width, prec, v);  /* width 0 unless -w */
	}
	if (n > 0)
		putchar('\n');
	return ferror(stdout) ? 1 : 0;
usage:
	fprintf(stderr, "usage: seq [-s SEP] [-w] [FIRST [INCR]] LAST\n");
	return 2;
}
