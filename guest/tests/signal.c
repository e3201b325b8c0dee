/*
 * signal.c - signals: default actions (terminate, ignore, stop, continue),
 * handlers (in compute loops too), SIGCHLD, SIGPIPE, inheritance across
 * fork, masks, sigsuspend, alarm, EINTR, kill to groups and errors.
 */
#include <sched.h>

#include "gt.h"

static volatile sig_atomic_t hits, last_sig;

static void
count(int sig)
{
	hits++;
	last_sig = sig;
}

/* A child that waits for signals forever. */
static pid_t
sleeper(void)
{
	pid_t c = fork();

	if (c == 0) {
		for (;;)
			pause();
	}
	return c;
}

GT(default_terminate)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGKILL,
				    SIGQUIT, SIGALRM, SIGPIPE };

	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		pid_t c = sleeper();

		REQUIRE(c > 0);
		CHECK_EQ(kill(c, sigs[i]), 0);
		int st = gt_wait(c);

		CHECK(WIFSIGNALED(st));
		CHECK_EQ(WTERMSIG(st), sigs[i]);
	}
}

/* SIGCHLD, SIGURG and SIGWINCH are ignored by default; SIG_IGN ignores others. */
GT(default_ignore)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		signal(SIGTERM, SIG_IGN);
		raise(SIGCHLD);
		raise(SIGURG);
		raise(SIGWINCH);
		raise(SIGTERM);
		kill(getpid(), SIGTERM);
		_exit(0);
	}
	CHECK(gt_exited(gt_wait(c), 0));
}

/* SIGKILL and SIGSTOP cannot be caught, ignored or blocked. */
GT(uncatchable)
{
	struct sigaction sa;
	sigset_t all;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	CHECK_EQ(sigaction(SIGKILL, &sa, NULL), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(sigaction(SIGSTOP, &sa, NULL), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK(signal(SIGKILL, count) == SIG_ERR);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		for (;;)
			pause();
	}
	gt_msleep(10);
	kill(c, SIGKILL);
	CHECK(gt_signalled(gt_wait(c), SIGKILL));
}

/* Handlers run, with the signal number, and the process goes on. */
GT(handler_runs)
{
	hits = 0;
	CHECK(signal(SIGUSR1, count) == SIG_DFL);
	CHECK_EQ(raise(SIGUSR1), 0);
	/* raise: the handler has run before raise returns. */
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_sig, SIGUSR1);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(hits, 2);
	CHECK(signal(SIGUSR1, SIG_DFL) == count);
}

/* A handler interrupts a loop that makes no calls at all. */
static volatile sig_atomic_t stop_loop;

static void
on_stop(int sig)
{
	(void)sig;
	stop_loop = 1;
}

GT(handler_in_compute_loop)
{
	int p[2];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		volatile unsigned long spins = 0;

		signal(SIGUSR1, on_stop);
		write(p[1], "r", 1);
		while (!stop_loop)
			spins++;
		_exit(spins > 0 ? 0 : 1);
	}
	char x;

	REQUIRE(read(p[0], &x, 1) == 1);
	gt_msleep(20);
	kill(c, SIGUSR1);
	CHECK(gt_exited(gt_wait(c), 0));
}

/* A compute loop is killed by a default-action signal too. */
GT(kill_compute_loop)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		volatile unsigned long n = 0;

		for (;;)
			n++;
	}
	gt_msleep(20);
	kill(c, SIGTERM);
	CHECK(gt_signalled(gt_wait(c), SIGTERM));
}

/* SIGCHLD reaches the parent when a child exits, stops or continues. */
static volatile sig_atomic_t chld;

static void
on_chld(int sig)
{
	(void)sig;
	chld++;
}

GT(sigchld)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	chld = 0;
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0)
		_exit(0);
	/* The parent blocked in waitpid: SA_RESTART makes it go on waiting. */
	CHECK(gt_exited(gt_wait(c), 0));
	for (int i = 0; i < 100 && chld == 0; i++)
		gt_msleep(2);
	CHECK(chld >= 1);
	int before = chld;

	c = sleeper();
	REQUIRE(c > 0);
	kill(c, SIGSTOP);
	CHECK_EQ(waitpid(c, NULL, WUNTRACED), c);
	for (int i = 0; i < 100 && chld == before; i++)
		gt_msleep(2);
	CHECK(chld > before);
	kill(c, SIGKILL);
	gt_wait(c);
}

/* Writing to a pipe nobody reads: SIGPIPE, or EPIPE when it is ignored. */
GT(sigpipe)
{
	int p[2];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		close(p[0]);
		write(p[1], "x", 1);
		_exit(0);
	}
	close(p[0]);
	close(p[1]);
	CHECK(gt_signalled(gt_wait(c), SIGPIPE));
	REQUIRE(pipe(p) == 0);
	c = fork();
	REQUIRE(c >= 0);
	if (c == 0) {
		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		errno = 0;
		int r = (int)write(p[1], "x", 1);

		_exit(r == -1 && errno == EPIPE ? 0 : 1);
	}
	close(p[0]);
	close(p[1]);
	CHECK(gt_exited(gt_wait(c), 0));
}

/* Handlers and dispositions are inherited across fork. */
GT(inherited_across_fork)
{
	hits = 0;
	signal(SIGUSR1, count);
	signal(SIGUSR2, SIG_IGN);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		raise(SIGUSR1);
		raise(SIGUSR2);
		_exit(hits == 1 && last_sig == SIGUSR1 ? 0 : 1);
	}
	CHECK(gt_exited(gt_wait(c), 0));
	CHECK_EQ(hits, 0);  /* the child's handler ran in the child */
	/* Sent from outside too. */
	c = fork();
	REQUIRE(c >= 0);
	if (c == 0) {
		while (hits == 0)
			pause();
		_exit(last_sig == SIGUSR1 ? 0 : 1);
	}
	gt_msleep(10);
	kill(c, SIGUSR2);  /* ignored */
	kill(c, SIGUSR1);
	CHECK(gt_exited(gt_wait(c), 0));
}

/* A blocked signal waits; unblocking delivers it, once. */
GT(mask_blocks)
{
	sigset_t m, old;

	hits = 0;
	signal(SIGUSR1, count);
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &m, &old), 0);
	CHECK(!sigismember(&old, SIGUSR1));
	raise(SIGUSR1);
	raise(SIGUSR1);
	CHECK_EQ(hits, 0);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &m, NULL), 0);
	CHECK_EQ(hits, 1);  /* standard signals do not queue */
	CHECK_EQ(sigprocmask(SIG_SETMASK, NULL, &old), 0);
	CHECK(!sigismember(&old, SIGUSR1));
	/* SIGKILL in the mask is dropped silently. */
	sigfillset(&m);
	CHECK_EQ(sigprocmask(SIG_SETMASK, &m, NULL), 0);
	CHECK_EQ(sigprocmask(SIG_SETMASK, NULL, &old), 0);
	CHECK(!sigismember(&old, SIGKILL));
	CHECK(!sigismember(&old, SIGSTOP));
	sigemptyset(&m);
	sigprocmask(SIG_SETMASK, &m, NULL);
	CHECK_EQ(sigprocmask(99, &m, NULL), -1);
	CHECK_EQ(errno, EINVAL);
}

/* The handler's own signal is blocked while it runs (unless SA_NODEFER). */
static volatile sig_atomic_t depth, max_depth;

static volatile sig_atomic_t raised;

static void
nested(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (!raised++)
		raise(sig);  /* blocked now, unless SA_NODEFER: runs after we return */
	depth--;
}

GT(handler_mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = nested;
	sigaction(SIGUSR1, &sa, NULL);
	depth = max_depth = raised = 0;
	raise(SIGUSR1);
	CHECK_EQ(max_depth, 1);
	CHECK_EQ(raised, 2);  /* the second one did run, after the first */
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	depth = max_depth = raised = 0;
	raise(SIGUSR1);
	CHECK_EQ(max_depth, 2);
}

GT(resethand)
{
	struct sigaction sa, now;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = count;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGUSR2, &sa, NULL);
	hits = 0;
	raise(SIGUSR2);
	CHECK_EQ(hits, 1);
	sigaction(SIGUSR2, NULL, &now);
	CHECK(now.sa_handler == SIG_DFL);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		raise(SIGUSR2);  /* default now: terminates */
		_exit(0);
	}
	CHECK(gt_signalled(gt_wait(c), SIGUSR2));
}

static void
siginfo_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	hits = si && si->si_signo == sig ? 1 : -1;
}

GT(sa_siginfo)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = siginfo_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	hits = 0;
	raise(SIGUSR1);
	CHECK_EQ(hits, 1);
}

/* A handler that changes errno does not change the interrupted code's errno. */
static void
clobber(int sig)
{
	(void)sig;
	errno = EBADF;
	close(-1);
}

GT(errno_preserved)
{
	signal(SIGUSR1, clobber);
	errno = ENOENT;
	raise(SIGUSR1);
	CHECK_EQ(errno, ENOENT);
}

/* A caught signal interrupts a blocked read: EINTR, after the handler ran. */
GT(eintr)
{
	struct sigaction sa;
	int p[2];
	char buf[4];

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = count;  /* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	REQUIRE(pipe(p) == 0);
	hits = 0;
	alarm(1);
	errno = 0;
	CHECK_EQ(read(p[0], buf, sizeof buf), -1);
	CHECK_EQ(errno, EINTR);
	CHECK_EQ(hits, 1);
	/* waitpid too, unless the handler asked for SA_RESTART. */
	pid_t c = sleeper();

	REQUIRE(c > 0);
	alarm(1);
	CHECK_EQ(waitpid(c, NULL, 0), -1);
	CHECK_EQ(errno, EINTR);
	kill(c, SIGKILL);
	gt_wait(c);
}

GT(alarm_signal)
{
	uint64_t t0 = gt_now_ns();
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		alarm(1);
		for (;;)
			pause();
	}
	CHECK(gt_signalled(gt_wait(c), SIGALRM));
	CHECK(gt_now_ns() - t0 >= 900 * 1000000ull);
	/* alarm(0) cancels and says what was left (the harness's own alarm first). */
	alarm(0);
	CHECK_EQ(alarm(100), 0);
	unsigned left = alarm(0);

	CHECK(left >= 99 && left <= 100);
	alarm(GT_TIMEOUT);
}

/* sigsuspend: wait with a mask that lets the signal in, atomically. */
GT(sigsuspend_wait)
{
	sigset_t block, wait_mask;

	hits = 0;
	signal(SIGUSR1, count);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid_t parent = getpid();
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		kill(parent, SIGUSR1);
		_exit(0);
	}
	/* Whether the signal came before or after this point, sigsuspend returns. */
	gt_msleep(30);
	sigemptyset(&wait_mask);
	CHECK_EQ(sigsuspend(&wait_mask), -1);
	CHECK_EQ(errno, EINTR);
	CHECK_EQ(hits, 1);
	sigset_t now;

	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1));  /* the old mask is back */
	gt_wait(c);
}

/* kill to a group (negative pid) reaches every member, and no one else. */
GT(kill_group)
{
	pid_t a = fork();

	REQUIRE(a >= 0);
	if (a == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(a, a);
	pid_t b = fork();

	REQUIRE(b >= 0);
	if (b == 0) {
		setpgid(0, a);
		for (;;)
			pause();
	}
	setpgid(b, a);
	pid_t outsider = sleeper();

	REQUIRE(outsider > 0);
	CHECK_EQ(kill(-a, SIGTERM), 0);
	CHECK(gt_signalled(gt_wait(a), SIGTERM));
	CHECK(gt_signalled(gt_wait(b), SIGTERM));
	CHECK_EQ(waitpid(outsider, NULL, WNOHANG), 0);
	CHECK_EQ(killpg(outsider, 0), -1);  /* not a group leader: no such group */
	CHECK_EQ(errno, ESRCH);
	kill(outsider, SIGKILL);
	gt_wait(outsider);
	/* The whole group is gone: ESRCH. */
	CHECK_EQ(kill(-a, SIGTERM), -1);
	CHECK_EQ(errno, ESRCH);
}

/* kill(0, sig) signals the caller's own group, caller included. */
GT(kill_own_group)
{
	hits = 0;
	signal(SIGUSR1, count);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		while (!hits)
			pause();
		_exit(0);
	}
	gt_msleep(10);
	CHECK_EQ(kill(0, SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	CHECK(gt_exited(gt_wait(c), 0));
}

GT(kill_errors)
{
	CHECK_EQ(kill(999999, SIGTERM), -1);
	CHECK_EQ(errno, ESRCH);
	CHECK_EQ(kill(getpid(), 0), 0);
	CHECK_EQ(kill(getpid(), 65), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(kill(getpid(), -1), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(raise(0), 0);
}

/* Stop and continue: a stopped compute loop makes no progress. */
GT(stop_continue)
{
	int p[2];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		close(p[0]);
		for (unsigned long n = 0;; n++)
			if (n % 100000 == 0)
				write(p[1], "t", 1);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	char buf[4096];

	gt_msleep(20);
	kill(c, SIGSTOP);
	CHECK_EQ(waitpid(c, NULL, WUNTRACED), c);
	while (read(p[0], buf, sizeof buf) > 0)
		;
	gt_msleep(50);
	CHECK_EQ(read(p[0], buf, sizeof buf), -1);  /* nothing while stopped */
	CHECK_EQ(errno, EAGAIN);
	kill(c, SIGCONT);
	int got = 0;

	for (int i = 0; i < 200 && !got; i++) {
		gt_msleep(5);
		got = read(p[0], buf, sizeof buf) > 0;
	}
	CHECK(got);
	kill(c, SIGKILL);
	CHECK(gt_signalled(gt_wait(c), SIGKILL));
}

/* SIGTSTP stops by default; a handler can catch it instead. */
GT(tstp)
{
	int st;
	pid_t c = sleeper();

	REQUIRE(c > 0);
	kill(c, SIGTSTP);
	CHECK_EQ(waitpid(c, &st, WUNTRACED), c);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	kill(c, SIGCONT);
	kill(c, SIGKILL);
	gt_wait(c);
	c = fork();
	REQUIRE(c >= 0);
	if (c == 0) {
		hits = 0;
		signal(SIGTSTP, count);
		while (!hits)
			pause();
		_exit(0);
	}
	gt_msleep(10);
	kill(c, SIGTSTP);
	CHECK(gt_exited(gt_wait(c), 0));
}

/* abort() ends the process by SIGABRT even with a handler that returns. */
GT(abort_signal)
{
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		signal(SIGABRT, count);
		abort();
	}
	CHECK(gt_signalled(gt_wait(c), SIGABRT));
}

/* Many signals at a busy handler: the process survives, and counts some. */
GT(signal_storm)
{
	int p[2];

	REQUIRE(pipe(p) == 0);
	pid_t c = fork();

	REQUIRE(c >= 0);
	if (c == 0) {
		hits = 0;
		signal(SIGUSR1, count);
		write(p[1], "r", 1);
		while (hits < 20)
			;
		_exit(0);
	}
	char x;

	REQUIRE(read(p[0], &x, 1) == 1);
	int st = -1;
	pid_t r = 0;

	/* Bursts of signals (which coalesce while pending), with pauses to let it run. */
	for (int i = 0; i < 2000 && r == 0; i++) {
		kill(c, SIGUSR1);
		if (i % 4 == 0) {
			sched_yield();
			gt_msleep(1);
		}
		r = waitpid(c, &st, WNOHANG);
	}
	if (r == 0)
		st = gt_wait(c);
	CHECK(gt_exited(st, 0));
}
