/*
 * sdk.h - private to the guest SDK: the host calls it is built on, and the
 * few helpers its files share.
 *
 * The SDK gives wasi-libc programs the POSIX process calls WASI lacks
 * (fork, exec, wait, pipe, dup2, signals, groups) on top of two import
 * modules: wasix_32v1 (WASIX's process subset, ../shared/docs/ABI.md) and
 * warren_v1 (docs/abi.md). Every host call returns a WASI errno, and
 * wasi-libc's errno values are the WASI ones, so a failed call maps to
 * POSIX as "errno = e; return -1" with no table in between.
 *
 * Names: everything the SDK exports besides the POSIX names starts with
 * __wr_ (reserved to the implementation), so no program can collide with
 * it. The import declarations below are the C names of the host calls;
 * the wasm import names are the ABI's.
 */
#ifndef WARREN_SDK_H
#define WARREN_SDK_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define WX_IMPORT(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))
#define WR_IMPORT(name) __attribute__((import_module("warren_v1"), import_name(#name)))

/* ---- wasix_32v1 ------------------------------------------------------------ */

WX_IMPORT(proc_fork) int32_t __wr_proc_fork(int32_t copy_memory, uint32_t *pid);
WX_IMPORT(proc_exec3) int32_t __wr_proc_exec3(const char *name, uint32_t name_len,
					      const char *args, uint32_t args_len,
					      const char *envs, uint32_t envs_len,
					      int32_t search_path, const char *path,
					      uint32_t path_len);
WX_IMPORT(proc_spawn2) int32_t __wr_proc_spawn2(const char *name, uint32_t name_len,
						const char *args, uint32_t args_len,
						const char *envs, uint32_t envs_len,
						const void *fd_ops, uint32_t n_fd_ops,
						const void *sig_disp, uint32_t n_sig_disp,
						int32_t search_path, const char *path,
						uint32_t path_len, uint32_t *pid);
WX_IMPORT(proc_id) int32_t __wr_proc_id(uint32_t *pid);
WX_IMPORT(proc_parent) int32_t __wr_proc_parent(uint32_t pid, uint32_t *ppid);
WX_IMPORT(proc_signal) int32_t __wr_proc_signal(int32_t pid, int32_t sig);
WX_IMPORT(proc_raise) int32_t __wr_proc_raise(int32_t sig);
WX_IMPORT(callback_signal) void __wr_callback_signal(const char *name, uint32_t len);
WX_IMPORT(fd_pipe) int32_t __wr_fd_pipe(uint32_t *fd1, uint32_t *fd2);
WX_IMPORT(fd_dup) int32_t __wr_fd_dup(uint32_t fd, uint32_t *newfd);
WX_IMPORT(fd_dup2) int32_t __wr_fd_dup2(uint32_t fd, uint32_t min_fd, int32_t cloexec,
					uint32_t *newfd);
WX_IMPORT(fd_renumber) int32_t __wr_fd_renumber(uint32_t from, uint32_t to);
WX_IMPORT(fd_fdflags_get) int32_t __wr_fd_fdflags_get(uint32_t fd, uint16_t *flags);
WX_IMPORT(fd_fdflags_set) int32_t __wr_fd_fdflags_set(uint32_t fd, uint32_t flags);
WX_IMPORT(getcwd) int32_t __wr_getcwd(char *buf, uint32_t *len);
WX_IMPORT(chdir) int32_t __wr_chdir(const char *path, uint32_t len);

/* fd_fdflags bit 0 */
#define WR_FDFLAG_CLOEXEC 1u

/* proc_spawn2 file actions: 56-byte records (ABI.md). */
enum { WR_FDOP_CLOSE = 0, WR_FDOP_DUP2 = 1, WR_FDOP_OPEN = 2, WR_FDOP_CHDIR = 3,
       WR_FDOP_FCHDIR = 4 };
struct __wr_fd_op {
	uint8_t cmd;            /* @0 */
	uint8_t pad0[3];
	uint32_t fd;            /* @4 */
	uint32_t src_fd;        /* @8 */
	const char *path;       /* @12 */
	uint32_t path_len;      /* @16 */
	uint32_t dirflags;      /* @20 */
	uint32_t oflags;        /* @24 */
	uint32_t pad1;
	uint64_t rights;        /* @32 */
	uint64_t rights_inh;    /* @40 */
	uint16_t fdflags;       /* @48 */
	uint16_t fdflagsext;    /* @50 */
	uint32_t pad2;
};
_Static_assert(sizeof(struct __wr_fd_op) == 56, "WASIX fd_op records are 56 bytes");

/* ---- warren_v1 ------------------------------------------------------------- */

WR_IMPORT(setpgid) int32_t __wr_setpgid(int32_t pid, int32_t pgid);
WR_IMPORT(getpgid) int32_t __wr_getpgid(int32_t pid, int32_t *pgid);
WR_IMPORT(setsid) int32_t __wr_setsid(int32_t *sid);
WR_IMPORT(getsid) int32_t __wr_getsid(int32_t pid, int32_t *sid);
WR_IMPORT(tcsetpgrp) int32_t __wr_tcsetpgrp(int32_t fd, int32_t pgid);
WR_IMPORT(tcgetpgrp) int32_t __wr_tcgetpgrp(int32_t fd, int32_t *pgid);
WR_IMPORT(sigaction) int32_t __wr_sigaction(int32_t sig, int32_t disp, int32_t *old);
WR_IMPORT(sigprocmask) int32_t __wr_sigprocmask(int32_t how, uint64_t set, uint64_t *old);
WR_IMPORT(waitpid) int32_t __wr_waitpid(int32_t pid, int32_t options, int32_t *status,
					int32_t *rpid);
WR_IMPORT(nice) int32_t __wr_nice(int32_t inc, int32_t *newnice);
WR_IMPORT(isatty) int32_t __wr_isatty(int32_t fd, int32_t *yes);
WR_IMPORT(ps) int32_t __wr_ps(char *buf, uint32_t len, uint32_t *used);
WR_IMPORT(alarm) int32_t __wr_alarm(uint32_t seconds, uint32_t *remaining);

/* warren_v1.sigaction dispositions */
enum { WR_DISP_DEFAULT = 0, WR_DISP_IGNORE = 1, WR_DISP_CATCH = 2 };

/* ---- shared helpers --------------------------------------------------------- */

/* POSIX failure from a WASI errno: sets errno, returns -1. */
static inline int
__wr_fail(int32_t e)
{
	errno = (int)e;
	return -1;
}

/* 0 -> 0; a WASI errno -> -1 with errno set. */
static inline int
__wr_ret(int32_t e)
{
	return e ? __wr_fail(e) : 0;
}

/*
 * Restart bookkeeping for SA_RESTART (signal.c). The kernel interrupts a
 * blocked call with EINTR whenever a caught signal was delivered; the SDK's
 * own blocking wrappers retry when every handler run since the call began
 * asked for SA_RESTART. __wr_sig_nonrestart counts the deliveries whose
 * handler did not.
 */
extern volatile unsigned __wr_sig_nonrestart;
extern volatile unsigned __wr_sig_delivered;

/*
 * Encode a NULL-terminated vector as WASIX wants it: each string followed
 * by '\n' (so an empty last string survives). Returns a malloc'd buffer and
 * its length in *len, or NULL with errno: ENOMEM, or EINVAL when a string
 * holds a '\n' (the encoding cannot carry it). vec NULL gives "".
 */
char *__wr_join(char *const vec[], uint32_t *len);

/*
 * The working directory as wasi-libc must see it (cwd.c): loaded from the
 * kernel on first use in each image. Returns a pointer to the SDK's copy
 * (valid until the next chdir) or NULL with errno.
 */
const char *__wr_cwd(void);

/*
 * An absolute version of path (relative ones joined to the working
 * directory), malloc'd; NULL with errno (ENOMEM, ENOENT for "").
 */
char *__wr_abspath(const char *path);

#endif
