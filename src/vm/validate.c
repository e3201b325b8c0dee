/*
 * validate.c - module-level validation (everything except function bodies,
 * which vm_compile type-checks as it compiles them).
 *
 * The checks follow the order of the spec's reference validator, so a module
 * with several problems reports the one the spec testsuite expects: imports
 * and function types, globals, tables, memories, element and data segments,
 * the start function, exports, and finally the number of memories. Messages
 * start with the testsuite's text and add which item and where.
 *
 * Wasm 2.0 scoping: constant expressions see only imported globals, and
 * only immutable ones; ref.func may name any function.
 */
#include <stdarg.h>
#include "base/alloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

#define MAX_PAGES 65536u

static int __attribute__((format(printf, 3, 4)))
inval(struct vm_error *err, uint32_t at, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (at)
		vm_err(err, VM_ERR_INVALID, at, "%s (offset 0x%x)", what, at);
	else
		vm_err(err, VM_ERR_INVALID, 0, "%s", what);
	return -1;
}

static void
declare(struct vm_module *m, uint32_t func)
{
	if (func < m->nfuncs)
		m->declared_funcs[func / 8] |= (uint8_t)(1u << (func % 8));
}

/* Type-check constant expression c against `want`; fills c->type for
 * global.get. `what` names the owner for the message. */
static int
constexpr(struct vm_module *m, struct vm_error *err, struct vm_constexpr *c, uint8_t want,
	  const char *what, uint32_t i)
{
	switch (c->kind) {
	case VM_CONST_GLOBAL_GET:
		if (c->index >= m->nglobal_imports)
			return inval(err, c->offset, "unknown global %u in %s %u (constant expressions "
				     "may only read imported globals)", c->index, what, i);
		if (m->globals[c->index].type.mut)
			return inval(err, c->offset, "constant expression required in %s %u "
				     "(global %u is mutable)", what, i, c->index);
		c->type = m->globals[c->index].type.type;
		break;
	case VM_CONST_REF_FUNC:
		if (c->index >= m->nfuncs)
			return inval(err, c->offset, "unknown function %u in %s %u", c->index, what, i);
		break;
	case VM_CONST_VALUE:
	case VM_CONST_REF_NULL:
		break;
	}
	if (!c->type)
		return inval(err, c->offset, "type mismatch in %s %u: a constant expression is "
			     "exactly one instruction", what, i);
	if (c->type != want)
		return inval(err, c->offset, "type mismatch in %s %u: expression has type 0x%02x, "
			     "expected 0x%02x", what, i, c->type, want);
	return 0;
}

static int
limits(struct vm_error *err, const struct vm_limits *l, uint64_t range, const char *toobig,
       const char *what, uint32_t i)
{
	if (l->min > range || (l->has_max && l->max > range))
		return inval(err, 0, "%s (%s %u)", toobig, what, i);
	if (l->has_max && l->min > l->max)
		return inval(err, 0, "size minimum must not be greater than maximum (%s %u: %llu > %llu)",
			     what, i, (unsigned long long)l->min, (unsigned long long)l->max);
	if (l->shared && !l->has_max)
		return inval(err, 0, "shared memory must have maximum (%s %u)", what, i);
	return 0;
}

static int
memlimits(struct vm_error *err, const struct vm_limits *l, uint32_t i)
{
	return limits(err, l, MAX_PAGES, "memory size must be at most 65536 pages (4GiB)", "memory", i);
}

static int
tablimits(struct vm_error *err, const struct vm_limits *l, uint32_t i)
{
	return limits(err, l, UINT32_MAX, "table size must be at most 2^32-1", "table", i);
}

static int
imports(struct vm_module *m, struct vm_error *err)
{
	uint32_t ntab = 0, nmem = 0;

	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct vm_import *im = &m->imports[i];

		switch (im->kind) {
		case VM_EXT_FUNC:
			if (im->u.type_index >= m->ntypes)
				return inval(err, 0, "unknown type %u in import %u", im->u.type_index, i);
			break;
		case VM_EXT_TABLE:
			if (tablimits(err, &im->u.table.limits, ntab++) < 0)
				return -1;
			break;
		case VM_EXT_MEMORY:
			if (memlimits(err, &im->u.mem, nmem++) < 0)
				return -1;
			break;
		}
	}
	for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++)
		if (m->funcs[i].type_index >= m->ntypes)
			return inval(err, m->funcs[i].body_offset, "unknown type %u in function %u",
				     m->funcs[i].type_index, m->nfunc_imports + i);
	return 0;
}

static int
segments(struct vm_module *m, struct vm_error *err)
{
	for (uint32_t i = 0; i < m->nelems; i++) {
		struct vm_elem *e = &m->elems[i];

		for (uint32_t j = 0; j < e->count; j++) {
			if (constexpr(m, err, &e->init[j], e->elemtype, "element segment", i) < 0)
				return -1;
			if (e->init[j].kind == VM_CONST_REF_FUNC)
				declare(m, e->init[j].index);
		}
		if (e->mode != VM_SEG_ACTIVE)
			continue;
		if (e->table >= m->ntables)
			return inval(err, e->offset.offset, "unknown table %u in element segment %u",
				     e->table, i);
		if (m->tables[e->table].elemtype != e->elemtype)
			return inval(err, e->offset.offset, "type mismatch: element segment %u has type "
				     "0x%02x, table %u 0x%02x", i, e->elemtype, e->table,
				     m->tables[e->table].elemtype);
		if (constexpr(m, err, &e->offset, VM_I32, "element segment offset", i) < 0)
			return -1;
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		struct vm_data *s = &m->datas[i];

		if (s->mode != VM_SEG_ACTIVE)
			continue;
		if (s->memory >= m->nmems)
			return inval(err, s->offset.offset, "unknown memory %u in data segment %u",
				     s->memory, i);
		if (constexpr(m, err, &s->offset, VM_I32, "data segment offset", i) < 0)
			return -1;
	}
	return 0;
}

static int
byname(const void *a, const void *b)
{
	const struct vm_export *x = *(const struct vm_export *const *)a;
	const struct vm_export *y = *(const struct vm_export *const *)b;
	int c;

	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	if ((c = memcmp(x->name, y->name, x->name_len)))
		return c;
	return x < y ? -1 : x > y;
}

/* Index of the first export whose name an earlier export already has, or
 * UINT32_MAX; -1 if out of memory. Sorting keeps hostile modules linear-ish. */
static int64_t
first_duplicate(const struct vm_module *m)
{
	const struct vm_export **v;
	uint32_t first = UINT32_MAX;

	if (m->nexports < 2)
		return first;
	if (!(v = al_malloc(m->nexports * sizeof *v)))
		return -1;
	for (uint32_t i = 0; i < m->nexports; i++)
		v[i] = &m->exports[i];
	qsort(v, m->nexports, sizeof *v, byname);
	for (uint32_t i = 1; i < m->nexports; i++) {
		uint32_t at = (uint32_t)(v[i] - m->exports);

		if (v[i]->name_len == v[i - 1]->name_len &&
		    !memcmp(v[i]->name, v[i - 1]->name, v[i]->name_len) && at < first)
			first = at;
	}
	al_free(v);
	return first;
}

static int
exports(struct vm_module *m, struct vm_error *err)
{
	static const char *const kind[4] = {
		[VM_EXT_FUNC] = "function", [VM_EXT_TABLE] = "table",
		[VM_EXT_MEMORY] = "memory", [VM_EXT_GLOBAL] = "global",
	};
	int64_t dup = first_duplicate(m);

	if (dup < 0)
		return vm_err(err, VM_ERR_NOMEM, 0, "out of memory"), -1;
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct vm_export *ex = &m->exports[i];
		const uint32_t n[4] = {
			[VM_EXT_FUNC] = m->nfuncs, [VM_EXT_TABLE] = m->ntables,
			[VM_EXT_MEMORY] = m->nmems, [VM_EXT_GLOBAL] = m->nglobals,
		};

		if (ex->index >= n[ex->kind])
			return inval(err, 0, "unknown %s %u in export %u \"%.*s\"", kind[ex->kind],
				     ex->index, i, (int)(ex->name_len > 40 ? 40 : ex->name_len), ex->name);
		if (i == dup)
			return inval(err, 0, "duplicate export name \"%.*s\" (export %u)",
				     (int)(ex->name_len > 40 ? 40 : ex->name_len), ex->name, i);
		if (ex->kind == VM_EXT_FUNC)
			declare(m, ex->index);
	}
	return 0;
}

/*
 * Check the module-level rules on a decoded module. Returns 0, or the error
 * kind (INVALID; NOMEM) with *err filled. Fills m->declared_funcs and the
 * type of global.get constant expressions; on failure the caller frees m's
 * contents as usual (vm_module_free_contents).
 */
int
vm_validate(struct vm_module *m, struct vm_error *err)
{
	struct vm_error e0;
	int r = -1;

	if (!err)
		err = &e0;
	al_free(m->declared_funcs);
	if (!(m->declared_funcs = al_calloc((size_t)m->nfuncs / 8 + 1, 1)))
		return vm_err(err, VM_ERR_NOMEM, 0, "out of memory");
	if (imports(m, err) < 0)
		goto out;
	for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
		struct vm_global_def *g = &m->globals[i];

		if (constexpr(m, err, &g->init, g->type.type, "global", i) < 0)
			goto out;
		if (g->init.kind == VM_CONST_REF_FUNC)
			declare(m, g->init.index);
	}
	for (uint32_t i = m->ntable_imports; i < m->ntables; i++)
		if (tablimits(err, &m->tables[i].limits, i) < 0)
			goto out;
	for (uint32_t i = m->nmem_imports; i < m->nmems; i++)
		if (memlimits(err, &m->mems[i], i) < 0)
			goto out;
	if (segments(m, err) < 0)
		goto out;
	if (m->has_start) {
		const struct vm_functype *ft;

		if (m->start >= m->nfuncs) {
			inval(err, 0, "unknown function %u (start function)", m->start);
			goto out;
		}
		ft = &m->types[m->func_type_index[m->start]];
		if (ft->nparams || ft->nresults) {
			inval(err, 0, "start function must not have parameters or results (function %u)",
			      m->start);
			goto out;
		}
	}
	if (exports(m, err) < 0)
		goto out;
	if (m->nmems > 1) {
		inval(err, 0, "multiple memories (%u, of which %u imported)", m->nmems, m->nmem_imports);
		goto out;
	}
	r = 0;
out:
	return r ? (int)err->kind : 0;
}
