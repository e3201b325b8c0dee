/*
 * replay.c - `make fuzz-replay`: every saved fuzz input, run once more.
 *
 *   replay [-n] FUZZDIR
 *
 * Feeds each file of FUZZDIR/corpus/<harness>/ and each FUZZDIR/regressions/
 * <harness>-* file to that harness, built without libFuzzer (its entry point
 * renamed at compile time). A file passes if the harness returns; a crash,
 * a sanitizer report, a leak or a hang fails it, and the rest still run.
 *
 * Inputs run in child processes, a batch per child (a fork per input is
 * slow under ASan): the child reports each input it finishes through a
 * pipe, so when it dies the culprit is the next one, which fails, and a new
 * child takes the rest. A leak shows only when a child exits; then that
 * batch runs again one input per child to name the leaking ones. Each
 * input has TIMEOUT_S seconds. -n runs everything in this process (gdb).
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
#define BATCH 256       /* inputs per child */

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

struct input {
	const struct harness *h;
	char *path;
};

static struct input *inputs;
static size_t ninputs, cap;
static int passed, failed;

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
fail(const char *path, const char *why)
{
	printf("fuzz-replay: FAIL %s: %s\n", path, why);
	failed++;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t bcap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n == bcap) {
			uint8_t *nb = realloc(buf, bcap = bcap ? bcap * 2 : 4096);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, bcap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

static int
run_one(const struct input *in)
{
	size_t len = 0;
	uint8_t *data = slurp(in->path, &len);

	if (!data)
		return -1;
	in->h->fn(data, len);
	free(data);
	return 0;
}

static const char *
death(int status)
{
	static char buf[64];

	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGALRM ? "timeout" : strsignal(WTERMSIG(status));
	snprintf(buf, sizeof buf, "exit status %d", WEXITSTATUS(status));
	return buf;
}

/*
 * Run inputs[from, to) in one child. Returns how many it finished (each
 * reported through the pipe) and its wait status in *status, or -1 if no
 * child could be made.
 */
static long
child(size_t from, size_t to, int *status)
{
	int fd[2];
	long done = 0;
	uint32_t idx;
	pid_t pid;

	if (pipe(fd) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		close(fd[0]);
		for (size_t i = from; i < to; i++) {
			alarm(TIMEOUT_S);
			if (run_one(&inputs[i]) != 0)
				_exit(100);
			idx = (uint32_t)i;
			if (write(fd[1], &idx, sizeof idx) != sizeof idx)
				_exit(101);
		}
		alarm(0);
		exit(0); /* exit, not _exit: the leak checker runs at exit */
	}
	close(fd[1]);
	for (;;) {
		ssize_t r = read(fd[0], &idx, sizeof idx);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != sizeof idx)
			break;
		done++;
	}
	close(fd[0]);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return done;
}

static void
run_batch(size_t from, size_t to, bool single)
{
	while (from < to) {
		size_t end = single ? from + 1 : to;
		int status = 0;
		long done = child(from, end, &status);

		if (done < 0) {
			fail(inputs[from].path, "cannot fork");
			from++;
			continue;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			passed += (int)(end - from);
		} else if ((size_t)done < end - from) {
			/* Died inside input from+done. */
			passed += (int)done;
			fail(inputs[from + done].path, death(status));
			end = from + done + 1;
		} else if (single) {
			fail(inputs[from].path, death(status)); /* a leak, at exit */
		} else {
			run_batch(from, end, true); /* whose leak? */
		}
		from = end;
	}
}

static void
add(const struct harness *h, const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);

	if (ninputs == cap) {
		struct input *ni = realloc(inputs, (cap = cap ? cap * 2 : 256) * sizeof *inputs);
		if (!ni) {
			free(path);
			return;
		}
		inputs = ni;
	}
	if (!path)
		return;
	snprintf(path, n, "%s/%s", dir, name);
	inputs[ninputs].h = h;
	inputs[ninputs++].path = path;
}

/*
 * Queue every file in dir whose name starts with prefix (h != NULL), in
 * name order; with h == NULL, fail every file no harness claims, which
 * would otherwise never run.
 */
static void
scan(const struct harness *h, const char *dir, const char *prefix)
{
	char **names = NULL;
	size_t n = 0, ncap = 0;
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.' || strcmp(d->d_name, "README") == 0)
			continue;
		if (h && strncmp(d->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (!h) {
			size_t i;
			for (i = 0; i < NHARNESS; i++) {
				size_t k = strlen(harnesses[i].name);
				if (strncmp(d->d_name, harnesses[i].name, k) == 0 && d->d_name[k] == '-')
					break;
			}
			if (i == NHARNESS) {
				printf("fuzz-replay: FAIL %s/%s: name starts with no harness name\n",
				       dir, d->d_name);
				failed++;
			}
			continue;
		}
		if (n == ncap) {
			char **nn = realloc(names, (ncap = ncap ? ncap * 2 : 64) * sizeof *names);
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
		add(h, dir, names[i]);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	char dir[4096], prefix[64];
	bool inprocess = false;
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
		scan(h, dir, "");
		snprintf(dir, sizeof dir, "%s/regressions", argv[a]);
		snprintf(prefix, sizeof prefix, "%s-", h->name);
		scan(h, dir, prefix);
	}
	snprintf(dir, sizeof dir, "%s/regressions", argv[a]);
	scan(NULL, dir, "");
	for (size_t i = 0; i < ninputs; i += BATCH) {
		size_t end = i + BATCH < ninputs ? i + BATCH : ninputs;
		if (!inprocess) {
			run_batch(i, end, false);
			continue;
		}
		for (size_t j = i; j < end; j++) {
			if (run_one(&inputs[j]) == 0)
				passed++;
			else
				fail(inputs[j].path, "unreadable");
		}
	}
	for (size_t i = 0; i < ninputs; i++)
		free(inputs[i].path);
	free(inputs);
	printf("fuzz-replay: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
