/*
 * demo.c - a small embedder showing what warren's engine can do that
 * ordinary wasm runtimes cannot: run a guest in fuel slices, clone it in
 * the middle of a computation, snapshot it to a file and finish it in a
 * fresh instance.  Uses only <warren.h>.
 *
 *   demo [--test] GUEST.wasm SNAPSHOT-FILE
 *
 * GUEST.wasm is examples/guests/primes.c compiled to wasm.  --test runs a
 * smaller problem and prints "demo: N passed, N failed" for `make test`.
 */
#include <warren.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int passed, failed;
static int n_big = 400000;

static void
check(int ok, const char *what)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("  [%s] %s\n", ok ? "ok" : "FAILED", what);
}

static double
now(void)
{
	struct timespec ts;

	timespec_get(&ts, TIME_UTC);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(n ? (size_t)n : 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* FNV-1a over linear memory: "identical memory" in one number. */
static uint64_t
memhash(wr_Instance *inst)
{
	size_t n = 0, i;
	uint8_t *p = wr_memory(inst, &n);
	uint64_t h = 0xcbf29ce484222325u;

	for (i = 0; p && i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return h;
}

/* The guest's progress counter, read from linear memory. */
static uint32_t
progress(wr_Instance *inst, uint32_t addr)
{
	size_t n = 0;
	uint8_t *p = wr_memory(inst, &n);
	uint32_t v;

	if (!p || n < 4 || addr > n - 4)
		return 0;
	memcpy(&v, p + addr, 4);
	return v;
}

static int
start(wr_Instance *inst, int n)
{
	wr_Value arg = { .type = WR_I32, .u.i32 = n };

	return wr_call_start(inst, "count_primes", &arg, 1);
}

/* Run the current call to completion; returns the i32 result or -1. */
static int32_t
finish(wr_Instance *inst, int64_t *fuel)
{
	wr_Value r;
	int64_t used = 0;
	int rc = wr_run(inst, -1, &used);

	if (fuel)
		*fuel += used;
	if (rc != WR_OK || wr_results(inst, &r, 1) != WR_OK) {
		printf("  run: %s %s\n", wr_errmsg(rc), wr_trap_message(inst));
		return -1;
	}
	return r.u.i32;
}

/* Run until about `fuel` is charged; returns the status of the last run. */
static int
run_for(wr_Instance *inst, int64_t fuel)
{
	int64_t used = 0;

	return wr_run(inst, fuel, &used);
}

static uint32_t
progress_address(wr_Instance *inst)
{
	wr_Value r;

	if (wr_call_start(inst, "progress_addr", NULL, 0) != WR_OK ||
	    wr_run(inst, -1, NULL) != WR_OK || wr_results(inst, &r, 1) != WR_OK)
		return 0;
	return (uint32_t)r.u.i32;
}

int
main(int argc, char **argv)
{
	/* (module (func (result i32) i64.const 0)): a type error in the body */
	static const uint8_t ill_typed[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
		0x03, 0x02, 0x01, 0x00,
		0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0b,
	};
	wr_Module *mod = NULL, *bad = NULL;
	wr_Instance *inst = NULL, *twin = NULL, *back = NULL;
	uint8_t *bytes = NULL, *snap = NULL;
	size_t len = 0, snaplen = 0;
	const char *guest, *snapfile;
	char err[256];
	int64_t total = 0, used, slice;
	int32_t answer, a, b;
	uint32_t paddr;
	uint64_t h;
	int test = 0, rc, k, n;
	double t;
	FILE *f;

	if (argc > 1 && strcmp(argv[1], "--test") == 0) {
		test = 1;
		n_big = 100000;
		argc--, argv++;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: demo [--test] GUEST.wasm SNAPSHOT-FILE\n");
		return 2;
	}
	guest = argv[1];
	snapfile = argv[2];
	n = n_big;

	printf("== 1. load and run %s: count the primes below %d\n", guest, n);
	bytes = slurp(guest, &len);
	if (!bytes) {
		fprintf(stderr, "demo: cannot read %s\n", guest);
		return 2;
	}
	rc = wr_module_load(bytes, len, &mod, err, sizeof err);
	check(rc == WR_OK, "module decoded, validated and compiled");
	if (rc != WR_OK) {
		printf("  %s\n", err);
		goto out;
	}
	rc = wr_instance_new(mod, NULL, 0, 0, &inst, err, sizeof err);
	check(rc == WR_OK, "instance created");
	if (rc != WR_OK) {
		printf("  %s\n", err);
		goto out;
	}
	paddr = progress_address(inst);
	t = now();
	start(inst, n);
	answer = finish(inst, &total);
	t = now() - t;
	printf("  %" PRId32 " primes, %" PRId64 " instructions in %.3f s "
	    "(%.0f M/s)\n", answer, total, t, t > 0 ? total / t / 1e6 : 0.0);
	check(answer > 0, "uninterrupted run returned");
	h = memhash(inst);

	printf("\n== 2. the same computation in 10 fuel slices\n");
	slice = total / 10 + 1;
	start(inst, n);
	for (k = 1;; k++) {
		rc = wr_run(inst, slice, &used);
		if (rc != WR_YIELD)
			break;
		if (!test || k <= 2)
			printf("  slice %2d: suspended at candidate %" PRIu32
			    " of %d (%u%%)\n", k, progress(inst, paddr), n,
			    (unsigned)((uint64_t)progress(inst, paddr) * 100 /
			    (unsigned)n));
	}
	{
		wr_Value r = { 0 };

		check(rc == WR_OK && wr_results(inst, &r, 1) == WR_OK &&
		    r.u.i32 == answer, "sliced run gives the same answer");
		printf("  slice %2d: returned %" PRId32 "\n", k, r.u.i32);
	}
	check(memhash(inst) == h, "and leaves identical memory");

	printf("\n== 3. clone mid-run (fork)\n");
	start(inst, n);
	rc = run_for(inst, total * 4 / 10);
	printf("  after 40%% of the fuel: at candidate %" PRIu32 "; cloning\n",
	    progress(inst, paddr));
	check(rc == WR_YIELD && wr_clone(inst, &twin) == WR_OK,
	    "suspended instance cloned");
	if (!twin)
		goto out;
	a = finish(inst, NULL);
	b = finish(twin, NULL);
	printf("  original: %" PRId32 ", clone: %" PRId32 "\n", a, b);
	check(a == answer && b == answer, "both halves finish with the answer");
	check(memhash(inst) == h && memhash(twin) == h,
	    "with identical memory");

	printf("\n== 4. snapshot mid-run to %s, restore in a fresh instance\n",
	    snapfile);
	start(inst, n);
	rc = run_for(inst, total * 6 / 10);
	printf("  after 60%% of the fuel: at candidate %" PRIu32 "\n",
	    progress(inst, paddr));
	rc = rc == WR_YIELD ? wr_snapshot(inst, &snap, &snaplen) : rc;
	check(rc == WR_OK, "snapshot taken");
	if (rc != WR_OK)
		goto out;
	f = fopen(snapfile, "wb");
	check(f && fwrite(snap, 1, snaplen, f) == snaplen && fclose(f) == 0,
	    "snapshot written");
	printf("  %zu bytes; the original instance and module are freed\n",
	    snaplen);
	wr_free(snap);
	snap = NULL;
	wr_instance_free(inst);
	inst = NULL;
	wr_module_free(mod);
	mod = NULL;
	rc = wr_module_load(bytes, len, &mod, err, sizeof err);
	if (rc == WR_OK)
		snap = slurp(snapfile, &snaplen);
	rc = snap ? wr_restore(mod, NULL, 0, 0, snap, snaplen, &back, err,
	    sizeof err) : WR_ESTATE;
	check(rc == WR_OK, "restored from the file into a new instance");
	if (rc != WR_OK) {
		printf("  %s\n", err);
		goto out;
	}
	printf("  restored: at candidate %" PRIu32 "; running to the end\n",
	    progress(back, paddr));
	a = finish(back, NULL);
	printf("  restored instance: %" PRId32 "\n", a);
	check(a == answer && memhash(back) == h,
	    "same answer and memory as the uninterrupted run");
	snap[snaplen / 2] ^= 0x40;
	rc = wr_restore(mod, NULL, 0, 0, snap, snaplen, &inst, err,
	    sizeof err);
	printf("  a snapshot with one flipped byte: %s: %s\n", wr_errmsg(rc),
	    err);
	check(rc == WR_ESTATE && !inst, "corrupt snapshot rejected");

	printf("\n== 5. bad modules are rejected with a precise error\n");
	rc = wr_module_load(bytes, len * 2 / 3, &bad, err, sizeof err);
	printf("  %s cut at byte %zu: %s: %s\n", guest, len * 2 / 3,
	    wr_errmsg(rc), err);
	check(rc == WR_EMALFORMED && !bad, "truncated module is malformed");
	rc = wr_module_load(ill_typed, sizeof ill_typed, &bad, err, sizeof err);
	printf("  (func (result i32) i64.const 0): %s: %s\n", wr_errmsg(rc),
	    err);
	check(rc == WR_EINVALID && !bad, "ill-typed module is invalid");
out:
	wr_instance_free(inst);
	wr_instance_free(twin);
	wr_instance_free(back);
	wr_module_free(mod);
	wr_module_free(bad);
	free(bytes);
	free(snap);
	printf("\ndemo: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
