/*
 * test_kt.c - the kernel test harness (see kt.h). It defines no tests; its
 * name only makes the Makefile link it with the tests that use it.
 */
#define _POSIX_C_SOURCE 200809L
#include "kt.h"
#include "kern/kern_impl.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct kt_log kt_trace[KT_MAXLOG];
int kt_ntrace;
uint64_t kt_clock_ns;
int kt_flags[16];
const uint8_t *kt_progs[4];
char kt_diag[200];
uint32_t kt_total_pages;
int kt_steps;
uint64_t kt_tick_ns;
size_t kt_proglen[4];

#define NFUNCS 256
static struct vm_func *funcs[NFUNCS];
static int nfuncs;

uint8_t *
kt_wat(const char *src, size_t *len)
{
	char wat[] = "/tmp/kt-XXXXXX";
	char wasm[64], cmd[256];
	uint8_t *buf = NULL;
	FILE *f;
	long n;
	int fd = mkstemp(wat);

	if (fd < 0)
		return NULL;
	if (write(fd, src, strlen(src)) != (ssize_t)strlen(src)) {
		close(fd);
		unlink(wat);
		return NULL;
	}
	close(fd);
	snprintf(wasm, sizeof wasm, "%s.wasm", wat);
	snprintf(cmd, sizeof cmd, "wat2wasm --enable-all --debug-names -o %s %s", wasm, wat);
	if (system(cmd) != 0)
		goto out;
	f = fopen(wasm, "rb");
	if (!f)
		goto out;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
out:
	unlink(wat);
	unlink(wasm);
	return buf;
}

/* ---- host functions ---------------------------------------------------------- */

#define PROC(inst) ((struct proc *)vm_userdata(inst))
#define I32(x) ((int32_t)(uint32_t)(x))

static vm_slot
neg(int e)
{
	return (uint32_t)-e;
}

static enum vm_status
h_pid(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	(void)ctx;
	a[0] = (uint32_t)PROC(inst)->pid;
	return kern_ret(PROC(inst));
}

static enum vm_status
h_ppid(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	(void)ctx;
	a[0] = (uint32_t)PROC(inst)->ppid;
	return kern_ret(PROC(inst));
}

static enum vm_status
h_fork(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	int32_t c;
	int e = proc_fork(PROC(inst), &c);

	(void)ctx;
	a[0] = e ? neg(e) : (uint32_t)c;
	return kern_ret(PROC(inst));
}

enum vm_status
kt_host_exit(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	(void)ctx;
	vm_set_exit(inst, I32(a[0]));
	return VM_EXIT;
}

enum vm_status
kt_host_log(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	(void)ctx;
	if (kt_ntrace < KT_MAXLOG)
		kt_trace[kt_ntrace++] = (struct kt_log){ PROC(inst)->pid, I32(a[0]) };
	return kern_ret(PROC(inst));
}

static enum vm_status
h_wait(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	struct proc *p = PROC(inst);
	int32_t rpid = 0, ws = 0;
	int e = proc_waitpid(p, I32(a[0]), I32(a[1]), &rpid, &ws);
	uint64_t size;
	uint8_t *mem;

	(void)ctx;
	if (e == E_BLOCK)
		return VM_BLOCK;
	mem = vm_memory_data(inst, &size);
	if (!e && mem && (uint64_t)(uint32_t)a[2] + 4 <= size)
		memcpy(mem + (uint32_t)a[2], &ws, 4);
	a[0] = e ? neg(e) : (uint32_t)rpid;
	return kern_ret(p);
}

static enum vm_status
h_kill(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	int e = sig_kill(PROC(inst), I32(a[0]), I32(a[1]));

	(void)ctx;
	a[0] = neg(e);
	return kern_ret(PROC(inst));
}

static enum vm_status
h_waitflag(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	struct proc *p = PROC(inst);
	int i = I32(a[0]) & 15, e;

	(void)ctx;
	if (!kt_flags[i]) {
		e = kern_sleep(p, &kt_flags[i]);
		if (e == E_BLOCK)
			return VM_BLOCK;
		a[0] = neg(e);
		return kern_ret(p);
	}
	a[0] = 0;
	return kern_ret(p);
}

static enum vm_status
h_setflag(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	int i = I32(a[0]) & 15;

	(void)ctx;
	kt_flags[i] = 1;
	kern_wakeup(PROC(inst)->k, &kt_flags[i]);
	return kern_ret(PROC(inst));
}

static enum vm_status
h_sigaction(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	(void)ctx;
	a[0] = neg(sig_action(PROC(inst), I32(a[0]), I32(a[1]), NULL));
	return kern_ret(PROC(inst));
}

static enum vm_status
h_handler(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	(void)ctx;
	a[0] = neg(sig_set_handler(PROC(inst), "h", 1));
	return kern_ret(PROC(inst));
}

static enum vm_status
h_sleep(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	struct proc *p = PROC(inst);
	uint64_t dl = kern_deadline(p, a[0]);
	int e;

	(void)ctx;
	if (kern_now(p->k) < dl) {
		e = kern_sleep_until(p, NULL, dl);
		if (e == E_BLOCK)
			return VM_BLOCK;
		a[0] = neg(e);
		return kern_ret(p);
	}
	a[0] = 0;
	return kern_ret(p);
}

static enum vm_status
h_setpgid(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	(void)ctx;
	a[0] = neg(proc_setpgid(PROC(inst), I32(a[0]), I32(a[1])));
	return kern_ret(PROC(inst));
}

static enum vm_status
h_getpgid(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	int32_t g = 0;
	int e = proc_getpgid(PROC(inst), I32(a[0]), &g);

	(void)ctx;
	a[0] = e ? neg(e) : (uint32_t)g;
	return kern_ret(PROC(inst));
}

static enum vm_status
h_setsid(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	int32_t s = 0;
	int e = proc_setsid(PROC(inst), &s);

	(void)ctx;
	a[0] = e ? neg(e) : (uint32_t)s;
	return kern_ret(PROC(inst));
}

static enum vm_status
h_exec(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	static char *const argv[] = { "prog", "arg", NULL };
	static char *const envp[] = { "A=1", NULL };
	int i = I32(a[0]) & 3;
	int e = proc_exec_bytes(PROC(inst), "prog", kt_progs[i], kt_proglen[i], argv, envp);

	(void)ctx;
	a[0] = neg(e);
	return kern_ret(PROC(inst));
}

static enum vm_status
h_nice(struct vm_instance *inst, void *ctx, vm_slot *a)
{
	int n = 0;

	(void)ctx;
	proc_nice(PROC(inst), I32(a[0]), &n);
	a[0] = (uint32_t)n;
	return kern_ret(PROC(inst));
}

static const struct {
	const char *name;
	vm_host_fn fn;
} table[] = {
	{ "pid", h_pid }, { "ppid", h_ppid }, { "fork", h_fork }, { "exit", kt_host_exit },
	{ "log", kt_host_log }, { "wait", h_wait }, { "kill", h_kill }, { "waitflag", h_waitflag },
	{ "setflag", h_setflag }, { "sigaction", h_sigaction }, { "handler", h_handler },
	{ "sleep", h_sleep }, { "setpgid", h_setpgid }, { "getpgid", h_getpgid },
	{ "setsid", h_setsid }, { "exec", h_exec }, { "nice", h_nice },
};

static struct vm_func *
resolve(void *ctx, const struct vm_import *imp, const struct vm_functype *type,
	struct vm_error *err)
{
	(void)ctx;
	if (strcmp(imp->module, "k"))
		goto unknown;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		struct vm_func *f;

		if (strcmp(imp->name, table[i].name))
			continue;
		if (nfuncs >= NFUNCS)
			return NULL;
		f = vm_host_func_new(type, table[i].fn, NULL, imp->name);
		if (f)
			funcs[nfuncs++] = f;
		return f;
	}
unknown:
	vm_err(err, VM_ERR_LINK, 0, "unknown import %s.%s", imp->module, imp->name);
	return NULL;
}

static uint64_t
clock_fn(void *ctx)
{
	(void)ctx;
	return kt_clock_ns;
}

struct kern *
kt_kern(uint64_t seed, uint32_t max_procs, uint64_t max_fuel)
{
	struct kern_config cfg = {
		.seed = seed, .max_procs = max_procs, .max_fuel = max_fuel,
		.clock = clock_fn, .resolve = resolve, .max_total_pages = kt_total_pages,
	};
	struct kern *k = NULL;

	kt_ntrace = 0;
	kt_clock_ns = 1000;
	kt_diag[0] = 0;
	memset(kt_flags, 0, sizeof kt_flags);
	kern_new(&cfg, &k);
	return k;
}

void
kt_kern_free(struct kern *k)
{
	kern_free(k);
	kt_tick_ns = 0;
	while (nfuncs)
		vm_func_free(funcs[--nfuncs]);
}

int32_t
kt_spawn(struct kern *k, const uint8_t *bytes, size_t len)
{
	static char *const argv[] = { "t", NULL };
	struct proc *p;
	int e = proc_alloc(k, NULL, &p);

	if (e)
		return -e;
	if ((e = proc_exec_bytes(p, "t", bytes, len, argv, argv + 1))) {
		proc_discard(p);
		return -e;
	}
	p->host_spawned = true;
	proc_start(p);
	return p->pid;
}

int32_t
kt_run(struct kern *k, int32_t pid, int max_steps)
{
	int32_t status = -1;

	kt_steps = 0;
	for (int i = 0; i < max_steps; i++) {
		struct kern_event ev;

		kern_step(k, 100000, &ev);
		kt_steps++;
		kt_clock_ns += kt_tick_ns;
		if (ev.what == KERN_EXITED && ev.pid == pid) {
			status = ev.status;
			memcpy(kt_diag, ev.diag, sizeof kt_diag);
		}
		if (ev.what == KERN_DONE)
			break;
		if (ev.what == KERN_IDLE) {
			if (ev.wake_at == UINT64_MAX)
				break;
			kt_clock_ns = ev.wake_at;
		}
	}
	return status;
}

int
kt_count(int32_t pid, int32_t v)
{
	int n = 0;

	for (int i = 0; i < kt_ntrace; i++)
		if (kt_trace[i].v == v && (!pid || kt_trace[i].pid == pid))
			n++;
	return n;
}

int
kt_find(int32_t v)
{
	for (int i = 0; i < kt_ntrace; i++)
		if (kt_trace[i].v == v)
			return i;
	return -1;
}

int32_t
kt_wr_spawn(wr_System *sys, const char *wat, int in, int out, int err, int fg)
{
	size_t len = 0;
	uint8_t *b = kt_wat(wat, &len);
	wr_Spawn s = { .bytes = b, .len = len, .name = "t", .stdio = { in, out, err },
		       .foreground = fg };
	int32_t pid = 0;
	int st;

	if (!b) {
		unit_fail(__FILE__, __LINE__, "wat2wasm failed on:\n%s", wat);
		return 0;
	}
	st = wr_spawn(sys, &s, &pid);
	free(b);
	CHECK_EQ_I64(st, WR_OK);
	if (st)
		fprintf(stderr, "spawn: %s\n", wr_system_errmsg(sys));
	return st ? 0 : pid;
}
