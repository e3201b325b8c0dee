/*
 * compile.h - the compiled form of a function body, shared by compile.c
 * (which validates a body and produces it) and exec.c (which runs it).
 *
 * A function compiles to direct-threaded code: an array of 8-byte cells.
 * An instruction is one cell holding its handler's address followed by
 * operand cells, usually two u32 operands packed per cell (low half
 * first). Operands are frame slots: u32 offsets from the frame's base in
 * the instance's value stack, where params come first, then declared
 * locals, then one slot per operand-stack height (heights are static in
 * wasm, so every operand has a fixed home). `local.get 0; local.get 1;
 * i32.add; local.set 2` thus becomes one instruction "s2 = s0 + s1".
 *
 * Branch targets are cell offsets relative to the branch instruction's
 * first cell (code is position independent, so it is shared by all
 * instances of a module and never patched at run time).
 *
 * Fuel: every straight-line run of code (up to the next branch) is charged
 * its number of wasm instructions when it is entered, by the instruction
 * that enters it: `enter` at a function's start, a call for its callee's
 * first run, each branch for its target's run (taken) and for the code
 * after it (not taken). Taken branches, calls and `enter` check `fuel <= 0`
 * before charging, so every loop and every call passes a check, and a
 * suspended frame resumes by re-executing that instruction.
 *
 * What counts as executed: every opcode on the path taken, including
 * block, loop, if and nop, and an `end` that execution falls through. A
 * branch lands after its label (a block's `end`, an if's `else`), which
 * it does not count; the `else` that ends a then arm counts (it is the
 * jump over the else arm); a function's final `end` counts (it returns),
 * and `return` counts itself but skips that `end`. Unreachable code costs
 * nothing: it is not compiled.
 */
#ifndef WARREN_VM_COMPILE_H
#define WARREN_VM_COMPILE_H

#include "vm.h"

struct vm_code {
	uint64_t *cells;
	uint32_t ncells;
	uint32_t nparams;      /* params: slots [0, nparams) */
	uint32_t nlocals;      /* declared locals: slots [nparams, nparams + nlocals), zeroed on entry */
	uint32_t nresults;     /* results land in slots [0, nresults) on return */
	uint32_t frame_slots;  /* params + locals + max operand height (+1 scratch) */
	uint32_t entry_cost;   /* fuel of the function's first run (charged by the call) */
	uint8_t *pcflags;      /* per cell: VM_PC_* where a frame may be suspended */
	/* Module-wide: the cells of every function by index (NULL for
	 * imports), so a return finds its caller's code in one load. Shared
	 * by all the module's codes, owned (freed) by the first one. */
	const uint64_t *const *cells_of;
	bool owns_cells_of;
};

#define VM_PC_CHECK  1u   /* a fuel check or host call: the top frame may stop here */
#define VM_PC_RETURN 2u   /* just after a call: where a caller's frame continues */

/* Cells of the `enter` instruction every function starts with; a call
 * charges the callee itself and skips it. */
#define VM_ENTER_CELLS 2u

/* Free a compiled body (NULL ok). */
void vm_code_free(struct vm_code *c);

/*
 * Integer comparisons that fuse with a following br_if / if into one
 * compare-and-branch instruction: name, C operator, signedness, and the
 * inverse (used for `if`, which branches when the condition is false).
 * The i32 forms are opcodes 0x46.. in this order, the i64 forms 0x51...
 */
#define VM_CMPS(X)                                                      \
	X(eq, ==, u, ne) X(ne, !=, u, eq)                               \
	X(lt_s, <, s, ge_s) X(lt_u, <, u, ge_u)                         \
	X(gt_s, >, s, le_s) X(gt_u, >, u, le_u)                         \
	X(le_s, <=, s, gt_s) X(le_u, <=, u, gt_u)                       \
	X(ge_s, >=, s, lt_s) X(ge_u, >=, u, lt_u)

/*
 * Internal instructions that are not generated from ops.def. Operand
 * layouts (cells after the handler; "a|b" = a in the low half):
 *   enter           cost|-
 *   unreachable     -
 *   br              rel|cost
 *   br_copy         rel|cost, n, then n cells src|dst
 *   br_if/br_unless cond|fallcost, rel|cost
 *   br_if_copy      cond|fallcost, rel|cost, n, then n cells src|dst
 *   br_table        idx|n, then n+1 cells rel|cost (last = default)
 *   br_table_copy   idx|n, src|arity, then n+1 pairs of cells: rel|cost, dst
 *   ret0, ret1      -, src
 *   ret             n, then n cells src
 *   call            func|argbase, code      (a defined function, its vm_code)
 *   call_import     func|argbase            (host or foreign function)
 *   call_indirect   type|table, idx|argbase
 *   copy            dst|src
 *   const32         dst|imm
 *   const64         dst, imm
 *   select          dst|cond, a|b
 *   global_get(_ref) dst|global;  global_set(_ref) src|global
 *   table_get       dst|idx, table;  table_set idx|val, table
 *   table_size      dst|table;  table_grow dst|init, n|table
 *   table_fill      i|val, n|table;  table_copy d|s, n, dtable|stable
 *   table_init      d|s, n|seg, table;  elem_drop seg
 *   memory_size     dst;  memory_grow dst|delta
 *   memory_fill     d|val, n;  memory_copy d|s, n;  memory_init d|s, n|seg
 *   data_drop       seg
 *   atomic_notify   dst|addr, count, offset
 *   atomic_wait32/64 dst|addr, expected|timeout, offset
 * Generated (ops.def): UNOP dst|a; BINOP dst|a, b (the _imm forms:
 * dst|a, imm); loads dst|addr, add|offset; stores addr|val, add|offset
 * (the _vi forms: addr|-, add|offset, value), where the address is
 * (u32)(addr + add) + offset, so `i32.add x c` before an access is free;
 * atomic accesses dst|addr (addr|val), offset; fused branches br_<t>_<cmp>(_imm) a|fallcost, b,
 * rel|cost; br_i64_eqz/nez a|fallcost, rel|cost.
 */
#define VM_XOPS(X)                                                      \
	X(enter) X(unreachable)                                         \
	X(br) X(br_copy) X(br_if) X(br_unless) X(br_if_copy)            \
	X(br_i64_eqz) X(br_i64_nez)                                     \
	X(br_table) X(br_table_copy)                                    \
	X(ret0) X(ret1) X(ret)                                          \
	X(call) X(call_import) X(call_indirect)                         \
	X(copy) X(const32) X(const64) X(select)                         \
	X(global_get) X(global_set) X(global_get_ref) X(global_set_ref) \
	X(table_get) X(table_set) X(table_size) X(table_grow)           \
	X(table_fill) X(table_copy) X(table_init) X(elem_drop)          \
	X(memory_size) X(memory_grow) X(memory_fill) X(memory_copy)     \
	X(memory_init) X(data_drop)                                     \
	X(atomic_notify) X(atomic_wait32) X(atomic_wait64)

/* Every BINOP also has an _imm form (constant right operand). */
#define VM_IMM_I32(...) __VA_ARGS__
#define VM_IMM_I64(...) __VA_ARGS__
#define VM_IMM_F32(...) __VA_ARGS__
#define VM_IMM_F64(...) __VA_ARGS__

enum vm_xop {
#define X(n) VM_X_##n,
	VM_XOPS(X)
#undef X
#define X(n, op, sg, inv) VM_X_br_i32_##n, VM_X_br_i32_##n##_imm, VM_X_br_i64_##n, VM_X_br_i64_##n##_imm,
	VM_CMPS(X)
#undef X
#define UNOP(name, prefix, opcode, in, out, body) VM_X_##name,
#define BINOP(name, prefix, opcode, in, out, body) VM_X_##name, VM_IMM_##in(VM_X_##name##_imm,)
#define LOADOP(name, prefix, opcode, out, nbytes, is_signed) VM_X_##name,
#define STOREOP(name, prefix, opcode, in, nbytes) VM_X_##name, VM_X_##name##_vi,
#define ATOMIC_LOAD(name, opcode, out, nbytes) VM_X_##name,
#define ATOMIC_STORE(name, opcode, in, nbytes) VM_X_##name,
#define ATOMIC_RMW(name, opcode, t, nbytes, body) VM_X_##name,
#define ATOMIC_CMPXCHG(name, opcode, t, nbytes) VM_X_##name,
#include "ops.def"
	VM_X_COUNT
};

/* The interpreter's handler addresses, indexed by enum vm_xop (exec.c). */
const void *const *vm_exec_labels(void);

#endif
