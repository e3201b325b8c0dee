/*
 * decode.c - the WebAssembly binary format, structure only.
 *
 * Turns m->bytes into the tables of struct vm_module. Function bodies are
 * located but not decoded (vm_compile does that); everything else is decoded
 * completely, so that the validator and the compiler can trust the shapes
 * they are given.
 *
 * Error messages start with the text the spec testsuite expects. To get the
 * same message as the reference interpreter for the same bytes, reads are
 * bounded by the end of the module, not by the end of the current section:
 * a vector that is too short for its section runs into the next section's
 * bytes and fails there ("length out of bounds", "unexpected end") or leaves
 * the section at the wrong place ("section size mismatch"), as the reference
 * interpreter does. Nothing is ever read outside [m->bytes, m->bytes+m->len).
 *
 * Allocation is bounded by the input: every count is checked against the
 * bytes that remain before anything is allocated for it, and each element
 * counted consumes at least one byte.
 */
#include <stdarg.h>
#include "base/alloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

#define NOSEC 0xffu
#define NOFUNC UINT32_MAX
#define MAX_LOCALS 50000u
/* Declared locals are materialised as one byte each; a few bytes of
 * declaration can ask for MAX_LOCALS, so bound the module's total too. */
#define LOCALS_BUDGET(len) ((1u << 20) + 16u * (uint64_t)(len))

struct rd {
	const uint8_t *b;
	size_t len, pos;
	unsigned sec;           /* section being decoded, or NOSEC */
	size_t sec_end;         /* where it should end */
	uint32_t func;          /* code section: function being decoded */
	uint32_t ndefs;         /* function section count */
	bool have_code;
	uint64_t locals_left;
	size_t names_at, names_end; /* "name" custom section payload, if any */
	struct vm_module *m;
	struct vm_error *err;
	enum vm_errkind kind;   /* of the first error */
};

static const char *const secname[13] = {
	[0] = "custom", [1] = "type", [2] = "import", [3] = "function",
	[4] = "table", [5] = "memory", [6] = "global", [7] = "export",
	[8] = "start", [9] = "element", [10] = "code", [11] = "data",
	[12] = "data count",
};

/* Sections must appear in this order (custom ones anywhere); the data count
 * section sits between element and code although its id is 12. */
static const uint8_t secrank[13] = {
	[1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 5, [6] = 6, [7] = 7,
	[8] = 8, [9] = 9, [12] = 10, [10] = 11, [11] = 12,
};

/* ---- errors --------------------------------------------------------------- */

static int __attribute__((format(printf, 4, 5)))
fail(struct rd *d, enum vm_errkind kind, size_t at, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	d->kind = kind;
	if (d->sec == NOSEC)
		vm_err(d->err, kind, (uint32_t)at, "%s (offset 0x%zx)", what, at);
	else if (d->func != NOFUNC)
		vm_err(d->err, kind, (uint32_t)at, "%s (section %u \"%s\", func %u, offset 0x%zx)",
		       what, d->sec, secname[d->sec], d->func, at);
	else
		vm_err(d->err, kind, (uint32_t)at, "%s (section %u \"%s\", offset 0x%zx)",
		       what, d->sec, secname[d->sec], at);
	return -1;
}

static int
eof(struct rd *d)
{
	return fail(d, VM_ERR_MALFORMED, d->len, "unexpected end of section or function");
}

static int
nomem(struct rd *d)
{
	return fail(d, VM_ERR_NOMEM, d->pos, "out of memory");
}

/* ---- primitive reads ------------------------------------------------------ */

static int
byte(struct rd *d, uint8_t *out)
{
	if (d->pos >= d->len) {
		eof(d);
		return -1;
	}
	*out = d->b[d->pos++];
	return 0;
}

static int
bytes(struct rd *d, void *out, size_t n)
{
	if (d->len - d->pos < n) {
		eof(d);
		return -1;
	}
	memcpy(out, d->b + d->pos, n);
	d->pos += n;
	return 0;
}

/*
 * LEB128 with the spec's limits: at most ceil(bits/7) bytes ("integer
 * representation too long"), and the unused bits of the last byte must be
 * zero, or for signed numbers copies of the sign bit ("integer too large").
 */
static int
leb(struct rd *d, int bits, bool sign, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	int left = bits;
	uint8_t b;

	for (;;) {
		if (left <= 0)
			return fail(d, VM_ERR_MALFORMED, d->pos, "integer representation too long");
		if (byte(d, &b) < 0)
			return -1;
		if (left < 7) {
			unsigned mask = (0x7fu << (sign ? left - 1 : left)) & 0x7fu;
			unsigned hi = b & mask;
			if (hi != 0 && !(sign && hi == mask))
				return fail(d, VM_ERR_MALFORMED, d->pos - 1, "integer too large");
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
		left -= 7;
	}
	if (sign && (b & 0x40) && shift + 7 < 64)
		v |= ~(uint64_t)0 << (shift + 7);
	*out = v;
	return 0;
}

static int
u32(struct rd *d, uint32_t *out)
{
	uint64_t v;

	if (leb(d, 32, false, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/*
 * A length or vector count. Like the reference interpreter it must not
 * exceed the bytes that remain counting from the LEB itself, which is a
 * bound for allocations; a length one or two past the end still fails when
 * the bytes are taken ("unexpected end").
 */
static int
count(struct rd *d, uint32_t *out)
{
	size_t at = d->pos;

	if (u32(d, out) < 0)
		return -1;
	if (*out > d->len - at)
		return fail(d, VM_ERR_MALFORMED, at, "length out of bounds");
	return 0;
}

/* Take n bytes in place (a length-prefixed payload). */
static int
take(struct rd *d, size_t n, const uint8_t **p)
{
	if (d->len - d->pos < n) {
		eof(d);
		return -1;
	}
	*p = d->b + d->pos;
	d->pos += n;
	return 0;
}

static bool
utf8_ok(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = p[i];
		uint32_t cp, min;
		size_t k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			k = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

/* A name: a length-prefixed UTF-8 string, left in place. */
static int
name(struct rd *d, const uint8_t **p, uint32_t *n)
{
	size_t at = d->pos;

	if (count(d, n) < 0 || take(d, *n, p) < 0)
		return -1;
	if (!utf8_ok(*p, *n))
		return fail(d, VM_ERR_MALFORMED, at, "malformed UTF-8 encoding");
	return 0;
}

static char *
strcopy(const uint8_t *p, uint32_t n)
{
	char *s = al_malloc((size_t)n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = 0;
	}
	return s;
}

/*
 * Types are one-byte negative signed LEBs; a continuation bit makes the
 * reference interpreter read past its 7-bit budget, hence its message.
 */
static int
typebyte(struct rd *d, uint8_t *t)
{
	if (byte(d, t) < 0)
		return -1;
	if (*t & 0x80)
		return fail(d, VM_ERR_MALFORMED, d->pos, "integer representation too long");
	return 0;
}

static int
valtype(struct rd *d, uint8_t *t)
{
	size_t at = d->pos;

	if (typebyte(d, t) < 0)
		return -1;
	switch (*t) {
	case VM_I32: case VM_I64: case VM_F32: case VM_F64:
	case VM_FUNCREF: case VM_EXTERNREF:
		return 0;
	case VM_V128:
		return fail(d, VM_ERR_MALFORMED, at, "malformed value type (v128: SIMD is not supported)");
	default:
		return fail(d, VM_ERR_MALFORMED, at, "malformed value type 0x%02x", *t);
	}
}

static int
reftype(struct rd *d, uint8_t *t)
{
	size_t at = d->pos;

	if (typebyte(d, t) < 0)
		return -1;
	if (*t != VM_FUNCREF && *t != VM_EXTERNREF)
		return fail(d, VM_ERR_MALFORMED, at, "malformed reference type 0x%02x", *t);
	return 0;
}

/* Limits: the flag is a LEB of `flagbits` bits (1 for tables; 2 for memories,
 * whose bit 1 is the threads proposal's "shared"). */
static int
limits(struct rd *d, struct vm_limits *l, int flagbits)
{
	uint64_t f;
	uint32_t v;

	if (leb(d, flagbits, false, &f) < 0)
		return -1;
	if (u32(d, &v) < 0)
		return -1;
	l->min = v;
	l->has_max = f & 1;
	l->shared = f & 2;
	if (l->has_max) {
		if (u32(d, &v) < 0)
			return -1;
		l->max = v;
	}
	return 0;
}

static int
globaltype(struct rd *d, struct vm_globaltype *g)
{
	size_t at;
	uint8_t mut;

	if (valtype(d, &g->type) < 0)
		return -1;
	at = d->pos;
	if (byte(d, &mut) < 0)
		return -1;
	if (mut > 1)
		return fail(d, VM_ERR_MALFORMED, at, "malformed mutability");
	g->mut = mut;
	return 0;
}

/* ---- constant expressions ------------------------------------------------- */

/* Opcodes of Wasm 2.0 (without SIMD) plus the threads prefix: an opcode
 * outside these is malformed, one inside but not constant is invalid. */
static const struct { uint8_t lo, hi; } legal1[] = {
	{ 0x00, 0x05 }, { 0x0b, 0x11 }, { 0x1a, 0x1c }, { 0x20, 0x26 },
	{ 0x28, 0xc4 }, { 0xd0, 0xd2 }, { 0xfc, 0xfc }, { 0xfe, 0xfe },
};
static const struct { uint8_t prefix; uint32_t lo, hi; } legal2[] = {
	{ 0xfc, 0x00, 0x11 }, { 0xfe, 0x00, 0x03 }, { 0xfe, 0x10, 0x4e },
};

static int
nonconst(struct rd *d, size_t at, uint8_t op)
{
	bool ok = false;
	uint32_t sub;

	for (size_t i = 0; i < sizeof legal1 / sizeof legal1[0]; i++)
		ok |= op >= legal1[i].lo && op <= legal1[i].hi;
	if (ok && (op == 0xfc || op == 0xfe)) {
		if (u32(d, &sub) < 0)
			return -1;
		ok = false;
		for (size_t i = 0; i < sizeof legal2 / sizeof legal2[0]; i++)
			ok |= op == legal2[i].prefix && sub >= legal2[i].lo && sub <= legal2[i].hi;
	}
	if (!ok)
		return fail(d, VM_ERR_MALFORMED, at, "illegal opcode 0x%02x", op);
	return fail(d, VM_ERR_INVALID, at, "constant expression required");
}

/*
 * A constant expression: Wasm 2.0 allows exactly one constant instruction
 * then `end`. Sequences of constant instructions of another length decode,
 * marked kind VALUE with type 0, and the validator reports "type mismatch"
 * (as the spec does: they are typed like any instruction sequence). The
 * first non-constant instruction ends decoding, as we cannot skip it.
 */
static int
constexpr(struct rd *d, struct vm_constexpr *c)
{
	unsigned n = 0;
	uint64_t v;
	uint32_t u;

	memset(c, 0, sizeof *c);
	c->offset = (uint32_t)d->pos;
	for (;;) {
		struct vm_constexpr one = { .offset = c->offset };
		size_t at = d->pos;
		uint8_t op;

		if (byte(d, &op) < 0)
			return -1;
		switch (op) {
		case 0x0b:
			if (n != 1) {
				c->kind = VM_CONST_VALUE;
				c->type = 0;
			}
			return 0;
		case 0x41:
			if (leb(d, 32, true, &v) < 0)
				return -1;
			one.kind = VM_CONST_VALUE, one.type = VM_I32, one.value = (uint32_t)v;
			break;
		case 0x42:
			if (leb(d, 64, true, &v) < 0)
				return -1;
			one.kind = VM_CONST_VALUE, one.type = VM_I64, one.value = v;
			break;
		case 0x43: {
			uint8_t le[4];
			if (bytes(d, le, 4) < 0)
				return -1;
			one.kind = VM_CONST_VALUE, one.type = VM_F32;
			one.value = (uint32_t)le[0] | (uint32_t)le[1] << 8 |
				    (uint32_t)le[2] << 16 | (uint32_t)le[3] << 24;
			break;
		}
		case 0x44: {
			uint8_t le[8];
			if (bytes(d, le, 8) < 0)
				return -1;
			one.kind = VM_CONST_VALUE, one.type = VM_F64;
			for (int i = 7; i >= 0; i--)
				one.value = one.value << 8 | le[i];
			break;
		}
		case 0xd0:
			if (reftype(d, &one.type) < 0)
				return -1;
			one.kind = VM_CONST_REF_NULL;
			break;
		case 0xd2:
			if (u32(d, &u) < 0)
				return -1;
			one.kind = VM_CONST_REF_FUNC, one.type = VM_FUNCREF, one.index = u;
			break;
		case 0x23:
			if (u32(d, &u) < 0)
				return -1;
			one.kind = VM_CONST_GLOBAL_GET, one.type = 0, one.index = u;
			break;
		default:
			return nonconst(d, at, op);
		}
		if (n == 0)
			*c = one;
		if (n < 2)
			n++;
	}
}

/* ---- sections --------------------------------------------------------------- */

/* Canonical signature key: a leading 1 bit, 3 bits per parameter, a 0 group,
 * 3 bits per result. Codes are 1..7, so the 0 group is unambiguous; 20 types
 * plus the separator and the leading bit fill exactly 64 bits. */
static uint64_t
typekey(const struct vm_functype *ft)
{
	static const uint8_t code[128] = {
		[VM_I32] = 1, [VM_I64] = 2, [VM_F32] = 3, [VM_F64] = 4,
		[VM_V128] = 5, [VM_FUNCREF] = 6, [VM_EXTERNREF] = 7,
	};
	uint64_t k = 1;

	if ((uint64_t)ft->nparams + ft->nresults > 20)
		return 0;
	for (uint32_t i = 0; i < ft->nparams; i++)
		k = k << 3 | code[ft->types[i] & 0x7f];
	k <<= 3;
	for (uint32_t i = 0; i < ft->nresults; i++)
		k = k << 3 | code[ft->types[ft->nparams + i] & 0x7f];
	return k;
}

static int
sec_type(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t n;

	if (count(d, &n) < 0)
		return -1;
	if (n && !(m->types = al_calloc(n, sizeof *m->types)))
		return nomem(d);
	m->ntypes = n;
	for (uint32_t i = 0; i < n; i++) {
		struct vm_functype *ft = &m->types[i];
		uint32_t np, nr;
		size_t at = d->pos, ps, rs;
		uint8_t form, t;

		if (typebyte(d, &form) < 0)
			return -1;
		if (form != 0x60)
			return fail(d, VM_ERR_MALFORMED, at, "malformed function type 0x%02x", form);
		if (count(d, &np) < 0)
			return -1;
		ps = d->pos;
		for (uint32_t j = 0; j < np; j++)
			if (valtype(d, &t) < 0)
				return -1;
		if (count(d, &nr) < 0)
			return -1;
		rs = d->pos;
		for (uint32_t j = 0; j < nr; j++)
			if (valtype(d, &t) < 0)
				return -1;
		/* each type took exactly one byte, so the bytes are the types */
		if (!(ft->types = al_malloc((size_t)np + nr + 1)))
			return nomem(d);
		memcpy(ft->types, d->b + ps, np);
		memcpy(ft->types + np, d->b + rs, nr);
		ft->nparams = np;
		ft->nresults = nr;
		ft->key = typekey(ft);
	}
	return 0;
}

/* Grow one of the index-space arrays by n entries (n already bounded). */
static int
grow(struct rd *d, void **arr, uint32_t have, uint32_t n, size_t size)
{
	void *p;

	if (!n)
		return 0;
	if (!(p = al_realloc(*arr, ((size_t)have + n) * size)))
		return nomem(d);
	memset((char *)p + (size_t)have * size, 0, (size_t)n * size);
	*arr = p;
	return 0;
}

static int
sec_import(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t n, nk[4] = { 0 };

	if (count(d, &n) < 0)
		return -1;
	if (n && !(m->imports = al_calloc(n, sizeof *m->imports)))
		return nomem(d);
	m->nimports = n;
	for (uint32_t i = 0; i < n; i++) {
		struct vm_import *im = &m->imports[i];
		const uint8_t *p;
		uint32_t len;
		size_t at;

		if (name(d, &p, &len) < 0)
			return -1;
		if (!(im->module = strcopy(p, len)))
			return nomem(d);
		im->module_len = len;
		if (name(d, &p, &len) < 0)
			return -1;
		if (!(im->name = strcopy(p, len)))
			return nomem(d);
		im->name_len = len;
		at = d->pos;
		if (byte(d, &im->kind) < 0)
			return -1;
		switch (im->kind) {
		case VM_EXT_FUNC:
			if (u32(d, &im->u.type_index) < 0)
				return -1;
			break;
		case VM_EXT_TABLE:
			if (reftype(d, &im->u.table.elemtype) < 0 ||
			    limits(d, &im->u.table.limits, 1) < 0)
				return -1;
			break;
		case VM_EXT_MEMORY:
			if (limits(d, &im->u.mem, 2) < 0)
				return -1;
			break;
		case VM_EXT_GLOBAL:
			if (globaltype(d, &im->u.global) < 0)
				return -1;
			break;
		default:
			return fail(d, VM_ERR_MALFORMED, at, "malformed import kind 0x%02x", im->kind);
		}
		nk[im->kind]++;
	}
	/* imported tables, memories and globals open their index spaces */
	if (grow(d, (void **)&m->tables, 0, nk[VM_EXT_TABLE], sizeof *m->tables) < 0 ||
	    grow(d, (void **)&m->mems, 0, nk[VM_EXT_MEMORY], sizeof *m->mems) < 0 ||
	    grow(d, (void **)&m->globals, 0, nk[VM_EXT_GLOBAL], sizeof *m->globals) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct vm_import *im = &m->imports[i];

		if (im->kind == VM_EXT_TABLE)
			m->tables[m->ntables++] = im->u.table;
		else if (im->kind == VM_EXT_MEMORY)
			m->mems[m->nmems++] = im->u.mem;
		else if (im->kind == VM_EXT_GLOBAL)
			m->globals[m->nglobals++].type = im->u.global;
	}
	m->nfuncs = m->nfunc_imports = nk[VM_EXT_FUNC];
	m->ntable_imports = nk[VM_EXT_TABLE];
	m->nmem_imports = nk[VM_EXT_MEMORY];
	m->nglobal_imports = nk[VM_EXT_GLOBAL];
	return 0;
}

static int
sec_function(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t n;

	if (count(d, &n) < 0)
		return -1;
	if (n && !(m->funcs = al_calloc(n, sizeof *m->funcs)))
		return nomem(d);
	d->ndefs = n;
	m->nfuncs = m->nfunc_imports + n;
	for (uint32_t i = 0; i < n; i++)
		if (u32(d, &m->funcs[i].type_index) < 0)
			return -1;
	return 0;
}

static int
sec_table(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t n;

	if (count(d, &n) < 0)
		return -1;
	if (grow(d, (void **)&m->tables, m->ntables, n, sizeof *m->tables) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++, m->ntables++) {
		struct vm_tabletype *t = &m->tables[m->ntables];

		if (reftype(d, &t->elemtype) < 0 || limits(d, &t->limits, 1) < 0)
			return -1;
	}
	return 0;
}

static int
sec_memory(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t n;

	if (count(d, &n) < 0)
		return -1;
	if (grow(d, (void **)&m->mems, m->nmems, n, sizeof *m->mems) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++, m->nmems++)
		if (limits(d, &m->mems[m->nmems], 2) < 0)
			return -1;
	return 0;
}

static int
sec_global(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t n;

	if (count(d, &n) < 0)
		return -1;
	if (grow(d, (void **)&m->globals, m->nglobals, n, sizeof *m->globals) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++, m->nglobals++) {
		struct vm_global_def *g = &m->globals[m->nglobals];

		if (globaltype(d, &g->type) < 0 || constexpr(d, &g->init) < 0)
			return -1;
	}
	return 0;
}

static int
sec_export(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t n;

	if (count(d, &n) < 0)
		return -1;
	if (n && !(m->exports = al_calloc(n, sizeof *m->exports)))
		return nomem(d);
	m->nexports = n;
	for (uint32_t i = 0; i < n; i++) {
		struct vm_export *ex = &m->exports[i];
		const uint8_t *p;
		size_t at;

		if (name(d, &p, &ex->name_len) < 0)
			return -1;
		if (!(ex->name = strcopy(p, ex->name_len)))
			return nomem(d);
		at = d->pos;
		if (byte(d, &ex->kind) < 0)
			return -1;
		if (ex->kind > VM_EXT_GLOBAL)
			return fail(d, VM_ERR_MALFORMED, at, "malformed export kind 0x%02x", ex->kind);
		if (u32(d, &ex->index) < 0)
			return -1;
	}
	return 0;
}

static int
sec_start(struct rd *d)
{
	if (u32(d, &d->m->start) < 0)
		return -1;
	d->m->has_start = true;
	return 0;
}

/*
 * Element segment flags: bit 0 passive or declarative (bit 1 tells which),
 * else active with bit 1 meaning an explicit table index; bit 2 selects
 * expressions (with a reference type) over function indices (with an
 * element kind, which only forms 0..3 with explicit types spell).
 */
static int
elem(struct rd *d, struct vm_elem *e)
{
	size_t at = d->pos;
	uint32_t flags, n;

	if (u32(d, &flags) < 0)
		return -1;
	if (flags > 7)
		return fail(d, VM_ERR_MALFORMED, at, "malformed elements segment kind %u", flags);
	e->mode = !(flags & 1) ? VM_SEG_ACTIVE : (flags & 2) ? VM_SEG_DECLARATIVE : VM_SEG_PASSIVE;
	e->elemtype = VM_FUNCREF;
	if (e->mode == VM_SEG_ACTIVE) {
		if ((flags & 2) && u32(d, &e->table) < 0)
			return -1;
		if (constexpr(d, &e->offset) < 0)
			return -1;
	}
	if (flags & 3) {
		if (flags & 4) {
			if (reftype(d, &e->elemtype) < 0)
				return -1;
		} else {
			uint8_t kind;

			at = d->pos;
			if (byte(d, &kind) < 0)
				return -1;
			if (kind != 0x00)
				return fail(d, VM_ERR_MALFORMED, at, "malformed element kind 0x%02x", kind);
		}
	}
	if (count(d, &n) < 0)
		return -1;
	if (n && !(e->init = al_calloc(n, sizeof *e->init)))
		return nomem(d);
	e->count = n;
	for (uint32_t i = 0; i < n; i++) {
		struct vm_constexpr *c = &e->init[i];

		if (flags & 4) {
			if (constexpr(d, c) < 0)
				return -1;
			continue;
		}
		c->kind = VM_CONST_REF_FUNC;
		c->type = VM_FUNCREF;
		c->offset = (uint32_t)d->pos;
		if (u32(d, &c->index) < 0)
			return -1;
	}
	return 0;
}

static int
sec_element(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t n;

	if (count(d, &n) < 0)
		return -1;
	if (n && !(m->elems = al_calloc(n, sizeof *m->elems)))
		return nomem(d);
	m->nelems = n;
	for (uint32_t i = 0; i < n; i++)
		if (elem(d, &m->elems[i]) < 0)
			return -1;
	return 0;
}

static int
sec_datacount(struct rd *d)
{
	if (u32(d, &d->m->datacount) < 0)
		return -1;
	d->m->has_datacount = true;
	return 0;
}

/* Local declarations: (count, type) groups. With out == NULL only sums them;
 * the caller allocates and calls again to fill. */
static int
locals(struct rd *d, uint64_t *total, uint8_t *out)
{
	uint32_t groups, n;
	uint8_t t;

	*total = 0;
	if (count(d, &groups) < 0)
		return -1;
	for (uint32_t i = 0; i < groups; i++) {
		if (u32(d, &n) < 0 || valtype(d, &t) < 0)
			return -1;
		if (out)
			memset(out + *total, t, n);
		*total += n;
	}
	return 0;
}

/*
 * Where a body does not end with `end`, the reference interpreter (which
 * decodes instructions) runs on into whatever follows: the next body (an
 * `end` is expected there), the end of the module, or the next section.
 */
static int
noend(struct rd *d, size_t end, bool last)
{
	if (end >= d->len)
		return fail(d, VM_ERR_MALFORMED, end, "unexpected end of section or function");
	if (last && end == d->sec_end)
		return fail(d, VM_ERR_MALFORMED, end, "section size mismatch");
	return fail(d, VM_ERR_MALFORMED, end, "END opcode expected");
}

static int
sec_code(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t n;
	size_t at = d->pos;

	if (count(d, &n) < 0)
		return -1;
	if (n != d->ndefs)
		return fail(d, VM_ERR_MALFORMED, at,
			    "function and code section have inconsistent lengths (%u functions, %u bodies)",
			    d->ndefs, n);
	d->have_code = true;
	for (uint32_t i = 0; i < n; i++) {
		struct vm_funcdef *f = &m->funcs[i];
		uint32_t size;
		uint64_t total;
		size_t start, end, decl;

		d->func = m->nfunc_imports + i;
		if (count(d, &size) < 0)
			return -1;
		start = d->pos;
		end = start + size;
		if (end > d->len)
			return eof(d);
		if (locals(d, &total, NULL) < 0)
			return -1;
		if (total > MAX_LOCALS || total > d->locals_left)
			return fail(d, VM_ERR_MALFORMED, start, "too many locals (%llu declared)",
				    (unsigned long long)total);
		d->locals_left -= total;
		if (!(f->local_types = al_malloc(total + 1)))
			return nomem(d);
		f->nlocals = (uint32_t)total;
		d->pos = start;
		if (locals(d, &total, f->local_types) < 0)
			return -1;
		decl = d->pos;
		if (decl > end)
			return fail(d, VM_ERR_MALFORMED, start, "section size mismatch");
		if (decl == end || d->b[end - 1] != 0x0b)
			return noend(d, end, i + 1 == n);
		f->body_offset = (uint32_t)decl;
		f->body_end = (uint32_t)end;
		d->pos = end;
	}
	d->func = NOFUNC;
	return 0;
}

static int
sec_data(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t n;

	if (count(d, &n) < 0)
		return -1;
	if (n && !(m->datas = al_calloc(n, sizeof *m->datas)))
		return nomem(d);
	m->ndatas = n;
	for (uint32_t i = 0; i < n; i++) {
		struct vm_data *s = &m->datas[i];
		size_t at = d->pos;
		uint32_t flags;

		if (u32(d, &flags) < 0)
			return -1;
		if (flags > 2)
			return fail(d, VM_ERR_MALFORMED, at, "malformed data segment kind %u", flags);
		s->mode = flags == 1 ? VM_SEG_PASSIVE : VM_SEG_ACTIVE;
		if (flags == 2 && u32(d, &s->memory) < 0)
			return -1;
		if (flags != 1 && constexpr(d, &s->offset) < 0)
			return -1;
		if (count(d, &s->len) < 0 || take(d, s->len, &s->bytes) < 0)
			return -1;
	}
	return 0;
}

static int
sec_custom(struct rd *d)
{
	size_t sec_end = d->sec_end;
	const uint8_t *p;
	uint32_t n;

	if (name(d, &p, &n) < 0)
		return -1;
	if (d->pos > sec_end || sec_end > d->len)
		return fail(d, VM_ERR_MALFORMED, d->pos, "unexpected end of section or function");
	if (n == 4 && !memcmp(p, "name", 4) && !d->names_end) {
		d->names_at = d->pos;
		d->names_end = sec_end;
	}
	d->pos = sec_end;
	return 0;
}

/* ---- the "name" section (optional: any damage just drops it) -------------- */

static void
funcnames(struct rd *d)
{
	struct vm_module *m = d->m;
	struct rd r = *d;
	struct vm_error ignored;
	uint8_t id;
	uint32_t size, n, idx, len;
	const uint8_t *p;

	r.err = &ignored;
	r.len = d->names_end;
	r.pos = d->names_at;
	while (r.pos < r.len) {
		size_t end;

		if (byte(&r, &id) < 0 || count(&r, &size) < 0)
			return;
		end = r.pos + size;
		if (id != 1) {
			r.pos = end;
			continue;
		}
		if (count(&r, &n) < 0)
			return;
		if (!m->func_names && m->nfuncs &&
		    !(m->func_names = al_calloc(m->nfuncs, sizeof *m->func_names)))
			return;
		for (uint32_t i = 0; i < n; i++) {
			if (u32(&r, &idx) < 0 || count(&r, &len) < 0 || take(&r, len, &p) < 0)
				return;
			if (idx < m->nfuncs && !m->func_names[idx] && utf8_ok(p, len))
				m->func_names[idx] = strcopy(p, len);
		}
		return;
	}
}

/* ---- the module ------------------------------------------------------------- */

static int (*const secfns[13])(struct rd *) = {
	[0] = sec_custom, [1] = sec_type, [2] = sec_import, [3] = sec_function,
	[4] = sec_table, [5] = sec_memory, [6] = sec_global, [7] = sec_export,
	[8] = sec_start, [9] = sec_element, [10] = sec_code, [11] = sec_data,
	[12] = sec_datacount,
};

static int
sections(struct rd *d)
{
	unsigned rank = 0;

	while (d->pos < d->len) {
		size_t at = d->pos, sec_end;
		uint8_t id = d->b[d->pos++];
		uint32_t size;

		if (id > 12)
			return fail(d, VM_ERR_MALFORMED, at, "malformed section id %u", id);
		if (id != 0) {
			if (secrank[id] <= rank)
				return fail(d, VM_ERR_MALFORMED, at,
					    "unexpected content after last section (section %u \"%s\" out of order)",
					    id, secname[id]);
			rank = secrank[id];
		}
		d->sec = id;
		if (count(d, &size) < 0)
			return -1;
		sec_end = d->pos + size;
		d->sec_end = sec_end;
		if (secfns[id](d) < 0)
			return -1;
		if (d->pos != sec_end)
			return fail(d, VM_ERR_MALFORMED, at, "section size mismatch (%zu bytes declared, %zu used)",
				    (size_t)size, d->pos - (sec_end - size));
		d->sec = NOSEC;
	}
	return 0;
}

static int
finish(struct rd *d)
{
	struct vm_module *m = d->m;
	uint32_t k = 0;

	if (d->ndefs && !d->have_code)
		return fail(d, VM_ERR_MALFORMED, d->len,
			    "function and code section have inconsistent lengths (%u functions, no code section)",
			    d->ndefs);
	if (m->has_datacount && m->datacount != m->ndatas)
		return fail(d, VM_ERR_MALFORMED, d->len,
			    "data count and data section have inconsistent lengths (%u, %u)",
			    m->datacount, m->ndatas);
	if (!(m->func_type_index = al_malloc(((size_t)m->nfuncs + 1) * sizeof *m->func_type_index)))
		return nomem(d);
	for (uint32_t i = 0; i < m->nimports; i++)
		if (m->imports[i].kind == VM_EXT_FUNC)
			m->func_type_index[k++] = m->imports[i].u.type_index;
	for (uint32_t i = 0; i < d->ndefs; i++)
		m->func_type_index[k++] = m->funcs[i].type_index;
	if (d->names_end)
		funcnames(d);
	return 0;
}

/*
 * Decode m->bytes/m->len into *m (all other fields zero on entry). Returns 0,
 * or the error kind (MALFORMED; INVALID for non-constant instructions in
 * constant expressions; NOMEM) with *err filled and everything the decoder
 * allocated freed again (m->bytes stays).
 */
int
vm_decode(struct vm_module *m, struct vm_error *err)
{
	static const uint8_t magic[4] = { 0x00, 'a', 's', 'm' };
	static const uint8_t version[4] = { 0x01, 0x00, 0x00, 0x00 };
	struct rd d = {
		.b = m->bytes, .len = m->len, .sec = NOSEC, .func = NOFUNC,
		.m = m, .err = err, .locals_left = LOCALS_BUDGET(m->len),
	};
	int r = -1;

	if (m->len > UINT32_MAX)
		fail(&d, VM_ERR_MALFORMED, 0, "module too large (%zu bytes)", m->len);
	else if (m->len < 4)
		fail(&d, VM_ERR_MALFORMED, m->len, "unexpected end");
	else if (memcmp(m->bytes, magic, 4))
		fail(&d, VM_ERR_MALFORMED, 0, "magic header not detected");
	else if (m->len < 8)
		fail(&d, VM_ERR_MALFORMED, m->len, "unexpected end");
	else if (memcmp(m->bytes + 4, version, 4))
		fail(&d, VM_ERR_MALFORMED, 4, "unknown binary version");
	else {
		d.pos = 8;
		r = sections(&d) < 0 ? -1 : finish(&d);
	}
	if (r < 0) {
		vm_module_free_contents(m);
		return d.kind;
	}
	return 0;
}
