/* expand.c - word expansion (POSIX 2.6): tilde, parameters, command
 * substitution, arithmetic, field splitting, pathname expansion, quote
 * removal.
 *
 * A raw word is expanded into a buffer of characters, each with flags that
 * remember how it got there: quoted (never split or globbed), the result
 * of an unquoted expansion (split on IFS), a hard field break ("$@"), or a
 * zero-width mark that makes a field exist though empty ("" or '').
 * Splitting and globbing then work on the flags, and quote removal has
 * already happened because quotes were never copied.
 */
#define _GNU_SOURCE
#include "sh.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { F_Q = 1, F_SPLIT = 2, F_BRK = 4, F_MARK = 8 };

struct xb {
	char *s;
	unsigned char *f;
	size_t n, cap;
	int at_count;           /* "$@" expansions seen */
};

#define MAX_SUBST_DEPTH 32

static void
xb_add(struct xb *b, char c, unsigned char f)
{
	if (b->n + 1 >= b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->s = xrealloc(b->s, b->cap);
		b->f = xrealloc(b->f, b->cap);
	}
	b->s[b->n] = c;
	b->f[b->n++] = f;
}

static void
xb_adds(struct xb *b, const char *s, unsigned char f)
{
	for (; *s; s++)
		xb_add(b, *s, f);
}

static void
xb_free(struct xb *b)
{
	free(b->s);
	free(b->f);
}

/* Index of the close matching the opener at raw[i] ('(' or '{'), or len. */
static size_t
match_close(const char *raw, size_t i, size_t len, char open, char close)
{
	int depth = 0;
	for (; i < len; i++) {
		char c = raw[i];
		if (c == '\\') {
			i++;
		} else if (c == '\'' && close == ')') {
			while (++i < len && raw[i] != '\'')
				;
		} else if (c == '"') {
			while (++i < len && raw[i] != '"')
				if (raw[i] == '\\')
					i++;
		} else if (c == '`') {
			while (++i < len && raw[i] != '`')
				if (raw[i] == '\\')
					i++;
		} else if (c == open) {
			depth++;
		} else if (c == close && --depth == 0) {
			return i;
		}
	}
	return len;
}

/* Index of the closing double quote for the one at raw[i]. */
static size_t
match_dquote(const char *raw, size_t i, size_t len)
{
	for (i++; i < len && raw[i] != '"'; i++) {
		if (raw[i] == '\\')
			i++;
		else if (raw[i] == '$' && i + 1 < len && (raw[i + 1] == '(' || raw[i + 1] == '{'))
			i = match_close(raw, i + 1, len, raw[i + 1], raw[i + 1] == '(' ? ')' : '}');
		else if (raw[i] == '`')
			while (++i < len && raw[i] != '`')
				if (raw[i] == '\\')
					i++;
	}
	return i;
}

static int expand_into(struct xb *b, const char *raw, size_t len, int quoted, int flags);

static void
emit_value(struct xb *b, const char *v, int quoted)
{
	xb_adds(b, v, quoted ? F_Q : F_SPLIT);
}

/* $@ and $*: quoted "$@" makes one field per parameter. */
static void
emit_params(struct xb *b, char which, int quoted, int flags)
{
	const char *ifs = var_get("IFS");
	char sep[2] = { ifs ? ifs[0] : ' ', 0 };
	if (quoted && which == '@')
		b->at_count++;
	for (int i = 0; i < params.n; i++) {
		if (i > 0) {
			if ((which == '@' || !quoted) && (flags & EX_SPLIT))
				xb_add(b, 0, F_BRK);
			else if (sep[0])
				xb_add(b, sep[0], quoted ? F_Q : F_SPLIT);
		}
		if (quoted && which == '@')
			xb_add(b, 0, F_MARK);
		emit_value(b, params.v[i], quoted);
	}
}

static char *
remove_affix(const char *v, const char *pat, int suffix, int longest)
{
	size_t n = strlen(v);
	char *tmp = xstrdup(v);
	char *res = NULL;
	for (size_t k = 0; k <= n && !res; k++) {
		size_t len = longest ? n - k : k;
		if (suffix) {
			if (pattern_match(pat, v + n - len))
				res = xstrndup(v, n - len);
		} else {
			memcpy(tmp, v, len);
			tmp[len] = 0;
			if (pattern_match(pat, tmp))
				res = xstrdup(v + len);
		}
	}
	free(tmp);
	return res ? res : xstrdup(v);
}

static const char *const brace_ops[] = {
	":-", ":=", ":+", ":?", "%%", "##", "-", "=", "+", "?", "%", "#",
};

/* ${...}: inner is the text between the braces. */
static int
expand_brace(struct xb *b, const char *inner, size_t len, int quoted, int flags)
{
	int length = 0;
	size_t i = 0;
	if (len > 1 && inner[0] == '#') {
		length = 1;
		i = 1;
	}
	size_t ns = i;
	if (i < len && (isalpha((unsigned char)inner[i]) || inner[i] == '_')) {
		while (i < len && (isalnum((unsigned char)inner[i]) || inner[i] == '_'))
			i++;
	} else if (i < len && isdigit((unsigned char)inner[i])) {
		while (i < len && isdigit((unsigned char)inner[i]))
			i++;
	} else if (i < len && strchr("@*#?-$!0", inner[i])) {
		i++;
	}
	if (i == ns) {
		if (length && len == 1)
			i = 1;  /* ${#} */
		else {
			sh_error("${%.*s}: bad substitution", (int)len, inner);
			return -1;
		}
	}
	char *name = xstrndup(inner + ns, i - ns);
	const char *op = NULL;
	size_t oplen = 0;
	if (i < len) {
		for (size_t k = 0; k < sizeof brace_ops / sizeof brace_ops[0]; k++) {
			size_t l = strlen(brace_ops[k]);
			if (len - i >= l && memcmp(inner + i, brace_ops[k], l) == 0) {
				op = brace_ops[k];
				oplen = l;
				break;
			}
		}
		if (!op || length) {
			sh_error("${%.*s}: bad substitution", (int)len, inner);
			free(name);
			return -1;
		}
	}
	const char *word = inner + i + oplen;
	size_t wlen = len - i - oplen;
	int rc = 0;
	int is_at = !strcmp(name, "@") || !strcmp(name, "*");
	const char *v = is_at ? (params.n ? "" : NULL) : var_get(name);
	char *own = NULL;
	if (is_at && params.n) {
		struct xb t = { 0 };
		emit_params(&t, '*', 1, 0);
		own = xstrndup(t.s ? t.s : "", t.n);
		xb_free(&t);
		v = own;
	}
	int unset = v == NULL || (op && op[0] == ':' && !*v);
	if (length) {
		char num[24];
		snprintf(num, sizeof num, "%zu", v ? strlen(v) : (size_t)0);
		if (!strcmp(name, "#") || !strcmp(name, "@"))
			snprintf(num, sizeof num, "%d", params.n);
		emit_value(b, num, quoted);
		goto out;
	}
	if (!op) {
		if (!v && sh.nounset && strcmp(name, "@") && strcmp(name, "*")) {
			sh_error("%s: parameter not set", name);
			rc = -1;
		} else if (is_at) {
			emit_params(b, name[0], quoted, flags);
		} else if (v) {
			emit_value(b, v, quoted);
		}
		goto out;
	}
	char kind = op[oplen - 1];
	if (op[0] == '%' || (op[0] == '#')) {
		char *pat = NULL;
		struct xb t = { 0 };
		if (expand_into(&t, word, wlen, quoted, EX_PATTERN) < 0) {
			rc = -1;
		} else {
			/* Build an fnmatch pattern: quoted specials escaped. */
			struct str ps = { 0 };
			for (size_t k = 0; k < t.n; k++) {
				if (t.f[k] & (F_BRK | F_MARK))
					continue;
				if ((t.f[k] & F_Q) && strchr("*?[]\\", t.s[k]))
					str_addc(&ps, '\\');
				str_addc(&ps, t.s[k]);
			}
			pat = xstrdup(ps.s ? ps.s : "");
			free(ps.s);
			char *r = remove_affix(v ? v : "", pat, op[0] == '%', oplen == 2);
			emit_value(b, r, quoted);
			free(r);
		}
		free(pat);
		xb_free(&t);
		goto out;
	}
	switch (kind) {
	case '-':
		if (unset)
			rc = expand_into(b, word, wlen, quoted, flags);
		else
			emit_value(b, v, quoted);
		break;
	case '+':
		if (!unset)
			rc = expand_into(b, word, wlen, quoted, flags);
		break;
	case '=':
	case '?':
		if (!unset) {
			emit_value(b, v, quoted);
			break;
		}
		{
			char *w = xstrndup(word, wlen);
			char *val = expand_str(w, 0);
			free(w);
			if (!val) {
				rc = -1;
			} else if (kind == '=') {
				if (!is_name(name, strlen(name))) {
					sh_error("%s: cannot assign in this way", name);
					rc = -1;
				} else if (var_set(name, val, 0) < 0) {
					rc = -1;
				} else {
					emit_value(b, val, quoted);
				}
			} else {
				sh_error("%s: %s", name, *val ? val : "parameter null or not set");
				rc = -1;
			}
			free(val);
		}
		break;
	}
out:
	free(own);
	free(name);
	return rc;
}

/* Backquoted text: \$, \` and \\ lose their backslash before parsing. */
static char *
unescape_backq(const char *s, size_t n)
{
	struct str b = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && strchr("$`\\", s[i + 1]))
			i++;
		str_addc(&b, s[i]);
	}
	return b.s ? b.s : xstrdup("");
}

static int
emit_subst(struct xb *b, const char *text, int quoted)
{
	char *out = command_subst(text);
	if (!out)
		return -1;
	emit_value(b, out, quoted);
	free(out);
	return 0;
}

/* A $-expansion starting at raw[i]; returns the index after it. */
static size_t
expand_dollar(struct xb *b, const char *raw, size_t i, size_t len, int quoted,
	int flags, int *rc)
{
	size_t j = i + 1;
	if (j >= len) {
		xb_add(b, '$', quoted ? F_Q : 0);
		return j;
	}
	char c = raw[j];
	if (c == '(' && j + 1 < len && raw[j + 1] == '(') {
		size_t e = match_close(raw, j, len, '(', ')');
		/* $(( expr )): inner text between the double parentheses */
		size_t is = j + 2, ie = e > is ? e - 1 : is;
		if (e >= len || raw[ie] != ')') {
			sh_error("missing ')' in arithmetic");
			*rc = -1;
			return len;
		}
		char *t = xstrndup(raw + is, ie - is);
		char *x = expand_str(t, EX_HEREDOC);
		free(t);
		long v;
		if (!x || arith_eval(x, &v) < 0) {
			*rc = -1;
		} else {
			char num[24];
			snprintf(num, sizeof num, "%ld", v);
			emit_value(b, num, quoted);
		}
		free(x);
		return e + 1;
	}
	if (c == '(') {
		size_t e = match_close(raw, j, len, '(', ')');
		char *t = xstrndup(raw + j + 1, (e < len ? e : len) - j - 1);
		if (emit_subst(b, t, quoted) < 0)
			*rc = -1;
		free(t);
		return e + 1;
	}
	if (c == '{') {
		size_t e = match_close(raw, j, len, '{', '}');
		if (e >= len) {
			sh_error("missing '}'");
			*rc = -1;
			return len;
		}
		if (expand_brace(b, raw + j + 1, e - j - 1, quoted, flags) < 0)
			*rc = -1;
		return e + 1;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		size_t e = j;
		while (e < len && (isalnum((unsigned char)raw[e]) || raw[e] == '_'))
			e++;
		if (expand_brace(b, raw + j, e - j, quoted, flags) < 0)
			*rc = -1;
		return e;
	}
	if (isdigit((unsigned char)c) || strchr("@*#?-$!", c)) {
		if (expand_brace(b, raw + j, 1, quoted, flags) < 0)
			*rc = -1;
		return j + 1;
	}
	xb_add(b, '$', quoted ? F_Q : 0);
	return j;
}

static int
expand_into(struct xb *b, const char *raw, size_t len, int quoted, int flags)
{
	int rc = 0;
	size_t i = 0;
	if (sh_stack_low()) {
		sh_error("expansion nested too deeply");
		return -1;
	}
	if ((flags & EX_TILDE) && !quoted && len > 0 && raw[0] == '~' &&
	    (len == 1 || raw[1] == '/')) {
		const char *home = var_get("HOME");
		xb_adds(b, home ? home : "~", F_Q);
		i = 1;
	}
	while (i < len && rc == 0) {
		char c = raw[i];
		if (c == '\'' && !quoted) {
			size_t e = i + 1;
			while (e < len && raw[e] != '\'')
				e++;
			xb_add(b, 0, F_MARK);
			for (size_t k = i + 1; k < e; k++)
				xb_add(b, raw[k], F_Q);
			i = e + 1;
		} else if (c == '"' && !quoted && !(flags & EX_HEREDOC)) {
			size_t e = match_dquote(raw, i, len);
			size_t before = b->n;
			int at_before = b->at_count;
			rc = expand_into(b, raw + i + 1, (e < len ? e : len) - i - 1, 1, flags);
			if (b->n == before && b->at_count == at_before)
				xb_add(b, 0, F_MARK);
			i = e + 1;
		} else if (c == '\\') {
			if (i + 1 >= len) {
				xb_add(b, '\\', F_Q);
				i++;
			} else if (raw[i + 1] == '\n' && (quoted || (flags & EX_HEREDOC))) {
				i += 2;
			} else if (!quoted && !(flags & EX_HEREDOC)) {
				xb_add(b, raw[i + 1], F_Q);
				i += 2;
			} else if (strchr((flags & EX_HEREDOC) ? "$`\\" : "$`\"\\", raw[i + 1])) {
				xb_add(b, raw[i + 1], F_Q);
				i += 2;
			} else {
				xb_add(b, '\\', F_Q);
				i++;
			}
		} else if (c == '$') {
			i = expand_dollar(b, raw, i, len, quoted, flags, &rc);
		} else if (c == '`') {
			size_t e = i + 1;
			while (e < len && raw[e] != '`') {
				if (raw[e] == '\\')
					e++;
				e++;
			}
			if (e > len)
				e = len;
			char *t = unescape_backq(raw + i + 1, e - i - 1);
			if (emit_subst(b, t, quoted) < 0)
				rc = -1;
			free(t);
			i = e + 1;
		} else {
			xb_add(b, c, quoted ? F_Q : 0);
			i++;
		}
	}
	return rc;
}

/* ---- pathname expansion */

/* Does the field hold an unquoted pattern character?  A "[" counts only
 * with a "]" after it, so `[ -z x ]` never reads the directory. */
static int
has_glob(const char *s, const unsigned char *q, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (q[i])
			continue;
		if (s[i] == '*' || s[i] == '?')
			return 1;
		if (s[i] == '[')
			for (size_t k = i + 2; k < n; k++)
				if (s[k] == ']' && !q[k])
					return 1;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is there an unescaped glob character in this escaped pattern part? */
static int
pat_has_glob(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (strchr("*?[", p[i]))
			return 1;
	}
	return 0;
}

static void
glob_walk(struct str *path, const char *pat, struct fields *out)
{
	while (*pat == '/') {
		str_addc(path, '/');
		pat++;
	}
	if (!*pat) {
		struct stat st;
		if (stat(path->n ? str_cstr(path) : ".", &st) == 0)
			fields_add(out, xstrdup(str_cstr(path)));
		return;
	}
	size_t clen = strcspn(pat, "/");
	size_t keep = path->n;
	if (!pat_has_glob(pat, clen)) {
		for (size_t i = 0; i < clen; i++) {
			if (pat[i] == '\\' && i + 1 < clen)
				i++;
			str_addc(path, pat[i]);
		}
		glob_walk(path, pat + clen, out);
		path->n = keep;
		str_cstr(path);
		return;
	}
	char *comp = xstrndup(pat, clen);
	DIR *d = opendir(path->n ? str_cstr(path) : ".");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.' && comp[0] != '.')
				continue;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (fnmatch(comp, e->d_name, FNM_PERIOD) != 0)
				continue;
			str_adds(path, e->d_name);
			if (pat[clen])
				glob_walk(path, pat + clen, out);
			else
				fields_add(out, xstrdup(str_cstr(path)));
			path->n = keep;
			str_cstr(path);
		}
		closedir(d);
	}
	free(comp);
}

static void
add_field(struct fields *out, const char *s, const unsigned char *q, size_t n, int flags)
{
	if ((flags & EX_GLOB) && has_glob(s, q, n)) {
		struct str pat = { 0 };
		for (size_t i = 0; i < n; i++) {
			if (q[i] && strchr("*?[]\\", s[i]))
				str_addc(&pat, '\\');
			str_addc(&pat, s[i]);
		}
		struct fields m = { 0 };
		struct str path = { 0 };
		glob_walk(&path, str_cstr(&pat), &m);
		free(path.s);
		free(pat.s);
		if (m.n > 0) {
			qsort(m.v, (size_t)m.n, sizeof *m.v, cmp_str);
			for (int i = 0; i < m.n; i++)
				fields_add(out, m.v[i]);
			free(m.v);
			return;
		}
		free(m.v);
	}
	fields_add(out, xstrndup(s, n));
}

int
expand_word(const char *raw, int flags, struct fields *out)
{
	struct xb b = { 0 };
	if (expand_into(&b, raw, strlen(raw), 0, flags) < 0) {
		xb_free(&b);
		return -1;
	}
	const char *ifs = var_get("IFS");
	if (!ifs)
		ifs = " \t\n";
	struct str cur = { 0 };
	unsigned char *q = xmalloc(b.n + 1);
	size_t qn = 0;
	int exists = 0;
	int after_ws = 0;       /* the last field was ended by IFS white space */
	for (size_t i = 0; i <= b.n; i++) {
		int end = i == b.n;
		int delim = 0;  /* 1: IFS white space, 2: other IFS, 3: "$@" break */
		if (!end) {
			unsigned char f = b.f[i];
			char c = b.s[i];
			if (f & F_MARK) {
				exists = 1;
				continue;
			}
			if (f & F_BRK)
				delim = 3;
			else if ((f & F_SPLIT) && (flags & EX_SPLIT) && c && strchr(ifs, c))
				delim = strchr(" \t\n", c) ? 1 : 2;
			if (!delim) {
				str_addc(&cur, c);
				q[qn++] = (f & F_Q) ? 1 : 0;
				if (f & F_Q)
					exists = 1;
				after_ws = 0;
				continue;
			}
		}
		/* POSIX 2.6.5: white space separates without making empty
		 * fields; another IFS character ends a field even if empty,
		 * unless white space just ended one ("a : b" is two). */
		int have = cur.n > 0 || exists;
		if (have || (delim == 2 && !after_ws))
			add_field(out, cur.s ? cur.s : "", q, cur.n, flags);
		if (delim == 1)
			after_ws = have || after_ws;
		else
			after_ws = 0;
		cur.n = 0;
		qn = 0;
		exists = 0;
		if (cur.s)
			cur.s[0] = 0;
	}
	free(cur.s);
	free(q);
	xb_free(&b);
	return 0;
}

char *
expand_str(const char *raw, int flags)
{
	struct xb b = { 0 };
	if (expand_into(&b, raw, strlen(raw), 0, flags) < 0) {
		xb_free(&b);
		return NULL;
	}
	struct str s = { 0 };
	for (size_t i = 0; i < b.n; i++) {
		if (b.f[i] & F_MARK)
			continue;
		if (b.f[i] & F_BRK) {
			str_addc(&s, ' ');
			continue;
		}
		if ((flags & EX_PATTERN) && (b.f[i] & F_Q) && strchr("*?[]\\", b.s[i]))
			str_addc(&s, '\\');
		str_addc(&s, b.s[i]);
	}
	xb_free(&b);
	return s.s ? s.s : xstrdup("");
}

int
pattern_match(const char *pat, const char *s)
{
	return fnmatch(pat, s, 0) == 0;
}

/* ---- command substitution */

char *
command_subst(const char *text)
{
	static int depth;
	if (depth >= MAX_SUBST_DEPTH) {
		sh_error("command substitution nested too deeply");
		return NULL;
	}
	int fds[2];
	fflush(stdout);
	fflush(stderr);
	if (pipe(fds) < 0) {
		sh_error("pipe: %s", strerror(errno));
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		sh_error("fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		depth++;
		close(fds[0]);
		if (fds[1] != 1) {
			dup2(fds[1], 1);
			close(fds[1]);
		}
		sh.subshell++;
		jobs_clear();
		traps_reset();
		sh_exit(run_text(text, strlen(text), NULL));
	}
	close(fds[1]);
	struct str out = { 0 };
	char buf[512];
	for (;;) {
		ssize_t r = read(fds[0], buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		str_addn(&out, buf, (size_t)r);
	}
	close(fds[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			st = 0;
			break;
		}
	}
	sh.status = status_of(st);
	while (out.n > 0 && out.s[out.n - 1] == '\n')
		out.n--;
	return out.s ? (out.s[out.n] = 0, out.s) : xstrdup("");
}

/* ---- arithmetic: precedence climbing over C's integer operators */

enum { A_MUL, A_DIV, A_MOD, A_ADD, A_SUB, A_SHL, A_SHR, A_LT, A_LE, A_GT,
	A_GE, A_EQ, A_NE, A_BAND, A_XOR, A_BOR, A_LAND, A_LOR };

/* Longest first so "<<" is not read as "<". */
static const struct { const char *s; int op, prec; } aops[] = {
	{ "<<", A_SHL, 7 }, { ">>", A_SHR, 7 }, { "<=", A_LE, 6 },
	{ ">=", A_GE, 6 }, { "==", A_EQ, 5 }, { "!=", A_NE, 5 },
	{ "&&", A_LAND, 1 }, { "||", A_LOR, 0 }, { "*", A_MUL, 9 },
	{ "/", A_DIV, 9 }, { "%", A_MOD, 9 }, { "+", A_ADD, 8 },
	{ "-", A_SUB, 8 }, { "<", A_LT, 6 }, { ">", A_GT, 6 },
	{ "&", A_BAND, 4 }, { "^", A_XOR, 3 }, { "|", A_BOR, 2 },
};

struct arith {
	const char *p;
	int err;
	int depth;
};

static long a_expr(struct arith *a);

static void
a_space(struct arith *a)
{
	while (isspace((unsigned char)*a->p))
		a->p++;
}

static void
a_fail(struct arith *a, const char *msg)
{
	if (!a->err)
		sh_error("arithmetic: %s", msg);
	a->err = 1;
}

static long
a_number(struct arith *a, const char *s, const char **end)
{
	errno = 0;
	long v = strtol(s, (char **)end, 0);
	if (errno)
		a_fail(a, "number out of range");
	return v;
}

static long
a_primary(struct arith *a)
{
	if (sh_stack_low()) {
		a_fail(a, "expression too deep");
		return 0;
	}
	a_space(a);
	char c = *a->p;
	if (c == '(') {
		a->p++;
		long v = a_expr(a);
		a_space(a);
		if (*a->p != ')')
			a_fail(a, "missing ')'");
		else
			a->p++;
		return v;
	}
	if (c == '-' || c == '+' || c == '!' || c == '~') {
		a->p++;
		if (++a->depth > 200) {
			a_fail(a, "expression too deep");
			return 0;
		}
		long v = a_primary(a);
		a->depth--;
		return c == '-' ? (long)-(unsigned long)v : c == '+' ? v : c == '!' ? !v : ~v;
	}
	if (isdigit((unsigned char)c))
		return a_number(a, a->p, &a->p);
	if (isalpha((unsigned char)c) || c == '_') {
		const char *s = a->p;
		while (isalnum((unsigned char)*a->p) || *a->p == '_')
			a->p++;
		char *name = xstrndup(s, (size_t)(a->p - s));
		a_space(a);
		/* Assignment: name = expr, name op= expr (not ==). */
		static const char asg[] = "=+-*/%";
		const char *q = a->p;
		int op = 0;
		if (*q && strchr(asg, *q) && *q != '=' && q[1] == '=') {
			op = *q;
			q += 2;
		} else if (*q == '=' && q[1] != '=') {
			op = '=';
			q += 1;
		}
		const char *val = var_get(name);
		long cur = 0;
		if (val && *val) {
			const char *e;
			cur = a_number(a, val, &e);
			while (isspace((unsigned char)*e))
				e++;
			if (*e)
				a_fail(a, "variable is not a number");
		}
		if (op) {
			a->p = q;
			long r = a_expr(a);
			if (!a->err) {
				switch (op) {
				case '+': r = (long)((unsigned long)cur + (unsigned long)r); break;
				case '-': r = (long)((unsigned long)cur - (unsigned long)r); break;
				case '*': r = (long)((unsigned long)cur * (unsigned long)r); break;
				case '/': case '%':
					if (r == 0 || (cur == -__LONG_MAX__ - 1 && r == -1)) {
						a_fail(a, "division by zero");
						r = 0;
					} else {
						r = op == '/' ? cur / r : cur % r;
					}
					break;
				}
				char num[24];
				snprintf(num, sizeof num, "%ld", r);
				if (var_set(name, num, 0) < 0)
					a->err = 1;
			}
			free(name);
			return r;
		}
		free(name);
		return cur;
	}
	a_fail(a, *a->p ? "syntax error" : "missing operand");
	return 0;
}

static int
a_op(struct arith *a, int *prec)
{
	a_space(a);
	for (size_t i = 0; i < sizeof aops / sizeof aops[0]; i++) {
		size_t n = strlen(aops[i].s);
		if (strncmp(a->p, aops[i].s, n) == 0) {
			*prec = aops[i].prec;
			return (int)i;
		}
	}
	return -1;
}

static long
a_binary(struct arith *a, int min)
{
	long l = a_primary(a);
	int prec, i;
	while (!a->err && (i = a_op(a, &prec)) >= 0 && prec >= min) {
		a->p += strlen(aops[i].s);
		long r = a_binary(a, prec + 1);
		if (a->err)
			break;
		unsigned long ul = (unsigned long)l, ur = (unsigned long)r;
		switch (aops[i].op) {
		case A_MUL: l = (long)(ul * ur); break;
		case A_DIV: case A_MOD:
			if (r == 0 || (l == -__LONG_MAX__ - 1 && r == -1)) {
				a_fail(a, "division by zero");
				return 0;
			}
			l = aops[i].op == A_DIV ? l / r : l % r;
			break;
		case A_ADD: l = (long)(ul + ur); break;
		case A_SUB: l = (long)(ul - ur); break;
		case A_SHL: l = (long)(ul << (ur & 63)); break;
		case A_SHR: l = l >> (ur & 63); break;
		case A_LT: l = l < r; break;
		case A_LE: l = l <= r; break;
		case A_GT: l = l > r; break;
		case A_GE: l = l >= r; break;
		case A_EQ: l = l == r; break;
		case A_NE: l = l != r; break;
		case A_BAND: l = l & r; break;
		case A_XOR: l = l ^ r; break;
		case A_BOR: l = l | r; break;
		case A_LAND: l = l && r; break;
		case A_LOR: l = l || r; break;
		}
	}
	return l;
}

static long
a_expr(struct arith *a)
{
	if (++a->depth > 200) {
		a_fail(a, "expression too deep");
		return 0;
	}
	long c = a_binary(a, 0);
	a_space(a);
	if (!a->err && *a->p == '?') {
		a->p++;
		long t = a_expr(a);
		a_space(a);
		if (*a->p != ':') {
			a_fail(a, "missing ':'");
		} else {
			a->p++;
			long f = a_expr(a);
			c = c ? t : f;
		}
	}
	a->depth--;
	return c;
}

int
arith_eval(const char *s, long *v)
{
	struct arith a = { .p = s };
	a_space(&a);
	if (!*a.p) {
		*v = 0;
		return 0;
	}
	*v = a_expr(&a);
	a_space(&a);
	if (!a.err && *a.p)
		a_fail(&a, "syntax error");
	return a.err ? -1 : 0;
}
