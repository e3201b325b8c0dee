/*
 * guest_ns.c - namespaces from inside warren: union directories, bind and
 * unbind through warren_v1, fork copying the namespace and rfork sharing
 * it, exec keeping it, nomount; and the hostile part: a host directory
 * (mounted read-only at /h by tests/task/run.sh) bound and unioned every
 * which way, walked with "..", relative, absolute and host-absolute links.
 * Nothing outside /h's box may ever be read ("SECRET" lives next to it).
 */
#include <dirent.h>
#include <sys/stat.h>

#include "gt.h"

#define WR_IMPORT(name) __attribute__((import_module("warren_v1"), import_name(#name)))
WR_IMPORT(bind) int32_t wr_bind(const char *old, size_t olen, const char *new, size_t nlen,
				uint32_t flags);
WR_IMPORT(unbind) int32_t wr_unbind(const char *old, size_t olen, const char *new, size_t nlen);
WR_IMPORT(mount) int32_t wr_mount(const char *spec, size_t slen, const char *new, size_t nlen,
				  uint32_t flags);
WR_IMPORT(rfork) int32_t wr_rfork(uint32_t flags, uint32_t *pid);

enum { B_BEFORE = 1, B_AFTER = 2, B_CREATE = 4, RF_SHARENS = 1, RF_NOMOUNT = 2 };

static int
bind(const char *old, const char *new, unsigned flags)
{
	return wr_bind(old, strlen(old), new, strlen(new), flags);
}

static int
unbind(const char *old, const char *new)
{
	return wr_unbind(old, old ? strlen(old) : 0, new, strlen(new));
}

static int
put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	if (fd < 0)
		return errno;
	write(fd, s, strlen(s));
	close(fd);
	return 0;
}

static const char *
get(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	gt_readall(fd, buf, sizeof buf);
	close(fd);
	return buf;
}

/* The names in dir, sorted, joined by ' ' (static buffer). */
static const char *
list(const char *dir)
{
	static char out[1024];
	char names[64][64];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	out[0] = 0;
	if (!d)
		return "?";
	while ((e = readdir(d)) && n < 64)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			snprintf(names[n++], sizeof names[0], "%s", e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
	for (int i = 0; i < n; i++) {
		strcat(out, i ? " " : "");
		strcat(out, names[i]);
	}
	return out;
}

/* /tmp/A {a, same "A"}, /tmp/B {b, same "B"} */
static void
dirs(const char *tag)
{
	char p[64];

	snprintf(p, sizeof p, "/tmp/%sA", tag);
	mkdir(p, 0777);
	snprintf(p, sizeof p, "/tmp/%sB", tag);
	mkdir(p, 0777);
	snprintf(p, sizeof p, "/tmp/%sA/a", tag);
	put(p, "a");
	snprintf(p, sizeof p, "/tmp/%sA/same", tag);
	put(p, "A");
	snprintf(p, sizeof p, "/tmp/%sB/b", tag);
	put(p, "b");
	snprintf(p, sizeof p, "/tmp/%sB/same", tag);
	put(p, "B");
}

GT(union_directories)
{
	dirs("u");
	CHECK_EQ(bind("/tmp/uB", "/tmp/uA", B_AFTER), 0);
	CHECK_STR(list("/tmp/uA"), "a b same");
	CHECK_STR(get("/tmp/uA/same"), "A");
	CHECK_STR(get("/tmp/uA/b"), "b");
	CHECK_EQ(put("/tmp/uA/new", "n"), 0);
	CHECK_STR(list("/tmp/uB"), "b same");    /* created in the original */
	CHECK_EQ(unbind("/tmp/uB", "/tmp/uA"), 0);
	CHECK_STR(list("/tmp/uA"), "a new same");
	CHECK_EQ(bind("/tmp/uB", "/tmp/uA", B_BEFORE | B_CREATE), 0);
	CHECK_STR(get("/tmp/uA/same"), "B");
	CHECK_EQ(put("/tmp/uA/new2", "n"), 0);
	CHECK_STR(list("/tmp/uB"), "b new2 same");   /* -c: created here */
	CHECK_EQ(unlink("/tmp/uA/same"), 0);          /* B's goes, A's shows */
	CHECK_STR(get("/tmp/uA/same"), "A");
	CHECK_EQ(unbind(NULL, "/tmp/uA"), 0);
	CHECK_EQ(unbind(NULL, "/tmp/uA"), EINVAL);
	/* replace, stacking */
	CHECK_EQ(bind("/tmp/uB", "/tmp/uA", 0), 0);
	CHECK_STR(list("/tmp/uA"), "b new2");
	CHECK_EQ(unbind(NULL, "/tmp/uA"), 0);
	CHECK_STR(list("/tmp/uA"), "a new same");
}

GT(bind_errors)
{
	dirs("e");
	CHECK_EQ(bind("/tmp/nope", "/tmp/eA", 0), ENOENT);
	CHECK_EQ(bind("/tmp/eB", "/tmp/eA/a", 0), ENOTDIR);
	CHECK_EQ(bind("/tmp/eB", "/tmp/eA", B_BEFORE | B_AFTER), EINVAL);
	CHECK_EQ(bind("/tmp/eB", "/tmp/eA", 64), EINVAL);
	CHECK_EQ(bind("/tmp/eB", "/tmp/eA/..", 0), EINVAL);
	CHECK_EQ(bind("/tmp/eB", "/tmp/eA", B_AFTER), 0);
	CHECK_EQ(bind("/tmp/eB", "/tmp/eA", B_AFTER), EEXIST);
	CHECK_EQ(bind("/tmp/eA", "/tmp/eB", B_AFTER), 0);   /* B = [B, A=[A, B]] */
	CHECK_EQ(bind("/tmp/eB", "/tmp/eA", B_BEFORE), ELOOP);    /* B holds A now */
	CHECK_EQ(bind("/tmp/eB/b", "/tmp/eA/a", 0), 0);           /* files onto files */
	CHECK_STR(get("/tmp/eA/a"), "b");
	CHECK_EQ(mkdir("/tmp/eC", 0777), 0);
	CHECK_EQ(bind("/tmp/eB", "/tmp/eC", B_AFTER), 0);
	CHECK_EQ(bind("/tmp/eC", "/tmp/eA", B_AFTER), ELOOP);
	CHECK_EQ(wr_mount("nofs", 4, "/tmp/eC", 7, 0), ENOENT);
	CHECK_EQ(wr_mount("memfs:0", 7, "/tmp/eC", 7, 0), EINVAL);
	CHECK_EQ(wr_bind((const char *)0x7ffffff0, 100, "/tmp", 4, 0), EFAULT);
}

GT(fork_copies_rfork_shares)
{
	uint32_t pid = 0;
	pid_t kid;

	dirs("f");
	/* fork: the child's bind is its own. */
	kid = fork();
	if (kid == 0)
		gt_child_exit(bind("/tmp/fB", "/tmp/fA", 0) == 0 && get("/tmp/fA/b"));
	CHECK(gt_exited(gt_wait(kid), 0));
	CHECK(get("/tmp/fA/b") == NULL);
	/* rfork(share): it is the parent's too. */
	CHECK_EQ(wr_rfork(RF_SHARENS, &pid), 0);
	if (pid == 0)
		gt_child_exit(bind("/tmp/fB", "/tmp/fA", 0) == 0);
	CHECK(gt_exited(gt_wait((pid_t)pid), 0));
	CHECK_STR(get("/tmp/fA/b"), "b");
	CHECK_EQ(unbind(NULL, "/tmp/fA"), 0);
	/* rfork(nomount): no '#' mounts, and what it inherited is locked. */
	CHECK_EQ(bind("/tmp/fB", "/tmp/fA", 0), 0);
	CHECK_EQ(wr_rfork(RF_NOMOUNT, &pid), 0);
	if (pid == 0)
		gt_child_exit(wr_mount("#task", 5, "/tmp/fA", 7, 0) == EPERM
			      && unbind(NULL, "/tmp/fA") == EPERM
			      && wr_mount("memfs", 5, "/tmp/fA", 7, 0) == 0
			      && unbind(NULL, "/tmp/fA") == 0);
	CHECK(gt_exited(gt_wait((pid_t)pid), 0));
	CHECK_EQ(unbind(NULL, "/tmp/fA"), 0);
	CHECK_EQ(wr_rfork(RF_SHARENS | RF_NOMOUNT, &pid), EINVAL);
}

GT(exec_keeps_the_namespace)
{
	char out[64];
	char *argv[] = { "/bin/cat", "/tmp/xA/b", NULL };
	pid_t kid;
	int p[2];

	dirs("x");
	REQUIRE(pipe(p) == 0);
	kid = fork();
	if (kid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		if (bind("/tmp/xB", "/tmp/xA", B_AFTER))
			_exit(3);
		execv(argv[0], argv);
		_exit(4);
	}
	close(p[1]);
	gt_readall(p[0], out, sizeof out);
	close(p[0]);
	CHECK(gt_exited(gt_wait(kid), 0));
	CHECK_STR(out, "b");
}

/* ---- the hostile part: /h is a host box (see tests/task/run.sh) ---------------- */

static int secrets;

static void
tryread(const char *path)
{
	const char *s = get(path);

	if (s && strstr(s, "SECRET")) {
		secrets++;
		fprintf(stderr, "    read the secret through %s\n", path);
	}
}

GT(host_box_through_binds)
{
	static const char *const paths[] = {
		"up", "abs", "hostabs", "dotdots/outside/secret", "../outside/secret",
		"../../outside/secret", "../../../../outside/secret", "deep/up2", "deep/../up",
		"abs2", "dotdots", ".", "..",
	};
	static const char *const bases[] = { "/h/inner", "/x", "/u", "/j/inner", "/h/inner/deep/.." };
	char path[256];
	int found = 0;

	if (access("/h/inner/file", R_OK) != 0) {
		printf("skip host_box_through_binds: no /h box\n");
		return;
	}
	CHECK_EQ(mkdir("/x", 0777), 0);
	CHECK_EQ(mkdir("/u", 0777), 0);
	CHECK_EQ(mkdir("/j", 0777), 0);
	CHECK_EQ(put("/u/mine", "MINE"), 0);
	CHECK_EQ(bind("/h/inner", "/x", 0), 0);
	CHECK_EQ(bind("/h/inner", "/u", B_AFTER), 0);
	CHECK_EQ(bind("/h", "/j", 0), 0);
	CHECK_STR(get("/x/file"), "FILE");
	CHECK_STR(get("/u/file"), "FILE");
	CHECK_STR(get("/u/mine"), "MINE");
	CHECK_STR(get("/h/inner/abs2"), "INSIDE");    /* the whole box: its /etc */
	CHECK(get("/x/abs2") == NULL);               /* only inner is bound here */
	CHECK_EQ(put("/x/new", "x"), EROFS);          /* read-only through every bind */
	CHECK_EQ(put("/u/new", "x"), 0);              /* the union's memfs original */
	for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++)
		for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
			snprintf(path, sizeof path, "%s/%s", bases[b], paths[i]);
			tryread(path);
			found += get(path) != NULL;
		}
	/* From a working directory inside, then with every bind gone. */
	CHECK_EQ(chdir("/x"), 0);
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		tryread(paths[i]);
	CHECK_EQ(unbind(NULL, "/x"), 0);
	CHECK_EQ(unbind(NULL, "/u"), 0);
	CHECK_EQ(unbind(NULL, "/j"), 0);
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		tryread(paths[i]);
	CHECK_EQ(chdir("/"), 0);
	CHECK_EQ(secrets, 0);
	CHECK(found > 10);
}
