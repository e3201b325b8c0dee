/*
 * <signal.h> for warren guests: wasi-libc's header (signal numbers,
 * SIG_DFL/SIG_IGN, signal(), raise()) plus the POSIX part WASI leaves out
 * (sigaction, sigprocmask, kill, signal sets), implemented by the guest
 * SDK (libwarren.a) on warren's real signals.
 *
 * wasi-libc refuses <signal.h> unless _WASI_EMULATED_SIGNAL is defined (its
 * emulation only knows raise()); the SDK replaces that emulation, so the
 * macro is set here and -lwasi-emulated-signal is not needed.
 */
#ifndef WARREN_SDK_SIGNAL_H
#define WARREN_SDK_SIGNAL_H

#ifndef _WASI_EMULATED_SIGNAL
#define _WASI_EMULATED_SIGNAL 1
#endif

#include <__typedef_sigset_t.h>
#include_next <signal.h>

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_POSIX_SOURCE) || defined(_POSIX_C_SOURCE) || defined(_XOPEN_SOURCE) || \
	defined(_GNU_SOURCE) || defined(_BSD_SOURCE)

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* sa_flags, with Linux's values */
#define SA_NOCLDSTOP 1u           /* accepted; warren still sends SIGCHLD on stop */
#define SA_NOCLDWAIT 2u           /* accepted; children still become zombies */
#define SA_SIGINFO   4u
#define SA_ONSTACK   0x08000000u  /* accepted; there is one stack */
#define SA_RESTART   0x10000000u  /* the SDK's blocking calls retry after EINTR */
#define SA_NODEFER   0x40000000u
#define SA_RESETHAND 0x80000000u

#define SI_USER 0
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

union sigval {
	int sival_int;
	void *sival_ptr;
};

/* What a SA_SIGINFO handler is told: warren passes the signal number only. */
typedef struct {
	int si_signo;
	int si_errno;
	int si_code;
	pid_t si_pid;
	uid_t si_uid;
	int si_status;
	void *si_addr;
	union sigval si_value;
} siginfo_t;

struct sigaction {
	union {
		void (*sa_handler)(int);
		void (*sa_sigaction)(int, siginfo_t *, void *);
	} __sa_handler;
	sigset_t sa_mask;
	int sa_flags;
	void (*sa_restorer)(void);
};
#define sa_handler   __sa_handler.sa_handler
#define sa_sigaction __sa_handler.sa_sigaction

int kill(pid_t, int);
int sigemptyset(sigset_t *);
int sigfillset(sigset_t *);
int sigaddset(sigset_t *, int);
int sigdelset(sigset_t *, int);
int sigismember(const sigset_t *, int);
int sigprocmask(int, const sigset_t *__restrict, sigset_t *__restrict);
int pthread_sigmask(int, const sigset_t *__restrict, sigset_t *__restrict);
int sigsuspend(const sigset_t *);
int sigaction(int, const struct sigaction *__restrict, struct sigaction *__restrict);
int sigpending(sigset_t *);
int killpg(pid_t, int);
int siginterrupt(int, int);

#endif

#if defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
int sigisemptyset(const sigset_t *);
#endif

#ifdef __cplusplus
}
#endif

#endif
