/*
 * clock.c - clock(), times() and getrusage() on the process CPU-time
 * clock (WASI clock id PROCESS_CPUTIME_ID), which warren derives from the
 * fuel a process has used. User time is all of it; warren keeps no system
 * time and no usage per child, so those read as zero.
 */
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>
#include <wasi/api.h>

#include "../sdk.h"

static uint64_t
cputime(void)
{
	__wasi_timestamp_t t = 0;

	/* On failure (not under warren) the time stays 0. */
	if (__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &t))
		t = 0;
	return t;
}

/* In CLOCKS_PER_SEC units, which are nanoseconds in wasi-libc. */
clock_t
clock(void)
{
	return (clock_t)cputime();
}

clock_t
times(struct tms *t)
{
	__wasi_timestamp_t now = 0;

	memset(t, 0, sizeof *t);
	t->tms_utime = (clock_t)cputime();
	if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now))
		return (clock_t)-1;
	return (clock_t)now;
}

int
getrusage(int who, struct rusage *ru)
{
	uint64_t ns;

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN)
		return __wr_fail(EINVAL);
	memset(ru, 0, sizeof *ru);
	if (who == RUSAGE_SELF) {
		ns = cputime();
		ru->ru_utime.tv_sec = (time_t)(ns / 1000000000u);
		ru->ru_utime.tv_usec = (suseconds_t)(ns % 1000000000u / 1000);
	}
	return 0;
}
