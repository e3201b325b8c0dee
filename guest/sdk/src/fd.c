/*
 * fd.c - pipe, dup, dup2, fcntl and isatty on wasix_32v1 and warren_v1.
 *
 * fcntl replaces wasi-libc's, which pretends close-on-exec is always set
 * and knows no F_DUPFD; F_GETFL/F_SETFL keep its meaning (the WASI fd
 * flags plus an access mode read off the fd's rights).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>
#include <wasi/api.h>

#include "../sdk.h"

int
pipe(int fds[2])
{
	uint32_t rd, wr;
	int32_t e = __wr_fd_pipe(&rd, &wr);

	if (e)
		return __wr_fail(e);
	fds[0] = (int)rd;
	fds[1] = (int)wr;
	return 0;
}

int
dup(int fd)
{
	uint32_t nfd;
	int32_t e = __wr_fd_dup((uint32_t)fd, &nfd);

	return e ? __wr_fail(e) : (int)nfd;
}

int
dup2(int fd, int nfd)
{
	uint16_t flags;
	int32_t e;

	if (nfd < 0)
		return __wr_fail(EBADF);
	/* dup2(fd, fd) changes nothing but must still fail for a bad fd. */
	if (fd == nfd)
		e = __wr_fd_fdflags_get((uint32_t)fd, &flags);
	else
		e = __wr_fd_renumber((uint32_t)fd, (uint32_t)nfd);
	return e ? __wr_fail(e) : nfd;
}

static int
getfl(int fd)
{
	const __wasi_rights_t rd = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR;
	__wasi_fdstat_t st;
	int32_t e = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
	int fl;

	if (e)
		return __wr_fail(e);
	fl = st.fs_flags;
	if ((st.fs_rights_base & rd) && (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE))
		fl |= O_RDWR;
	else if (st.fs_rights_base & rd)
		fl |= O_RDONLY;
	else if (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE)
		fl |= O_WRONLY;
	else
		fl |= O_SEARCH;
	return fl;
}

int
fcntl(int fd, int cmd, ...)
{
	const int setfl_mask = O_APPEND | O_DSYNC | O_NONBLOCK | O_RSYNC | O_SYNC;
	va_list ap;
	uint32_t nfd;
	uint16_t flags;
	int arg = 0;
	int32_t e;

	/* Only the commands that take an argument read one. */
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_SETFD || cmd == F_SETFL) {
		va_start(ap, cmd);
		arg = va_arg(ap, int);
		va_end(ap);
	}
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0)
			return __wr_fail(EINVAL);
		e = __wr_fd_dup2((uint32_t)fd, (uint32_t)arg, cmd == F_DUPFD_CLOEXEC, &nfd);
		return e ? __wr_fail(e) : (int)nfd;
	case F_GETFD:
		e = __wr_fd_fdflags_get((uint32_t)fd, &flags);
		return e ? __wr_fail(e) : (flags & WR_FDFLAG_CLOEXEC ? FD_CLOEXEC : 0);
	case F_SETFD:
		return __wr_ret(__wr_fd_fdflags_set((uint32_t)fd,
						    arg & FD_CLOEXEC ? WR_FDFLAG_CLOEXEC : 0));
	case F_GETFL:
		return getfl(fd);
	case F_SETFL:
		return __wr_ret(__wasi_fd_fdstat_set_flags((__wasi_fd_t)fd,
							   (__wasi_fdflags_t)(arg & setfl_mask)));
	default:
		return __wr_fail(EINVAL);
	}
}

int
isatty(int fd)
{
	int32_t yes = 0;
	int32_t e = __wr_isatty(fd, &yes);

	if (e) {
		errno = e;
		return 0;
	}
	if (!yes) {
		errno = ENOTTY;
		return 0;
	}
	return 1;
}
