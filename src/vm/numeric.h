/*
 * numeric.h - the semantics of WebAssembly's numeric instructions, as
 * static inline helpers for the bodies in ops.def.
 *
 * Everything here is defined behaviour in C11 plus IEC 60559 (Annex F):
 * integers are computed in unsigned types (wrap-around is the Wasm
 * semantics), signed views come from num_as_i32/64 (no implementation-
 * defined conversion; the one implementation-defined step left is >> of a
 * negative value, arithmetic in GCC and Clang), signed division never sees
 * INT_MIN / -1, and no float is converted to an integer type before its
 * range has been checked against exact bounds. Floats are evaluated in their own precision (checked below),
 * so results are the IEEE results the spec asks for; NaN results come from
 * the hardware and are quiet NaNs, which the spec accepts ("arithmetic NaN").
 *
 * Operations that must not touch NaN payloads (abs, neg, copysign,
 * reinterpret) are pure bit operations.
 */
#ifndef WARREN_VM_NUMERIC_H
#define WARREN_VM_NUMERIC_H

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* x87-style excess precision would double-round every float operation. */
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "warren needs FLT_EVAL_METHOD == 0 (SSE2 or a similar FPU)"
#endif

/* ---- bit casts (memcpy: no aliasing games, compiles to a register move) --- */

static inline float
u32_to_f32(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static inline uint32_t
f32_to_u32(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

static inline double
u64_to_f64(uint64_t u)
{
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

static inline uint64_t
f64_to_u64(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

/* ---- integer bit counting and rotation ---------------------------------- */

/* The builtins are undefined for 0, which Wasm defines as the width. */
static inline uint32_t
num_clz32(uint32_t a)
{
	return a ? (uint32_t)__builtin_clz(a) : 32u;
}

static inline uint64_t
num_clz64(uint64_t a)
{
	return a ? (uint64_t)__builtin_clzll(a) : 64u;
}

static inline uint32_t
num_ctz32(uint32_t a)
{
	return a ? (uint32_t)__builtin_ctz(a) : 32u;
}

static inline uint64_t
num_ctz64(uint64_t a)
{
	return a ? (uint64_t)__builtin_ctzll(a) : 64u;
}

static inline uint32_t
num_popcnt32(uint32_t a)
{
	return (uint32_t)__builtin_popcount(a);
}

static inline uint64_t
num_popcnt64(uint64_t a)
{
	return (uint64_t)__builtin_popcountll(a);
}

/* The count is taken modulo the width; the second shift is masked too so
 * that a count of 0 never shifts by the full width (undefined in C).
 * Compilers turn these into a single rotate instruction. */
static inline uint32_t
num_rotl32(uint32_t a, uint32_t n)
{
	n &= 31u;
	return (a << n) | (a >> ((32u - n) & 31u));
}

static inline uint32_t
num_rotr32(uint32_t a, uint32_t n)
{
	n &= 31u;
	return (a >> n) | (a << ((32u - n) & 31u));
}

static inline uint64_t
num_rotl64(uint64_t a, uint64_t n)
{
	n &= 63u;
	return (a << n) | (a >> ((64u - n) & 63u));
}

static inline uint64_t
num_rotr64(uint64_t a, uint64_t n)
{
	n &= 63u;
	return (a >> n) | (a << ((64u - n) & 63u));
}

/* ---- signed views and sign extension -------------------------------------- */

/* Sign-extend the low `bits` bits of a, in unsigned arithmetic only:
 * flip the sign bit, then subtract it back (it borrows through the top). */
static inline uint32_t
num_sext32(uint32_t a, unsigned bits)
{
	uint32_t sign = 1u << (bits - 1);
	uint32_t mask = (bits == 32) ? UINT32_MAX : (sign << 1) - 1u;
	return ((a & mask) ^ sign) - sign;
}

static inline uint64_t
num_sext64(uint64_t a, unsigned bits)
{
	uint64_t sign = (uint64_t)1 << (bits - 1);
	uint64_t mask = (bits == 64) ? UINT64_MAX : (sign << 1) - 1u;
	return ((a & mask) ^ sign) - sign;
}

/*
 * The signed view of a Wasm integer. Written so that no conversion is
 * implementation-defined; compilers reduce it to nothing. (The remaining
 * implementation-defined step is >> of a negative value, which GCC and
 * Clang define as arithmetic shift.)
 */
static inline int32_t
num_as_i32(uint32_t a)
{
	return (a >> 31) ? -(int32_t)(~a) - 1 : (int32_t)a;
}

static inline int64_t
num_as_i64(uint64_t a)
{
	return (a >> 63) ? -(int64_t)(~a) - 1 : (int64_t)a;
}

static inline uint32_t
num_shr_s32(uint32_t a, uint32_t n)
{
	return (uint32_t)(num_as_i32(a) >> (n & 31u));
}

static inline uint64_t
num_shr_s64(uint64_t a, uint64_t n)
{
	return (uint64_t)(num_as_i64(a) >> (n & 63u));
}

/* Signed division and remainder. The caller has trapped on b == 0 and,
 * for division, on INT_MIN / -1. C leaves INT_MIN % -1 undefined (the
 * quotient overflows); Wasm defines it as 0, and so is any x % -1. */
static inline uint32_t
num_div_s32(uint32_t a, uint32_t b)
{
	return (uint32_t)(num_as_i32(a) / num_as_i32(b));
}

static inline uint64_t
num_div_s64(uint64_t a, uint64_t b)
{
	return (uint64_t)(num_as_i64(a) / num_as_i64(b));
}

static inline uint32_t
num_rem_s32(uint32_t a, uint32_t b)
{
	return b == UINT32_MAX ? 0u : (uint32_t)(num_as_i32(a) % num_as_i32(b));
}

static inline uint64_t
num_rem_s64(uint64_t a, uint64_t b)
{
	return b == UINT64_MAX ? 0u : (uint64_t)(num_as_i64(a) % num_as_i64(b));
}

/* ---- float sign operations: bits only, payloads untouched ---------------- */

static inline float
num_f32_abs(float a)
{
	return u32_to_f32(f32_to_u32(a) & 0x7fffffffu);
}

static inline float
num_f32_neg(float a)
{
	return u32_to_f32(f32_to_u32(a) ^ 0x80000000u);
}

static inline float
num_f32_copysign(float a, float b)
{
	return u32_to_f32((f32_to_u32(a) & 0x7fffffffu) | (f32_to_u32(b) & 0x80000000u));
}

static inline double
num_f64_abs(double a)
{
	return u64_to_f64(f64_to_u64(a) & 0x7fffffffffffffffu);
}

static inline double
num_f64_neg(double a)
{
	return u64_to_f64(f64_to_u64(a) ^ 0x8000000000000000u);
}

static inline double
num_f64_copysign(double a, double b)
{
	return u64_to_f64((f64_to_u64(a) & 0x7fffffffffffffffu) |
			  (f64_to_u64(b) & 0x8000000000000000u));
}

/* ---- min / max ------------------------------------------------------------ */

/*
 * Wasm min/max propagate NaN (C's fmin/fmax drop it) and order -0 below +0
 * (IEEE compares them equal). A NaN operand yields a + b, which is that NaN
 * quieted: canonical in, canonical out. For equal operands the bitwise OR
 * (min) or AND (max) picks -0 resp. +0 and is the identity otherwise.
 */
static inline float
num_f32_min(float a, float b)
{
	if (a != a || b != b)
		return a + b;
	if (a == b)
		return u32_to_f32(f32_to_u32(a) | f32_to_u32(b));
	return a < b ? a : b;
}

static inline float
num_f32_max(float a, float b)
{
	if (a != a || b != b)
		return a + b;
	if (a == b)
		return u32_to_f32(f32_to_u32(a) & f32_to_u32(b));
	return a > b ? a : b;
}

static inline double
num_f64_min(double a, double b)
{
	if (a != a || b != b)
		return a + b;
	if (a == b)
		return u64_to_f64(f64_to_u64(a) | f64_to_u64(b));
	return a < b ? a : b;
}

static inline double
num_f64_max(double a, double b)
{
	if (a != a || b != b)
		return a + b;
	if (a == b)
		return u64_to_f64(f64_to_u64(a) & f64_to_u64(b));
	return a > b ? a : b;
}

/* ---- rounding ------------------------------------------------------------- */

/*
 * nearest: round half to even. Adding and subtracting 2^23 (2^52) pushes
 * the fraction bits out in the FPU's round-to-nearest-even mode (the only
 * mode warren runs in). Values at or above that magnitude are already
 * integers, infinities stay, NaN comes back quieted (a + a). copysign keeps
 * the sign of results that round to zero: nearest(-0.4) is -0.
 */
static inline float
num_f32_nearest(float a)
{
	float m = num_f32_abs(a);
	if (a != a)
		return a + a;
	if (m >= 8388608.0f)
		return a;
	return num_f32_copysign((m + 8388608.0f) - 8388608.0f, a);
}

static inline double
num_f64_nearest(double a)
{
	double m = num_f64_abs(a);
	if (a != a)
		return a + a;
	if (m >= 4503599627370496.0)
		return a;
	return num_f64_copysign((m + 4503599627370496.0) - 4503599627370496.0, a);
}

/*
 * ceil/floor/trunc: libm is exact and keeps the sign of zero, but glibc
 * hands a signalling NaN back unchanged, and Wasm wants it quieted
 * (an "arithmetic NaN"): a + a does that. sqrt quiets by itself.
 */
static inline float
num_f32_ceil(float a)
{
	return a != a ? a + a : ceilf(a);
}

static inline float
num_f32_floor(float a)
{
	return a != a ? a + a : floorf(a);
}

static inline float
num_f32_trunc(float a)
{
	return a != a ? a + a : truncf(a);
}

static inline float
num_f32_sqrt(float a)
{
	return sqrtf(a);
}

static inline double
num_f64_ceil(double a)
{
	return a != a ? a + a : ceil(a);
}

static inline double
num_f64_floor(double a)
{
	return a != a ? a + a : floor(a);
}

static inline double
num_f64_trunc(double a)
{
	return a != a ? a + a : trunc(a);
}

static inline double
num_f64_sqrt(double a)
{
	return sqrt(a);
}

/* ---- float -> integer ------------------------------------------------------ */

/*
 * Whether trunc(a) fits the target: true only for non-NaN a strictly
 * inside the open interval (min - 1, max + 1), written with bounds that are
 * exact in the source type. Where min - 1 is not representable (f32 and
 * 64-bit targets) the test is a >= min instead, which is the same set,
 * because the float just below min is at most min - 1.
 * NaN fails every comparison, so these are false for NaN.
 */
static inline bool
num_f32_fits_i32(float a)
{
	return a >= -2147483648.0f && a < 2147483648.0f;
}

static inline bool
num_f32_fits_u32(float a)
{
	return a > -1.0f && a < 4294967296.0f;
}

static inline bool
num_f64_fits_i32(double a)
{
	return a > -2147483649.0 && a < 2147483648.0;
}

static inline bool
num_f64_fits_u32(double a)
{
	return a > -1.0 && a < 4294967296.0;
}

static inline bool
num_f32_fits_i64(float a)
{
	return a >= -9223372036854775808.0f && a < 9223372036854775808.0f;
}

static inline bool
num_f32_fits_u64(float a)
{
	return a > -1.0f && a < 18446744073709551616.0f;
}

static inline bool
num_f64_fits_i64(double a)
{
	return a >= -9223372036854775808.0 && a < 9223372036854775808.0;
}

static inline bool
num_f64_fits_u64(double a)
{
	return a > -1.0 && a < 18446744073709551616.0;
}

/*
 * Truncations; the caller has checked num_*_fits_* (the trapping ops trap
 * otherwise). C truncates toward zero; the result is returned as the
 * unsigned bit pattern of the Wasm value.
 */
static inline uint32_t
num_f32_to_i32(float a)
{
	return (uint32_t)(int32_t)a;
}

static inline uint32_t
num_f32_to_u32(float a)
{
	return (uint32_t)a;
}

static inline uint32_t
num_f64_to_i32(double a)
{
	return (uint32_t)(int32_t)a;
}

static inline uint32_t
num_f64_to_u32(double a)
{
	return (uint32_t)a;
}

static inline uint64_t
num_f32_to_i64(float a)
{
	return (uint64_t)(int64_t)a;
}

static inline uint64_t
num_f32_to_u64(float a)
{
	return (uint64_t)a;
}

static inline uint64_t
num_f64_to_i64(double a)
{
	return (uint64_t)(int64_t)a;
}

static inline uint64_t
num_f64_to_u64(double a)
{
	return (uint64_t)a;
}

/* Saturating truncations (trunc_sat): NaN -> 0, out of range -> the
 * nearest bound. */
static inline uint32_t
num_sat_f32_i32(float a)
{
	if (num_f32_fits_i32(a))
		return num_f32_to_i32(a);
	return a != a ? 0u : a < 0 ? 0x80000000u : 0x7fffffffu;
}

static inline uint32_t
num_sat_f32_u32(float a)
{
	if (num_f32_fits_u32(a))
		return num_f32_to_u32(a);
	return (a != a || a < 0) ? 0u : UINT32_MAX;
}

static inline uint32_t
num_sat_f64_i32(double a)
{
	if (num_f64_fits_i32(a))
		return num_f64_to_i32(a);
	return a != a ? 0u : a < 0 ? 0x80000000u : 0x7fffffffu;
}

static inline uint32_t
num_sat_f64_u32(double a)
{
	if (num_f64_fits_u32(a))
		return num_f64_to_u32(a);
	return (a != a || a < 0) ? 0u : UINT32_MAX;
}

static inline uint64_t
num_sat_f32_i64(float a)
{
	if (num_f32_fits_i64(a))
		return num_f32_to_i64(a);
	return a != a ? 0u : a < 0 ? 0x8000000000000000u : 0x7fffffffffffffffu;
}

static inline uint64_t
num_sat_f32_u64(float a)
{
	if (num_f32_fits_u64(a))
		return num_f32_to_u64(a);
	return (a != a || a < 0) ? 0u : UINT64_MAX;
}

static inline uint64_t
num_sat_f64_i64(double a)
{
	if (num_f64_fits_i64(a))
		return num_f64_to_i64(a);
	return a != a ? 0u : a < 0 ? 0x8000000000000000u : 0x7fffffffffffffffu;
}

static inline uint64_t
num_sat_f64_u64(double a)
{
	if (num_f64_fits_u64(a))
		return num_f64_to_u64(a);
	return (a != a || a < 0) ? 0u : UINT64_MAX;
}

/* ---- integer -> float ------------------------------------------------------ */

/* Signed and 32-bit sources: one C conversion, rounded once by the FPU. */

static inline float
num_i32_to_f32(uint32_t a)
{
	return (float)num_as_i32(a);
}

static inline float
num_u32_to_f32(uint32_t a)
{
	return (float)a;
}

static inline double
num_i32_to_f64(uint32_t a)
{
	return (double)num_as_i32(a);
}

static inline double
num_u32_to_f64(uint32_t a)
{
	return (double)a;
}

static inline double
num_i64_to_f64(uint64_t a)
{
	return (double)num_as_i64(a);
}

/*
 * 64-bit sources to f32 must round once. Going through double naively
 * rounds twice (0x8000008000000001 would come out one ulp low), and so do
 * some emulators' int64->float instructions (valgrind's). So the magnitude
 * is first made exact in double: at or above 2^53 its low 12 bits fold
 * into one sticky bit (bit 11), which lies far below f32's rounding
 * position there (bit 29 or higher), so ties and near-ties resolve as for
 * the full value. The one rounding left is double -> float. Round to
 * nearest even is symmetric, so negatives convert their magnitude.
 */
static inline float
num_mag_to_f32(uint64_t m)
{
	if (m >> 53)
		m = (m & ~(uint64_t)0xfff) | ((m & 0xfff) ? 0x800u : 0u);
	return (float)(double)m;
}

static inline float
num_u64_to_f32(uint64_t a)
{
	return num_mag_to_f32(a);
}

static inline float
num_i64_to_f32(uint64_t a)
{
	return (a >> 63) ? -num_mag_to_f32(0u - a) : num_mag_to_f32(a);
}

/* u64 -> f64 above INT64_MAX: halve with the lost bit kept as a sticky
 * bit (far below the rounding position), convert, double exactly. */
static inline double
num_u64_to_f64(uint64_t a)
{
	if (!(a >> 63))
		return (double)(int64_t)a;
	double h = (double)(int64_t)((a >> 1) | (a & 1u));
	return h + h;
}

/* demote/promote: plain C conversions. Annex F makes an out-of-range
 * demotion round to infinity; a NaN comes back quieted with its payload. */
static inline float
num_demote(double a)
{
	return (float)a;
}

static inline double
num_promote(float a)
{
	return (double)a;
}

#endif
