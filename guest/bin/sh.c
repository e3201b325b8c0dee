/* sh - warren's POSIX-style shell.
 *
 *   sh [-eimnuvx] [-c command [name [arg...]] | script [arg...] | -s [arg...]]
 *
 * Pipelines, redirections, lists, quoting, parameters, command and
 * arithmetic substitution, if/while/until/for/case, functions, builtins,
 * and job control (process groups, the console given to the foreground
 * job, jobs/fg/bg, ^C and ^Z reaching only the foreground job).
 *
 * This file holds main, the input loop and the shell state; the parts are
 * in sh/ (guest.mk links every .c file of guest/bin/sh/ into the program).
 * The same sources build natively (gcc/clang on Linux) for quick tests of
 * the language: tests/sh/run.sh --native.
 */
#define _GNU_SOURCE
#include "sh/sh.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

struct shell sh;

/* What the recursions may use of the C stack; the rest is for the leaf
 * calls (libc's printf alone takes a few KiB). */
#ifdef __wasm__
#define STACK_BUDGET (36 * 1024)
#else
#define STACK_BUDGET (1024 * 1024)
#endif

static uintptr_t stack_top;

void
sh_stack_init(void *top)
{
	stack_top = (uintptr_t)top;
}

int
sh_stack_low(void)
{
	char here;
	uintptr_t sp = (uintptr_t)&here;
	return stack_top > sp && stack_top - sp > STACK_BUDGET;
}

void
sh_error(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("sh: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

void
sh_exit(int status)
{
	if (sh.trap_exit && !sh.subshell) {
		char *cmd = sh.trap_exit;
		sh.trap_exit = NULL;
		sh.ctl = CTL_NONE;
		sh.status = status;
		run_text(cmd, strlen(cmd), NULL);
		free(cmd);
	}
	fflush(stdout);
	fflush(stderr);
	exit(status & 0xff);
}

void
sh_signal(int sig, void (*fn)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;        /* no SA_RESTART: a read at the prompt sees EINTR */
	sigaction(sig, &sa, NULL);
}

int
run_text(const char *text, size_t len, const char *name)
{
	size_t pos = 0;
	int line = 1;
	for (;;) {
		struct arena a = { 0 };
		struct node *n;
		enum parse_status ps = parse_command(&a, text, len, &pos, 0, &line, name, &n);
		if (ps == P_EOF) {
			arena_free(&a);
			break;
		}
		if (ps == P_ERROR) {
			arena_free(&a);
			sh.status = 2;
			if (!sh.interactive)
				sh.ctl = CTL_EXIT;
			break;
		}
		if (ps == P_OK && !sh.noexec) {
			jobs_poll(0);
			run_node(n, 0);
		}
		arena_free(&a);
		if (sh.ctl != CTL_NONE)
			break;
	}
	return sh.status;
}

static void
on_sigint(int sig)
{
	(void)sig;
	sh.got_sigint = 1;
}

static void
prompt(const char *var)
{
	const char *ps = var_get(var);
	char *p = ps ? expand_str(ps, EX_HEREDOC) : NULL;
	fputs(p ? p : "", stderr);
	fflush(stderr);
	free(p);
}

/* Read one line (with its newline) from fd 0 onto b, a byte at a time so
 * that commands run from the script read the rest of the input.  Returns
 * the bytes read, 0 at end of input, -2 when ^C interrupted the read. */
static int
read_line(struct str *b)
{
	int got = 0;
	for (;;) {
		char c;
		ssize_t r = read(0, &c, 1);
		if (r < 0) {
			if (errno == EINTR) {
				if (sh.got_sigint)
					return -2;
				continue;
			}
			return got;
		}
		if (r == 0)
			return got;
		str_addc(b, c);
		got++;
		if (c == '\n')
			return got;
	}
}

/* Commands from standard input, one complete command at a time. */
static void
run_input(const char *name)
{
	struct str buf = { 0 };
	size_t pos = 0;
	int line = 1, eof = 0;
	while (sh.ctl != CTL_EXIT) {
		sh.ctl = CTL_NONE;      /* break or return at top level */
		if (pos >= buf.n) {
			if (eof)
				break;
			buf.n = pos = 0;
			jobs_poll(sh.interactive);
			sh.got_sigint = 0;
			if (sh.interactive)
				prompt("PS1");
			int r = read_line(&buf);
			if (r == -2) {
				buf.n = pos = 0;
				fputc('\n', stderr);
				continue;
			}
			if (r == 0) {
				eof = 1;
				if (buf.n == 0)
					break;
			}
			if (sh.verbose)
				fputs(str_cstr(&buf) + pos, stderr);
		}
		struct arena a = { 0 };
		struct node *n;
		enum parse_status ps = parse_command(&a, buf.s, buf.n, &pos, !eof,
			&line, sh.interactive ? NULL : name, &n);
		if (ps == P_INCOMPLETE) {
			arena_free(&a);
			if (sh.interactive)
				prompt("PS2");
			size_t before = buf.n;
			int r = read_line(&buf);
			if (r == -2) {
				buf.n = pos = 0;
				fputc('\n', stderr);
				continue;
			}
			if (r == 0)
				eof = 1;
			if (sh.verbose && buf.n > before)
				fputs(str_cstr(&buf) + before, stderr);
			continue;
		}
		if (ps == P_ERROR) {
			arena_free(&a);
			sh.status = 2;
			if (!sh.interactive)
				sh_exit(2);
			buf.n = pos = 0;
			continue;
		}
		if (ps == P_OK && !sh.noexec)
			run_node(n, 0);
		arena_free(&a);
	}
	free(buf.s);
}

/* An interactive shell leads its own process group, owns the console,
 * and ignores the signals meant for its jobs. */
static void
setup_interactive(void)
{
	sh.ttyfd = isatty(0) ? 0 : -1;
	if (sh.monitor) {
		sh_signal(SIGTSTP, SIG_IGN);
		sh_signal(SIGTTIN, SIG_IGN);
		sh_signal(SIGTTOU, SIG_IGN);
		if (getpgid(0) != getpid())
			setpgid(0, 0);  /* fails harmlessly for a session leader */
		sh.pgid = getpgid(0);
		if (sh.ttyfd >= 0)
			tcsetpgrp(sh.ttyfd, sh.pgid);
	}
	sh_signal(SIGINT, on_sigint);
	sh_signal(SIGQUIT, SIG_IGN);
}

static void
usage(void)
{
	fputs("usage: sh [-eimnuvx] [-c command [name [arg...]] | script [arg...] | -s [arg...]]\n",
		stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *cmd = NULL, *script = NULL;
	int cmd_mode = 0, force_i = 0, use_stdin = 0, monitor = -1;
	int i = 1;
	char top;

	sh_stack_init(&top);
	sh.pid = getpid();
	sh.ttyfd = -1;
	var_init(environ);
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if ((a[0] != '-' && a[0] != '+') || !a[1])
			break;
		int on = a[0] == '-';
		for (const char *f = a + 1; *f; f++) {
			switch (*f) {
			case 'c': cmd_mode = 1; break;
			case 'i': force_i = on; break;
			case 's': use_stdin = 1; break;
			case 'm': monitor = on; break;
			default:
				if (sh_option(*f, on) < 0) {
					fprintf(stderr, "sh: -%c: invalid option\n", *f);
					usage();
				}
			}
		}
	}
	arg0 = argv[0];
	if (cmd_mode) {
		if (i >= argc)
			usage();
		cmd = argv[i++];
		if (i < argc)
			arg0 = argv[i++];
	} else if (!use_stdin && i < argc) {
		script = argv[i++];
		arg0 = (char *)script;
	}
	arg0 = xstrdup(arg0);
	params_set(argc - i, argv + i);

	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof cwd))
		var_set("PWD", cwd, 1);

	sh.interactive = force_i || (!cmd && !script && isatty(0) && isatty(2));
	sh.monitor = monitor >= 0 ? monitor : sh.interactive;
	sh.pgid = getpgid(0);
	if (sh.interactive)
		setup_interactive();
	else if (sh.monitor) {
		/* set -m in a script: jobs get groups; the console only if it
		 * is ours. */
		sh.ttyfd = isatty(0) && tcgetpgrp(0) == sh.pgid ? 0 : -1;
	}

	if (cmd) {
		run_text(cmd, strlen(cmd), "-c");
	} else if (script) {
		size_t len;
		char *text = sh_slurp(script, &len);
		if (!text) {
			sh_error("%s: %s", script, strerror(errno));
			sh_exit(errno == ENOENT ? 127 : 126);
		}
		run_text(text, len, script);
		free(text);
	} else {
		run_input(arg0);
	}
	sh_exit(sh.status);
}
