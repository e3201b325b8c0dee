/*
 * ps - list processes from /task: pid, parent, group, session, state
 * (R running or runnable, S sleeping, T stopped, Z zombie or exited, N
 * made through /task/new and not started yet), nice, fuel (instructions
 * run), memory pages and name, one line each, aligned, in pid order.
 *
 * Everything comes from the files of /task (each task's status line
 * "pid ppid pgid state fuel mem name" and stat/cpu for nice), so ps shows
 * exactly the tasks its namespace shows. /task has no session field: the
 * SID column asks getsid(2) and shows "-" when that fails.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>

#include "util.h"

struct task {
	long pid, ppid, pgid;
	char state;
	int nice;               /* INT32_MIN: unknown */
	unsigned long long fuel, mem;
	char name[64];
};

/* Read a small /task file into buf (NUL-terminated); its length or -1. */
static ssize_t
slurp(long pid, const char *file, char *buf, size_t cap)
{
	char path[64];
	ssize_t n, got = 0;
	int fd;

	snprintf(path, sizeof path, "/task/%ld/%s", pid, file);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	while ((size_t)got < cap - 1 && (n = read(fd, buf + got, cap - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return got;
}

/* The state word of a status line as a ps letter. */
static char
letter(const char *state)
{
	static const struct {
		const char *word;
		char c;
	} map[] = {
		{ "running", 'R' }, { "ready", 'R' },  { "sleeping", 'S' }, { "stopped", 'T' },
		{ "zombie", 'Z' },  { "exited", 'Z' }, { "new", 'N' },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(state, map[i].word))
			return map[i].c;
	return '?';
}

/* The name field: the rest of the line, '...' quotes undone ('' is one '). */
static void
getname(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	int quoted = 0;

	for (; *s && *s != '\n' && o + 1 < cap; s++) {
		if (*s == '\'') {
			if (quoted && s[1] == '\'') {
				out[o++] = *++s;
				continue;
			}
			quoted = !quoted;
			continue;
		}
		out[o++] = *s;
	}
	out[o] = 0;
}

/* One task; 0 when it is gone (not an error: it ended since the listing). */
static int
readtask(long pid, struct task *t)
{
	char buf[256], state[16];
	int off = 0;
	const char *nice;

	if (slurp(pid, "status", buf, sizeof buf) <= 0)
		return 0;
	memset(t, 0, sizeof *t);
	if (sscanf(buf, "%ld %ld %ld %15s %llu %llu %n", &t->pid, &t->ppid, &t->pgid, state,
		   &t->fuel, &t->mem, &off) < 6 || !off)
		return 0;
	t->state = letter(state);
	getname(buf + off, t->name, sizeof t->name);
	t->nice = INT32_MIN;
	if (slurp(pid, "stat/cpu", buf, sizeof buf) > 0 && (nice = strstr(buf, " nice ")))
		t->nice = atoi(nice + 6);
	return 1;
}

static int
bypid(const void *a, const void *b)
{
	const struct task *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int
main(int argc, char **argv)
{
	struct task *tasks = NULL, *nt;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d;
	long pid;

	setprog(argv, "ps");
	if (argc > 1 && strcmp(argv[1], "-e") && strcmp(argv[1], "-A") &&
	    strcmp(argv[1], "ax") && strcmp(argv[1], "aux")) {
		fprintf(stderr, "usage: ps\n");
		return 2;
	}
	if (!(d = opendir("/task")))
		die(1, "cannot read the process table: /task: %s", strerror(errno));
	while ((e = readdir(d))) {
		if ((pid = parse_count(e->d_name)) <= 0)
			continue;       /* new, self, . and .. */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(nt = realloc(tasks, cap * sizeof *tasks)))
				die(1, "out of memory");
			tasks = nt;
		}
		n += (size_t)readtask(pid, &tasks[n]);
	}
	closedir(d);
	qsort(tasks, n, sizeof *tasks, bypid);
	printf("%5s %5s %5s %5s %s %3s %12s %5s %s\n", "PID", "PPID", "PGID", "SID", "S", "NI",
	       "FUEL", "PAGES", "CMD");
	for (size_t i = 0; i < n; i++) {
		const struct task *t = &tasks[i];
		char sid[16], nice[16];
		pid_t s = getsid((pid_t)t->pid);

		if (s >= 0)
			snprintf(sid, sizeof sid, "%d", (int)s);
		else
			strcpy(sid, "-");
		if (t->nice != INT32_MIN)
			snprintf(nice, sizeof nice, "%d", t->nice);
		else
			strcpy(nice, "-");
		printf("%5ld %5ld %5ld %5s %c %3s %12llu %5llu %s\n", t->pid, t->ppid, t->pgid, sid,
		       t->state, nice, t->fuel, t->mem / 65536, t->name);
	}
	free(tasks);
	return 0;
}
