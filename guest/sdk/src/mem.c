/*
 * mem.c - memcpy, memmove and memset as single bulk-memory instructions.
 *
 * wasi-libc's versions are byte/word loops, and warren runs memory.copy
 * and memory.fill as host memmove/memset, 45-70x faster than interpreting
 * a loop (ARCHITECTURE.md, "Speed"). This file is compiled with
 * -mbulk-memory, where the builtins below become memory.copy/memory.fill
 * (never a call back into these functions). Linked before libc, these
 * definitions serve wasi-libc's own calls too.
 */
#include <stddef.h>

#if !defined(__wasm_bulk_memory__)
#error "mem.c must be compiled with -mbulk-memory"
#endif

/*
 * Every program that resolves a path links wasi-libc's preopens.o, which
 * calls memcpy; this reference then pulls in cwd.c, whose hook makes
 * relative paths follow the inherited working directory.
 */
int __wasilibc_find_relpath_alloc(const char *path, const char **abs_prefix,
				  char **relative, size_t *relative_len, int can_realloc);
__attribute__((used)) static int (*const pull_cwd)(const char *, const char **, char **,
						   size_t *, int) = __wasilibc_find_relpath_alloc;

void *
memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	__builtin_memcpy(dst, src, n);
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	__builtin_memmove(dst, src, n);
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	__builtin_memset(dst, c, n);
	return dst;
}
