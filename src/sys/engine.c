/*
 * engine.c - the public engine API of include/warren.h, on top of src/vm.
 *
 * This layer turns the VM's internal objects into opaque handles, checks
 * every argument, speaks typed wr_Values instead of raw slots, and adapts
 * host callbacks.  It adds no behaviour of its own: anything about running
 * code is the VM's business.
 *
 * Host functions: every wr_Instance that came from one wr_instance_new (or
 * wr_restore) shares one refcounted `struct hostset` with its clones,
 * because the VM shares imported function objects between an instance and
 * its clones and they must outlive all of them.
 *
 * Snapshots: the VM's bytes say everything about the instance except which
 * export the embedder called, which wr_results needs to type the results;
 * a small header in front carries that.
 */
#include "warren.h"
#include "base/alloc.h"
#include "vm/vm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOCALL UINT32_MAX

struct wr_Module {
	struct vm_module *vm;
};

struct hostfn {
	wr_HostFn fn;
	void *ctx;
	struct vm_functype type;
	struct vm_func *func;
};

struct hostset {
	int refs;
	uint32_t n;             /* one entry per module import; unused for non-functions */
	struct hostfn *fns;
};

struct wr_Instance {
	struct vm_instance *vm;
	struct hostset *hosts;
	uint32_t call;          /* function index of the current call, or NOCALL */
	bool trap_set, exit_set; /* by the host function now running */
};

/* ---- status codes ------------------------------------------------------ */

static const char *const messages[] = {
#define WR_MSG_(name, msg) [name] = msg,
	WR_STATUS_LIST(WR_MSG_)
#undef WR_MSG_
};

static const int from_errkind[] = {
	[VM_ERR_NONE] = WR_OK,
	[VM_ERR_MALFORMED] = WR_EMALFORMED,
	[VM_ERR_INVALID] = WR_EINVALID,
	[VM_ERR_LINK] = WR_ELINK,
	[VM_ERR_TRAP] = WR_TRAP,
	[VM_ERR_NOMEM] = WR_ENOMEM,
	[VM_ERR_STATE] = WR_ESTATE,
};

static const int from_vmstatus[] = {
	[VM_OK] = WR_OK,
	[VM_YIELD] = WR_YIELD,
	[VM_TRAP] = WR_TRAP,
	[VM_EXIT] = WR_EXIT,
	[VM_BLOCK] = WR_BLOCK,
	[VM_STOP] = WR_STOP,
};

/* What a host function's return code means to the VM. */
static const struct {
	bool valid;
	enum vm_status st;
} to_vmstatus[WR_NSTATUS] = {
	[WR_OK] = { true, VM_OK },
	[WR_TRAP] = { true, VM_TRAP },
	[WR_EXIT] = { true, VM_EXIT },
	[WR_BLOCK] = { true, VM_BLOCK },
	[WR_STOP] = { true, VM_STOP },
};

const char *
wr_errmsg(int status)
{
	if (status < 0 || status >= WR_NSTATUS)
		return "unknown status";
	return messages[status];
}

const char *
wr_version(void)
{
	return WR_VERSION;
}

static int
errkind_status(enum vm_errkind k)
{
	if ((size_t)k >= sizeof from_errkind / sizeof from_errkind[0] ||
	    k == VM_ERR_NONE)
		return WR_ESTATE;
	return from_errkind[k];
}

/* Write a message into the caller's optional buffer and return status. */
static int
fail(char *buf, size_t len, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
fail(char *buf, size_t len, int status, const char *fmt, ...)
{
	va_list ap;

	if (buf && len > 0) {
		va_start(ap, fmt);
		vsnprintf(buf, len, fmt, ap);
		va_end(ap);
	}
	return status;
}

/* ---- signatures and values ------------------------------------------- */

static const struct {
	char letter;
	uint8_t type;
} letters[] = {
	{ 'i', VM_I32 }, { 'I', VM_I64 }, { 'f', VM_F32 }, { 'F', VM_F64 },
	{ 'r', VM_FUNCREF }, { 'x', VM_EXTERNREF },
};

static int
letter_type(char c)
{
	size_t i;

	for (i = 0; i < sizeof letters / sizeof letters[0]; i++)
		if (letters[i].letter == c)
			return letters[i].type;
	return -1;
}

static char
type_letter(uint8_t t)
{
	size_t i;

	for (i = 0; i < sizeof letters / sizeof letters[0]; i++)
		if (letters[i].type == t)
			return letters[i].letter;
	return '?';
}

/* Parse "ii:i" into ft (types malloc'd).  -1 on a bad string or no memory. */
static int
parse_sig(const char *s, struct vm_functype *ft)
{
	const char *colon = strchr(s, ':');
	size_t n = strlen(s), i, k = 0;

	memset(ft, 0, sizeof *ft);
	if (!colon || strchr(colon + 1, ':') || n > 1000)
		return -1;
	ft->types = al_malloc(n > 1 ? n - 1 : 1);
	if (!ft->types)
		return -1;
	for (i = 0; i < n; i++) {
		int t;

		if (s + i == colon)
			continue;
		t = letter_type(s[i]);
		if (t < 0) {
			al_free(ft->types);
			ft->types = NULL;
			return -1;
		}
		ft->types[k++] = (uint8_t)t;
	}
	ft->nparams = (uint32_t)(colon - s);
	ft->nresults = (uint32_t)k - ft->nparams;
	return 0;
}

/* Format ft into buf; returns false if it does not fit. */
static bool
format_sig(const struct vm_functype *ft, char *buf, size_t len)
{
	size_t n = (size_t)ft->nparams + ft->nresults, i, k = 0;

	if (len < n + 2)
		return false;
	for (i = 0; i < n; i++) {
		if (i == ft->nparams)
			buf[k++] = ':';
		buf[k++] = type_letter(ft->types[i]);
	}
	if (n == ft->nparams)
		buf[k++] = ':';
	buf[k] = '\0';
	return true;
}

static bool
same_type(const struct vm_functype *a, const struct vm_functype *b)
{
	return a->nparams == b->nparams && a->nresults == b->nresults &&
	    memcmp(a->types, b->types, (size_t)a->nparams + a->nresults) == 0;
}

static vm_slot
to_slot(uint8_t type, const wr_Value *v)
{
	uint32_t b32;
	uint64_t b64;

	switch (type) {
	case VM_I32:
		return (uint32_t)v->u.i32;
	case VM_I64:
		return (uint64_t)v->u.i64;
	case VM_F32:
		memcpy(&b32, &v->u.f32, 4);
		return b32;
	case VM_F64:
		memcpy(&b64, &v->u.f64, 8);
		return b64;
	default:
		return v->u.ref;
	}
}

static void
to_value(uint8_t type, vm_slot s, wr_Value *v)
{
	uint32_t b32 = (uint32_t)s;

	memset(v, 0, sizeof *v);
	v->type = type;
	switch (type) {
	case VM_I32:
		v->u.i32 = (int32_t)b32;
		break;
	case VM_I64:
		v->u.i64 = (int64_t)s;
		break;
	case VM_F32:
		memcpy(&v->u.f32, &b32, 4);
		break;
	case VM_F64:
		memcpy(&v->u.f64, &s, 8);
		break;
	default:
		v->u.ref = s;
		break;
	}
}

static const struct vm_functype *
func_type(const struct vm_module *m, uint32_t func)
{
	return &m->types[m->func_type_index[func]];
}

/* ---- modules ----------------------------------------------------------- */

int
wr_module_load(const uint8_t *bytes, size_t len, wr_Module **out,
	       char *errbuf, size_t errlen)
{
	struct vm_error err = { 0 };
	wr_Module *mod;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!out)
		return fail(errbuf, errlen, WR_EARG, "no place for the module");
	*out = NULL;
	if (!bytes && len)
		return fail(errbuf, errlen, WR_EARG, "NULL module bytes");
	mod = al_calloc(1, sizeof *mod);
	if (!mod)
		return fail(errbuf, errlen, WR_ENOMEM, "out of memory");
	mod->vm = vm_module_load(bytes ? bytes : (const uint8_t *)"", len, &err);
	if (!mod->vm) {
		al_free(mod);
		return fail(errbuf, errlen, errkind_status(err.kind), "%s",
		    err.msg[0] ? err.msg : "cannot load module");
	}
	*out = mod;
	return WR_OK;
}

void
wr_module_free(wr_Module *mod)
{
	if (!mod)
		return;
	vm_module_unref(mod->vm);
	al_free(mod);
}

static const char *const kind_names[] = {
	[VM_EXT_FUNC] = "func",
	[VM_EXT_TABLE] = "table",
	[VM_EXT_MEMORY] = "memory",
	[VM_EXT_GLOBAL] = "global",
};

int
wr_module_export(const wr_Module *mod, size_t index, const char **name,
		 const char **kind)
{
	const struct vm_export *e;

	if (!mod || !name || !kind)
		return WR_EARG;
	if (index >= mod->vm->nexports)
		return WR_ENOENT;
	e = &mod->vm->exports[index];
	*name = e->name;
	*kind = e->kind < 4 ? kind_names[e->kind] : "?";
	return WR_OK;
}

/* Function index of export `name`, or NOCALL. */
static uint32_t
find_func(const struct vm_module *m, const char *name)
{
	int i = vm_module_find_export(m, name, (uint32_t)strlen(name),
	    VM_EXT_FUNC);

	if (i < 0 || (uint32_t)i >= m->nexports)
		return NOCALL;
	return m->exports[i].index < m->nfuncs ? m->exports[i].index : NOCALL;
}

int
wr_module_export_sig(const wr_Module *mod, const char *name, char *sig,
		     size_t siglen)
{
	uint32_t f;

	if (!mod || !name || !sig || strlen(name) > UINT32_MAX)
		return WR_EARG;
	f = find_func(mod->vm, name);
	if (f == NOCALL)
		return WR_ENOENT;
	return format_sig(func_type(mod->vm, f), sig, siglen) ? WR_OK
	    : WR_ENOMEM;
}

/* ---- host functions ---------------------------------------------------- */

static enum vm_status
trampoline(struct vm_instance *vi, void *ctx, vm_slot *slots)
{
	struct hostfn *h = ctx;
	wr_Instance *wi = vm_userdata(vi);
	const struct vm_functype *ft = &h->type;
	uint32_t np = ft->nparams, nr = ft->nresults, i;
	wr_Value small[16], *vals = small;
	int rc;

	if (!wi) {
		vm_set_trap(vi, "host function called without an instance");
		return VM_TRAP;
	}
	if (np + nr > sizeof small / sizeof small[0]) {
		vals = al_calloc((size_t)np + nr, sizeof *vals);
		if (!vals) {
			vm_set_trap(vi, "out of memory in a host call");
			return VM_TRAP;
		}
	}
	for (i = 0; i < np; i++)
		to_value(ft->types[i], slots[i], &vals[i]);
	for (i = 0; i < nr; i++)
		to_value(ft->types[np + i], 0, &vals[np + i]);
	wi->trap_set = wi->exit_set = false;
	rc = h->fn(wi, h->ctx, vals, vals + np);
	if (rc < 0 || rc >= WR_NSTATUS || !to_vmstatus[rc].valid) {
		vm_set_trap(vi, "host function returned bad status %d", rc);
		rc = WR_TRAP;
	} else if (rc == WR_OK || rc == WR_STOP) {
		/* The declared type rules, whatever the callback did to .type. */
		for (i = 0; i < nr; i++)
			slots[i] = to_slot(ft->types[np + i], &vals[np + i]);
	} else if (rc == WR_TRAP && !wi->trap_set) {
		/* Never report a message left over from an earlier trap. */
		vm_set_trap(vi, "host function trapped");
	} else if (rc == WR_EXIT && !wi->exit_set) {
		vm_set_exit(vi, 0);
	}
	if (vals != small)
		al_free(vals);
	return to_vmstatus[rc].st;
}

static void
hostset_unref(struct hostset *hs)
{
	uint32_t i;

	if (!hs || --hs->refs > 0)
		return;
	for (i = 0; i < hs->n; i++) {
		if (hs->fns[i].func)
			vm_func_free(hs->fns[i].func);
		al_free(hs->fns[i].type.types);
	}
	al_free(hs->fns);
	al_free(hs);
}

/* Drop this layer's references to created memories and tables. */
static void
unlink_externs(struct vm_extern *ext, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (ext[i].kind == VM_EXT_MEMORY && ext[i].u.mem)
			vm_memory_unref(ext[i].u.mem);
		else if (ext[i].kind == VM_EXT_TABLE && ext[i].u.table)
			vm_table_unref(ext[i].u.table);
	}
	al_free(ext);
}

static bool
name_is(const char *want, const char *s, uint32_t len)
{
	return want && strlen(want) == len && memcmp(want, s, len) == 0;
}

/*
 * Resolve the module's imports: host functions from `imports`, fresh
 * memories and tables for the others.  On success *hsp and *extp (one
 * entry per module import; the caller unrefs memories/tables once the
 * instance holds its own references) are set.
 */
static int
resolve(struct vm_module *m, const wr_HostFunc *imports, size_t nimports,
     uint32_t max_pages, struct hostset **hsp, struct vm_extern **extp,
     char *errbuf, size_t errlen)
{
	struct hostset *hs;
	struct vm_extern *ext;
	struct vm_error err = { 0 };
	char name[300], want[64], have[64];
	uint32_t i;
	size_t j;
	int rc = WR_ENOMEM;

	*hsp = NULL;
	*extp = NULL;
	hs = al_calloc(1, sizeof *hs);
	ext = al_calloc(m->nimports ? m->nimports : 1, sizeof *ext);
	if (hs)
		hs->fns = al_calloc(m->nimports ? m->nimports : 1, sizeof *hs->fns);
	if (!hs || !ext || !hs->fns) {
		fail(errbuf, errlen, rc, "out of memory");
		goto bad;
	}
	hs->refs = 1;
	hs->n = m->nimports;
	for (i = 0; i < m->nimports; i++) {
		const struct vm_import *imp = &m->imports[i];
		const wr_HostFunc *h = NULL;
		struct hostfn *hf = &hs->fns[i];

		snprintf(name, sizeof name, "%s.%s", imp->module, imp->name);
		ext[i].kind = imp->kind;
		switch (imp->kind) {
		case VM_EXT_FUNC:
			for (j = 0; j < nimports && !h; j++)
				if (name_is(imports[j].module, imp->module,
				    imp->module_len) && name_is(imports[j].name,
				    imp->name, imp->name_len))
					h = &imports[j];
			if (!h) {
				rc = fail(errbuf, errlen, WR_ELINK,
				    "unknown import: function %s", name);
				goto bad;
			}
			if (!h->fn || !h->signature ||
			    parse_sig(h->signature, &hf->type) < 0) {
				rc = fail(errbuf, errlen, WR_EARG,
				    "host function %s: bad signature or NULL "
				    "callback", name);
				goto bad;
			}
			if (!same_type(&hf->type, &m->types[imp->u.type_index])) {
				if (!format_sig(&m->types[imp->u.type_index],
				    want, sizeof want))
					strcpy(want, "(long)");
				if (!format_sig(&hf->type, have, sizeof have))
					strcpy(have, "(long)");
				rc = fail(errbuf, errlen, WR_ELINK,
				    "incompatible import type: %s is %s, the "
				    "module wants %s", name, have, want);
				goto bad;
			}
			hf->fn = h->fn;
			hf->ctx = h->ctx;
			hf->func = vm_host_func_new(&hf->type, trampoline, hf,
			    name);
			if (!hf->func) {
				rc = fail(errbuf, errlen, WR_ENOMEM,
				    "out of memory");
				goto bad;
			}
			ext[i].u.func = hf->func;
			break;
		case VM_EXT_MEMORY:
			ext[i].u.mem = vm_memory_new(&imp->u.mem, max_pages, &err);
			if (!ext[i].u.mem) {
				rc = fail(errbuf, errlen, errkind_status(err.kind),
				    "import %s: %s", name, err.msg);
				goto bad;
			}
			break;
		case VM_EXT_TABLE:
			ext[i].u.table = vm_table_new(&imp->u.table, &err);
			if (!ext[i].u.table) {
				rc = fail(errbuf, errlen, errkind_status(err.kind),
				    "import %s: %s", name, err.msg);
				goto bad;
			}
			break;
		default:
			rc = fail(errbuf, errlen, WR_ELINK,
			    "unknown import: global %s (global imports are "
			    "not supported)", name);
			goto bad;
		}
	}
	*hsp = hs;
	*extp = ext;
	return WR_OK;
bad:
	if (ext)
		unlink_externs(ext, m->nimports);
	if (hs && !hs->fns)
		al_free(hs);
	else
		hostset_unref(hs);
	return rc;
}

void
wr_set_trap(wr_Instance *inst, const char *msg)
{
	if (!inst)
		return;
	vm_set_trap(inst->vm, "%s", msg ? msg : "host function trapped");
	inst->trap_set = true;
}

void
wr_set_exit(wr_Instance *inst, int32_t status)
{
	if (!inst)
		return;
	vm_set_exit(inst->vm, status);
	inst->exit_set = true;
}

/* ---- instances --------------------------------------------------------- */

/*
 * The common part of wr_instance_new and wr_restore: link, then let
 * `make` build the VM instance (snapshot bytes or NULL for a fresh one).
 */
static int
create(wr_Module *mod, const wr_HostFunc *imports, size_t nimports,
       const wr_InstanceOptions *opt, const uint8_t *snap, size_t snaplen,
       wr_Instance **out, char *errbuf, size_t errlen)
{
	uint32_t max_pages = opt ? opt->max_pages : 0;
	struct vm_config cfg = { 0 };
	struct vm_error err = { 0 };
	struct vm_extern *ext;
	wr_Instance *wi;
	int rc;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!out)
		return fail(errbuf, errlen, WR_EARG, "no place for the instance");
	*out = NULL;
	if (!mod || (!imports && nimports))
		return fail(errbuf, errlen, WR_EARG, "NULL module or imports");
	wi = al_calloc(1, sizeof *wi);
	if (!wi)
		return fail(errbuf, errlen, WR_ENOMEM, "out of memory");
	wi->call = NOCALL;
	rc = resolve(mod->vm, imports, nimports, max_pages, &wi->hosts, &ext,
	    errbuf, errlen);
	if (rc != WR_OK) {
		al_free(wi);
		return rc;
	}
	cfg.max_pages = max_pages;
	cfg.userdata = wi;
	if (!opt || opt->start_fuel == 0)
		cfg.start_fuel = WR_START_FUEL;
	else
		cfg.start_fuel = opt->start_fuel < 0 ? 0 : opt->start_fuel;
	if (snap)
		wi->vm = vm_restore(mod->vm, ext, mod->vm->nimports, &cfg, snap,
		    snaplen, &err);
	else
		wi->vm = vm_instantiate(mod->vm, ext, mod->vm->nimports, &cfg,
		    &err);
	unlink_externs(ext, mod->vm->nimports);
	if (!wi->vm) {
		rc = fail(errbuf, errlen, errkind_status(err.kind), "%s",
		    err.msg[0] ? err.msg : "cannot instantiate");
		hostset_unref(wi->hosts);
		al_free(wi);
		return rc;
	}
	*out = wi;
	return WR_OK;
}

int
wr_instance_new(wr_Module *mod, const wr_HostFunc *imports, size_t nimports,
		uint32_t max_pages, wr_Instance **out, char *errbuf,
		size_t errlen)
{
	wr_InstanceOptions opt = { .max_pages = max_pages };

	return create(mod, imports, nimports, &opt, NULL, 0, out, errbuf,
	    errlen);
}

int
wr_instance_new_opt(wr_Module *mod, const wr_HostFunc *imports,
		    size_t nimports, const wr_InstanceOptions *opt,
		    wr_Instance **out, char *errbuf, size_t errlen)
{
	return create(mod, imports, nimports, opt, NULL, 0, out, errbuf,
	    errlen);
}

void
wr_instance_free(wr_Instance *inst)
{
	if (!inst)
		return;
	/* The instance first: it points at the host function objects. */
	vm_instance_free(inst->vm);
	hostset_unref(inst->hosts);
	al_free(inst);
}

int
wr_call_start(wr_Instance *inst, const char *name, const wr_Value *args,
	      size_t nargs)
{
	const struct vm_functype *ft;
	vm_slot small[16], *slots = small;
	struct vm_error err = { 0 };
	uint32_t f;
	size_t i;
	int rc;

	if (!inst || !name || (!args && nargs))
		return WR_EARG;
	switch (inst->vm->state) {
	case VM_READY:
	case VM_RUNNING:
		return WR_ESTATE;
	case VM_TRAPPED:
	case VM_EXITED:
		vm_reset(inst->vm);
		break;
	default:
		break;
	}
	f = find_func(inst->vm->mod, name);
	if (f == NOCALL)
		return WR_ENOENT;
	ft = func_type(inst->vm->mod, f);
	if (nargs != ft->nparams)
		return WR_EARG;
	for (i = 0; i < nargs; i++)
		if (args[i].type != ft->types[i])
			return WR_EARG;
	if (nargs > sizeof small / sizeof small[0]) {
		slots = al_calloc(nargs, sizeof *slots);
		if (!slots)
			return WR_ENOMEM;
	}
	for (i = 0; i < nargs; i++)
		slots[i] = to_slot(ft->types[i], &args[i]);
	rc = vm_call_start(inst->vm, f, slots, (uint32_t)nargs, &err);
	if (slots != small)
		al_free(slots);
	if (rc != 0)
		return errkind_status(err.kind);
	inst->call = f;
	return WR_OK;
}

int
wr_run(wr_Instance *inst, int64_t fuel, int64_t *used)
{
	enum vm_status st;

	if (used)
		*used = 0;
	if (!inst)
		return WR_EARG;
	if (inst->vm->state != VM_READY || inst->call == NOCALL)
		return WR_ESTATE;
	st = vm_run(inst->vm, fuel, used);
	if ((size_t)st >= sizeof from_vmstatus / sizeof from_vmstatus[0])
		return WR_ESTATE;
	return from_vmstatus[st];
}

size_t
wr_nresults(const wr_Instance *inst)
{
	if (!inst || inst->call == NOCALL)
		return 0;
	return func_type(inst->vm->mod, inst->call)->nresults;
}

int
wr_results(wr_Instance *inst, wr_Value *out, size_t n)
{
	const struct vm_functype *ft;
	vm_slot small[16], *slots = small;
	size_t i;
	int rc = WR_OK;

	if (!inst || (!out && n))
		return WR_EARG;
	if (inst->vm->state != VM_DONE || inst->call == NOCALL)
		return WR_ESTATE;
	ft = func_type(inst->vm->mod, inst->call);
	if (n != ft->nresults)
		return WR_EARG;
	if (n > sizeof small / sizeof small[0]) {
		slots = al_calloc(n, sizeof *slots);
		if (!slots)
			return WR_ENOMEM;
	}
	if (vm_results(inst->vm, slots, (uint32_t)n) != 0)
		rc = WR_ESTATE;
	for (i = 0; rc == WR_OK && i < n; i++)
		to_value(ft->types[ft->nparams + i], slots[i], &out[i]);
	if (slots != small)
		al_free(slots);
	return rc;
}

const char *
wr_trap_message(const wr_Instance *inst)
{
	const char *m;

	if (!inst)
		return "";
	m = vm_trap_message(inst->vm);
	return m ? m : "";
}

int32_t
wr_exit_status(const wr_Instance *inst)
{
	return inst ? vm_exit_status(inst->vm) : 0;
}

uint8_t *
wr_memory(wr_Instance *inst, size_t *size)
{
	uint64_t n = 0;
	uint8_t *p;

	if (size)
		*size = 0;
	if (!inst)
		return NULL;
	p = vm_memory_data(inst->vm, &n);
	if (size)
		*size = p ? (size_t)n : 0;
	return p;
}

int
wr_clone(wr_Instance *inst, wr_Instance **out)
{
	struct vm_error err = { 0 };
	wr_Instance *c;

	if (!out)
		return WR_EARG;
	*out = NULL;
	if (!inst)
		return WR_EARG;
	c = al_calloc(1, sizeof *c);
	if (!c)
		return WR_ENOMEM;
	c->vm = vm_clone(inst->vm, &err);
	if (!c->vm) {
		al_free(c);
		return errkind_status(err.kind);
	}
	vm_set_userdata(c->vm, c);
	c->hosts = inst->hosts;
	c->hosts->refs++;
	c->call = inst->call;
	*out = c;
	return WR_OK;
}

/*
 * Snapshot header, in front of the VM's bytes (little-endian):
 *   8 bytes  "wrsnap\0\1" (magic and version)
 *   4 bytes  function index of the current call, 0xffffffff for none
 */
static const uint8_t snap_magic[8] = { 'w', 'r', 's', 'n', 'a', 'p', 0, 1 };
#define SNAP_HDR 12

int
wr_snapshot(wr_Instance *inst, uint8_t **out, size_t *len)
{
	struct vm_error err = { 0 };
	uint8_t *vb = NULL, *b;
	size_t vlen = 0;
	int i;

	if (!out || !len)
		return WR_EARG;
	*out = NULL;
	*len = 0;
	if (!inst)
		return WR_EARG;
	if (vm_snapshot(inst->vm, &vb, &vlen, &err) != 0)
		return errkind_status(err.kind);
	b = al_malloc(vlen + SNAP_HDR);
	if (!b) {
		al_free(vb);
		return WR_ENOMEM;
	}
	memcpy(b, snap_magic, sizeof snap_magic);
	for (i = 0; i < 4; i++)
		b[8 + i] = (uint8_t)(inst->call >> (8 * i));
	memcpy(b + SNAP_HDR, vb, vlen);
	al_free(vb);
	*out = b;
	*len = vlen + SNAP_HDR;
	return WR_OK;
}

int
wr_restore(wr_Module *mod, const wr_HostFunc *imports, size_t nimports,
	   uint32_t max_pages, const uint8_t *bytes, size_t len,
	   wr_Instance **out, char *errbuf, size_t errlen)
{
	wr_InstanceOptions opt = { .max_pages = max_pages };
	uint32_t call = 0;
	int i, rc;

	if (out)
		*out = NULL;
	if (!mod || !out || (!bytes && len))
		return fail(errbuf, errlen, WR_EARG, "NULL argument");
	if (len < SNAP_HDR || memcmp(bytes, snap_magic, sizeof snap_magic))
		return fail(errbuf, errlen, WR_ESTATE,
		    "snapshot: not a warren snapshot (bad magic or version)");
	for (i = 0; i < 4; i++)
		call |= (uint32_t)bytes[8 + i] << (8 * i);
	if (call != NOCALL && call >= mod->vm->nfuncs)
		return fail(errbuf, errlen, WR_ESTATE,
		    "snapshot: call of function %u, module has %u", call,
		    mod->vm->nfuncs);
	rc = create(mod, imports, nimports, &opt, bytes + SNAP_HDR,
	    len - SNAP_HDR, out, errbuf, errlen);
	if (rc == WR_OK)
		(*out)->call = call;
	return rc;
}

void
wr_free(void *p)
{
	al_free(p);
}
