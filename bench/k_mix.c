/*
 * A mix of what system code does: CRC-32 (table driven) over a generated
 * text, a byte-at-a-time state machine that tokenizes it (words, numbers,
 * punctuation, line lengths), and a walk over a linked list whose nodes are
 * scattered through an array in a pseudo-random order.
 */
#include "kernels.h"

#define TEXTSZ (256u * 1024u)
#define NODES  (32u * 1024u)

struct node {
	uint32_t val;
	struct node *next;
};

static uint8_t text[TEXTSZ];
static struct node nodes[NODES];
static uint32_t order[NODES];
static uint32_t crctab[256];

static void
setup(void)
{
	static const char alphabet[] = "etaoin shrdlu cmfwyp 0123456789 ,.;:!?\n";
	uint32_t x = 2463534242u;

	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crctab[i] = c;
	}
	for (uint32_t i = 0; i < TEXTSZ; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		text[i] = (uint8_t)alphabet[x % (sizeof alphabet - 1)];
	}
	/* Fisher-Yates shuffle gives the list order. */
	for (uint32_t i = 0; i < NODES; i++)
		order[i] = i;
	for (uint32_t i = NODES - 1; i > 0; i--) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		uint32_t j = x % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < NODES; i++) {
		nodes[order[i]].val = i * 2654435761u;
		nodes[order[i]].next = i + 1 < NODES ? &nodes[order[i + 1]] : 0;
	}
}

static uint32_t
crc32(const uint8_t *p, uint32_t n, uint32_t crc)
{
	crc = ~crc;
	for (uint32_t i = 0; i < n; i++)
		crc = crctab[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

enum { S_SPACE, S_WORD, S_NUMBER, S_PUNCT };

static uint32_t
tokenize(const uint8_t *p, uint32_t n)
{
	uint32_t state = S_SPACE, words = 0, numbers = 0, puncts = 0, lines = 0;
	uint32_t col = 0, longest = 0, value = 0, numsum = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint8_t ch = p[i];
		col++;
		if (ch >= 'a' && ch <= 'z') {
			if (state != S_WORD)
				words++;
			state = S_WORD;
		} else if (ch >= '0' && ch <= '9') {
			if (state != S_NUMBER && state != S_WORD) {
				numbers++;
				value = 0;
			}
			if (state != S_WORD) {
				state = S_NUMBER;
				value = value * 10 + (uint32_t)(ch - '0');
			}
		} else {
			if (state == S_NUMBER)
				numsum += value;
			if (ch == '\n') {
				lines++;
				if (col > longest)
					longest = col;
				col = 0;
				state = S_SPACE;
			} else if (ch == ' ') {
				state = S_SPACE;
			} else {
				puncts++;
				state = S_PUNCT;
			}
		}
	}
	return words * 3 + numbers * 5 + puncts * 7 + lines * 11 + longest + numsum;
}

static uint32_t
walk(uint32_t seed)
{
	uint32_t h = seed;

	for (struct node *q = &nodes[order[0]]; q; q = q->next)
		h = (h ^ q->val) * 16777619u;
	return h;
}

uint32_t
k_mix(uint32_t n)
{
	uint32_t sum = 0;

	setup();
	for (uint32_t r = 0; r < n; r++) {
		uint32_t off = (r * 4099u) % 4096u;
		sum ^= crc32(text + off, TEXTSZ - off, sum);
		sum += tokenize(text + off, TEXTSZ - off);
		sum ^= walk(sum);
		text[(r * 7919u) % TEXTSZ] = (uint8_t)('a' + r % 26);
	}
	return sum;
}
