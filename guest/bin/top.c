/*
 * top [-n ROUNDS] [-d SECONDS] - the tasks in /task, refreshed: state,
 * fuel (instructions) per second, total fuel and memory, busiest first.
 *
 * Everything comes from the files of /task (status of each task), so top
 * shows exactly the tasks its namespace shows.  On a terminal the screen
 * is redrawn each round; otherwise rounds follow each other.  Fuel per
 * second is measured between two readings, so the first round comes after
 * one interval.  -n 0 runs until interrupted (the default on a terminal;
 * elsewhere one round).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "util.h"

#define MAXTASKS 512

struct task {
	long pid, ppid;
	char state[16];
	unsigned long long fuel, mem;
	char name[40];
	double rate;            /* fuel per second since the last round */
};

struct sample {
	struct task t[MAXTASKS];
	int n;
	double when;            /* seconds, monotonic */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One task's status line: "pid ppid pgid state fuel mem name". */
static bool
readtask(long pid, struct task *t)
{
	char path[64], buf[256];
	long pgid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/task/%ld/status", pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return false;   /* gone since the listing: not an error */
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	memset(t, 0, sizeof *t);
	return sscanf(buf, "%ld %ld %ld %15s %llu %llu %39s", &t->pid, &t->ppid, &pgid, t->state,
		      &t->fuel, &t->mem, t->name) == 7;
}

static int
take(struct sample *s)
{
	DIR *d = opendir("/task");
	struct dirent *e;
	long pid;

	if (!d) {
		warnerr("/task");
		return -1;
	}
	s->n = 0;
	while ((e = readdir(d)) && s->n < MAXTASKS)
		if ((pid = parse_count(e->d_name)) > 0 && readtask(pid, &s->t[s->n]))
			s->n++;
	closedir(d);
	s->when = now();
	return 0;
}

static int
byrate(const void *a, const void *b)
{
	const struct task *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void
show(struct sample *cur, const struct sample *old, bool clear)
{
	double dt = cur->when - old->when, total = 0;
	int running = 0;

	for (int i = 0; i < cur->n; i++) {
		struct task *t = &cur->t[i];

		t->rate = 0;
		for (int j = 0; j < old->n; j++)
			if (old->t[j].pid == t->pid && t->fuel >= old->t[j].fuel && dt > 0)
				t->rate = (double)(t->fuel - old->t[j].fuel) / dt;
		total += t->rate;
		running += !strcmp(t->state, "running") || !strcmp(t->state, "ready");
	}
	qsort(cur->t, (size_t)cur->n, sizeof cur->t[0], byrate);
	if (clear)
		fputs("\033[H\033[J", stdout);
	printf("tasks: %d, running: %d, fuel/s: %.0f\n", cur->n, running, total);
	printf("%6s %6s %-8s %12s %14s %10s %s\n", "PID", "PPID", "STATE", "FUEL/S", "FUEL", "MEM",
	       "NAME");
	for (int i = 0; i < cur->n; i++) {
		const struct task *t = &cur->t[i];

		printf("%6ld %6ld %-8s %12.0f %14llu %9lluK %s\n", t->pid, t->ppid, t->state, t->rate,
		       t->fuel, t->mem / 1024, t->name);
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static struct sample a, b;
	struct sample *cur = &a, *old = &b, *tmp;
	bool tty = isatty(1);
	long rounds = tty ? 0 : 1;
	double delay = 1;
	struct timespec ts;

	setprog(argv, "top");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc && (rounds = parse_count(argv[i + 1])) >= 0)
			i++;
		else if (!strcmp(argv[i], "-d") && i + 1 < argc && (delay = atof(argv[i + 1])) > 0
			 && delay < 3600)
			i++;
		else
			die(2, "usage: top [-n rounds] [-d seconds]");
	}
	if (take(old))
		return 1;
	for (long r = 0; rounds == 0 || r < rounds; r++) {
		ts.tv_sec = (time_t)delay;
		ts.tv_nsec = (long)((delay - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		if (take(cur))
			return 1;
		show(cur, old, tty && rounds != 1);
		tmp = cur;
		cur = old;
		old = tmp;
	}
	return 0;
}
