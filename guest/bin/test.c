/*
 * test EXPRESSION, [ EXPRESSION ] - evaluate a POSIX test expression.
 * Exit status 0 true, 1 false, 2 a usage error.
 *
 * Up to four arguments follow POSIX's rules by count (so `test -n`, `test
 * ! -z` and `test "(" x ")"` mean what POSIX says); longer expressions are
 * parsed with the usual grammar: -o binds looser than -a, ! and parentheses.
 * Files: -b -c -d -e -f -g -h -k -L -p -r -s -S -t -u -w -x; strings: -n
 * -z = == != < >; integers: -eq -ne -lt -le -gt -ge; files: -nt -ot -ef.
 * (WASI keeps no permission bits: -g -k -u are false, -r -w -x ask access().)
 */
#include <stdint.h>
#include <sys/stat.h>

#include "util.h"

static char **tok;
static int ntok, pos;

__attribute__((noreturn)) static void
bad(const char *what, const char *arg)
{
	if (arg)
		die(2, "%s: %s", arg, what);
	die(2, "%s", what);
}

static long long
integer(const char *s)
{
	const char *p = s;
	char *end;
	long long v;

	while (*p == ' ' || *p == '\t')
		p++;
	errno = 0;
	v = strtoll(p, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (end == p || *end || errno)
		bad("integer expression expected", s);
	return v;
}

static int
filetest(int op, const char *path)
{
	struct stat st;

	if (op == 'h' || op == 'L')
		return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
	if (op == 't') {
		long long fd = integer(path);

		return fd >= 0 && fd <= INT32_MAX && isatty((int)fd);
	}
	if (stat(path, &st) < 0)
		return 0;
	switch (op) {
	case 'b': return S_ISBLK(st.st_mode);
	case 'c': return S_ISCHR(st.st_mode);
	case 'd': return S_ISDIR(st.st_mode);
	case 'e': return 1;
	case 'f': return S_ISREG(st.st_mode);
	case 'p': return S_ISFIFO(st.st_mode);
	case 'S': return S_ISSOCK(st.st_mode);
	case 's': return st.st_size > 0;
	case 'g':
	case 'k':
	case 'u': return 0;
	case 'r': return access(path, R_OK) == 0;
	case 'w': return access(path, W_OK) == 0;
	case 'x': return access(path, X_OK) == 0;
	default: return 0;
	}
}

/* Whether s is a unary operator: -X with X one of the letters above. */
static int
unary_op(const char *s)
{
	return s[0] == '-' && s[1] && !s[2] && strchr("bcdefghkLnprsStuwxz", s[1]);
}

static const char *const binops[] = {
	"=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef",
};

static int
binary_op(const char *s)
{
	for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++)
		if (!strcmp(s, binops[i]))
			return 1;
	return 0;
}

static int
unary(const char *op, const char *arg)
{
	if (op[1] == 'n')
		return arg[0] != 0;
	if (op[1] == 'z')
		return arg[0] == 0;
	return filetest(op[1], arg);
}

static int
binary(const char *a, const char *op, const char *b)
{
	struct stat sa, sb;

	if (!strcmp(op, "=") || !strcmp(op, "=="))
		return strcmp(a, b) == 0;
	if (!strcmp(op, "!="))
		return strcmp(a, b) != 0;
	if (!strcmp(op, "<"))
		return strcmp(a, b) < 0;
	if (!strcmp(op, ">"))
		return strcmp(a, b) > 0;
	if (op[1] == 'e' && op[2] == 'f')
		return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
		       sa.st_ino == sb.st_ino;
	if (!strcmp(op, "-nt") || !strcmp(op, "-ot")) {
		int ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
		long long ta = ha ? (long long)sa.st_mtim.tv_sec * 1000000000 + sa.st_mtim.tv_nsec : 0;
		long long tb = hb ? (long long)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec : 0;

		/* A missing file is older than any existing one. */
		if (op[1] == 'n')
			return ha && (!hb || ta > tb);
		return hb && (!ha || ta < tb);
	}
	long long x = integer(a), y = integer(b);

	if (!strcmp(op, "-eq")) return x == y;
	if (!strcmp(op, "-ne")) return x != y;
	if (!strcmp(op, "-lt")) return x < y;
	if (!strcmp(op, "-le")) return x <= y;
	if (!strcmp(op, "-gt")) return x > y;
	return x >= y;
}

/* ---- the general grammar (more than four arguments) -------------------- */

static int expr(void);

static const char *
next(void)
{
	if (pos >= ntok)
		bad("argument expected", NULL);
	return tok[pos++];
}

static int
primary(void)
{
	const char *t = next();

	if (!strcmp(t, "(")) {
		int v = expr();

		if (pos >= ntok || strcmp(tok[pos], ")"))
			bad("')' expected", NULL);
		pos++;
		return v;
	}
	/* "a = b" wins over "-n = ..." read as unary: POSIX's precedence for three. */
	if (pos + 1 < ntok && binary_op(tok[pos])) {
		const char *op = tok[pos++];

		return binary(t, op, tok[pos++]);
	}
	if (unary_op(t)) {
		if (pos >= ntok)
			bad("argument expected", t);
		return unary(t, tok[pos++]);
	}
	return t[0] != 0;
}

static int
negation(void)
{
	if (pos < ntok && !strcmp(tok[pos], "!")) {
		pos++;
		return !negation();
	}
	return primary();
}

static int
conjunction(void)
{
	int v = negation();

	while (pos < ntok && !strcmp(tok[pos], "-a")) {
		pos++;
		v = negation() && v;
	}
	return v;
}

static int
expr(void)
{
	int v = conjunction();

	while (pos < ntok && !strcmp(tok[pos], "-o")) {
		pos++;
		v = conjunction() || v;
	}
	return v;
}

/* ---- POSIX's rules by argument count ----------------------------------- */

static int eval(char **a, int n);

static int
two(char **a)
{
	if (!strcmp(a[0], "!"))
		return !(a[1][0] != 0);
	if (unary_op(a[0]))
		return unary(a[0], a[1]);
	bad("unary operator expected", a[0]);
}

static int
three(char **a)
{
	if (binary_op(a[1]))
		return binary(a[0], a[1], a[2]);
	if (!strcmp(a[0], "!"))
		return !two(a + 1);
	if (!strcmp(a[0], "(") && !strcmp(a[2], ")"))
		return a[1][0] != 0;
	if (!strcmp(a[1], "-a") || !strcmp(a[1], "-o"))
		return eval(a, -3);
	bad("binary operator expected", a[1]);
}

static int
eval(char **a, int n)
{
	switch (n) {
	case 0:
		return 0;
	case 1:
		return a[0][0] != 0;
	case 2:
		return two(a);
	case 3:
		return three(a);
	case 4:
		if (!strcmp(a[0], "!"))
			return !three(a + 1);
		if (!strcmp(a[0], "(") && !strcmp(a[3], ")"))
			return two(a + 1);
		break;
	}
	/* The general grammar; n < 0 forces it for -n arguments. */
	tok = a;
	ntok = n < 0 ? -n : n;
	pos = 0;
	int v = expr();

	if (pos < ntok)
		bad("extra argument", tok[pos]);
	return v;
}

int
main(int argc, char **argv)
{
	setprog(argv, "test");
	if (!strcmp(prog, "[")) {
		if (argc < 2 || strcmp(argv[argc - 1], "]"))
			die(2, "missing ']'");
		argc--;
	}
	return !eval(argv + 1, argc - 1);
}
