/*
 * test_snapshot.c - vm_snapshot / vm_restore: round trips in every state,
 * inside a host call, and rejection of corrupt or mismatched bytes.
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
 *   (memory (export "mem") 1)
 *   (global $calls (mut i32) (i32.const 0))
 *   (table 1 funcref)
 *   (elem (i32.const 0) $fib)
 *   (func $fib (export "fib") (param $n i32) (result i32)
 *     (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
 *     (i32.store (i32.shl (i32.and (global.get $calls) (i32.const 0xfff)) (i32.const 2)) (local.get $n))
 *     (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
 *       (then (local.get $n))
 *       (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
 *                      (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
 *   (func (export "calls") (result i32) (global.get $calls)))
 */
static const uint8_t fib_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60,
	0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x03, 0x02, 0x00,
	0x01, 0x04, 0x04, 0x01, 0x70, 0x00, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01,
	0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x15, 0x03, 0x03,
	0x6d, 0x65, 0x6d, 0x02, 0x00, 0x03, 0x66, 0x69, 0x62, 0x00, 0x00, 0x05,
	0x63, 0x61, 0x6c, 0x6c, 0x73, 0x00, 0x01, 0x09, 0x07, 0x01, 0x00, 0x41,
	0x00, 0x0b, 0x01, 0x00, 0x0a, 0x38, 0x02, 0x31, 0x00, 0x23, 0x00, 0x41,
	0x01, 0x6a, 0x24, 0x00, 0x23, 0x00, 0x41, 0xff, 0x1f, 0x71, 0x41, 0x02,
	0x74, 0x20, 0x00, 0x36, 0x02, 0x00, 0x20, 0x00, 0x41, 0x02, 0x49, 0x04,
	0x7f, 0x20, 0x00, 0x05, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x00, 0x20,
	0x00, 0x41, 0x02, 0x6b, 0x10, 0x00, 0x6a, 0x0b, 0x0b, 0x04, 0x00, 0x23,
	0x00, 0x0b,
};

/*
 * (module
 *   (import "env" "snap" (func $snap (param i32) (result i32)))
 *   (memory (export "mem") 1)
 *   (global $g (mut i32) (i32.const 0))
 *   (func (export "main") (param i32) (result i32)
 *     (global.set $g (i32.const 42))
 *     (i32.store (i32.const 8) (i32.const 9))
 *     (i32.add (call $snap (local.get 0))
 *              (i32.add (global.get $g) (i32.load (i32.const 8))))))
 */
static const uint8_t hostsnap_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60,
	0x01, 0x7f, 0x01, 0x7f, 0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04,
	0x73, 0x6e, 0x61, 0x70, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03,
	0x01, 0x00, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07,
	0x0e, 0x02, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x04, 0x6d, 0x61, 0x69,
	0x6e, 0x00, 0x01, 0x0a, 0x1c, 0x01, 0x1a, 0x00, 0x41, 0x2a, 0x24, 0x00,
	0x41, 0x08, 0x41, 0x09, 0x36, 0x02, 0x00, 0x20, 0x00, 0x10, 0x00, 0x23,
	0x00, 0x41, 0x08, 0x28, 0x02, 0x00, 0x6a, 0x6a, 0x0b,
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

static uint32_t
fn(const struct vm_module *m, const char *name)
{
	int x = vm_module_find_export(m, name, (uint32_t)strlen(name), VM_EXT_FUNC);

	return x < 0 ? UINT32_MAX : m->exports[x].index;
}

/* Run the current call to the end in slices of `slice` fuel. */
static enum vm_status
finish(struct vm_instance *inst, int64_t slice, vm_slot *res)
{
	enum vm_status st;

	while ((st = vm_run(inst, slice, NULL)) == VM_YIELD)
		;
	if (st == VM_OK && res)
		vm_results(inst, res, 1);
	return st;
}

static struct vm_instance *
restore(struct vm_module *m, const uint8_t *snap, size_t len, struct vm_error *err)
{
	return vm_restore(m, NULL, 0, NULL, snap, len, err);
}

/* Rewrite the trailing checksum after a deliberate change. */
static void
reseal(uint8_t *snap, size_t len)
{
	uint64_t sum = vm_hash64(snap, len - 8);

	for (int i = 0; i < 8; i++)
		snap[len - 8 + i] = (uint8_t)(sum >> (8 * i));
}

static void
expect_reject(int line, struct vm_module *m, const uint8_t *snap, size_t len, const char *what)
{
	struct vm_error err = { 0 };
	struct vm_instance *inst = restore(m, snap, len, &err);

	if (inst) {
		unit_fail(__FILE__, line, "restore accepted bytes with %s", what);
		vm_instance_free(inst);
		return;
	}
	if (err.kind != VM_ERR_STATE || !strstr(err.msg, what))
		unit_fail(__FILE__, line, "kind %d \"%s\", expected \"%s\"", (int)err.kind,
			  err.msg, what);
}

/*
 * fib(n) suspended by fuel at least `depth` frames deep: a snapshot of
 * it in *snap. Returns the instance (still suspended) or NULL.
 */
static struct vm_instance *
suspended_fib(struct vm_module *m, vm_slot n, uint32_t depth, uint8_t **snap, size_t *len)
{
	struct vm_instance *inst = vm_instantiate(m, NULL, 0, NULL, NULL);
	struct vm_error err = { 0 };

	*snap = NULL;
	if (!inst || vm_call_start(inst, fn(m, "fib"), &n, 1, &err) != 0)
		goto fail;
	do {
		if (vm_run(inst, 37, NULL) != VM_YIELD)
			goto fail;
	} while (inst->nframes < depth);
	if (vm_snapshot(inst, snap, len, &err) != 0) {
		unit_fail(__FILE__, __LINE__, "snapshot: %s", err.msg);
		goto fail;
	}
	return inst;
fail:
	unit_fail(__FILE__, __LINE__, "could not suspend fib deep enough");
	vm_instance_free(inst);
	return NULL;
}

/* ---- tests ----------------------------------------------------------------- */

TEST(snapshot_mid_call)
{
	struct vm_module *m = LOAD(fib_wasm);
	struct vm_instance *ref = NULL, *a = NULL, *b = NULL;
	vm_slot n = 20, rr = 0, ra = 0, rb = 0;
	uint8_t *snap = NULL, *snap2 = NULL;
	size_t len = 0, len2 = 0;
	struct vm_error err = { 0 };

	if (!m)
		return;
	ref = vm_instantiate(m, NULL, 0, NULL, NULL);
	CHECK(ref != NULL);
	if (!ref || vm_invoke(ref, fn(m, "fib"), &n, 1, &rr, 1) != VM_OK)
		goto out;
	CHECK_EQ_U64(rr, 6765);
	a = suspended_fib(m, n, 8, &snap, &len);
	if (!a)
		goto out;
	b = restore(m, snap, len, &err);
	CHECK(b != NULL);
	if (!b) {
		unit_fail(__FILE__, __LINE__, "restore: %s", err.msg);
		goto out;
	}
	CHECK_EQ_U64(b->state, VM_READY);
	CHECK_EQ_U64(b->nframes, a->nframes);
	CHECK(memcmp(b->frames, a->frames, a->nframes * sizeof *a->frames) == 0);
	/* A restored instance describes itself with the same bytes. */
	CHECK_EQ_I64(vm_snapshot(b, &snap2, &len2, &err), 0);
	CHECK(len2 == len && snap2 && memcmp(snap, snap2, len) == 0);

	CHECK_EQ_U64(finish(a, 1000, &ra), VM_OK);
	CHECK_EQ_U64(finish(b, 7, &rb), VM_OK);
	CHECK_EQ_U64(ra, rr);
	CHECK_EQ_U64(rb, rr);
	CHECK(memcmp(a->mems[0]->data, ref->mems[0]->data, 65536) == 0);
	CHECK(memcmp(b->mems[0]->data, ref->mems[0]->data, 65536) == 0);
	CHECK_EQ_U64(b->globals[0]->val & 0xffffffff, ref->globals[0]->val & 0xffffffff);
	/* The table's funcref came back as the restored instance's function. */
	CHECK(b->tables[0]->elems[0] == (uintptr_t)b->funcs[0]);
	vm_instance_free(b);

	/* The same bytes again, finished one instruction at a time. */
	b = restore(m, snap, len, &err);
	CHECK(b != NULL);
	if (b) {
		CHECK_EQ_U64(finish(b, 1, &rb), VM_OK);
		CHECK_EQ_U64(rb, rr);
	}
out:
	free(snap);
	free(snap2);
	vm_instance_free(ref);
	vm_instance_free(a);
	vm_instance_free(b);
	vm_module_unref(m);
}

TEST(snapshot_states)
{
	struct vm_module *m = LOAD(fib_wasm);
	struct vm_instance *a = NULL, *b = NULL;
	struct vm_error err = { 0 };
	uint8_t *snap = NULL;
	size_t len;
	vm_slot n = 10, r = 0;

	if (!m)
		return;
	/* IDLE: nothing in progress, globals and memory as left. */
	a = vm_instantiate(m, NULL, 0, NULL, NULL);
	if (!a || vm_invoke(a, fn(m, "fib"), &n, 1, &r, 1) != VM_OK)
		goto out;
	vm_reset(a);
	CHECK_EQ_I64(vm_snapshot(a, &snap, &len, &err), 0);
	b = restore(m, snap, len, &err);
	CHECK(b != NULL);
	if (b) {
		CHECK_EQ_U64(b->state, VM_IDLE);
		CHECK_EQ_U64(b->globals[0]->val & 0xffffffff, 177);
		CHECK_EQ_U64(vm_invoke(b, fn(m, "fib"), &n, 1, &r, 1), VM_OK);
		CHECK_EQ_U64(r, 55);
	}
	free(snap);
	snap = NULL;
	vm_instance_free(b);
	b = NULL;

	/* DONE: the results survive. */
	CHECK_EQ_I64(vm_call_start(a, fn(m, "fib"), &n, 1, &err), 0);
	CHECK_EQ_U64(vm_run(a, -1, NULL), VM_OK);
	CHECK_EQ_U64(a->state, VM_DONE);
	CHECK_EQ_I64(vm_snapshot(a, &snap, &len, &err), 0);
	b = restore(m, snap, len, &err);
	CHECK(b != NULL);
	if (b) {
		r = 0;
		CHECK_EQ_U64(b->state, VM_DONE);
		CHECK_EQ_I64(vm_results(b, &r, 1), 0);
		CHECK_EQ_U64(r, 55);
	}
	free(snap);
	snap = NULL;
	vm_instance_free(b);
	b = NULL;

	/* TRAPPED: the message is kept; vm_reset makes it usable. */
	n = 1u << 30;
	CHECK_EQ_I64(vm_call_start(a, fn(m, "fib"), &n, 1, &err), 0);
	CHECK_EQ_U64(vm_run(a, -1, NULL), VM_TRAP);
	CHECK_EQ_I64(vm_snapshot(a, &snap, &len, &err), 0);
	b = restore(m, snap, len, &err);
	CHECK(b != NULL);
	if (b) {
		CHECK_EQ_U64(b->state, VM_TRAPPED);
		CHECK_STR(vm_trap_message(b), vm_trap_message(a));
		vm_reset(b);
		n = 10;
		CHECK_EQ_U64(vm_invoke(b, fn(m, "fib"), &n, 1, &r, 1), VM_OK);
		CHECK_EQ_U64(r, 55);
	}
out:
	free(snap);
	vm_instance_free(a);
	vm_instance_free(b);
	vm_module_unref(m);
}

/* Snapshots the instance the first time it is called, then returns arg+1000;
 * in a restored instance (the snapshot exists) it returns arg. */
struct snapctx {
	uint8_t *snap;
	size_t len;
	int calls;
};

static enum vm_status
host_snap(struct vm_instance *inst, void *ctx, vm_slot *args)
{
	struct snapctx *c = ctx;
	struct vm_error err;

	c->calls++;
	if (!c->snap) {
		if (vm_snapshot(inst, &c->snap, &c->len, &err) != 0) {
			vm_set_trap(inst, "%s", err.msg);
			return VM_TRAP;
		}
		args[0] = (uint32_t)args[0] + 1000;
	}
	return VM_OK;
}

static uint8_t t_i32_i32[] = { VM_I32, VM_I32 };
static const struct vm_functype type_i32_i32 = { 1, 1, t_i32_i32, 0 };

TEST(snapshot_in_host_call)
{
	struct vm_module *m = LOAD(hostsnap_wasm);
	struct snapctx c = { 0 };
	struct vm_func *f = vm_host_func_new(&type_i32_i32, host_snap, &c, "env.snap");
	struct vm_extern ext = { .kind = VM_EXT_FUNC, .u.func = f };
	struct vm_instance *a = NULL, *b = NULL;
	struct vm_error err = { 0 };
	vm_slot arg = 5, r = 0;

	if (!m || !f)
		goto out;
	a = vm_instantiate(m, &ext, 1, NULL, &err);
	CHECK(a != NULL);
	if (!a)
		goto out;
	CHECK_EQ_U64(vm_invoke(a, fn(m, "main"), &arg, 1, &r, 1), VM_OK);
	CHECK_EQ_U64(r & 0xffffffff, 1005 + 42 + 9);
	CHECK(c.snap != NULL);
	if (!c.snap)
		goto out;
	/* Imports are still needed for the host functions; a wrong count fails. */
	CHECK(vm_restore(m, NULL, 0, NULL, c.snap, c.len, &err) == NULL);
	CHECK_EQ_U64(err.kind, VM_ERR_LINK);
	b = vm_restore(m, &ext, 1, NULL, c.snap, c.len, &err);
	CHECK(b != NULL);
	if (!b) {
		unit_fail(__FILE__, __LINE__, "restore: %s", err.msg);
		goto out;
	}
	/* Suspended before the host call, which runs again. */
	CHECK_EQ_U64(b->state, VM_READY);
	CHECK_EQ_U64(finish(b, -1, &r), VM_OK);
	CHECK_EQ_U64(r & 0xffffffff, 5 + 42 + 9);
	CHECK_EQ_I64(c.calls, 2);
out:
	free(c.snap);
	vm_instance_free(a);
	vm_instance_free(b);
	vm_func_free(f);
	vm_module_unref(m);
}

TEST(snapshot_rejects_mismatch)
{
	struct vm_module *m = LOAD(fib_wasm), *other = LOAD(loop_wasm);
	struct vm_instance *a = NULL;
	uint8_t *snap = NULL, *bad = NULL;
	size_t len = 0;
	struct vm_error err = { 0 };

	if (!m || !other)
		goto out;
	a = suspended_fib(m, 15, 3, &snap, &len);
	if (!a)
		goto out;
	bad = malloc(len + 16);
	if (!bad)
		goto out;
	expect_reject(__LINE__, other, snap, len, "module hash mismatch");
	expect_reject(__LINE__, m, snap, 0, "bad magic");
	expect_reject(__LINE__, m, snap, 7, "bad magic");
	memcpy(bad, snap, len);
	bad[0] = 'X';
	expect_reject(__LINE__, m, bad, len, "bad magic");
	memcpy(bad, snap, len);
	bad[7] = '2';
	expect_reject(__LINE__, m, bad, len, "unsupported version");
	expect_reject(__LINE__, m, snap, len - 1, "truncated");
	expect_reject(__LINE__, m, snap, 40, "truncated");
	memcpy(bad, snap, len);
	memset(bad + len, 0, 16);
	expect_reject(__LINE__, m, bad, len + 16, "header says");
	bad[len - 20] ^= 1;
	expect_reject(__LINE__, m, bad, len, "checksum mismatch");

	/* Deeper checks, with a valid checksum. */
	memcpy(bad, snap, len);
	bad[32] ^= 1; /* nfuncs */
	reseal(bad, len);
	expect_reject(__LINE__, m, bad, len, "functions, the module has");
	memcpy(bad, snap, len);
	bad[len - 9] ^= 0x40; /* last byte of the STAT section */
	reseal(bad, len);
	CHECK(restore(m, bad, len, &err) == NULL);

	/* A page limit lower than the memory. */
	{
		struct vm_config cfg = { .max_pages = 1 };
		struct vm_instance *g = vm_instantiate(other, NULL, 0, NULL, NULL);
		uint8_t *s2 = NULL;
		size_t l2;

		if (g && vm_memory_grow(g->mems[0], 1) == 1 && vm_snapshot(g, &s2, &l2, &err) == 0) {
			struct vm_instance *h = vm_restore(other, NULL, 0, &cfg, s2, l2, &err);

			CHECK(h == NULL && err.kind == VM_ERR_STATE && strstr(err.msg, "above the limit"));
			vm_instance_free(h);
			/* Without the limit it comes back, zero pages and all. */
			h = vm_restore(other, NULL, 0, NULL, s2, l2, &err);
			CHECK(h && h->mems[0]->pages == 2);
			vm_instance_free(h);
		} else {
			unit_fail(__FILE__, __LINE__, "setup");
		}
		free(s2);
		vm_instance_free(g);
	}
out:
	free(snap);
	free(bad);
	vm_instance_free(a);
	vm_module_unref(m);
	vm_module_unref(other);
}

TEST(snapshot_refuses_foreign_functions)
{
	struct vm_module *m = LOAD(loop_wasm);
	struct vm_instance *a = NULL, *b = NULL;
	uint8_t *snap = NULL;
	size_t len;
	struct vm_error err = { 0 };

	if (!m)
		return;
	a = vm_instantiate(m, NULL, 0, NULL, NULL);
	b = vm_instantiate(m, NULL, 0, NULL, NULL);
	if (!a || !b)
		goto out;
	b->tables[0]->elems[0] = (uintptr_t)a->funcs[0];
	CHECK(vm_snapshot(b, &snap, &len, &err) != 0);
	CHECK_EQ_U64(err.kind, VM_ERR_STATE);
	CHECK_STR(err.msg, "snapshot: table holds a function of another instance");
	b->tables[0]->elems[0] = 0;
	b->globals[1]->val = (uintptr_t)a->funcs[1];
	CHECK(vm_snapshot(b, &snap, &len, &err) != 0);
	CHECK_EQ_U64(err.kind, VM_ERR_STATE);
	b->globals[1]->val = 0;
	CHECK_EQ_I64(vm_snapshot(b, &snap, &len, &err), 0);
	free(snap);
	snap = NULL;
	/* A handle to a foreign function on the value stack is just as unnameable. */
	CHECK(vm_ref_to_handle(b, (uintptr_t)a->funcs[0]) > m->nfuncs);
	CHECK(vm_snapshot(b, &snap, &len, &err) != 0);
	CHECK_EQ_U64(err.kind, VM_ERR_STATE);
out:
	free(snap);
	vm_instance_free(a);
	vm_instance_free(b);
	vm_module_unref(m);
}

TEST(snapshot_zero_pages_compress)
{
	struct vm_module *m = LOAD(grow_wasm);
	struct vm_instance *a = NULL, *b = NULL;
	uint8_t *snap = NULL;
	size_t len = 0;
	struct vm_error err = { 0 };

	if (!m)
		return;
	a = vm_instantiate(m, NULL, 0, NULL, NULL);
	if (!a)
		goto out;
	CHECK_EQ_I64(vm_memory_grow(a->mems[0], 200), 1);
	a->mems[0]->data[150 * 65536 + 3] = 7;
	CHECK_EQ_I64(vm_snapshot(a, &snap, &len, &err), 0);
	CHECK(len < 2 * 65536);
	b = restore(m, snap, len, &err);
	CHECK(b != NULL);
	if (b) {
		CHECK_EQ_U64(b->mems[0]->pages, 201);
		CHECK(b->mems[0]->data[150 * 65536 + 3] == 7);
		CHECK(memcmp(a->mems[0]->data, b->mems[0]->data, a->mems[0]->size) == 0);
	}
out:
	free(snap);
	vm_instance_free(a);
	vm_instance_free(b);
	vm_module_unref(m);
}

/* Restore `snap` and, if accepted, run it a bounded while. */
static int
try_bytes(struct vm_module *m, const uint8_t *snap, size_t len)
{
	struct vm_error err = { 0 };
	struct vm_instance *inst = restore(m, snap, len, &err);
	int steps = 0;

	if (!inst) {
		if (err.kind != VM_ERR_STATE && err.kind != VM_ERR_NOMEM)
			unit_fail(__FILE__, __LINE__, "kind %d: %s", (int)err.kind, err.msg);
		return 0;
	}
	if (inst->state == VM_READY)
		while (vm_run(inst, 2000, NULL) == VM_YIELD && ++steps < 10)
			;
	vm_instance_free(inst);
	return 1;
}

TEST(snapshot_corruption_sweep)
{
	struct vm_module *m = LOAD(fib_wasm);
	struct vm_instance *a;
	uint8_t *snap = NULL, *bad = NULL;
	size_t len = 0;
	int accepted = 0, tried = 0;
	static const uint8_t masks[] = { 0x01, 0x02, 0x10, 0x80, 0xff };
	struct vm_error err;

	if (!m)
		return;
	a = suspended_fib(m, 18, 6, &snap, &len);
	if (!a)
		goto out;
	/* Memory contents are raw bytes that restore copies unchecked: zero
	 * them so the snapshot is all structure and the sweeps stay fast. */
	free(snap);
	snap = NULL;
	memset(a->mems[0]->data, 0, a->mems[0]->size);
	if (vm_snapshot(a, &snap, &len, &err) != 0)
		goto out;
	CHECK(len < 1024);
	bad = malloc(len);
	if (!bad)
		goto out;
	/* Any flipped byte or any truncation: the checksum or the header says no. */
	for (size_t i = 0; i < len; i++) {
		memcpy(bad, snap, len);
		bad[i] ^= 0x20;
		CHECK(!try_bytes(m, bad, len));
	}
	for (size_t n = 0; n < len; n++)
		CHECK(!try_bytes(m, snap, n));
	/* Resealed, every changed field meets the checks behind the checksum. */
	for (size_t i = 0; i + 8 < len; i++) {
		for (size_t k = 0; k < sizeof masks; k++) {
			memcpy(bad, snap, len);
			bad[i] ^= masks[k];
			reseal(bad, len);
			accepted += try_bytes(m, bad, len);
			tried++;
		}
	}
	/* Stack slots are raw, so some changes are accepted (and run safely). */
	CHECK(accepted > 0 && accepted < tried);
	/* Several random changes at once. */
	srand(12345);
	for (int round = 0; round < 3000; round++) {
		memcpy(bad, snap, len);
		for (int j = 0; j < 1 + round % 4; j++)
			bad[(size_t)rand() % (len - 8)] = (uint8_t)rand();
		reseal(bad, len);
		try_bytes(m, bad, len);
	}
out:
	free(snap);
	free(bad);
	vm_instance_free(a);
	vm_module_unref(m);
}

/* Blocks while *ctx > 0 (counting down), then returns its argument + 1. */
static enum vm_status
host_block(struct vm_instance *inst, void *ctx, vm_slot *args)
{
	int *blocks = ctx;

	(void)inst;
	if (*blocks > 0) {
		--*blocks;
		return VM_BLOCK;
	}
	args[0] = (uint32_t)args[0] + 1;
	return VM_OK;
}

TEST(snapshot_blocked_host_call)
{
	struct vm_module *m = LOAD(hostsnap_wasm);
	int blocks = 0;
	struct vm_func *f = vm_host_func_new(&type_i32_i32, host_block, &blocks, "env.snap");
	struct vm_extern ext = { .kind = VM_EXT_FUNC, .u.func = f };
	struct vm_instance *a = NULL, *b = NULL;
	struct vm_error err = { 0 };
	uint8_t *snap = NULL;
	size_t len = 0;
	vm_slot arg = 5, r = 0;

	if (!m || !f)
		goto out;
	a = vm_instantiate(m, &ext, 1, NULL, &err);
	if (!a)
		goto out;
	/* Blocked inside main: the frame waits at the call. */
	blocks = 1;
	CHECK_EQ_I64(vm_call_start(a, fn(m, "main"), &arg, 1, &err), 0);
	CHECK_EQ_U64(vm_run(a, -1, NULL), VM_BLOCK);
	CHECK_EQ_I64(vm_snapshot(a, &snap, &len, &err), 0);
	b = vm_restore(m, &ext, 1, NULL, snap, len, &err);
	CHECK(b != NULL);
	if (b) {
		CHECK_EQ_U64(finish(b, -1, &r), VM_OK);
		CHECK_EQ_U64(r & 0xffffffff, 6 + 42 + 9);
	}
	CHECK_EQ_U64(finish(a, 3, &r), VM_OK);
	CHECK_EQ_U64(r & 0xffffffff, 6 + 42 + 9);
	free(snap);
	snap = NULL;
	vm_instance_free(b);
	b = NULL;

	/* The import called directly: a pseudo-frame, blocked before the call. */
	blocks = 2;
	CHECK_EQ_I64(vm_call_start(a, 0, &arg, 1, &err), 0);
	CHECK_EQ_U64(vm_run(a, -1, NULL), VM_BLOCK);
	CHECK_EQ_I64(vm_snapshot(a, &snap, &len, &err), 0);
	b = vm_restore(m, &ext, 1, NULL, snap, len, &err);
	CHECK(b != NULL);
	if (b) {
		CHECK_EQ_U64(b->frames[0].func, 0);
		CHECK_EQ_U64(finish(b, -1, &r), VM_BLOCK);
		CHECK_EQ_U64(finish(b, -1, &r), VM_OK);
		CHECK_EQ_U64(r & 0xffffffff, 6);
	}
out:
	free(snap);
	vm_instance_free(a);
	vm_instance_free(b);
	vm_func_free(f);
	vm_module_unref(m);
}

TEST(snapshot_with_signal_frame)
{
	struct vm_module *m = LOAD(fib_wasm);
	struct vm_instance *a = NULL, *b = NULL, *ref = NULL;
	struct vm_error err = { 0 };
	uint8_t *snap = NULL;
	size_t len = 0;
	vm_slot n = 16, r = 0, rr = 0, calls_a = 0, calls_b = 0;

	if (!m)
		return;
	ref = vm_instantiate(m, NULL, 0, NULL, NULL);
	if (!ref || vm_invoke(ref, fn(m, "fib"), &n, 1, &rr, 1) != VM_OK)
		goto out;
	free(snap);
	a = suspended_fib(m, n, 4, &snap, &len);
	free(snap);
	snap = NULL;
	if (!a)
		goto out;
	/* A "signal handler" (fib 5) runs on top of the suspended call. */
	{
		vm_slot five = 5;

		CHECK_EQ_I64(vm_push_call(a, fn(m, "fib"), &five, 1, &err), 0);
	}
	CHECK_EQ_U64(a->frames[a->nframes - 1].flags, VM_FRAME_SIGNAL);
	CHECK_EQ_U64(vm_run(a, 20, NULL), VM_YIELD);
	CHECK_EQ_I64(vm_snapshot(a, &snap, &len, &err), 0);
	b = restore(m, snap, len, &err);
	CHECK(b != NULL);
	if (!b) {
		unit_fail(__FILE__, __LINE__, "restore: %s", err.msg);
		goto out;
	}
	CHECK_EQ_U64(finish(b, 5, &r), VM_OK);
	CHECK_EQ_U64(r, rr);
	CHECK_EQ_U64(finish(a, 1000, &r), VM_OK);
	CHECK_EQ_U64(r, rr);
	/* Both counted the handler's calls on top of fib 16's. */
	CHECK_EQ_U64(vm_invoke(a, fn(m, "calls"), NULL, 0, &calls_a, 1), VM_OK);
	CHECK_EQ_U64(vm_invoke(b, fn(m, "calls"), NULL, 0, &calls_b, 1), VM_OK);
	CHECK_EQ_U64(calls_a, calls_b);
	CHECK_EQ_U64(calls_a & 0xffffffff, 3193 + 15);
out:
	free(snap);
	vm_instance_free(a);
	vm_instance_free(b);
	vm_instance_free(ref);
	vm_module_unref(m);
}
