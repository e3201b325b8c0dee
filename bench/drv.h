/*
 * drv.h - what the host-side benchmark drivers share (bench/proc/driver.c,
 * bench/ipc/driver.c): a program's output collected as text and read by
 * its result lines, a Linux program run with its output collected, and
 * the host's clocks and load. Plain C and POSIX; nothing of warren.
 */
#ifndef BENCH_DRV_H
#define BENCH_DRV_H

#include <stddef.h>
#include <time.h>

/* Output collected from one run, NUL-terminated; nomem once it could not
 * grow (the text is then incomplete). Zero-initialized is empty. */
struct text {
	char *buf;
	size_t len, cap;
	int nomem;
};

/* Appends n bytes at p to t (sets t->nomem when out of memory). */
void text_add(struct text *t, const void *p, size_t n);

/* A wr_Config.output callback: appends to the struct text ctx. */
void text_collect(void *ctx, int stream, const void *buf, size_t n);

/* The number after "key " on a line of t ("key" alone on a line reads as
 * 0) into *v; 0 if there is such a line, -1 if not. */
int text_value(const struct text *t, const char *key, double *v);

/* Prints the commentary lines ("# ...") of t, tagged with who. */
void text_comments(const struct text *t, const char *who);

/* Runs argv[0] (a path) with argv as a Linux process, its standard output
 * collected into out, and waits for it, its wait status in *status.
 * Returns 0; -1 if no pipe (said on stderr, prefixed with who); or the
 * posix_spawn error (positive, not said). */
int run_collect(char *const argv[], struct text *out, int *status, const char *who);

/* The clock id's time in seconds. */
double seconds(clockid_t id);

/* The host's load average line (/proc/loadavg, without its newline) into
 * buf; empty if unknown. */
void loadavg(char *buf, size_t len);

#endif
