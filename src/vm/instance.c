/*
 * instance.c - runtime objects (memories, tables, globals, functions),
 * instantiation, and cloning of instances.
 *
 * Memories are anonymous mappings from mem.c: taken from a pool of
 * released ones where possible, grown with room to spare, and copied at
 * clone time page by page, skipping pages without data.
 *
 * Clones copy rather than share copy-on-write. Mapping a memfd MAP_PRIVATE
 * into the child while the parent keeps it MAP_SHARED is wrong: the child
 * would see the parent's later writes to pages it has not written itself.
 * The correct form freezes the file and remaps the parent MAP_PRIVATE too,
 * which zaps the parent's page tables (a TLB shootdown) and makes every
 * page either side touches afterwards fault; its next fork needs a new
 * frozen file holding the pages it has written since, i.e. a copy anyway,
 * or a patchwork of mappings. Where faults trap to a hypervisor (13-60 us
 * each, measured) a fault on two pages costs more than copying 1 MiB.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "instance.h"
#include "base/alloc.h"
#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 65536u
#define MAX_PAGES 65536u

/* The data of a 0-page memory: a valid pointer that is never written, so
 * a 0-length memset/memcpy at offset 0 has a real address to work on. */
static uint8_t empty_data[16];

/*
 * A memory as allocated: what vm.h shows, then the length of its mapping.
 * Every memory is made here (vm_memory_new, mem_copy), so a struct
 * vm_memory pointer always points at the first member of one of these.
 */
struct memory {
	struct vm_memory m;
	uint64_t cap;         /* mapped bytes at m.data; 0 with empty_data */
};

static struct memory *
memory_of(struct vm_memory *m)
{
	return (struct memory *)(void *)m;
}

/*
 * A memory of lim->min pages, all zero. Its growth limit is the smallest of
 * the declared max, the embedder's page_limit (0: none) and 65536. Returns
 * NULL with VM_ERR_NOMEM if min exceeds that limit or mapping fails.
 * The caller owns the one reference.
 */
struct vm_memory *
vm_memory_new(const struct vm_limits *lim, uint32_t page_limit, struct vm_error *err)
{
	struct memory *mm;
	struct vm_memory *m;
	uint32_t max = MAX_PAGES;

	if (lim->has_max && lim->max < max)
		max = (uint32_t)lim->max;
	if (page_limit != 0 && page_limit < max)
		max = page_limit;
	if (lim->min > max) {
		vm_err(err, VM_ERR_NOMEM, 0, "memory of %llu pages exceeds the limit of %u pages",
		       (unsigned long long)lim->min, max);
		return NULL;
	}
	mm = al_calloc(1, sizeof *mm);
	if (!mm)
		goto nomem;
	m = &mm->m;
	m->pages = (uint32_t)lim->min;
	m->size = (uint64_t)m->pages * PAGE;
	m->max_pages = max;
	m->shared = lim->shared;
	m->refcount = 1;
	m->data = empty_data;
	if (m->size && !(m->data = vm_mem_map(m->size, NULL, &mm->cap))) {
		al_free(mm);
		goto nomem;
	}
	return m;
nomem:
	vm_err(err, VM_ERR_NOMEM, 0, "out of memory allocating a memory of %llu pages",
	       (unsigned long long)lim->min);
	return NULL;
}

/* Returns the old size in pages, or -1 (limit or no memory) with m unchanged.
 * Within the mapping's room growth is only a new size: the bytes past the
 * old size are zero already (see mem.h). */
int64_t
vm_memory_grow(struct vm_memory *m, uint32_t delta)
{
	struct memory *mm = memory_of(m);
	uint64_t pages = (uint64_t)m->pages + delta, size = pages * PAGE, max;
	uint32_t old = m->pages;
	uint8_t *data = m->data;

	if (pages > m->max_pages)
		return -1;
	if (delta == 0)
		return old;
	max = (uint64_t)m->max_pages * PAGE;
	if (size > mm->cap) {
		data = mm->cap ? vm_mem_grow(m->data, &mm->cap, size, max)
			       : vm_mem_map(size, NULL, &mm->cap);
		if (!data)
			return -1;
	}
	m->data = data;
	m->pages = (uint32_t)pages;
	m->size = size;
	return old;
}

/* Drop one reference; frees at zero. NULL is fine. */
void
vm_memory_unref(struct vm_memory *m)
{
	if (!m || --m->refcount > 0)
		return;
	vm_mem_unmap(m->data, m->size, memory_of(m)->cap);
	al_free(memory_of(m));
}

/* A fresh memory with the same pages, limit and contents. NULL: no memory.
 * Only the pages with data are copied (see vm_mem_map). */
static struct vm_memory *
mem_copy(const struct vm_memory *src)
{
	struct memory *mm = al_calloc(1, sizeof *mm);
	struct vm_memory *m;

	if (!mm)
		return NULL;
	m = &mm->m;
	*m = *src;
	m->refcount = 1;
	m->data = empty_data;
	if (src->size &&
	    !(m->data = vm_mem_map(src->size, src->data, &mm->cap))) {
		al_free(mm);
		return NULL;
	}
	return m;
}

/* ---- tables and globals ---------------------------------------------------- */

/*
 * A table of tt->limits.min null elements. max is the declared max or
 * UINT32_MAX; growth also stops at VM_TABLE_LIMIT. NULL with
 * VM_ERR_NOMEM if min is above that or allocation fails.
 */
struct vm_table *
vm_table_new(const struct vm_tabletype *tt, struct vm_error *err)
{
	struct vm_table *t;

	if (tt->limits.min > VM_TABLE_LIMIT) {
		vm_err(err, VM_ERR_NOMEM, 0, "table of %llu elements exceeds the limit of %u",
		       (unsigned long long)tt->limits.min, VM_TABLE_LIMIT);
		return NULL;
	}
	t = al_calloc(1, sizeof *t);
	if (!t)
		goto nomem;
	t->elemtype = tt->elemtype;
	t->size = (uint32_t)tt->limits.min;
	t->max = tt->limits.has_max && tt->limits.max < UINT32_MAX ? (uint32_t)tt->limits.max
								   : UINT32_MAX;
	t->refcount = 1;
	t->elems = al_calloc(t->size ? t->size : 1, sizeof *t->elems);
	if (!t->elems) {
		al_free(t);
		goto nomem;
	}
	return t;
nomem:
	vm_err(err, VM_ERR_NOMEM, 0, "out of memory allocating a table");
	return NULL;
}

/* Returns the old size, or -1 (limit or no memory) with t unchanged.
 * New elements hold `init` (a ref). */
int64_t
vm_table_grow(struct vm_table *t, uint32_t delta, vm_slot init)
{
	uint64_t size = (uint64_t)t->size + delta;
	vm_slot *elems;
	uint32_t old = t->size;

	if (size > t->max || size > VM_TABLE_LIMIT)
		return -1;
	if (delta == 0)
		return old;
	elems = al_realloc(t->elems, (size_t)size * sizeof *elems);
	if (!elems)
		return -1;
	for (uint64_t i = old; i < size; i++)
		elems[i] = init;
	t->elems = elems;
	t->size = (uint32_t)size;
	return old;
}

/* Drop one reference; frees at zero. NULL is fine. */
void
vm_table_unref(struct vm_table *t)
{
	if (!t || --t->refcount > 0)
		return;
	al_free(t->elems);
	al_free(t);
}

static struct vm_table *
table_copy(const struct vm_table *src)
{
	struct vm_table *t = al_calloc(1, sizeof *t);

	if (!t)
		return NULL;
	*t = *src;
	t->refcount = 1;
	t->elems = al_malloc((src->size ? src->size : 1) * sizeof *t->elems);
	if (!t->elems) {
		al_free(t);
		return NULL;
	}
	memcpy(t->elems, src->elems, src->size * sizeof *t->elems);
	return t;
}

/* A global holding val (a ref for funcref). NULL if out of memory. */
struct vm_global *
vm_global_new(uint8_t type, bool mut, vm_slot val)
{
	struct vm_global *g = al_calloc(1, sizeof *g);

	if (!g)
		return NULL;
	g->type = type;
	g->mut = mut;
	g->val = val;
	g->refcount = 1;
	return g;
}

/* Drop one reference; frees at zero. NULL is fine. */
void
vm_global_unref(struct vm_global *g)
{
	if (g && --g->refcount <= 0)
		al_free(g);
}

/* ---- functions --------------------------------------------------------------- */

/*
 * A host function object. `type` must outlive it (usually a module's or a
 * static type); debug_name is copied. NULL if out of memory. Free with
 * vm_func_free once no instance or table can reach it.
 */
struct vm_func *
vm_host_func_new(const struct vm_functype *type, vm_host_fn fn, void *ctx, const char *debug_name)
{
	struct vm_func *f = al_calloc(1, sizeof *f);

	if (!f)
		return NULL;
	f->type = type;
	f->host = fn;
	f->host_ctx = ctx;
	if (debug_name) {
		f->debug_name = al_strdup(debug_name);
		if (!f->debug_name) {
			al_free(f);
			return NULL;
		}
	}
	return f;
}

/* Free a host function object (NULL is fine). */
void
vm_func_free(struct vm_func *f)
{
	if (!f)
		return;
	al_free(f->debug_name);
	al_free(f);
}

/*
 * The handle for a ref (see vm.h); UINT64_MAX when xfuncs cannot grow.
 * Own functions map to their index in O(1) (f->inst == inst); imports and
 * foreign functions by a scan: they are few, and table.get of a foreign
 * function is rare enough that a hash table would not pay.
 */
vm_slot
vm_ref_to_handle(struct vm_instance *inst, vm_slot ref)
{
	struct vm_func *f = (struct vm_func *)(uintptr_t)ref;
	uint32_t nfuncs = inst->mod->nfuncs;

	if (!f)
		return 0;
	if (f->inst == inst && f->index < nfuncs && inst->funcs[f->index] == f)
		return (vm_slot)f->index + 1;
	for (uint32_t i = 0; i < inst->mod->nfunc_imports; i++)
		if (inst->funcs[i] == f)
			return (vm_slot)i + 1;
	for (uint32_t i = 0; i < inst->nxfuncs; i++)
		if (inst->xfuncs[i] == f)
			return (vm_slot)nfuncs + i + 1;
	if (inst->nxfuncs == inst->xfuncs_cap) {
		uint32_t cap = inst->xfuncs_cap ? inst->xfuncs_cap * 2 : 8;
		struct vm_func **x;

		if (cap < inst->xfuncs_cap || (uint64_t)nfuncs + cap >= UINT32_MAX)
			return UINT64_MAX;
		x = al_realloc(inst->xfuncs, cap * sizeof *x);
		if (!x)
			return UINT64_MAX;
		inst->xfuncs = x;
		inst->xfuncs_cap = cap;
	}
	inst->xfuncs[inst->nxfuncs++] = f;
	return (vm_slot)nfuncs + inst->nxfuncs;
}

/* The ref a stack handle stands for; 0 for null and for a handle that
 * names nothing (a forged or stale value never becomes a pointer). */
vm_slot
vm_handle_to_ref(const struct vm_instance *inst, vm_slot handle)
{
	uint32_t nfuncs = inst->mod->nfuncs;

	if (handle == 0)
		return 0;
	if (handle <= nfuncs)
		return (uintptr_t)inst->funcs[handle - 1];
	if (handle - nfuncs <= inst->nxfuncs)
		return (uintptr_t)inst->xfuncs[handle - nfuncs - 1];
	return 0;
}

/* ---- the instance skeleton ------------------------------------------------- */

/* Declared types, imports included (the module lists all of them). */
const struct vm_tabletype *
vm_instance_table_decl(const struct vm_module *m, uint32_t i)
{
	return &m->tables[i];
}

const struct vm_limits *
vm_instance_mem_decl(const struct vm_module *m, uint32_t i)
{
	return &m->mems[i];
}

const struct vm_globaltype *
vm_instance_global_decl(const struct vm_module *m, uint32_t i)
{
	return &m->globals[i].type;
}

/* Limits of a config, defaults filled in. */
uint32_t
vm_config_call_depth(const struct vm_config *cfg)
{
	return cfg->max_call_depth ? cfg->max_call_depth : VM_DEFAULT_CALL_DEPTH;
}

uint32_t
vm_config_stack_slots(const struct vm_config *cfg)
{
	return cfg->max_stack_slots ? cfg->max_stack_slots : VM_DEFAULT_STACK_SLOTS;
}

/* calloc that never returns NULL for n == 0, so NULL always means failure. */
static void *
zalloc(size_t n, size_t size)
{
	return al_calloc(n ? n : 1, size);
}

/* See instance.h. */
struct vm_instance *
vm_instance_alloc(struct vm_module *mod, const struct vm_config *cfg, struct vm_error *err)
{
	struct vm_instance *inst = al_calloc(1, sizeof *inst);
	uint32_t ndefined = mod->nfuncs - mod->nfunc_imports;

	if (!inst)
		goto nomem;
	vm_module_ref(mod);
	inst->mod = mod;
	if (cfg)
		inst->cfg = *cfg;
	inst->state = VM_IDLE;
	inst->funcs = zalloc(mod->nfuncs, sizeof *inst->funcs);
	inst->own_funcs = zalloc(ndefined, sizeof *inst->own_funcs);
	inst->tables = zalloc(mod->ntables, sizeof *inst->tables);
	inst->mems = zalloc(mod->nmems, sizeof *inst->mems);
	inst->globals = zalloc(mod->nglobals, sizeof *inst->globals);
	inst->elem_dropped = zalloc(mod->nelems, 1);
	inst->data_dropped = zalloc(mod->ndatas, 1);
	if (!inst->funcs || !inst->own_funcs || !inst->tables || !inst->mems || !inst->globals ||
	    !inst->elem_dropped || !inst->data_dropped)
		goto nomem;
	for (uint32_t i = 0; i < ndefined; i++) {
		struct vm_func *f = &inst->own_funcs[i];
		uint32_t idx = mod->nfunc_imports + i;

		f->type = &mod->types[mod->func_type_index[idx]];
		f->inst = inst;
		f->index = idx;
		inst->funcs[idx] = f;
	}
	return inst;
nomem:
	vm_instance_free(inst);
	vm_err(err, VM_ERR_NOMEM, 0, "out of memory allocating an instance");
	return NULL;
}

/* Import limits check: is {min, max?} of the actual object a subtype of
 * the import's declared limits? */
static bool
limits_match(uint64_t min, bool has_max, uint64_t max, const struct vm_limits *want)
{
	if (min < want->min)
		return false;
	if (want->has_max && (!has_max || max > want->max))
		return false;
	return true;
}

/* Why the object `x` does not fit import `imp`, or NULL if it does. */
static const char *
import_mismatch(const struct vm_import *imp, const struct vm_extern *x, const struct vm_module *mod)
{
	switch (imp->kind) {
	case VM_EXT_FUNC:
		if (!vm_functype_equal(x->u.func->type, &mod->types[imp->u.type_index]))
			return "function type differs";
		return NULL;
	case VM_EXT_TABLE: {
		const struct vm_table *t = x->u.table;

		if (t->elemtype != imp->u.table.elemtype)
			return "table element type differs";
		if (!limits_match(t->size, t->max != UINT32_MAX, t->max, &imp->u.table.limits))
			return "table limits do not match";
		return NULL;
	}
	case VM_EXT_MEMORY: {
		const struct vm_memory *m = x->u.mem;

		if (m->shared != imp->u.mem.shared)
			return "memory shared flag differs";
		/* The effective limit is the memory's max: it can never grow
		 * past it, declared or not. */
		if (!limits_match(m->pages, true, m->max_pages, &imp->u.mem))
			return "memory limits do not match";
		return NULL;
	}
	case VM_EXT_GLOBAL:
		if (x->u.global->type != imp->u.global.type)
			return "global type differs";
		if (x->u.global->mut != imp->u.global.mut)
			return "global mutability differs";
		return NULL;
	}
	return "unknown kind";
}

/* See instance.h. */
int
vm_instance_bind_funcs(struct vm_instance *inst, const struct vm_extern *imports,
		       uint32_t nimports, bool objects, struct vm_error *err)
{
	const struct vm_module *mod = inst->mod;
	uint32_t nf = 0;

	if (nimports != mod->nimports)
		return vm_err(err, VM_ERR_LINK, 0, "unknown import: module has %u imports, %u given",
			      mod->nimports, nimports);
	for (uint32_t i = 0; i < nimports; i++) {
		const struct vm_import *imp = &mod->imports[i];
		const struct vm_extern *x = &imports[i];
		const char *why;
		bool needed = objects || imp->kind == VM_EXT_FUNC;

		if (x->kind != imp->kind)
			return vm_err(err, VM_ERR_LINK, 0, "incompatible import type: %s.%s: wrong kind",
				      imp->module, imp->name);
		if (!needed)
			continue;
		if (!x->u.func) /* every union member is a pointer */
			return vm_err(err, VM_ERR_LINK, 0, "unknown import: %s.%s", imp->module,
				      imp->name);
		why = import_mismatch(imp, x, mod);
		if (why)
			return vm_err(err, VM_ERR_LINK, 0, "incompatible import type: %s.%s: %s",
				      imp->module, imp->name, why);
		if (imp->kind == VM_EXT_FUNC)
			inst->funcs[nf++] = x->u.func;
	}
	return 0;
}

/*
 * The value of a constant expression: a ref for ref.func (funcs[i]) and for
 * reference-typed global.get (globals hold refs). The validator has checked
 * the indices; the bounds checks only keep a broken module harmless.
 */
static vm_slot
const_eval(const struct vm_instance *inst, const struct vm_constexpr *c)
{
	const struct vm_module *mod = inst->mod;

	switch (c->kind) {
	case VM_CONST_VALUE:
		return c->value;
	case VM_CONST_GLOBAL_GET:
		return c->index < mod->nglobals && inst->globals[c->index] ? inst->globals[c->index]->val
									     : 0;
	case VM_CONST_REF_NULL:
		return 0;
	case VM_CONST_REF_FUNC:
		return c->index < mod->nfuncs ? (uintptr_t)inst->funcs[c->index] : 0;
	}
	return 0;
}

/* Imported tables/memories/globals (referenced) and the module's own ones. */
static int
make_objects(struct vm_instance *inst, const struct vm_extern *imports, struct vm_error *err)
{
	const struct vm_module *mod = inst->mod;
	uint32_t nt = 0, nm = 0, ng = 0;

	for (uint32_t i = 0; i < mod->nimports; i++) {
		const struct vm_extern *x = &imports[i];

		switch (x->kind) {
		case VM_EXT_TABLE:
			inst->tables[nt++] = x->u.table;
			x->u.table->refcount++;
			break;
		case VM_EXT_MEMORY:
			inst->mems[nm++] = x->u.mem;
			x->u.mem->refcount++;
			break;
		case VM_EXT_GLOBAL:
			inst->globals[ng++] = x->u.global;
			x->u.global->refcount++;
			break;
		}
	}
	for (uint32_t i = nt; i < mod->ntables; i++) {
		inst->tables[i] = vm_table_new(&mod->tables[i], err);
		if (!inst->tables[i])
			return err ? err->kind : VM_ERR_NOMEM;
	}
	for (uint32_t i = nm; i < mod->nmems; i++) {
		inst->mems[i] = vm_memory_new(&mod->mems[i], inst->cfg.max_pages, err);
		if (!inst->mems[i])
			return err ? err->kind : VM_ERR_NOMEM;
	}
	/* In order: a global's initializer may read an earlier global. */
	for (uint32_t i = ng; i < mod->nglobals; i++) {
		const struct vm_global_def *g = &mod->globals[i];

		inst->globals[i] = vm_global_new(g->type.type, g->type.mut, const_eval(inst, &g->init));
		if (!inst->globals[i])
			return vm_err(err, VM_ERR_NOMEM, 0, "out of memory allocating a global");
	}
	return 0;
}

/*
 * Active element segments, then active data segments, each with table.init
 * / memory.init semantics: a segment that does not fit traps before
 * writing, and what earlier segments wrote stays (Wasm 2.0).
 */
static int
apply_segments(struct vm_instance *inst, struct vm_error *err)
{
	const struct vm_module *mod = inst->mod;

	for (uint32_t i = 0; i < mod->nelems; i++) {
		const struct vm_elem *e = &mod->elems[i];
		struct vm_table *t;
		uint32_t off;

		if (e->mode == VM_SEG_ACTIVE) {
			t = e->table < mod->ntables ? inst->tables[e->table] : NULL;
			off = (uint32_t)const_eval(inst, &e->offset);
			if (!t || (uint64_t)off + e->count > t->size) {
				vm_set_trap(inst, "out of bounds table access");
				return vm_err(err, VM_ERR_TRAP, e->offset.offset,
					      "out of bounds table access");
			}
			for (uint32_t j = 0; j < e->count; j++)
				t->elems[off + j] = const_eval(inst, &e->init[j]);
		}
		if (e->mode != VM_SEG_PASSIVE)
			inst->elem_dropped[i] = 1;
	}
	for (uint32_t i = 0; i < mod->ndatas; i++) {
		const struct vm_data *d = &mod->datas[i];
		struct vm_memory *m;
		uint32_t off;

		if (d->mode != VM_SEG_ACTIVE)
			continue;
		m = d->memory < mod->nmems ? inst->mems[d->memory] : NULL;
		off = (uint32_t)const_eval(inst, &d->offset);
		if (!m || (uint64_t)off + d->len > m->size) {
			vm_set_trap(inst, "out of bounds memory access");
			return vm_err(err, VM_ERR_TRAP, d->offset.offset, "out of bounds memory access");
		}
		if (d->len)
			memcpy(m->data + off, d->bytes, d->len);
		inst->data_dropped[i] = 1;
	}
	return 0;
}

/*
 * The start function, to completion within cfg.start_fuel (0: unlimited).
 * A host call asking to stop is resumed; one that blocks cannot be, since
 * nothing outside can wake an instance that does not exist yet.
 */
static int
run_start(struct vm_instance *inst, struct vm_error *err)
{
	int64_t limit = inst->cfg.start_fuel, left = limit, used;
	struct vm_error why = { 0 };
	enum vm_status st;

	if (!inst->mod->has_start || inst->cfg.defer_start)
		return 0;
	if (vm_call_start(inst, inst->mod->start, NULL, 0, &why))
		return vm_err(err, why.kind, 0, "start function: %s", why.msg);
	do {
		used = 0;
		st = vm_run(inst, limit > 0 ? left : -1, &used);
		left -= used;
	} while (st == VM_STOP && (limit <= 0 || left > 0));
	switch (st) {
	case VM_OK:
		vm_reset(inst);
		return 0;
	case VM_TRAP:
		return vm_err(err, VM_ERR_TRAP, 0, "%s", inst->trap_msg);
	case VM_EXIT:
		return vm_err(err, VM_ERR_TRAP, 0, "start function exited with status %d",
			      (int)inst->exit_status);
	case VM_YIELD:
	case VM_STOP:
		vm_set_trap(inst, "start function: out of fuel after %lld instructions",
			    (long long)limit);
		return vm_err(err, VM_ERR_TRAP, 0, "%s", inst->trap_msg);
	default:
		return vm_err(err, VM_ERR_TRAP, 0, "start function suspended (status %d)", (int)st);
	}
}

/* See vm.h. */
int
vm_push_start(struct vm_instance *inst, struct vm_error *err)
{
	if (!inst->mod->has_start)
		return 0;
	return vm_push_call(inst, inst->mod->start, NULL, 0, err);
}

/*
 * The graveyard. Per Wasm 2.0 an instantiation that traps keeps what it
 * wrote into imported tables, so a table can hold functions of an instance
 * that never came to be; calling them must still work. Such instances
 * are parked here instead of freed, and swept once nobody else holds the
 * tables and funcref globals they could have written into (refcount 1:
 * only the dead instance itself). Single-threaded, like the rest of the
 * store; a host that shares tables across threads must lock around
 * instantiation and vm_instance_free.
 */
static struct vm_instance **graveyard;
static uint32_t ngrave, grave_cap;

/* Could the instance's functions be reachable from outside it? */
static bool
escapes(const struct vm_instance *inst, int min_refs)
{
	const struct vm_module *mod = inst->mod;

	for (uint32_t i = 0; i < mod->ntable_imports; i++)
		if (inst->tables[i] && inst->tables[i]->refcount >= min_refs &&
		    inst->tables[i]->elemtype == VM_FUNCREF)
			return true;
	for (uint32_t i = 0; i < mod->nglobal_imports; i++) {
		const struct vm_global *g = inst->globals[i];

		if (g && g->refcount >= min_refs && g->type == VM_FUNCREF && g->mut)
			return true;
	}
	return false;
}

static void free_instance(struct vm_instance *inst);

/* Free the dead instances nobody can reach any more. */
static void
sweep(void)
{
	bool freed = true;

	/* Freeing one may release the last outside holder of another's table. */
	while (freed) {
		freed = false;
		for (uint32_t i = 0; i < ngrave; i++) {
			if (escapes(graveyard[i], 2))
				continue;
			free_instance(graveyard[i]);
			graveyard[i--] = graveyard[--ngrave];
			freed = true;
		}
	}
	if (ngrave == 0) {
		al_free(graveyard);
		graveyard = NULL;
		grave_cap = 0;
	}
}

/* Dispose of an instance whose instantiation failed. */
static void
discard(struct vm_instance *inst, bool trapped)
{
	if (!trapped || !escapes(inst, 1)) {
		vm_instance_free(inst);
		return;
	}
	vm_reset(inst); /* its functions may be called again through the table */
	if (ngrave == grave_cap) {
		uint32_t cap = grave_cap ? grave_cap * 2 : 4;
		struct vm_instance **g = al_realloc(graveyard, cap * sizeof *g);

		/* Freeing would leave dangling refs in the tables: leaking is safer. */
		if (!g)
			return;
		graveyard = g;
		grave_cap = cap;
	}
	graveyard[ngrave++] = inst;
}

/*
 * Instantiate: link, build objects, run segments and the start function.
 * Returns NULL on any failure with *err set (LINK, NOMEM or TRAP); nothing
 * is leaked, and imported objects keep what segments wrote before a trap.
 * The instance holds a reference on mod and on imported tables, memories
 * and globals; imported functions must outlive it.
 */
struct vm_instance *
vm_instantiate(struct vm_module *mod, const struct vm_extern *imports, uint32_t nimports,
	       const struct vm_config *cfg, struct vm_error *err)
{
	struct vm_instance *inst;
	int rc;

	if (ngrave)
		sweep();
	if (nimports != mod->nimports || (nimports && !imports)) {
		vm_err(err, VM_ERR_LINK, 0, "unknown import: module has %u imports, %u given",
		       mod->nimports, nimports);
		return NULL;
	}
	inst = vm_instance_alloc(mod, cfg, err);
	if (!inst)
		return NULL;
	if ((rc = vm_instance_bind_funcs(inst, imports, nimports, true, err)) ||
	    (rc = make_objects(inst, imports, err)) || (rc = apply_segments(inst, err)) ||
	    (rc = run_start(inst, err)))
		goto fail;
	return inst;
fail:
	discard(inst, rc == VM_ERR_TRAP);
	return NULL;
}

static void
free_instance(struct vm_instance *inst)
{
	struct vm_module *mod = inst->mod;

	if (mod) {
		for (uint32_t i = 0; inst->tables && i < mod->ntables; i++)
			vm_table_unref(inst->tables[i]);
		for (uint32_t i = 0; inst->mems && i < mod->nmems; i++)
			vm_memory_unref(inst->mems[i]);
		for (uint32_t i = 0; inst->globals && i < mod->nglobals; i++)
			vm_global_unref(inst->globals[i]);
	}
	al_free(inst->tables);
	al_free(inst->mems);
	al_free(inst->globals);
	al_free(inst->funcs);
	al_free(inst->own_funcs);
	al_free(inst->xfuncs);
	al_free(inst->elem_dropped);
	al_free(inst->data_dropped);
	al_free(inst->stack);
	al_free(inst->frames);
	vm_module_unref(mod);
	al_free(inst);
}

/* Free an instance in any state of construction (NULL is fine); dead
 * instances that only it kept reachable go with it. */
void
vm_instance_free(struct vm_instance *inst)
{
	if (inst)
		free_instance(inst);
	if (ngrave)
		sweep();
}

/*
 * Export lookup by name (names are unique across kinds). The objects are
 * the instance's: the caller takes its own reference to keep one longer.
 */
int
vm_instance_export(struct vm_instance *inst, const char *name, uint32_t name_len,
		   struct vm_extern *out)
{
	const struct vm_module *mod = inst->mod;

	for (uint32_t i = 0; i < mod->nexports; i++) {
		const struct vm_export *x = &mod->exports[i];

		if (x->name_len != name_len || memcmp(x->name, name, name_len) != 0)
			continue;
		out->kind = x->kind;
		switch (x->kind) {
		case VM_EXT_FUNC:
			out->u.func = inst->funcs[x->index];
			return 0;
		case VM_EXT_TABLE:
			out->u.table = inst->tables[x->index];
			return 0;
		case VM_EXT_MEMORY:
			out->u.mem = inst->mems[x->index];
			return 0;
		case VM_EXT_GLOBAL:
			out->u.global = inst->globals[x->index];
			return 0;
		}
		return -1;
	}
	return -1;
}

/* Memory 0's bytes and size (NULL and 0 without a memory); growth moves them. */
uint8_t *
vm_memory_data(struct vm_instance *inst, uint64_t *size)
{
	if (inst->mod->nmems == 0 || !inst->mems[0]) {
		if (size)
			*size = 0;
		return NULL;
	}
	if (size)
		*size = inst->mems[0]->size;
	return inst->mems[0]->data;
}

/* The last trap's message ("" if none); owned by the instance. */
const char *
vm_trap_message(const struct vm_instance *inst)
{
	return inst->trap_msg;
}

/* The status a host function passed to vm_set_exit. */
int32_t
vm_exit_status(const struct vm_instance *inst)
{
	return inst->exit_status;
}

/* Record the trap message; exec turns the host's VM_TRAP into the state. */
void
vm_set_trap(struct vm_instance *inst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(inst->trap_msg, sizeof inst->trap_msg, fmt, ap);
	va_end(ap);
}

/* For a host function about to return VM_EXIT. */
void
vm_set_exit(struct vm_instance *inst, int32_t status)
{
	inst->exit_status = status;
}

/* The embedder's pointer (cfg->userdata, or what vm_set_userdata set);
 * clones inherit it. */
void *
vm_userdata(const struct vm_instance *inst)
{
	return inst->cfg.userdata;
}

/* Replace the embedder's pointer (a forked process sets its own). */
void
vm_set_userdata(struct vm_instance *inst, void *ud)
{
	inst->cfg.userdata = ud;
}

/* ---- clone ------------------------------------------------------------------- */

/* A ref to one of src's own functions becomes the same function of dst. */
static vm_slot
rebase_ref(const struct vm_instance *src, const struct vm_instance *dst, vm_slot ref)
{
	const struct vm_func *f = (const struct vm_func *)(uintptr_t)ref;

	if (f && f->inst == src && f->index < src->mod->nfuncs)
		return (uintptr_t)dst->funcs[f->index];
	return ref;
}

/* The first index j < i whose object is the same as objs[i], or i: an
 * import listed twice must stay one object in the copy. */
static uint32_t
first_alias(void *const *objs, uint32_t i)
{
	for (uint32_t j = 0; j < i; j++)
		if (objs[j] == objs[i])
			return j;
	return i;
}

static int
clone_objects(const struct vm_instance *src, struct vm_instance *dst)
{
	const struct vm_module *mod = src->mod;

	for (uint32_t i = 0; i < mod->nmems; i++) {
		uint32_t j = first_alias((void *const *)src->mems, i);

		if (j < i) {
			dst->mems[i] = dst->mems[j];
			dst->mems[i]->refcount++;
		} else if (!(dst->mems[i] = mem_copy(src->mems[i]))) {
			return -1;
		}
	}
	for (uint32_t i = 0; i < mod->ntables; i++) {
		uint32_t j = first_alias((void *const *)src->tables, i);
		struct vm_table *t;

		if (j < i) {
			dst->tables[i] = dst->tables[j];
			dst->tables[i]->refcount++;
			continue;
		}
		t = dst->tables[i] = table_copy(src->tables[i]);
		if (!t)
			return -1;
		if (t->elemtype == VM_FUNCREF)
			for (uint32_t k = 0; k < t->size; k++)
				t->elems[k] = rebase_ref(src, dst, t->elems[k]);
	}
	for (uint32_t i = 0; i < mod->nglobals; i++) {
		uint32_t j = first_alias((void *const *)src->globals, i);
		const struct vm_global *g = src->globals[i];

		if (j < i) {
			dst->globals[i] = dst->globals[j];
			dst->globals[i]->refcount++;
			continue;
		}
		dst->globals[i] = vm_global_new(g->type, g->mut,
						g->type == VM_FUNCREF ? rebase_ref(src, dst, g->val)
								      : g->val);
		if (!dst->globals[i])
			return -1;
	}
	return 0;
}

/* Room for n stack slots or frames in a clone: what is in use rounded up,
 * never more than the source has. exec grows both on demand, so a clone
 * need not inherit the source's high-water mark; a forked child that
 * idles then holds tens of slots, not the thousand a deep call once
 * needed. */
static uint32_t
clone_room(uint32_t n, uint32_t cap)
{
	uint64_t r = ((uint64_t)n + 64) & ~(uint64_t)63;

	return r < cap ? (uint32_t)r : cap;
}

/* Value stack, frames and the scalar execution state. */
static int
clone_exec(const struct vm_instance *src, struct vm_instance *dst)
{
	uint32_t used = vm_stack_used(src), cap;

	if (used > src->stack_cap)
		used = src->stack_cap;
	if (src->stack_cap) {
		cap = clone_room(used, src->stack_cap);
		dst->stack = al_malloc((size_t)cap * sizeof *dst->stack);
		if (!dst->stack)
			return -1;
		dst->stack_cap = cap;
		memcpy(dst->stack, src->stack, (size_t)used * sizeof *dst->stack);
		memset(dst->stack + used, 0, (size_t)(cap - used) * sizeof *dst->stack);
	}
	if (src->frames_cap) {
		cap = clone_room(src->nframes, src->frames_cap);
		dst->frames = al_malloc((size_t)cap * sizeof *dst->frames);
		if (!dst->frames)
			return -1;
		dst->frames_cap = cap;
		dst->nframes = src->nframes;
		memcpy(dst->frames, src->frames, (size_t)src->nframes * sizeof *dst->frames);
	}
	if (src->nxfuncs) {
		dst->xfuncs = al_malloc((size_t)src->nxfuncs * sizeof *dst->xfuncs);
		if (!dst->xfuncs)
			return -1;
		memcpy(dst->xfuncs, src->xfuncs, (size_t)src->nxfuncs * sizeof *dst->xfuncs);
		dst->nxfuncs = dst->xfuncs_cap = src->nxfuncs;
	}
	/* Inside a host call the saved pc is at the call: the copy re-executes it. */
	dst->state = src->state == VM_RUNNING ? VM_READY : src->state;
	dst->result_base = src->result_base;
	dst->nresults = src->nresults;
	/* While running, the debt of the last run has been paid already. */
	dst->fuel_debt = src->state == VM_RUNNING ? 0 : src->fuel_debt;
	dst->nest = 0;
	dst->exit_status = src->exit_status;
	memcpy(dst->trap_msg, src->trap_msg, sizeof dst->trap_msg);
	return 0;
}

/*
 * Clone: see vm.h. Imported functions are shared; everything else is a
 * fresh copy, with references to src's own functions redirected to the
 * copy's. Refuses (VM_ERR_STATE) a trapped or exited instance and one
 * inside a nested vm_invoke, whose continuation lives on the C stack.
 */
struct vm_instance *
vm_clone(struct vm_instance *src, struct vm_error *err)
{
	const struct vm_module *mod = src->mod;
	struct vm_instance *dst;

	switch (src->state) {
	case VM_IDLE:
	case VM_READY:
	case VM_RUNNING:
	case VM_DONE:
		break;
	default:
		vm_err(err, VM_ERR_STATE, 0, "clone: instance has trapped or exited");
		return NULL;
	}
	for (uint32_t i = 1; i < src->nframes; i++)
		if (src->frames[i].flags & VM_FRAME_ENTRY) {
			vm_err(err, VM_ERR_STATE, 0, "clone: a nested call is in progress");
			return NULL;
		}
	dst = vm_instance_alloc(src->mod, &src->cfg, err);
	if (!dst)
		return NULL;
	for (uint32_t i = 0; i < mod->nfunc_imports; i++)
		dst->funcs[i] = src->funcs[i];
	memcpy(dst->elem_dropped, src->elem_dropped, mod->nelems);
	memcpy(dst->data_dropped, src->data_dropped, mod->ndatas);
	if (clone_objects(src, dst) || clone_exec(src, dst)) {
		vm_instance_free(dst);
		vm_err(err, VM_ERR_NOMEM, 0, "clone: out of memory");
		return NULL;
	}
	return dst;
}
