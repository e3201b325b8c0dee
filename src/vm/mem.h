/*
 * mem.h - where the bytes of linear memories live (mem.c).
 *
 * A memory's bytes are a mapping of `cap` bytes of which the first `size`
 * are the wasm memory; [size, cap) always reads as zeros, so growth within
 * cap is only a new size. Released mappings go to a small pool instead of
 * back to the kernel: on virtual machines whose page faults and TLB
 * flushes trap to a hypervisor, a munmap plus first-touch faults of a
 * fresh mapping cost far more than zeroing what the last owner dirtied.
 */
#ifndef WARREN_VM_MEM_H
#define WARREN_VM_MEM_H

#include "vm.h"

/*
 * A mapping whose first `size` bytes read as zeros, or with `src`
 * non-NULL are a copy of src[0, size) (a clone of another memory's
 * mapping: pages of zeros are skipped, so they cost neither time nor
 * memory; src's untouched pages are not even read). Returns NULL when
 * out of memory; on success *cap is the mapped length (at least size),
 * every byte in [size, *cap) is zero, and the caller owns the mapping
 * until vm_mem_unmap. size must be non-zero.
 */
uint8_t *vm_mem_map(uint64_t size, const uint8_t *src, uint64_t *cap);

/*
 * Make a mapping from vm_mem_map hold `size` bytes (more than *cap),
 * keeping its contents; it may move. It takes room to grow into (up to
 * twice *cap, at most `max`), so a memory growing page by page remaps only
 * now and then. Returns the new address with *cap updated and [size, *cap)
 * zero, or NULL with the old mapping untouched.
 */
uint8_t *vm_mem_grow(uint8_t *p, uint64_t *cap, uint64_t size, uint64_t max);

/*
 * Give back a mapping from vm_mem_map: `used` is how far it may have been
 * written (the memory's size; beyond it everything is still zero). It goes
 * into the pool, or back to the kernel when the pool is full.
 */
void vm_mem_unmap(uint8_t *p, uint64_t used, uint64_t cap);

/* vm_mem_pool_trim (vm.h) unmaps the pool and closes its page map. */

#endif
