/*
 * replay_ctl.c - the ctl fuzz corpus, replayed in `make test`: every file
 * of the directories given runs once through the harness of fuzz_ctl.c
 * (compiled without libFuzzer, entry point fuzz_ctl_input), in this
 * process.  A crash, hang or sanitizer report ends the run, which
 * tests/task/run.sh counts as a failure; otherwise every input passes.
 * Prints "ctl-fuzz: N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_ctl_input(const uint8_t *data, size_t size);

static int
byname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (int d = 1; d < argc; d++) {
		DIR *dir = opendir(argv[d]);
		struct dirent *e;
		char **names = NULL;
		size_t n = 0, cap = 0;

		if (!dir) {
			fprintf(stderr, "replay_ctl: %s: cannot open\n", argv[d]);
			failed++;
			continue;
		}
		while ((e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			if (n == cap) {
				char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *nn);

				if (!nn)
					return 2;
				names = nn;
			}
			if (!(names[n++] = strdup(e->d_name)))
				return 2;
		}
		closedir(dir);
		qsort(names, n, sizeof *names, byname);
		for (size_t i = 0; i < n; i++) {
			char path[4096];
			uint8_t *buf = NULL;
			size_t len = 0, got;
			FILE *f;

			snprintf(path, sizeof path, "%s/%s", argv[d], names[i]);
			if (!(f = fopen(path, "rb")) || !(buf = malloc(1 << 20))) {
				fprintf(stderr, "replay_ctl: %s: cannot read\n", path);
				failed++;
				if (f)
					fclose(f);
				free(buf);
				free(names[i]);
				continue;
			}
			while ((got = fread(buf + len, 1, (1u << 20) - len, f)) > 0)
				len += got;
			fclose(f);
			fuzz_ctl_input(buf, len);
			passed++;
			free(buf);
			free(names[i]);
		}
		free(names);
	}
	printf("ctl-fuzz: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
