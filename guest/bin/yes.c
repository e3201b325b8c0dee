/*
 * yes [STRING...] - write "y" (or the arguments, space-separated) forever,
 * a line at a time. Ends by SIGPIPE, or with status 1 on a write error.
 */
#include "util.h"

int
main(int argc, char **argv)
{
	static char buf[8192];
	size_t len = 0, line;

	setprog(argv, "yes");
	if (argc < 2) {
		buf[len++] = 'y';
	} else {
		for (int i = 1; i < argc; i++) {
			size_t l = strlen(argv[i]);

			if (len + l + 2 > sizeof buf)
				die(1, "argument list too long");
			if (i > 1)
				buf[len++] = ' ';
			memcpy(buf + len, argv[i], l);
			len += l;
		}
	}
	buf[len++] = '\n';
	/* Fill the buffer with whole lines so each write moves a lot. */
	line = len;
	while (len + line <= sizeof buf) {
		memcpy(buf + len, buf, line);
		len += line;
	}
	for (;;)
		if (writeall(1, buf, len) < 0) {
			warnerr("write error");
			return 1;
		}
}
