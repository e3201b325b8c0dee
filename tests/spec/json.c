/*
 * json.c - strict recursive-descent JSON parser (see json.h).
 *
 * Recursion is bounded by MAXDEPTH so hostile nesting cannot overflow the
 * host stack; every partially built node is freed on the error path.
 */
#include "json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXDEPTH = 256 };

struct parser {
	const unsigned char *start, *p, *end;
	int depth;
	char *err;
	size_t errlen;
	bool failed;
};

static int value(struct parser *ps, struct json *out);

/* Record the first error only: later ones are consequences of it. */
static int
fail(struct parser *ps, const char *fmt, ...)
{
	if (!ps->failed && ps->errlen > 0) {
		va_list ap;
		int n = snprintf(ps->err, ps->errlen, "offset %zu: ",
				 (size_t)(ps->p - ps->start));
		if (n >= 0 && (size_t)n < ps->errlen) {
			va_start(ap, fmt);
			vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	ps->failed = true;
	return -1;
}

static void
skipws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static void
free_contents(struct json *j)
{
	size_t i;

	switch (j->type) {
	case JSON_ARRAY:
		for (i = 0; i < j->len; i++)
			free_contents(&j->items[i]);
		free(j->items);
		break;
	case JSON_OBJECT:
		for (i = 0; i < j->len; i++) {
			free(j->members[i].key);
			free_contents(&j->members[i].value);
		}
		free(j->members);
		break;
	default:
		free(j->str);
		break;
	}
	memset(j, 0, sizeof *j);
}

/*
 * Length of the well-formed UTF-8 sequence at p (1..4), or 0. Rejects
 * overlong forms, surrogates and code points above U+10FFFF, as RFC 3629
 * requires.
 */
static int
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	static const struct { unsigned char lead_lo, lead_hi, lo, hi; int n; } forms[] = {
		{ 0x00, 0x7f, 0x00, 0x00, 1 },
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 },  /* no overlong 3-byte forms */
		{ 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 },  /* no surrogates */
		{ 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 },  /* no overlong 4-byte forms */
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },  /* nothing above U+10FFFF */
	};
	size_t i;
	int k;

	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		if (p[0] < forms[i].lead_lo || p[0] > forms[i].lead_hi)
			continue;
		if (end - p < forms[i].n)
			return 0;
		if (forms[i].n > 1 && (p[1] < forms[i].lo || p[1] > forms[i].hi))
			return 0;
		for (k = 2; k < forms[i].n; k++)
			if ((p[k] & 0xc0) != 0x80)
				return 0;
		return forms[i].n;
	}
	return 0;
}

static size_t
put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Four hex digits after "\u"; -1 if malformed. */
static int32_t
hex4(struct parser *ps)
{
	int32_t v = 0;
	int i;

	if (ps->end - ps->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned char c = ps->p[i];
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	ps->p += 4;
	return v;
}

/*
 * Parse a string at ps->p (the opening quote) into a fresh NUL-terminated
 * buffer. The decoded form is never longer than the source (an escape of
 * 2, 6 or 12 bytes yields at most 1, 3 or 4), so one allocation sized by
 * the source span is enough.
 */
static int
string(struct parser *ps, char **out, size_t *outlen)
{
	const unsigned char *q = ps->p + 1;
	char *buf, *o;
	int32_t c, lo;

	while (q < ps->end && *q != '"')
		q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
	if (q >= ps->end)
		return fail(ps, "unterminated string");
	buf = malloc((size_t)(q - ps->p));
	if (buf == NULL)
		return fail(ps, "out of memory");
	o = buf;
	ps->p++;
	while (*ps->p != '"') {
		if (*ps->p < 0x20) {
			fail(ps, "control character 0x%02x in string", *ps->p);
			goto bad;
		}
		if (*ps->p != '\\') {
			int n = utf8_seq(ps->p, ps->end);
			if (n == 0) {
				fail(ps, "invalid UTF-8 in string");
				goto bad;
			}
			memcpy(o, ps->p, (size_t)n);
			o += n;
			ps->p += n;
			continue;
		}
		ps->p++;
		switch (*ps->p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			c = hex4(ps);
			if (c < 0) {
				fail(ps, "bad \\u escape");
				goto bad;
			}
			if (c >= 0xdc00 && c <= 0xdfff) {
				fail(ps, "lone low surrogate \\u%04x", (unsigned)c);
				goto bad;
			}
			if (c >= 0xd800 && c <= 0xdbff) {
				if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
					fail(ps, "high surrogate \\u%04x not followed by \\u", (unsigned)c);
					goto bad;
				}
				ps->p += 2;
				lo = hex4(ps);
				if (lo < 0xdc00 || lo > 0xdfff) {
					fail(ps, "high surrogate \\u%04x not followed by a low one", (unsigned)c);
					goto bad;
				}
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			}
			o += put_utf8(o, (uint32_t)c);
			break;
		default:
			ps->p--;
			fail(ps, "bad escape");
			goto bad;
		}
	}
	ps->p++;
	*o = '\0';
	*out = buf;
	*outlen = (size_t)(o - buf);
	return 0;
bad:
	free(buf);
	return -1;
}

static bool
digit(struct parser *ps)
{
	return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

static int
number(struct parser *ps, struct json *out)
{
	const unsigned char *s = ps->p;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (!digit(ps))
		return fail(ps, "bad number");
	if (*ps->p == '0')
		ps->p++;
	else
		while (digit(ps))
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (!digit(ps))
			return fail(ps, "bad number: no digits after '.'");
		while (digit(ps))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!digit(ps))
			return fail(ps, "bad number: no exponent digits");
		while (digit(ps))
			ps->p++;
	}
	out->len = (size_t)(ps->p - s);
	out->str = malloc(out->len + 1);
	if (out->str == NULL)
		return fail(ps, "out of memory");
	memcpy(out->str, s, out->len);
	out->str[out->len] = '\0';
	out->type = JSON_NUMBER;
	return 0;
}

/* Grow *arr (of elements `size` bytes, *cap allocated) to hold n + 1. */
static int
reserve(struct parser *ps, void **arr, size_t *cap, size_t n, size_t size)
{
	void *na;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / size)
		return fail(ps, "out of memory");
	na = realloc(*arr, ncap * size);
	if (na == NULL)
		return fail(ps, "out of memory");
	*arr = na;
	*cap = ncap;
	return 0;
}

/*
 * Arrays and objects share one loop: `out` is filled in place (its len
 * counts finished entries), so free_contents can always release it.
 */
static int
compound(struct parser *ps, struct json *out, bool object)
{
	unsigned char close = object ? '}' : ']';
	size_t cap = 0;

	out->type = object ? JSON_OBJECT : JSON_ARRAY;
	if (++ps->depth > MAXDEPTH)
		return fail(ps, "nesting deeper than %d", MAXDEPTH);
	ps->p++;
	skipws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		struct json *slot;

		skipws(ps);
		if (object) {
			struct json_member *m;
			if (reserve(ps, (void **)&out->members, &cap, out->len, sizeof *m) < 0)
				return -1;
			m = &out->members[out->len];
			memset(m, 0, sizeof *m);
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a member name");
			if (string(ps, &m->key, &m->keylen) < 0)
				return -1;
			out->len++;   /* from here free_contents owns m->key */
			skipws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
			slot = &m->value;
		} else {
			if (reserve(ps, (void **)&out->items, &cap, out->len, sizeof *slot) < 0)
				return -1;
			slot = &out->items[out->len++];
			memset(slot, 0, sizeof *slot);
		}
		if (value(ps, slot) < 0)
			return -1;
		skipws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return 0;
		}
		return fail(ps, "expected ',' or '%c'", close);
	}
}

static int
literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "unexpected character");
	ps->p += n;
	return 0;
}

static int
value(struct parser *ps, struct json *out)
{
	skipws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	switch (*ps->p) {
	case '{':
		return compound(ps, out, true);
	case '[':
		return compound(ps, out, false);
	case '"':
		out->type = JSON_STRING;
		return string(ps, &out->str, &out->len);
	case 't':
		out->type = JSON_BOOL;
		out->boolean = true;
		return literal(ps, "true");
	case 'f':
		out->type = JSON_BOOL;
		return literal(ps, "false");
	case 'n':
		out->type = JSON_NULL;
		return literal(ps, "null");
	default:
		return number(ps, out);
	}
}

struct json *
json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser ps = {
		.start = (const unsigned char *)text,
		.p = (const unsigned char *)text,
		.end = (const unsigned char *)text + len,
		.err = err,
		.errlen = errlen,
	};
	struct json *j = calloc(1, sizeof *j);

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (j == NULL) {
		fail(&ps, "out of memory");
		return NULL;
	}
	if (value(&ps, j) < 0)
		goto bad;
	skipws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "trailing characters after the value");
		goto bad;
	}
	return j;
bad:
	json_free(j);
	return NULL;
}

void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	free_contents(j);
	free(j);
}

const struct json *
json_get(const struct json *obj, const char *key)
{
	size_t i, n;

	if (obj == NULL || obj->type != JSON_OBJECT)
		return NULL;
	n = strlen(key);
	for (i = 0; i < obj->len; i++)
		if (obj->members[i].keylen == n && memcmp(obj->members[i].key, key, n) == 0)
			return &obj->members[i].value;
	return NULL;
}

const char *
json_get_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v != NULL && v->type == JSON_STRING ? v->str : NULL;
}
