/*
 * hostbox.h - a fresh host directory for the hostile hostfs suites
 * (tests/fs/test_hostfs.c, tests/ns/test_ns_host.c).  Layout on the host
 * (a new temp dir T):
 *
 *   T/outside/secret          "SECRET"  (must never be read)
 *   T/box/etc/passwd          "INSIDE"
 *   T/box/inner/file          "FILE"
 *
 * The includer defines _GNU_SOURCE first (mkdtemp, nftw).
 */
#ifndef WARREN_TESTS_HOSTBOX_H
#define WARREN_TESTS_HOSTBOX_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

struct hostbox {
	char top[256];  /* T */
	char box[300];  /* T/box */
	struct ns *ns;  /* the suite's namespace, or NULL */
	struct fs *fs;  /* the hostfs over T/box, or NULL */
};

/* Writes s to the host file path (best effort: a miss shows in the checks). */
static inline void
hostbox_put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(s, f);
		fclose(f);
	}
}

/* A host symlink T/box/name -> target. */
static inline void
hostbox_link(struct hostbox *b, const char *target, const char *name)
{
	char p[512];

	snprintf(p, sizeof p, "%s/%s", b->box, name);
	CHECK(symlink(target, p) == 0);
}

static inline int
hostbox_rmone(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/*
 * Zeroes *b and builds the layout above in a new "$TMPDIR/<prefix>-XXXXXX"
 * (or /tmp); 0, or -1 when the temp dir cannot be made.
 */
static inline int
hostbox_make(struct hostbox *b, const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	char p[512];

	memset(b, 0, sizeof *b);
	snprintf(b->top, sizeof b->top, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	if (!mkdtemp(b->top))
		return -1;
	snprintf(p, sizeof p, "%s/outside", b->top);
	mkdir(p, 0777);
	snprintf(p, sizeof p, "%s/outside/secret", b->top);
	hostbox_put(p, "SECRET");
	snprintf(b->box, sizeof b->box, "%s/box", b->top);
	mkdir(b->box, 0777);
	snprintf(p, sizeof p, "%s/etc", b->box);
	mkdir(p, 0777);
	snprintf(p, sizeof p, "%s/etc/passwd", b->box);
	hostbox_put(p, "INSIDE");
	snprintf(p, sizeof p, "%s/inner", b->box);
	mkdir(p, 0777);
	snprintf(p, sizeof p, "%s/inner/file", b->box);
	hostbox_put(p, "FILE");
	return 0;
}

/* Reads path in the box's namespace (fsutil.h's getstr); never "SECRET". */
static inline const char *
hostbox_read(struct hostbox *b, struct vnode *base, const char *path, int *err)
{
	const char *s = getstr(b->ns, base, path, err);

	CHECK(!s || strcmp(s, "SECRET") != 0);
	return s;
}

/*
 * The random walks: appends n names drawn from parts[0..nparts) with the
 * generator *x, joined by '/', to the path[0..len) in a buffer of cap
 * bytes; the new length.
 */
static inline size_t
hostbox_names(uint64_t *x, const char *const *parts, size_t nparts, int n, char *path,
	      size_t cap, size_t len)
{
	for (int k = 0; k < n; k++) {
		*x = *x * 6364136223846793005u + 1442695040888963407u;
		len += (size_t)snprintf(path + len, cap - len, "%s%s", parts[(*x >> 33) % nparts],
					k + 1 < n ? "/" : "");
	}
	return len;
}

/* Drops the namespace and the fs and removes T with all below it. */
static inline void
hostbox_free(struct hostbox *b)
{
	ns_unref(b->ns);
	fs_unref(b->fs);
	if (b->top[0])
		nftw(b->top, hostbox_rmone, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
