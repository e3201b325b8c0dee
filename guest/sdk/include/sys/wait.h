/*
 * <sys/wait.h> for warren guests (wasi-libc has none): waitpid and
 * friends from the guest SDK, over warren_v1.waitpid. Statuses use the
 * Linux encoding: exit code << 8, terminating signal in the low 7 bits,
 * (stop signal << 8) | 0x7f for a stopped child, 0xffff for a continued one.
 * wait3/wait4 zero the struct rusage: warren keeps no usage per child.
 */
#ifndef WARREN_SDK_SYS_WAIT_H
#define WARREN_SDK_SYS_WAIT_H

#include <sys/resource.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WNOHANG    1
#define WUNTRACED  2
#define WSTOPPED   WUNTRACED
#define WCONTINUED 8

#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WTERMSIG(s)    ((s) & 0x7f)
#define WSTOPSIG(s)    WEXITSTATUS(s)
#define WIFEXITED(s)   (WTERMSIG(s) == 0)
#define WIFSTOPPED(s)  (((s) & 0xff) == 0x7f && ((s) & 0xffff) != 0xffff)
#define WIFSIGNALED(s) (WTERMSIG(s) != 0 && WTERMSIG(s) != 0x7f)
#define WIFCONTINUED(s) (((s) & 0xffff) == 0xffff)
#define WCOREDUMP(s)   ((s) & 0x80)

pid_t wait(int *);
pid_t waitpid(pid_t, int *, int);
pid_t wait3(int *, int, struct rusage *);
pid_t wait4(pid_t, int *, int, struct rusage *);

#ifdef __cplusplus
}
#endif

#endif
