/*
 * util.h - the few helpers every userland program shares: its name for
 * messages, diagnostics in the "prog: what: why" form, and writing all of
 * a buffer. Header-only (static), so each program stays one file.
 */
#ifndef WARREN_GUEST_UTIL_H
#define WARREN_GUEST_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "?";

/* The program's name for messages: the last component of argv[0]. */
static inline void
setprog(char **argv, const char *fallback)
{
	const char *s = argv && argv[0] && *argv[0] ? argv[0] : fallback;
	const char *slash = strrchr(s, '/');

	prog = slash && slash[1] ? slash + 1 : s;
}

/* "prog: <message>\n" on stderr. */
__attribute__((format(printf, 1, 2))) static inline void
warnx(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "prog: what: strerror(errno)\n" on stderr. */
static inline void
warnerr(const char *what)
{
	int e = errno;

	fflush(stdout);
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(e));
}

/* warnx, then exit with status code. */
__attribute__((format(printf, 2, 3), noreturn)) static inline void
die(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* Write all of buf to fd, retrying short writes and EINTR. 0 or -1 (errno). */
static inline int
writeall(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A non-negative decimal number that fits an int, or -1. */
static inline long
parse_count(const char *s)
{
	char *end;
	long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0)
		return -1;
	return v;
}

#endif
