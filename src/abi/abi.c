/*
 * abi.c - the import resolver, the dispatcher, guest memory access and
 * the generated documentation, shared by the three call tables.
 *
 * Every import of a program resolves to one host function object per
 * table row (struct entry), made on first use and shared by all
 * instances: the row's signature string is parsed once into a
 * vm_functype, and the host function is `dispatch`, which builds a struct
 * abi_cx and turns the handler's errno into the call's result and the
 * VM status the kernel expects.
 *
 * Guest memory is reached only through abi_mem and its helpers, which
 * check every range with 64-bit arithmetic against the memory's size at
 * the start of the call (a host call cannot grow memory, so the size
 * holds for the whole call).
 */
#include "abi/abi.h"
#include "base/alloc.h"
#include "fs/fs.h"
#include "kern/kern.h"
#include "kern/event.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXPARAMS 16

static const struct abi_table *const tables[] = {
	&abi_wasi_table,
	&abi_wasix_table,
	&abi_warren_table,
	&abi_ns_table,        /* more warren_v1: a module may span tables */
	&abi_ipc_table,       /* and interface IPC */
};
#define NTABLES (sizeof tables / sizeof tables[0])

/* One table row made callable: its type and its function object. */
struct entry {
	const struct abi_call *call;
	const struct abi_table *table;
	struct abi *abi;
	struct vm_functype type;
	uint8_t types[MAXPARAMS + 1];
	struct vm_func *fn;      /* made on first use */
	bool parsed;
};

struct abi {
	struct entry *entries[NTABLES];
	struct vnode *urandom;   /* the system's random source, looked up once */
};

/* ---- signatures ------------------------------------------------------------- */

/*
 * Parse a row's "i32 fd, i64 offset" and "errno"/"" into t. Returns false
 * for a malformed row (a bug in a table: the unit tests parse every row).
 */
static bool
parse_sig(const struct abi_call *c, struct vm_functype *t, uint8_t *types)
{
	const char *s = c->params;
	uint32_t n = 0;

	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		if (n == MAXPARAMS)
			return false;
		if (!strncmp(s, "i32 ", 4))
			types[n++] = VM_I32;
		else if (!strncmp(s, "i64 ", 4))
			types[n++] = VM_I64;
		else
			return false;
		s += 4;
		if (*s == ' ' || *s == ',' || !*s)
			return false;    /* every parameter has a name */
		while (*s && *s != ',')
			s++;
	}
	t->nparams = n;
	if (!strcmp(c->result, "errno")) {
		types[n] = VM_I32;
		t->nresults = 1;
	} else if (!c->result[0]) {
		t->nresults = 0;
	} else {
		return false;
	}
	t->types = types;
	t->key = 0;
	return true;
}

static bool
same_type(const struct vm_functype *a, const struct vm_functype *b)
{
	uint32_t n = a->nparams + a->nresults;

	if (a->nparams != b->nparams || a->nresults != b->nresults)
		return false;
	return n == 0 || !memcmp(a->types, b->types, n);
}

/* "(i32, i64) -> (i32)" into buf. */
static void
format_type(const struct vm_functype *t, char *buf, size_t cap)
{
	size_t o = 0;

	o += (size_t)snprintf(buf + o, cap - o, "(");
	for (uint32_t i = 0; i < t->nparams && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "",
				      vm_valtype_name(t->types[i]));
	if (o < cap)
		o += (size_t)snprintf(buf + o, cap - o, ") -> (");
	for (uint32_t i = 0; i < t->nresults && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "",
				      vm_valtype_name(t->types[t->nparams + i]));
	if (o < cap)
		snprintf(buf + o, cap - o, ")");
}

/* An import name made printable (names are bytes and may hold anything). */
static void
printable(char *dst, size_t cap, const char *s, uint32_t len)
{
	size_t o = 0;

	for (uint32_t i = 0; i < len && o + 4 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];

		dst[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	if (len && o + 4 >= cap) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* ---- dispatch ------------------------------------------------------------- */

/*
 * The syscall trace (k->trace_syscalls): one KEV_SYSCALL per call that
 * completes, with its raw arguments, its errno (-1: it trapped; an exit
 * reports 0) and the fuel clock when it first began, so a call that
 * blocked and was re-executed is one record, begun before its KEV_BLOCK.
 */
static void
trace_call(struct kern *k, struct proc *p, const struct entry *e, const vm_slot *args,
	   int64_t result)
{
	uint64_t a[6];
	int n = (int)(e->type.nparams < 6 ? e->type.nparams : 6);
	struct kev ev = {
		.type = KEV_SYSCALL, .pid = p->pid, .a = result, .b = (int64_t)p->call_clock,
		.name = e->call->name, .args = a, .nargs = n,
	};

	for (int i = 0; i < n; i++)
		a[i] = (uint64_t)args[i];
	if (k->on_event)
		k->on_event(k->event_ctx, &ev);
}

static enum vm_status
dispatch(struct vm_instance *inst, void *ctx, vm_slot *args)
{
	struct entry *e = ctx;
	struct abi_cx cx = {
		.inst = inst,
		.p = vm_userdata(inst),
		.abi = e->abi,
		.args = args,
	};
	vm_slot saved[6];
	struct kern *k;
	bool tr;
	uint32_t n;
	int r;

	if (!cx.p) {
		vm_set_trap(inst, "%s.%s called outside a warren process", e->table->module,
			    e->call->name);
		return VM_TRAP;
	}
	cx.mem = vm_memory_data(inst, &cx.memsize);
	if (!cx.mem)
		cx.memsize = 0;
	k = cx.p->k;
	tr = k->trace_syscalls;
	if (tr) {
		/* The arguments are overwritten by the result: keep them. */
		n = e->type.nparams < 6 ? e->type.nparams : 6;
		memcpy(saved, args, n * sizeof *args);
		if (!cx.p->restarting)
			cx.p->call_clock = k->fuel_total + (uint64_t)vm_fuel_used(inst);
	}
	r = e->call->fn(&cx);
	switch (r) {
	case E_BLOCK:
		/* Asleep (not merely retried: a signal to act on first). */
		if (cx.p->state == P_BLOCKED)
			kern_event(k, KEV_BLOCK, cx.p->pid, 0, 0, e->call->name);
		return VM_BLOCK;
	case ABI_EXIT:
		if (tr)
			trace_call(k, cx.p, e, saved, 0);
		return VM_EXIT;
	case ABI_TRAP:
		if (tr)
			trace_call(k, cx.p, e, saved, -1);
		return VM_TRAP;
	default:
		break;
	}
	/* Anything else internal must not reach a guest as an errno. */
	if (r < 0 || r > E_WASI_MAX)
		r = E_IO;
	if (tr)
		trace_call(k, cx.p, e, saved, r);
	if (e->type.nresults)
		args[0] = (uint32_t)r;
	return kern_ret(cx.p);
}

/* ---- the resolver --------------------------------------------------------- */

int
abi_new(struct abi **out)
{
	struct abi *a = al_calloc(1, sizeof *a);

	*out = NULL;
	if (!a)
		return E_NOMEM;
	for (size_t t = 0; t < NTABLES; t++) {
		a->entries[t] = al_calloc(tables[t]->ncalls ? tables[t]->ncalls : 1,
				       sizeof *a->entries[t]);
		if (!a->entries[t])
			goto fail;
		for (size_t i = 0; i < tables[t]->ncalls; i++) {
			struct entry *e = &a->entries[t][i];

			e->call = &tables[t]->calls[i];
			e->table = tables[t];
			e->abi = a;
			e->parsed = parse_sig(e->call, &e->type, e->types);
		}
	}
	*out = a;
	return 0;
fail:
	abi_free(a);
	return E_NOMEM;
}

void
abi_free(struct abi *a)
{
	if (!a)
		return;
	for (size_t t = 0; t < NTABLES; t++) {
		if (!a->entries[t])
			continue;
		for (size_t i = 0; i < tables[t]->ncalls; i++)
			vm_func_free(a->entries[t][i].fn);
		al_free(a->entries[t]);
	}
	vn_unref(a->urandom);
	al_free(a);
}

static bool
name_is(const char *want, const char *s, uint32_t len)
{
	return strlen(want) == len && !memcmp(want, s, len);
}

struct vm_func *
abi_resolve(void *ctx, const struct vm_import *imp, const struct vm_functype *type,
	    struct vm_error *err)
{
	struct abi *a = ctx;
	char mod[80], name[80], have[160], want[160];
	struct entry *first = NULL;
	size_t t, ft = 0;

	printable(mod, sizeof mod, imp->module, imp->module_len);
	printable(name, sizeof name, imp->name, imp->name_len);
	for (t = 0; t < NTABLES; t++)
		if (name_is(tables[t]->module, imp->module, imp->module_len))
			break;
	if (t == NTABLES) {
		vm_err(err, VM_ERR_LINK, 0, "unknown import %s.%s (unknown module %s)", mod, name,
		       mod);
		return NULL;
	}
	if (imp->kind != VM_EXT_FUNC || !type) {
		vm_err(err, VM_ERR_LINK, 0, "import %s.%s: warren provides only functions", mod,
		       name);
		return NULL;
	}
	/* A module may span several tables (warren_v1: warren.c and ns.c). */
	for (; t < NTABLES; t++) {
		if (!name_is(tables[t]->module, imp->module, imp->module_len))
			continue;
		for (size_t i = 0; i < tables[t]->ncalls; i++) {
			struct entry *e = &a->entries[t][i];

			if (!name_is(e->call->name, imp->name, imp->name_len) || !e->parsed)
				continue;
			if (!first) {
				first = e;
				ft = t;
			}
			if (!same_type(&e->type, type))
				continue;
			if (!e->fn) {
				char dbg[160];

				snprintf(dbg, sizeof dbg, "%s.%s", tables[t]->module, e->call->name);
				e->fn = vm_host_func_new(&e->type, dispatch, e, dbg);
				if (!e->fn) {
					vm_err(err, VM_ERR_NOMEM, 0, "import %s.%s: out of memory", mod,
					       name);
					return NULL;
				}
			}
			return e->fn;
		}
	}
	if (!first) {
		vm_err(err, VM_ERR_LINK, 0, "unknown import %s.%s", mod, name);
		return NULL;
	}
	format_type(type, have, sizeof have);
	format_type(&first->type, want, sizeof want);
	vm_err(err, VM_ERR_LINK, 0, "import %s.%s: type %s does not match warren's %s%s", mod,
	       name, have, want, first + 1 < a->entries[ft] + tables[ft]->ncalls &&
	       !strcmp(first[1].call->name, first->call->name) ? " (or another form)" : "");
	return NULL;
}

/* ---- guest memory ----------------------------------------------------------- */

int
abi_check(struct abi_cx *cx, uint32_t ptr, uint64_t len)
{
	return len <= cx->memsize && ptr <= cx->memsize - len ? 0 : E_FAULT;
}

uint8_t *
abi_mem(struct abi_cx *cx, uint32_t ptr, uint64_t len)
{
	static uint8_t none;

	if (abi_check(cx, ptr, len))
		return NULL;
	return cx->mem ? cx->mem + ptr : &none;
}

/*
 * Guest memory is little-endian. On a little-endian host a fixed-size
 * memcpy is one load or store; elsewhere the bytes are assembled.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LE 1
#else
#define HOST_LE 0
#endif

void
abi_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void
abi_le32(uint8_t *p, uint32_t v)
{
	if (HOST_LE) {
		memcpy(p, &v, 4);
		return;
	}
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void
abi_le64(uint8_t *p, uint64_t v)
{
	if (HOST_LE) {
		memcpy(p, &v, 8);
		return;
	}
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t
abi_rd32(const uint8_t *p)
{
	uint32_t v;

	if (HOST_LE) {
		memcpy(&v, p, 4);
		return v;
	}
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t
abi_rd64(const uint8_t *p)
{
	return (uint64_t)abi_rd32(p) | (uint64_t)abi_rd32(p + 4) << 32;
}

/*
 * The n-byte (1, 2, 4 or 8) little-endian value at guest ptr: into *v, or
 * E_FAULT (and *v untouched) when the bytes are outside memory.
 */
static int
get_le(struct abi_cx *cx, uint32_t ptr, uint32_t n, uint64_t *v)
{
	uint8_t *m = abi_mem(cx, ptr, n);

	if (!m)
		return E_FAULT;
	switch (n) {
	case 2: *v = (uint16_t)(m[0] | m[1] << 8); break;
	case 4: *v = abi_rd32(m); break;
	default: *v = abi_rd64(m); break;
	}
	return 0;
}

/* Stores the low n bytes (1, 2, 4 or 8) of v at guest ptr, little-endian. */
static int
put_le(struct abi_cx *cx, uint32_t ptr, uint32_t n, uint64_t v)
{
	uint8_t *m = abi_mem(cx, ptr, n);

	if (!m)
		return E_FAULT;
	switch (n) {
	case 1: *m = (uint8_t)v; break;
	case 2: abi_le16(m, (uint16_t)v); break;
	case 4: abi_le32(m, (uint32_t)v); break;
	default: abi_le64(m, v); break;
	}
	return 0;
}

int
abi_get16(struct abi_cx *cx, uint32_t ptr, uint16_t *v)
{
	uint64_t x;
	int e = get_le(cx, ptr, 2, &x);

	if (!e)
		*v = (uint16_t)x;
	return e;
}

int
abi_get32(struct abi_cx *cx, uint32_t ptr, uint32_t *v)
{
	uint64_t x;
	int e = get_le(cx, ptr, 4, &x);

	if (!e)
		*v = (uint32_t)x;
	return e;
}

int
abi_get64(struct abi_cx *cx, uint32_t ptr, uint64_t *v)
{
	return get_le(cx, ptr, 8, v);
}

int
abi_put8(struct abi_cx *cx, uint32_t ptr, uint8_t v)
{
	return put_le(cx, ptr, 1, v);
}

int
abi_put16(struct abi_cx *cx, uint32_t ptr, uint16_t v)
{
	return put_le(cx, ptr, 2, v);
}

int
abi_put32(struct abi_cx *cx, uint32_t ptr, uint32_t v)
{
	return put_le(cx, ptr, 4, v);
}

int
abi_put64(struct abi_cx *cx, uint32_t ptr, uint64_t v)
{
	return put_le(cx, ptr, 8, v);
}

int
abi_path(struct abi_cx *cx, uint32_t ptr, uint32_t len, char *buf, size_t cap)
{
	uint8_t *m;

	if (len > FS_PATH_MAX || (size_t)len + 1 > cap)
		return E_NAMETOOLONG;
	m = abi_mem(cx, ptr, len);
	if (!m)
		return E_FAULT;
	memcpy(buf, m, len);
	buf[len] = '\0';
	return 0;
}

int
abi_strdup(struct abi_cx *cx, uint32_t ptr, uint32_t len, size_t max, char **out)
{
	uint8_t *m;

	*out = NULL;
	if (len > max)
		return E_2BIG;
	m = abi_mem(cx, ptr, len);
	if (!m)
		return E_FAULT;
	*out = al_malloc((size_t)len + 1);
	if (!*out)
		return E_NOMEM;
	memcpy(*out, m, len);
	(*out)[len] = '\0';
	return 0;
}

int
abi_iovecs(struct abi_cx *cx, uint32_t iovs, uint32_t n, uint64_t *total)
{
	uint64_t sum = 0;
	uint8_t *v;

	*total = 0;
	if (n > ABI_IOV_MAX)
		return E_INVAL;
	v = abi_mem(cx, iovs, (uint64_t)n * 8);
	if (!v)
		return E_FAULT;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t buf = abi_rd32(v + 8 * i), len = abi_rd32(v + 8 * i + 4);

		if (abi_check(cx, buf, len))
			return E_FAULT;
		sum += len;
	}
	*total = sum > UINT32_MAX ? UINT32_MAX : sum;
	return 0;
}

uint8_t *
abi_iov(struct abi_cx *cx, uint32_t iovs, uint32_t i, uint32_t *len)
{
	uint8_t *v = cx->mem + iovs + 8 * (uint64_t)i;

	*len = abi_rd32(v + 4);
	return abi_mem(cx, abi_rd32(v), *len);
}

int
abi_strvec(struct abi_cx *cx, uint32_t ptr, uint32_t len, size_t max, char ***out)
{
	uint8_t *m;
	size_t n = 0, i, k;
	char **vec, *s;

	*out = NULL;
	if (len > max)
		return E_2BIG;
	m = abi_mem(cx, ptr, len);
	if (!m)
		return E_FAULT;
	for (i = 0; i < len; i++)
		if (m[i] == '\n')
			n++;
	if (len && m[len - 1] != '\n')
		n++;
	vec = al_malloc((n + 1) * sizeof *vec + len + 1);
	if (!vec)
		return E_NOMEM;
	s = (char *)(vec + n + 1);
	memcpy(s, m, len);
	s[len] = '\0';
	for (i = 0, k = 0; k < n; k++) {
		vec[k] = s + i;
		while (i < len && s[i] != '\n')
			i++;
		s[i++] = '\0';
	}
	vec[n] = NULL;
	*out = vec;
	return 0;
}

/* ---- the random source -------------------------------------------------------- */

int
abi_random(struct abi_cx *cx, void *buf, size_t len)
{
	struct abi *a = cx->abi;
	struct fs_io io = { .opener = cx->p };
	size_t done = 0;

	if (!a->urandom) {
		struct fs_path path;
		int r;

		if (!cx->p->k || !cx->p->k->root_ns)
			return E_NOSYS;
		r = fs_resolve(cx->p->k->root_ns, NULL, "/dev/urandom", 12, FS_FOLLOW, &path);
		if (r)
			return r;
		a->urandom = path.vn;
		path.vn = NULL;
		fs_path_release(&path);
	}
	while (done < len) {
		size_t n = 0;
		int r = vn_read(a->urandom, &io, 0, (uint8_t *)buf + done, len - done, &n);

		if (r)
			return r;
		if (!n)
			return E_IO;
		done += n;
	}
	return 0;
}

/* ---- docs/syscalls.md -------------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!b->s || b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap : 4096);
		char *s;

		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		s = al_realloc(b->s, cap);
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

static const char doc_intro[] =
	"# warren system calls\n"
	"\n"
	"Generated by `abi_doc()` from the call tables in src/abi/ (wasi.c, wasix.c,\n"
	"warren.c): the same rows the import resolver and the dispatcher use. Do not edit by\n"
	"hand: the unit test `abi_doc_current` fails when this file and the tables differ, and\n"
	"`WARREN_REGEN_DOCS=1 build/unit-tests abi_doc_current` rewrites it.\n"
	"\n"
	"Conventions (all three modules). Each parameter is shown with its wasm type; pointers\n"
	"and lengths are i32 offsets into the caller's memory 0, and `*name` marks a pointer the\n"
	"call writes a result through. A call returns a WASI errno (0 = success) and writes its\n"
	"results only on success (getcwd and ps also report the size they need). Every\n"
	"pointer is checked against the memory size before anything happens: a bad one gives\n"
	"EFAULT (21) and the call has no effect. Signal numbers are Linux's. A call that must\n"
	"wait puts the process to sleep and is re-executed from the start when it wakes, so a\n"
	"blocked call never leaves half-done work; a caught signal interrupts it with EINTR\n"
	"after the handler has run.\n"
	"\n"
	"Paths. A path is resolved in the process's namespace relative to the directory fd\n"
	"given; an absolute path starts at the namespace root. fd 3 is the one preopen: `/`,\n"
	"the namespace root. wasi-libc strips the leading `/` of absolute paths and sends every\n"
	"path relative to fd 3, keeping its own copy of the working directory to make relative\n"
	"paths absolute first; so paths relative to fd 3 resolve from the root, never from the\n"
	"kernel's working directory (otherwise `/etc/x` would name `$PWD/etc/x`). The kernel's\n"
	"working directory (wasix `chdir`/`getcwd`) is what children inherit; a guest keeps\n"
	"wasi-libc's copy equal to it (the SDK's chdir does both, and reads `getcwd` at start).\n"
	"\n";

static void
doc_table(struct sbuf *b, const struct abi_table *t)
{
	sb_printf(b, "## `%s` (%zu calls)\n\n%s\n\n", t->module, t->ncalls, t->intro);
	sb_printf(b, "| call | parameters | result | behaviour |\n|---|---|---|---|\n");
	for (size_t i = 0; i < t->ncalls; i++) {
		const struct abi_call *c = &t->calls[i];

		sb_printf(b, "| `%s` | %s | %s | %s |\n", c->name, c->params[0] ? c->params : "-",
			  c->result[0] ? c->result : "-", c->doc);
	}
	sb_printf(b, "\n");
}

char *
abi_doc(void)
{
	struct sbuf b = { 0 };

	sb_printf(&b, "%s", doc_intro);
	for (size_t t = 0; t < NTABLES; t++)
		doc_table(&b, tables[t]);
	if (b.oom) {
		al_free(b.s);
		return NULL;
	}
	return b.s;
}
