/*
 * echo [-neE] [STRING...] - write the arguments, separated by spaces.
 * -n: no trailing newline; -e: interpret backslash escapes (\n \t \\ \a
 * \b \c \e \f \r \v \0NNN \xHH; \c stops output); -E: do not (default).
 * As in GNU echo, a leading argument is an option only if it is made of
 * those letters alone.
 */
#include "util.h"

static int
isopt(const char *a)
{
	if (a[0] != '-' || !a[1])
		return 0;
	for (const char *p = a + 1; *p; p++)
		if (*p != 'n' && *p != 'e' && *p != 'E')
			return 0;
	return 1;
}

/* Print s with escapes; returns 0 when \c asked to stop. */
static int
escaped(const char *s)
{
	static const char simple[][2] = {
		{ 'n', '\n' }, { 't', '\t' }, { '\\', '\\' }, { 'a', '\a' }, { 'b', '\b' },
		{ 'e', 033 }, { 'f', '\f' }, { 'r', '\r' }, { 'v', '\v' },
	};

	while (*s) {
		int c = (unsigned char)*s++, done = 0;

		if (c != '\\' || !*s) {
			putchar(c);
			continue;
		}
		c = (unsigned char)*s++;
		for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
			if (simple[i][0] == c) {
				putchar(simple[i][1]);
				done = 1;
			}
		if (done)
			continue;
		if (c == 'c')
			return 0;
		if (c == '0' || c == 'x') {
			int v = 0, n = 0, base = c == '0' ? 8 : 16, max = c == '0' ? 3 : 2;

			while (n < max && *s) {
				int d = *s >= '0' && *s <= '9' ? *s - '0' :
					*s >= 'a' && *s <= 'f' ? *s - 'a' + 10 :
					*s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : 99;

				if (d >= base)
					break;
				v = v * base + d;
				s++;
				n++;
			}
			if (c == 'x' && n == 0) {
				fputs("\\x", stdout);
				continue;
			}
			putchar(v);
			continue;
		}
		putchar('\\');
		putchar(c);
	}
	return 1;
}

int
main(int argc, char **argv)
{
	int nl = 1, esc = 0, i = 1;

	setprog(argv, "echo");
	for (; i < argc && isopt(argv[i]); i++)
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'n')
				nl = 0;
			else
				esc = *p == 'e';
		}
	for (int first = i; i < argc; i++) {
		if (i > first)
			putchar(' ');
		if (esc) {
			if (!escaped(argv[i])) {
				nl = 0;
				break;
			}
		} else {
			fputs(argv[i], stdout);
		}
	}
	if (nl)
		putchar('\n');
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warnerr("write error");
		return 1;
	}
	return 0;
}
