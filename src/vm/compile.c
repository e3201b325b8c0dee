/*
 * compile.c - validate every function body and compile it, in one pass,
 * into the threaded register code described in compile.h.
 *
 * Validation is the spec's algorithm (operand stack of value types with an
 * "unknown" type below unreachable code, a control stack of labels). The
 * operand stack doubles as the compiler's virtual stack: an entry is either
 * in its home slot (STACK), still only a local (LOCAL k), a constant not
 * yet written anywhere (CONST), or an i32 sum "slot + c" not computed yet
 * (ADDI: an address, usually, which loads and stores add themselves).
 * Instructions read locals and fold constants directly; an entry is
 * materialized into its home slot only when something could observe the
 * difference: a write to its local, a block boundary, a call's arguments,
 * a branch carrying it, or when it sinks below the top 32 entries (which
 * keeps every scan for virtual entries short, whatever the body).
 *
 * Everything below the innermost block's start is materialized when the
 * block is entered, so virtual entries never cross a label and every path
 * into a label finds the same slots filled.
 *
 * Peepholes on top: an instruction whose fresh result the next local.set
 * or local.tee stores writes the local itself; a compare followed by br_if
 * or if becomes one compare-and-branch; a constant right operand (or left,
 * for commutative integer ops) selects the _imm form.
 */
#include "compile.h"
#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* STACK: in its home slot. LOCAL: the value of local idx. CONST: the
 * bits c. ADDI: i32 slot idx + c, not computed yet (an address, usually:
 * loads and stores take it as is). */
enum { V_STACK, V_LOCAL, V_CONST, V_ADDI };
#define T_UNKNOWN 0   /* the bottom type of unreachable code */
#define NONE UINT32_MAX

struct ventry {
	uint8_t type;
	uint8_t kind;
	uint32_t idx;         /* LOCAL: the local; ADDI: the slot added to */
	uint64_t c;           /* CONST: the bits; ADDI: the addend */
};

enum { K_FUNC, K_BLOCK, K_LOOP, K_IF, K_ELSE };

struct ctrl {
	uint8_t kind;
	bool unreachable;     /* the spec's flag: the rest of the block is dead */
	bool dead;            /* the whole block is in dead code: emit nothing */
	uint32_t height;      /* operand height at entry, below the params */
	uint32_t nparams, nresults;
	const uint8_t *params, *results;
	uint32_t label_pc;    /* LOOP: the header's cell */
	uint32_t loop_start;  /* LOOP: instruction count at the header */
	uint32_t loop_run;    /* LOOP: the run the header belongs to */
	int64_t loop_cost;    /* LOOP: fuel of the header's run, -1 until known */
	uint32_t sites;       /* forward branches waiting for the label (list head) */
	uint32_t else_site;   /* IF: the branch to the else arm, or NONE */
};

/* A branch whose rel|cost cell is patched when its label is placed. */
struct site { uint32_t at, cell, next; };

/* A cost operand of the current run: gets (count at close - start). */
struct costref { uint32_t cell; uint32_t start; bool hi; };

/* What the last emitted instruction was, for fusing with the next one. */
struct last {
	bool valid;           /* it wrote a fresh single result (dst in LO(cell 1)) */
	uint32_t start;
	uint32_t dst;
	int cmp;              /* -1, or the VM_CMPS index of an i32/i64 compare */
	bool is64, bimm, eqz; /* eqz: cmp is "== 0" of a (i32 or i64) */
	uint32_t a;
	uint64_t b;
};

struct cc {
	struct vm_module *m;
	struct vm_error *err;
	uint32_t func;
	const uint8_t *p, *end;
	uint32_t op_at;       /* module offset of the current opcode */

	uint32_t nparams, nlocals; /* nlocals = params + declared */
	uint8_t *ltypes;

	struct ventry *vs;
	uint32_t nvs, vcap, maxh;
	struct ctrl *cs;
	uint32_t ncs, ccap;

	uint64_t *code;
	uint8_t *flags;
	uint32_t ncode, codecap;
	struct site *sites;
	uint32_t nsites, sitecap;
	struct costref *open;
	uint32_t nopen, opencap;
	uint32_t *loops;      /* control frames of loops headed in this run */
	uint32_t nloops, loopcap;
	uint32_t count;       /* wasm instructions so far */
	uint32_t run;         /* id of the current straight-line run */
	struct last last;
	const void *const *labels;
};

/* Single value types as 1-element arrays, for block types. */
static const uint8_t vt_one[256] = {
	[VM_I32] = VM_I32, [VM_I64] = VM_I64, [VM_F32] = VM_F32, [VM_F64] = VM_F64,
	[VM_FUNCREF] = VM_FUNCREF, [VM_EXTERNREF] = VM_EXTERNREF,
};

static const char *
tname(uint8_t t)
{
	return t == T_UNKNOWN ? "unknown" : vm_valtype_name(t);
}

/* Record an error: "<spec text>...: func N, offset 0x..". Returns -1. */
static int __attribute__((format(printf, 3, 4)))
fail(struct cc *c, enum vm_errkind kind, const char *fmt, ...)
{
	char buf[150];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	vm_err(c->err, kind, c->op_at, "%s (func %u, offset 0x%x)", buf, c->func, c->op_at);
	return -1;
}

/* fail() as an expression the compiler knows is -1. */
#define FAILED(...) (fail(__VA_ARGS__), -1)
#define BAD(...) do { fail(c, VM_ERR_INVALID, __VA_ARGS__); goto bad; } while (0)
#define MALFORMED(...) do { fail(c, VM_ERR_MALFORMED, __VA_ARGS__); goto bad; } while (0)
#define TRY(x) do { if ((x) < 0) goto bad; } while (0)

/* ---- reading immediates --------------------------------------------------- */

static int
rd_byte(struct cc *c, uint8_t *out)
{
	if (c->p >= c->end)
		return FAILED(c, VM_ERR_MALFORMED, "unexpected end of section or function");
	*out = *c->p++;
	return 0;
}

/*
 * LEB128 of at most `bits` bits, unsigned or signed (then 32, 33 or 64 bits,
 * sign-extended to 64); the 64 bits into *out.
 */
static int
rd_leb(struct cc *c, unsigned bits, bool sign, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	for (;;) {
		if (rd_byte(c, &b))
			return -1;
		if (shift + 7 >= bits && (b & 0x80))
			return FAILED(c, VM_ERR_MALFORMED, "integer representation too long");
		if (shift + 7 > bits) {
			/* The unused bits of the last byte: zero, or when signed all
			 * equal to the sign bit. */
			unsigned used = bits - shift;
			uint8_t rest = sign ? (uint8_t)(b & 0x7f) >> (used - 1) : (uint8_t)(b >> used);
			if (rest != 0 && (!sign || rest != (0x7f >> (used - 1))))
				return FAILED(c, VM_ERR_MALFORMED, "integer too large");
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (sign && shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	*out = v;
	return 0;
}

/* Signed LEB128 of at most `bits` bits (32, 33 or 64). */
static int
rd_sleb(struct cc *c, unsigned bits, int64_t *out)
{
	uint64_t v;

	if (rd_leb(c, bits, true, &v))
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int
rd_u32(struct cc *c, uint32_t *out)
{
	uint64_t v;

	if (rd_leb(c, 32, false, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
rd_zero(struct cc *c)
{
	uint8_t b;

	if (rd_byte(c, &b))
		return -1;
	if (b != 0)
		return FAILED(c, VM_ERR_MALFORMED, "zero byte expected");
	return 0;
}

static int
rd_fixed(struct cc *c, unsigned n, uint64_t *out)
{
	uint64_t v = 0;

	if ((size_t)(c->end - c->p) < n)
		return FAILED(c, VM_ERR_MALFORMED, "unexpected end of section or function");
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	*out = v;
	return 0;
}

static bool
is_valtype(uint8_t t)
{
	return vt_one[t] != 0;
}

static bool
is_ref(uint8_t t)
{
	return t == VM_FUNCREF || t == VM_EXTERNREF;
}

/* ---- growable arrays ------------------------------------------------------ */

static int
grow(struct cc *c, void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	uint64_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	if (ncap > UINT32_MAX / 2 || ncap * elem > SIZE_MAX / 2)
		return FAILED(c, VM_ERR_NOMEM, "function too large");
	p = al_realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return FAILED(c, VM_ERR_NOMEM, "out of memory compiling");
	*arr = p;
	*cap = (uint32_t)ncap;
	return 0;
}

/* ---- code emission --------------------------------------------------------- */

static bool
live(const struct cc *c)
{
	const struct ctrl *t = &c->cs[c->ncs - 1];
	return !t->unreachable && !t->dead;
}

/* Room for `need` cells (and their flags). */
static int
reserve(struct cc *c, uint64_t need)
{
	uint32_t cap = c->codecap, fcap = c->codecap;

	if (need > UINT32_MAX / 2)
		return FAILED(c, VM_ERR_NOMEM, "function too large");
	if (need <= c->codecap)
		return 0;
	if (grow(c, (void **)&c->code, &cap, (uint32_t)need, sizeof *c->code) ||
	    grow(c, (void **)&c->flags, &fcap, cap, 1))
		return -1;
	/* Flags are set ahead (a call marks the cell after it): zero new
	 * cells once, never on emit. */
	memset(c->flags + c->codecap, 0, cap - c->codecap);
	c->codecap = cap;
	return 0;
}

/* Append an instruction of n cells (handler + operands, zeroed); returns
 * its first cell, or NONE on failure. */
static uint32_t
emit(struct cc *c, enum vm_xop op, uint32_t n)
{
	uint32_t at = c->ncode;

	if (reserve(c, (uint64_t)c->ncode + n))
		return NONE;
	c->code[at] = (uint64_t)(uintptr_t)c->labels[op];
	memset(c->code + at + 1, 0, (n - 1) * sizeof *c->code);
	c->ncode += n;
	c->last.valid = false;
	return at;
}

static uint64_t
pack(uint32_t lo, uint32_t hi)
{
	return (uint64_t)lo | (uint64_t)hi << 32;
}

static void
set_lo(struct cc *c, uint32_t cell, uint32_t v)
{
	c->code[cell] = (c->code[cell] & 0xffffffff00000000ull) | v;
}

/* Note that the instruction at `at` wrote a fresh result to slot dst. */
static void
fresh(struct cc *c, uint32_t at, uint32_t dst)
{
	c->last.valid = true;
	c->last.start = at;
	c->last.dst = dst;
	c->last.cmp = -1;
	c->last.eqz = false;
}

/* ---- fuel accounting ----------------------------------------------------- */

static int
open_cost(struct cc *c, uint32_t cell, bool hi, uint32_t start)
{
	if (grow(c, (void **)&c->open, &c->opencap, c->nopen + 1, sizeof *c->open))
		return -1;
	c->open[c->nopen++] = (struct costref){ cell, start, hi };
	return 0;
}

/* The current straight-line run ends (after a branch, return, trap):
 * every entry into it is now charged what follows that entry. */
static void
close_run(struct cc *c)
{
	for (uint32_t i = 0; i < c->nopen; i++) {
		struct costref *r = &c->open[i];
		uint64_t v = c->count - r->start;
		if (r->hi)
			c->code[r->cell] += v << 32;
		else
			c->code[r->cell] += v;
	}
	c->nopen = 0;
	/* Loops whose header is in this run learn its cost (an entry may
	 * name a loop that has ended since, or its slot's new occupant:
	 * checking the run makes that harmless). */
	for (uint32_t i = 0; i < c->nloops; i++) {
		uint32_t j = c->loops[i];
		struct ctrl *k = &c->cs[j];
		if (j < c->ncs && k->kind == K_LOOP && k->loop_cost < 0 && k->loop_run == c->run)
			k->loop_cost = c->count - k->loop_start;
	}
	c->nloops = 0;
	c->run++;
}

/* Point the branch whose rel|cost cell is `cell` (instruction at `at`) at
 * label `k`: a loop's header now, any other label when it is placed. */
static int
branch_to(struct cc *c, uint32_t k, uint32_t at, uint32_t cell)
{
	struct ctrl *t = &c->cs[k];

	if (t->kind == K_LOOP) {
		set_lo(c, cell, (uint32_t)((int32_t)t->label_pc - (int32_t)at));
		if (t->loop_cost >= 0) {
			c->code[cell] += (uint64_t)t->loop_cost << 32;
			return 0;
		}
		/* The header's run is still the current one. */
		return open_cost(c, cell, true, t->loop_start);
	}
	if (grow(c, (void **)&c->sites, &c->sitecap, c->nsites + 1, sizeof *c->sites))
		return -1;
	c->sites[c->nsites] = (struct site){ at, cell, t->sites };
	t->sites = c->nsites++;
	return 0;
}

/* Place the label of block k here (its forward branches land here). */
static int
place_label(struct cc *c, uint32_t k)
{
	for (uint32_t s = c->cs[k].sites; s != NONE; s = c->sites[s].next) {
		set_lo(c, c->sites[s].cell, c->ncode - c->sites[s].at);
		if (open_cost(c, c->sites[s].cell, true, c->count))
			return -1;
	}
	c->cs[k].sites = NONE;
	c->last.valid = false;
	return 0;
}

/* ---- the operand stack ------------------------------------------------------ */

static uint32_t
home(const struct cc *c, uint32_t pos)
{
	return c->nlocals + pos;
}

static int materialize_entry(struct cc *c, struct ventry *e, uint32_t pos);

/* Only the top VWINDOW entries may be virtual: whatever scans for them
 * (a local's copies, a block's entry) stays O(1), whatever the body. */
#define VWINDOW 32u

static uint32_t
window(const struct cc *c, uint32_t from)
{
	uint32_t w = c->nvs > VWINDOW ? c->nvs - VWINDOW : 0;
	return from > w ? from : w;
}

static int
push(struct cc *c, uint8_t type, uint8_t kind, uint32_t idx, uint64_t k)
{
	if (grow(c, (void **)&c->vs, &c->vcap, c->nvs + 1, sizeof *c->vs))
		return -1;
	c->vs[c->nvs++] = (struct ventry){ type, kind, idx, k };
	if (c->nvs > c->maxh)
		c->maxh = c->nvs;
	if (c->nvs > VWINDOW) {
		uint32_t pos = c->nvs - 1 - VWINDOW;
		return materialize_entry(c, &c->vs[pos], pos);
	}
	return 0;
}

/* Pop one operand of type `want` (T_UNKNOWN: any). *pos gets its height. */
static int
pop(struct cc *c, uint8_t want, struct ventry *out, uint32_t *pos)
{
	struct ctrl *t = &c->cs[c->ncs - 1];

	if (c->nvs == t->height) {
		if (!t->unreachable)
			return FAILED(c, VM_ERR_INVALID, "type mismatch: expected %s but the stack is empty",
				    want ? tname(want) : "a value");
		*out = (struct ventry){ T_UNKNOWN, V_STACK, 0, 0 };
		if (pos)
			*pos = c->nvs;
		return 0;
	}
	*out = c->vs[--c->nvs];
	if (pos)
		*pos = c->nvs;
	if (want && out->type && out->type != want)
		return FAILED(c, VM_ERR_INVALID, "type mismatch: expected %s, got %s", tname(want),
			    tname(out->type));
	return 0;
}

/* Write entry `e` (at height pos) into its home slot if it is not there. */
static int
materialize_entry(struct cc *c, struct ventry *e, uint32_t pos)
{
	uint32_t at;

	if (e->kind == V_STACK)
		return 0;
	if (live(c)) {
		if (e->kind == V_LOCAL) {
			if ((at = emit(c, VM_X_copy, 2)) == NONE)
				return -1;
			c->code[at + 1] = pack(home(c, pos), e->idx);
		} else if (e->kind == V_ADDI) {
			if ((at = emit(c, VM_X_i32_add_imm, 3)) == NONE)
				return -1;
			c->code[at + 1] = pack(home(c, pos), e->idx);
			c->code[at + 2] = (uint32_t)e->c;
		} else if (e->c <= UINT32_MAX) {
			if ((at = emit(c, VM_X_const32, 2)) == NONE)
				return -1;
			c->code[at + 1] = pack(home(c, pos), (uint32_t)e->c);
		} else {
			if ((at = emit(c, VM_X_const64, 3)) == NONE)
				return -1;
			c->code[at + 1] = home(c, pos);
			c->code[at + 2] = e->c;
		}
	}
	e->kind = V_STACK;
	return 0;
}

/* Materialize the stack entries [from, nvs). */
static int
materialize(struct cc *c, uint32_t from)
{
	for (uint32_t i = window(c, from); i < c->nvs; i++)
		if (materialize_entry(c, &c->vs[i], i))
			return -1;
	return 0;
}

/* The slot holding popped operand e (which was at height pos). */
static int
operand(struct cc *c, struct ventry *e, uint32_t pos, uint32_t *slot)
{
	if (e->kind == V_LOCAL) {
		*slot = e->idx;
		return 0;
	}
	if (materialize_entry(c, e, pos))
		return -1;
	*slot = home(c, pos);
	return 0;
}

/* Before local k is written: copies of it still on the stack (above the
 * innermost block's start, the only place they can be) get their own. */
static int
spill_local(struct cc *c, uint32_t k)
{
	for (uint32_t i = window(c, c->cs[c->ncs - 1].height); i < c->nvs; i++)
		if ((c->vs[i].kind == V_LOCAL || c->vs[i].kind == V_ADDI) && c->vs[i].idx == k)
			if (materialize_entry(c, &c->vs[i], i))
				return -1;
	return 0;
}

static bool
local_on_stack(const struct cc *c, uint32_t k)
{
	for (uint32_t i = window(c, c->cs[c->ncs - 1].height); i < c->nvs; i++)
		if ((c->vs[i].kind == V_LOCAL || c->vs[i].kind == V_ADDI) && c->vs[i].idx == k)
			return true;
	return false;
}

/* ---- control frames ---------------------------------------------------------- */

/* Push a control frame; its params must already be popped (they are
 * pushed back by the caller, as the block's first operands). */
static int
push_ctrl(struct cc *c, uint8_t kind, uint32_t np, const uint8_t *params, uint32_t nr,
	  const uint8_t *results)
{
	struct ctrl *t;
	bool dead = c->ncs ? !live(c) : false;

	if (grow(c, (void **)&c->cs, &c->ccap, c->ncs + 1, sizeof *c->cs))
		return -1;
	t = &c->cs[c->ncs++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->dead = dead;
	t->height = c->nvs;
	t->nparams = np;
	t->params = params;
	t->nresults = nr;
	t->results = results;
	t->loop_cost = -1;
	t->sites = NONE;
	t->else_site = NONE;
	return 0;
}

/* Label types of block k: a loop's branches carry its params. */
static uint32_t
label_arity(const struct ctrl *t, const uint8_t **types)
{
	if (t->kind == K_LOOP) {
		*types = t->params;
		return t->nparams;
	}
	*types = t->results;
	return t->nresults;
}

/* Check the top of the stack holds `n` values of `types` (without popping). */
static int
check_top(struct cc *c, uint32_t n, const uint8_t *types)
{
	struct ctrl *t = &c->cs[c->ncs - 1];

	for (uint32_t i = 0; i < n; i++) {
		uint8_t want = types[n - 1 - i];
		if (c->nvs - i <= t->height) {
			if (t->unreachable)
				return 0;
			return FAILED(c, VM_ERR_INVALID, "type mismatch: expected %u values, the stack has %u",
				    n, c->nvs - t->height);
		}
		uint8_t got = c->vs[c->nvs - 1 - i].type;
		if (got && got != want)
			return FAILED(c, VM_ERR_INVALID, "type mismatch: expected %s, got %s", tname(want),
				    tname(got));
	}
	return 0;
}

/* br_if: pop the label's values and push them back typed as the label
 * (in dead code, missing ones appear from the unknown bottom). */
static int
retype_top(struct cc *c, uint32_t n, const uint8_t *types)
{
	uint32_t h = c->cs[c->ncs - 1].height, avail = c->nvs - h;

	if (check_top(c, n, types))
		return -1;
	if (avail < n) {
		uint32_t add = n - avail;
		for (uint32_t i = 0; i < add; i++)
			if (push(c, T_UNKNOWN, V_STACK, 0, 0))
				return -1;
		memmove(c->vs + h + add, c->vs + h, avail * sizeof *c->vs);
		for (uint32_t i = 0; i < add; i++)
			c->vs[h + i] = (struct ventry){ T_UNKNOWN, V_STACK, 0, 0 };
	}
	for (uint32_t i = 0; i < n; i++)
		c->vs[c->nvs - n + i].type = types[i];
	return 0;
}

/* Read a block type: empty, one value type or a type index. */
static int
rd_blocktype(struct cc *c, uint32_t *np, const uint8_t **params, uint32_t *nr, const uint8_t **results)
{
	int64_t v;

	if (rd_sleb(c, 33, &v))
		return -1;
	*np = 0;
	*params = NULL;
	if (v == -64) {
		*nr = 0;
		*results = NULL;
		return 0;
	}
	if (v < 0) {
		uint8_t t = (uint8_t)(v & 0x7f);
		if (!is_valtype(t))
			return FAILED(c, VM_ERR_MALFORMED, "malformed value type 0x%02x", t);
		*nr = 1;
		*results = &vt_one[t];
		return 0;
	}
	if (v >= c->m->ntypes)
		return FAILED(c, VM_ERR_INVALID, "unknown type %lld", (long long)v);
	const struct vm_functype *ft = &c->m->types[v];
	*np = ft->nparams;
	*params = ft->types;
	*nr = ft->nresults;
	*results = ft->types + ft->nparams;
	return 0;
}

/*
 * Branch copies: the top n entries go to the label's slots starting at
 * `dst` (a home slot). Entries already there need nothing. Fills `pairs`
 * (src|dst cells) and returns the count, or -1.
 */
static int
carry(struct cc *c, uint32_t n, uint32_t dst, uint64_t *pairs)
{
	int k = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t pos = c->nvs - n + i;
		struct ventry *e = &c->vs[pos];
		uint32_t src;

		if (e->kind != V_LOCAL && materialize_entry(c, e, pos))
			return -1;
		src = e->kind == V_LOCAL ? e->idx : home(c, pos);
		if (src != dst + i)
			pairs[k++] = pack(src, dst + i);
	}
	return k;
}

/* Emit a return of the top nresults entries (function end, return, br 0). */
static int
emit_return(struct cc *c)
{
	const struct vm_functype *ft = &c->m->types[c->m->func_type_index[c->func]];
	uint32_t n = ft->nresults, at;

	if (!live(c))
		return 0;
	if (n == 0)
		return emit(c, VM_X_ret0, 1) == NONE ? -1 : 0;
	if (n == 1) {
		struct ventry *e = &c->vs[c->nvs - 1];
		uint32_t src;
		if (e->kind != V_LOCAL && materialize_entry(c, e, c->nvs - 1))
			return -1;
		src = e->kind == V_LOCAL ? e->idx : home(c, c->nvs - 1);
		if ((at = emit(c, VM_X_ret1, 2)) == NONE)
			return -1;
		c->code[at + 1] = src;
		return 0;
	}
	/* Results go to slots 0..n-1, which locals may occupy: read only home
	 * slots (all above their destinations) so the copy order is safe. */
	if (materialize(c, c->nvs - n))
		return -1;
	if ((at = emit(c, VM_X_ret, 2 + n)) == NONE)
		return -1;
	c->code[at + 1] = n;
	for (uint32_t i = 0; i < n; i++)
		c->code[at + 2 + i] = home(c, c->nvs - n + i);
	return 0;
}

/* ---- the compiler ------------------------------------------------------------- */

/* ops.def as a table: what each numeric/memory opcode is. */
enum { OP_NONE, OP_UN, OP_BIN, OP_LOAD, OP_STORE, OP_ALOAD, OP_ASTORE, OP_ARMW, OP_ACMPX };
struct opinfo {
	uint8_t kind, in, out, nbytes;
	uint16_t xop;
	bool imm;             /* has an _imm form */
	bool comm;            /* integer and commutative: a constant may go right */
};
#define NCMPS_CHECK 10
#define VT_I32 VM_I32
#define VT_I64 VM_I64
#define VT_F32 VM_F32
#define VT_F64 VM_F64
#define OPIDX(prefix, op) ((prefix) == 0xFC ? 256 + (op) : (prefix) == 0xFE ? 512 + (op) : (op))
#define HAS_IMM_I32 true
#define HAS_IMM_I64 true
#define HAS_IMM_F32 true
#define HAS_IMM_F64 true
/* i32/i64 eq, ne, add, mul, and, or, xor */
#define COMM(prefix, op) ((prefix) == 0 && ((op) == 0x46 || (op) == 0x47 || (op) == 0x6A || \
	(op) == 0x6C || ((op) >= 0x71 && (op) <= 0x73) || (op) == 0x51 || (op) == 0x52 || \
	(op) == 0x7C || (op) == 0x7E || ((op) >= 0x83 && (op) <= 0x85)))
static const struct opinfo optab[768] = {
/* (parameter names differ from the field names: they would replace them) */
#define UNOP(name, prefix, opcode, ti, to, body) \
	[OPIDX(prefix, opcode)] = { .kind = OP_UN, .in = VT_##ti, .out = VT_##to, .xop = VM_X_##name },
#define BINOP(name, prefix, opcode, ti, to, body) \
	[OPIDX(prefix, opcode)] = { .kind = OP_BIN, .in = VT_##ti, .out = VT_##to, .xop = VM_X_##name, \
				    .imm = HAS_IMM_##ti, .comm = COMM(prefix, opcode) },
#define LOADOP(name, prefix, opcode, to, nb, is_signed) \
	[OPIDX(prefix, opcode)] = { .kind = OP_LOAD, .in = VM_I32, .out = VT_##to, .nbytes = nb, \
				    .xop = VM_X_##name },
#define STOREOP(name, prefix, opcode, ti, nb) \
	[OPIDX(prefix, opcode)] = { .kind = OP_STORE, .in = VT_##ti, .nbytes = nb, .xop = VM_X_##name },
#define ATOMIC_LOAD(name, opcode, to, nb) \
	[OPIDX(0xFE, opcode)] = { .kind = OP_ALOAD, .in = VM_I32, .out = VT_##to, .nbytes = nb, \
				  .xop = VM_X_##name },
#define ATOMIC_STORE(name, opcode, ti, nb) \
	[OPIDX(0xFE, opcode)] = { .kind = OP_ASTORE, .in = VT_##ti, .nbytes = nb, .xop = VM_X_##name },
#define ATOMIC_RMW(name, opcode, t, nb, body) \
	[OPIDX(0xFE, opcode)] = { .kind = OP_ARMW, .in = VT_##t, .out = VT_##t, .nbytes = nb, \
				  .xop = VM_X_##name },
#define ATOMIC_CMPXCHG(name, opcode, t, nb) \
	[OPIDX(0xFE, opcode)] = { .kind = OP_ACMPX, .in = VT_##t, .out = VT_##t, .nbytes = nb, \
				  .xop = VM_X_##name },
#include "ops.def"
};

/* compile_binop finds compares by their place in ops.def's order. */
_Static_assert(VM_X_i32_ge_u == VM_X_i32_eq + 2 * (NCMPS_CHECK - 1), "i32 compares out of order");
_Static_assert(VM_X_i64_ge_u == VM_X_i64_eq + 2 * (NCMPS_CHECK - 1), "i64 compares out of order");
_Static_assert(VM_X_i32_lt_u == VM_X_i32_eq + 6, "i32 compares out of order");

/* The fused compare-and-branch opcodes, by VM_CMPS index. */
static const uint16_t br_cmp[][4] = {
#define X(n, op, sg, inv) { VM_X_br_i32_##n, VM_X_br_i32_##n##_imm, VM_X_br_i64_##n, VM_X_br_i64_##n##_imm },
	VM_CMPS(X)
#undef X
};
/* The inverse of each compare (for `if`, which branches on false). */
enum {
#define X(n, op, sg, inv) CMP_##n,
	VM_CMPS(X)
#undef X
	NCMPS
};
static const uint8_t cmp_inverse[NCMPS] = {
#define X(n, op, sg, inv) [CMP_##n] = CMP_##inv,
	VM_CMPS(X)
#undef X
};

/* Validate a memarg; *off gets the offset. natural: log2 of the access
 * size; atomics need exactly the natural alignment. */
static int
memarg(struct cc *c, unsigned nbytes, bool atomic, uint64_t *off)
{
	uint32_t align, offset;
	unsigned natural = nbytes == 8 ? 3 : nbytes == 4 ? 2 : nbytes == 2 ? 1 : 0;

	if (rd_u32(c, &align) || rd_u32(c, &offset))
		return -1;
	if (c->m->nmems == 0)
		return FAILED(c, VM_ERR_INVALID, "unknown memory 0");
	if (align > natural)
		return FAILED(c, VM_ERR_INVALID, "alignment must not be larger than natural (2^%u > %u)",
			    align < 32 ? align : 31, nbytes);
	if (atomic && align != natural)
		return FAILED(c, VM_ERR_INVALID, "alignment must be equal to natural (2^%u != %u)", align, nbytes);
	*off = offset;
	return 0;
}

/* Compile a binary operator with the operands on the stack. */
static int
compile_binop(struct cc *c, const struct opinfo *oi)
{
	struct ventry a, b;
	uint32_t pa, pb, sa = 0, sb = 0, at, dst;

	if (pop(c, oi->in, &b, &pb) || pop(c, oi->in, &a, &pa))
		return -1;
	dst = home(c, pa);
	if (oi->comm && a.kind == V_CONST && b.kind != V_CONST) {
		/* `c op x` as `x op c`: the constant goes in the _imm form.
		 * Both were popped: only their values and kinds matter now,
		 * except a STACK operand's slot, which stays b's. */
		struct ventry t = a;
		a = b;
		b = t;
		if (a.kind == V_STACK) {
			uint32_t tp = pa;
			pa = pb;
			pb = tp;
		}
	}
	if ((oi->xop == VM_X_i32_add || oi->xop == VM_X_i32_sub) && b.kind == V_CONST &&
	    a.kind != V_CONST) {
		/* x + c stays symbolic: a load or store adds it for free. x
		 * is a local, or a slot that must be the sum's own home (safe
		 * until the sum is popped); after a swap it sits above it. */
		uint32_t k = oi->xop == VM_X_i32_add ? (uint32_t)b.c : 0u - (uint32_t)b.c;
		uint32_t base = a.kind == V_STACK ? home(c, pa) : a.idx;
		if (base < c->nlocals || base == home(c, c->nvs))
			return push(c, VM_I32, V_ADDI, base, (uint32_t)((a.kind == V_ADDI ? a.c : 0) + k));
	}
	if (live(c)) {
		if (oi->imm && b.kind == V_CONST) {
			if (operand(c, &a, pa, &sa) || (at = emit(c, oi->xop + 1, 3)) == NONE)
				return -1;
			c->code[at + 1] = pack(dst, sa);
			c->code[at + 2] = b.c;
		} else {
			if (operand(c, &a, pa, &sa) || operand(c, &b, pb, &sb) ||
			    (at = emit(c, oi->xop, 3)) == NONE)
				return -1;
			c->code[at + 1] = pack(dst, sa);
			c->code[at + 2] = sb;
		}
		fresh(c, at, dst);
		/* Remember integer compares for a following br_if / if. */
		if (oi->in == VM_I32 || oi->in == VM_I64) {
			unsigned base = oi->in == VM_I32 ? VM_X_i32_eq : VM_X_i64_eq;
			unsigned x = oi->xop;
			/* i32/i64 compares are consecutive rows of ops.def in
			 * VM_CMPS order, each with an _imm form after it. */
			if (x >= base && x < base + 2 * NCMPS && (x - base) % 2 == 0) {
				c->last.cmp = (int)((x - base) / 2);
				c->last.is64 = oi->in == VM_I64;
				c->last.a = sa;
				c->last.bimm = oi->imm && b.kind == V_CONST;
				c->last.b = c->last.bimm ? b.c : sb;
			}
		}
	}
	return push(c, oi->out, V_STACK, 0, 0);
}

static int
compile_unop(struct cc *c, const struct opinfo *oi)
{
	struct ventry a;
	uint32_t pa, sa = 0, at, dst;

	if (pop(c, oi->in, &a, &pa))
		return -1;
	dst = home(c, pa);
	if (live(c)) {
		if (operand(c, &a, pa, &sa) || (at = emit(c, oi->xop, 2)) == NONE)
			return -1;
		c->code[at + 1] = pack(dst, sa);
		fresh(c, at, dst);
		if (oi->xop == VM_X_i32_eqz || oi->xop == VM_X_i64_eqz) {
			c->last.eqz = true;
			c->last.is64 = oi->xop == VM_X_i64_eqz;
			c->last.a = sa;
		}
	}
	return push(c, oi->out, V_STACK, 0, 0);
}

/*
 * A conditional branch on the popped condition `cond` (at height pos) to
 * label k, taken when the condition is true (or false with `negate`).
 * Fuses with the compare that just produced the condition. Fills *at and
 * *cell (the rel|cost cell) for the caller to point; the fall-through
 * cost is opened here. `pairs`: n copies to make when taken.
 */
static int
emit_cond_branch(struct cc *c, struct ventry *cond, uint32_t pos, bool negate, const uint64_t *pairs,
		 uint32_t npairs, uint32_t *at_out, uint32_t *cell_out)
{
	const struct last *l = &c->last;
	uint32_t at, sc;
	bool fuse = npairs == 0 && cond->kind == V_STACK && l->valid && l->dst == home(c, pos) &&
		    l->start + (l->eqz ? 2u : 3u) == c->ncode && (l->cmp >= 0 || l->eqz);

	if (fuse) {
		struct last f = *l;
		c->ncode = f.start;   /* drop the compare: the branch does it */
		if (f.eqz) {
			/* eqz is "branch if zero": i32 uses br_unless/br_if. */
			enum vm_xop op = f.is64 ? (negate ? VM_X_br_i64_nez : VM_X_br_i64_eqz)
						: (negate ? VM_X_br_if : VM_X_br_unless);
			if ((at = emit(c, op, 3)) == NONE)
				return -1;
			c->code[at + 1] = f.a;
			*cell_out = at + 2;
		} else {
			int k = negate ? cmp_inverse[f.cmp] : f.cmp;
			if ((at = emit(c, br_cmp[k][(f.is64 ? 2 : 0) + f.bimm], 4)) == NONE)
				return -1;
			c->code[at + 1] = f.a;
			c->code[at + 2] = f.b;
			*cell_out = at + 3;
		}
	} else {
		if (operand(c, cond, pos, &sc))
			return -1;
		if (npairs) {
			if ((at = emit(c, VM_X_br_if_copy, 4 + npairs)) == NONE)
				return -1;
			c->code[at + 3] = npairs;
			memcpy(c->code + at + 4, pairs, npairs * sizeof *pairs);
		} else if ((at = emit(c, negate ? VM_X_br_unless : VM_X_br_if, 3)) == NONE) {
			return -1;
		}
		c->code[at + 1] = sc;
		*cell_out = at + 2;
	}
	c->flags[at] |= VM_PC_CHECK;
	*at_out = at;
	/* The branch ends the run; the fall-through starts the next one. */
	close_run(c);
	return open_cost(c, at + 1, true, c->count);
}

/* Emit a branch to label depth `depth` carrying the label's values. */
static int
compile_br(struct cc *c, uint32_t depth)
{
	uint32_t k = c->ncs - 1 - depth, n, at;
	const uint8_t *types;
	uint64_t *pairs;
	int np;

	n = label_arity(&c->cs[k], &types);
	if (check_top(c, n, types))
		return -1;
	if (!live(c))
		return 0;
	if (k == 0) {
		if (emit_return(c))
			return -1;
		close_run(c);
		return 0;
	}
	pairs = al_malloc((n ? n : 1) * sizeof *pairs);
	if (!pairs)
		return FAILED(c, VM_ERR_NOMEM, "out of memory compiling");
	np = carry(c, n, home(c, c->cs[k].height), pairs);
	if (np < 0) {
		al_free(pairs);
		return -1;
	}
	if (np == 0)
		at = emit(c, VM_X_br, 2);
	else
		at = emit(c, VM_X_br_copy, 3 + (uint32_t)np);
	if (at != NONE && np) {
		c->code[at + 2] = (uint32_t)np;
		memcpy(c->code + at + 3, pairs, (size_t)np * sizeof *pairs);
	}
	al_free(pairs);
	if (at == NONE)
		return -1;
	c->flags[at] |= VM_PC_CHECK;
	if (branch_to(c, k, at, at + 1))
		return -1;
	close_run(c);
	return 0;
}

static int
compile_br_if(struct cc *c, uint32_t depth)
{
	struct ventry cond;
	uint32_t pos, k, n, at, cell;
	const uint8_t *types;
	uint64_t *pairs;
	int np;

	if (pop(c, VM_I32, &cond, &pos))
		return -1;
	if (depth >= c->ncs)
		return FAILED(c, VM_ERR_INVALID, "unknown label %u", depth);
	k = c->ncs - 1 - depth;
	n = label_arity(&c->cs[k], &types);
	if (retype_top(c, n, types))
		return -1;
	if (!live(c))
		return 0;
	if (cond.kind == V_CONST) {
		/* Never taken: nothing to do. Always taken: a plain br (the
		 * code after it stays valid, and is never entered). */
		return (uint32_t)cond.c ? compile_br(c, depth) : 0;
	}
	pairs = al_malloc((n ? n : 1) * sizeof *pairs);
	if (!pairs)
		return FAILED(c, VM_ERR_NOMEM, "out of memory compiling");
	/* A function's label is at its final `end` (which returns). */
	np = carry(c, n, home(c, c->cs[k].height), pairs);
	if (np < 0 || emit_cond_branch(c, &cond, pos, false, pairs, (uint32_t)np, &at, &cell)) {
		al_free(pairs);
		return -1;
	}
	al_free(pairs);
	return branch_to(c, k, at, cell);
}

static int
compile_br_table(struct cc *c)
{
	uint32_t n, *depths = NULL, arity = 0, at, src, total;
	struct ventry idx;
	uint32_t ipos, sidx;
	const uint8_t *types;
	bool copy = false;
	int rc = -1;

	if (rd_u32(c, &n))
		return -1;
	/* Each target takes at least one byte: bound n before allocating. */
	if (n > (uint32_t)(c->end - c->p))
		return FAILED(c, VM_ERR_MALFORMED, "unexpected end of section or function");
	depths = al_malloc(((size_t)n + 1) * sizeof *depths);
	if (!depths)
		return FAILED(c, VM_ERR_NOMEM, "out of memory compiling");
	for (uint32_t i = 0; i <= n; i++)
		if (rd_u32(c, &depths[i]))
			goto out;
	if (pop(c, VM_I32, &idx, &ipos))
		goto out;
	for (uint32_t i = 0; i <= n; i++)
		if (depths[i] >= c->ncs) {
			fail(c, VM_ERR_INVALID, "unknown label %u", depths[i]);
			goto out;
		}
	arity = label_arity(&c->cs[c->ncs - 1 - depths[n]], &types);
	for (uint32_t i = 0; i <= n; i++) {
		const uint8_t *ti;
		uint32_t ai = label_arity(&c->cs[c->ncs - 1 - depths[i]], &ti);
		if (ai != arity) {
			fail(c, VM_ERR_INVALID, "type mismatch: br_table targets have %u and %u values", ai, arity);
			goto out;
		}
		if (check_top(c, ai, ti))
			goto out;
	}
	if (!live(c)) {
		rc = 0;
		goto out;
	}
	if (operand(c, &idx, ipos, &sidx) || materialize(c, c->nvs - arity))
		goto out;
	src = home(c, c->nvs - arity);
	for (uint32_t i = 0; i <= n && arity; i++)
		if (home(c, c->cs[c->ncs - 1 - depths[i]].height) != src)
			copy = true;
	total = copy ? 3 + 2 * (n + 1) : 2 + (n + 1);
	if ((at = emit(c, copy ? VM_X_br_table_copy : VM_X_br_table, total)) == NONE)
		goto out;
	c->flags[at] |= VM_PC_CHECK;
	c->code[at + 1] = pack(sidx, n);
	if (copy)
		c->code[at + 2] = pack(src, arity);
	for (uint32_t i = 0; i <= n; i++) {
		uint32_t k = c->ncs - 1 - depths[i];
		uint32_t cell = copy ? at + 3 + 2 * i : at + 2 + i;
		if (copy)
			c->code[cell + 1] = home(c, c->cs[k].height);
		if (branch_to(c, k, at, cell))
			goto out;
	}
	close_run(c);
	rc = 0;
out:
	al_free(depths);
	return rc;
}

/* Pushes n fresh stack entries of the given types (a block's or a call's results). */
static int
push_types(struct cc *c, const uint8_t *types, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (push(c, types[i], V_STACK, 0, 0))
			return -1;
	return 0;
}

/*
 * The three operands of a bulk memory or table instruction (destination,
 * source or value of type mid, length): popped and, in live code, placed in
 * slots *sd, *ss, *sn and op emitted in n cells at *at. In dead code *at is
 * NONE and nothing is emitted. 0 or -1.
 */
static int
bulk_operands(struct cc *c, uint8_t mid, enum vm_xop op, uint32_t n, uint32_t *at, uint32_t *sd,
	      uint32_t *ss, uint32_t *sn)
{
	struct ventry len, src, dst;
	uint32_t pn, ps, pd;

	*at = NONE;
	if (pop(c, VM_I32, &len, &pn) || pop(c, mid, &src, &ps) || pop(c, VM_I32, &dst, &pd))
		return -1;
	if (!live(c))
		return 0;
	if (operand(c, &dst, pd, sd) || operand(c, &src, ps, ss) || operand(c, &len, pn, sn))
		return -1;
	*at = emit(c, op, n);
	return *at == NONE ? -1 : 0;
}

/* Arguments of a call: the top np entries, into consecutive home slots. */
static int
call_args(struct cc *c, const struct vm_functype *ft, uint32_t *argbase)
{
	struct ventry e;

	for (uint32_t i = ft->nparams; i-- > 0;)
		if (pop(c, ft->types[i], &e, NULL))
			return -1;
	*argbase = home(c, c->nvs);
	if (!live(c))
		return 0;
	/* Popped, but their entries are still there to materialize. */
	for (uint32_t i = 0; i < ft->nparams; i++)
		if (materialize_entry(c, &c->vs[c->nvs + i], c->nvs + i))
			return -1;
	return 0;
}

static int
call_results(struct cc *c, const struct vm_functype *ft, uint32_t at, uint32_t size)
{
	c->flags[at] |= VM_PC_CHECK;
	if (reserve(c, (uint64_t)at + size + 1))
		return -1;
	c->flags[at + size] |= VM_PC_RETURN;
	return push_types(c, ft->types + ft->nparams, ft->nresults);
}

/*
 * The branch of an `if` to its else arm (taken when the condition is
 * false), after materializing the whole stack as a block entry must. A
 * compare that produced the condition still fuses: it is lifted out,
 * the materialization emitted, and the compare put back after it (safe:
 * the copies write only home slots below the compare's operands).
 */
static int
compile_if_branch(struct cc *c, struct ventry *cond, uint32_t cpos, uint32_t *site, uint32_t *cell)
{
	struct last l = c->last;
	bool fusable = cond->kind == V_STACK && l.valid && l.dst == home(c, cpos) &&
		       l.start + (l.eqz ? 2u : 3u) == c->ncode && (l.cmp >= 0 || l.eqz);
	uint64_t saved[3];
	uint32_t len = 0, s2;

	if (fusable) {
		len = c->ncode - l.start;
		memcpy(saved, c->code + l.start, len * sizeof *saved);
		c->ncode = l.start;
	}
	if (materialize(c, 0))
		return -1;
	if (fusable) {
		s2 = c->ncode;
		if (emit(c, VM_X_unreachable, len) == NONE)
			return -1;
		memcpy(c->code + s2, saved, len * sizeof *saved);
		c->last = l;
		c->last.start = s2;
	}
	return emit_cond_branch(c, cond, cpos, true, NULL, 0, site, cell);
}

static int
compile_body(struct cc *c)
{
	struct vm_module *m = c->m;
	uint32_t at;
	uint8_t op;

	for (;;) {
		const struct opinfo *oi = NULL;
		uint32_t x, y;
		struct ventry a, b, e;
		uint32_t pa, pb, sa = 0, sb = 0;

		if (c->p >= c->end) {
			if (c->ncs)
				MALFORMED("END opcode expected");
			return 0;
		}
		if (!c->ncs)
			MALFORMED("END opcode expected: operators after the function's end");
		c->op_at = (uint32_t)(c->p - m->bytes);
		op = *c->p++;
		c->count++;
		switch (op) {
		case 0x00: /* unreachable */
			if (live(c)) {
				if (emit(c, VM_X_unreachable, 1) == NONE)
					goto bad;
				close_run(c);
			}
			c->nvs = c->cs[c->ncs - 1].height;
			c->cs[c->ncs - 1].unreachable = true;
			break;
		case 0x01: /* nop */
			break;
		case 0x02: /* block */
		case 0x03: /* loop */
		case 0x04: { /* if */
			uint32_t np, nr, avail;
			const uint8_t *pt, *rt;
			struct ventry cond;
			uint32_t cpos = 0, ecell = 0, esite = NONE;
			if (rd_blocktype(c, &np, &pt, &nr, &rt))
				goto bad;
			if (op == 0x04 && pop(c, VM_I32, &cond, &cpos))
				goto bad;
			TRY(check_top(c, np, pt));
			if (op == 0x04 && live(c))
				TRY(compile_if_branch(c, &cond, cpos, &esite, &ecell));
			else if (live(c))
				TRY(materialize(c, 0));
			/* The params leave the outer block and start the new one. */
			avail = c->nvs - c->cs[c->ncs - 1].height;
			c->nvs -= avail < np ? avail : np;
			TRY(push_ctrl(c, op == 0x02 ? K_BLOCK : op == 0x03 ? K_LOOP : K_IF, np, pt, nr, rt));
			for (uint32_t i = 0; i < np; i++)
				TRY(push(c, pt[i], V_STACK, 0, 0));
			if (op == 0x04) {
				c->cs[c->ncs - 1].else_site = esite;
				c->cs[c->ncs - 1].label_pc = ecell;   /* the branch's rel|cost cell */
			} else if (op == 0x03) {
				struct ctrl *t = &c->cs[c->ncs - 1];
				t->label_pc = c->ncode;
				t->loop_start = c->count;
				t->loop_run = c->run;
				TRY(grow(c, (void **)&c->loops, &c->loopcap, c->nloops + 1, sizeof *c->loops));
				c->loops[c->nloops++] = c->ncs - 1;
			}
			c->last.valid = false;
			break;
		}
		case 0x05: { /* else */
			struct ctrl *t = &c->cs[c->ncs - 1];
			if (t->kind != K_IF)
				MALFORMED("else without if");
			TRY(check_top(c, t->nresults, t->results));
			if (c->nvs - t->height > t->nresults)
				BAD("type mismatch: %u values left at the end of the then arm",
				    c->nvs - t->height);
			if (live(c)) {
				/* The then arm jumps over the else arm. */
				TRY(materialize(c, t->height));
				if ((at = emit(c, VM_X_br, 2)) == NONE)
					goto bad;
				c->flags[at] |= VM_PC_CHECK;
				TRY(branch_to(c, c->ncs - 1, at, at + 1));
				close_run(c);
			}
			if (t->else_site != NONE) {
				set_lo(c, t->label_pc, c->ncode - t->else_site);
				TRY(open_cost(c, t->label_pc, true, c->count));
				t->else_site = NONE;
			}
			c->last.valid = false;
			t->kind = K_ELSE;
			t->unreachable = false;
			c->nvs = t->height;
			for (uint32_t i = 0; i < t->nparams; i++)
				TRY(push(c, t->params[i], V_STACK, 0, 0));
			break;
		}
		case 0x0B: { /* end */
			struct ctrl *t = &c->cs[c->ncs - 1];
			uint32_t k = c->ncs - 1;
			int merged = 0;
			TRY(check_top(c, t->nresults, t->results));
			if (c->nvs - t->height > t->nresults)
				BAD("type mismatch: %u values left at the end of a block expecting %u",
				    c->nvs - t->height, t->nresults);
			if (t->kind == K_IF && t->nparams != t->nresults)
				BAD("type mismatch: if without else must leave its params as results");
			if (t->kind == K_IF)
				for (uint32_t i = 0; i < t->nparams; i++)
					if (t->params[i] != t->results[i])
						BAD("type mismatch: if without else must leave its params as results");
			if (k == 0) {
				/* The function's end returns; branches to its label
				 * land here with the results in their home slots. */
				if (t->sites != NONE) {
					if (live(c))
						TRY(materialize(c, t->height));
					TRY(place_label(c, 0));
					t->unreachable = false;
					c->nvs = t->height;
					TRY(push_types(c, t->results, t->nresults));
				}
				TRY(emit_return(c));
				close_run(c);
				c->ncs--;
				break;
			}
			if (t->kind == K_LOOP) {
				c->ncs--;
				/* Only the fall-through leaves a loop: entries stay. */
				if (t->unreachable) {
					c->nvs = t->height;
					TRY(push_types(c, t->results, t->nresults));
				}
				break;
			}
			if (t->kind == K_IF && t->else_site != NONE) {
				if (live(c))
					TRY(materialize(c, t->height));
				set_lo(c, t->label_pc, c->ncode - t->else_site);
				TRY(open_cost(c, t->label_pc, true, c->count));
				t->else_site = NONE;
				merged = 1;
			}
			if (t->sites != NONE) {
				if (!merged && live(c))
					TRY(materialize(c, t->height));
				TRY(place_label(c, k));
				merged = 1;
			}
			c->last.valid = false;
			if (merged || t->unreachable) {
				c->nvs = t->height;
				c->ncs--;
				TRY(push_types(c, t->results, t->nresults));
			} else {
				c->ncs--;
			}
			break;
		}
		case 0x0C: /* br */
			TRY(rd_u32(c, &x));
			if (x >= c->ncs)
				BAD("unknown label %u", x);
			TRY(compile_br(c, x));
			c->nvs = c->cs[c->ncs - 1].height;
			c->cs[c->ncs - 1].unreachable = true;
			break;
		case 0x0D: /* br_if */
			TRY(rd_u32(c, &x));
			TRY(compile_br_if(c, x));
			break;
		case 0x0E: /* br_table */
			TRY(compile_br_table(c));
			c->nvs = c->cs[c->ncs - 1].height;
			c->cs[c->ncs - 1].unreachable = true;
			break;
		case 0x0F: /* return */
			TRY(compile_br(c, c->ncs - 1));
			c->nvs = c->cs[c->ncs - 1].height;
			c->cs[c->ncs - 1].unreachable = true;
			break;
		case 0x10: { /* call */
			const struct vm_functype *ft;
			TRY(rd_u32(c, &x));
			if (x >= m->nfuncs)
				BAD("unknown function %u", x);
			ft = &m->types[m->func_type_index[x]];
			TRY(call_args(c, ft, &y));
			if (live(c)) {
				if (x < m->nfunc_imports) {
					if ((at = emit(c, VM_X_call_import, 2)) == NONE)
						goto bad;
				} else {
					/* The callee's code: compiled already, or
					 * patched in when it is (compile_func). */
					if ((at = emit(c, VM_X_call, 3)) == NONE)
						goto bad;
					c->code[at + 2] = (uintptr_t)m->funcs[x - m->nfunc_imports].code;
				}
				c->code[at + 1] = pack(x, y);
				TRY(call_results(c, ft, at, x < m->nfunc_imports ? 2 : 3));
			} else {
				TRY(push_types(c, ft->types + ft->nparams, ft->nresults));
			}
			break;
		}
		case 0x11: { /* call_indirect */
			const struct vm_functype *ft;
			TRY(rd_u32(c, &x));
			TRY(rd_u32(c, &y));
			if (y >= m->ntables)
				BAD("unknown table %u", y);
			if (x >= m->ntypes)
				BAD("unknown type %u", x);
			if (m->tables[y].elemtype != VM_FUNCREF)
				BAD("type mismatch: call_indirect through a table of %s",
				    tname(m->tables[y].elemtype));
			ft = &m->types[x];
			TRY(pop(c, VM_I32, &a, &pa));
			if (live(c))
				TRY(operand(c, &a, pa, &sa));
			TRY(call_args(c, ft, &pb));
			if (live(c)) {
				if ((at = emit(c, VM_X_call_indirect, 3)) == NONE)
					goto bad;
				c->code[at + 1] = pack(x, y);
				c->code[at + 2] = pack(sa, pb);
				TRY(call_results(c, ft, at, 3));
			} else {
				TRY(push_types(c, ft->types + ft->nparams, ft->nresults));
			}
			break;
		}
		case 0x1A: /* drop */
			TRY(pop(c, T_UNKNOWN, &a, NULL));
			break;
		case 0x1B: /* select */
		case 0x1C: { /* select t */
			uint8_t t = T_UNKNOWN;
			uint32_t pc_;
			struct ventry cnd;
			if (op == 0x1C) {
				TRY(rd_u32(c, &x));
				if (x != 1)
					BAD("invalid result arity %u", x);
				TRY(rd_byte(c, &t));
				if (!is_valtype(t))
					MALFORMED("malformed value type 0x%02x", t);
			}
			TRY(pop(c, VM_I32, &cnd, &pc_));
			TRY(pop(c, t, &b, &pb));
			TRY(pop(c, t, &a, &pa));
			if (op == 0x1B) {
				if (is_ref(a.type) || is_ref(b.type))
					BAD("type mismatch: select without a type on references");
				if (a.type && b.type && a.type != b.type)
					BAD("type mismatch: select of %s and %s", tname(a.type), tname(b.type));
				t = a.type ? a.type : b.type;
			}
			if (live(c)) {
				uint32_t sc;
				TRY(operand(c, &a, pa, &sa));
				TRY(operand(c, &b, pb, &sb));
				TRY(operand(c, &cnd, pc_, &sc));
				if ((at = emit(c, VM_X_select, 3)) == NONE)
					goto bad;
				c->code[at + 1] = pack(home(c, pa), sc);
				c->code[at + 2] = pack(sa, sb);
				fresh(c, at, home(c, pa));
			}
			TRY(push(c, t, V_STACK, 0, 0));
			break;
		}
		case 0x20: /* local.get */
			TRY(rd_u32(c, &x));
			if (x >= c->nlocals)
				BAD("unknown local %u", x);
			TRY(push(c, c->ltypes[x], V_LOCAL, x, 0));
			break;
		case 0x21: /* local.set */
		case 0x22: { /* local.tee */
			TRY(rd_u32(c, &x));
			if (x >= c->nlocals)
				BAD("unknown local %u", x);
			TRY(pop(c, c->ltypes[x], &e, &pa));
			if (!live(c)) {
				if (op == 0x22)
					TRY(push(c, c->ltypes[x], V_STACK, 0, 0));
				break;
			}
			if (e.kind == V_LOCAL && e.idx == x) {
				/* x = x */
			} else if (e.kind == V_STACK && c->last.valid && c->last.dst == home(c, pa) &&
				   !local_on_stack(c, x)) {
				/* Make the producer write the local directly. */
				set_lo(c, c->last.start + 1, x);
				c->last.valid = false;
				if (op == 0x22) {
					e.kind = V_LOCAL;
					e.idx = x;
				}
			} else {
				TRY(spill_local(c, x));
				if (e.kind == V_ADDI) {
					if ((at = emit(c, VM_X_i32_add_imm, 3)) == NONE)
						goto bad;
					c->code[at + 1] = pack(x, e.idx);
					c->code[at + 2] = (uint32_t)e.c;
					/* tee: x changed, so the value is x itself now */
					e.kind = V_LOCAL;
					e.idx = x;
				} else if (e.kind == V_CONST) {
					if (e.c <= UINT32_MAX) {
						if ((at = emit(c, VM_X_const32, 2)) == NONE)
							goto bad;
						c->code[at + 1] = pack(x, (uint32_t)e.c);
					} else {
						if ((at = emit(c, VM_X_const64, 3)) == NONE)
							goto bad;
						c->code[at + 1] = x;
						c->code[at + 2] = e.c;
					}
				} else {
					sa = e.kind == V_LOCAL ? e.idx : home(c, pa);
					if ((at = emit(c, VM_X_copy, 2)) == NONE)
						goto bad;
					c->code[at + 1] = pack(x, sa);
				}
			}
			if (op == 0x22) {
				e.type = c->ltypes[x];
				TRY(push(c, e.type, e.kind, e.idx, e.c));
			}
			break;
		}
		case 0x23: /* global.get */
			TRY(rd_u32(c, &x));
			if (x >= m->nglobals)
				BAD("unknown global %u", x);
			if (live(c)) {
				bool ref = is_ref(m->globals[x].type.type);
				if ((at = emit(c, ref ? VM_X_global_get_ref : VM_X_global_get, 2)) == NONE)
					goto bad;
				c->code[at + 1] = pack(home(c, c->nvs), x);
				fresh(c, at, home(c, c->nvs));
			}
			TRY(push(c, m->globals[x].type.type, V_STACK, 0, 0));
			break;
		case 0x24: /* global.set */
			TRY(rd_u32(c, &x));
			if (x >= m->nglobals)
				BAD("unknown global %u", x);
			if (!m->globals[x].type.mut)
				BAD("global is immutable: global %u", x);
			TRY(pop(c, m->globals[x].type.type, &a, &pa));
			if (live(c)) {
				bool ref = is_ref(m->globals[x].type.type);
				TRY(operand(c, &a, pa, &sa));
				if ((at = emit(c, ref ? VM_X_global_set_ref : VM_X_global_set, 2)) == NONE)
					goto bad;
				c->code[at + 1] = pack(sa, x);
			}
			break;
		case 0x25: /* table.get */
		case 0x26: /* table.set */
			TRY(rd_u32(c, &x));
			if (x >= m->ntables)
				BAD("unknown table %u", x);
			if (op == 0x25) {
				TRY(pop(c, VM_I32, &a, &pa));
				if (live(c)) {
					TRY(operand(c, &a, pa, &sa));
					if ((at = emit(c, VM_X_table_get, 3)) == NONE)
						goto bad;
					c->code[at + 1] = pack(home(c, pa), sa);
					c->code[at + 2] = x;
					fresh(c, at, home(c, pa));
				}
				TRY(push(c, m->tables[x].elemtype, V_STACK, 0, 0));
			} else {
				TRY(pop(c, m->tables[x].elemtype, &b, &pb));
				TRY(pop(c, VM_I32, &a, &pa));
				if (live(c)) {
					TRY(operand(c, &a, pa, &sa));
					TRY(operand(c, &b, pb, &sb));
					if ((at = emit(c, VM_X_table_set, 3)) == NONE)
						goto bad;
					c->code[at + 1] = pack(sa, sb);
					c->code[at + 2] = x;
				}
			}
			break;
		case 0x3F: /* memory.size */
		case 0x40: /* memory.grow */
			TRY(rd_zero(c));
			if (!m->nmems)
				BAD("unknown memory 0");
			if (op == 0x3F) {
				if (live(c)) {
					if ((at = emit(c, VM_X_memory_size, 2)) == NONE)
						goto bad;
					c->code[at + 1] = home(c, c->nvs);
					fresh(c, at, home(c, c->nvs));
				}
			} else {
				TRY(pop(c, VM_I32, &a, &pa));
				if (live(c)) {
					TRY(operand(c, &a, pa, &sa));
					if ((at = emit(c, VM_X_memory_grow, 2)) == NONE)
						goto bad;
					c->code[at + 1] = pack(home(c, pa), sa);
					fresh(c, at, home(c, pa));
				}
			}
			TRY(push(c, VM_I32, V_STACK, 0, 0));
			break;
		case 0x41: { /* i32.const */
			int64_t v;
			TRY(rd_sleb(c, 32, &v));
			TRY(push(c, VM_I32, V_CONST, 0, (uint32_t)v));
			break;
		}
		case 0x42: { /* i64.const */
			int64_t v;
			TRY(rd_sleb(c, 64, &v));
			TRY(push(c, VM_I64, V_CONST, 0, (uint64_t)v));
			break;
		}
		case 0x43: { /* f32.const */
			uint64_t v;
			TRY(rd_fixed(c, 4, &v));
			TRY(push(c, VM_F32, V_CONST, 0, v));
			break;
		}
		case 0x44: { /* f64.const */
			uint64_t v;
			TRY(rd_fixed(c, 8, &v));
			TRY(push(c, VM_F64, V_CONST, 0, v));
			break;
		}
		case 0xD0: { /* ref.null t */
			uint8_t t;
			TRY(rd_byte(c, &t));
			if (!is_ref(t))
				MALFORMED("malformed reference type 0x%02x", t);
			TRY(push(c, t, V_CONST, 0, 0));
			break;
		}
		case 0xD1: /* ref.is_null */
			TRY(pop(c, T_UNKNOWN, &a, &pa));
			if (a.type && !is_ref(a.type))
				BAD("type mismatch: ref.is_null of %s", tname(a.type));
			if (live(c)) {
				TRY(operand(c, &a, pa, &sa));
				if ((at = emit(c, VM_X_i64_eqz, 2)) == NONE)
					goto bad;
				c->code[at + 1] = pack(home(c, pa), sa);
				fresh(c, at, home(c, pa));
			}
			TRY(push(c, VM_I32, V_STACK, 0, 0));
			break;
		case 0xD2: /* ref.func */
			TRY(rd_u32(c, &x));
			if (x >= m->nfuncs)
				BAD("unknown function %u", x);
			if (!m->declared_funcs || !(m->declared_funcs[x / 8] & (1u << (x % 8))))
				BAD("undeclared function reference %u", x);
			/* A funcref on the stack is a handle: 1 + function index. */
			TRY(push(c, VM_FUNCREF, V_CONST, 0, (uint64_t)x + 1));
			break;
		case 0xFC: {
			TRY(rd_u32(c, &x));
			if (x < 8) {
				oi = &optab[OPIDX(0xFC, x)];
				goto numeric;
			}
			switch (x) {
			case 8: /* memory.init seg */
			case 9: /* data.drop seg */
				TRY(rd_u32(c, &y));
				if (x == 8)
					TRY(rd_zero(c));
				if (!m->has_datacount)
					MALFORMED("data count section required");
				if (x == 8 && !m->nmems)
					BAD("unknown memory 0");
				if (y >= m->datacount)
					BAD("unknown data segment %u", y);
				if (x == 9) {
					if (live(c)) {
						if ((at = emit(c, VM_X_data_drop, 2)) == NONE)
							goto bad;
						c->code[at + 1] = y;
					}
					break;
				}
				goto three_i32;
			case 10: /* memory.copy */
				TRY(rd_zero(c));
				TRY(rd_zero(c));
				if (!m->nmems)
					BAD("unknown memory 0");
				goto three_i32;
			case 11: /* memory.fill */
				TRY(rd_zero(c));
				if (!m->nmems)
					BAD("unknown memory 0");
				{
					uint32_t sn, sv, sd;
					TRY(bulk_operands(c, VM_I32, VM_X_memory_fill, 3, &at, &sd, &sv, &sn));
					if (at != NONE) {
						c->code[at + 1] = pack(sd, sv);
						c->code[at + 2] = sn;
					}
				}
				break;
			case 12: /* table.init seg table */
			case 14: /* table.copy dst src */
				TRY(rd_u32(c, &y));
				{
					uint32_t z;
					TRY(rd_u32(c, &z));
					if (x == 12) {
						if (z >= m->ntables)
							BAD("unknown table %u", z);
						if (y >= m->nelems)
							BAD("unknown elem segment %u", y);
						if (m->elems[y].elemtype != m->tables[z].elemtype)
							BAD("type mismatch: elem segment %u of %s into a table of %s", y,
							    tname(m->elems[y].elemtype), tname(m->tables[z].elemtype));
					} else {
						if (y >= m->ntables)
							BAD("unknown table %u", y);
						if (z >= m->ntables)
							BAD("unknown table %u", z);
						if (m->tables[y].elemtype != m->tables[z].elemtype)
							BAD("type mismatch: table.copy from %s to %s",
							    tname(m->tables[z].elemtype), tname(m->tables[y].elemtype));
					}
					uint32_t sn, ss, sd;
					TRY(bulk_operands(c, VM_I32, x == 12 ? VM_X_table_init : VM_X_table_copy, 4,
							  &at, &sd, &ss, &sn));
					if (at != NONE) {
						c->code[at + 1] = pack(sd, ss);
						if (x == 12) {
							c->code[at + 2] = pack(sn, y);
							c->code[at + 3] = z;
						} else {
							c->code[at + 2] = sn;
							c->code[at + 3] = pack(y, z);
						}
					}
				}
				break;
			case 13: /* elem.drop */
				TRY(rd_u32(c, &y));
				if (y >= m->nelems)
					BAD("unknown elem segment %u", y);
				if (live(c)) {
					if ((at = emit(c, VM_X_elem_drop, 2)) == NONE)
						goto bad;
					c->code[at + 1] = y;
				}
				break;
			case 15: /* table.grow */
			case 16: /* table.size */
			case 17: /* table.fill */
				TRY(rd_u32(c, &y));
				if (y >= m->ntables)
					BAD("unknown table %u", y);
				if (x == 16) {
					if (live(c)) {
						if ((at = emit(c, VM_X_table_size, 2)) == NONE)
							goto bad;
						c->code[at + 1] = pack(home(c, c->nvs), y);
						fresh(c, at, home(c, c->nvs));
					}
					TRY(push(c, VM_I32, V_STACK, 0, 0));
				} else if (x == 15) {
					TRY(pop(c, VM_I32, &b, &pb));
					TRY(pop(c, m->tables[y].elemtype, &a, &pa));
					if (live(c)) {
						TRY(operand(c, &a, pa, &sa));
						TRY(operand(c, &b, pb, &sb));
						if ((at = emit(c, VM_X_table_grow, 3)) == NONE)
							goto bad;
						c->code[at + 1] = pack(home(c, pa), sa);
						c->code[at + 2] = pack(sb, y);
						fresh(c, at, home(c, pa));
					}
					TRY(push(c, VM_I32, V_STACK, 0, 0));
				} else {
					uint32_t sn, sv, sd;
					TRY(bulk_operands(c, m->tables[y].elemtype, VM_X_table_fill, 3, &at, &sd,
							  &sv, &sn));
					if (at != NONE) {
						c->code[at + 1] = pack(sd, sv);
						c->code[at + 2] = pack(sn, y);
					}
				}
				break;
			default:
				MALFORMED("illegal opcode 0xfc %u", x);
			}
			break;
		three_i32: {
			/* memory.init (x = 8, segment y) and memory.copy (x = 10) */
			uint32_t sn, ss, sd;
			TRY(bulk_operands(c, VM_I32, x == 8 ? VM_X_memory_init : VM_X_memory_copy, 3, &at,
					  &sd, &ss, &sn));
			if (at != NONE) {
				c->code[at + 1] = pack(sd, ss);
				c->code[at + 2] = x == 8 ? pack(sn, y) : sn;
			}
			break;
		}
		}
		case 0xFE: {
			uint64_t off;
			TRY(rd_u32(c, &x));
			if (x == 0x03) { /* atomic.fence */
				TRY(rd_zero(c));
				break;
			}
			if (x <= 0x02) {
				/* notify: addr count -> i32; wait32/64: addr expected timeout -> i32 */
				struct ventry t2, t1, ad;
				uint32_t p2, p1, pad, s2 = 0, s1, sad;
				uint8_t et = x == 0x02 ? VM_I64 : VM_I32;
				TRY(memarg(c, x == 0x02 ? 8 : 4, true, &off));
				if (x) {
					TRY(pop(c, VM_I64, &t2, &p2));
					TRY(pop(c, et, &t1, &p1));
				} else {
					TRY(pop(c, VM_I32, &t1, &p1));
				}
				TRY(pop(c, VM_I32, &ad, &pad));
				if (live(c)) {
					TRY(operand(c, &ad, pad, &sad));
					TRY(operand(c, &t1, p1, &s1));
					if (x)
						TRY(operand(c, &t2, p2, &s2));
					if ((at = emit(c, x == 0 ? VM_X_atomic_notify : x == 1 ? VM_X_atomic_wait32
								   : VM_X_atomic_wait64, 4)) == NONE)
						goto bad;
					c->code[at + 1] = pack(home(c, pad), sad);
					c->code[at + 2] = x ? pack(s1, s2) : s1;
					c->code[at + 3] = off;
					fresh(c, at, home(c, pad));
				}
				TRY(push(c, VM_I32, V_STACK, 0, 0));
				break;
			}
			if (x >= 256 || optab[OPIDX(0xFE, x)].kind == OP_NONE)
				MALFORMED("illegal opcode 0xfe %u", x);
			oi = &optab[OPIDX(0xFE, x)];
			goto numeric;
		}
		default:
			oi = &optab[op];
			goto numeric;
		}
		continue;

	numeric:
		switch (oi->kind) {
		case OP_UN:
			TRY(compile_unop(c, oi));
			break;
		case OP_BIN:
			TRY(compile_binop(c, oi));
			break;
		case OP_LOAD:
		case OP_ALOAD: {
			uint64_t off;
			uint32_t add = 0;
			TRY(memarg(c, oi->nbytes, oi->kind == OP_ALOAD, &off));
			TRY(pop(c, VM_I32, &a, &pa));
			if (live(c)) {
				if (oi->kind == OP_LOAD && a.kind == V_ADDI) {
					/* plain loads take x + c as their address */
					sa = a.idx;
					add = (uint32_t)a.c;
				} else {
					TRY(operand(c, &a, pa, &sa));
				}
				if ((at = emit(c, oi->xop, 3)) == NONE)
					goto bad;
				c->code[at + 1] = pack(home(c, pa), sa);
				c->code[at + 2] = oi->kind == OP_LOAD ? pack(add, (uint32_t)off) : off;
				fresh(c, at, home(c, pa));
			}
			TRY(push(c, oi->out, V_STACK, 0, 0));
			break;
		}
		case OP_STORE:
		case OP_ASTORE: {
			uint64_t off;
			uint32_t add = 0;
			TRY(memarg(c, oi->nbytes, oi->kind == OP_ASTORE, &off));
			TRY(pop(c, oi->in, &b, &pb));
			TRY(pop(c, VM_I32, &a, &pa));
			if (live(c) && oi->kind == OP_ASTORE) {
				TRY(operand(c, &a, pa, &sa));
				TRY(operand(c, &b, pb, &sb));
				if ((at = emit(c, oi->xop, 3)) == NONE)
					goto bad;
				c->code[at + 1] = pack(sa, sb);
				c->code[at + 2] = off;
			} else if (live(c)) {
				/* addr|val, add|offset (, the value's bits in _vi) */
				if (a.kind == V_ADDI) {
					sa = a.idx;
					add = (uint32_t)a.c;
				} else {
					TRY(operand(c, &a, pa, &sa));
				}
				if (b.kind == V_CONST) {
					if ((at = emit(c, oi->xop + 1, 4)) == NONE)
						goto bad;
					c->code[at + 3] = b.c;
					sb = 0;
				} else {
					TRY(operand(c, &b, pb, &sb));
					if ((at = emit(c, oi->xop, 3)) == NONE)
						goto bad;
				}
				c->code[at + 1] = pack(sa, sb);
				c->code[at + 2] = pack(add, (uint32_t)off);
			}
			break;
		}
		case OP_ARMW:
		case OP_ACMPX: {
			uint64_t off;
			struct ventry r;
			uint32_t pr, sr = 0;
			TRY(memarg(c, oi->nbytes, true, &off));
			if (oi->kind == OP_ACMPX)
				TRY(pop(c, oi->in, &r, &pr));
			TRY(pop(c, oi->in, &b, &pb));
			TRY(pop(c, VM_I32, &a, &pa));
			if (live(c)) {
				TRY(operand(c, &a, pa, &sa));
				TRY(operand(c, &b, pb, &sb));
				if (oi->kind == OP_ACMPX)
					TRY(operand(c, &r, pr, &sr));
				if ((at = emit(c, oi->xop, 4)) == NONE)
					goto bad;
				c->code[at + 1] = pack(home(c, pa), sa);
				c->code[at + 2] = pack(sb, sr);
				c->code[at + 3] = off;
				fresh(c, at, home(c, pa));
			}
			TRY(push(c, oi->out, V_STACK, 0, 0));
			break;
		}
		default:
			MALFORMED("illegal opcode 0x%02x", op);
		}
	}
bad:
	return -1;
}

/* Free a compiled body, whole or partly built (NULL ok). */
void
vm_code_free(struct vm_code *code)
{
	if (!code)
		return;
	al_free(code->cells);
	al_free(code->pcflags);
	if (code->owns_cells_of)
		al_free((void *)code->cells_of);
	al_free(code);
}

/* Validate and compile defined function `fi` (index among all functions). */
static int
compile_func(struct cc *c, uint32_t fi)
{
	struct vm_module *m = c->m;
	struct vm_funcdef *fd = &m->funcs[fi - m->nfunc_imports];
	const struct vm_functype *ft = &m->types[m->func_type_index[fi]];
	struct vm_code *code;
	uint32_t at;

	c->func = fi;
	c->p = m->bytes + fd->body_offset;
	c->end = m->bytes + fd->body_end;
	c->op_at = fd->body_offset;
	c->nparams = ft->nparams;
	if ((uint64_t)ft->nparams + fd->nlocals > 1000000)
		return FAILED(c, VM_ERR_MALFORMED, "too many locals");
	c->nlocals = ft->nparams + fd->nlocals;
	al_free(c->ltypes);
	c->ltypes = al_malloc(c->nlocals ? c->nlocals : 1);
	if (!c->ltypes)
		return FAILED(c, VM_ERR_NOMEM, "out of memory compiling");
	memcpy(c->ltypes, ft->types, ft->nparams);
	if (fd->nlocals)
		memcpy(c->ltypes + ft->nparams, fd->local_types, fd->nlocals);
	c->nvs = c->maxh = c->ncs = c->ncode = c->nsites = c->nopen = c->nloops = 0;
	c->count = 0;
	c->run = 0;
	c->last.valid = false;

	if (push_ctrl(c, K_FUNC, 0, NULL, ft->nresults, ft->types + ft->nparams))
		return -1;
	if ((at = emit(c, VM_X_enter, VM_ENTER_CELLS)) == NONE || open_cost(c, at + 1, false, 0))
		return -1;
	c->flags[at] |= VM_PC_CHECK;
	if (compile_body(c))
		return -1;

	code = fd->code;
	code->cells = al_malloc((size_t)c->ncode * sizeof *code->cells);
	code->pcflags = al_malloc(c->ncode);
	if (!code->cells || !code->pcflags)
		return FAILED(c, VM_ERR_NOMEM, "out of memory compiling");
	memcpy(code->cells, c->code, (size_t)c->ncode * sizeof *code->cells);
	memcpy(code->pcflags, c->flags, c->ncode);
	code->ncells = c->ncode;
	code->nparams = ft->nparams;
	code->nlocals = fd->nlocals;
	code->nresults = ft->nresults;
	code->frame_slots = c->nlocals + c->maxh + 1;
	code->entry_cost = (uint32_t)code->cells[1];
	return 0;
}

/*
 * Validate and compile every defined function of a decoded, validated
 * module, setting each funcs[i].code. Returns 0, or the error kind with
 * *err filled (MALFORMED for encodings, INVALID for typing, NOMEM); the
 * codes made so far stay attached for vm_module_free_contents to free.
 */
int
vm_compile(struct vm_module *m, struct vm_error *err)
{
	struct cc c;
	int rc = 0;

	memset(&c, 0, sizeof c);
	c.m = m;
	c.err = err;
	c.labels = vm_exec_labels();
	/* Every body's struct vm_code exists before any is compiled, so a
	 * call instruction can hold its callee's (filled in later). On
	 * failure the module frees them, compiled or not. */
	const uint64_t **cells_of = NULL;
	if (m->nfuncs > m->nfunc_imports) {
		cells_of = al_calloc(m->nfuncs, sizeof *cells_of);
		if (!cells_of)
			rc = FAILED(&c, VM_ERR_NOMEM, "out of memory compiling");
	}
	for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports && rc == 0; i++) {
		m->funcs[i].code = al_calloc(1, sizeof *m->funcs[i].code);
		if (!m->funcs[i].code) {
			rc = FAILED(&c, VM_ERR_NOMEM, "out of memory compiling");
			break;
		}
		m->funcs[i].code->cells_of = cells_of;
		m->funcs[i].code->owns_cells_of = i == 0;
	}
	if (rc && cells_of && !m->funcs[0].code)
		al_free(cells_of);
	for (uint32_t i = m->nfunc_imports; i < m->nfuncs && rc == 0; i++) {
		rc = compile_func(&c, i);
		if (rc == 0)
			cells_of[i] = m->funcs[i - m->nfunc_imports].code->cells;
	}
	al_free(c.ltypes);
	al_free(c.vs);
	al_free(c.cs);
	al_free(c.code);
	al_free(c.flags);
	al_free(c.sites);
	al_free(c.open);
	al_free(c.loops);
	return rc ? (err ? (int)err->kind : VM_ERR_INVALID) : 0;
}
