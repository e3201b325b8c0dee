/*
 * grep [-EFivncqlhHs] [-e PATTERN]... [PATTERN] [FILE...] - print the
 * lines that match. Patterns are basic regular expressions (-E: extended,
 * -F: fixed strings), matched with wasi-libc's regcomp. -i ignores case,
 * -v selects non-matching lines, -n numbers lines, -c counts them, -q
 * only sets the status, -l lists matching files, -h/-H hide/show file
 * names, -s hides messages about unreadable files.
 * Exit status: 0 a line was selected, 1 none, 2 an error.
 */
#include <ctype.h>
#include <regex.h>

#include "util.h"

enum { BASIC, EXTENDED, FIXED };

static int mode = BASIC, icase, invert, number, countonly, quiet, listfiles, silent;
static int names = -1;  /* -1: only when several files */
static char **pats;
static size_t npats;
static regex_t *res;

static void
addpat(const char *p)
{
	/* A pattern with newlines is several patterns. */
	const char *nl;

	do {
		char **np = realloc(pats, (npats + 1) * sizeof *pats);

		if (!np)
			die(2, "out of memory");
		pats = np;
		nl = strchr(p, '\n');
		pats[npats] = nl ? strndup(p, (size_t)(nl - p)) : strdup(p);
		if (!pats[npats++])
			die(2, "out of memory");
		p = nl + 1;
	} while (nl);
}

/* strstr, optionally ignoring case. */
static int
fixed_match(const char *line, const char *pat)
{
	size_t pl = strlen(pat);

	if (!icase)
		return strstr(line, pat) != NULL;
	for (; *line; line++)
		if (!strncasecmp(line, pat, pl))
			return 1;
	return pl == 0;
}

static int
matches(const char *line)
{
	for (size_t i = 0; i < npats; i++) {
		if (mode == FIXED ? fixed_match(line, pats[i]) :
				    regexec(&res[i], line, 0, NULL, 0) == 0)
			return 1;
	}
	return 0;
}

/* Scan one input; returns lines selected, or -1 on a read error. */
static long
scan(FILE *f, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0, hits = 0;

	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = 0;
		if (matches(line) == invert)
			continue;
		hits++;
		if (quiet)
			break;
		if (listfiles)
			break;
		if (countonly)
			continue;
		if (names)
			printf("%s:", name);
		if (number)
			printf("%ld:", lineno);
		fwrite(line, 1, (size_t)len, stdout);
		putchar('\n');
	}
	free(line);
	if (ferror(f))
		return -1;
	if (listfiles && hits)
		puts(name);
	else if (countonly && !quiet && names)
		printf("%s:%ld\n", name, hits);
	else if (countonly && !quiet)
		printf("%ld\n", hits);
	return hits;
}

int
main(int argc, char **argv)
{
	int i = 1, found = 0, errors = 0;

	setprog(argv, "grep");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'e') {
				/* The rest of this argument, or the next one, is a pattern. */
				if (p[1])
					addpat(p + 1);
				else if (++i < argc)
					addpat(argv[i]);
				else
					goto usage;
				break;
			}
			switch (*p) {
			case 'E': mode = EXTENDED; break;
			case 'F': mode = FIXED; break;
			case 'G': mode = BASIC; break;
			case 'i': icase = 1; break;
			case 'v': invert = 1; break;
			case 'n': number = 1; break;
			case 'c': countonly = 1; break;
			case 'q': quiet = 1; break;
			case 'l': listfiles = 1; break;
			case 'h': names = 0; break;
			case 'H': names = 1; break;
			case 's': silent = 1; break;
			default:
				goto usage;
			}
		}
	}
	if (!npats) {
		if (i >= argc)
			goto usage;
		addpat(argv[i++]);
	}
	if (mode != FIXED) {
		if (!(res = calloc(npats, sizeof *res)))
			die(2, "out of memory");
		for (size_t k = 0; k < npats; k++) {
			int flags = REG_NOSUB | (mode == EXTENDED ? REG_EXTENDED : 0) |
				    (icase ? REG_ICASE : 0);
			int e = regcomp(&res[k], pats[k], flags);

			if (e) {
				char msg[128];

				regerror(e, &res[k], msg, sizeof msg);
				die(2, "%s: %s", pats[k], msg);
			}
		}
	}
	if (names < 0)
		names = argc - i > 1;
	if (i == argc) {
		long r = scan(stdin, "(standard input)");

		if (r < 0)
			errors = 1;
		found = r > 0;
	}
	for (; i < argc && !(quiet && found); i++) {
		int is_stdin = !strcmp(argv[i], "-");
		FILE *f = is_stdin ? stdin : fopen(argv[i], "r");
		long r;

		if (!f) {
			if (!silent)
				warnerr(argv[i]);
			errors = 1;
			continue;
		}
		r = scan(f, is_stdin ? "(standard input)" : argv[i]);
		if (r < 0) {
			if (!silent)
				warnerr(argv[i]);
			errors = 1;
		} else if (r > 0) {
			found = 1;
		}
		if (!is_stdin)
			fclose(f);
	}
	fflush(stdout);
	if (quiet && found)
		return 0;
	return errors ? 2 : !found;
usage:
	fprintf(stderr, "usage: grep [-EFivncqlhHs] [-e PATTERN]... [PATTERN] [FILE...]\n");
	return 2;
}
