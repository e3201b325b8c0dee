/*
 * <spawn.h> for warren guests (wasi-libc has none): posix_spawn from the
 * guest SDK. Without attributes it is one host call (wasix proc_spawn2: no
 * copy of the parent's memory); attributes that call cannot express
 * (process group, signal mask, default signals, new session) make the SDK
 * fall back to fork + file actions + exec, with the same results.
 */
#ifndef WARREN_SDK_SPAWN_H
#define WARREN_SDK_SPAWN_H

#include <signal.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define POSIX_SPAWN_RESETIDS      0x01
#define POSIX_SPAWN_SETPGROUP     0x02
#define POSIX_SPAWN_SETSIGDEF     0x04
#define POSIX_SPAWN_SETSIGMASK    0x08
#define POSIX_SPAWN_SETSCHEDPARAM 0x10
#define POSIX_SPAWN_SETSCHEDULER  0x20
#define POSIX_SPAWN_USEVFORK      0x40
#define POSIX_SPAWN_SETSID        0x80

typedef struct {
	short __flags;
	pid_t __pgroup;
	sigset_t __sigdefault;
	sigset_t __sigmask;
} posix_spawnattr_t;

typedef struct {
	int __used;          /* actions recorded */
	int __cap;
	void *__actions;     /* owned; freed by posix_spawn_file_actions_destroy */
} posix_spawn_file_actions_t;

int posix_spawn(pid_t *__restrict, const char *__restrict,
		const posix_spawn_file_actions_t *, const posix_spawnattr_t *__restrict,
		char *const [__restrict], char *const [__restrict]);
int posix_spawnp(pid_t *__restrict, const char *__restrict,
		 const posix_spawn_file_actions_t *, const posix_spawnattr_t *__restrict,
		 char *const [__restrict], char *const [__restrict]);

int posix_spawnattr_init(posix_spawnattr_t *);
int posix_spawnattr_destroy(posix_spawnattr_t *);
int posix_spawnattr_setflags(posix_spawnattr_t *, short);
int posix_spawnattr_getflags(const posix_spawnattr_t *__restrict, short *__restrict);
int posix_spawnattr_setpgroup(posix_spawnattr_t *, pid_t);
int posix_spawnattr_getpgroup(const posix_spawnattr_t *__restrict, pid_t *__restrict);
int posix_spawnattr_setsigmask(posix_spawnattr_t *__restrict, const sigset_t *__restrict);
int posix_spawnattr_getsigmask(const posix_spawnattr_t *__restrict, sigset_t *__restrict);
int posix_spawnattr_setsigdefault(posix_spawnattr_t *__restrict, const sigset_t *__restrict);
int posix_spawnattr_getsigdefault(const posix_spawnattr_t *__restrict, sigset_t *__restrict);

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *);
int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *);
int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *__restrict, int,
				     const char *__restrict, int, mode_t);
int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *, int);
int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *, int, int);
int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict,
					 const char *__restrict);
int posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *, int);

#ifdef __cplusplus
}
#endif

#endif
