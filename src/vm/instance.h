/*
 * instance.h - steps of instantiation shared by instance.c and snapshot.c.
 *
 * vm_instantiate, vm_clone and vm_restore all build the same object
 * skeleton (instance, index-space arrays, defined functions' objects) and
 * then fill tables, memories and globals in their own way: from the module
 * and its imports, from another instance, or from snapshot bytes.
 */
#ifndef WARREN_VM_INSTANCE_H
#define WARREN_VM_INSTANCE_H

#include "vm.h"

/* Default limits when struct vm_config leaves a field 0. */
#define VM_DEFAULT_CALL_DEPTH 10000u
#define VM_DEFAULT_STACK_SLOTS (1u << 20)
/* Tables never grow past this many elements, whatever they declare:
 * a guest must not make the host allocate 32 GiB of funcrefs. */
#define VM_TABLE_LIMIT 10000000u

/*
 * Allocate an instance of `mod` (takes a module reference) with every
 * index-space array zeroed, defined functions' objects created and
 * funcs[] filled for them; imported functions are bound by
 * vm_instance_bind_funcs. cfg may be NULL (all defaults). Returns NULL
 * with VM_ERR_NOMEM. The result is freed with vm_instance_free whatever
 * is still missing.
 */
struct vm_instance *vm_instance_alloc(struct vm_module *mod, const struct vm_config *cfg,
				      struct vm_error *err);

/*
 * Check that `imports` match the module's imports one for one (count and
 * kinds always; function types always; tables, memories and globals only
 * when `objects` is true) and put the imported functions into inst->funcs.
 * With `objects` false the other entries may have NULL objects (restore
 * makes fresh ones). Returns 0 or VM_ERR_LINK with the spec's texts
 * "unknown import" / "incompatible import type".
 */
int vm_instance_bind_funcs(struct vm_instance *inst, const struct vm_extern *imports,
			   uint32_t nimports, bool objects, struct vm_error *err);

/* The declared type of table/memory/global `i` (imports included). */
const struct vm_tabletype *vm_instance_table_decl(const struct vm_module *m, uint32_t i);
const struct vm_limits *vm_instance_mem_decl(const struct vm_module *m, uint32_t i);
const struct vm_globaltype *vm_instance_global_decl(const struct vm_module *m, uint32_t i);

/* Resolved limits of a config (0 fields replaced by the defaults). */
uint32_t vm_config_call_depth(const struct vm_config *cfg);
uint32_t vm_config_stack_slots(const struct vm_config *cfg);

#endif
