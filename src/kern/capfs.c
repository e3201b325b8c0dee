/*
 * capfs.c - /cap: pipes as named capabilities (task.h).
 *
 * Reading /cap/new/pipe makes a pipe and returns its id; /cap/ID/r and
 * /cap/ID/w are its ends.  Whoever can name the id can open an end, so
 * ids are drawn from a generator seeded by the system seed: not guessable
 * from other ids, reproducible per seed.
 *
 * capfs holds both ends of a pipe until each has been opened: then the
 * end lives exactly as long as the files opened on it, so the last
 * writer's close is the readers' end of file and the last reader's close
 * is the writers' EPIPE, as with any pipe.  A pipe whose ends have both
 * been opened and closed is gone; one never opened stays until the file
 * system goes (at most CAP_MAX at a time).
 */
#include "kern/kern.h"
#include "base/alloc.h"
#include "kern/file.h"
#include "kern/task.h"
#include "fs/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP_MAX 1024

enum ckind { C_ROOT, C_NEWDIR, C_NEWPIPE, C_DIR, C_R, C_W };

struct cpipe {
	uint64_t id;
	struct file *end[2];       /* [0] read, [1] write; NULL once closed for good */
	unsigned opens[2];         /* files open on each end */
	struct cpipe *next;
};

struct cnode {
	struct vnode v;
	enum ckind kind;
	uint64_t id;               /* C_DIR, C_R, C_W; C_NEWPIPE: the pipe this open made */
};

struct capfs {
	struct fs fs;
	struct kern *k;
	struct cnode top;
	struct cpipe *pipes;
	size_t n;
	uint64_t rng;
};

static const struct vnode_ops ops;

static struct capfs *
CF(struct vnode *v)
{
	return v->fs->priv;
}

static struct cnode *
CN(struct vnode *v)
{
	return v->priv;
}

static struct cpipe *
findpipe(struct capfs *c, uint64_t id)
{
	for (struct cpipe *p = c->pipes; p; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

static void
droppipe(struct capfs *c, struct cpipe *p)
{
	struct cpipe **pp;

	for (pp = &c->pipes; *pp != p; pp = &(*pp)->next)
		;
	*pp = p->next;
	file_unref(p->end[0]);
	file_unref(p->end[1]);
	al_free(p);
	c->n--;
}

/* A fresh id: 48 bits of xorshift64*, never 0, never in use. */
static uint64_t
newid(struct capfs *c)
{
	uint64_t id;

	do {
		c->rng ^= c->rng >> 12;
		c->rng ^= c->rng << 25;
		c->rng ^= c->rng >> 27;
		id = (c->rng * 0x2545f4914f6cdd1dull) >> 16;
	} while (!id || findpipe(c, id));
	return id;
}

static int
mkpipe(struct capfs *c, uint64_t *id)
{
	struct cpipe *p;
	int e;

	if (c->n >= CAP_MAX)
		return E_NFILE;
	if (!(p = al_calloc(1, sizeof *p)))
		return E_NOMEM;
	if ((e = pipe_new(c->k, false, 0, &p->end[0], &p->end[1]))) {
		al_free(p);
		return e;
	}
	p->id = newid(c);
	p->next = c->pipes;
	c->pipes = p;
	c->n++;
	*id = p->id;
	return 0;
}

static int
give(struct capfs *c, enum ckind kind, uint64_t id, enum vnode_type type, struct vnode **out)
{
	struct cnode *n = al_calloc(1, sizeof *n);

	if (!n)
		return E_NOMEM;
	n->v = (struct vnode){ .type = type, .ino = (uint64_t)kind << 56 | id, .ops = &ops, .priv = n,
			       .fs = &c->fs };
	n->kind = kind;
	n->id = id;
	vn_ref(&n->v);
	*out = &n->v;
	return 0;
}

static bool
parseid(const char *s, size_t len, uint64_t *id)
{
	uint64_t v = 0;

	if (len == 0 || len > 15 || s[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*id = v;
	return true;
}

static int
lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct capfs *c = CF(dir);
	struct cnode *n = CN(dir);
	uint64_t id;

	*out = NULL;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		vn_ref(&c->top.v);
		*out = &c->top.v;
		return 0;
	}
	switch (n->kind) {
	case C_ROOT:
		if (len == 3 && !memcmp(name, "new", 3))
			return give(c, C_NEWDIR, 0, VN_DIR, out);
		if (!parseid(name, len, &id) || !findpipe(c, id))
			return E_NOENT;
		return give(c, C_DIR, id, VN_DIR, out);
	case C_NEWDIR:
		if (len == 4 && !memcmp(name, "pipe", 4))
			return give(c, C_NEWPIPE, 0, VN_FILE, out);
		return E_NOENT;
	case C_DIR:
		if (!findpipe(c, n->id))
			return E_NOENT;
		if (len == 1 && (name[0] == 'r' || name[0] == 'w'))
			return give(c, name[0] == 'r' ? C_R : C_W, n->id, VN_CHAR, out);
		return E_NOENT;
	default:
		return E_NOTDIR;
	}
}

static int
readdir_(struct vnode *dir, uint64_t cookie, fs_dirent_fn fn, void *arg)
{
	struct capfs *c = CF(dir);
	struct cnode *n = CN(dir);
	struct cpipe *p;
	char name[24];
	uint64_t i;

	switch (n->kind) {
	case C_ROOT:
		if (cookie == 0 && fs_dirent_emit(fn, arg, 1,
						  (uint64_t)C_NEWDIR << 56, VN_DIR, "new"))
			return 0;
		/* Pipes are listed newest first: the cookie counts entries from the head. */
		for (i = 1, p = c->pipes; p; p = p->next, i++) {
			if (i < cookie)
				continue;
			snprintf(name, sizeof name, "%llu", (unsigned long long)p->id);
			if (fs_dirent_emit(fn, arg, i + 1,
					   (uint64_t)C_DIR << 56 | p->id, VN_DIR, name))
				return 0;
		}
		return 0;
	case C_NEWDIR:
		if (cookie == 0)
			fs_dirent_emit(fn, arg, 1, (uint64_t)C_NEWPIPE << 56, VN_FILE, "pipe");
		return 0;
	case C_DIR:
		if (!findpipe(c, n->id))
			return E_NOENT;
		if (cookie == 0 && fs_dirent_emit(fn, arg, 1,
						  (uint64_t)C_R << 56 | n->id, VN_CHAR, "r"))
			return 0;
		if (cookie <= 1)
			fs_dirent_emit(fn, arg, 2, (uint64_t)C_W << 56 | n->id, VN_CHAR, "w");
		return 0;
	default:
		return E_NOTDIR;
	}
}

/* The end a C_R / C_W node names (borrowed), or NULL when it is gone. */
static struct file *
endof(struct vnode *v)
{
	struct cnode *n = CN(v);
	struct cpipe *p = findpipe(CF(v), n->id);

	return p ? p->end[n->kind == C_W] : NULL;
}

static int
open_(struct vnode *v, unsigned oflags, struct fs_io *io)
{
	struct capfs *c = CF(v);
	struct cnode *n = CN(v);
	struct cpipe *p;
	int side;

	(void)io;
	switch (n->kind) {
	case C_NEWPIPE:
		if (oflags & FS_O_WRITE)
			return E_ACCES;
		return n->id ? 0 : mkpipe(c, &n->id);
	case C_R:
	case C_W:
		side = n->kind == C_W;
		if (oflags & (side ? FS_O_READ : FS_O_WRITE))
			return E_ACCES;
		p = findpipe(c, n->id);
		if (!p || !p->end[side])
			return E_NOENT;
		p->opens[side]++;
		return 0;
	default:
		return oflags & FS_O_WRITE ? E_ISDIR : 0;
	}
}

static void
close_(struct vnode *v, unsigned oflags, struct fs_io *io)
{
	struct capfs *c = CF(v);
	struct cnode *n = CN(v);
	struct cpipe *p;
	int side = n->kind == C_W;

	(void)oflags, (void)io;
	if ((n->kind != C_R && n->kind != C_W) || !(p = findpipe(c, n->id)) || !p->opens[side])
		return;
	if (--p->opens[side] == 0) {
		file_unref(p->end[side]);
		p->end[side] = NULL;
		if (!p->end[!side])
			droppipe(c, p);
	}
}

static int
read_(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n)
{
	struct cnode *cn = CN(v);
	struct file *f;
	char s[24];
	size_t l;

	*n = 0;
	if (cn->kind == C_NEWPIPE) {
		if (!cn->id)
			return E_BADF;
		l = (size_t)snprintf(s, sizeof s, "%llu\n", (unsigned long long)cn->id);
		if (off >= l)
			return 0;
		*n = l - off < len ? l - (size_t)off : len;
		memcpy(buf, s + off, *n);
		return 0;
	}
	if (cn->kind != C_R || !(f = endof(v)))
		return E_BADF;
	return file_read(f, buf, len, n, io);
}

static int
write_(struct vnode *v, struct fs_io *io, uint64_t off, const void *buf, size_t len, size_t *n)
{
	struct file *f;

	(void)off;
	*n = 0;
	if (CN(v)->kind != C_W || !(f = endof(v)))
		return E_BADF;
	return file_write(f, buf, len, n, io);
}

static unsigned
poll_(struct vnode *v, unsigned events, struct fs_io *io)
{
	struct cnode *n = CN(v);
	struct file *f;

	if ((n->kind == C_R || n->kind == C_W) && (f = endof(v)))
		return file_poll(f, events, io);
	return events & (FS_POLLIN | FS_POLLOUT);
}

static int
stat_(struct vnode *v, struct fs_stat *st)
{
	st->atim = st->mtim = st->ctim = fs_now();
	if (v->type == VN_DIR)
		st->nlink = 2;
	return 0;
}

static const struct vnode_ops ops = {
	.lookup = lookup,
	.readdir = readdir_,
	.read = read_,
	.write = write_,
	.open = open_,
	.close = close_,
	.poll = poll_,
	.stat = stat_,
	.set_times = fs_times_ignored,
	.truncate = fs_truncate_ignored,
};

static void
inactive(struct vnode *v)
{
	if (CN(v)->kind != C_ROOT)
		al_free(v->priv);
}

static void
destroy(struct fs *fs)
{
	struct capfs *c = fs->priv;

	while (c->pipes)
		droppipe(c, c->pipes);
	al_free(c);
}

static const struct fs_ops fsops = {
	.inactive = inactive,
	.destroy = destroy,
};

struct fs *
capfs_new(struct kern *k)
{
	struct capfs *c = al_calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->fs = (struct fs){ .refs = 1, .dev = fs_next_dev(), .name = "capfs", .ops = &fsops,
			     .root = &c->top.v, .priv = c };
	c->top.v = (struct vnode){ .type = VN_DIR, .ino = 1, .ops = &ops, .priv = &c->top,
				   .fs = &c->fs };
	c->top.kind = C_ROOT;
	c->k = k;
	c->rng = k->cfg.seed ^ 0x9e3779b97f4a7c15ull;
	if (!c->rng)
		c->rng = 1;
	return &c->fs;
}
