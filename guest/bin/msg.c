/*
 * msg [-n] [-w] [-t] NAME [BODY...] - send a message to interface NAME
 * (a path in the caller's namespace: a bare name is /srv/NAME) and print
 * the answer's body.
 *
 * The body is the BODY arguments joined by spaces, or standard input when
 * there are none or BODY is `-`. An ok answer: its body goes to stdout,
 * exit 0. An error answer: "msg: NAME: error N (strerror)" on stderr,
 * followed by ": BODY" when the answer has a body, exit 1. A message that
 * could not be sent: "msg: NAME: strerror", exit 1. Usage: exit 2.
 *
 *   -n  no answer is expected: exit 0 once the message is queued (it is
 *       still delivered after msg has ended: docs/ipc.md, death rules)
 *   -w  wait for a handler to register instead of failing with ENOENT
 *   -t  text: strip one trailing newline from a body read from stdin, and
 *       end the printed answer with a newline if it lacks one
 */
#include <warren/ipc.h>

#include "util.h"

static char body[WR_MSG_MAX + 1];
static char answer[WR_MSG_MAX];

/* The body from argv[0..argc) joined by spaces. -1 if too long. */
static long
joinargs(int argc, char **argv)
{
	size_t n = 0;

	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);

		if (n + l + (i > 0) > WR_MSG_MAX)
			return -1;
		if (i > 0)
			body[n++] = ' ';
		memcpy(body + n, argv[i], l);
		n += l;
	}
	return (long)n;
}

/* The body from stdin. -1 (errno) on a read error, or E2BIG when too long. */
static long
readin(void)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(0, body + n, sizeof body - n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return (long)n;
		n += (size_t)r;
		if (n > WR_MSG_MAX) {
			errno = E2BIG;
			return -1;
		}
	}
}

int
main(int argc, char **argv)
{
	int noanswer = 0, wait = 0, text = 0, status = 0, i;
	unsigned flags;
	const char *name;
	uint64_t id;
	size_t index, len = 0;
	long blen;

	setprog(argv, "msg");
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *o = argv[i] + 1; *o; o++) {
			switch (*o) {
			case 'n': noanswer = 1; break;
			case 'w': wait = 1; break;
			case 't': text = 1; break;
			default: die(2, "usage: msg [-n] [-w] [-t] name [body...]");
			}
		}
	}
	if (i >= argc)
		die(2, "usage: msg [-n] [-w] [-t] name [body...]");
	name = argv[i++];
	if (i == argc || (i + 1 == argc && !strcmp(argv[i], "-"))) {
		if ((blen = readin()) < 0)
			die(1, "%s: stdin: %s", name, strerror(errno));
		if (text && blen > 0 && body[blen - 1] == '\n')
			blen--;
	} else if ((blen = joinargs(argc - i, argv + i)) < 0) {
		die(1, "%s: %s", name, strerror(E2BIG));
	}

	flags = (noanswer ? 0 : WR_EMIT_ANSWER) | (wait ? WR_EMIT_WAIT : 0);
	if (wr_emit(name, flags, body, (size_t)blen, &id) < 0)
		die(1, "%s: %s", name, strerror(errno));
	if (noanswer)
		return 0;
	if (wr_msg_wait(&id, 1, WR_MSG_BLOCK, &index) < 0 ||
	    wr_msg_take(id, &status, answer, sizeof answer, &len) < 0)
		die(1, "%s: %s", name, strerror(errno));
	if (status) {
		while (len > 0 && answer[len - 1] == '\n')
			len--;
		fflush(stdout);
		fprintf(stderr, "msg: %s: error %d (%s)%s%.*s\n", name, status, strerror(status),
			len ? ": " : "", (int)len, answer);
		return 1;
	}
	if (writeall(1, answer, len) < 0 ||
	    (text && (len == 0 || answer[len - 1] != '\n') && writeall(1, "\n", 1) < 0))
		die(1, "stdout: %s", strerror(errno));
	return 0;
}
