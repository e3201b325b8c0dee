/*
 * mem.c - mappings for linear memories: a pool of released mappings,
 * growth, and copying that leaves pages of zeros alone.
 *
 * Why a pool: on a paravirtualised host (measured: Firecracker with PVM)
 * every page-table change traps. A first write to a fresh page costs
 * 13-60 us, a munmap of 1 MiB about 250 us (TLB shootdown), a read of an
 * untouched page as much as a write. Zeroing a page that is already
 * resident costs about 30 ns. So a released mapping is kept, and before
 * reuse only the pages that can hold data are cleared. The pool is small
 * (POOL_SLOTS mappings, POOL_BYTES of them possibly resident).
 *
 * Which pages can hold data: /proc/self/pagemap says, per page, whether it
 * is present or swapped out. A private anonymous page that is neither has
 * never been written (or was discarded) and reads as zeros, so it need not
 * be cleared, scanned or copied, and stays out of the resident set. Where
 * pagemap is missing or untrustworthy every page counts as possibly
 * non-zero: slower, never wrong. mincore() would be cheaper to call but
 * cannot tell a swapped-out page from an untouched one. (Measured
 * alternatives: memset of the whole used range is faster in steady state
 * but faults in every page ever covered, 60 us each here; madvise
 * MADV_DONTNEED costs as much as the munmap it replaces; MADV_FREE does
 * not promise zeros.)
 *
 * Clearing scans before it writes: a page may be mapped to the shared
 * zero page, and writing it would take the very fault the pool avoids.
 *
 * Threads: the pool and the pagemap descriptor sit behind a try-lock. A
 * caller that finds it taken does not wait: it maps and unmaps directly
 * and copies without pagemap, which is slower but always correct. A host
 * fork() waits for the lock (see fork_prepare).
 */
#define _GNU_SOURCE /* mremap, MAP_ANONYMOUS */
#include "mem.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define WASM_PAGE 65536u
#define POOL_SLOTS 32
#define POOL_BYTES ((size_t)64 << 20)    /* bytes the pool may hold dirty */
#define POOL_ENTRY_MAX ((size_t)16 << 20) /* a mapping used further goes back */
#define BATCH 512                         /* pages per pagemap read */
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)

/* A pooled mapping: cap bytes at base, all zero from `dirty` on. */
struct slot {
	uint8_t *base;
	size_t cap, dirty;
};

static struct slot pool[POOL_SLOTS];
static unsigned npool;
static size_t pool_dirty;
static atomic_flag busy = ATOMIC_FLAG_INIT;
static int pagemap = -1;
static bool pagemap_tried, atfork_set;
static volatile uint8_t probe_byte;      /* a page pagemap must show present */

/* The unit pages are tracked in: the host page, or the wasm page where a
 * host page is larger (pagemap is then not used). */
static size_t
gran(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 && ps <= (long)WASM_PAGE ? (size_t)ps : WASM_PAGE;
}

static bool
lock(void)
{
	return !atomic_flag_test_and_set_explicit(&busy, memory_order_acquire);
}

static void
unlock(void)
{
	atomic_flag_clear_explicit(&busy, memory_order_release);
}

/*
 * Host fork(): the pool is taken before, so no other thread is halfway
 * through changing it when the child's copy is made, and released after
 * on both sides. The child would read its parent's page tables through
 * the inherited pagemap descriptor, so it reopens its own.
 */
static void
fork_prepare(void)
{
	while (!lock())
		sched_yield();
}

static void
fork_parent(void)
{
	unlock();
}

static void
fork_child(void)
{
	if (pagemap >= 0)
		close(pagemap);
	pagemap = -1;
	pagemap_tried = false;
	unlock();
}

/* The flags of the n pages at p, or -1 if pagemap cannot say. */
static int
page_flags(int fd, const uint8_t *p, size_t n, uint64_t *e)
{
	size_t ps = gran();
	off_t off = (off_t)((uintptr_t)p / ps * sizeof *e);

	if (fd < 0)
		return -1;
	return pread(fd, e, n * sizeof *e, off) == (ssize_t)(n * sizeof *e) ? 0 : -1;
}

/* The pagemap descriptor, opened on first use; -1 without one. Called
 * with the lock held. It is trusted only if it shows a page we have just
 * written as present. */
static int
pagemap_fd(void)
{
	uint64_t e;

	if (pagemap_tried)
		return pagemap;
	pagemap_tried = true;
	if (gran() != (size_t)sysconf(_SC_PAGESIZE))
		return -1;
	if (!atfork_set) {
		if (pthread_atfork(fork_prepare, fork_parent, fork_child) != 0)
			return -1;
		atfork_set = true;
	}
	pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	probe_byte = 1;
	if (pagemap >= 0 &&
	    (page_flags(pagemap, (const uint8_t *)(uintptr_t)&probe_byte, 1, &e) != 0 || !(e & PM_PRESENT))) {
		close(pagemap);
		pagemap = -1;
	}
	return pagemap;
}

/* mask[i]: may page i of the n at p hold non-zero bytes? */
static void
maybe_data(int fd, const uint8_t *p, size_t n, uint8_t *mask)
{
	uint64_t e[BATCH];

	if (page_flags(fd, p, n, e) != 0) {
		memset(mask, 1, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		mask[i] = (e[i] & (PM_PRESENT | PM_SWAPPED)) != 0;
}

/* Are the n bytes at p (a multiple of 256) all zero? Four independent
 * accumulators and an exit per 256 bytes: a page with data is usually
 * rejected in its first chunk, a zero page runs at cache bandwidth. */
static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 256) {
		uint64_t a = 0, b = 0, c = 0, d = 0, w[4];

		for (size_t j = 0; j < 256; j += 32) {
			memcpy(w, p + i + j, sizeof w);
			a |= w[0];
			b |= w[1];
			c |= w[2];
			d |= w[3];
		}
		if (a | b | c | d)
			return false;
	}
	return true;
}

enum { SKIP, COPY, CLEAR };

static void
apply(uint8_t *dst, const uint8_t *src, size_t off, size_t len, int what)
{
	if (what == COPY)
		memcpy(dst + off, src + off, len);
	else if (what == CLEAR)
		memset(dst + off, 0, len);
}

/*
 * Make dst[0, size) a copy of src[0, size) (zeros when src is NULL) and
 * dst[size, dirty) zero, where dst may hold data only below `dirty`.
 * A page pagemap shows untouched is neither read nor written; one that
 * is resident is scanned before it is written, unless both sides are
 * resident (then copying costs no more than scanning). Consecutive pages
 * with the same action go to one memcpy or memset.
 */
static void
fill(int fd, uint8_t *dst, size_t dirty, const uint8_t *src, size_t size)
{
	size_t ps = gran(), end = size > dirty ? size : dirty, run = 0;
	uint8_t sm[BATCH], dm[BATCH];
	int cur = SKIP;

	if (!src)
		size = 0;
	if (dirty == 0 && size == 0)
		return;
	for (size_t base = 0; base < end; base += BATCH * ps) {
		size_t n = (end - base) / ps, ns = 0, nd = 0;

		if (n > BATCH)
			n = BATCH;
		if (base < size) {
			ns = (size - base) / ps < n ? (size - base) / ps : n;
			maybe_data(fd, src + base, ns, sm);
		}
		if (base < dirty) {
			nd = (dirty - base) / ps < n ? (dirty - base) / ps : n;
			maybe_data(fd, dst + base, nd, dm);
		}
		for (size_t i = 0; i < n; i++) {
			size_t off = base + i * ps;
			bool s = i < ns && sm[i], d = i < nd && dm[i];
			int what = SKIP;

			if (s && d)
				what = COPY;
			else if (s)
				what = all_zero(src + off, ps) ? SKIP : COPY;
			else if (d)
				what = all_zero(dst + off, ps) ? SKIP : CLEAR;
			if (what != cur) {
				apply(dst, src, run, off - run, cur);
				cur = what;
				run = off;
			}
		}
	}
	apply(dst, src, run, end - run, cur);
}

static size_t
round_up(uint64_t n)
{
	size_t ps = gran();

	return (size_t)((n + ps - 1) / ps * ps);
}

/* A fresh zero mapping of size bytes (rounded to pages); NULL if none. */
static uint8_t *
fresh(uint64_t size, size_t *cap)
{
	void *p;

	*cap = round_up(size);
	p = mmap(NULL, *cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Take the pooled mapping that holds size bytes and has the least to
 * clear (of equals, the most recently pooled: likeliest still in cache);
 * false if none fits. Lock held. */
static bool
take(uint64_t size, struct slot *out)
{
	unsigned best = npool;

	for (unsigned i = npool; i-- > 0;)
		if (pool[i].cap >= size && (best == npool || pool[i].dirty < pool[best].dirty))
			best = i;
	if (best == npool)
		return false;
	*out = pool[best];
	pool[best] = pool[--npool];
	pool_dirty -= out->dirty;
	return true;
}

/* See mem.h. */
uint8_t *
vm_mem_map(uint64_t size, const uint8_t *src, uint64_t *cap)
{
	struct slot s = { NULL, 0, 0 };
	bool locked;
	int fd = -1;

	if (size == 0 || size > SIZE_MAX / 2)
		return NULL;
	locked = lock();
	if (locked) {
		fd = pagemap_fd();
		take(size, &s);
	}
	if (!s.base)
		s.base = fresh(size, &s.cap);
	if (src && (uintptr_t)src % gran())
		fd = -1; /* pagemap speaks of whole pages */
	if (s.base)
		fill(fd, s.base, s.dirty, src, (size_t)size);
	if (locked)
		unlock();
	*cap = s.cap;
	return s.base;
}

/* See mem.h. Doubling keeps a memory that grows page by page from
 * remapping each time. */
uint8_t *
vm_mem_grow(uint8_t *p, uint64_t *cap, uint64_t size, uint64_t max)
{
	uint64_t want = *cap * 2 < max ? *cap * 2 : max;
	void *q = MAP_FAILED;
	size_t c;

	if (want < size)
		want = size;
	if (want > SIZE_MAX / 2)
		return NULL;
	c = round_up(want);
	if (c > size)
		q = mremap(p, (size_t)*cap, c, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		c = round_up(size);
		q = mremap(p, (size_t)*cap, c, MREMAP_MAYMOVE);
	}
	if (q == MAP_FAILED)
		return NULL;
	*cap = c;
	return q;
}

/* See mem.h. */
void
vm_mem_unmap(uint8_t *p, uint64_t used, uint64_t cap)
{
	if (cap == 0)
		return;
	if (used <= POOL_ENTRY_MAX && lock()) {
		if (npool < POOL_SLOTS && pool_dirty + used <= POOL_BYTES) {
			pool[npool++] = (struct slot){ p, (size_t)cap, (size_t)used };
			pool_dirty += (size_t)used;
			unlock();
			return;
		}
		unlock();
	}
	munmap(p, (size_t)cap);
}

/* See vm.h. Waits for the lock: trimming is rare, and a caller that
 * holds it only copies or clears. Closing the page map releases the last
 * thing the pool keeps; it reopens on demand. */
void
vm_mem_pool_trim(void)
{
	while (!lock())
		sched_yield();
	for (unsigned i = 0; i < npool; i++)
		munmap(pool[i].base, pool[i].cap);
	npool = 0;
	pool_dirty = 0;
	if (pagemap >= 0)
		close(pagemap);
	pagemap = -1;
	pagemap_tried = false;
	unlock();
}
