/*
 * exec.c - programs: the module cache, loading, and replacing an image.
 *
 * A program is a file whose bytes are a wasm module. Loading one means
 * decoding, validating and compiling it and resolving its imports through
 * the abi layer, which costs far more than running a small program, so
 * compiled modules are cached and shared by every process running them:
 *  - by content: the FNV-1a hash and length of the bytes, confirmed by a
 *    full compare, so one program installed under two names is one module;
 *  - by file: (device, inode, mtime, size) of the file last loaded, so a
 *    second exec of an unchanged file skips reading and hashing it.
 * The cache holds a reference to each entry and keeps at most CACHE_MAX
 * of them, evicting the least recently used one that no process runs.
 */
#include "kern/kern.h"
#include "base/alloc.h"
#include "kern/kern_impl.h"
#include "kern/event.h"
#include "fs/fs.h"
#include "kern/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define CACHE_MAX 64
#define PROGRAM_MAX (256u << 20)   /* bytes of one program file */
#define ARG_MAX_BYTES (1u << 20)   /* argv + envp, strings and pointers */

/* ---- the cache -------------------------------------------------------------------- */

void
kmod_ref(struct kmod *m)
{
	m->refs++;
}

static void
kmod_free(struct kmod *m)
{
	al_free(m->imports);
	vm_module_unref(m->mod);
	al_free(m);
}

void
kmod_unref(struct kmod *m)
{
	if (m && --m->refs == 0)
		kmod_free(m);
}

void
kmod_cache_free(struct kern *k)
{
	while (k->mods) {
		struct kmod *m = k->mods;

		k->mods = m->next;
		kmod_unref(m);
	}
}

/* Move m to the front (most recently used). */
static void
cache_touch(struct kern *k, struct kmod *m)
{
	struct kmod **pp = &k->mods;

	while (*pp && *pp != m)
		pp = &(*pp)->next;
	if (!*pp)
		return;
	*pp = m->next;
	m->next = k->mods;
	k->mods = m;
}

static void
cache_insert(struct kern *k, struct kmod *m)
{
	struct kmod **pp, **victim = NULL;
	unsigned n = 0;

	m->refs++;
	m->next = k->mods;
	k->mods = m;
	for (pp = &k->mods; *pp; pp = &(*pp)->next) {
		n++;
		if ((*pp)->refs == 1)
			victim = pp;   /* the last unused one is the least recent */
	}
	if (n > CACHE_MAX && victim) {
		struct kmod *v = *victim;

		*victim = v->next;
		kmod_unref(v);
	}
}

static struct kmod *
cache_by_file(struct kern *k, const struct fs_stat *st)
{
	for (struct kmod *m = k->mods; m; m = m->next)
		if (m->key_dev == st->dev && m->key_ino == st->ino && m->key_mtime == st->mtim &&
		    m->len == st->size)
			return m;
	return NULL;
}

static struct kmod *
cache_by_bytes(struct kern *k, uint64_t hash, const uint8_t *bytes, size_t len)
{
	for (struct kmod *m = k->mods; m; m = m->next)
		if (m->hash == hash && m->len == len && !memcmp(m->mod->bytes, bytes, len))
			return m;
	return NULL;
}

static bool
uleb32(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
	uint32_t r = 0;

	for (int shift = 0; shift < 35 && *pp < end; shift += 7) {
		uint8_t c = *(*pp)++;

		r |= (uint32_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

uint32_t
kmod_unwrap(const struct vm_module *mod, uint32_t f)
{
	const struct vm_funcdef *d;
	const uint8_t *p, *end;
	uint32_t np, got = 0, real = UINT32_MAX, x;

	/*
	 * wasm-ld wraps every export of a command module but _start in
	 * "NAME.command_export": [call __wasm_call_ctors] local.get 0..n-1
	 * call NAME [call __wasm_call_dtors] end. Running constructors and
	 * destructors (atexit handlers, stdio teardown) around each signal
	 * delivery would wreck the program, so the kernel calls NAME itself.
	 * Anything that is not exactly that shape is left alone.
	 */
	if (f < mod->nfunc_imports || f >= mod->nfuncs)
		return f;
	np = mod->types[mod->func_type_index[f]].nparams;
	d = &mod->funcs[f - mod->nfunc_imports];
	if (np == 0 || d->nlocals || d->body_end <= d->body_offset || d->body_end > mod->len)
		return f;
	p = mod->bytes + d->body_offset;
	end = mod->bytes + d->body_end - 1;
	if (*end != 0x0b)
		return f;
	while (p < end) {
		uint8_t op = *p++;

		if (!uleb32(&p, end, &x))
			return f;
		if (op == 0x20 && x == got && got < np)
			got++;
		else if (op == 0x10 && got == np && real == UINT32_MAX)
			real = x;
		else if (op != 0x10 || (got != 0 && got != np))
			return f;
	}
	if (real == UINT32_MAX || real < mod->nfunc_imports || real >= mod->nfuncs ||
	    !vm_functype_equal(&mod->types[mod->func_type_index[real]],
			       &mod->types[mod->func_type_index[f]]))
		return f;
	return real;
}

/* The function index of export `name` if it is a function of type `want`
 * (params, then results, as in vm_functype.types), else -1. */
static int32_t
find_func(const struct vm_module *mod, const char *name, uint32_t np, uint32_t nr,
	  const uint8_t *types)
{
	int i = vm_module_find_export(mod, name, (uint32_t)strlen(name), VM_EXT_FUNC);
	const struct vm_functype *t;
	uint32_t f;

	if (i < 0)
		return -1;
	f = mod->exports[i].index;
	t = &mod->types[mod->func_type_index[f]];
	if (t->nparams != np || t->nresults != nr || (np + nr && memcmp(t->types, types, np + nr)))
		return -1;
	return (int32_t)f;
}

/*
 * Compile bytes into a new cache entry (not yet cached), resolving its
 * imports. Errors: E_NOEXEC with the reason in diag, E_NOMEM.
 */
static int
kmod_build(struct kern *k, const uint8_t *bytes, size_t len, uint64_t hash, char *diag,
	   size_t dlen, struct kmod **out)
{
	static const uint8_t i32[] = { VM_I32 };
	struct vm_error err = { 0 };
	struct kmod *m;

	*out = NULL;
	m = al_calloc(1, sizeof *m);
	if (!m)
		return E_NOMEM;
	m->mod = vm_module_load(bytes, len, &err);
	if (!m->mod) {
		snprintf(diag, dlen, "%s", err.msg);
		al_free(m);
		return err.kind == VM_ERR_NOMEM ? E_NOMEM : E_NOEXEC;
	}
	m->hash = hash;
	m->len = len;
	m->imports = al_calloc(m->mod->nimports + 1, sizeof *m->imports);
	if (!m->imports)
		goto nomem;
	for (uint32_t i = 0; i < m->mod->nimports; i++) {
		const struct vm_import *imp = &m->mod->imports[i];

		if (imp->kind != VM_EXT_FUNC) {
			snprintf(diag, dlen, "import %s.%s: only functions can be imported",
				 imp->module, imp->name);
			goto noexec;
		}
		if (!k->cfg.resolve) {
			snprintf(diag, dlen, "unknown import %s.%s", imp->module, imp->name);
			goto noexec;
		}
		err.msg[0] = 0;
		m->imports[i].kind = VM_EXT_FUNC;
		m->imports[i].u.func = k->cfg.resolve(k->cfg.resolve_ctx, imp,
						      &m->mod->types[imp->u.type_index], &err);
		if (!m->imports[i].u.func) {
			if (err.kind == VM_ERR_NOMEM)
				goto nomem;
			if (err.msg[0])
				snprintf(diag, dlen, "%s", err.msg);
			else
				snprintf(diag, dlen, "unknown import %s.%s", imp->module, imp->name);
			goto noexec;
		}
	}
	m->start = find_func(m->mod, "_start", 0, 0, NULL);
	if (m->start < 0) {
		snprintf(diag, dlen, "no _start function export (not a WASI command)");
		goto noexec;
	}
	m->sig_default = find_func(m->mod, "__wasm_signal", 1, 0, i32);
	if (m->sig_default >= 0)
		m->sig_default = (int32_t)kmod_unwrap(m->mod, (uint32_t)m->sig_default);
	*out = m;
	return 0;
noexec:
	kmod_free(m);
	return E_NOEXEC;
nomem:
	kmod_free(m);
	return E_NOMEM;
}

/* A referenced cache entry for these bytes (found or built). */
static int
kmod_get(struct kern *k, const uint8_t *bytes, size_t len, char *diag, size_t dlen,
	 struct kmod **out)
{
	uint64_t hash = vm_hash64(bytes, len);
	struct kmod *m = cache_by_bytes(k, hash, bytes, len);
	int e;

	if (m) {
		cache_touch(k, m);
		kmod_ref(m);
		*out = m;
		return 0;
	}
	if ((e = kmod_build(k, bytes, len, hash, diag, dlen, &m)))
		return e;
	cache_insert(k, m);
	m->refs++;
	*out = m;
	return 0;
}

/* A referenced cache entry for the program file at path, as p sees it. */
static int
kmod_get_path(struct proc *p, const char *path, struct kmod **out)
{
	struct kern *k = p->k;
	struct fs_stat st;
	struct kmod *m;
	void *data = NULL;
	size_t len = 0;
	int e;

	*out = NULL;
	if (!p->ns)
		return E_NOENT;
	e = fs_stat(p->ns, p->cwd, path, strlen(path), true, &st);
	if (e)
		return e;
	if (st.type != VN_FILE)
		return E_ACCES;
	if ((m = cache_by_file(k, &st))) {
		cache_touch(k, m);
		kmod_ref(m);
		*out = m;
		return 0;
	}
	e = fs_get(p->ns, p->cwd, path, PROGRAM_MAX, &data, &len);
	if (e)
		return e == E_FBIG ? E_NOEXEC : e;
	e = kmod_get(k, data, len, p->diag, sizeof p->diag, &m);
	al_free(data);
	if (e)
		return e;
	m->key_dev = st.dev;
	m->key_ino = st.ino;
	m->key_mtime = st.mtim;
	*out = m;
	return 0;
}

/* ---- images ------------------------------------------------------------------------- */

static int
image_new(struct proc *p, struct kmod *m, struct vm_instance **out)
{
	/* The start function runs as the process's first code, under its fuel
	 * and preemptible like the rest, not inside exec. */
	struct vm_config cfg = { .max_pages = p->k->cfg.max_pages, .userdata = p,
				 .defer_start = true };
	struct vm_error err = { 0 };
	struct vm_instance *inst;

	*out = NULL;
	inst = vm_instantiate(m->mod, m->imports, m->mod->nimports, &cfg, &err);
	if (!inst) {
		snprintf(p->diag, sizeof p->diag, "%s", err.msg);
		return err.kind == VM_ERR_NOMEM ? E_NOMEM : E_NOEXEC;
	}
	if (vm_call_start(inst, (uint32_t)m->start, NULL, 0, &err) ||
	    vm_push_start(inst, &err)) {
		snprintf(p->diag, sizeof p->diag, "%s", err.msg);
		vm_instance_free(inst);
		return E_NOMEM;
	}
	*out = inst;
	return 0;
}

static size_t
strv_bytes(char *const *v, size_t *n)
{
	size_t b = 0;

	*n = 0;
	for (; v && v[*n]; (*n)++)
		b += strlen(v[*n]) + 1 + sizeof(char *);
	return b;
}

char **
kern_strv_dup(char *const *v, int max, int *count)
{
	size_t n = 0, bytes = 0;
	char **out, *s;

	for (; v && (max < 0 ? v[n] != NULL : n < (size_t)max); n++)
		bytes += strlen(v[n]) + 1;
	out = al_malloc((n + 1) * sizeof *out + bytes);
	if (!out)
		return NULL;
	s = (char *)(out + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;

		memcpy(s, v[i], l);
		out[i] = s;
		s += l;
	}
	out[n] = NULL;
	if (count)
		*count = (int)n;
	return out;
}

void
proc_drop_old_image(struct proc *p)
{
	vm_instance_free(p->old_inst);
	p->old_inst = NULL;
	if (p->old_kmod)
		kmod_unref(p->old_kmod);
	p->old_kmod = NULL;
}

/*
 * Replace p's image with module m (referenced; consumed on success).
 * Everything that can fail happens before p changes.
 */
static int
replace_image(struct proc *p, struct kmod *m, const char *name, char *const argv[],
	      char *const envp[])
{
	struct vm_instance *inst;
	struct vm_memory *mem;
	char **nargv, **nenvp;
	int nargc, nenvc, e;
	size_t na, ne;
	const char *base;

	if (strv_bytes(argv, &na) + strv_bytes(envp, &ne) > ARG_MAX_BYTES)
		return E_2BIG;
	nargv = kern_strv_dup(argv, -1, &nargc);
	nenvp = kern_strv_dup(envp, -1, &nenvc);
	if (!nargv || !nenvp) {
		al_free(nargv);
		al_free(nenvp);
		return E_NOMEM;
	}
	if (p->fds && (e = fdtab_unshare(&p->fds))) {
		al_free(nargv);
		al_free(nenvp);
		return e;
	}
	if ((e = image_new(p, m, &inst))) {
		al_free(nargv);
		al_free(nenvp);
		return e;
	}
	mem = inst->mod->nmems ? inst->mems[0] : NULL;
	if (mem && p->k->pages_total - p->pages_charged + mem->pages > p->k->cfg.max_total_pages) {
		snprintf(p->diag, sizeof p->diag, "memory of all processes over %u pages",
			 p->k->cfg.max_total_pages);
		vm_instance_free(inst);
		al_free(nargv);
		al_free(nenvp);
		return E_NOMEM;
	}

	if (p->inst && p == p->k->current && !p->old_inst) {
		/* Still inside the host call of the old image: free it after. */
		p->old_inst = p->inst;
		p->old_kmod = p->kmod;
	} else {
		vm_instance_free(p->inst);
		if (p->kmod)
			kmod_unref(p->kmod);
	}
	p->inst = inst;
	p->kmod = m;
	p->mem_cap = mem ? mem->max_pages : 0;
	proc_charge(p);
	al_free(p->argv);
	al_free(p->envp);
	p->argv = nargv;
	p->envp = nenvp;
	p->argc = nargc;
	p->envc = nenvc;
	base = strrchr(name, '/');
	base = base && base[1] ? base + 1 : name;
	snprintf(p->name, sizeof p->name, "%s", base);
	if (p->fds)
		fdtab_cloexec(p->fds);
	/* Handlers belong to the old image; ignored stays ignored. */
	p->sig_caught = 0;
	p->sig_handler = m->sig_default;
	p->execed = true;
	p->fork_child = false;
	p->diag[0] = 0;
	/* A process being set up (spawn) reports KEV_SPAWN when it starts. */
	if (p->state != P_EMBRYO)
		kern_event(p->k, KEV_EXEC, p->pid, 0, 0, p->name);
	return 0;
}

int
proc_exec(struct proc *p, const char *path, char *const argv[], char *const envp[])
{
	struct kmod *m;
	int e;

	if (!path || !*path)
		return E_NOENT;
	if ((e = kmod_get_path(p, path, &m)))
		return e;
	if ((e = replace_image(p, m, path, argv, envp)))
		kmod_unref(m);
	return e;
}

int
proc_exec_bytes(struct proc *p, const char *name, const uint8_t *bytes, size_t len,
		char *const argv[], char *const envp[])
{
	struct kmod *m;
	int e;

	if (!bytes)
		return E_INVAL;
	if ((e = kmod_get(p->k, bytes, len, p->diag, sizeof p->diag, &m)))
		return e;
	if ((e = replace_image(p, m, name ? name : "-", argv, envp)))
		kmod_unref(m);
	return e;
}
