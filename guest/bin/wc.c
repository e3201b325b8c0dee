/*
 * wc [-lwc] [FILE...] - count lines, words and bytes (all three unless
 * options pick some), per file and in total when there are several.
 * A single count of a single input is printed bare ("3"); otherwise each
 * count takes 7 columns, as BSD wc does.
 */
#include <ctype.h>
#include <fcntl.h>

#include "util.h"

struct counts {
	unsigned long long lines, words, bytes;
};

static int show_l, show_w, show_c, bare;

static int
count(int fd, const char *name, struct counts *c)
{
	static unsigned char buf[64 * 1024];
	int inword = 0;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warnerr(name);
			return -1;
		}
		if (n == 0)
			return 0;
		c->bytes += (unsigned long long)n;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n')
				c->lines++;
			if (isspace(buf[i])) {
				inword = 0;
			} else if (!inword) {
				inword = 1;
				c->words++;
			}
		}
	}
}

static void
show(const struct counts *c, const char *name)
{
	const unsigned long long v[3] = { c->lines, c->words, c->bytes };
	const int on[3] = { show_l, show_w, show_c };
	int first = 1;

	for (int i = 0; i < 3; i++)
		if (on[i]) {
			printf(bare ? "%s%llu" : "%s%7llu", first ? "" : " ", v[i]);
			first = 0;
		}
	if (name)
		printf(" %s", name);
	putchar('\n');
}

int
main(int argc, char **argv)
{
	struct counts total = { 0, 0, 0 };
	int i = 1, status = 0, nfiles;

	setprog(argv, "wc");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'l')
				show_l = 1;
			else if (*p == 'w')
				show_w = 1;
			else if (*p == 'c')
				show_c = 1;
			else {
				fprintf(stderr, "usage: wc [-lwc] [FILE...]\n");
				return 2;
			}
		}
	}
	if (!show_l && !show_w && !show_c)
		show_l = show_w = show_c = 1;
	nfiles = argc - i;
	bare = show_l + show_w + show_c == 1 && nfiles <= 1;
	if (nfiles == 0) {
		struct counts c = { 0, 0, 0 };

		status = count(0, "stdin", &c) < 0;
		show(&c, NULL);
		return status;
	}
	for (; i < argc; i++) {
		struct counts c = { 0, 0, 0 };
		int fd = strcmp(argv[i], "-") ? open(argv[i], O_RDONLY) : 0;

		if (fd < 0) {
			warnerr(argv[i]);
			status = 1;
			continue;
		}
		if (count(fd, argv[i], &c) < 0)
			status = 1;
		if (fd > 0)
			close(fd);
		show(&c, argv[i]);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (nfiles > 1)
		show(&total, "total");
	return status;
}
