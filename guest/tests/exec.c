/*
 * exec.c - execve and friends, posix_spawn: what a new image keeps (pid,
 * parent, fds without close-on-exec, cwd, ignored signals) and loses
 * (memory, handlers), arguments and environment, PATH search, scripts.
 *
 * The program execs itself (/t/exec.wasm) with "probe WHAT" arguments to
 * look at the new image from inside; the probe answers through its exit
 * status or stdout.
 */
#include <spawn.h>
#include <sys/stat.h>
#include <wasi/api.h>

#include "gt.h"

#define SELF "/t/exec.wasm"

extern char **environ;

/* ---- the probe side: this program started as "exec.wasm probe WHAT ..." -- */

static int
probe(int argc, char **argv)
{
	const char *what = argv[2];

	if (!strcmp(what, "pid")) {
		/* argv[3]: the pid before exec, argv[4]: the parent before */
		return getpid() == atoi(argv[3]) && getppid() == atoi(argv[4]) ? 0 : 1;
	}
	if (!strcmp(what, "args")) {
		for (int i = 3; i < argc; i++)
			printf("[%s]", argv[i]);
		printf("%d\n", argc);
		return 0;
	}
	if (!strcmp(what, "env")) {
		const char *v = getenv("GT_VAR");
		int n = 0;

		for (char **e = environ; *e; e++)
			n++;
		printf("%s %d\n", v ? v : "(unset)", n);
		return 0;
	}
	if (!strcmp(what, "fds")) {
		/* argv[3]: an fd that must be open, argv[4]: one that must be closed */
		int open_ok = fcntl(atoi(argv[3]), F_GETFD) >= 0;
		int closed_ok = fcntl(atoi(argv[4]), F_GETFD) < 0 && errno == EBADF;

		return open_ok && closed_ok ? 0 : 1;
	}
	if (!strcmp(what, "cwd")) {
		char buf[256];
		FILE *f;

		/* Both the kernel's and libc's idea: a relative open must work too. */
		if (!getcwd(buf, sizeof buf))
			return 2;
		printf("%s", buf);
		f = fopen("marker", "r");
		printf(" %s\n", f ? "marker-found" : "marker-missing");
		return 0;
	}
	if (!strcmp(what, "signals")) {
		/* SIGUSR1 was caught before exec: default now; SIGUSR2 was ignored: still. */
		struct sigaction a, b;

		if (sigaction(SIGUSR1, NULL, &a) < 0 || sigaction(SIGUSR2, NULL, &b) < 0)
			return 2;
		if (a.sa_handler != SIG_DFL)
			return 3;
		if (b.sa_handler != SIG_IGN)
			return 4;
		raise(SIGUSR2);  /* ignored: we live on */
		return 0;
	}
	if (!strcmp(what, "mask")) {
		sigset_t m;

		sigprocmask(SIG_BLOCK, NULL, &m);
		return sigismember(&m, SIGUSR1) ? 0 : 1;
	}
	if (!strcmp(what, "exit"))
		return atoi(argv[3]);
	return 100;
}

/* ---- tests ---------------------------------------------------------------- */

/* Same pid and parent after exec. */
GT(exec_keeps_pid)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		char me[16], parent[16];

		snprintf(me, sizeof me, "%d", (int)getpid());
		snprintf(parent, sizeof parent, "%d", (int)getppid());
		execl(SELF, "exec", "probe", "pid", me, parent, (char *)NULL);
		_exit(99);
	}
	CHECK(gt_exited(gt_wait(c), 0));
}

/* Gate: execve in a child leaves the parent untouched. */
GT(exec_parent_untouched)
{
	static char mark[64] = "parent memory";
	int before = getpid();
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		strcpy(mark, "child wrote this before exec");
		execl(SELF, "exec", "probe", "exit", "23", (char *)NULL);
		_exit(99);
	}
	CHECK(gt_exited(gt_wait(c), 23));
	CHECK_STR(mark, "parent memory");
	CHECK_EQ(getpid(), before);
	/* The parent can still fork and exec afterwards. */
	c = fork();
	REQUIRE(c >= 0);
	if (c == 0) {
		execl(SELF, "exec", "probe", "exit", "24", (char *)NULL);
		_exit(99);
	}
	CHECK(gt_exited(gt_wait(c), 24));
}

GT(exec_args)
{
	char out[256];
	char *argv[] = { SELF, "probe", "args", "a b", "", "c\tc", "last", NULL };

	CHECK(gt_exited(gt_run(argv, NULL, out, sizeof out, 0), 0));
	CHECK_STR(out, "[a b][][c\tc][last]7\n");
}

/* An argument with a newline cannot cross proc_exec3: EINVAL, not a different argv. */
GT(exec_newline_arg)
{
	char *argv[] = { SELF, "probe", "args", "two\nlines", NULL };

	CHECK_EQ(execv(SELF, argv), -1);
	CHECK_EQ(errno, EINVAL);
}

GT(exec_env)
{
	int p[2];
	char out[128];
	pid_t c;

	REQUIRE(pipe(p) == 0);
	c = fork();
	REQUIRE(c >= 0);
	if (c == 0) {
		char *envp[] = { "A=1", "GT_VAR=hello world", "B=", NULL };
		char *argv[] = { "exec", "probe", "env", NULL };

		dup2(p[1], 1);
		execve(SELF, argv, envp);
		_exit(99);
	}
	close(p[1]);
	gt_readall(p[0], out, sizeof out);
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_STR(out, "hello world 3\n");
	/* execv passes environ, with setenv's changes. */
	setenv("GT_VAR", "from-setenv", 1);
	char *argv[] = { SELF, "probe", "env", NULL };

	CHECK(gt_exited(gt_run(argv, NULL, out, sizeof out, 0), 0));
	CHECK(!strncmp(out, "from-setenv ", 12));
}

GT(exec_enoent)
{
	char *argv[] = { "nope", NULL };

	CHECK_EQ(execv("/no/such/program", argv), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(execvp("no-such-program-anywhere", argv), -1);
	CHECK_EQ(errno, ENOENT);
	/* A directory is not a program. */
	CHECK_EQ(execv("/tmp", argv), -1);
	CHECK(errno == EACCES || errno == ENOEXEC);
	/* Still here, still working. */
	CHECK(getpid() > 0);
}

/* A file that is not wasm: ENOEXEC from execve, run by /bin/sh from execvp. */
GT(exec_script)
{
	const char *path = "/tmp/gt_script";
	FILE *f = fopen(path, "w");
	char out[128];

	REQUIRE(f);
	fputs("echo script ran with $1\n", f);
	fclose(f);
	char *argv[] = { (char *)path, "arg1", NULL };

	CHECK_EQ(execv(path, argv), -1);
	CHECK_EQ(errno, ENOEXEC);
	int p[2];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		dup2(p[1], 1);
		execvp(path, argv);
		_exit(99);
	}
	close(p[1]);
	gt_readall(p[0], out, sizeof out);
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_STR(out, "script ran with arg1\n");
	unlink(path);
}

GT(execvp_path)
{
	char out[64];
	int p[2];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		char *argv[] = { "echo", "found", "on", "PATH", NULL };

		setenv("PATH", "/nonexistent:/bin", 1);
		dup2(p[1], 1);
		execvp("echo", argv);
		_exit(99);
	}
	close(p[1]);
	gt_readall(p[0], out, sizeof out);
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_STR(out, "found on PATH\n");
}

GT(execl_forms)
{
	int p[2];
	char out[64];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		dup2(p[1], 1);
		execlp("echo", "echo", "via", "execlp", (char *)NULL);
		_exit(99);
	}
	close(p[1]);
	gt_readall(p[0], out, sizeof out);
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_STR(out, "via execlp\n");
	REQUIRE(pipe(p) == 0);
	c = fork();
	REQUIRE(c >= 0);
	if (c == 0) {
		char *envp[] = { "GT_VAR=le", NULL };

		dup2(p[1], 1);
		execle(SELF, "exec", "probe", "env", (char *)NULL, envp);
		_exit(99);
	}
	close(p[1]);
	gt_readall(p[0], out, sizeof out);
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_STR(out, "le 1\n");
}

/* fds survive exec unless close-on-exec. */
GT(exec_cloexec)
{
	int keep = open("/dev/null", O_RDONLY);
	int drop = open("/dev/null", O_RDONLY);

	REQUIRE(keep >= 0 && drop >= 0);
	CHECK_EQ(fcntl(drop, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EQ(fcntl(drop, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(keep, F_GETFD), 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		char a[16], b[16];

		snprintf(a, sizeof a, "%d", keep);
		snprintf(b, sizeof b, "%d", drop);
		execl(SELF, "exec", "probe", "fds", a, b, (char *)NULL);
		_exit(99);
	}
	CHECK(gt_exited(gt_wait(c), 0));
	/* The parent's copy is untouched. */
	CHECK(fcntl(drop, F_GETFD) >= 0);
}

/* The working directory crosses fork and exec, for the kernel and for libc. */
GT(exec_cwd)
{
	char out[256];
	FILE *f;

	mkdir("/tmp/gt_cwd", 0777);
	REQUIRE(chdir("/tmp/gt_cwd") == 0);
	REQUIRE((f = fopen("marker", "w")));
	fclose(f);
	char *argv[] = { SELF, "probe", "cwd", NULL };

	CHECK(gt_exited(gt_run(argv, NULL, out, sizeof out, 0), 0));
	CHECK_STR(out, "/tmp/gt_cwd marker-found\n");
	unlink("marker");
	chdir("/");
	rmdir("/tmp/gt_cwd");
}

/* exec resets caught signals to default, keeps ignored ones, keeps the mask. */
static void
on_usr1(int sig)
{
	(void)sig;
}

GT(exec_signals)
{
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, SIG_IGN);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		execl(SELF, "exec", "probe", "signals", (char *)NULL);
		_exit(99);
	}
	CHECK(gt_exited(gt_wait(c), 0));
	sigset_t m;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	c = fork();
	REQUIRE(c >= 0);
	if (c == 0) {
		execl(SELF, "exec", "probe", "mask", (char *)NULL);
		_exit(99);
	}
	CHECK(gt_exited(gt_wait(c), 0));
}

/* posix_spawn: file actions in order, the new program's output captured. */
GT(spawn_file_actions)
{
	posix_spawn_file_actions_t fa;
	char out[128];
	int p[2];
	pid_t pid;
	char *argv[] = { "echo", "spawned", NULL };

	REQUIRE(pipe(p) == 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	CHECK_EQ(posix_spawn(&pid, "/bin/echo", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	gt_readall(p[0], out, sizeof out);
	close(p[0]);
	CHECK(gt_exited(gt_wait(pid), 0));
	CHECK_STR(out, "spawned\n");
}

GT(spawn_open_and_chdir)
{
	posix_spawn_file_actions_t fa;
	char out[128];
	pid_t pid;
	char *argv[] = { "pwd", NULL };
	FILE *f;

	mkdir("/tmp/gt_sp", 0777);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/tmp/gt_sp_out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addchdir_np(&fa, "/tmp/gt_sp");
	CHECK_EQ(posix_spawnp(&pid, "pwd", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	CHECK(gt_exited(gt_wait(pid), 0));
	REQUIRE((f = fopen("/tmp/gt_sp_out", "r")));
	out[fread(out, 1, sizeof out - 1, f)] = 0;
	fclose(f);
	CHECK_STR(out, "/tmp/gt_sp\n");
	unlink("/tmp/gt_sp_out");
	rmdir("/tmp/gt_sp");
}

GT(spawn_errors)
{
	pid_t pid = -7;
	char *argv[] = { "x", NULL };
	posix_spawn_file_actions_t fa;

	CHECK_EQ(posix_spawn(&pid, "/no/such", NULL, NULL, argv, environ), ENOENT);
	CHECK_EQ(posix_spawnp(&pid, "no-such-prog", NULL, NULL, argv, environ), ENOENT);
	/* A failing file action: no child at all. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 3, "/no/such/dir/file", O_RDONLY, 0);
	CHECK(posix_spawn(&pid, "/bin/true", &fa, NULL, argv, environ) != 0);
	posix_spawn_file_actions_destroy(&fa);
	CHECK_EQ(waitpid(-1, NULL, WNOHANG), -1);
	CHECK_EQ(errno, ECHILD);
}

/* Attributes that need the fork path: process group and signal mask. */
GT(spawn_attributes)
{
	posix_spawnattr_t at;
	pid_t pid;
	sigset_t m;
	char *argv[] = { "exec", "probe", "mask", NULL };

	posix_spawnattr_init(&at);
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	posix_spawnattr_setsigmask(&at, &m);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
	CHECK_EQ(posix_spawn(&pid, SELF, NULL, &at, argv, environ), 0);
	posix_spawnattr_destroy(&at);
	CHECK_EQ(getpgid(pid), pid);
	CHECK(gt_exited(gt_wait(pid), 0));
	/* Default signals: an ignored SIGUSR2 made default again kills the child. */
	signal(SIGUSR2, SIG_IGN);
	posix_spawnattr_init(&at);
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	posix_spawnattr_setsigdefault(&at, &m);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	char *sleeper[] = { "sleep", "5", NULL };

	CHECK_EQ(posix_spawn(&pid, "/bin/sleep", NULL, &at, sleeper, environ), 0);
	posix_spawnattr_destroy(&at);
	gt_msleep(20);
	kill(pid, SIGUSR2);
	CHECK(gt_signalled(gt_wait(pid), SIGUSR2));
}

/* system() runs sh -c and returns its wait status. */
GT(system_call)
{
	CHECK(system(NULL));
	CHECK(gt_exited(system("exit 3"), 3));
	CHECK(gt_exited(system("true"), 0));
}

/* popen reads a command's output, or feeds its input; pclose gives its status. */
GT(popen_pclose)
{
	char line[64] = "";
	FILE *f = popen("echo one; echo two; exit 3", "r");

	REQUIRE(f);
	CHECK(fgets(line, sizeof line, f) != NULL);
	CHECK_STR(line, "one\n");
	CHECK(fgets(line, sizeof line, f) != NULL);
	CHECK_STR(line, "two\n");
	CHECK(fgets(line, sizeof line, f) == NULL);
	CHECK(gt_exited(pclose(f), 3));
	f = popen("cat > /tmp/gt_popen", "w");
	REQUIRE(f);
	fputs("written through popen\n", f);
	CHECK(gt_exited(pclose(f), 0));
	f = fopen("/tmp/gt_popen", "r");
	REQUIRE(f);
	CHECK(fgets(line, sizeof line, f) != NULL);
	CHECK_STR(line, "written through popen\n");
	fclose(f);
	unlink("/tmp/gt_popen");
	CHECK(popen("true", "x") == NULL);
	CHECK_EQ(errno, EINVAL);
}

/* Many execs in a row: the old images are freed, nothing piles up. */
GT(exec_many)
{
	for (int i = 0; i < 50; i++) {
		pid_t c = fork();

		REQUIRE(c >= 0);
		if (c == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(99);
		}
		REQUIRE(gt_exited(gt_wait(c), 0));
	}
}

/* Probes are not tests: answer and leave before the harness starts. */
__attribute__((constructor(200))) static void
probe_first(void)
{
	/* wasi-libc has no argv before main: read it the WASI way. */
	__wasi_size_t argc = 0, size = 0;

	if (__wasi_args_sizes_get(&argc, &size) || argc < 3 || argc > 16)
		return;
	char *argv[17], buf[1024];

	if (size > sizeof buf || __wasi_args_get((uint8_t **)argv, (uint8_t *)buf))
		return;
	argv[argc] = NULL;
	if (!strcmp(argv[1], "probe")) {
		int r = probe((int)argc, argv);

		fflush(stdout);
		_exit(r);
	}
}
