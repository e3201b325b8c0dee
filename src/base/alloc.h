/*
 * alloc.h - every heap allocation of the library goes through here.
 *
 * The embedder may give a system its own allocator (wr_Config.alloc, a
 * realloc-style function). The public entry points of a system make it
 * the current allocator of the calling thread for the duration of the
 * call (al_enter/al_leave); everything allocated or freed inside uses it.
 * Outside any system (the engine API on its own) the C library's is used.
 * A system's objects are only ever allocated and freed inside its own
 * entry points, so a block always goes back to the allocator it came from.
 */
#ifndef WARREN_BASE_ALLOC_H
#define WARREN_BASE_ALLOC_H
#include <stddef.h>

/* realloc semantics: ptr NULL allocates, nsize 0 frees (returns NULL). */
typedef void *(*al_fn)(void *ud, void *ptr, size_t nsize);

struct al_alloc {
	al_fn fn;
	void *ud;
};

/* The allocator in force on this thread (NULL: the C library's). */
extern _Thread_local const struct al_alloc *al_current;

/* Make a the current allocator; returns the previous one for al_leave. */
static inline const struct al_alloc *
al_enter(const struct al_alloc *a)
{
	const struct al_alloc *prev = al_current;

	al_current = a;
	return prev;
}

static inline void
al_leave(const struct al_alloc *prev)
{
	al_current = prev;
}

void *al_malloc(size_t n);
void *al_calloc(size_t n, size_t size);
void *al_realloc(void *p, size_t n);
void al_free(void *p);
char *al_strdup(const char *s);
char *al_strndup(const char *s, size_t n);

#endif
