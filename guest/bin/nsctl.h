/*
 * nsctl.h - writing a message to a task's /task/ID/ns/ctl, shared by bind
 * (and unbind) and ns: words quoted as ctl words, and the ctl's own
 * account of a failure printed. Header-only, like util.h.
 */
#ifndef WARREN_GUEST_NSCTL_H
#define WARREN_GUEST_NSCTL_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>

#include "util.h"

/* Appends word to buf as one ctl word: quoted when it has to be. */
static int
ctl_word(char *buf, size_t cap, size_t *len, const char *w)
{
	bool plain = *w != 0;
	size_t n = *len;

	for (const char *p = w; *p; p++) {
		if (*p == '\n')
			return -1;
		if (*p == ' ' || *p == '\t' || *p == '\'')
			plain = false;
	}
	if (n + 2 >= cap)
		return -1;
	if (n)
		buf[n++] = ' ';
	if (!plain)
		buf[n++] = '\'';
	for (const char *p = w; *p; p++) {
		if (n + 3 >= cap)
			return -1;
		if (*p == '\'' && !plain)
			buf[n++] = '\'';
		buf[n++] = *p;
	}
	if (!plain)
		buf[n++] = '\'';
	buf[n] = 0;
	*len = n;
	return 0;
}

/* Writes msg to /task/pid/ns/ctl; on failure prints the ctl's own account. */
static int
ctl_send(long pid, const char *msg)
{
	char path[64], why[256];
	int fd, e;
	ssize_t n;

	snprintf(path, sizeof path, "/task/%ld/ns/ctl", pid);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		warnerr(path);
		return 1;
	}
	if (write(fd, msg, strlen(msg)) == (ssize_t)strlen(msg)) {
		close(fd);
		return 0;
	}
	e = errno;
	n = pread(fd, why, sizeof why - 1, 0);
	close(fd);
	if (n > 0) {
		why[n] = 0;
		why[strcspn(why, "\n")] = 0;
		warnx("%s", why);
	} else {
		warnx("%s: %s", msg, strerror(e));
	}
	return 1;
}

#endif
