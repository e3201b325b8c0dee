/*
 * echod [-c COUNT] [NAME] - serve interface NAME (default "echo") by
 * answering every message ok with its own body, forever (or for COUNT
 * messages). Process-destroyed notifications are ignored. For tests and
 * the IPC benchmark.
 */
#include "serve.h"

static char buf[WR_MSG_MAX];

/* The answer is the message itself. */
static int
echo(char *body, size_t len, const void **out, size_t *olen)
{
	*out = body;
	*olen = len;
	return 0;
}

int
main(int argc, char **argv)
{
	setprog(argv, "echod");
	return serve_interface(argc, argv, "echo", "usage: echod [-c count] [name]", buf,
			       sizeof buf, echo);
}
