/*
 * fuzz_ctl.c - libFuzzer harness: writes to the control files of /task
 * (and reads of every other file) against a live process table.
 *
 * Each input builds a small system of its own: the real abi, the default
 * root with taskfs and capfs, and four tasks made through /task/new: a
 * spinner and a cat started, one never started, one that has already
 * exited.  The input is then a list of records, each ending at the first
 * NUL byte after its first (no ctl message may hold one, so nothing is
 * lost): the first byte of a record picks the task (low 3 bits: one of the tasks, a new one, a pid
 * that does not exist, "self" which the host lacks) and the file (high 5
 * bits), the rest is what is written.  Files past the writable ones are
 * read instead.  Between records the kernel runs a little.  Nothing may
 * crash, leak, hang or trip a sanitizer; the answers themselves are the
 * unit tests' business.
 *
 * Built with libFuzzer by `make fuzz-ctl` (tests/task/task.mk); replayed
 * over tests/task/corpus/ by tests/task/run.sh in `make test`, with the
 * entry point renamed fuzz_ctl_input.
 */
#include "abi/abi.h"
#include "fs/fs.h"
#include "kern/file.h"
#include "kern/kern.h"
#include "kern/task.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t spin_wasm[] = {
#include "spin.wasm.inc"
};
static const uint8_t cat_wasm[] = {
#include "cat.wasm.inc"
};
static const uint8_t hello_wasm[] = {
#include "hello.wasm.inc"
};

#define NTASK 8
#define MAXRECORDS 96

static const char *const writable[] = {
	"ctl", "ns/ctl", "fd/0/ctl", "fd/1/ctl", "fd/2/ctl", "env", "cwd", "fd/0",
};
static const char *const readable[] = {
	"status", "wait", "exitcode", "args", "env", "cwd", "ns/mounts", "ns/dump",
	"stat/mem", "stat/cpu", "stat/io", "fd/1", "fd/2", "ctl", "fd/1/ctl", "tree/new",
};

struct sys {
	struct kern *k;
	int32_t ids[NTASK];
	int n;
};

static int
hostio(struct sys *s, const char *path, bool wr, const void *msg, size_t len)
{
	struct fs_io io = { .nonblock = true };
	unsigned of = wr ? FS_O_WRITE | FS_O_TRUNC : FS_O_READ;
	struct vnode *v;
	char buf[512];
	size_t n;
	int e;

	e = fs_open(s->k->root_ns, NULL, path, strlen(path), of, &io, &v);
	if (e)
		return e;
	if (wr)
		e = vn_write(v, &io, 0, msg, len, &n);
	else
		for (uint64_t off = 0; off < 8192 && !(e = vn_read(v, &io, off, buf, sizeof buf, &n))
		     && n; off += n)
			;
	vn_close(v, of, &io);
	vn_unref(v);
	return e;
}

static int32_t
maketask(struct sys *s, const char *cmd)
{
	struct fs_io io = { .nonblock = true };
	struct vnode *v;
	char buf[32], path[64];
	size_t n = 0;
	int32_t id;

	if (fs_open(s->k->root_ns, NULL, "/task/new", 9, FS_O_READ, &io, &v))
		return 0;
	vn_read(v, &io, 0, buf, sizeof buf - 1, &n);
	vn_close(v, FS_O_READ, &io);
	vn_unref(v);
	buf[n] = 0;
	id = atoi(buf);
	if (id > 0 && cmd) {
		snprintf(path, sizeof path, "/task/%d/ctl", id);
		hostio(s, path, true, cmd, strlen(cmd));
	}
	return id;
}

static void
run(struct sys *s, int steps)
{
	struct kern_event ev;

	for (int i = 0; i < steps; i++)
		if (kern_step(s->k, 5000, &ev) || ev.what == KERN_DONE || ev.what == KERN_IDLE)
			break;
}

static bool
boot(struct sys *s, struct abi *abi)
{
	struct kern_config kc = { .seed = 5, .max_procs = 32, .max_fuel = 20000000,
				  .max_total_pages = 512, .resolve = abi_resolve,
				  .resolve_ctx = abi };

	memset(s, 0, sizeof *s);
	if (kern_new(&kc, &s->k))
		return false;
	if (!(s->k->root_ns = fs_default_root(1 << 20, 5, NULL)) || task_attach(s->k, s->k->root_ns)
	    || fs_put(s->k->root_ns, "/bin/spin", spin_wasm, sizeof spin_wasm)
	    || fs_put(s->k->root_ns, "/bin/cat", cat_wasm, sizeof cat_wasm)
	    || fs_put(s->k->root_ns, "/bin/hello", hello_wasm, sizeof hello_wasm))
		return false;
	s->ids[s->n++] = maketask(s, "cmd /bin/spin\nstart");
	s->ids[s->n++] = maketask(s, "cmd /bin/cat\nstart");
	s->ids[s->n++] = maketask(s, NULL);
	s->ids[s->n++] = maketask(s, "cmd /bin/hello\nstart");
	run(s, 4);
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct abi *abi;
	struct sys s;
	const uint8_t *p = data, *end = data + size, *z;
	char path[96];
	int records = 0;

	if (!abi && abi_new(&abi))
		return 0;
	if (!boot(&s, abi))
		goto out;
	while (p < end && records++ < MAXRECORDS) {
		unsigned sel, which, file;
		int32_t pid;

		/* The selector itself may be 0: the record's end is the next NUL after it. */
		z = p + 1 < end ? memchr(p + 1, 0, (size_t)(end - p - 1)) : NULL;
		if (!z)
			z = end;
		sel = *p;
		which = sel & 7;
		file = sel >> 3;
		if (which == 6 && s.n < NTASK)
			s.ids[s.n++] = maketask(&s, NULL);
		pid = which < 6 ? s.ids[which % s.n] : which == 6 ? s.ids[s.n - 1] : 999999;
		if (file < sizeof writable / sizeof writable[0]) {
			snprintf(path, sizeof path, "/task/%d/%s", pid, writable[file]);
			hostio(&s, path, true, p + 1, (size_t)(z - p - 1));
		} else {
			file = (file - sizeof writable / sizeof writable[0]) % (sizeof readable /
										sizeof readable[0]);
			snprintf(path, sizeof path, "/task/%d/%s", pid, readable[file]);
			hostio(&s, path, false, NULL, 0);
		}
		run(&s, 1);
		p = z < end ? z + 1 : end;
	}
	run(&s, 8);
out:
	kern_free(s.k);
	return 0;
}
