/*
 * <unistd.h> for warren guests: wasi-libc's header plus the process calls
 * WASI lacks (fork, exec, pipe, dup, process groups, alarm, ...), which
 * the guest SDK (libwarren.a) implements with POSIX semantics: -1 and
 * errno on failure.
 *
 * _WASI_EMULATED_GETPID is set so wasi-libc declares getpid() without its
 * "placeholder value" deprecation: under warren getpid() is the real pid.
 */
#ifndef WARREN_SDK_UNISTD_H
#define WARREN_SDK_UNISTD_H

#ifndef _WASI_EMULATED_GETPID
#define _WASI_EMULATED_GETPID 1
#endif

#include_next <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

int pipe(int [2]);
int dup(int);
int dup2(int, int);

unsigned alarm(unsigned);
int pause(void);

pid_t fork(void);
int execve(const char *, char *const [], char *const []);
int execv(const char *, char *const []);
int execle(const char *, const char *, ...);
int execl(const char *, const char *, ...);
int execvp(const char *, char *const []);
int execlp(const char *, const char *, ...);

pid_t getppid(void);
pid_t getpgrp(void);
pid_t getpgid(pid_t);
int setpgid(pid_t, pid_t);
pid_t setsid(void);
pid_t getsid(pid_t);
pid_t tcgetpgrp(int);
int tcsetpgrp(int, pid_t);

/* One user: everything runs as root inside warren. */
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);

#if defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
int nice(int);
pid_t setpgrp(void);
#endif

#if defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
pid_t vfork(void);
int execvpe(const char *, char *const [], char *const []);
#endif

#ifdef __cplusplus
}
#endif

#endif
