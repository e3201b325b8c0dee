/*
 * example.h - what the example hosts (kv-host.c, game-loop.c) share, on
 * top of include/warren.h: finding their guests next to the program,
 * taking a guest's piped output, and printing a check.
 */
#ifndef WARREN_EXAMPLE_H
#define WARREN_EXAMPLE_H

#include <warren.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* dirname of this program + rel, or NULL. */
static char *
beside_me(const char *rel)
{
	char exe[PATH_MAX], *slash, *out;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	if (!(slash = strrchr(exe, '/')))
		return NULL;
	*slash = 0;
	if (!(out = malloc(strlen(exe) + strlen(rel) + 2)))
		return NULL;
	sprintf(out, "%s/%s", exe, rel);
	return out;
}

/* Takes what process pid wrote to its piped fd (1 or 2) so far, handing
 * each piece to got(ctx, buf, n); sets *eof once it has all (the pipe
 * ended or the process is gone). */
static void
take_output(wr_System *sys, int32_t pid, int fd, bool *eof,
	    void (*got)(void *ctx, const char *buf, size_t n), void *ctx)
{
	char buf[512];
	size_t n;

	while (!*eof) {
		int st = wr_proc_read(sys, pid, fd, buf, sizeof buf, &n);

		if (st == WR_EOF || st == WR_ESRCH) {
			*eof = true;
			break;
		}
		if (st != WR_OK)
			break;  /* WR_EAGAIN: nothing now */
		got(ctx, buf, n);
	}
}

/* Prints "[ok] what" or "[FAILED] what"; 0 if ok, 1 if not. */
static int
check(bool ok, const char *what)
{
	printf("  [%s] %s\n", ok ? "ok" : "FAILED", what);
	return ok ? 0 : 1;
}

#endif
