/*
 * test_instance.c - runtime objects, linking, instantiation and clone.
 *
 * The modules are compiled from the WebAssembly text shown above each
 * byte array (wat2wasm).
 */
#include "unit.h"
#include "vm/vm.h"
#include "modules.h"

#include <stdlib.h>
#include <string.h>

/*
 * (module
 *   (import "env" "f" (func $f (param i32) (result i32)))
 *   (import "env" "t" (table 2 10 funcref))
 *   (import "env" "m" (memory 1 4))
 *   (import "env" "g" (global $g (mut i32)))
 *   (func (export "call_f") (param i32) (result i32) (call $f (local.get 0)))
 *   (func (export "get_g") (result i32) (global.get $g))
 *   (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))
 */
static const uint8_t imports_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60,
	0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f, 0x02, 0x27, 0x04, 0x03,
	0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x01,
	0x74, 0x01, 0x70, 0x01, 0x02, 0x0a, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x6d,
	0x02, 0x01, 0x01, 0x04, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x67, 0x03, 0x7f,
	0x01, 0x03, 0x04, 0x03, 0x00, 0x01, 0x00, 0x07, 0x19, 0x03, 0x06, 0x63,
	0x61, 0x6c, 0x6c, 0x5f, 0x66, 0x00, 0x01, 0x05, 0x67, 0x65, 0x74, 0x5f,
	0x67, 0x00, 0x02, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x03, 0x0a, 0x15,
	0x03, 0x06, 0x00, 0x20, 0x00, 0x10, 0x00, 0x0b, 0x04, 0x00, 0x23, 0x00,
	0x0b, 0x07, 0x00, 0x20, 0x00, 0x2d, 0x00, 0x00, 0x0b,
};

/*
 * (module
 *   (import "env" "t" (table 4 funcref))
 *   (import "env" "m" (memory 1))
 *   (func $seven (result i32) (i32.const 7))
 *   (elem (i32.const 0) $seven)
 *   (elem (i32.const 3) $seven $seven)
 *   (data (i32.const 0) "hi"))
 */
static const uint8_t elemtrap_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
	0x00, 0x01, 0x7f, 0x02, 0x14, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x74,
	0x01, 0x70, 0x00, 0x04, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x6d, 0x02, 0x00,
	0x01, 0x03, 0x02, 0x01, 0x00, 0x09, 0x0e, 0x02, 0x00, 0x41, 0x00, 0x0b,
	0x01, 0x00, 0x00, 0x41, 0x03, 0x0b, 0x02, 0x00, 0x00, 0x0a, 0x06, 0x01,
	0x04, 0x00, 0x41, 0x07, 0x0b, 0x0b, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b,
	0x02, 0x68, 0x69,
};

/*
 * (module
 *   (import "env" "m" (memory 1))
 *   (data (i32.const 0) "abc")
 *   (data (i32.const 65534) "xyz"))
 */
static const uint8_t datatrap_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x01, 0x03,
	0x65, 0x6e, 0x76, 0x01, 0x6d, 0x02, 0x00, 0x01, 0x0b, 0x13, 0x02, 0x00,
	0x41, 0x00, 0x0b, 0x03, 0x61, 0x62, 0x63, 0x00, 0x41, 0xfe, 0xff, 0x03,
	0x0b, 0x03, 0x78, 0x79, 0x7a,
};

/*
 * (module
 *   (import "env" "m" (memory 1))
 *   (data (i32.const 0) "hello")
 *   (func $main unreachable)
 *   (start $main))
 */
static const uint8_t starttrap_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x02, 0x0a, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x6d, 0x02,
	0x00, 0x01, 0x03, 0x02, 0x01, 0x00, 0x08, 0x01, 0x00, 0x0a, 0x05, 0x01,
	0x03, 0x00, 0x00, 0x0b, 0x0b, 0x0b, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x05,
	0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* (module (func $s (loop $l (br $l))) (start $s)) */
static const uint8_t startloop_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x08, 0x01, 0x00, 0x0a, 0x09, 0x01,
	0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b,
};

/*
 * (module (global $g (mut i32) (i32.const 0))
 *   (func $s
 *     (loop $l (global.set $g (i32.add (global.get $g) (i32.const 1)))
 *       (br_if $l (i32.lt_u (global.get $g) (i32.const 100)))))
 *   (func (export "get") (result i32) (global.get $g))
 *   (start $s))
 */
static const uint8_t startcount_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x60,
	0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x03, 0x02, 0x00, 0x01, 0x06,
	0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x07, 0x01, 0x03, 0x67,
	0x65, 0x74, 0x00, 0x01, 0x08, 0x01, 0x00, 0x0a, 0x1b, 0x02, 0x14, 0x00,
	0x03, 0x40, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x23, 0x00, 0x41,
	0xe4, 0x00, 0x49, 0x0d, 0x00, 0x0b, 0x0b, 0x04, 0x00, 0x23, 0x00, 0x0b,
};

/*
 * (module
 *   (import "env" "fork" (func $fork (result i32)))
 *   (memory (export "mem") 1)
 *   (func (export "main") (result i32)
 *     (i32.store (i32.const 0) (i32.const 5))
 *     (i32.add (call $fork) (i32.load (i32.const 0)))))
 */
static const uint8_t fork_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
	0x00, 0x01, 0x7f, 0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x66,
	0x6f, 0x72, 0x6b, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01,
	0x00, 0x01, 0x07, 0x0e, 0x02, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x04,
	0x6d, 0x61, 0x69, 0x6e, 0x00, 0x01, 0x0a, 0x13, 0x01, 0x11, 0x00, 0x41,
	0x00, 0x41, 0x05, 0x36, 0x02, 0x00, 0x10, 0x00, 0x41, 0x00, 0x28, 0x02,
	0x00, 0x6a, 0x0b,
};

/* ---- helpers ------------------------------------------------------------ */

#define LOAD(arr) load(arr, sizeof arr)

static struct vm_module *
load(const uint8_t *bytes, size_t len)
{
	struct vm_error err = { 0 };
	struct vm_module *m = vm_module_load(bytes, len, &err);

	if (!m)
		unit_fail(__FILE__, __LINE__, "module load: %s", err.msg);
	return m;
}

/* The function index of export `name`, or UINT32_MAX. */
static uint32_t
fn(const struct vm_module *m, const char *name)
{
	int x = vm_module_find_export(m, name, (uint32_t)strlen(name), VM_EXT_FUNC);

	return x < 0 ? UINT32_MAX : m->exports[x].index;
}

/* Call export `name` with up to two arguments; returns the first result. */
static vm_slot
call(struct vm_instance *inst, const char *name, uint32_t nargs, vm_slot a, vm_slot b,
     uint32_t nres)
{
	vm_slot args[2] = { a, b }, res[1] = { 0 };
	enum vm_status st = vm_invoke(inst, fn(inst->mod, name), args, nargs, res, nres);

	if (st != VM_OK)
		unit_fail(__FILE__, __LINE__, "%s: status %d (%s)", name, (int)st,
			  vm_trap_message(inst));
	return res[0];
}

static uint8_t t_i32_i32[] = { VM_I32, VM_I32 };
static uint8_t t_i64_i32[] = { VM_I64, VM_I32 };
static const struct vm_functype type_i32_i32 = { 1, 1, t_i32_i32, 0 };
static const struct vm_functype type_i64_i32 = { 1, 1, t_i64_i32, 0 };

static enum vm_status
host_double(struct vm_instance *inst, void *ctx, vm_slot *args)
{
	(void)inst;
	(void)ctx;
	args[0] = (uint32_t)args[0] * 2;
	return VM_OK;
}

/* The objects the imports test links against. */
struct env {
	struct vm_func *f;
	struct vm_table *t;
	struct vm_memory *m;
	struct vm_global *g;
	struct vm_extern ext[4];
};

static void
env_init(struct env *e, uint64_t tmin, bool thas_max, uint64_t tmax, uint64_t mmin,
	 uint64_t mmax)
{
	struct vm_tabletype tt = { VM_FUNCREF, { tmin, tmax, thas_max, false } };
	struct vm_limits ml = { mmin, mmax, true, false };

	e->f = vm_host_func_new(&type_i32_i32, host_double, NULL, "env.f");
	e->t = vm_table_new(&tt, NULL);
	e->m = vm_memory_new(&ml, 0, NULL);
	e->g = vm_global_new(VM_I32, true, 77);
	CHECK(e->f && e->t && e->m && e->g);
	e->ext[0] = (struct vm_extern){ .kind = VM_EXT_FUNC, .u.func = e->f };
	e->ext[1] = (struct vm_extern){ .kind = VM_EXT_TABLE, .u.table = e->t };
	e->ext[2] = (struct vm_extern){ .kind = VM_EXT_MEMORY, .u.mem = e->m };
	e->ext[3] = (struct vm_extern){ .kind = VM_EXT_GLOBAL, .u.global = e->g };
}

static void
env_free(struct env *e)
{
	vm_func_free(e->f);
	vm_table_unref(e->t);
	vm_memory_unref(e->m);
	vm_global_unref(e->g);
}

/* Instantiate and expect failure of `kind` with a message starting `prefix`. */
static void
expect_fail(int line, struct vm_module *m, const struct vm_extern *ext, uint32_t n,
	    const struct vm_config *cfg, enum vm_errkind kind, const char *prefix)
{
	struct vm_error err = { 0 };
	struct vm_instance *inst = vm_instantiate(m, ext, n, cfg, &err);

	if (inst) {
		unit_fail(__FILE__, line, "instantiation succeeded, expected \"%s\"", prefix);
		vm_instance_free(inst);
		return;
	}
	if (err.kind != kind || strncmp(err.msg, prefix, strlen(prefix)) != 0)
		unit_fail(__FILE__, line, "got kind %d \"%s\", expected kind %d \"%s\"",
			  (int)err.kind, err.msg, (int)kind, prefix);
}

/* ---- objects ------------------------------------------------------------- */

TEST(instance_memory_limits)
{
	struct vm_limits l = { 2, 10, true, false };
	struct vm_error err = { 0 };
	struct vm_memory *m = vm_memory_new(&l, 5, &err);

	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_EQ_U64(m->pages, 2);
	CHECK_EQ_U64(m->size, 2 * 65536);
	CHECK_EQ_U64(m->max_pages, 5);
	CHECK(m->data[0] == 0 && m->data[m->size - 1] == 0);
	m->data[100] = 1;
	CHECK_EQ_I64(vm_memory_grow(m, 2), 2);
	CHECK_EQ_U64(m->size, 4 * 65536);
	CHECK(m->data[100] == 1 && m->data[3 * 65536 + 5] == 0);
	/* Beyond the limit: -1 and nothing changes. */
	CHECK_EQ_I64(vm_memory_grow(m, 2), -1);
	CHECK_EQ_U64(m->pages, 4);
	CHECK_EQ_I64(vm_memory_grow(m, 0), 4);
	CHECK_EQ_I64(vm_memory_grow(m, UINT32_MAX), -1);
	CHECK_EQ_I64(vm_memory_grow(m, 1), 4);
	CHECK_EQ_I64(vm_memory_grow(m, 1), -1);
	vm_memory_unref(m);

	/* min above the embedder's limit: refused. */
	l = (struct vm_limits){ 3, 0, false, false };
	CHECK(vm_memory_new(&l, 2, &err) == NULL);
	CHECK_EQ_U64(err.kind, VM_ERR_NOMEM);

	/* No declared max: 65536 pages; a 0-page memory still has a pointer. */
	l = (struct vm_limits){ 0, 0, false, true };
	m = vm_memory_new(&l, 0, &err);
	CHECK(m && m->max_pages == 65536 && m->data != NULL && m->size == 0 && m->shared);
	if (m) {
		CHECK_EQ_I64(vm_memory_grow(m, 1), 0);
		CHECK(m->data[65535] == 0);
		m->refcount++;
		vm_memory_unref(m);
		CHECK_EQ_U64(m->refcount, 1);
		vm_memory_unref(m);
	}
}

TEST(instance_table_limits)
{
	struct vm_tabletype tt = { VM_FUNCREF, { 2, 4, true, false } };
	struct vm_error err = { 0 };
	struct vm_table *t = vm_table_new(&tt, &err);

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_EQ_U64(t->size, 2);
	CHECK_EQ_U64(t->max, 4);
	CHECK(t->elems[0] == 0 && t->elems[1] == 0);
	CHECK_EQ_I64(vm_table_grow(t, 2, 0x1234), 2);
	CHECK(t->elems[2] == 0x1234 && t->elems[3] == 0x1234);
	CHECK_EQ_I64(vm_table_grow(t, 1, 0), -1);
	CHECK_EQ_U64(t->size, 4);
	vm_table_unref(t);

	tt.limits = (struct vm_limits){ 16, 0, false, false };
	t = vm_table_new(&tt, &err);
	CHECK(t && t->max == UINT32_MAX);
	if (t) {
		/* Growing past 2^32 elements fails, whatever the max says. */
		CHECK_EQ_I64(vm_table_grow(t, 0xfffffff0u, 0), -1);
		CHECK_EQ_U64(t->size, 16);
		vm_table_unref(t);
	}
	tt.limits = (struct vm_limits){ 0xffffffffu, 0, false, false };
	CHECK(vm_table_new(&tt, &err) == NULL);
	CHECK_EQ_U64(err.kind, VM_ERR_NOMEM);
}

static int dummy_ctx;

TEST(instance_host_func)
{
	struct vm_func *f = vm_host_func_new(&type_i32_i32, host_double, &dummy_ctx, "a.b");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_STR(f->debug_name, "a.b");
	CHECK(f->inst == NULL && f->host == host_double && f->host_ctx == &dummy_ctx);
	CHECK(f->type == &type_i32_i32);
	vm_func_free(f);
	f = vm_host_func_new(&type_i32_i32, host_double, NULL, NULL);
	CHECK(f && f->debug_name == NULL);
	vm_func_free(f);
	vm_func_free(NULL);
}

/* ---- linking --------------------------------------------------------------- */

TEST(instance_link_ok)
{
	struct vm_module *m = LOAD(imports_wasm);
	struct vm_instance *inst;
	struct vm_error err = { 0 };
	struct env e;

	if (!m)
		return;
	env_init(&e, 2, true, 10, 1, 4);
	e.m->data[5] = 55;
	inst = vm_instantiate(m, e.ext, 4, NULL, &err);
	CHECK(inst != NULL);
	if (inst) {
		CHECK_EQ_U64(call(inst, "call_f", 1, 21, 0, 1) & 0xffffffff, 42);
		CHECK_EQ_U64(call(inst, "get_g", 0, 0, 0, 1) & 0xffffffff, 77);
		CHECK_EQ_U64(call(inst, "load", 1, 5, 0, 1) & 0xffffffff, 55);
		/* Imported objects are shared, with a reference each. */
		CHECK(inst->tables[0] == e.t && inst->mems[0] == e.m && inst->globals[0] == e.g);
		CHECK_EQ_U64(e.t->refcount, 2);
		CHECK_EQ_U64(e.m->refcount, 2);
		CHECK_EQ_U64(e.g->refcount, 2);
		CHECK(inst->funcs[0] == e.f);
		vm_instance_free(inst);
		CHECK_EQ_U64(e.t->refcount, 1);
		CHECK_EQ_U64(e.m->refcount, 1);
	} else {
		unit_fail(__FILE__, __LINE__, "%s", err.msg);
	}
	env_free(&e);
	vm_module_unref(m);
}

TEST(instance_link_errors)
{
	struct vm_module *m = LOAD(imports_wasm);
	struct vm_extern ext[4];
	struct env e;

	if (!m)
		return;
	env_init(&e, 2, true, 10, 1, 4);
	memcpy(ext, e.ext, sizeof ext);
	expect_fail(__LINE__, m, ext, 3, NULL, VM_ERR_LINK, "unknown import");

	/* A missing object. */
	ext[2].u.mem = NULL;
	expect_fail(__LINE__, m, ext, 4, NULL, VM_ERR_LINK, "unknown import");
	memcpy(ext, e.ext, sizeof ext);

	/* Wrong kinds. */
	ext[0] = e.ext[3];
	expect_fail(__LINE__, m, ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
	memcpy(ext, e.ext, sizeof ext);
	ext[2] = e.ext[1];
	expect_fail(__LINE__, m, ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
	memcpy(ext, e.ext, sizeof ext);

	/* Function type. */
	{
		struct vm_func *g = vm_host_func_new(&type_i64_i32, host_double, NULL, NULL);

		ext[0].u.func = g;
		expect_fail(__LINE__, m, ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
		vm_func_free(g);
		memcpy(ext, e.ext, sizeof ext);
	}
	/* Global type and mutability. */
	{
		struct vm_global *g1 = vm_global_new(VM_I64, true, 0);
		struct vm_global *g2 = vm_global_new(VM_I32, false, 0);

		ext[3].u.global = g1;
		expect_fail(__LINE__, m, ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
		ext[3].u.global = g2;
		expect_fail(__LINE__, m, ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
		vm_global_unref(g1);
		vm_global_unref(g2);
		memcpy(ext, e.ext, sizeof ext);
		CHECK_EQ_U64(e.g->refcount, 1);
	}
	env_free(&e);

	/* Table limits: {2,10} wanted. Too small, no max, larger max, externref. */
	env_init(&e, 1, true, 10, 1, 4);
	expect_fail(__LINE__, m, e.ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
	env_free(&e);
	env_init(&e, 2, false, 0, 1, 4);
	expect_fail(__LINE__, m, e.ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
	env_free(&e);
	env_init(&e, 2, true, 11, 1, 4);
	expect_fail(__LINE__, m, e.ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
	env_free(&e);
	env_init(&e, 5, true, 6, 1, 4); /* bigger min, smaller max: fine */
	{
		struct vm_instance *inst = vm_instantiate(m, e.ext, 4, NULL, NULL);

		CHECK(inst != NULL);
		vm_instance_free(inst);
	}
	env_free(&e);
	{
		struct vm_tabletype tt = { VM_EXTERNREF, { 2, 10, true, false } };

		env_init(&e, 2, true, 10, 1, 4);
		vm_table_unref(e.t);
		e.ext[1].u.table = e.t = vm_table_new(&tt, NULL);
		expect_fail(__LINE__, m, e.ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
		env_free(&e);
	}

	/* Memory limits: {1,4} wanted. Larger max; a grown memory is fine. */
	env_init(&e, 2, true, 10, 1, 5);
	expect_fail(__LINE__, m, e.ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
	env_free(&e);
	env_init(&e, 2, true, 10, 0, 4);
	expect_fail(__LINE__, m, e.ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
	CHECK_EQ_I64(vm_memory_grow(e.m, 1), 0);
	{
		struct vm_instance *inst = vm_instantiate(m, e.ext, 4, NULL, NULL);

		CHECK(inst != NULL);
		vm_instance_free(inst);
	}
	env_free(&e);
	{
		/* Shared flag must match. */
		struct vm_limits sl = { 1, 4, true, true };

		env_init(&e, 2, true, 10, 1, 4);
		vm_memory_unref(e.m);
		e.ext[2].u.mem = e.m = vm_memory_new(&sl, 0, NULL);
		expect_fail(__LINE__, m, e.ext, 4, NULL, VM_ERR_LINK, "incompatible import type");
		env_free(&e);
	}
	vm_module_unref(m);
}

/* ---- instantiation ---------------------------------------------------------- */

TEST(instance_memory_grow_limit)
{
	struct vm_module *m = LOAD(grow_wasm);
	struct vm_config cfg = { .max_pages = 3 };
	struct vm_instance *inst;
	struct vm_error err = { 0 };

	if (!m)
		return;
	inst = vm_instantiate(m, NULL, 0, &cfg, &err);
	CHECK(inst != NULL);
	if (inst) {
		CHECK_EQ_U64(inst->mems[0]->max_pages, 3);
		CHECK_EQ_U64((uint32_t)call(inst, "grow", 1, 2, 0, 1), 1);
		CHECK_EQ_U64((uint32_t)call(inst, "grow", 1, 1, 0, 1), UINT32_MAX);
		CHECK_EQ_U64((uint32_t)call(inst, "size", 0, 0, 0, 1), 3);
		CHECK_EQ_U64((uint32_t)call(inst, "tgrow", 1, 5, 0, 1), 1);
		CHECK_EQ_U64((uint32_t)call(inst, "tgrow", 1, 0xfffffff0u, 0, 1), UINT32_MAX);
		vm_instance_free(inst);
	}
	cfg.max_pages = 0;
	inst = vm_instantiate(m, NULL, 0, &cfg, &err);
	CHECK(inst && inst->mems[0]->max_pages == 65536);
	vm_instance_free(inst);
	vm_module_unref(m);

	/* The module's min is above the page limit: NOMEM, nothing leaks. */
	m = LOAD(datatrap_wasm);
	if (m) {
		struct vm_limits l = { 2, 0, false, false };
		struct vm_memory *mem = vm_memory_new(&l, 1, &err);

		CHECK(mem == NULL && err.kind == VM_ERR_NOMEM);
		vm_module_unref(m);
	}
	m = LOAD(loop_wasm);
	if (m) {
		cfg.max_pages = 1;
		inst = vm_instantiate(m, NULL, 0, &cfg, &err);
		CHECK(inst != NULL);
		vm_instance_free(inst);
		vm_module_unref(m);
	}
}

TEST(instance_segment_traps)
{
	struct vm_module *m = LOAD(elemtrap_wasm);
	struct vm_tabletype tt = { VM_FUNCREF, { 4, 0, false, false } };
	struct vm_limits ml = { 1, 0, false, false };
	struct vm_table *t = vm_table_new(&tt, NULL);
	struct vm_memory *mem = vm_memory_new(&ml, 0, NULL);
	struct vm_extern ext[2] = { { .kind = VM_EXT_TABLE, .u.table = t },
				    { .kind = VM_EXT_MEMORY, .u.mem = mem } };

	if (!m || !t || !mem)
		return;
	/* Segment 0 lands, segment 1 does not fit: trap, data never runs. */
	expect_fail(__LINE__, m, ext, 2, NULL, VM_ERR_TRAP, "out of bounds table access");
	CHECK(t->elems[0] != 0 && t->elems[3] == 0);
	CHECK(mem->data[0] == 0);
	if (t->elems[0]) {
		/* The dead instance's function still runs through the table. */
		struct vm_func *f = (struct vm_func *)(uintptr_t)t->elems[0];
		vm_slot r = 0;

		CHECK(f->inst != NULL);
		if (f->inst) {
			CHECK_EQ_U64(vm_invoke(f->inst, f->index, NULL, 0, &r, 1), VM_OK);
			CHECK_EQ_U64(r, 7);
		}
	}
	vm_module_unref(m);

	m = LOAD(datatrap_wasm);
	if (m) {
		expect_fail(__LINE__, m, &ext[1], 1, NULL, VM_ERR_TRAP,
			    "out of bounds memory access");
		CHECK(memcmp(mem->data, "abc", 3) == 0);
		CHECK(mem->data[65534] == 0);
		vm_module_unref(m);
	}
	m = LOAD(starttrap_wasm);
	if (m) {
		memset(mem->data, 0, 8);
		expect_fail(__LINE__, m, &ext[1], 1, NULL, VM_ERR_TRAP, "unreachable");
		CHECK(memcmp(mem->data, "hello", 5) == 0);
		vm_module_unref(m);
	}
	/* The dead instance of elemtrap still holds both objects... */
	CHECK_EQ_U64(mem->refcount, 2);
	CHECK_EQ_U64(t->refcount, 2);
	/* ...until nobody else holds the table; then it goes at the next sweep. */
	vm_table_unref(t);
	vm_instance_free(NULL);
	CHECK_EQ_U64(mem->refcount, 1);
	vm_memory_unref(mem);
}

TEST(instance_exports_and_refs)
{
	struct vm_module *m = LOAD(loop_wasm);
	struct vm_instance *inst;
	struct vm_extern x;
	struct vm_func *h1, *h2;

	if (!m)
		return;
	inst = vm_instantiate(m, NULL, 0, NULL, NULL);
	CHECK(inst != NULL);
	if (!inst)
		goto out;
	CHECK_EQ_I64(vm_instance_export(inst, "tab", 3, &x), 0);
	CHECK(x.kind == VM_EXT_TABLE && x.u.table == inst->tables[0]);
	CHECK_EQ_I64(vm_instance_export(inst, "mem", 3, &x), 0);
	CHECK(x.kind == VM_EXT_MEMORY && x.u.mem == inst->mems[0]);
	CHECK_EQ_I64(vm_instance_export(inst, "acc", 3, &x), 0);
	CHECK(x.kind == VM_EXT_GLOBAL && x.u.global == inst->globals[0]);
	CHECK_EQ_I64(vm_instance_export(inst, "run", 3, &x), 0);
	CHECK(x.kind == VM_EXT_FUNC && x.u.func->inst == inst);
	CHECK_EQ_I64(vm_instance_export(inst, "nope", 4, &x), -1);
	CHECK_EQ_I64(vm_instance_export(inst, "ru", 2, &x), -1);

	/* Element segment and ref.func global hold refs to own functions. */
	CHECK(inst->tables[0]->elems[0] == (uintptr_t)inst->funcs[0]);
	CHECK(inst->tables[0]->elems[1] == (uintptr_t)inst->funcs[1]);
	CHECK(inst->globals[1]->val == (uintptr_t)inst->funcs[1]);
	CHECK(inst->elem_dropped[0] == 1);

	/* Handles: own functions by index, others appended to xfuncs. */
	CHECK_EQ_U64(vm_ref_to_handle(inst, 0), 0);
	CHECK_EQ_U64(vm_ref_to_handle(inst, (uintptr_t)inst->funcs[1]), 2);
	CHECK_EQ_U64(vm_handle_to_ref(inst, 2), (uintptr_t)inst->funcs[1]);
	h1 = vm_host_func_new(&type_i32_i32, host_double, NULL, NULL);
	h2 = vm_host_func_new(&type_i32_i32, host_double, NULL, NULL);
	CHECK_EQ_U64(vm_ref_to_handle(inst, (uintptr_t)h1), m->nfuncs + 1);
	CHECK_EQ_U64(vm_ref_to_handle(inst, (uintptr_t)h2), m->nfuncs + 2);
	CHECK_EQ_U64(vm_ref_to_handle(inst, (uintptr_t)h1), m->nfuncs + 1);
	CHECK_EQ_U64(vm_handle_to_ref(inst, m->nfuncs + 2), (uintptr_t)h2);
	CHECK_EQ_U64(vm_handle_to_ref(inst, m->nfuncs + 3), 0);
	CHECK_EQ_U64(vm_handle_to_ref(inst, UINT64_MAX), 0);
	/* xfuncs grows as needed. */
	{
		struct vm_func *hs[40];

		for (uint32_t i = 0; i < 40; i++) {
			hs[i] = vm_host_func_new(&type_i32_i32, host_double, NULL, NULL);
			CHECK_EQ_U64(vm_ref_to_handle(inst, (uintptr_t)hs[i]), m->nfuncs + 3 + i);
		}
		CHECK_EQ_U64(inst->nxfuncs, 42);
		for (uint32_t i = 0; i < 40; i++) {
			CHECK_EQ_U64(vm_handle_to_ref(inst, m->nfuncs + 3 + i), (uintptr_t)hs[i]);
			vm_func_free(hs[i]);
		}
	}
	vm_func_free(h1);
	vm_func_free(h2);
	vm_instance_free(inst);
out:
	vm_module_unref(m);
}

/* ---- clone ------------------------------------------------------------------ */

TEST(instance_clone_idle)
{
	struct vm_module *m = LOAD(loop_wasm);
	struct vm_instance *a, *b;
	struct vm_error err = { 0 };

	if (!m)
		return;
	a = vm_instantiate(m, NULL, 0, NULL, NULL);
	CHECK(a != NULL);
	if (!a)
		goto out;
	CHECK_EQ_U64(call(a, "run", 1, 100, 0, 1), call(a, "run", 1, 100, 0, 1));
	b = vm_clone(a, &err);
	CHECK(b != NULL);
	if (!b) {
		unit_fail(__FILE__, __LINE__, "%s", err.msg);
		goto out_a;
	}
	CHECK(b->mems[0] != a->mems[0] && b->tables[0] != a->tables[0]);
	CHECK(memcmp(a->mems[0]->data, b->mems[0]->data, 65536) == 0);
	CHECK_EQ_U64(b->globals[0]->val, a->globals[0]->val);
	/* Function references now name the clone's own functions. */
	for (uint32_t i = 0; i < 2; i++) {
		struct vm_func *f = (struct vm_func *)(uintptr_t)b->tables[0]->elems[i];

		CHECK(f == b->funcs[i] && f->inst == b);
	}
	CHECK(b->globals[1]->val == (uintptr_t)b->funcs[1]);
	/* Independent from now on. */
	call(b, "poke", 2, 16, 1234, 0);
	CHECK_EQ_U64(call(b, "peek", 1, 16, 0, 1), 1234);
	CHECK(call(a, "peek", 1, 16, 0, 1) != 1234);
	CHECK_EQ_U64(call(b, "run", 1, 100, 0, 1), call(a, "run", 1, 100, 0, 1));
	call(b, "fref_to_table", 0, 0, 0, 0);
	CHECK(b->tables[0]->elems[1] == (uintptr_t)b->funcs[1]);
	vm_instance_free(a);
	/* The clone outlives its original. */
	/* sum of i*i for even i and i+1 for odd i below 10 */
	CHECK_EQ_U64(call(b, "run", 1, 10, 0, 1), 150);
	vm_instance_free(b);
	vm_module_unref(m);
	return;
out_a:
	vm_instance_free(a);
out:
	vm_module_unref(m);
}

/* Run the current call to the end in slices of `slice` fuel. */
static enum vm_status
finish(struct vm_instance *inst, int64_t slice, vm_slot *res)
{
	enum vm_status st;

	while ((st = vm_run(inst, slice, NULL)) == VM_YIELD)
		;
	if (st == VM_OK)
		vm_results(inst, res, 1);
	return st;
}

TEST(instance_clone_mid_run)
{
	struct vm_module *m = LOAD(loop_wasm);
	struct vm_instance *a, *b = NULL, *ref;
	vm_slot arg = 3000, ra = 0, rb = 0, rr = 0;
	struct vm_error err = { 0 };
	enum vm_status st;

	if (!m)
		return;
	a = vm_instantiate(m, NULL, 0, NULL, NULL);
	ref = vm_instantiate(m, NULL, 0, NULL, NULL);
	CHECK(a && ref);
	if (!a || !ref)
		goto out;
	rr = call(ref, "run", 1, arg, 0, 1);
	CHECK_EQ_I64(vm_call_start(a, fn(m, "run"), &arg, 1, &err), 0);
	st = vm_run(a, 5000, NULL);
	CHECK_EQ_U64(st, VM_YIELD);
	CHECK_EQ_U64(a->state, VM_READY);
	b = vm_clone(a, &err);
	CHECK(b != NULL);
	if (!b)
		goto out;
	CHECK_EQ_U64(b->state, VM_READY);
	CHECK_EQ_U64(b->nframes, a->nframes);
	/* The halves run with different slices and still agree. */
	CHECK_EQ_U64(finish(a, 1000, &ra), VM_OK);
	CHECK_EQ_U64(finish(b, 7, &rb), VM_OK);
	CHECK_EQ_U64(ra, rr);
	CHECK_EQ_U64(rb, rr);
	CHECK(memcmp(a->mems[0]->data, ref->mems[0]->data, 65536) == 0);
	CHECK(memcmp(b->mems[0]->data, ref->mems[0]->data, 65536) == 0);
	CHECK_EQ_U64(b->globals[0]->val, ref->globals[0]->val);
	call(a, "poke", 2, 0, 99, 0);
	CHECK(call(b, "peek", 1, 0, 0, 1) != 99);
out:
	vm_instance_free(a);
	vm_instance_free(b);
	vm_instance_free(ref);
	vm_module_unref(m);
}

/* fork(): the parent gets 100 and the child, re-executing the call, 0. */
struct forkctx {
	struct vm_instance *parent, *child;
	struct vm_error err;
	int calls;
};

static enum vm_status
host_fork(struct vm_instance *inst, void *ctx, vm_slot *args)
{
	struct forkctx *c = ctx;

	c->calls++;
	if (inst == c->parent) {
		if (inst->state != VM_RUNNING)
			return VM_TRAP;
		c->child = vm_clone(inst, &c->err);
		args[0] = 100;
	} else {
		args[0] = 0;
	}
	return VM_OK;
}

static uint8_t t_void_i32[] = { VM_I32 };
static const struct vm_functype type_void_i32 = { 0, 1, t_void_i32, 0 };

TEST(instance_clone_in_host_call)
{
	struct vm_module *m = LOAD(fork_wasm);
	struct forkctx c = { 0 };
	struct vm_func *f = vm_host_func_new(&type_void_i32, host_fork, &c, "env.fork");
	struct vm_extern ext = { .kind = VM_EXT_FUNC, .u.func = f };
	vm_slot r = 0;

	if (!m || !f)
		goto out;
	c.parent = vm_instantiate(m, &ext, 1, NULL, NULL);
	CHECK(c.parent != NULL);
	if (!c.parent)
		goto out;
	CHECK_EQ_U64(call(c.parent, "main", 0, 0, 0, 1), 105);
	CHECK(c.child != NULL);
	if (!c.child) {
		unit_fail(__FILE__, __LINE__, "clone: %s", c.err.msg);
		goto out;
	}
	CHECK_EQ_U64(c.child->state, VM_READY);
	CHECK_EQ_U64(finish(c.child, -1, &r), VM_OK);
	CHECK_EQ_U64(r, 5);
	CHECK_EQ_I64(c.calls, 2);
	/* The child is an ordinary instance afterwards. */
	CHECK_EQ_U64(call(c.child, "main", 0, 0, 0, 1), 5);
out:
	vm_instance_free(c.child);
	vm_instance_free(c.parent);
	vm_func_free(f);
	vm_module_unref(m);
}

TEST(instance_clone_refuses_trapped)
{
	struct vm_module *m = LOAD(loop_wasm);
	struct vm_instance *a;
	struct vm_error err = { 0 };

	if (!m)
		return;
	a = vm_instantiate(m, NULL, 0, NULL, NULL);
	if (a) {
		vm_slot args[2] = { 65536, 0 };

		CHECK_EQ_U64(vm_invoke(a, fn(m, "poke"), args, 2, NULL, 0), VM_TRAP);
		CHECK(vm_clone(a, &err) == NULL);
		CHECK_EQ_U64(err.kind, VM_ERR_STATE);
		vm_reset(a);
		vm_instance_free(vm_clone(a, NULL));
	}
	vm_instance_free(a);
	vm_module_unref(m);
}

/* ---- the start function's fuel ------------------------------------------ */

/* A start function that never ends fails the instantiation once its fuel is
 * spent; one that ends within it runs to completion. */
TEST(instance_start_fuel)
{
	struct vm_module *loop = LOAD(startloop_wasm), *count = LOAD(startcount_wasm);
	struct vm_config cfg = { .start_fuel = 10000 };
	struct vm_error err = { 0 };
	struct vm_instance *inst;
	vm_slot r;

	if (!loop || !count)
		goto out;
	expect_fail(__LINE__, loop, NULL, 0, &cfg, VM_ERR_TRAP,
		    "start function: out of fuel after 10000 instructions");
	inst = vm_instantiate(count, NULL, 0, &cfg, &err);
	CHECK(inst != NULL);
	if (inst) {
		CHECK_EQ_I64(vm_invoke(inst, 1, NULL, 0, &r, 1), VM_OK);
		CHECK_EQ_U64((uint32_t)r, 100);
		vm_instance_free(inst);
	}
	cfg.start_fuel = 50; /* the loop needs 8 per round */
	expect_fail(__LINE__, count, NULL, 0, &cfg, VM_ERR_TRAP, "start function: out of fuel");
out:
	vm_module_unref(loop);
	vm_module_unref(count);
}

/* defer_start: instantiation leaves the start function alone; vm_push_start
 * puts it above a call, and it runs first, under the caller's fuel, in
 * slices as small as one unit. */
TEST(instance_start_deferred)
{
	struct vm_module *loop = LOAD(startloop_wasm), *count = LOAD(startcount_wasm);
	struct vm_config cfg = { .defer_start = true };
	struct vm_error err = { 0 };
	struct vm_instance *inst;
	enum vm_status st;
	int64_t used, total = 0;
	vm_slot r;
	int runs = 0;

	if (!loop || !count)
		goto out;
	inst = vm_instantiate(count, NULL, 0, &cfg, &err);
	CHECK(inst != NULL);
	if (inst) {
		CHECK_EQ_I64(vm_invoke(inst, 1, NULL, 0, &r, 1), VM_OK);
		CHECK_EQ_U64((uint32_t)r, 0); /* not run yet */
		CHECK_EQ_I64(vm_call_start(inst, 1, NULL, 0, &err), 0);
		CHECK_EQ_I64(vm_push_start(inst, &err), 0);
		do {
			used = 0;
			st = vm_run(inst, 1, &used);
			total += used;
			runs++;
		} while (st == VM_YIELD && runs < 100000);
		CHECK_EQ_I64(st, VM_OK);
		CHECK(runs > 100);
		CHECK_EQ_I64(vm_results(inst, &r, 1), 0);
		CHECK_EQ_U64((uint32_t)r, 100);
		CHECK(total > 800);
		vm_instance_free(inst);
	}
	/* A start function that never ends is just code that yields. */
	inst = vm_instantiate(loop, NULL, 0, &cfg, &err);
	CHECK(inst != NULL);
	if (inst) {
		CHECK_EQ_I64(vm_call_start(inst, 0, NULL, 0, &err), 0);
		CHECK_EQ_I64(vm_push_start(inst, &err), 0);
		CHECK_EQ_I64(vm_run(inst, 100000, NULL), VM_YIELD);
		CHECK_EQ_I64(vm_run(inst, 100000, NULL), VM_YIELD);
		vm_instance_free(inst);
	}
out:
	vm_module_unref(loop);
	vm_module_unref(count);
}
