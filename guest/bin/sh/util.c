/* util.c - memory: the allocation wrappers, arenas, growable strings, fields. */
#define _GNU_SOURCE
#include "sh.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct chunk {
	struct chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

#define CHUNK 8192

static void
oom(void)
{
	static const char msg[] = "sh: out of memory\n";
	ssize_t r = write(2, msg, sizeof msg - 1);
	(void)r;
	_exit(2);
}

/* Never returns NULL: a shell that cannot allocate cannot go on. */
void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *r = xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = 0;
	return r;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void *
arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK ? n : CHUNK;
		c = xmalloc(sizeof *c + size);
		c->used = 0;
		c->size = size;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *r = arena_alloc(a, n + 1);
	memcpy(r, s, n);
	r[n] = 0;
	return r;
}

void
arena_free(struct arena *a)
{
	if (a->pinned)
		return;
	while (a->head) {
		struct chunk *c = a->head;
		a->head = c->next;
		free(c);
	}
}

static void
str_grow(struct str *b, size_t extra)
{
	if (b->n + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 32;
	while (cap < b->n + extra + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void
str_addc(struct str *b, char c)
{
	str_grow(b, 1);
	b->s[b->n++] = c;
	b->s[b->n] = 0;
}

void
str_addn(struct str *b, const char *s, size_t n)
{
	str_grow(b, n);
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

void
str_adds(struct str *b, const char *s)
{
	str_addn(b, s, strlen(s));
}

char *
str_cstr(struct str *b)
{
	str_grow(b, 0);
	b->s[b->n] = 0;
	return b->s;
}

void
fields_add(struct fields *f, char *s)
{
	if (f->n + 2 > f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->v = xrealloc(f->v, (size_t)f->cap * sizeof *f->v);
	}
	f->v[f->n++] = s;
	f->v[f->n] = NULL;
}

void
fields_free(struct fields *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}
