/*
 * Shadows wasi-libc's placeholder (an 8-bit unsigned char, too small for
 * Linux's 64 signals): the guest SDK's include directory comes first on
 * the search path, so every wasi-libc header that needs sigset_t (signal.h,
 * poll.h, sys/select.h) gets this one. Bit n-1 stands for signal n, the
 * layout warren_v1.sigprocmask takes as is. The guard is wasi-libc's own,
 * so its version is never read after this one.
 */
#ifndef __wasilibc___typedef_sigset_t_h
#define __wasilibc___typedef_sigset_t_h

typedef unsigned long long sigset_t;

#endif
