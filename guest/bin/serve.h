/*
 * serve.h - the loop of a program that serves one interface (echod, kvd):
 * `PROG [-c COUNT] [NAME]` registers NAME (or the program's default) and
 * answers its messages, forever or for COUNT of them. Process-destroyed
 * notifications are skipped. Header-only (static), like util.h.
 */
#ifndef WARREN_GUEST_SERVE_H
#define WARREN_GUEST_SERVE_H

#include <warren/ipc.h>

#include "util.h"

/* Parses argv (setprog first), serves, and returns main's status; dies
 * with 2 and usage on bad arguments, with 1 when the interface cannot be
 * registered or read. Bodies are read into buf (cap bytes, WR_MSG_MAX for
 * any body); a message that needs no answer is still handled.
 * handle(body, len, &out, &olen): one message's body (len bytes in buf)
 * -> the answer's status (0 or an errno) and body (out, olen bytes). */
static inline int
serve_interface(int argc, char **argv, const char *name, const char *usage, char *buf,
		size_t cap, int (*handle)(char *body, size_t len, const void **out, size_t *olen))
{
	long count = -1;
	int i = 1;

	if (i + 1 < argc && !strcmp(argv[i], "-c")) {
		count = atol(argv[i + 1]);
		i += 2;
	}
	if (i < argc)
		name = argv[i++];
	if (i < argc)
		die(2, "%s", usage);
	if (wr_intf_register(name) < 0)
		die(1, "%s: %s", name, strerror(errno));
	for (long served = 0; count < 0 || served < count;) {
		struct wr_msg m;
		const void *out = NULL;
		size_t olen = 0;
		int st;

		if (wr_msg_next(name, WR_MSG_BLOCK, &m, buf, cap) < 0) {
			if (errno == EINTR)
				continue;
			die(1, "%s: %s", name, strerror(errno));
		}
		if (m.kind != WR_MSG_MESSAGE)
			continue;
		served++;
		st = handle(buf, m.len, &out, &olen);
		if (m.flags & WR_EMIT_ANSWER)
			wr_msg_answer(m.id, st, out, olen);
	}
	return 0;
}

#endif
