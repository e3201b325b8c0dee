/*
 * fdtab.c - per-process fd tables: small integers naming open files.
 *
 * The entry array grows on demand up to the table's limit, so a process
 * with three fds costs three entries, not a thousand. Every entry holds one
 * reference to its file. An entry is cleared before its file is released,
 * so a close that wakes other processes never sees a half-updated table.
 */
#include <stdlib.h>
#include "base/alloc.h"

#include "kern/file_impl.h"

#define MIN_CAP 8

struct fdtab *
fdtab_new(uint32_t limit)
{
	struct fdtab *t = al_calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->refs = 1;
	t->limit = limit ? limit : FDTAB_DEFAULT_LIMIT;
	if (t->limit > INT32_MAX)
		t->limit = INT32_MAX;
	return t;
}

/* Make entries 0..need-1 exist (need <= limit). */
static int
grow(struct fdtab *t, uint32_t need)
{
	struct fdent *ent;
	uint32_t cap;

	if (need <= t->cap)
		return 0;
	cap = t->cap < MIN_CAP ? MIN_CAP : t->cap;
	while (cap < need)
		cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
	if (cap > t->limit)
		cap = t->limit;
	ent = al_realloc(t->ent, (size_t)cap * sizeof *ent);
	if (!ent)
		return E_NOMEM;
	for (uint32_t i = t->cap; i < cap; i++)
		ent[i] = (struct fdent){ 0 };
	t->ent = ent;
	t->cap = cap;
	return 0;
}

struct fdtab *
fdtab_copy(const struct fdtab *t)
{
	struct fdtab *c = fdtab_new(t->limit);
	uint32_t top = 0;

	if (!c)
		return NULL;
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->ent[i].f)
			top = i + 1;
	if (grow(c, top)) {
		fdtab_unref(c);
		return NULL;
	}
	for (uint32_t i = 0; i < top; i++) {
		c->ent[i] = t->ent[i];
		if (c->ent[i].f)
			file_ref(c->ent[i].f);
	}
	c->used = t->used;
	return c;
}

void
fdtab_ref(struct fdtab *t)
{
	t->refs++;
}

void
fdtab_unref(struct fdtab *t)
{
	if (!t || --t->refs > 0)
		return;
	for (uint32_t i = 0; i < t->cap; i++) {
		struct file *f = t->ent[i].f;

		t->ent[i].f = NULL;
		file_unref(f);
	}
	al_free(t->ent);
	al_free(t);
}

int
fdtab_unshare(struct fdtab **tp)
{
	struct fdtab *c;

	if ((*tp)->refs == 1)
		return 0;
	c = fdtab_copy(*tp);
	if (!c)
		return E_NOMEM;
	fdtab_unref(*tp);
	*tp = c;
	return 0;
}

struct file *
fdtab_get(const struct fdtab *t, int32_t fd)
{
	if (fd < 0 || (uint32_t)fd >= t->cap)
		return NULL;
	return t->ent[fd].f;
}

int
fdtab_install(struct fdtab *t, struct file *f, int32_t min, unsigned flags, int32_t *fd)
{
	uint32_t i;
	int err;

	if (flags & ~(unsigned)FD_CLOEXEC_FLAG)
		return E_INVAL;
	if (min < 0 || (uint32_t)min >= t->limit)
		return E_INVAL;
	for (i = (uint32_t)min; i < t->cap && t->ent[i].f; i++)
		;
	if (i >= t->limit)
		return E_MFILE;
	err = grow(t, i + 1);
	if (err)
		return err;
	file_ref(f);
	t->ent[i] = (struct fdent){ f, flags };
	t->used++;
	*fd = (int32_t)i;
	return 0;
}

int
fdtab_close(struct fdtab *t, int32_t fd)
{
	struct file *f = fdtab_get(t, fd);

	if (!f)
		return E_BADF;
	t->ent[fd] = (struct fdent){ 0 };
	t->used--;
	file_unref(f);
	return 0;
}

int
fdtab_dup(struct fdtab *t, int32_t fd, int32_t min, unsigned flags, int32_t *newfd)
{
	struct file *f = fdtab_get(t, fd);

	if (!f)
		return E_BADF;
	return fdtab_install(t, f, min, flags, newfd);
}

int
fdtab_dup2(struct fdtab *t, int32_t fd, int32_t newfd)
{
	struct file *f = fdtab_get(t, fd), *old;
	int err;

	if (!f || newfd < 0 || (uint32_t)newfd >= t->limit)
		return E_BADF;
	if (fd == newfd)
		return 0;
	err = grow(t, (uint32_t)newfd + 1);
	if (err)
		return err;
	old = t->ent[newfd].f;
	file_ref(f);
	t->ent[newfd] = (struct fdent){ f, 0 };
	if (!old)
		t->used++;
	file_unref(old);
	return 0;
}

int
fdtab_renumber(struct fdtab *t, int32_t from, int32_t to)
{
	int err;

	if (!fdtab_get(t, from) || to < 0 || (uint32_t)to >= t->limit)
		return E_BADF;
	if (from == to)
		return 0;
	err = fdtab_dup2(t, from, to);
	if (err)
		return err;
	return fdtab_close(t, from);
}

int
fdtab_getflags(const struct fdtab *t, int32_t fd, unsigned *flags)
{
	if (!fdtab_get(t, fd))
		return E_BADF;
	*flags = t->ent[fd].flags;
	return 0;
}

int
fdtab_setflags(struct fdtab *t, int32_t fd, unsigned flags)
{
	if (!fdtab_get(t, fd))
		return E_BADF;
	if (flags & ~(unsigned)FD_CLOEXEC_FLAG)
		return E_INVAL;
	t->ent[fd].flags = flags;
	return 0;
}

void
fdtab_cloexec(struct fdtab *t)
{
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->ent[i].f && t->ent[i].flags & FD_CLOEXEC_FLAG)
			fdtab_close(t, (int32_t)i);
}
