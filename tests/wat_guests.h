/*
 * wat_guests.h - pieces of the small WASI guests (wat text, compiled with
 * kt_wat at run time) that several suites spawn: test_system.c,
 * test_taskfs.c and api_guests.h (test_api.c, test_alloc.c).
 *
 *   WG_WASI(name, sig)  an import of wasi_snapshot_preview1.name as $name
 *   WG_IMPORTS          fd_write, fd_read, proc_exit and one page of
 *                       exported memory
 *   WG_MODULE           "(module " WG_IMPORTS
 *   WG_HELLO_DATA       "out\nerr\n" at 64, for WG_HELLO
 *   WG_HELLO            statements: "out\n" to fd 1, "err\n" to fd 2
 *   WG_CAT              statements: fd 0 to fd 1 until EOF (exit 9 on a
 *                       read error); needs (local $n i32)
 *   WG_SPIN             a whole module that loops forever
 * Memory 0-16 is the iovec and count scratch of WG_HELLO and WG_CAT, which
 * reads into 64.
 */
#ifndef WARREN_TESTS_WAT_GUESTS_H
#define WARREN_TESTS_WAT_GUESTS_H

#define WG_WASI(name, sig) \
	"(import \"wasi_snapshot_preview1\" \"" name "\" (func $" name " " sig "))\n"

#define WG_IMPORTS                                                          \
	WG_WASI("fd_write", "(param i32 i32 i32 i32) (result i32)")         \
	WG_WASI("fd_read", "(param i32 i32 i32 i32) (result i32)")          \
	WG_WASI("proc_exit", "(param i32)")                                 \
	"(memory (export \"memory\") 1)\n"
#define WG_MODULE "(module " WG_IMPORTS

#define WG_HELLO_DATA "(data (i32.const 64) \"out\\nerr\\n\")\n"

#define WG_HELLO                                                                                \
	"  (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 4))\n"  \
	"  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))\n"   \
	"  (i32.store (i32.const 0) (i32.const 68))\n"                                          \
	"  (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))\n"

#define WG_CAT                                                                                      \
	"  (loop $l\n"                                                                              \
	"    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 1024))\n" \
	"    (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))\n"         \
	"      (then (call $proc_exit (i32.const 9))))\n"                                           \
	"    (local.set $n (i32.load (i32.const 8)))\n"                                             \
	"    (if (local.get $n) (then\n"                                                            \
	"      (i32.store (i32.const 4) (local.get $n))\n"                                          \
	"      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))\n"   \
	"      (br $l))))\n"

#define WG_SPIN WG_MODULE "(func (export \"_start\") (loop $l (br $l))))\n"

#endif
