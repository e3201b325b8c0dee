/* exec.c - walking the tree: commands, pipelines, redirections, functions.
 *
 * Every external command, pipeline element, subshell and background job
 * runs in a forked child.  A child that will exit right after its command
 * (flag EV_EXIT) execs in place instead of forking again.  With job
 * control on (sh.monitor), each job gets its own process group, set by
 * both parent and child so neither can run ahead of the other, and a
 * foreground job is given the console (tcsetpgrp) until it ends or stops.
 */
#define _GNU_SOURCE
#include "sh.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FUNC_DEPTH 100      /* the guest's C stack is small */
#define SAVE_FD_MIN 10          /* saved copies of redirected fds live here */

/* Heredoc bodies up to this size go straight into a pipe; larger ones are
 * written by a child so a full pipe cannot deadlock the shell. */
#define HEREDOC_INLINE 512

struct func {
	char *name;
	struct node *node;
	struct func *next;
};
static struct func *funcs;

static int run_in(struct node *n, int flags);

/* ---- functions */

void
func_define(struct node *fn)
{
	fn->arena->pinned = 1;
	for (struct func *f = funcs; f; f = f->next)
		if (strcmp(f->name, fn->name) == 0) {
			f->node = fn;
			return;
		}
	struct func *f = xmalloc(sizeof *f);
	f->name = xstrdup(fn->name);
	f->node = fn;
	f->next = funcs;
	funcs = f;
}

struct node *
func_find(const char *name)
{
	for (struct func *f = funcs; f; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f->node;
	return NULL;
}

int
func_unset(const char *name)
{
	for (struct func **pp = &funcs; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name) == 0) {
			struct func *f = *pp;
			*pp = f->next;
			free(f->name);
			free(f);
			return 0;
		}
	return 0;
}

/* ---- redirections */

static int
save_fd(int fd, struct saved_fd **save)
{
	for (struct saved_fd *s = *save; s; s = s->next)
		if (s->fd == fd)
			return 0;       /* the first save is the original */
	struct saved_fd *s = xmalloc(sizeof *s);
	s->fd = fd;
	s->copy = fcntl(fd, F_DUPFD, SAVE_FD_MIN);
	if (s->copy < 0 && errno != EBADF) {
		sh_error("cannot save fd %d: %s", fd, strerror(errno));
		free(s);
		return -1;
	}
	if (s->copy >= 0)
		fcntl(s->copy, F_SETFD, FD_CLOEXEC);
	s->next = *save;
	*save = s;
	return 0;
}

void
redirs_restore(struct saved_fd *save)
{
	while (save) {
		struct saved_fd *s = save;
		save = s->next;
		if (s->copy >= 0) {
			dup2(s->copy, s->fd);
			close(s->copy);
		} else {
			close(s->fd);
		}
		free(s);
	}
}

/* A pipe whose read end yields body. */
static int
heredoc_fd(const char *body)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	size_t len = strlen(body);
	if (len <= HEREDOC_INLINE) {
		if (len && write(fds[1], body, len) < 0) {
			close(fds[0]);
			close(fds[1]);
			return -1;
		}
		close(fds[1]);
		return fds[0];
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		signal(SIGPIPE, SIG_DFL);
		while (len > 0) {
			ssize_t w = write(fds[1], body, len);
			if (w <= 0)
				_exit(1);
			body += w;
			len -= (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];          /* the writer is reaped by jobs_poll */
}

static int
open_target(struct redir *r, const char *target)
{
	static const struct { enum redir_kind k; int flags; } modes[] = {
		{ R_IN, O_RDONLY }, { R_OUT, O_WRONLY | O_CREAT | O_TRUNC },
		{ R_CLOBBER, O_WRONLY | O_CREAT | O_TRUNC },
		{ R_APPEND, O_WRONLY | O_CREAT | O_APPEND },
		{ R_RDWR, O_RDWR | O_CREAT },
	};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (modes[i].k == r->kind)
			return open(target, modes[i].flags, 0666);
	return -1;
}

int
redirs_apply(struct redir *r, struct saved_fd **save)
{
	for (; r; r = r->next) {
		int fd = -1;
		char *target = NULL;
		if (r->kind == R_HEREDOC) {
			const char *raw = r->body ? r->body : "";
			char *body = r->quoted ? xstrdup(raw) : expand_str(raw, EX_HEREDOC);
			if (!body)
				return -1;
			fd = heredoc_fd(body);
			free(body);
			if (fd < 0) {
				sh_error("here-document: %s", strerror(errno));
				return -1;
			}
		} else {
			target = expand_str(r->word, EX_TILDE);
			if (!target)
				return -1;
		}
		if (save && save_fd(r->fd, save) < 0) {
			free(target);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (r->kind == R_DUPIN || r->kind == R_DUPOUT) {
			if (strcmp(target, "-") == 0) {
				close(r->fd);
				free(target);
				continue;
			}
			char *end;
			long src = strtol(target, &end, 10);
			if (!*target || *end || src < 0 || src > 1024) {
				sh_error("%s: bad file descriptor", target);
				free(target);
				return -1;
			}
			if ((int)src != r->fd && dup2((int)src, r->fd) < 0) {
				sh_error("%ld: %s", src, strerror(errno));
				free(target);
				return -1;
			}
			free(target);
			continue;
		}
		if (fd < 0) {
			fd = open_target(r, target);
			if (fd < 0) {
				sh_error("%s: %s", target, strerror(errno));
				free(target);
				return -1;
			}
		}
		free(target);
		if (fd != r->fd) {
			if (dup2(fd, r->fd) < 0) {
				sh_error("%d: %s", r->fd, strerror(errno));
				close(fd);
				return -1;
			}
			close(fd);
		}
	}
	return 0;
}

/* ---- processes */

static const int job_signals[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };

/* In a freshly forked child: join or make the job's group, take the
 * console if in the foreground, and undo what only the shell should do. */
static void
child_setup(pid_t pgid, int fg)
{
	sh.subshell++;
	if (sh.monitor) {
		pid_t me = getpid();
		setpgid(0, pgid ? pgid : me);
		if (fg && sh.ttyfd >= 0)
			tcsetpgrp(sh.ttyfd, pgid ? pgid : me);
		for (size_t i = 0; i < sizeof job_signals / sizeof job_signals[0]; i++)
			signal(job_signals[i], SIG_DFL);
	} else if (!fg) {
		/* No job control: a background job must not see ^C or read
		 * the terminal (POSIX 2.9.3.1). */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		int fd = open("/dev/null", O_RDONLY);
		if (fd >= 0 && fd != 0) {
			dup2(fd, 0);
			close(fd);
		}
	}
	sh.monitor = 0;
	sh.interactive = 0;
	jobs_clear();
	traps_reset();
}

static pid_t
sh_fork(void)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		sh_error("fork: %s", strerror(errno));
	return pid;
}

/* execve failed with ENOEXEC: the file is text, so run it as a script
 * (POSIX 2.9.1.1): with the interpreter its "#!" line names (and at most
 * one argument), else with /bin/sh.  Returns only if that exec fails. */
static void
exec_script(const char *path, char **argv, char **envp)
{
	char head[256];
	ssize_t n = 0;
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, head, sizeof head - 1);
		close(fd);
	}
	head[n > 0 ? n : 0] = 0;
	char *interp = "/bin/sh", *arg = NULL;
	if (n > 2 && head[0] == '#' && head[1] == '!') {
		char *p = head + 2;
		p[strcspn(p, "\n")] = 0;
		p += strspn(p, " \t");
		if (*p) {
			interp = p;
			p += strcspn(p, " \t");
			if (*p) {
				*p++ = 0;
				p += strspn(p, " \t");
				if (*p)
					arg = p;
			}
		}
	}
	int argc = 0;
	while (argv[argc])
		argc++;
	char **nargv = xmalloc((size_t)(argc + 3) * sizeof *nargv);
	int k = 0;
	nargv[k++] = interp;
	if (arg)
		nargv[k++] = arg;
	nargv[k++] = (char *)path;
	for (int i = 1; i <= argc; i++)
		nargv[k++] = argv[i];
	execve(interp, nargv, envp);
	free(nargv);
}

/* Find and exec argv[0].  Returns only on failure, with the status the
 * command should have (127 not found, 126 not executable), after saying
 * why. */
static int
exec_command(char **argv, char **assigns, int nassigns)
{
	const char *name = argv[0];
	char **envp = var_environ(assigns, nassigns);
	int err = ENOENT;
	if (strchr(name, '/')) {
		execve(name, argv, envp);
		err = errno;
		if (err == ENOEXEC)
			exec_script(name, argv, envp);
	} else {
		const char *path = var_get("PATH");
		for (int i = 0; i < nassigns; i++)   /* PATH=dir cmd looks in dir */
			if (strncmp(assigns[i], "PATH=", 5) == 0)
				path = assigns[i] + 5;
		if (!path)
			path = "/bin";
		struct str full = { 0 };
		for (const char *p = path;; ) {
			size_t n = strcspn(p, ":");
			full.n = 0;
			if (n)
				str_addn(&full, p, n);
			else
				str_addc(&full, '.');
			str_addc(&full, '/');
			str_adds(&full, name);
			struct stat st;
			if (stat(str_cstr(&full), &st) == 0 && S_ISREG(st.st_mode)) {
				execve(full.s, argv, envp);
				if (errno == ENOEXEC)
					exec_script(full.s, argv, envp);
				if (errno != ENOENT) {
					err = errno;
					break;
				}
			}
			if (!p[n])
				break;
			p += n + 1;
		}
		free(full.s);
	}
	envp_free(envp);
	if (err == ENOENT || err == ENOTDIR) {
		sh_error("%s: not found", name);
		return 127;
	}
	sh_error("%s: %s", name, strerror(err));
	return 126;
}

/* ---- simple commands */

static void
trace(char **assigns, int nassigns, struct fields *args)
{
	const char *ps4 = var_get("PS4");
	struct str t = { 0 };
	str_adds(&t, ps4 ? ps4 : "+ ");
	for (int i = 0; i < nassigns; i++) {
		str_adds(&t, assigns[i]);
		str_addc(&t, ' ');
	}
	for (int i = 0; i < args->n; i++) {
		if (i)
			str_addc(&t, ' ');
		str_adds(&t, args->v[i]);
	}
	str_addc(&t, '\n');
	fflush(stdout);
	fputs(t.s, stderr);
	fflush(stderr);
	free(t.s);
}

/* Where an expansion or redirection error leaves a non-interactive shell:
 * it exits (POSIX 2.8.1), an interactive one just fails the command. */
static int
fail_command(int status)
{
	sh.status = status;
	if (!sh.interactive && sh.ctl == CTL_NONE)
		sh.ctl = CTL_EXIT;
	return status;
}

static int
run_function(struct node *fn, int argc, char **argv)
{
	if (sh.func_depth >= MAX_FUNC_DEPTH) {
		sh_error("%s: function nesting too deep", argv[0]);
		return 2;
	}
	struct params old = params_push(argc - 1, argv + 1);
	sh.func_depth++;
	int loops = sh.loop_depth;
	sh.loop_depth = 0;
	int st = run_node(fn->a, 0);
	sh.loop_depth = loops;
	sh.func_depth--;
	if (sh.ctl == CTL_RETURN)
		sh.ctl = CTL_NONE;
	params_pop(old);
	return st;
}

static int
run_simple(struct node *n, int flags)
{
	struct fields args = { 0 };
	struct fields assigns = { 0 };
	struct saved_fd *saved = NULL;
	struct var_save *temp = NULL;
	int status = 0;
	int subst_status = -1;
	int prev = sh.status;

	for (struct word *w = n->words; w; w = w->next)
		if (expand_word(w->text, EX_SPLIT | EX_GLOB | EX_TILDE, &args) < 0) {
			status = fail_command(1);
			goto out;
		}
	for (struct word *w = n->assigns; w; w = w->next) {
		size_t ln = assign_name_len(w->text);
		sh.status = prev;
		char *v = expand_str(w->text + ln + 1, EX_TILDE);
		if (!v) {
			status = fail_command(1);
			goto out;
		}
		if (sh.status != prev)
			subst_status = sh.status;
		char *a = xmalloc(ln + strlen(v) + 2);
		memcpy(a, w->text, ln + 1);
		strcpy(a + ln + 1, v);
		free(v);
		fields_add(&assigns, a);
	}
	if (sh.status != prev && subst_status < 0)
		subst_status = sh.status;
	sh.status = prev;
	if (sh.xtrace)
		trace(assigns.v, assigns.n, &args);

	if (args.n == 0) {
		for (int i = 0; i < assigns.n; i++) {
			size_t ln = assign_name_len(assigns.v[i]);
			assigns.v[i][ln] = 0;
			if (var_set(assigns.v[i], assigns.v[i] + ln + 1, 0) < 0) {
				status = fail_command(1);
				goto out;
			}
		}
		if (redirs_apply(n->redirs, &saved) < 0)
			status = 1;
		else
			status = subst_status >= 0 ? subst_status : 0;
		goto out;
	}

	char *name = args.v[0];
	int use_funcs = 1;
	if (strcmp(name, "command") == 0 && args.n > 1 && args.v[1][0] != '-') {
		free(args.v[0]);
		memmove(args.v, args.v + 1, (size_t)args.n * sizeof *args.v);
		args.n--;
		name = args.v[0];
		use_funcs = 0;
	}
	if (strcmp(name, "exec") == 0) {
		if (redirs_apply(n->redirs, NULL) < 0) {
			status = fail_command(1);
			goto out;
		}
		if (args.n == 1)
			goto out;
		fflush(stdout);
		fflush(stderr);
		if (sh.interactive) {
			for (size_t i = 0; i < sizeof job_signals / sizeof job_signals[0]; i++)
				signal(job_signals[i], SIG_DFL);
		}
		status = exec_command(args.v + 1, assigns.v, assigns.n);
		if (!sh.interactive)
			sh_exit(status);
		goto out;
	}
	int special = 0;
	builtin_fn bi = strchr(name, '/') ? NULL : builtin_find(name, &special);
	struct node *fn = use_funcs && !special && !strchr(name, '/') ? func_find(name) : NULL;
	if (bi || fn) {
		for (int i = 0; i < assigns.n; i++) {
			size_t ln = assign_name_len(assigns.v[i]);
			assigns.v[i][ln] = 0;
			if (special)
				var_set(assigns.v[i], assigns.v[i] + ln + 1, 0);
			else
				var_set_temp(&temp, assigns.v[i], assigns.v[i] + ln + 1);
			assigns.v[i][ln] = '=';
		}
		if (redirs_apply(n->redirs, &saved) < 0) {
			status = special ? fail_command(1) : 1;
			goto out;
		}
		if (fn) {
			status = run_function(fn, args.n, args.v);
		} else {
			errno = 0;
			status = bi(args.n, args.v);
			/* Output to a closed or broken fd fails this builtin
			 * only, not the ones after it. */
			if (fflush(stdout) == EOF || ferror(stdout)) {
				/* Say why, as other shells do: `echo x > ctl`
				 * failing with EINVAL should not be silent. */
				if (errno && errno != EPIPE)
					fprintf(stderr, "sh: %s: write error: %s\n", args.v[0],
						strerror(errno));
				clearerr(stdout);
				if (status == 0)
					status = 1;
			}
			fflush(stderr);
			clearerr(stderr);
		}
		goto out;
	}

	if (flags & EV_EXIT) {
		/* Already in a child that exits after this: no second fork. */
		if (redirs_apply(n->redirs, NULL) < 0)
			sh_exit(1);
		sh_exit(exec_command(args.v, assigns.v, assigns.n));
	}
	struct job *j = job_new(n->text);
	pid_t pid = sh_fork();
	if (pid < 0) {
		status = 2;
		job_wait_fg(j);
		goto out;
	}
	if (pid == 0) {
		child_setup(0, 1);
		if (redirs_apply(n->redirs, NULL) < 0)
			_exit(1);
		int st = exec_command(args.v, assigns.v, assigns.n);
		fflush(stderr);
		_exit(st);
	}
	if (sh.monitor)
		setpgid(pid, pid);
	job_add(j, pid);
	status = job_wait_fg(j);
out:
	redirs_restore(saved);
	var_restore(temp);
	fields_free(&args);
	fields_free(&assigns);
	sh.status = status;
	return status;
}

/* ---- pipelines and jobs */

/* Run n's commands connected by pipes, each in a child.  Returns the
 * status of the last one (0 for a background job). */
static int
run_pipeline(struct node **cmds, int ncmds, const char *text, int bg)
{
	struct job *j = job_new(text);
	pid_t pgid = 0, pid = 0;
	int prev = -1;
	int failed = 0;
	for (int i = 0; i < ncmds; i++) {
		int fds[2] = { -1, -1 };
		if (i + 1 < ncmds && pipe(fds) < 0) {
			sh_error("pipe: %s", strerror(errno));
			failed = 1;
			break;
		}
		pid = sh_fork();
		if (pid < 0) {
			if (fds[0] >= 0) {
				close(fds[0]);
				close(fds[1]);
			}
			failed = 1;
			break;
		}
		if (pid == 0) {
			child_setup(pgid, !bg);
			if (prev >= 0) {
				dup2(prev, 0);
				close(prev);
			}
			if (fds[1] >= 0) {
				close(fds[0]);
				dup2(fds[1], 1);
				close(fds[1]);
			}
			sh_exit(run_node(cmds[i], EV_EXIT));
		}
		if (!pgid)
			pgid = pid;
		if (sh.monitor)
			setpgid(pid, pgid);
		job_add(j, pid);
		if (prev >= 0)
			close(prev);
		if (fds[1] >= 0)
			close(fds[1]);
		prev = fds[0];
	}
	if (prev >= 0)
		close(prev);
	if (bg && !failed) {
		sh.last_bg = pid;
		job_background(j);
		return 0;
	}
	int st = job_wait_fg(j);
	return failed ? 2 : st;
}

static int
run_subshell(struct node *n, int flags)
{
	if (flags & EV_EXIT)
		return run_node(n->a, flags);
	struct job *j = job_new(n->text);
	pid_t pid = sh_fork();
	if (pid < 0)
		return job_wait_fg(j), 2;
	if (pid == 0) {
		child_setup(0, 1);
		sh_exit(run_node(n->a, EV_EXIT));
	}
	if (sh.monitor)
		setpgid(pid, pid);
	job_add(j, pid);
	return job_wait_fg(j);
}

static int
run_async(struct node *n)
{
	struct node *a = n->a;
	if (a->kind == N_PIPE)
		return run_pipeline(a->cmds, a->ncmds, n->text, 1);
	return run_pipeline(&a, 1, n->text, 1);
}

/* ---- compound commands */

/* After a loop body: consume a break or continue aimed at this loop.
 * Returns 1 if the loop must stop. */
static int
loop_ctl(void)
{
	if (sh.ctl == CTL_BREAK || sh.ctl == CTL_CONTINUE) {
		if (--sh.ctl_count > 0)
			return 1;       /* aimed further out */
		int brk = sh.ctl == CTL_BREAK;
		sh.ctl = CTL_NONE;
		return brk;
	}
	return sh.ctl != CTL_NONE;
}

static int
run_loop(struct node *n, int flags)
{
	int status = 0;
	sh.loop_depth++;
	for (;;) {
		int st = run_node(n->a, (flags | EV_COND) & ~EV_EXIT);
		if (sh.ctl != CTL_NONE) {
			if (loop_ctl())
				break;
			continue;
		}
		if ((st == 0) != (n->kind == N_WHILE))
			break;
		status = run_node(n->b, flags & ~EV_EXIT);
		if (sh.ctl != CTL_NONE && loop_ctl())
			break;
		jobs_poll(0);
	}
	sh.loop_depth--;
	sh.status = status;
	return status;
}

static int
run_for(struct node *n, int flags)
{
	struct fields list = { 0 };
	if (n->has_in) {
		for (struct word *w = n->words; w; w = w->next)
			if (expand_word(w->text, EX_SPLIT | EX_GLOB | EX_TILDE, &list) < 0) {
				fields_free(&list);
				return fail_command(1);
			}
	} else {
		for (int i = 0; i < params.n; i++)
			fields_add(&list, xstrdup(params.v[i]));
	}
	int status = 0;
	sh.loop_depth++;
	for (int i = 0; i < list.n; i++) {
		if (var_set(n->name, list.v[i], 0) < 0) {
			status = fail_command(1);
			break;
		}
		status = run_node(n->b, flags & ~EV_EXIT);
		if (sh.ctl != CTL_NONE && loop_ctl())
			break;
	}
	sh.loop_depth--;
	fields_free(&list);
	sh.status = status;
	return status;
}

static int
run_case(struct node *n, int flags)
{
	char *subject = expand_str(n->words->text, EX_TILDE);
	if (!subject)
		return fail_command(1);
	int status = 0;
	for (struct case_item *ci = n->items; ci; ci = ci->next) {
		for (struct word *p = ci->pats; p; p = p->next) {
			char *pat = expand_str(p->text, EX_PATTERN | EX_TILDE);
			if (!pat) {
				free(subject);
				return fail_command(1);
			}
			int m = pattern_match(pat, subject);
			free(pat);
			if (m) {
				status = ci->body ? run_node(ci->body, flags) : 0;
				free(subject);
				sh.status = status;
				return status;
			}
		}
	}
	free(subject);
	sh.status = status;
	return status;
}

static int
run_seq(struct node *n, int flags)
{
	int status = sh.status;
	for (int i = 0; i < n->ncmds && sh.ctl == CTL_NONE; i++)
		status = run_node(n->cmds[i], i + 1 == n->ncmds ? flags : flags & ~EV_EXIT);
	if (n->ncmds == 0)
		status = 0;
	return status;
}

/* The node proper, without its redirections. */
static int
run_in(struct node *n, int flags)
{
	int st, sub = flags & ~EV_EXIT;
	switch (n->kind) {
	case N_SIMPLE:
		st = run_simple(n, flags);
		break;
	case N_PIPE:
		st = run_pipeline(n->cmds, n->ncmds, n->text, 0);
		break;
	case N_SEQ:
		return run_seq(n, flags);
	case N_BG:
		return run_async(n);
	case N_AND:
	case N_OR:
		st = run_node(n->a, sub | EV_COND);
		if (sh.ctl == CTL_NONE && (st == 0) == (n->kind == N_AND))
			st = run_node(n->b, flags);
		return st;
	case N_NOT:
		st = run_node(n->a, sub | EV_COND);
		return sh.status = !st;
	case N_IF:
		st = run_node(n->a, sub | EV_COND);
		if (sh.ctl != CTL_NONE)
			return st;
		if (st == 0)
			return run_node(n->b, flags);
		if (n->c)
			return run_node(n->c, flags);
		return sh.status = 0;
	case N_WHILE:
	case N_UNTIL:
		return run_loop(n, flags);
	case N_FOR:
		return run_for(n, flags);
	case N_CASE:
		return run_case(n, flags);
	case N_GROUP:
		return run_node(n->a, flags);
	case N_SUBSHELL:
		st = run_subshell(n, flags);
		break;
	case N_FUNC:
		func_define(n);
		return sh.status = 0;
	default:
		return sh.status = 2;
	}
	sh.status = st;
	if (sh.errexit && st != 0 && !(flags & EV_COND) && sh.ctl == CTL_NONE)
		sh.ctl = CTL_EXIT;
	return st;
}

int
run_node(struct node *n, int flags)
{
	if (!n || sh.ctl != CTL_NONE)
		return sh.status;
	if (sh_stack_low()) {
		sh_error("commands nested too deeply");
		return sh.status = 2;
	}
	int st;
	if (n->redirs && n->kind != N_SIMPLE) {
		struct saved_fd *saved = NULL;
		if (redirs_apply(n->redirs, &saved) < 0) {
			redirs_restore(saved);
			return fail_command(1);
		}
		st = run_in(n, flags & ~EV_EXIT);
		redirs_restore(saved);
	} else {
		st = run_in(n, flags);
	}
	sh.status = st;
	run_traps();
	return sh.status;
}
