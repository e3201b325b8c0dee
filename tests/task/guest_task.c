/*
 * guest_task.c - /task and /cap from inside warren: every verb and every
 * file, made and controlled by a guest with nothing but open, read and
 * write, plus the views that confine a child and the handles that outlive
 * their task.  Run by tests/task/run.sh (one fresh system, under init).
 */
#include <dirent.h>
#include <sys/stat.h>

#include "gt.h"

/* A whole file (static buffer) or NULL with errno. */
static const char *
fget(const char *path)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	gt_readall(fd, buf, sizeof buf);
	close(fd);
	return buf;
}

/* Writes msg in one write: 0 or the errno. */
static int
fput(const char *path, const char *msg)
{
	int fd = open(path, O_WRONLY | O_TRUNC), e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, msg, strlen(msg)) != (ssize_t)strlen(msg))
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

static const char *
tget(int id, const char *file)
{
	char path[80];

	snprintf(path, sizeof path, "/task/%d/%s", id, file);
	return fget(path);
}

static int
tput(int id, const char *file, const char *msg)
{
	char path[80];

	snprintf(path, sizeof path, "/task/%d/%s", id, file);
	return fput(path, msg);
}

static int
tnew(void)
{
	const char *s = fget("/task/new");

	return s ? atoi(s) : -1;
}

/* Field n (0-based) of a status line, into out (64 bytes). */
static const char *
field(const char *line, int n, char out[64])
{
	out[0] = 0;
	for (int i = 0; line && i <= n; i++) {
		int used = 0;

		if (sscanf(line, "%63s%n", out, &used) != 1)
			return "";
		line += used;
	}
	return out;
}

GT(new_start_wait)
{
	char f[64], want[64];
	int id = tnew(), st;

	REQUIRE(id > 0);
	CHECK_STR(field(tget(id, "status"), 3, f), "new");
	CHECK_EQ(atoi(field(tget(id, "status"), 1, f)), getpid());
	CHECK_EQ(tput(id, "ctl", "cmd /bin/echo hi 'there you'"), 0);
	CHECK_STR(tget(id, "args"), "/bin/echo\nhi\nthere you\n");
	CHECK_EQ(tput(id, "ctl", "start"), 0);
	CHECK_STR(tget(id, "fd/1"), "hi there you\n");
	CHECK_STR(tget(id, "wait"), "exit 0\n");
	CHECK_STR(tget(id, "exitcode"), "0\n");
	/* A child of ours: waitpid reaps it; wait keeps answering. */
	st = gt_wait(id);
	CHECK(gt_exited(st, 0));
	CHECK_STR(tget(id, "wait"), "exit 0\n");
	snprintf(want, sizeof want, "%d", id);
	CHECK_STR(field(tget(id, "status"), 0, f), want);
	CHECK_STR(field(tget(id, "status"), 3, f), "exited");
	CHECK(tget(id, "args") == NULL && errno == ESRCH);
	CHECK_EQ(tput(id, "ctl", "kill"), ESRCH);
}

GT(wait_many_readers)
{
	pid_t kids[3];
	int id = tnew(), ok = 0;

	REQUIRE(id > 0);
	CHECK_EQ(tput(id, "ctl", "cmd /bin/sleep 0.2"), 0);
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			const char *s = tget(id, "wait");

			gt_child_exit(s && !strcmp(s, "exit 0\n"));
		}
	}
	gt_msleep(20);
	CHECK_EQ(tput(id, "ctl", "start"), 0);
	CHECK_STR(tget(id, "wait"), "exit 0\n");
	for (int i = 0; i < 3; i++)
		ok += gt_exited(gt_wait(kids[i]), 0);
	CHECK_EQ(ok, 3);
	gt_wait(id);
}

GT(verbs_on_a_running_task)
{
	char f[64];
	int id = tnew();

	REQUIRE(id > 0);
	CHECK_EQ(tput(id, "fd/1/ctl", "dup /dev/null"), 0);
	CHECK_EQ(tput(id, "ctl", "cmd /bin/yes\nstart"), 0);
	gt_msleep(20);
	CHECK_EQ(tput(id, "ctl", "stop"), 0);
	gt_msleep(20);
	CHECK_STR(field(tget(id, "status"), 3, f), "stopped");
	CHECK_EQ(tput(id, "ctl", "cont"), 0);
	gt_msleep(10);
	CHECK(strcmp(field(tget(id, "status"), 3, f), "stopped") != 0);
	CHECK_EQ(tput(id, "ctl", "nice 5"), 0);
	CHECK(strstr(tget(id, "stat/cpu"), "nice 5") != NULL);
	CHECK_EQ(tput(id, "ctl", "memlimit 2M"), 0);
	CHECK(strstr(tget(id, "stat/mem"), "limit ") != NULL);
	CHECK(strstr(tget(id, "stat/io"), "write ") != NULL);
	CHECK_EQ(tput(id, "ctl", "kill TERM"), 0);
	CHECK_STR(tget(id, "wait"), "signal 15 SIGTERM\n");
	CHECK_STR(tget(id, "exitcode"), "143\n");
	CHECK(gt_signalled(gt_wait(id), SIGTERM));
	/* fuel: a limit on instructions, SIGXCPU when crossed. */
	id = tnew();
	CHECK_EQ(tput(id, "fd/1/ctl", "dup /dev/null"), 0);
	CHECK_EQ(tput(id, "ctl", "fuel 2000000\ncmd /bin/yes\nstart"), 0);
	CHECK_STR(tget(id, "wait"), "signal 24 SIGXCPU\n");
	gt_wait(id);
	/* Killing a task that never started ends it. */
	id = tnew();
	CHECK_EQ(tput(id, "ctl", "kill 9"), 0);
	CHECK_STR(tget(id, "wait"), "signal 9 SIGKILL\n");
}

GT(env_cwd_and_fds)
{
	int a, b;
	char msg[64];

	a = tnew();
	CHECK_EQ(tput(a, "env", "X=42\nY=a b\n"), 0);
	CHECK_EQ(tput(a, "ctl", "cmd /bin/env\nstart"), 0);
	CHECK_STR(tget(a, "fd/1"), "X=42\nY=a b\n");
	gt_wait(a);
	a = tnew();
	CHECK_EQ(tput(a, "ctl", "cmd /bin/cat\nstart"), 0);
	CHECK_EQ(tput(a, "env", "Z=1\n"), EBUSY);   /* started: read-only now */
	CHECK_EQ(tput(a, "cwd", "/"), EBUSY);
	CHECK_EQ(tput(a, "ctl", "kill"), 0);
	gt_wait(a);
	a = tnew();
	CHECK_EQ(tput(a, "cwd", "/tmp\n"), 0);
	CHECK_STR(tget(a, "cwd"), "/tmp\n");
	CHECK_EQ(tput(a, "ctl", "cmd /bin/pwd\nstart"), 0);
	CHECK_STR(tget(a, "fd/1"), "/tmp\n");
	gt_wait(a);
	/* echo | cat, wired through fd/N/ctl. */
	a = tnew();
	b = tnew();
	snprintf(msg, sizeof msg, "pipe /task/%d/fd/0", b);
	CHECK_EQ(tput(a, "fd/1/ctl", msg), 0);
	CHECK_STR(tget(a, "fd/1/ctl"), "pipe w\n");
	CHECK_EQ(tput(b, "ctl", "cmd /bin/cat\nstart"), 0);
	CHECK_EQ(tput(a, "ctl", "cmd /bin/echo piped\nstart"), 0);
	CHECK_STR(tget(b, "fd/1"), "piped\n");
	CHECK_STR(tget(b, "wait"), "exit 0\n");
	/* Input through fd/0. */
	a = tnew();
	CHECK_EQ(tput(a, "ctl", "cmd /bin/wc -c\nstart"), 0);
	CHECK_EQ(tput(a, "fd/0", "12345"), 0);
	CHECK_EQ(tput(a, "fd/0/ctl", "close"), 0);
	CHECK(strstr(tget(a, "fd/1"), "5") != NULL);
	CHECK_STR(tget(a, "wait"), "exit 0\n");
	while (wait(NULL) > 0)
		;
}

GT(self_and_listing)
{
	char buf[64], want[64], f[64];
	ssize_t n = readlink("/task/self", buf, sizeof buf - 1);
	DIR *d;
	struct dirent *e;
	int seen = 0;

	REQUIRE(n > 0);
	buf[n] = 0;
	CHECK_EQ(atoi(buf), getpid());
	snprintf(want, sizeof want, "%d", getpid());
	CHECK_STR(field(fget("/task/self/status"), 0, f), want);
	CHECK(strstr(fget("/task/self/ns/mounts"), "/task #task taskfs") != NULL);
	d = opendir("/task");
	REQUIRE(d != NULL);
	while ((e = readdir(d)))
		seen += !strcmp(e->d_name, want) || !strcmp(e->d_name, "new")
			|| !strcmp(e->d_name, "self");
	closedir(d);
	CHECK_EQ(seen, 3);
	d = opendir("/task/self/fd");
	REQUIRE(d != NULL);
	seen = 0;
	while ((e = readdir(d)))
		seen += !strcmp(e->d_name, "0") || !strcmp(e->d_name, "1") || !strcmp(e->d_name, "3");
	closedir(d);
	CHECK_EQ(seen, 3);
}

GT(ctl_errors_echoed)
{
	static const char *const bad[] = {
		"frob", "start 1", "nice x", "nice 100", "memlimit -1", "memlimit 3Q", "fuel",
		"kill NOPE", "kill 1 2", "cmd", "'unterminated", "bind /a", "unbind",
		"nice 123456789012345678901234567890", "\x7f\x80\x81",
	};
	int id = tnew();
	char want[200], big[6000];

	REQUIRE(id > 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_EQ(tput(id, "ctl", bad[i]), EINVAL);
		CHECK(tget(id, "ctl") && tget(id, "ctl")[0] == '\'');
	}
	CHECK_EQ(tput(id, "ctl", "frob 1 2"), EINVAL);
	snprintf(want, sizeof want, "'frob 1 2': unknown verb\n");
	CHECK_STR(tget(id, "ctl"), want);
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = 0;
	CHECK_EQ(tput(id, "ctl", big), EINVAL);
	CHECK_EQ(tput(id, "ctl", "start"), EINVAL);     /* no cmd */
	CHECK_EQ(tput(id, "ctl", "kill"), 0);
	gt_wait(id);
}

GT(stale_handles)
{
	char path[80], buf[128];
	int id = tnew(), fd, cfd;

	REQUIRE(id > 0);
	snprintf(path, sizeof path, "/task/%d/status", id);
	fd = open(path, O_RDONLY);
	snprintf(path, sizeof path, "/task/%d/ctl", id);
	cfd = open(path, O_WRONLY);
	REQUIRE(fd >= 0 && cfd >= 0);
	CHECK_EQ(tput(id, "ctl", "cmd /bin/true\nstart"), 0);
	CHECK(gt_exited(gt_wait(id), 0));
	CHECK(write(cfd, "kill", 4) < 0 && errno == ESRCH);
	/* Many more tasks come and go: the handle never shows another task. */
	for (int i = 0; i < 80; i++) {
		int t = tnew();

		if (t > 0)
			tput(t, "ctl", "kill");
	}
	while (wait(NULL) > 0)
		;
	CHECK(pread(fd, buf, sizeof buf, 0) < 0 && errno == ESRCH);
	CHECK(write(cfd, "kill", 4) < 0 && errno == ESRCH);
	close(fd);
	close(cfd);
}

GT(view_confines_a_child)
{
	char msg[400], want[32], out[1024];
	int id = tnew();

	REQUIRE(id > 0);
	snprintf(msg, sizeof msg, "bind /task/%d/tree /task\nnomount", id);
	CHECK_EQ(tput(id, "ns/ctl", msg), 0);
	CHECK(strstr(tget(id, "ns/dump"), "/tree /task\n") != NULL);
	snprintf(msg, sizeof msg,
		 "cmd /bin/sh -c 'ls /task; cat /task/%d/status || echo no-parent; "
		 "unbind /task || echo locked; ns mount ''#task'' /tmp || echo nomount'\nstart",
		 getpid());
	CHECK_EQ(tput(id, "ctl", msg), 0);
	CHECK_STR(tget(id, "wait"), "exit 0\n");
	snprintf(out, sizeof out, "%s", tget(id, "fd/1"));
	snprintf(want, sizeof want, "%d\n", id);
	CHECK(strstr(out, want) != NULL);
	snprintf(want, sizeof want, "%d\n", getpid());
	CHECK(strstr(out, want) == NULL);
	CHECK(strstr(out, "no-parent\n") != NULL);
	CHECK(strstr(out, "locked\n") != NULL);
	CHECK(strstr(out, "nomount\n") != NULL);
	gt_wait(id);
}

GT(ns_ctl_of_a_child)
{
	int go[2], st;
	char msg[80];
	pid_t kid;

	REQUIRE(mkdir("/tmp/nsa", 0777) == 0 && mkdir("/tmp/nsb", 0777) == 0);
	{
		int fd = open("/tmp/nsa/f", O_WRONLY | O_CREAT, 0666);

		REQUIRE(fd >= 0);
		write(fd, "A", 1);
		close(fd);
	}
	REQUIRE(pipe(go) == 0);
	kid = fork();
	if (kid == 0) {
		char c;
		const char *s;

		close(go[1]);
		read(go[0], &c, 1);
		s = fget("/tmp/nsb/f");
		gt_child_exit(s && !strcmp(s, "A"));
	}
	close(go[0]);
	snprintf(msg, sizeof msg, "bind /tmp/nsa /tmp/nsb");
	CHECK_EQ(tput(kid, "ns/ctl", msg), 0);
	CHECK(fget("/tmp/nsb/f") == NULL);   /* ours is untouched */
	write(go[1], "x", 1);
	close(go[1]);
	st = gt_wait(kid);
	CHECK(gt_exited(st, 0));
}

GT(cap_pipe_between_processes)
{
	char path[64], id[32];
	const char *s = fget("/cap/new/pipe");
	pid_t kid;
	int fd;

	REQUIRE(s != NULL);
	snprintf(id, sizeof id, "%s", s);
	id[strcspn(id, "\n")] = 0;
	kid = fork();
	if (kid == 0) {
		snprintf(path, sizeof path, "/cap/%s/w", id);
		fd = open(path, O_WRONLY);
		gt_child_exit(fd >= 0 && write(fd, "ping", 4) == 4);
	}
	snprintf(path, sizeof path, "/cap/%s/r", id);
	fd = open(path, O_RDONLY);
	REQUIRE(fd >= 0);
	{
		char buf[16];

		gt_readall(fd, buf, sizeof buf);
		CHECK_STR(buf, "ping");
	}
	close(fd);
	CHECK(gt_exited(gt_wait(kid), 0));
	snprintf(path, sizeof path, "/cap/%s", id);
	CHECK(fget(path) == NULL && errno == ENOENT);
	CHECK(open("/cap/new/pipe", O_WRONLY) < 0 && errno == EACCES);
}
