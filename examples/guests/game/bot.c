/*
 * bot KIND NAME - a guest script of examples/game-loop.c: a game bot that
 * reads one command a line on stdin ("tick N") and answers each with one
 * line on stdout, "NAME: tick N ...", until end of input.  KIND:
 *   walker   moves on a grid: "at (X,Y)"
 *   thinker  CPU-hungry: counts the primes below 1000 + 100 * N by trial
 *            division: "K primes below M"
 *   quitter  says "bye" at tick 3 and exits 0
 *   runaway  from tick 2 on, thinks forever (an infinite loop)
 *   crasher  at tick 4 divides by zero (a trap: the kernel kills it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
primes_below(int n)
{
	int count = 0;

	for (int i = 2; i < n; i++) {
		int d = 2;

		while (d * d <= i && i % d)
			d++;
		count += d * d > i;
	}
	return count;
}

int
main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "walker", *name = argc > 2 ? argv[2] : "bot";
	char line[128];
	int x = 0, y = 0, seed = (int)strlen(name) + name[strlen(name) - 1];
	volatile int zero = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("%s: ready (%s)\n", name, kind);
	while (fgets(line, sizeof line, stdin)) {
		int t;

		if (sscanf(line, "tick %d", &t) != 1) {
			printf("%s: what is \"%.*s\"?\n", name, (int)strcspn(line, "\n"), line);
			continue;
		}
		if (!strcmp(kind, "thinker")) {
			printf("%s: tick %d: %d primes below %d\n", name, t, primes_below(1000 + 100 * t),
			       1000 + 100 * t);
		} else if (!strcmp(kind, "quitter")) {
			printf("%s: tick %d: %s\n", name, t, t >= 3 ? "bye" : "here");
			if (t >= 3)
				return 0;
		} else if (!strcmp(kind, "runaway") && t >= 2) {
			printf("%s: tick %d: thinking forever...\n", name, t);
			for (volatile unsigned long i = 0;; i++)
				;
		} else if (!strcmp(kind, "crasher") && t >= 4) {
			printf("%s: tick %d: dividing by zero\n", name, t);
			return t / zero;
		} else {
			x += (t * 7 + seed) % 5 - 2;
			y += (t * 3 + seed) % 3 - 1;
			printf("%s: tick %d: at (%d,%d)\n", name, t, x, y);
		}
	}
	printf("%s: end of input\n", name);
	return 0;
}
