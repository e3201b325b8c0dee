/*
 * unit.h - the smallest test harness that does the job.
 *
 * TEST(name) { ... } defines a test and registers it before main() runs
 * (a constructor), so adding a test never means editing a list by hand.
 * CHECK* macros record a failure with file:line and the values involved,
 * then let the test continue: one run shows every broken expectation,
 * not just the first.  The runner is tests/unit_main.c.
 */
#ifndef WARREN_TESTS_UNIT_H
#define WARREN_TESTS_UNIT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

/* Adds t to the global list; called from constructors only. */
void unit_register(struct unit_test *t);

/*
 * Records one failure for the running test.  fmt is printf-style; the
 * message is printed under the test's name when it finishes.
 */
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)                                                      \
	static void test_##name(void);                                  \
	static struct unit_test unit_t_##name = { #name, test_##name, 0 }; \
	__attribute__((constructor)) static void unit_reg_##name(void)  \
	{                                                               \
		unit_register(&unit_t_##name);                          \
	}                                                               \
	static void test_##name(void)

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond))                                            \
			unit_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
	} while (0)

#define CHECK_EQ_U64(a, b)                                              \
	do {                                                            \
		uint64_t unit_a_ = (uint64_t)(a), unit_b_ = (uint64_t)(b); \
		if (unit_a_ != unit_b_)                                 \
			unit_fail(__FILE__, __LINE__,                   \
			    "CHECK_EQ_U64(%s, %s): %llu (0x%llx) != %llu (0x%llx)", \
			    #a, #b, (unsigned long long)unit_a_,        \
			    (unsigned long long)unit_a_,                \
			    (unsigned long long)unit_b_,                \
			    (unsigned long long)unit_b_);               \
	} while (0)

#define CHECK_EQ_I64(a, b)                                              \
	do {                                                            \
		int64_t unit_a_ = (int64_t)(a), unit_b_ = (int64_t)(b); \
		if (unit_a_ != unit_b_)                                 \
			unit_fail(__FILE__, __LINE__,                   \
			    "CHECK_EQ_I64(%s, %s): %lld != %lld",       \
			    #a, #b, (long long)unit_a_,                 \
			    (long long)unit_b_);                        \
	} while (0)

/* NULL-safe: two NULLs are equal, NULL and a string are not. */
#define CHECK_STR(a, b)                                                 \
	do {                                                            \
		const char *unit_a_ = (a), *unit_b_ = (b);              \
		if (!unit_a_ || !unit_b_ ? unit_a_ != unit_b_           \
		    : strcmp(unit_a_, unit_b_) != 0)                    \
			unit_fail(__FILE__, __LINE__,                   \
			    "CHECK_STR(%s, %s): %s%s%s != %s%s%s",      \
			    #a, #b, unit_a_ ? "\"" : "",               \
			    unit_a_ ? unit_a_ : "NULL", unit_a_ ? "\"" : "", \
			    unit_b_ ? "\"" : "",                        \
			    unit_b_ ? unit_b_ : "NULL", unit_b_ ? "\"" : ""); \
	} while (0)

#define CHECK_MEM(a, b, n)                                              \
	do {                                                            \
		const void *unit_a_ = (a), *unit_b_ = (b);              \
		size_t unit_n_ = (size_t)(n);                           \
		if (!unit_a_ || !unit_b_ ? unit_a_ != unit_b_           \
		    : memcmp(unit_a_, unit_b_, unit_n_) != 0)           \
			unit_fail(__FILE__, __LINE__,                   \
			    "CHECK_MEM(%s, %s, %zu): contents differ",  \
			    #a, #b, unit_n_);                           \
	} while (0)

#endif
