/*
 * fuzz_snapshot.c - libFuzzer harness over snapshot bytes.
 *
 * A fixed module (snapshot.wat) is run to a suspension point chosen by the
 * input, snapshotted, and the snapshot is then damaged as the input says:
 * bytes xored at input-chosen positions, optionally truncated. vm_restore
 * must reject the result with an error or give an instance that runs
 * safely (under a fuel cap) to a result, a trap or the end of its fuel.
 *
 * Input layout:
 *   bytes 0-2  fuel to run before the snapshot (little endian, mod FUEL_MAX)
 *   byte  3    bit 0: truncate the snapshot to (byte3 >> 2) / 64 of its size
 *              bit 1: leave the damage visible to the checksum
 *   then       4-byte mutations: 24-bit position, xor byte. The position's
 *              top two bits aim it: 0-1 anywhere (mod the size), 2 the
 *              first 256 bytes (header, memory's page table), 3 the last
 *              4 KiB (tables, globals, stack, frames, state). Memory pages
 *              make up most of a snapshot and accept any bytes, so
 *              unaimed damage would rarely reach the fields that matter.
 * Unless bit 1 is set, the harness reseals the damaged bytes (the total
 * length at offset 8 and the trailing vm_hash64 checksum, see the format
 * in src/vm/snapshot.c) so that restore's field-by-field checks, not just
 * its checksum, meet the damage.
 * An input of exactly 4 bytes damages nothing; then the restored instance
 * must finish with the same result as the original, which the harness
 * checks (abort() on a mismatch, so the fuzzer reports it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"

#define FUEL_MAX   170000   /* run(RUN_ARG) takes 166998: some snapshots are taken when done */
#define RUN_ARG    40
#define CALL_FUEL  200000
#define SLICE      1000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t modbytes[] = {
#include "snapshot.wasm.inc"
};

static struct vm_module *mod;
static struct vm_func *tick;
static struct vm_extern imports[1];
static uint32_t run_func;
static uint32_t ticks;

/* env.tick: returns 3x+1, but BLOCKs every seventh call first. */
static enum vm_status
tick_fn(struct vm_instance *inst, void *ctx, vm_slot *args)
{
	(void)inst;
	(void)ctx;
	if (ticks++ % 7 == 3)
		return VM_BLOCK;
	args[0] = (uint32_t)args[0] * 3u + 1u;
	return VM_OK;
}

/* The module never changes: load it once per process. */
static void
setup(void)
{
	struct vm_error err;
	int e;

	if (mod)
		return;
	mod = vm_module_load(modbytes, sizeof modbytes, &err);
	if (!mod || mod->nimports != 1 || mod->imports[0].kind != VM_EXT_FUNC)
		abort();
	tick = vm_host_func_new(&mod->types[mod->imports[0].u.type_index], tick_fn, NULL, "env.tick");
	e = vm_module_find_export(mod, "run", 3, VM_EXT_FUNC);
	if (!tick || e < 0)
		abort();
	imports[0].kind = VM_EXT_FUNC;
	imports[0].u.func = tick;
	run_func = mod->exports[e].index;
}

/* A mutation's target byte (see the input layout above); len > 0. */
static size_t
aim(uint32_t pos, size_t len)
{
	switch (pos >> 22) {
	case 2:
		return (pos & 0xff) % len;
	case 3:
		return len - 1 - (pos & 0xfff) % len;
	default:
		return pos % len;
	}
}

/* Make damaged bytes pass the length and checksum checks again. */
static void
reseal(uint8_t *p, size_t len)
{
	uint64_t sum;

	if (len < 24)
		return;
	for (int i = 0; i < 8; i++)
		p[8 + i] = (uint8_t)((uint64_t)len >> (8 * i));
	sum = vm_hash64(p, len - 8);
	for (int i = 0; i < 8; i++)
		p[len - 8 + i] = (uint8_t)(sum >> (8 * i));
}

/*
 * Whatever restore accepted must write back out, and from then on a round
 * trip must be exact. (Not the first time: restore may normalize fields
 * that do not change what runs, such as the value stack's capacity.)
 */
static void
roundtrip(struct vm_instance *inst, const struct vm_config *cfg)
{
	struct vm_instance *again;
	struct vm_error err;
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;

	if (vm_snapshot(inst, &a, &alen, &err) != 0)
		abort();
	again = vm_restore(mod, imports, 1, cfg, a, alen, &err);
	if (!again || vm_snapshot(again, &b, &blen, &err) != 0)
		abort();
	if (alen != blen || memcmp(a, b, alen) != 0)
		abort();
	vm_instance_free(again);
	free(a);
	free(b);
}

/*
 * Run the current call for at most `fuel`; returns the final status
 * (VM_YIELD if the fuel ran out first) and the result on VM_OK.
 */
static enum vm_status
run(struct vm_instance *inst, int64_t fuel, int64_t slice, uint32_t *result)
{
	enum vm_status st;

	do {
		int64_t used = 0;
		st = vm_run(inst, slice < fuel ? slice : fuel, &used);
		fuel -= used > 0 ? used : 1;
	} while ((st == VM_YIELD || st == VM_BLOCK || st == VM_STOP) && fuel > 0);
	if (st == VM_OK) {
		vm_slot v = 0;
		if (vm_results(inst, &v, 1) != 0)
			abort();
		*result = (uint32_t)v;
	}
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_config cfg = { .max_pages = 4, .max_call_depth = 200, .max_stack_slots = 1u << 14 };
	struct vm_instance *inst, *back = NULL;
	struct vm_error err;
	vm_slot arg = RUN_ARG;
	uint8_t *snap = NULL;
	size_t len = 0;
	int64_t fuel;
	uint32_t want = 0, got = 0;
	enum vm_status st, st2;

	if (size < 4)
		return 0;
	setup();
	ticks = 0;
	fuel = 1 + (int64_t)((data[0] | data[1] << 8 | (uint32_t)data[2] << 16) % FUEL_MAX);
	inst = vm_instantiate(mod, imports, 1, &cfg, &err);
	if (!inst || vm_call_start(inst, run_func, &arg, 1, &err) != 0)
		abort();
	/* It stops out of fuel, done, or (fuel spent just there) blocked in tick. */
	st = run(inst, fuel, fuel, &want);
	if (st != VM_YIELD && st != VM_BLOCK && st != VM_OK)
		abort();
	if (st == VM_BLOCK)
		st = VM_YIELD;
	if (vm_snapshot(inst, &snap, &len, &err) != 0)
		abort();
	if (getenv("FUZZ_TRACE"))
		fprintf(stderr, "fuzz: snapshot after %lld fuel: status %d, %zu bytes\n",
			(long long)fuel, (int)st, len);

	for (size_t i = 4; i + 4 <= size; i += 4) {
		uint32_t pos = data[i] | data[i + 1] << 8 | (uint32_t)data[i + 2] << 16;
		snap[aim(pos, len)] ^= data[i + 3];
	}
	if (data[3] & 1)
		len = len * (data[3] >> 2) / 64;
	if (!(data[3] & 2))
		reseal(snap, len);

	back = vm_restore(mod, imports, 1, &cfg, snap, len, &err);
	if (getenv("FUZZ_TRACE"))
		fprintf(stderr, "fuzz: restore: %s\n", back ? "ok" : err.msg);
	if (back) {
		roundtrip(back, &cfg);
		/* A finished call's snapshot has nothing left to run. */
		st2 = st == VM_YIELD ? run(back, CALL_FUEL, SLICE, &got) : VM_OK;
		got = st == VM_YIELD ? got : want;
		if (size == 4) {
			/* Undamaged: the copy must agree with the original. */
			if (st == VM_YIELD)
				st = run(inst, CALL_FUEL, SLICE, &want);
			if (st != st2 || (st == VM_OK && want != got))
				abort();
		}
		vm_instance_free(back);
	} else if (size == 4 && !(data[3] & 1)) {
		abort(); /* an intact snapshot must restore */
	}
	free(snap);
	vm_instance_free(inst);
	return 0;
}
