/*
 * test_exec.c - the interpreter and the compiler's code, run through the
 * engine's API: arithmetic, branches, loops, calls, traps, memory, fuel
 * slicing, host functions (every status), re-entrance and signals.
 *
 * The module under test, built with wat2wasm from this source:
 *
 * (module
 *   (type $ii_i (func (param i32 i32) (result i32)))
 *   (type $i_i (func (param i32) (result i32)))
 *   (import "env" "host" (func $host (param i32) (result i32)))
 *   (memory (export "mem") 1)
 *   (table 4 funcref)
 *   (elem (i32.const 0) $add $sub $fib)
 *   (global $g (mut i32) (i32.const 0))
 *   (func $add (export "add") (type $ii_i) (i32.add (local.get 0) (local.get 1)))
 *   (func $sub (export "sub") (type $ii_i) (i32.sub (local.get 0) (local.get 1)))
 *   (func $fib (export "fib") (type $i_i)
 *     (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
 *       (then (local.get 0))
 *       (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
 *                      (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
 *   (func (export "dispatch") (param i32 i32 i32) (result i32)
 *     (call_indirect (type $ii_i) (local.get 1) (local.get 2) (local.get 0)))
 *   (func (export "divmod") (param i32 i32) (result i32 i32)
 *     (i32.div_s (local.get 0) (local.get 1)) (i32.rem_s (local.get 0) (local.get 1)))
 *   (func (export "switch") (param i32) (result i32)
 *     (block $d (block $c (block $b (block $a (br_table $a $b $c $d (local.get 0)))
 *       (return (i32.const 10))) (return (i32.const 20))) (return (i32.const 30)))
 *     (i32.const 99))
 *   (func (export "sum") (param i32) (result i64) (local i64 i32)
 *     (loop $l
 *        (local.set 2 (i32.add (local.get 2) (i32.const 1)))
 *        (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 2))))
 *        (i64.store (i32.shl (local.get 2) (i32.const 3)) (local.get 1))
 *        (br_if $l (i32.lt_u (local.get 2) (local.get 0))))
 *     (local.get 1))
 *   (func $rec (export "recurse") (param i32) (result i32)
 *     (call $rec (i32.add (local.get 0) (i32.const 1))))
 *   (func $depth (export "depth") (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64)
 *     (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
 *       (else (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1)))))))
 *   (func (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
 *   (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
 *   (func (export "callhost") (param i32) (result i32)
 *     (global.set $g (i32.add (global.get $g) (i32.const 1)))
 *     (i32.add (call $host (local.get 0)) (i32.const 1)))
 *   (func (export "getg") (result i32) (global.get $g))
 *   (func (export "mark") (param i32) (i32.store (i32.const 0) (local.get 0)))
 *   (func (export "multi") (param i32) (result i32) (local i32)
 *     (i32.const 1) (local.get 0)
 *     (block (param i32 i32) (result i32)
 *       (br_if 0 (i32.add) (i32.eqz (local.get 0)))
 *       (i32.const 100) (i32.add))
 *     (i32.const 0)
 *     (loop (param i32 i32) (result i32)
 *       (local.set 1)
 *       (i32.add (local.get 1))
 *       (i32.add (local.get 1) (i32.const 1))
 *       (br_if 0 (i32.lt_u (local.get 1) (i32.const 5)))
 *       (drop)))
 *   (func (export "sel") (param i32 i32 i32) (result i32)
 *     (select (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
 * )
 */
#include "unit.h"
#include "vm/compile.h"
#include "vm/vm.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t mod_a[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x32, 0x09, 0x60,
	0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x03,
	0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x02, 0x7f, 0x7f,
	0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x02, 0x7f, 0x7f, 0x00, 0x60, 0x00,
	0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00,
	0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x68, 0x6f, 0x73, 0x74,
	0x00, 0x01, 0x03, 0x13, 0x12, 0x00, 0x00, 0x01, 0x02, 0x03, 0x01, 0x04,
	0x01, 0x01, 0x01, 0x05, 0x01, 0x06, 0x07, 0x01, 0x02, 0x08, 0x01, 0x04,
	0x04, 0x01, 0x70, 0x00, 0x04, 0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x06,
	0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x92, 0x01, 0x13, 0x03, 0x6d,
	0x65, 0x6d, 0x02, 0x00, 0x03, 0x61, 0x64, 0x64, 0x00, 0x01, 0x03, 0x73,
	0x75, 0x62, 0x00, 0x02, 0x03, 0x66, 0x69, 0x62, 0x00, 0x03, 0x08, 0x64,
	0x69, 0x73, 0x70, 0x61, 0x74, 0x63, 0x68, 0x00, 0x04, 0x06, 0x64, 0x69,
	0x76, 0x6d, 0x6f, 0x64, 0x00, 0x05, 0x06, 0x73, 0x77, 0x69, 0x74, 0x63,
	0x68, 0x00, 0x06, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x07, 0x07, 0x72, 0x65,
	0x63, 0x75, 0x72, 0x73, 0x65, 0x00, 0x08, 0x05, 0x64, 0x65, 0x70, 0x74,
	0x68, 0x00, 0x09, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x0a, 0x05, 0x73,
	0x74, 0x6f, 0x72, 0x65, 0x00, 0x0b, 0x08, 0x63, 0x61, 0x6c, 0x6c, 0x68,
	0x6f, 0x73, 0x74, 0x00, 0x0c, 0x04, 0x67, 0x65, 0x74, 0x67, 0x00, 0x0d,
	0x04, 0x6d, 0x61, 0x72, 0x6b, 0x00, 0x0e, 0x05, 0x6d, 0x75, 0x6c, 0x74,
	0x69, 0x00, 0x0f, 0x03, 0x73, 0x65, 0x6c, 0x00, 0x10, 0x04, 0x66, 0x69,
	0x6c, 0x6c, 0x00, 0x11, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x12, 0x09,
	0x09, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x03, 0x01, 0x02, 0x03, 0x0a, 0xb4,
	0x02, 0x12, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00,
	0x20, 0x00, 0x20, 0x01, 0x6b, 0x0b, 0x1c, 0x00, 0x20, 0x00, 0x41, 0x02,
	0x49, 0x04, 0x7f, 0x20, 0x00, 0x05, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10,
	0x03, 0x20, 0x00, 0x41, 0x02, 0x6b, 0x10, 0x03, 0x6a, 0x0b, 0x0b, 0x0b,
	0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x00, 0x11, 0x00, 0x00, 0x0b, 0x0c,
	0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x20, 0x00, 0x20, 0x01, 0x6f, 0x0b,
	0x22, 0x00, 0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x20, 0x00,
	0x0e, 0x03, 0x00, 0x01, 0x02, 0x03, 0x0b, 0x41, 0x0a, 0x0f, 0x0b, 0x41,
	0x14, 0x0f, 0x0b, 0x41, 0x1e, 0x0f, 0x0b, 0x41, 0xe3, 0x00, 0x0b, 0x2b,
	0x02, 0x01, 0x7e, 0x01, 0x7f, 0x03, 0x40, 0x20, 0x02, 0x41, 0x01, 0x6a,
	0x21, 0x02, 0x20, 0x01, 0x20, 0x02, 0xad, 0x7c, 0x21, 0x01, 0x20, 0x02,
	0x41, 0x03, 0x74, 0x20, 0x01, 0x37, 0x03, 0x00, 0x20, 0x02, 0x20, 0x00,
	0x49, 0x0d, 0x00, 0x0b, 0x20, 0x01, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x41,
	0x01, 0x6a, 0x10, 0x08, 0x0b, 0x17, 0x01, 0x08, 0x7e, 0x20, 0x00, 0x45,
	0x04, 0x7f, 0x41, 0x00, 0x05, 0x41, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b,
	0x10, 0x09, 0x6a, 0x0b, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x28, 0x02, 0x04,
	0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x36, 0x02, 0x00, 0x0b, 0x10,
	0x00, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x20, 0x00, 0x10, 0x00,
	0x41, 0x01, 0x6a, 0x0b, 0x04, 0x00, 0x23, 0x00, 0x0b, 0x09, 0x00, 0x41,
	0x00, 0x20, 0x00, 0x36, 0x02, 0x00, 0x0b, 0x2c, 0x01, 0x01, 0x7f, 0x41,
	0x01, 0x20, 0x00, 0x02, 0x00, 0x6a, 0x20, 0x00, 0x45, 0x0d, 0x00, 0x41,
	0xe4, 0x00, 0x6a, 0x0b, 0x41, 0x00, 0x03, 0x00, 0x21, 0x01, 0x20, 0x01,
	0x6a, 0x20, 0x01, 0x41, 0x01, 0x6a, 0x20, 0x01, 0x41, 0x05, 0x49, 0x0d,
	0x00, 0x1a, 0x0b, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02,
	0x1b, 0x0b, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0b,
	0x00, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b,
};

/* What the imported env.host does, and what it saw. */
enum host_mode { H_OK, H_TRAP, H_EXIT, H_BLOCK, H_STOP, H_REENTER };
struct host {
	enum host_mode mode;
	int blocks;          /* H_BLOCK: block this many times, then succeed */
	int calls;
	uint32_t fib;        /* H_REENTER: function to call back into */
};

static enum vm_status
host_fn(struct vm_instance *inst, void *ctx, vm_slot *args)
{
	struct host *h = ctx;
	vm_slot arg, res;

	h->calls++;
	switch (h->mode) {
	case H_OK:
		args[0] = (uint32_t)args[0] * 2;
		return VM_OK;
	case H_TRAP:
		vm_set_trap(inst, "host says no");
		return VM_TRAP;
	case H_EXIT:
		vm_set_exit(inst, 7);
		return VM_EXIT;
	case H_BLOCK:
		if (h->blocks > 0) {
			h->blocks--;
			return VM_BLOCK;
		}
		args[0] = (uint32_t)args[0] * 2;
		return VM_OK;
	case H_STOP:
		args[0] = (uint32_t)args[0] * 2;
		return VM_STOP;
	case H_REENTER:
		arg = args[0];
		if (vm_invoke(inst, h->fib, &arg, 1, &res, 1) != VM_OK)
			return VM_TRAP;
		args[0] = res;
		return VM_OK;
	}
	return VM_TRAP;
}

/* A loaded module, its host function and an instance of it. */
struct fixture {
	struct vm_module *m;
	struct vm_func *host;
	struct vm_instance *inst;
	struct host h;
};

static int
setup(struct fixture *f, const struct vm_config *cfg)
{
	struct vm_error err;
	struct vm_extern imp;

	memset(f, 0, sizeof *f);
	f->m = vm_module_load(mod_a, sizeof mod_a, &err);
	CHECK(f->m != NULL);
	if (!f->m)
		return -1;
	f->host = vm_host_func_new(&f->m->types[f->m->imports[0].u.type_index], host_fn, &f->h,
				   "env.host");
	CHECK(f->host != NULL);
	imp.kind = VM_EXT_FUNC;
	imp.u.func = f->host;
	f->inst = vm_instantiate(f->m, &imp, 1, cfg, &err);
	CHECK(f->inst != NULL);
	return f->inst ? 0 : -1;
}

static void
teardown(struct fixture *f)
{
	vm_instance_free(f->inst);
	vm_func_free(f->host);
	vm_module_unref(f->m);
}

static uint32_t
fn(const struct fixture *f, const char *name)
{
	int i = vm_module_find_export(f->m, name, (uint32_t)strlen(name), VM_EXT_FUNC);

	CHECK(i >= 0);
	return i >= 0 ? f->m->exports[i].index : 0;
}

/* vm_invoke by export name. */
static enum vm_status
call(struct fixture *f, const char *name, const vm_slot *args, uint32_t nargs, vm_slot *res,
     uint32_t nres)
{
	return vm_invoke(f->inst, fn(f, name), args, nargs, res, nres);
}

/* One i32 -> i32 call; traps give 0xdeadbeef. */
static uint32_t
call1(struct fixture *f, const char *name, uint32_t a)
{
	vm_slot arg = a, r = 0;

	if (call(f, name, &arg, 1, &r, 1) != VM_OK)
		return 0xdeadbeef;
	return (uint32_t)r;
}

static uint32_t
getg(struct fixture *f)
{
	vm_slot r = 0;

	CHECK_EQ_U64(call(f, "getg", NULL, 0, &r, 1), VM_OK);
	return (uint32_t)r;
}

static uint32_t
mem32(struct fixture *f, uint32_t addr)
{
	uint64_t size;
	uint8_t *p = vm_memory_data(f->inst, &size);
	uint32_t v;

	memcpy(&v, p + addr, 4);
	return v;
}

TEST(exec_arith)
{
	struct fixture f;
	vm_slot args[2], res[2];

	if (setup(&f, NULL))
		goto out;
	args[0] = 2;
	args[1] = 3;
	CHECK_EQ_U64(call(&f, "add", args, 2, res, 1), VM_OK);
	CHECK_EQ_U64((uint32_t)res[0], 5);
	CHECK_EQ_U64(call(&f, "sub", args, 2, res, 1), VM_OK);
	CHECK_EQ_U64((uint32_t)res[0], 0xffffffffu);
	args[0] = (uint32_t)-7;
	args[1] = 2;
	CHECK_EQ_U64(call(&f, "divmod", args, 2, res, 2), VM_OK);
	CHECK_EQ_U64((uint32_t)res[0], (uint32_t)-3);
	CHECK_EQ_U64((uint32_t)res[1], (uint32_t)-1);
	args[1] = 0;
	CHECK_EQ_U64(call(&f, "divmod", args, 2, res, 2), VM_TRAP);
	CHECK_STR(vm_trap_message(f.inst), "integer divide by zero");
	args[0] = 0x80000000u;
	args[1] = 0xffffffffu;
	CHECK_EQ_U64(call(&f, "divmod", args, 2, res, 2), VM_TRAP);
	CHECK_STR(vm_trap_message(f.inst), "integer overflow");
	/* vm_invoke after a trap starts afresh */
	args[0] = 40;
	args[1] = 2;
	CHECK_EQ_U64(call(&f, "add", args, 2, res, 1), VM_OK);
	CHECK_EQ_U64((uint32_t)res[0], 42);
	/* wrong arity is refused, not run */
	CHECK_EQ_U64(call(&f, "add", args, 1, res, 1), VM_TRAP);
out:
	teardown(&f);
}

TEST(exec_branches)
{
	struct fixture f;
	static const uint32_t want[] = { 10, 20, 30, 99, 99, 99 };
	static const uint32_t in[] = { 0, 1, 2, 3, 4, 0xffffffffu };
	vm_slot args[3], r;

	if (setup(&f, NULL))
		goto out;
	for (int i = 0; i < 6; i++)
		CHECK_EQ_U64(call1(&f, "switch", in[i]), want[i]);
	/* block params/results, br_if carrying values, a loop with params */
	CHECK_EQ_U64(call1(&f, "multi", 0), 1 + 0 + 15);
	CHECK_EQ_U64(call1(&f, "multi", 5), 1 + 5 + 100 + 15);
	args[0] = 11;
	args[1] = 22;
	args[2] = 1;
	CHECK_EQ_U64(call(&f, "sel", args, 3, &r, 1), VM_OK);
	CHECK_EQ_U64((uint32_t)r, 11);
	args[2] = 0;
	CHECK_EQ_U64(call(&f, "sel", args, 3, &r, 1), VM_OK);
	CHECK_EQ_U64((uint32_t)r, 22);
out:
	teardown(&f);
}

TEST(exec_calls)
{
	struct fixture f;
	struct vm_config cfg = { .max_call_depth = 500 };

	if (setup(&f, NULL))
		goto out;
	CHECK_EQ_U64(call1(&f, "fib", 20), 6765);
	/* deep enough to grow the frame and value stacks several times */
	CHECK_EQ_U64(call1(&f, "depth", 5000), 5000);
	/* unbounded recursion is a trap at the default limit, not a crash */
	CHECK_EQ_U64(call1(&f, "recurse", 0), 0xdeadbeef);
	CHECK_STR(vm_trap_message(f.inst), "call stack exhausted");
	teardown(&f);

	if (setup(&f, &cfg))
		goto out;
	CHECK_EQ_U64(call1(&f, "depth", 400), 400);
	CHECK_EQ_U64(call1(&f, "depth", 600), 0xdeadbeef);
	CHECK_STR(vm_trap_message(f.inst), "call stack exhausted");
	CHECK_EQ_U64(call1(&f, "recurse", 0), 0xdeadbeef);
	CHECK_STR(vm_trap_message(f.inst), "call stack exhausted");
	teardown(&f);

	/* a value-stack limit also ends in a trap */
	cfg.max_call_depth = 0;
	cfg.max_stack_slots = 4096;
	if (setup(&f, &cfg))
		goto out;
	CHECK_EQ_U64(call1(&f, "depth", 100), 100);
	CHECK_EQ_U64(call1(&f, "depth", 3000), 0xdeadbeef);
	CHECK_STR(vm_trap_message(f.inst), "call stack exhausted");
out:
	teardown(&f);
}

TEST(exec_call_indirect)
{
	struct fixture f;
	vm_slot args[3], r;

	if (setup(&f, NULL))
		goto out;
	args[1] = 5;
	args[2] = 3;
	args[0] = 0;
	CHECK_EQ_U64(call(&f, "dispatch", args, 3, &r, 1), VM_OK);
	CHECK_EQ_U64((uint32_t)r, 8);
	args[0] = 1;
	CHECK_EQ_U64(call(&f, "dispatch", args, 3, &r, 1), VM_OK);
	CHECK_EQ_U64((uint32_t)r, 2);
	args[0] = 2;
	CHECK_EQ_U64(call(&f, "dispatch", args, 3, &r, 1), VM_TRAP);
	CHECK_STR(vm_trap_message(f.inst), "indirect call type mismatch");
	args[0] = 3;
	CHECK_EQ_U64(call(&f, "dispatch", args, 3, &r, 1), VM_TRAP);
	CHECK_STR(vm_trap_message(f.inst), "uninitialized element");
	args[0] = 4;
	CHECK_EQ_U64(call(&f, "dispatch", args, 3, &r, 1), VM_TRAP);
	CHECK_STR(vm_trap_message(f.inst), "undefined element");
out:
	teardown(&f);
}

TEST(exec_memory)
{
	struct fixture f;
	vm_slot args[3];
	uint64_t size;
	uint8_t *p;

	if (setup(&f, NULL))
		goto out;
	args[0] = 100;
	args[1] = 0x12345678;
	CHECK_EQ_U64(call(&f, "store", args, 2, NULL, 0), VM_OK);
	CHECK_EQ_U64(call1(&f, "load", 96), 0x12345678);   /* offset=4 */
	CHECK_EQ_U64(mem32(&f, 100), 0x12345678);
	CHECK_EQ_U64(call1(&f, "load", 65528), 0);          /* last word */
	CHECK_EQ_U64(call1(&f, "load", 65529), 0xdeadbeef);
	CHECK_STR(vm_trap_message(f.inst), "out of bounds memory access");
	CHECK_EQ_U64(call1(&f, "load", 0xfffffffcu), 0xdeadbeef); /* +4 wraps in 32 bits, not 64 */
	args[0] = 65534;
	CHECK_EQ_U64(call(&f, "store", args, 2, NULL, 0), VM_TRAP);
	args[0] = 10;
	args[1] = 0xab;
	args[2] = 5;
	CHECK_EQ_U64(call(&f, "fill", args, 3, NULL, 0), VM_OK);
	p = vm_memory_data(f.inst, &size);
	CHECK_EQ_U64(size, 65536);
	CHECK(p[9] == 0 && p[10] == 0xab && p[14] == 0xab && p[15] == 0);
	args[0] = 65530;
	args[2] = 7;
	CHECK_EQ_U64(call(&f, "fill", args, 3, NULL, 0), VM_TRAP);
	CHECK_STR(vm_trap_message(f.inst), "out of bounds memory access");
	CHECK_EQ_U64(call1(&f, "grow", 1), 1);
	CHECK_EQ_U64(call1(&f, "load", 65532), 0);          /* now in bounds */
	CHECK_EQ_U64(call1(&f, "grow", 70000), 0xffffffffu);
	CHECK_EQ_U64(call1(&f, "grow", 0), 2);
out:
	teardown(&f);
}

/* sum(n) executes exactly 18n + 4 wasm instructions (see the module). */
TEST(exec_fuel_exact)
{
	struct fixture f;
	struct vm_error err;
	vm_slot arg = 1000, r;
	int64_t used = -1;

	if (setup(&f, NULL))
		goto out;
	CHECK_EQ_I64(vm_call_start(f.inst, fn(&f, "sum"), &arg, 1, &err), 0);
	CHECK_EQ_U64(vm_run(f.inst, -1, &used), VM_OK);
	CHECK_EQ_I64(used, 18 * 1000 + 4);
	CHECK_EQ_I64(vm_results(f.inst, &r, 1), 0);
	CHECK_EQ_U64(r, 500500);
	/* add: local.get, local.get, i32.add, end */
	vm_slot args[2] = { 1, 2 };
	CHECK_EQ_I64(vm_call_start(f.inst, fn(&f, "add"), args, 2, &err), 0);
	CHECK_EQ_U64(vm_run(f.inst, -1, &used), VM_OK);
	CHECK_EQ_I64(used, 4);
out:
	teardown(&f);
}

/* Run `name(arg)` to completion in slices of `slice` fuel. Returns the
 * result; *total gets the fuel used, *runs the number of vm_run calls. */
static uint64_t
run_sliced(struct fixture *f, const char *name, vm_slot arg, int64_t slice, int64_t *total,
	   int *runs)
{
	struct vm_error err;
	enum vm_status st;
	vm_slot r = 0;
	int64_t used;

	*total = 0;
	*runs = 0;
	CHECK_EQ_I64(vm_call_start(f->inst, fn(f, name), &arg, 1, &err), 0);
	do {
		st = vm_run(f->inst, slice, &used);
		CHECK(used >= 0);
		*total += used;
		++*runs;
		if (st == VM_YIELD) {
			const struct vm_frame *top = &f->inst->frames[f->inst->nframes - 1];
			CHECK_EQ_U64(f->inst->state, VM_READY);
			CHECK(vm_pc_valid(f->m, top->func, top->pc, true));
			CHECK(vm_stack_used(f->inst) > 0);
		}
	} while (st == VM_YIELD && *runs < 10000000);
	CHECK_EQ_U64(st, VM_OK);
	CHECK_EQ_I64(vm_results(f->inst, &r, 1), 0);
	return r;
}

TEST(exec_fuel_slices)
{
	static const int64_t slices[] = { -1, 1, 7, 1000 };
	struct fixture f;
	uint8_t *ref = NULL;
	uint64_t ref_sum = 0, ref_fib = 0;
	int64_t ref_used = 0, ref_fib_used = 0;

	for (int i = 0; i < 4; i++) {
		int64_t total;
		int runs;
		uint64_t size, r;
		uint8_t *mem;

		if (setup(&f, NULL))
			break;
		r = run_sliced(&f, "sum", 300, slices[i], &total, &runs);
		mem = vm_memory_data(f.inst, &size);
		if (i == 0) {
			ref_sum = r;
			ref_used = total;
			CHECK_EQ_U64(r, 300 * 301 / 2);
			CHECK_EQ_I64(total, 18 * 300 + 4);
			ref = malloc(size);
			if (ref)
				memcpy(ref, mem, size);
		} else {
			CHECK_EQ_U64(r, ref_sum);
			CHECK_EQ_I64(total, ref_used);
			CHECK(ref && memcmp(ref, mem, size) == 0);
			/* no slice runs more than one basic block beyond its fuel */
			CHECK(runs >= ref_used / slices[i] / 2);
		}
		/* recursion: every call is a check point */
		r = run_sliced(&f, "fib", 15, slices[i], &total, &runs);
		if (i == 0) {
			ref_fib = r;
			ref_fib_used = total;
			CHECK_EQ_U64(r, 610);
		} else {
			CHECK_EQ_U64(r, ref_fib);
			CHECK_EQ_I64(total, ref_fib_used);
		}
		teardown(&f);
	}
	free(ref);
}

TEST(exec_fuel_zero)
{
	struct fixture f;
	struct vm_error err;
	vm_slot arg = 10;
	int64_t used;

	if (setup(&f, NULL))
		return;
	CHECK_EQ_I64(vm_call_start(f.inst, fn(&f, "sum"), &arg, 1, &err), 0);
	/* nothing runs on no fuel: the entry is a check point */
	CHECK_EQ_U64(vm_run(f.inst, 0, &used), VM_YIELD);
	CHECK_EQ_I64(used, 0);
	CHECK_EQ_U64(f.inst->frames[0].pc, 0);
	CHECK_EQ_U64(vm_run(f.inst, -1, &used), VM_OK);
	CHECK_EQ_I64(used, 18 * 10 + 4);
	teardown(&f);
}

TEST(exec_host_statuses)
{
	struct fixture f;
	struct vm_error err;
	vm_slot arg = 5, r = 0;
	int64_t used, total;
	enum vm_status st;
	int runs;

	if (setup(&f, NULL))
		goto out;
	f.h.mode = H_OK;
	CHECK_EQ_U64(call1(&f, "callhost", 5), 11);
	CHECK_EQ_U64(f.h.calls, 1);

	f.h.mode = H_TRAP;
	CHECK_EQ_U64(call1(&f, "callhost", 5), 0xdeadbeef);
	CHECK_STR(vm_trap_message(f.inst), "host says no");
	CHECK_EQ_U64(f.inst->state, VM_TRAPPED);

	f.h.mode = H_EXIT;
	CHECK_EQ_U64(call(&f, "callhost", &arg, 1, &r, 1), VM_EXIT);
	CHECK_EQ_I64(vm_exit_status(f.inst), 7);
	CHECK_EQ_U64(f.inst->state, VM_EXITED);
	vm_reset(f.inst);

	/* BLOCK three times: the call (only) is re-executed each run */
	f.h.mode = H_BLOCK;
	f.h.blocks = 3;
	f.h.calls = 0;
	CHECK_EQ_U64(getg(&f), 3);
	vm_reset(f.inst);
	CHECK_EQ_I64(vm_call_start(f.inst, fn(&f, "callhost"), &arg, 1, &err), 0);
	total = 0;
	runs = 0;
	do {
		st = vm_run(f.inst, -1, &used);
		total += used;
		runs++;
	} while (st == VM_BLOCK && runs < 10);
	CHECK_EQ_U64(st, VM_OK);
	CHECK_EQ_U64(runs, 4);
	CHECK_EQ_U64(f.h.calls, 4);
	CHECK_EQ_I64(vm_results(f.inst, &r, 1), 0);
	CHECK_EQ_U64(r, 11);
	CHECK_EQ_U64(getg(&f), 4);   /* the global.set before the call ran once */
	/* the fuel of a blocked call is charged once */
	f.h.mode = H_OK;
	CHECK_EQ_I64(vm_call_start(f.inst, fn(&f, "callhost"), &arg, 1, &err), 0);
	CHECK_EQ_U64(vm_run(f.inst, -1, &used), VM_OK);
	CHECK_EQ_I64(total, used);

	/* STOP: results are in, control returns, the next run continues */
	f.h.mode = H_STOP;
	f.h.calls = 0;
	CHECK_EQ_I64(vm_call_start(f.inst, fn(&f, "callhost"), &arg, 1, &err), 0);
	CHECK_EQ_U64(vm_run(f.inst, -1, NULL), VM_STOP);
	CHECK_EQ_U64(f.inst->state, VM_READY);
	CHECK_EQ_U64(vm_run(f.inst, -1, NULL), VM_OK);
	CHECK_EQ_U64(f.h.calls, 1);
	CHECK_EQ_I64(vm_results(f.inst, &r, 1), 0);
	CHECK_EQ_U64(r, 11);

	/* fuel slices around a host call */
	f.h.mode = H_OK;
	CHECK_EQ_U64(run_sliced(&f, "callhost", 5, 1, &total, &runs), 11);
	CHECK_EQ_I64(total, used);
out:
	teardown(&f);
}

TEST(exec_host_reenter)
{
	struct fixture f;

	if (setup(&f, NULL))
		goto out;
	f.h.mode = H_REENTER;
	f.h.fib = fn(&f, "fib");
	CHECK_EQ_U64(call1(&f, "callhost", 10), 55 + 1);
	CHECK_EQ_U64(f.inst->state, VM_DONE);
	CHECK_EQ_U64(f.inst->nframes, 1);
	/* re-entered from a suspended-by-fuel run, too */
	{
		struct vm_error err;
		vm_slot arg = 10, r;
		int64_t total;
		int runs;
		(void)err;
		CHECK_EQ_U64(run_sliced(&f, "callhost", arg, 3, &total, &runs), 56);
		CHECK(runs >= 1);
		r = 0;
		CHECK_EQ_I64(vm_results(f.inst, &r, 1), 0);
		CHECK_EQ_U64(r, 56);
	}
out:
	teardown(&f);
}

TEST(exec_signal_frame)
{
	struct fixture f;
	struct vm_error err;
	vm_slot arg = 1000, mark = 0x777, r;
	enum vm_status st;
	int64_t used;
	uint32_t before;

	if (setup(&f, NULL))
		goto out;
	CHECK_EQ_I64(vm_call_start(f.inst, fn(&f, "sum"), &arg, 1, &err), 0);
	CHECK_EQ_U64(vm_run(f.inst, 500, &used), VM_YIELD);
	/* not on a running or idle instance */
	before = f.inst->nframes;
	CHECK_EQ_I64(vm_push_call(f.inst, fn(&f, "mark"), &mark, 1, &err), 0);
	CHECK_EQ_U64(f.inst->nframes, before + 1);
	CHECK_EQ_U64(f.inst->frames[before].flags, VM_FRAME_SIGNAL);
	do
		st = vm_run(f.inst, 100, &used);
	while (st == VM_YIELD);
	CHECK_EQ_U64(st, VM_OK);
	CHECK_EQ_I64(vm_results(f.inst, &r, 1), 0);
	CHECK_EQ_U64(r, 500500);
	CHECK_EQ_U64(mem32(&f, 0), 0x777);
	CHECK_EQ_I64(vm_push_call(f.inst, fn(&f, "mark"), &mark, 1, &err), -1);
out:
	teardown(&f);
}

/* A call of an import straight from the API (a pseudo-frame). */
TEST(exec_call_import_directly)
{
	struct fixture f;
	struct vm_error err;
	vm_slot arg = 21, r = 0;

	if (setup(&f, NULL))
		goto out;
	f.h.mode = H_BLOCK;
	f.h.blocks = 1;
	CHECK_EQ_I64(vm_call_start(f.inst, 0, &arg, 1, &err), 0);
	CHECK_EQ_U64(vm_run(f.inst, -1, NULL), VM_BLOCK);
	CHECK_EQ_U64(vm_run(f.inst, -1, NULL), VM_OK);
	CHECK_EQ_I64(vm_results(f.inst, &r, 1), 0);
	CHECK_EQ_U64(r, 42);
	f.h.mode = H_OK;
	CHECK_EQ_U64(call1(&f, "callhost", 1), 3);
	r = 0;
	CHECK_EQ_U64(vm_invoke(f.inst, 0, &arg, 1, &r, 1), VM_OK);
	CHECK_EQ_U64(r, 42);
out:
	teardown(&f);
}

TEST(exec_pc_valid)
{
	struct fixture f;
	uint32_t func;
	const struct vm_code *c;

	if (setup(&f, NULL))
		goto out;
	func = fn(&f, "fib");
	c = f.m->funcs[func - f.m->nfunc_imports].code;
	CHECK(vm_pc_valid(f.m, func, 0, true));
	CHECK(!vm_pc_valid(f.m, func, 1, true));
	CHECK(!vm_pc_valid(f.m, func, c->ncells, true));
	CHECK(!vm_pc_valid(f.m, f.m->nfuncs, 0, true));
	CHECK(vm_pc_valid(f.m, 0, 0, true));        /* an import's pseudo-frame */
	CHECK(!vm_pc_valid(f.m, 0, 0, false));
	CHECK(vm_frame_slots(f.m, func) >= 1 + 2);
	CHECK_EQ_U64(vm_frame_slots(f.m, 0), 1);
out:
	teardown(&f);
}

/* switch(x) runs 4 blocks, local.get, br_table, a constant and a return
 * or the function's end: 8 instructions on every path. fib(n) costs 7 for
 * n < 2 (the then arm runs `else` and skips the `end`) and otherwise 15
 * plus its two calls. */
TEST(exec_fuel_counts)
{
	struct fixture f;
	struct vm_error err;
	vm_slot arg, r;
	int64_t used, t[11];

	if (setup(&f, NULL))
		return;
	for (uint32_t x = 0; x < 6; x++) {
		arg = x;
		CHECK_EQ_I64(vm_call_start(f.inst, fn(&f, "switch"), &arg, 1, &err), 0);
		CHECK_EQ_U64(vm_run(f.inst, -1, &used), VM_OK);
		CHECK_EQ_I64(used, 8);
	}
	t[0] = t[1] = 7;
	for (int n = 2; n <= 10; n++)
		t[n] = 15 + t[n - 1] + t[n - 2];
	for (int n = 0; n <= 10; n++) {
		int64_t total;
		int runs;
		arg = (vm_slot)n;
		CHECK_EQ_I64(vm_call_start(f.inst, fn(&f, "fib"), &arg, 1, &err), 0);
		CHECK_EQ_U64(vm_run(f.inst, -1, &used), VM_OK);
		CHECK_EQ_I64(used, t[n]);
		r = run_sliced(&f, "fib", arg, 2, &total, &runs);
		CHECK_EQ_I64(total, t[n]);
		(void)r;
	}
	teardown(&f);
}

/* A module of one function with the given params, results and body (code
 * after the locals' declarations), plus one memory when `mem`. */
static size_t
one_func(uint8_t *out, const char *params, const char *results, const uint8_t *body, size_t n,
	 bool mem)
{
	size_t np = strlen(params), nr = strlen(results), k = 0, tsize = 4 + np + nr;
	static const uint8_t head[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	const char *codes = "ilfd";
	static const uint8_t vt[] = { VM_I32, VM_I64, VM_F32, VM_F64 };

	memcpy(out, head, 8);
	k = 8;
	out[k++] = 1;
	out[k++] = (uint8_t)tsize;
	out[k++] = 1;
	out[k++] = 0x60;
	out[k++] = (uint8_t)np;
	for (size_t i = 0; i < np; i++)
		out[k++] = vt[strchr(codes, params[i]) - codes];
	out[k++] = (uint8_t)nr;
	for (size_t i = 0; i < nr; i++)
		out[k++] = vt[strchr(codes, results[i]) - codes];
	out[k++] = 3;
	out[k++] = 2;
	out[k++] = 1;
	out[k++] = 0;
	if (mem) {
		static const uint8_t ms[] = { 5, 3, 1, 0, 1 };
		memcpy(out + k, ms, sizeof ms);
		k += sizeof ms;
	}
	out[k++] = 10;
	out[k++] = (uint8_t)(n + 3);
	out[k++] = 1;
	out[k++] = (uint8_t)(n + 1);
	out[k++] = 0;
	memcpy(out + k, body, n);
	return k + n;
}

TEST(exec_body_validation)
{
	static const struct {
		const char *params, *results;
		uint8_t body[12];
		size_t n;
		bool mem;
		enum vm_errkind kind;
		const char *msg;
	} cases[] = {
		{ "", "i", { 0x42, 1, 0x0b }, 3, false, VM_ERR_INVALID, "type mismatch" },
		{ "", "", { 0x41, 1, 0x0b }, 3, false, VM_ERR_INVALID, "type mismatch" },
		{ "i", "i", { 0x20, 1, 0x0b }, 3, false, VM_ERR_INVALID, "unknown local" },
		{ "", "i", { 0x23, 0, 0x0b }, 3, false, VM_ERR_INVALID, "unknown global" },
		{ "", "", { 0x10, 5, 0x0b }, 3, false, VM_ERR_INVALID, "unknown function" },
		{ "", "", { 0x0c, 1, 0x0b }, 3, false, VM_ERR_INVALID, "unknown label" },
		{ "", "", { 0x41, 0, 0x28, 3, 0, 0x1a, 0x0b }, 7, true, VM_ERR_INVALID,
		  "alignment must not be larger than natural" },
		{ "", "", { 0x41, 0, 0x28, 2, 0, 0x1a, 0x0b }, 7, false, VM_ERR_INVALID, "unknown memory" },
		{ "", "", { 0x3f, 1, 0x1a, 0x0b }, 4, true, VM_ERR_MALFORMED, "zero byte expected" },
		{ "", "", { 0xff, 0x0b }, 2, false, VM_ERR_MALFORMED, "illegal opcode" },
		{ "", "", { 0xd2, 0, 0x1a, 0x0b }, 4, false, VM_ERR_INVALID, "undeclared function reference" },
		{ "", "", { 0xfc, 9, 0, 0x0b }, 4, false, VM_ERR_MALFORMED, "data count section required" },
		{ "", "i", { 0x41, 1, 0x41, 2, 0x41, 0, 0x1c, 2, 0x7f, 0x7f, 0x0b }, 11, false,
		  VM_ERR_INVALID, "invalid result arity" },
		{ "", "i", { 0x41, 0, 0x04, 0x7f, 0x41, 1, 0x0b, 0x0b }, 8, false, VM_ERR_INVALID,
		  "type mismatch" },
		{ "", "", { 0x41, 0, 0xfe, 0x10, 0, 0, 0x1a, 0x0b }, 8, true, VM_ERR_INVALID,
		  "alignment must be equal to natural" },
		{ "", "", { 0x24, 0, 0x0b }, 3, false, VM_ERR_INVALID, "unknown global" },
		/* valid: the stack is polymorphic after unreachable */
		{ "", "i", { 0x00, 0x6a, 0x0b }, 3, false, VM_ERR_NONE, NULL },
		{ "", "l", { 0x42, 1, 0x0c, 0, 0x7c, 0x0b }, 6, false, VM_ERR_NONE, NULL },
	};
	uint8_t buf[128];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vm_error err = { 0 };
		size_t n = one_func(buf, cases[i].params, cases[i].results, cases[i].body, cases[i].n,
				    cases[i].mem);
		struct vm_module *m = vm_module_load(buf, n, &err);
		if (cases[i].kind == VM_ERR_NONE) {
			if (!m)
				unit_fail(__FILE__, __LINE__, "case %zu: %s", i, err.msg);
			vm_module_unref(m);
			continue;
		}
		CHECK(m == NULL);
		vm_module_unref(m);
		if (err.kind != cases[i].kind || !strstr(err.msg, cases[i].msg) ||
		    !strstr(err.msg, "func 0") || !strstr(err.msg, "offset 0x"))
			unit_fail(__FILE__, __LINE__, "case %zu: kind %d: %s", i, (int)err.kind, err.msg);
	}
}

/* Regression: `c + x` with x computed on the stack (commuted to x + c)
 * must not leave the sum waiting on a slot a later push overwrites:
 * (8 + load(a)) + load(b). */
TEST(exec_const_left_add)
{
	static const uint8_t body[] = {
		0x41, 8, 0x20, 0, 0x28, 2, 0, 0x6a, 0x20, 1, 0x28, 2, 0, 0x6a, 0x0b,
	};
	/* the same with (load(a) + 0): a symbolic sum on the right */
	static const uint8_t body2[] = {
		0x41, 8, 0x20, 0, 0x28, 2, 0, 0x41, 0, 0x6a, 0x6a, 0x20, 1, 0x28, 2, 0, 0x6a, 0x0b,
	};
	static const struct { const uint8_t *b; size_t n; } bodies[] = {
		{ body, sizeof body }, { body2, sizeof body2 },
	};
	uint8_t buf[128];

	for (int i = 0; i < 2; i++) {
		struct vm_error err;
		struct vm_module *m;
		struct vm_instance *inst = NULL;
		vm_slot args[2] = { 0, 4 }, r = 0;
		uint64_t size;
		uint8_t *mem;

		m = vm_module_load(buf, one_func(buf, "ii", "i", bodies[i].b, bodies[i].n, true), &err);
		CHECK(m != NULL);
		if (m)
			inst = vm_instantiate(m, NULL, 0, NULL, &err);
		CHECK(inst != NULL);
		if (inst) {
			mem = vm_memory_data(inst, &size);
			mem[0] = 100;
			mem[4] = 7;
			CHECK_EQ_U64(vm_invoke(inst, 0, args, 2, &r, 1), VM_OK);
			CHECK_EQ_U64((uint32_t)r, 115);
		}
		vm_instance_free(inst);
		vm_module_unref(m);
	}
}

/*
 * (module (memory 16) (table $t 8 funcref)
 *   (func (export "fill") (param $n i32)
 *     (memory.fill (i32.const 0) (i32.const 7) (local.get $n))
 *     (memory.copy (i32.const 0) (local.get $n) (local.get $n))
 *     (drop (table.grow $t (ref.null func) (i32.const 800)))
 *     (table.fill $t (i32.const 0) (ref.null func) (i32.const 800))))
 */
static const uint8_t bulk_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, 0x03,
	0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x70, 0x00, 0x08, 0x05, 0x03, 0x01, 0x00, 0x10, 0x07, 0x08,
	0x01, 0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x00, 0x0a, 0x2a, 0x01, 0x28, 0x00, 0x41, 0x00, 0x41,
	0x07, 0x20, 0x00, 0xfc, 0x0b, 0x00, 0x41, 0x00, 0x20, 0x00, 0x20, 0x00, 0xfc, 0x0a, 0x00, 0x00,
	0xd0, 0x70, 0x41, 0xa0, 0x06, 0xfc, 0x0f, 0x00, 0x1a, 0x41, 0x00, 0xd0, 0x70, 0x41, 0xa0, 0x06,
	0xfc, 0x11, 0x00, 0x0b,
};

/* Fuel charged by one call of bulk_wasm's fill(n) run in slices of `slice`. */
static int64_t
bulk_fuel(struct vm_module *m, uint32_t n, int64_t slice, int *runs)
{
	struct vm_error err = { 0 };
	struct vm_instance *inst = vm_instantiate(m, NULL, 0, NULL, &err);
	vm_slot arg = n;
	int64_t total = 0, used;
	enum vm_status st = VM_TRAP;
	uint64_t size = 0;
	uint8_t *mem;

	*runs = 0;
	CHECK(inst != NULL);
	if (!inst)
		return -1;
	CHECK_EQ_I64(vm_call_start(inst, 0, &arg, 1, &err), 0);
	do {
		used = 0;
		st = vm_run(inst, slice, &used);
		total += used;
		++*runs;
	} while (st == VM_YIELD && *runs < 1000000);
	CHECK_EQ_U64(st, VM_OK);
	mem = vm_memory_data(inst, &size);
	CHECK(size > 2 * (uint64_t)n);
	if (n && size > 2 * (uint64_t)n) /* filled with 7, then zeros copied over it */
		CHECK_EQ_U64(mem[n - 1], 0);
	vm_instance_free(inst);
	return total;
}

/* Bulk memory and table instructions pay for their length (one unit per 64
 * bytes or 8 elements), the same however the fuel is sliced. */
TEST(exec_fuel_bulk_length)
{
	static const int64_t slices[] = { -1, 1, 7, 1000 };
	struct vm_error err = { 0 };
	struct vm_module *m = vm_module_load(bulk_wasm, sizeof bulk_wasm, &err);
	int64_t base, full;
	int runs;

	CHECK(m != NULL);
	if (!m)
		return;
	base = bulk_fuel(m, 0, -1, &runs);
	full = bulk_fuel(m, 65536, -1, &runs);
	CHECK(base >= 200);                 /* table.grow + table.fill of 800 */
	CHECK_EQ_I64(full - base, 2 * 65536 / 64); /* fill + copy of 64 KiB */
	/* The body has no check point after the bulk instructions, so one run
	 * ends with the overdraft as debt, which the next run pays first. */
	for (int i = 1; i < 4; i++)
		CHECK_EQ_I64(bulk_fuel(m, 65536, slices[i], &runs), full);
	vm_module_unref(m);
}
