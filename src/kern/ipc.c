/*
 * ipc.c - interfaces and messages (ipc.h), and srvfs, the file system
 * at /srv that names them.
 *
 * State (struct ipc, k->ipc):
 *  - the registry: interfaces with a handler (a process, or the host),
 *    in registration order; each holds its queue (messages not yet pulled
 *    and IPC_DESTROYED notifications, oldest first) and the list of
 *    messages delivered to its handler and not yet answered;
 *  - every message that exists, in a hash by id (the emitter names its
 *    messages by id, so do the handler's answers);
 *  - per process that has used IPC (struct iproc, by pid): its count of
 *    outstanding messages, the interfaces it handles, the names it has
 *    emitted to (for the notifications at its end), and the two channels
 *    it sleeps on (answers; deliveries).
 *
 * A message names its emitter by pid (pids are never reused in a run), so
 * nothing here points at a process that may have gone, except an
 * interface's handler, which is dropped on the handler's exit path.
 *
 * A message is "orphaned" once its emitter no longer wants it (cancelled
 * after delivery, or the emitter ended): it no longer counts against the
 * emitter, and its answer is dropped on arrival.
 *
 * Native callbacks run inside ipc_emit (a message) or on the emitter's
 * exit path (IPC_DESTROYED). A message expecting an answer that the
 * callback did not answer stays delivered, whatever it returned, until
 * ipc_host_answer. The callback may register, unregister and answer:
 * nothing the call held is used after it returns.
 *
 * Registrations survive exec (the pid stays); a fork child has none.
 *
 * srvfs: the root lists the registered names (cookie = registration
 * serial + 1, stable); a lookup of any well-formed name gives a
 * node carrying the name, whether or not it is registered; reading a node
 * gives "NAME handler PID\n", "NAME native\n" or "NAME none\n". The nodes
 * look at k->ipc on every operation, so the file system may outlive it.
 */
#include "kern/ipc.h"
#include "kern/kern.h"
#include "kern/event.h"
#include "base/alloc.h"
#include "fs/fs.h"

#include <stdio.h>
#include <string.h>

#define IPROC_BUCKETS 256
#define INTF_BUCKETS 64
#define ENAME_PRUNE 256
#define ORPHAN_MAX IPC_PROC_OUTSTANDING  /* orphans kept per interface */
#define NOTE_MAX (4 * IPC_PROC_OUTSTANDING) /* notifications queued per interface */
#define MSG_BUCKETS0 64

enum mstate { M_QUEUED, M_DELIVERED, M_ANSWERED };

struct intf;

struct msg {
	uint64_t id;                 /* 0: a notification (not in the hash) */
	uint64_t seq;                /* queue order across interfaces */
	enum ipc_kind kind;
	enum mstate state;
	int32_t pid;                 /* the emitter; IPC_DESTROYED: the process that ended */
	uint32_t flags;              /* IPC_ANSWER */
	bool orphan;                 /* the emitter no longer wants it: answer dropped */
	int32_t error;               /* ANSWERED */
	uint8_t *body;               /* QUEUED: the message; ANSWERED: the answer
	                                (data, or its own block when larger) */
	uint32_t len;
	uint32_t cap;                /* bytes of data */
	struct intf *in;             /* QUEUED, DELIVERED */
	struct msg *qnext, *qprev;   /* in->queue or in->delivered */
	struct msg *hnext;           /* id hash chain */
	char name[IPC_NAME_MAX + 1]; /* the interface */
	uint8_t data[];              /* the body, then an answer that fits */
};

#define MSG_SMALL 64                 /* data bytes a message has at least */

struct iproc;

struct intf {
	char name[IPC_NAME_MAX + 1];
	uint64_t serial;             /* registration order (srvfs cookies) */
	struct iproc *hip;           /* the handling process, NULL: native */
	ipc_native_fn fn;            /* native with a callback */
	void *ctx;
	struct msg *qhead, *qtail;   /* queued messages and notifications */
	uint32_t nqueued;            /* messages in the queue (the bound) */
	uint32_t nitems;             /* entries in the queue */
	uint32_t norphans;           /* delivered messages nobody wants the answer of */
	struct msg *dhead;           /* delivered, awaiting an answer */
	struct intf *next, *prev;    /* the registry */
	struct intf *hnext;          /* the handler's interfaces */
	struct intf *nnext;          /* name hash chain */
};

struct ename {
	struct ename *next;
	char name[IPC_NAME_MAX + 1];
};

struct iproc {
	int32_t pid;
	struct proc *p;
	uint32_t outstanding;        /* messages not orphaned, not taken */
	uint32_t nhandled;
	struct intf *handled;
	struct ename *emitted, *emitted_tail;
	uint32_t nemitted;
	char echan, hchan;           /* wait channels: answers, deliveries */
	struct iproc *next;          /* hash chain */
};

struct ipc {
	struct kern *k;
	uint64_t next_id, next_seq, next_serial;
	struct intf *head, *tail;    /* the registry, in serial order */
	struct intf *byname[INTF_BUCKETS];
	uint32_t nintfs;
	struct msg **mh;             /* messages by id */
	size_t nmh, nmsgs;
	struct iproc *ph[IPROC_BUCKETS];
	size_t host_items;           /* entries queued on queue-served native interfaces */
	uint64_t nqueued;            /* messages queued, all interfaces */
	char regchan;                /* IPC_WAIT emitters sleep here */
	struct ipc_stats st;
};

/* ---- names ------------------------------------------------------------------------- */

static bool
name_ok(const char *s, size_t len)
{
	if (len == 0 || len > IPC_NAME_MAX || (len <= 2 && !memcmp(s, "..", len)))
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

bool
ipc_name_ok(const char *s)
{
	size_t len = 0;

	if (!s)
		return false;
	while (len <= IPC_NAME_MAX && s[len])
		len++;
	return name_ok(s, len);
}

/* FNV-1a of a name. */
static uint64_t
name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
	return h;
}

static struct intf **
intf_slot(struct ipc *c, const char *name)
{
	struct intf **pp = &c->byname[name_hash(name) % INTF_BUCKETS];

	while (*pp && strcmp((*pp)->name, name))
		pp = &(*pp)->nnext;
	return pp;
}

static struct intf *
intf_find(struct ipc *c, const char *name)
{
	return *intf_slot(c, name);
}

/* ---- processes --------------------------------------------------------------------- */

static struct iproc **
iproc_slot(struct ipc *c, int32_t pid)
{
	struct iproc **pp = &c->ph[(uint32_t)pid % IPROC_BUCKETS];

	while (*pp && (*pp)->pid != pid)
		pp = &(*pp)->next;
	return pp;
}

static struct iproc *
iproc_find(struct ipc *c, int32_t pid)
{
	return *iproc_slot(c, pid);
}

/* p's record, made on first use; NULL when out of memory. */
static struct iproc *
iproc_get(struct ipc *c, struct proc *p)
{
	struct iproc **pp = iproc_slot(c, p->pid);

	if (!*pp) {
		if (!(*pp = al_calloc(1, sizeof **pp)))
			return NULL;
		(*pp)->pid = p->pid;
		(*pp)->p = p;
	}
	return *pp;
}

/*
 * Remember that ip emitted to name (for its end). 0 or E_NOMEM. Past
 * ENAME_PRUNE names, those no longer registered are forgotten, so the
 * list stays within what is registered (a process that emits to ever new
 * names cannot grow it without bound).
 */
static int
iproc_note_name(struct ipc *c, struct iproc *ip, const char *name)
{
	struct ename *e, **ep;

	for (e = ip->emitted; e; e = e->next)
		if (!strcmp(e->name, name))
			return 0;
	if (ip->nemitted >= ENAME_PRUNE) {
		ip->emitted_tail = NULL;
		for (ep = &ip->emitted; (e = *ep);) {
			if (intf_find(c, e->name)) {
				ip->emitted_tail = e;
				ep = &e->next;
				continue;
			}
			*ep = e->next;
			al_free(e);
			ip->nemitted--;
		}
	}
	if (!(e = al_calloc(1, sizeof *e)))
		return E_NOMEM;
	strcpy(e->name, name);
	if (ip->emitted_tail)
		ip->emitted_tail->next = e;
	else
		ip->emitted = e;
	ip->emitted_tail = e;
	ip->nemitted++;
	return 0;
}

static void
iproc_free(struct iproc *ip)
{
	while (ip->emitted) {
		struct ename *e = ip->emitted;

		ip->emitted = e->next;
		al_free(e);
	}
	al_free(ip);
}

/* ---- messages by id ---------------------------------------------------------------- */

static struct msg **
mh_slot(struct ipc *c, uint64_t id)
{
	struct msg **mp = &c->mh[id & (c->nmh - 1)];

	while (*mp && (*mp)->id != id)
		mp = &(*mp)->hnext;
	return mp;
}

static struct msg *
mh_find(struct ipc *c, uint64_t id)
{
	return id ? *mh_slot(c, id) : NULL;
}

/* Double the buckets when chains grow long; keeping the old table on
 * allocation failure only costs speed. */
static void
mh_grow(struct ipc *c)
{
	size_t n = c->nmh * 2;
	struct msg **t = al_calloc(n, sizeof *t);

	if (!t)
		return;
	for (size_t i = 0; i < c->nmh; i++) {
		while (c->mh[i]) {
			struct msg *m = c->mh[i];

			c->mh[i] = m->hnext;
			m->hnext = t[m->id & (n - 1)];
			t[m->id & (n - 1)] = m;
		}
	}
	al_free(c->mh);
	c->mh = t;
	c->nmh = n;
}

static void
mh_add(struct ipc *c, struct msg *m)
{
	struct msg **b;

	if (c->nmsgs >= c->nmh * 2)
		mh_grow(c);
	b = &c->mh[m->id & (c->nmh - 1)];
	m->hnext = *b;
	*b = m;
	c->nmsgs++;
}

/* Free m (out of every list already), dropping it from the hash. */
static void
msg_free(struct ipc *c, struct msg *m)
{
	if (m->id) {
		struct msg **mp = mh_slot(c, m->id);

		if (*mp == m) {
			*mp = m->hnext;
			c->nmsgs--;
		}
	}
	if (m->body != m->data)
		al_free(m->body);
	al_free(m);
}

/* A message with room for len bytes of body (and an answer that fits). */
static struct msg *
msg_new(size_t len)
{
	size_t cap = len < MSG_SMALL ? MSG_SMALL : len;
	struct msg *m = al_calloc(1, sizeof *m + cap);

	if (m)
		m->cap = (uint32_t)cap;
	return m;
}

/* The body is no longer needed (delivered). */
static void
body_drop(struct msg *m)
{
	if (m->body != m->data)
		al_free(m->body);
	m->body = NULL;
	m->len = 0;
}

/* m no longer counts against its emitter; its answer will be dropped. */
static void
orphan(struct ipc *c, struct msg *m)
{
	struct iproc *ip;

	if (m->orphan)
		return;
	m->orphan = true;
	if ((ip = iproc_find(c, m->pid)) && ip->outstanding)
		ip->outstanding--;
}

/* ---- queues ------------------------------------------------------------------------ */

static bool
queue_served_native(const struct intf *in)
{
	return !in->hip && !in->fn;
}

static void
q_push(struct ipc *c, struct intf *in, struct msg *m)
{
	m->seq = ++c->next_seq;
	m->in = in;
	m->state = M_QUEUED;
	m->qnext = NULL;
	m->qprev = in->qtail;
	if (in->qtail)
		in->qtail->qnext = m;
	else
		in->qhead = m;
	in->qtail = m;
	in->nitems++;
	if (m->kind == IPC_MESSAGE) {
		in->nqueued++;
		c->nqueued++;
	}
	if (queue_served_native(in))
		c->host_items++;
	if (in->hip)
		kern_wakeup(c->k, &in->hip->hchan);
}

static void
q_unlink(struct ipc *c, struct intf *in, struct msg *m)
{
	if (m->qprev)
		m->qprev->qnext = m->qnext;
	else
		in->qhead = m->qnext;
	if (m->qnext)
		m->qnext->qprev = m->qprev;
	else
		in->qtail = m->qprev;
	m->qnext = m->qprev = NULL;
	in->nitems--;
	if (m->kind == IPC_MESSAGE) {
		in->nqueued--;
		c->nqueued--;
	}
	if (queue_served_native(in))
		c->host_items--;
}

static void
d_link(struct intf *in, struct msg *m)
{
	m->state = M_DELIVERED;
	m->in = in;
	m->qprev = NULL;
	m->qnext = in->dhead;
	if (in->dhead)
		in->dhead->qprev = m;
	in->dhead = m;
}

static void
d_unlink(struct intf *in, struct msg *m)
{
	if (m->qprev)
		m->qprev->qnext = m->qnext;
	else
		in->dhead = m->qnext;
	if (m->qnext)
		m->qnext->qprev = m->qprev;
	m->qnext = m->qprev = NULL;
	m->in = NULL;
}

/*
 * Delivered message m was just orphaned. A handler that never answers
 * would otherwise keep every cancelled message forever: past ORPHAN_MAX
 * per interface the oldest orphans go (their late answers then get
 * E_NOENT instead of being dropped).
 */
static void
orphaned(struct msg *m)
{
	body_drop(m);
	m->in->norphans++;
}

static void
orphans_trim(struct ipc *c, struct intf *in)
{
	while (in->norphans > ORPHAN_MAX) {
		struct msg *old = NULL;

		for (struct msg *m = in->dhead; m; m = m->qnext)
			if (m->orphan)
				old = m;
		d_unlink(in, old);
		in->norphans--;
		msg_free(c, old);
	}
}

/* ---- answers ----------------------------------------------------------------------- */

static int32_t
handler_pid(const struct intf *in)
{
	return in->hip ? in->hip->pid : 0;
}

/*
 * Record the answer (error, body: in m->data or allocated) of delivered or
 * queued message m of interface in: out of in's lists, held for the
 * emitter, who is woken. An orphan is freed instead.
 */
static void
settle(struct ipc *c, struct intf *in, struct msg *m, int32_t error, uint8_t *body, uint32_t len)
{
	struct iproc *ip;

	kern_event(c->k, KEV_ANSWER, handler_pid(in), (int64_t)m->id, error, m->name);
	if (m->state == M_QUEUED) {
		q_unlink(c, in, m);
	} else {
		d_unlink(in, m);
		if (m->orphan)
			in->norphans--;
	}
	if (m->orphan) {
		if (body != m->data)
			al_free(body);
		msg_free(c, m);
		return;
	}
	body_drop(m);
	m->state = M_ANSWERED;
	m->in = NULL;
	m->error = error;
	m->body = body;
	m->len = len;
	if ((ip = iproc_find(c, m->pid)))
		kern_wakeup(c->k, &ip->echan);
}

/* Drop interface in: what it had not answered gets E_CONNRESET. */
static void
intf_drop(struct ipc *c, struct intf *in)
{
	struct msg *m;

	while ((m = in->qhead)) {
		if (m->kind == IPC_MESSAGE && (m->flags & IPC_ANSWER)) {
			settle(c, in, m, E_CONNRESET, NULL, 0);
			c->st.failed++;
			continue;
		}
		q_unlink(c, in, m);
		if (m->kind == IPC_MESSAGE)
			orphan(c, m);
		msg_free(c, m);
	}
	while ((m = in->dhead)) {
		if (!m->orphan)
			c->st.failed++;
		settle(c, in, m, E_CONNRESET, NULL, 0);
	}
	*intf_slot(c, in->name) = in->nnext;
	if (in->prev)
		in->prev->next = in->next;
	else
		c->head = in->next;
	if (in->next)
		in->next->prev = in->prev;
	else
		c->tail = in->prev;
	if (in->hip) {
		struct intf **pp = &in->hip->handled;

		while (*pp != in)
			pp = &(*pp)->hnext;
		*pp = in->hnext;
		in->hip->nhandled--;
	}
	c->nintfs--;
	al_free(in);
}

/* ---- registration ------------------------------------------------------------------ */

/* A new interface handled by ip (NULL: the host). */
static int
intf_add(struct ipc *c, const char *name, struct iproc *ip, ipc_native_fn fn, void *ctx)
{
	struct intf *in = al_calloc(1, sizeof *in);

	if (!in)
		return E_NOMEM;
	strcpy(in->name, name);
	in->serial = c->next_serial++;
	in->hip = ip;
	in->fn = fn;
	in->ctx = ctx;
	in->prev = c->tail;
	if (c->tail)
		c->tail->next = in;
	else
		c->head = in;
	c->tail = in;
	in->nnext = c->byname[name_hash(name) % INTF_BUCKETS];
	c->byname[name_hash(name) % INTF_BUCKETS] = in;
	c->nintfs++;
	if (ip) {
		in->hnext = ip->handled;
		ip->handled = in;
		ip->nhandled++;
	}
	kern_wakeup(c->k, &c->regchan);
	return 0;
}

int
ipc_register(struct proc *p, const char *name)
{
	struct ipc *c = p->k->ipc;
	struct iproc *ip;

	if (!c || !ipc_name_ok(name))
		return E_INVAL;
	if (intf_find(c, name))
		return E_EXIST;
	if ((ip = iproc_find(c, p->pid)) && ip->nhandled >= IPC_PROC_INTFS)
		return E_MFILE;
	if (!(ip = iproc_get(c, p)))
		return E_NOMEM;
	return intf_add(c, name, ip, NULL, NULL);
}

int
ipc_unregister(struct proc *p, const char *name)
{
	struct ipc *c = p->k->ipc;
	struct intf *in;

	if (!c || !name || !(in = intf_find(c, name)) || !in->hip || in->hip->pid != p->pid)
		return E_NOENT;
	intf_drop(c, in);
	return 0;
}

int
ipc_host_register(struct kern *k, const char *name, ipc_native_fn fn, void *ctx)
{
	struct ipc *c = k->ipc;

	if (!c || !ipc_name_ok(name))
		return E_INVAL;
	if (intf_find(c, name))
		return E_EXIST;
	return intf_add(c, name, NULL, fn, ctx);
}

int
ipc_host_unregister(struct kern *k, const char *name)
{
	struct ipc *c = k->ipc;
	struct intf *in;

	if (!c || !name || !(in = intf_find(c, name)) || in->hip)
		return E_NOENT;
	intf_drop(c, in);
	return 0;
}

/* ---- srvfs ------------------------------------------------------------------------- */

/*
 * Nodes nobody holds are kept (up to SRV_IDLE) for the next lookup of
 * their name: an emit resolves its target every time, and should not
 * pay an allocation for it.
 */
#define SRV_IDLE 64
#define SRV_BUCKETS 16

struct snode {
	struct vnode v;
	struct snode *next;          /* idle chain */
	char name[IPC_NAME_MAX + 1];
};

struct srvfs {
	struct fs fs;
	struct kern *k;
	struct vnode root;
	struct snode *idle[SRV_BUCKETS];
	unsigned nidle;
};

static const struct vnode_ops srv_ops;
static const struct fs_ops srv_fsops;

static uint64_t
name_ino(const char *s)
{
	return name_hash(s) | 1ull << 63;
}

static int
srv_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct srvfs *s = dir->fs->priv;
	struct snode *n, **np;
	char key[IPC_NAME_MAX + 1];
	uint64_t ino;

	*out = NULL;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		vn_ref(&s->root);
		*out = &s->root;
		return 0;
	}
	if (dir != &s->root)
		return E_NOTDIR;
	if (!name_ok(name, len))
		return E_NOENT;
	memcpy(key, name, len);
	key[len] = 0;
	ino = name_ino(key);
	for (np = &s->idle[ino % SRV_BUCKETS]; *np; np = &(*np)->next) {
		if (!strcmp((*np)->name, key)) {
			n = *np;
			*np = n->next;
			s->nidle--;
			vn_ref(&n->v);
			*out = &n->v;
			return 0;
		}
	}
	if (!(n = al_calloc(1, sizeof *n)))
		return E_NOMEM;
	memcpy(n->name, key, len + 1);
	n->v = (struct vnode){ .type = VN_FILE, .ino = ino, .ops = &srv_ops,
			       .priv = n, .fs = &s->fs };
	vn_ref(&n->v);
	*out = &n->v;
	return 0;
}

static int
srv_readdir(struct vnode *dir, uint64_t cookie, fs_dirent_fn fn, void *arg)
{
	struct srvfs *s = dir->fs->priv;
	struct ipc *c = s->k->ipc;

	if (!c)
		return 0;
	for (struct intf *in = c->head; in; in = in->next) {
		if (in->serial < cookie)
			continue;
		if (fs_dirent_emit(fn, arg, in->serial + 1, name_ino(in->name), VN_FILE,
				   in->name))
			break;
	}
	return 0;
}

/* The node's line; returns its length (< cap). */
static size_t
srv_line(struct vnode *v, char *buf, size_t cap)
{
	struct srvfs *s = v->fs->priv;
	struct snode *n = v->priv;
	struct intf *in = s->k->ipc ? intf_find(s->k->ipc, n->name) : NULL;
	int l;

	if (!in)
		l = snprintf(buf, cap, "%s none\n", n->name);
	else if (in->hip)
		l = snprintf(buf, cap, "%s handler %d\n", n->name, (int)in->hip->pid);
	else
		l = snprintf(buf, cap, "%s native\n", n->name);
	return l < 0 ? 0 : (size_t)l;
}

static int
srv_read(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n)
{
	char line[IPC_NAME_MAX + 32];
	size_t l = srv_line(v, line, sizeof line);

	(void)io;
	*n = 0;
	if (off >= l)
		return 0;
	*n = l - (size_t)off < len ? l - (size_t)off : len;
	memcpy(buf, line + off, *n);
	return 0;
}

static int
srv_stat(struct vnode *v, struct fs_stat *st)
{
	char line[IPC_NAME_MAX + 32];

	st->atim = st->mtim = st->ctim = fs_now();
	if (v->type == VN_DIR) {
		st->nlink = 2;
	} else {
		st->nlink = 1;
		st->size = srv_line(v, line, sizeof line);
	}
	return 0;
}

static const struct vnode_ops srv_ops = {
	.lookup = srv_lookup,
	.readdir = srv_readdir,
	.read = srv_read,
	.stat = srv_stat,
};

static void
srv_inactive(struct vnode *v)
{
	struct srvfs *s = v->fs->priv;
	struct snode *n = v->priv;

	if (v == &s->root)
		return;
	if (s->nidle >= SRV_IDLE) {
		al_free(n);
		return;
	}
	n->next = s->idle[v->ino % SRV_BUCKETS];
	s->idle[v->ino % SRV_BUCKETS] = n;
	s->nidle++;
}

static void
srv_destroy(struct fs *fs)
{
	struct srvfs *s = fs->priv;

	for (size_t i = 0; i < SRV_BUCKETS; i++) {
		while (s->idle[i]) {
			struct snode *n = s->idle[i];

			s->idle[i] = n->next;
			al_free(n);
		}
	}
	al_free(s);
}

static const struct fs_ops srv_fsops = {
	.inactive = srv_inactive,
	.destroy = srv_destroy,
};

int
ipc_srvfs_new(struct kern *k, struct fs **out)
{
	struct srvfs *s = al_calloc(1, sizeof *s);

	*out = NULL;
	if (!s)
		return E_NOMEM;
	s->fs = (struct fs){ .refs = 1, .flags = FS_RDONLY, .dev = fs_next_dev(),
			     .name = "srvfs", .ops = &srv_fsops, .root = &s->root, .priv = s };
	s->root = (struct vnode){ .type = VN_DIR, .ino = 1, .ops = &srv_ops, .priv = NULL,
				  .fs = &s->fs };
	s->k = k;
	*out = &s->fs;
	return 0;
}

/*
 * The interface name `target` names in p's namespace, copied into name.
 * A bare name (no '/') is /srv/NAME.
 */
static int
target_name(struct proc *p, const char *target, char name[IPC_NAME_MAX + 1])
{
	char path[sizeof "/srv/" + IPC_NAME_MAX];
	struct fs_path fp;
	const char *s = target;
	size_t len = strlen(target);
	struct vnode *v;
	int e;

	if (!p->ns || !len)
		return E_NOENT;
	if (!memchr(target, '/', len)) {
		if (len > IPC_NAME_MAX)
			return E_NOENT;
		memcpy(path, "/srv/", 5);
		memcpy(path + 5, target, len);
		s = path;
		len += 5;
	}
	if ((e = fs_resolve(p->ns, p->cwd, s, len, FS_FOLLOW, &fp)))
		return e;
	v = fp.vn;
	if (v->fs->ops != &srv_fsops || v == v->fs->root ||
	    ((struct srvfs *)v->fs->priv)->k != p->k) {
		e = E_INVAL;
	} else {
		strcpy(name, ((struct snode *)v->priv)->name);
	}
	fs_path_release(&fp);
	return e;
}

/* ---- emitting ------------------------------------------------------------------------ */

int
ipc_emit(struct proc *p, const char *target, uint32_t flags, const void *body, size_t len,
	 uint64_t *id)
{
	struct ipc *c = p->k->ipc;
	char name[IPC_NAME_MAX + 1];
	struct ipc_delivery d;
	struct iproc *ip;
	struct intf *in;
	struct msg *m;
	int e;

	if (!c || !target || (flags & ~(IPC_ANSWER | IPC_WAIT)) || (len && !body))
		return E_INVAL;
	if (len > IPC_BODY_MAX)
		return E_2BIG;
	if ((e = target_name(p, target, name)))
		return e;
	if (!(in = intf_find(c, name)))
		return flags & IPC_WAIT ? kern_sleep(p, &c->regchan) : E_NOENT;
	ip = iproc_find(c, p->pid);
	if (ip && ip->outstanding >= IPC_PROC_OUTSTANDING)
		return E_AGAIN;
	if (!in->fn && in->nqueued >= IPC_INTF_QUEUE)
		return E_AGAIN;
	if (!(ip = iproc_get(c, p)) || iproc_note_name(c, ip, name))
		return E_NOMEM;
	if (in->fn) {
		/* A native callback: delivered at once, inside this call. */
		m = NULL;
		if ((flags & IPC_ANSWER) && !(m = msg_new(0)))
			return E_NOMEM;
		*id = ++c->next_id;
		c->st.emitted++;
		kern_event(c->k, KEV_MESSAGE, p->pid, (int64_t)*id, 0, name);
		if (m) {
			m->id = *id;
			m->kind = IPC_MESSAGE;
			m->pid = p->pid;
			m->flags = IPC_ANSWER;
			strcpy(m->name, name);
			mh_add(c, m);
			d_link(in, m);
			ip->outstanding++;
		}
		d = (struct ipc_delivery){ .kind = IPC_MESSAGE, .id = *id, .pid = p->pid,
					   .flags = flags & IPC_ANSWER, .len = (uint32_t)len };
		strcpy(d.intf, name);
		/* The callback may answer, unregister, register: nothing of
		 * in or m is used after it. */
		in->fn(in->ctx, &d, len ? body : (const void *)"");
		return 0;
	}
	if (!(m = msg_new(len)))
		return E_NOMEM;
	m->body = m->data;
	if (len)
		memcpy(m->body, body, len);
	m->len = (uint32_t)len;
	m->id = *id = ++c->next_id;
	m->kind = IPC_MESSAGE;
	m->pid = p->pid;
	m->flags = flags & IPC_ANSWER;
	strcpy(m->name, name);
	mh_add(c, m);
	ip->outstanding++;
	c->st.emitted++;
	kern_event(c->k, KEV_MESSAGE, p->pid, (int64_t)m->id, 0, name);
	q_push(c, in, m);
	return 0;
}

/* m if it is an outstanding message of p's, else NULL. */
static struct msg *
own(struct ipc *c, struct proc *p, uint64_t id)
{
	struct msg *m = mh_find(c, id);

	return m && m->pid == p->pid && !m->orphan ? m : NULL;
}

int
ipc_cancel(struct proc *p, uint64_t id)
{
	struct ipc *c = p->k->ipc;
	struct msg *m;

	if (!c || !(m = own(c, p, id)))
		return E_NOENT;
	orphan(c, m);
	c->st.cancelled++;
	switch (m->state) {
	case M_QUEUED:
		q_unlink(c, m->in, m);
		msg_free(c, m);
		break;
	case M_DELIVERED:
		/* Its answer is dropped when it comes. */
		orphaned(m);
		orphans_trim(c, m->in);
		break;
	case M_ANSWERED:
		msg_free(c, m);
		break;
	}
	return 0;
}

int
ipc_wait(struct proc *p, const uint64_t *ids, size_t n, uint32_t flags, size_t *index)
{
	struct ipc *c = p->k->ipc;
	size_t first = n;
	struct iproc *ip;

	if (!c || !ids || n == 0 || n > IPC_PROC_OUTSTANDING)
		return E_INVAL;
	for (size_t i = 0; i < n; i++) {
		struct msg *m = own(c, p, ids[i]);

		if (!m || !(m->flags & IPC_ANSWER)) {
			*index = i;
			return E_NOENT;
		}
		if (m->state == M_ANSWERED && first == n)
			first = i;
	}
	if (first < n) {
		*index = first;
		return 0;
	}
	if (!(flags & IPC_BLOCK))
		return E_AGAIN;
	/* Any id valid means p has a record. */
	ip = iproc_find(c, p->pid);
	return kern_sleep(p, &ip->echan);
}

int
ipc_take(struct proc *p, uint64_t id, int32_t *error, void *buf, size_t cap, size_t *len)
{
	struct ipc *c = p->k->ipc;
	struct msg *m;

	if (!c || !(m = own(c, p, id)) || !(m->flags & IPC_ANSWER))
		return E_NOENT;
	if (m->state != M_ANSWERED)
		return E_AGAIN;
	*len = m->len;
	if (cap < m->len)
		return E_NOBUFS;
	*error = m->error;
	if (m->len)
		memcpy(buf, m->body, m->len);
	orphan(c, m);
	msg_free(c, m);
	return 0;
}

/* ---- handling -------------------------------------------------------------------------- */

/* The oldest entry among the queues of the interfaces in list (next through hnext or next). */
static struct intf *
oldest(struct intf *in, bool handled_list, bool native_only)
{
	struct intf *best = NULL;

	for (; in; in = handled_list ? in->hnext : in->next) {
		if (native_only && !queue_served_native(in))
			continue;
		if (in->qhead && (!best || in->qhead->seq < best->qhead->seq))
			best = in;
	}
	return best;
}

/* Hand the head of in's queue over: d, and the body into buf. */
static int
deliver(struct ipc *c, struct intf *in, struct ipc_delivery *d, void *buf, size_t cap)
{
	struct msg *m = in->qhead;

	*d = (struct ipc_delivery){ .kind = m->kind, .id = m->id, .pid = m->pid,
				    .flags = m->flags, .len = m->len };
	strcpy(d->intf, in->name);
	if (cap < m->len)
		return E_NOBUFS;
	if (m->len)
		memcpy(buf, m->body, m->len);
	q_unlink(c, in, m);
	if (m->kind != IPC_MESSAGE) {
		msg_free(c, m);
	} else if (m->flags & IPC_ANSWER) {
		body_drop(m);
		d_link(in, m);
	} else {
		orphan(c, m);
		msg_free(c, m);
	}
	return 0;
}

int
ipc_next(struct proc *p, const char *name, uint32_t flags, struct ipc_delivery *d, void *buf,
	 size_t cap)
{
	struct ipc *c = p->k->ipc;
	struct iproc *ip;
	struct intf *in;

	if (!c || !(ip = iproc_find(c, p->pid)) || !ip->handled)
		return E_NOENT;
	if (name) {
		if (!(in = intf_find(c, name)) || in->hip != ip)
			return E_NOENT;
		if (!in->qhead)
			in = NULL;
	} else {
		in = oldest(ip->handled, true, false);
	}
	if (!in)
		return flags & IPC_BLOCK ? kern_sleep(p, &ip->hchan) : E_AGAIN;
	return deliver(c, in, d, buf, cap);
}

/* Answer m (delivered to in) for handler: 0, E_2BIG, E_NOMEM. */
static int
answer(struct ipc *c, struct msg *m, int32_t error, const void *body, size_t len)
{
	uint8_t *copy = NULL;

	if (len > IPC_BODY_MAX)
		return E_2BIG;
	if (len && !body)
		return E_INVAL;
	if (len && !m->orphan) {
		/* Delivered, m->data is free for the answer when it fits. */
		if (len <= m->cap)
			copy = m->data;
		else if (!(copy = al_malloc(len)))
			return E_NOMEM;
		memcpy(copy, body, len);
	}
	c->st.answered++;
	settle(c, m->in, m, error, copy, copy ? (uint32_t)len : 0);
	return 0;
}

/* The delivered message id, awaiting an answer of len bytes, into *mp; 0,
 * E_NOENT (no such message) or E_2BIG. */
static int
awaiting(struct ipc *c, uint64_t id, size_t len, struct msg **mp)
{
	if (!c)
		return E_NOENT;
	if (len > IPC_BODY_MAX)
		return E_2BIG;
	*mp = mh_find(c, id);
	return *mp && (*mp)->state == M_DELIVERED ? 0 : E_NOENT;
}

int
ipc_answer(struct proc *p, uint64_t id, int32_t error, const void *body, size_t len)
{
	struct msg *m;
	int rc = awaiting(p->k->ipc, id, len, &m);

	if (rc)
		return rc;
	if (!m->in->hip || m->in->hip->pid != p->pid)
		return E_NOENT;
	return answer(p->k->ipc, m, error, body, len);
}

/* ---- the host ------------------------------------------------------------------------------ */

int
ipc_host_next(struct kern *k, const char *name, struct ipc_delivery *d, void *buf, size_t cap)
{
	struct ipc *c = k->ipc;
	struct intf *in;

	if (!c)
		return E_NOENT;
	if (name) {
		if (!(in = intf_find(c, name)) || !queue_served_native(in))
			return E_NOENT;
		if (!in->qhead)
			return E_AGAIN;
	} else {
		bool any = false;

		for (in = c->head; in && !any; in = in->next)
			any = queue_served_native(in);
		if (!any)
			return E_NOENT;
		if (!(in = oldest(c->head, false, true)))
			return E_AGAIN;
	}
	return deliver(c, in, d, buf, cap);
}

int
ipc_host_answer(struct kern *k, uint64_t id, int32_t error, const void *body, size_t len)
{
	struct msg *m;
	int rc = awaiting(k->ipc, id, len, &m);

	if (rc)
		return rc;
	if (m->in->hip)
		return E_NOENT;
	return answer(k->ipc, m, error, body, len);
}

size_t
ipc_host_pending(const struct kern *k)
{
	return k->ipc ? k->ipc->host_items : 0;
}

/* ---- the end of a process ----------------------------------------------------------------- */

/* Tell the handler of `name` that pid ended (nothing if it has none, or is pid). */
static void
notify(struct ipc *c, const char *name, int32_t pid)
{
	struct intf *in = intf_find(c, name);
	struct msg *m;

	if (!in || (in->hip && in->hip->pid == pid))
		return;
	if (in->fn) {
		struct ipc_delivery d = { .kind = IPC_DESTROYED, .pid = pid };

		strcpy(d.intf, name);
		in->fn(in->ctx, &d, (const uint8_t *)"");
		return;
	}
	/* A handler that never pulls must not make the kernel hold notices
	 * forever: past NOTE_MAX they are lost, as they are out of memory. */
	if (in->nitems - in->nqueued >= NOTE_MAX || !(m = al_calloc(1, sizeof *m)))
		return;
	m->kind = IPC_DESTROYED;
	m->pid = pid;
	strcpy(m->name, name);
	q_push(c, in, m);
}

void
ipc_proc_exit(struct proc *p)
{
	struct ipc *c = p->k->ipc;
	struct iproc *ip;
	bool emitted;

	if (!c || !(ip = iproc_find(c, p->pid)))
		return;
	/* As a handler: its interfaces go, their messages are answered. */
	while (ip->handled)
		intf_drop(c, ip->handled);
	/* As an emitter: queued messages that want an answer withdrawn,
	 * the rest orphaned. */
	emitted = ip->outstanding > 0;
	for (size_t i = 0; ip->outstanding && i < c->nmh; i++) {
		struct msg **mp = &c->mh[i];

		while (*mp) {
			struct msg *m = *mp;

			if (m->pid != p->pid || m->orphan) {
				mp = &m->hnext;
				continue;
			}
			orphan(c, m);
			if (m->state == M_DELIVERED) {
				orphaned(m);
				mp = &m->hnext;
				continue;
			}
			/* Fire and forget: nothing is owed to the emitter, so
			 * the message still reaches the handler (`msg -n` and
			 * exit), ahead of the notice of its end. */
			if (m->state == M_QUEUED && !(m->flags & IPC_ANSWER)) {
				mp = &m->hnext;
				continue;
			}
			if (m->state == M_QUEUED)
				q_unlink(c, m->in, m);
			msg_free(c, m); /* unlinks *mp */
		}
	}
	for (struct intf *in = c->head; in && emitted; in = in->next)
		orphans_trim(c, in);
	*iproc_slot(c, p->pid) = ip->next;
	for (struct ename *e = ip->emitted; e; e = e->next)
		notify(c, e->name, p->pid);
	iproc_free(ip);
}

/* ---- setup and accounting ---------------------------------------------------------------- */

int
ipc_init(struct kern *k)
{
	struct ipc *c = al_calloc(1, sizeof *c);

	if (!c)
		return E_NOMEM;
	c->nmh = MSG_BUCKETS0;
	if (!(c->mh = al_calloc(c->nmh, sizeof *c->mh))) {
		al_free(c);
		return E_NOMEM;
	}
	c->k = k;
	k->ipc = c;
	return 0;
}

void
ipc_free(struct kern *k)
{
	struct ipc *c = k ? k->ipc : NULL;

	if (!c)
		return;
	while (c->head) {
		struct intf *in = c->head;

		c->head = in->next;
		while (in->qhead) {
			struct msg *m = in->qhead;

			in->qhead = m->qnext;
			if (!m->id)
				al_free(m); /* notifications are in no hash */
		}
		al_free(in);
	}
	for (size_t i = 0; i < c->nmh; i++) {
		while (c->mh[i]) {
			struct msg *m = c->mh[i];

			c->mh[i] = m->hnext;
			if (m->body != m->data)
				al_free(m->body);
			al_free(m);
		}
	}
	for (size_t i = 0; i < IPROC_BUCKETS; i++) {
		while (c->ph[i]) {
			struct iproc *ip = c->ph[i];

			c->ph[i] = ip->next;
			iproc_free(ip);
		}
	}
	al_free(c->mh);
	al_free(c);
	k->ipc = NULL;
}

void
ipc_stats(const struct kern *k, struct ipc_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!k->ipc)
		return;
	*st = k->ipc->st;
	st->queued = k->ipc->nqueued;
	st->interfaces = k->ipc->nintfs;
}
