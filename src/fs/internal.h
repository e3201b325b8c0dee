/*
 * internal.h - what the parts of src/fs share and nothing outside uses:
 * the mount-table steps the resolver takes (ns.c), and a name check.
 */
#ifndef WARREN_FS_INTERNAL_H
#define WARREN_FS_INTERNAL_H

#include "fs/fs.h"

/*
 * Steps from v down onto whatever is mounted on it, repeatedly (mounts
 * stack).  Consumes the reference to v and returns a reference to the
 * result (v itself when nothing covers it); *covered tells whether it
 * moved.  This is where issue 4's union directories will hook in.
 */
struct vnode *ns_cross(struct ns *ns, struct vnode *v, bool *covered);

/*
 * The directory ".." must be asked of to leave v: v itself, or when v is
 * the root of a mount (other than the namespace root), the bottom of the
 * stack of directories it covers.  Borrowed in, borrowed out.
 */
struct vnode *ns_below(struct ns *ns, struct vnode *v);

/* Whether v is the namespace root (".." stays there). */
bool ns_is_root(struct ns *ns, struct vnode *v);

/*
 * Whether v may not be modified through ns: its fs is FS_RDONLY, or the
 * topmost mount of its fs in ns carries NS_RDONLY.
 */
bool ns_rdonly(struct ns *ns, struct vnode *v);

/* The ".." step of the resolver: a new reference in *out. */
int ns_dotdot(struct ns *ns, struct vnode *v, struct vnode **out);

/* Whether name[0..len) can be a directory entry: E_OK, E_INVAL, E_NAMETOOLONG. */
int fs_check_name(const char *name, size_t len);

#endif
