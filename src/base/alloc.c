/* alloc.c - the library's allocation functions (see alloc.h). */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "base/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Thread_local const struct al_alloc *al_current;

void *
al_malloc(size_t n)
{
	const struct al_alloc *a = al_current;

	if (!a)
		return malloc(n);
	return n ? a->fn(a->ud, NULL, n) : a->fn(a->ud, NULL, 1);
}

void *
al_calloc(size_t n, size_t size)
{
	void *p;

	if (!al_current)
		return calloc(n, size);
	if (size && n > SIZE_MAX / size)
		return NULL;
	p = al_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *
al_realloc(void *p, size_t n)
{
	const struct al_alloc *a = al_current;

	if (!a)
		return realloc(p, n);
	return a->fn(a->ud, p, n ? n : 1);
}

void
al_free(void *p)
{
	const struct al_alloc *a = al_current;

	if (!p)
		return;
	if (!a)
		free(p);
	else
		a->fn(a->ud, p, 0);
}

char *
al_strdup(const char *s)
{
	return al_strndup(s, strlen(s));
}

char *
al_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = al_malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = 0;
	}
	return d;
}
