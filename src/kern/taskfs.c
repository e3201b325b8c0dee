/*
 * taskfs.c - /task: every process as a directory of files (task.h).
 *
 * Three tables make the file system, in the manner of Plan 9's devproc:
 * `files` lists every kind of file with its directory, type and the
 * function that makes its text; `verbs` lists the ctl messages with their
 * argument counts and where each is accepted; the tokenizer and one
 * dispatcher do the rest.  Each error message is written once, in the
 * verb that fails.
 *
 * Vnodes are made per lookup and carry (kind, pid, fd).  Every operation
 * starts with settle(), which finds the process again by pid, checks that
 * the view still shows it and whether it has ended: a handle can only
 * ever reach its own process, and after the end only the files that
 * report the end (and a made task's leftover output) answer anything but
 * E_SRCH.
 *
 * Records (struct trec) keep what the kernel does not: a made task's
 * pipe ends, its staged command, environment and limits, the last ctl
 * error, and how a task ended once it is reaped (so `wait` still answers
 * after someone else collected the zombie).  Records of ended tasks are
 * bounded (ENDED_KEEP), the oldest forgotten first.
 *
 * Text files are generated per read and read positionally, so `cat` sees
 * a stable snapshot as long as it reads in one go (what Plan 9 does too).
 */
#include "kern/kern.h"
#include "base/alloc.h"
#include "kern/kern_impl.h"
#include "kern/file.h"
#include "kern/task.h"
#include "fs/fs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENDED_KEEP 64          /* records of ended tasks kept */
#define ANC_MAX 8              /* ancestors remembered when a task ends */
#define ERR_MAX 200            /* bytes of a ctl error message */
#define CTL_MAX 4096           /* bytes of one ctl write */
#define ARGS_MAX 64            /* tokens of one ctl line */
#define ENV_MAX (64u << 10)    /* bytes of a staged environment */
#define PAGE 65536u

/* ---- state ------------------------------------------------------------------------- */

struct trec {
	int32_t pid;
	int32_t vroot;             /* root of the view it was made through (0: all) */
	bool made;                 /* by /task/new */
	bool started;
	bool ended;
	int32_t wstatus;
	uint64_t endseq;
	int32_t anc[ANC_MAX];      /* its ancestors when it ended */
	int nanc;
	int32_t ppid, pgid;        /* when it ended, for status */
	uint64_t used;             /* fuel it ran */
	char name[PROC_NAME_MAX];
	struct file *end[3];       /* made: taskfs's ends of its stdio pipes */
	char **argv;               /* cmd, until start */
	char *env;                 /* made: the environment, until start */
	size_t envlen;
	uint64_t memlimit;         /* bytes; applied at start (0: none) */
	uint64_t fuel;             /* fuel limit; applied at start (0: none) */
	char err[ERR_MAX];         /* the last ctl failure */
	struct trec *next;
};

struct tview;

struct tfs {
	struct kern *k;
	unsigned refs;             /* views */
	struct trec *recs;
	size_t nended;
	uint64_t endseq;
	char exitchan;             /* wait readers sleep on its address */
	struct tview *views;
};

enum tkind {
	T_ROOT, T_NEW, T_SELF, T_TASK, T_CTL, T_STATUS, T_WAIT, T_EXITCODE, T_ENV, T_CWD,
	T_ARGS, T_FDDIR, T_NSDIR, T_STATDIR, T_TREE, T_FD, T_FDCTL, T_NSCTL, T_MOUNTS,
	T_DUMP, T_MEM, T_CPU, T_IO, T_NKINDS
};

struct tnode {
	struct vnode v;
	enum tkind kind;
	int32_t pid;
	int32_t fd;
	int32_t made;              /* T_NEW: the task this open made */
};

struct tview {
	struct fs fs;
	struct tfs *t;
	int32_t root;              /* 0: every task */
	struct tnode top;
	struct tview *next;
};

/* What one operation on a node works with (settle() fills it). */
struct tcx {
	struct tview *v;
	struct tfs *t;
	struct kern *k;
	struct tnode *n;
	int32_t pid;
	struct proc *p;            /* alive (not a zombie), or NULL */
	struct trec *r;            /* NULL if none */
	bool ended;
	int32_t wstatus;
	struct proc *caller;       /* the process doing the I/O; NULL: the host */
	char msg[ERR_MAX];         /* why it failed, for the ctl error */
};

static const struct vnode_ops ops;
static const struct fs_ops viewops;

/* ---- text ------------------------------------------------------------------------- */

struct text {
	char *s;
	size_t len, cap;
	bool oom;
};

static void
tput(struct text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 128;
		char *p;

		while (cap < t->len + n + 1)
			cap *= 2;
		if (!(p = al_realloc(t->s, cap))) {
			t->oom = true;
			return;
		}
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = 0;
}

static void tprintf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
tprintf(struct text *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		tput(t, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* A name or message shown on one line: control bytes and spaces as '?'/'_'. */
static void
tword(struct text *t, const char *s, size_t n, bool spaces)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char c = ch < 0x20 || ch == 0x7f ? '?' : !spaces && ch == ' ' ? '_' : (char)ch;

		tput(t, &c, 1);
	}
}

static size_t
boundedlen(const char *s, size_t cap)
{
	const char *z = memchr(s, 0, cap);

	return z ? (size_t)(z - s) : cap;
}

/* ---- records ------------------------------------------------------------------------ */

static struct trec *
findrec(struct tfs *t, int32_t pid)
{
	for (struct trec *r = t->recs; r; r = r->next)
		if (r->pid == pid)
			return r;
	return NULL;
}

static struct trec *
getrec(struct tfs *t, int32_t pid)
{
	struct trec *r = findrec(t, pid);

	if (r)
		return r;
	r = al_calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->pid = pid;
	r->next = t->recs;
	t->recs = r;
	return r;
}

static void
freerec(struct trec *r)
{
	for (int i = 0; i < 3; i++)
		file_unref(r->end[i]);
	al_free(r->argv);
	al_free(r->env);
	al_free(r);
}

/* Forgets the oldest ended records beyond ENDED_KEEP. */
static void
trim(struct tfs *t)
{
	while (t->nended > ENDED_KEEP) {
		struct trec **pp, **old = NULL, *r;

		for (pp = &t->recs; *pp; pp = &(*pp)->next)
			if ((*pp)->ended && (!old || (*pp)->endseq < (*old)->endseq))
				old = pp;
		if (!old)
			break;
		r = *old;
		*old = r->next;
		freerec(r);
		t->nended--;
	}
}

static void
ended(struct tfs *t, struct trec *r, int32_t wstatus, struct proc *p)
{
	if (r->ended)
		return;
	r->ended = true;
	r->wstatus = wstatus;
	r->endseq = ++t->endseq;
	r->nanc = 0;
	for (struct proc *q = p ? p->parent : NULL; q && r->nanc < ANC_MAX; q = q->parent)
		r->anc[r->nanc++] = q->pid;
	if (p) {
		r->ppid = p->ppid;
		r->pgid = p->pgid;
		r->used = p->fuel;
		memcpy(r->name, p->name, sizeof r->name);
	}
	al_free(r->argv);
	al_free(r->env);
	r->argv = NULL;
	r->env = NULL;
	/* Its input is nobody's business any more; its output may be drained. */
	file_unref(r->end[0]);
	r->end[0] = NULL;
	t->nended++;
	kern_wakeup(t->k, &t->exitchan);
	trim(t);
}

void
task_exited(struct proc *p)
{
	struct tfs *t = p->k->task;
	struct trec *r;

	if (!t || !(r = getrec(t, p->pid)))
		return;
	ended(t, r, p->wstatus, p);
}

/* ---- views -------------------------------------------------------------------------- */

/* Whether the view rooted at root shows pid (depth bounds the recursion). */
static bool
inview(struct tfs *t, int32_t root, int32_t pid, int depth)
{
	struct trec *r;

	if (!root || pid == root)
		return true;
	if (pid <= 0 || depth > 8)
		return false;
	for (struct proc *q = proc_find(t->k, pid); q; q = q->parent) {
		if (q->pid == root)
			return true;
		r = findrec(t, q->pid);
		if (r && r->vroot && r->vroot != q->pid && inview(t, root, r->vroot, depth + 1))
			return true;
	}
	r = findrec(t, pid);
	if (r && r->ended && !proc_find(t->k, pid)) {
		for (int i = 0; i < r->nanc; i++)
			if (inview(t, root, r->anc[i], depth + 1))
				return true;
		if (r->vroot && r->vroot != pid && inview(t, root, r->vroot, depth + 1))
			return true;
	}
	return false;
}

static uint64_t
inoof(enum tkind kind, int32_t pid, int32_t fd)
{
	return (uint64_t)(uint32_t)pid << 32 | (uint64_t)kind << 24 | ((uint32_t)fd & 0xffffff);
}

static struct tnode *mknode(struct tview *v, enum tkind kind, int32_t pid, int32_t fd);

static struct tview *
viewnew(struct tfs *t, int32_t root)
{
	struct tview *v = al_calloc(1, sizeof *v);

	if (!v)
		return NULL;
	v->fs = (struct fs){ .refs = 1, .dev = fs_next_dev(), .name = "taskfs", .ops = &viewops,
			     .root = &v->top.v, .priv = v };
	v->top.v = (struct vnode){ .type = VN_DIR, .ino = 1, .ops = &ops, .priv = &v->top,
				   .fs = &v->fs };
	v->top.kind = T_ROOT;
	v->t = t;
	v->root = root;
	v->next = t->views;
	t->views = v;
	t->refs++;
	return v;
}

static void
tfsfree(struct tfs *t)
{
	while (t->recs) {
		struct trec *r = t->recs;

		t->recs = r->next;
		freerec(r);
	}
	if (t->k->task == t)
		t->k->task = NULL;
	al_free(t);
}

static void
viewinactive(struct vnode *v)
{
	struct tnode *n = v->priv;

	if (n->kind != T_ROOT)
		al_free(n);
}

static void
viewdestroy(struct fs *fs)
{
	struct tview *v = fs->priv, **pp;
	struct tfs *t = v->t;

	for (pp = &t->views; *pp && *pp != v; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = v->next;
	al_free(v);
	if (--t->refs == 0)
		tfsfree(t);
}

static const struct fs_ops viewops = {
	.inactive = viewinactive,
	.destroy = viewdestroy,
};

/* The root of the view of pid's subtree: a new reference, or NULL. */
static struct vnode *
subview(struct tfs *t, int32_t pid)
{
	struct tview *v;
	struct vnode *r;

	for (v = t->views; v; v = v->next)
		if (v->root == pid)
			return fs_root(&v->fs);
	v = viewnew(t, pid);
	if (!v)
		return NULL;
	r = fs_root(&v->fs);
	fs_unref(&v->fs);   /* the vnode reference keeps it */
	return r;
}

/* ---- the files ---------------------------------------------------------------------- */

enum {
	F_WRITE = 1 << 0,    /* may be opened for writing */
	F_AFTER = 1 << 1,    /* answers after the task ended */
};

static int genctl(struct tcx *c, struct text *t);
static int genstatus(struct tcx *c, struct text *t);
static int genwait(struct tcx *c, struct text *t);
static int genexit(struct tcx *c, struct text *t);
static int genenv(struct tcx *c, struct text *t);
static int gencwd(struct tcx *c, struct text *t);
static int genargs(struct tcx *c, struct text *t);
static int genfdctl(struct tcx *c, struct text *t);
static int genmounts(struct tcx *c, struct text *t);
static int gendump(struct tcx *c, struct text *t);
static int genmem(struct tcx *c, struct text *t);
static int gencpu(struct tcx *c, struct text *t);
static int genio(struct tcx *c, struct text *t);
static int wrctl(struct tcx *c, const char *buf, size_t len);
static int wrenv(struct tcx *c, const char *buf, size_t len, uint64_t off);
static int wrcwd(struct tcx *c, const char *buf, size_t len);

static const struct tfile {
	const char *name;
	enum tkind dir;            /* where it is listed */
	enum vnode_type type;
	unsigned flags;
	int (*gen)(struct tcx *c, struct text *t);
} files[T_NKINDS] = {
	[T_ROOT] = { "", T_NKINDS, VN_DIR, F_AFTER, NULL },
	[T_NEW] = { "new", T_ROOT, VN_FILE, F_AFTER, NULL },
	[T_SELF] = { "self", T_ROOT, VN_SYMLINK, F_AFTER, NULL },
	[T_TASK] = { NULL, T_ROOT, VN_DIR, F_AFTER, NULL },
	[T_CTL] = { "ctl", T_TASK, VN_FILE, F_WRITE, genctl },
	[T_STATUS] = { "status", T_TASK, VN_FILE, F_AFTER, genstatus },
	[T_WAIT] = { "wait", T_TASK, VN_FILE, F_AFTER, genwait },
	[T_EXITCODE] = { "exitcode", T_TASK, VN_FILE, F_AFTER, genexit },
	[T_ENV] = { "env", T_TASK, VN_FILE, F_WRITE, genenv },
	[T_CWD] = { "cwd", T_TASK, VN_FILE, F_WRITE, gencwd },
	[T_ARGS] = { "args", T_TASK, VN_FILE, 0, genargs },
	[T_FDDIR] = { "fd", T_TASK, VN_DIR, F_AFTER, NULL },
	[T_NSDIR] = { "ns", T_TASK, VN_DIR, 0, NULL },
	[T_STATDIR] = { "stat", T_TASK, VN_DIR, 0, NULL },
	[T_TREE] = { "tree", T_TASK, VN_DIR, 0, NULL },
	[T_FD] = { NULL, T_FDDIR, VN_CHAR, F_WRITE | F_AFTER, NULL },
	[T_FDCTL] = { "ctl", T_FD, VN_FILE, F_WRITE | F_AFTER, genfdctl },
	[T_NSCTL] = { "ctl", T_NSDIR, VN_FILE, F_WRITE, genctl },
	[T_MOUNTS] = { "mounts", T_NSDIR, VN_FILE, 0, genmounts },
	[T_DUMP] = { "dump", T_NSDIR, VN_FILE, 0, gendump },
	[T_MEM] = { "mem", T_STATDIR, VN_FILE, 0, genmem },
	[T_CPU] = { "cpu", T_STATDIR, VN_FILE, 0, gencpu },
	[T_IO] = { "io", T_STATDIR, VN_FILE, 0, genio },
};

/* ---- settling a node -------------------------------------------------------------- */

static struct tnode *
N(struct vnode *v)
{
	return v->priv;
}

static struct tview *
V(struct vnode *v)
{
	return v->fs->priv;
}

/*
 * Finds the node's task again and decides whether the operation may go
 * on: E_SRCH when the task is gone, out of the view, or ended and the
 * file does not answer after the end.
 */
static int
settle(struct vnode *vn, struct fs_io *io, struct tcx *c)
{
	struct tnode *n = N(vn);
	struct proc *p;

	memset(c, 0, sizeof *c);
	c->v = V(vn);
	c->t = c->v->t;
	c->k = c->t->k;
	c->n = n;
	c->pid = n->pid;
	c->caller = io ? io->opener : NULL;
	if (n->kind == T_ROOT || n->kind == T_NEW || n->kind == T_SELF)
		return 0;
	c->r = findrec(c->t, n->pid);
	p = proc_find(c->k, n->pid);
	if (p && p->state == P_ZOMBIE) {
		c->ended = true;
		c->wstatus = p->wstatus;
	} else if (p) {
		c->p = p;
	} else if (c->r && c->r->ended) {
		c->ended = true;
		c->wstatus = c->r->wstatus;
	} else {
		return E_SRCH;
	}
	if (!inview(c->t, c->v->root, n->pid, 0))
		return E_SRCH;
	if (c->ended && !(files[n->kind].flags & F_AFTER))
		return E_SRCH;
	if (c->ended && n->kind == T_FD && !(c->r && n->fd < 3 && c->r->end[n->fd]))
		return E_SRCH;
	return 0;
}

/* ---- generated text --------------------------------------------------------------- */

static const char *
statename(enum proc_state s)
{
	static const char *const names[] = {
		[P_EMBRYO] = "new", [P_RUNNABLE] = "ready", [P_RUNNING] = "running",
		[P_BLOCKED] = "sleeping", [P_STOPPED] = "stopped", [P_ZOMBIE] = "zombie",
	};

	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static int
genctl(struct tcx *c, struct text *t)
{
	if (c->r && c->r->err[0])
		tprintf(t, "%s\n", c->r->err);
	return 0;
}

static int
genstatus(struct tcx *c, struct text *t)
{
	struct proc *p = c->p ? c->p : proc_find(c->k, c->pid);

	if (!p) {
		tprintf(t, "%d %d %d exited %llu 0 ", c->pid, c->r ? c->r->ppid : 0,
			c->r ? c->r->pgid : 0, (unsigned long long)(c->r ? c->r->used : 0));
		if (c->r && c->r->name[0])
			tword(t, c->r->name, boundedlen(c->r->name, sizeof c->r->name), false);
		else
			tput(t, "-", 1);
		tput(t, "\n", 1);
		return 0;
	}
	tprintf(t, "%d %d %d %s %llu %llu ", p->pid, p->ppid, p->pgid, statename(p->state),
		(unsigned long long)p->fuel, (unsigned long long)proc_pages(p) * PAGE);
	if (p->name[0])
		tword(t, p->name, boundedlen(p->name, sizeof p->name), false);
	else
		tput(t, "-", 1);
	tput(t, "\n", 1);
	return 0;
}

static int
genwait(struct tcx *c, struct text *t)
{
	int32_t ws = c->wstatus;

	if (!c->ended)
		return E_AGAIN;   /* the read op turns this into a sleep */
	if ((ws & 0x7f) == 0)
		tprintf(t, "exit %d\n", (ws >> 8) & 0xff);
	else
		tprintf(t, "signal %d %s\n", ws & 0x7f, sig_name(ws & 0x7f) ? sig_name(ws & 0x7f) : "?");
	return 0;
}

static int
genexit(struct tcx *c, struct text *t)
{
	if (!c->ended)
		return E_AGAIN;
	tprintf(t, "%d\n", wstatus_to_code(c->wstatus));
	return 0;
}

static int
genenv(struct tcx *c, struct text *t)
{
	if (c->r && c->r->env && !c->r->started) {
		tput(t, c->r->env, c->r->envlen);
		return 0;
	}
	for (int i = 0; c->p->envp && c->p->envp[i]; i++) {
		tput(t, c->p->envp[i], strlen(c->p->envp[i]));
		tput(t, "\n", 1);
	}
	return 0;
}

static int
gencwd(struct tcx *c, struct text *t)
{
	char *buf = al_malloc(FS_PATH_MAX + 1);
	int e;

	if (!buf)
		return E_NOMEM;
	if (!c->p->ns || !c->p->cwd)
		e = E_NOENT;
	else
		e = fs_getcwd(c->p->ns, c->p->cwd, buf, FS_PATH_MAX + 1, NULL);
	if (!e)
		tprintf(t, "%s\n", buf);
	al_free(buf);
	return e;
}

static int
genargs(struct tcx *c, struct text *t)
{
	char **v = c->r && c->r->argv && !c->r->started ? c->r->argv : c->p->argv;

	for (int i = 0; v && v[i]; i++) {
		tword(t, v[i], strlen(v[i]), true);
		tput(t, "\n", 1);
	}
	return 0;
}

static struct file *fdfile(struct tcx *c, int32_t fd, bool *made);

static int
genfdctl(struct tcx *c, struct text *t)
{
	bool made;
	struct file *f = fdfile(c, c->n->fd, &made);

	if (!f)
		return E_BADF;
	tprintf(t, "%s%s%s%s\n", made ? "taskpipe" : f->kind == FILE_PIPE ? "pipe"
		: file_isatty(f) ? "console" : f->vn->type == VN_DIR ? "dir" : "file",
		f->flags & FILE_READ ? " r" : "", f->flags & FILE_WRITE ? " w" : "",
		f->flags & FILE_APPEND ? " append" : "");
	return 0;
}

static int
nstext(struct tcx *c, struct text *t, int form)
{
	char *s;
	size_t len;
	int e;

	if (!c->p->ns)
		return E_NOENT;
	if ((e = ns_text(c->p->ns, form, &s, &len)))
		return e;
	tput(t, s, len);
	al_free(s);
	return 0;
}

static int
genmounts(struct tcx *c, struct text *t)
{
	return nstext(c, t, NS_TEXT_MOUNTS);
}

static int
gendump(struct tcx *c, struct text *t)
{
	return nstext(c, t, NS_TEXT_DUMP);
}

static int
genmem(struct tcx *c, struct text *t)
{
	struct proc *p = c->p;

	tprintf(t, "pages %u bytes %llu limit %llu\n", proc_pages(p),
		(unsigned long long)proc_pages(p) * PAGE,
		(unsigned long long)(p->inst ? (uint64_t)p->mem_cap * PAGE
				     : c->r ? c->r->memlimit : 0));
	return 0;
}

static int
gencpu(struct tcx *c, struct text *t)
{
	struct proc *p = c->p;

	tprintf(t, "fuel %llu limit %llu nice %d level %u\n", (unsigned long long)p->fuel,
		(unsigned long long)(p->fuel_limit ? p->fuel_limit : c->r ? c->r->fuel : 0),
		p->nice, p->level);
	return 0;
}

static int
genio(struct tcx *c, struct text *t)
{
	tprintf(t, "read %llu write %llu\n", (unsigned long long)c->p->rbytes,
		(unsigned long long)c->p->wbytes);
	return 0;
}

/* ---- ctl messages -------------------------------------------------------------- */

/*
 * Splits line into words in place: blanks separate, '...' quotes (a
 * doubled '' inside is one quote), as ns/dump writes them.  Returns the
 * count, or -1 for an unterminated quote, -2 for too many words.
 */
static int
tokenize(char *line, char **argv, int max)
{
	char *r = line, *w;
	int n = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r)
			return n;
		if (n == max)
			return -2;
		argv[n++] = w = r;
		while (*r && *r != ' ' && *r != '\t') {
			if (*r != '\'') {
				*w++ = *r++;
				continue;
			}
			for (r++;; r++) {
				if (!*r)
					return -1;
				if (*r == '\'' && r[1] == '\'') {
					*w++ = '\'';
					r++;
				} else if (*r == '\'') {
					r++;
					break;
				} else {
					*w++ = *r;
				}
			}
		}
		if (*r)
			r++;
		*w = 0;
	}
}

/* Where a verb is accepted. */
enum { V_CTL = 1, V_NS = 2, V_FD = 4 };

struct verb {
	const char *name;
	int min, max;              /* words after the verb */
	unsigned where;
	int (*fn)(struct tcx *c, int argc, char **argv);
	const char *usage;
};

static int
fail(struct tcx *c, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(struct tcx *c, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof c->msg, fmt, ap);
	va_end(ap);
	return e;
}

/* A decimal number in [lo, hi]; false when malformed or out of range. */
static bool
number(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v = 0;
	bool neg = *s == '-';

	if (neg || *s == '+')
		s++;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	v = neg ? -v : v;
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* Bytes with an optional K, M or G (binary), at most 2^48. */
static bool
bytes(const char *s, uint64_t *out)
{
	char buf[32];
	size_t n = strlen(s);
	uint64_t unit = 1;
	int64_t v;

	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 'K': case 'k': unit = 1u << 10; buf[n - 1] = 0; break;
	case 'M': case 'm': unit = 1u << 20; buf[n - 1] = 0; break;
	case 'G': case 'g': unit = 1u << 30; buf[n - 1] = 0; break;
	}
	if (buf[0] == '-' || !number(buf, 0, (INT64_C(1) << 48) / (int64_t)unit, &v))
		return false;
	*out = (uint64_t)v * unit;
	return true;
}

static int
signum(const char *s)
{
	int64_t v;

	if (number(s, 1, KSIG_MAX, &v))
		return (int)v;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (int i = 1; i <= KSIG_MAX; i++)
		if (sig_name(i) && !strcmp(sig_name(i) + 3, s))
			return i;
	return 0;
}

static bool
notstarted(struct tcx *c)
{
	return c->p && c->p->state == P_EMBRYO && c->r && c->r->made && !c->r->started;
}

static int
v_cmd(struct tcx *c, int argc, char **argv)
{
	char **v;

	if (!notstarted(c))
		return fail(c, E_BUSY, "the task has started");
	if (!(v = kern_strv_dup(argv, argc, NULL)))
		return E_NOMEM;
	al_free(c->r->argv);
	c->r->argv = v;
	return 0;
}

/* The environment text (K=V lines) as a vector; NULL on allocation failure. */
static char **
envvec(const char *s, size_t len)
{
	char *copy = al_malloc(len + 1), *line, *save = NULL;
	char **v = NULL, **lines = NULL;
	size_t n = 0, cap = 0;

	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = 0;
	for (line = copy; line; line = save) {
		if ((save = strchr(line, '\n')))
			*save++ = 0;
		if (!*line)
			continue;
		if (n == cap) {
			char **nl = al_realloc(lines, (cap = cap ? cap * 2 : 16) * sizeof *nl);

			if (!nl)
				goto out;
			lines = nl;
		}
		lines[n++] = line;
	}
	v = kern_strv_dup(lines, (int)n, NULL);
out:
	al_free(lines);
	al_free(copy);
	return v;
}

/* The preopen of a started task: fd 3, the root of its namespace (wasi-libc's "/"). */
static int
preopen(struct proc *p)
{
	struct fs_io io = { .opener = p };
	struct file *f;
	int32_t fd;
	int e;

	if (fdtab_get(p->fds, 3))
		return 0;
	if ((e = file_open(p->ns, NULL, "/", 1, FS_O_READ | FS_O_DIRECTORY, 0, &io, &f)))
		return e;
	e = fdtab_install(p->fds, f, 3, 0, &fd);
	file_unref(f);
	return e ? e : fd == 3 ? 0 : E_BADF;
}

static int
v_start(struct tcx *c, int argc, char **argv)
{
	struct proc *p = c->p;
	char **env;
	int e;

	(void)argc, (void)argv;
	if (!notstarted(c))
		return fail(c, E_BUSY, "the task has started");
	if (!c->r->argv || !c->r->argv[0])
		return fail(c, E_INVAL, "no cmd yet");
	env = envvec(c->r->env ? c->r->env : "", c->r->env ? c->r->envlen : 0);
	if (!env)
		return E_NOMEM;
	p->diag[0] = 0;
	e = proc_exec(p, c->r->argv[0], c->r->argv, env);
	al_free(env);
	if (e)
		return fail(c, e, "%s: %s", c->r->argv[0], p->diag[0] ? p->diag : fs_strerror(e));
	if (c->r->memlimit) {
		uint64_t pages = (c->r->memlimit + PAGE - 1) / PAGE;

		if (pages < proc_pages(p))
			return fail(c, E_NOMEM, "memlimit below the program's %u initial pages",
				    proc_pages(p));
		if (pages < p->mem_cap)
			p->mem_cap = (uint32_t)pages;
	}
	p->fuel_limit = c->r->fuel;
	if ((e = preopen(p)))
		return fail(c, e, "preopen: %s", fs_strerror(e));
	c->r->started = true;
	al_free(c->r->argv);
	al_free(c->r->env);
	c->r->argv = NULL;
	c->r->env = NULL;
	proc_start(p);
	return 0;
}

static int
v_kill(struct tcx *c, int argc, char **argv)
{
	int sig = argc ? signum(argv[0]) : KSIGKILL;

	if (!sig)
		return fail(c, E_INVAL, "no such signal");
	if (c->p->state == P_EMBRYO) {
		/* Never started: there is nothing to signal; it ends here. */
		struct trec *r = getrec(c->t, c->pid);

		if (!r)
			return E_NOMEM;
		ended(c->t, r, wstatus_signal(sig), c->p);
		proc_discard(c->p);
		c->p = NULL;
		return 0;
	}
	sig_send_proc(c->p, sig);
	return 0;
}

static int
v_stop(struct tcx *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (c->p->state == P_EMBRYO)
		return fail(c, E_BUSY, "not started");
	sig_send_proc(c->p, KSIGSTOP);
	return 0;
}

static int
v_cont(struct tcx *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	sig_send_proc(c->p, KSIGCONT);
	return 0;
}

static int
v_nice(struct tcx *c, int argc, char **argv)
{
	int64_t n;

	(void)argc;
	if (!number(argv[0], -20, 19, &n))
		return fail(c, E_INVAL, "nice is a number from -20 to 19");
	return proc_nice(c->p, (int)n - c->p->nice, NULL);
}

static int
v_memlimit(struct tcx *c, int argc, char **argv)
{
	uint64_t b, pages;

	(void)argc;
	if (!bytes(argv[0], &b) || b == 0)
		return fail(c, E_INVAL, "memlimit takes bytes, or a number with K, M or G");
	if (notstarted(c)) {
		c->r->memlimit = b;
		return 0;
	}
	pages = (b + PAGE - 1) / PAGE;
	if (pages < proc_pages(c->p))
		pages = proc_pages(c->p);     /* memory never shrinks: stop it growing */
	if (pages < c->p->mem_cap)
		c->p->mem_cap = (uint32_t)pages;
	return 0;
}

static int
v_fuel(struct tcx *c, int argc, char **argv)
{
	int64_t n;

	(void)argc;
	if (!number(argv[0], 1, INT64_MAX, &n))
		return fail(c, E_INVAL, "fuel takes a positive number of instructions");
	if (notstarted(c))
		c->r->fuel = (uint64_t)n;
	else
		c->p->fuel_limit = (uint64_t)n;
	return 0;
}

/* -b -a -c -bc ... into NS_* flags; the words after the options in *first. */
static int
nsflags(struct tcx *c, int argc, char **argv, unsigned *flags, int *first)
{
	int i;

	*flags = 0;
	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			switch (*o) {
			case 'b': *flags |= NS_BEFORE; break;
			case 'a': *flags |= NS_AFTER; break;
			case 'c': *flags |= NS_CREATE; break;
			case 'r': break;
			default: return fail(c, E_INVAL, "unknown option -%c", *o);
			}
		}
	}
	if ((*flags & NS_MODES) == NS_MODES)
		return fail(c, E_INVAL, "-b and -a together");
	*first = i;
	return 0;
}

static int
v_bind(struct tcx *c, int argc, char **argv)
{
	unsigned flags;
	int i, e;

	if ((e = nsflags(c, argc, argv, &flags, &i)))
		return e;
	if (argc - i != 2)
		return fail(c, E_INVAL, "usage: bind [-b|-a|-c] old new");
	e = ns_bind(c->p->ns, c->p->cwd, argv[i], strlen(argv[i]), argv[i + 1],
		    strlen(argv[i + 1]), flags);
	return e ? fail(c, e, "%s", fs_strerror(e)) : 0;
}

static int
v_mount(struct tcx *c, int argc, char **argv)
{
	unsigned flags;
	int i, e;

	if ((e = nsflags(c, argc, argv, &flags, &i)))
		return e;
	if (argc - i != 2)
		return fail(c, E_INVAL, "usage: mount [-b|-a|-c] spec new");
	e = ns_mount_spec(c->p->ns, c->p->cwd, argv[i], strlen(argv[i]), argv[i + 1],
			  strlen(argv[i + 1]), flags);
	return e ? fail(c, e, "%s", fs_strerror(e)) : 0;
}

static int
v_unbind(struct tcx *c, int argc, char **argv)
{
	const char *old = argc == 2 ? argv[0] : NULL, *new = argv[argc - 1];
	int e;

	e = ns_unbind(c->p->ns, c->p->cwd, old, old ? strlen(old) : 0, new, strlen(new));
	return e ? fail(c, e, "%s", fs_strerror(e)) : 0;
}

static int
v_nomount(struct tcx *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	ns_set_nomount(c->p->ns);
	return 0;
}

/* ---- fd ctl ---- */

/* The open file behind fd/N (borrowed): a made task's pipe end, or its fd. */
static struct file *
fdfile(struct tcx *c, int32_t fd, bool *made)
{
	*made = false;
	if (c->r && fd >= 0 && fd < 3 && c->r->end[fd]) {
		*made = true;
		return c->r->end[fd];
	}
	return c->p && c->p->fds ? fdtab_get(c->p->fds, fd) : NULL;
}

/* Puts f at fd of p (closing what was there) and forgets taskfs's end of it. */
static int
place(struct tfs *t, struct proc *p, int32_t fd, struct file *f)
{
	struct trec *r = findrec(t, p->pid);
	int32_t got;
	int e;

	fdtab_close(p->fds, fd);
	if ((e = fdtab_install(p->fds, f, fd, 0, &got)))
		return e;
	if (got != fd) {
		fdtab_close(p->fds, got);
		return E_BADF;
	}
	if (r && fd < 3 && r->end[fd]) {
		file_unref(r->end[fd]);
		r->end[fd] = NULL;
	}
	return 0;
}

static int
v_dup(struct tcx *c, int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : c->n->fd == 0 ? "r" : "w";
	static const struct {
		const char *name;
		unsigned oflags, flags;
	} modes[] = {
		{ "r", FS_O_READ, 0 },
		{ "w", FS_O_WRITE | FS_O_CREAT | FS_O_TRUNC, 0 },
		{ "a", FS_O_WRITE | FS_O_CREAT, FILE_APPEND },
		{ "rw", FS_O_READ | FS_O_WRITE, 0 },
	};
	struct proc *who = c->caller ? c->caller : c->p;
	struct fs_io io = { .opener = c->caller };
	struct file *f;
	size_t m;
	int e;

	if (!c->p)
		return E_SRCH;
	for (m = 0; m < sizeof modes / sizeof modes[0] && strcmp(modes[m].name, mode); m++)
		;
	if (m == sizeof modes / sizeof modes[0])
		return fail(c, E_INVAL, "mode is r, w, a or rw");
	/* PATH is the writer's: it names a file the writer can reach. */
	e = file_open(who->ns, who->cwd, argv[0], strlen(argv[0]), modes[m].oflags | FS_O_NONBLOCK,
		      modes[m].flags, &io, &f);
	if (e == E_BLOCK)
		e = E_AGAIN;
	if (e)
		return fail(c, e, "%s: %s", argv[0], fs_strerror(e));
	e = place(c->t, c->p, c->n->fd, f);
	file_unref(f);
	return e;
}

/* "ID/fd/M" or ".../ID/fd/M": the task and fd of the other end. */
static bool
fdpath(const char *s, int32_t *pid, int32_t *fd)
{
	const char *parts[3];
	const char *end = s + strlen(s);
	int64_t v;
	char buf[24];

	for (int k = 2; k >= 0; k--) {
		const char *st = end;

		while (st > s && st[-1] != '/')
			st--;
		if (st == end || (size_t)(end - st) >= sizeof buf)
			return false;
		parts[k] = st;
		if (k == 0)
			break;
		if (st == s)
			return false;
		end = st - 1;
	}
	if (strncmp(parts[1], "fd/", 3))
		return false;
	memcpy(buf, parts[0], (size_t)(parts[1] - 1 - parts[0]));
	buf[parts[1] - 1 - parts[0]] = 0;
	if (!number(buf, 1, INT32_MAX, &v))
		return false;
	*pid = (int32_t)v;
	if (!number(parts[2], 0, INT32_MAX, &v))
		return false;
	*fd = (int32_t)v;
	return true;
}

static int
v_pipe(struct tcx *c, int argc, char **argv)
{
	struct file *rd, *wr;
	struct proc *o;
	int32_t opid, ofd, fd = c->n->fd;
	int e;

	(void)argc;
	if (!c->p)
		return E_SRCH;
	if (!fdpath(argv[0], &opid, &ofd))
		return fail(c, E_INVAL, "pipe takes ID/fd/N");
	o = proc_find(c->k, opid);
	if (!o || o->state == P_ZOMBIE || !o->fds || !inview(c->t, c->v->root, opid, 0))
		return fail(c, E_SRCH, "no task %d", opid);
	if (ofd >= (int32_t)o->fds->limit || fd >= (int32_t)c->p->fds->limit)
		return fail(c, E_BADF, "fd out of range");
	if (o == c->p && ofd == fd)
		return fail(c, E_INVAL, "a pipe from fd %d to itself", fd);
	if ((e = pipe_new(c->k, false, 0, &rd, &wr)))
		return e;
	/* The side whose fd is 0 reads; otherwise this fd writes. */
	e = place(c->t, c->p, fd, fd == 0 ? rd : wr);
	if (!e)
		e = place(c->t, o, ofd, fd == 0 ? wr : rd);
	file_unref(rd);
	file_unref(wr);
	return e;
}

static int
v_close(struct tcx *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (c->r && c->n->fd < 3 && c->r->end[c->n->fd]) {
		file_unref(c->r->end[c->n->fd]);
		c->r->end[c->n->fd] = NULL;
		return 0;
	}
	if (!c->p)
		return E_SRCH;
	return fdtab_close(c->p->fds, c->n->fd);
}

static const struct verb verbs[] = {
	{ "cmd", 1, ARGS_MAX, V_CTL, v_cmd, "cmd path [args...]" },
	{ "start", 0, 0, V_CTL, v_start, "start" },
	{ "kill", 0, 1, V_CTL, v_kill, "kill [signal]" },
	{ "stop", 0, 0, V_CTL, v_stop, "stop" },
	{ "cont", 0, 0, V_CTL, v_cont, "cont" },
	{ "nice", 1, 1, V_CTL, v_nice, "nice n" },
	{ "memlimit", 1, 1, V_CTL, v_memlimit, "memlimit bytes|n[KMG]" },
	{ "fuel", 1, 1, V_CTL, v_fuel, "fuel n" },
	{ "bind", 2, 3, V_CTL | V_NS, v_bind, "bind [-b|-a|-c] old new" },
	{ "unbind", 1, 2, V_CTL | V_NS, v_unbind, "unbind [old] new" },
	{ "mount", 2, 3, V_CTL | V_NS, v_mount, "mount [-b|-a|-c] spec new" },
	{ "nomount", 0, 0, V_CTL | V_NS, v_nomount, "nomount" },
	{ "dup", 1, 2, V_FD, v_dup, "dup path [r|w|a|rw]" },
	{ "pipe", 1, 1, V_FD, v_pipe, "pipe ID/fd/N" },
	{ "close", 0, 0, V_FD, v_close, "close" },
};

/* The message as it is echoed: at most 80 bytes, control bytes as '?'. */
static void
echo(char *dst, size_t cap, const char *line, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 4 < cap && i < 80; i++) {
		unsigned char ch = (unsigned char)line[i];

		dst[o++] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
	}
	if (len > 80 && o + 4 < cap) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = 0;
}

/* One line: tokenized, looked up in the table, checked, done. */
static int
ctlline(struct tcx *c, unsigned where, char *line)
{
	char *argv[ARGS_MAX + 1];
	const struct verb *vb = NULL;
	int argc;

	argc = tokenize(line, argv, ARGS_MAX + 1);
	if (argc == -1)
		return fail(c, E_INVAL, "unterminated quote");
	if (argc < 0)
		return fail(c, E_INVAL, "too many words");
	if (argc == 0)
		return 0;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (verbs[i].where & where && !strcmp(verbs[i].name, argv[0]))
			vb = &verbs[i];
	if (!vb)
		return fail(c, E_INVAL, "unknown verb");
	if (argc - 1 < vb->min || argc - 1 > vb->max)
		return fail(c, E_INVAL, "usage: %s", vb->usage);
	if (!c->p && vb->fn != v_close)
		return fail(c, E_SRCH, "process exited");
	return vb->fn(c, argc - 1, argv + 1);
}

/*
 * A ctl write: every line a message, done in order; the first failure
 * stops the rest and is what the write returns.  The failing message is
 * echoed in the task's ctl error (read back from ctl).
 */
static int
ctlwrite(struct tcx *c, unsigned where, const char *buf, size_t len)
{
	char *copy, *line, *nl, echoed[100], detail[ERR_MAX];
	int e = 0;

	if (len > CTL_MAX)
		e = fail(c, E_INVAL, "message too long (%zu bytes; at most %d)", len, CTL_MAX);
	else if (memchr(buf, 0, len))
		e = fail(c, E_INVAL, "NUL byte in message");
	if (e)
		goto out;
	if (!(copy = al_malloc(len + 1)))
		return E_NOMEM;
	memcpy(copy, buf, len);
	copy[len] = 0;
	for (line = copy; !e && line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = 0;
		echo(echoed, sizeof echoed, line, strlen(line));
		e = ctlline(c, where, line);
		if (e) {
			snprintf(detail, sizeof detail, "%s", c->msg[0] ? c->msg : fs_strerror(e));
			snprintf(c->msg, sizeof c->msg, "'%.99s': %.90s", echoed, detail);
		}
	}
	al_free(copy);
out:
	if (e) {
		struct trec *r = c->r ? c->r : getrec(c->t, c->pid);

		if (r) {
			c->r = r;
			snprintf(r->err, sizeof r->err, "%s", c->msg);
		}
		if (c->caller)
			snprintf(c->caller->diag, sizeof c->caller->diag, "%s", c->msg);
	}
	return e;
}

static int
wrctl(struct tcx *c, const char *buf, size_t len)
{
	unsigned where = c->n->kind == T_NSCTL ? V_NS : c->n->kind == T_FDCTL ? V_FD : V_CTL;

	return ctlwrite(c, where, buf, len);
}

/*
 * One ns/ctl line applied to p's namespace outside any open file: the
 * system's wr_Spawn.ns (see task.h).
 */
int
task_ns_apply(struct proc *p, const char *line, char *err, size_t errlen)
{
	struct tcx c = { .k = p->k, .pid = p->pid, .p = p };
	size_t len = strlen(line);
	char *copy;
	int e;

	if (len > CTL_MAX || memchr(line, '\n', len)) {
		e = fail(&c, E_INVAL, "one line of at most %d bytes", CTL_MAX);
	} else if (!(copy = al_strndup(line, len))) {
		e = fail(&c, E_NOMEM, "out of memory");
	} else {
		e = ctlline(&c, V_NS, copy);
		al_free(copy);
	}
	if (e && errlen)
		snprintf(err, errlen, "%s", c.msg[0] ? c.msg : fs_strerror(e));
	return e;
}

static int
wrenv(struct tcx *c, const char *buf, size_t len, uint64_t off)
{
	char *s;

	if (!notstarted(c))
		return E_BUSY;
	if (off > ENV_MAX || len > ENV_MAX - off)
		return E_FBIG;
	if (off + len > c->r->envlen) {
		if (!(s = al_realloc(c->r->env, (size_t)off + len + 1)))
			return E_NOMEM;
		if (off > c->r->envlen)
			memset(s + c->r->envlen, '\n', (size_t)off - c->r->envlen);
		c->r->env = s;
		c->r->envlen = (size_t)off + len;
		s[c->r->envlen] = 0;
	}
	memcpy(c->r->env + off, buf, len);
	return 0;
}

static int
wrcwd(struct tcx *c, const char *buf, size_t len)
{
	struct fs_path fp;
	int e;

	if (!notstarted(c))
		return E_BUSY;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	if ((e = fs_resolve(c->p->ns, c->p->cwd, buf, len, FS_FOLLOW, &fp)))
		return e;
	if (fp.vn->type != VN_DIR) {
		fs_path_release(&fp);
		return E_NOTDIR;
	}
	vn_unref(c->p->cwd);
	c->p->cwd = fp.vn;
	fp.vn = NULL;
	fs_path_release(&fp);
	return 0;
}

/* ---- /task/new -------------------------------------------------------------------- */

/* The environment of p as K=V lines (malloc'd). */
static char *
envtext(char **envp, size_t *len)
{
	struct text t = { 0 };

	tput(&t, "", 0);
	for (int i = 0; envp && envp[i]; i++) {
		tput(&t, envp[i], strlen(envp[i]));
		tput(&t, "\n", 1);
	}
	if (t.oom) {
		al_free(t.s);
		return NULL;
	}
	*len = t.len;
	return t.s;
}

/*
 * A task: a child of the reader (the host when NULL), sharing nothing but
 * a copy of its namespace, cwd and environment; fds 0-2 on pipes whose
 * other ends taskfs keeps (fd/0 writes its input, fd/1 and fd/2 read its
 * output).
 */
static int
newtask(struct tview *v, struct proc *reader, int32_t *pid)
{
	struct tfs *t = v->t;
	struct file *rd = NULL, *wr = NULL;
	struct fdtab *fds = NULL;
	struct trec *r = NULL;
	struct proc *c;
	int32_t fd;
	int e;

	if ((e = proc_alloc(t->k, reader, &c)))
		return e;
	e = E_NOMEM;
	if (!(fds = fdtab_new(t->k->cfg.max_fds)) || !(r = getrec(t, c->pid)))
		goto fail;
	r->made = true;
	r->vroot = v->root;
	if (!(r->env = envtext(reader ? reader->envp : NULL, &r->envlen)))
		goto fail;
	for (int i = 0; i < 3; i++) {
		if ((e = pipe_new(t->k, false, 0, &rd, &wr)))
			goto fail;
		e = fdtab_install(fds, i == 0 ? rd : wr, i, 0, &fd);
		if (!e && fd != i)
			e = E_BADF;
		r->end[i] = i == 0 ? wr : rd;
		file_unref(i == 0 ? rd : wr);
		rd = wr = NULL;
		if (e)
			goto fail;
	}
	fdtab_unref(c->fds);
	c->fds = fds;
	snprintf(c->name, sizeof c->name, "new");
	*pid = c->pid;
	return 0;
fail:
	fdtab_unref(fds);
	if (r) {
		struct trec **pp;

		for (pp = &t->recs; *pp != r; pp = &(*pp)->next)
			;
		*pp = r->next;
		freerec(r);
	}
	proc_discard(c);
	return e;
}

/* ---- vnode ops -------------------------------------------------------------------- */

static struct tnode *
mknode(struct tview *v, enum tkind kind, int32_t pid, int32_t fd)
{
	struct tnode *n = al_calloc(1, sizeof *n);

	if (!n)
		return NULL;
	n->v = (struct vnode){ .type = files[kind].type, .ino = inoof(kind, pid, fd), .ops = &ops,
			       .priv = n, .fs = &v->fs, .vflags = kind == T_FD ? VN_HASKIDS : 0 };
	n->kind = kind;
	n->pid = pid;
	n->fd = fd;
	vn_ref(&n->v);
	return n;
}

static int
give(struct tview *v, enum tkind kind, int32_t pid, int32_t fd, struct vnode **out)
{
	struct tnode *n = mknode(v, kind, pid, fd);

	if (!n)
		return E_NOMEM;
	*out = &n->v;
	return 0;
}

static bool
isnum(const char *s, size_t len, int32_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > INT32_MAX)
		return false;
	*out = (int32_t)v;
	return true;
}

static bool
fdexists(struct tcx *c, int32_t fd)
{
	bool made;

	return fdfile(c, fd, &made) != NULL;
}

static int
lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct tnode *n = N(dir);
	struct tview *v = V(dir);
	struct proc *p;
	struct trec *r;
	struct tcx c;
	int32_t num;
	int e;

	*out = NULL;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		switch (n->kind) {
		case T_ROOT:
		case T_TASK:
			vn_ref(&v->top.v);
			*out = &v->top.v;
			return 0;
		case T_FD:
			return give(v, T_FDDIR, n->pid, 0, out);
		default:
			return give(v, T_TASK, n->pid, 0, out);
		}
	}
	if ((e = settle(dir, NULL, &c)))
		return e;
	if (n->kind == T_ROOT) {
		if (len == 3 && !memcmp(name, "new", 3))
			return give(v, T_NEW, 0, 0, out);
		if (len == 4 && !memcmp(name, "self", 4))
			return give(v, T_SELF, 0, 0, out);
		if (!isnum(name, len, &num))
			return E_NOENT;
		p = proc_find(c.k, num);
		r = findrec(c.t, num);
		if ((!p && !(r && r->ended)) || !inview(c.t, v->root, num, 0))
			return E_NOENT;
		return give(v, T_TASK, num, 0, out);
	}
	if (n->kind == T_FDDIR) {
		if (!isnum(name, len, &num))
			return E_NOENT;
		if (!fdexists(&c, num))
			return c.ended ? E_SRCH : E_NOENT;
		return give(v, T_FD, n->pid, num, out);
	}
	for (int k = 0; k < T_NKINDS; k++) {
		if (files[k].dir != n->kind || !files[k].name || strlen(files[k].name) != len
		    || memcmp(files[k].name, name, len))
			continue;
		if (c.ended && !(files[k].flags & F_AFTER))
			return E_SRCH;
		if (k == T_TREE) {
			*out = subview(c.t, n->pid);
			return *out ? 0 : E_NOMEM;
		}
		return give(v, (enum tkind)k, n->pid, n->fd, out);
	}
	return E_NOENT;
}

static int
readdir_(struct vnode *dir, uint64_t cookie, fs_dirent_fn fn, void *arg)
{
	struct tnode *n = N(dir);
	struct tview *v = V(dir);
	struct tcx c;
	char name[16];
	int e;

	if ((e = settle(dir, NULL, &c)))
		return e;
	if (n->kind == T_ROOT) {
		if (cookie == 0 && fs_dirent_emit(fn, arg, 1, inoof(T_NEW, 0, 0), VN_FILE, "new"))
			return 0;
		if (cookie <= 1 && fs_dirent_emit(fn, arg, 2,
						  inoof(T_SELF, 0, 0), VN_SYMLINK, "self"))
			return 0;
		for (struct proc *p = c.k->all_head; p; p = p->all_next) {
			if ((uint64_t)p->pid + 2 < cookie || !inview(c.t, v->root, p->pid, 0))
				continue;
			snprintf(name, sizeof name, "%d", p->pid);
			if (fs_dirent_emit(fn, arg, (uint64_t)p->pid + 3,
					   inoof(T_TASK, p->pid, 0), VN_DIR, name))
				return 0;
		}
		return 0;
	}
	if (n->kind == T_FDDIR) {
		int32_t lim = c.p && c.p->fds ? (int32_t)c.p->fds->limit : 3;

		for (int32_t fd = (int32_t)(cookie < (uint64_t)lim ? cookie : (uint64_t)lim); fd < lim; fd++) {
			if (!fdexists(&c, fd))
				continue;
			snprintf(name, sizeof name, "%d", fd);
			if (fs_dirent_emit(fn, arg, (uint64_t)fd + 1,
					   inoof(T_FD, n->pid, fd), VN_CHAR, name))
				return 0;
		}
		return 0;
	}
	for (int k = (int)cookie; k < T_NKINDS; k++) {
		if (files[k].dir != n->kind || !files[k].name)
			continue;
		if (c.ended && !(files[k].flags & F_AFTER))
			continue;
		if (fs_dirent_emit(fn, arg, (uint64_t)k + 1,
				   inoof((enum tkind)k, n->pid, n->fd), files[k].type,
			 files[k].name))
			return 0;
	}
	return 0;
}

static int
copyout(const struct text *t, uint64_t off, void *buf, size_t len, size_t *n)
{
	if (t->oom)
		return E_NOMEM;
	if (off >= t->len) {
		*n = 0;
		return 0;
	}
	*n = t->len - off < len ? t->len - (size_t)off : len;
	memcpy(buf, t->s + off, *n);
	return 0;
}

static int
read_(struct vnode *vn, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n)
{
	struct tnode *nd = N(vn);
	struct text t = { 0 };
	struct tcx c;
	bool made;
	int e;

	*n = 0;
	if ((e = settle(vn, io, &c)))
		return e;
	if (nd->kind == T_NEW) {
		if (!nd->made)
			return E_BADF;
		tprintf(&t, "%d\n", nd->made);
	} else if (nd->kind == T_FD) {
		struct file *f = fdfile(&c, nd->fd, &made);

		return f ? file_read(f, buf, len, n, io) : E_BADF;
	} else if (!files[nd->kind].gen) {
		return E_INVAL;
	} else if ((e = files[nd->kind].gen(&c, &t)) != 0) {
		al_free(t.s);
		if (e == E_AGAIN && nd->kind == T_WAIT && !io->nonblock) {
			io->chan = &c.t->exitchan;
			return E_BLOCK;
		}
		return e;
	}
	e = copyout(&t, off, buf, len, n);
	al_free(t.s);
	return e;
}

static int
write_(struct vnode *vn, struct fs_io *io, uint64_t off, const void *buf, size_t len,
       size_t *n)
{
	struct tnode *nd = N(vn);
	struct tcx c;
	bool made;
	int e;

	*n = 0;
	if ((e = settle(vn, io, &c)))
		return e;
	switch (nd->kind) {
	case T_FD: {
		struct file *f = fdfile(&c, nd->fd, &made);

		return f ? file_write(f, buf, len, n, io) : E_BADF;
	}
	case T_CTL:
	case T_NSCTL:
	case T_FDCTL:
		e = wrctl(&c, buf, len);
		break;
	case T_ENV:
		e = wrenv(&c, buf, len, off);
		break;
	case T_CWD:
		e = wrcwd(&c, buf, len);
		break;
	default:
		return E_BADF;
	}
	if (!e)
		*n = len;
	return e;
}

static int
truncate_(struct vnode *vn, uint64_t size)
{
	struct tnode *nd = N(vn);
	struct tcx c;
	int e;

	if ((e = settle(vn, NULL, &c)))
		return e;
	if (nd->kind == T_ENV && notstarted(&c) && size < c.r->envlen) {
		c.r->envlen = (size_t)size;
		c.r->env[size] = 0;
	}
	return 0;
}

static int
stat_(struct vnode *vn, struct fs_stat *st)
{
	struct tnode *nd = N(vn);

	st->atim = st->mtim = st->ctim = fs_now();
	if (nd->kind == T_ROOT || nd->kind == T_TASK || files[nd->kind].type == VN_DIR)
		st->nlink = 2;
	return 0;
}

static int
open_(struct vnode *vn, unsigned oflags, struct fs_io *io)
{
	struct tnode *nd = N(vn);
	struct tcx c;
	int e;

	if ((e = settle(vn, io, &c)))
		return e;
	if (oflags & FS_O_WRITE && !(files[nd->kind].flags & F_WRITE))
		return E_ACCES;
	if (nd->kind == T_NEW && oflags & FS_O_READ && !nd->made)
		return newtask(c.v, c.caller, &nd->made);
	return 0;
}

static unsigned
poll_(struct vnode *vn, unsigned events, struct fs_io *io)
{
	struct tnode *nd = N(vn);
	struct tcx c;
	bool made;

	if (settle(vn, io, &c))
		return events & (FS_POLLIN | FS_POLLOUT);
	if (nd->kind == T_FD) {
		struct file *f = fdfile(&c, nd->fd, &made);

		return f ? file_poll(f, events, io) : events & (FS_POLLIN | FS_POLLOUT);
	}
	if (nd->kind == T_WAIT && !c.ended && events & FS_POLLIN) {
		io->chan = &c.t->exitchan;
		return events & FS_POLLOUT;
	}
	return events & (FS_POLLIN | FS_POLLOUT);
}

static int
readlink_(struct vnode *vn, char *buf, size_t cap, size_t *len)
{
	struct proc *me = V(vn)->t->k->current;
	char s[16];

	if (!me)
		return E_NOENT;
	*len = (size_t)snprintf(s, sizeof s, "%d", me->pid);
	memcpy(buf, s, *len < cap ? *len : cap);
	return 0;
}

static int
notimes(struct vnode *v, uint64_t atim, uint64_t mtim, unsigned flags)
{
	(void)v, (void)atim, (void)mtim, (void)flags;
	return 0;
}

static const struct vnode_ops ops = {
	.lookup = lookup,
	.readdir = readdir_,
	.read = read_,
	.write = write_,
	.truncate = truncate_,
	.stat = stat_,
	.open = open_,
	.poll = poll_,
	.readlink = readlink_,
	.set_times = notimes,
};

/* ---- attaching ---------------------------------------------------------------------- */

int
task_attach(struct kern *k, struct ns *root)
{
	struct tfs *t;
	struct tview *v;
	struct fs *cap;
	int e;

	if (k->task)
		return E_EXIST;
	if (!(t = al_calloc(1, sizeof *t)))
		return E_NOMEM;
	t->k = k;
	if (!(v = viewnew(t, 0))) {
		al_free(t);
		return E_NOMEM;
	}
	k->task = t;
	if ((e = ns_srv_mount(root, "task", "/task", &v->fs)))
		return e;
	if (!(cap = capfs_new(k)))
		return E_NOMEM;
	return ns_srv_mount(root, "cap", "/cap", cap);
}
