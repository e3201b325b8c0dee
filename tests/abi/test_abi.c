/*
 * test_abi.c - the guest ABI from the guest's side: tables and the import
 * resolver, guest memory checks, and each call's argument checking and
 * results, called through the same host function objects an instance
 * imports.
 *
 * The fixture is a real kernel with the default root file system, one
 * process (pid from the seed) that is "inside a host call" (k->current),
 * and an instance with one page of memory whose userdata is that process.
 * Calls go through abi_resolve with the type the test spells, so every
 * call also checks that the table row has that signature.
 */
#define _POSIX_C_SOURCE 200809L
#include "abi/abi.h"
#include "fs/fs.h"
#include "kern/file.h"
#include "kern/ipc.h"
#include "kern/kern.h"
#include "unit.h"
#include "at.h"

#include <stdio.h>
#include <stdlib.h>

#define WASI "wasi_snapshot_preview1"
#define WASIX "wasix_32v1"
#define WARREN "warren_v1"
#define PAGE 65536u

/* (module (memory (export "memory") N)), N at MEMMOD_PAGES */
#define MEMMOD_PAGES 12
static const uint8_t memmod[] = {
	0, 'a', 's', 'm', 1, 0, 0, 0,
	5, 3, 1, 0, 1,
	7, 10, 1, 6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0,
};

/* srvfs at /srv of e's root. */
static bool
mount_srv(struct env *e)
{
	struct fs *srv = NULL;
	struct vnode *r;
	int bad;

	if (fs_mkdir(e->k->root_ns, NULL, "/srv", 4) || ipc_srvfs_new(e->k, &srv))
		return false;
	r = fs_root(srv);
	bad = ns_mount(e->k->root_ns, "/srv", 4, r, 0);
	vn_unref(r);
	fs_unref(srv);
	return !bad;
}

bool
at_init(struct env *e, uint32_t max_procs, uint32_t pages, int flags)
{
	struct kern_config cfg = { .seed = 7, .resolve = abi_resolve, .max_procs = max_procs };
	struct vm_config vc = { 0 };
	struct vm_module *mod;
	struct vm_error err;
	uint8_t bytes[sizeof memmod];
	uint64_t size;

	memset(e, 0, sizeof *e);
	if (pages < 1 || pages > 100 || abi_new(&e->abi))
		return false;
	cfg.resolve_ctx = e->abi;
	if (kern_new(&cfg, &e->k))
		return false;
	e->k->root_ns = fs_default_root(0, 42, NULL);
	if (!e->k->root_ns || ((flags & AT_SRV) && !mount_srv(e)) ||
	    proc_alloc(e->k, NULL, &e->p))
		return false;
	memcpy(bytes, memmod, sizeof bytes);
	bytes[MEMMOD_PAGES] = (uint8_t)pages;
	mod = vm_module_load(bytes, sizeof bytes, &err);
	if (!mod)
		return false;
	vc.userdata = e->p;
	e->inst = vm_instantiate(mod, NULL, 0, &vc, &err);
	vm_module_unref(mod);
	if (!e->inst)
		return false;
	e->p->inst = e->inst;
	e->p->state = P_RUNNING;
	e->k->current = e->p;
	e->mem = vm_memory_data(e->inst, &size);
	if (size != (uint64_t)pages * PAGE)
		return false;
	if (!(flags & AT_STDIO))
		return true;
	/* stdin, stdout, stderr: /dev/null, so new fds start at 4 */
	for (int i = 0; i < 3; i++) {
		struct fs_io io = { .opener = e->p };
		struct file *f;
		int32_t fd;

		if (file_open(e->p->ns, NULL, "/dev/null", 9, FS_O_READ | FS_O_WRITE, 0, &io, &f))
			return false;
		fdtab_install(e->p->fds, f, 0, 0, &fd);
		file_unref(f);
	}
	return abi_preopen(e->p) == 0;
}

static bool
env_init(struct env *e)
{
	return at_init(e, 0, 1, AT_STDIO);
}

void
at_resume(struct env *e, bool restarting)
{
	while (e->p->nwaits && e->p->state == P_BLOCKED)
		kern_wakeup(e->k, e->p->waits[0].chan);
	e->p->state = P_RUNNING;
	e->p->restarting = restarting;
}

void
at_free(struct env *e)
{
	if (e->k)
		e->k->current = NULL;
	kern_free(e->k);
	abi_free(e->abi);
}

void
at_mktype(const char *sig, struct vm_functype *t, uint8_t *types)
{
	uint32_t n = 0, np = 0;

	for (const char *s = sig; *s; s++) {
		if (*s == ':') {
			np = n;
			continue;
		}
		types[n++] = *s == 'I' ? VM_I64 : VM_I32;
	}
	if (!strchr(sig, ':'))
		np = n;
	t->nparams = np;
	t->nresults = n - np;
	t->types = types;
	t->key = 0;
}

struct vm_func *
at_lookup(struct env *e, const char *mod, const char *name, const char *sig, struct vm_error *err)
{
	struct vm_import imp = { 0 };
	struct vm_functype t;
	uint8_t types[20];

	at_mktype(sig, &t, types);
	imp.module = (char *)mod;
	imp.module_len = (uint32_t)strlen(mod);
	imp.name = (char *)name;
	imp.name_len = (uint32_t)strlen(name);
	imp.kind = VM_EXT_FUNC;
	return abi_resolve(e->abi, &imp, &t, err);
}

uint32_t
at_call(struct env *e, const char *mod, const char *name, const char *sig, const uint64_t *a,
	size_t na)
{
	struct vm_error err;
	struct vm_func *f = at_lookup(e, mod, name, sig, &err);
	vm_slot args[20] = { 0 };

	if (!f) {
		unit_fail(__FILE__, __LINE__, "%s.%s %s: %s", mod, name, sig, err.msg);
		return UINT32_MAX;
	}
	for (size_t i = 0; i < na && i < f->type->nparams; i++)
		args[i] = a[i];
	e->st = f->host(e->inst, f->host_ctx, args);
	return f->type->nresults ? (uint32_t)args[0] : 0;
}

#define SYS AT_SYS

static void
put(struct env *e, uint32_t at, const void *s, size_t n)
{
	memcpy(e->mem + at, s, n);
}

static uint32_t
rd32(struct env *e, uint32_t at)
{
	return abi_rd32(e->mem + at);
}

static uint64_t
rd64(struct env *e, uint32_t at)
{
	return abi_rd64(e->mem + at);
}

/* An iovec {buf, len} at `at`. */
static void
iov(struct env *e, uint32_t at, uint32_t buf, uint32_t len)
{
	abi_le32(e->mem + at, buf);
	abi_le32(e->mem + at + 4, len);
}

/* path_open(3, follow, path, oflags, rights, fdflags) -> fd or -errno. */
static int64_t
openat3(struct env *e, const char *path, uint32_t oflags, uint64_t rights, uint32_t fdflags)
{
	uint32_t r;

	put(e, 4096, path, strlen(path));
	r = SYS(e, WASI, "path_open", "iiiiiIIii:i", 3, 1, 4096, strlen(path), oflags, rights,
		rights, fdflags, 8000);
	return r ? -(int64_t)r : (int64_t)rd32(e, 8000);
}

#define RIGHTS_RW ((UINT64_C(1) << 1) | (UINT64_C(1) << 6) | (UINT64_C(1) << 2))
#define RIGHTS_RO ((UINT64_C(1) << 1) | (UINT64_C(1) << 14))

/* ---- tables, resolver, docs ------------------------------------------------------ */

TEST(abi_tables_parse)
{
	const struct abi_table *t[] = { &abi_wasi_table, &abi_wasix_table, &abi_warren_table,
					&abi_ns_table, &abi_ipc_table };
	struct env e;
	size_t total = 0;

	CHECK(env_init(&e));
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		for (size_t j = 0; j < t[i]->ncalls; j++) {
			const struct abi_call *c = &t[i]->calls[j];
			char sig[40] = "";
			const char *s = c->params;
			size_t n = 0;
			struct vm_error err;

			/* Spell the row's own signature and resolve it. */
			while ((s = strstr(s, "i")) && n < 30) {
				if (!strncmp(s, "i32 ", 4) || !strncmp(s, "i64 ", 4)) {
					sig[n++] = s[1] == '6' ? 'I' : 'i';
					s += 4;
				} else {
					s++;
				}
			}
			if (!strcmp(c->result, "errno"))
				sig[n++] = ':', sig[n++] = 'i';
			CHECK(at_lookup(&e, t[i]->module, c->name, sig, &err) != NULL);
			CHECK(c->doc && c->doc[0]);
			total++;
		}
	}
	CHECK_EQ_U64(abi_wasi_table.ncalls, 46);
	CHECK_EQ_U64(total, 92);   /* 46 + wasix + warren_v1 (warren.c, ns.c and ipc.c) */
	at_free(&e);
}

TEST(abi_resolve_errors)
{
	struct vm_import imp = { .module = "wasi_snapshot_preview1", .module_len = 22,
				 .name = "fd_write", .name_len = 8, .kind = VM_EXT_MEMORY };
	struct vm_func *a, *b;
	struct vm_error err;
	struct env e;

	CHECK(env_init(&e));
	CHECK(!at_lookup(&e, WASIX, "foo", "i:i", &err));
	CHECK_EQ_U64(err.kind, VM_ERR_LINK);
	CHECK_STR(err.msg, "unknown import wasix_32v1.foo");
	CHECK(!at_lookup(&e, "env", "foo", "i:i", &err));
	CHECK(strstr(err.msg, "unknown import env.foo") != NULL);
	CHECK(!at_lookup(&e, WASI, "fd_write", "iii:i", &err));
	CHECK(strstr(err.msg, "fd_write: type (i32, i32, i32) -> (i32) does not match "
			      "warren's (i32, i32, i32, i32) -> (i32)") != NULL);
	CHECK(!at_lookup(&e, WASI, "fd_write", "iiii", &err));
	CHECK(!at_lookup(&e, WASI, "clock_time_get", "iii:i", &err));  /* precision is i64 */
	CHECK(!abi_resolve(e.abi, &imp, NULL, &err));
	CHECK(strstr(err.msg, "only functions") != NULL);
	/* Names are bytes: a NUL inside never matches a shorter name. */
	imp = (struct vm_import){ .module = "wasi_snapshot_preview1", .module_len = 22,
				  .name = "fd_close\0x", .name_len = 10, .kind = VM_EXT_FUNC };
	{
		struct vm_functype t;
		uint8_t ty[4];

		at_mktype("i:i", &t, ty);
		CHECK(!abi_resolve(e.abi, &imp, &t, &err));
		CHECK(strstr(err.msg, "fd_close?x") != NULL);
	}
	/* The two proc_join forms, told apart by type; one object per form. */
	a = at_lookup(&e, WASIX, "proc_join", "iii:i", &err);
	b = at_lookup(&e, WASIX, "proc_join", "ii:i", &err);
	CHECK(a && b && a != b);
	CHECK(at_lookup(&e, WASIX, "proc_join", "iii:i", &err) == a);
	CHECK(!at_lookup(&e, WASIX, "proc_join", "i:i", &err));
	CHECK(strstr(err.msg, "another form") != NULL);
	/* wasi and wasix fd_renumber are different calls. */
	CHECK(at_lookup(&e, WASI, "fd_renumber", "ii:i", &err) !=
	      at_lookup(&e, WASIX, "fd_renumber", "ii:i", &err));
	at_free(&e);
}

TEST(abi_doc_current)
{
	char *doc = abi_doc();
	const char *regen = getenv("WARREN_REGEN_DOCS");
	FILE *f;

	CHECK(doc != NULL);
	if (!doc)
		return;
	CHECK(strstr(doc, "| `proc_spawn2` |") != NULL);
	CHECK(strstr(doc, "## `warren_v1` (13 calls)") != NULL);
	if (regen && *regen) {
		f = fopen("docs/syscalls.md", "w");
		CHECK(f != NULL);
		if (f) {
			fputs(doc, f);
			fclose(f);
		}
	} else {
		char *have = malloc(strlen(doc) + 2);
		size_t n = 0;

		f = fopen("docs/syscalls.md", "r");
		if (!f || !have) {
			unit_fail(__FILE__, __LINE__, "docs/syscalls.md missing (run from the "
				  "repository root)");
		} else {
			n = fread(have, 1, strlen(doc) + 1, f);
			if (n != strlen(doc) || memcmp(have, doc, n))
				unit_fail(__FILE__, __LINE__, "docs/syscalls.md is out of date: "
					  "WARREN_REGEN_DOCS=1 build/unit-tests abi_doc_current");
		}
		if (f)
			fclose(f);
		free(have);
	}
	free(doc);
}

/* ---- guest memory ------------------------------------------------------------------ */

TEST(abi_mem_bounds)
{
	struct env e;
	struct abi_cx cx;
	uint32_t v;
	uint64_t total;
	char buf[16];
	char **vec;

	CHECK(env_init(&e));
	cx = (struct abi_cx){ .inst = e.inst, .p = e.p, .abi = e.abi, .mem = e.mem,
			      .memsize = PAGE };
	CHECK(abi_check(&cx, 0, PAGE) == 0);
	CHECK(abi_check(&cx, PAGE, 0) == 0);
	CHECK(abi_check(&cx, PAGE - 4, 4) == 0);
	CHECK_EQ_U64(abi_check(&cx, PAGE - 3, 4), E_FAULT);
	CHECK_EQ_U64(abi_check(&cx, PAGE + 1, 0), E_FAULT);
	CHECK_EQ_U64(abi_check(&cx, UINT32_MAX, 2), E_FAULT);   /* no wrap-around */
	CHECK_EQ_U64(abi_check(&cx, 1, UINT64_MAX), E_FAULT);
	CHECK(abi_mem(&cx, UINT32_MAX - 3, 8) == NULL);
	CHECK_EQ_U64(abi_get32(&cx, PAGE - 2, &v), E_FAULT);
	CHECK_EQ_U64(abi_put64(&cx, PAGE - 7, 1), E_FAULT);
	CHECK(abi_put32(&cx, 3, 0x11223344) == 0);              /* unaligned is fine */
	CHECK_EQ_U64(e.mem[3], 0x44);
	CHECK(abi_get32(&cx, 3, &v) == 0 && v == 0x11223344);
	/* Paths: copied and NUL-terminated; too long before any access. */
	put(&e, 100, "abc", 3);
	CHECK(abi_path(&cx, 100, 3, buf, sizeof buf) == 0 && !strcmp(buf, "abc"));
	CHECK_EQ_U64(abi_path(&cx, PAGE - 1, 3, buf, sizeof buf), E_FAULT);
	CHECK_EQ_U64(abi_path(&cx, 0, FS_PATH_MAX + 1, buf, sizeof buf), E_NAMETOOLONG);
	CHECK_EQ_U64(abi_path(&cx, 0, 16, buf, sizeof buf), E_NAMETOOLONG);
	/* iovecs: the array and each buffer, entry by entry. */
	iov(&e, 200, 300, 10);
	iov(&e, 208, PAGE - 5, 5);
	CHECK(abi_iovecs(&cx, 200, 2, &total) == 0 && total == 15);
	iov(&e, 208, PAGE - 5, 6);
	CHECK_EQ_U64(abi_iovecs(&cx, 200, 2, &total), E_FAULT);
	CHECK_EQ_U64(abi_iovecs(&cx, PAGE - 8, 2, &total), E_FAULT);
	CHECK_EQ_U64(abi_iovecs(&cx, 0, ABI_IOV_MAX + 1, &total), E_INVAL);
	CHECK_EQ_U64(abi_iovecs(&cx, UINT32_MAX, 1, &total), E_FAULT);
	iov(&e, 208, 0, 0);
	CHECK(abi_iovecs(&cx, 200, 2, &total) == 0 && total == 10);
	/* \n-separated vectors. */
	put(&e, 400, "ls\n-l\n\n/tmp\n", 12);
	CHECK(abi_strvec(&cx, 400, 12, 100, &vec) == 0);
	CHECK(vec && !strcmp(vec[0], "ls") && !strcmp(vec[1], "-l") && !strcmp(vec[2], "") &&
	      !strcmp(vec[3], "/tmp") && vec[4] == NULL);
	free(vec);
	CHECK(abi_strvec(&cx, 400, 11, 100, &vec) == 0 && vec && !strcmp(vec[3], "/tmp"));
	free(vec);
	CHECK(abi_strvec(&cx, 400, 0, 100, &vec) == 0 && vec && vec[0] == NULL);
	free(vec);
	CHECK_EQ_U64(abi_strvec(&cx, 400, 12, 11, &vec), E_2BIG);
	CHECK_EQ_U64(abi_strvec(&cx, PAGE - 2, 12, 100, &vec), E_FAULT);
	at_free(&e);
}

/* ---- wasi_snapshot_preview1 ---------------------------------------------------------- */

TEST(abi_wasi_args_environ)
{
	char *argv[] = { "prog", "a b", NULL }, *envp[] = { "K=V", NULL };
	struct env e;

	CHECK(env_init(&e));
	free(e.p->argv);
	free(e.p->envp);
	e.p->argv = malloc(sizeof argv);
	e.p->envp = malloc(sizeof envp);
	memcpy(e.p->argv, argv, sizeof argv);
	memcpy(e.p->envp, envp, sizeof envp);
	e.p->argc = 2;
	e.p->envc = 1;
	CHECK_EQ_U64(SYS(&e, WASI, "args_sizes_get", "ii:i", 100, 104), 0);
	CHECK_EQ_U64(rd32(&e, 100), 2);
	CHECK_EQ_U64(rd32(&e, 104), 9);
	CHECK_EQ_U64(SYS(&e, WASI, "args_get", "ii:i", 200, 300), 0);
	CHECK_EQ_U64(rd32(&e, 200), 300);
	CHECK_EQ_U64(rd32(&e, 204), 305);
	CHECK_STR((char *)e.mem + 305, "a b");
	CHECK_EQ_U64(SYS(&e, WASI, "args_get", "ii:i", 200, PAGE - 8), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "args_get", "ii:i", PAGE - 4, 300), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "args_sizes_get", "ii:i", 100, PAGE), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "environ_sizes_get", "ii:i", 100, 104), 0);
	CHECK_EQ_U64(rd32(&e, 100), 1);
	CHECK_EQ_U64(rd32(&e, 104), 4);
	CHECK_EQ_U64(SYS(&e, WASI, "environ_get", "ii:i", 200, 300), 0);
	CHECK_STR((char *)e.mem + 300, "K=V");
	/* The strings were not ours to free (static): hand back empty vectors. */
	e.p->argv[0] = NULL;
	e.p->envp[0] = NULL;
	e.p->argc = e.p->envc = 0;
	at_free(&e);
}

TEST(abi_wasi_clocks_random)
{
	struct env e;

	CHECK(env_init(&e));
	CHECK_EQ_U64(SYS(&e, WASI, "clock_time_get", "iIi:i", 0, 1, 100), 0);
	CHECK(rd64(&e, 100) > UINT64_C(1600000000) * 1000000000);
	CHECK_EQ_U64(SYS(&e, WASI, "clock_time_get", "iIi:i", 1, 1, 100), 0);
	e.p->fuel = 12345;
	CHECK_EQ_U64(SYS(&e, WASI, "clock_time_get", "iIi:i", 2, 1, 100), 0);
	CHECK_EQ_U64(rd64(&e, 100), 12345);
	CHECK_EQ_U64(SYS(&e, WASI, "clock_time_get", "iIi:i", 4, 1, 100), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASI, "clock_time_get", "iIi:i", 0, 1, PAGE - 4), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "clock_res_get", "ii:i", 3, 100), 0);
	CHECK_EQ_U64(rd64(&e, 100), 1);
	CHECK_EQ_U64(SYS(&e, WASI, "clock_res_get", "ii:i", 9, 100), E_INVAL);
	memset(e.mem + 200, 0, 64);
	CHECK_EQ_U64(SYS(&e, WASI, "random_get", "ii:i", 200, 64), 0);
	CHECK(rd64(&e, 200) || rd64(&e, 208));
	CHECK_EQ_U64(SYS(&e, WASI, "random_get", "ii:i", PAGE - 10, 64), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "random_get", "ii:i", 0, 0), 0);
	at_free(&e);
}

TEST(abi_wasi_preopen)
{
	struct env e;

	CHECK(env_init(&e));
	CHECK_EQ_U64(SYS(&e, WASI, "fd_prestat_get", "ii:i", 3, 100), 0);
	CHECK_EQ_U64(e.mem[100], 0);
	CHECK_EQ_U64(rd32(&e, 104), 1);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_prestat_dir_name", "iii:i", 3, 200, 1), 0);
	CHECK_EQ_U64(e.mem[200], '/');
	CHECK_EQ_U64(SYS(&e, WASI, "fd_prestat_dir_name", "iii:i", 3, 200, 0), E_NAMETOOLONG);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_prestat_get", "ii:i", 4, 100), E_BADF);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_prestat_get", "ii:i", 0, 100), E_BADF);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_prestat_get", "ii:i", 3, PAGE - 4), E_FAULT);
	/* The root's fdstat lets wasi-libc inherit every right. */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_fdstat_get", "ii:i", 3, 100), 0);
	CHECK_EQ_U64(e.mem[100], 3);
	CHECK_EQ_U64(rd64(&e, 116), (UINT64_C(1) << 30) - 1);
	/* fd 3 taken: no second preopen. */
	CHECK_EQ_U64(abi_preopen(e.p), E_BADF);
	/* A directory other than the root at fd 3 is no preopen. */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_close", "i:i", 3), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_prestat_get", "ii:i", 3, 100), E_BADF);
	CHECK_EQ_U64(abi_preopen(e.p), 0);
	at_free(&e);
}

TEST(abi_wasi_files)
{
	struct env e;
	int64_t fd, fd2;

	CHECK(env_init(&e));
	/* create, write, seek, read */
	fd = openat3(&e, "tmp/a", 1, RIGHTS_RW, 0);
	CHECK(fd >= 4);
	put(&e, 300, "hello, world", 12);
	iov(&e, 200, 300, 5);
	iov(&e, 208, 305, 7);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_write", "iiii:i", fd, 200, 2, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 12);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_tell", "ii:i", fd, 100), 0);
	CHECK_EQ_U64(rd64(&e, 100), 12);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_seek", "iIii:i", fd, (uint64_t)-5, 1, 100), 0);
	CHECK_EQ_U64(rd64(&e, 100), 7);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_seek", "iIii:i", fd, 0, 3, 100), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_seek", "iIii:i", fd, 0, 0, PAGE - 1), E_FAULT);
	iov(&e, 200, 400, 100);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_read", "iiii:i", fd, 200, 1, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 5);
	CHECK(!memcmp(e.mem + 400, "world", 5));
	CHECK_EQ_U64(SYS(&e, WASI, "fd_pread", "iiiIi:i", fd, 200, 1, 7, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 5);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_pread", "iiiIi:i", fd, 200, 1, (uint64_t)-1, 100),
		     E_INVAL);
	/* bad pointers: nothing moves */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_write", "iiii:i", fd, 200, 1, PAGE - 2), E_FAULT);
	iov(&e, 200, PAGE - 4, 5);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_write", "iiii:i", fd, 200, 1, 100), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_read", "iiii:i", fd, PAGE - 4, 1, 100), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_write", "iiii:i", fd, 200, ABI_IOV_MAX + 1, 100),
		     E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_write", "iiii:i", 99, 200, 0, 100), E_BADF);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_write", "iiii:i", (uint64_t)-1, 200, 0, 100), E_BADF);
	/* stat */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_filestat_get", "ii:i", fd, 500), 0);
	CHECK_EQ_U64(e.mem[516], 4);
	CHECK_EQ_U64(rd64(&e, 532), 12);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_filestat_set_size", "iI:i", fd, 3), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_filestat_get", "ii:i", fd, 500), 0);
	CHECK_EQ_U64(rd64(&e, 532), 3);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_filestat_set_times", "iIIi:i", fd, 0, 0, 16), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_filestat_set_times", "iIIi:i", fd, 5, 0, 1), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_filestat_get", "ii:i", fd, 500), 0);
	CHECK_EQ_U64(rd64(&e, 540), 5);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_allocate", "iII:i", fd, 0, 100), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_filestat_get", "ii:i", fd, 500), 0);
	CHECK_EQ_U64(rd64(&e, 532), 100);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_advise", "iIIi:i", fd, 0, 0, 6), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_advise", "iIIi:i", fd, 0, 0, 1), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_sync", "i:i", fd), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_datasync", "i:i", fd), 0);
	/* fdstat: a regular file open read-write, with seek */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_fdstat_get", "ii:i", fd, 500), 0);
	CHECK_EQ_U64(e.mem[500], 4);
	CHECK((rd64(&e, 508) & RIGHTS_RW) == RIGHTS_RW);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_fdstat_set_flags", "ii:i", fd, 1), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_fdstat_get", "ii:i", fd, 500), 0);
	CHECK_EQ_U64(rd32(&e, 502) & 0xffff, 1);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_fdstat_set_flags", "ii:i", fd, 0x20), E_INVAL);
	/* rights only shrink */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_fdstat_set_rights", "iII:i", fd, RIGHTS_RW, 0), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_fdstat_set_rights", "iII:i", fd, UINT64_C(1) << 14, 0),
		     E_NOTCAPABLE);
	/* a read-only open has no write right; EXCL on an existing file */
	fd2 = openat3(&e, "tmp/a", 0, RIGHTS_RO, 0);
	CHECK(fd2 > fd);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_fdstat_get", "ii:i", fd2, 500), 0);
	CHECK((rd64(&e, 508) & (UINT64_C(1) << 6)) == 0);
	iov(&e, 200, 300, 1);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_write", "iiii:i", fd2, 200, 1, 100), E_BADF);
	CHECK_EQ_U64(openat3(&e, "tmp/a", 1 | 4, RIGHTS_RW, 0), -(int64_t)E_EXIST);
	CHECK_EQ_U64(openat3(&e, "tmp/a", 2, RIGHTS_RO, 0), -(int64_t)E_NOTDIR);
	CHECK_EQ_U64(openat3(&e, "tmp/nope", 0, RIGHTS_RO, 0), -(int64_t)E_NOENT);
	CHECK_EQ_U64(openat3(&e, "tmp/a", 16, RIGHTS_RO, 0), -(int64_t)E_INVAL);
	CHECK_EQ_U64(openat3(&e, "tmp/a", 0, RIGHTS_RO, 0x40), -(int64_t)E_INVAL);
	/* renumber (preview1): `to` takes `from`'s file, `from` closes */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_renumber", "ii:i", fd2, fd), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_close", "i:i", fd2), E_BADF);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_close", "i:i", fd), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_close", "i:i", fd), E_BADF);
	at_free(&e);
}

TEST(abi_wasi_paths)
{
	struct env e;
	int64_t fd;

	CHECK(env_init(&e));
	put(&e, 100, "tmp/d", 5);
	CHECK_EQ_U64(SYS(&e, WASI, "path_create_directory", "iii:i", 3, 100, 5), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "path_create_directory", "iii:i", 3, 100, 5), E_EXIST);
	CHECK_EQ_U64(SYS(&e, WASI, "path_create_directory", "iii:i", 3, PAGE - 2, 5), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "path_create_directory", "iii:i", 3, 100, FS_PATH_MAX + 1),
		     E_NAMETOOLONG);
	CHECK_EQ_U64(SYS(&e, WASI, "path_create_directory", "iii:i", 0, 100, 5), E_NOTDIR);
	CHECK_EQ_U64(SYS(&e, WASI, "path_create_directory", "iii:i", 77, 100, 5), E_BADF);
	CHECK_EQ_U64(SYS(&e, WASI, "path_filestat_get", "iiiii:i", 3, 1, 100, 5, 500), 0);
	CHECK_EQ_U64(e.mem[516], 3);
	CHECK_EQ_U64(SYS(&e, WASI, "path_filestat_get", "iiiii:i", 3, 2, 100, 5, 500), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASI, "path_filestat_get", "iiiii:i", 3, 1, 100, 5, PAGE - 63),
		     E_FAULT);
	/* relative to a directory fd; a file is no directory */
	fd = openat3(&e, "tmp/d", 2, RIGHTS_RO, 0);
	CHECK(fd >= 4);
	put(&e, 100, "f", 1);
	CHECK_EQ_U64(SYS(&e, WASI, "path_open", "iiiiiIIii:i", fd, 1, 100, 1, 1, RIGHTS_RW,
			 RIGHTS_RW, 0, 8000), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "path_create_directory", "iii:i", rd32(&e, 8000), 100, 1),
		     E_NOTDIR);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_close", "i:i", rd32(&e, 8000)), 0);
	put(&e, 100, "tmp/d/f", 7);
	CHECK_EQ_U64(SYS(&e, WASI, "path_filestat_get", "iiiii:i", 3, 0, 100, 7, 500), 0);
	CHECK_EQ_U64(e.mem[516], 4);
	/* symlink + readlink, cut at the buffer */
	put(&e, 200, "d/f", 3);
	put(&e, 300, "tmp/l", 5);
	CHECK_EQ_U64(SYS(&e, WASI, "path_symlink", "iiiii:i", 200, 3, 3, 300, 5), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "path_readlink", "iiiiii:i", 3, 300, 5, 600, 10, 700), 0);
	CHECK_EQ_U64(rd32(&e, 700), 3);
	CHECK(!memcmp(e.mem + 600, "d/f", 3));
	CHECK_EQ_U64(SYS(&e, WASI, "path_readlink", "iiiiii:i", 3, 300, 5, 600, 2, 700), 0);
	CHECK_EQ_U64(rd32(&e, 700), 2);
	CHECK_EQ_U64(SYS(&e, WASI, "path_readlink", "iiiiii:i", 3, 300, 5, PAGE - 1, 10, 700),
		     E_FAULT);
	/* lookupflags: without follow the link itself */
	CHECK_EQ_U64(SYS(&e, WASI, "path_filestat_get", "iiiii:i", 3, 0, 300, 5, 500), 0);
	CHECK_EQ_U64(e.mem[516], 7);
	CHECK_EQ_U64(SYS(&e, WASI, "path_filestat_get", "iiiii:i", 3, 1, 300, 5, 500), 0);
	CHECK_EQ_U64(e.mem[516], 4);
	CHECK_EQ_U64(openat3(&e, "tmp/l", 0, RIGHTS_RO, 0) >= 0, 1);
	put(&e, 4096, "tmp/l", 5);
	CHECK_EQ_U64(SYS(&e, WASI, "path_open", "iiiiiIIii:i", 3, 0, 4096, 5, 0, RIGHTS_RO,
			 RIGHTS_RO, 0, 8000), E_LOOP);
	/* link, rename, unlink, rmdir */
	put(&e, 400, "tmp/h", 5);
	CHECK_EQ_U64(SYS(&e, WASI, "path_link", "iiiiiii:i", 3, 0, 100, 7, 3, 400, 5), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "path_filestat_get", "iiiii:i", 3, 0, 400, 5, 500), 0);
	CHECK_EQ_U64(rd64(&e, 524), 2);
	put(&e, 450, "tmp/g", 5);
	CHECK_EQ_U64(SYS(&e, WASI, "path_rename", "iiiiii:i", 3, 400, 5, 3, 450, 5), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "path_unlink_file", "iii:i", 3, 400, 5), E_NOENT);
	CHECK_EQ_U64(SYS(&e, WASI, "path_unlink_file", "iii:i", 3, 450, 5), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "path_unlink_file", "iii:i", 3, 100, 7), 0);
	put(&e, 100, "tmp/d", 5);
	CHECK_EQ_U64(SYS(&e, WASI, "path_unlink_file", "iii:i", 3, 100, 5), E_ISDIR);
	CHECK_EQ_U64(SYS(&e, WASI, "path_remove_directory", "iii:i", 3, 100, 5), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "path_filestat_set_times", "iiiiIIi:i", 3, 0, 300, 5, 1, 2, 5),
		     0);
	CHECK_EQ_U64(SYS(&e, WASI, "path_filestat_set_times", "iiiiIIi:i", 3, 0, 300, 5, 1, 2,
			 3), E_INVAL);
	/* paths with a NUL byte are malformed, absolute ones start at the root */
	put(&e, 100, "tmp\0x", 5);
	CHECK_EQ_U64(SYS(&e, WASI, "path_create_directory", "iii:i", 3, 100, 5), E_INVAL);
	put(&e, 100, "/tmp/abs", 8);
	CHECK_EQ_U64(SYS(&e, WASI, "path_create_directory", "iii:i", fd, 100, 8), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "path_filestat_get", "iiiii:i", 3, 0, 100 + 1, 7, 500), 0);
	at_free(&e);
}

TEST(abi_wasi_readdir)
{
	struct env e;
	int64_t fd;
	uint32_t used, at = 0, n = 0;
	bool seen_x = false;

	CHECK(env_init(&e));
	CHECK(openat3(&e, "tmp/x", 1, RIGHTS_RW, 0) >= 0);
	CHECK(openat3(&e, "tmp/yy", 1, RIGHTS_RW, 0) >= 0);
	fd = openat3(&e, "tmp", 2, RIGHTS_RO, 0);
	CHECK(fd >= 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_readdir", "iiiIi:i", fd, 1000, 1000, 0, 100), 0);
	used = rd32(&e, 100);
	while (at + 24 <= used) {
		uint32_t nl = rd32(&e, 1000 + at + 16);

		if (nl == 1 && e.mem[1000 + at + 24] == 'x') {
			seen_x = true;
			CHECK_EQ_U64(e.mem[1000 + at + 20], 4);
		}
		at += 24 + nl;
		n++;
	}
	CHECK_EQ_U64(n, 4);    /* . .. x yy */
	CHECK(seen_x);
	/* a small buffer is filled to the brim: the last entry is cut */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_readdir", "iiiIi:i", fd, 1000, 30, 0, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 30);
	/* resume from a cookie: the entries after "." */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_readdir", "iiiIi:i", fd, 1000, 1000, rd64(&e, 1000), 100),
		     0);
	CHECK_EQ_U64(rd32(&e, 100), used - 25);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_readdir", "iiiIi:i", fd, 1000, 1000, 0, PAGE - 2), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_readdir", "iiiIi:i", fd, PAGE - 10, 1000, 0, 100), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_readdir", "iiiIi:i", 99, 1000, 1000, 0, 100), E_BADF);
	fd = openat3(&e, "tmp/x", 0, RIGHTS_RO, 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_readdir", "iiiIi:i", fd, 1000, 1000, 0, 100), E_NOTDIR);
	at_free(&e);
}

TEST(abi_wasi_pipe_blocking)
{
	struct env e;
	uint32_t a, b;

	CHECK(env_init(&e));
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_pipe", "ii:i", 100, 104), 0);
	a = rd32(&e, 100);
	b = rd32(&e, 104);
	CHECK(a == 4 && b == 5);
	/* reading an empty pipe puts the process to sleep, writing nothing */
	abi_le32(e.mem + 200, 0xdeadbeef);
	iov(&e, 300, 400, 16);
	SYS(&e, WASI, "fd_read", "iiii:i", a, 300, 1, 200);
	CHECK_EQ_U64(e.st, VM_BLOCK);
	CHECK_EQ_U64(e.p->state, P_BLOCKED);
	CHECK_EQ_U64(e.p->nwaits, 1);
	CHECK_EQ_U64(rd32(&e, 200), 0xdeadbeef);
	/* re-executed without data: asleep again */
	at_resume(&e, true);
	SYS(&e, WASI, "fd_read", "iiii:i", a, 300, 1, 200);
	CHECK_EQ_U64(e.st, VM_BLOCK);
	/* poll: not ready, so it sleeps too */
	memset(e.mem + 1000, 0, 48);
	e.mem[1008] = 1;                 /* fd_read */
	abi_le32(e.mem + 1016, a);
	at_resume(&e, true);
	SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 1, 200);
	CHECK_EQ_U64(e.st, VM_BLOCK);
	CHECK_EQ_U64(e.p->state, P_BLOCKED);
	/* a write wakes it; the re-executed calls succeed */
	at_resume(&e, true);
	put(&e, 500, "ping", 4);
	iov(&e, 310, 500, 4);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_write", "iiii:i", b, 310, 1, 204), 0);
	CHECK_EQ_U64(e.st, VM_OK);
	CHECK_EQ_U64(rd32(&e, 204), 4);
	CHECK_EQ_U64(SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 1, 200), 0);
	CHECK_EQ_U64(e.st, VM_OK);
	CHECK_EQ_U64(rd32(&e, 200), 1);
	CHECK_EQ_U64(e.mem[2010], 1);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_read", "iiii:i", a, 300, 1, 200), 0);
	CHECK_EQ_U64(rd32(&e, 200), 4);
	CHECK(!memcmp(e.mem + 400, "ping", 4));
	/* the pipe is duplex (WASIX): the other way round works too */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_write", "iiii:i", a, 310, 1, 204), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_read", "iiii:i", b, 300, 1, 200), 0);
	CHECK_EQ_U64(rd32(&e, 200), 4);
	/* hang-up: with the writer gone, read readiness carries HANGUP and EOF */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_close", "i:i", b), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 1, 200), 0);
	CHECK_EQ_U64(rd32(&e, 2024) & 0xffff, 1);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_read", "iiii:i", a, 300, 1, 200), 0);
	CHECK_EQ_U64(rd32(&e, 200), 0);
	/* pipes: no seek, no pread */
	CHECK_EQ_U64(SYS(&e, WASI, "fd_seek", "iIii:i", a, 0, 0, 100), E_SPIPE);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_pread", "iiiIi:i", a, 300, 1, 0, 100), E_SPIPE);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_advise", "iIIi:i", a, 0, 0, 0), E_SPIPE);
	at_free(&e);
}

TEST(abi_wasi_poll)
{
	struct env e;
	uint64_t now;

	CHECK(env_init(&e));
	CHECK_EQ_U64(SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 0, 200), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 4097, 200), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASI, "poll_oneoff", "iiii:i", PAGE - 40, 2000, 1, 200), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, PAGE - 31, 1, 200), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 1, PAGE - 3), E_FAULT);
	/* a relative clock of 0 fires at once; userdata comes back */
	memset(e.mem + 1000, 0, 96);
	abi_le64(e.mem + 1000, 0x1234);
	abi_le32(e.mem + 1016, 1);
	CHECK_EQ_U64(SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 1, 200), 0);
	CHECK_EQ_U64(rd32(&e, 200), 1);
	CHECK_EQ_U64(rd64(&e, 2000), 0x1234);
	CHECK_EQ_U64(e.mem[2010], 0);
	/* a second of sleep: the process sleeps with a deadline */
	abi_le64(e.mem + 1024, 1000000000);
	now = kern_now(e.k);
	SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 1, 200);
	CHECK_EQ_U64(e.st, VM_BLOCK);
	CHECK(e.p->wake_at >= now + 1000000000 && e.p->wake_at < now + 2000000000);
	/* woken early, the re-execution keeps the same deadline */
	now = e.p->wake_at;
	at_resume(&e, true);
	SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 1, 200);
	CHECK_EQ_U64(e.st, VM_BLOCK);
	CHECK_EQ_U64(e.p->wake_at, now);
	/* an unknown clock, a bad fd, a bad tag: each an event with its error */
	at_resume(&e, true);
	e.p->restarting = false;
	abi_le32(e.mem + 1016, 9);
	e.mem[1048 + 8] = 1;
	abi_le32(e.mem + 1048 + 16, 77);
	CHECK_EQ_U64(SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 2, 200), 0);
	CHECK_EQ_U64(rd32(&e, 200), 2);
	CHECK_EQ_U64(rd32(&e, 2008) & 0xffff, E_INVAL);
	CHECK_EQ_U64(rd32(&e, 2040) & 0xffff, E_BADF);
	e.mem[1008] = 7;
	CHECK_EQ_U64(SYS(&e, WASI, "poll_oneoff", "iiii:i", 1000, 2000, 1, 200), 0);
	CHECK_EQ_U64(rd32(&e, 2008) & 0xffff, E_INVAL);
	at_free(&e);
}

TEST(abi_wasi_proc)
{
	struct env e;

	CHECK(env_init(&e));
	CHECK_EQ_U64(SYS(&e, WASI, "proc_exit", "i", 3), 0);
	CHECK_EQ_U64(e.st, VM_EXIT);
	CHECK_EQ_U64(vm_exit_status(e.inst), 3);
	CHECK_EQ_U64(SYS(&e, WASI, "proc_raise", "i:i", 0), 0);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_raise", "i:i", 0), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "proc_raise", "i:i", 65), E_INVAL);
	/* sched_yield: the first try goes to the back of the queue */
	SYS(&e, WASI, "sched_yield", ":i", 0);
	CHECK_EQ_U64(e.st, VM_BLOCK);
	CHECK_EQ_U64(e.p->state, P_RUNNING);    /* not asleep: just requeued */
	e.p->restarting = true;
	CHECK_EQ_U64(SYS(&e, WASI, "sched_yield", ":i", 0), 0);
	CHECK_EQ_U64(e.st, VM_OK);
	CHECK_EQ_U64(SYS(&e, WASI, "sock_accept", "iii:i", 3, 0, 100), E_NOTSUP);
	CHECK_EQ_U64(SYS(&e, WASI, "sock_recv", "iiiiii:i", 50, 0, 0, 0, 0, 0), E_BADF);
	CHECK_EQ_U64(SYS(&e, WASI, "sock_send", "iiiii:i", 3, 0, 0, 0, 0), E_NOTSUP);
	CHECK_EQ_U64(SYS(&e, WASI, "sock_shutdown", "ii:i", 3, 0), E_NOTSUP);
	at_free(&e);
}

/* ---- wasix_32v1 ------------------------------------------------------------------------ */

TEST(abi_wasix_fds)
{
	struct env e;
	uint32_t a, b;

	CHECK(env_init(&e));
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_pipe", "ii:i", 100, PAGE - 2), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_pipe", "ii:i", 100, 104), 0);
	a = rd32(&e, 100);
	b = rd32(&e, 104);
	CHECK_EQ_U64(a, 4);   /* the failed call left no fds behind */
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_dup", "ii:i", a, 108), 0);
	CHECK_EQ_U64(rd32(&e, 108), 6);
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_dup", "ii:i", 99, 108), E_BADF);
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_dup", "ii:i", a, PAGE), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_dup2", "iiii:i", a, 10, 1, 108), 0);
	CHECK_EQ_U64(rd32(&e, 108), 10);
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_fdflags_get", "ii:i", 10, 112), 0);
	CHECK_EQ_U64(e.mem[112], 1);
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_fdflags_set", "ii:i", 10, 0), 0);
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_fdflags_get", "ii:i", 10, 112), 0);
	CHECK_EQ_U64(e.mem[112], 0);
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_fdflags_set", "ii:i", 10, 2), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_fdflags_get", "ii:i", 10, PAGE - 1), E_FAULT);
	/* WASIX renumber is dup2: `from` stays open */
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_renumber", "ii:i", b, 20), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_close", "i:i", b), 0);
	CHECK_EQ_U64(SYS(&e, WASI, "fd_close", "i:i", 20), 0);
	CHECK_EQ_U64(SYS(&e, WASIX, "fd_renumber", "ii:i", 55, 20), E_BADF);
	at_free(&e);
}

TEST(abi_wasix_cwd)
{
	struct env e;

	CHECK(env_init(&e));
	abi_le32(e.mem + 100, 64);
	CHECK_EQ_U64(SYS(&e, WASIX, "getcwd", "ii:i", 200, 100), 0);
	CHECK_STR((char *)e.mem + 200, "/");
	CHECK_EQ_U64(rd32(&e, 100), 1);
	put(&e, 300, "tmp", 3);
	CHECK_EQ_U64(SYS(&e, WASIX, "chdir", "ii:i", 300, 3), 0);
	abi_le32(e.mem + 100, 64);
	CHECK_EQ_U64(SYS(&e, WASIX, "getcwd", "ii:i", 200, 100), 0);
	CHECK_STR((char *)e.mem + 200, "/tmp");
	abi_le32(e.mem + 100, 4);
	CHECK_EQ_U64(SYS(&e, WASIX, "getcwd", "ii:i", 200, 100), E_RANGE);
	CHECK_EQ_U64(rd32(&e, 100), 5);
	abi_le32(e.mem + 100, 64);
	CHECK_EQ_U64(SYS(&e, WASIX, "getcwd", "ii:i", PAGE - 10, 100), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASIX, "getcwd", "ii:i", 200, PAGE - 1), E_FAULT);
	/* paths relative to fd 3 stay root-relative whatever the cwd */
	CHECK(openat3(&e, "tmp/f", 1, RIGHTS_RW, 0) >= 0);
	put(&e, 300, "f", 1);
	CHECK_EQ_U64(SYS(&e, WASIX, "chdir", "ii:i", 300, 1), E_NOTDIR);
	put(&e, 300, "..", 2);
	CHECK_EQ_U64(SYS(&e, WASIX, "chdir", "ii:i", 300, 2), 0);
	put(&e, 300, "nope", 4);
	CHECK_EQ_U64(SYS(&e, WASIX, "chdir", "ii:i", 300, 4), E_NOENT);
	CHECK_EQ_U64(SYS(&e, WASIX, "chdir", "ii:i", PAGE - 1, 4), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASIX, "chdir", "ii:i", 0, FS_PATH_MAX + 1), E_NAMETOOLONG);
	at_free(&e);
}

TEST(abi_wasix_proc)
{
	struct env e;

	CHECK(env_init(&e));
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_id", "i:i", 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), (uint32_t)e.p->pid);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_id", "i:i", PAGE - 3), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_parent", "ii:i", 0, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 0);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_parent", "ii:i", 424242, 100), E_SRCH);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_signal", "ii:i", 424242, 15), E_SRCH);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_signal", "ii:i", e.p->pid, 65), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_signal", "ii:i", e.p->pid, 0), 0);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_signal", "ii:i", (uint64_t)-424242, 0), E_SRCH);
	/* join: no children; a bad tag; bad flags; bad pointers */
	memset(e.mem + 100, 0, 16);
	e.mem[200] = 0xaa;
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_join", "iii:i", 100, 0, 200), E_CHILD);
	CHECK_EQ_U64(e.mem[200], 0);
	CHECK_EQ_U64(e.mem[100], 0);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_join", "ii:i", 100, 200), E_CHILD);
	e.mem[100] = 2;
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_join", "iii:i", 100, 0, 200), E_INVAL);
	e.mem[100] = 1;
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_join", "iii:i", 100, 4, 200), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_join", "iii:i", 100, 0, PAGE - 5), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_join", "iii:i", PAGE - 7, 0, 200), E_FAULT);
	/* raise_interval: SIGALRM only */
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_raise_interval", "iIi:i", 14, 1000, 0), 0);
	CHECK(e.p->alarm_at > 0);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_raise_interval", "iIi:i", 14, 0, 0), 0);
	CHECK_EQ_U64(e.p->alarm_at, 0);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_raise_interval", "iIi:i", 10, 5, 0), E_NOTSUP);
	/* callback_signal: no export of that name, nothing registered */
	put(&e, 300, "nothere", 7);
	e.p->sig_handler = -1;
	SYS(&e, WASIX, "callback_signal", "ii", 300, 7);
	CHECK_EQ_U64(e.st, VM_OK);
	CHECK_EQ_I64(e.p->sig_handler, -1);
	SYS(&e, WASIX, "callback_signal", "ii", PAGE - 1, 7);
	CHECK_EQ_U64(e.st, VM_OK);
	at_free(&e);
}

TEST(abi_wasix_exec_spawn_errors)
{
	struct env e;
	uint8_t *op;

	CHECK(env_init(&e));
	put(&e, 100, "/bin/nothing", 12);
	put(&e, 200, "nothing\narg", 11);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_exec3", "iiiiiiiii:i", 100, 12, 200, 11, 0, 0, 0, 0, 0),
		     E_NOENT);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_exec3", "iiiiiiiii:i", PAGE - 4, 12, 200, 11, 0, 0, 0,
			 0, 0), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_exec3", "iiiiiiiii:i", 100, 12, 200, 11, PAGE, 1, 0, 0,
			 0), E_FAULT);
	put(&e, 300, "nothing", 7);
	put(&e, 400, "/bin:/tmp::", 11);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_exec3", "iiiiiiiii:i", 300, 7, 200, 11, 0, 0, 1, 400,
			 11), E_NOENT);
	/* a directory is found but cannot run */
	put(&e, 300, "tmp", 3);
	put(&e, 400, "/", 1);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_exec3", "iiiiiiiii:i", 300, 3, 200, 11, 0, 0, 1, 400,
			 1), E_ACCES);
	/* proc_exec2 cannot return an error: the process exits 127 */
	SYS(&e, WASIX, "proc_exec2", "iiiiii", 100, 12, 200, 11, 0, 0);
	CHECK_EQ_U64(e.st, VM_EXIT);
	CHECK_EQ_U64(vm_exit_status(e.inst), 127);
	/* spawn: bad records, bad counts, bad pointers; no child is left behind */
	op = e.mem + 1000;
	memset(op, 0, 56);
	op[0] = 9;
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_spawn2", "iiiiiiiiiiiiii:i", 100, 12, 200, 11, 0, 0,
			 1000, 1, 0, 0, 0, 0, 0, 2000), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_spawn2", "iiiiiiiiiiiiii:i", 100, 12, 200, 11, 0, 0,
			 1000, 2000, 0, 0, 0, 0, 0, 2000), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_spawn2", "iiiiiiiiiiiiii:i", 100, 12, 200, 11, 0, 0,
			 PAGE - 55, 1, 0, 0, 0, 0, 0, 2000), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_spawn2", "iiiiiiiiiiiiii:i", 100, 12, 200, 11, 0, 0,
			 1000, 0, 0, 0, 0, 0, 0, PAGE - 1), E_FAULT);
	e.mem[3000] = 9;
	e.mem[3001] = 2;
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_spawn2", "iiiiiiiiiiiiii:i", 100, 12, 200, 11, 0, 0,
			 1000, 0, 3000, 1, 0, 0, 0, 2000), E_INVAL);
	op[0] = 2;    /* OPEN with a path out of bounds */
	abi_le32(op + 12, PAGE - 1);
	abi_le32(op + 16, 8);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_spawn2", "iiiiiiiiiiiiii:i", 100, 12, 200, 11, 0, 0,
			 1000, 1, 0, 0, 0, 0, 0, 2000), E_FAULT);
	op[0] = 0;    /* CLOSE of a closed fd fails the spawn */
	abi_le32(op + 4, 40);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_spawn2", "iiiiiiiiiiiiii:i", 100, 12, 200, 11, 0, 0,
			 1000, 1, 0, 0, 0, 0, 0, 2000), E_BADF);
	CHECK_EQ_U64(SYS(&e, WASIX, "proc_spawn2", "iiiiiiiiiiiiii:i", 100, 12, 200, 11, 0, 0,
			 1000, 0, 0, 0, 0, 0, 0, 2000), E_NOENT);
	CHECK(e.p->children == NULL);
	CHECK_EQ_U64(e.k->nprocs, 1);
	at_free(&e);
}

/* ---- warren_v1 --------------------------------------------------------------------------- */

TEST(abi_warren_calls)
{
	struct env e;

	CHECK(env_init(&e));
	CHECK_EQ_U64(SYS(&e, WARREN, "getpgid", "ii:i", 0, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), (uint32_t)e.p->pgid);
	CHECK_EQ_U64(SYS(&e, WARREN, "getpgid", "ii:i", 0, PAGE - 2), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WARREN, "getsid", "ii:i", 424242, 100), E_SRCH);
	CHECK_EQ_U64(SYS(&e, WARREN, "setsid", "i:i", 100), E_PERM);  /* already a leader */
	CHECK_EQ_U64(SYS(&e, WARREN, "setpgid", "ii:i", 424242, 0), E_SRCH);
	CHECK_EQ_U64(SYS(&e, WARREN, "sigaction", "iii:i", 9, 1, 100), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WARREN, "sigaction", "iii:i", 10, 3, 100), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WARREN, "sigaction", "iii:i", 0, 1, 100), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WARREN, "sigaction", "iii:i", 10, 1, PAGE - 3), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WARREN, "sigaction", "iii:i", 10, 1, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 0);
	CHECK_EQ_U64(SYS(&e, WARREN, "sigaction", "iii:i", 10, 0, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 1);
	CHECK_EQ_U64(SYS(&e, WARREN, "sigprocmask", "iIi:i", 0, KSIG_BIT(2) | KSIG_BIT(9), 100),
		     0);
	CHECK_EQ_U64(rd64(&e, 100), 0);
	CHECK_EQ_U64(SYS(&e, WARREN, "sigprocmask", "iIi:i", 2, 0, 100), 0);
	CHECK_EQ_U64(rd64(&e, 100), KSIG_BIT(2));       /* SIGKILL never blocked */
	CHECK_EQ_U64(SYS(&e, WARREN, "sigprocmask", "iIi:i", 3, 0, 100), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WARREN, "waitpid", "iiii:i", (uint64_t)-1, 0, 100, 104), E_CHILD);
	CHECK_EQ_U64(SYS(&e, WARREN, "waitpid", "iiii:i", (uint64_t)-1, 64, 100, 104), E_INVAL);
	CHECK_EQ_U64(SYS(&e, WARREN, "waitpid", "iiii:i", (uint64_t)-1, 0, 100, PAGE), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WARREN, "nice", "ii:i", 5, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 5);
	CHECK_EQ_U64(SYS(&e, WARREN, "nice", "ii:i", 100, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 19);
	CHECK_EQ_U64(SYS(&e, WARREN, "isatty", "ii:i", 3, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 0);
	CHECK_EQ_U64(SYS(&e, WARREN, "isatty", "ii:i", 0, 100), 0);   /* /dev/null */
	CHECK_EQ_U64(rd32(&e, 100), 0);
	CHECK_EQ_U64(SYS(&e, WARREN, "isatty", "ii:i", 50, 100), E_BADF);
	CHECK_EQ_U64(SYS(&e, WARREN, "tcgetpgrp", "ii:i", 3, 100), E_NOTTY);
	CHECK_EQ_U64(SYS(&e, WARREN, "tcsetpgrp", "ii:i", 3, e.p->pgid), E_NOTTY);
	CHECK_EQ_U64(SYS(&e, WARREN, "tcsetpgrp", "ii:i", 9, e.p->pgid), E_BADF);
	/* ps: too small a buffer says how much is needed */
	CHECK_EQ_U64(SYS(&e, WARREN, "ps", "iii:i", 1000, 10, 100), E_NOBUFS);
	CHECK(rd32(&e, 100) > 10);
	CHECK_EQ_U64(SYS(&e, WARREN, "ps", "iii:i", 1000, rd32(&e, 100), 100), 0);
	CHECK(memchr(e.mem + 1000, '\n', rd32(&e, 100)) != NULL);
	CHECK_EQ_U64(SYS(&e, WARREN, "ps", "iii:i", PAGE - 5, 10, 100), E_FAULT);
	CHECK_EQ_U64(SYS(&e, WARREN, "alarm", "ii:i", 10, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 0);
	CHECK_EQ_U64(SYS(&e, WARREN, "alarm", "ii:i", 0, 100), 0);
	CHECK_EQ_U64(rd32(&e, 100), 10);
	CHECK_EQ_U64(SYS(&e, WARREN, "alarm", "ii:i", 0, PAGE), E_FAULT);
	at_free(&e);
}

/* A call from an instance that is no process traps instead of crashing. */
TEST(abi_no_process)
{
	struct env e;
	struct vm_error err;
	struct vm_func *f;
	vm_slot args[4] = { 100 };

	CHECK(env_init(&e));
	f = at_lookup(&e, WASIX, "proc_id", "i:i", &err);
	vm_set_userdata(e.inst, NULL);
	CHECK(f && f->host(e.inst, f->host_ctx, args) == VM_TRAP);
	CHECK(strstr(vm_trap_message(e.inst), "wasix_32v1.proc_id") != NULL);
	vm_set_userdata(e.inst, e.p);
	at_free(&e);
}

/* ---- hostile arguments -------------------------------------------------------------------- */

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* An argument a guest might pass on purpose or by accident. */
static uint64_t
wild(uint64_t *s, bool wide)
{
	static const uint64_t edge[] = {
		0, 1, 2, 3, 4, 5, 8, 64, 1023, 1024, 4096, PAGE - 64, PAGE - 8, PAGE - 1, PAGE,
		PAGE + 1, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff,
	};

	switch (rnd(s) % 4) {
	case 0: return edge[rnd(s) % (sizeof edge / sizeof edge[0])];
	case 1: return rnd(s) % 64;
	case 2: return rnd(s) % PAGE;
	default: return wide ? rnd(s) : (uint32_t)rnd(s);
	}
}

/*
 * Every call of every table, many times, with arguments drawn from edges and
 * noise over memory full of noise (with some well-formed iovecs and names
 * in it): no call may crash, trap, leak or answer something that is not a
 * WASI errno. ASan and valgrind runs of the unit tests check the rest.
 */
TEST(abi_random_calls)
{
	const struct abi_table *t[] = { &abi_wasi_table, &abi_wasix_table, &abi_warren_table,
					&abi_ns_table, &abi_ipc_table };
	const char *it = getenv("ABI_FUZZ_ITERS");
	long iters = it ? atol(it) : 20000;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	long ok = 0, blocked = 0, other = 0;
	struct env e;

	CHECK(at_init(&e, 8, 1, AT_STDIO));
	for (long n = 0; n < iters; n++) {
		const struct abi_table *tab = t[rnd(&seed) % (sizeof t / sizeof t[0])];
		const struct abi_call *c = &tab->calls[rnd(&seed) % tab->ncalls];
		uint64_t a[16];
		char sig[20] = "";
		size_t k = 0;
		uint32_t r;

		/* Keep the process runnable and without pending signals, so that
		 * calls take their normal paths rather than stopping early. */
		if (e.p->state != P_RUNNING)
			at_resume(&e, true);
		e.p->restarting = rnd(&seed) % 8 == 0;
		e.p->sig_pending = 0;
		if (n % 64 == 0) {
			for (uint32_t i = 0; i < PAGE; i += 8)
				abi_le64(e.mem + i, rnd(&seed));
			for (uint32_t i = 0; i < 8; i++)
				iov(&e, 512 + 8 * i, (uint32_t)(rnd(&seed) % PAGE),
				    (uint32_t)(rnd(&seed) % 256));
			put(&e, 1024, "tmp/a\0/dev/null\0sh\nx\n", 22);
		}
		for (const char *p = c->params; (p = strstr(p, "i")) && k < 16; p++) {
			if (strncmp(p, "i32 ", 4) && strncmp(p, "i64 ", 4))
				continue;
			sig[k] = p[1] == '6' ? 'I' : 'i';
			a[k] = wild(&seed, sig[k] == 'I');
			k++;
			p += 3;
		}
		if (!strcmp(c->result, "errno"))
			strcat(sig, ":i");
		r = at_call(&e, tab->module, c->name, sig, a, k);
		if (e.st == VM_BLOCK)
			blocked++;
		else if (!c->result[0] || !r)
			ok++;
		else
			other++;
		if (e.st == VM_TRAP || (c->result[0] && (e.st == VM_OK || e.st == VM_STOP) &&
					r > E_WASI_MAX)) {
			unit_fail(__FILE__, __LINE__, "%s.%s: status %d result %u", tab->module,
				  c->name, (int)e.st, r);
			break;
		}
	}
	if (getenv("ABI_FUZZ_ITERS"))
		printf("abi_random_calls: %ld calls: %ld succeeded, %ld blocked, %ld errors\n",
		       iters, ok, blocked, other);
	at_free(&e);
}
