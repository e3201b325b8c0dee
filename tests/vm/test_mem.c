/*
 * test_mem.c - linear memory mappings (src/vm/mem.c): pooled mappings
 * read as zeros whatever their last owner wrote, clones copy exactly
 * (pages of zeros, untouched pages and a dirty pooled destination alike),
 * a forked host process does not trust its parent's page tables, and a
 * clone takes only the stack in use yet can call as deep as before.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "unit.h"
#include "vm/mem.h"
#include "vm/vm.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define WP 65536u

static int
zero_range(const uint8_t *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i])
			return 0;
	return 1;
}

TEST(mem_pool_reuse_reads_zero)
{
	struct vm_limits l4 = { 4, 0, false, false }, l1 = { 1, 0, false, false };
	struct vm_memory *a, *b;
	uint8_t *p;

	vm_mem_pool_trim();
	a = vm_memory_new(&l4, 0, NULL);
	CHECK(a != NULL);
	if (!a)
		return;
	memset(a->data, 0xab, a->size);
	p = a->data;
	vm_memory_unref(a);

	/* A smaller memory gets the same mapping: zero, and still zero when
	 * it grows into what the last owner had dirtied. */
	b = vm_memory_new(&l1, 0, NULL);
	CHECK(b != NULL);
	if (!b)
		return;
	CHECK(b->data == p);
	CHECK(zero_range(b->data, 0, b->size));
	CHECK_EQ_I64(vm_memory_grow(b, 3), 1);
	CHECK(b->data == p);
	CHECK(zero_range(b->data, 0, b->size));
	b->data[5] = 1;
	b->data[3 * WP + 7] = 2;
	vm_memory_unref(b);

	a = vm_memory_new(&l4, 0, NULL);
	CHECK(a && zero_range(a->data, 0, a->size));
	vm_memory_unref(a);

	/* Growth past the mapping keeps the contents. */
	b = vm_memory_new(&l1, 0, NULL);
	CHECK(b != NULL);
	if (!b)
		return;
	b->data[WP - 1] = 9;
	CHECK_EQ_I64(vm_memory_grow(b, 9), 1);
	CHECK(b->data[WP - 1] == 9);
	CHECK(zero_range(b->data, 0, WP - 1) && zero_range(b->data, WP, b->size));
	vm_memory_unref(b);
	vm_mem_pool_trim();
}

/* A source of 8 wasm pages: data, resident zeros, untouched pages, data at
 * page edges. */
static uint8_t *
sparse_source(uint64_t *cap)
{
	uint8_t *s = vm_mem_map(8 * WP, NULL, cap);

	if (!s)
		return NULL;
	memset(s, 0x11, 4096);
	memset(s + WP, 0, WP);              /* resident but zero */
	s[3 * WP - 1] = 3;                  /* the last byte of a page */
	s[5 * WP] = 5;                      /* the first byte of a page */
	for (size_t i = 6 * WP; i < 7 * WP; i += 4096)
		s[i + 17] = (uint8_t)i;
	return s;
}

TEST(mem_clone_copies_exactly)
{
	uint64_t scap, gcap, dcap;
	uint8_t *s, *g, *d;

	vm_mem_pool_trim();
	s = sparse_source(&scap);
	CHECK(s != NULL);
	if (!s)
		return;

	/* Into a fresh mapping. */
	d = vm_mem_map(8 * WP, s, &dcap);
	CHECK(d && dcap >= 8 * WP);
	CHECK(d && memcmp(d, s, 8 * WP) == 0);
	if (d)
		vm_mem_unmap(d, 8 * WP, dcap);

	/* Into a pooled mapping full of garbage. */
	g = vm_mem_map(8 * WP, NULL, &gcap);
	CHECK(g != NULL);
	if (g) {
		memset(g, 0x5a, 8 * WP);
		vm_mem_unmap(g, 8 * WP, gcap);
	}
	d = vm_mem_map(8 * WP, s, &dcap);
	CHECK(d && memcmp(d, s, 8 * WP) == 0);
	if (d)
		vm_mem_unmap(d, 8 * WP, dcap);

	/* A smaller clone into a mapping dirty beyond its size: the rest of
	 * the mapping must be zero for later growth. */
	g = vm_mem_map(8 * WP, NULL, &gcap);
	if (g) {
		memset(g, 0x77, 8 * WP);
		vm_mem_unmap(g, 8 * WP, gcap);
	}
	d = vm_mem_map(2 * WP, s, &dcap);
	CHECK(d && dcap >= 8 * WP);
	CHECK(d && memcmp(d, s, 2 * WP) == 0 && zero_range(d, 2 * WP, dcap));
	if (d)
		vm_mem_unmap(d, 2 * WP, dcap);
	vm_mem_unmap(s, 8 * WP, scap);
	vm_mem_pool_trim();
}

/* A page written by a forked host child only: read through the parent's
 * page map it would look untouched and be skipped. */
TEST(mem_clone_in_forked_host)
{
	uint64_t cap;
	uint8_t *warm = vm_mem_map(WP, NULL, &cap);
	pid_t pid;
	int st = -1;

	CHECK(warm != NULL);
	if (!warm)
		return;
	vm_mem_unmap(warm, WP, cap);
	warm = vm_mem_map(WP, NULL, &cap); /* a pooled one: page map in use */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		uint8_t *s = mmap(NULL, WP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				  -1, 0);
		uint64_t c;
		uint8_t *d;

		if (s == MAP_FAILED)
			_exit(2);
		s[100] = 7;
		d = vm_mem_map(WP, s, &c);
		_exit(d && d[100] == 7 ? 0 : 1);
	}
	if (pid > 0)
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (warm)
		vm_mem_unmap(warm, WP, cap);
	vm_mem_pool_trim();
}

/* The pool is bounded: many released memories do not all stay mapped,
 * and every one handed out again reads as zeros. */
TEST(mem_pool_bounded)
{
	struct vm_limits l = { 2, 0, false, false };
	struct vm_memory *m[100];
	int ok = 1;

	for (int i = 0; i < 100; i++) {
		m[i] = vm_memory_new(&l, 0, NULL);
		if (m[i])
			memset(m[i]->data, i + 1, m[i]->size);
	}
	for (int i = 0; i < 100; i++)
		vm_memory_unref(m[i]);
	for (int i = 0; i < 100; i++) {
		m[i] = vm_memory_new(&l, 0, NULL);
		ok &= m[i] && zero_range(m[i]->data, 0, m[i]->size);
	}
	CHECK(ok);
	for (int i = 0; i < 100; i++)
		vm_memory_unref(m[i]);
	vm_mem_pool_trim();
}

/*
 * (module
 *   (memory 1)
 *   (func $rec (export "rec") (param i32) (result i32)
 *     (if (result i32) (i32.eqz (local.get 0))
 *       (then (i32.const 0))
 *       (else (i32.add (i32.const 1)
 *                      (call $rec (i32.sub (local.get 0) (i32.const 1)))))))
 *   (func (export "main") (param i32) (result i32)
 *     (local i32)
 *     (local.set 1 (i32.const 1000))
 *     (loop $l
 *       (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
 *       (br_if $l (local.get 1)))
 *     (call $rec (local.get 0))))
 */
static const uint8_t deep_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60,
	0x01, 0x7f, 0x01, 0x7f, 0x03, 0x03, 0x02, 0x00, 0x00, 0x05, 0x03, 0x01,
	0x00, 0x01, 0x07, 0x0e, 0x02, 0x03, 0x72, 0x65, 0x63, 0x00, 0x00, 0x04,
	0x6d, 0x61, 0x69, 0x6e, 0x00, 0x01, 0x0a, 0x33, 0x02, 0x15, 0x00, 0x20,
	0x00, 0x45, 0x04, 0x7f, 0x41, 0x00, 0x05, 0x41, 0x01, 0x20, 0x00, 0x41,
	0x01, 0x6b, 0x10, 0x00, 0x6a, 0x0b, 0x0b, 0x1b, 0x01, 0x01, 0x7f, 0x41,
	0xe8, 0x07, 0x21, 0x01, 0x03, 0x40, 0x20, 0x01, 0x41, 0x01, 0x6b, 0x21,
	0x01, 0x20, 0x01, 0x0d, 0x00, 0x0b, 0x20, 0x00, 0x10, 0x00, 0x0b,
};

/* Start export `name` with one argument and run it to the end. */
static int
run_to_end(struct vm_instance *inst, const char *name, vm_slot arg, vm_slot *res)
{
	int x = vm_module_find_export(inst->mod, name, (uint32_t)strlen(name), VM_EXT_FUNC);
	enum vm_status st;

	if (x < 0 || vm_call_start(inst, inst->mod->exports[x].index, &arg, 1, NULL) != 0)
		return -1;
	while ((st = vm_run(inst, 1000, NULL)) == VM_YIELD)
		;
	return st == VM_OK && vm_results(inst, res, 1) == 0 ? 0 : -1;
}

TEST(mem_clone_small_stack_calls_deep)
{
	struct vm_error err = { 0 };
	struct vm_module *m = vm_module_load(deep_wasm, sizeof deep_wasm, &err);
	struct vm_instance *a = NULL, *b = NULL;
	vm_slot r = 0, arg = 3000;
	int x;

	CHECK(m != NULL);
	if (!m)
		return;
	a = vm_instantiate(m, NULL, 0, NULL, &err);
	CHECK(a != NULL);
	if (!a)
		goto out;
	/* A deep call leaves a large stack behind. */
	CHECK(run_to_end(a, "rec", 3000, &r) == 0 && r == 3000);
	/* Suspended in main's loop, one frame deep: the clone's stack and
	 * frames are small, and it still recurses 3000 deep. */
	x = vm_module_find_export(m, "main", 4, VM_EXT_FUNC);
	CHECK(x >= 0 && vm_call_start(a, m->exports[x].index, &arg, 1, &err) == 0);
	CHECK_EQ_U64(vm_run(a, 500, NULL), VM_YIELD);
	b = vm_clone(a, &err);
	CHECK(b != NULL);
	if (!b)
		goto out;
	CHECK(b->stack_cap < a->stack_cap && b->frames_cap < a->frames_cap);
	r = 0;
	while (vm_run(b, 1000, NULL) == VM_YIELD)
		;
	CHECK(vm_results(b, &r, 1) == 0 && r == 3000);
	r = 0;
	while (vm_run(a, 1000, NULL) == VM_YIELD)
		;
	CHECK(vm_results(a, &r, 1) == 0 && r == 3000);
out:
	vm_instance_free(a);
	vm_instance_free(b);
	vm_module_unref(m);
}

/* Seeded random traffic: memories of mixed sizes are made, written
 * sparsely, grown, cloned and freed in random order; every new or grown
 * part must read as zeros and every clone must equal its source. */
TEST(mem_random_traffic)
{
	struct vm_limits l = { 1, 0, false, false };
	struct vm_memory *live[8] = { 0 };
	uint64_t x = 0x9e3779b97f4a7c15u;
	int bad = 0;

	for (int step = 0; step < 600 && !bad; step++) {
		int k, i;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		k = (int)(x % 8);
		i = (int)(x >> 8) % 4;
		if (live[k] && i == 0) {
			vm_memory_unref(live[k]);
			live[k] = NULL;
		} else if (!live[k]) {
			l.min = 1 + (x >> 16) % 8;
			live[k] = vm_memory_new(&l, 0, NULL);
			bad |= !live[k] || !zero_range(live[k]->data, 0, live[k]->size);
		} else if (i == 1) {
			uint64_t old = live[k]->size;

			if (vm_memory_grow(live[k], 1 + (uint32_t)((x >> 20) % 3)) >= 0)
				bad |= !zero_range(live[k]->data, old, live[k]->size);
		} else if (i == 2) {
			uint64_t cap;
			uint8_t *d = vm_mem_map(live[k]->size, live[k]->data, &cap);

			bad |= !d || memcmp(d, live[k]->data, live[k]->size) != 0 ||
			       !zero_range(d, live[k]->size, cap);
			if (d)
				vm_mem_unmap(d, live[k]->size, cap);
		} else {
			/* A few bytes on a few pages; sometimes a page cleared again. */
			for (int w = 0; w < 4; w++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				live[k]->data[x % live[k]->size] = (uint8_t)(x >> 56 | 1);
			}
			if (x & 1)
				memset(live[k]->data + (x >> 1) % (live[k]->size / 4096) * 4096, 0, 4096);
		}
	}
	CHECK(!bad);
	for (int k = 0; k < 8; k++)
		vm_memory_unref(live[k]);
	vm_mem_pool_trim();
}
