/*
 * snapshot.c - an instance's complete state as bytes, and back.
 *
 * Format "WRSNAP01". Every integer is little-endian; u8/u32/u64 are
 * unsigned, i32/i64 two's complement.
 *
 *   header (56 bytes)
 *     "WRSNAP01"           magic; the last two digits are the version
 *     u64 total length     of the whole snapshot, checksum included
 *     u64 module hash      vm_hash64 of the module's bytes
 *     u64 module length
 *     u32 nfuncs, nmems, ntables, nglobals, nelems, ndatas
 *   sections, in this order, each "TAG " (4 bytes) u64 payload-length payload:
 *     MEMS  per memory:  u32 same_as (index of an earlier memory that is the
 *                        same object, or 0xffffffff), and if none:
 *                        u32 pages, u32 max_pages, u8 shared,
 *                        then per page u8 0 (all zero) or u8 1 + 65536 bytes
 *     TABS  per table:   u32 same_as, and if none: u8 elemtype, u32 size,
 *                        u32 max, size x u64 element
 *     GLBS  per global:  u32 same_as, and if none: u8 type, u8 mut, u64 value
 *     DROP  nelems x u8 elem dropped, ndatas x u8 data dropped (0 or 1)
 *     XFNS  u32 number of foreign functions with handles (always 0)
 *     STAK  u32 stack_cap, u32 used, used x u64 slot
 *     FRMS  u32 frames_cap, u32 nframes, nframes x (u32 func, pc, base, flags)
 *     STAT  u8 state, i64 fuel_debt, u32 result_base, u32 nresults,
 *           i32 exit_status, u32 trap message length, message bytes
 *   u64 checksum            vm_hash64 of every byte before it
 *
 * Function references in tables and funcref globals are 0 (null) or
 * 1 + a function index of the instance; a function of another instance
 * cannot be named, so such a snapshot is refused. Value stack slots are
 * written raw: they hold handles, which mean the same in any instance of
 * the module. Code is named by function index and cell offset (frames).
 *
 * Restore trusts nothing: every count, size, index and offset is checked
 * against the module and the configuration before it is used, so bytes
 * from anywhere give either a runnable instance or VM_ERR_STATE.
 */
#include "instance.h"
#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "WRSNAP01"
#define HEADER_LEN 56u
#define TRAILER_LEN 8u
#define NONE UINT32_MAX
#define PAGE 65536u
#define MAX_PAGES 65536u

/* ---- writing ------------------------------------------------------------- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void
put(struct wbuf *b, const void *src, size_t n)
{
	if (b->oom)
		return;
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *p;

		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2) {
				b->oom = true;
				return;
			}
			cap *= 2;
		}
		p = al_realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void
put8(struct wbuf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
put32(struct wbuf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	put(b, x, 4);
}

static void
put64(struct wbuf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static void
patch64(struct wbuf *b, size_t at, uint64_t v)
{
	if (b->oom)
		return;
	for (int i = 0; i < 8; i++)
		b->p[at + i] = (uint8_t)(v >> (8 * i));
}

/* Starts a section; returns where its length goes (for section_end). */
static size_t
section_begin(struct wbuf *b, const char tag[4])
{
	size_t at;

	put(b, tag, 4);
	at = b->len;
	put64(b, 0);
	return at;
}

static void
section_end(struct wbuf *b, size_t at)
{
	patch64(b, at, b->len - at - 8);
}

static bool
page_is_zero(const uint8_t *p)
{
	uint64_t acc = 0, w;

	for (size_t i = 0; i < PAGE; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	return acc == 0;
}

/* The index of the first object equal to objs[i], or NONE if it is i. */
static uint32_t
same_as(void *const *objs, uint32_t i)
{
	for (uint32_t j = 0; j < i; j++)
		if (objs[j] == objs[i])
			return j;
	return NONE;
}

/* 0 for null, 1 + function index; UINT64_MAX for a function not in funcs[]. */
static uint64_t
ref_index(const struct vm_instance *inst, vm_slot ref)
{
	const struct vm_func *f = (const struct vm_func *)(uintptr_t)ref;

	if (!f)
		return 0;
	if (f->inst == inst && f->index < inst->mod->nfuncs && inst->funcs[f->index] == f)
		return (uint64_t)f->index + 1;
	for (uint32_t i = 0; i < inst->mod->nfunc_imports; i++)
		if (inst->funcs[i] == f)
			return (uint64_t)i + 1;
	return UINT64_MAX;
}

static int
write_mems(struct wbuf *b, const struct vm_instance *inst, struct vm_error *err)
{
	(void)err;
	for (uint32_t i = 0; i < inst->mod->nmems; i++) {
		const struct vm_memory *m = inst->mems[i];
		uint32_t same = same_as((void *const *)inst->mems, i);

		put32(b, same);
		if (same != NONE)
			continue;
		put32(b, m->pages);
		put32(b, m->max_pages);
		put8(b, m->shared);
		for (uint32_t p = 0; p < m->pages; p++) {
			const uint8_t *page = m->data + (uint64_t)p * PAGE;

			if (page_is_zero(page)) {
				put8(b, 0);
			} else {
				put8(b, 1);
				put(b, page, PAGE);
			}
		}
	}
	return 0;
}

static int
write_tables(struct wbuf *b, const struct vm_instance *inst, struct vm_error *err)
{
	for (uint32_t i = 0; i < inst->mod->ntables; i++) {
		const struct vm_table *t = inst->tables[i];
		uint32_t same = same_as((void *const *)inst->tables, i);

		put32(b, same);
		if (same != NONE)
			continue;
		put8(b, t->elemtype);
		put32(b, t->size);
		put32(b, t->max);
		for (uint32_t k = 0; k < t->size; k++) {
			uint64_t v = t->elems[k];

			if (t->elemtype == VM_FUNCREF && (v = ref_index(inst, v)) == UINT64_MAX)
				return vm_err(err, VM_ERR_STATE, 0,
					      "snapshot: table holds a function of another instance");
			put64(b, v);
		}
	}
	return 0;
}

static int
write_globals(struct wbuf *b, const struct vm_instance *inst, struct vm_error *err)
{
	for (uint32_t i = 0; i < inst->mod->nglobals; i++) {
		const struct vm_global *g = inst->globals[i];
		uint32_t same = same_as((void *const *)inst->globals, i);
		uint64_t v = g->val;

		put32(b, same);
		if (same != NONE)
			continue;
		if (g->type == VM_FUNCREF && (v = ref_index(inst, v)) == UINT64_MAX)
			return vm_err(err, VM_ERR_STATE, 0,
				      "snapshot: global holds a function of another instance");
		put8(b, g->type);
		put8(b, g->mut);
		put64(b, v);
	}
	return 0;
}

/* Slots that matter: the suspended frames' windows, or the results. */
static uint32_t
stack_used(const struct vm_instance *inst)
{
	uint32_t used = vm_stack_used(inst);

	return used < inst->stack_cap ? used : inst->stack_cap;
}

static int
write_dropped(struct wbuf *b, const struct vm_instance *inst, struct vm_error *err)
{
	(void)err;
	put(b, inst->elem_dropped, inst->mod->nelems);
	put(b, inst->data_dropped, inst->mod->ndatas);
	return 0;
}

/* Foreign functions have no index to be written as: vm_snapshot refuses
 * them up front, and the count stays in the format as that promise. */
static int
write_xfuncs(struct wbuf *b, const struct vm_instance *inst, struct vm_error *err)
{
	(void)err;
	put32(b, inst->nxfuncs);
	return 0;
}

/* A trapped or exited call cannot continue: only its outcome is kept. */
static bool
call_alive(const struct vm_instance *inst)
{
	return inst->state != VM_TRAPPED && inst->state != VM_EXITED;
}

static int
write_stack(struct wbuf *b, const struct vm_instance *inst, struct vm_error *err)
{
	uint32_t used = call_alive(inst) ? stack_used(inst) : 0;

	(void)err;
	put32(b, inst->stack_cap);
	put32(b, used);
	for (uint32_t i = 0; i < used; i++)
		put64(b, inst->stack[i]);
	return 0;
}

static int
write_frames(struct wbuf *b, const struct vm_instance *inst, struct vm_error *err)
{
	uint32_t nframes = call_alive(inst) ? inst->nframes : 0;

	(void)err;
	put32(b, inst->frames_cap);
	put32(b, nframes);
	for (uint32_t i = 0; i < nframes; i++) {
		put32(b, inst->frames[i].func);
		put32(b, inst->frames[i].pc);
		put32(b, inst->frames[i].base);
		put32(b, inst->frames[i].flags);
	}
	return 0;
}

static int
write_state(struct wbuf *b, const struct vm_instance *inst, struct vm_error *err)
{
	size_t msglen = 0;

	(void)err;
	while (msglen < sizeof inst->trap_msg - 1 && inst->trap_msg[msglen])
		msglen++;
	/* Inside a host call the pc is saved at the call: the copy redoes it. */
	put8(b, (uint8_t)(inst->state == VM_RUNNING ? VM_READY : inst->state));
	/* While running, the debt of the last run has been paid already. */
	put64(b, inst->state == VM_RUNNING ? 0 : (uint64_t)inst->fuel_debt);
	put32(b, inst->result_base);
	put32(b, inst->nresults);
	put32(b, (uint32_t)inst->exit_status);
	put32(b, (uint32_t)msglen);
	put(b, inst->trap_msg, msglen);
	return 0;
}


/* ---- reading ------------------------------------------------------------- */

/* A window of the input; `err` holds the first problem found. */
struct rbuf {
	const uint8_t *p;
	size_t len, pos;
	struct vm_error *err;
	const char *section; /* for messages */
	bool failed;
};

static int bad(struct rbuf *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
bad(struct rbuf *r, const char *fmt, ...)
{
	char msg[sizeof r->err->msg];
	va_list ap;

	if (r->failed)
		return VM_ERR_STATE;
	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return vm_err(r->err, VM_ERR_STATE, (uint32_t)(r->pos > UINT32_MAX ? UINT32_MAX : r->pos),
		      "snapshot: %s", msg);
}

static bool
need(struct rbuf *r, uint64_t n)
{
	if (r->failed)
		return false;
	if (n > r->len - r->pos) {
		bad(r, "section %s is truncated", r->section);
		return false;
	}
	return true;
}

static const uint8_t *
take(struct rbuf *r, uint64_t n)
{
	const uint8_t *p;

	if (!need(r, n))
		return NULL;
	p = r->p + r->pos;
	r->pos += n;
	return p;
}

static uint8_t
get8(struct rbuf *r)
{
	const uint8_t *p = take(r, 1);

	return p ? p[0] : 0;
}

static uint32_t
get32(struct rbuf *r)
{
	const uint8_t *p = take(r, 4);

	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			   (uint32_t)p[3] << 24
		 : 0;
}

static uint64_t
get64(struct rbuf *r)
{
	uint64_t lo = get32(r);

	return lo | (uint64_t)get32(r) << 32;
}

/* Opens the next section of `outer`, which must be `tag`, into *sec. */
static int
section_open(struct rbuf *outer, const char *tag, struct rbuf *sec)
{
	const uint8_t *t;
	uint64_t n;

	outer->section = tag;
	t = take(outer, 4);
	if (!t)
		return VM_ERR_STATE;
	if (memcmp(t, tag, 4) != 0)
		return bad(outer, "expected section %s", tag);
	n = get64(outer);
	if (!need(outer, n))
		return VM_ERR_STATE;
	*sec = (struct rbuf){ outer->p + outer->pos, (size_t)n, 0, outer->err, tag, false };
	outer->pos += (size_t)n;
	return 0;
}

/* A section must be used up exactly: stray bytes mean a different layout. */
static int
section_close(struct rbuf *sec)
{
	if (sec->failed)
		return VM_ERR_STATE;
	if (sec->pos != sec->len)
		return bad(sec, "section %s has %zu stray bytes", sec->section, sec->len - sec->pos);
	return 0;
}

/* 0 / 1 + function index -> ref; false if the index is out of range. */
static bool
index_ref(const struct vm_instance *inst, uint64_t v, vm_slot *ref)
{
	if (v == 0) {
		*ref = 0;
		return true;
	}
	if (v > inst->mod->nfuncs)
		return false;
	*ref = (uintptr_t)inst->funcs[v - 1];
	return true;
}

static int
read_mems(struct rbuf *r, struct vm_instance *inst, uint32_t *used)
{
	const struct vm_module *mod = inst->mod;

	(void)used;

	for (uint32_t i = 0; i < mod->nmems; i++) {
		const struct vm_limits *decl = vm_instance_mem_decl(mod, i);
		uint32_t same = get32(r), pages, maxp, limit = MAX_PAGES;
		uint8_t shared;
		struct vm_memory *m;
		struct vm_limits lim;

		if (r->failed)
			return VM_ERR_STATE;
		if (same != NONE) {
			if (same >= i)
				return bad(r, "memory %u is the same as memory %u", i, same);
			m = inst->mems[same];
			if (m->shared != decl->shared || m->pages < decl->min ||
			    (decl->has_max && m->max_pages > decl->max))
				return bad(r, "memory %u does not match its type", i);
			inst->mems[i] = m;
			m->refcount++;
			continue;
		}
		pages = get32(r);
		maxp = get32(r);
		shared = get8(r);
		if (r->failed)
			return VM_ERR_STATE;
		if (decl->has_max && decl->max < limit)
			limit = (uint32_t)decl->max;
		if (inst->cfg.max_pages && inst->cfg.max_pages < limit)
			limit = inst->cfg.max_pages;
		if (maxp < limit)
			limit = maxp;
		if (pages > limit)
			return bad(r, "memory %u has %u pages, above the limit of %u", i, pages, limit);
		if (pages < decl->min)
			return bad(r, "memory %u has %u pages, below its minimum", i, pages);
		if (shared > 1 || shared != decl->shared)
			return bad(r, "memory %u: shared flag does not match", i);
		/* Every page takes at least its kind byte: check before mapping. */
		if (!need(r, pages))
			return VM_ERR_STATE;
		lim = (struct vm_limits){ .min = pages, .max = limit, .has_max = true, .shared = shared };
		m = inst->mems[i] = vm_memory_new(&lim, 0, r->err);
		if (!m)
			return VM_ERR_NOMEM;
		for (uint32_t p = 0; p < pages; p++) {
			uint8_t kind = get8(r);
			const uint8_t *src;

			if (kind == 0)
				continue;
			if (kind != 1)
				return bad(r, "memory %u page %u: bad page kind %u", i, p, kind);
			src = take(r, PAGE);
			if (!src)
				return VM_ERR_STATE;
			memcpy(m->data + (uint64_t)p * PAGE, src, PAGE);
		}
		if (r->failed)
			return VM_ERR_STATE;
	}
	return 0;
}

static int
read_tables(struct rbuf *r, struct vm_instance *inst, uint32_t *used)
{
	const struct vm_module *mod = inst->mod;

	(void)used;

	for (uint32_t i = 0; i < mod->ntables; i++) {
		const struct vm_tabletype *decl = vm_instance_table_decl(mod, i);
		uint64_t dmax = decl->limits.has_max ? decl->limits.max : UINT32_MAX;
		uint32_t same = get32(r), size, max;
		uint8_t elemtype;
		struct vm_table *t;
		struct vm_tabletype tt;

		if (r->failed)
			return VM_ERR_STATE;
		if (same != NONE) {
			if (same >= i)
				return bad(r, "table %u is the same as table %u", i, same);
			t = inst->tables[same];
			if (t->elemtype != decl->elemtype || t->size < decl->limits.min || t->max > dmax)
				return bad(r, "table %u does not match its type", i);
			inst->tables[i] = t;
			t->refcount++;
			continue;
		}
		elemtype = get8(r);
		size = get32(r);
		max = get32(r);
		if (r->failed)
			return VM_ERR_STATE;
		if (elemtype != decl->elemtype)
			return bad(r, "table %u: element type does not match", i);
		if (max > dmax || size > max || size > VM_TABLE_LIMIT)
			return bad(r, "table %u: size %u above its maximum", i, size);
		if (size < decl->limits.min)
			return bad(r, "table %u: size %u below its minimum", i, size);
		if (!need(r, (uint64_t)size * 8))
			return VM_ERR_STATE;
		tt = (struct vm_tabletype){ .elemtype = elemtype, .limits = { .min = size } };
		t = inst->tables[i] = vm_table_new(&tt, r->err);
		if (!t)
			return VM_ERR_NOMEM;
		t->max = max;
		for (uint32_t k = 0; k < size; k++) {
			uint64_t v = get64(r);

			if (elemtype == VM_FUNCREF && !index_ref(inst, v, &v))
				return bad(r, "table %u element %u: function %llu out of range", i, k,
					   (unsigned long long)v - 1);
			t->elems[k] = v;
		}
	}
	return 0;
}

static int
read_globals(struct rbuf *r, struct vm_instance *inst, uint32_t *used)
{
	const struct vm_module *mod = inst->mod;

	(void)used;

	for (uint32_t i = 0; i < mod->nglobals; i++) {
		const struct vm_globaltype *decl = vm_instance_global_decl(mod, i);
		uint32_t same = get32(r);
		uint8_t type, mut;
		uint64_t v;

		if (r->failed)
			return VM_ERR_STATE;
		if (same != NONE) {
			if (same >= i)
				return bad(r, "global %u is the same as global %u", i, same);
			if (inst->globals[same]->type != decl->type ||
			    inst->globals[same]->mut != decl->mut)
				return bad(r, "global %u does not match its type", i);
			inst->globals[i] = inst->globals[same];
			inst->globals[i]->refcount++;
			continue;
		}
		type = get8(r);
		mut = get8(r);
		v = get64(r);
		if (r->failed)
			return VM_ERR_STATE;
		if (type != decl->type || mut > 1 || mut != decl->mut)
			return bad(r, "global %u: type does not match", i);
		if (type == VM_FUNCREF && !index_ref(inst, v, &v))
			return bad(r, "global %u: function %llu out of range", i,
				   (unsigned long long)v - 1);
		inst->globals[i] = vm_global_new(type, mut, v);
		if (!inst->globals[i])
			return vm_err(r->err, VM_ERR_NOMEM, 0, "snapshot: out of memory");
	}
	return 0;
}

static int
read_flags(struct rbuf *r, uint8_t *flags, uint32_t n, const char *what)
{
	const uint8_t *p = take(r, n);

	if (!p)
		return VM_ERR_STATE;
	for (uint32_t i = 0; i < n; i++) {
		if (p[i] > 1)
			return bad(r, "%s segment %u: bad dropped flag %u", what, i, p[i]);
		flags[i] = p[i];
	}
	return 0;
}

static int
read_dropped(struct rbuf *r, struct vm_instance *inst, uint32_t *used)
{
	(void)used;
	if (read_flags(r, inst->elem_dropped, inst->mod->nelems, "element"))
		return VM_ERR_STATE;
	return read_flags(r, inst->data_dropped, inst->mod->ndatas, "data");
}

static int
read_xfuncs(struct rbuf *r, struct vm_instance *inst, uint32_t *used)
{
	uint32_t n = get32(r);

	(void)inst;
	(void)used;
	if (r->failed)
		return VM_ERR_STATE;
	if (n != 0)
		return bad(r, "%u foreign function references cannot be restored", n);
	return 0;
}

static int
read_stack(struct rbuf *r, struct vm_instance *inst, uint32_t *usedp)
{
	uint32_t cap = get32(r), used = get32(r), limit = vm_config_stack_slots(&inst->cfg);
	const uint8_t *p;

	if (r->failed)
		return VM_ERR_STATE;
	if (used > cap)
		return bad(r, "%u stack slots used of %u", used, cap);
	if (used > limit)
		return bad(r, "stack of %u slots above the limit of %u", used, limit);
	/* A smaller limit than the original's: keep what the limit allows. */
	if (cap > limit)
		cap = limit;
	p = take(r, (uint64_t)used * 8);
	if (!p)
		return VM_ERR_STATE;
	if (cap) {
		inst->stack = al_calloc(cap, sizeof *inst->stack);
		if (!inst->stack)
			return vm_err(r->err, VM_ERR_NOMEM, 0, "snapshot: out of memory");
		inst->stack_cap = cap;
	}
	for (uint32_t i = 0; i < used; i++, p += 8) {
		uint64_t v = 0;

		for (int k = 7; k >= 0; k--)
			v = v << 8 | p[k];
		inst->stack[i] = v;
	}
	*usedp = used;
	return 0;
}

static int
read_frames(struct rbuf *r, struct vm_instance *inst, uint32_t *used)
{
	uint32_t cap = get32(r), n = get32(r), limit = vm_config_call_depth(&inst->cfg);

	(void)used;

	if (r->failed)
		return VM_ERR_STATE;
	if (n > cap)
		return bad(r, "%u frames of %u", n, cap);
	if (n > limit)
		return bad(r, "%u frames above the call depth limit of %u", n, limit);
	if (cap > limit)
		cap = limit;
	if (!need(r, (uint64_t)n * 16))
		return VM_ERR_STATE;
	if (cap) {
		inst->frames = al_calloc(cap, sizeof *inst->frames);
		if (!inst->frames)
			return vm_err(r->err, VM_ERR_NOMEM, 0, "snapshot: out of memory");
		inst->frames_cap = cap;
	}
	for (uint32_t i = 0; i < n; i++) {
		inst->frames[i].func = get32(r);
		inst->frames[i].pc = get32(r);
		inst->frames[i].base = get32(r);
		inst->frames[i].flags = get32(r);
	}
	inst->nframes = n;
	return 0;
}

static int
read_state(struct rbuf *r, struct vm_instance *inst, uint32_t *used)
{
	uint8_t state = get8(r);
	uint32_t msglen;
	const uint8_t *msg;

	(void)used;

	inst->fuel_debt = (int64_t)get64(r);
	inst->result_base = get32(r);
	inst->nresults = get32(r);
	inst->exit_status = (int32_t)get32(r);
	msglen = get32(r);
	if (r->failed)
		return VM_ERR_STATE;
	switch (state) {
	case VM_IDLE:
	case VM_READY:
	case VM_DONE:
	case VM_TRAPPED:
	case VM_EXITED:
		inst->state = (enum vm_inst_state)state;
		break;
	default:
		return bad(r, "unknown state %u", state);
	}
	if (msglen >= sizeof inst->trap_msg)
		return bad(r, "trap message of %u bytes", msglen);
	msg = take(r, msglen);
	if (!msg)
		return VM_ERR_STATE;
	memcpy(inst->trap_msg, msg, msglen);
	inst->trap_msg[msglen] = 0;
	return 0;
}

/* The result of the call that returned (DONE): exec keeps its entry frame
 * so vm_results knows the types. */
static int
check_done(struct rbuf *r, struct vm_instance *inst, uint32_t used)
{
	const struct vm_module *mod = inst->mod;
	const struct vm_frame *f;

	if (inst->nframes != 1)
		return bad(r, "a finished call needs exactly its entry frame");
	f = &inst->frames[0];
	if (f->flags != VM_FRAME_ENTRY || f->func >= mod->nfuncs)
		return bad(r, "a finished call needs exactly its entry frame");
	if (inst->nresults != mod->types[mod->func_type_index[f->func]].nresults)
		return bad(r, "%u results for function %u", inst->nresults, f->func);
	if ((uint64_t)inst->result_base + inst->nresults > used)
		return bad(r, "results at %u+%u outside the saved stack", inst->result_base,
			   inst->nresults);
	return 0;
}

/*
 * A suspended call (READY): every frame must be one exec can continue, in
 * a window of the stack it may use freely: this is what keeps a forged
 * snapshot from steering the interpreter outside its arrays.
 */
static int
check_frames(struct rbuf *r, struct vm_instance *inst, uint32_t used)
{
	const struct vm_module *mod = inst->mod;
	uint32_t prev_base = 0;

	if (inst->nframes == 0)
		return bad(r, "a suspended call without frames");
	if (!(inst->frames[0].flags & VM_FRAME_ENTRY))
		return bad(r, "the first frame is not an entry frame");
	for (uint32_t i = 0; i < inst->nframes; i++) {
		const struct vm_frame *f = &inst->frames[i];
		bool top = i + 1 == inst->nframes;
		uint64_t end;

		if (f->flags & ~(VM_FRAME_ENTRY | VM_FRAME_SIGNAL))
			return bad(r, "frame %u: bad flags 0x%x", i, f->flags);
		if (i > 0 && (f->flags & VM_FRAME_ENTRY))
			return bad(r, "frame %u: a nested entry frame", i);
		/* Also rejects functions out of range, and imports below the top. */
		if (!vm_pc_valid(mod, f->func, f->pc, top))
			return bad(r, "frame %u: pc %u is not a resume point of function %u", i, f->pc,
				   f->func);
		if (f->base < prev_base)
			return bad(r, "frame %u: base %u below the caller's %u", i, f->base, prev_base);
		end = (uint64_t)f->base + vm_frame_slots(mod, f->func);
		if (end > inst->stack_cap || (top && end > used))
			return bad(r, "frame %u: window %u+%u outside the stack", i, f->base,
				   vm_frame_slots(mod, f->func));
		prev_base = f->base;
	}
	return 0;
}

static int
check_exec(struct rbuf *r, struct vm_instance *inst, uint32_t used)
{
	/* Debt is at most one basic block: bound it so arithmetic on it is safe. */
	if (inst->fuel_debt < 0 || inst->fuel_debt > ((int64_t)1 << 40))
		return bad(r, "fuel debt %lld out of range", (long long)inst->fuel_debt);
	if ((uint64_t)inst->result_base + inst->nresults > inst->stack_cap)
		return bad(r, "results at %u+%u outside the stack", inst->result_base, inst->nresults);
	switch (inst->state) {
	case VM_READY:
		return check_frames(r, inst, used);
	case VM_DONE:
		return check_done(r, inst, used);
	default:
		if (inst->nframes)
			return bad(r, "%u frames in a state without a call", inst->nframes);
		return 0;
	}
}

/* The header: magic, version, length, checksum, module identity, counts. */
static int
check_header(const struct vm_module *mod, const uint8_t *bytes, size_t len, struct rbuf *r)
{
	uint64_t total, hash, modlen;
	uint32_t counts[6] = { mod->nfuncs, mod->nmems, mod->ntables,
			       mod->nglobals, mod->nelems, mod->ndatas };
	static const char *const names[6] = { "functions", "memories", "tables",
					      "globals", "element segments", "data segments" };
	uint64_t sum = 0;

	r->section = "header";
	if (len < 8 || memcmp(bytes, MAGIC, 6) != 0)
		return bad(r, "bad magic: not a warren snapshot");
	if (memcmp(bytes, MAGIC, 8) != 0)
		return bad(r, "unsupported version 0x%02x%02x (this is %.2s)", bytes[6], bytes[7],
			   &MAGIC[6]);
	if (len < HEADER_LEN + TRAILER_LEN)
		return bad(r, "truncated: %zu bytes", len);
	r->pos = 8;
	total = get64(r);
	if (total != len)
		return bad(r, total > len ? "truncated: %zu of %llu bytes"
					  : "%zu bytes where the header says %llu",
			   len, (unsigned long long)total);
	for (int i = 0; i < 8; i++)
		sum |= (uint64_t)bytes[len - TRAILER_LEN + i] << (8 * i);
	if (sum != vm_hash64(bytes, len - TRAILER_LEN))
		return bad(r, "checksum mismatch");
	hash = get64(r);
	modlen = get64(r);
	if (hash != vm_hash64(mod->bytes, mod->len) || modlen != mod->len)
		return bad(r, "module hash mismatch: taken from a different module");
	for (int i = 0; i < 6; i++) {
		uint32_t n = get32(r);

		if (n != counts[i])
			return bad(r, "%u %s, the module has %u", n, names[i], counts[i]);
	}
	return 0;
}

/* The sections, in file order: how each is written and read back. */
static const struct section {
	char tag[5];
	int (*write)(struct wbuf *b, const struct vm_instance *inst, struct vm_error *err);
	/* `used` receives the saved stack height (STAK) for the final checks. */
	int (*read)(struct rbuf *r, struct vm_instance *inst, uint32_t *used);
} sections[] = {
	{ "MEMS", write_mems, read_mems },
	{ "TABS", write_tables, read_tables },
	{ "GLBS", write_globals, read_globals },
	{ "DROP", write_dropped, read_dropped },
	{ "XFNS", write_xfuncs, read_xfuncs },
	{ "STAK", write_stack, read_stack },
	{ "FRMS", write_frames, read_frames },
	{ "STAT", write_state, read_state },
};

/*
 * Serialize inst (see the format above). On success *out is a malloc'd
 * buffer the caller frees and *len its size. Fails with VM_ERR_STATE when
 * the state cannot be named by indices (functions of other instances, a
 * nested vm_invoke in progress) and VM_ERR_NOMEM; *out is untouched then.
 */
int
vm_snapshot(struct vm_instance *inst, uint8_t **out, size_t *len, struct vm_error *err)
{
	const struct vm_module *mod = inst->mod;
	struct wbuf b = { 0 };
	int rc;

	for (uint32_t i = 1; i < inst->nframes; i++)
		if (inst->frames[i].flags & VM_FRAME_ENTRY)
			return vm_err(err, VM_ERR_STATE, 0, "snapshot: a nested call is in progress");
	if (inst->nxfuncs)
		return vm_err(err, VM_ERR_STATE, 0,
			      "snapshot: instance holds a function of another instance");

	put(&b, MAGIC, 8);
	put64(&b, 0); /* total length, patched at the end */
	put64(&b, vm_hash64(mod->bytes, mod->len));
	put64(&b, mod->len);
	put32(&b, mod->nfuncs);
	put32(&b, mod->nmems);
	put32(&b, mod->ntables);
	put32(&b, mod->nglobals);
	put32(&b, mod->nelems);
	put32(&b, mod->ndatas);

	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		size_t at = section_begin(&b, sections[i].tag);

		if ((rc = sections[i].write(&b, inst, err)))
			goto fail;
		section_end(&b, at);
	}

	patch64(&b, 8, b.len + TRAILER_LEN);
	if (!b.oom)
		put64(&b, vm_hash64(b.p, b.len));
	if (b.oom) {
		rc = vm_err(err, VM_ERR_NOMEM, 0, "snapshot: out of memory");
		goto fail;
	}
	*out = b.p;
	*len = b.len;
	return 0;
fail:
	al_free(b.p);
	return rc;
}

/*
 * Restore: a new instance of mod in the state the snapshot describes.
 * `imports` are resolved as for vm_instantiate, but only functions are
 * used (checked against their types); memories, tables and globals come
 * from the snapshot as fresh objects, so those entries may be NULL.
 * Returns NULL with VM_ERR_STATE (bad bytes), VM_ERR_LINK or VM_ERR_NOMEM.
 */
struct vm_instance *
vm_restore(struct vm_module *mod, const struct vm_extern *imports, uint32_t nimports,
	   const struct vm_config *cfg, const uint8_t *bytes, size_t len, struct vm_error *err)
{
	struct rbuf r = { bytes, len, 0, err, "header", false };
	struct rbuf s;
	struct vm_instance *inst;
	uint32_t used = 0;

	if (check_header(mod, bytes, len, &r))
		return NULL;
	if (nimports != mod->nimports || (nimports && !imports)) {
		vm_err(err, VM_ERR_LINK, 0, "unknown import: module has %u imports, %u given",
		       mod->nimports, nimports);
		return NULL;
	}
	inst = vm_instance_alloc(mod, cfg, err);
	if (!inst)
		return NULL;
	if (vm_instance_bind_funcs(inst, imports, nimports, false, err))
		goto fail;
	r.len = len - TRAILER_LEN;
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		if (section_open(&r, sections[i].tag, &s) || sections[i].read(&s, inst, &used) ||
		    section_close(&s))
			goto fail;
	if (r.pos != r.len) {
		bad(&r, "%zu stray bytes after the last section", r.len - r.pos);
		goto fail;
	}
	if (check_exec(&r, inst, used))
		goto fail;
	return inst;
fail:
	vm_instance_free(inst);
	return NULL;
}
