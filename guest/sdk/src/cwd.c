/*
 * cwd.c - the working directory, kept in two places that must agree.
 *
 * wasi-libc resolves every path itself: an absolute path goes to the
 * preopen `/` (fd 3) with its leading `/` stripped, and a relative one is
 * first made absolute with wasi-libc's own copy of the working directory
 * (the hook __wasilibc_find_relpath_alloc). The kernel never sees a
 * relative path from libc, so its working directory (wasix chdir/getcwd)
 * only matters for what children and new images inherit. This file owns
 * both ends: chdir changes the kernel's and then reads it back; the libc
 * side is loaded from the kernel on first use in each image, because an
 * image started by exec or spawn inherits the kernel's directory but
 * starts with wasi-libc's default "/".
 *
 * Defining chdir, getcwd and __wasilibc_find_relpath_alloc here keeps
 * wasi-libc's chdir.o and getcwd.o out of the link (no duplicate
 * definitions), and mem.c's reference to the hook makes sure this file is
 * linked into every program that resolves paths (they all link memcpy).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sdk.h"

/* wasi-libc's resolver (preopens.c): the preopen that holds an absolute path. */
int __wasilibc_find_abspath(const char *path, const char **abs_prefix,
			    const char **relative_path);
int __wasilibc_find_relpath_alloc(const char *path, const char **abs_prefix,
				  char **relative, size_t *relative_len, int can_realloc);

static char *cwd;  /* malloc'd, absolute; NULL until loaded in this image */

/* Read the kernel's working directory; "/" if it cannot say. */
static int
load(void)
{
	uint32_t cap = 128;

	for (int tries = 0; tries < 8; tries++) {
		char *buf = malloc(cap);
		uint32_t len = cap;
		int32_t e;

		if (!buf)
			return __wr_fail(ENOMEM);
		e = __wr_getcwd(buf, &len);
		if (e == 0 && len < cap && buf[0] == '/') {
			buf[len] = 0;
			free(cwd);
			cwd = buf;
			return 0;
		}
		free(buf);
		if (e != ERANGE || len <= cap)
			break;
		cap = len;
	}
	free(cwd);
	cwd = strdup("/");
	return cwd ? 0 : __wr_fail(ENOMEM);
}

const char *
__wr_cwd(void)
{
	if (!cwd && load() < 0)
		return NULL;
	return cwd;
}

char *
__wr_abspath(const char *path)
{
	const char *dir;
	size_t dl, pl;
	char *out;

	if (!*path) {
		errno = ENOENT;
		return NULL;
	}
	if (path[0] == '/')
		return strdup(path);
	if (!(dir = __wr_cwd()))
		return NULL;
	dl = strlen(dir);
	pl = strlen(path);
	if (dl == 1)
		dl = 0;  /* "/" + "/" + path would double the slash */
	if (!(out = malloc(dl + pl + 2))) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(out, dir, dl);
	out[dl] = '/';
	memcpy(out + dl + 1, path, pl + 1);
	return out;
}

/*
 * wasi-libc's hook: the preopen fd for path and, in *relative (a buffer of
 * *relative_len bytes, grown with realloc when can_realloc), the rest of
 * the path relative to it. -1 with errno: ENOENT, ENOMEM, ERANGE.
 */
int
__wasilibc_find_relpath_alloc(const char *path, const char **abs_prefix, char **relative,
			      size_t *relative_len, int can_realloc)
{
	char *full = NULL;
	const char *rel;
	size_t need;
	int fd;

	/*
	 * wasi-libc turns any failure here into ENOTCAPABLE, so "" (ENOENT
	 * for POSIX) goes to the kernel as is, under the root's preopen.
	 */
	if (!*path) {
		fd = __wasilibc_find_abspath("/", abs_prefix, &rel);
		rel = "";
	} else if (path[0] != '/' && !(full = __wr_abspath(path))) {
		return -1;
	} else {
		fd = __wasilibc_find_abspath(full ? full : path, abs_prefix, &rel);
	}
	if (fd < 0)
		goto out;
	need = strlen(rel) + 1;
	if (*relative_len < need) {
		char *nb;

		if (!can_realloc) {
			errno = ERANGE;
			fd = -1;
			goto out;
		}
		if (!(nb = realloc(*relative, need))) {
			errno = ENOMEM;
			fd = -1;
			goto out;
		}
		*relative = nb;
		*relative_len = need;
	}
	memcpy(*relative, rel, need);
out:
	free(full);
	return fd;
}

int
chdir(const char *path)
{
	int32_t e = __wr_chdir(path, (uint32_t)strlen(path));

	if (e)
		return __wr_fail(e);
	/* The kernel's spelling is canonical (no "..", no symlinks): take it. */
	return load();
}

char *
getcwd(char *buf, size_t size)
{
	const char *c = __wr_cwd();
	size_t n;

	if (!c)
		return NULL;
	n = strlen(c) + 1;
	if (!buf) {
		/* The common extension: allocate, at least size bytes if size is given. */
		if (size && size < n) {
			errno = ERANGE;
			return NULL;
		}
		if (!(buf = malloc(size > n ? size : n))) {
			errno = ENOMEM;
			return NULL;
		}
	} else if (size == 0) {
		errno = EINVAL;
		return NULL;
	} else if (size < n) {
		errno = ERANGE;
		return NULL;
	}
	memcpy(buf, c, n);
	return buf;
}
