/*
 * exec.c - the exec family on wasix_32v1.proc_exec3.
 *
 * proc_exec3 takes argv and envp as '\n'-terminated strings. A string
 * that holds a '\n' cannot be passed that way: exec then fails with
 * EINVAL instead of handing the new program different arguments.
 *
 * execvp searches PATH itself (rather than with proc_exec3's search) so
 * that a file the kernel refuses with ENOEXEC (a script) is run by
 * /bin/sh, as POSIX asks of execvp.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sdk.h"

extern char **environ;

char *
__wr_join(char *const vec[], uint32_t *len)
{
	size_t n = 0, k = 0;
	char *buf;

	for (size_t i = 0; vec && vec[i]; i++) {
		size_t l = strlen(vec[i]);

		if (memchr(vec[i], '\n', l)) {
			errno = EINVAL;
			return NULL;
		}
		if ((n += l + 1) > UINT32_MAX / 2) {
			errno = E2BIG;
			return NULL;
		}
	}
	if (!(buf = malloc(n + 1))) {
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; vec && vec[i]; i++) {
		size_t l = strlen(vec[i]);

		memcpy(buf + k, vec[i], l);
		k += l;
		buf[k++] = '\n';
	}
	buf[k] = 0;
	*len = (uint32_t)k;
	return buf;
}

int
execve(const char *path, char *const argv[], char *const envp[])
{
	uint32_t alen = 0, elen = 0;
	char *args, *envs = NULL;
	int32_t e;

	if (!(args = __wr_join(argv, &alen)) || !(envs = __wr_join(envp, &elen))) {
		free(args);
		return -1;
	}
	e = __wr_proc_exec3(path, (uint32_t)strlen(path), args, alen, envs, elen, 0, "", 0);
	/* Only a failure returns here; the new image replaced this one otherwise. */
	free(args);
	free(envs);
	return __wr_fail(e ? e : ENOEXEC);
}

int
execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/* A script the kernel cannot load: run it with /bin/sh, the rest of argv after it. */
static int
exec_script(const char *file, char *const argv[], char *const envp[])
{
	size_t n = 0;
	char **nv;

	while (argv[n])
		n++;
	if (!(nv = malloc((n + 2) * sizeof *nv)))
		return __wr_fail(ENOMEM);
	nv[0] = "sh";
	nv[1] = (char *)file;
	for (size_t i = 1; i <= n; i++)
		nv[i + 1] = argv[i];
	execve("/bin/sh", nv, envp);
	free(nv);
	return __wr_fail(ENOEXEC);
}

static int
try_exec(const char *file, char *const argv[], char *const envp[])
{
	execve(file, argv, envp);
	if (errno == ENOEXEC)
		return exec_script(file, argv, envp);
	return -1;
}

int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	const char *path = getenv("PATH"), *p;
	size_t fl = strlen(file);
	int denied = 0;

	if (!*file)
		return __wr_fail(ENOENT);
	if (strchr(file, '/'))
		return try_exec(file, argv, envp);
	if (!path)
		path = "/bin:/usr/bin";
	if (fl > NAME_MAX)
		return __wr_fail(ENAMETOOLONG);
	for (p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t dl;
		char buf[PATH_MAX];

		if (!end)
			end = p + strlen(p);
		dl = (size_t)(end - p);

		if (dl + fl + 2 <= sizeof buf) {
			/* An empty entry means the working directory. */
			if (dl == 0)
				buf[dl++] = '.';
			else
				memcpy(buf, p, dl);
			buf[dl] = '/';
			memcpy(buf + dl + 1, file, fl + 1);
			try_exec(buf, argv, envp);
			switch (errno) {
			case EACCES:
				denied = 1;
				break;
			case ENOENT:
			case ENOTDIR:
			case ENAMETOOLONG:
				break;
			default:
				return -1;
			}
		}
		p = end;
		if (!*p)
			break;
	}
	return __wr_fail(denied ? EACCES : ENOENT);
}

int
execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/*
 * The list forms gather their arguments into a vector; execle's
 * environment follows the NULL that ends the list.
 */
static int
execl_common(int mode, const char *path, const char *arg0, va_list ap)
{
	va_list cp;
	size_t n = 0;
	char **argv, **envp = environ;
	int r;

	/* n counts the arguments before the NULL, arg0 included. */
	if (arg0) {
		n = 1;
		va_copy(cp, ap);
		while (va_arg(cp, char *))
			n++;
		va_end(cp);
	}
	if (!(argv = malloc((n + 1) * sizeof *argv)))
		return __wr_fail(ENOMEM);
	argv[0] = (char *)arg0;
	for (size_t i = 1; i <= n; i++)
		argv[i] = va_arg(ap, char *);  /* the last one read is the NULL */
	if (mode == 'e')
		envp = va_arg(ap, char **);
	if (mode == 'p')
		r = execvpe(path, argv, envp);
	else
		r = execve(path, argv, envp);
	free(argv);
	return r;
}

int
execl(const char *path, const char *arg0, ...)
{
	va_list ap;
	int r;

	va_start(ap, arg0);
	r = execl_common('l', path, arg0, ap);
	va_end(ap);
	return r;
}

int
execlp(const char *file, const char *arg0, ...)
{
	va_list ap;
	int r;

	va_start(ap, arg0);
	r = execl_common('p', file, arg0, ap);
	va_end(ap);
	return r;
}

int
execle(const char *path, const char *arg0, ...)
{
	va_list ap;
	int r;

	va_start(ap, arg0);
	r = execl_common('e', path, arg0, ap);
	va_end(ap);
	return r;
}
