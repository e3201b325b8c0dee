/*
 * echod [-c COUNT] [NAME] - serve interface NAME (default "echo") by
 * answering every message ok with its own body, forever (or for COUNT
 * messages). Process-destroyed notifications are ignored. For tests and
 * the IPC benchmark.
 */
#include <warren/ipc.h>

#include "util.h"

static char buf[WR_MSG_MAX];

int
main(int argc, char **argv)
{
	const char *name = "echo";
	long count = -1;
	int i = 1;

	setprog(argv, "echod");
	if (i + 1 < argc && !strcmp(argv[i], "-c")) {
		count = atol(argv[i + 1]);
		i += 2;
	}
	if (i < argc)
		name = argv[i++];
	if (i < argc)
		die(2, "usage: echod [-c count] [name]");
	if (wr_intf_register(name) < 0)
		die(1, "%s: %s", name, strerror(errno));
	for (long served = 0; count < 0 || served < count;) {
		struct wr_msg m;

		if (wr_msg_next(name, WR_MSG_BLOCK, &m, buf, sizeof buf) < 0) {
			if (errno == EINTR)
				continue;
			die(1, "%s: %s", name, strerror(errno));
		}
		if (m.kind != WR_MSG_MESSAGE)
			continue;
		served++;
		if (m.flags & WR_EMIT_ANSWER)
			wr_msg_answer(m.id, 0, buf, m.len);
	}
	return 0;
}
