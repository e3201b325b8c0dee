/*
 * json.h - a small strict JSON parser (RFC 8259) for the spec runner.
 *
 * It reads wast2json's command files, but accepts exactly the JSON grammar:
 * no comments, no trailing commas, no leading zeros, no raw control
 * characters or invalid UTF-8 in strings, no lone surrogates in \u escapes.
 * Numbers are kept as their literal text: the runner decides how to read
 * them (wast2json writes 64-bit values as strings anyway).
 */
#ifndef WARREN_SPEC_JSON_H
#define WARREN_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_member;

struct json {
	enum json_type type;
	bool boolean;                 /* BOOL */
	size_t len;                   /* STRING/NUMBER: bytes in str; ARRAY/OBJECT: entries */
	char *str;                    /* STRING: decoded UTF-8; NUMBER: literal text. NUL-terminated,
	                                 but a STRING may also contain NUL (use len) */
	struct json *items;           /* ARRAY: len values */
	struct json_member *members;  /* OBJECT: len members, in input order */
};

struct json_member {
	char *key;                    /* decoded, NUL-terminated; keylen bytes (may contain NUL) */
	size_t keylen;
	struct json value;
};

/*
 * Parse `len` bytes of `text` as exactly one JSON value (surrounding
 * whitespace allowed). Returns a new tree owned by the caller (json_free),
 * or NULL with a message naming the byte offset in err (errlen bytes, may be
 * 0) on a syntax error, nesting deeper than 256 levels, or out of memory.
 */
struct json *json_parse(const char *text, size_t len, char *err, size_t errlen);

/* Free a tree from json_parse; NULL is fine. */
void json_free(struct json *j);

/* The value of the first member named `key` (a C string) of an object, or
 * NULL if obj is NULL, not an object or has no such member. */
const struct json *json_get(const struct json *obj, const char *key);

/* The string value of member `key`, or NULL if absent or not a string. */
const char *json_get_str(const struct json *obj, const char *key);

#endif
