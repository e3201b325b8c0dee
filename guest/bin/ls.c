/*
 * ls [-1adlAF] [FILE...] - list directory contents, sorted by name.
 * -a shows names starting with '.', -A too but not . and .., -l the long
 * form (type and mode, links, owner, size, modification time, name and
 * symlink target), -d lists directories themselves, -F marks types
 * (/ dir, @ link, * executable is not known in WASI), -1 one name per line.
 * On a terminal names are set in columns, elsewhere one per line.
 * WASI keeps no owners or permission bits: owner is "root", modes are
 * rwxr-xr-x for directories, rw-r--r-- for files, rwxrwxrwx for links.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

static int all, almost, longform, dirself, one, classify;

struct ent {
	char *name;   /* as shown */
	char *path;   /* for stat */
	struct stat st;
	int ok;       /* st is valid */
};

static int
byname(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

static char
typechar(mode_t m)
{
	return S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' :
	       S_ISFIFO(m) ? 'p' : S_ISSOCK(m) ? 's' : '-';
}

static const char *
modestr(mode_t m)
{
	return S_ISDIR(m) ? "rwxr-xr-x" : S_ISLNK(m) ? "rwxrwxrwx" : "rw-r--r--";
}

static const char *
suffix(const struct ent *e)
{
	if (!classify || !e->ok)
		return "";
	return S_ISDIR(e->st.st_mode) ? "/" : S_ISLNK(e->st.st_mode) ? "@" :
	       S_ISFIFO(e->st.st_mode) ? "|" : "";
}

static void
show_long(const struct ent *e)
{
	char when[32] = "?";
	struct tm *tm;
	time_t t;

	if (!e->ok) {
		printf("?????????? ? ?    ?        ? %s\n", e->name);
		return;
	}
	t = e->st.st_mtim.tv_sec;
	if ((tm = gmtime(&t)))
		strftime(when, sizeof when, "%b %e %H:%M", tm);
	printf("%c%s %2lu root root %8lld %s %s%s", typechar(e->st.st_mode), modestr(e->st.st_mode),
	       (unsigned long)e->st.st_nlink, (long long)e->st.st_size, when, e->name, suffix(e));
	if (S_ISLNK(e->st.st_mode)) {
		char target[1024];
		ssize_t n = readlink(e->path, target, sizeof target - 1);

		if (n >= 0) {
			target[n] = 0;
			printf(" -> %s", target);
		}
	}
	putchar('\n');
}

/* Print a sorted list of entries in the chosen form. */
static void
show(struct ent *v, size_t n)
{
	size_t width = 0, cols, rows;

	qsort(v, n, sizeof *v, byname);
	if (longform) {
		for (size_t i = 0; i < n; i++)
			show_long(&v[i]);
		return;
	}
	if (one || !isatty(1)) {
		for (size_t i = 0; i < n; i++)
			printf("%s%s\n", v[i].name, suffix(&v[i]));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t w = strlen(v[i].name) + strlen(suffix(&v[i]));

		if (w > width)
			width = w;
	}
	width += 2;
	cols = 80 / width ? 80 / width : 1;
	rows = (n + cols - 1) / cols;
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < cols; c++) {
			size_t i = c * rows + r;

			if (i >= n)
				break;
			int last = c + 1 == cols || i + rows >= n;
			/* the suffix padded out to the column, unless it is the last */
			int pad = last ? 0 : (int)(width - strlen(v[i].name));

			printf("%s%-*s", v[i].name, pad, suffix(&v[i]));
		}
		putchar('\n');
	}
}

static void
freeents(struct ent *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

static int
listdir(const char *dir)
{
	struct ent *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp) {
		warnx("cannot access '%s': %s", dir, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp))) {
		const char *nm = d->d_name;
		size_t pl;

		if (nm[0] == '.' && !all && !almost)
			continue;
		if (almost && !all && (!strcmp(nm, ".") || !strcmp(nm, "..")))
			continue;
		if (n == cap) {
			struct ent *nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof *v);

			if (!nv)
				die(2, "out of memory");
			v = nv;
		}
		pl = strlen(dir) + strlen(nm) + 2;
		v[n].name = strdup(nm);
		v[n].path = malloc(pl);
		if (!v[n].name || !v[n].path)
			die(2, "out of memory");
		snprintf(v[n].path, pl, "%s/%s", dir, nm);
		v[n].ok = lstat(v[n].path, &v[n].st) == 0;
		n++;
	}
	closedir(dp);
	if (longform) {
		long long blocks = 0;

		for (size_t i = 0; i < n; i++)
			if (v[i].ok)
				blocks += (v[i].st.st_size + 1023) / 1024;
		printf("total %lld\n", blocks);
	}
	show(v, n);
	freeents(v, n);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ent *files;
	char **dirs;
	size_t nfiles = 0, ndirs = 0;
	int i = 1, status = 0, nargs;

	setprog(argv, "ls");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++) {
			switch (*p) {
			case 'a': all = 1; break;
			case 'A': almost = 1; break;
			case 'l': longform = 1; break;
			case 'd': dirself = 1; break;
			case '1': one = 1; break;
			case 'F': classify = 1; break;
			default:
				fprintf(stderr, "usage: ls [-1adlAF] [FILE...]\n");
				return 2;
			}
		}
	}
	nargs = argc - i;
	if (nargs == 0) {
		if (dirself) {
			argv[--i] = ".";
			nargs = 1;
		} else {
			return listdir(".") < 0 ? 2 : 0;
		}
	}
	files = calloc((size_t)nargs, sizeof *files);
	dirs = calloc((size_t)nargs, sizeof *dirs);
	if (!files || !dirs)
		die(2, "out of memory");
	for (; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0 && lstat(argv[i], &st) < 0) {
			warnx("cannot access '%s': %s", argv[i], strerror(errno));
			status = 2;
			continue;
		}
		if (S_ISDIR(st.st_mode) && !dirself) {
			dirs[ndirs++] = argv[i];
			continue;
		}
		files[nfiles].name = strdup(argv[i]);
		files[nfiles].path = strdup(argv[i]);
		if (!files[nfiles].name || !files[nfiles].path)
			die(2, "out of memory");
		files[nfiles].ok = lstat(argv[i], &files[nfiles].st) == 0;
		nfiles++;
	}
	if (nfiles)
		show(files, nfiles);
	freeents(files, nfiles);
	for (size_t k = 0; k < ndirs; k++) {
		if (nargs > 1)
			printf("%s%s:\n", nfiles || k ? "\n" : "", dirs[k]);
		if (listdir(dirs[k]) < 0)
			status = 2;
	}
	free(dirs);
	return status;
}
