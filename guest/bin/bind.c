/*
 * bind [-b|-a] [-c] [-p PID] OLD NEW - Plan 9's bind: what OLD names
 * appears at NEW.  -b / -a make NEW a union directory with OLD searched
 * before / after what NEW showed; -c sends files created in the union to
 * OLD.  Without -b or -a, OLD replaces NEW until unbind.
 *
 * A program runs with a copy of its parent's namespace, so bind changes
 * the namespace of its parent (the shell that ran it), or of task PID,
 * through the control plane: it writes the message to /task/ID/ns/ctl,
 * where OLD and NEW resolve from that task's working directory.  This one
 * file is also unbind [-p PID] [OLD] NEW (unbind.c includes it with
 * UNBIND defined).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>

#include "util.h"

/* Appends word to buf as one ctl word: quoted when it has to be. */
static int
word(char *buf, size_t cap, size_t *len, const char *w)
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
send(long pid, const char *msg)
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

int
main(int argc, char **argv)
{
	char msg[3 * 4096 + 64], flags[8] = "-";
	size_t len = 0, nf = 1;
	long pid = getppid();
	int i;
	bool un;

#ifdef UNBIND
	un = true;
	setprog(argv, "unbind");
#else
	un = false;
	setprog(argv, "bind");
#endif
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-p")) {
			if (i + 1 >= argc || (pid = parse_count(argv[i + 1])) <= 0)
				die(2, "-p takes a task id");
			i++;
			continue;
		}
		for (const char *o = argv[i] + 1; *o; o++) {
			if (un || !strchr("bac", *o))
				die(2, "usage: %s", un ? "unbind [-p pid] [old] new"
					: "bind [-b|-a] [-c] [-p pid] old new");
			if (!strchr(flags, *o) && nf < sizeof flags - 1)
				flags[nf++] = *o;
		}
	}
	if (argc - i != 2 && !(un && argc - i == 1))
		die(2, "usage: %s", un ? "unbind [-p pid] [old] new"
			: "bind [-b|-a] [-c] [-p pid] old new");
	word(msg, sizeof msg, &len, un ? "unbind" : "bind");
	if (nf > 1)
		word(msg, sizeof msg, &len, flags);
	for (; i < argc; i++)
		if (word(msg, sizeof msg, &len, argv[i]))
			die(2, "%s: not a usable path", argv[i]);
	return send(pid, msg);
}
