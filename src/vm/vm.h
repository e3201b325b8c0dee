/*
 * vm.h - the WebAssembly engine's interface to the rest of warren.
 *
 * The VM knows nothing about processes. It decodes and validates modules,
 * compiles each function once into an internal threaded form, and runs
 * instances with an explicit value stack and call-frame stack (no native
 * recursion per wasm call), so that a running instance can be suspended
 * after any amount of fuel, cloned, and serialized.
 *
 * Conventions: functions return 0 / VM_OK on success. Errors that describe
 * bad input are written into a caller-supplied struct vm_error.
 */
#ifndef WARREN_VM_H
#define WARREN_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- values ------------------------------------------------------------ */

enum vm_valtype {
	VM_I32 = 0x7f,
	VM_I64 = 0x7e,
	VM_F32 = 0x7d,
	VM_F64 = 0x7c,
	VM_V128 = 0x7b, /* decoded so the error is precise; never valid */
	VM_FUNCREF = 0x70,
	VM_EXTERNREF = 0x6f,
};

/* The text-format name of value type t ("i32" ... "externref"); "?" for any other byte. */
const char *vm_valtype_name(uint8_t t);

/*
 * Every value lives in one 64-bit slot. i32 and f32 use the low 32 bits
 * (bit patterns, NaN payloads preserved); the upper bits are unspecified
 * for i32/f32 and must be ignored by readers.
 *
 * externref: 0 is null, otherwise an opaque host value (embedders encode
 * their own values, e.g. v+1 or a pointer). The VM only moves the bits.
 *
 * funcref has two representations:
 *  - "ref" (in tables, in struct vm_global, and at the API: call arguments,
 *    results, host function args): 0 is null, otherwise (uintptr_t) of a
 *    struct vm_func. Tables and globals can be shared between instances, so
 *    they hold instance-independent pointers.
 *  - "handle" (inside an instance's value stack: locals, operands): 0 is null,
 *    otherwise 1 + an index into inst->funcs (0 <= i < nfuncs) or, for
 *    i >= nfuncs, into inst->xfuncs (foreign functions met through shared
 *    tables/globals). Handles make the value stack position-independent: a
 *    clone or a restored snapshot reads the same handles as its own
 *    functions, with no pointer fix-ups. Conversions: vm_ref_to_handle /
 *    vm_handle_to_ref (instance.c); exec.c converts at table.get/set,
 *    global.get/set of ref globals, and call entry/exit at the API.
 */
typedef uint64_t vm_slot;

/* ---- errors -------------------------------------------------------------- */

enum vm_errkind {
	VM_ERR_NONE = 0,
	VM_ERR_MALFORMED,   /* binary format (assert_malformed) */
	VM_ERR_INVALID,     /* validation (assert_invalid) */
	VM_ERR_LINK,        /* instantiation: imports (assert_unlinkable) */
	VM_ERR_TRAP,        /* a trap during instantiation or a call */
	VM_ERR_NOMEM,       /* allocation failed or a limit was hit */
	VM_ERR_STATE,       /* bad snapshot bytes, wrong instance state, misuse */
};

struct vm_error {
	enum vm_errkind kind;
	uint32_t offset;    /* byte offset in the module (decode/validate) */
	char msg[200];      /* human readable: "section 10 (code), func 3, offset 0x1a2: type mismatch: ..." */
};

/* Fill *e (if e != NULL) and return kind. printf-style. */
int vm_err(struct vm_error *e, enum vm_errkind kind, uint32_t offset,
	   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- module structure (decoder output) ---------------------------------- */

enum vm_externkind { VM_EXT_FUNC = 0, VM_EXT_TABLE = 1, VM_EXT_MEMORY = 2, VM_EXT_GLOBAL = 3 };

struct vm_functype {
	uint32_t nparams, nresults;
	uint8_t *types;       /* nparams param types then nresults result types */
	uint64_t key;         /* canonical signature key: equal keys <=> equal types
	                         when both keys != 0; 0 means "compare types[]" */
};

struct vm_limits {
	uint64_t min, max;    /* max valid only if has_max */
	bool has_max;
	bool shared;          /* memories only (threads proposal) */
};

struct vm_tabletype { uint8_t elemtype; struct vm_limits limits; };
struct vm_globaltype { uint8_t type; bool mut; };

/* A constant expression (Wasm 2.0: exactly one instruction then end). */
enum vm_constkind { VM_CONST_VALUE, VM_CONST_GLOBAL_GET, VM_CONST_REF_NULL, VM_CONST_REF_FUNC };
struct vm_constexpr {
	enum vm_constkind kind;
	uint8_t type;         /* the value type it produces (for GLOBAL_GET: filled by validator) */
	vm_slot value;        /* VALUE: bits of the constant */
	uint32_t index;       /* GLOBAL_GET: global index; REF_FUNC: function index */
	uint32_t offset;      /* byte offset of the expression in the module */
};

struct vm_import {
	char *module, *name;  /* NUL-terminated copies; lengths below (names may contain NUL) */
	uint32_t module_len, name_len;
	uint8_t kind;         /* enum vm_externkind */
	union {
		uint32_t type_index;           /* FUNC */
		struct vm_tabletype table;     /* TABLE */
		struct vm_limits mem;          /* MEMORY */
		struct vm_globaltype global;   /* GLOBAL */
	} u;
};

struct vm_export {
	char *name;
	uint32_t name_len;
	uint8_t kind;         /* enum vm_externkind */
	uint32_t index;       /* in the kind's index space (imports first) */
};

struct vm_global_def { struct vm_globaltype type; struct vm_constexpr init; };

enum vm_segmode { VM_SEG_PASSIVE, VM_SEG_ACTIVE, VM_SEG_DECLARATIVE };

struct vm_elem {
	enum vm_segmode mode;
	uint8_t elemtype;     /* VM_FUNCREF or VM_EXTERNREF */
	uint32_t table;       /* ACTIVE only */
	struct vm_constexpr offset; /* ACTIVE only */
	uint32_t count;
	struct vm_constexpr *init;  /* count expressions (ref.func i / ref.null / global.get) */
};

struct vm_data {
	enum vm_segmode mode; /* PASSIVE or ACTIVE */
	uint32_t memory;
	struct vm_constexpr offset;
	uint32_t len;
	const uint8_t *bytes; /* points into struct vm_module.bytes */
};

struct vm_code;           /* compiled function body: compile.h */

struct vm_funcdef {
	uint32_t type_index;
	uint32_t nlocals;     /* declared locals, excluding params */
	uint8_t *local_types; /* nlocals entries */
	uint32_t body_offset; /* first byte after the locals declarations */
	uint32_t body_end;    /* one past the final `end` opcode */
	struct vm_code *code; /* filled by vm_compile */
};

struct vm_module {
	uint8_t *bytes;       /* private copy of the binary */
	size_t len;

	uint32_t ntypes;       struct vm_functype *types;
	uint32_t nimports;     struct vm_import *imports;
	/* Index spaces: imports of each kind come first. */
	uint32_t nfuncs, nfunc_imports;     /* funcs[i - nfunc_imports] for defined ones */
	struct vm_funcdef *funcs;
	uint32_t ntables, ntable_imports;   struct vm_tabletype *tables;   /* all ntables, imported included */
	uint32_t nmems, nmem_imports;       struct vm_limits *mems;        /* all nmems */
	uint32_t nglobals, nglobal_imports; struct vm_global_def *globals; /* all; init unused for imports */
	uint32_t nexports;     struct vm_export *exports;
	bool has_start;        uint32_t start;
	uint32_t nelems;       struct vm_elem *elems;
	bool has_datacount;    uint32_t datacount;
	uint32_t ndatas;       struct vm_data *datas;
	uint8_t *declared_funcs; /* bitmap: function index may be used by ref.func (validator) */

	/* For each function index (imports included), its type index. */
	uint32_t *func_type_index;

	/* Optional "name" custom section: function names (NULL if absent). */
	char **func_names;     /* nfuncs entries, each NULL or a string */

	int refcount;
};

/*
 * Decode, validate and compile `bytes` into a new module (refcount 1).
 * The bytes are copied. Returns NULL on failure with *err describing
 * exactly what was wrong (kind MALFORMED or INVALID, section, offset).
 * Never reads outside [bytes, bytes+len) whatever the input.
 */
struct vm_module *vm_module_load(const uint8_t *bytes, size_t len, struct vm_error *err);
void vm_module_ref(struct vm_module *m);
void vm_module_unref(struct vm_module *m);   /* frees at zero; NULL ok */

/* Steps of vm_module_load, exposed for unit tests. */
int vm_decode(struct vm_module *m, struct vm_error *err);   /* decode.c: structure only */
int vm_validate(struct vm_module *m, struct vm_error *err); /* validate.c: module-level rules */
int vm_compile(struct vm_module *m, struct vm_error *err);  /* compile.c: validate+compile bodies */
void vm_module_free_contents(struct vm_module *m);          /* decode.c */

/* Export lookup: returns the export index or -1. */
int vm_module_find_export(const struct vm_module *m, const char *name, uint32_t name_len, uint8_t kind);

/* ---- runtime objects ----------------------------------------------------- */

struct vm_instance;

/* Results of a host function and of vm_run. */
enum vm_status {
	VM_OK = 0,     /* host fn: done, results written. run: outermost call returned */
	VM_YIELD,      /* run: fuel exhausted, state intact; run again to continue */
	VM_TRAP,       /* trap; message in vm_trap_message() */
	VM_EXIT,       /* a host function asked the program to exit; vm_exit_status() */
	VM_BLOCK,      /* host fn: nothing happened; suspend and re-execute this call on resume.
	                  run: returned because a host call blocked */
	VM_STOP,       /* host fn: done, results written, but return control to the
	                  embedder now. run: returned after such a call; run again continues */
};

/*
 * A host function. `args` holds the parameters on entry (nparams slots) and
 * receives the results (nresults slots) on VM_OK/VM_STOP: the same array,
 * sized max(nparams, nresults). It may read/write memory through
 * vm_memory_data(). On VM_TRAP it calls vm_set_trap(); on VM_EXIT
 * vm_set_exit(). It may call vm_clone()/vm_snapshot() on `inst`: the copy is
 * suspended *before* this call and re-executes it when run (so a fork
 * syscall completes differently in the child).
 */
typedef enum vm_status (*vm_host_fn)(struct vm_instance *inst, void *ctx, vm_slot *args);

/* A function value: what funcref slots point to. */
struct vm_func {
	const struct vm_functype *type;
	struct vm_instance *inst; /* wasm function: owning instance; host: NULL */
	uint32_t index;           /* wasm: function index within inst->mod */
	vm_host_fn host;          /* host function, or NULL */
	void *host_ctx;
	char *debug_name;         /* host functions: "module.name" (owned); may be NULL */
};

/* Create a host function object (caller owns; free with vm_func_free). */
struct vm_func *vm_host_func_new(const struct vm_functype *type, vm_host_fn fn, void *ctx,
				 const char *debug_name);
void vm_func_free(struct vm_func *f);

struct vm_memory {
	uint8_t *data;        /* size bytes, zero-initialised on growth */
	uint64_t size;        /* bytes = pages * 65536 */
	uint32_t pages;
	uint32_t max_pages;   /* effective: min(declared max, embedder limit, 65536) */
	bool shared;
	int refcount;
};

struct vm_table {
	uint8_t elemtype;
	uint32_t size;
	uint32_t max;         /* effective max (declared or UINT32_MAX) */
	vm_slot *elems;
	int refcount;
};

struct vm_global {
	uint8_t type;
	bool mut;
	vm_slot val;
	int refcount;
};

struct vm_memory *vm_memory_new(const struct vm_limits *lim, uint32_t page_limit, struct vm_error *err);
struct vm_table *vm_table_new(const struct vm_tabletype *tt, struct vm_error *err);
struct vm_global *vm_global_new(uint8_t type, bool mut, vm_slot val);
void vm_memory_unref(struct vm_memory *m);
void vm_table_unref(struct vm_table *t);
void vm_global_unref(struct vm_global *g);
/* Grow by delta pages/elements; returns old size or -1 (limits). */
int64_t vm_memory_grow(struct vm_memory *m, uint32_t delta);
int64_t vm_table_grow(struct vm_table *t, uint32_t delta, vm_slot init);
/* Freed memories' mappings are pooled for reuse (mem.c); this unmaps the
 * pool. Memories in use are unaffected. Call when tearing a system down. */
void vm_mem_pool_trim(void);

/* One resolved import, in the order of module->imports. */
struct vm_extern {
	uint8_t kind;
	union {
		struct vm_func *func;
		struct vm_table *table;
		struct vm_memory *mem;
		struct vm_global *global;
	} u;
};

struct vm_config {
	uint32_t max_pages;        /* per-instance memory page limit (0 = 65536) */
	uint32_t max_call_depth;   /* frames before "call stack exhausted" (0 = 10000) */
	uint32_t max_stack_slots;  /* value stack limit in slots (0 = 1M) */
	void *userdata;            /* returned by vm_userdata(); the kernel's process */
	int64_t start_fuel;        /* vm_instantiate: fuel for the start function (0 = unlimited) */
	bool defer_start;          /* vm_instantiate leaves the start function to vm_push_start */
};

/* The frame stack: one entry per active wasm call, all owned by the instance. */
struct vm_frame {
	uint32_t func;        /* function index in inst->mod (always a defined function) */
	uint32_t pc;          /* cell offset into that function's code: where to continue */
	uint32_t base;        /* slot index of the frame's first param/local in inst->stack */
	uint32_t flags;       /* VM_FRAME_* */
};
#define VM_FRAME_ENTRY  1u    /* returning from this frame ends the current vm_run/vm_invoke */
#define VM_FRAME_SIGNAL 2u    /* pushed by vm_push_call: results discarded on return */

enum vm_inst_state {
	VM_IDLE,          /* no call in progress */
	VM_READY,         /* a call is set up or suspended (fuel, block, stop) */
	VM_RUNNING,       /* inside vm_run (a host function may observe this) */
	VM_DONE,          /* the call returned; results available */
	VM_TRAPPED,       /* the call trapped; call vm_reset() to reuse */
	VM_EXITED,
};

struct vm_instance {
	struct vm_module *mod;        /* holds a reference */
	struct vm_config cfg;

	/* Index spaces (imports first). Imported objects are referenced, not owned
	 * (refcounts), except funcs: imported vm_func objects must outlive the
	 * instance (the embedder keeps them; the spec runner keeps instances alive). */
	struct vm_func **funcs;       /* nfuncs pointers */
	struct vm_func *own_funcs;    /* defined functions' objects */
	struct vm_table **tables;
	struct vm_memory **mems;
	struct vm_global **globals;
	struct vm_func **xfuncs;      /* foreign functions given handles > nfuncs */
	uint32_t nxfuncs, xfuncs_cap;
	uint8_t *elem_dropped;        /* per element segment */
	uint8_t *data_dropped;        /* per data segment */

	/* Execution state: everything a suspended call needs. */
	enum vm_inst_state state;
	vm_slot *stack;               /* value stack: frames' params, locals, operands */
	uint32_t stack_cap;           /* slots allocated */
	struct vm_frame *frames;
	uint32_t nframes, frames_cap;
	uint32_t result_base;         /* where the outermost call's results are (slot index) */
	uint32_t nresults;
	int64_t fuel_debt;            /* fuel overdrawn by the last basic block charged */
	int64_t run_start;            /* inside vm_run: the fuel it started with (less debt) */
	const int64_t *run_left;      /* inside vm_run: the fuel left, as of the last host call */
	uint32_t nest;                /* nested vm_invoke depth (host fn re-entering) */

	char trap_msg[160];
	int32_t exit_status;
};

/*
 * Instantiate `mod` with resolved imports (one per module import, in order;
 * kinds and types must match: checked here, VM_ERR_LINK on mismatch).
 * Allocates memories/tables/globals, evaluates constant expressions, applies
 * active segments and drops declarative ones, and runs the start function to
 * completion with cfg->start_fuel (0: unlimited; running out is a trap, "start
 * function: out of fuel ..."). A trap gives NULL with kind VM_ERR_TRAP; per Wasm 2.0 the
 * instance's effects on imported objects remain. With cfg->defer_start the
 * start function does not run here: the embedder schedules it with
 * vm_push_start, under its own fuel, like any other code.
 */
struct vm_instance *vm_instantiate(struct vm_module *mod, const struct vm_extern *imports,
				   uint32_t nimports, const struct vm_config *cfg,
				   struct vm_error *err);
void vm_instance_free(struct vm_instance *inst);

/* Look up an export; returns 0 and fills *out, or -1. */
int vm_instance_export(struct vm_instance *inst, const char *name, uint32_t name_len,
		       struct vm_extern *out);

/*
 * Set up a call of function `funcidx` (any index, import or defined) with
 * nargs arguments. State must be IDLE or DONE. Returns 0 or -1 (bad index or
 * arity; VM_ERR_STATE in *err).
 */
int vm_call_start(struct vm_instance *inst, uint32_t funcidx, const vm_slot *args,
		  uint32_t nargs, struct vm_error *err);

/*
 * Run the current call until it returns (VM_OK), traps (VM_TRAP), a host call
 * exits (VM_EXIT), blocks (VM_BLOCK), stops (VM_STOP), or `fuel` is spent
 * (VM_YIELD). fuel < 0 means unlimited. *used (if not NULL) receives the fuel
 * charged by this call: one unit per wasm instruction, charged per basic block
 * at its start (so a block may be charged in one run and finish in the next;
 * summed over all runs of a computation, exactly the instructions executed).
 * Fuel is checked before charging, at least at every loop header and call,
 * so overdraft is bounded by one basic block and carried in fuel_debt.
 * Running again after YIELD/BLOCK/STOP continues exactly where it stopped.
 */
enum vm_status vm_run(struct vm_instance *inst, int64_t fuel, int64_t *used);

/*
 * From inside a host call of the current vm_run: the fuel that run has
 * charged so far (what *used will include up to this call). 0 outside a run.
 * Lets the layers above keep a fuel clock that advances within a slice.
 */
int64_t vm_fuel_used(const struct vm_instance *inst);

/* After VM_OK: copy out the results (n must equal the function's nresults). */
int vm_results(struct vm_instance *inst, vm_slot *out, uint32_t n);

/* Convenience: call_start + run(unlimited) + results. Works from inside a host
 * function (re-entrant: pushes an ENTRY frame above the suspended ones). */
enum vm_status vm_invoke(struct vm_instance *inst, uint32_t funcidx, const vm_slot *args,
			 uint32_t nargs, vm_slot *results, uint32_t nresults);

/* Push a call of funcidx on a suspended (READY) instance; when it returns,
 * its results are discarded and the interrupted code continues (signals). */
int vm_push_call(struct vm_instance *inst, uint32_t funcidx, const vm_slot *args,
		 uint32_t nargs, struct vm_error *err);

/*
 * With cfg.defer_start: push a call of the module's start function above the
 * call set up by vm_call_start (state READY), so the next vm_run runs the
 * start function first and then continues into that call. Call it once per
 * instance. Returns 0 (also when the module has no start function), or -1
 * with VM_ERR_STATE / VM_ERR_NOMEM.
 */
int vm_push_start(struct vm_instance *inst, struct vm_error *err);

/* Abandon any call in progress (after TRAP/EXIT or to cancel); state -> IDLE. */
void vm_reset(struct vm_instance *inst);

const char *vm_trap_message(const struct vm_instance *inst);
int32_t vm_exit_status(const struct vm_instance *inst);
void vm_set_trap(struct vm_instance *inst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_set_exit(struct vm_instance *inst, int32_t status);
void *vm_userdata(const struct vm_instance *inst);
void vm_set_userdata(struct vm_instance *inst, void *ud);

/* Memory 0 of the instance (NULL/0 if none). The pointer is invalidated by growth. */
uint8_t *vm_memory_data(struct vm_instance *inst, uint64_t *size);

/*
 * Clone: an independent copy of the instance: memories, tables, globals
 * (imported ones too: the copy owns fresh copies), value stack, frames and
 * pc. Host function imports are shared. State IDLE, READY or DONE (or RUNNING
 * from inside a host function: see vm_host_fn). NULL + err on failure.
 */
struct vm_instance *vm_clone(struct vm_instance *inst, struct vm_error *err);

/*
 * Snapshot: the complete state as bytes (malloc'd, *len set). Code is named by
 * function index and cell offset; function references by function index.
 * Restore checks a hash of the module bytes and every field, rejecting corrupt
 * or mismatched input with VM_ERR_STATE. `imports` give the host functions
 * (memories/tables/globals in the snapshot are restored as fresh objects).
 */
int vm_snapshot(struct vm_instance *inst, uint8_t **out, size_t *len, struct vm_error *err);
struct vm_instance *vm_restore(struct vm_module *mod, const struct vm_extern *imports,
			       uint32_t nimports, const struct vm_config *cfg,
			       const uint8_t *bytes, size_t len, struct vm_error *err);

/* funcref conversions (see the value comment at the top). A ref to a function
 * that is neither in inst->funcs nor in xfuncs is appended to xfuncs. Returns
 * 0 (null) only for a null ref; UINT64_MAX if out of memory (exec traps). */
vm_slot vm_ref_to_handle(struct vm_instance *inst, vm_slot ref);
vm_slot vm_handle_to_ref(const struct vm_instance *inst, vm_slot handle); /* bad handle -> 0 */

/* Provided by exec.c for clone/snapshot (instance.c, snapshot.c). */
/* Number of value-stack slots in use by a suspended (READY/RUNNING) instance:
 * everything clone/snapshot must copy. 0 when IDLE. */
uint32_t vm_stack_used(const struct vm_instance *inst);
/* Whether `pc` is a cell offset in function `func` at which a frame can be
 * suspended (a fuel check, a call's return point, a host call): restore
 * rejects frames whose pc is not. Also checks func is a defined function. */
bool vm_pc_valid(const struct vm_module *m, uint32_t func, uint32_t pc, bool top_frame);
/* Slots a frame of defined function `func` needs (params+locals+max operands). */
uint32_t vm_frame_slots(const struct vm_module *m, uint32_t func);

/* Internal helpers shared across src/vm (not for other layers). */
uint64_t vm_hash64(const uint8_t *p, size_t n);   /* FNV-1a 64 */
bool vm_functype_equal(const struct vm_functype *a, const struct vm_functype *b);

#endif
