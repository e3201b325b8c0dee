/*
 * module.c - the module object: load (decode, validate, compile), sharing by
 * reference count, export lookup, and the small helpers every part of the
 * VM uses (errors, hashing, signature comparison).
 *
 * A loaded module is immutable, so instances in different processes (and
 * later on different host threads) share it; only the reference count
 * changes, atomically.
 */
#include <stdarg.h>
#include "base/alloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"

/*
 * Fill *e (when e != NULL) with kind, offset and the formatted message, and
 * return kind, so that callers can write `return vm_err(...)`.
 */
int
vm_err(struct vm_error *e, enum vm_errkind kind, uint32_t offset, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return kind;
	e->kind = kind;
	e->offset = offset;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return kind;
}

const char *
vm_valtype_name(uint8_t t)
{
	switch (t) {
	case VM_I32: return "i32";
	case VM_I64: return "i64";
	case VM_F32: return "f32";
	case VM_F64: return "f64";
	case VM_FUNCREF: return "funcref";
	case VM_EXTERNREF: return "externref";
	default: return "?";
	}
}

/* FNV-1a, 64 bits: the module identity in snapshots. Never fails. */
uint64_t
vm_hash64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Structural equality of two signatures; the key decides when both have one. */
bool
vm_functype_equal(const struct vm_functype *a, const struct vm_functype *b)
{
	if (a == b)
		return true;
	if (a->key && b->key)
		return a->key == b->key;
	if (a->nparams != b->nparams || a->nresults != b->nresults)
		return false;
	/* An empty type may have types == NULL: memcmp must not see it. */
	size_t n = (size_t)a->nparams + a->nresults;
	return n == 0 || !memcmp(a->types, b->types, n);
}

/*
 * Free everything decode/validate/compile hung off *m (not m->bytes, which
 * the caller of vm_decode provides) and zero those fields. Safe on a
 * partially decoded module and safe to call twice.
 */
void
vm_module_free_contents(struct vm_module *m)
{
	uint32_t ndefs = m->nfuncs - m->nfunc_imports;
	uint8_t *bytes = m->bytes;
	size_t len = m->len;
	int refcount = m->refcount;

	for (uint32_t i = 0; m->types && i < m->ntypes; i++)
		al_free(m->types[i].types);
	al_free(m->types);
	for (uint32_t i = 0; m->imports && i < m->nimports; i++) {
		al_free(m->imports[i].module);
		al_free(m->imports[i].name);
	}
	al_free(m->imports);
	for (uint32_t i = 0; m->funcs && i < ndefs; i++) {
		al_free(m->funcs[i].local_types);
		if (m->funcs[i].code)
			vm_code_free(m->funcs[i].code);
	}
	al_free(m->funcs);
	al_free(m->tables);
	al_free(m->mems);
	al_free(m->globals);
	for (uint32_t i = 0; m->exports && i < m->nexports; i++)
		al_free(m->exports[i].name);
	al_free(m->exports);
	for (uint32_t i = 0; m->elems && i < m->nelems; i++)
		al_free(m->elems[i].init);
	al_free(m->elems);
	al_free(m->datas);
	al_free(m->declared_funcs);
	al_free(m->func_type_index);
	for (uint32_t i = 0; m->func_names && i < m->nfuncs; i++)
		al_free(m->func_names[i]);
	al_free(m->func_names);

	memset(m, 0, sizeof *m);
	m->bytes = bytes;
	m->len = len;
	m->refcount = refcount;
}

/*
 * Decode, validate and compile a private copy of bytes[0..len). Returns the
 * module with one reference, or NULL with *err set (MALFORMED, INVALID or
 * NOMEM) and nothing left allocated.
 */
struct vm_module *
vm_module_load(const uint8_t *bytes, size_t len, struct vm_error *err)
{
	struct vm_module *m = al_calloc(1, sizeof *m);

	if (!m || !(m->bytes = al_malloc(len ? len : 1))) {
		al_free(m);
		vm_err(err, VM_ERR_NOMEM, 0, "out of memory (module of %zu bytes)", len);
		return NULL;
	}
	if (len)
		memcpy(m->bytes, bytes, len);
	m->len = len;
	m->refcount = 1;
	if (vm_decode(m, err) || vm_validate(m, err) || vm_compile(m, err))
		goto fail;
	return m;
fail:
	vm_module_free_contents(m);
	al_free(m->bytes);
	al_free(m);
	return NULL;
}

/* Take one more reference. */
void
vm_module_ref(struct vm_module *m)
{
	__atomic_add_fetch(&m->refcount, 1, __ATOMIC_RELAXED);
}

/* Drop one reference; the last one frees the module. NULL is ignored. */
void
vm_module_unref(struct vm_module *m)
{
	if (!m || __atomic_sub_fetch(&m->refcount, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	vm_module_free_contents(m);
	al_free(m->bytes);
	al_free(m);
}

/* Index into m->exports of the export `name` of `kind`, or -1. */
int
vm_module_find_export(const struct vm_module *m, const char *name, uint32_t name_len, uint8_t kind)
{
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct vm_export *ex = &m->exports[i];

		if (ex->kind == kind && ex->name_len == name_len &&
		    !memcmp(ex->name, name, name_len))
			return (int)i;
	}
	return -1;
}
