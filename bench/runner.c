/*
 * runner.c - `make bench`: the kernels of kernels.h run natively and in
 * warren, side by side, in one invocation.
 *
 *   runner DIR [KERNEL...]
 *
 * DIR holds the native driver (`native`, gcc -O2) and one k_NAME.wasm per
 * kernel (clang -O2). For every kernel the runner spawns the native driver
 * (timed inside with clock_gettime; a process spawn is timed apart), runs
 * the wasm build through vm_call_start/vm_run in fuel slices the way a
 * scheduler would, checks both checksums agree, and prints the slowdown.
 * All variants of a kernel take turns, repetition by repetition, so that
 * load from elsewhere on the machine falls on each alike. It then
 * prices fuel: the same runs with unlimited fuel (fuel = -1), and, when
 * bench.mk could build it, in `runner-nofuel`, this program linked with an
 * exec.c whose fuel counting and checks are compiled out (spawned as
 * `runner-nofuel --time DIR NAME N REPS`, which prints "checksum best_ms
 * fuel_used"; fuel_used must be 0 there).
 * Last it times instantiation and load+compile of a small module.
 *
 * No timing here is a pass/fail criterion: the exit status is non-zero only
 * when something computed a wrong answer or failed to run. BENCH_REPS
 * (default 3) sets the repetitions; the best one counts.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm/vm.h"
#include "kernels.h"

#define SLICE 10000000     /* fuel per vm_run, like a scheduler quantum */
#define SMALL_REPS 2000    /* instantiations averaged for the small-module cost */

struct kernel {
	const char *name;
	uint32_t n;
	/* measured */
	bool ran;
	uint32_t native_sum, warren_sum;
	double native_ms, warren_ms, unlimited_ms, nofuel_ms, load_ms;
	int64_t fuel;
};

#define BENCH_ENTRY(name, n, pages) { #name, n, false, 0, 0, 0, 0, 0, 0, 0, 0 },
static struct kernel kernels[] = { BENCH_KERNELS(BENCH_ENTRY) };
#undef BENCH_ENTRY
#define NKERNELS (sizeof kernels / sizeof kernels[0])

static const char *dir;
static char native[4096];   /* DIR/native */
static int reps = 3;

/*
 * Kernels are timed in CPU time of this process, not wall time: the
 * benchmark machines are shared, and a kernel descheduled for a while
 * would otherwise count someone else's work. (Spawn costs, which include
 * the kernel's sleeping in exec and wait, use wall time: wall_ms.)
 */
static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Run the native driver with argv, capture up to outsz-1 bytes of its
 * stdout into out. Returns the exit status (or -1 if it could not run).
 */
static int
spawn(char *const argv[], char *out, size_t outsz)
{
	int fd[2], status;
	size_t got = 0;
	pid_t pid;

	if (pipe(fd) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		ssize_t r = read(fd[0], out + got, outsz - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (got += (size_t)r) == outsz - 1)
			break;
	}
	out[got] = 0;
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * The native kernel in a process of its own, run twice there so one run is
 * warm, as warren's repeated runs in one instance are. Keeps the best.
 */
static int
run_native(struct kernel *k)
{
	char nbuf[16], out[128];
	char *argv[] = { native, (char *)k->name, nbuf, "2", NULL };
	unsigned sum;
	double ms;

	snprintf(nbuf, sizeof nbuf, "%u", (unsigned)k->n);
	if (spawn(argv, out, sizeof out) != 0 || sscanf(out, "%u %lf", &sum, &ms) != 2 ||
	    (k->native_ms >= 0 && sum != k->native_sum)) {
		fprintf(stderr, "bench: native %s failed\n", k->name);
		return -1;
	}
	k->native_sum = sum;
	if (k->native_ms < 0 || ms < k->native_ms)
		k->native_ms = ms;
	return 0;
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

static struct vm_module *
load(const char *name, double *ms)
{
	char path[4096];
	struct vm_error err = { 0 };
	struct vm_module *m;
	uint8_t *bytes;
	size_t len = 0;
	double t0;

	snprintf(path, sizeof path, "%s/k_%s.wasm", dir, name);
	bytes = read_file(path, &len);
	if (!bytes) {
		fprintf(stderr, "bench: cannot read %s\n", path);
		return NULL;
	}
	t0 = cpu_ms();
	m = vm_module_load(bytes, len, &err);
	if (ms)
		*ms = cpu_ms() - t0;
	if (!m)
		fprintf(stderr, "bench: %s: %s\n", path, err.msg);
	free(bytes);
	return m;
}

static int
export_func(struct vm_module *m, const char *name, uint32_t *idx)
{
	int e = vm_module_find_export(m, name, (uint32_t)strlen(name), VM_EXT_FUNC);

	if (e < 0)
		return -1;
	*idx = m->exports[e].index;
	return 0;
}

/* One call of k_NAME(n) in fuel slices of `slice` (-1: unlimited). */
static int
run_once(struct vm_instance *inst, uint32_t fn, uint32_t n, int64_t slice,
	 uint32_t *sum, int64_t *fuel, double *ms)
{
	struct vm_error err = { 0 };
	vm_slot arg = n, res = 0;
	enum vm_status st;
	int64_t used, total = 0;
	double t0;

	if (vm_call_start(inst, fn, &arg, 1, &err) != 0) {
		fprintf(stderr, "bench: call_start: %s\n", err.msg);
		return -1;
	}
	t0 = cpu_ms();
	do {
		used = 0;
		st = vm_run(inst, slice, &used);
		total += used;
	} while (st == VM_YIELD);
	*ms = cpu_ms() - t0;
	if (st != VM_OK) {
		fprintf(stderr, "bench: run ended with status %d: %s\n", (int)st,
			st == VM_TRAP ? vm_trap_message(inst) : "");
		vm_reset(inst);
		return -1;
	}
	if (vm_results(inst, &res, 1) != 0) {
		fprintf(stderr, "bench: no result\n");
		return -1;
	}
	*sum = (uint32_t)res;
	*fuel = total;
	return 0;
}

/* One run of the kernel in the fuel-free build: its time, or -1 if none. */
static double
run_nofuel(struct kernel *k)
{
	char prog[4096], nbuf[16], rbuf[16], out[128];
	char *argv[] = { prog, "--time", (char *)dir, (char *)k->name, nbuf, rbuf, NULL };
	unsigned sum;
	double ms;

	snprintf(prog, sizeof prog, "%s/runner-nofuel", dir);
	if (access(prog, X_OK) != 0)
		return -1;
	snprintf(nbuf, sizeof nbuf, "%u", (unsigned)k->n);
	snprintf(rbuf, sizeof rbuf, "1");
	long long fuel;

	/* A build that still charges fuel is not fuel-free: bench.mk's
	 * rewrite of exec.c is out of date. Then there is no measurement. */
	if (spawn(argv, out, sizeof out) != 0 || sscanf(out, "%u %lf %lld", &sum, &ms, &fuel) != 3 ||
	    sum != k->native_sum || fuel != 0)
		return -1;
	return ms;
}

static int
run_warren(struct kernel *k)
{
	struct vm_error err = { 0 };
	struct vm_config cfg = { 0 };
	struct vm_instance *inst = NULL;
	struct vm_module *m;
	uint32_t fn, sum;
	char ename[64];
	int64_t fuel;
	double ms;
	int rc = -1;

	m = load(k->name, &k->load_ms);
	if (!m)
		return -1;
	snprintf(ename, sizeof ename, "k_%s", k->name);
	if (export_func(m, ename, &fn) != 0) {
		fprintf(stderr, "bench: k_%s.wasm does not export %s\n", k->name, ename);
		goto out;
	}
	inst = vm_instantiate(m, NULL, 0, &cfg, &err);
	if (!inst) {
		fprintf(stderr, "bench: instantiate %s: %s\n", k->name, err.msg);
		goto out;
	}
	/* Native, sliced, unlimited and fuel-free runs take turns so that
	 * noise from the rest of the machine falls on all of them alike. */
	k->native_ms = k->warren_ms = k->unlimited_ms = k->nofuel_ms = -1;
	for (int r = 0; r < 2 * reps; r++) {
		bool sliced = r % 2 == 0;
		double *best = sliced ? &k->warren_ms : &k->unlimited_ms;

		if (sliced && run_native(k) != 0)
			goto out;
		if (run_once(inst, fn, k->n, sliced ? SLICE : -1, &sum, &fuel, &ms) != 0)
			goto out;
		if (*best < 0 || ms < *best)
			*best = ms;
		if (sliced)
			k->fuel = fuel;
		k->warren_sum = sum;
		if (sum != k->native_sum)
			break;
		if (!sliced && (ms = run_nofuel(k)) > 0 && (k->nofuel_ms < 0 || ms < k->nofuel_ms))
			k->nofuel_ms = ms;
	}
	rc = 0;
out:
	vm_instance_free(inst);
	vm_module_unref(m);
	return rc;
}

/* `--time DIR NAME N REPS`: one kernel, unlimited fuel, best of REPS. */
static int
time_only(char **argv)
{
	struct kernel k = { .name = argv[3], .n = (uint32_t)strtoul(argv[4], NULL, 0) };
	struct vm_error err = { 0 };
	struct vm_config cfg = { 0 };
	struct vm_instance *inst;
	struct vm_module *m;
	uint32_t fn, sum = 0;
	char ename[64];
	int64_t fuel;
	double ms, best = -1;

	dir = argv[2];
	reps = atoi(argv[5]) > 0 ? atoi(argv[5]) : 1;
	m = load(k.name, NULL);
	snprintf(ename, sizeof ename, "k_%s", k.name);
	if (!m || export_func(m, ename, &fn) != 0 || !(inst = vm_instantiate(m, NULL, 0, &cfg, &err))) {
		vm_module_unref(m);
		return 1;
	}
	for (int r = 0; r < reps; r++) {
		if (run_once(inst, fn, k.n, -1, &sum, &fuel, &ms) != 0)
			break;
		if (best < 0 || ms < best)
			best = ms;
	}
	vm_instance_free(inst);
	vm_module_unref(m);
	if (best < 0)
		return 1;
	printf("%u %.3f %lld\n", (unsigned)sum, best, (long long)fuel);
	return 0;
}

static double
spawn_cost(char *native)
{
	char *argv[] = { native, "--noop", NULL };
	char out[16];
	double t0 = wall_ms();

	for (int i = 0; i < 20; i++)
		if (spawn(argv, out, sizeof out) != 0)
			return -1;
	return (wall_ms() - t0) / 20;
}

/* Mean cost of load+compile and of instantiate+free for the fib module. */
static int
small_costs(double *load_us, double *inst_us)
{
	struct vm_error err = { 0 };
	struct vm_config cfg = { 0 };
	struct vm_module *m = load("fib", NULL);
	double t0;
	char path[4096];
	uint8_t *bytes;
	size_t len = 0;

	if (!m)
		return -1;
	t0 = cpu_ms();
	for (int i = 0; i < SMALL_REPS; i++) {
		struct vm_instance *inst = vm_instantiate(m, NULL, 0, &cfg, &err);
		if (!inst) {
			fprintf(stderr, "bench: instantiate fib: %s\n", err.msg);
			vm_module_unref(m);
			return -1;
		}
		vm_instance_free(inst);
	}
	*inst_us = (cpu_ms() - t0) * 1e3 / SMALL_REPS;
	vm_module_unref(m);

	snprintf(path, sizeof path, "%s/k_fib.wasm", dir);
	bytes = read_file(path, &len);
	if (!bytes)
		return -1;
	t0 = cpu_ms();
	for (int i = 0; i < SMALL_REPS; i++) {
		m = vm_module_load(bytes, len, &err);
		if (!m) {
			free(bytes);
			return -1;
		}
		vm_module_unref(m);
	}
	*load_us = (cpu_ms() - t0) * 1e3 / SMALL_REPS;
	free(bytes);
	return 0;
}

static bool
wanted(const char *name, int argc, char **argv)
{
	if (argc <= 2)
		return true;
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	char out[128];
	char *selftest[] = { native, "--selftest", NULL };
	double lratio = 0, lcompute = 0, lfuel = 0, lnofuel = 0, spawn_ms, load_us = 0, inst_us = 0;
	int nratio = 0, ncompute = 0, nnofuel = 0, bad = 0;

	if (argc == 6 && strcmp(argv[1], "--time") == 0)
		return time_only(argv);
	if (argc < 2) {
		fprintf(stderr, "usage: runner DIR [KERNEL...]\n");
		return 2;
	}
	dir = argv[1];
	if (getenv("BENCH_REPS") && atoi(getenv("BENCH_REPS")) > 0)
		reps = atoi(getenv("BENCH_REPS"));
	snprintf(native, sizeof native, "%s/native", dir);
	if (spawn(selftest, out, sizeof out) != 0) {
		fprintf(stderr, "bench: %s --selftest failed\n", native);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	spawn_ms = spawn_cost(native);
	printf("warren benchmarks: CPU time, best of %d runs.\n"
	       "native: gcc -O2, its own process; +spawn adds a process spawn (fork+exec+exit,\n"
	       "wall time, mean of 20: %.2f ms). warren: clang -O2 wasm32 in fuel slices of %d.\n\n",
	       reps, spawn_ms, SLICE);
	printf("%-8s %6s %10s %10s %10s %8s %8s %7s  %s\n", "kernel", "n", "native ms", "+spawn ms",
	       "warren ms", "ratio", "Minstr", "MIPS", "checksum");
	for (size_t i = 0; i < NKERNELS; i++) {
		struct kernel *k = &kernels[i];
		bool ok;

		if (!wanted(k->name, argc, argv))
			continue;
		if (run_warren(k) != 0) {
			printf("%-8s %6u  FAILED to run\n", k->name, (unsigned)k->n);
			bad++;
			continue;
		}
		k->ran = true;
		ok = k->warren_sum == k->native_sum;
		bad += !ok;
		printf("%-8s %6u %10.1f %10.1f %10.1f %7.2fx %8.1f %7.0f  %s\n", k->name,
		       (unsigned)k->n, k->native_ms, k->native_ms + spawn_ms, k->warren_ms,
		       k->warren_ms / k->native_ms, k->fuel / 1e6,
		       k->fuel / 1e3 / k->warren_ms, ok ? "ok" : "MISMATCH");
		if (!ok)
			printf("         native %u, warren %u\n", (unsigned)k->native_sum,
			       (unsigned)k->warren_sum);
		lratio += log(k->warren_ms / k->native_ms);
		nratio++;
		/* memcpy/memset mostly time the host's memmove/memset. */
		if (strcmp(k->name, "memcpy") != 0 && strcmp(k->name, "memset") != 0) {
			lcompute += log(k->warren_ms / k->native_ms);
			ncompute++;
		}
	}
	if (nratio)
		printf("\ngeometric mean slowdown vs native: %.2fx (target: <= 12x)\n",
		       exp(lratio / nratio));
	if (ncompute && ncompute != nratio)
		printf("geometric mean without memcpy/memset (interpreter only): %.2fx\n",
		       exp(lcompute / ncompute));

	printf("\ncost of fuel: sliced runs vs unlimited fuel (fuel = -1: the same checks,\n"
	       "never failing) vs a build with fuel counting and checks compiled out\n");
	printf("%-8s %10s %13s %9s %10s %9s\n", "kernel", "sliced ms", "unlimited ms", "cost",
	       "no-fuel ms", "cost");
	for (size_t i = 0; i < NKERNELS; i++) {
		struct kernel *k = &kernels[i];
		if (!k->ran || k->unlimited_ms <= 0)
			continue;
		printf("%-8s %10.1f %13.1f %8.1f%%", k->name, k->warren_ms, k->unlimited_ms,
		       (k->warren_ms / k->unlimited_ms - 1) * 100);
		lfuel += log(k->warren_ms / k->unlimited_ms);
		if (k->nofuel_ms > 0) {
			printf(" %10.1f %8.1f%%", k->nofuel_ms, (k->warren_ms / k->nofuel_ms - 1) * 100);
			lnofuel += log(k->warren_ms / k->nofuel_ms);
			nnofuel++;
		} else {
			printf(" %10s %9s", "-", "-");
		}
		printf("\n");
	}
	if (nratio)
		printf("geometric mean cost: %.1f%% vs unlimited fuel", (exp(lfuel / nratio) - 1) * 100);
	if (nnofuel)
		printf(", %.1f%% vs fuel compiled out", (exp(lnofuel / nnofuel) - 1) * 100);
	else
		printf("; no fuel-free build (bench.mk could not derive one from exec.c)");
	printf("\n");

	printf("\n");
	if (small_costs(&load_us, &inst_us) == 0) {
		printf("small module k_fib.wasm: load+compile %.1f us, instantiate+free %.1f us"
		       " (mean of %d)\n", load_us, inst_us, SMALL_REPS);
	} else {
		printf("small module costs: FAILED\n");
		bad++;
	}
	printf("load+compile of each kernel:");
	for (size_t i = 0; i < NKERNELS; i++)
		if (kernels[i].ran)
			printf(" %s %.0f us%s", kernels[i].name, kernels[i].load_ms * 1e3,
			       i + 1 < NKERNELS ? "," : "");
	printf("\n");
	if (bad)
		printf("\nbench: %d kernel(s) failed or mismatched\n", bad);
	return bad ? 1 : 0;
}
