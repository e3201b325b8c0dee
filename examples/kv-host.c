/*
 * kv-host.c - a host program that embeds warren (include/warren.h only)
 * and serves a key-value store to its guest processes as a NATIVE
 * interface: "kv", a C callback the system calls inside wr_step when a
 * guest emits a message to /srv/kv.
 *
 *   kv-host [GUESTDIR [BINDIR]]
 *
 * GUESTDIR holds the example guests (kv/client.wasm, built from
 * examples/guests/kv/client.c with the guest SDK, and kv/session.sh);
 * default: guests/ next to this program.  BINDIR is warren's userland
 * (sh, msg, grep ...) for the shell session; default: ../guest/bin from
 * here; without it the session is skipped.
 *
 * The protocol is kvd's (guest/bin/kvd.c), text, one request a message:
 *   set KEY VALUE   ok, empty body         get KEY   ok "VALUE\n" or ENOENT
 *   del KEY         ok, or ENOENT          keys      ok, one key a line
 *   incr KEY        ok "N\n" (a missing key counts from 0)
 *   later KEY       like get, but answered from the host's loop after the
 *                   step that delivered it (the handler returns WR_BLOCK)
 * Errors are WASI errno values (ENOENT 44, EINVAL 28), as guests see them.
 *
 * It runs NCLIENTS client processes and the shell session at once on a
 * deterministic system, prints their output and what the handler saw, and
 * exits 0 only if every guest succeeded and the store holds what the
 * guests' requests imply.
 */
#define _POSIX_C_SOURCE 200809L
#include <warren.h>

#include <stdarg.h>

#include "example.h"

#define NCLIENTS 4
#define ROUNDS 3
#define MAXKEYS 256
#define MAXLATER 64
#define BUDGET 250000           /* instructions per wr_step */
#define KV_ENOENT 44            /* WASI errno values */
#define KV_EINVAL 28

/* ---- the store and its handler --------------------------------------------- */

struct entry {
	char *key, *val;
};

struct kv {
	struct entry e[MAXKEYS];
	size_t n;
	struct {
		uint64_t id;
		char key[64];
	} later[MAXLATER];          /* requests to answer from the host loop */
	size_t nlater;
	unsigned messages, destroyed, answered_later;
};

struct reply {
	int error;                  /* 0 ok, else a WASI errno */
	char body[4096];
	size_t len;
};

static void
say(struct reply *r, int error, const char *fmt, ...)
{
	va_list ap;
	int n;

	r->error = error;
	va_start(ap, fmt);
	n = vsnprintf(r->body, sizeof r->body, fmt, ap);
	va_end(ap);
	r->len = n < 0 ? 0 : (size_t)n < sizeof r->body ? (size_t)n : sizeof r->body - 1;
}

static struct entry *
lookup(struct kv *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->e[i].key, key))
			return &kv->e[i];
	return NULL;
}

/* Set key to val (copied); false when out of room. */
static bool
put(struct kv *kv, const char *key, const char *val)
{
	struct entry *e = lookup(kv, key);
	char *v = strdup(val), *k;
	size_t i;

	if (!v)
		return false;
	if (e) {
		free(e->val);
		e->val = v;
		return true;
	}
	if (kv->n == MAXKEYS || !(k = strdup(key))) {
		free(v);
		return false;
	}
	/* Keep the keys sorted, so `keys` lists them in order. */
	for (i = kv->n; i > 0 && strcmp(kv->e[i - 1].key, key) > 0; i--)
		kv->e[i] = kv->e[i - 1];
	kv->e[i] = (struct entry){ k, v };
	kv->n++;
	return true;
}

static void
op_set(struct kv *kv, char *key, char *rest, struct reply *r)
{
	if (!put(kv, key, rest))
		say(r, KV_EINVAL, "store full");
}

static void
op_get(struct kv *kv, char *key, char *rest, struct reply *r)
{
	struct entry *e = lookup(kv, key);

	(void)rest;
	if (e)
		say(r, 0, "%s\n", e->val);
	else
		say(r, KV_ENOENT, "no such key");
}

static void
op_del(struct kv *kv, char *key, char *rest, struct reply *r)
{
	struct entry *e = lookup(kv, key);

	(void)rest;
	if (!e) {
		say(r, KV_ENOENT, "no such key");
		return;
	}
	free(e->key);
	free(e->val);
	memmove(e, e + 1, (size_t)(&kv->e[kv->n] - (e + 1)) * sizeof *e);
	kv->n--;
}

static void
op_keys(struct kv *kv, char *key, char *rest, struct reply *r)
{
	(void)key, (void)rest;
	r->len = 0;
	for (size_t i = 0; i < kv->n; i++) {
		int n = snprintf(r->body + r->len, sizeof r->body - r->len, "%s\n", kv->e[i].key);

		if (n < 0 || (size_t)n >= sizeof r->body - r->len)
			break;
		r->len += (size_t)n;
	}
}

static void
op_incr(struct kv *kv, char *key, char *rest, struct reply *r)
{
	struct entry *e = lookup(kv, key);
	char num[32];
	long v = e ? strtol(e->val, NULL, 10) + 1 : 1;

	(void)rest;
	snprintf(num, sizeof num, "%ld", v);
	if (!put(kv, key, num))
		say(r, KV_EINVAL, "store full");
	else
		say(r, 0, "%ld\n", v);
}

static const struct verb {
	const char *name;
	bool key, value;            /* takes a key / a value after it */
	void (*fn)(struct kv *kv, char *key, char *rest, struct reply *r);
} verbs[] = {
	{ "set", true, true, op_set },   { "get", true, false, op_get },
	{ "del", true, false, op_del },  { "keys", false, false, op_keys },
	{ "incr", true, false, op_incr }, { "later", true, false, NULL },
};

/*
 * The native handler: called inside wr_step for each message to "kv",
 * and when a process that used kv ends (WR_MSG_DESTROYED).
 */
static int
kv_serve(void *ctx, wr_System *sys, const wr_Message *m)
{
	struct kv *kv = ctx;
	static struct reply r;
	char req[512], *verb, *key = NULL, *rest = NULL, *save = NULL;
	const struct verb *v = NULL;

	if (m->kind == WR_MSG_DESTROYED) {
		kv->destroyed++;
		return WR_OK;
	}
	kv->messages++;
	memset(&r, 0, sizeof r);
	if (m->len >= sizeof req) {
		say(&r, KV_EINVAL, "request too long");
		goto answer;
	}
	memcpy(req, m->body, m->len);
	req[m->len] = 0;
	req[strcspn(req, "\n")] = 0;
	if ((verb = strtok_r(req, " ", &save)))
		for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
			if (!strcmp(verb, verbs[i].name))
				v = &verbs[i];
	if (v && v->key)
		key = strtok_r(NULL, " ", &save);
	if (v && v->value)
		rest = save && *save ? save : NULL;
	if (!v || (v->key && !key) || (v->value && !rest) ||
	    (!v->value && strtok_r(NULL, " ", &save))) {
		say(&r, KV_EINVAL, "usage: set KEY VALUE | get KEY | del KEY | keys | incr KEY | "
			"later KEY");
		goto answer;
	}
	if (!v->fn) {
		/* later: keep it, answer from the host loop (WR_BLOCK). */
		if (kv->nlater == MAXLATER || !m->needs_answer) {
			say(&r, KV_EINVAL, "too many waiting");
			goto answer;
		}
		kv->later[kv->nlater].id = m->id;
		snprintf(kv->later[kv->nlater].key, sizeof kv->later[0].key, "%s", key);
		kv->nlater++;
		return WR_BLOCK;
	}
	v->fn(kv, key, rest, &r);
answer:
	if (m->needs_answer)
		wr_answer(sys, m->id, r.error, r.body, r.len);
	return WR_OK;
}

/* The host's loop answers the "later" requests the handler kept. */
static void
answer_later(wr_System *sys, struct kv *kv)
{
	static struct reply r;

	for (size_t i = 0; i < kv->nlater; i++) {
		memset(&r, 0, sizeof r);
		op_get(kv, kv->later[i].key, NULL, &r);
		if (wr_answer(sys, kv->later[i].id, r.error, r.body, r.len) == WR_OK)
			kv->answered_later++;
	}
	kv->nlater = 0;
}

/* ---- the guests ------------------------------------------------------------------ */

struct guest {
	const char *label;
	int32_t pid;
	bool exited, eof[3], bol[3];
	int status;                 /* exit code, or 128 + signal */
	char out[2048];             /* what it wrote to stdout */
	size_t outlen;
};

/* What guest g wrote to fd (1 or 2): printed, each line labelled. */
struct piece {
	struct guest *g;
	int fd;
};

static void
got_piece(void *ctx, const char *buf, size_t n)
{
	struct piece *pc = ctx;
	struct guest *g = pc->g;
	int fd = pc->fd;

	for (size_t i = 0; i < n; i++) {
		if (g->bol[fd])
			printf("  [%s%s] ", g->label, fd == 2 ? " stderr" : "");
		putchar(buf[i]);
		g->bol[fd] = buf[i] == '\n';
	}
	if (fd == 1 && g->outlen + n < sizeof g->out) {
		memcpy(g->out + g->outlen, buf, n);
		g->outlen += n;
		g->out[g->outlen] = 0;
	}
}

/* Print what guest g wrote to fd (1 or 2), each line labelled. */
static void
drain(wr_System *sys, struct guest *g, int fd)
{
	struct piece pc = { g, fd };

	take_output(sys, g->pid, fd, &g->eof[fd], got_piece, &pc);
}

static bool
spawn(wr_System *sys, struct guest *g, const char *const *argv)
{
	wr_Spawn sp = { .path = argv[0], .argv = argv,
			.stdio = { WR_STDIO_NULL, WR_STDIO_PIPE, WR_STDIO_PIPE } };
	int st = wr_spawn(sys, &sp, &g->pid);

	if (st != WR_OK) {
		fprintf(stderr, "kv-host: spawn %s: %s (%s)\n", argv[0], wr_errmsg(st),
			wr_system_errmsg(sys));
		return false;
	}
	g->bol[1] = g->bol[2] = true;
	printf("spawned %s as pid %d\n", g->label, (int)g->pid);
	return true;
}

static int
install(wr_System *sys, const char *guest, const char *dir, const char *file)
{
	char host[PATH_MAX];

	snprintf(host, sizeof host, "%s/%s", dir, file);
	if (wr_install_file(sys, guest, host) != WR_OK) {
		fprintf(stderr, "kv-host: %s\n", wr_system_errmsg(sys));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct kv kv;
	static struct guest g[NCLIENTS + 1];
	static const char *const userland[] = { "sh", "msg", "grep", "cat", "echo" };
	static char labels[NCLIENTS][16], nums[NCLIENTS][8];
	char *gdir = argc > 1 ? strdup(argv[1]) : beside_me("guests");
	char *bdir = argc > 2 ? strdup(argv[2]) : beside_me("../guest/bin");
	char path[PATH_MAX], rounds[8], err[256];
	wr_Config cfg = { .seed = 42, .deterministic = 1, .max_fuel = 200 * 1000 * 1000 };
	wr_System *sys = NULL;
	size_t nguests = 0, live = 0;
	bool session = false;
	int st, failed = 0, rc = 1;
	struct entry *e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!gdir || !bdir) {
		fprintf(stderr, "usage: kv-host [GUESTDIR [BINDIR]]\n");
		return 2;
	}
	if ((st = wr_system_new(&cfg, &sys, err, sizeof err)) != WR_OK) {
		fprintf(stderr, "kv-host: %s: %s\n", wr_errmsg(st), err);
		return 1;
	}
	/* The native interface: every message to /srv/kv calls kv_serve. */
	if ((st = wr_interface_register(sys, "kv", kv_serve, &kv)) != WR_OK) {
		fprintf(stderr, "kv-host: register kv: %s\n", wr_errmsg(st));
		goto out;
	}
	printf("kv-host: serving interface \"kv\" natively; guests from %s\n", gdir);
	if (install(sys, "/bin/kvclient", gdir, "kv/client.wasm") < 0)
		goto out;
	snprintf(path, sizeof path, "%s/msg.wasm", bdir);
	if (access(path, R_OK) == 0) {
		session = true;
		for (size_t i = 0; i < sizeof userland / sizeof userland[0]; i++) {
			char guest[64], file[64];

			snprintf(guest, sizeof guest, "/bin/%s", userland[i]);
			snprintf(file, sizeof file, "%s.wasm", userland[i]);
			if (install(sys, guest, bdir, file) < 0)
				goto out;
		}
		if (install(sys, "/home/session.sh", gdir, "kv/session.sh") < 0)
			goto out;
	} else {
		printf("kv-host: no userland in %s: the shell session is skipped\n", bdir);
	}
	snprintf(rounds, sizeof rounds, "%d", ROUNDS);
	for (int i = 0; i < NCLIENTS; i++) {
		snprintf(labels[i], sizeof labels[i], "client %d", i + 1);
		snprintf(nums[i], sizeof nums[i], "%d", i + 1);
		g[nguests].label = labels[i];
		const char *const av[] = { "/bin/kvclient", nums[i], rounds, NULL };

		if (!spawn(sys, &g[nguests++], av))
			goto out;
	}
	if (session) {
		const char *const av[] = { "/bin/sh", "/home/session.sh", NULL };

		g[nguests].label = "session.sh";
		if (!spawn(sys, &g[nguests++], av))
			goto out;
	}

	/* The host loop: step, answer what was left for it, show the output. */
	for (unsigned steps = 0;; steps++) {
		wr_Event ev;

		if ((st = wr_step(sys, BUDGET, &ev)) != WR_OK) {
			fprintf(stderr, "kv-host: wr_step: %s\n", wr_errmsg(st));
			goto out;
		}
		if (kv.nlater) {
			printf("kv-host: step %u: answering %zu \"later\" request%s from the host loop\n",
			       steps, kv.nlater, kv.nlater == 1 ? "" : "s");
			answer_later(sys, &kv);
		}
		live = 0;
		for (size_t i = 0; i < nguests; i++) {
			drain(sys, &g[i], 1);
			drain(sys, &g[i], 2);
			if (ev.what == WR_EV_EXITED && ev.pid == g[i].pid) {
				g[i].exited = true;
				g[i].status = ev.signal ? 128 + ev.signal : ev.exit_code;
				printf("kv-host: %s (pid %d) exited with %d%s%s\n", g[i].label,
				       (int)ev.pid, g[i].status, ev.signal ? ", killed by " : "",
				       ev.signame);
			}
			live += !g[i].exited || !g[i].eof[1] || !g[i].eof[2];
		}
		if (!live || ev.what == WR_EV_DONE)
			break;
		if (ev.what == WR_EV_IDLE && ev.wake_ns == UINT64_MAX && !kv.nlater) {
			fprintf(stderr, "kv-host: every guest is blocked (deadlock)\n");
			failed = 1;
			break;
		}
	}

	printf("kv-host: the handler served %u messages, answered %u later, and saw %u "
	       "processes end\n", kv.messages, kv.answered_later, kv.destroyed);
	printf("kv-host: the store:\n");
	for (size_t i = 0; i < kv.n; i++)
		printf("  %s = %s\n", kv.e[i].key, kv.e[i].val);
	printf("kv-host: checks:\n");
	for (size_t i = 0; i < nguests; i++) {
		char what[64];

		snprintf(what, sizeof what, "%s exited with 0", g[i].label);
		failed |= check(g[i].exited && g[i].status == 0, what);
	}
	for (int i = 0; i < NCLIENTS; i++) {
		char key[32], want[32], what[96];

		snprintf(key, sizeof key, "player%d", i + 1);
		snprintf(want, sizeof want, "score=%d", (i + 1) * (i + 1));
		snprintf(what, sizeof what, "%s = %s", key, want);
		failed |= check((e = lookup(&kv, key)) && !strcmp(e->val, want), what);
		snprintf(key, sizeof key, "tmp%d", i + 1);
		snprintf(what, sizeof what, "%s was deleted", key);
		failed |= check(!lookup(&kv, key), what);
	}
	snprintf(rounds, sizeof rounds, "%d", NCLIENTS * ROUNDS + (session ? 1 : 0));
	snprintf(path, sizeof path, "visits = %s (every incr counted once)", rounds);
	failed |= check((e = lookup(&kv, "visits")) && !strcmp(e->val, rounds), path);
	failed |= check(kv.answered_later == NCLIENTS, "every \"later\" answered from the host loop");
	failed |= check(kv.destroyed >= NCLIENTS, "the handler heard of every client's end");
	if (session) {
		struct guest *s = &g[nguests - 1];

		failed |= check((e = lookup(&kv, "greeting")) && !strcmp(e->val, "hello"),
				"greeting = hello (set by the shell session)");
		failed |= check(strstr(s->out, "hello\n") && strstr(s->out, "greeting\n") &&
				strstr(s->out, "nosuchkey: missing"),
				"the session read its key back, listed it, and saw ENOENT");
	}
	printf("kv-host: %s\n", failed ? "FAILED" : "all good");
	rc = failed ? 1 : 0;
out:
	for (size_t i = 0; i < kv.n; i++) {
		free(kv.e[i].key);
		free(kv.e[i].val);
	}
	wr_system_free(sys);
	free(gdir);
	free(bdir);
	return rc;
}
