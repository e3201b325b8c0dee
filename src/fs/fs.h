/*
 * fs.h - vnodes, file systems, namespaces and path resolution.
 *
 * The layering: src/fs knows nothing about processes.  A file system
 * (memfs, devfs, hostfs) hands out vnodes; a namespace is an ordered mount
 * table mapping namespace paths to file-system roots; fs_resolve() walks a
 * path through a namespace.  The kernel keeps a namespace and a working
 * directory vnode per process and turns open vnodes into open files.
 *
 * Conventions
 *  - Every function returning int returns 0 (E_OK) or an errno.h code.
 *    On failure no out-parameter holds a reference.
 *  - References: a function that hands back a struct vnode * or struct ns *
 *    hands back a new reference the caller must drop (vn_unref, ns_unref).
 *    Arguments are borrowed: a callee that keeps one takes its own ref.
 *  - Names are (pointer, length) pairs, not NUL-terminated; a name is one
 *    path component, never empty, ".", ".." or containing '/' or NUL when
 *    it reaches a vnode op (fs_resolve filters those out).
 *  - Single-threaded: no locks.  All state hangs off struct fs / struct ns
 *    so that later a lock per fs and per ns is enough.
 *
 * Blocking: read, write and poll on devices may return E_BLOCK after
 * storing a wait channel in io->chan; the caller parks on that channel and
 * repeats the whole call when woken.  With io->nonblock set they return
 * E_AGAIN instead.  Regular files, directories and memfs never block.
 */
#ifndef WARREN_FS_H
#define WARREN_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/errno.h"

#define FS_NAME_MAX 255      /* bytes in one component (E_NAMETOOLONG) */
#define FS_PATH_MAX 4096     /* bytes in a path, also after symlink splicing */
#define FS_SYMLOOP_MAX 40    /* symlinks followed per resolution (E_LOOP) */
#define FS_FILE_MAX (1ull << 40) /* largest memfs file size (E_FBIG) */

/*
 * Types use WASI's filetype numbers where WASI has one, so the ABI can
 * pass them through; VN_FIFO has none (fs_wasi_filetype maps it).
 */
enum vnode_type {
	VN_UNKNOWN = 0,
	VN_CHAR = 2,
	VN_DIR = 3,
	VN_FILE = 4,
	VN_SYMLINK = 7,
	VN_FIFO = 16,
};

/* The WASI filetype for t (VN_FIFO -> 0, unknown). */
uint8_t fs_wasi_filetype(enum vnode_type t);

struct vnode;
struct fs;
struct ns;

/*
 * The per-call context of an I/O request.  chan: out, the wait channel
 * when the op returns E_BLOCK.  nonblock: in, return E_AGAIN rather than
 * E_BLOCK.  opener: in, opaque identity of the caller (the kernel passes
 * its struct proc *; the console uses it for job control).
 */
struct fs_io {
	void *chan;
	bool nonblock;
	void *opener;
};

/* Times are nanoseconds since the Unix epoch, as in WASI. */
struct fs_stat {
	uint64_t dev;
	uint64_t ino;
	enum vnode_type type;
	uint64_t nlink;
	uint64_t size;
	uint64_t atim;
	uint64_t mtim;
	uint64_t ctim;
};

/* set_times flags: WASI's fstflags bits. */
enum {
	FS_ATIM = 1,
	FS_ATIM_NOW = 2,
	FS_MTIM = 4,
	FS_MTIM_NOW = 8,
};

/* poll events (bits); ops return the ready subset. */
enum {
	FS_POLLIN = 1,
	FS_POLLOUT = 2,
	FS_POLLHUP = 4,  /* returned only: the other side is gone */
};

/*
 * One directory entry as readdir reports it.  next is the cookie that
 * continues after this entry.  Cookies are stable: an entry keeps its
 * cookie while it exists, entries added later sort after every existing
 * cookie, and removing entries never makes a cookie skip or repeat one
 * that survives.  Cookie 0 starts from the beginning; "." and ".." come
 * first (cookies 0 and 1, added by vn_readdir, not by the file systems).
 */
struct fs_dirent {
	uint64_t next;
	uint64_t ino;
	enum vnode_type type;
	const char *name;  /* not NUL-terminated; valid during the callback */
	size_t namelen;
};

/* Return nonzero to stop the walk (e.g. the guest's buffer is full). */
typedef int (*fs_dirent_fn)(void *arg, const struct fs_dirent *d);

/* For synthetic file systems' readdir: pass one entry named by the
 * NUL-terminated name to fn; returns what fn returns. */
int fs_dirent_emit(fs_dirent_fn fn, void *arg, uint64_t next, uint64_t ino,
		   enum vnode_type type, const char *name);

/* vnode_ops for devices and synthetic files, where setting times and
 * truncating (O_TRUNC on open) are accepted and change nothing: return 0. */
int fs_times_ignored(struct vnode *v, uint64_t atim, uint64_t mtim, unsigned flags);
int fs_truncate_ignored(struct vnode *v, uint64_t size);

/* open flags seen by the open hook and fs_open. */
enum {
	FS_O_READ = 1 << 0,
	FS_O_WRITE = 1 << 1,
	FS_O_CREAT = 1 << 2,
	FS_O_EXCL = 1 << 3,
	FS_O_TRUNC = 1 << 4,
	FS_O_DIRECTORY = 1 << 5,
	FS_O_NOFOLLOW = 1 << 6,  /* a final symlink is not followed: E_LOOP */
	FS_O_NONBLOCK = 1 << 7,  /* passed to the open hook only */
};

/*
 * Operations of a vnode.  Any may be NULL: the vn_* wrappers then answer
 * what POSIX would (lookup on a file: E_NOTDIR; read on a directory:
 * E_ISDIR; create on a read-only fs: E_ROFS; otherwise E_NOTSUP).  The
 * wrappers also check the vnode type and the read-only flag first, so an
 * op is only called on a vnode of a fitting type on a writable fs.
 *
 * lookup(dir, name) finds an entry; "..": the parent (a file system's
 * root answers itself; the resolver crosses mounts before asking).
 * create makes a VN_FILE or VN_DIR (E_EXIST if the name exists).
 * rename: both dirs on the same fs (the wrapper checks: E_XDEV).
 * readlink copies at most cap bytes, *len = the full length.
 * read/write: pread/pwrite semantics at off; *n bytes done; a short count
 * is success; read of 0 bytes at or past the end is EOF.
 * readdir: walks entries from cookie (0 = first real entry: the wrapper
 * shifts cookies past its "." and ".."), calling fn until it returns
 * nonzero or the entries run out.
 * open / close: called by fs_open / vn_close around the life of an open
 * file (devices count readers and writers).  poll: the ready subset of
 * events; if none is ready, sets io->chan.
 */
struct vnode_ops {
	int (*lookup)(struct vnode *dir, const char *name, size_t len, struct vnode **out);
	int (*create)(struct vnode *dir, const char *name, size_t len, enum vnode_type type,
		      struct vnode **out);
	int (*unlink)(struct vnode *dir, const char *name, size_t len);
	int (*rmdir)(struct vnode *dir, const char *name, size_t len);
	int (*rename)(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
		      const char *nname, size_t nlen);
	int (*link)(struct vnode *dir, const char *name, size_t len, struct vnode *target);
	int (*symlink)(struct vnode *dir, const char *name, size_t len, const char *target,
		       size_t tlen);
	int (*readlink)(struct vnode *v, char *buf, size_t cap, size_t *len);
	int (*read)(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len,
		    size_t *n);
	int (*write)(struct vnode *v, struct fs_io *io, uint64_t off, const void *buf,
		     size_t len, size_t *n);
	int (*truncate)(struct vnode *v, uint64_t size);
	int (*stat)(struct vnode *v, struct fs_stat *st);
	int (*set_times)(struct vnode *v, uint64_t atim, uint64_t mtim, unsigned flags);
	int (*readdir)(struct vnode *dir, uint64_t cookie, fs_dirent_fn fn, void *arg);
	int (*open)(struct vnode *v, unsigned oflags, struct fs_io *io);
	void (*close)(struct vnode *v, unsigned oflags, struct fs_io *io);
	unsigned (*poll)(struct vnode *v, unsigned events, struct fs_io *io);
	int (*sync)(struct vnode *v);
};

/*
 * A vnode.  refs counts references held outside the file system's own
 * structure (resolver, open files, working directories, mounts); every
 * such reference also holds its fs (fs->refs), so a file system lives while
 * any of its vnodes is in use.  When refs drops to 0 the fs's inactive
 * callback decides whether the vnode goes away (memfs: only once unlinked).
 */
struct vnode {
	unsigned refs;
	enum vnode_type type;
	uint64_t ino;
	const struct vnode_ops *ops;
	void *priv;          /* the op implementer's; devfs_add sets it */
	struct fs *fs;
	unsigned vflags;     /* VN_HASKIDS */
};

/*
 * vflags: VN_HASKIDS marks a non-directory that also names children
 * through its lookup op (taskfs's fd/N, a stream, has fd/N/ctl): the
 * resolver walks through it as through a directory.  Readdir, create and
 * the rest still treat it as the file it is.
 */
enum { VN_HASKIDS = 1 << 0 };

/* File-system-wide callbacks. */
struct fs_ops {
	void (*inactive)(struct vnode *v);   /* v->refs just became 0 */
	void (*destroy)(struct fs *fs);      /* fs->refs just became 0 */
};

enum {
	FS_RDONLY = 1 << 0,   /* every mutating op fails with E_ROFS */
	FS_CONFINE = 1 << 1,  /* absolute symlink targets resolve at this fs's root */
};

/*
 * A file system instance.  refs: holders of the fs itself plus one per
 * vnode reference (see struct vnode).  root is the fs's own pointer to its
 * root vnode and holds no reference; use fs_root() to get one.
 */
struct fs {
	unsigned refs;
	unsigned flags;
	uint64_t dev;        /* distinct per fs instance, for stat */
	const char *name;    /* "memfs", "devfs", "hostfs" */
	const struct fs_ops *ops;
	struct vnode *root;
	void *priv;
};

/* Takes a holder's reference on fs (mounts take vnode references instead). */
void fs_ref(struct fs *fs);
/* Drops one reference; the last one destroys the fs.  NULL is a no-op. */
void fs_unref(struct fs *fs);
/* A new reference to fs's root directory. */
struct vnode *fs_root(struct fs *fs);
/* A fresh device number for a new fs (file systems call it in their _new). */
uint64_t fs_next_dev(void);

/* Takes a reference on v and on its fs. */
void vn_ref(struct vnode *v);
/* Drops one reference (and its fs reference).  NULL is a no-op. */
void vn_unref(struct vnode *v);
/* Whether a and b are the same object (same fs and inode number). */
bool vn_same(const struct vnode *a, const struct vnode *b);

/*
 * Wrappers over struct vnode_ops: type and read-only checks, defaults for
 * missing ops.  Contracts as in struct vnode_ops.  vn_stat fills dev, ino
 * and type itself and zeros the rest before calling the op.  vn_set_times
 * resolves FS_*_NOW from the clock (E_INVAL if both a time and its NOW bit
 * are set).  vn_readdir adds "." and ".." (cookies 0 and 1) and shifts the
 * fs's cookies by 2.  vn_poll without an op: every requested event ready.
 */
int vn_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out);
int vn_read(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n);
int vn_write(struct vnode *v, struct fs_io *io, uint64_t off, const void *buf, size_t len,
	     size_t *n);
int vn_truncate(struct vnode *v, uint64_t size);
int vn_stat(struct vnode *v, struct fs_stat *st);
int vn_set_times(struct vnode *v, uint64_t atim, uint64_t mtim, unsigned flags);
int vn_readdir(struct vnode *dir, uint64_t cookie, fs_dirent_fn fn, void *arg);
int vn_readlink(struct vnode *v, char *buf, size_t cap, size_t *len);
unsigned vn_poll(struct vnode *v, unsigned events, struct fs_io *io);
int vn_sync(struct vnode *v);
/* The close hook for a vnode that fs_open opened with oflags. */
void vn_close(struct vnode *v, unsigned oflags, struct fs_io *io);

/*
 * The clock for timestamps, system-wide (one per host process): now_ns(arg)
 * returns nanoseconds since the epoch.  NULL restores the default (the
 * host's CLOCK_REALTIME).  The system sets it once at creation.
 */
void fs_set_clock(uint64_t (*now_ns)(void *), void *arg);
uint64_t fs_now(void);
/*
 * For the calling thread only, until the matching fs_clock_pop: fs_now
 * reads now_ns(arg) instead (NULL: the clock fs_set_clock chose), and
 * fs_next_dev counts with *devs (NULL: the process-wide counter). Pushes
 * nest (a system's entry points push its own, src/sys/sys_impl.h, so its
 * file times and device numbers are its own).
 */
void fs_clock_push(uint64_t (*now_ns)(void *), void *arg, uint64_t *devs);
void fs_clock_pop(void);

/* ---- namespaces ------------------------------------------------------- */

/* Flags of binds and mounts (Plan 9's bind(1) and mount(1)). */
enum {
	NS_RDONLY = 1 << 0,   /* everything reached through this member is read-only */
	NS_BEFORE = 1 << 1,   /* bind -b: a union, the new member searched first */
	NS_AFTER = 1 << 2,    /* bind -a: a union, the new member searched last */
	NS_CREATE = 1 << 3,   /* bind -c: files created in the union go here */
	NS_MODES = NS_BEFORE | NS_AFTER,
};

/*
 * A namespace: a refcounted, ordered mount table (Plan 9's pgrp).  Entry 0
 * is the root; every other entry covers one directory (or file) and lists
 * what is bound there.  Mounts are keyed by the covered vnode, not by a
 * path string, so a mount is found whichever path reaches it.
 *
 * Binding in replace mode (no NS_BEFORE/NS_AFTER) stacks a new entry on
 * top of what the place showed; unbinding the place pops it again.  With
 * NS_BEFORE or NS_AFTER the place becomes a union directory: its first
 * bind keeps the original directory as a member (searched after, or
 * before, the new one), later ones add members to the same union.
 *
 * A union directory: lookup asks each member in order and the first that
 * has the name wins (an error other than "no such entry" also stops the
 * search); readdir lists every member's entries, a name shown once (by
 * the member that wins its lookup); unlink, rmdir and rename act in the
 * member that holds the name; create, mkdir and symlink go to the first
 * member that allows creation: the original directory, or one bound with
 * NS_CREATE (EACCES when none does).  Unions may contain unions, to a
 * depth of NS_UNION_DEPTH; a bind that would make a union contain itself
 * fails with E_LOOP.
 *
 * ".." is decided by the walk: a resolution remembers the directories it
 * walked down through and ".." returns to the previous one, so leaving a
 * bind or mount always lands where the path entered it.  Only a walk that
 * starts below its own history (from a working directory) asks the mount
 * table, which maps a mount's root back to the place it is bound (the
 * topmost such place when a directory is bound at several).
 *
 * Read-only: a vnode is read-only through ns when its fs is FS_RDONLY or
 * a mount of its fs carries NS_RDONLY.  A bind inherits read-only-ness
 * from the path it binds: nothing can be made writable by binding it.
 *
 * Copies share a family (fs: "union") that names union directories by the
 * place they cover, so the same union has the same identity in a copy.
 */
struct ns;

/* A namespace with root mounted at "/" (NULL on allocation failure). */
struct ns *ns_new(struct vnode *root);
/* A copy of the mount table (fork without sharing); NULL on allocation failure. */
struct ns *ns_copy(struct ns *ns);
/* Shares ns (fork with a shared namespace); ns_unref drops one reference, NULL is a no-op. */
void ns_ref(struct ns *ns);
void ns_unref(struct ns *ns);
/* A new reference to the namespace root directory. */
struct vnode *ns_root(struct ns *ns);

/*
 * Mounts root (a directory) on the directory named by path (resolved in ns
 * from its root, following symlinks), in replace mode.  flags: NS_RDONLY.
 * E_NOTDIR when either is not a directory, E_INVAL for other flags or a
 * directory mounted on itself, E_NOMEM.
 */
int ns_mount(struct ns *ns, const char *path, size_t len, struct vnode *root, unsigned flags);
/* Removes the topmost mount at path.  E_INVAL if nothing is mounted there. */
int ns_unmount(struct ns *ns, const char *path, size_t len);

/*
 * bind [-b|-a|-c] old new: makes what old names (resolved relative to cwd,
 * following symlinks) visible at new.  flags: NS_BEFORE or NS_AFTER (a
 * union; both: E_INVAL), NS_CREATE.  Directories bind onto directories
 * (E_NOTDIR otherwise), files onto files in replace mode only (E_ISDIR,
 * E_NOTDIR).  new may be "/": the root union gets the member, or in
 * replace mode becomes old alone.  Errors: the resolver's, E_INVAL (old
 * is already what new shows, or new ends in "." or ".."), E_EXIST (old is
 * already a member there), E_LOOP (a union inside itself), E_NOSPC (over
 * NS_MEMBERS_MAX members or NS_ENTRIES_MAX entries), E_NOMEM.
 */
int ns_bind(struct ns *ns, struct vnode *cwd, const char *old, size_t olen, const char *new,
	    size_t nlen, unsigned flags);

/* ns_bind of a vnode the caller holds; src labels it in listings. */
int ns_bind_vnode(struct ns *ns, struct vnode *cwd, struct vnode *root, const char *src,
		  const char *new, size_t nlen, unsigned flags);

/*
 * unbind [old] new: without old (NULL), removes the topmost entry at new
 * (everything bound there by the last replace bind, or its union); with
 * old, removes only the member old names from the union at new (the
 * entry goes when nothing but the original is left).  E_INVAL when
 * nothing (or not old) is bound at new, or new is the root and old NULL;
 * E_BUSY when the root would be left empty; E_PERM for an entry locked
 * by ns_set_nomount.
 */
int ns_unbind(struct ns *ns, struct vnode *cwd, const char *old, size_t olen, const char *new,
	      size_t nlen);

/*
 * mount [-b|-a|-c] spec new: a file system by name bound at new.  spec:
 * "memfs" or "memfs:BYTES" (a fresh, empty in-memory fs with that quota,
 * default NS_MEMFS_QUOTA), or "#name", a file system the system offered
 * to every namespace of the family with ns_srv_add.  E_PERM for "#name"
 * in a namespace marked nomount, E_NOENT for an unknown name, E_INVAL for
 * a malformed spec; otherwise as ns_bind.
 */
#define NS_MEMFS_QUOTA (64u << 20)
int ns_mount_spec(struct ns *ns, struct vnode *cwd, const char *spec, size_t slen,
		  const char *new, size_t nlen, unsigned flags);

/*
 * Offers the directory root to every namespace of ns's family under
 * "#name" (Plan 9's kernel devices: "#task", "#devfs", a host directory).
 * E_EXIST, E_INVAL (a bad name, a union directory), E_NOMEM.
 */
int ns_srv_add(struct ns *ns, const char *name, struct vnode *root);

/*
 * ns_srv_add of fs's root under "#name", then mounted at path of ns
 * (ns_mount, no flags).  Takes the caller's reference to fs in every case.
 * 0, or ns_srv_add's or ns_mount's error.
 */
int ns_srv_mount(struct ns *ns, const char *name, const char *path, struct fs *fs);

/*
 * Plan 9's RFNOMNT: from now on ns (and every copy made of it) refuses
 * "#name" mounts, and the entries it has now are locked: unbinding one
 * fails with E_PERM (as Linux locks the mounts a less privileged
 * namespace inherits), so what they hide stays hidden.  Binds on top and
 * removing union members, which only rearrange or hide, still work.
 * There is no way back.
 */
void ns_set_nomount(struct ns *ns);
bool ns_nomount(const struct ns *ns);

/*
 * The mount table as text, in a malloc'd NUL-terminated buffer (*out,
 * owned by the caller; *len its length).  NS_TEXT_MOUNTS: one line per
 * member, "PATH SOURCE FS FLAGS" in search order (FLAGS: "rw" or "ro",
 * then ",create"; "union" for the members of a union).  NS_TEXT_DUMP:
 * the binds and mounts that rebuild the table from its root, as shell
 * commands ("bind -a /tmp/bin /bin").  E_NOMEM.
 */
enum { NS_TEXT_MOUNTS, NS_TEXT_DUMP };
int ns_text(struct ns *ns, int form, char **out, size_t *len);

/* ---- path resolution --------------------------------------------------- */

enum {
	FS_FOLLOW = 1 << 0,   /* follow a final symlink (always for a trailing '/') */
	FS_PARENT = 1 << 1,   /* stop before the last component */
};

/*
 * The result of fs_resolve.
 *
 * Without FS_PARENT: vn is the object (ref); dir is NULL; namelen 0.
 *
 * With FS_PARENT: dir is the directory holding the last component (ref),
 * name/namelen the component, vn the object it names or NULL when it does
 * not exist (a final symlink is followed only with FS_FOLLOW; if followed,
 * dir/name describe the link's target).  When the path has no last name
 * ("/", "a/..", "."), namelen is 0, dir NULL and vn the directory.
 *
 * dirslash: the path ended in '/' (the object must be a directory).
 * covered: vn was reached by stepping onto a mount (it is a mount point).
 * rdonly: vn (or dir, when vn is NULL) is on a read-only fs or mount.
 */
struct fs_path {
	struct vnode *dir;
	struct vnode *vn;
	char name[FS_NAME_MAX + 1];
	size_t namelen;
	bool dirslash;
	bool covered;
	bool rdonly;
};

/*
 * Resolves path[0..len) in ns.  Absolute paths start at the namespace root,
 * relative ones at cwd (a directory; may be NULL for absolute paths only).
 *
 * "." stays; ".." never rises above the namespace root and crosses mounts
 * upward (from a mount's root to the parent of the directory it covers).
 * Symlinks in the middle are always followed, at most FS_SYMLOOP_MAX in all
 * (E_LOOP).  A relative target resolves from the link's directory; an
 * absolute one from the namespace root, except inside an FS_CONFINE file
 * system (hostfs), where it resolves from that file system's root: a host
 * directory's links can never name anything outside it.
 *
 * Errors: E_NOENT (missing component; empty path), E_NOTDIR (a non-directory
 * in the middle, or before a trailing '/'), E_NAMETOOLONG (a component over
 * FS_NAME_MAX, a path over FS_PATH_MAX), E_INVAL (a NUL byte in the path:
 * no host or guest path can name it, so it is a malformed argument rather
 * than a missing file), E_LOOP, E_NOMEM, or whatever a lookup returned.
 * On error *out holds no references.
 */
int fs_resolve(struct ns *ns, struct vnode *cwd, const char *path, size_t len, int flags,
	       struct fs_path *out);
/* Drops the references in p and clears it; safe on a cleared path. */
void fs_path_release(struct fs_path *p);

/*
 * Writes the absolute namespace path of directory dir into buf (NUL-
 * terminated), walking ".." and searching each parent for the child.
 * E_RANGE if cap is too small (*len, if not NULL, gets the length needed
 * without the NUL), E_NOENT if dir is no longer reachable from the root
 * (removed, or on a file system not mounted in ns).
 */
int fs_getcwd(struct ns *ns, struct vnode *dir, char *buf, size_t cap, size_t *len);

/* ---- path-level operations (what the ABI's path_* calls need) --------- */

/*
 * Opens path relative to base: resolves it (following a final symlink
 * unless FS_O_NOFOLLOW), creates a regular file with FS_O_CREAT (E_EXIST
 * with FS_O_EXCL), checks FS_O_DIRECTORY (E_NOTDIR), refuses writing a
 * directory (E_ISDIR) or anything on a read-only fs (E_ROFS), truncates
 * with FS_O_TRUNC, then calls the open hook.  *out: a new reference; the
 * caller calls vn_close(v, oflags, io) then vn_unref when done.
 */
int fs_open(struct ns *ns, struct vnode *base, const char *path, size_t len, unsigned oflags,
	    struct fs_io *io, struct vnode **out);
int fs_mkdir(struct ns *ns, struct vnode *base, const char *path, size_t len);
/* Removes a non-directory (E_ISDIR for a directory). */
int fs_unlink(struct ns *ns, struct vnode *base, const char *path, size_t len);
/* Removes an empty directory (E_NOTEMPTY, E_NOTDIR, E_BUSY for a mount point or root). */
int fs_rmdir(struct ns *ns, struct vnode *base, const char *path, size_t len);
/*
 * POSIX rename: replaces a file by a file or a directory by an empty
 * directory; E_INVAL moving a directory into its own subtree, E_XDEV across
 * file systems, E_BUSY for mount points; renaming onto itself succeeds.
 */
int fs_rename(struct ns *ns, struct vnode *obase, const char *opath, size_t olen,
	      struct vnode *nbase, const char *npath, size_t nlen);
/* Hard link; follow: follow a final symlink of the old path.  E_PERM for directories. */
int fs_link(struct ns *ns, struct vnode *obase, const char *opath, size_t olen, bool follow,
	    struct vnode *nbase, const char *npath, size_t nlen);
int fs_symlink(struct ns *ns, const char *target, size_t tlen, struct vnode *base,
	       const char *path, size_t len);
int fs_readlink(struct ns *ns, struct vnode *base, const char *path, size_t len, char *buf,
		size_t cap, size_t *n);
int fs_stat(struct ns *ns, struct vnode *base, const char *path, size_t len, bool follow,
	    struct fs_stat *st);
int fs_set_times(struct ns *ns, struct vnode *base, const char *path, size_t len, bool follow,
		 uint64_t atim, uint64_t mtim, unsigned flags);

/*
 * Conveniences for the system: fs_put writes a whole file at an absolute
 * path (created or truncated; parents must exist); fs_get reads a whole
 * regular file (path NUL-terminated, relative to base) into a malloc'd
 * buffer (*data owned by the caller; E_FBIG over max bytes, E_ISDIR /
 * E_INVAL for a directory / anything not a regular file).
 */
int fs_put(struct ns *ns, const char *path, const void *data, size_t len);
int fs_get(struct ns *ns, struct vnode *base, const char *path, size_t max, void **data,
	   size_t *len);

/* ---- file systems ------------------------------------------------------ */

/*
 * An empty in-memory file system (a root directory).  quota: bytes of file
 * data, names, symlink targets and per-node overhead the fs may hold
 * (E_NOSPC beyond; 0 = unlimited).  Returns a new fs reference, NULL on
 * allocation failure.
 */
struct fs *memfs_new(uint64_t quota);
/* Bytes currently charged against the quota. */
uint64_t memfs_used(struct fs *fs);

/*
 * A device file system holding null, zero, random and urandom.  The random
 * devices draw from a generator seeded with seed: the same seed gives the
 * same bytes.  NULL on allocation failure.
 */
struct fs *devfs_new(uint64_t seed);
/*
 * Adds a device: name (one component) becomes a VN_CHAR (or type) vnode
 * with ops and priv (borrowed: they must outlive the fs).  E_EXIST,
 * E_NAMETOOLONG, E_NOMEM.
 */
int devfs_add(struct fs *devfs, const char *name, enum vnode_type type,
	      const struct vnode_ops *ops, void *priv);

enum {
	HOSTFS_RDONLY = 1 << 0,
};

/*
 * A host directory as a file system.  Confined: every component is opened
 * relative to a directory descriptor held by warren (openat with
 * O_NOFOLLOW), never as a multi-component or absolute host path; host
 * symlinks come back as VN_SYMLINK for the resolver (FS_CONFINE); ".." at
 * the root answers the root.  Only regular files, directories and symlinks
 * are visible (others: E_ACCES, and hidden from readdir).  Host errors map
 * to the nearest errno.  *out: a new fs reference.  E_NOENT / E_NOTDIR /
 * E_ACCES when hostpath is not an accessible directory.
 */
int hostfs_new(const char *hostpath, unsigned flags, struct fs **out);

/*
 * The default root: a memfs (quota as memfs_new) with /bin, /tmp, /dev,
 * /task, /cap, /home and /etc, and a devfs (seeded with seed) mounted on
 * /dev.  *devfs_out (if not NULL) gets a reference to the devfs, for
 * devfs_add("console").  Returns a new namespace, NULL on allocation failure.
 */
struct ns *fs_default_root(uint64_t quota, uint64_t seed, struct fs **devfs_out);

#endif
