/*
 * grind.c - a random-syscall grinder, in the manner of xv6's grind.c.
 *
 * Workers run a seeded random sequence of process, file, pipe, fd and
 * signal calls for a bounded number of steps: fork (and exit, sleep,
 * exec, spawn in the child), wait, kill with assorted signals, pipes,
 * dup/dup2/close, files and directories, handlers and masks, memory.
 * Nothing they do may block forever (pipes are non-blocking, children
 * are short-lived or killed at the end). The verdict is that warren
 * survives: every worker finishes its steps and ends normally, and the
 * system is healthy afterwards (fork works, no children left, low fds).
 * Host-side crashes show up as the program failing; host leaks show up
 * under `make check` (ASan's leak checker) or valgrind.
 *
 * The seed is GRIND_SEED from the environment, else a fixed one, so a run
 * can be replayed; GRIND_STEPS sets the steps per worker; GRIND_NO_RENAME
 * leaves rename out (while a host bug in it is open: see run.sh).
 */
#include <dirent.h>
#include <spawn.h>
#include <sys/stat.h>

#include "gt.h"

#define WORKERS 3
#define MAXFD 48
#define MAXKIDS 64

extern char **environ;

static uint64_t rng;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift64*: small, seedable, the same on every host */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 33) % (n ? n : 1);
}

static int fds[MAXFD];
static int nfds;
static pid_t kids[MAXKIDS];
static int nkids;
static long counts[32];
static int no_rename;  /* GRIND_NO_RENAME: leave out rename (see run.sh) */

static void
keep_fd(int fd)
{
	if (fd < 0)
		return;
	if (nfds == MAXFD) {
		int i = (int)rnd(MAXFD);

		close(fds[i]);
		fds[i] = fd;
		return;
	}
	fds[nfds++] = fd;
}

/*
 * One of ours, or a number that may not be open. Never 0-2 (the test's
 * output is judged) nor 3, the preopened root every absolute path goes
 * through: clobbering it would only make every later file call fail.
 */
static int
some_fd(void)
{
	return nfds ? fds[rnd((uint32_t)nfds)] : 4 + (int)rnd(8);
}

static void
keep_kid(pid_t pid)
{
	if (pid <= 0)
		return;
	if (nkids == MAXKIDS) {
		/* Full: make room by ending the oldest. */
		kill(kids[0], SIGKILL);
		kill(kids[0], SIGCONT);
		waitpid(kids[0], NULL, 0);
		memmove(kids, kids + 1, (MAXKIDS - 1) * sizeof kids[0]);
		nkids--;
	}
	kids[nkids++] = pid;
}

static void
forget_kid(pid_t pid)
{
	for (int i = 0; i < nkids; i++)
		if (kids[i] == pid) {
			kids[i] = kids[--nkids];
			return;
		}
}

static void
on_usr(int sig)
{
	(void)sig;
}

static void
path(char *buf, size_t cap, const char *kind, uint32_t n)
{
	snprintf(buf, cap, "/tmp/grind/%s%u", kind, n);
}

/* One random step. */
static void
step(void)
{
	char p1[64], p2[64], buf[256];
	int op = (int)rnd(26), fd, pp[2];
	pid_t c;

	counts[op]++;
	switch (op) {
	case 0:  /* fork, exit at once */
		if ((c = fork()) == 0)
			_exit((int)rnd(256));
		keep_kid(c);
		break;
	case 1:  /* fork, linger a little */
		if ((c = fork()) == 0) {
			gt_msleep((long)rnd(20));
			_exit(0);
		}
		keep_kid(c);
		break;
	case 2: {  /* kill a child with something */
		static const int sigs[] = { SIGTERM, SIGKILL, SIGSTOP, SIGCONT, SIGUSR1, 0, SIGINT };

		if (nkids)
			kill(kids[rnd((uint32_t)nkids)], sigs[rnd(7)]);
		break;
	}
	case 3: {  /* reap what is ready */
		int st;

		while ((c = waitpid(-1, &st, WNOHANG | (rnd(2) ? WUNTRACED : 0))) > 0)
			if (!WIFSTOPPED(st))
				forget_kid(c);
		break;
	}
	case 4:  /* a pipe, used and kept */
		if (pipe(pp) == 0) {
			fcntl(pp[0], F_SETFL, O_NONBLOCK);
			fcntl(pp[1], F_SETFL, O_NONBLOCK);
			write(pp[1], "grind", 5);
			read(pp[0], buf, rnd(8));
			keep_fd(pp[0]);
			keep_fd(pp[1]);
		}
		break;
	case 5:
		keep_fd(dup(some_fd()));
		break;
	case 6:
		fd = 4 + (int)rnd(60);
		if (dup2(some_fd(), fd) == fd)
			keep_fd(fd);
		break;
	case 7:
		if (nfds) {
			int i = (int)rnd((uint32_t)nfds);

			close(fds[i]);
			fds[i] = fds[--nfds];
		}
		break;
	case 8:  /* a file, written and kept */
		path(p1, sizeof p1, "f", rnd(8));
		fd = open(p1, O_RDWR | O_CREAT | (rnd(2) ? O_APPEND : 0), 0644);
		if (fd >= 0) {
			write(fd, buf, rnd(sizeof buf));
			keep_fd(fd);
		}
		break;
	case 9:  /* read anything (nothing blocks: pipes are non-blocking) */
		fd = some_fd();
		if (fd > 2)
			read(fd, buf, rnd(sizeof buf));
		break;
	case 10:
		fd = some_fd();
		if (fd > 2)
			write(fd, buf, rnd(sizeof buf));
		break;
	case 11:
		path(p1, sizeof p1, "f", rnd(8));
		unlink(p1);
		break;
	case 12:
		path(p1, sizeof p1, "d", rnd(4));
		mkdir(p1, 0755);
		if (rnd(2))
			chdir(p1);
		else
			chdir("/tmp/grind");
		break;
	case 13:
		path(p1, sizeof p1, "d", rnd(4));
		rmdir(p1);
		break;
	case 14:
		path(p1, sizeof p1, "f", rnd(8));
		path(p2, sizeof p2, "f", rnd(8));
		if (!no_rename)
			rename(p1, p2);
		break;
	case 15:
		lseek(some_fd(), (off_t)rnd(1000), (int)rnd(3));
		break;
	case 16:  /* fork and exec, stdio to /dev/null, maybe a bad program */
		if ((c = fork()) == 0) {
			int null = open("/dev/null", O_RDWR);

			dup2(null, 1);
			dup2(null, 2);
			if (rnd(4) == 0)
				execl("/no/such/program", "x", (char *)NULL);
			else
				execl("/bin/echo", "echo", "grind", (char *)NULL);
			_exit(127);
		}
		keep_kid(c);
		break;
	case 17: {  /* handlers and dispositions */
		int sig = rnd(2) ? SIGUSR1 : SIGUSR2;
		void (*h[])(int) = { on_usr, SIG_IGN, on_usr };

		signal(sig, h[rnd(3)]);
		if (rnd(2))
			raise(sig);
		break;
	}
	case 18: {
		sigset_t m;

		sigemptyset(&m);
		sigaddset(&m, rnd(2) ? SIGUSR1 : SIGCHLD);
		sigprocmask(rnd(2) ? SIG_BLOCK : SIG_UNBLOCK, &m, NULL);
		break;
	}
	case 19:
		if (nkids && rnd(2))
			setpgid(kids[rnd((uint32_t)nkids)], 0);
		else
			setpgid(0, 0);
		break;
	case 20: {  /* memory churn */
		static void *blocks[8];
		uint32_t i = rnd(8);

		free(blocks[i]);
		blocks[i] = malloc(rnd(200000) + 1);
		if (blocks[i])
			memset(blocks[i], (int)i, 64);
		break;
	}
	case 21: {
		DIR *d = opendir("/tmp/grind");
		struct stat st;

		while (d && readdir(d))
			;
		if (d)
			closedir(d);
		path(p1, sizeof p1, "f", rnd(8));
		stat(p1, &st);
		break;
	}
	case 22:
		fcntl(some_fd(), F_SETFD, rnd(2) ? FD_CLOEXEC : 0);
		fcntl(some_fd(), F_GETFL);
		break;
	case 23: {
		char *argv[] = { "true", NULL };

		if (posix_spawn(&c, "/bin/true", NULL, NULL, argv, environ) == 0)
			keep_kid(c);
		break;
	}
	case 24:  /* a child talks back through a pipe */
		if (pipe(pp) == 0) {
			if ((c = fork()) == 0) {
				close(pp[0]);
				write(pp[1], "hi", 2);
				_exit(0);
			}
			close(pp[1]);
			if (c > 0) {
				read(pp[0], buf, 2);  /* the child writes or dies: never forever */
				keep_kid(c);
			}
			close(pp[0]);
		}
		break;
	default:  /* a grandchild left to init */
		if ((c = fork()) == 0) {
			if (fork() == 0) {
				gt_msleep((long)rnd(10));
				_exit(0);
			}
			_exit(0);
		}
		keep_kid(c);
		break;
	}
}

/* End everything this worker started. */
static void
cleanup(void)
{
	for (int i = 0; i < nkids; i++) {
		kill(kids[i], SIGKILL);
		kill(kids[i], SIGCONT);
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	nfds = nkids = 0;
}

static int
worker(uint64_t seed, long steps)
{
	rng = seed ? seed : 1;
	signal(SIGPIPE, SIG_IGN);
	chdir("/tmp/grind");
	for (long i = 0; i < steps; i++)
		step();
	cleanup();
	return 0;
}

GT(grind)
{
	const char *s = getenv("GRIND_SEED"), *n = getenv("GRIND_STEPS");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 20261125;
	long steps = n ? atol(n) : 600;
	pid_t w[WORKERS];
	uint64_t t0 = gt_now_ns();

	no_rename = getenv("GRIND_NO_RENAME") != NULL;
	mkdir("/tmp/grind", 0755);
	printf("    seed %llu, %d workers x %ld steps%s\n", (unsigned long long)seed, WORKERS, steps,
	       no_rename ? " (no rename)" : "");
	for (int i = 0; i < WORKERS; i++) {
		w[i] = fork();
		REQUIRE(w[i] >= 0);
		if (w[i] == 0)
			_exit(worker(seed * 7919 + (uint64_t)i, steps));
	}
	for (int i = 0; i < WORKERS; i++) {
		int st = gt_wait(w[i]);
		char why[64];

		if (!gt_exited(st, 0))
			printf("    worker %d: %s\n", i, gt_describe(st, why, sizeof why));
		CHECK(gt_exited(st, 0));
	}
	printf("    %.1f s\n", (double)(gt_now_ns() - t0) / 1e9);
	/* Healthy afterwards. */
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0)
		_exit(0);
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_EQ(waitpid(-1, NULL, WNOHANG), -1);
	CHECK_EQ(errno, ECHILD);
	int fd = open("/dev/null", O_RDONLY);

	CHECK(fd >= 0 && fd < 8);
	close(fd);
}
