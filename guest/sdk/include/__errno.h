/*
 * Shadows wasi-libc's __errno.h, which declares errno _Thread_local.
 * Debian's libc.a is built single-threaded, where errno is a plain global,
 * and clang strips thread-locals only while bulk memory is off: guests
 * built with -mbulk-memory (to turn memcpy into memory.copy) would
 * otherwise fail in the backend ("only -ftls-model=local-exec is
 * supported"). Declaring errno as the plain global libc.a defines keeps
 * both sides in agreement. The guard is wasi-libc's own.
 */
#ifndef __wasilibc___errno_h
#define __wasilibc___errno_h

#ifdef __cplusplus
extern "C" {
#endif

extern int errno;

#define errno errno

#ifdef __cplusplus
}
#endif

#endif
