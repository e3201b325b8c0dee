/* builtin.c - the builtin commands and the table that finds them.
 *
 * Special builtins (POSIX 2.14) keep their variable assignments and can
 * end a non-interactive shell; regular ones behave like programs found
 * before PATH.  echo, printf, test and [ are builtins so that loops and
 * pipelines do not pay a process for them.
 */
#define _GNU_SOURCE
#include "sh.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
bi_true(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int
bi_false(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}

/* A count operand for break, continue, shift, exit, return. */
static int
count_arg(const char *who, const char *s, long min, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (!*s || *end || errno || n < min) {
		sh_error("%s: %s: bad number", who, s);
		return -1;
	}
	*out = n;
	return 0;
}

static int
loop_jump(int argc, char **argv, enum ctl ctl)
{
	long n = 1;
	if (argc > 1 && count_arg(argv[0], argv[1], 1, &n) < 0)
		return 2;
	if (sh.loop_depth == 0)
		return 0;
	sh.ctl = ctl;
	sh.ctl_count = n > sh.loop_depth ? sh.loop_depth : (int)n;
	return 0;
}

static int
bi_break(int argc, char **argv)
{
	return loop_jump(argc, argv, CTL_BREAK);
}

static int
bi_continue(int argc, char **argv)
{
	return loop_jump(argc, argv, CTL_CONTINUE);
}

static int
bi_exit(int argc, char **argv)
{
	long n = sh.status;
	if (argc > 1 && count_arg("exit", argv[1], LONG_MIN, &n) < 0)
		n = 2;
	sh.ctl = CTL_EXIT;
	return (int)(n & 0xff);
}

static int
bi_return(int argc, char **argv)
{
	long n = sh.status;
	if (argc > 1 && count_arg("return", argv[1], LONG_MIN, &n) < 0)
		n = 2;
	if (sh.func_depth == 0 && sh.dot_depth == 0) {
		sh_error("return: can only be used in a function or sourced script");
		return 1;
	}
	sh.ctl = CTL_RETURN;
	return (int)(n & 0xff);
}

static int
bi_echo(int argc, char **argv)
{
	int nl = 1, esc = 0, i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *f = argv[i] + 1;
		if (strspn(f, "neE") != strlen(f))
			break;
		for (; *f; f++) {
			if (*f == 'n')
				nl = 0;
			else
				esc = *f == 'e';
		}
	}
	for (; i < argc; i++) {
		const char *s = argv[i];
		if (!esc) {
			fputs(s, stdout);
		} else {
			for (; *s; s++) {
				if (*s != '\\' || !s[1]) {
					putchar(*s);
					continue;
				}
				static const char from[] = "abefnrtv\\", to[] = "\a\b\033\f\n\r\t\v\\";
				const char *k = strchr(from, *++s);
				if (*s == 'c') {
					fflush(stdout);
					return 0;
				} else if (k) {
					putchar(to[k - from]);
				} else if (*s == '0') {
					int v = 0;
					for (int d = 0; d < 3 && s[1] >= '0' && s[1] <= '7'; d++)
						v = v * 8 + (*++s - '0');
					putchar(v);
				} else {
					putchar('\\');
					putchar(*s);
				}
			}
		}
		if (i + 1 < argc)
			putchar(' ');
	}
	if (nl)
		putchar('\n');
	return ferror(stdout) ? 1 : 0;
}

/* printf's escapes in the format and in %b: returns 1 at \c (stop). */
static int
put_escape(const char **sp, int in_b)
{
	const char *s = *sp;
	static const char from[] = "abfnrtv\\\"'", to[] = "\a\b\f\n\r\t\v\\\"'";
	const char *k = strchr(from, *s);
	if (*s && k) {
		putchar(to[k - from]);
	} else if (*s == 'c' && in_b) {
		*sp = s;
		return 1;
	} else if (*s >= '0' && *s <= '7') {
		int v = 0, max = in_b && *s == '0' ? 4 : 3;
		for (int d = 0; d < max && *s >= '0' && *s <= '7'; d++, s++)
			v = v * 8 + (*s - '0');
		putchar(v);
		*sp = s - 1;
		return 0;
	} else {
		putchar('\\');
		if (!*s) {
			*sp = s - 1;
			return 0;
		}
		putchar(*s);
	}
	*sp = s;
	return 0;
}

static long
num_arg(const char *s, int *bad)
{
	if (*s == '\'' || *s == '"')
		return (unsigned char)s[1];
	if (!*s)
		return 0;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (*end || errno) {
		sh_error("printf: %s: invalid number", s);
		*bad = 1;
	}
	return v;
}

static int
bi_printf(int argc, char **argv)
{
	if (argc < 2) {
		sh_error("printf: usage: printf format [arguments]");
		return 2;
	}
	const char *fmt = argv[1];
	int ai = 2, bad = 0;
	do {
		int used = 0;
		for (const char *p = fmt; *p; p++) {
			if (*p == '\\') {
				p++;
				if (put_escape(&p, 0))
					return bad;
				continue;
			}
			if (*p != '%') {
				putchar(*p);
				continue;
			}
			if (p[1] == '%') {
				putchar('%');
				p++;
				continue;
			}
			/* Copy flags, width and precision into a C format. */
			char spec[32];
			size_t sn = 0;
			spec[sn++] = '%';
			p++;
			while (*p && strchr("-+ #0123456789.", *p) && sn < sizeof spec - 4)
				spec[sn++] = *p++;
			if (!*p)
				break;
			const char *arg = ai < argc ? argv[ai++] : NULL;
			used = 1;
			char conv = *p;
			switch (conv) {
			case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'c':
				if (conv == 'c') {
					/* An empty argument prints nothing, as in
					 * dash and bash. */
					spec[sn++] = 'c';
					spec[sn] = 0;
					if (!arg || *arg)
						printf(spec, arg ? arg[0] : 0);
					break;
				}
				spec[sn++] = 'l';
				spec[sn++] = conv == 'i' ? 'd' : conv;
				spec[sn] = 0;
				printf(spec, num_arg(arg ? arg : "", &bad));
				break;
			case 's':
				spec[sn++] = 's';
				spec[sn] = 0;
				printf(spec, arg ? arg : "");
				break;
			case 'b':
				for (const char *s = arg ? arg : ""; *s; s++) {
					if (*s == '\\') {
						s++;
						if (put_escape(&s, 1))
							return bad;
					} else {
						putchar(*s);
					}
				}
				break;
			default:
				sh_error("printf: %%%c: invalid directive", conv);
				return 1;
			}
		}
		if (!used)
			break;
	} while (ai < argc);
	return bad;
}

static int
bi_cd(int argc, char **argv)
{
	int i = 1;
	while (i < argc && (!strcmp(argv[i], "-L") || !strcmp(argv[i], "-P")))
		i++;
	const char *dir = i < argc ? argv[i] : var_get("HOME");
	int print = 0;
	if (!dir) {
		sh_error("cd: HOME not set");
		return 1;
	}
	if (!strcmp(dir, "-")) {
		dir = var_get("OLDPWD");
		if (!dir) {
			sh_error("cd: OLDPWD not set");
			return 1;
		}
		print = 1;
	}
	char *target = xstrdup(dir);
	if (chdir(target) < 0) {
		sh_error("cd: %s: %s", target, strerror(errno));
		free(target);
		return 1;
	}
	const char *old = var_get("PWD");
	if (old)
		var_set("OLDPWD", old, 0);
	char buf[PATH_MAX];
	if (getcwd(buf, sizeof buf))
		var_set("PWD", buf, 0);
	if (print)
		printf("%s\n", var_get("PWD") ? var_get("PWD") : target);
	free(target);
	return 0;
}

static int
bi_pwd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char buf[PATH_MAX];
	if (!getcwd(buf, sizeof buf)) {
		sh_error("pwd: %s", strerror(errno));
		return 1;
	}
	printf("%s\n", buf);
	return 0;
}

/* export and readonly: NAME[=value]... */
static int
declare(int argc, char **argv, int readonly)
{
	int i = 1, rc = 0;
	if (i < argc && !strcmp(argv[i], "-p"))
		i++;
	if (i >= argc) {
		var_print(!readonly);
		return 0;
	}
	for (; i < argc; i++) {
		size_t n = assign_name_len(argv[i]);
		char *name = xstrndup(argv[i], n ? n : strlen(argv[i]));
		if (!is_name(name, strlen(name))) {
			sh_error("%s: %s: bad variable name", argv[0], argv[i]);
			rc = 1;
		} else if (n && var_set(name, argv[i] + n + 1, !readonly) < 0) {
			rc = 1;
		} else if (readonly) {
			var_readonly(name);
		} else {
			var_export(name);
		}
		free(name);
	}
	return rc;
}

static int
bi_export(int argc, char **argv)
{
	return declare(argc, argv, 0);
}

static int
bi_readonly(int argc, char **argv)
{
	return declare(argc, argv, 1);
}

static int
bi_unset(int argc, char **argv)
{
	int i = 1, funcs = 0, rc = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-f"))
			funcs = 1;
		else if (!strcmp(argv[i], "-v"))
			funcs = 0;
		else
			break;
	}
	for (; i < argc; i++) {
		if (funcs)
			func_unset(argv[i]);
		else if (var_unset(argv[i]) < 0)
			rc = 1;
	}
	return rc;
}

static const struct { char c; const char *name; size_t off; } options[] = {
	{ 'e', "errexit", offsetof(struct shell, errexit) },
	{ 'm', "monitor", offsetof(struct shell, monitor) },
	{ 'n', "noexec", offsetof(struct shell, noexec) },
	{ 'u', "nounset", offsetof(struct shell, nounset) },
	{ 'v', "verbose", offsetof(struct shell, verbose) },
	{ 'x', "xtrace", offsetof(struct shell, xtrace) },
};

/* Set option c (or named) on or off.  Returns -1 if unknown. */
static int
set_option(char c, const char *name, int on)
{
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
		if (options[i].c == c || (name && !strcmp(options[i].name, name))) {
			*(int *)((char *)&sh + options[i].off) = on;
			return 0;
		}
	return -1;
}

int
sh_option(char c, int on)
{
	return set_option(c, NULL, on);
}

static int
bi_set(int argc, char **argv)
{
	if (argc == 1) {
		var_print(0);
		return 0;
	}
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if ((a[0] != '-' && a[0] != '+') || !a[1])
			break;
		int on = a[0] == '-';
		if (a[1] == 'o') {
			if (i + 1 >= argc) {
				for (size_t k = 0; k < sizeof options / sizeof options[0]; k++)
					printf("%-10s %s\n", options[k].name,
						*(int *)((char *)&sh + options[k].off) ? "on" : "off");
				return 0;
			}
			if (set_option(0, argv[++i], on) < 0) {
				sh_error("set: %s: invalid option name", argv[i]);
				return 2;
			}
			continue;
		}
		for (const char *f = a + 1; *f; f++)
			if (set_option(*f, NULL, on) < 0) {
				sh_error("set: -%c: invalid option", *f);
				return 2;
			}
	}
	if (i < argc || (i == argc && !strcmp(argv[i - 1], "--")))
		params_set(argc - i, argv + i);
	return 0;
}

static int
bi_shift(int argc, char **argv)
{
	long n = 1;
	if (argc > 1 && count_arg("shift", argv[1], 0, &n) < 0)
		return 2;
	if (n > params.n) {
		sh_error("shift: can't shift that many");
		return 1;
	}
	params_set(params.n - (int)n, params.v + n);
	return 0;
}

static int
bi_eval(int argc, char **argv)
{
	struct str s = { 0 };
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			str_addc(&s, ' ');
		str_adds(&s, argv[i]);
	}
	str_addc(&s, '\n');
	sh.status = 0;
	int st = run_text(s.s, s.n, NULL);
	free(s.s);
	return st;
}

/* Read a whole file into a malloc'd buffer.  Returns NULL (errno set). */
static char *
slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	struct str b = { 0 };
	char buf[4096];
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0)
		str_addn(&b, buf, (size_t)r);
	int err = errno;
	close(fd);
	if (r < 0) {
		free(b.s);
		errno = err;
		return NULL;
	}
	*len = b.n;
	return b.s ? b.s : xstrdup("");
}

char *
sh_slurp(const char *path, size_t *len)
{
	return slurp(path, len);
}

static int
bi_dot(int argc, char **argv)
{
	if (argc < 2) {
		sh_error("%s: filename argument required", argv[0]);
		return 2;
	}
	const char *file = argv[1];
	char *found = NULL;
	if (!strchr(file, '/')) {
		const char *path = var_get("PATH");
		for (const char *p = path ? path : ""; *p && !found; ) {
			size_t n = strcspn(p, ":");
			struct str full = { 0 };
			str_addn(&full, p, n);
			str_addc(&full, '/');
			str_adds(&full, file);
			struct stat st;
			if (stat(full.s, &st) == 0 && S_ISREG(st.st_mode))
				found = full.s;
			else
				free(full.s);
			p += n;
			if (*p)
				p++;
		}
	}
	size_t len;
	char *text = slurp(found ? found : file, &len);
	free(found);
	if (!text) {
		sh_error("%s: %s: %s", argv[0], file, strerror(errno));
		return sh.interactive ? 1 : (sh.ctl = CTL_EXIT, 2);
	}
	struct params old = params;
	int newparams = argc > 2;
	if (newparams)
		old = params_push(argc - 2, argv + 2);
	sh.dot_depth++;
	int st = run_text(text, len, file);
	sh.dot_depth--;
	if (sh.ctl == CTL_RETURN) {
		sh.ctl = CTL_NONE;
		st = sh.status;
	}
	if (newparams)
		params_pop(old);
	free(text);
	return st;
}

/* read [-r] [-p prompt] name...: one line, split by IFS. */
static int
bi_read(int argc, char **argv)
{
	int raw = 0, i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-r")) {
			raw = 1;
		} else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
			fputs(argv[++i], stderr);
			fflush(stderr);
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			sh_error("read: %s: invalid option", argv[i]);
			return 2;
		}
	}
	struct str line = { 0 };
	unsigned char *lit = NULL;     /* escaped characters never split */
	size_t litcap = 0;
	int eof = 0;
	for (;;) {
		char c;
		ssize_t r = read(0, &c, 1);
		if (r < 0 && errno == EINTR) {
			if (sh.got_sigint) {
				free(line.s);
				free(lit);
				return 128 + SIGINT;
			}
			continue;
		}
		if (r <= 0) {
			eof = 1;
			break;
		}
		int escaped = 0;
		if (c == '\\' && !raw) {
			r = read(0, &c, 1);
			if (r <= 0) {
				eof = 1;
				break;
			}
			if (c == '\n')
				continue;
			escaped = 1;
		} else if (c == '\n') {
			break;
		}
		if (line.n + 1 > litcap) {
			litcap = litcap ? litcap * 2 : 64;
			lit = xrealloc(lit, litcap);
		}
		lit[line.n] = (unsigned char)escaped;
		str_addc(&line, c);
	}
	const char *ifs = var_get("IFS");
	if (!ifs)
		ifs = " \t\n";
	char *s = line.s ? line.s : "";
	size_t n = line.n, pos = 0;
#define IS_IFS(k) (!lit[k] && strchr(ifs, s[k]) && s[k])
#define IS_WS(k) (IS_IFS(k) && strchr(" \t\n", s[k]))
	if (i >= argc) {
		var_set("REPLY", s, 0);
	} else {
		for (; i < argc; i++) {
			while (pos < n && IS_WS(pos))
				pos++;
			size_t start = pos;
			char *val;
			if (i + 1 == argc) {
				size_t end = n;
				while (end > start && IS_WS(end - 1))
					end--;
				val = xstrndup(s + start, end - start);
				pos = n;
			} else {
				while (pos < n && !IS_IFS(pos))
					pos++;
				val = xstrndup(s + start, pos - start);
				if (pos < n)
					pos++;
			}
			if (var_set(argv[i], val, 0) < 0) {
				free(val);
				free(line.s);
				free(lit);
				return 2;
			}
			free(val);
		}
	}
#undef IS_IFS
#undef IS_WS
	int rc = eof && line.n == 0 ? 1 : eof;
	free(line.s);
	free(lit);
	return rc;
}

/* Where a command name would come from, for type and command -v. */
static int
describe(const char *name, int verbose)
{
	int special;
	if (builtin_find(name, &special) || !strcmp(name, "exec")) {
		if (verbose)
			printf("%s is a shell builtin\n", name);
		else
			printf("%s\n", name);
		return 0;
	}
	if (func_find(name)) {
		if (verbose)
			printf("%s is a function\n", name);
		else
			printf("%s\n", name);
		return 0;
	}
	static const char *const kws[] = { "if", "then", "else", "elif", "fi",
		"while", "until", "for", "do", "done", "case", "esac", "in", "{", "}", "!" };
	for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
		if (!strcmp(name, kws[i])) {
			if (verbose)
				printf("%s is a shell keyword\n", name);
			else
				printf("%s\n", name);
			return 0;
		}
	const char *path = strchr(name, '/') ? "" : var_get("PATH");
	for (const char *p = path ? path : "";; ) {
		size_t n = strcspn(p, ":");
		struct str full = { 0 };
		if (*name != '/' && !strchr(name, '/')) {
			str_addn(&full, n ? p : ".", n ? n : 1);
			str_addc(&full, '/');
		}
		str_adds(&full, name);
		struct stat st;
		int ok = stat(full.s, &st) == 0 && S_ISREG(st.st_mode);
		if (ok) {
			if (verbose)
				printf("%s is %s\n", name, full.s);
			else
				printf("%s\n", full.s);
			free(full.s);
			return 0;
		}
		free(full.s);
		if (!p[n] || strchr(name, '/'))
			break;
		p += n + 1;
	}
	if (verbose)
		fprintf(stderr, "sh: %s: not found\n", name);
	return 1;
}

static int
bi_type(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++)
		if (describe(argv[i], 1))
			rc = 1;
	return rc;
}

static int
bi_command(int argc, char **argv)
{
	int i = 1, verbose = -1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 0;
		else if (!strcmp(argv[i], "-V"))
			verbose = 1;
		else if (!strcmp(argv[i], "-p"))
			;
		else
			break;
	}
	if (verbose < 0) {
		if (i >= argc)
			return 0;
		sh_error("command: %s: unsupported option", argv[i]);
		return 2;
	}
	int rc = 0;
	for (; i < argc; i++)
		if (describe(argv[i], verbose))
			rc = 1;
	return rc;
}

/* ---- trap: commands run at a safe point after the signal arrives */

#define NTRAP 32
static char *traps[NTRAP];
static volatile sig_atomic_t pending[NTRAP];
static volatile sig_atomic_t any_pending;

static void
on_trap(int sig)
{
	if (sig > 0 && sig < NTRAP) {
		pending[sig] = 1;
		any_pending = 1;
	}
	if (sig == SIGINT)
		sh.got_sigint = 1;
}

void
run_traps(void)
{
	if (!any_pending || sh.ctl == CTL_EXIT)
		return;
	any_pending = 0;
	int saved = sh.status;
	for (int sig = 1; sig < NTRAP; sig++) {
		if (!pending[sig])
			continue;
		pending[sig] = 0;
		if (traps[sig] && *traps[sig]) {
			char *cmd = xstrdup(traps[sig]);
			run_text(cmd, strlen(cmd), NULL);
			free(cmd);
		}
	}
	if (sh.ctl != CTL_EXIT)
		sh.status = saved;
}

void
traps_reset(void)
{
	for (int sig = 1; sig < NTRAP; sig++)
		if (traps[sig] && *traps[sig]) {
			sh_signal(sig, SIG_DFL);
			free(traps[sig]);
			traps[sig] = NULL;
		}
	free(sh.trap_exit);
	sh.trap_exit = NULL;
}

static int
bi_trap(int argc, char **argv)
{
	if (argc == 1) {
		if (sh.trap_exit)
			printf("trap -- '%s' EXIT\n", sh.trap_exit);
		for (int sig = 1; sig < NTRAP; sig++)
			if (traps[sig])
				printf("trap -- '%s' %s\n", traps[sig], sig_name(sig));
		return 0;
	}
	int i = 1;
	if (!strcmp(argv[i], "--"))
		i++;
	const char *action = argv[i];
	int reset = !strcmp(action, "-");
	if (i + 1 == argc && sig_number(action) >= 0) {
		reset = 1;          /* trap SIG: reset it */
	} else {
		i++;
	}
	int rc = 0;
	for (; i < argc; i++) {
		int sig = !strcmp(argv[i], "EXIT") ? 0 : sig_number(argv[i]);
		if (sig < 0 || sig >= NTRAP || sig == SIGKILL || sig == SIGSTOP) {
			sh_error("trap: %s: bad trap", argv[i]);
			rc = 1;
			continue;
		}
		if (sig == 0) {
			free(sh.trap_exit);
			sh.trap_exit = reset ? NULL : xstrdup(action);
			continue;
		}
		free(traps[sig]);
		traps[sig] = NULL;
		if (reset) {
			sh_signal(sig, SIG_DFL);
		} else if (!*action) {
			traps[sig] = xstrdup("");
			sh_signal(sig, SIG_IGN);
		} else {
			traps[sig] = xstrdup(action);
			sh_signal(sig, on_trap);
		}
	}
	return rc;
}

static const struct builtin {
	const char *name;
	builtin_fn fn;
	int special;
} builtins[] = {
	{ ".", bi_dot, 1 }, { ":", bi_true, 1 }, { "break", bi_break, 1 },
	{ "continue", bi_continue, 1 }, { "eval", bi_eval, 1 },
	{ "exit", bi_exit, 1 }, { "export", bi_export, 1 },
	{ "readonly", bi_readonly, 1 }, { "return", bi_return, 1 },
	{ "set", bi_set, 1 }, { "shift", bi_shift, 1 }, { "trap", bi_trap, 1 },
	{ "unset", bi_unset, 1 },
	{ "[", bi_test, 0 }, { "bg", bi_bg, 0 }, { "cd", bi_cd, 0 },
	{ "command", bi_command, 0 }, { "echo", bi_echo, 0 },
	{ "false", bi_false, 0 }, { "fg", bi_fg, 0 }, { "jobs", bi_jobs, 0 },
	{ "kill", bi_kill, 0 }, { "printf", bi_printf, 0 }, { "pwd", bi_pwd, 0 },
	{ "read", bi_read, 0 }, { "source", bi_dot, 0 }, { "test", bi_test, 0 },
	{ "true", bi_true, 0 }, { "type", bi_type, 0 },
	{ "wait", bi_wait, 0 },
};

builtin_fn
builtin_find(const char *name, int *special)
{
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(builtins[i].name, name) == 0) {
			*special = builtins[i].special;
			return builtins[i].fn;
		}
	*special = 0;
	return NULL;
}
