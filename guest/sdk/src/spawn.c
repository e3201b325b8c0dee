/*
 * spawn.c - posix_spawn and posix_spawnp.
 *
 * The common case is one host call, wasix proc_spawn2: the kernel makes
 * the child without copying this process's memory, applies the file
 * actions and the default signals in the child, and execs. Process group,
 * signal mask and new session cannot be said to proc_spawn2, so with those
 * attributes the SDK forks, applies everything in the child and execs,
 * reporting a failure through a close-on-exec pipe: the result is the
 * same either way, a child that runs the program or an errno and no child.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wasi/api.h>

#include "../sdk.h"

extern char **environ;

/* One recorded file action. */
struct act {
	int cmd;         /* WR_FDOP_* */
	int fd, src;
	char *path;      /* OPEN, CHDIR: owned */
	int oflag;
	mode_t mode;
};

#define FLAGS_KNOWN (POSIX_SPAWN_RESETIDS | POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | \
		     POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSCHEDPARAM | \
		     POSIX_SPAWN_SETSCHEDULER | POSIX_SPAWN_USEVFORK | POSIX_SPAWN_SETSID)
/* What proc_spawn2 cannot do. */
#define FLAGS_FORK (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID)

int
posix_spawnattr_init(posix_spawnattr_t *a)
{
	memset(a, 0, sizeof *a);
	return 0;
}

int
posix_spawnattr_destroy(posix_spawnattr_t *a)
{
	(void)a;
	return 0;
}

int
posix_spawnattr_setflags(posix_spawnattr_t *a, short flags)
{
	if (flags & ~FLAGS_KNOWN)
		return EINVAL;
	a->__flags = flags;
	return 0;
}

int
posix_spawnattr_getflags(const posix_spawnattr_t *restrict a, short *restrict flags)
{
	*flags = a->__flags;
	return 0;
}

int
posix_spawnattr_setpgroup(posix_spawnattr_t *a, pid_t pgroup)
{
	a->__pgroup = pgroup;
	return 0;
}

int
posix_spawnattr_getpgroup(const posix_spawnattr_t *restrict a, pid_t *restrict pgroup)
{
	*pgroup = a->__pgroup;
	return 0;
}

int
posix_spawnattr_setsigmask(posix_spawnattr_t *restrict a, const sigset_t *restrict set)
{
	a->__sigmask = *set;
	return 0;
}

int
posix_spawnattr_getsigmask(const posix_spawnattr_t *restrict a, sigset_t *restrict set)
{
	*set = a->__sigmask;
	return 0;
}

int
posix_spawnattr_setsigdefault(posix_spawnattr_t *restrict a, const sigset_t *restrict set)
{
	a->__sigdefault = *set;
	return 0;
}

int
posix_spawnattr_getsigdefault(const posix_spawnattr_t *restrict a, sigset_t *restrict set)
{
	*set = a->__sigdefault;
	return 0;
}

int
posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	memset(fa, 0, sizeof *fa);
	return 0;
}

int
posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	struct act *v = fa->__actions;

	for (int i = 0; i < fa->__used; i++)
		free(v[i].path);
	free(v);
	memset(fa, 0, sizeof *fa);
	return 0;
}

/* Append one action; path (may be NULL) is copied. Returns 0 or an errno. */
static int
add(posix_spawn_file_actions_t *fa, struct act a, const char *path)
{
	struct act *v = fa->__actions;

	if (a.fd < 0 || a.src < 0)
		return EBADF;
	if (fa->__used == fa->__cap) {
		int cap = fa->__cap ? fa->__cap * 2 : 4;

		if (!(v = realloc(v, (size_t)cap * sizeof *v)))
			return ENOMEM;
		fa->__actions = v;
		fa->__cap = cap;
	}
	if (path && !(a.path = strdup(path)))
		return ENOMEM;
	v[fa->__used++] = a;
	return 0;
}

int
posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	return add(fa, (struct act){ .cmd = WR_FDOP_CLOSE, .fd = fd }, NULL);
}

int
posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int src, int fd)
{
	return add(fa, (struct act){ .cmd = WR_FDOP_DUP2, .fd = fd, .src = src }, NULL);
}

int
posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *restrict fa, int fd,
				 const char *restrict path, int oflag, mode_t mode)
{
	return add(fa, (struct act){ .cmd = WR_FDOP_OPEN, .fd = fd, .oflag = oflag, .mode = mode },
		   path);
}

int
posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *restrict fa,
				     const char *restrict path)
{
	return add(fa, (struct act){ .cmd = WR_FDOP_CHDIR }, path);
}

int
posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	return add(fa, (struct act){ .cmd = WR_FDOP_FCHDIR, .fd = fd }, NULL);
}

/* The WASI rights an open with these flags asks for. */
static uint64_t
rights_for(int oflag)
{
	uint64_t r = ~0ull;

	if (!(oflag & O_RDONLY))
		r &= ~(uint64_t)(__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR);
	if (!(oflag & O_WRONLY))
		r &= ~(uint64_t)(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
				 __WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
	return r;
}

/* The records proc_spawn2 reads; *out is malloc'd (NULL for none). */
static int
fd_ops(const posix_spawn_file_actions_t *fa, struct __wr_fd_op **out)
{
	const struct act *v = fa ? fa->__actions : NULL;
	int n = fa ? fa->__used : 0;
	struct __wr_fd_op *ops;

	*out = NULL;
	if (n == 0)
		return 0;
	if (!(ops = calloc((size_t)n, sizeof *ops)))
		return ENOMEM;
	for (int i = 0; i < n; i++) {
		ops[i].cmd = (uint8_t)v[i].cmd;
		ops[i].fd = (uint32_t)v[i].fd;
		ops[i].src_fd = (uint32_t)v[i].src;
		if (v[i].path) {
			ops[i].path = v[i].path;
			ops[i].path_len = (uint32_t)strlen(v[i].path);
		}
		if (v[i].cmd == WR_FDOP_OPEN) {
			ops[i].dirflags = v[i].oflag & O_NOFOLLOW ? 0 : __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
			ops[i].oflags = (uint32_t)(v[i].oflag >> 12) & 0xfff;
			ops[i].rights = rights_for(v[i].oflag);
			ops[i].rights_inh = ~0ull;
			ops[i].fdflags = (uint16_t)(v[i].oflag & 0xfff);
		}
	}
	*out = ops;
	return 0;
}

static int
spawn_host(pid_t *pid, const char *path, int search, const posix_spawn_file_actions_t *fa,
	   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	struct __wr_fd_op *ops = NULL;
	uint8_t sigs[2 * 64];
	uint32_t nsigs = 0, alen = 0, elen = 0, child = 0;
	const char *pathvar = "";
	char *args = NULL, *envs = NULL;
	int r;

	if (attr && (attr->__flags & POSIX_SPAWN_SETSIGDEF))
		for (int s = 1; s <= 64; s++)
			if (attr->__sigdefault & (1ull << (s - 1)) && s != SIGKILL && s != SIGSTOP) {
				sigs[2 * nsigs] = (uint8_t)s;
				sigs[2 * nsigs + 1] = 0;
				nsigs++;
			}
	if (search && !(pathvar = getenv("PATH")))
		pathvar = "/bin:/usr/bin";
	if ((r = fd_ops(fa, &ops)))
		return r;
	if (!(args = __wr_join(argv, &alen)) || !(envs = __wr_join(envp, &elen))) {
		r = errno;
		goto out;
	}
	r = __wr_proc_spawn2(path, (uint32_t)strlen(path), args, alen, envs, elen, ops,
			     fa ? (uint32_t)fa->__used : 0, sigs, nsigs, search, pathvar,
			     (uint32_t)strlen(pathvar), &child);
	if (!r && pid)
		*pid = (pid_t)child;
out:
	free(ops);
	free(args);
	free(envs);
	return r;
}

/* In the forked child: everything posix_spawn promises before the exec. */
static int
child_setup(const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr)
{
	const struct act *v = fa ? fa->__actions : NULL;
	short fl = attr ? attr->__flags : 0;

	if ((fl & POSIX_SPAWN_SETSID) && setsid() < 0)
		return errno;
	if ((fl & POSIX_SPAWN_SETPGROUP) && setpgid(0, attr->__pgroup) < 0)
		return errno;
	if ((fl & POSIX_SPAWN_SETSIGMASK) && sigprocmask(SIG_SETMASK, &attr->__sigmask, NULL) < 0)
		return errno;
	if (fl & POSIX_SPAWN_SETSIGDEF) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		for (int s = 1; s <= 64; s++)
			if ((attr->__sigdefault & (1ull << (s - 1))) && s != SIGKILL && s != SIGSTOP &&
			    sigaction(s, &sa, NULL) < 0)
				return errno;
	}
	for (int i = 0; fa && i < fa->__used; i++) {
		int fd;

		switch (v[i].cmd) {
		case WR_FDOP_CLOSE:
			if (close(v[i].fd) < 0 && errno != EBADF)
				return errno;
			break;
		case WR_FDOP_DUP2:
			if (v[i].src == v[i].fd) {
				/* dup2 onto itself: POSIX clears close-on-exec. */
				if (fcntl(v[i].fd, F_SETFD, 0) < 0)
					return errno;
			} else if (dup2(v[i].src, v[i].fd) < 0) {
				return errno;
			}
			break;
		case WR_FDOP_OPEN:
			if ((fd = open(v[i].path, v[i].oflag, v[i].mode)) < 0)
				return errno;
			if (fd != v[i].fd) {
				if (dup2(fd, v[i].fd) < 0)
					return errno;
				close(fd);
			}
			break;
		case WR_FDOP_CHDIR:
			if (chdir(v[i].path) < 0)
				return errno;
			break;
		default:
			return ENOSYS;  /* no fchdir in warren */
		}
	}
	return 0;
}

static int
spawn_fork(pid_t *pid, const char *path, int search, const posix_spawn_file_actions_t *fa,
	   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int p[2], err = 0, r;
	pid_t child;

	if (pipe(p) < 0)
		return errno;
	if (fcntl(p[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(p[1], F_SETFD, FD_CLOEXEC) < 0) {
		err = errno;
		goto out;
	}
	if ((child = fork()) < 0) {
		err = errno;
		goto out;
	}
	if (child == 0) {
		/* Out of the way of the fds the actions name. */
		int w = fcntl(p[1], F_DUPFD_CLOEXEC, 512);

		close(p[0]);
		if (w >= 0) {
			close(p[1]);
			p[1] = w;
		}
		err = child_setup(fa, attr);
		if (!err) {
			if (search)
				execvpe(path, argv, envp);
			else
				execve(path, argv, envp);
			err = errno;
		}
		while (write(p[1], &err, sizeof err) < 0 && errno == EINTR)
			;
		_exit(127);
	}
	close(p[1]);
	p[1] = -1;
	do
		r = (int)read(p[0], &err, sizeof err);
	while (r < 0 && errno == EINTR);
	if (r == (int)sizeof err) {
		/* The child failed before exec: reap it, report its errno. */
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	} else {
		err = 0;
		if (pid)
			*pid = child;
	}
out:
	close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	return err;
}

static int
spawn(pid_t *pid, const char *path, int search, const posix_spawn_file_actions_t *fa,
      const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	if (!envp)
		envp = environ;
	if (attr && (attr->__flags & FLAGS_FORK))
		return spawn_fork(pid, path, search, fa, attr, argv, envp);
	return spawn_host(pid, path, search, fa, attr, argv, envp);
}

int
posix_spawn(pid_t *restrict pid, const char *restrict path,
	    const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
	    char *const argv[restrict], char *const envp[restrict])
{
	return spawn(pid, path, 0, fa, attr, argv, envp);
}

int
posix_spawnp(pid_t *restrict pid, const char *restrict file,
	     const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
	     char *const argv[restrict], char *const envp[restrict])
{
	return spawn(pid, file, 1, fa, attr, argv, envp);
}
