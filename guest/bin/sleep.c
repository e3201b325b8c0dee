/*
 * sleep DURATION... - pause for the sum of the durations: numbers of
 * seconds (fractions allowed) with an optional suffix s, m, h or d.
 */
#include <time.h>

#include "util.h"

int
main(int argc, char **argv)
{
	double total = 0;
	struct timespec ts;

	setprog(argv, "sleep");
	if (argc < 2) {
		fprintf(stderr, "usage: sleep DURATION[s|m|h|d]...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char *end;
		double v = strtod(argv[i], &end);

		if (end == argv[i] || v < 0 || v != v)
			die(2, "invalid time interval '%s'", argv[i]);
		switch (*end) {
		case 0:
		case 's':
			break;
		case 'm':
			v *= 60;
			break;
		case 'h':
			v *= 3600;
			break;
		case 'd':
			v *= 86400;
			break;
		default:
			die(2, "invalid time interval '%s'", argv[i]);
		}
		if (*end && end[1])
			die(2, "invalid time interval '%s'", argv[i]);
		total += v;
	}
	if (total > 1e9)
		total = 1e9;
	ts.tv_sec = (time_t)total;
	ts.tv_nsec = (long)((total - (double)ts.tv_sec) * 1e9);
	/* A caught signal cuts the sleep short: sleep on with what is left. */
	while (nanosleep(&ts, &ts) < 0)
		if (errno != EINTR) {
			warnerr("nanosleep");
			return 1;
		}
	return 0;
}
