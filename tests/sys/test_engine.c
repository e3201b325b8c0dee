/*
 * test_engine.c - the public API (include/warren.h) as an embedder sees it:
 * argument checking, status codes, typed values, host functions with every
 * outcome, fuel slices, clone and snapshot through wr_*.
 */
#include <warren.h>

#include "unit.h"

#include <stdlib.h>

/*
 * host.wat, built with wat2wasm:
 *   imports env.get (i:i) and env.exit (i:); memory 1; exports
 *   add (ii:i), types (IfF:FfI, reverses its arguments), useget (i:i,
 *   get(x) + 1000), bye (i:, calls exit), sum (i:I, sums 0..n-1 writing
 *   memory), loopget (i:i, sums get(i) for i < n).
 */
static const uint8_t host_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x1e, 0x05, 0x60,
	0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x02, 0x7f, 0x7f,
	0x01, 0x7f, 0x60, 0x03, 0x7e, 0x7d, 0x7c, 0x03, 0x7c, 0x7d, 0x7e, 0x60,
	0x01, 0x7f, 0x01, 0x7e, 0x02, 0x16, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x03,
	0x67, 0x65, 0x74, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x65, 0x78,
	0x69, 0x74, 0x00, 0x01, 0x03, 0x07, 0x06, 0x02, 0x03, 0x00, 0x01, 0x04,
	0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41,
	0x00, 0x0b, 0x07, 0x37, 0x07, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79,
	0x02, 0x00, 0x03, 0x61, 0x64, 0x64, 0x00, 0x02, 0x05, 0x74, 0x79, 0x70,
	0x65, 0x73, 0x00, 0x03, 0x06, 0x75, 0x73, 0x65, 0x67, 0x65, 0x74, 0x00,
	0x04, 0x03, 0x62, 0x79, 0x65, 0x00, 0x05, 0x03, 0x73, 0x75, 0x6d, 0x00,
	0x06, 0x07, 0x6c, 0x6f, 0x6f, 0x70, 0x67, 0x65, 0x74, 0x00, 0x07, 0x0a,
	0x80, 0x01, 0x06, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x08,
	0x00, 0x20, 0x02, 0x20, 0x01, 0x20, 0x00, 0x0b, 0x0a, 0x00, 0x20, 0x00,
	0x10, 0x00, 0x41, 0xe8, 0x07, 0x6a, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x10,
	0x01, 0x00, 0x0b, 0x34, 0x02, 0x01, 0x7f, 0x01, 0x7e, 0x02, 0x40, 0x03,
	0x40, 0x20, 0x01, 0x20, 0x00, 0x4f, 0x0d, 0x01, 0x20, 0x02, 0x20, 0x01,
	0xad, 0x7c, 0x21, 0x02, 0x41, 0x08, 0x20, 0x02, 0x37, 0x03, 0x00, 0x20,
	0x01, 0x20, 0x01, 0x3a, 0x00, 0x00, 0x20, 0x01, 0x41, 0x01, 0x6a, 0x21,
	0x01, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x02, 0x0b, 0x25, 0x01, 0x02, 0x7f,
	0x02, 0x40, 0x03, 0x40, 0x20, 0x01, 0x20, 0x00, 0x4f, 0x0d, 0x01, 0x20,
	0x02, 0x20, 0x01, 0x10, 0x00, 0x6a, 0x21, 0x02, 0x20, 0x01, 0x41, 0x01,
	0x6a, 0x21, 0x01, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x02, 0x0b
};

/* What env.get does this time. */
enum mode { GET_OK, GET_BLOCK, GET_TRAP, GET_TRAP_SILENT, GET_STOP, GET_BADSTATUS, GET_SNAPSHOT, GET_CLONE };

struct host {
	enum mode mode;
	int blocks;             /* GET_BLOCK: how many times to block first */
	int calls;
	uint8_t *snap;          /* GET_SNAPSHOT: taken inside the first call */
	size_t snaplen;
	wr_Instance *clone;     /* GET_CLONE: taken inside the first call */
};

static int
host_get(wr_Instance *inst, void *ctx, const wr_Value *args, wr_Value *res)
{
	struct host *h = ctx;

	h->calls++;
	switch (h->mode) {
	case GET_BLOCK:
		if (h->blocks > 0) {
			h->blocks--;
			return WR_BLOCK;
		}
		break;
	case GET_TRAP:
		wr_set_trap(inst, "the host says no");
		return WR_TRAP;
	case GET_TRAP_SILENT:
		return WR_TRAP;
	case GET_BADSTATUS:
		return 42;
	case GET_SNAPSHOT:
		if (!h->snap && wr_snapshot(inst, &h->snap, &h->snaplen) != WR_OK)
			return WR_TRAP;
		break;
	case GET_CLONE:
		if (!h->clone && wr_clone(inst, &h->clone) != WR_OK)
			return WR_TRAP;
		break;
	default:
		break;
	}
	res[0].u.i32 = args[0].u.i32 * 2;
	return h->mode == GET_STOP ? WR_STOP : WR_OK;
}

static int
host_exit(wr_Instance *inst, void *ctx, const wr_Value *args, wr_Value *res)
{
	(void)ctx;
	(void)res;
	wr_set_exit(inst, args[0].u.i32);
	return WR_EXIT;
}

static struct host hstate;

static const wr_HostFunc host_funcs[] = {
	{ "env", "get", "i:i", host_get, &hstate },
	{ "env", "exit", "i:", host_exit, NULL },
};

static wr_Module *
load_host(void)
{
	wr_Module *m = NULL;
	char err[200];

	CHECK_EQ_U64(wr_module_load(host_wasm, sizeof host_wasm, &m, err,
	    sizeof err), WR_OK);
	return m;
}

static wr_Instance *
new_host(wr_Module *m)
{
	wr_Instance *inst = NULL;
	char err[200] = "";

	memset(&hstate, 0, sizeof hstate);
	CHECK_EQ_U64(wr_instance_new(m, host_funcs, 2, 0, &inst, err,
	    sizeof err), WR_OK);
	CHECK_STR(err, "");
	return inst;
}

static wr_Value
i32(int32_t v)
{
	wr_Value x = { .type = WR_I32, .u.i32 = v };

	return x;
}

/* Start export `name` with one i32 argument and run it unbounded. */
static int
call1(wr_Instance *inst, const char *name, int32_t arg, wr_Value *res)
{
	wr_Value a = i32(arg);
	int rc = wr_call_start(inst, name, &a, 1);

	if (rc != WR_OK)
		return rc;
	rc = wr_run(inst, -1, NULL);
	if (rc == WR_OK && res)
		rc = wr_results(inst, res, wr_nresults(inst));
	return rc;
}

static uint64_t
memhash(wr_Instance *inst)
{
	size_t n = 0, i;
	uint8_t *p = wr_memory(inst, &n);
	uint64_t h = 1469598103934665603u;

	for (i = 0; p && i < n; i++)
		h = (h ^ p[i]) * 1099511628211u;
	return h;
}

TEST(engine_errmsg)
{
	int i, j;

	for (i = 0; i < WR_NSTATUS; i++) {
		CHECK(wr_errmsg(i) && wr_errmsg(i)[0]);
		for (j = 0; j < i; j++)
			CHECK(strcmp(wr_errmsg(i), wr_errmsg(j)) != 0);
	}
	CHECK_STR(wr_errmsg(-1), "unknown status");
	CHECK_STR(wr_errmsg(WR_NSTATUS), "unknown status");
	CHECK_STR(wr_errmsg(WR_OK), "ok");
	CHECK_STR(wr_version(), WR_VERSION);
}

TEST(engine_null_args)
{
	wr_Module *m = (wr_Module *)1;
	wr_Instance *inst = (wr_Instance *)1;
	uint8_t *bytes = (uint8_t *)1;
	size_t len = 1;
	const char *name, *kind;
	char sig[16], err[100];
	int64_t used = 5;

	CHECK_EQ_U64(wr_module_load(NULL, 8, &m, err, sizeof err), WR_EARG);
	CHECK(m == NULL);
	CHECK_EQ_U64(wr_module_load(host_wasm, sizeof host_wasm, NULL, NULL, 0),
	    WR_EARG);
	CHECK_EQ_U64(wr_module_export(NULL, 0, &name, &kind), WR_EARG);
	CHECK_EQ_U64(wr_module_export_sig(NULL, "add", sig, sizeof sig), WR_EARG);
	CHECK_EQ_U64(wr_instance_new(NULL, NULL, 0, 0, &inst, err, sizeof err),
	    WR_EARG);
	CHECK(inst == NULL);
	CHECK_EQ_U64(wr_call_start(NULL, "add", NULL, 0), WR_EARG);
	CHECK_EQ_U64(wr_run(NULL, -1, &used), WR_EARG);
	CHECK_EQ_I64(used, 0);
	CHECK_EQ_U64(wr_results(NULL, NULL, 0), WR_EARG);
	CHECK_EQ_U64(wr_nresults(NULL), 0);
	CHECK_STR(wr_trap_message(NULL), "");
	CHECK_EQ_I64(wr_exit_status(NULL), 0);
	CHECK(wr_memory(NULL, &len) == NULL);
	CHECK_EQ_U64(len, 0);
	CHECK_EQ_U64(wr_clone(NULL, &inst), WR_EARG);
	CHECK(inst == NULL);
	CHECK_EQ_U64(wr_snapshot(NULL, &bytes, &len), WR_EARG);
	CHECK(bytes == NULL);
	CHECK_EQ_U64(wr_restore(NULL, NULL, 0, 0, NULL, 0, &inst, err, sizeof err),
	    WR_EARG);
	wr_set_trap(NULL, "x");
	wr_set_exit(NULL, 1);
	wr_module_free(NULL);
	wr_instance_free(NULL);
	wr_free(NULL);
}

TEST(engine_load_errors)
{
	static const uint8_t bad_magic[] = { 0, 'a', 's', 'x', 1, 0, 0, 0 };
	/* (func (result i32) i64.const 0) */
	static const uint8_t ill_typed[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
		0x03, 0x02, 0x01, 0x00,
		0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0b,
	};
	wr_Module *m = NULL;
	char err[200];
	size_t n;

	CHECK_EQ_U64(wr_module_load(bad_magic, sizeof bad_magic, &m, err,
	    sizeof err), WR_EMALFORMED);
	CHECK(m == NULL && err[0]);
	CHECK_EQ_U64(wr_module_load(ill_typed, sizeof ill_typed, &m, err,
	    sizeof err), WR_EINVALID);
	CHECK(m == NULL && strstr(err, "type mismatch"));
	CHECK_EQ_U64(wr_module_load(host_wasm, 0, &m, NULL, 0), WR_EMALFORMED);
	/*
	 * Every truncation of a valid module is an error, never a crash,
	 * except at the section boundaries before the function section
	 * (8, 40, 64): those prefixes are valid modules of their own.
	 */
	for (n = 0; n < sizeof host_wasm; n++) {
		int rc = wr_module_load(host_wasm, n, &m, err, 4);

		if (n == 8 || n == 40 || n == 64)
			CHECK_EQ_U64(rc, WR_OK);
		else
			CHECK_EQ_U64(rc, WR_EMALFORMED);
		CHECK(strlen(err) < 4);
		wr_module_free(m);
		m = NULL;
	}
}

TEST(engine_exports)
{
	wr_Module *m = load_host();
	const char *name = NULL, *kind = NULL;
	char sig[16];

	if (!m)
		return;
	CHECK_EQ_U64(wr_module_export(m, 0, &name, &kind), WR_OK);
	CHECK_STR(name, "memory");
	CHECK_STR(kind, "memory");
	CHECK_EQ_U64(wr_module_export(m, 2, &name, &kind), WR_OK);
	CHECK_STR(name, "types");
	CHECK_STR(kind, "func");
	CHECK_EQ_U64(wr_module_export(m, 7, &name, &kind), WR_ENOENT);
	CHECK_EQ_U64(wr_module_export_sig(m, "types", sig, sizeof sig), WR_OK);
	CHECK_STR(sig, "IfF:FfI");
	CHECK_EQ_U64(wr_module_export_sig(m, "bye", sig, sizeof sig), WR_OK);
	CHECK_STR(sig, "i:");
	CHECK_EQ_U64(wr_module_export_sig(m, "types", sig, 7), WR_ENOMEM);
	CHECK_EQ_U64(wr_module_export_sig(m, "memory", sig, sizeof sig), WR_ENOENT);
	CHECK_EQ_U64(wr_module_export_sig(m, "nope", sig, sizeof sig), WR_ENOENT);
	wr_module_free(m);
}

TEST(engine_link_errors)
{
	static const wr_HostFunc wrong_sig[] = {
		{ "env", "get", "I:i", host_get, &hstate },
		{ "env", "exit", "i:", host_exit, NULL },
	};
	static const wr_HostFunc bad_sig[] = {
		{ "env", "get", "i:z", host_get, &hstate },
		{ "env", "exit", "i:", host_exit, NULL },
	};
	wr_Module *m = load_host();
	wr_Instance *inst = NULL;
	char err[200];

	if (!m)
		return;
	CHECK_EQ_U64(wr_instance_new(m, host_funcs, 1, 0, &inst, err, sizeof err),
	    WR_ELINK);
	CHECK(inst == NULL && strstr(err, "env.exit"));
	CHECK_EQ_U64(wr_instance_new(m, NULL, 0, 0, &inst, err, sizeof err),
	    WR_ELINK);
	CHECK_EQ_U64(wr_instance_new(m, wrong_sig, 2, 0, &inst, err, sizeof err),
	    WR_ELINK);
	CHECK(strstr(err, "I:i") && strstr(err, "i:i"));
	CHECK_EQ_U64(wr_instance_new(m, bad_sig, 2, 0, &inst, err, sizeof err),
	    WR_EARG);
	CHECK_EQ_U64(wr_instance_new(m, NULL, 2, 0, &inst, err, sizeof err),
	    WR_EARG);
	CHECK(inst == NULL);
	wr_module_free(m);
}

TEST(engine_call_values)
{
	wr_Module *m = load_host();
	wr_Instance *inst;
	wr_Value args[3], res[3];

	if (!m)
		return;
	inst = new_host(m);
	wr_module_free(m);      /* the instance keeps its own reference */
	if (!inst)
		return;
	args[0] = i32(40);
	args[1] = i32(2);
	CHECK_EQ_U64(wr_run(inst, -1, NULL), WR_ESTATE);
	CHECK_EQ_U64(wr_call_start(inst, "add", args, 2), WR_OK);
	CHECK_EQ_U64(wr_results(inst, res, 1), WR_ESTATE);
	CHECK_EQ_U64(wr_call_start(inst, "add", args, 2), WR_ESTATE);
	CHECK_EQ_U64(wr_run(inst, -1, NULL), WR_OK);
	CHECK_EQ_U64(wr_nresults(inst), 1);
	CHECK_EQ_U64(wr_results(inst, res, 2), WR_EARG);
	CHECK_EQ_U64(wr_results(inst, res, 1), WR_OK);
	CHECK_EQ_U64(res[0].type, WR_I32);
	CHECK_EQ_I64(res[0].u.i32, 42);
	CHECK_EQ_U64(wr_call_start(inst, "add", args, 1), WR_EARG);
	args[1].type = WR_I64;
	CHECK_EQ_U64(wr_call_start(inst, "add", args, 2), WR_EARG);
	CHECK_EQ_U64(wr_call_start(inst, "nope", args, 2), WR_ENOENT);
	CHECK_EQ_U64(wr_call_start(inst, "memory", NULL, 0), WR_ENOENT);

	args[0].type = WR_I64;
	args[0].u.i64 = -5000000000;
	args[1].type = WR_F32;
	args[1].u.f32 = 1.5f;
	args[2].type = WR_F64;
	args[2].u.f64 = -0.25;
	CHECK_EQ_U64(wr_call_start(inst, "types", args, 3), WR_OK);
	CHECK_EQ_U64(wr_run(inst, -1, NULL), WR_OK);
	CHECK_EQ_U64(wr_results(inst, res, 3), WR_OK);
	CHECK(res[0].type == WR_F64 && res[0].u.f64 == -0.25);
	CHECK(res[1].type == WR_F32 && res[1].u.f32 == 1.5f);
	CHECK(res[2].type == WR_I64 && res[2].u.i64 == -5000000000);
	wr_instance_free(inst);
}

TEST(engine_host_outcomes)
{
	wr_Module *m = load_host();
	wr_Instance *inst;
	wr_Value r;
	int i;

	if (!m || !(inst = new_host(m))) {
		wr_module_free(m);
		return;
	}
	CHECK_EQ_U64(call1(inst, "useget", 21, &r), WR_OK);
	CHECK_EQ_I64(r.u.i32, 1042);

	/* BLOCK: nothing happened; the call is made again on the next run. */
	hstate.mode = GET_BLOCK;
	hstate.blocks = 3;
	hstate.calls = 0;
	r = i32(5);
	CHECK_EQ_U64(wr_call_start(inst, "useget", &r, 1), WR_OK);
	for (i = 0; i < 3; i++)
		CHECK_EQ_U64(wr_run(inst, -1, NULL), WR_BLOCK);
	CHECK_EQ_U64(wr_run(inst, -1, NULL), WR_OK);
	CHECK_EQ_U64(wr_results(inst, &r, 1), WR_OK);
	CHECK_EQ_I64(r.u.i32, 1010);
	CHECK_EQ_I64(hstate.calls, 4);

	/* STOP: done, and control comes back before the caller continues. */
	hstate.mode = GET_STOP;
	r = i32(1);
	CHECK_EQ_U64(wr_call_start(inst, "useget", &r, 1), WR_OK);
	CHECK_EQ_U64(wr_run(inst, -1, NULL), WR_STOP);
	CHECK_EQ_U64(wr_run(inst, -1, NULL), WR_OK);
	CHECK_EQ_U64(wr_results(inst, &r, 1), WR_OK);
	CHECK_EQ_I64(r.u.i32, 1002);

	hstate.mode = GET_TRAP;
	CHECK_EQ_U64(call1(inst, "useget", 1, &r), WR_TRAP);
	CHECK(strstr(wr_trap_message(inst), "the host says no") != NULL);
	CHECK_EQ_U64(wr_results(inst, &r, 1), WR_ESTATE);

	/* No message from the host: a generic one, not the previous trap's. */
	hstate.mode = GET_TRAP_SILENT;
	CHECK_EQ_U64(call1(inst, "useget", 1, &r), WR_TRAP);
	CHECK_STR(wr_trap_message(inst), "host function trapped");

	hstate.mode = GET_BADSTATUS;
	CHECK_EQ_U64(call1(inst, "useget", 1, &r), WR_TRAP);
	CHECK(strstr(wr_trap_message(inst), "bad status") != NULL);

	CHECK_EQ_U64(call1(inst, "bye", 7, NULL), WR_EXIT);
	CHECK_EQ_I64(wr_exit_status(inst), 7);

	/* After a trap or an exit the instance takes a new call. */
	hstate.mode = GET_OK;
	CHECK_EQ_U64(call1(inst, "useget", 2, &r), WR_OK);
	CHECK_EQ_I64(r.u.i32, 1004);
	wr_instance_free(inst);
	wr_module_free(m);
}

TEST(engine_fuel_slices)
{
	static const int64_t slices[] = { 1, 7, 1000, -1 };
	wr_Module *m = load_host();
	wr_Instance *inst;
	wr_Value r;
	int64_t want = 0, total, used;
	uint64_t h = 0;
	size_t s;
	int rc, runs;

	if (!m || !(inst = new_host(m))) {
		wr_module_free(m);
		return;
	}
	for (s = 0; s < sizeof slices / sizeof slices[0]; s++) {
		r = i32(3000);
		CHECK_EQ_U64(wr_call_start(inst, "sum", &r, 1), WR_OK);
		total = 0;
		runs = 0;
		do {
			rc = wr_run(inst, slices[s], &used);
			total += used;
			runs++;
		} while (rc == WR_YIELD);
		CHECK_EQ_U64(rc, WR_OK);
		CHECK_EQ_U64(wr_results(inst, &r, 1), WR_OK);
		CHECK_EQ_I64(r.u.i64, 3000 * 2999 / 2);
		if (s == 0) {
			want = total;
			h = memhash(inst);
			CHECK(runs > 1000);
		}
		CHECK_EQ_I64(total, want);
		CHECK_EQ_U64(memhash(inst), h);
	}
	wr_instance_free(inst);
	wr_module_free(m);
}

TEST(engine_clone_midrun)
{
	wr_Module *m = load_host();
	wr_Instance *inst, *c = NULL;
	wr_Value r, rc_;
	size_t n1 = 0, n2 = 0;
	uint8_t *p1, *p2;

	if (!m || !(inst = new_host(m))) {
		wr_module_free(m);
		return;
	}
	r = i32(3000);
	CHECK_EQ_U64(wr_call_start(inst, "sum", &r, 1), WR_OK);
	CHECK_EQ_U64(wr_run(inst, 20000, NULL), WR_YIELD);
	CHECK_EQ_U64(wr_clone(inst, &c), WR_OK);
	if (!c)
		goto out;
	p1 = wr_memory(inst, &n1);
	p2 = wr_memory(c, &n2);
	CHECK(p1 != p2 && n1 == n2 && n1 == 65536);
	CHECK_EQ_U64(wr_run(inst, -1, NULL), WR_OK);
	CHECK_EQ_U64(wr_run(c, -1, NULL), WR_OK);
	CHECK_EQ_U64(wr_results(inst, &r, 1), WR_OK);
	CHECK_EQ_U64(wr_results(c, &rc_, 1), WR_OK);
	CHECK_EQ_I64(r.u.i64, 3000 * 2999 / 2);
	CHECK_EQ_I64(rc_.u.i64, r.u.i64);
	CHECK_EQ_U64(memhash(inst), memhash(c));
	/* Independent: writing one leaves the other alone. */
	p1 = wr_memory(inst, &n1);
	p1[100] ^= 1;
	CHECK(memhash(inst) != memhash(c));
	/* The clone shares the host functions and outlives the original. */
	wr_instance_free(inst);
	inst = NULL;
	CHECK_EQ_U64(call1(c, "useget", 4, &r), WR_OK);
	CHECK_EQ_I64(r.u.i32, 1008);
out:
	wr_instance_free(inst);
	wr_instance_free(c);
	wr_module_free(m);
}

TEST(engine_snapshot_restore)
{
	wr_Module *m = load_host();
	wr_Instance *inst, *back = NULL;
	wr_Value r;
	uint8_t *snap = NULL;
	size_t len = 0, i;
	uint64_t h;
	char err[200];

	if (!m || !(inst = new_host(m))) {
		wr_module_free(m);
		return;
	}
	CHECK_EQ_U64(call1(inst, "sum", 3000, &r), WR_OK);
	h = memhash(inst);
	r = i32(3000);
	CHECK_EQ_U64(wr_call_start(inst, "sum", &r, 1), WR_OK);
	CHECK_EQ_U64(wr_run(inst, 12345, NULL), WR_YIELD);
	CHECK_EQ_U64(wr_snapshot(inst, &snap, &len), WR_OK);
	wr_instance_free(inst);
	if (!snap)
		goto out;
	CHECK_EQ_U64(wr_restore(m, host_funcs, 2, 0, snap, len, &back, err,
	    sizeof err), WR_OK);
	if (back) {
		CHECK_EQ_U64(wr_nresults(back), 1);
		CHECK_EQ_U64(wr_run(back, -1, NULL), WR_OK);
		CHECK_EQ_U64(wr_results(back, &r, 1), WR_OK);
		CHECK_EQ_I64(r.u.i64, 3000 * 2999 / 2);
		CHECK_EQ_U64(memhash(back), h);
		wr_instance_free(back);
		back = NULL;
	}
	/* Cut anywhere: rejected cleanly. */
	for (i = 0; i < len; i += 1 + i / 16) {
		CHECK(wr_restore(m, host_funcs, 2, 0, snap, i, &back, err,
		    sizeof err) != WR_OK);
		CHECK(back == NULL);
	}
	snap[0] ^= 1;
	CHECK_EQ_U64(wr_restore(m, host_funcs, 2, 0, snap, len, &back, err,
	    sizeof err), WR_ESTATE);
	CHECK(strstr(err, "snapshot") != NULL);
out:
	wr_free(snap);
	wr_module_free(m);
}

TEST(engine_copies_inside_host_call)
{
	wr_Module *m = load_host();
	wr_Instance *inst, *back = NULL;
	wr_Value r;
	char err[200];

	if (!m || !(inst = new_host(m))) {
		wr_module_free(m);
		return;
	}
	/* Copies made inside env.get re-execute that call when they run. */
	hstate.mode = GET_SNAPSHOT;
	CHECK_EQ_U64(call1(inst, "loopget", 10, &r), WR_OK);
	CHECK_EQ_I64(r.u.i32, 90);
	CHECK_EQ_I64(hstate.calls, 10);
	hstate.mode = GET_CLONE;
	CHECK_EQ_U64(call1(inst, "loopget", 10, &r), WR_OK);
	CHECK_EQ_I64(r.u.i32, 90);
	if (hstate.snap) {
		CHECK_EQ_U64(wr_restore(m, host_funcs, 2, 0, hstate.snap,
		    hstate.snaplen, &back, err, sizeof err), WR_OK);
		hstate.calls = 0;
		CHECK(back && wr_run(back, -1, NULL) == WR_OK &&
		    wr_results(back, &r, 1) == WR_OK && r.u.i32 == 90);
		CHECK_EQ_I64(hstate.calls, 10);
	}
	if (hstate.clone) {
		hstate.calls = 0;
		CHECK_EQ_U64(wr_run(hstate.clone, -1, NULL), WR_OK);
		CHECK(wr_results(hstate.clone, &r, 1) == WR_OK && r.u.i32 == 90);
		CHECK_EQ_I64(hstate.calls, 10);
	}
	wr_instance_free(hstate.clone);
	wr_free(hstate.snap);
	wr_instance_free(back);
	wr_instance_free(inst);
	wr_module_free(m);
}

/* (module (func $s (loop $l (br $l))) (start $s)) */
static const uint8_t startloop_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x08, 0x01, 0x00, 0x0a, 0x09, 0x01,
	0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b,
};

/* A start function that never ends cannot hang the embedder: by default it
 * gets WR_START_FUEL instructions, and the options choose another bound. */
TEST(engine_start_function_is_bounded)
{
	wr_InstanceOptions opt = { .start_fuel = 1000 };
	wr_Instance *inst = NULL;
	wr_Module *m = NULL;
	char err[200];

	CHECK_EQ_U64(wr_module_load(startloop_wasm, sizeof startloop_wasm, &m, err,
				    sizeof err), WR_OK);
	if (!m)
		return;
	CHECK_EQ_U64(wr_instance_new_opt(m, NULL, 0, &opt, &inst, err, sizeof err), WR_TRAP);
	CHECK(inst == NULL);
	CHECK_STR(err, "start function: out of fuel after 1000 instructions");
	CHECK_EQ_U64(wr_instance_new(m, NULL, 0, 0, &inst, err, sizeof err), WR_TRAP);
	CHECK(inst == NULL);
	CHECK_STR(err, "start function: out of fuel after 100000000 instructions");
	wr_module_free(m);
}
