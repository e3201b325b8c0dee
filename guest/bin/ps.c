/*
 * ps - list processes (warren_v1.ps): pid, parent, group, session, state
 * (R running or runnable, S sleeping, T stopped, Z zombie), nice, fuel
 * (instructions run), memory pages and name, one line each, aligned.
 */
#include <warren/guest.h>

#include "util.h"

int
main(int argc, char **argv)
{
	static const char *const head[] = { "PID", "PPID", "PGID", "SID", "S", "NI",
					    "FUEL", "PAGES", "CMD" };
	static const int width[] = { 5, 5, 5, 5, 1, 3, 12, 5, 0 };
	char *table, *line, *save = NULL;
	int first = 1;

	setprog(argv, "ps");
	if (argc > 1 && strcmp(argv[1], "-e") && strcmp(argv[1], "-A") &&
	    strcmp(argv[1], "ax") && strcmp(argv[1], "aux")) {
		fprintf(stderr, "usage: ps\n");
		return 2;
	}
	if (!(table = wr_ps()))
		die(1, "cannot read the process table: %s", strerror(errno));
	for (size_t k = 0; k < 9; k++)
		printf(k < 8 ? "%*s " : "%-*s\n", width[k], head[k]);
	for (line = strtok_r(table, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[9], *fs = NULL;
		size_t n = 0;

		/* The kernel's own header line comes first: the table above replaces it. */
		if (first) {
			first = 0;
			if (strncmp(line, "pid", 3) == 0)
				continue;
		}
		for (char *t = strtok_r(line, " ", &fs); t && n < 9; t = strtok_r(NULL, " ", &fs))
			f[n++] = t;
		if (n < 9)
			continue;
		for (size_t k = 0; k < 9; k++)
			printf(k < 8 ? "%*s " : "%-*s\n", width[k], f[k]);
	}
	free(table);
	return 0;
}
