/*
 * unit_main.c - runner for the tests registered through tests/unit.h.
 *
 *   unit-tests [-l] [name | prefix* ...]
 *
 * Runs every test, or only those named (a trailing '*' matches a prefix).
 * Failures are buffered per test and printed under its name, so output
 * stays readable.  Exit status: 0 when all ran tests passed, 1 on any
 * failure or when a pattern matches no test.
 */
#include "unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static struct unit_test *head;
static struct unit_test **tail = &head;
static char msgs[16384];
static size_t msglen;
static int failures;

void
unit_register(struct unit_test *t)
{
	/* Appending keeps tests in definition order within a file. */
	t->next = NULL;
	*tail = t;
	tail = &t->next;
}

void
unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	failures++;
	if (msglen >= sizeof msgs - 1)
		return;
	n = snprintf(msgs + msglen, sizeof msgs - msglen, "    %s:%d: ",
	    file, line);
	if (n > 0)
		msglen += (size_t)n;
	if (msglen >= sizeof msgs - 1) {
		msglen = sizeof msgs - 1;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(msgs + msglen, sizeof msgs - msglen, fmt, ap);
	va_end(ap);
	if (n > 0)
		msglen += (size_t)n;
	if (msglen >= sizeof msgs - 1)
		msglen = sizeof msgs - 2;
	msgs[msglen++] = '\n';
	msgs[msglen] = '\0';
}

static int
matches(const char *pat, const char *name)
{
	size_t n = strlen(pat);

	if (n > 0 && pat[n - 1] == '*')
		return strncmp(pat, name, n - 1) == 0;
	return strcmp(pat, name) == 0;
}

int
main(int argc, char **argv)
{
	struct unit_test *t;
	int list = 0, passed = 0, failed = 0, missing = 0;
	int first = 1, i;

	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		list = 1;
		first = 2;
	}
	for (i = first; i < argc; i++) {
		for (t = head; t; t = t->next)
			if (matches(argv[i], t->name))
				break;
		if (!t) {
			fprintf(stderr, "unit-tests: no test matches '%s'\n",
			    argv[i]);
			missing++;
		}
	}
	for (t = head; t; t = t->next) {
		int want = first >= argc;

		for (i = first; i < argc && !want; i++)
			want = matches(argv[i], t->name);
		if (!want)
			continue;
		if (list) {
			printf("%s\n", t->name);
			continue;
		}
		failures = 0;
		msglen = 0;
		msgs[0] = '\0';
		t->fn();
		if (failures) {
			failed++;
			printf("FAIL %s (%d)\n%s", t->name, failures, msgs);
		} else {
			passed++;
		}
		fflush(stdout);
	}
	if (list)
		return missing ? 1 : 0;
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed || missing ? 1 : 0;
}
