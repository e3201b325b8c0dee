/*
 * <fcntl.h> for warren guests: wasi-libc's header plus the fcntl commands
 * the guest SDK adds (its fcntl replaces wasi-libc's): F_DUPFD and
 * F_DUPFD_CLOEXEC with Linux's numbers, and a real close-on-exec flag
 * behind F_GETFD/F_SETFD (wasi-libc pretends it is always set).
 *
 * O_CLOEXEC stays 0 as in wasi-libc: open() belongs to wasi-libc and
 * cannot carry the flag; use fcntl(fd, F_SETFD, FD_CLOEXEC).
 */
#ifndef WARREN_SDK_FCNTL_H
#define WARREN_SDK_FCNTL_H

#include_next <fcntl.h>

#define F_DUPFD 0
#define F_DUPFD_CLOEXEC 1030

#endif
