/* pwd [-L|-P] - print the working directory (always the physical one). */
#include <limits.h>

#include "util.h"

int
main(int argc, char **argv)
{
	char buf[PATH_MAX];

	setprog(argv, "pwd");
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-L") && strcmp(argv[i], "-P")) {
			fprintf(stderr, "usage: pwd [-L|-P]\n");
			return 2;
		}
	if (!getcwd(buf, sizeof buf)) {
		warnerr("getcwd");
		return 1;
	}
	puts(buf);
	return 0;
}
