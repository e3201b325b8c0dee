/*
 * fuzz_module.c - libFuzzer harness over module bytes.
 *
 * Whatever the input, the engine must decode, validate and compile it or
 * reject it with an error; and if it loads, instantiating it and running
 * every exported function must end (fuel) without crashing, leaking or
 * touching memory it does not own. The harness satisfies every import with
 * a dummy: host functions that return zeros of the right types but also
 * BLOCK and TRAP on a fixed rhythm, and fresh memories, tables and globals
 * of the declared types. Runs go in small fuel slices so suspension is
 * exercised constantly; on the way the instance is cloned and
 * snapshot/restored mid-call, and host calls fork it (vm_clone from inside
 * a host function) now and then.
 *
 * FUZZ_TRACE=1 in the environment prints what happens to each input.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined for `make fuzz`,
 * and with the project's compiler plus replay.c (which renames the entry
 * point) for `make fuzz-replay`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"

#define PAGE_LIMIT   16        /* memory pages per instance */
#define TABLE_LIMIT  100000u   /* initial elements of any table we accept */
#define CALL_DEPTH   500
#define STACK_SLOTS  (1u << 16)
#define CALL_FUEL    100000    /* per exported function */
#define TOTAL_FUEL   1000000   /* per input, across all calls */
#define SLICE        1000      /* fuel per vm_run, to exercise suspension */
#define SIDE_FUEL    5000      /* for a clone or a restored copy run on the side */
#define MAX_CALLS    256       /* exported functions called per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	struct vm_module *mod;
	struct vm_extern *imports;
	struct vm_func **hosts;    /* the dummies we made; freed after all instances */
	struct vm_config cfg;
	uint32_t hostcalls;        /* drives the dummies' OK/BLOCK/TRAP rhythm */
	uint32_t sidecalls;        /* the same inside copies forked by a host call */
	int64_t fuel_left;
	int nested;                /* side runs started from a host function */
	bool trace;
	vm_slot *zeros;            /* arguments of the function being called */
};

#define TRACE(r, ...) do { if ((r)->trace) fprintf(stderr, "fuzz: " __VA_ARGS__); } while (0)

/* What a dummy host function does on its n-th call, in order. */
static const enum vm_status rhythm[] = {
	VM_OK, VM_BLOCK, VM_OK, VM_OK, VM_STOP, VM_OK, VM_TRAP, VM_OK, VM_BLOCK, VM_OK, VM_OK,
};
#define RHYTHM_LEN (sizeof rhythm / sizeof rhythm[0])

static void side_run(struct run *r, struct vm_instance *inst, int64_t fuel);

static enum vm_status
host(struct vm_instance *inst, void *ctx, vm_slot *args)
{
	struct run *r = vm_userdata(inst);
	const struct vm_functype *t = ctx;
	uint32_t n = r->nested ? r->sidecalls++ : r->hostcalls++;
	enum vm_status st = rhythm[n % RHYTHM_LEN];

	TRACE(r, "  host call %u -> %d\n", n, (int)st);

	/* Fork from inside a host call, as the kernel's fork does: the copy
	 * is suspended before this call and makes it again when run. */
	if (n % 5 == 2 && r->nested == 0) {
		struct vm_instance *c = vm_clone(inst, NULL);
		if (c) {
			r->nested++;
			side_run(r, c, SIDE_FUEL);
			r->nested--;
			vm_instance_free(c);
		}
	}
	/* Checkpoint from inside a host call: the same, through bytes. */
	if (n % 7 == 4 && r->nested == 0) {
		uint8_t *snap = NULL;
		size_t len = 0;
		if (vm_snapshot(inst, &snap, &len, NULL) == 0) {
			struct vm_instance *c = vm_restore(r->mod, r->imports, r->mod->nimports,
							   &r->cfg, snap, len, NULL);
			if (c) {
				r->nested++;
				side_run(r, c, SIDE_FUEL);
				r->nested--;
				vm_instance_free(c);
			}
			free(snap);
		}
	}
	if (st == VM_TRAP) {
		vm_set_trap(inst, "fuzz: dummy host trap");
		return st;
	}
	if (st == VM_OK || st == VM_STOP)
		memset(args, 0, t->nresults * sizeof *args);
	return st;
}

/* ---- imports: one constructor per extern kind ---------------------------- */

static int
make_func(struct run *r, uint32_t i, const struct vm_import *imp, struct vm_extern *x)
{
	const struct vm_functype *t;

	if (imp->u.type_index >= r->mod->ntypes)
		return -1;
	t = &r->mod->types[imp->u.type_index];
	r->hosts[i] = vm_host_func_new(t, host, (void *)t, "fuzz.dummy");
	x->u.func = r->hosts[i];
	return x->u.func ? 0 : -1;
}

static int
make_table(struct run *r, uint32_t i, const struct vm_import *imp, struct vm_extern *x)
{
	(void)r;
	(void)i;
	if (imp->u.table.limits.min > TABLE_LIMIT)
		return -1;
	x->u.table = vm_table_new(&imp->u.table, NULL);
	return x->u.table ? 0 : -1;
}

static int
make_memory(struct run *r, uint32_t i, const struct vm_import *imp, struct vm_extern *x)
{
	(void)r;
	(void)i;
	x->u.mem = vm_memory_new(&imp->u.mem, PAGE_LIMIT, NULL);
	return x->u.mem ? 0 : -1;
}

static int
make_global(struct run *r, uint32_t i, const struct vm_import *imp, struct vm_extern *x)
{
	(void)r;
	(void)i;
	x->u.global = vm_global_new(imp->u.global.type, imp->u.global.mut, 0);
	return x->u.global ? 0 : -1;
}

static int (*const make[])(struct run *, uint32_t, const struct vm_import *, struct vm_extern *) = {
	[VM_EXT_FUNC] = make_func,
	[VM_EXT_TABLE] = make_table,
	[VM_EXT_MEMORY] = make_memory,
	[VM_EXT_GLOBAL] = make_global,
};

/* Drop our references to imported objects; the instances hold their own. */
static void
drop_objects(struct run *r)
{
	for (uint32_t i = 0; r->imports && i < r->mod->nimports; i++) {
		struct vm_extern *x = &r->imports[i];
		if (x->kind == VM_EXT_TABLE && x->u.table)
			vm_table_unref(x->u.table);
		else if (x->kind == VM_EXT_MEMORY && x->u.mem)
			vm_memory_unref(x->u.mem);
		else if (x->kind == VM_EXT_GLOBAL && x->u.global)
			vm_global_unref(x->u.global);
		x->u.func = NULL;
	}
}

static int
make_imports(struct run *r)
{
	uint32_t n = r->mod->nimports;

	r->imports = calloc(n ? n : 1, sizeof *r->imports);
	r->hosts = calloc(n ? n : 1, sizeof *r->hosts);
	if (!r->imports || !r->hosts)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const struct vm_import *imp = &r->mod->imports[i];
		r->imports[i].kind = imp->kind;
		if (imp->kind >= sizeof make / sizeof make[0] || make[imp->kind](r, i, imp, &r->imports[i]) != 0)
			return -1;
	}
	return 0;
}

/* ---- running ------------------------------------------------------------- */

/* Any tables the module defines itself must be small enough to allocate. */
static bool
acceptable(const struct vm_module *m)
{
	for (uint32_t i = m->ntable_imports; i < m->ntables; i++)
		if (m->tables[i].limits.min > TABLE_LIMIT)
			return false;
	return true;
}

/* Finish (or abandon) a call on a copy, without further copies. */
static void
side_run(struct run *r, struct vm_instance *inst, int64_t fuel)
{
	vm_set_userdata(inst, r);
	for (int steps = 0; fuel > 0 && steps < 64; steps++) {
		int64_t used = 0;
		enum vm_status st = vm_run(inst, SLICE, &used);
		fuel -= used > 0 ? used : 1;
		if (st != VM_YIELD && st != VM_BLOCK && st != VM_STOP)
			break;
	}
	vm_reset(inst);
}

/*
 * Run the call set up on *pinst to its end or until its fuel is gone.
 * The first suspension clones the instance and runs the clone on the side;
 * the second snapshots it and continues in the restored copy instead (so
 * *pinst may change); the third pushes another call of func on top.
 */
static void
drive(struct run *r, struct vm_instance **pinst, uint32_t func, uint32_t nparams,
      uint32_t nresults)
{
	struct vm_instance *inst = *pinst;
	int64_t fuel = CALL_FUEL < r->fuel_left ? CALL_FUEL : r->fuel_left;
	uint32_t yields = 0;
	struct vm_error err = { 0 };
	enum vm_status st;

	for (int steps = 0;; steps++) {
		int64_t used = 0;

		st = vm_run(inst, SLICE, &used);
		used = used > 0 ? used : 1;
		fuel -= used;
		r->fuel_left -= used;
		if (st != VM_YIELD && st != VM_BLOCK && st != VM_STOP)
			break;
		if (fuel <= 0 || steps > CALL_FUEL / SLICE * 4)
			goto abandon;
		if (st != VM_YIELD)
			continue;
		if (++yields == 1) {
			struct vm_instance *c = vm_clone(inst, &err);
			TRACE(r, "  clone: %s\n", c ? "ok" : err.msg);
			if (c) {
				side_run(r, c, SIDE_FUEL);
				vm_instance_free(c);
			}
		} else if (yields == 2) {
			uint8_t *snap = NULL;
			size_t len = 0;
			struct vm_instance *c = NULL;
			if (vm_snapshot(inst, &snap, &len, &err) == 0) {
				c = vm_restore(r->mod, r->imports, r->mod->nimports, &r->cfg, snap, len, &err);
				if (c) {
					vm_set_userdata(c, r);
					vm_instance_free(inst);
					*pinst = inst = c;
				}
				free(snap);
			}
			TRACE(r, "  snapshot (%zu bytes) + restore: %s\n", len, c ? "ok" : err.msg);
		} else if (yields == 3) {
			/* Deliver a "signal": run the same function again on top of
			 * the suspended call, its results discarded. */
			int rc = vm_push_call(inst, func, r->zeros, nparams, &err);
			TRACE(r, "  push_call: %s\n", rc == 0 ? "ok" : err.msg);
		}
	}
	TRACE(r, "  status %d after %lld fuel%s%s\n", (int)st, (long long)(CALL_FUEL - fuel),
	      st == VM_TRAP ? ": " : "", st == VM_TRAP ? vm_trap_message(inst) : "");
	if (st == VM_OK) {
		vm_slot out[16];
		if (nresults <= 16)
			vm_results(inst, out, nresults);
		return;
	}
	goto reset;
abandon:
	TRACE(r, "  abandoned after %lld fuel\n", (long long)(CALL_FUEL - fuel));
reset:
	vm_reset(inst);
}

static void
call(struct run *r, struct vm_instance **pinst, uint32_t func)
{
	const struct vm_functype *t;

	if (func >= r->mod->nfuncs || r->fuel_left <= 0)
		return;
	t = &r->mod->types[r->mod->func_type_index[func]];
	free(r->zeros);
	r->zeros = calloc(t->nparams ? t->nparams : 1, sizeof *r->zeros);
	if (!r->zeros)
		return;
	TRACE(r, "call func %u\n", func);
	if (vm_call_start(*pinst, func, r->zeros, t->nparams, NULL) == 0)
		drive(r, pinst, func, t->nparams, t->nresults);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_error err;
	struct run r = { 0 };
	struct vm_instance *inst = NULL;
	uint32_t calls = 0;

	r.trace = getenv("FUZZ_TRACE") != NULL;
	r.mod = vm_module_load(data, size, &err);
	if (!r.mod) {
		TRACE(&r, "load: %s\n", err.msg);
		return 0;
	}
	r.cfg.max_pages = PAGE_LIMIT;
	r.cfg.max_call_depth = CALL_DEPTH;
	r.cfg.max_stack_slots = STACK_SLOTS;
	r.cfg.userdata = &r;
	r.fuel_left = TOTAL_FUEL;
	if (!acceptable(r.mod) || make_imports(&r) != 0)
		goto out;

	/* The start function runs as the first call, within the harness's own
	 * fuel and the trace, like every other call here. */
	r.cfg.defer_start = true;
	inst = vm_instantiate(r.mod, r.imports, r.mod->nimports, &r.cfg, &err);
	if (!inst) {
		TRACE(&r, "instantiate: %s\n", err.msg);
		goto out;
	}
	if (r.mod->has_start)
		call(&r, &inst, r.mod->start);
	for (uint32_t i = 0; i < r.mod->nexports && calls < MAX_CALLS; i++)
		if (r.mod->exports[i].kind == VM_EXT_FUNC) {
			call(&r, &inst, r.mod->exports[i].index);
			calls++;
		}
out:
	vm_instance_free(inst);
	drop_objects(&r);
	for (uint32_t i = 0; r.hosts && i < r.mod->nimports; i++)
		vm_func_free(r.hosts[i]);
	free(r.hosts);
	free(r.imports);
	free(r.zeros);
	vm_module_unref(r.mod);
	return 0;
}
