/*
 * ns.c - warren_v1, continued: namespaces.
 *
 * bind, unbind and mount act on the caller's namespace (fs.h has the
 * semantics); rfork is fork with Plan 9's namespace flags: share the
 * namespace with the child instead of copying it, or give the child's
 * copy "nomount".  The same operations are ctl messages of /task/ID/ns/ctl
 * (src/kern/taskfs.c), for acting on another process.
 */
#include "abi/abi.h"
#include "base/alloc.h"
#include "fs/fs.h"
#include "kern/kern.h"

#include <stdlib.h>

/* bind/mount flags as the guest passes them. */
enum {
	B_BEFORE = 1,    /* -b */
	B_AFTER = 2,     /* -a */
	B_CREATE = 4,    /* -c */
};

/* rfork flags. */
enum {
	RF_SHARENS = 1,  /* the child shares the caller's namespace */
	RF_NOMOUNT = 2,  /* the child's copy refuses "#" mounts, its entries locked */
};

static int
nsflags(uint32_t f, unsigned *out)
{
	if (f & ~(uint32_t)(B_BEFORE | B_AFTER | B_CREATE) || (f & B_BEFORE && f & B_AFTER))
		return E_INVAL;
	*out = (f & B_BEFORE ? NS_BEFORE : 0) | (f & B_AFTER ? NS_AFTER : 0)
	    | (f & B_CREATE ? NS_CREATE : 0);
	return 0;
}

/* Two guest paths into one allocation: *a and *b point into *buf (free it). */
static int
twopaths(struct abi_cx *cx, uint32_t ap, uint32_t al, uint32_t bp, uint32_t bl, char **buf,
	 char **a, char **b)
{
	char *m = al_malloc(2 * (FS_PATH_MAX + 1));
	int r;

	*buf = m;
	if (!m)
		return E_NOMEM;
	*a = m;
	*b = m + FS_PATH_MAX + 1;
	r = abi_path(cx, ap, al, *a, FS_PATH_MAX + 1);
	if (!r)
		r = abi_path(cx, bp, bl, *b, FS_PATH_MAX + 1);
	return r;
}

static int
sys_bind(struct abi_cx *cx)
{
	char *buf, *old, *new;
	unsigned fl = 0;
	int r;

	if ((r = twopaths(cx, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), ARG32(cx, 3), &buf, &old,
			  &new)) == 0 && (r = nsflags(ARG32(cx, 4), &fl)) == 0)
		r = cx->p->ns ? ns_bind(cx->p->ns, cx->p->cwd, old, ARG32(cx, 1), new, ARG32(cx, 3), fl)
			      : E_NOSYS;
	al_free(buf);
	return r;
}

static int
sys_unbind(struct abi_cx *cx)
{
	char *buf, *old, *new;
	int r;

	if ((r = twopaths(cx, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), ARG32(cx, 3), &buf, &old,
			  &new)) == 0)
		r = cx->p->ns ? ns_unbind(cx->p->ns, cx->p->cwd, ARG32(cx, 1) ? old : NULL,
					  ARG32(cx, 1), new, ARG32(cx, 3))
			      : E_NOSYS;
	al_free(buf);
	return r;
}

static int
sys_mount(struct abi_cx *cx)
{
	char *buf, *spec, *new;
	unsigned fl = 0;
	int r;

	if ((r = twopaths(cx, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2), ARG32(cx, 3), &buf, &spec,
			  &new)) == 0 && (r = nsflags(ARG32(cx, 4), &fl)) == 0)
		r = cx->p->ns ? ns_mount_spec(cx->p->ns, cx->p->cwd, spec, ARG32(cx, 1), new,
					      ARG32(cx, 3), fl)
			      : E_NOSYS;
	al_free(buf);
	return r;
}

static int
sys_rfork(struct abi_cx *cx)
{
	uint32_t fl = ARG32(cx, 0);
	int32_t pid = 0;
	struct proc *c;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	if (fl & ~(uint32_t)(RF_SHARENS | RF_NOMOUNT) || fl == (RF_SHARENS | RF_NOMOUNT))
		return E_INVAL;
	if ((r = proc_fork(cx->p, &pid)))
		return r;
	/* In the parent: the child exists, suspended before this call. */
	if (pid > 0 && (c = proc_find(cx->p->k, pid)) && c->ns && cx->p->ns) {
		if (fl & RF_SHARENS) {
			ns_unref(c->ns);
			ns_ref(cx->p->ns);
			c->ns = cx->p->ns;
		}
		if (fl & RF_NOMOUNT)
			ns_set_nomount(c->ns);
	}
	return abi_put32(cx, ARG32(cx, 1), (uint32_t)pid);
}

static const struct abi_call calls[] = {
	{ "bind", "i32 old, i32 old_len, i32 new, i32 new_len, i32 flags", "errno", sys_bind,
	  "Plan 9's bind: what `old` names appears at `new` in the caller's namespace; flags 1 "
	  "before (-b), 2 after (-a): a union directory; 4 create (-c): creations in the union go "
	  "here. Paths resolve from the working directory. EINVAL for bad flags or a path ending "
	  "in `.`/`..`, EEXIST already a member, ELOOP a union inside itself, ENOSPC too many" },
	{ "unbind", "i32 old, i32 old_len, i32 new, i32 new_len", "errno", sys_unbind,
	  "without `old` (old_len 0) removes the last bind at `new`; with it, only that member of "
	  "the union; EINVAL nothing bound, EPERM locked by nomount" },
	{ "mount", "i32 spec, i32 spec_len, i32 new, i32 new_len, i32 flags", "errno", sys_mount,
	  "a file system at `new` (flags as bind): `memfs` or `memfs:BYTES[KMG]` a fresh one, "
	  "`#name` one the system offers (`#task`, `#cap`; EPERM under nomount); ENOENT unknown" },
	{ "rfork", "i32 flags, i32 *pid", "errno", sys_rfork,
	  "fork (as wasix proc_fork) with namespace flags: 1 the child shares the caller's "
	  "namespace (otherwise it gets a copy), 2 the child's copy is nomount (no `#` mounts, "
	  "its binds locked); both: EINVAL. *pid: the child's pid, 0 in the child" },
};

const struct abi_table abi_ns_table = {
	.module = "warren_v1",
	.intro = "Namespaces (src/abi/ns.c): the same import module as above, and the same "
		 "operations as the ctl messages of `/task/ID/ns/ctl`.",
	.calls = calls,
	.ncalls = sizeof calls / sizeof calls[0],
};
