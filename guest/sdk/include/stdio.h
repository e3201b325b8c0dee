/*
 * <stdio.h> for warren guests: wasi-libc's header plus popen and pclose,
 * which it hides (no processes in WASI) and the guest SDK implements.
 */
#ifndef WARREN_SDK_STDIO_H
#define WARREN_SDK_STDIO_H

#include_next <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_POSIX_SOURCE) || defined(_POSIX_C_SOURCE) || defined(_XOPEN_SOURCE) || \
	defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
FILE *popen(const char *, const char *);
int pclose(FILE *);
#endif

#ifdef __cplusplus
}
#endif

#endif
