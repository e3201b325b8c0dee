/*
 * internal.h - what the parts of src/fs share and nothing outside uses:
 * the mount-table steps the resolver takes (ns.c), and a name check.
 */
#ifndef WARREN_FS_INTERNAL_H
#define WARREN_FS_INTERNAL_H

#include "fs/fs.h"

/* ---- the mount table (ns.c) and union directories (union.c) ---------- */

/* One directory (or file) bound into a mount entry. */
struct member {
	struct vnode *root;      /* referenced: what was bound (its view then) */
	unsigned flags;          /* NS_RDONLY, NS_CREATE */
	char *src;               /* what was bound, for ns listings ("/tmp/x", "#devfs") */
};

/* A readdir cookie of a member too large to pack (see union.c). */
struct bigcookie {
	size_t member;
	uint64_t cookie;
};

/*
 * A mount entry: the place it covers and the ordered list of what is
 * bound there.  The entry is itself a vnode, the union directory of its
 * members, belonging to the namespace family's union fs: the table holds
 * one reference, and a working directory or an open directory holds the
 * entry alive after an unbind (it then still lists what it listed).
 *
 * Crossing onto an entry yields its view: the single member itself for a
 * plain mount or bind, the union vnode when there are several members,
 * and always the union vnode for the namespace root (entry 0), so that
 * the root's identity never changes whatever is bound onto "/".
 */
struct mount {
	struct vnode v;          /* the union directory; must stay first */
	struct vnode *covered;   /* referenced; NULL for the namespace root */
	struct member *mem;
	size_t n, cap;
	char *path;              /* where, absolute, for listings */
	bool locked;             /* nomount was set after it: unbind may not pop it */
	struct bigcookie *big;   /* readdir cookies of members over 56 bits */
	size_t nbig, capbig;
};

/*
 * The namespace family: every namespace copied from one ns_new shares it.
 * It is the fs the union vnodes belong to, and it numbers them by the
 * place they cover, so that the same place has the same union identity
 * (dev, ino) in a copy: a directory fd or working directory inherited
 * across fork still compares equal to the child's own union there (the
 * WASI preopen fd 3 is the root union, and must stay "the root").
 */
struct ufs;

/* Members per union and entries per namespace: bounds against hostile binds. */
#define NS_MEMBERS_MAX 32
#define NS_ENTRIES_MAX 512
/* How deep union directories may nest inside each other (E_LOOP beyond). */
#define NS_UNION_DEPTH 8

/* Whether v is a union directory (a struct mount). */
bool ns_is_union(const struct vnode *v);
/* The view of entry m (borrowed). */
struct vnode *ns_view(struct mount *m);
/* Enter / leave a union op: E_LOOP when unions nest too deeply. */
int ns_union_enter(struct vnode *u);
void ns_union_leave(struct vnode *u);
/* The first member of union u on fs (a new reference), or NULL. */
struct vnode *ns_union_member(struct vnode *u, struct fs *fs);
/*
 * The member of union u that acts on name: the first that holds it, or
 * when none does and create is set, the member that creates (E_ACCES if
 * none may).  *dir: a new reference; *rdonly: whether that member is
 * read-only.
 */
int ns_union_pick(struct vnode *u, const char *name, size_t len, bool create, struct vnode **dir,
		  bool *rdonly);
/* The vnode ops of union directories (union.c). */
extern const struct vnode_ops ns_union_ops;

/*
 * Steps from v down onto whatever is mounted on it, repeatedly (mounts
 * stack).  Consumes the reference to v and returns a reference to the
 * result (v itself when nothing covers it); *covered tells whether it
 * moved.
 */
struct vnode *ns_cross(struct ns *ns, struct vnode *v, bool *covered);

/*
 * A directory as it stands in ns now: a union vnode left over from
 * another namespace of the family (an inherited working directory or fd)
 * or from an entry since removed becomes whatever ns shows at the place
 * it covered; anything else is itself.  Consumes v, returns a reference.
 */
struct vnode *ns_translate(struct ns *ns, struct vnode *v);

/*
 * The directory ".." must be asked of to leave v: v itself, or when v is
 * the root of a mount (other than the namespace root), the bottom of the
 * stack of directories it covers.  Borrowed in, borrowed out.
 */
struct vnode *ns_below(struct ns *ns, struct vnode *v);

/*
 * Whether v is the namespace root (".." stays there): the root union, or
 * one of its members.
 */
bool ns_is_root(struct ns *ns, struct vnode *v);

/*
 * Whether v may not be modified through ns: its fs is FS_RDONLY, or a
 * mount of its fs in ns carries NS_RDONLY.  A union directory itself is
 * never read-only: its ops check the member they act on.
 */
bool ns_rdonly(struct ns *ns, struct vnode *v);

/*
 * The ".." step of the resolver when it has no walk history (a start
 * from a working directory): a new reference in *out.
 */
int ns_dotdot(struct ns *ns, struct vnode *v, struct vnode **out);

/*
 * Where absolute symlink targets inside the FS_CONFINE file system fs
 * start when the walk did not enter fs itself (it started inside): the
 * root of the topmost member of fs in ns, or the fs root when ns mounts
 * nothing of fs.  A new reference.
 */
struct vnode *ns_confine_root(struct ns *ns, struct fs *fs);

/* Whether name[0..len) can be a directory entry: E_OK, E_INVAL, E_NAMETOOLONG. */
int fs_check_name(const char *name, size_t len);

#endif
