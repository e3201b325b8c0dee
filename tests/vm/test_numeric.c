/*
 * test_numeric.c - the instruction table (src/vm/ops.def) and the numeric
 * semantics behind it (src/vm/numeric.h), tested without the interpreter.
 *
 * ops.def is included twice: once to turn every body into a small function
 * over raw 64-bit slots (as the interpreter sees values), once to build a
 * table of rows with those functions, looked up by name. Hand-written edge
 * cases come first; then every assert_return/assert_trap of the spec's
 * numeric test files whose function is a single instruction is evaluated
 * through the same table (skipped when the testsuite is absent).
 */
#include "unit.h"
#include "vm/numeric.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- the table, generated from ops.def ------------------------------------ */

enum kind { K_UN, K_BIN, K_LOAD, K_STORE, K_ALOAD, K_ASTORE, K_RMW, K_CMPXCHG };
enum ty { T_I32, T_I64, T_F32, T_F64 };

struct op {
	const char *name;
	enum kind kind;
	uint32_t prefix, opcode;
	enum ty in, out;       /* UN/BIN: operand and result; memory ops: value */
	unsigned nbytes;
	int is_signed;
	/* UN/BIN: returns 1 and sets *trap on a trap; slots as in vm.h */
	int (*fn)(const uint64_t *args, uint64_t *res, const char **trap);
	/* RMW: new value from old value and operand */
	uint64_t (*rmw)(uint64_t old, uint64_t operand);
};

#define CT_I32 uint32_t
#define CT_I64 uint64_t
#define CT_F32 float
#define CT_F64 double
#define GET_I32(s) ((uint32_t)(s))
#define GET_I64(s) ((uint64_t)(s))
#define GET_F32(s) u32_to_f32((uint32_t)(s))
#define GET_F64(s) u64_to_f64(s)
#define PUT_I32(v) ((uint64_t)(v))
#define PUT_I64(v) ((uint64_t)(v))
#define PUT_F32(v) ((uint64_t)f32_to_u32(v))
#define PUT_F64(v) f64_to_u64(v)

#define TRAP(msg)                   \
	do {                        \
		*trap = (msg);      \
		return 1;           \
	} while (0)

#define UNOP(name, prefix, opcode, in, out, body)                              \
	static int un_##name(const uint64_t *args, uint64_t *res, const char **trap) \
	{                                                                      \
		CT_##in a = GET_##in(args[0]);                                 \
		CT_##out r;                                                    \
		(void)trap;                                                    \
		body;                                                          \
		*res = PUT_##out(r);                                           \
		return 0;                                                      \
	}
#define BINOP(name, prefix, opcode, in, out, body)                             \
	static int bin_##name(const uint64_t *args, uint64_t *res, const char **trap) \
	{                                                                      \
		CT_##in a = GET_##in(args[0]);                                 \
		CT_##in b = GET_##in(args[1]);                                 \
		CT_##out r;                                                    \
		(void)trap;                                                    \
		body;                                                          \
		*res = PUT_##out(r);                                           \
		return 0;                                                      \
	}
#define ATOMIC_RMW(name, opcode, t, nbytes, body)                              \
	static uint64_t rmw_##name(uint64_t old, uint64_t operand)             \
	{                                                                      \
		CT_##t a = (CT_##t)old;                                        \
		CT_##t b = (CT_##t)operand;                                    \
		CT_##t r;                                                      \
		(void)a;                                                       \
		body;                                                          \
		return r;                                                      \
	}
#include "vm/ops.def"
#undef TRAP

static const struct op ops[] = {
#define UNOP(name, prefix, opcode, in, out, body) \
	{ #name, K_UN, prefix, opcode, T_##in, T_##out, 0, 0, un_##name, NULL },
#define BINOP(name, prefix, opcode, in, out, body) \
	{ #name, K_BIN, prefix, opcode, T_##in, T_##out, 0, 0, bin_##name, NULL },
#define LOADOP(name, prefix, opcode, out, nbytes, is_signed) \
	{ #name, K_LOAD, prefix, opcode, T_##out, T_##out, nbytes, is_signed, NULL, NULL },
#define STOREOP(name, prefix, opcode, in, nbytes) \
	{ #name, K_STORE, prefix, opcode, T_##in, T_##in, nbytes, 0, NULL, NULL },
#define ATOMIC_LOAD(name, opcode, out, nbytes) \
	{ #name, K_ALOAD, 0xFE, opcode, T_##out, T_##out, nbytes, 0, NULL, NULL },
#define ATOMIC_STORE(name, opcode, in, nbytes) \
	{ #name, K_ASTORE, 0xFE, opcode, T_##in, T_##in, nbytes, 0, NULL, NULL },
#define ATOMIC_RMW(name, opcode, t, nbytes, body) \
	{ #name, K_RMW, 0xFE, opcode, T_##t, T_##t, nbytes, 0, NULL, rmw_##name },
#define ATOMIC_CMPXCHG(name, opcode, t, nbytes) \
	{ #name, K_CMPXCHG, 0xFE, opcode, T_##t, T_##t, nbytes, 0, NULL, NULL },
#include "vm/ops.def"
};
#define NOPS (sizeof ops / sizeof ops[0])

/* Every macro must be gone again after an include. */
#if defined(UNOP) || defined(BINOP) || defined(LOADOP) || defined(STOREOP) || \
	defined(ATOMIC_LOAD) || defined(ATOMIC_STORE) || defined(ATOMIC_RMW) || \
	defined(ATOMIC_CMPXCHG)
#error "ops.def left a macro defined"
#endif

static const struct op *
find_n(const char *name, size_t len)
{
	for (size_t i = 0; i < NOPS; i++)
		if (strlen(ops[i].name) == len && memcmp(ops[i].name, name, len) == 0)
			return &ops[i];
	return NULL;
}

static const struct op *
find(const char *name)
{
	return find_n(name, strlen(name));
}

/* ---- calling rows ------------------------------------------------------ */

static const char *trapped;   /* trap message of the last call, or NULL */

/* Runs a UN/BIN row on slot bits; b is ignored by unary rows. */
static uint64_t
call2(const char *name, uint64_t a, uint64_t b)
{
	const struct op *o = find(name);
	uint64_t args[2] = { a, b }, r = 0;

	trapped = NULL;
	if (!o || !o->fn) {
		unit_fail(__FILE__, __LINE__, "no arithmetic row named %s", name);
		trapped = "(no such row)";
		return 0;
	}
	if (o->fn(args, &r, &trapped) == 0)
		trapped = NULL;
	/* i32/f32 results live in the low half; the upper bits are unspecified. */
	if (o->out == T_I32 || o->out == T_F32)
		r &= 0xffffffffu;
	return r;
}

static uint64_t
call1(const char *name, uint64_t a)
{
	return call2(name, a, 0);
}

/* Trap message of name(a, b), or NULL if it did not trap. */
static const char *
trap2(const char *name, uint64_t a, uint64_t b)
{
	call2(name, a, b);
	return trapped;
}

#define F32(x) ((uint64_t)f32_to_u32((float)(x)))
#define F64(x) f64_to_u64((double)(x))
#define I32(x) ((uint64_t)(uint32_t)(x))

static bool
is_f32_nan(uint64_t bits)
{
	return (bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0;
}

static bool
is_f32_quiet_nan(uint64_t bits)
{
	return (bits & 0x7fc00000u) == 0x7fc00000u;
}

static bool
is_f64_quiet_nan(uint64_t bits)
{
	return (bits & 0x7ff8000000000000u) == 0x7ff8000000000000u;
}

/* ---- the table itself ---------------------------------------------------- */

static int
type_of_prefix(const char *s)
{
	static const char *names[] = { [T_I32] = "i32", [T_I64] = "i64",
				       [T_F32] = "f32", [T_F64] = "f64" };
	for (int t = T_I32; t <= T_F64; t++)
		if (strncmp(s, names[t], 3) == 0)
			return t;
	return -1;
}

TEST(numeric_table_opcodes)
{
	/* Which opcodes must have exactly one row: all of 0x28..0x3E and
	 * 0x45..0xC4, 0xFC 0..7, 0xFE 0x10..0x4E; nothing else. */
	unsigned seen_plain[256] = { 0 }, seen_fc[8] = { 0 }, seen_fe[256] = { 0 };

	CHECK_EQ_U64(NOPS, 222);
	for (size_t i = 0; i < NOPS; i++) {
		const struct op *o = &ops[i];
		if (o->prefix == 0 && o->opcode < 256)
			seen_plain[o->opcode]++;
		else if (o->prefix == 0xFC && o->opcode < 8)
			seen_fc[o->opcode]++;
		else if (o->prefix == 0xFE && o->opcode < 256)
			seen_fe[o->opcode]++;
		else
			unit_fail(__FILE__, __LINE__, "%s: bad prefix/opcode", o->name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(ops[j].name, o->name) == 0)
				unit_fail(__FILE__, __LINE__, "%s: duplicate name", o->name);
	}
	for (unsigned op = 0; op < 256; op++) {
		unsigned want = (op >= 0x28 && op <= 0x3E) || (op >= 0x45 && op <= 0xC4);
		if (seen_plain[op] != want)
			unit_fail(__FILE__, __LINE__, "opcode 0x%02x: %u rows", op, seen_plain[op]);
		want = op >= 0x10 && op <= 0x4E;
		if (seen_fe[op] != want)
			unit_fail(__FILE__, __LINE__, "opcode 0xFE 0x%02x: %u rows", op, seen_fe[op]);
	}
	for (unsigned op = 0; op < 8; op++)
		CHECK_EQ_U64(seen_fc[op], 1);

	/* Spot checks against the binary format's opcode table. */
	CHECK_EQ_U64(find("i32_add")->opcode, 0x6A);
	CHECK_EQ_U64(find("f64_copysign")->opcode, 0xA6);
	CHECK_EQ_U64(find("i64_trunc_sat_f64_u")->opcode, 7);
	CHECK_EQ_U64(find("i64_trunc_sat_f64_u")->prefix, 0xFC);
	CHECK_EQ_U64(find("i32_atomic_rmw_add")->opcode, 0x1E);
	CHECK_EQ_U64(find("i64_atomic_rmw32_xchg_u")->opcode, 0x47);
	CHECK_EQ_U64(find("i64_atomic_rmw32_cmpxchg_u")->opcode, 0x4E);
	CHECK_EQ_U64(find("i64_load32_u")->opcode, 0x35);
	CHECK_EQ_U64(find("i64_store32")->opcode, 0x3E);
}

/* Stems of the binary arithmetic rows; everything else UN/BIN is unary. */
static const char *binary_stems[] = {
	"eq", "ne", "lt", "gt", "le", "ge", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u",
	"ge_s", "ge_u", "add", "sub", "mul", "div", "div_s", "div_u", "rem_s", "rem_u",
	"and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr", "min", "max", "copysign",
};
static const char *compare_stems[] = {
	"eqz", "eq", "ne", "lt", "gt", "le", "ge", "lt_s", "lt_u", "gt_s", "gt_u",
	"le_s", "le_u", "ge_s", "ge_u",
};

static bool
in_list(const char *s, const char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

TEST(numeric_table_types)
{
	/* Types, arity and widths follow from the names: a second, independent
	 * statement of the table that catches copy-paste slips in rows. */
	for (size_t i = 0; i < NOPS; i++) {
		const struct op *o = &ops[i];
		const char *stem = o->name + 4;
		int prefix = type_of_prefix(o->name);
		const char *x = NULL;

		if (prefix < 0 || o->name[3] != '_') {
			unit_fail(__FILE__, __LINE__, "%s: no type prefix", o->name);
			continue;
		}
		if (o->kind == K_UN || o->kind == K_BIN) {
			bool cmp = in_list(stem, compare_stems, sizeof compare_stems / sizeof *compare_stems);
			bool bin = in_list(stem, binary_stems, sizeof binary_stems / sizeof *binary_stems);
			int in = prefix;
			/* conversions name their source: i32_trunc_f64_s, f32_convert_i64_u */
			for (const char *p = stem; (p = strchr(p, '_')) != NULL; p++)
				if (type_of_prefix(p + 1) >= 0)
					x = p + 1;
			if (x)
				in = type_of_prefix(x);
			if ((o->kind == K_BIN) != bin)
				unit_fail(__FILE__, __LINE__, "%s: wrong arity", o->name);
			if ((int)o->in != in)
				unit_fail(__FILE__, __LINE__, "%s: wrong operand type", o->name);
			if ((int)o->out != (cmp ? T_I32 : prefix))
				unit_fail(__FILE__, __LINE__, "%s: wrong result type", o->name);
			continue;
		}
		/* memory rows: the value type is the prefix; width from the name */
		unsigned width = (prefix == T_I32 || prefix == T_F32) ? 4 : 8;
		if (strstr(stem, "8"))
			width = 1;
		else if (strstr(stem, "16"))
			width = 2;
		else if (strstr(stem, "32"))
			width = 4;
		if ((int)o->in != prefix || o->nbytes != width)
			unit_fail(__FILE__, __LINE__, "%s: wrong type or width", o->name);
		size_t len = strlen(o->name);
		int sgn = len > 2 && strcmp(o->name + len - 2, "_s") == 0;
		if (o->is_signed != sgn)
			unit_fail(__FILE__, __LINE__, "%s: wrong signedness", o->name);
		bool atomic = strncmp(stem, "atomic_", 7) == 0;
		if (atomic != (o->prefix == 0xFE))
			unit_fail(__FILE__, __LINE__, "%s: atomic prefix", o->name);
		if (atomic && (o->in == T_F32 || o->in == T_F64))
			unit_fail(__FILE__, __LINE__, "%s: float atomic", o->name);
	}
}

/* ---- integer arithmetic -------------------------------------------------- */

TEST(numeric_int_division_traps)
{
	static const char *divs[] = { "i32_div_s", "i32_div_u", "i32_rem_s", "i32_rem_u",
				      "i64_div_s", "i64_div_u", "i64_rem_s", "i64_rem_u" };
	for (size_t i = 0; i < 8; i++) {
		CHECK_STR(trap2(divs[i], 1, 0), "integer divide by zero");
		CHECK_STR(trap2(divs[i], 0, 0), "integer divide by zero");
		CHECK_STR(trap2(divs[i], 0x80000000u, 0), "integer divide by zero");
	}
	/* i32 operands come in slots whose upper half is garbage */
	CHECK_STR(trap2("i32_div_u", 7, 0xdeadbeef00000000u), "integer divide by zero");
	CHECK_EQ_U64(call2("i32_add", 0xffffffff00000001u, 0x1234567800000002u), 3);

	CHECK_STR(trap2("i32_div_s", 0x80000000u, 0xffffffffu), "integer overflow");
	CHECK_STR(trap2("i64_div_s", 0x8000000000000000u, UINT64_MAX), "integer overflow");
	CHECK_EQ_U64(call2("i32_rem_s", 0x80000000u, 0xffffffffu), 0);
	CHECK(trapped == NULL);
	CHECK_EQ_U64(call2("i64_rem_s", 0x8000000000000000u, UINT64_MAX), 0);
	CHECK(trapped == NULL);
	CHECK_EQ_U64(call2("i32_div_u", 0x80000000u, 0xffffffffu), 0);
	CHECK_EQ_U64(call2("i32_div_s", 0x80000000u, 2), 0xc0000000u);
	CHECK_EQ_U64(call2("i32_div_s", I32(-7), 2), I32(-3));
	CHECK_EQ_U64(call2("i32_div_s", 7, I32(-2)), I32(-3));
	CHECK_EQ_U64(call2("i32_rem_s", I32(-7), 2), I32(-1));
	CHECK_EQ_U64(call2("i32_rem_s", 7, I32(-2)), 1);
	CHECK_EQ_U64(call2("i32_rem_u", I32(-7), 2), 1);
	CHECK_EQ_U64(call2("i64_div_s", (uint64_t)-7, 2), (uint64_t)-3);
	CHECK_EQ_U64(call2("i64_rem_s", (uint64_t)-7, 2), (uint64_t)-1);
	CHECK_EQ_U64(call2("i64_rem_s", 0x8000000000000000u, 2), 0);
	CHECK_EQ_U64(call2("i64_div_u", UINT64_MAX, 2), 0x7fffffffffffffffu);
	CHECK_EQ_U64(call2("i32_mul", 0x10000u, 0x10000u), 0);
	CHECK_EQ_U64(call2("i64_mul", 0x0123456789abcdefu, 0xfedcba9876543210u),
		     0x2236d88fe5618cf0u);
	CHECK_EQ_U64(call2("i32_sub", 0, 1), 0xffffffffu);
}

TEST(numeric_int_compare)
{
	CHECK_EQ_U64(call2("i32_lt_s", 0x80000000u, 0), 1);
	CHECK_EQ_U64(call2("i32_lt_u", 0x80000000u, 0), 0);
	CHECK_EQ_U64(call2("i32_ge_s", 0x7fffffffu, 0x80000000u), 1);
	CHECK_EQ_U64(call2("i32_le_s", 0xffffffffu, 0xffffffffu), 1);
	CHECK_EQ_U64(call2("i32_gt_s", 0xffffffffu, 0), 0);
	CHECK_EQ_U64(call2("i32_gt_u", 0xffffffffu, 0), 1);
	CHECK_EQ_U64(call2("i64_lt_s", 0x8000000000000000u, 0x7fffffffffffffffu), 1);
	CHECK_EQ_U64(call2("i64_gt_u", 0x8000000000000000u, 0x7fffffffffffffffu), 1);
	CHECK_EQ_U64(call1("i32_eqz", 0), 1);
	CHECK_EQ_U64(call1("i32_eqz", 0x100000000u), 1);  /* upper half ignored */
	CHECK_EQ_U64(call1("i64_eqz", 0x100000000u), 0);
}

TEST(numeric_shifts_and_rotates)
{
	/* counts are taken modulo the width, never UB */
	CHECK_EQ_U64(call2("i32_shl", 1, 32), 1);
	CHECK_EQ_U64(call2("i32_shl", 1, 33), 2);
	CHECK_EQ_U64(call2("i32_shl", 1, 0xffffffffu), 0x80000000u);
	CHECK_EQ_U64(call2("i32_shr_u", 0x80000000u, 63), 1);
	CHECK_EQ_U64(call2("i32_shr_s", 0x80000000u, 31), 0xffffffffu);
	CHECK_EQ_U64(call2("i32_shr_s", 0x80000000u, 32), 0x80000000u);
	CHECK_EQ_U64(call2("i32_shr_s", 0x40000000u, 30), 1);
	CHECK_EQ_U64(call2("i64_shl", 1, 64), 1);
	CHECK_EQ_U64(call2("i64_shl", 1, 127), 0x8000000000000000u);
	CHECK_EQ_U64(call2("i64_shr_s", 0x8000000000000000u, 63), UINT64_MAX);
	CHECK_EQ_U64(call2("i64_shr_s", 0x8000000000000000u, 64), 0x8000000000000000u);
	CHECK_EQ_U64(call2("i64_shr_u", 0x8000000000000000u, 0xffffffffffffff3fu), 1);
	CHECK_EQ_U64(call2("i32_rotl", 0x80000001u, 0), 0x80000001u);
	CHECK_EQ_U64(call2("i32_rotl", 0x80000001u, 1), 3);
	CHECK_EQ_U64(call2("i32_rotl", 0x80000001u, 32), 0x80000001u);
	CHECK_EQ_U64(call2("i32_rotr", 0x80000001u, 1), 0xc0000000u);
	CHECK_EQ_U64(call2("i32_rotr", 0x12345678u, 36), 0x81234567u);
	CHECK_EQ_U64(call2("i64_rotl", 0x8000000000000001u, 65), 3);
	CHECK_EQ_U64(call2("i64_rotr", 1, 0), 1);
	CHECK_EQ_U64(call2("i64_rotr", 1, 1), 0x8000000000000000u);
}

TEST(numeric_bit_counts)
{
	CHECK_EQ_U64(call1("i32_clz", 0), 32);
	CHECK_EQ_U64(call1("i32_ctz", 0), 32);
	CHECK_EQ_U64(call1("i64_clz", 0), 64);
	CHECK_EQ_U64(call1("i64_ctz", 0), 64);
	CHECK_EQ_U64(call1("i32_clz", 1), 31);
	CHECK_EQ_U64(call1("i32_clz", 0x80000000u), 0);
	CHECK_EQ_U64(call1("i32_ctz", 0x80000000u), 31);
	CHECK_EQ_U64(call1("i64_clz", 1), 63);
	CHECK_EQ_U64(call1("i64_ctz", 0x8000000000000000u), 63);
	CHECK_EQ_U64(call1("i32_popcnt", 0xffffffffu), 32);
	CHECK_EQ_U64(call1("i32_popcnt", 0xffffffff00000000u), 0);  /* upper half ignored */
	CHECK_EQ_U64(call1("i64_popcnt", UINT64_MAX), 64);
	CHECK_EQ_U64(call1("i64_popcnt", 0xdeadbeefdeadbeefu), 48);
}

TEST(numeric_sign_extension)
{
	CHECK_EQ_U64(call1("i32_extend8_s", 0x80), 0xffffff80u);
	CHECK_EQ_U64(call1("i32_extend8_s", 0x7f), 0x7f);
	CHECK_EQ_U64(call1("i32_extend8_s", 0x12345680u), 0xffffff80u);
	CHECK_EQ_U64(call1("i32_extend8_s", 0xffffff01u), 1);
	CHECK_EQ_U64(call1("i32_extend16_s", 0x8000), 0xffff8000u);
	CHECK_EQ_U64(call1("i32_extend16_s", 0xabcd7fffu), 0x7fff);
	CHECK_EQ_U64(call1("i64_extend8_s", 0x80), 0xffffffffffffff80u);
	CHECK_EQ_U64(call1("i64_extend16_s", 0x123458000u), 0xffffffffffff8000u);
	CHECK_EQ_U64(call1("i64_extend32_s", 0x80000000u), 0xffffffff80000000u);
	CHECK_EQ_U64(call1("i64_extend32_s", 0xffffffff7fffffffu), 0x7fffffffu);
	CHECK_EQ_U64(call1("i64_extend_i32_s", 0xffffffffu), UINT64_MAX);
	CHECK_EQ_U64(call1("i64_extend_i32_s", 0xabcdef017fffffffu), 0x7fffffffu);
	CHECK_EQ_U64(call1("i64_extend_i32_u", 0xabcdef01ffffffffu), 0xffffffffu);
	CHECK_EQ_U64(call1("i32_wrap_i64", 0x123456789abcdef0u), 0x9abcdef0u);
}

/* ---- float -> int ---------------------------------------------------------- */

/* One trapping truncation and its saturating twin on one input. */
struct trunc_case {
	const char *op, *sat;
	uint64_t in;
	const char *trap;      /* NULL: converts to `out` */
	uint64_t out;          /* also the saturated result when it traps */
};

TEST(numeric_trunc_bounds)
{
	const struct trunc_case cases[] = {
		/* f32 -> i32 s: -2^31 exact; the float below it and 2^31 overflow */
		{ "i32_trunc_f32_s", "i32_trunc_sat_f32_s", F32(-2147483648.0f), NULL, 0x80000000u },
		{ "i32_trunc_f32_s", "i32_trunc_sat_f32_s", F32(-2147483904.0f), "integer overflow", 0x80000000u },
		{ "i32_trunc_f32_s", "i32_trunc_sat_f32_s", F32(2147483520.0f), NULL, 2147483520u },
		{ "i32_trunc_f32_s", "i32_trunc_sat_f32_s", F32(2147483648.0f), "integer overflow", 0x7fffffffu },
		{ "i32_trunc_f32_s", "i32_trunc_sat_f32_s", F32(-1.9f), NULL, 0xffffffffu },
		{ "i32_trunc_f32_s", "i32_trunc_sat_f32_s", F32(-0.0f), NULL, 0 },
		{ "i32_trunc_f32_s", "i32_trunc_sat_f32_s", F32(INFINITY), "integer overflow", 0x7fffffffu },
		{ "i32_trunc_f32_s", "i32_trunc_sat_f32_s", F32(-INFINITY), "integer overflow", 0x80000000u },
		{ "i32_trunc_f32_s", "i32_trunc_sat_f32_s", 0x7fc00000u, "invalid conversion to integer", 0 },
		{ "i32_trunc_f32_s", "i32_trunc_sat_f32_s", 0xffa00001u, "invalid conversion to integer", 0 },
		/* f32 -> u32: (-1, 2^32) */
		{ "i32_trunc_f32_u", "i32_trunc_sat_f32_u", F32(-0.99999994f), NULL, 0 },
		{ "i32_trunc_f32_u", "i32_trunc_sat_f32_u", F32(-1.0f), "integer overflow", 0 },
		{ "i32_trunc_f32_u", "i32_trunc_sat_f32_u", F32(4294967040.0f), NULL, 4294967040u },
		{ "i32_trunc_f32_u", "i32_trunc_sat_f32_u", F32(4294967296.0f), "integer overflow", 0xffffffffu },
		{ "i32_trunc_f32_u", "i32_trunc_sat_f32_u", F32(-INFINITY), "integer overflow", 0 },
		{ "i32_trunc_f32_u", "i32_trunc_sat_f32_u", 0xff800001u, "invalid conversion to integer", 0 },
		/* f64 -> i32 s: (-2^31 - 1, 2^31) */
		{ "i32_trunc_f64_s", "i32_trunc_sat_f64_s", F64(-2147483648.9), NULL, 0x80000000u },
		{ "i32_trunc_f64_s", "i32_trunc_sat_f64_s", F64(-2147483649.0), "integer overflow", 0x80000000u },
		{ "i32_trunc_f64_s", "i32_trunc_sat_f64_s", F64(2147483647.9), NULL, 0x7fffffffu },
		{ "i32_trunc_f64_s", "i32_trunc_sat_f64_s", F64(2147483648.0), "integer overflow", 0x7fffffffu },
		{ "i32_trunc_f64_s", "i32_trunc_sat_f64_s", 0x7ff8000000000000u, "invalid conversion to integer", 0 },
		/* f64 -> u32: (-1, 2^32) */
		{ "i32_trunc_f64_u", "i32_trunc_sat_f64_u", F64(-0.9999999999999999), NULL, 0 },
		{ "i32_trunc_f64_u", "i32_trunc_sat_f64_u", F64(-1.0), "integer overflow", 0 },
		{ "i32_trunc_f64_u", "i32_trunc_sat_f64_u", F64(4294967295.9), NULL, 0xffffffffu },
		{ "i32_trunc_f64_u", "i32_trunc_sat_f64_u", F64(4294967296.0), "integer overflow", 0xffffffffu },
		{ "i32_trunc_f64_u", "i32_trunc_sat_f64_u", F64(1e300), "integer overflow", 0xffffffffu },
		{ "i32_trunc_f64_u", "i32_trunc_sat_f64_u", 0xfff0000000000001u, "invalid conversion to integer", 0 },
		/* f32 -> i64 s: [-2^63, 2^63) */
		{ "i64_trunc_f32_s", "i64_trunc_sat_f32_s", F32(-9223372036854775808.0f), NULL, 0x8000000000000000u },
		{ "i64_trunc_f32_s", "i64_trunc_sat_f32_s", F32(-9223373136366403584.0f), "integer overflow", 0x8000000000000000u },
		{ "i64_trunc_f32_s", "i64_trunc_sat_f32_s", F32(9223371487098961920.0f), NULL, 9223371487098961920u },
		{ "i64_trunc_f32_s", "i64_trunc_sat_f32_s", F32(9223372036854775808.0f), "integer overflow", 0x7fffffffffffffffu },
		{ "i64_trunc_f32_s", "i64_trunc_sat_f32_s", 0x7f800001u, "invalid conversion to integer", 0 },
		/* f32 -> u64: (-1, 2^64) */
		{ "i64_trunc_f32_u", "i64_trunc_sat_f32_u", F32(-0.5f), NULL, 0 },
		{ "i64_trunc_f32_u", "i64_trunc_sat_f32_u", F32(-1.0f), "integer overflow", 0 },
		{ "i64_trunc_f32_u", "i64_trunc_sat_f32_u", F32(18446742974197923840.0f), NULL, 18446742974197923840u },
		{ "i64_trunc_f32_u", "i64_trunc_sat_f32_u", F32(18446744073709551616.0f), "integer overflow", UINT64_MAX },
		{ "i64_trunc_f32_u", "i64_trunc_sat_f32_u", 0x7fc00000u, "invalid conversion to integer", 0 },
		/* f64 -> i64 s: [-2^63, 2^63) */
		{ "i64_trunc_f64_s", "i64_trunc_sat_f64_s", F64(-9223372036854775808.0), NULL, 0x8000000000000000u },
		{ "i64_trunc_f64_s", "i64_trunc_sat_f64_s", F64(-9223372036854777856.0), "integer overflow", 0x8000000000000000u },
		{ "i64_trunc_f64_s", "i64_trunc_sat_f64_s", F64(9223372036854774784.0), NULL, 9223372036854774784u },
		{ "i64_trunc_f64_s", "i64_trunc_sat_f64_s", F64(9223372036854775808.0), "integer overflow", 0x7fffffffffffffffu },
		{ "i64_trunc_f64_s", "i64_trunc_sat_f64_s", F64(-1.5), NULL, (uint64_t)-1 },
		{ "i64_trunc_f64_s", "i64_trunc_sat_f64_s", 0xfff8000000000000u, "invalid conversion to integer", 0 },
		/* f64 -> u64: (-1, 2^64) */
		{ "i64_trunc_f64_u", "i64_trunc_sat_f64_u", F64(-0.9999999999999999), NULL, 0 },
		{ "i64_trunc_f64_u", "i64_trunc_sat_f64_u", F64(-1.0), "integer overflow", 0 },
		{ "i64_trunc_f64_u", "i64_trunc_sat_f64_u", F64(18446744073709549568.0), NULL, 18446744073709549568u },
		{ "i64_trunc_f64_u", "i64_trunc_sat_f64_u", F64(18446744073709551616.0), "integer overflow", UINT64_MAX },
		{ "i64_trunc_f64_u", "i64_trunc_sat_f64_u", F64(INFINITY), "integer overflow", UINT64_MAX },
		{ "i64_trunc_f64_u", "i64_trunc_sat_f64_u", 0x7ff0000000000001u, "invalid conversion to integer", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct trunc_case *c = &cases[i];
		uint64_t r = call1(c->op, c->in);
		const char *t = trapped;
		if (c->trap ? (!t || strcmp(t, c->trap) != 0) : (t != NULL || r != c->out))
			unit_fail(__FILE__, __LINE__, "case %zu: %s(0x%llx) = 0x%llx trap %s", i,
				  c->op, (unsigned long long)c->in, (unsigned long long)r,
				  t ? t : "none");
		r = call1(c->sat, c->in);
		if (trapped || r != c->out)
			unit_fail(__FILE__, __LINE__, "case %zu: %s(0x%llx) = 0x%llx, want 0x%llx", i,
				  c->sat, (unsigned long long)c->in, (unsigned long long)r,
				  (unsigned long long)c->out);
	}
}

/* ---- int -> float ---------------------------------------------------------- */

TEST(numeric_int_to_float_rounding)
{
	/* 2^63 + 2^39 + 1: just above a halfway point of f32. Rounding via
	 * double would first drop the +1 and then tie to even (0x5f000000). */
	CHECK_EQ_U64(call1("f32_convert_i64_u", 0x8000008000000001u), 0x5f000001u);
	CHECK_EQ_U64(call1("f32_convert_i64_u", 0x8000008000000000u), 0x5f000000u);  /* tie: even */
	CHECK_EQ_U64(call1("f32_convert_i64_u", 0x8000018000000000u), 0x5f000002u);  /* tie: even */
	CHECK_EQ_U64(call1("f32_convert_i64_u", UINT64_MAX), 0x5f800000u);
	CHECK_EQ_U64(call1("f32_convert_i64_u", 0), 0);
	CHECK_EQ_U64(call1("f32_convert_i64_s", 0x0020000020000001u), 0x5a000001u);
	CHECK_EQ_U64(call1("f32_convert_i64_s", 0x8000000000000000u), 0xdf000000u);
	CHECK_EQ_U64(call1("f32_convert_i64_s", UINT64_MAX), 0xbf800000u);
	CHECK_EQ_U64(call1("f64_convert_i64_u", 0x8000000000000401u), 0x43e0000000000001u);
	CHECK_EQ_U64(call1("f64_convert_i64_u", 0x8000000000000400u), 0x43e0000000000000u);
	CHECK_EQ_U64(call1("f64_convert_i64_u", UINT64_MAX), 0x43f0000000000000u);
	CHECK_EQ_U64(call1("f64_convert_i64_s", 0x8000000000000000u), 0xc3e0000000000000u);
	CHECK_EQ_U64(call1("f32_convert_i32_u", 0xffffffffu), 0x4f800000u);
	CHECK_EQ_U64(call1("f32_convert_i32_u", 16777217), F32(16777216.0f));
	CHECK_EQ_U64(call1("f32_convert_i32_u", 16777219), F32(16777220.0f));
	CHECK_EQ_U64(call1("f32_convert_i32_s", 0x80000000u), F32(-2147483648.0f));
	CHECK_EQ_U64(call1("f32_convert_i32_s", 0xffffffff00000001u), F32(1.0f));
	CHECK_EQ_U64(call1("f64_convert_i32_u", 0xffffffffu), F64(4294967295.0));
	CHECK_EQ_U64(call1("f64_convert_i32_s", 0xffffffffu), F64(-1.0));
}

/* ---- float arithmetic ------------------------------------------------------ */

TEST(numeric_nearest_ties)
{
	static const struct { float in, out; } f[] = {
		{ 0.5f, 0.0f }, { 1.5f, 2.0f }, { 2.5f, 2.0f }, { 3.5f, 4.0f },
		{ -2.5f, -2.0f }, { -3.5f, -4.0f }, { 0.49999997f, 0.0f }, { 0.50000006f, 1.0f },
		{ 8388607.5f, 8388608.0f }, { 8388609.0f, 8388609.0f }, { 1e30f, 1e30f },
		{ 4194303.5f, 4194304.0f }, { 4194302.5f, 4194302.0f },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (call1("f32_nearest", F32(f[i].in)) != F32(f[i].out))
			unit_fail(__FILE__, __LINE__, "f32 nearest(%.9g)", (double)f[i].in);
	/* the sign of zero survives, also for results that round to zero */
	CHECK_EQ_U64(call1("f32_nearest", F32(-0.5f)), 0x80000000u);
	CHECK_EQ_U64(call1("f32_nearest", F32(-0.3f)), 0x80000000u);
	CHECK_EQ_U64(call1("f32_nearest", 0x80000000u), 0x80000000u);
	CHECK_EQ_U64(call1("f32_nearest", 0), 0);
	CHECK_EQ_U64(call1("f32_nearest", F32(-INFINITY)), F32(-INFINITY));
	CHECK(is_f32_quiet_nan(call1("f32_nearest", 0x7fa00000u)));
	CHECK_EQ_U64(call1("f32_nearest", 0x7fc00000u) & 0x7fffffffu, 0x7fc00000u);

	CHECK_EQ_U64(call1("f64_nearest", F64(2.5)), F64(2.0));
	CHECK_EQ_U64(call1("f64_nearest", F64(-2.5)), F64(-2.0));
	CHECK_EQ_U64(call1("f64_nearest", F64(3.5)), F64(4.0));
	CHECK_EQ_U64(call1("f64_nearest", F64(-0.5)), 0x8000000000000000u);
	CHECK_EQ_U64(call1("f64_nearest", F64(0.49999999999999994)), 0);
	CHECK_EQ_U64(call1("f64_nearest", F64(4503599627370495.5)), F64(4503599627370496.0));
	CHECK_EQ_U64(call1("f64_nearest", F64(4503599627370497.0)), F64(4503599627370497.0));
	CHECK_EQ_U64(call1("f64_nearest", F64(2251799813685247.5)), F64(2251799813685248.0));
	CHECK(is_f64_quiet_nan(call1("f64_nearest", 0xfff0000000000001u)));

	/* ceil/floor/trunc keep the sign of zero */
	CHECK_EQ_U64(call1("f32_ceil", F32(-0.5f)), 0x80000000u);
	CHECK_EQ_U64(call1("f32_floor", F32(0.5f)), 0);
	CHECK_EQ_U64(call1("f32_trunc", F32(-0.7f)), 0x80000000u);
	CHECK_EQ_U64(call1("f32_floor", F32(-0.5f)), F32(-1.0f));
	CHECK_EQ_U64(call1("f64_ceil", F64(-0.5)), 0x8000000000000000u);
	CHECK_EQ_U64(call1("f64_floor", F64(-0.0)), 0x8000000000000000u);
	CHECK_EQ_U64(call1("f64_trunc", F64(-1.99)), F64(-1.0));
	CHECK(is_f32_quiet_nan(call1("f32_ceil", 0x7f800001u)));
	CHECK(is_f64_quiet_nan(call1("f64_trunc", 0x7ff0000000000001u)));
}

TEST(numeric_min_max)
{
	const uint64_t pz = F32(0.0f), nz = 0x80000000u;
	CHECK_EQ_U64(call2("f32_min", pz, nz), nz);
	CHECK_EQ_U64(call2("f32_min", nz, pz), nz);
	CHECK_EQ_U64(call2("f32_max", pz, nz), pz);
	CHECK_EQ_U64(call2("f32_max", nz, pz), pz);
	CHECK_EQ_U64(call2("f32_min", nz, nz), nz);
	CHECK_EQ_U64(call2("f32_max", pz, pz), pz);
	CHECK_EQ_U64(call2("f32_min", F32(1.0f), F32(-INFINITY)), F32(-INFINITY));
	CHECK_EQ_U64(call2("f32_max", F32(1.0f), F32(2.0f)), F32(2.0f));
	CHECK_EQ_U64(call2("f32_max", F32(-1.0f), F32(-2.0f)), F32(-1.0f));
	/* NaN propagates from either side (fmin would return the number) */
	CHECK(is_f32_quiet_nan(call2("f32_min", 0x7fc00000u, F32(1.0f))));
	CHECK(is_f32_quiet_nan(call2("f32_min", F32(1.0f), 0x7fc00000u)));
	CHECK(is_f32_quiet_nan(call2("f32_max", F32(-INFINITY), 0xffc00000u)));
	CHECK(is_f32_quiet_nan(call2("f32_max", 0x7fa00000u, F32(1.0f))));  /* signalling in, quiet out */
	CHECK(is_f32_quiet_nan(call2("f32_min", F32(1.0f), 0x7f800001u)));
	/* canonical in, canonical out (either sign) */
	CHECK_EQ_U64(call2("f32_min", 0x7fc00000u, F32(1.0f)) & 0x7fffffffu, 0x7fc00000u);
	CHECK_EQ_U64(call2("f32_max", F32(1.0f), 0xffc00000u) & 0x7fffffffu, 0x7fc00000u);

	const uint64_t dpz = 0, dnz = 0x8000000000000000u;
	CHECK_EQ_U64(call2("f64_min", dpz, dnz), dnz);
	CHECK_EQ_U64(call2("f64_min", dnz, dpz), dnz);
	CHECK_EQ_U64(call2("f64_max", dpz, dnz), dpz);
	CHECK_EQ_U64(call2("f64_max", dnz, dpz), dpz);
	CHECK_EQ_U64(call2("f64_min", F64(-1.0), F64(1.0)), F64(-1.0));
	CHECK_EQ_U64(call2("f64_max", F64(INFINITY), F64(1.0)), F64(INFINITY));
	CHECK(is_f64_quiet_nan(call2("f64_min", 0x7ff8000000000000u, F64(1.0))));
	CHECK(is_f64_quiet_nan(call2("f64_max", F64(1.0), 0xfff4000000000000u)));
	CHECK_EQ_U64(call2("f64_max", F64(1.0), 0x7ff8000000000000u) & 0x7fffffffffffffffu,
		     0x7ff8000000000000u);
}

TEST(numeric_nan_payloads)
{
	/* reinterpret, abs, neg, copysign are bit operations: a signalling
	 * NaN's payload and sign come through exactly */
	CHECK_EQ_U64(call1("f32_reinterpret_i32", 0x7fa00001u), 0x7fa00001u);
	CHECK_EQ_U64(call1("i32_reinterpret_f32", 0xffa00001u), 0xffa00001u);
	CHECK_EQ_U64(call1("f64_reinterpret_i64", 0x7ff4000000000001u), 0x7ff4000000000001u);
	CHECK_EQ_U64(call1("i64_reinterpret_f64", 0xfff4000000000001u), 0xfff4000000000001u);
	CHECK_EQ_U64(call1("f32_abs", 0xffa00001u), 0x7fa00001u);
	CHECK_EQ_U64(call1("f32_neg", 0x7fa00001u), 0xffa00001u);
	CHECK_EQ_U64(call1("f32_neg", 0), 0x80000000u);
	CHECK_EQ_U64(call2("f32_copysign", 0x7fa00001u, 0x80000000u), 0xffa00001u);
	CHECK_EQ_U64(call2("f32_copysign", F32(2.0f), 0xffc00000u), F32(-2.0f));
	CHECK_EQ_U64(call1("f64_abs", 0xfff4000000000001u), 0x7ff4000000000001u);
	CHECK_EQ_U64(call1("f64_neg", 0x7ff4000000000001u), 0xfff4000000000001u);
	CHECK_EQ_U64(call2("f64_copysign", 0xfff4000000000001u, 0), 0x7ff4000000000001u);

	/* arithmetic on NaN gives a quiet NaN; sqrt of a negative gives NaN */
	CHECK(is_f32_quiet_nan(call2("f32_add", 0x7fa00001u, F32(1.0f))));
	CHECK(is_f32_quiet_nan(call1("f32_sqrt", F32(-1.0f))));
	CHECK_EQ_U64(call1("f32_sqrt", 0x80000000u), 0x80000000u);
	CHECK(is_f64_quiet_nan(call2("f64_div", 0, 0)));
	CHECK(is_f32_nan(call2("f32_mul", F32(INFINITY), 0)));

	/* promote/demote: quiet NaNs, infinity on overflow, ties to even */
	CHECK(is_f64_quiet_nan(call1("f64_promote_f32", 0x7fa00000u)));
	CHECK_EQ_U64(call1("f64_promote_f32", 0x7fc00000u) & 0x7fffffffffffffffu,
		     0x7ff8000000000000u);
	CHECK(is_f32_quiet_nan(call1("f32_demote_f64", 0x7ff4000000000000u)));
	CHECK_EQ_U64(call1("f32_demote_f64", F64(1e300)), F32(INFINITY));
	CHECK_EQ_U64(call1("f32_demote_f64", F64(-1e300)), F32(-INFINITY));
	CHECK_EQ_U64(call1("f32_demote_f64", 0x3690000000000000u), 0);  /* 2^-150: tie, even */
	CHECK_EQ_U64(call1("f32_demote_f64", 0x36a0000000000000u), 1);  /* 2^-149 */
	CHECK_EQ_U64(call1("f32_demote_f64", 0x36a8000000000000u), 2);  /* 1.5 * 2^-149 */
	CHECK_EQ_U64(call1("f64_promote_f32", 1), 0x36a0000000000000u);

	/* comparisons: NaN is unordered; -0 == +0 */
	CHECK_EQ_U64(call2("f32_eq", 0x7fc00000u, 0x7fc00000u), 0);
	CHECK_EQ_U64(call2("f32_ne", 0x7fc00000u, 0x7fc00000u), 1);
	CHECK_EQ_U64(call2("f32_eq", 0, 0x80000000u), 1);
	CHECK_EQ_U64(call2("f64_lt", 0x7ff8000000000000u, 0), 0);
	CHECK_EQ_U64(call2("f64_ge", 0, 0x7ff8000000000000u), 0);
	CHECK_EQ_U64(call2("f64_le", 0x8000000000000000u, 0), 1);
}

TEST(numeric_atomic_rmw_bodies)
{
	/* the includer truncates r to nbytes and returns the old value */
	const struct op *o = find("i32_atomic_rmw8_add_u");
	CHECK(o && o->rmw && o->nbytes == 1 && o->in == T_I32);
	if (o && o->rmw)
		CHECK_EQ_U64(o->rmw(0xff, 0x02) & 0xff, 0x01);
	o = find("i64_atomic_rmw_sub");
	if (o && o->rmw)
		CHECK_EQ_U64(o->rmw(0, 1), UINT64_MAX);
	o = find("i32_atomic_rmw16_and_u");
	if (o && o->rmw)
		CHECK_EQ_U64(o->rmw(0xf0f0, 0xff00), 0xf000);
	o = find("i64_atomic_rmw32_or_u");
	if (o && o->rmw)
		CHECK_EQ_U64(o->rmw(0xf0f0, 0x0f0f), 0xffff);
	o = find("i32_atomic_rmw_xor");
	if (o && o->rmw)
		CHECK_EQ_U64(o->rmw(0xffffffffu, 0x0f0f0f0fu), 0xf0f0f0f0u);
	o = find("i64_atomic_rmw8_xchg_u");
	if (o && o->rmw)
		CHECK_EQ_U64(o->rmw(0x11, 0x22), 0x22);
	for (size_t i = 0; i < NOPS; i++)
		if (ops[i].kind == K_RMW && !ops[i].rmw)
			unit_fail(__FILE__, __LINE__, "%s: no body", ops[i].name);
}

/* ---- the spec's numeric test files ----------------------------------------- */

/*
 * A minimal reader for .wast: s-expressions, atoms, strings, comments. It
 * finds functions of the form
 *     (func (export "e") (param ...) (result t) (OP (local.get $x) ...))
 * maps "e" to the row OP (dots become underscores) and evaluates every
 * assert_return / assert_trap that invokes such a function.
 */
struct sx {
	const char *s;         /* atom text (not NUL-terminated); NULL for a list */
	size_t len;
	bool str;              /* a "string", quotes stripped */
	struct sx *kid, *next;
};

struct rd {
	const char *p, *end;
	bool bad;
};

static void
sx_free(struct sx *x)
{
	while (x) {
		struct sx *n = x->next;
		sx_free(x->kid);
		free(x);
		x = n;
	}
}

static bool
at(const struct rd *r, const char *two)
{
	return r->p + 1 < r->end && r->p[0] == two[0] && r->p[1] == two[1];
}

static void
skip_space(struct rd *r)
{
	while (r->p < r->end) {
		if (strchr(" \t\r\n", *r->p) && *r->p) {
			r->p++;
		} else if (at(r, ";;")) {
			while (r->p < r->end && *r->p != '\n')
				r->p++;
		} else if (at(r, "(;")) {
			int depth = 0;
			while (r->p < r->end) {
				if (at(r, "(;")) {
					depth++;
					r->p += 2;
				} else if (at(r, ";)")) {
					r->p += 2;
					if (--depth == 0)
						break;
				} else {
					r->p++;
				}
			}
		} else {
			break;
		}
	}
}

/* Parses one item at r->p (not at a space or ')'). NULL only when out of
 * memory; malformed text sets r->bad. */
static struct sx *
parse_item(struct rd *r, int depth)
{
	struct sx *x = calloc(1, sizeof *x);

	if (!x) {
		r->bad = true;
		return NULL;
	}
	if (*r->p == '(') {
		struct sx **tail = &x->kid;
		r->p++;
		if (depth > 64) {
			r->bad = true;
			return x;
		}
		for (;;) {
			skip_space(r);
			if (r->p >= r->end) {
				r->bad = true;
				return x;
			}
			if (*r->p == ')') {
				r->p++;
				return x;
			}
			*tail = parse_item(r, depth + 1);
			if (!*tail || r->bad)
				return x;
			tail = &(*tail)->next;
		}
	}
	if (*r->p == '"') {
		x->s = ++r->p;
		x->str = true;
		while (r->p < r->end && *r->p != '"')
			r->p += (*r->p == '\\' && r->p + 1 < r->end) ? 2 : 1;
		if (r->p >= r->end) {
			r->bad = true;
			r->p = r->end;
		}
		x->len = (size_t)(r->p - x->s);
		if (r->p < r->end)
			r->p++;
		return x;
	}
	x->s = r->p;
	while (r->p < r->end && !(*r->p && strchr(" \t\r\n()\";", *r->p)))
		r->p++;
	if (r->p == x->s)      /* a stray ';' or quote-like byte: one-char atom */
		r->p++;
	x->len = (size_t)(r->p - x->s);
	return x;
}

static bool
atom_is(const struct sx *x, const char *s)
{
	return x && x->s && !x->str && x->len == strlen(s) && memcmp(x->s, s, x->len) == 0;
}

/* Copies an atom without '_' digit separators; false if it does not fit. */
static bool
atom_copy(const struct sx *x, char *buf, size_t size)
{
	size_t n = 0;

	if (!x || !x->s || x->str)
		return false;
	for (size_t i = 0; i < x->len; i++) {
		if (x->s[i] == '_')
			continue;
		if (n + 1 >= size)
			return false;
		buf[n++] = x->s[i];
	}
	buf[n] = '\0';
	return n > 0;
}

static bool
parse_int(const struct sx *x, unsigned bits, uint64_t *out)
{
	char buf[128], *p = buf;
	uint64_t v = 0;
	unsigned base = 10;
	bool neg = false;

	if (!atom_copy(x, buf, sizeof buf))
		return false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return false;
	for (; *p; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return false;
		v = v * base + d;
	}
	if (neg)
		v = 0 - v;
	*out = bits == 32 ? (v & 0xffffffffu) : v;
	return true;
}

enum nan_class { NAN_NONE, NAN_CANONICAL, NAN_ARITHMETIC };

static bool
parse_float(const struct sx *x, unsigned bits, uint64_t *out, enum nan_class *nc)
{
	const uint64_t sign = bits == 32 ? 0x80000000u : 0x8000000000000000u;
	const uint64_t expo = bits == 32 ? 0x7f800000u : 0x7ff0000000000000u;
	const uint64_t mant = bits == 32 ? 0x007fffffu : 0x000fffffffffffffu;
	char buf[128], *p = buf, *end;
	uint64_t v;
	bool neg = false;

	*nc = NAN_NONE;
	if (!atom_copy(x, buf, sizeof buf))
		return false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "inf") == 0) {
		v = expo;
	} else if (strcmp(p, "nan") == 0) {
		v = expo | ((mant >> 1) + 1);
	} else if (strcmp(p, "nan:canonical") == 0) {
		*nc = NAN_CANONICAL;
		v = expo | ((mant >> 1) + 1);
	} else if (strcmp(p, "nan:arithmetic") == 0) {
		*nc = NAN_ARITHMETIC;
		v = expo | ((mant >> 1) + 1);
	} else if (strncmp(p, "nan:0x", 6) == 0) {
		uint64_t payload = strtoull(p + 6, &end, 16);
		if (*end || payload == 0 || payload > mant)
			return false;
		v = expo | payload;
	} else if (bits == 32) {
		float f = strtof(p, &end);
		if (*end)
			return false;
		v = f32_to_u32(f);
	} else {
		double d = strtod(p, &end);
		if (*end)
			return false;
		v = f64_to_u64(d);
	}
	*out = neg ? v | sign : v;
	return true;
}

/* (i32.const 1) etc. The type must be the one `want`. */
static bool
parse_const(const struct sx *c, enum ty want, uint64_t *v, enum nan_class *nc)
{
	static const char *heads[] = { [T_I32] = "i32.const", [T_I64] = "i64.const",
				       [T_F32] = "f32.const", [T_F64] = "f64.const" };
	*nc = NAN_NONE;
	if (!c || c->s || !atom_is(c->kid, heads[want]) || !c->kid->next || c->kid->next->next)
		return false;
	switch (want) {
	case T_I32: return parse_int(c->kid->next, 32, v);
	case T_I64: return parse_int(c->kid->next, 64, v);
	case T_F32: return parse_float(c->kid->next, 32, v, nc);
	case T_F64: return parse_float(c->kid->next, 64, v, nc);
	}
	return false;
}

struct export_map {
	const char *name;
	size_t len;
	const struct op *op;
};

struct spec_file {
	const char *path;
	const char *text;
	struct export_map map[256];
	size_t nmap;
	unsigned run, failed;
};

/* Records fn "e" -> row if f is a one-instruction function over its params. */
static void
scan_func(struct spec_file *sf, const struct sx *f)
{
	const struct sx *k, *ename = NULL;
	const char *pname[3];
	size_t plen[3];
	unsigned nparam = 0;

	for (k = f->kid->next; k; k = k->next) {
		const struct sx *h = k->kid;
		if (k->s) {
			if (k->len > 0 && k->s[0] == '$')
				continue;      /* the function's own name */
			return;
		}
		if (atom_is(h, "export") && h->next && h->next->str) {
			ename = h->next;
		} else if (atom_is(h, "param")) {
			const char *pending = NULL;
			size_t pending_len = 0;
			for (const struct sx *a = h->next; a; a = a->next) {
				if (!a->s || a->str)
					return;
				if (a->s[0] == '$') {
					pending = a->s;
					pending_len = a->len;
					continue;
				}
				if (nparam == 3)
					return;
				pname[nparam] = pending;
				plen[nparam++] = pending_len;
				pending = NULL;
			}
		} else if (!atom_is(h, "result") && !atom_is(h, "type")) {
			break;
		}
	}
	if (!ename || !k || k->s || k->next || !k->kid || !k->kid->s || sf->nmap == 256)
		return;

	char opname[64];
	if (k->kid->len >= sizeof opname)
		return;
	for (size_t i = 0; i < k->kid->len; i++)
		opname[i] = k->kid->s[i] == '.' ? '_' : k->kid->s[i];
	const struct op *op = find_n(opname, k->kid->len);
	if (!op || !op->fn)
		return;

	unsigned nargs = 0;
	for (const struct sx *a = k->kid->next; a; a = a->next, nargs++) {
		const struct sx *ref = a->kid ? a->kid->next : NULL;
		if (a->s || !atom_is(a->kid, "local.get") || !ref || !ref->s || ref->next ||
		    nargs >= nparam)
			return;
		bool by_name = pname[nargs] && ref->len == plen[nargs] &&
			       memcmp(ref->s, pname[nargs], ref->len) == 0;
		bool by_index = ref->len == 1 && ref->s[0] == (char)('0' + nargs);
		if (!by_name && !by_index)
			return;
	}
	if (nargs != nparam || nargs != (op->kind == K_BIN ? 2u : 1u))
		return;
	sf->map[sf->nmap++] = (struct export_map){ ename->s, ename->len, op };
}

static unsigned
line_of(const struct spec_file *sf, const char *p)
{
	unsigned line = 1;
	for (const char *q = sf->text; q < p; q++)
		line += *q == '\n';
	return line;
}

static bool
width_is_32(enum ty t)
{
	return t == T_I32 || t == T_F32;
}

static void
run_assert(struct spec_file *sf, const struct sx *cmd, bool expect_trap)
{
	const struct sx *inv = cmd->kid->next, *name, *a;
	const struct op *op = NULL;
	uint64_t args[2] = { 0, 0 }, want = 0, got = 0;
	enum nan_class nc = NAN_NONE;
	const char *trap = NULL;
	unsigned nargs = 0;
	bool ok;

	if (!inv || inv->s || !atom_is(inv->kid, "invoke") || !(name = inv->kid->next) ||
	    !name->str)
		return;
	for (size_t i = 0; i < sf->nmap; i++)
		if (sf->map[i].len == name->len && memcmp(sf->map[i].name, name->s, name->len) == 0)
			op = sf->map[i].op;
	if (!op)
		return;
	for (a = name->next; a; a = a->next) {
		enum nan_class ignore;
		if (nargs == 2 || !parse_const(a, op->in, &args[nargs++], &ignore))
			goto bad;
	}
	if (nargs != (op->kind == K_BIN ? 2u : 1u))
		goto bad;
	if (!expect_trap && (!inv->next || inv->next->next ||
			     !parse_const(inv->next, op->out, &want, &nc)))
		goto bad;
	if (expect_trap && (!inv->next || !inv->next->str))
		goto bad;

	sf->run++;
	if (op->fn(args, &got, &trap) == 0)
		trap = NULL;
	if (width_is_32(op->out))
		got &= 0xffffffffu;
	if (expect_trap) {
		ok = trap && strlen(trap) == inv->next->len &&
		     memcmp(trap, inv->next->s, inv->next->len) == 0;
	} else if (trap) {
		ok = false;
	} else if (nc == NAN_CANONICAL) {
		ok = width_is_32(op->out) ? (got & 0x7fffffffu) == 0x7fc00000u
					  : (got & 0x7fffffffffffffffu) == 0x7ff8000000000000u;
	} else if (nc == NAN_ARITHMETIC) {
		ok = width_is_32(op->out) ? is_f32_quiet_nan(got) : is_f64_quiet_nan(got);
	} else {
		ok = got == want;
	}
	if (!ok && sf->failed++ < 10)
		unit_fail(__FILE__, __LINE__, "%s:%u: %s(0x%llx, 0x%llx) = 0x%llx%s%s", sf->path,
			  line_of(sf, name->s), op->name, (unsigned long long)args[0],
			  (unsigned long long)args[1], (unsigned long long)got,
			  trap ? ", trap: " : "", trap ? trap : "");
	return;
bad:
	if (sf->failed++ < 10)
		unit_fail(__FILE__, __LINE__, "%s:%u: cannot read this assertion", sf->path,
			  line_of(sf, name->s));
}

/* Reads a whole file; NULL if it cannot. The caller frees. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
			char *nb = realloc(buf, cap + 262144 + 1);
			if (!nb)
				goto fail;
			buf = nb;
			cap += 262144;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

/* Runs one file's assertions; returns how many ran (0 if unreadable). */
static unsigned
run_spec_file(const char *dir, const char *file)
{
	static struct spec_file sf;
	char path[512];
	size_t len = 0;
	char *text;

	snprintf(path, sizeof path, "%s/core/%s", dir, file);
	text = slurp(path, &len);
	if (!text) {
		unit_fail(__FILE__, __LINE__, "cannot read %s", path);
		return 0;
	}
	memset(&sf, 0, sizeof sf);
	sf.path = file;
	sf.text = text;

	struct rd r = { text, text + len, false };
	for (;;) {
		skip_space(&r);
		if (r.p >= r.end)
			break;
		if (*r.p != '(') {
			r.bad = true;
			break;
		}
		struct sx *cmd = parse_item(&r, 0);
		if (!cmd || r.bad) {
			sx_free(cmd);
			break;
		}
		const struct sx *h = cmd->kid;
		if (atom_is(h, "module")) {
			sf.nmap = 0;
			for (const struct sx *f = h->next; f; f = f->next)
				if (!f->s && atom_is(f->kid, "func"))
					scan_func(&sf, f);
		} else if (atom_is(h, "assert_return")) {
			run_assert(&sf, cmd, false);
		} else if (atom_is(h, "assert_trap")) {
			run_assert(&sf, cmd, true);
		}
		sx_free(cmd);
	}
	if (r.bad)
		unit_fail(__FILE__, __LINE__, "%s: cannot parse near line %u", file,
			  line_of(&sf, r.p < r.end ? r.p : r.end));
	if (sf.run == 0)
		unit_fail(__FILE__, __LINE__, "%s: no assertion could be evaluated", file);
	if (sf.failed)
		unit_fail(__FILE__, __LINE__, "%s: %u of %u assertions failed", file, sf.failed,
			  sf.run);
	free(text);
	return sf.run;
}

TEST(numeric_spec_files)
{
	static const char *files[] = {
		"i32.wast", "i64.wast", "f32.wast", "f64.wast", "f32_cmp.wast", "f64_cmp.wast",
		"f32_bitwise.wast", "f64_bitwise.wast", "conversions.wast", "float_misc.wast",
	};
	const char *dir = getenv("WARREN_TESTSUITE");
	char probe[512];
	unsigned total = 0;
	FILE *f;

	if (!dir)
		dir = "../shared/wasm-testsuite";
	snprintf(probe, sizeof probe, "%s/core/i32.wast", dir);
	f = fopen(probe, "rb");
	if (!f) {
		printf("    numeric_spec_files: skipped, %s not found\n", probe);
		return;
	}
	fclose(f);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		total += run_spec_file(dir, files[i]);
	/* the files hold about 13,000 such assertions; far fewer means the
	 * reader silently lost some */
	CHECK(total > 12000);
	printf("    numeric_spec_files: %u assertions evaluated\n", total);
}
