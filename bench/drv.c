/*
 * drv.c - what the host-side benchmark drivers share (see drv.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "drv.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void
text_add(struct text *t, const void *p, size_t n)
{
	if (t->nomem)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *b;

		while (t->len + n + 1 > cap)
			cap *= 2;
		if (!(b = realloc(t->buf, cap))) {
			t->nomem = 1;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

void
text_collect(void *ctx, int stream, const void *buf, size_t n)
{
	(void)stream;
	text_add(ctx, buf, n);
}

int
text_value(const struct text *t, const char *key, double *v)
{
	size_t klen = strlen(key);

	for (const char *p = t->buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, key, klen) == 0 && (p[klen] == ' ' || p[klen] == '\n')) {
			*v = p[klen] == ' ' ? strtod(p + klen + 1, NULL) : 0;
			return 0;
		}
	return -1;
}

void
text_comments(const struct text *t, const char *who)
{
	for (const char *p = t->buf; p && *p; ) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p);

		if (p[0] == '#')
			printf("  %-7s %.*s\n", who, len - 2 > 0 ? len - 2 : 0, p + 2);
		p = e ? e + 1 : NULL;
	}
}

int
run_collect(char *const argv[], struct text *out, int *status, const char *who)
{
	posix_spawn_file_actions_t fa;
	char buf[4096];
	int p[2], e;
	pid_t pid;
	ssize_t k;

	*status = -1;
	if (pipe(p) < 0) {
		fprintf(stderr, "%s: pipe: %s\n", who, strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (e != 0) {
		close(p[0]);
		return e;
	}
	while ((k = read(p[0], buf, sizeof buf)) > 0 || (k < 0 && errno == EINTR))
		if (k > 0)
			text_add(out, buf, (size_t)k);
	close(p[0]);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

double
seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}
