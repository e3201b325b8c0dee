/*
 * ps.c - `warren ps [HOSTPID...]`: the process tables of running warren
 * systems, from their /task (wr_task_table), one block per host process.
 *
 * A running `warren run`, `warren sh` or `warren trace` publishes its task
 * table in a well-known file, $TMPDIR/warren-HOSTPID.tasks (TMPDIR unset:
 * /tmp), written at start and rewritten (a new file renamed into place)
 * whenever it gets SIGUSR1; it removes the file when it ends.  `warren ps`
 * signals each warren, waits until the file is replaced, and prints it
 * aligned under a header naming the host pid and its command line.
 *
 * Without arguments it lists every running warren of this user: the host
 * processes whose executable or command name is "warren", and those whose
 * table file exists and whose command line names warren (a warren run
 * under valgrind, say).  A process is only signalled when its table file
 * exists: that file is what says it handles SIGUSR1 (whose default action
 * would end it).  Exit status: 0, or 1 when a given pid is not a running
 * warren system or did not answer within five seconds.
 */
#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_WARRENS 1024
#define WAIT_MS 5000

static int shown;   /* tables printed so far (a blank line between them) */

int
tasks_file(long hostpid, char *buf, size_t cap)
{
	const char *dir = getenv("TMPDIR");
	int n;

	if (!dir || !*dir)
		dir = "/tmp";
	n = snprintf(buf, cap, "%s/warren-%ld.tasks", dir, hostpid);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Read a whole small file (NUL-terminated, NULs inside become spaces). */
static char *
slurp(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL, *nb;
	size_t n = 0, cap = 0;
	ssize_t r;

	if (fd < 0)
		return NULL;
	for (;;) {
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > max || !(nb = realloc(buf, cap)))
				break;
			buf = nb;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* Is this path's last component "warren"? */
static bool
named_warren(const char *s)
{
	const char *slash = strrchr(s, '/');

	return !strcmp(slash ? slash + 1 : s, "warren");
}

/* Does host process pid run warren: its executable, command name or (when
 * `argv_too`) one of its arguments? */
static bool
is_warren(long pid, bool argv_too)
{
	char path[64], exe[PATH_MAX], *s;
	ssize_t n;
	size_t len;
	bool yes = false;

	snprintf(path, sizeof path, "/proc/%ld/exe", pid);
	if ((n = readlink(path, exe, sizeof exe - 1)) > 0) {
		exe[n] = 0;
		if (n > 10 && !strcmp(exe + n - 10, " (deleted)"))
			exe[n - 10] = 0;    /* rebuilt while it runs */
		if (named_warren(exe))
			return true;
	}
	snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	if ((s = slurp(path, 1 << 12, NULL))) {
		s[strcspn(s, "\n")] = 0;
		yes = !strcmp(s, "warren");
		free(s);
	}
	if (yes || !argv_too)
		return yes;
	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	if ((s = slurp(path, 1 << 16, &len))) {
		for (size_t i = 0; i < len && !yes; i += strlen(s + i) + 1)
			yes = named_warren(s + i);
		free(s);
	}
	return yes;
}

/* Its command line, arguments separated by blanks, for the header. */
static void
cmdline(long pid, char *out, size_t cap)
{
	char path[64], *s;
	size_t len = 0, o = 0;

	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	out[0] = 0;
	if (!(s = slurp(path, 1 << 16, &len)))
		return;
	for (size_t i = 0; i < len && o + 1 < cap; i++)
		out[o++] = s[i] ? ((unsigned char)s[i] < ' ' ? '?' : s[i]) : ' ';
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = 0;
	free(s);
}

static int
bypid(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static void
add(long *v, size_t *n, long pid)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == pid)
			return;
	if (*n < MAX_WARRENS)
		v[(*n)++] = pid;
}

/* A decimal pid, or -1. */
static long
parse_pid(const char *s)
{
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end || v <= 0 || v > INT_MAX ? -1 : v;
}

/* Every running warren with a table file, sorted. */
static size_t
discover(long *v)
{
	char dir[PATH_MAX], *slash;
	struct dirent *e;
	size_t n = 0;
	long pid;
	DIR *d;

	if ((d = opendir("/proc"))) {
		while ((e = readdir(d)))
			if ((pid = parse_pid(e->d_name)) > 0 && pid != (long)getpid() &&
			    is_warren(pid, false))
				add(v, &n, pid);
		closedir(d);
	}
	/* The files find warrens under a wrapper (valgrind). */
	if (tasks_file(1, dir, sizeof dir) == 0 && (slash = strrchr(dir, '/'))) {
		*slash = 0;
		if ((d = opendir(dir))) {
			while ((e = readdir(d))) {
				char num[32];
				size_t l = strlen(e->d_name);

				if (l < 14 || l - 13 >= sizeof num || strncmp(e->d_name, "warren-", 7) ||
				    strcmp(e->d_name + l - 6, ".tasks"))
					continue;
				memcpy(num, e->d_name + 7, l - 13);
				num[l - 13] = 0;
				if ((pid = parse_pid(num)) > 0 && pid != (long)getpid() &&
				    kill((pid_t)pid, 0) == 0 && is_warren(pid, true))
					add(v, &n, pid);
			}
			closedir(d);
		}
	}
	qsort(v, n, sizeof *v, bypid);
	return n;
}

/* Print one table aligned: "pid ppid pgid state fuel mem name" lines. */
static void
print_table(char *table)
{
	char *save = NULL;

	printf("%5s %5s %5s %-8s %12s %10s %s\n", "PID", "PPID", "PGID", "STATE", "FUEL", "MEM",
	       "NAME");
	for (char *line = strtok_r(table, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char pid[16], ppid[16], pgid[16], state[16], fuel[24], mem[24];
		int off = 0;

		if (sscanf(line, "%15s %15s %15s %15s %23s %23s %n", pid, ppid, pgid, state, fuel,
			   mem, &off) < 6 || !off || !strcmp(pid, "PID")) {
			if (strncmp(line, "PID ", 4))
				printf("%s\n", line);   /* a message, not a task */
			continue;
		}
		printf("%5s %5s %5s %-8s %12s %10s %s\n", pid, ppid, pgid, state, fuel, mem,
		       line + off);
	}
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Ask one warren for its table and print it. quiet: a pid found by
 * discovery that has no table file (a `warren call`, one still booting)
 * is skipped without a word. Returns 0, or 1 on failure (message printed).
 */
static int
show(long pid, bool quiet)
{
	char path[PATH_MAX], cmd[512], *table;
	struct stat before, now;
	int waited = 0;

	if (tasks_file(pid, path, sizeof path) < 0)
		return 1;
	if (stat(path, &before) < 0 || (!quiet && !is_warren(pid, true))) {
		if (quiet)
			return 0;
		fprintf(stderr, "warren ps: %ld: not a running warren system (no %s)\n", pid,
			path);
		return 1;
	}
	if (kill((pid_t)pid, SIGUSR1) < 0) {
		if (quiet && errno == ESRCH)
			return 0;   /* it just ended */
		fprintf(stderr, "warren ps: %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	/* The new table is a new file renamed over the old one. */
	for (;;) {
		if (stat(path, &now) == 0 && (now.st_ino != before.st_ino ||
					      now.st_mtim.tv_sec != before.st_mtim.tv_sec ||
					      now.st_mtim.tv_nsec != before.st_mtim.tv_nsec))
			break;
		if (waited >= WAIT_MS || (kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
			if (quiet && kill((pid_t)pid, 0) < 0)
				return 0;
			fprintf(stderr, "warren ps: %ld: no answer\n", pid);
			return 1;
		}
		sleep_ms(5);
		waited += 5;
	}
	if (!(table = slurp(path, 1 << 26, NULL))) {
		if (quiet && errno == ENOENT)
			return 0;   /* it ended meanwhile */
		fprintf(stderr, "warren ps: %s: %s\n", path, strerror(errno));
		return 1;
	}
	cmdline(pid, cmd, sizeof cmd);
	printf("%swarren %ld: %s\n", shown++ ? "\n" : "", pid, cmd);
	print_table(table);
	free(table);
	return 0;
}

int
cmd_ps(int argc, char **argv)
{
	static long pids[MAX_WARRENS];
	size_t n = 0;
	int status = 0;

	for (int i = 0; i < argc; i++) {
		long pid = parse_pid(argv[i]);

		if (pid < 0) {
			fprintf(stderr, "usage: warren ps [HOSTPID...]\n");
			return 2;
		}
		add(pids, &n, pid);
	}
	if (argc == 0)
		n = discover(pids);
	for (size_t i = 0; i < n; i++) {
		status |= show(pids[i], argc == 0);
		fflush(stdout);
	}
	fflush(stdout);
	return status;
}
