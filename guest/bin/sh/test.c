/* test.c - the test and [ builtins (POSIX test, with -a, -o and parentheses).
 *
 * A recursive-descent parser over the operands: or := and (-o and)*,
 * and := not (-a not)*, not := ! not | primary.  A primary tries the
 * binary form first so that `test = = =` and `test ( = (` mean string
 * comparisons, as POSIX's argument-count rules require.
 */
#define _GNU_SOURCE
#include "sh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct texpr {
	char **v;
	int n, i;
	int err;
};

enum { U_FILE, U_STR };

static const struct { const char *op; int kind; } unary_ops[] = {
	{ "-b", U_FILE }, { "-c", U_FILE }, { "-d", U_FILE }, { "-e", U_FILE },
	{ "-f", U_FILE }, { "-g", U_FILE }, { "-h", U_FILE }, { "-L", U_FILE },
	{ "-p", U_FILE }, { "-r", U_FILE }, { "-s", U_FILE }, { "-S", U_FILE },
	{ "-u", U_FILE }, { "-w", U_FILE }, { "-x", U_FILE }, { "-t", U_STR },
	{ "-n", U_STR }, { "-z", U_STR },
};

static const char *const binary_ops[] = {
	"=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge",
	"-nt", "-ot", "-ef",
};

static int
is_unary(const char *s)
{
	for (size_t i = 0; i < sizeof unary_ops / sizeof unary_ops[0]; i++)
		if (!strcmp(s, unary_ops[i].op))
			return 1;
	return 0;
}

static int
is_binary(const char *s)
{
	for (size_t i = 0; i < sizeof binary_ops / sizeof binary_ops[0]; i++)
		if (!strcmp(s, binary_ops[i]))
			return 1;
	return 0;
}

static void
t_fail(struct texpr *t, const char *msg, const char *arg)
{
	if (!t->err)
		sh_error("test: %s%s%s", arg ? arg : "", arg ? ": " : "", msg);
	t->err = 1;
}

static long
t_int(struct texpr *t, const char *s)
{
	char *end;
	errno = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	long v = strtol(s, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (!*s || *end || errno)
		t_fail(t, "integer expression expected", s);
	return v;
}

static int
unary(struct texpr *t, const char *op, const char *arg)
{
	struct stat st;
	switch (op[1]) {
	case 'n': return *arg != 0;
	case 'z': return *arg == 0;
	case 't': return isatty((int)t_int(t, arg));
	case 'h': case 'L': return lstat(arg, &st) == 0 && S_ISLNK(st.st_mode);
	case 'r': return access(arg, R_OK) == 0;
	case 'w': return access(arg, W_OK) == 0;
	case 'x': return access(arg, X_OK) == 0;
	default: break;
	}
	if (stat(arg, &st) < 0)
		return 0;
	switch (op[1]) {
	case 'b': return S_ISBLK(st.st_mode);
	case 'c': return S_ISCHR(st.st_mode);
	case 'd': return S_ISDIR(st.st_mode);
	case 'e': return 1;
	case 'f': return S_ISREG(st.st_mode);
	case 'g': return (st.st_mode & S_ISGID) != 0;
	case 'p': return S_ISFIFO(st.st_mode);
	case 's': return st.st_size > 0;
	case 'S': return S_ISSOCK(st.st_mode);
	case 'u': return (st.st_mode & S_ISUID) != 0;
	}
	return 0;
}

static int
binary(struct texpr *t, const char *a, const char *op, const char *b)
{
	if (!strcmp(op, "=") || !strcmp(op, "=="))
		return strcmp(a, b) == 0;
	if (!strcmp(op, "!="))
		return strcmp(a, b) != 0;
	if (!strcmp(op, "<"))
		return strcmp(a, b) < 0;
	if (!strcmp(op, ">"))
		return strcmp(a, b) > 0;
	if (!strcmp(op, "-nt") || !strcmp(op, "-ot") || !strcmp(op, "-ef")) {
		struct stat sa, sb;
		int ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
		if (!strcmp(op, "-ef"))
			return ha && hb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
		if (!strcmp(op, "-nt"))
			return ha && (!hb || sa.st_mtime > sb.st_mtime);
		return hb && (!ha || sa.st_mtime < sb.st_mtime);
	}
	long x = t_int(t, a), y = t_int(t, b);
	static const struct { const char *op; int lt, eq, gt; } cmp[] = {
		{ "-eq", 0, 1, 0 }, { "-ne", 1, 0, 1 }, { "-lt", 1, 0, 0 },
		{ "-le", 1, 1, 0 }, { "-gt", 0, 0, 1 }, { "-ge", 0, 1, 1 },
	};
	for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++)
		if (!strcmp(op, cmp[i].op))
			return x < y ? cmp[i].lt : x == y ? cmp[i].eq : cmp[i].gt;
	return 0;
}

static int t_or(struct texpr *t);

static int
t_primary(struct texpr *t)
{
	if (t->i >= t->n) {
		t_fail(t, "argument expected", NULL);
		return 0;
	}
	char *a = t->v[t->i];
	if (t->i + 2 < t->n && is_binary(t->v[t->i + 1])) {
		t->i += 3;
		return binary(t, a, t->v[t->i - 2], t->v[t->i - 1]);
	}
	if (!strcmp(a, "(") && t->i + 1 < t->n) {
		t->i++;
		int r = t_or(t);
		if (t->i >= t->n || strcmp(t->v[t->i], ")")) {
			t_fail(t, "missing ')'", NULL);
			return 0;
		}
		t->i++;
		return r;
	}
	if (is_unary(a) && t->i + 1 < t->n) {
		t->i += 2;
		return unary(t, a, t->v[t->i - 1]);
	}
	t->i++;
	return *a != 0;
}

static int
t_not(struct texpr *t)
{
	if (t->i < t->n && !strcmp(t->v[t->i], "!") && t->i + 1 < t->n) {
		t->i++;
		return !t_not(t);
	}
	return t_primary(t);
}

static int
t_and(struct texpr *t)
{
	int r = t_not(t);
	while (t->i < t->n && !strcmp(t->v[t->i], "-a")) {
		t->i++;
		int s = t_not(t);
		r = r && s;
	}
	return r;
}

static int
t_or(struct texpr *t)
{
	int r = t_and(t);
	while (t->i < t->n && !strcmp(t->v[t->i], "-o")) {
		t->i++;
		int s = t_and(t);
		r = r || s;
	}
	return r;
}

int
bi_test(int argc, char **argv)
{
	int n = argc - 1;
	if (!strcmp(argv[0], "[")) {
		if (n < 1 || strcmp(argv[argc - 1], "]")) {
			sh_error("[: missing ']'");
			return 2;
		}
		n--;
	}
	struct texpr t = { .v = argv + 1, .n = n };
	if (n == 0)
		return 1;
	int r = t_or(&t);
	if (!t.err && t.i < t.n)
		t_fail(&t, "unexpected argument", t.v[t.i]);
	return t.err ? 2 : !r;
}
