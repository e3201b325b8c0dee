/*
 * exec.c - the interpreter: runs compiled code (compile.h) on an
 * instance's explicit value stack and frame stack.
 *
 * One function, `loop`, holds the whole dispatch: direct threading
 * (every handler ends in its own indirect jump to the next cell's
 * handler), with the hot state in locals: ip, the frame's slot pointer,
 * fuel, and linear memory's base and size. A wasm call pushes a struct
 * vm_frame and jumps; it never recurses natively, so suspending is just
 * leaving the loop with the state written back, and resuming is entering
 * it again at the top frame's pc.
 *
 * Only calls into other instances and vm_invoke from inside a host
 * function nest natively; both are bounded (NEST_MAX).
 */
#include "compile.h"
#include "base/alloc.h"
#include "instance.h"
#include "numeric.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "exec.c stores wasm's little-endian memory with native loads"
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Native nesting (cross-instance calls, re-entrant vm_invoke). */
#define NEST_MAX 100u
static _Thread_local uint32_t nest_depth;

#define LO(x) ((uint32_t)(x))
#define HI(x) ((uint32_t)((x) >> 32))

/* Slot <-> C value for the four numeric types. */
#define CT_I32 uint32_t
#define CT_I64 uint64_t
#define CT_F32 float
#define CT_F64 double
#define GET_I32(v) ((uint32_t)(v))
#define GET_I64(v) ((uint64_t)(v))
#define GET_F32(v) u32_to_f32((uint32_t)(v))
#define GET_F64(v) u64_to_f64((uint64_t)(v))
#define PUT_I32(r) ((vm_slot)(r))
#define PUT_I64(r) ((vm_slot)(r))
#define PUT_F32(r) ((vm_slot)f32_to_u32(r))
#define PUT_F64(r) ((vm_slot)f64_to_u64(r))

static inline uint64_t
load_le(const uint8_t *p, unsigned n, bool sgn)
{
	uint8_t b1;
	uint16_t b2;
	uint32_t b4;
	uint64_t b8;

	switch (n) {
	case 1:
		memcpy(&b1, p, 1);
		return sgn ? (uint64_t)(int64_t)(int8_t)b1 : b1;
	case 2:
		memcpy(&b2, p, 2);
		return sgn ? (uint64_t)(int64_t)(int16_t)b2 : b2;
	case 4:
		memcpy(&b4, p, 4);
		return sgn ? (uint64_t)(int64_t)(int32_t)b4 : b4;
	default:
		memcpy(&b8, p, 8);
		return b8;
	}
}

static inline void
store_le(uint8_t *p, unsigned n, uint64_t v)
{
	memcpy(p, &v, n);
}

static inline uint64_t
low_bytes(uint64_t v, unsigned n)
{
	return n == 8 ? v : v & ((1ull << (8 * n)) - 1);
}

static const struct vm_functype *
func_type(const struct vm_module *m, uint32_t func)
{
	return &m->types[m->func_type_index[func]];
}

static const struct vm_code *
func_code(const struct vm_module *m, uint32_t func)
{
	return m->funcs[func - m->nfunc_imports].code;
}

/* Slots a frame of `func` occupies; imports run in a pseudo-frame of
 * max(params, results) slots (a call of an import through vm_call_start). */
uint32_t
vm_frame_slots(const struct vm_module *m, uint32_t func)
{
	const struct vm_functype *t;

	if (func >= m->nfuncs)
		return 0;
	if (func >= m->nfunc_imports)
		return func_code(m, func)->frame_slots;
	t = func_type(m, func);
	return t->nparams > t->nresults ? t->nparams : t->nresults;
}

/* Suspension points: see compile.h. An import's pseudo-frame is at 0
 * (call pending) or 1 (host call done, results written: return pending). */
bool
vm_pc_valid(const struct vm_module *m, uint32_t func, uint32_t pc, bool top_frame)
{
	const struct vm_code *c;

	if (func >= m->nfuncs)
		return false;
	if (func < m->nfunc_imports)
		return top_frame && pc <= 1;
	c = func_code(m, func);
	/* A lower frame normally waits at a return point, but one under a
	 * signal frame or a nested vm_invoke waits where it was stopped. */
	return c && pc < c->ncells && (c->pcflags[pc] & (VM_PC_CHECK | VM_PC_RETURN)) != 0;
}

/* Slots clone/snapshot must copy: the top frame's whole window while a
 * call is suspended or running, the results once it is done, else 0. */
uint32_t
vm_stack_used(const struct vm_instance *inst)
{
	const struct vm_frame *top;
	uint64_t used;

	switch (inst->state) {
	case VM_READY:
	case VM_RUNNING:
		if (!inst->nframes)
			return 0;
		top = &inst->frames[inst->nframes - 1];
		used = (uint64_t)top->base + vm_frame_slots(inst->mod, top->func);
		return used > inst->stack_cap ? inst->stack_cap : (uint32_t)used;
	case VM_DONE:
		return inst->result_base + inst->nresults;
	default:
		return 0;
	}
}

/* ---- stack and frame growth -------------------------------------------- */

/* Make room for `need` slots; new slots are zeroed so that copies of the
 * whole used window (clone, snapshot) never read uninitialised memory. */
static int
grow_stack(struct vm_instance *inst, uint64_t need)
{
	uint64_t lim = vm_config_stack_slots(&inst->cfg), cap;
	vm_slot *p;

	if (need <= inst->stack_cap)
		return 0;
	if (need > lim)
		return -1;
	cap = inst->stack_cap ? inst->stack_cap : 1024;
	while (cap < need)
		cap *= 2;
	if (cap > lim)
		cap = lim;
	p = al_realloc(inst->stack, cap * sizeof *p);
	if (!p)
		return -1;
	memset(p + inst->stack_cap, 0, (cap - inst->stack_cap) * sizeof *p);
	inst->stack = p;
	inst->stack_cap = (uint32_t)cap;
	return 0;
}

static int
grow_frames(struct vm_instance *inst)
{
	uint32_t lim = vm_config_call_depth(&inst->cfg), cap;
	struct vm_frame *p;

	if (inst->nframes < inst->frames_cap)
		return 0;
	if (inst->nframes >= lim)
		return -1;
	cap = inst->frames_cap ? inst->frames_cap * 2 : 64;
	if (cap > lim)
		cap = lim;
	p = al_realloc(inst->frames, (size_t)cap * sizeof *p);
	if (!p)
		return -1;
	inst->frames = p;
	inst->frames_cap = cap;
	return 0;
}

/*
 * Push a frame of `func` at slot `base` with API arguments (funcref as
 * refs): the caller has checked func and nargs. Returns 0, or -1 with a
 * trap message when a limit or memory runs out.
 */
static int
push_frame(struct vm_instance *inst, uint32_t func, uint32_t base, const vm_slot *args,
	   uint32_t nargs, uint32_t flags)
{
	const struct vm_module *m = inst->mod;
	const struct vm_functype *t = func_type(m, func);
	struct vm_frame *fr;
	vm_slot *fp;

	if (grow_frames(inst) || grow_stack(inst, (uint64_t)base + vm_frame_slots(m, func) + 1)) {
		vm_set_trap(inst, "call stack exhausted");
		return -1;
	}
	fp = inst->stack + base;
	for (uint32_t i = 0; i < nargs; i++) {
		fp[i] = args[i];
		if (t->types[i] == VM_FUNCREF) {
			fp[i] = vm_ref_to_handle(inst, args[i]);
			if (fp[i] == UINT64_MAX) {
				vm_set_trap(inst, "out of memory");
				return -1;
			}
		}
	}
	if (func >= m->nfunc_imports) {
		const struct vm_code *c = func_code(m, func);
		memset(fp + c->nparams, 0, (size_t)c->nlocals * sizeof *fp);
	}
	fr = &inst->frames[inst->nframes++];
	fr->func = func;
	fr->pc = 0;
	fr->base = base;
	fr->flags = flags;
	return 0;
}

/* Where a new frame goes above the current ones: past the top frame's whole
 * window, so its live and scratch slots survive. */
static uint32_t
next_base(const struct vm_instance *inst)
{
	const struct vm_frame *top;

	if (!inst->nframes)
		return 0;
	top = &inst->frames[inst->nframes - 1];
	return top->base + vm_frame_slots(inst->mod, top->func);
}

/* ---- calls that leave the instance --------------------------------------- */

/*
 * Call imported function `f` (host, or a wasm function of another
 * instance) with params in inst->stack[base...]; results replace them.
 * Works on a private copy of the arguments: a host function may re-enter
 * the instance (vm_invoke), which can move inst->stack. On VM_TRAP the
 * message is in inst->trap_msg; VM_EXIT sets exit_status.
 */
static enum vm_status
call_ext(struct vm_instance *inst, const struct vm_func *f, uint32_t base, bool nested)
{
	const struct vm_functype *t = f->type;
	uint32_t np = t->nparams, nr = t->nresults, n = np > nr ? np : nr;
	vm_slot local[16], *buf = local, *res;
	enum vm_status st;

	if (n > 16) {
		buf = al_malloc((size_t)n * 2 * sizeof *buf);
		if (!buf) {
			vm_set_trap(inst, "out of memory");
			return VM_TRAP;
		}
	}
	for (uint32_t i = 0; i < np; i++) {
		vm_slot v = inst->stack[base + i];
		buf[i] = t->types[i] == VM_FUNCREF ? vm_handle_to_ref(inst, v) : v;
	}
	inst->trap_msg[0] = 0;
	if (f->host) {
		st = f->host(inst, f->host_ctx, buf);
		res = buf;
	} else {
		vm_slot rlocal[16];
		res = n > 16 ? buf + n : rlocal;
		if (nest_depth >= NEST_MAX || f->inst->nest >= NEST_MAX) {
			vm_set_trap(inst, "call stack exhausted");
			st = VM_TRAP;
		} else {
			st = vm_invoke(f->inst, f->index, buf, np, res, nr);
			/* A synchronous call: leave the other instance reusable. */
			if (f->inst->state == VM_TRAPPED || f->inst->state == VM_EXITED)
				vm_reset(f->inst);
			if (st == VM_TRAP)
				vm_set_trap(inst, "%s", f->inst->trap_msg);
			else if (st == VM_EXIT)
				vm_set_exit(inst, f->inst->exit_status);
			else if (st != VM_OK) {
				vm_set_trap(inst, "call into another instance suspended (status %d)", (int)st);
				st = VM_TRAP;
			}
		}
		if (st == VM_OK && res == rlocal) {
			memcpy(buf, rlocal, (size_t)nr * sizeof *buf);
			res = buf;
		}
	}
	if (nested && st == VM_STOP)
		st = VM_OK;   /* nobody to stop for: the embedder is not below us */
	if (nested && (st == VM_BLOCK || st == VM_YIELD)) {
		vm_set_trap(inst, "host function blocked inside a nested call");
		st = VM_TRAP;
	}
	if (st == VM_OK || st == VM_STOP) {
		for (uint32_t i = 0; i < nr; i++) {
			vm_slot v = res[i];
			if (t->types[np + i] == VM_FUNCREF) {
				v = vm_ref_to_handle(inst, v);
				if (v == UINT64_MAX) {
					vm_set_trap(inst, "out of memory");
					st = VM_TRAP;
					break;
				}
			}
			inst->stack[base + i] = v;
		}
	}
	if (st == VM_TRAP && !inst->trap_msg[0])
		vm_set_trap(inst, "host function trapped");
	if (buf != local)
		al_free(buf);
	return st;
}

/* The value of element `i` of segment `e` as a table ref. */
static vm_slot
elem_value(const struct vm_instance *inst, const struct vm_elem *e, uint32_t i)
{
	const struct vm_constexpr *x = &e->init[i];

	switch (x->kind) {
	case VM_CONST_REF_FUNC:
		return (vm_slot)(uintptr_t)inst->funcs[x->index];
	case VM_CONST_GLOBAL_GET:
		return inst->globals[x->index]->val;
	default:
		return x->value;
	}
}

static bool
type_matches(const struct vm_functype *want, const struct vm_functype *got)
{
	if (want == got)
		return true;
	if (want->key && got->key)
		return want->key == got->key;
	return vm_functype_equal(want, got);
}

/* ---- the interpreter ------------------------------------------------------ */

#define NEXT(n) do { ip += (n); goto *(const void *)(uintptr_t)ip[0]; } while (0)
#define TRAP(msg) do { trapmsg = (msg); goto trap; } while (0)
#define CHECK_FUEL() do { if (unlikely(fuel <= 0)) goto suspend; } while (0)
/* Taken branch: its rel|cost cell is ip[k]. */
#define TAKE(k) do {                                                    \
		uint64_t t_ = ip[k];                                    \
		CHECK_FUEL();                                           \
		fuel -= HI(t_);                                         \
		ip += (int32_t)LO(t_);                                  \
		goto *(const void *)(uintptr_t)ip[0];                   \
	} while (0)
/*
 * Bulk instructions (memory.fill/copy/init, table.fill/copy/init/grow) also
 * pay for their length: one unit per 64 bytes (8 table elements), charged
 * after the work, so a long one overdraws and the debt is paid at the next
 * check (totals stay equal however the fuel is sliced). One such
 * instruction is still indivisible: its latency is bounded by the memory
 * and table limits, its cost by fuel.
 */
#define CHARGE_BYTES(n) (fuel -= (int64_t)((uint64_t)(n) >> 6))
#define CHARGE_ELEMS(n) (fuel -= (int64_t)((uint64_t)(n) >> 3))
/* Branch not taken: the fall-through cost is in the high half of o_. */
#define FALL(n) do { fuel -= HI(o_); NEXT(n); } while (0)
#define RELOAD_MEM() do {                                               \
		if (inst->mod->nmems) {                                 \
			mem = inst->mems[0]->data;                      \
			msize = inst->mems[0]->size;                    \
		}                                                       \
	} while (0)
#define MEM_AT(ea, n) do { if (unlikely((ea) + (n) > msize)) TRAP("out of bounds memory access"); } while (0)
#define ALIGNED(ea, n) do { if (unlikely((ea) & ((n) - 1))) TRAP("unaligned atomic"); } while (0)

/*
 * Run from the top frame until the ENTRY frame returns (VM_OK, results at
 * inst->result_base), fuel runs out (VM_YIELD), a trap (VM_TRAP, message
 * set), or a host call exits, blocks or stops. `nested`: inside vm_invoke
 * from a host function, where blocking is impossible. With labels_out
 * set, only reports the handler table (inst is then unused).
 */
static enum vm_status
loop(struct vm_instance *inst, int64_t *fuelp, bool nested, const void *const **labels_out)
{
	static const void *const labels[VM_X_COUNT] = {
#define X(n) [VM_X_##n] = &&L_##n,
		VM_XOPS(X)
#undef X
#define X(n, op, sg, inv) [VM_X_br_i32_##n] = &&L_br_i32_##n, [VM_X_br_i32_##n##_imm] = &&L_br_i32_##n##_imm, \
		[VM_X_br_i64_##n] = &&L_br_i64_##n, [VM_X_br_i64_##n##_imm] = &&L_br_i64_##n##_imm,
		VM_CMPS(X)
#undef X
#define UNOP(name, prefix, opcode, in, out, body) [VM_X_##name] = &&L_##name,
#define BINOP(name, prefix, opcode, in, out, body) [VM_X_##name] = &&L_##name, \
		VM_IMM_##in([VM_X_##name##_imm] = &&L_##name##_imm,)
#define LOADOP(name, prefix, opcode, out, nbytes, is_signed) [VM_X_##name] = &&L_##name,
#define STOREOP(name, prefix, opcode, in, nbytes) [VM_X_##name] = &&L_##name, [VM_X_##name##_vi] = &&L_##name##_vi,
#define ATOMIC_LOAD(name, opcode, out, nbytes) [VM_X_##name] = &&L_##name,
#define ATOMIC_STORE(name, opcode, in, nbytes) [VM_X_##name] = &&L_##name,
#define ATOMIC_RMW(name, opcode, t, nbytes, body) [VM_X_##name] = &&L_##name,
#define ATOMIC_CMPXCHG(name, opcode, t, nbytes) [VM_X_##name] = &&L_##name,
#include "ops.def"
	};
	const struct vm_module *m;
	const uint64_t *const *cells_of;
	uint32_t nimp, depth_max;
	struct vm_frame *fr;
	vm_slot *fp;
	const uint64_t *ip, *cb;
	uint8_t *mem = NULL;
	uint64_t msize = 0;
	int64_t fuel;
	const char *trapmsg;
	enum vm_status st;
	/* operands of a host or foreign call (shared tail of the call handlers) */
	uint32_t cargs, csize;
	const struct vm_func *cf;

	if (labels_out) {
		*labels_out = labels;
		return VM_OK;
	}
	m = inst->mod;
	nimp = m->nfunc_imports;
	cells_of = m->nfuncs > nimp ? m->funcs[0].code->cells_of : NULL;
	depth_max = vm_config_call_depth(&inst->cfg);
	fuel = *fuelp;
	RELOAD_MEM();

resume:
	/* Continue the top frame where it stopped. */
	fr = &inst->frames[inst->nframes - 1];
	fp = inst->stack + fr->base;
	if (unlikely(fr->func < nimp)) {
		/* A pseudo-frame calling an import directly (vm_call_start). */
		cb = ip = NULL;
		if (fr->pc == 0) {
			st = call_ext(inst, inst->funcs[fr->func], fr->base, nested);
			RELOAD_MEM();
			fr = &inst->frames[inst->nframes - 1];
			if (st == VM_STOP)
				fr->pc = 1;
			if (st != VM_OK)
				goto out;
		}
		goto do_return;
	}
	cb = func_code(m, fr->func)->cells;
	ip = cb + fr->pc;
	goto *(const void *)(uintptr_t)ip[0];

	/* ---- control ---- */
L_enter:
	CHECK_FUEL();
	fuel -= LO(ip[1]);
	NEXT(2);
L_unreachable:
	TRAP("unreachable");
L_br:
	TAKE(1);
L_br_copy: {
	uint32_t n = LO(ip[2]);
	CHECK_FUEL();
	for (uint32_t i = 0; i < n; i++) {
		uint64_t c_ = ip[3 + i];
		fp[HI(c_)] = fp[LO(c_)];
	}
	TAKE(1);
}
L_br_if: {
	uint64_t o_ = ip[1];
	if ((uint32_t)fp[LO(o_)])
		TAKE(2);
	FALL(3);
}
L_br_unless: {
	uint64_t o_ = ip[1];
	if (!(uint32_t)fp[LO(o_)])
		TAKE(2);
	FALL(3);
}
L_br_if_copy: {
	uint64_t o_ = ip[1];
	if ((uint32_t)fp[LO(o_)]) {
		uint32_t n = LO(ip[3]);
		CHECK_FUEL();
		for (uint32_t i = 0; i < n; i++) {
			uint64_t c_ = ip[4 + i];
			fp[HI(c_)] = fp[LO(c_)];
		}
		TAKE(2);
	}
	FALL(4 + LO(ip[3]));
}
L_br_i64_eqz: {
	uint64_t o_ = ip[1];
	if (!fp[LO(o_)])
		TAKE(2);
	FALL(3);
}
L_br_i64_nez: {
	uint64_t o_ = ip[1];
	if (fp[LO(o_)])
		TAKE(2);
	FALL(3);
}
#define SG_u32(v) ((uint32_t)(v))
#define SG_s32(v) ((int32_t)(uint32_t)(v))
#define SG_u64(v) ((uint64_t)(v))
#define SG_s64(v) ((int64_t)(uint64_t)(v))
#define X(n, op, sg, inv)                                               \
L_br_i32_##n: {                                                         \
	uint64_t o_ = ip[1];                                            \
	if (SG_##sg##32(fp[LO(o_)]) op SG_##sg##32(fp[LO(ip[2])]))     \
		TAKE(3);                                                \
	FALL(4);                                                        \
}                                                                       \
L_br_i32_##n##_imm: {                                                   \
	uint64_t o_ = ip[1];                                            \
	if (SG_##sg##32(fp[LO(o_)]) op SG_##sg##32(ip[2]))              \
		TAKE(3);                                                \
	FALL(4);                                                        \
}                                                                       \
L_br_i64_##n: {                                                         \
	uint64_t o_ = ip[1];                                            \
	if (SG_##sg##64(fp[LO(o_)]) op SG_##sg##64(fp[LO(ip[2])]))     \
		TAKE(3);                                                \
	FALL(4);                                                        \
}                                                                       \
L_br_i64_##n##_imm: {                                                   \
	uint64_t o_ = ip[1];                                            \
	if (SG_##sg##64(fp[LO(o_)]) op SG_##sg##64(ip[2]))              \
		TAKE(3);                                                \
	FALL(4);                                                        \
}
	VM_CMPS(X)
#undef X
L_br_table: {
	uint64_t o_ = ip[1];
	uint32_t i = (uint32_t)fp[LO(o_)], n = HI(o_);
	if (i > n)
		i = n;
	TAKE(2 + i);
}
L_br_table_copy: {
	uint64_t o_ = ip[1], s_ = ip[2];
	uint32_t i = (uint32_t)fp[LO(o_)], n = HI(o_), src = LO(s_), k = HI(s_), dst;
	if (i > n)
		i = n;
	CHECK_FUEL();
	dst = LO(ip[4 + 2 * i]);
	if (dst != src)
		for (uint32_t j = 0; j < k; j++)
			fp[dst + j] = fp[src + j];
	TAKE(3 + 2 * i);
}
L_ret: {
	uint32_t n = LO(ip[1]);
	for (uint32_t i = 0; i < n; i++)
		fp[i] = fp[LO(ip[2 + i])];
	goto do_return;
}
L_ret1:
	fp[0] = fp[LO(ip[1])];
	goto do_return;
L_ret0:
do_return:
	if (unlikely(fr->flags)) {
		if (fr->flags & VM_FRAME_ENTRY) {
			/* The entry frame stays (vm_results reads its func). */
			inst->result_base = fr->base;
			inst->nresults = func_type(m, fr->func)->nresults;
			fr->pc = 0;
			st = VM_OK;
			goto out;
		}
		/* A signal handler returned: drop its results and continue
		 * the interrupted frame exactly where it stopped. */
		inst->nframes--;
		goto resume;
	}
	inst->nframes--;
	fr--;
	fp = inst->stack + fr->base;
	cb = cells_of[fr->func];
	ip = cb + fr->pc;
	goto *(const void *)(uintptr_t)ip[0];

/*
 * A call of defined function `func_` (code `c_`) with its arguments at
 * slot `args_` of this frame, by an instruction of `size_` cells. The
 * callee's frame starts at the arguments (nothing is copied) and its
 * results land there. Grows the stacks on the slow path.
 */
#define CALL_WASM(c_, func_, args_, size_) do {                         \
		const struct vm_code *cc_ = (c_);                       \
		uint32_t nb_ = fr->base + (args_);                      \
		CHECK_FUEL();                                           \
		if (unlikely(inst->nframes >= inst->frames_cap ||       \
			     (uint64_t)nb_ + cc_->frame_slots >= inst->stack_cap)) { \
			if (inst->nframes >= depth_max || grow_frames(inst) || \
			    grow_stack(inst, (uint64_t)nb_ + cc_->frame_slots + 1)) \
				TRAP("call stack exhausted");           \
			fr = &inst->frames[inst->nframes - 1];          \
		}                                                       \
		fr->pc = (uint32_t)(ip - cb) + (size_);                 \
		fr = &inst->frames[inst->nframes++];                    \
		fr->func = (func_);                                     \
		fr->pc = 0;                                             \
		fr->base = nb_;                                         \
		fr->flags = 0;                                          \
		fp = inst->stack + nb_;                                 \
		for (vm_slot *z_ = fp + cc_->nparams, *e_ = z_ + cc_->nlocals; z_ < e_; z_++) { \
			*z_ = 0;                                        \
			/* A few locals: calling memset costs more. */  \
			__asm__("" : "+r"(z_));                         \
		}                                                       \
		fuel -= cc_->entry_cost;                                \
		cb = cc_->cells;                                        \
		ip = cb + VM_ENTER_CELLS;                               \
		goto *(const void *)(uintptr_t)ip[0];                   \
	} while (0)

L_call: {
	/* func|argbase, the callee's code (module-wide, like the cells) */
	uint64_t o_ = ip[1];
	CALL_WASM((const struct vm_code *)(uintptr_t)ip[2], LO(o_), HI(o_), 3);
}
L_call_import: {
	uint64_t o_ = ip[1];
	cf = inst->funcs[LO(o_)];
	cargs = HI(o_);
	csize = 2;
	goto do_call_ext;
}
L_call_indirect: {
	uint64_t o_ = ip[1], p_ = ip[2];
	const struct vm_table *t = inst->tables[HI(o_)];
	uint32_t i = (uint32_t)fp[LO(p_)];
	if (unlikely(i >= t->size))
		TRAP("undefined element");
	cf = (const struct vm_func *)(uintptr_t)t->elems[i];
	if (unlikely(!cf))
		TRAP("uninitialized element");
	if (unlikely(!type_matches(&m->types[LO(o_)], cf->type)))
		TRAP("indirect call type mismatch");
	if (cf->inst == inst && !cf->host)
		CALL_WASM(func_code(m, cf->index), cf->index, HI(p_), 3);
	cargs = HI(p_);
	csize = 3;
	goto do_call_ext;
}
do_call_ext:
	/* The pc stays AT the call while the host runs: a clone or snapshot
	 * taken inside it, or a BLOCK, re-executes the call. */
	fr->pc = (uint32_t)(ip - cb);
	*fuelp = fuel;
	st = call_ext(inst, cf, fr->base + cargs, nested);
	fr = &inst->frames[inst->nframes - 1];
	fp = inst->stack + fr->base;
	RELOAD_MEM();
	switch (st) {
	case VM_OK:
		NEXT(csize);
	case VM_STOP:
		fr->pc = (uint32_t)(ip + csize - cb);
		goto out;
	case VM_TRAP:
		goto out;
	default:
		goto out;
	}

	/* ---- parametric, variables, constants ---- */
L_copy: {
	uint64_t o_ = ip[1];
	fp[LO(o_)] = fp[HI(o_)];
	NEXT(2);
}
L_const32: {
	uint64_t o_ = ip[1];
	fp[LO(o_)] = HI(o_);
	NEXT(2);
}
L_const64:
	fp[LO(ip[1])] = ip[2];
	NEXT(3);
L_select: {
	uint64_t o_ = ip[1], p_ = ip[2];
	fp[LO(o_)] = (uint32_t)fp[HI(o_)] ? fp[LO(p_)] : fp[HI(p_)];
	NEXT(3);
}
L_global_get: {
	uint64_t o_ = ip[1];
	fp[LO(o_)] = inst->globals[HI(o_)]->val;
	NEXT(2);
}
L_global_set: {
	uint64_t o_ = ip[1];
	inst->globals[HI(o_)]->val = fp[LO(o_)];
	NEXT(2);
}
L_global_get_ref: {
	uint64_t o_ = ip[1];
	vm_slot h = vm_ref_to_handle(inst, inst->globals[HI(o_)]->val);
	if (h == UINT64_MAX)
		TRAP("out of memory");
	fp[LO(o_)] = h;
	NEXT(2);
}
L_global_set_ref: {
	uint64_t o_ = ip[1];
	inst->globals[HI(o_)]->val = vm_handle_to_ref(inst, fp[LO(o_)]);
	NEXT(2);
}

	/* ---- tables ---- */
L_table_get: {
	uint64_t o_ = ip[1];
	const struct vm_table *t = inst->tables[LO(ip[2])];
	uint32_t i = (uint32_t)fp[HI(o_)];
	vm_slot v;
	if (i >= t->size)
		TRAP("out of bounds table access");
	v = t->elems[i];
	if (t->elemtype == VM_FUNCREF) {
		v = vm_ref_to_handle(inst, v);
		if (v == UINT64_MAX)
			TRAP("out of memory");
	}
	fp[LO(o_)] = v;
	NEXT(3);
}
L_table_set: {
	uint64_t o_ = ip[1];
	struct vm_table *t = inst->tables[LO(ip[2])];
	uint32_t i = (uint32_t)fp[LO(o_)];
	vm_slot v = fp[HI(o_)];
	if (i >= t->size)
		TRAP("out of bounds table access");
	t->elems[i] = t->elemtype == VM_FUNCREF ? vm_handle_to_ref(inst, v) : v;
	NEXT(3);
}
L_table_size: {
	uint64_t o_ = ip[1];
	fp[LO(o_)] = inst->tables[HI(o_)]->size;
	NEXT(2);
}
L_table_grow: {
	uint64_t o_ = ip[1], p_ = ip[2];
	struct vm_table *t = inst->tables[HI(p_)];
	vm_slot v = fp[HI(o_)];
	if (t->elemtype == VM_FUNCREF)
		v = vm_handle_to_ref(inst, v);
	uint32_t n = (uint32_t)fp[LO(p_)];
	int64_t r = vm_table_grow(t, n, v);
	fp[LO(o_)] = (uint32_t)r;
	if (r >= 0)
		CHARGE_ELEMS(n);
	NEXT(3);
}
L_table_fill: {
	uint64_t o_ = ip[1], p_ = ip[2];
	struct vm_table *t = inst->tables[HI(p_)];
	uint32_t i = (uint32_t)fp[LO(o_)], n = (uint32_t)fp[LO(p_)];
	vm_slot v = fp[HI(o_)];
	if ((uint64_t)i + n > t->size)
		TRAP("out of bounds table access");
	if (t->elemtype == VM_FUNCREF)
		v = vm_handle_to_ref(inst, v);
	for (uint32_t k = 0; k < n; k++)
		t->elems[i + k] = v;
	CHARGE_ELEMS(n);
	NEXT(3);
}
L_table_copy: {
	uint64_t o_ = ip[1], p_ = ip[3];
	struct vm_table *td = inst->tables[LO(p_)], *ts = inst->tables[HI(p_)];
	uint32_t d = (uint32_t)fp[LO(o_)], s = (uint32_t)fp[HI(o_)], n = (uint32_t)fp[LO(ip[2])];
	if ((uint64_t)s + n > ts->size || (uint64_t)d + n > td->size)
		TRAP("out of bounds table access");
	if (n)
		memmove(td->elems + d, ts->elems + s, (size_t)n * sizeof *td->elems);
	CHARGE_ELEMS(n);
	NEXT(4);
}
L_table_init: {
	uint64_t o_ = ip[1], p_ = ip[2];
	struct vm_table *t = inst->tables[LO(ip[3])];
	uint32_t seg = HI(p_);
	const struct vm_elem *e = &m->elems[seg];
	uint32_t d = (uint32_t)fp[LO(o_)], s = (uint32_t)fp[HI(o_)], n = (uint32_t)fp[LO(p_)];
	uint32_t len = inst->elem_dropped[seg] ? 0 : e->count;
	if ((uint64_t)s + n > len || (uint64_t)d + n > t->size)
		TRAP("out of bounds table access");
	for (uint32_t k = 0; k < n; k++)
		t->elems[d + k] = elem_value(inst, e, s + k);
	CHARGE_ELEMS(n);
	NEXT(4);
}
L_elem_drop:
	inst->elem_dropped[LO(ip[1])] = 1;
	NEXT(2);

	/* ---- memory ---- */
L_memory_size:
	fp[LO(ip[1])] = msize / 65536;
	NEXT(2);
L_memory_grow: {
	uint64_t o_ = ip[1];
	int64_t r = vm_memory_grow(inst->mems[0], (uint32_t)fp[HI(o_)]);
	RELOAD_MEM();
	fp[LO(o_)] = (uint32_t)r;
	NEXT(2);
}
L_memory_fill: {
	uint64_t o_ = ip[1];
	uint64_t d = (uint32_t)fp[LO(o_)], n = (uint32_t)fp[LO(ip[2])];
	MEM_AT(d, n);
	memset(mem + d, (int)(uint8_t)fp[HI(o_)], n);
	CHARGE_BYTES(n);
	NEXT(3);
}
L_memory_copy: {
	uint64_t o_ = ip[1];
	uint64_t d = (uint32_t)fp[LO(o_)], s = (uint32_t)fp[HI(o_)], n = (uint32_t)fp[LO(ip[2])];
	MEM_AT(d, n);
	MEM_AT(s, n);
	memmove(mem + d, mem + s, n);
	CHARGE_BYTES(n);
	NEXT(3);
}
L_memory_init: {
	uint64_t o_ = ip[1], p_ = ip[2];
	uint32_t seg = HI(p_);
	uint64_t d = (uint32_t)fp[LO(o_)], s = (uint32_t)fp[HI(o_)], n = (uint32_t)fp[LO(p_)];
	uint64_t len = inst->data_dropped[seg] ? 0 : m->datas[seg].len;
	if (s + n > len)
		TRAP("out of bounds memory access");
	MEM_AT(d, n);
	if (n)
		memcpy(mem + d, m->datas[seg].bytes + s, n);
	CHARGE_BYTES(n);
	NEXT(3);
}
L_data_drop:
	inst->data_dropped[LO(ip[1])] = 1;
	NEXT(2);

	/* ---- atomics (single-threaded: nothing can wake a waiter) ---- */
L_atomic_notify: {
	uint64_t o_ = ip[1];
	uint64_t ea = (uint64_t)(uint32_t)fp[HI(o_)] + ip[3];
	ALIGNED(ea, 4);
	MEM_AT(ea, 4);
	fp[LO(o_)] = 0;
	NEXT(4);
}
L_atomic_wait32: {
	uint64_t o_ = ip[1], p_ = ip[2];
	uint64_t ea = (uint64_t)(uint32_t)fp[HI(o_)] + ip[3];
	ALIGNED(ea, 4);
	MEM_AT(ea, 4);
	if (!inst->mems[0]->shared)
		TRAP("expected shared memory");
	fp[LO(o_)] = load_le(mem + ea, 4, false) != (uint32_t)fp[LO(p_)] ? 1 : 2;
	NEXT(4);
}
L_atomic_wait64: {
	uint64_t o_ = ip[1], p_ = ip[2];
	uint64_t ea = (uint64_t)(uint32_t)fp[HI(o_)] + ip[3];
	ALIGNED(ea, 8);
	MEM_AT(ea, 8);
	if (!inst->mems[0]->shared)
		TRAP("expected shared memory");
	fp[LO(o_)] = load_le(mem + ea, 8, false) != fp[LO(p_)] ? 1 : 2;
	NEXT(4);
}

	/* ---- generated from ops.def ---- */
#define UNOP(name, prefix, opcode, in, out, body)                       \
L_##name: {                                                             \
	uint64_t o_ = ip[1];                                            \
	CT_##in a = GET_##in(fp[HI(o_)]);                               \
	CT_##out r;                                                     \
	body                                                            \
	fp[LO(o_)] = PUT_##out(r);                                      \
	NEXT(2);                                                        \
}
#define BINOP(name, prefix, opcode, in, out, body)                      \
L_##name: {                                                             \
	uint64_t o_ = ip[1];                                            \
	CT_##in a = GET_##in(fp[HI(o_)]);                               \
	CT_##in b = GET_##in(fp[LO(ip[2])]);                            \
	CT_##out r;                                                     \
	body                                                            \
	fp[LO(o_)] = PUT_##out(r);                                      \
	NEXT(3);                                                        \
}                                                                       \
VM_IMM_##in(                                                            \
L_##name##_imm: {                                                       \
	uint64_t o_ = ip[1];                                            \
	CT_##in a = GET_##in(fp[HI(o_)]);                               \
	CT_##in b = GET_##in(ip[2]);                                    \
	CT_##out r;                                                     \
	body                                                            \
	fp[LO(o_)] = PUT_##out(r);                                      \
	NEXT(3);                                                        \
})
/* The address of a plain access: (u32)(slot + add) + offset. */
#define EA(slot, a_) ((uint64_t)(uint32_t)((uint32_t)(slot) + LO(a_)) + HI(a_))
#define LOADOP(name, prefix, opcode, out, nbytes, is_signed)            \
L_##name: {                                                             \
	uint64_t o_ = ip[1];                                            \
	uint64_t ea = EA(fp[HI(o_)], ip[2]);                            \
	MEM_AT(ea, nbytes);                                             \
	fp[LO(o_)] = load_le(mem + ea, nbytes, is_signed);              \
	NEXT(3);                                                        \
}
#define STOREOP(name, prefix, opcode, in, nbytes)                       \
L_##name: {                                                             \
	uint64_t o_ = ip[1];                                            \
	uint64_t ea = EA(fp[LO(o_)], ip[2]);                            \
	MEM_AT(ea, nbytes);                                             \
	store_le(mem + ea, nbytes, fp[HI(o_)]);                         \
	NEXT(3);                                                        \
}                                                                       \
L_##name##_vi: {                                                        \
	uint64_t ea = EA(fp[LO(ip[1])], ip[2]);                         \
	MEM_AT(ea, nbytes);                                             \
	store_le(mem + ea, nbytes, ip[3]);                              \
	NEXT(4);                                                        \
}
#define ATOMIC_LOAD(name, opcode, out, nbytes)                          \
L_##name: {                                                             \
	uint64_t o_ = ip[1];                                            \
	uint64_t ea = (uint64_t)(uint32_t)fp[HI(o_)] + ip[2];           \
	ALIGNED(ea, nbytes);                                            \
	MEM_AT(ea, nbytes);                                             \
	fp[LO(o_)] = load_le(mem + ea, nbytes, false);                  \
	NEXT(3);                                                        \
}
#define ATOMIC_STORE(name, opcode, in, nbytes)                          \
L_##name: {                                                             \
	uint64_t o_ = ip[1];                                            \
	uint64_t ea = (uint64_t)(uint32_t)fp[LO(o_)] + ip[2];           \
	ALIGNED(ea, nbytes);                                            \
	MEM_AT(ea, nbytes);                                             \
	store_le(mem + ea, nbytes, fp[HI(o_)]);                         \
	NEXT(3);                                                        \
}
#define ATOMIC_RMW(name, opcode, t, nbytes, body)                       \
L_##name: {                                                             \
	uint64_t o_ = ip[1];                                            \
	uint64_t ea = (uint64_t)(uint32_t)fp[HI(o_)] + ip[3];           \
	CT_##t a, b, r;                                                 \
	ALIGNED(ea, nbytes);                                            \
	MEM_AT(ea, nbytes);                                             \
	a = (CT_##t)load_le(mem + ea, nbytes, false);                   \
	b = (CT_##t)low_bytes(fp[LO(ip[2])], nbytes);                   \
	(void)a;                                                        \
	body                                                            \
	store_le(mem + ea, nbytes, r);                                  \
	fp[LO(o_)] = a;                                                 \
	NEXT(4);                                                        \
}
#define ATOMIC_CMPXCHG(name, opcode, t, nbytes)                         \
L_##name: {                                                             \
	uint64_t o_ = ip[1], p_ = ip[2];                                \
	uint64_t ea = (uint64_t)(uint32_t)fp[HI(o_)] + ip[3];           \
	uint64_t old;                                                   \
	ALIGNED(ea, nbytes);                                            \
	MEM_AT(ea, nbytes);                                             \
	old = load_le(mem + ea, nbytes, false);                         \
	if (old == low_bytes(fp[LO(p_)], nbytes))                       \
		store_le(mem + ea, nbytes, fp[HI(p_)]);                 \
	fp[LO(o_)] = old;                                               \
	NEXT(4);                                                        \
}
#include "ops.def"

suspend:
	/* Out of fuel at a check point: the instruction re-executes on resume. */
	fr->pc = (uint32_t)(ip - cb);
	st = VM_YIELD;
	goto out;
trap:
	if (cb)
		fr->pc = (uint32_t)(ip - cb);
	snprintf(inst->trap_msg, sizeof inst->trap_msg, "%s", trapmsg);
	st = VM_TRAP;
out:
	*fuelp = fuel;
	return st;
}

/* The handler table (static: valid forever, the same for every caller). */
const void *const *
vm_exec_labels(void)
{
	const void *const *labels;

	loop(NULL, NULL, false, &labels);
	return labels;
}

/* ---- the API -------------------------------------------------------------- */

/* Check a call's target and arity; returns NULL or what is wrong. */
static const char *
check_call(const struct vm_instance *inst, uint32_t funcidx, uint32_t nargs)
{
	if (funcidx >= inst->mod->nfuncs)
		return "no such function";
	if (nargs != func_type(inst->mod, funcidx)->nparams)
		return "wrong number of arguments";
	return NULL;
}

/*
 * Set up a call: an ENTRY frame at slot 0 (an import gets a pseudo-frame
 * that calls it when run). -1 with VM_ERR_STATE for a busy instance, a bad
 * index or arity; VM_ERR_NOMEM when the stacks cannot hold the frame.
 */
int
vm_call_start(struct vm_instance *inst, uint32_t funcidx, const vm_slot *args, uint32_t nargs,
	      struct vm_error *err)
{
	const char *bad;

	if (inst->state != VM_IDLE && inst->state != VM_DONE) {
		vm_err(err, VM_ERR_STATE, 0, "call_start: a call is in progress (state %d)", (int)inst->state);
		return -1;
	}
	if ((bad = check_call(inst, funcidx, nargs))) {
		vm_err(err, VM_ERR_STATE, 0, "call_start: function %u: %s", funcidx, bad);
		return -1;
	}
	inst->nframes = 0;
	inst->result_base = inst->nresults = 0;
	if (push_frame(inst, funcidx, 0, args, nargs, VM_FRAME_ENTRY)) {
		vm_err(err, VM_ERR_NOMEM, 0, "call_start: %s", inst->trap_msg);
		inst->nframes = 0;
		inst->state = VM_IDLE;
		return -1;
	}
	inst->state = VM_READY;
	return 0;
}

static enum vm_status
run(struct vm_instance *inst, int64_t fuel, int64_t *used, bool nested)
{
	int64_t start, left;
	enum vm_status st;

	if (fuel < 0) {
		start = INT64_MAX;
		inst->fuel_debt = 0;
	} else {
		start = fuel - inst->fuel_debt;
	}
	left = start;
	inst->state = VM_RUNNING;
	{
		/* Nested runs (a host function invoking) save and restore. */
		int64_t outer_start = inst->run_start;
		const int64_t *outer_left = inst->run_left;

		inst->run_start = start;
		inst->run_left = &left;
		st = loop(inst, &left, nested, NULL);
		inst->run_start = outer_start;
		inst->run_left = outer_left;
	}
	if (used)
		*used = start - left;
	inst->fuel_debt = left < 0 ? -left : 0;
	switch (st) {
	case VM_OK:
		inst->state = VM_DONE;
		break;
	case VM_TRAP:
		inst->state = VM_TRAPPED;
		break;
	case VM_EXIT:
		inst->state = VM_EXITED;
		break;
	default:
		inst->state = VM_READY;
		break;
	}
	return st;
}

/*
 * Run the call set up by vm_call_start (see vm.h). The fuel given is first
 * used to repay the previous run's debt; *used is what this run charged.
 * Not READY: DONE gives VM_OK again, TRAPPED VM_TRAP, EXITED VM_EXIT, and
 * IDLE a VM_TRAP with a message, all without changing anything.
 */
enum vm_status
vm_run(struct vm_instance *inst, int64_t fuel, int64_t *used)
{
	if (used)
		*used = 0;
	switch (inst->state) {
	case VM_READY:
		break;
	case VM_DONE:
		return VM_OK;
	case VM_TRAPPED:
		return VM_TRAP;
	case VM_EXITED:
		return VM_EXIT;
	default:
		vm_set_trap(inst, "vm_run: no call in progress");
		return VM_TRAP;
	}
	return run(inst, fuel, used, false);
}

int64_t
vm_fuel_used(const struct vm_instance *inst)
{
	return inst->run_left ? inst->run_start - *inst->run_left : 0;
}

/* Copy n results from the stack to `out`, funcref handles as refs. */
static void
copy_results(const struct vm_instance *inst, uint32_t func, uint32_t base, vm_slot *out, uint32_t n)
{
	const struct vm_functype *t = func_type(inst->mod, func);

	for (uint32_t i = 0; i < n; i++) {
		vm_slot v = inst->stack[base + i];
		out[i] = t->types[t->nparams + i] == VM_FUNCREF ? vm_handle_to_ref(inst, v) : v;
	}
}

/* Copy the results of a DONE call (funcrefs as refs). -1 if the state or
 * the count is wrong. */
int
vm_results(struct vm_instance *inst, vm_slot *out, uint32_t n)
{
	if (inst->state != VM_DONE || !inst->nframes || n != inst->nresults)
		return -1;
	if (n)
		copy_results(inst, inst->frames[0].func, inst->result_base, out, n);
	return 0;
}

/*
 * A call on an instance that is in the middle of one (from a host
 * function, or on a suspended instance): an ENTRY frame above the
 * current ones, run to completion here, then everything is put back.
 */
static enum vm_status
invoke_nested(struct vm_instance *inst, uint32_t funcidx, const vm_slot *args, uint32_t nargs,
	      vm_slot *results, uint32_t nresults)
{
	uint32_t saved_n = inst->nframes, saved_rb = inst->result_base, saved_nr = inst->nresults;
	enum vm_inst_state saved_state = inst->state;
	int64_t saved_debt = inst->fuel_debt;
	enum vm_status st;

	if (nest_depth >= NEST_MAX || inst->nest >= NEST_MAX) {
		vm_set_trap(inst, "call stack exhausted");
		return VM_TRAP;
	}
	if (push_frame(inst, funcidx, next_base(inst), args, nargs, VM_FRAME_ENTRY)) {
		inst->nframes = saved_n;
		return VM_TRAP;
	}
	inst->nest++;
	nest_depth++;
	st = run(inst, -1, NULL, true);
	nest_depth--;
	inst->nest--;
	if (st == VM_OK && nresults)
		copy_results(inst, funcidx, inst->result_base, results, nresults);
	inst->nframes = saved_n;
	inst->result_base = saved_rb;
	inst->nresults = saved_nr;
	inst->fuel_debt = saved_debt;
	inst->state = saved_state;
	return st;
}

/*
 * Call and run to completion with unlimited fuel. On a RUNNING instance
 * (from a host function) or a READY one, nests above the current frames
 * and leaves them as they were; otherwise a TRAPPED/EXITED instance is
 * reset first and the instance ends DONE (or TRAPPED, EXITED, or READY if
 * a host function blocked). A bad index or arity is a VM_TRAP.
 */
enum vm_status
vm_invoke(struct vm_instance *inst, uint32_t funcidx, const vm_slot *args, uint32_t nargs,
	  vm_slot *results, uint32_t nresults)
{
	struct vm_error err;
	const char *bad;
	enum vm_status st;

	if ((bad = check_call(inst, funcidx, nargs)) ||
	    nresults != func_type(inst->mod, funcidx)->nresults) {
		vm_set_trap(inst, "invoke: function %u: %s", funcidx, bad ? bad : "wrong number of results");
		return VM_TRAP;
	}
	if (inst->state == VM_RUNNING || inst->state == VM_READY)
		return invoke_nested(inst, funcidx, args, nargs, results, nresults);
	if (inst->state == VM_TRAPPED || inst->state == VM_EXITED)
		vm_reset(inst);
	if (vm_call_start(inst, funcidx, args, nargs, &err)) {
		vm_set_trap(inst, "%s", err.msg);
		return VM_TRAP;
	}
	nest_depth++;
	do
		st = run(inst, -1, NULL, false);
	while (st == VM_STOP);
	nest_depth--;
	if (st == VM_OK && nresults)
		vm_results(inst, results, nresults);
	return st;
}

/* Push a signal frame on a READY instance (see vm.h); -1 with
 * VM_ERR_STATE or VM_ERR_NOMEM. The next vm_run starts with it. */
int
vm_push_call(struct vm_instance *inst, uint32_t funcidx, const vm_slot *args, uint32_t nargs,
	     struct vm_error *err)
{
	const char *bad;

	if (inst->state != VM_READY || !inst->nframes) {
		vm_err(err, VM_ERR_STATE, 0, "push_call: instance is not suspended (state %d)",
		       (int)inst->state);
		return -1;
	}
	if ((bad = check_call(inst, funcidx, nargs))) {
		vm_err(err, VM_ERR_STATE, 0, "push_call: function %u: %s", funcidx, bad);
		return -1;
	}
	if (push_frame(inst, funcidx, next_base(inst), args, nargs, VM_FRAME_SIGNAL)) {
		vm_err(err, VM_ERR_NOMEM, 0, "push_call: %s", inst->trap_msg);
		return -1;
	}
	return 0;
}

/* Drop any call in progress; the trap message and exit status stay. */
void
vm_reset(struct vm_instance *inst)
{
	inst->nframes = 0;
	inst->result_base = inst->nresults = 0;
	inst->state = VM_IDLE;
}
