/*
 * printf FORMAT [ARG...] - formatted output, as the POSIX utility: the
 * FORMAT's escapes (\n \t \\ \a \b \f \r \v \NNN) and conversions (%d %i
 * %o %u %x %X %c %s %b %e %E %f %F %g %G %% with flags, width and
 * precision, * included) are applied, and FORMAT is reused while
 * arguments remain. A numeric argument may be 'c (the code of c).
 * Exit status 1 if an argument was not a valid number.
 */
#include <ctype.h>
#include <inttypes.h>

#include "util.h"

static int status;
static char **args;
static int nargs;

static const char *
nextarg(void)
{
	if (nargs == 0)
		return NULL;
	nargs--;
	return *args++;
}

static int
digitval(int c, int base)
{
	int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;

	return d < base ? d : -1;
}

/*
 * One escape after a backslash at *s (advanced). Returns the byte, or -1
 * for \c (stop all output, in %b arguments). octal_zero: %b's \0NNN form.
 */
static int
escape(const char **s, int octal_zero)
{
	static const char map[][2] = {
		{ 'n', '\n' }, { 't', '\t' }, { '\\', '\\' }, { 'a', '\a' }, { 'b', '\b' },
		{ 'f', '\f' }, { 'r', '\r' }, { 'v', '\v' }, { '"', '"' }, { '\'', '\'' },
	};
	int c = (unsigned char)*(*s)++, v = 0, n = 0;

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i][0] == c)
			return map[i][1];
	if (c == 'c' && octal_zero)
		return -1;
	if (c >= '0' && c <= '7') {
		if (octal_zero && c == '0')
			c = (unsigned char)*(*s)++;
		(*s)--;
		while (n < 3 && digitval(**s, 8) >= 0) {
			v = v * 8 + digitval(*(*s)++, 8);
			n++;
		}
		return v & 0xff;
	}
	if (c == 'x' && digitval(**s, 16) >= 0) {
		while (n < 2 && digitval(**s, 16) >= 0) {
			v = v * 16 + digitval(*(*s)++, 16);
			n++;
		}
		return v;
	}
	(*s)--;
	putchar('\\');
	return -2;  /* not an escape: the backslash was printed, go on with c */
}

static intmax_t
intarg(const char *a)
{
	char *end;
	intmax_t v;

	if (!a)
		return 0;
	if (*a == '\'' || *a == '"')
		return (unsigned char)a[1];
	errno = 0;
	v = strtoimax(a, &end, 0);
	if (end == a || *end || errno) {
		warnx("%s: invalid number", a);
		status = 1;
	}
	return v;
}

static double
floatarg(const char *a)
{
	char *end;
	double v;

	if (!a)
		return 0;
	if (*a == '\'' || *a == '"')
		return (unsigned char)a[1];
	errno = 0;
	v = strtod(a, &end);
	if (end == a || *end) {
		warnx("%s: invalid number", a);
		status = 1;
	}
	return v;
}

/* %b: the argument with escapes. Returns 0 when \c stopped everything. */
static int
bstring(const char *a)
{
	while (a && *a) {
		if (*a == '\\' && a[1]) {
			int c;

			a++;
			if ((c = escape(&a, 1)) == -1)
				return 0;
			if (c >= 0)
				putchar(c);
			continue;
		}
		putchar(*a++);
	}
	return 1;
}

/* One pass over the format. Returns 0 when \c asked to stop. */
static int
format(const char *f)
{
	while (*f) {
		char spec[64];
		size_t k = 0;

		if (*f == '\\') {
			int c;

			f++;
			if (!*f) {
				putchar('\\');
				break;
			}
			if ((c = escape(&f, 0)) >= 0)
				putchar(c);
			continue;
		}
		if (*f != '%') {
			putchar(*f++);
			continue;
		}
		if (f[1] == '%') {
			putchar('%');
			f += 2;
			continue;
		}
		/* Rebuild the conversion with * replaced by numbers. */
		spec[k++] = *f++;
		while (*f && strchr("-+ #0", *f) && k < 40)
			spec[k++] = *f++;
		for (int part = 0; part < 2; part++) {
			if (part == 1) {
				if (*f != '.')
					break;
				spec[k++] = *f++;
			}
			if (*f == '*') {
				k += (size_t)snprintf(spec + k, sizeof spec - k, "%d", (int)intarg(nextarg()));
				f++;
			} else {
				while (isdigit((unsigned char)*f) && k < 50)
					spec[k++] = *f++;
			}
		}
		char conv = *f ? *f++ : 0;
		const char *a;

		switch (conv) {
		case 'd':
		case 'i':
		case 'o':
		case 'u':
		case 'x':
		case 'X':
			spec[k++] = 'j';
			spec[k++] = conv;
			spec[k] = 0;
			printf(spec, intarg(nextarg()));
			break;
		case 'e':
		case 'E':
		case 'f':
		case 'F':
		case 'g':
		case 'G':
			spec[k++] = conv;
			spec[k] = 0;
			printf(spec, floatarg(nextarg()));
			break;
		case 'c':
			a = nextarg();
			spec[k++] = 'c';
			spec[k] = 0;
			printf(spec, a && *a ? *a : 0);
			break;
		case 's':
			a = nextarg();
			spec[k++] = 's';
			spec[k] = 0;
			printf(spec, a ? a : "");
			break;
		case 'b':
			if (!bstring(nextarg()))
				return 0;
			break;
		default:
			warnx("%%%c: invalid conversion", conv);
			exit(1);
		}
	}
	return 1;
}

int
main(int argc, char **argv)
{
	setprog(argv, "printf");
	if (argc < 2) {
		fprintf(stderr, "usage: printf FORMAT [ARG...]\n");
		return 2;
	}
	args = argv + 2;
	nargs = argc - 2;
	do {
		int before = nargs;

		if (!format(argv[1]))
			break;
		/* A format that uses no argument would loop forever. */
		if (nargs == before)
			break;
	} while (nargs > 0);
	return fflush(stdout) == EOF ? 1 : status;
}
