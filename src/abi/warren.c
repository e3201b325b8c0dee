/*
 * warren.c - warren_v1: what neither WASI nor WASIX has.
 *
 * Process groups and sessions, dispositions and the signal mask, waitpid
 * with POSIX statuses, nice, isatty, ps and alarm, in the conventions of
 * the other two modules (i32 arguments, i64 for signal sets, an errno
 * result, out-pointers). The calls are thin: the kernel does the work,
 * this file only moves arguments and results across guest memory.
 */
#include "abi/abi.h"
#include "fs/fs.h"
#include "kern/file.h"
#include "kern/kern.h"

#include <string.h>

/* The i32 result v of a kernel call that returned r, through ptr (checked
 * before the call). */
static int
put_i32(struct abi_cx *cx, uint32_t ptr, int r, int32_t v)
{
	return r ? r : abi_put32(cx, ptr, (uint32_t)v);
}

static int
sys_setpgid(struct abi_cx *cx)
{
	return proc_setpgid(cx->p, (int32_t)ARG32(cx, 0), (int32_t)ARG32(cx, 1));
}

static int
sys_getpgid(struct abi_cx *cx)
{
	int32_t v = 0;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	r = proc_getpgid(cx->p, (int32_t)ARG32(cx, 0), &v);
	return put_i32(cx, ARG32(cx, 1), r, v);
}

static int
sys_setsid(struct abi_cx *cx)
{
	int32_t v = 0;
	int r;

	if (abi_check(cx, ARG32(cx, 0), 4))
		return E_FAULT;
	r = proc_setsid(cx->p, &v);
	return put_i32(cx, ARG32(cx, 0), r, v);
}

static int
sys_getsid(struct abi_cx *cx)
{
	int32_t v = 0;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	r = proc_getsid(cx->p, (int32_t)ARG32(cx, 0), &v);
	return put_i32(cx, ARG32(cx, 1), r, v);
}

static int
getfile(struct abi_cx *cx, uint32_t fd, struct file **f)
{
	*f = cx->p->fds ? fdtab_get(cx->p->fds, (int32_t)fd) : NULL;
	return *f ? 0 : E_BADF;
}

static int
sys_tcsetpgrp(struct abi_cx *cx)
{
	struct fs_io io = { .opener = cx->p };
	struct file *f;
	int r;

	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	r = tty_setpgrp(f, cx->p, (int32_t)ARG32(cx, 1), &io);
	return r == E_BLOCK ? kern_sleep(cx->p, io.chan) : r;
}

static int
sys_tcgetpgrp(struct abi_cx *cx)
{
	struct file *f;
	int32_t v = 0;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	r = tty_getpgrp(f, cx->p, &v);
	return put_i32(cx, ARG32(cx, 1), r, v);
}

static int
sys_sigaction(struct abi_cx *cx)
{
	int old = 0, r;

	if (abi_check(cx, ARG32(cx, 2), 4))
		return E_FAULT;
	if (ARG32(cx, 0) == 0 || ARG32(cx, 0) > KSIG_MAX || ARG32(cx, 1) > SIGD_CATCH)
		return E_INVAL;
	r = sig_action(cx->p, (int)ARG32(cx, 0), (int)ARG32(cx, 1), &old);
	return put_i32(cx, ARG32(cx, 2), r, old);
}

static int
sys_sigprocmask(struct abi_cx *cx)
{
	uint64_t old = 0;
	int r;

	if (abi_check(cx, ARG32(cx, 2), 8))
		return E_FAULT;
	if (ARG32(cx, 0) > KSIG_SETMASK)
		return E_INVAL;
	if ((r = sig_procmask(cx->p, (int)ARG32(cx, 0), ARG64(cx, 1), &old)))
		return r;
	return abi_put64(cx, ARG32(cx, 2), old);
}

static int
sys_waitpid(struct abi_cx *cx)
{
	int32_t rpid = 0, ws = 0;
	int r;

	if (abi_check(cx, ARG32(cx, 2), 4) || abi_check(cx, ARG32(cx, 3), 4))
		return E_FAULT;
	r = proc_waitpid(cx->p, (int32_t)ARG32(cx, 0), (int)ARG32(cx, 1), &rpid, &ws);
	if (r)
		return r;  /* E_BLOCK: asleep already (kern.h) */
	abi_put32(cx, ARG32(cx, 2), (uint32_t)ws);
	return abi_put32(cx, ARG32(cx, 3), (uint32_t)rpid);
}

static int
sys_nice(struct abi_cx *cx)
{
	int v = 0, r;

	if (abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	r = proc_nice(cx->p, (int32_t)ARG32(cx, 0), &v);
	return put_i32(cx, ARG32(cx, 1), r, v);
}

static int
sys_isatty(struct abi_cx *cx)
{
	struct file *f;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	if ((r = getfile(cx, ARG32(cx, 0), &f)))
		return r;
	return abi_put32(cx, ARG32(cx, 1), file_isatty(f));
}

static int
sys_ps(struct abi_cx *cx)
{
	uint8_t *buf = abi_mem(cx, ARG32(cx, 0), ARG32(cx, 1));
	size_t used = 0;
	int r;

	if (!buf || abi_check(cx, ARG32(cx, 2), 4))
		return E_FAULT;
	r = proc_ps(cx->p, (char *)buf, ARG32(cx, 1), &used);
	if (r && r != E_NOBUFS)
		return r;
	abi_put32(cx, ARG32(cx, 2), used > UINT32_MAX ? UINT32_MAX : (uint32_t)used);
	return r;
}

static int
sys_alarm(struct abi_cx *cx)
{
	const uint64_t sec = 1000000000;
	uint64_t left = 0;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	if ((r = proc_alarm(cx->p, ARG32(cx, 0) * sec, 0, &left)))
		return r;
	/* Seconds left, rounded up: a pending alarm never reads as none. */
	return abi_put32(cx, ARG32(cx, 1), (uint32_t)((left + sec - 1) / sec));
}

static const struct abi_call calls[] = {
	{ .name = "setpgid", .result = "errno", .fn = sys_setpgid,
	  .params = "i32 pid, i32 pgid",
	  .doc = "POSIX setpgid; pid 0 = the caller, pgid 0 = pid. EPERM across sessions or "
	         "for a session leader, ESRCH for a pid that is neither the caller nor its "
	         "child, EACCES for a child that has exec'd" },
	{ .name = "getpgid", .result = "errno", .fn = sys_getpgid,
	  .params = "i32 pid, i32 *pgid",
	  .doc = "pid 0 = the caller; ESRCH" },
	{ .name = "setsid", .result = "errno", .fn = sys_setsid,
	  .params = "i32 *sid",
	  .doc = "a new session and group led by the caller; EPERM if it already leads a "
	         "group" },
	{ .name = "getsid", .result = "errno", .fn = sys_getsid,
	  .params = "i32 pid, i32 *sid",
	  .doc = "pid 0 = the caller; ESRCH" },
	{ .name = "tcsetpgrp", .result = "errno", .fn = sys_tcsetpgrp,
	  .params = "i32 fd, i32 pgid",
	  .doc = "the foreground group of the console open on fd: ENOTTY for another file or "
	         "session, EPERM for a group outside the session; from the background "
	         "SIGTTOU stops the caller unless ignored or blocked" },
	{ .name = "tcgetpgrp", .result = "errno", .fn = sys_tcgetpgrp,
	  .params = "i32 fd, i32 *pgid",
	  .doc = "the console's foreground group (0: none); ENOTTY" },
	{ .name = "sigaction", .result = "errno", .fn = sys_sigaction,
	  .params = "i32 sig, i32 disposition, i32 *old_disposition",
	  .doc = "0 default, 1 ignore, 2 catch (delivered through the export registered with "
	         "wasix callback_signal, default `__wasm_signal`); EINVAL for SIGKILL, "
	         "SIGSTOP, an unknown signal or disposition" },
	{ .name = "sigprocmask", .result = "errno", .fn = sys_sigprocmask,
	  .params = "i32 how, i64 set, i32 *oldset",
	  .doc = "how 0 SIG_BLOCK, 1 SIG_UNBLOCK, 2 SIG_SETMASK; bit n-1 = signal n; SIGKILL "
	         "and SIGSTOP are never blocked; *oldset (u64) gets the previous mask" },
	{ .name = "waitpid", .result = "errno", .fn = sys_waitpid,
	  .params = "i32 pid, i32 options, i32 *status, i32 *rpid",
	  .doc = "POSIX waitpid: pid -1 any child, > 0 that child, 0 the caller's group, < "
	         "-1 group -pid; options 1 WNOHANG, 2 WUNTRACED, 8 WCONTINUED; *status in "
	         "the Linux encoding (exit code << 8; signal; sig << 8 \\| 0x7f stopped; "
	         "0xffff continued); *rpid 0 with WNOHANG when nothing is ready; ECHILD" },
	{ .name = "nice", .result = "errno", .fn = sys_nice,
	  .params = "i32 inc, i32 *newnice",
	  .doc = "adds inc to the caller's nice, clamped to -20..19 (no privilege needed to "
	         "lower it); the scheduler scales quanta by 1.25^-nice" },
	{ .name = "isatty", .result = "errno", .fn = sys_isatty,
	  .params = "i32 fd, i32 *yes",
	  .doc = "*yes = 1 if fd is the console, else 0; EBADF" },
	{ .name = "ps", .result = "errno", .fn = sys_ps,
	  .params = "i32 buf, i32 buf_len, i32 *used",
	  .doc = "the process table as text: a header, then one line per process in pid "
	         "order: `pid ppid pgid sid state nice fuel pages name` (state R S T Z); "
	         "*used = the size of the whole table; ENOBUFS when it does not fit" },
	{ .name = "alarm", .result = "errno", .fn = sys_alarm,
	  .params = "i32 seconds, i32 *remaining",
	  .doc = "SIGALRM after seconds of system time (0 cancels); *remaining = seconds "
	         "left of the previous alarm, rounded up" },
};

const struct abi_table abi_warren_table = {
	.module = "warren_v1",
	.intro = "What neither WASI nor WASIX has, in the same conventions (docs/abi.md).",
	.calls = calls,
	.ncalls = sizeof calls / sizeof calls[0],
};
