/*
 * replay.c - `make fuzz-replay`: every saved fuzz input, run once more.
 *
 *   replay [-n] FUZZDIR
 *
 * Feeds each file of FUZZDIR/corpus/<harness>/ and each FUZZDIR/regressions/
 * <harness>-* file to that harness, built without libFuzzer (its entry point
 * renamed at compile time). Every input runs in a child process with an
 * alarm, so one crash, sanitizer report, leak or hang fails that file and
 * the rest still run; -n runs them in this process instead (for gdb).
 * Prints "fuzz-replay: N passed, N failed"; exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TIMEOUT_S 60    /* per input; the harnesses cap fuel, so this means a hang */

int fuzz_module_input(const uint8_t *data, size_t size);
int fuzz_snapshot_input(const uint8_t *data, size_t size);

static const struct harness {
	const char *name;    /* corpus/<name>/ and regressions/<name>-* */
	int (*fn)(const uint8_t *, size_t);
} harnesses[] = {
	{ "module", fuzz_module_input },
	{ "snapshot", fuzz_snapshot_input },
};
#define NHARNESS (sizeof harnesses / sizeof harnesses[0])

static int passed, failed;
static bool inprocess;

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 4096);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* The child's whole life: read one input, run it, exit 0. */
static int
run_one(const struct harness *h, const char *path)
{
	size_t len = 0;
	uint8_t *data = slurp(path, &len);

	if (!data)
		return 1;
	h->fn(data, len);
	free(data);
	return 0;
}

static void
replay(const struct harness *h, const char *path)
{
	int status;
	pid_t pid;

	if (inprocess) {
		if (run_one(h, path) == 0)
			passed++;
		else {
			printf("fuzz-replay: FAIL %s: unreadable\n", path);
			failed++;
		}
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm(TIMEOUT_S);
		exit(run_one(h, path));
	}
	if (pid < 0) {
		printf("fuzz-replay: FAIL %s: fork: %s\n", path, strerror(errno));
		failed++;
		return;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		passed++;
		return;
	}
	failed++;
	if (WIFSIGNALED(status))
		printf("fuzz-replay: FAIL %s: %s\n", path,
		       WTERMSIG(status) == SIGALRM ? "timeout" : strsignal(WTERMSIG(status)));
	else
		printf("fuzz-replay: FAIL %s: exit status %d\n", path, WEXITSTATUS(status));
}

/* A regression file no harness claims would silently never run: fail it. */
static void
unclaimed(const char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp)) != NULL) {
		size_t i;
		if (d->d_name[0] == '.' || strcmp(d->d_name, "README") == 0)
			continue;
		for (i = 0; i < NHARNESS; i++) {
			size_t n = strlen(harnesses[i].name);
			if (strncmp(d->d_name, harnesses[i].name, n) == 0 && d->d_name[n] == '-')
				break;
		}
		if (i == NHARNESS) {
			printf("fuzz-replay: FAIL %s/%s: name starts with no harness name\n", dir,
			       d->d_name);
			failed++;
		}
	}
	closedir(dp);
}

/* Replay every regular file in dir whose name starts with prefix, in name order. */
static void
replay_dir(const struct harness *h, const char *dir, const char *prefix)
{
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.' || strncmp(d->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
			if (!nn)
				break;
			names = nn;
		}
		if ((names[n] = strdup(d->d_name)) != NULL)
			n++;
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof *names, cmp);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		replay(h, path);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	char dir[4096], prefix[64];
	int a = 1;

	if (a < argc && strcmp(argv[a], "-n") == 0) {
		inprocess = true;
		a++;
	}
	if (a + 1 != argc) {
		fprintf(stderr, "usage: replay [-n] FUZZDIR\n");
		return 2;
	}
	for (size_t i = 0; i < NHARNESS; i++) {
		const struct harness *h = &harnesses[i];
		snprintf(dir, sizeof dir, "%s/corpus/%s", argv[a], h->name);
		replay_dir(h, dir, "");
		snprintf(dir, sizeof dir, "%s/regressions", argv[a]);
		snprintf(prefix, sizeof prefix, "%s-", h->name);
		replay_dir(h, dir, prefix);
	}
	snprintf(dir, sizeof dir, "%s/regressions", argv[a]);
	unclaimed(dir);
	printf("fuzz-replay: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
