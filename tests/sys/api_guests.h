/*
 * api_guests.h - what test_api.c and test_alloc.c share: a counting host
 * allocator and the wat guests (compiled with kt_wat at run time).
 *
 *   hello_wat   "out\n" to fd 1, "err\n" to fd 2, exit 0
 *   cat_wat     fd 0 to fd 1 until EOF, then "err\n" to fd 2, exit 3
 *   spin_wat    loops forever
 *   caller_wat  emits "ping" to interface "kv" expecting an answer, waits,
 *               writes the answer's body to fd 1 and exits with its error
 *               code (0: ok); a failing call exits 100 + errno (emit),
 *               150 + errno (wait), 200 + errno (take)
 *   handler_wat registers interface "kv" (a failure exits 100 + errno),
 *               then waits for its messages forever (msg_next, blocking)
 */
#ifndef WARREN_TESTS_SYS_API_GUESTS_H
#define WARREN_TESTS_SYS_API_GUESTS_H

#include "wat_guests.h"

#include <stdbool.h>
#include <stdlib.h>

#define AG_UNUSED __attribute__((unused))

/*
 * A host allocator (wr_Config.alloc, ud a struct counter) over malloc
 * that counts every call, the live blocks and their bytes, and makes
 * allocation (or resize) number fail_at fail (0: none).
 */
struct counter {
	size_t calls;           /* every call, frees too */
	size_t n;               /* allocations and resizes so far */
	size_t fail_at;         /* which one fails (0: none) */
	bool failed;            /* it did */
	size_t live, bytes;
};

static AG_UNUSED void *
count_alloc(void *ud, void *ptr, size_t nsize)
{
	struct counter *c = ud;
	size_t *h = ptr ? (size_t *)ptr - 2 : NULL;

	c->calls++;
	if (nsize == 0) {
		if (h) {
			c->live--;
			c->bytes -= h[0];
			free(h);
		}
		return NULL;
	}
	if (++c->n == c->fail_at) {
		c->failed = true;
		return NULL;
	}
	if (h) {
		size_t old = h[0], *n = realloc(h, nsize + 2 * sizeof(size_t));

		if (!n)
			return NULL;
		n[0] = nsize;
		c->bytes = c->bytes - old + nsize;
		return n + 2;
	}
	if (!(h = malloc(nsize + 2 * sizeof(size_t))))
		return NULL;
	h[0] = nsize;
	c->live++;
	c->bytes += nsize;
	return h + 2;
}

static const char hello_wat[] AG_UNUSED =
	WG_MODULE WG_HELLO_DATA "(func (export \"_start\")\n" WG_HELLO "))\n";

static const char cat_wat[] AG_UNUSED =
	WG_MODULE "(data (i32.const 32) \"err\\n\")\n"
	"(func (export \"_start\") (local $n i32)\n" WG_CAT
	"  (i32.store (i32.const 0) (i32.const 32)) (i32.store (i32.const 4) (i32.const 4))\n"
	"  (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))\n"
	"  (call $proc_exit (i32.const 3))))\n";

static const char spin_wat[] AG_UNUSED = WG_SPIN;

static const char caller_wat[] AG_UNUSED =
	"(module\n"
	"(import \"warren_v1\" \"msg_emit\" (func $emit (param i32 i32 i32 i32 i32 i32) (result i32)))\n"
	"(import \"warren_v1\" \"msg_wait\" (func $wait (param i32 i32 i32 i32) (result i32)))\n"
	"(import \"warren_v1\" \"msg_take\" (func $take (param i64 i32 i32 i32 i32) (result i32)))\n"
	WG_IMPORTS
	"(data (i32.const 100) \"kv\")\n"
	"(data (i32.const 110) \"ping\")\n"
	"(func (export \"_start\") (local $r i32)\n"
	"  (local.set $r (call $emit (i32.const 100) (i32.const 2) (i32.const 110) (i32.const 4)\n"
	"                            (i32.const 1) (i32.const 200)))\n"
	"  (if (local.get $r) (then (call $proc_exit (i32.add (i32.const 100) (local.get $r)))))\n"
	"  (local.set $r (call $wait (i32.const 200) (i32.const 1) (i32.const 1) (i32.const 208)))\n"
	"  (if (local.get $r) (then (call $proc_exit (i32.add (i32.const 150) (local.get $r)))))\n"
	"  (local.set $r (call $take (i64.load (i32.const 200)) (i32.const 300) (i32.const 200)\n"
	"                            (i32.const 216) (i32.const 220)))\n"
	"  (if (local.get $r) (then (call $proc_exit (i32.add (i32.const 200) (local.get $r)))))\n"
	"  (i32.store (i32.const 0) (i32.const 300)) (i32.store (i32.const 4) (i32.load (i32.const 216)))\n"
	"  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))\n"
	"  (call $proc_exit (i32.load (i32.const 220)))))\n";

static const char handler_wat[] AG_UNUSED =
	"(module\n"
	"(import \"warren_v1\" \"intf_register\" (func $reg (param i32 i32) (result i32)))\n"
	"(import \"warren_v1\" \"msg_next\" (func $next (param i32 i32 i32 i32 i32 i32) (result i32)))\n"
	WG_IMPORTS
	"(data (i32.const 100) \"kv\")\n"
	"(func (export \"_start\") (local $r i32)\n"
	"  (local.set $r (call $reg (i32.const 100) (i32.const 2)))\n"
	"  (if (local.get $r) (then (call $proc_exit (i32.add (i32.const 100) (local.get $r)))))\n"
	"  (loop $l\n"
	"    (drop (call $next (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 200)\n"
	"                      (i32.const 400) (i32.const 100)))\n"
	"    (br $l))))\n";

#endif
