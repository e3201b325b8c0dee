/*
 * client N [ROUNDS] - a guest of examples/kv-host.c: player N talks to the
 * host's native key-value interface "kv" (/srv/kv) with wr_call
 * (<warren/ipc.h>), in kvd's text protocol plus the host's "incr" and
 * "later" verbs, and checks every answer:
 *   set playerN score=N*N, get it back      (answered inline)
 *   incr visits, ROUNDS times                (atomic: the host serves one
 *                                             message at a time)
 *   set tmpN x, del tmpN, get tmpN           (ENOENT once deleted)
 *   later playerN                            (answered later, from the
 *                                             host's own loop)
 *   frobnicate                               (EINVAL: unknown verb)
 * It prints what it did, one line each, and exits 0 when every answer was
 * the expected one, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <warren/ipc.h>

static int failures;
static const char *me = "client";

/* Send one request; check its status (0 ok, else an errno) and, when
 * want is not NULL, its body. Returns the body (static). */
static const char *
ask(const char *req, int want_status, const char *want)
{
	static char ans[256];
	size_t len = 0;
	int status = -1;

	if (wr_call("kv", req, strlen(req), &status, ans, sizeof ans - 1, &len) < 0) {
		printf("%s: %s: cannot call kv: %s\n", me, req, strerror(errno));
		failures++;
		return "";
	}
	ans[len] = 0;
	if (len && ans[len - 1] == '\n')
		ans[len - 1] = 0;
	if (status != want_status || (want && strcmp(ans, want))) {
		printf("%s: %s: got status %d \"%s\", want %d \"%s\"\n", me, req, status, ans,
		       want_status, want ? want : "*");
		failures++;
	} else {
		printf("%s: %s -> %s%s%s\n", me, req, status ? strerror(status) : "ok",
		       ans[0] ? " " : "", ans);
	}
	return ans;
}

int
main(int argc, char **argv)
{
	char req[128], want[64], name[32];
	int n = argc > 1 ? atoi(argv[1]) : 0, rounds = argc > 2 ? atoi(argv[2]) : 3;

	snprintf(name, sizeof name, "player%d", n);
	me = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(req, sizeof req, "set player%d score=%d", n, n * n);
	ask(req, 0, "");
	snprintf(req, sizeof req, "get player%d", n);
	snprintf(want, sizeof want, "score=%d", n * n);
	ask(req, 0, want);
	for (int i = 0; i < rounds; i++)
		ask("incr visits", 0, NULL);
	snprintf(req, sizeof req, "set tmp%d x", n);
	ask(req, 0, "");
	snprintf(req, sizeof req, "del tmp%d", n);
	ask(req, 0, "");
	snprintf(req, sizeof req, "get tmp%d", n);
	ask(req, ENOENT, "no such key");
	snprintf(req, sizeof req, "later player%d", n);
	ask(req, 0, want);
	ask("frobnicate", EINVAL, NULL);
	printf("%s: %s\n", me, failures ? "FAILED" : "done");
	return failures ? 1 : 0;
}
