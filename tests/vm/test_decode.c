/*
 * test_decode.c - the binary decoder (src/vm/decode.c) and the module
 * object (src/vm/module.c).
 *
 * A module using every section is decoded and inspected field by field;
 * then hand-written modules hit each error with the exact kind and the
 * message prefix the spec testsuite expects; then every truncation and
 * every single-bit flip of the big module must fail cleanly or succeed
 * (run under ASan/UBSan or valgrind to make "cleanly" mean something).
 */
#include "unit.h"
#include "vm/vm.h"

#include <stdio.h>
#include <stdlib.h>

/*
 * The big module, assembled once with `wat2wasm --enable-threads
 * --debug-names` from:
 *
 * (module
 *   (type $v (func))
 *   (type $ii_i (func (param i32 i32) (result i32)))
 *   (type $many (func (param i64 f32 f64 funcref externref) (result i32 i64)))
 *   (import "env" "f" (func $imp (type $ii_i)))
 *   (import "env" "t" (table 2 10 funcref))
 *   (import "env" "m" (memory 1 2 shared))
 *   (import "env" "g" (global $g i32))
 *   (import "env" "gm" (global $gm (mut i64)))
 *   (func $a (type $v) (data.drop 1))
 *   (func $b (type $ii_i) (local i32 i32 i64) (local.get 0))
 *   (func $c (type $many) (local f64) (i32.const 1) (i64.const 2))
 *   (table $t2 3 externref)
 *   (global $h (mut f32) (f32.const 1.5))
 *   (global $r funcref (ref.func $a))
 *   (global $gg i32 (global.get $g))
 *   (global $d f64 (f64.const -2.25))
 *   (global $n externref (ref.null extern))
 *   (export "a" (func $a))
 *   (export "mem" (memory 0))
 *   (export "tab" (table 0))
 *   (export "h" (global $h))
 *   (start $a)
 *   (elem (i32.const 0) $a $b)
 *   (elem func $c)
 *   (elem (table 0) (i32.const 1) func $a)
 *   (elem declare func $b)
 *   (elem (i32.const 2) funcref (ref.func $c) (ref.null func))
 *   (elem funcref (ref.null func))
 *   (elem (table $t2) (i32.const 0) externref (ref.null extern))
 *   (elem declare funcref (ref.func $a))
 *   (data (i32.const 16) "hello")
 *   (data "passive")
 *   (data (memory 0) (global.get $g) "x"))
 */
static const uint8_t rich[] =
	"\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x14\x03\x60\x00\x00\x60\x02"
	"\x7f\x7f\x01\x7f\x60\x05\x7e\x7d\x7c\x70\x6f\x02\x7f\x7e\x02\x31"
	"\x05\x03\x65\x6e\x76\x01\x66\x00\x01\x03\x65\x6e\x76\x01\x74\x01"
	"\x70\x01\x02\x0a\x03\x65\x6e\x76\x01\x6d\x02\x03\x01\x02\x03\x65"
	"\x6e\x76\x01\x67\x03\x7f\x00\x03\x65\x6e\x76\x02\x67\x6d\x03\x7e"
	"\x01\x03\x04\x03\x00\x01\x02\x04\x04\x01\x6f\x00\x03\x06\x24\x05"
	"\x7d\x01\x43\x00\x00\xc0\x3f\x0b\x70\x00\xd2\x01\x0b\x7f\x00\x23"
	"\x00\x0b\x7c\x00\x44\x00\x00\x00\x00\x00\x00\x02\xc0\x0b\x6f\x00"
	"\xd0\x6f\x0b\x07\x15\x04\x01\x61\x00\x01\x03\x6d\x65\x6d\x02\x00"
	"\x03\x74\x61\x62\x01\x00\x01\x68\x03\x02\x08\x01\x01\x09\x35\x08"
	"\x00\x41\x00\x0b\x02\x01\x02\x01\x00\x01\x03\x00\x41\x01\x0b\x01"
	"\x01\x03\x00\x01\x02\x04\x41\x02\x0b\x02\xd2\x03\x0b\xd0\x70\x0b"
	"\x05\x70\x01\xd0\x70\x0b\x06\x01\x41\x00\x0b\x6f\x01\xd0\x6f\x0b"
	"\x03\x00\x01\x01\x0c\x01\x03\x0a\x19\x03\x05\x00\xfc\x09\x01\x0b"
	"\x08\x02\x02\x7f\x01\x7e\x20\x00\x0b\x08\x01\x01\x7c\x41\x01\x42"
	"\x02\x0b\x0b\x1a\x03\x00\x41\x10\x0b\x05\x68\x65\x6c\x6c\x6f\x01"
	"\x07\x70\x61\x73\x73\x69\x76\x65\x00\x23\x00\x0b\x01\x78\x00\x54"
	"\x04\x6e\x61\x6d\x65\x01\x0f\x04\x00\x03\x69\x6d\x70\x01\x01\x61"
	"\x02\x01\x62\x03\x01\x63\x02\x09\x04\x00\x00\x01\x00\x02\x00\x03"
	"\x00\x04\x10\x03\x00\x01\x76\x01\x04\x69\x69\x5f\x69\x02\x04\x6d"
	"\x61\x6e\x79\x05\x05\x01\x01\x02\x74\x32\x07\x18\x07\x00\x01\x67"
	"\x01\x02\x67\x6d\x02\x01\x68\x03\x01\x72\x04\x02\x67\x67\x05\x01"
	"\x64\x06\x01\x6e";
#define RICH_LEN (sizeof rich - 1)

#define HDR "\x00" "asm" "\x01\x00\x00\x00"

/* Decode a private copy (validating too if asked); 0 or the error kind.
 * On success the module stays decoded until done(). */
static int
load(struct vm_module *m, struct vm_error *e, const void *b, size_t n, bool validate)
{
	int r;

	memset(m, 0, sizeof *m);
	memset(e, 0, sizeof *e);
	m->bytes = malloc(n ? n : 1);
	if (!m->bytes)
		return VM_ERR_NOMEM;
	memcpy(m->bytes, b, n);
	m->len = n;
	m->refcount = 1;
	r = vm_decode(m, e);
	if (!r && validate)
		r = vm_validate(m, e);
	return r;
}

static void
done(struct vm_module *m)
{
	vm_module_free_contents(m);
	free(m->bytes);
}

static void
expect(const char *file, int line, const void *b, size_t n, int kind, const char *prefix)
{
	struct vm_module m;
	struct vm_error e;
	int r = load(&m, &e, b, n, true);

	if (r != kind || (kind && strncmp(e.msg, prefix, strlen(prefix))))
		unit_fail(file, line, "expected kind %d \"%s...\", got kind %d \"%s\"",
			  kind, prefix, r, r ? e.msg : "");
	done(&m);
}

/* s is a string literal: its terminating NUL is not part of the module */
#define MALFORMED(s, msg) expect(__FILE__, __LINE__, s, sizeof s - 1, VM_ERR_MALFORMED, msg)
#define INVALID(s, msg) expect(__FILE__, __LINE__, s, sizeof s - 1, VM_ERR_INVALID, msg)
#define VALID(s) expect(__FILE__, __LINE__, s, sizeof s - 1, 0, "")

/* Decode and validate a string literal that must load; returns from the
 * test (after recording why) if it does not. */
#define LOAD_OK(m, e, s)                                                 \
	do {                                                             \
		if (load(m, e, s, sizeof s - 1, true)) {                 \
			unit_fail(__FILE__, __LINE__, "%s", (e)->msg);   \
			done(m);                                         \
			return;                                          \
		}                                                        \
	} while (0)

static bool
bit(const uint8_t *map, uint32_t i)
{
	return map[i / 8] >> (i % 8) & 1;
}

/* ---- the big module, field by field ----------------------------------------- */

TEST(decode_rich_types_imports)
{
	struct vm_module m;
	struct vm_error e;

	LOAD_OK(&m, &e, rich);
	CHECK_EQ_U64(m.ntypes, 3);
	CHECK_EQ_U64(m.types[0].nparams, 0);
	CHECK_EQ_U64(m.types[0].nresults, 0);
	CHECK_EQ_U64(m.types[1].nparams, 2);
	CHECK_EQ_U64(m.types[1].nresults, 1);
	CHECK_MEM(m.types[1].types, "\x7f\x7f\x7f", 3);
	CHECK_EQ_U64(m.types[2].nparams, 5);
	CHECK_EQ_U64(m.types[2].nresults, 2);
	CHECK_MEM(m.types[2].types, "\x7e\x7d\x7c\x70\x6f\x7f\x7e", 7);
	CHECK(m.types[0].key && m.types[1].key && m.types[2].key);
	CHECK(m.types[0].key != m.types[1].key && m.types[1].key != m.types[2].key);

	CHECK_EQ_U64(m.nimports, 5);
	CHECK_STR(m.imports[0].module, "env");
	CHECK_STR(m.imports[0].name, "f");
	CHECK_EQ_U64(m.imports[0].module_len, 3);
	CHECK_EQ_U64(m.imports[0].kind, VM_EXT_FUNC);
	CHECK_EQ_U64(m.imports[0].u.type_index, 1);
	CHECK_EQ_U64(m.imports[1].kind, VM_EXT_TABLE);
	CHECK_EQ_U64(m.imports[2].kind, VM_EXT_MEMORY);
	CHECK_STR(m.imports[4].name, "gm");
	CHECK_EQ_U64(m.imports[4].u.global.type, VM_I64);
	CHECK(m.imports[4].u.global.mut);

	/* imported objects open each index space */
	CHECK_EQ_U64(m.nfunc_imports, 1);
	CHECK_EQ_U64(m.nfuncs, 4);
	CHECK_EQ_U64(m.ntable_imports, 1);
	CHECK_EQ_U64(m.ntables, 2);
	CHECK_EQ_U64(m.tables[0].elemtype, VM_FUNCREF);
	CHECK_EQ_U64(m.tables[0].limits.min, 2);
	CHECK(m.tables[0].limits.has_max);
	CHECK_EQ_U64(m.tables[0].limits.max, 10);
	CHECK_EQ_U64(m.tables[1].elemtype, VM_EXTERNREF);
	CHECK_EQ_U64(m.tables[1].limits.min, 3);
	CHECK(!m.tables[1].limits.has_max);
	CHECK_EQ_U64(m.nmem_imports, 1);
	CHECK_EQ_U64(m.nmems, 1);
	CHECK(m.mems[0].shared);
	CHECK_EQ_U64(m.mems[0].min, 1);
	CHECK_EQ_U64(m.mems[0].max, 2);
	CHECK_EQ_U64(m.nglobal_imports, 2);
	CHECK_EQ_U64(m.nglobals, 7);
	CHECK_EQ_U64(m.globals[0].type.type, VM_I32);
	CHECK(!m.globals[0].type.mut);
	CHECK(m.globals[1].type.mut);
	done(&m);
}

TEST(decode_rich_globals_exports)
{
	struct vm_module m;
	struct vm_error e;

	LOAD_OK(&m, &e, rich);
	CHECK_EQ_U64(m.globals[2].type.type, VM_F32);
	CHECK(m.globals[2].type.mut);
	CHECK_EQ_U64(m.globals[2].init.kind, VM_CONST_VALUE);
	CHECK_EQ_U64(m.globals[2].init.type, VM_F32);
	CHECK_EQ_U64((uint32_t)m.globals[2].init.value, 0x3fc00000); /* 1.5f */
	CHECK_EQ_U64(m.globals[3].init.kind, VM_CONST_REF_FUNC);
	CHECK_EQ_U64(m.globals[3].init.index, 1);
	CHECK_EQ_U64(m.globals[4].init.kind, VM_CONST_GLOBAL_GET);
	CHECK_EQ_U64(m.globals[4].init.index, 0);
	CHECK_EQ_U64(m.globals[4].init.type, VM_I32); /* filled by the validator */
	CHECK_EQ_U64(m.globals[5].init.value, 0xc002000000000000ull); /* -2.25 */
	CHECK_EQ_U64(m.globals[6].init.kind, VM_CONST_REF_NULL);
	CHECK_EQ_U64(m.globals[6].init.type, VM_EXTERNREF);
	CHECK(m.globals[2].init.offset > 0 && m.globals[2].init.offset < RICH_LEN);
	CHECK_EQ_U64(m.bytes[m.globals[2].init.offset], 0x43);

	CHECK_EQ_U64(m.nexports, 4);
	CHECK_STR(m.exports[1].name, "mem");
	CHECK_EQ_U64(m.exports[1].kind, VM_EXT_MEMORY);
	CHECK_EQ_U64(m.exports[3].kind, VM_EXT_GLOBAL);
	CHECK_EQ_U64(m.exports[3].index, 2);
	CHECK_EQ_U64(vm_module_find_export(&m, "a", 1, VM_EXT_FUNC), 0);
	CHECK_EQ_I64(vm_module_find_export(&m, "a", 1, VM_EXT_MEMORY), -1);
	CHECK_EQ_U64(vm_module_find_export(&m, "tab", 3, VM_EXT_TABLE), 2);
	CHECK_EQ_I64(vm_module_find_export(&m, "ta", 2, VM_EXT_TABLE), -1);
	CHECK_EQ_I64(vm_module_find_export(&m, "tabs", 4, VM_EXT_TABLE), -1);
	CHECK(m.has_start);
	CHECK_EQ_U64(m.start, 1);
	done(&m);
}

TEST(decode_rich_segments)
{
	struct vm_module m;
	struct vm_error e;

	LOAD_OK(&m, &e, rich);
	CHECK_EQ_U64(m.nelems, 8);
	CHECK_EQ_U64(m.elems[0].mode, VM_SEG_ACTIVE);
	CHECK_EQ_U64(m.elems[0].table, 0);
	CHECK_EQ_U64(m.elems[0].offset.value, 0);
	CHECK_EQ_U64(m.elems[0].count, 2);
	CHECK_EQ_U64(m.elems[0].init[0].kind, VM_CONST_REF_FUNC);
	CHECK_EQ_U64(m.elems[0].init[1].index, 2);
	CHECK_EQ_U64(m.elems[1].mode, VM_SEG_PASSIVE);
	CHECK_EQ_U64(m.elems[1].init[0].index, 3);
	CHECK_EQ_U64(m.elems[2].offset.value, 1);
	CHECK_EQ_U64(m.elems[3].mode, VM_SEG_DECLARATIVE);
	CHECK_EQ_U64(m.elems[4].count, 2);
	CHECK_EQ_U64(m.elems[4].init[1].kind, VM_CONST_REF_NULL);
	CHECK_EQ_U64(m.elems[4].init[1].type, VM_FUNCREF);
	CHECK_EQ_U64(m.elems[5].mode, VM_SEG_PASSIVE);
	CHECK_EQ_U64(m.elems[6].elemtype, VM_EXTERNREF);
	CHECK_EQ_U64(m.elems[6].table, 1);
	CHECK_EQ_U64(m.elems[7].mode, VM_SEG_DECLARATIVE);

	CHECK(m.has_datacount);
	CHECK_EQ_U64(m.datacount, 3);
	CHECK_EQ_U64(m.ndatas, 3);
	CHECK_EQ_U64(m.datas[0].mode, VM_SEG_ACTIVE);
	CHECK_EQ_U64(m.datas[0].offset.value, 16);
	CHECK_EQ_U64(m.datas[0].len, 5);
	CHECK_MEM(m.datas[0].bytes, "hello", 5);
	CHECK(m.datas[0].bytes > m.bytes && m.datas[0].bytes + 5 <= m.bytes + m.len);
	CHECK_EQ_U64(m.datas[1].mode, VM_SEG_PASSIVE);
	CHECK_MEM(m.datas[1].bytes, "passive", 7);
	CHECK_EQ_U64(m.datas[2].offset.kind, VM_CONST_GLOBAL_GET);
	done(&m);
}

TEST(decode_rich_code_names)
{
	struct vm_module m;
	struct vm_error e;

	LOAD_OK(&m, &e, rich);
	CHECK_EQ_U64(m.funcs[0].type_index, 0);
	CHECK_EQ_U64(m.funcs[0].nlocals, 0);
	CHECK_EQ_U64(m.funcs[1].nlocals, 3);
	CHECK_MEM(m.funcs[1].local_types, "\x7f\x7f\x7e", 3);
	CHECK_EQ_U64(m.funcs[2].nlocals, 1);
	CHECK_EQ_U64(m.funcs[2].local_types[0], VM_F64);
	for (uint32_t i = 0; i < 3; i++) {
		CHECK(m.funcs[i].body_offset < m.funcs[i].body_end);
		CHECK(m.funcs[i].body_end <= m.len);
		CHECK_EQ_U64(m.bytes[m.funcs[i].body_end - 1], 0x0b);
		CHECK(m.funcs[i].code == NULL);
	}
	/* func $b's body is `local.get 0; end` */
	CHECK_EQ_U64(m.funcs[1].body_end - m.funcs[1].body_offset, 3);
	CHECK_EQ_U64(m.bytes[m.funcs[1].body_offset], 0x20);

	CHECK_EQ_U64(m.func_type_index[0], 1);
	CHECK_EQ_U64(m.func_type_index[1], 0);
	CHECK_EQ_U64(m.func_type_index[2], 1);
	CHECK_EQ_U64(m.func_type_index[3], 2);

	CHECK(m.func_names != NULL);
	if (m.func_names) {
		CHECK_STR(m.func_names[0], "imp");
		CHECK_STR(m.func_names[1], "a");
		CHECK_STR(m.func_names[3], "c");
	}
	/* C.refs: $a (export, global, elem), $b and $c (elem); not the import */
	CHECK(!bit(m.declared_funcs, 0));
	CHECK(bit(m.declared_funcs, 1) && bit(m.declared_funcs, 2) && bit(m.declared_funcs, 3));
	done(&m);
}

/* ---- header and section framing ------------------------------------------- */

TEST(decode_header)
{
	VALID(HDR);
	MALFORMED("", "unexpected end");
	MALFORMED("\x01", "unexpected end");
	MALFORMED("\x00" "as", "unexpected end");
	MALFORMED("asm\x00", "magic header not detected");
	MALFORMED("\x00" "ASM\x01\x00\x00\x00", "magic header not detected");
	MALFORMED("\xef\xbb\xbf\x00" "asm\x01\x00\x00\x00", "magic header not detected");
	MALFORMED("\x00" "asm", "unexpected end");
	MALFORMED("\x00" "asm\x01\x00\x00", "unexpected end");
	MALFORMED("\x00" "asm\x00\x00\x00\x00", "unknown binary version");
	MALFORMED("\x00" "asm\x02\x00\x00\x00", "unknown binary version");
	MALFORMED("\x00" "asm\x01\x00\x00\x01", "unknown binary version");
	/* a second header looks like a custom section of length 'a' */
	MALFORMED(HDR HDR, "length out of bounds");
}

TEST(decode_sections)
{
	MALFORMED(HDR "\x0d\x00", "malformed section id");
	MALFORMED(HDR "\x7f\x00", "malformed section id");
	MALFORMED(HDR "\x80\x00\x01\x00", "malformed section id");
	/* type section after the import section */
	MALFORMED(HDR "\x02\x01\x00" "\x01\x01\x00", "unexpected content after last section");
	/* two start sections */
	MALFORMED(HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x08\x01\x00" "\x08\x01\x00"
		  "\x0a\x04\x01\x02\x00\x0b", "unexpected content after last section");
	/* data count goes between element and code: after code it is late */
	MALFORMED(HDR "\x0a\x01\x00" "\x0c\x01\x00", "unexpected content after last section");
	VALID(HDR "\x0c\x01\x00" "\x0a\x01\x00");
	/* empty sections of every kind, in order */
	VALID(HDR "\x01\x01\x00" "\x02\x01\x00" "\x03\x01\x00" "\x04\x01\x00" "\x05\x01\x00"
	      "\x06\x01\x00" "\x07\x01\x00" "\x09\x01\x00" "\x0c\x01\x00" "\x0a\x01\x00"
	      "\x0b\x01\x00");
	/* a section size past the end of the module */
	MALFORMED(HDR "\x01\x07\x02\x60\x00\x00", "length out of bounds");
	/* one type declared, two given */
	MALFORMED(HDR "\x01\x07\x01\x60\x00\x00\x60\x00\x00", "section size mismatch");
	/* section size one byte too long, swallowing the next id */
	MALFORMED(HDR "\x01\x05\x01\x60\x00\x00" "\x03\x01\x00", "section size mismatch");
	/* a vector that runs out inside its section */
	MALFORMED(HDR "\x04\x01\x01", "unexpected end");
	MALFORMED(HDR "\x05\x01\x01", "unexpected end");
	MALFORMED(HDR "\x06\x06\x02\x7f\x00\x41\x00\x0b", "unexpected end");
	/* a count larger than the module: refused before any allocation */
	MALFORMED(HDR "\x01\x06\xff\xff\xff\xff\x0f\x60", "length out of bounds");
	MALFORMED(HDR "\x09\x06\xff\xff\xff\xff\x0f\x00", "length out of bounds");
}

TEST(decode_error_context)
{
	struct vm_module m;
	struct vm_error e;

	/* function section naming a type index with a 6-byte LEB */
	CHECK_EQ_U64(load(&m, &e, HDR "\x03\x07\x01\x80\x80\x80\x80\x80\x00",
			  8 + 9, false), VM_ERR_MALFORMED);
	CHECK_STR(e.msg, "integer representation too long (section 3 \"function\", offset 0x10)");
	CHECK_EQ_U64(e.offset, 0x10);
	done(&m);
	/* errors outside sections name only the offset */
	CHECK_EQ_U64(load(&m, &e, HDR "\x0d", 9, false), VM_ERR_MALFORMED);
	CHECK_STR(e.msg, "malformed section id 13 (offset 0x8)");
	done(&m);
	/* errors in bodies name the function (index space: imports first) */
	CHECK_EQ_U64(load(&m, &e, HDR "\x01\x04\x01\x60\x00\x00"
			  "\x02\x07\x01\x01\x6d\x01\x66\x00\x00"
			  "\x03\x02\x01\x00" "\x0a\x05\x01\x03\x01\x00\x40",
			  8 + 6 + 9 + 4 + 7, false), VM_ERR_MALFORMED);
	CHECK(strstr(e.msg, "func 1") != NULL);
	done(&m);
}

/* ---- LEB128 ------------------------------------------------------------------- */

TEST(decode_leb_u32)
{
	/* memory minimum: non-minimal encodings are fine up to 5 bytes */
	VALID(HDR "\x05\x04\x01\x00\x82\x00");
	VALID(HDR "\x05\x07\x01\x00\x82\x80\x80\x80\x00");
	MALFORMED(HDR "\x05\x08\x01\x00\x82\x80\x80\x80\x80\x00", "integer representation too long");
	/* the 5th byte may only use 4 bits */
	MALFORMED(HDR "\x05\x07\x01\x00\x82\x80\x80\x80\x10", "integer too large");
	MALFORMED(HDR "\x05\x07\x01\x00\x82\x80\x80\x80\x70", "integer too large");
	/* the largest u32: a table maximum */
	VALID(HDR "\x04\x09\x01\x70\x01\x00\xff\xff\xff\xff\x0f");
	/* a LEB that runs off the end */
	MALFORMED(HDR "\x05\x03\x01\x00\x82", "unexpected end");
}

TEST(decode_leb_signed)
{
	struct vm_module m;
	struct vm_error e;

	/* (global i32 (i32.const -1)) in five bytes */
	LOAD_OK(&m, &e, HDR "\x06\x0a\x01\x7f\x00\x41\xff\xff\xff\xff\x7f\x0b");
	CHECK_EQ_U64((uint32_t)m.globals[0].init.value, 0xffffffffu);
	done(&m);
	/* i32.const INT32_MIN */
	LOAD_OK(&m, &e, HDR "\x06\x0a\x01\x7f\x00\x41\x80\x80\x80\x80\x78\x0b");
	CHECK_EQ_U64((uint32_t)m.globals[0].init.value, 0x80000000u);
	done(&m);
	/* i32.const 63 and -64 in one byte */
	LOAD_OK(&m, &e, HDR "\x06\x0b\x02\x7f\x00\x41\x3f\x0b\x7f\x00\x41\x40\x0b");
	CHECK_EQ_U64((uint32_t)m.globals[0].init.value, 63);
	CHECK_EQ_U64((uint32_t)m.globals[1].init.value, 0xffffffc0u);
	done(&m);
	/* i64.const INT64_MIN and -1 in ten bytes */
	LOAD_OK(&m, &e, HDR "\x06\x1d\x02"
			  "\x7e\x00\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f\x0b"
			  "\x7e\x00\x42\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x0b");
	CHECK_EQ_U64(m.globals[0].init.value, 0x8000000000000000ull);
	CHECK_EQ_U64(m.globals[1].init.value, UINT64_MAX);
	done(&m);

	/* unused bits of the last byte must copy the sign bit */
	MALFORMED(HDR "\x06\x09\x01\x7f\x00\x41\x80\x80\x80\x80\x70\x0b", "integer too large");
	MALFORMED(HDR "\x06\x09\x01\x7f\x00\x41\xff\xff\xff\xff\x0f\x0b", "integer too large");
	MALFORMED(HDR "\x06\x0a\x01\x7f\x00\x41\x80\x80\x80\x80\x80\x00\x0b",
		  "integer representation too long");
	MALFORMED(HDR "\x06\x0e\x01\x7e\x00\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02\x0b",
		  "integer too large");
	MALFORMED(HDR "\x06\x0e\x01\x7e\x00\x42\xff\xff\xff\xff\xff\xff\xff\xff\xff\x41\x0b",
		  "integer too large");
	MALFORMED(HDR "\x06\x0f\x01\x7e\x00\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00\x0b",
		  "integer representation too long");
}

/* ---- names ------------------------------------------------------------------- */

TEST(decode_utf8)
{
	/* import "\xe2\x82\xac" (the euro sign) "" (global i32): valid */
	VALID(HDR "\x02\x09\x01\x03\xe2\x82\xac\x00\x03\x7f\x00");
	/* overlong NUL */
	MALFORMED(HDR "\x02\x08\x01\x02\xc0\x80\x00\x03\x7f\x00", "malformed UTF-8 encoding");
	/* a surrogate */
	MALFORMED(HDR "\x02\x09\x01\x03\xed\xa0\x80\x00\x03\x7f\x00", "malformed UTF-8 encoding");
	/* past U+10FFFF */
	MALFORMED(HDR "\x02\x0a\x01\x04\xf4\x90\x80\x80\x00\x03\x7f\x00", "malformed UTF-8 encoding");
	/* truncated sequence, then a stray continuation byte in the field name */
	MALFORMED(HDR "\x02\x08\x01\x02\xe2\x82\x00\x03\x7f\x00", "malformed UTF-8 encoding");
	MALFORMED(HDR "\x02\x07\x01\x00\x01\x80\x03\x7f\x00", "malformed UTF-8 encoding");
	/* export names are checked too */
	MALFORMED(HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"
		  "\x07\x05\x01\x01\xff\x00\x00" "\x0a\x04\x01\x02\x00\x0b",
		  "malformed UTF-8 encoding");
	/* names may contain NUL: kept with their length */
	VALID(HDR "\x02\x08\x01\x02\x00\x00\x00\x03\x7f\x00");
}

TEST(decode_custom)
{
	struct vm_module m;
	struct vm_error e;

	/* payload is never interpreted (except "name", and that tolerantly) */
	VALID(HDR "\x00\x06\x03" "abc" "\xff\xfe");
	VALID(HDR "\x00\x01\x00");
	MALFORMED(HDR "\x00", "unexpected end");
	MALFORMED(HDR "\x00\x00", "unexpected end");
	/* the name runs past the section */
	MALFORMED(HDR "\x00\x00\x00\x05\x01\x00\x07\x00\x00", "unexpected end");
	MALFORMED(HDR "\x00\x03\x02\xc0\x80", "malformed UTF-8 encoding");
	MALFORMED(HDR "\x00\x26\x10" "a custom section" "this is the payload", "length out of bounds");
	/* custom sections may sit anywhere */
	VALID(HDR "\x00\x01\x00" "\x01\x01\x00" "\x00\x01\x00" "\x03\x01\x00" "\x00\x01\x00");
	/* a damaged "name" section is ignored */
	LOAD_OK(&m, &e, HDR "\x00\x08\x04" "name" "\x01\x7f\xff");
	CHECK(m.func_names == NULL);
	done(&m);
	/* a function name with bad UTF-8 is dropped, the others kept */
	LOAD_OK(&m, &e, HDR "\x01\x04\x01\x60\x00\x00" "\x03\x03\x02\x00\x00"
			  "\x0a\x07\x02\x02\x00\x0b\x02\x00\x0b"
			  "\x00\x10\x04" "name" "\x01\x09\x02\x00\x02\xc0\x80\x01\x02" "ok");
	CHECK(m.func_names != NULL);
	if (m.func_names) {
		CHECK(m.func_names[0] == NULL);
		CHECK_STR(m.func_names[1], "ok");
	}
	done(&m);
}

/* ---- types ------------------------------------------------------------------ */

TEST(decode_value_types)
{
	MALFORMED(HDR "\x01\x05\x01\x60\x01\x7b\x00", "malformed value type");
	MALFORMED(HDR "\x01\x05\x01\x60\x01\x40\x00", "malformed value type");
	MALFORMED(HDR "\x01\x05\x01\x60\x00\x01\x6e", "malformed value type");
	MALFORMED(HDR "\x01\x05\x01\x60\x01\xff\x00", "integer representation too long");
	MALFORMED(HDR "\x01\x04\x01\x61\x00\x00", "malformed function type");
	MALFORMED(HDR "\x04\x04\x01\x7f\x00\x00", "malformed reference type");
	MALFORMED(HDR "\x06\x06\x01\x7b\x00\x41\x00\x0b", "malformed value type");
	MALFORMED(HDR "\x06\x06\x01\x7f\x02\x41\x00\x0b", "malformed mutability");
	MALFORMED(HDR "\x06\x06\x01\x7f\xff\x41\x00\x0b", "malformed mutability");
	MALFORMED(HDR "\x02\x06\x01\x00\x00\x03\x7f\x02", "malformed mutability");
	/* 21 value types: no key, so equality falls back to the arrays */
	VALID(HDR "\x01\x19\x01\x60\x15"
	      "\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f"
	      "\x00");
}

TEST(decode_limits)
{
	struct vm_module m;
	struct vm_error e;

	MALFORMED(HDR "\x04\x04\x01\x70\x02\x00", "integer too large");
	MALFORMED(HDR "\x04\x06\x01\x70\x81\x00\x00\x00", "integer representation too long");
	MALFORMED(HDR "\x05\x03\x01\x04\x00", "integer too large");
	MALFORMED(HDR "\x05\x05\x01\x81\x00\x00\x00", "integer representation too long");
	MALFORMED(HDR "\x05\x05\x01\x81\x01\x00\x00", "integer representation too long");
	/* memory limits flags 2 and 3: shared (threads proposal) */
	LOAD_OK(&m, &e, HDR "\x05\x04\x01\x03\x01\x05");
	CHECK(m.mems[0].shared && m.mems[0].has_max);
	CHECK_EQ_U64(m.mems[0].max, 5);
	done(&m);
	CHECK_EQ_U64(load(&m, &e, HDR "\x05\x03\x01\x02\x01", 8 + 5, true), VM_ERR_INVALID);
	CHECK(!strncmp(e.msg, "shared memory must have maximum", 31));
	done(&m);
	/* tables have no shared flag */
	MALFORMED(HDR "\x04\x05\x01\x70\x03\x00\x01", "integer too large");
	/* imported limits are decoded the same way */
	MALFORMED(HDR "\x02\x06\x01\x00\x00\x02\x08\x00", "integer too large");
}

/* ---- imports, exports ------------------------------------------------------- */

TEST(decode_import_export_kinds)
{
	MALFORMED(HDR "\x02\x04\x01\x00\x00\x04", "malformed import kind");
	MALFORMED(HDR "\x02\x05\x01\x00\x00\x05\x00", "malformed import kind");
	MALFORMED(HDR "\x02\x05\x01\x00\x00\x80\x00", "malformed import kind");
	MALFORMED(HDR "\x07\x04\x01\x00\x04\x00", "malformed export kind");
	/* one import declared, two given; two declared, one given */
	MALFORMED(HDR "\x01\x04\x01\x60\x00\x00" "\x02\x09\x01\x00\x00\x00\x00\x00\x00\x00\x00",
		  "section size mismatch");
	MALFORMED(HDR "\x01\x04\x01\x60\x00\x00" "\x02\x05\x02\x00\x00\x00\x00",
		  "unexpected end");
	/* two exports declared, one given: the second name's length is read
	 * from the next section, as the reference interpreter does */
	MALFORMED(HDR "\x01\x04\x01\x60\x00\x00" "\x03\x03\x02\x00\x00"
		  "\x07\x06\x02\x02\x66\x31\x00\x00"
		  "\x0a\x07\x02\x02\x00\x0b\x02\x00\x0b", "length out of bounds");
}

/* ---- constant expressions ----------------------------------------------------- */

TEST(decode_const_exprs)
{
	/* every constant instruction */
	VALID(HDR "\x01\x04\x01\x60\x00\x00"
	      "\x02\x06\x01\x00\x00\x03\x7f\x00"
	      "\x03\x02\x01\x00"
	      "\x06\x29\x06"
	      "\x7f\x00\x41\x05\x0b"
	      "\x7e\x00\x42\x05\x0b"
	      "\x7d\x00\x43\x00\x00\x80\x3f\x0b"
	      "\x7c\x00\x44\x00\x00\x00\x00\x00\x00\xf0\x3f\x0b"
	      "\x70\x00\xd2\x00\x0b"
	      "\x7f\x00\x23\x00\x0b"
	      "\x07\x05\x01\x01\x66\x00\x00"
	      "\x0a\x04\x01\x02\x00\x0b");
	/* unterminated: malformed */
	MALFORMED(HDR "\x06\x04\x01\x7f\x00\x41", "unexpected end");
	MALFORMED(HDR "\x06\x05\x01\x7f\x00\x41\x00", "unexpected end");
	MALFORMED(HDR "\x06\x06\x01\x7f\x00\x43\x00\x00", "unexpected end");
	/* a known but non-constant instruction: invalid */
	INVALID(HDR "\x06\x05\x01\x7f\x00\x01\x0b", "constant expression required");
	INVALID(HDR "\x06\x07\x01\x7f\x00\x41\x00\x68\x0b", "constant expression required");
	INVALID(HDR "\x06\x06\x01\x7f\x00\xfc\x00\x0b", "constant expression required");
	INVALID(HDR "\x06\x06\x01\x7f\x00\xfe\x10\x0b", "constant expression required");
	INVALID(HDR "\x06\x06\x01\x7f\x00\x20\x00\x0b", "constant expression required");
	/* no such opcode: malformed */
	MALFORMED(HDR "\x06\x05\x01\x7f\x00\xf3\x0b", "illegal opcode");
	MALFORMED(HDR "\x06\x05\x01\x7f\x00\x06\x0b", "illegal opcode");
	MALFORMED(HDR "\x06\x06\x01\x7f\x00\xfc\x40\x0b", "illegal opcode");
	MALFORMED(HDR "\x06\x06\x01\x7f\x00\xfe\x05\x0b", "illegal opcode");
	/* ref.null with a bad type */
	MALFORMED(HDR "\x06\x06\x01\x70\x00\xd0\x7f\x0b", "malformed reference type");
	/* wrong number of values: decoded, then a type error */
	INVALID(HDR "\x06\x04\x01\x7f\x00\x0b", "type mismatch");
	INVALID(HDR "\x06\x08\x01\x7f\x00\x41\x00\x41\x00\x0b", "type mismatch");
}

/* ---- element and data segments ----------------------------------------------- */

/* One segment of each of the 8 forms, against a funcref table and func 0. */
TEST(decode_elem_forms)
{
	struct vm_module m;
	struct vm_error e;
	static const char mod[] = HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"
		"\x04\x04\x01\x70\x00\x02"
		"\x09\x32\x08"
		"\x00\x41\x00\x0b\x01\x00"                /* 0: active, table 0, indices */
		"\x01\x00\x01\x00"                        /* 1: passive, elemkind, indices */
		"\x02\x00\x41\x01\x0b\x00\x01\x00"        /* 2: active, table 0, elemkind */
		"\x03\x00\x01\x00"                        /* 3: declarative, elemkind */
		"\x04\x41\x00\x0b\x01\xd2\x00\x0b"        /* 4: active, table 0, exprs */
		"\x05\x70\x01\xd0\x70\x0b"                /* 5: passive, reftype, exprs */
		"\x06\x00\x41\x01\x0b\x70\x01\xd2\x00\x0b" /* 6: active, table, reftype */
		"\x07\x70\x00"                            /* 7: declarative, no items */
		"\x0a\x04\x01\x02\x00\x0b";
	static const uint8_t mode[8] = {
		VM_SEG_ACTIVE, VM_SEG_PASSIVE, VM_SEG_ACTIVE, VM_SEG_DECLARATIVE,
		VM_SEG_ACTIVE, VM_SEG_PASSIVE, VM_SEG_ACTIVE, VM_SEG_DECLARATIVE,
	};

	LOAD_OK(&m, &e, mod);
	CHECK_EQ_U64(m.nelems, 8);
	for (uint32_t i = 0; i < 8 && i < m.nelems; i++) {
		CHECK_EQ_U64(m.elems[i].mode, mode[i]);
		CHECK_EQ_U64(m.elems[i].elemtype, VM_FUNCREF);
	}
	CHECK_EQ_U64(m.elems[2].offset.value, 1);
	CHECK_EQ_U64(m.elems[5].init[0].kind, VM_CONST_REF_NULL);
	CHECK_EQ_U64(m.elems[7].count, 0);
	CHECK(bit(m.declared_funcs, 0));
	done(&m);

	MALFORMED(HDR "\x09\x03\x01\x08\x00", "malformed elements segment kind");
	MALFORMED(HDR "\x09\x04\x01\x01\x01\x00", "malformed element kind");
	MALFORMED(HDR "\x09\x06\x01\x05\x7f\x01\xd2\x00", "malformed reference type");
	MALFORMED(HDR "\x09\x07\x02\x00\x41\x00\x0b\x01\x00", "unexpected end");
	/* elem function indices out of range are a validation matter */
	INVALID(HDR "\x04\x04\x01\x70\x00\x01" "\x09\x07\x01\x00\x41\x00\x0b\x01\x05",
		"unknown function");
}

TEST(decode_data)
{
	MALFORMED(HDR "\x05\x03\x01\x00\x01" "\x0b\x03\x01\x03\x00", "malformed data segment kind");
	MALFORMED(HDR "\x05\x03\x01\x00\x01" "\x0b\x0c\x01\x00\x41\x03\x0b\x07" "abcdef",
		  "unexpected end");
	MALFORMED(HDR "\x05\x03\x01\x00\x01" "\x0b\x0c\x01\x00\x41\x00\x0b\x05" "abcdef",
		  "section size mismatch");
	VALID(HDR "\x05\x03\x01\x00\x01" "\x0b\x0b\x02\x01\x01" "a" "\x02\x00\x41\x00\x0b\x01" "b");
	/* data count */
	MALFORMED(HDR "\x0c\x01\x03" "\x0b\x05\x02\x01\x00\x01\x00",
		  "data count and data section have inconsistent lengths");
	MALFORMED(HDR "\x0c\x01\x01" "\x0b\x05\x02\x01\x00\x01\x00",
		  "data count and data section have inconsistent lengths");
	MALFORMED(HDR "\x0c\x01\x01", "data count and data section have inconsistent lengths");
	VALID(HDR "\x0c\x01\x00");
	VALID(HDR "\x0c\x01\x02" "\x0b\x05\x02\x01\x00\x01\x00");
}

/* ---- code ----------------------------------------------------------------------- */

TEST(decode_code_counts)
{
	MALFORMED(HDR "\x01\x04\x01\x60\x00\x00" "\x03\x03\x02\x00\x00",
		  "function and code section have inconsistent lengths");
	MALFORMED(HDR "\x0a\x04\x01\x02\x00\x0b",
		  "function and code section have inconsistent lengths");
	MALFORMED(HDR "\x01\x04\x01\x60\x00\x00" "\x03\x03\x02\x00\x00" "\x0a\x04\x01\x02\x00\x0b",
		  "function and code section have inconsistent lengths");
	MALFORMED(HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x07\x02\x02\x00\x0b\x02\x00\x0b",
		  "function and code section have inconsistent lengths");
	VALID(HDR "\x03\x01\x00");
	VALID(HDR "\x0a\x01\x00");
	/* a body longer than the module */
	MALFORMED(HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x04\x01\x09\x00\x0b",
		  "length out of bounds");
}

TEST(decode_locals)
{
	struct vm_module m;
	struct vm_error e;

#define T1 HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"
	/* compressed groups, zero-count groups allowed */
	LOAD_OK(&m, &e, T1 "\x0a\x0a\x01\x08\x03\x00\x7f\x02\x7e\x01\x70\x0b");
	CHECK_EQ_U64(m.funcs[0].nlocals, 3);
	CHECK_MEM(m.funcs[0].local_types, "\x7e\x7e\x70", 3);
	done(&m);
	/* exactly the limit, then one more */
	VALID(T1 "\x0a\x08\x01\x06\x01\xd0\x86\x03\x7f\x0b");
	MALFORMED(T1 "\x0a\x08\x01\x06\x01\xd1\x86\x03\x7f\x0b", "too many locals");
	/* two groups that only together pass the limit: 25000 + 25001 */
	MALFORMED(T1 "\x0a\x0b\x01\x09\x02\xa8\xc3\x01\x7f\xa9\xc3\x01\x7e\x0b",
		  "too many locals");
	MALFORMED(T1 "\x0a\x0c\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b", "too many locals");
	MALFORMED(T1 "\x0a\x0c\x01\x0a\x02\x80\x80\x80\x80\x10\x7f\x02\x7e\x0b", "integer too large");
	MALFORMED(T1 "\x0a\x06\x01\x04\x01\x01\x7b\x0b", "malformed value type");
	/* local declarations that run past the body */
	MALFORMED(T1 "\x0a\x06\x01\x02\x01\x01\x7f\x0b", "section size mismatch");
#undef T1
}

/* Thousands of locals cost a few bytes each to declare: the module as a
 * whole may not declare more than it can justify. */
TEST(decode_locals_budget)
{
	enum { NF = 40 };
	uint8_t b[8 + 6 + 3 + NF + 4 + NF * 7];
	size_t n = 0;
	struct vm_module m;
	struct vm_error e;

	memcpy(b, HDR, 8);
	n = 8;
	memcpy(b + n, "\x01\x04\x01\x60\x00\x00", 6), n += 6;
	b[n++] = 0x03, b[n++] = NF + 1, b[n++] = NF;
	for (int i = 0; i < NF; i++)
		b[n++] = 0;
	b[n++] = 0x0a, b[n++] = 0x99, b[n++] = 0x02, b[n++] = NF; /* 1 + 7 * NF = 281 */
	for (int i = 0; i < NF; i++)
		memcpy(b + n, "\x06\x01\xd0\x86\x03\x7f\x0b", 7), n += 7;
	CHECK_EQ_U64(n, sizeof b);
	CHECK_EQ_U64(load(&m, &e, b, n, true), VM_ERR_MALFORMED);
	CHECK(!strncmp(e.msg, "too many locals", 15));
	done(&m);
}

TEST(decode_body_end)
{
#define T2 HDR "\x01\x04\x01\x60\x00\x00" "\x03\x03\x02\x00\x00"
#define T1 HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"
	/* missing end between two functions, at the end of the module, and
	 * before the next section: the reference interpreter's three messages */
	MALFORMED(T2 "\x0a\x0c\x02\x04\x00\x41\x01\x1a\x05\x00\x41\x01\x1a\x0b", "END opcode expected");
	MALFORMED(T1 "\x0a\x06\x01\x04\x00\x41\x01\x1a", "unexpected end of section or function");
	MALFORMED(T1 "\x0a\x06\x01\x04\x00\x41\x01\x1a" "\x0b\x03\x01\x01\x00", "section size mismatch");
	/* an empty body has no end either */
	MALFORMED(T1 "\x0a\x03\x01\x01\x00", "unexpected end");
	MALFORMED(T1 "\x0a\x02\x01\x00", "unexpected end");
#undef T1
#undef T2
}

/* ---- sweeps -------------------------------------------------------------------- */

static bool
clean(int r)
{
	return r == 0 || r == VM_ERR_MALFORMED || r == VM_ERR_INVALID;
}

/* Every prefix of the big module decodes or fails cleanly; a cut inside the
 * header or inside a section is always malformed. */
TEST(decode_truncation_sweep)
{
	size_t accepted = 0;

	for (size_t n = 0; n <= RICH_LEN; n++) {
		struct vm_module m;
		struct vm_error e;
		int r = load(&m, &e, rich, n, true);

		if (!clean(r))
			unit_fail(__FILE__, __LINE__, "prefix %zu: kind %d %s", n, r, e.msg);
		if (n < 8 && r != VM_ERR_MALFORMED)
			unit_fail(__FILE__, __LINE__, "prefix %zu of the header accepted", n);
		accepted += r == 0;
		done(&m);
	}
	/* the header alone, cuts after the type and import sections and
	 * before the name section, and the module itself */
	CHECK_EQ_U64(accepted, 5);
}

/* Every single-bit change of the big module decodes or fails cleanly. */
TEST(decode_bitflip_sweep)
{
	uint8_t *b = malloc(RICH_LEN);
	unsigned changed = 0;

	if (!b)
		return;
	for (size_t i = 0; i < RICH_LEN; i++) {
		for (int k = 0; k < 8; k++) {
			struct vm_module m;
			struct vm_error e;
			int r;

			memcpy(b, rich, RICH_LEN);
			b[i] ^= (uint8_t)(1u << k);
			r = load(&m, &e, b, RICH_LEN, true);
			if (!clean(r))
				unit_fail(__FILE__, __LINE__, "byte %zu bit %d: kind %d %s", i, k, r, e.msg);
			changed += r != 0;
			done(&m);
		}
	}
	free(b);
	CHECK(changed > RICH_LEN * 4);
}

/* Random bytes after a valid header, and random section frames. */
TEST(decode_random_sweep)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;
	uint8_t b[96];

	for (int iter = 0; iter < 20000; iter++) {
		struct vm_module m;
		struct vm_error e;
		size_t n = 8 + (size_t)(iter % 88);
		int r;

		memcpy(b, HDR, 8);
		for (size_t i = 8; i < n; i++) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			b[i] = (uint8_t)s;
			/* bias towards plausible section ids and small LEBs */
			if ((s >> 8) % 4 == 0)
				b[i] &= 0x0f;
		}
		r = load(&m, &e, b, n, true);
		if (!clean(r))
			unit_fail(__FILE__, __LINE__, "iteration %d: kind %d %s", iter, r, e.msg);
		done(&m);
	}
}

/* ---- module.c --------------------------------------------------------------------- */

TEST(module_helpers)
{
	struct vm_error e;
	uint8_t t1[] = { VM_I32 }, t2[] = { VM_I32, VM_I32 };
	struct vm_functype a = { 1, 0, t1, 0 }, b = { 0, 1, t1, 0 }, c = { 1, 0, t1, 0 };
	struct vm_functype d = { 1, 1, t2, 0 }, f = { 2, 0, t2, 0 };

	CHECK_EQ_U64(vm_hash64((const uint8_t *)"", 0), 0xcbf29ce484222325ull);
	CHECK_EQ_U64(vm_hash64((const uint8_t *)"a", 1), 0xaf63dc4c8601ec8cull);
	CHECK_EQ_U64(vm_hash64((const uint8_t *)"foobar", 6), 0x85944171f73967e8ull);

	CHECK_EQ_U64(vm_err(NULL, VM_ERR_TRAP, 0, "x"), VM_ERR_TRAP);
	CHECK_EQ_U64(vm_err(&e, VM_ERR_LINK, 7, "%s %d", "n", 5), VM_ERR_LINK);
	CHECK_EQ_U64(e.kind, VM_ERR_LINK);
	CHECK_EQ_U64(e.offset, 7);
	CHECK_STR(e.msg, "n 5");
	vm_err(&e, VM_ERR_LINK, 0, "%0300d", 1);
	CHECK_EQ_U64(strlen(e.msg), sizeof e.msg - 1);

	/* without keys, structure decides */
	CHECK(vm_functype_equal(&a, &c));
	CHECK(!vm_functype_equal(&a, &b));
	CHECK(!vm_functype_equal(&d, &f));
	CHECK(!vm_functype_equal(&a, &f));
}

/* Keys computed by the decoder: equal exactly when the signatures are. */
TEST(module_functype_keys)
{
	struct vm_module m;
	struct vm_error e;
	/* [i32]->[], []->[i32], [i32]->[], [i32 i32]->[], [i32]->[i32], [funcref]->[] */
	static const char mod[] = HDR "\x01\x1b\x06"
		"\x60\x01\x7f\x00" "\x60\x00\x01\x7f" "\x60\x01\x7f\x00"
		"\x60\x02\x7f\x7f\x00" "\x60\x01\x7f\x01\x7f" "\x60\x01\x70\x00";

	LOAD_OK(&m, &e, mod);
	for (uint32_t i = 0; i < 6; i++) {
		for (uint32_t j = 0; j < 6; j++) {
			bool same = (i == j) || (i == 0 && j == 2) || (i == 2 && j == 0);
			struct vm_functype x = m.types[i];

			CHECK(m.types[i].key != 0);
			CHECK_EQ_U64(m.types[i].key == m.types[j].key, same);
			CHECK_EQ_U64(vm_functype_equal(&m.types[i], &m.types[j]), same);
			x.key = 0; /* the slow path agrees */
			CHECK_EQ_U64(vm_functype_equal(&x, &m.types[j]), same);
		}
	}
	done(&m);
}

TEST(module_load_ref_unref)
{
	struct vm_error e;
	struct vm_module *m = vm_module_load(rich, RICH_LEN, &e);

	CHECK(m != NULL);
	if (!m) {
		unit_fail(__FILE__, __LINE__, "%s", e.msg);
		return;
	}
	CHECK_EQ_U64(m->refcount, 1);
	CHECK(m->bytes != rich);
	CHECK_MEM(m->bytes, rich, RICH_LEN);
	vm_module_ref(m);
	CHECK_EQ_U64(m->refcount, 2);
	vm_module_unref(m);
	CHECK_EQ_U64(m->refcount, 1);
	CHECK_EQ_U64(vm_module_find_export(m, "h", 1, VM_EXT_GLOBAL), 3);
	vm_module_unref(m);
	vm_module_unref(NULL);

	CHECK(vm_module_load((const uint8_t *)"\x00" "asm\x01", 5, &e) == NULL);
	CHECK_EQ_U64(e.kind, VM_ERR_MALFORMED);
	CHECK(vm_module_load(NULL, 0, &e) == NULL);
	CHECK_EQ_U64(e.kind, VM_ERR_MALFORMED);
	CHECK(vm_module_load((const uint8_t *)HDR "\x05\x03\x01\x00\x01\x05\x03\x01\x00\x01",
			     18, NULL) == NULL);
}
