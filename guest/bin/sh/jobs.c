/* jobs.c - the job jobtab and the job-control builtins (jobs, fg, bg, wait,
 * kill).
 *
 * A job is a pipeline (or a subshell, or one command) started by this
 * shell: its processes, their last wait status, and with job control on
 * its process group.  Foreground jobs live outside the jobtab unless they
 * stop; background and stopped jobs are in it until they are reported
 * done (interactive) or waited for (`wait`, `jobs`).  Every child is
 * reaped through waitpid(-1), whichever job it belongs to.
 */
#define _GNU_SOURCE
#include "sh.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

enum pstate { PS_RUNNING, PS_STOPPED, PS_DONE };

struct jproc {
	pid_t pid;
	enum pstate state;
	int status;             /* raw wait status once stopped or done */
};

struct job {
	int id;                 /* 0: not in the jobtab */
	pid_t pgid;             /* 0: no group of its own (no job control) */
	struct jproc *procs;
	int n, cap;
	char *text;
	int notified;           /* its stop was reported */
	unsigned long seq;      /* recency, for %+ and %- */
	struct job *next;
};

static struct job *jobtab;
static struct job *fg;          /* the job being waited for */
static unsigned long seq;

/* Linux numbering, which is also warren's. */
static const struct { int sig; const char *name, *desc; } signals[] = {
	{ 1, "HUP", "Hangup" }, { 2, "INT", "Interrupt" }, { 3, "QUIT", "Quit" },
	{ 4, "ILL", "Illegal instruction" }, { 5, "TRAP", "Trace/breakpoint trap" },
	{ 6, "ABRT", "Aborted" }, { 7, "BUS", "Bus error" },
	{ 8, "FPE", "Floating point exception" }, { 9, "KILL", "Killed" },
	{ 10, "USR1", "User defined signal 1" }, { 11, "SEGV", "Segmentation fault" },
	{ 12, "USR2", "User defined signal 2" }, { 13, "PIPE", "Broken pipe" },
	{ 14, "ALRM", "Alarm clock" }, { 15, "TERM", "Terminated" },
	{ 16, "STKFLT", "Stack fault" }, { 17, "CHLD", "Child exited" },
	{ 18, "CONT", "Continued" }, { 19, "STOP", "Stopped (signal)" },
	{ 20, "TSTP", "Stopped" }, { 21, "TTIN", "Stopped (tty input)" },
	{ 22, "TTOU", "Stopped (tty output)" }, { 23, "URG", "Urgent I/O condition" },
	{ 24, "XCPU", "CPU time limit exceeded" }, { 25, "XFSZ", "File size limit exceeded" },
	{ 26, "VTALRM", "Virtual timer expired" }, { 27, "PROF", "Profiling timer expired" },
	{ 28, "WINCH", "Window changed" }, { 29, "IO", "I/O possible" },
	{ 30, "PWR", "Power failure" }, { 31, "SYS", "Bad system call" },
};
#define NSIG_TABLE (int)(sizeof signals / sizeof signals[0])

int
sig_number(const char *name)
{
	char *end;
	long n = strtol(name, &end, 10);
	if (*name && !*end)
		return n >= 0 && n <= NSIG_TABLE ? (int)n : -1;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (int i = 0; i < NSIG_TABLE; i++)
		if (strcasecmp(name, signals[i].name) == 0)
			return signals[i].sig;
	if (strcasecmp(name, "POLL") == 0)
		return 29;
	return -1;
}

const char *
sig_name(int sig)
{
	return sig >= 1 && sig <= NSIG_TABLE ? signals[sig - 1].name : "?";
}

static const char *
sig_desc(int sig)
{
	return sig >= 1 && sig <= NSIG_TABLE ? signals[sig - 1].desc : "Unknown signal";
}

int
status_of(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	if (WIFSTOPPED(ws))
		return 128 + WSTOPSIG(ws);
	return 0;
}

struct job *
job_new(const char *text)
{
	struct job *j = xmalloc(sizeof *j);
	memset(j, 0, sizeof *j);
	j->text = xstrdup(text ? text : "");
	return j;
}

void
job_add(struct job *j, pid_t pid)
{
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 4;
		j->procs = xrealloc(j->procs, (size_t)j->cap * sizeof *j->procs);
	}
	j->procs[j->n++] = (struct jproc){ .pid = pid, .state = PS_RUNNING };
	if (!j->pgid && sh.monitor)
		j->pgid = pid;
}

pid_t
job_pgid(struct job *j)
{
	return j->pgid;
}

static void
job_free(struct job *j)
{
	free(j->procs);
	free(j->text);
	free(j);
}

static void
table_insert(struct job *j)
{
	int id = 1;
	struct job **pp = &jobtab;
	while (*pp && (*pp)->id == id) {
		id++;
		pp = &(*pp)->next;
	}
	j->id = id;
	j->next = *pp;
	*pp = j;
	j->seq = ++seq;
}

static void
table_remove(struct job *j)
{
	for (struct job **pp = &jobtab; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			j->id = 0;
			return;
		}
}

void
jobs_clear(void)
{
	while (jobtab) {
		struct job *j = jobtab;
		jobtab = j->next;
		job_free(j);
	}
	fg = NULL;
}

static enum pstate
job_state(struct job *j)
{
	int stopped = 0;
	for (int i = 0; i < j->n; i++) {
		if (j->procs[i].state == PS_RUNNING)
			return PS_RUNNING;
		if (j->procs[i].state == PS_STOPPED)
			stopped = 1;
	}
	return stopped ? PS_STOPPED : PS_DONE;
}

/* A job's status is its last process's. */
static int
job_status(struct job *j)
{
	return j->n ? status_of(j->procs[j->n - 1].status) : 0;
}

static int
record_in(struct job *j, pid_t pid, int ws)
{
	for (int i = 0; i < j->n; i++) {
		if (j->procs[i].pid != pid)
			continue;
		if (WIFCONTINUED(ws)) {
			j->procs[i].state = PS_RUNNING;
			return 1;
		}
		if (WIFSTOPPED(ws)) {
			j->procs[i].state = PS_STOPPED;
			j->notified = 0;
		} else {
			j->procs[i].state = PS_DONE;
		}
		j->procs[i].status = ws;
		return 1;
	}
	return 0;
}

/* A child changed state: find its job (children of no job, such as a
 * heredoc writer, are just reaped). */
static void
record(pid_t pid, int ws)
{
	if (fg && record_in(fg, pid, ws))
		return;
	for (struct job *j = jobtab; j; j = j->next)
		if (j != fg && record_in(j, pid, ws))
			return;
}

/* Block until j is done or stopped.  Returns -1 if interrupted by ^C at
 * the shell (only `wait` cares). */
static int
wait_job(struct job *j)
{
	struct job *outer = fg;
	fg = j;
	int rc = 0;
	while (job_state(j) == PS_RUNNING) {
		int ws;
		pid_t pid = waitpid(-1, &ws, WUNTRACED);
		if (pid < 0) {
			if (errno == EINTR) {
				if (sh.got_sigint) {
					rc = -1;
					break;
				}
				continue;
			}
			/* ECHILD: nothing left to wait for: treat as done. */
			for (int i = 0; i < j->n; i++)
				if (j->procs[i].state == PS_RUNNING)
					j->procs[i].state = PS_DONE;
			break;
		}
		record(pid, ws);
	}
	fg = outer;
	return rc;
}

static void
print_job(struct job *j, const char *state, FILE *out)
{
	char mark = ' ';
	struct job *cur = NULL, *prev = NULL;
	for (struct job *k = jobtab; k; k = k->next) {
		if (!cur || k->seq > cur->seq) {
			prev = cur;
			cur = k;
		} else if (!prev || k->seq > prev->seq) {
			prev = k;
		}
	}
	if (j == cur)
		mark = '+';
	else if (j == prev)
		mark = '-';
	fprintf(out, "[%d]%c  %-22s %s\n", j->id, mark, state, j->text);
}

static const char *
state_text(struct job *j, char *buf, size_t n)
{
	enum pstate s = job_state(j);
	if (s == PS_RUNNING)
		return "Running";
	int ws = 0;
	for (int i = 0; i < j->n; i++)
		if (j->procs[i].state == PS_STOPPED)
			ws = j->procs[i].status;
	if (s == PS_STOPPED)
		return sig_desc(WSTOPSIG(ws));
	ws = j->n ? j->procs[j->n - 1].status : 0;
	if (WIFSIGNALED(ws))
		return sig_desc(WTERMSIG(ws));
	if (WEXITSTATUS(ws))
		snprintf(buf, n, "Done(%d)", WEXITSTATUS(ws));
	else
		snprintf(buf, n, "Done");
	return buf;
}

static void
take_console(void)
{
	if (sh.monitor && sh.ttyfd >= 0)
		tcsetpgrp(sh.ttyfd, sh.pgid);
}

int
job_wait_fg(struct job *j)
{
	if (j->n == 0) {
		if (!j->id)
			job_free(j);
		return 2;
	}
	if (sh.monitor && sh.ttyfd >= 0 && j->pgid)
		tcsetpgrp(sh.ttyfd, j->pgid);
	wait_job(j);
	take_console();
	if (job_state(j) == PS_STOPPED) {
		if (!j->id)
			table_insert(j);
		j->seq = ++seq;
		j->notified = 1;
		char buf[32];
		fputc('\n', stderr);
		print_job(j, state_text(j, buf, sizeof buf), stderr);
		int ws = 0;
		for (int i = 0; i < j->n; i++)
			if (j->procs[i].state == PS_STOPPED)
				ws = j->procs[i].status;
		return 128 + WSTOPSIG(ws);
	}
	int st = job_status(j);
	int ws = j->procs[j->n - 1].status;
	if (WIFSIGNALED(ws) && sh.interactive) {
		int sig = WTERMSIG(ws);
		if (sig == SIGINT)
			fputc('\n', stderr);
		else if (sig != SIGPIPE)
			fprintf(stderr, "%s\n", sig_desc(sig));
	}
	if (j->id)
		table_remove(j);
	job_free(j);
	return st;
}

/* A script that starts jobs and never waits must not grow the table
 * without bound: past this many, finished jobs are forgotten. */
#define MAX_JOBS 256

static void
forget_done(void)
{
	int n = 0;
	for (struct job *j = jobtab; j; j = j->next)
		n++;
	struct job *next;
	for (struct job *j = jobtab; j && n > MAX_JOBS; j = next) {
		next = j->next;
		if (job_state(j) == PS_DONE) {
			table_remove(j);
			job_free(j);
			n--;
		}
	}
}

void
job_background(struct job *j)
{
	if (!j->id) {
		forget_done();
		table_insert(j);
	}
	if (sh.interactive)
		fprintf(stderr, "[%d] %ld\n", j->id, (long)j->procs[j->n - 1].pid);
}

void
jobs_poll(int report)
{
	int ws;
	pid_t pid;
	while ((pid = waitpid(-1, &ws, WNOHANG | WUNTRACED)) > 0)
		record(pid, ws);
	if (!report)
		return;
	struct job *next;
	for (struct job *j = jobtab; j; j = next) {
		next = j->next;
		enum pstate s = job_state(j);
		char buf[32];
		if (s == PS_DONE) {
			print_job(j, state_text(j, buf, sizeof buf), stderr);
			table_remove(j);
			job_free(j);
		} else if (s == PS_STOPPED && !j->notified) {
			print_job(j, state_text(j, buf, sizeof buf), stderr);
			j->notified = 1;
		}
	}
}

static struct job *
current(int which)
{
	struct job *cur = NULL, *prev = NULL;
	for (struct job *k = jobtab; k; k = k->next) {
		if (!cur || k->seq > cur->seq) {
			prev = cur;
			cur = k;
		} else if (!prev || k->seq > prev->seq) {
			prev = k;
		}
	}
	return which ? prev : cur;
}

struct job *
job_find(const char *spec, const char *who)
{
	struct job *j = NULL;
	if (spec[0] == '%') {
		const char *s = spec + 1;
		if (!*s || !strcmp(s, "%") || !strcmp(s, "+")) {
			j = current(0);
		} else if (!strcmp(s, "-")) {
			j = current(1);
		} else if (strspn(s, "0123456789") == strlen(s)) {
			int id = atoi(s);
			for (j = jobtab; j && j->id != id; j = j->next)
				;
		} else {
			int q = s[0] == '?';
			for (j = jobtab; j; j = j->next)
				if (q ? strstr(j->text, s + 1) != NULL
				      : strncmp(j->text, s, strlen(s)) == 0)
					break;
		}
	} else {
		char *end;
		long pid = strtol(spec, &end, 10);
		if (*spec && !*end)
			for (j = jobtab; j; j = j->next)
				for (int i = 0; i < j->n; i++)
					if (j->procs[i].pid == pid)
						return j;
	}
	if (!j)
		sh_error("%s: %s: no such job", who, spec);
	return j;
}

/* Send sig to every process of j: the group when it has one (never the
 * shell's own). */
static int
job_signal(struct job *j, int sig)
{
	if (j->pgid && j->pgid != sh.pgid)
		return kill(-j->pgid, sig);
	int rc = -1;
	for (int i = 0; i < j->n; i++)
		if (j->procs[i].state != PS_DONE && kill(j->procs[i].pid, sig) == 0)
			rc = 0;
	return rc;
}

static void
continue_job(struct job *j)
{
	for (int i = 0; i < j->n; i++)
		if (j->procs[i].state == PS_STOPPED)
			j->procs[i].state = PS_RUNNING;
	j->notified = 0;
	job_signal(j, SIGCONT);
}

int
bi_jobs(int argc, char **argv)
{
	int pids = 0, longf = 0, i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-p"))
			pids = 1;
		else if (!strcmp(argv[i], "-l"))
			longf = 1;
		else {
			sh_error("jobs: %s: invalid option", argv[i]);
			return 2;
		}
	}
	jobs_poll(0);
	struct job *next;
	for (struct job *j = jobtab; j; j = next) {
		next = j->next;
		if (i < argc) {
			int listed = 0;
			for (int k = i; k < argc; k++)
				if (job_find(argv[k], "jobs") == j)
					listed = 1;
			if (!listed)
				continue;
		}
		char buf[32];
		if (pids) {
			printf("%ld\n", (long)(j->pgid ? j->pgid : j->procs[0].pid));
		} else if (longf) {
			printf("[%d] %ld %s %s\n", j->id, (long)j->procs[0].pid,
				state_text(j, buf, sizeof buf), j->text);
		} else {
			print_job(j, state_text(j, buf, sizeof buf), stdout);
		}
		if (job_state(j) == PS_DONE) {
			table_remove(j);
			job_free(j);
		} else if (job_state(j) == PS_STOPPED) {
			j->notified = 1;
		}
	}
	return 0;
}

int
bi_fg(int argc, char **argv)
{
	jobs_poll(0);
	struct job *j = argc > 1 ? job_find(argv[1], "fg") : current(0);
	if (!j) {
		if (argc <= 1)
			sh_error("fg: no current job");
		return 1;
	}
	printf("%s\n", j->text);
	fflush(stdout);
	if (sh.monitor && sh.ttyfd >= 0 && j->pgid)
		tcsetpgrp(sh.ttyfd, j->pgid);
	continue_job(j);
	return job_wait_fg(j);
}

int
bi_bg(int argc, char **argv)
{
	jobs_poll(0);
	int rc = 0;
	for (int i = 1; i < argc || i == 1; i++) {
		struct job *j = argc > 1 ? job_find(argv[i], "bg") : current(0);
		if (!j) {
			if (argc <= 1)
				sh_error("bg: no current job");
			rc = 1;
			if (argc <= 1)
				break;
			continue;
		}
		continue_job(j);
		j->seq = ++seq;
		printf("[%d] %s &\n", j->id, j->text);
		if (argc <= 1)
			break;
	}
	return rc;
}

/* wait [id...]: with no operand wait for every job and return 0. */
int
bi_wait(int argc, char **argv)
{
	int status = 0;
	if (argc < 2) {
		while (jobtab) {
			struct job *j = jobtab;
			if (job_state(j) == PS_RUNNING && wait_job(j) < 0)
				return 128 + SIGINT;
			table_remove(j);
			job_free(j);
		}
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		struct job *j;
		if (argv[i][0] == '%') {
			j = job_find(argv[i], "wait");
			if (!j) {
				status = 127;
				continue;
			}
		} else {
			char *end;
			long pid = strtol(argv[i], &end, 10);
			if (!*argv[i] || *end || pid <= 0) {
				sh_error("wait: %s: not a pid or valid job spec", argv[i]);
				status = 2;
				continue;
			}
			j = NULL;
			for (struct job *k = jobtab; k && !j; k = k->next)
				for (int p = 0; p < k->n; p++)
					if (k->procs[p].pid == pid)
						j = k;
			if (!j) {
				status = 127;
				continue;
			}
		}
		if (job_state(j) == PS_RUNNING && wait_job(j) < 0)
			return 128 + SIGINT;
		if (job_state(j) == PS_STOPPED) {
			int ws = 0;
			for (int p = 0; p < j->n; p++)
				if (j->procs[p].state == PS_STOPPED)
					ws = j->procs[p].status;
			status = 128 + WSTOPSIG(ws);
			continue;
		}
		status = job_status(j);
		table_remove(j);
		job_free(j);
	}
	return status;
}

static void
list_signals(void)
{
	for (int i = 0; i < NSIG_TABLE; i++)
		printf("%2d) SIG%-8s%s", signals[i].sig, signals[i].name,
			(i + 1) % 4 == 0 || i + 1 == NSIG_TABLE ? "\n" : " ");
}

int
bi_kill(int argc, char **argv)
{
	int sig = SIGTERM, i = 1;
	if (argc < 2) {
		fprintf(stderr, "usage: kill [-s SIG | -SIG] pid|%%job ... | kill -l [status]\n");
		return 2;
	}
	if (!strcmp(argv[1], "-l") || !strcmp(argv[1], "-L")) {
		if (argc == 2) {
			list_signals();
			return 0;
		}
		int rc = 0;
		for (i = 2; i < argc; i++) {
			int n = sig_number(argv[i]);
			if (n > 128)
				n -= 128;
			char *end;
			long st = strtol(argv[i], &end, 10);
			if (!*end && st > 128)
				n = (int)(st - 128);
			if (n <= 0) {
				sh_error("kill: %s: invalid signal", argv[i]);
				rc = 1;
			} else if (!*end) {
				printf("%s\n", sig_name(n));
			} else {
				printf("%d\n", n);
			}
		}
		return rc;
	}
	if (!strcmp(argv[1], "-s") || !strcmp(argv[1], "-n")) {
		if (argc < 3) {
			sh_error("kill: %s needs a signal", argv[1]);
			return 2;
		}
		sig = sig_number(argv[2]);
		i = 3;
	} else if (argv[1][0] == '-' && argv[1][1] && strcmp(argv[1], "--")) {
		sig = sig_number(argv[1] + 1);
		i = 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (sig < 0) {
		sh_error("kill: %s: invalid signal", argv[i - 1]);
		return 2;
	}
	int rc = 0;
	for (; i < argc; i++) {
		if (argv[i][0] == '%') {
			struct job *j = job_find(argv[i], "kill");
			if (!j || job_signal(j, sig) < 0) {
				if (j)
					sh_error("kill: %s: %s", argv[i], strerror(errno));
				rc = 1;
			} else if (sig == SIGCONT) {
				for (int p = 0; p < j->n; p++)
					if (j->procs[p].state == PS_STOPPED)
						j->procs[p].state = PS_RUNNING;
			} else if (job_state(j) == PS_STOPPED && sig != SIGKILL &&
			    sig != SIGSTOP && sig != SIGTSTP && sig != SIGTTIN &&
			    sig != SIGTTOU) {
				/* A stopped job only acts on the signal once
				 * it runs again (bash does the same). */
				continue_job(j);
			}
			continue;
		}
		char *end;
		long pid = strtol(argv[i], &end, 10);
		if (!*argv[i] || *end) {
			sh_error("kill: %s: arguments must be process or job IDs", argv[i]);
			rc = 1;
			continue;
		}
		if (kill((pid_t)pid, sig) < 0) {
			sh_error("kill: (%ld) - %s", pid, strerror(errno));
			rc = 1;
		}
	}
	return rc;
}
