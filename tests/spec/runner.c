/*
 * runner.c - run one wast2json command file against the warren VM.
 *
 *   spec-runner FILE.json [-v]
 *
 * Every command of the file is executed in order. Assertions, modules and
 * actions count as passed or failed; text-format modules (about the text
 * syntax, which warren does not parse) and values warren does not support
 * count as skipped. Each failure prints "file:line: command: what differed";
 * the last line is "FILE: N passed, N failed, N skipped" (FILE is the source
 * name wast2json recorded), which tests/spec/run.sh sums. -v also prints
 * notes (a trap or error message that differs from the spec's text, a
 * malformed/invalid mix-up) and the spectest print calls.
 *
 * Exit status: 0 all passed, 1 a command failed, 2 the file is unusable.
 *
 * Every instance stays alive until the end of the file: tables and globals
 * shared between instances may hold references to any of their functions,
 * even of an instance whose instantiation trapped later on.
 */
#include "spec/json.h"
#include "vm/vm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum result { PASS, FAIL, SKIP, UNCOUNTED };

struct named {
	char *name;
	size_t len;
	struct vm_instance *inst;
};

struct names {
	struct named *v;
	size_t n, cap;
};

struct runner;

/* The context of one spectest host function. */
struct hostctx {
	struct runner *r;
	const char *name;
	const struct vm_functype *type;
};

enum { NHOSTFNS = 7 };

struct runner {
	const char *src;              /* file name for messages */
	char *dir;                    /* the JSON file's directory, "" or ending in '/' */
	bool verbose;
	unsigned line;                /* of the command being run */
	const char *cmd;              /* its type */
	unsigned passed, failed, skipped;
	struct vm_config cfg;

	/* The spectest module. */
	struct hostctx hostctx[NHOSTFNS];
	struct vm_func *hostfns[NHOSTFNS];
	struct vm_global *g_i32, *g_i64, *g_f32, *g_f64;
	struct vm_table *table;
	struct vm_memory *memory, *shared_memory;

	struct vm_instance **insts;   /* every instance made, in creation order */
	size_t ninsts, instcap;
	struct names modnames;        /* "$name" of module commands */
	struct names registered;      /* names given by register */
	struct vm_instance *current;  /* the last module command's instance (NULL if it failed) */
};

/* ---- messages ------------------------------------------------------------ */

static void __attribute__((format(printf, 2, 3)))
failure(struct runner *r, const char *fmt, ...)
{
	va_list ap;

	printf("%s:%u: %s: ", r->src, r->line, r->cmd);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void __attribute__((format(printf, 2, 3)))
note(struct runner *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->verbose)
		return;
	printf("%s:%u: %s: note: ", r->src, r->line, r->cmd);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- values -------------------------------------------------------------- */

/* How an expected value matches: exactly, as a class of NaNs, or any non-null ref. */
enum match { EXACT, NAN_CANONICAL, NAN_ARITHMETIC, ANY_REF };

struct value {
	uint8_t type;
	enum match match;
	vm_slot bits;
};

static const struct {
	const char *name;
	uint8_t type;
} valtypes[] = {
	{ "i32", VM_I32 },
	{ "i64", VM_I64 },
	{ "f32", VM_F32 },
	{ "f64", VM_F64 },
	{ "funcref", VM_FUNCREF },
	{ "externref", VM_EXTERNREF },
};

static const char *
typename(uint8_t t)
{
	size_t i;

	for (i = 0; i < sizeof valtypes / sizeof valtypes[0]; i++)
		if (valtypes[i].type == t)
			return valtypes[i].name;
	return t == VM_V128 ? "v128" : "?";
}

/* Parse a decimal number no larger than max; -1 if it is not one. */
static int
decimal(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * Read a JSON value {"type": T, "value": V}. Returns 0, -1 if it is
 * malformed, or 1 if the type is one warren does not support (v128).
 * `expected` allows the NaN classes and a ref without a value.
 */
static int
parse_value(const struct json *j, bool expected, struct value *out, char *why, size_t whylen)
{
	const char *t = json_get_str(j, "type");
	const char *v = json_get_str(j, "value");
	size_t i;
	uint64_t n;

	memset(out, 0, sizeof *out);
	if (t == NULL) {
		snprintf(why, whylen, "value without a type");
		return -1;
	}
	for (i = 0; i < sizeof valtypes / sizeof valtypes[0]; i++)
		if (strcmp(valtypes[i].name, t) == 0)
			break;
	if (i == sizeof valtypes / sizeof valtypes[0]) {
		snprintf(why, whylen, "unsupported value type %s", t);
		return 1;
	}
	out->type = valtypes[i].type;
	if (v == NULL && expected && (out->type == VM_FUNCREF || out->type == VM_EXTERNREF)) {
		out->match = ANY_REF;
		return 0;
	}
	if (v == NULL)
		goto bad;
	if (out->type == VM_FUNCREF || out->type == VM_EXTERNREF) {
		if (strcmp(v, "null") == 0)
			return 0;
		/* Only externrefs have a JSON spelling ("ref.extern N" is N+1 here);
		 * funcrefs cannot be named in a script. */
		if (out->type == VM_FUNCREF || decimal(v, UINT64_MAX - 1, &n) < 0)
			goto bad;
		out->bits = n + 1;
		return 0;
	}
	if (expected && (out->type == VM_F32 || out->type == VM_F64)) {
		if (strcmp(v, "nan:canonical") == 0) {
			out->match = NAN_CANONICAL;
			return 0;
		}
		if (strcmp(v, "nan:arithmetic") == 0) {
			out->match = NAN_ARITHMETIC;
			return 0;
		}
	}
	if (decimal(v, out->type == VM_I64 || out->type == VM_F64 ? UINT64_MAX : UINT32_MAX, &n) < 0)
		goto bad;
	out->bits = n;
	return 0;
bad:
	snprintf(why, whylen, "bad %s value %s", t, v != NULL ? v : "(none)");
	return -1;
}

static void
format_value(char *buf, size_t len, uint8_t type, vm_slot bits)
{
	union { uint32_t u; float f; } f32;
	union { uint64_t u; double f; } f64;

	switch (type) {
	case VM_I32:
		snprintf(buf, len, "i32:%" PRIu32 " (0x%08" PRIx32 ")", (uint32_t)bits, (uint32_t)bits);
		break;
	case VM_I64:
		snprintf(buf, len, "i64:%" PRIu64 " (0x%016" PRIx64 ")", bits, bits);
		break;
	case VM_F32:
		f32.u = (uint32_t)bits;
		snprintf(buf, len, "f32:%.9g (0x%08" PRIx32 ")", (double)f32.f, f32.u);
		break;
	case VM_F64:
		f64.u = bits;
		snprintf(buf, len, "f64:%.17g (0x%016" PRIx64 ")", f64.f, f64.u);
		break;
	case VM_EXTERNREF:
		if (bits == 0)
			snprintf(buf, len, "externref:null");
		else
			snprintf(buf, len, "externref:%" PRIu64, bits - 1);
		break;
	case VM_FUNCREF:
		if (bits == 0)
			snprintf(buf, len, "funcref:null");
		else
			snprintf(buf, len, "funcref:%p", (void *)(uintptr_t)bits);
		break;
	default:
		snprintf(buf, len, "%s:0x%" PRIx64, typename(type), bits);
		break;
	}
}

static void
format_expected(char *buf, size_t len, const struct value *e)
{
	switch (e->match) {
	case NAN_CANONICAL:
		snprintf(buf, len, "%s:nan:canonical", typename(e->type));
		break;
	case NAN_ARITHMETIC:
		snprintf(buf, len, "%s:nan:arithmetic", typename(e->type));
		break;
	case ANY_REF:
		snprintf(buf, len, "%s:non-null", typename(e->type));
		break;
	default:
		format_value(buf, len, e->type, e->bits);
		break;
	}
}

/*
 * Whether `bits` of type `type` matches the expected value. Floats compare
 * as bit patterns (so -0 differs from +0 and NaN payloads count); a
 * canonical NaN has only the top payload bit set, an arithmetic NaN at
 * least that bit, either sign.
 */
static bool
matches(const struct value *e, uint8_t type, vm_slot bits)
{
	static const struct { uint64_t sign_off, quiet; } nan[] = {
		[0] = { 0x7fffffffu, 0x7fc00000u },
		[1] = { 0x7fffffffffffffffu, 0x7ff8000000000000u },
	};
	int w = type == VM_F64;

	if (e->type != type)
		return false;
	if (type == VM_I32 || type == VM_F32)
		bits &= 0xffffffffu;
	switch (e->match) {
	case NAN_CANONICAL:
		return (bits & nan[w].sign_off) == nan[w].quiet;
	case NAN_ARITHMETIC:
		return (bits & nan[w].quiet) == nan[w].quiet;
	case ANY_REF:
		return bits != 0;
	default:
		return bits == e->bits;
	}
}

/* ---- the spectest module --------------------------------------------------- */

/* print's empty type list is a real array too: vm_functype_equal may memcmp it. */
static uint8_t t_none[1], t_i32[] = { VM_I32 }, t_i64[] = { VM_I64 }, t_f32[] = { VM_F32 },
	t_f64[] = { VM_F64 }, t_i32_f32[] = { VM_I32, VM_F32 }, t_f64_f64[] = { VM_F64, VM_F64 };

static const struct {
	const char *name;
	struct vm_functype type;
} hostfns[NHOSTFNS] = {
	{ "print", { 0, 0, t_none, 0 } },
	{ "print_i32", { 1, 0, t_i32, 0 } },
	{ "print_i64", { 1, 0, t_i64, 0 } },
	{ "print_f32", { 1, 0, t_f32, 0 } },
	{ "print_f64", { 1, 0, t_f64, 0 } },
	{ "print_i32_f32", { 2, 0, t_i32_f32, 0 } },
	{ "print_f64_f64", { 2, 0, t_f64_f64, 0 } },
};

/* The prints have no effect on the tests: they only show up with -v. */
static enum vm_status
print(struct vm_instance *inst, void *ctx, vm_slot *args)
{
	const struct hostctx *h = ctx;
	char buf[64];
	uint32_t i;

	(void)inst;
	if (!h->r->verbose)
		return VM_OK;
	printf("spectest.%s(", h->name);
	for (i = 0; i < h->type->nparams; i++) {
		format_value(buf, sizeof buf, h->type->types[i], args[i]);
		printf("%s%s", i ? ", " : "", buf);
	}
	printf(")\n");
	return VM_OK;
}

static int
spectest_new(struct runner *r)
{
	static const struct vm_limits mem = { .min = 1, .max = 2, .has_max = true };
	static const struct vm_limits shmem = { .min = 1, .max = 2, .has_max = true, .shared = true };
	static const struct vm_tabletype tab = {
		.elemtype = VM_FUNCREF, .limits = { .min = 10, .max = 20, .has_max = true },
	};
	union { float f; uint32_t u; } f32 = { .f = 666.6f };
	union { double f; uint64_t u; } f64 = { .f = 666.6 };
	struct vm_error err = { 0 };
	char name[64];
	size_t i;

	for (i = 0; i < NHOSTFNS; i++) {
		r->hostctx[i] = (struct hostctx){ r, hostfns[i].name, &hostfns[i].type };
		snprintf(name, sizeof name, "spectest.%s", hostfns[i].name);
		r->hostfns[i] = vm_host_func_new(&hostfns[i].type, print, &r->hostctx[i], name);
		if (r->hostfns[i] == NULL)
			return -1;
	}
	r->g_i32 = vm_global_new(VM_I32, false, 666);
	r->g_i64 = vm_global_new(VM_I64, false, 666);
	r->g_f32 = vm_global_new(VM_F32, false, f32.u);
	r->g_f64 = vm_global_new(VM_F64, false, f64.u);
	r->table = vm_table_new(&tab, &err);
	r->memory = vm_memory_new(&mem, 0, &err);
	r->shared_memory = vm_memory_new(&shmem, 0, &err);
	if (!r->g_i32 || !r->g_i64 || !r->g_f32 || !r->g_f64 || !r->table || !r->memory ||
	    !r->shared_memory)
		return -1;
	return 0;
}

static void
spectest_free(struct runner *r)
{
	struct vm_global *globals[] = { r->g_i32, r->g_i64, r->g_f32, r->g_f64 };
	size_t i;

	/* Only what spectest_new got to (it may have stopped half way). */
	for (i = 0; i < NHOSTFNS; i++)
		if (r->hostfns[i] != NULL)
			vm_func_free(r->hostfns[i]);
	for (i = 0; i < sizeof globals / sizeof globals[0]; i++)
		if (globals[i] != NULL)
			vm_global_unref(globals[i]);
	if (r->table != NULL)
		vm_table_unref(r->table);
	if (r->memory != NULL)
		vm_memory_unref(r->memory);
	if (r->shared_memory != NULL)
		vm_memory_unref(r->shared_memory);
}

/* The spectest export `name`; -1 if there is none. */
static int
spectest_export(struct runner *r, const char *name, size_t len, struct vm_extern *out)
{
	const struct {
		const char *name;
		uint8_t kind;
		void *obj;
	} objs[] = {
		{ "global_i32", VM_EXT_GLOBAL, r->g_i32 },
		{ "global_i64", VM_EXT_GLOBAL, r->g_i64 },
		{ "global_f32", VM_EXT_GLOBAL, r->g_f32 },
		{ "global_f64", VM_EXT_GLOBAL, r->g_f64 },
		{ "table", VM_EXT_TABLE, r->table },
		{ "memory", VM_EXT_MEMORY, r->memory },
		{ "shared_memory", VM_EXT_MEMORY, r->shared_memory },
	};
	size_t i;

	memset(out, 0, sizeof *out);
	for (i = 0; i < NHOSTFNS; i++) {
		if (strlen(hostfns[i].name) == len && memcmp(hostfns[i].name, name, len) == 0) {
			out->kind = VM_EXT_FUNC;
			out->u.func = r->hostfns[i];
			return 0;
		}
	}
	for (i = 0; i < sizeof objs / sizeof objs[0]; i++) {
		if (strlen(objs[i].name) != len || memcmp(objs[i].name, name, len) != 0)
			continue;
		out->kind = objs[i].kind;
		switch (objs[i].kind) {
		case VM_EXT_GLOBAL: out->u.global = objs[i].obj; break;
		case VM_EXT_TABLE: out->u.table = objs[i].obj; break;
		default: out->u.mem = objs[i].obj; break;
		}
		return 0;
	}
	return -1;
}

/* ---- instances and names ------------------------------------------------- */

static int
names_add(struct names *ns, const char *name, size_t len, struct vm_instance *inst)
{
	struct named *nv;
	char *copy;

	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 8;
		nv = realloc(ns->v, cap * sizeof *nv);
		if (nv == NULL)
			return -1;
		ns->v = nv;
		ns->cap = cap;
	}
	copy = malloc(len + 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, name, len);
	copy[len] = '\0';
	ns->v[ns->n++] = (struct named){ copy, len, inst };
	return 0;
}

/* The latest instance given `name`, or NULL. */
static struct vm_instance *
names_find(const struct names *ns, const char *name, size_t len)
{
	size_t i;

	for (i = ns->n; i-- > 0;)
		if (ns->v[i].len == len && memcmp(ns->v[i].name, name, len) == 0)
			return ns->v[i].inst;
	return NULL;
}

static void
names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i].name);
	free(ns->v);
}

static int
keep(struct runner *r, struct vm_instance *inst)
{
	if (r->ninsts == r->instcap) {
		size_t cap = r->instcap ? r->instcap * 2 : 16;
		struct vm_instance **v = realloc(r->insts, cap * sizeof *v);
		if (v == NULL)
			return -1;
		r->insts = v;
		r->instcap = cap;
	}
	r->insts[r->ninsts++] = inst;
	return 0;
}

static int
read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nb;
	size_t n = 0, cap = 0, got;

	if (f == NULL)
		return -1;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (nb == NULL)
				goto bad;
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto bad;
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
bad:
	free(buf);
	fclose(f);
	return -1;
}

/* Load the binary module named by cmd's "filename"; NULL with *err on failure. */
static struct vm_module *
load(struct runner *r, const struct json *cmd, struct vm_error *err)
{
	const char *file = json_get_str(cmd, "filename");
	struct vm_module *m;
	uint8_t *bytes;
	size_t len;
	char *path;

	if (file == NULL) {
		vm_err(err, VM_ERR_STATE, 0, "command has no filename");
		return NULL;
	}
	path = malloc(strlen(r->dir) + strlen(file) + 1);
	if (path == NULL) {
		vm_err(err, VM_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	strcpy(path, r->dir);
	strcat(path, file);
	if (read_file(path, &bytes, &len) < 0) {
		vm_err(err, VM_ERR_STATE, 0, "cannot read %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	free(path);
	m = vm_module_load(bytes, len, err);
	free(bytes);
	return m;
}

/*
 * Resolve mod's imports (spectest, then registered names) and instantiate.
 * The instance is kept until the end of the file. NULL with *err on failure:
 * VM_ERR_LINK for an unknown import, else whatever vm_instantiate said.
 */
static struct vm_instance *
instantiate(struct runner *r, struct vm_module *mod, struct vm_error *err)
{
	struct vm_extern *ext = calloc(mod->nimports ? mod->nimports : 1, sizeof *ext);
	struct vm_instance *inst = NULL, *from;
	uint32_t i;

	if (ext == NULL) {
		vm_err(err, VM_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	for (i = 0; i < mod->nimports; i++) {
		const struct vm_import *im = &mod->imports[i];
		int found;

		if (im->module_len == 8 && memcmp(im->module, "spectest", 8) == 0) {
			found = spectest_export(r, im->name, im->name_len, &ext[i]);
		} else {
			from = names_find(&r->registered, im->module, im->module_len);
			found = from ? vm_instance_export(from, im->name, im->name_len, &ext[i]) : -1;
		}
		if (found < 0) {
			vm_err(err, VM_ERR_LINK, 0, "unknown import \"%s\".\"%s\"", im->module, im->name);
			goto out;
		}
	}
	inst = vm_instantiate(mod, ext, mod->nimports, &r->cfg, err);
	if (inst != NULL && keep(r, inst) < 0) {
		vm_instance_free(inst);
		inst = NULL;
		vm_err(err, VM_ERR_NOMEM, 0, "out of memory");
	}
out:
	free(ext);
	return inst;
}

static const char *
errkind(enum vm_errkind k)
{
	static const char *const names[] = {
		[VM_ERR_NONE] = "no error",
		[VM_ERR_MALFORMED] = "malformed",
		[VM_ERR_INVALID] = "invalid",
		[VM_ERR_LINK] = "link error",
		[VM_ERR_TRAP] = "trap",
		[VM_ERR_NOMEM] = "out of memory",
		[VM_ERR_STATE] = "state error",
	};

	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

/* ---- actions ------------------------------------------------------------- */

enum outcome { RETURNED, TRAPPED, BROKEN };

struct action {
	enum outcome outcome;
	uint32_t nresults;
	vm_slot *results;             /* malloc'd */
	const uint8_t *types;         /* result types */
	char msg[256];                /* TRAPPED: trap message; BROKEN: what went wrong */
	bool unsupported;             /* BROKEN because of an unsupported value type */
};

static struct vm_instance *
target(struct runner *r, const struct json *action)
{
	const char *name = json_get_str(action, "module");

	return name ? names_find(&r->modnames, name, strlen(name)) : r->current;
}

/*
 * Run an "invoke" or "get" action. Always fills *a; the caller frees
 * a->results. The instance is reset afterwards, ready for the next call.
 */
static void
act(struct runner *r, const struct json *action, struct action *a)
{
	const char *type = json_get_str(action, "type");
	const struct json *field = json_get(action, "field");
	const struct json *args = json_get(action, "args");
	struct vm_instance *inst = target(r, action);
	const struct vm_functype *ft;
	struct vm_error err = { 0 };
	struct vm_extern ext;
	struct value v;
	vm_slot *argv = NULL;
	enum vm_status st;
	uint32_t i, idx;
	int e, rc;

	memset(a, 0, sizeof *a);
	a->outcome = BROKEN;
	if (type == NULL || field == NULL || field->type != JSON_STRING) {
		snprintf(a->msg, sizeof a->msg, "malformed action");
		return;
	}
	if (inst == NULL) {
		snprintf(a->msg, sizeof a->msg, "no module instance to act on");
		return;
	}
	if (strcmp(type, "get") == 0) {
		if (vm_instance_export(inst, field->str, (uint32_t)field->len, &ext) < 0 ||
		    ext.kind != VM_EXT_GLOBAL) {
			snprintf(a->msg, sizeof a->msg, "no global export \"%s\"", field->str);
			return;
		}
		a->results = malloc(sizeof *a->results);
		if (a->results == NULL) {
			snprintf(a->msg, sizeof a->msg, "out of memory");
			return;
		}
		a->results[0] = ext.u.global->val;
		a->types = &ext.u.global->type;
		a->nresults = 1;
		a->outcome = RETURNED;
		return;
	}
	if (strcmp(type, "invoke") != 0) {
		snprintf(a->msg, sizeof a->msg, "unknown action type %s", type);
		return;
	}
	e = vm_module_find_export(inst->mod, field->str, (uint32_t)field->len, VM_EXT_FUNC);
	if (e < 0) {
		snprintf(a->msg, sizeof a->msg, "no function export \"%s\"", field->str);
		return;
	}
	idx = inst->mod->exports[e].index;
	ft = inst->funcs[idx]->type;
	if (args == NULL || args->type != JSON_ARRAY || args->len != ft->nparams) {
		snprintf(a->msg, sizeof a->msg, "\"%s\" takes %" PRIu32 " arguments", field->str,
			 ft->nparams);
		return;
	}
	argv = calloc(ft->nparams + 1, sizeof *argv);
	a->results = calloc(ft->nresults + 1, sizeof *a->results);
	if (argv == NULL || a->results == NULL) {
		snprintf(a->msg, sizeof a->msg, "out of memory");
		goto out;
	}
	for (i = 0; i < ft->nparams; i++) {
		rc = parse_value(&args->items[i], false, &v, a->msg, sizeof a->msg);
		if (rc != 0) {
			a->unsupported = rc > 0;
			goto out;
		}
		if (v.type != ft->types[i]) {
			snprintf(a->msg, sizeof a->msg, "argument %" PRIu32 " is %s, \"%s\" takes %s",
				 i, typename(v.type), field->str, typename(ft->types[i]));
			goto out;
		}
		argv[i] = v.bits;
	}
	if (vm_call_start(inst, idx, argv, ft->nparams, &err) < 0) {
		snprintf(a->msg, sizeof a->msg, "vm_call_start: %s", err.msg);
		goto out;
	}
	st = vm_run(inst, -1, NULL);
	switch (st) {
	case VM_OK:
		if (vm_results(inst, a->results, ft->nresults) < 0) {
			snprintf(a->msg, sizeof a->msg, "vm_results failed");
			break;
		}
		a->nresults = ft->nresults;
		a->types = ft->types + ft->nparams;
		a->outcome = RETURNED;
		break;
	case VM_TRAP:
		snprintf(a->msg, sizeof a->msg, "%s", vm_trap_message(inst));
		a->outcome = TRAPPED;
		break;
	default:
		snprintf(a->msg, sizeof a->msg, "vm_run returned status %d", (int)st);
		break;
	}
	vm_reset(inst);
out:
	free(argv);
}

static enum result
broken(struct runner *r, const struct action *a)
{
	if (a->unsupported) {
		note(r, "skipped: %s", a->msg);
		return SKIP;
	}
	failure(r, "%s", a->msg);
	return FAIL;
}

/* For -v: the spec's expected message text next to ours. */
static void
compare_text(struct runner *r, const struct json *cmd, const char *got, bool prefix)
{
	const char *want = json_get_str(cmd, "text");

	if (want == NULL)
		return;
	if (prefix ? strncmp(got, want, strlen(want)) != 0 : strstr(got, want) == NULL)
		note(r, "expected \"%s\", got \"%s\"", want, got);
}

/* ---- commands ------------------------------------------------------------ */

static enum result
cmd_module(struct runner *r, const struct json *cmd)
{
	const char *name = json_get_str(cmd, "name");
	struct vm_error err = { 0 };
	struct vm_module *mod;

	r->current = NULL;
	mod = load(r, cmd, &err);
	if (mod == NULL) {
		failure(r, "load failed (%s): %s", errkind(err.kind), err.msg);
		return FAIL;
	}
	r->current = instantiate(r, mod, &err);
	vm_module_unref(mod);
	if (r->current == NULL) {
		failure(r, "instantiation failed (%s): %s", errkind(err.kind), err.msg);
		return FAIL;
	}
	if (name != NULL && names_add(&r->modnames, name, strlen(name), r->current) < 0) {
		failure(r, "out of memory");
		return FAIL;
	}
	return PASS;
}

static enum result
cmd_register(struct runner *r, const struct json *cmd)
{
	const struct json *as = json_get(cmd, "as");
	const char *name = json_get_str(cmd, "name");
	struct vm_instance *inst = name ? names_find(&r->modnames, name, strlen(name)) : r->current;

	if (as == NULL || as->type != JSON_STRING || inst == NULL) {
		failure(r, "no module to register");
		return FAIL;
	}
	if (names_add(&r->registered, as->str, as->len, inst) < 0) {
		failure(r, "out of memory");
		return FAIL;
	}
	return UNCOUNTED;
}

static enum result
cmd_action(struct runner *r, const struct json *cmd)
{
	struct action a;
	enum result res = PASS;

	act(r, json_get(cmd, "action"), &a);
	if (a.outcome == TRAPPED) {
		failure(r, "unexpected trap: %s", a.msg);
		res = FAIL;
	} else if (a.outcome == BROKEN) {
		res = broken(r, &a);
	}
	free(a.results);
	return res;
}

static enum result
cmd_assert_return(struct runner *r, const struct json *cmd)
{
	const struct json *expected = json_get(cmd, "expected");
	enum result res = FAIL;
	char want[96], got[96], why[120];
	struct action a;
	struct value e;
	uint32_t i;
	int rc;

	act(r, json_get(cmd, "action"), &a);
	if (a.outcome == TRAPPED) {
		failure(r, "unexpected trap: %s", a.msg);
		goto out;
	}
	if (a.outcome == BROKEN) {
		res = broken(r, &a);
		goto out;
	}
	if (expected == NULL || expected->type != JSON_ARRAY || expected->len != a.nresults) {
		failure(r, "%" PRIu32 " results, expected %zu", a.nresults,
			expected && expected->type == JSON_ARRAY ? expected->len : 0);
		goto out;
	}
	res = PASS;
	for (i = 0; i < a.nresults; i++) {
		rc = parse_value(&expected->items[i], true, &e, why, sizeof why);
		if (rc != 0) {
			if (rc > 0) {
				note(r, "skipped: %s", why);
				res = SKIP;
				goto out;
			}
			failure(r, "%s", why);
			res = FAIL;
			goto out;
		}
		if (!matches(&e, a.types[i], a.results[i])) {
			format_expected(want, sizeof want, &e);
			format_value(got, sizeof got, a.types[i], a.results[i]);
			failure(r, "result %" PRIu32 ": got %s, expected %s", i, got, want);
			res = FAIL;
		}
	}
out:
	free(a.results);
	return res;
}

/*
 * Instantiate the command's module and expect it to fail with `kind`
 * (assert_unlinkable, assert_uninstantiable, assert_trap on a module).
 */
static enum result
expect_instantiation_failure(struct runner *r, const struct json *cmd, enum vm_errkind kind)
{
	struct vm_error err = { 0 };
	struct vm_module *mod = load(r, cmd, &err);
	struct vm_instance *inst;

	if (mod == NULL) {
		failure(r, "load failed (%s): %s", errkind(err.kind), err.msg);
		return FAIL;
	}
	inst = instantiate(r, mod, &err);
	vm_module_unref(mod);
	if (inst != NULL) {
		failure(r, "instantiation succeeded, expected %s \"%s\"", errkind(kind),
			json_get_str(cmd, "text") ? json_get_str(cmd, "text") : "");
		return FAIL;
	}
	if (err.kind != kind) {
		failure(r, "expected %s, got %s: %s", errkind(kind), errkind(err.kind), err.msg);
		return FAIL;
	}
	compare_text(r, cmd, err.msg, false);
	return PASS;
}

/* assert_trap and assert_exhaustion: any trap passes; -v notes other texts. */
static enum result
cmd_assert_trap(struct runner *r, const struct json *cmd)
{
	const struct json *action = json_get(cmd, "action");
	enum result res = FAIL;
	struct action a;

	if (action == NULL)
		return expect_instantiation_failure(r, cmd, VM_ERR_TRAP);
	act(r, action, &a);
	switch (a.outcome) {
	case TRAPPED:
		compare_text(r, cmd, a.msg, true);
		res = PASS;
		break;
	case RETURNED:
		failure(r, "returned, expected trap \"%s\"",
			json_get_str(cmd, "text") ? json_get_str(cmd, "text") : "");
		break;
	case BROKEN:
		res = broken(r, &a);
		break;
	}
	free(a.results);
	return res;
}

static enum result
cmd_assert_unlinkable(struct runner *r, const struct json *cmd)
{
	return expect_instantiation_failure(r, cmd, VM_ERR_LINK);
}

static enum result
cmd_assert_uninstantiable(struct runner *r, const struct json *cmd)
{
	return expect_instantiation_failure(r, cmd, VM_ERR_TRAP);
}

/*
 * assert_malformed and assert_invalid on binary modules. The spec files
 * sometimes call a module malformed that a decoder may only reject during
 * validation (and vice versa), so either kind passes; -v notes the mix-up.
 */
static enum result
cmd_assert_bad_module(struct runner *r, const struct json *cmd)
{
	const char *mt = json_get_str(cmd, "module_type");
	enum vm_errkind want = strcmp(r->cmd, "assert_malformed") == 0 ? VM_ERR_MALFORMED
									  : VM_ERR_INVALID;
	struct vm_error err = { 0 };
	struct vm_module *mod;

	if (mt != NULL && strcmp(mt, "text") == 0) {
		note(r, "skipped: text-format module");
		return SKIP;
	}
	mod = load(r, cmd, &err);
	if (mod != NULL) {
		vm_module_unref(mod);
		failure(r, "module loaded, expected %s \"%s\"", errkind(want),
			json_get_str(cmd, "text") ? json_get_str(cmd, "text") : "");
		return FAIL;
	}
	if (err.kind != VM_ERR_MALFORMED && err.kind != VM_ERR_INVALID) {
		failure(r, "expected %s, got %s: %s", errkind(want), errkind(err.kind), err.msg);
		return FAIL;
	}
	if (err.kind != want)
		note(r, "reported as %s: %s", errkind(err.kind), err.msg);
	compare_text(r, cmd, err.msg, false);
	return PASS;
}

/*
 * Assertions of the threads proposal's tests that predate Wasm 2.0 and
 * contradict it. warren implements Wasm 2.0, so these count as skipped
 * (with the reason under -v), never as passed.
 */
static const struct {
	const char *file;             /* prefix of the source file name */
	const char *cmd;
	const char *text;             /* the assertion's expected text */
	const char *why;
} superseded[] = {
	{ "threads/", "assert_invalid", "multiple tables",
	  "Wasm 2.0 (reference types) allows several tables" },
};

static bool
is_superseded(struct runner *r, const struct json *cmd)
{
	const char *text = json_get_str(cmd, "text");
	size_t i;

	for (i = 0; i < sizeof superseded / sizeof superseded[0]; i++) {
		if (strncmp(r->src, superseded[i].file, strlen(superseded[i].file)) != 0 ||
		    strcmp(r->cmd, superseded[i].cmd) != 0 || text == NULL ||
		    strcmp(text, superseded[i].text) != 0)
			continue;
		note(r, "skipped: \"%s\" is superseded: %s", text, superseded[i].why);
		return true;
	}
	return false;
}

static const struct {
	const char *type;
	enum result (*run)(struct runner *r, const struct json *cmd);
} commands[] = {
	{ "module", cmd_module },
	{ "register", cmd_register },
	{ "action", cmd_action },
	{ "assert_return", cmd_assert_return },
	{ "assert_trap", cmd_assert_trap },
	{ "assert_exhaustion", cmd_assert_trap },
	{ "assert_malformed", cmd_assert_bad_module },
	{ "assert_invalid", cmd_assert_bad_module },
	{ "assert_unlinkable", cmd_assert_unlinkable },
	{ "assert_uninstantiable", cmd_assert_uninstantiable },
};

static enum result
run_command(struct runner *r, const struct json *cmd)
{
	const struct json *line = json_get(cmd, "line");
	uint64_t n;
	size_t i;

	r->cmd = json_get_str(cmd, "type");
	r->line = 0;
	if (line != NULL && line->type == JSON_NUMBER && decimal(line->str, UINT32_MAX, &n) == 0)
		r->line = (unsigned)n;
	if (r->cmd == NULL) {
		r->cmd = "?";
		failure(r, "command without a type");
		return FAIL;
	}
	if (is_superseded(r, cmd))
		return SKIP;
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].type, r->cmd) == 0)
			return commands[i].run(r, cmd);
	failure(r, "unknown command type");
	return FAIL;
}

/* ---- main ------------------------------------------------------------------ */

static void
runner_free(struct runner *r)
{
	size_t i;

	/* Newest first: later instances may import functions of earlier ones. */
	for (i = r->ninsts; i-- > 0;)
		vm_instance_free(r->insts[i]);
	free(r->insts);
	names_free(&r->modnames);
	names_free(&r->registered);
	spectest_free(r);
	free(r->dir);
}

int
main(int argc, char **argv)
{
	struct runner r = { 0 };
	const struct json *cmds;
	struct json *doc = NULL;
	const char *path = NULL, *slash;
	uint8_t *text = NULL;
	size_t len, i;
	char err[200];
	int status = 2;

	bool usage = false;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			r.verbose = true;
		else if (path == NULL && argv[i][0] != '-')
			path = argv[i];
		else
			usage = true;
	}
	if (path == NULL || usage) {
		fprintf(stderr, "usage: spec-runner FILE.json [-v]\n");
		return 2;
	}
	r.src = path;
	slash = strrchr(path, '/');
	len = slash ? (size_t)(slash - path) + 1 : 0;
	r.dir = malloc(len + 1);
	if (r.dir == NULL || spectest_new(&r) < 0) {
		fprintf(stderr, "%s: out of memory\n", path);
		goto out;
	}
	memcpy(r.dir, path, len);
	r.dir[len] = '\0';
	if (read_file(path, &text, &len) < 0) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		goto out;
	}
	doc = json_parse((const char *)text, len, err, sizeof err);
	if (doc == NULL) {
		fprintf(stderr, "%s: bad JSON: %s\n", path, err);
		goto out;
	}
	if (json_get_str(doc, "source_filename") != NULL)
		r.src = json_get_str(doc, "source_filename");
	cmds = json_get(doc, "commands");
	if (cmds == NULL || cmds->type != JSON_ARRAY) {
		fprintf(stderr, "%s: no \"commands\" array\n", path);
		goto out;
	}
	for (i = 0; i < cmds->len; i++) {
		switch (run_command(&r, &cmds->items[i])) {
		case PASS: r.passed++; break;
		case FAIL: r.failed++; break;
		case SKIP: r.skipped++; break;
		case UNCOUNTED: break;
		}
		fflush(stdout);
	}
	printf("%s: %u passed, %u failed, %u skipped\n", r.src, r.passed, r.failed, r.skipped);
	status = r.failed ? 1 : 0;
out:
	fflush(stdout);
	runner_free(&r);
	json_free(doc);
	free(text);
	return status;
}
