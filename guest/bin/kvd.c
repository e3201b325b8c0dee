/*
 * kvd [-c COUNT] [NAME] - a key-value store served as interface NAME
 * (default "kv"), forever (or for COUNT messages).
 *
 * Requests are text, one command per message (a trailing newline is
 * ignored); keys are words, values the rest of the line:
 *   set KEY VALUE   ok, empty body
 *   get KEY         ok "VALUE\n", or ENOENT "no such key"
 *   del KEY         ok, or ENOENT "no such key"
 *   keys            ok, the keys in order, one a line
 * Anything else: EINVAL with a usage line. A message that needs no
 * answer is still carried out. -c: exit after COUNT messages.
 *
 * Try: `kvd &` then `msg kv set a 1; msg kv get a` in warren sh.
 */
#include "serve.h"

struct entry {
	char *key, *val;
	struct entry *next;      /* sorted by key */
};

static struct entry *table;
static char req[WR_MSG_MAX + 1];
static char out[WR_MSG_MAX];

static struct entry **
find(const char *key)
{
	struct entry **e = &table;

	while (*e && strcmp((*e)->key, key) < 0)
		e = &(*e)->next;
	return e;
}

/* Split off the first word of *s (spaces end it); NULL when none. */
static char *
word(char **s)
{
	char *w = *s, *end;

	while (*w == ' ')
		w++;
	if (!*w)
		return NULL;
	end = strchr(w, ' ');
	if (end) {
		*end = 0;
		*s = end + 1;
	} else {
		*s = w + strlen(w);
	}
	return w;
}

/* Carry out request r (NUL-terminated); the answer body into out. */
static int
serve(char *r, size_t *olen)
{
	char *cmd = word(&r), *key = cmd ? word(&r) : NULL;
	struct entry **e, *n;

	*olen = 0;
	if (cmd && !strcmp(cmd, "keys") && !key) {
		for (n = table; n; n = n->next) {
			size_t l = strlen(n->key);

			if (*olen + l + 1 > sizeof out)
				return E2BIG;
			memcpy(out + *olen, n->key, l);
			*olen += l;
			out[(*olen)++] = '\n';
		}
		return 0;
	}
	if (!cmd || !key)
		goto usage;
	e = find(key);
	if (!strcmp(cmd, "get") && !*r) {
		size_t l;

		if (!*e || strcmp((*e)->key, key))
			goto nokey;
		l = strlen((*e)->val);
		if (l + 1 > sizeof out)
			return E2BIG;
		memcpy(out, (*e)->val, l);
		out[l] = '\n';
		*olen = l + 1;
		return 0;
	}
	if (!strcmp(cmd, "del") && !*r) {
		if (!*e || strcmp((*e)->key, key))
			goto nokey;
		n = *e;
		*e = n->next;
		free(n->key);
		free(n->val);
		free(n);
		return 0;
	}
	if (!strcmp(cmd, "set")) {
		char *v = strdup(r);

		if (!v)
			return ENOMEM;
		if (*e && !strcmp((*e)->key, key)) {
			free((*e)->val);
			(*e)->val = v;
			return 0;
		}
		if (!(n = malloc(sizeof *n)) || !(n->key = strdup(key))) {
			free(n);
			free(v);
			return ENOMEM;
		}
		n->val = v;
		n->next = *e;
		*e = n;
		return 0;
	}
usage:
	*olen = (size_t)snprintf(out, sizeof out, "usage: set KEY VALUE | get KEY | del KEY | keys");
	return EINVAL;
nokey:
	*olen = (size_t)snprintf(out, sizeof out, "no such key");
	return ENOENT;
}

/* One request: NUL-terminated (a trailing newline dropped) and served. */
static int
request(char *body, size_t len, const void **reply, size_t *olen)
{
	body[len] = 0;
	if (len > 0 && body[len - 1] == '\n')
		body[len - 1] = 0;
	*reply = out;
	if (strlen(body) != len && strlen(body) + 1 != len)
		return EINVAL;   /* a NUL byte inside */
	return serve(body, olen);
}

int
main(int argc, char **argv)
{
	setprog(argv, "kvd");
	/* req holds any body (WR_MSG_MAX) and its NUL, so ENOBUFS cannot happen. */
	return serve_interface(argc, argv, "kv", "usage: kvd [-c count] [name]", req,
			       sizeof req - 1, request);
}
