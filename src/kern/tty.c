/*
 * tty.c - the console: a line discipline between the host and the guests.
 *
 * Input lives in one ring, in three parts (positions count up forever and
 * are reduced modulo TTY_INBUF when indexing, so their differences are
 * always right):
 *
 *     head ........ canon ........ tail
 *     committed input   the line being typed (canonical mode only)
 *
 * Reads take from [head, canon). A parallel array marks the byte that ends
 * each committed line: M_EOL for a newline (or a line cut at TTY_LINE_MAX),
 * read as data; M_EOF for the ^D that ended a line, which is not data: on
 * its own it is the "read returns 0" of end of file, after text it just
 * delivers the text without a newline. This is how Unix ttys keep ^D in
 * the queue, and it needs no separate list of line lengths.
 *
 * The console is a vnode (tty_vnode_ops) in devfs; the process doing the
 * I/O arrives as io->opener, which job control needs. Its one wait channel
 * (the struct tty) is woken whenever input arrives, output drains, or the
 * foreground group changes.
 */
#include <stdlib.h>
#include "base/alloc.h"
#include <string.h>

#include "kern/file_impl.h"
#include "kern/kern.h"

#define INMASK (TTY_INBUF - 1)

_Static_assert((TTY_INBUF & INMASK) == 0, "TTY_INBUF must be a power of two");
_Static_assert(TTY_LINE_MAX < TTY_INBUF, "a cut line must fit in the input ring");

enum { M_DATA = 0, M_EOL = 1, M_EOF = 2 };

/* Control characters of the line discipline. */
enum {
	C_INTR = 0x03,   /* ^C */
	C_EOF = 0x04,    /* ^D */
	C_BS = 0x08,
	C_KILL = 0x15,   /* ^U */
	C_SUSP = 0x1a,   /* ^Z */
	C_QUIT = 0x1c,   /* ^\ */
	C_DEL = 0x7f,
};

/* The signal characters, as a table indexed by byte (0: none). */
static const unsigned char sigchar[256] = {
	[C_INTR] = KSIGINT,
	[C_QUIT] = KSIGQUIT,
	[C_SUSP] = KSIGTSTP,
};

struct tty {
	struct kern *k;
	unsigned mode;
	bool in_eof;                     /* the host's input is over */
	uint32_t head, canon, tail;
	unsigned char in[TTY_INBUF];
	unsigned char mark[TTY_INBUF];

	void (*out_fn)(void *ctx, const void *buf, size_t n);
	void *out_ctx;
	unsigned char *out;              /* TTY_OUTBUF bytes, allocated on first use */
	uint32_t out_head, out_used;
};

struct tty *
tty_new(struct kern *k)
{
	struct tty *t = al_calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->k = k;
	t->mode = TTY_DEFAULT_MODE;
	return t;
}

void
tty_free(struct tty *t)
{
	if (!t)
		return;
	al_free(t->out);
	al_free(t);
}

static void
wake(struct tty *t)
{
	if (t->k)
		kern_wakeup(t->k, t);
}

/* ---- output ----------------------------------------------------------------- */

/* Append to the output buffer; returns the bytes that fitted. */
static size_t
buffer_out(struct tty *t, const unsigned char *p, size_t len)
{
	size_t room, done = 0;

	if (!t->out) {
		t->out = al_malloc(TTY_OUTBUF);
		if (!t->out)
			return 0;
	}
	room = TTY_OUTBUF - t->out_used;
	if (len > room)
		len = room;
	while (done < len) {
		uint32_t at = (t->out_head + t->out_used) % TTY_OUTBUF;
		size_t k = TTY_OUTBUF - at < len - done ? TTY_OUTBUF - at : len - done;

		memcpy(t->out + at, p + done, k);
		t->out_used += (uint32_t)k;
		done += k;
	}
	return done;
}

/* Echo: never blocks; with a full buffer the echo is lost, not the input. */
static void
echo(struct tty *t, const char *s, size_t len)
{
	if (!(t->mode & TTY_ECHO))
		return;
	if (t->out_fn)
		t->out_fn(t->out_ctx, s, len);
	else
		buffer_out(t, (const unsigned char *)s, len);
}

void
tty_set_output(struct tty *t, void (*fn)(void *ctx, const void *buf, size_t n), void *ctx)
{
	unsigned char chunk[512];
	size_t n;

	if (fn) {
		while ((n = tty_drain(t, chunk, sizeof chunk)) > 0)
			fn(ctx, chunk, n);
	}
	t->out_fn = fn;
	t->out_ctx = ctx;
	wake(t);
}

size_t
tty_drain(struct tty *t, void *buf, size_t cap)
{
	unsigned char *dst = buf;
	size_t done = 0;

	while (done < cap && t->out_used) {
		size_t k = TTY_OUTBUF - t->out_head;

		if (k > t->out_used)
			k = t->out_used;
		if (k > cap - done)
			k = cap - done;
		memcpy(dst + done, t->out + t->out_head, k);
		t->out_head = (t->out_head + (uint32_t)k) % TTY_OUTBUF;
		t->out_used -= (uint32_t)k;
		done += k;
	}
	if (t->out_used == 0)
		t->out_head = 0;
	if (done)
		wake(t);
	return done;
}

static int
tty_write(struct tty *t, const void *buf, size_t len, size_t *n, struct fs_io *io)
{
	*n = 0;
	if (len == 0)
		return 0;
	if (t->out_fn) {
		t->out_fn(t->out_ctx, buf, len);
		*n = len;
		return 0;
	}
	if (t->out_used == TTY_OUTBUF) {
		if (io->nonblock)
			return E_AGAIN;
		io->chan = t;
		return E_BLOCK;
	}
	*n = buffer_out(t, buf, len);
	return *n ? 0 : E_NOMEM;
}

/* ---- input ------------------------------------------------------------------- */

static void
commit(struct tty *t)
{
	t->canon = t->tail;
}

static void
push(struct tty *t, unsigned char c, unsigned char mark)
{
	t->in[t->tail & INMASK] = c;
	t->mark[t->tail & INMASK] = mark;
	t->tail++;
}

/* ^C, ^Z, ^\: the line being typed is dropped and the foreground told. */
static void
intr(struct tty *t, int sig)
{
	t->tail = t->canon;
	if (t->k && t->k->fg_pgid > 0)
		sig_send_pgrp(t->k, t->k->fg_pgid, sig);
}

size_t
tty_input(struct tty *t, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t before = t->canon;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];
		bool full = t->tail - t->head == TTY_INBUF;

		if (t->mode & TTY_ISIG && sigchar[c]) {
			static const char caret[3][4] = { "^C\n", "^Z\n", "^\\\n" };

			echo(t, caret[c == C_INTR ? 0 : c == C_SUSP ? 1 : 2], 3);
			intr(t, sigchar[c]);
			continue;
		}
		if (!(t->mode & TTY_ICANON)) {
			if (full)
				break;
			push(t, c, M_DATA);
			commit(t);
			echo(t, (const char *)&c, 1);
			continue;
		}
		if (c == '\r')
			c = '\n';
		if (c == C_DEL || c == C_BS) {
			if (t->tail != t->canon) {
				t->tail--;
				echo(t, "\b \b", 3);
			}
			continue;
		}
		if (c == C_KILL) {
			while (t->tail != t->canon) {
				t->tail--;
				echo(t, "\b \b", 3);
			}
			continue;
		}
		if (full)
			break;
		if (c == C_EOF) {
			push(t, c, M_EOF);
			commit(t);
			continue;
		}
		push(t, c, c == '\n' || t->tail - t->canon + 1 >= TTY_LINE_MAX ? M_EOL : M_DATA);
		echo(t, (const char *)&c, 1);
		if (t->mark[(t->tail - 1) & INMASK] == M_EOL)
			commit(t);
	}
	if (t->canon != before)
		wake(t);
	return i;
}

void
tty_input_eof(struct tty *t)
{
	/* A line typed without its newline is still delivered. */
	if (t->tail != t->canon) {
		t->mark[(t->tail - 1) & INMASK] = M_EOL;
		commit(t);
	}
	t->in_eof = true;
	wake(t);
}

void
tty_signal(struct tty *t, int sig)
{
	intr(t, sig);
}

unsigned
tty_mode(const struct tty *t)
{
	return t->mode;
}

void
tty_set_mode(struct tty *t, unsigned mode)
{
	/* Leaving canonical mode hands over the line being typed as it is. */
	if (!(mode & TTY_ICANON))
		commit(t);
	t->mode = mode & (TTY_ICANON | TTY_ECHO | TTY_ISIG);
	wake(t);
}

/*
 * Job control for a read or tcsetpgrp by p: 0 to go ahead; E_BLOCK after
 * sending sig to p's group when p is in the background of the console's
 * session; E_IO (reads) or 0 (tcsetpgrp, sig SIGTTOU) when p ignores or
 * blocks sig.
 */
static int
background(struct tty *t, struct proc *p, int sig, struct fs_io *io)
{
	struct kern *k = t->k;

	if (!p || !k || !k->console_sid || p->sid != k->console_sid || !k->fg_pgid
	    || p->pgid == k->fg_pgid)
		return 0;
	if ((p->sig_ignored | p->sig_blocked) & KSIG_BIT(sig))
		return sig == KSIGTTIN ? E_IO : 0;
	sig_send_pgrp(k, p->pgid, sig);
	io->chan = t;
	return E_BLOCK;
}

static int
tty_read(struct tty *t, void *buf, size_t len, size_t *n, struct fs_io *io)
{
	unsigned char *dst = buf, m = M_DATA;
	size_t done = 0;
	int err;

	*n = 0;
	err = background(t, io->opener, KSIGTTIN, io);
	if (err)
		return err;
	if (len == 0)
		return 0;
	if (t->head == t->canon) {
		if (t->in_eof)
			return 0;
		if (io->nonblock)
			return E_AGAIN;
		io->chan = t;
		return E_BLOCK;
	}
	while (t->head != t->canon && done < len) {
		unsigned char c = t->in[t->head & INMASK];

		m = t->mark[t->head & INMASK];
		t->head++;
		if (m == M_EOF) {
			if (t->mode & TTY_ICANON)
				break;
			continue;
		}
		dst[done++] = c;
		if (m == M_EOL && t->mode & TTY_ICANON)
			break;
	}
	/* A line that ^D ended, read to its last byte: the ^D goes with it, or
	 * the next read would mistake it for end of file. */
	if (t->mode & TTY_ICANON && done && m == M_DATA && t->head != t->canon
	    && t->mark[t->head & INMASK] == M_EOF)
		t->head++;
	*n = done;
	return 0;
}

static unsigned
tty_poll(struct tty *t, unsigned events, struct fs_io *io)
{
	unsigned ready = 0;

	if (events & FS_POLLIN && (t->head != t->canon || t->in_eof))
		ready |= FS_POLLIN;
	if (events & FS_POLLOUT && (t->out_fn || t->out_used < TTY_OUTBUF))
		ready |= FS_POLLOUT;
	if (!ready)
		io->chan = t;
	return ready;
}

/* ---- tcsetpgrp / tcgetpgrp ----------------------------------------------------- */

void
tty_attach(struct tty *t, int32_t sid, int32_t pgid)
{
	if (t->k) {
		t->k->console_sid = sid;
		t->k->fg_pgid = pgid;
	}
	wake(t);
}

int
tty_setpgrp(struct file *f, struct proc *p, int32_t pgid, struct fs_io *io)
{
	struct tty *t = file_tty(f);
	struct kern *k;
	int err;

	if (!t || !t->k || (t->k->console_sid && p->sid != t->k->console_sid))
		return E_NOTTY;
	k = t->k;
	if (pgid <= 0)
		return E_INVAL;
	err = background(t, p, KSIGTTOU, io);
	if (err)
		return err;
	if (!kern_group_in_session(k, pgid, p->sid))
		return E_PERM;
	k->console_sid = p->sid;
	k->fg_pgid = pgid;
	wake(t);
	return 0;
}

int
tty_getpgrp(struct file *f, struct proc *p, int32_t *pgid)
{
	struct tty *t = file_tty(f);

	if (!t || !t->k || (t->k->console_sid && p->sid != t->k->console_sid))
		return E_NOTTY;
	*pgid = t->k->fg_pgid;
	return 0;
}

/* ---- the console as a device vnode ------------------------------------------------ */

static int
vn_tty_read(struct vnode *v, struct fs_io *io, uint64_t off, void *buf, size_t len, size_t *n)
{
	(void)off;
	return tty_read(v->priv, buf, len, n, io);
}

static int
vn_tty_write(struct vnode *v, struct fs_io *io, uint64_t off, const void *buf, size_t len,
	     size_t *n)
{
	(void)off;
	return tty_write(v->priv, buf, len, n, io);
}

static unsigned
vn_tty_poll(struct vnode *v, unsigned events, struct fs_io *io)
{
	return tty_poll(v->priv, events, io);
}

const struct vnode_ops tty_vnode_ops = {
	.read = vn_tty_read,
	.write = vn_tty_write,
	.poll = vn_tty_poll,
};
