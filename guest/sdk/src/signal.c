/*
 * signal.c - POSIX signals on warren's.
 *
 * The kernel keeps each signal's disposition (default, ignore, catch), the
 * mask and the pending set; the SDK keeps the handlers. A caught signal
 * reaches the guest as a call of the exported __wasm_signal(sig), pushed by
 * the kernel at a safe point (a fuel check or the return of a host call),
 * so handlers run inside compute loops too. __wasm_signal looks the
 * handler up here and applies sa_mask, SA_NODEFER, SA_RESETHAND and
 * SA_SIGINFO around the call.
 *
 * The table lives in linear memory, so fork copies it with everything
 * else, as POSIX wants; exec starts a new image with an empty table while
 * the kernel resets caught signals to default and keeps ignored ones.
 * That is why a disposition the table has not seen in this image is asked
 * from the kernel (see `probe`).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include "../sdk.h"

#define NSIGS 64
#define BIT(sig) (1ull << ((sig) - 1))

static struct sigaction acts[NSIGS + 1];
/* Signals whose acts[] entry matches the kernel's disposition in this image. */
static uint64_t known;
/* callback_signal has named __wasm_signal in this image. */
static int registered;

volatile unsigned __wr_sig_delivered;
volatile unsigned __wr_sig_nonrestart;

/* wasi-libc defines SIG_IGN and SIG_ERR as these functions' addresses
 * (1 and -1 are valid function pointers on wasm). */
void
__SIG_IGN(int sig)
{
	(void)sig;
}

void
__SIG_ERR(int sig)
{
	(void)sig;
}

static int
valid(int sig)
{
	return sig >= 1 && sig <= NSIGS;
}

static int
uncatchable(int sig)
{
	return sig == SIGKILL || sig == SIGSTOP;
}

static int32_t
disp_of(void (*h)(int))
{
	if (h == SIG_DFL)
		return WR_DISP_DEFAULT;
	if (h == SIG_IGN)
		return WR_DISP_IGNORE;
	return WR_DISP_CATCH;
}

/*
 * The kernel's disposition of sig, for a signal this image has not set:
 * there is no "query" call, so set IGNORE and put the old value back. The
 * second call only happens when the two differ, and a signal arriving in
 * between (one preemption at most) is lost rather than misdelivered.
 */
static int32_t
probe(int sig, int32_t *disp)
{
	int32_t old = 0, dummy;
	int32_t e = __wr_sigaction(sig, WR_DISP_IGNORE, &old);

	if (e)
		return e;
	if (old != WR_DISP_IGNORE && (e = __wr_sigaction(sig, old, &dummy)))
		return e;
	*disp = old;
	return 0;
}

/* Tell the kernel which export delivers signals (once per image). */
static void
register_dispatcher(void)
{
	static const char name[] = "__wasm_signal";

	if (!registered) {
		__wr_callback_signal(name, sizeof name - 1);
		registered = 1;
	}
}

int
sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict oact)
{
	struct sigaction nw, prev;
	int32_t old = 0, e;

	if (!valid(sig) || (act && uncatchable(sig)))
		return __wr_fail(EINVAL);
	memset(&prev, 0, sizeof prev);
	if (known & BIT(sig))
		prev = acts[sig];
	if (act) {
		int32_t disp;

		nw = *act;
		disp = disp_of(nw.sa_handler);
		if (disp == WR_DISP_CATCH)
			register_dispatcher();
		/* The handler is in the table before the kernel can deliver to it. */
		acts[sig] = nw;
		if ((e = __wr_sigaction(sig, disp, &old))) {
			acts[sig] = prev;
			return __wr_fail(e);
		}
	} else if (!(known & BIT(sig)) && !uncatchable(sig)) {
		if ((e = probe(sig, &old)))
			return __wr_fail(e);
	}
	if (!(known & BIT(sig))) {
		/* First sight in this image: after exec a signal is default or ignored. */
		prev.sa_handler = old == WR_DISP_IGNORE ? SIG_IGN : SIG_DFL;
		if (!act)
			acts[sig] = prev;
		known |= BIT(sig);
	}
	if (oact)
		*oact = prev;
	return 0;
}

void (*signal(int sig, void (*handler)(int)))(int)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;  /* BSD and Linux semantics */
	if (sigaction(sig, &sa, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

void (*bsd_signal(int sig, void (*handler)(int)))(int)
{
	return signal(sig, handler);
}

int
siginterrupt(int sig, int flag)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, &sa) < 0)
		return -1;
	if (flag)
		sa.sa_flags &= ~(int)SA_RESTART;
	else
		sa.sa_flags |= (int)SA_RESTART;
	return sigaction(sig, &sa, NULL);
}

/*
 * The delivery export. The kernel calls it on top of whatever the process
 * was doing; errno is saved around the handler so the interrupted code
 * never sees it change.
 */
__attribute__((export_name("__wasm_signal"))) void
__wasm_signal(int sig)
{
	struct sigaction a;
	uint64_t block, oldmask = 0, dummy;
	int saved = errno, masked = 0;
	int32_t od;

	if (!valid(sig))
		return;
	a = acts[sig];
	__wr_sig_delivered++;
	if (!(a.sa_flags & SA_RESTART))
		__wr_sig_nonrestart++;
	if (a.sa_handler == SIG_IGN)
		goto out;
	if (a.sa_handler == SIG_DFL) {
		/* Caught for a handler sigaction has just removed: default it is. */
		__wr_sigaction(sig, WR_DISP_DEFAULT, &od);
		__wr_proc_raise(sig);
		goto out;
	}
	block = a.sa_mask;
	if (!(a.sa_flags & SA_NODEFER))
		block |= BIT(sig);
	block &= ~(BIT(SIGKILL) | BIT(SIGSTOP));
	if (block)
		masked = __wr_sigprocmask(SIG_BLOCK, block, &oldmask) == 0;
	if (a.sa_flags & SA_RESETHAND) {
		memset(&acts[sig], 0, sizeof acts[sig]);
		__wr_sigaction(sig, WR_DISP_DEFAULT, &od);
	}
	if (a.sa_flags & SA_SIGINFO) {
		siginfo_t si;

		memset(&si, 0, sizeof si);
		si.si_signo = sig;
		si.si_code = SI_USER;
		a.sa_sigaction(sig, &si, NULL);
	} else {
		a.sa_handler(sig);
	}
	if (masked)
		__wr_sigprocmask(SIG_SETMASK, oldmask, &dummy);
out:
	errno = saved;
}

int
raise(int sig)
{
	/* raise(0) only asks whether we exist, like kill(getpid(), 0). */
	if (sig == 0)
		return 0;
	return __wr_ret(__wr_proc_raise(sig));
}

int
kill(pid_t pid, int sig)
{
	return __wr_ret(__wr_proc_signal(pid, sig));
}

int
killpg(pid_t pgrp, int sig)
{
	if (pgrp < 0)
		return __wr_fail(EINVAL);
	return kill(-pgrp, sig);
}

int
sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict oset)
{
	uint64_t old = 0;
	int32_t e;

	if (set) {
		if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
			return __wr_fail(EINVAL);
		e = __wr_sigprocmask(how, *set, &old);
	} else {
		e = __wr_sigprocmask(SIG_BLOCK, 0, &old);
	}
	if (e)
		return __wr_fail(e);
	if (oset)
		*oset = old;
	return 0;
}

int
pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict oset)
{
	return sigprocmask(how, set, oset) < 0 ? errno : 0;
}

/* The kernel has no call for the pending set. */
int
sigpending(sigset_t *set)
{
	(void)set;
	return __wr_fail(ENOSYS);
}

/* Sleep up to ns on the monotonic clock: 0, EINTR after a handler ran, or an errno. */
static int32_t
nap(uint64_t ns)
{
	__wasi_subscription_t sub;
	__wasi_event_t ev;
	__wasi_size_t n;

	memset(&sub, 0, sizeof sub);
	sub.u.tag = __WASI_EVENTTYPE_CLOCK;
	sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
	sub.u.u.clock.timeout = ns;
	return __wasi_poll_oneoff(&sub, &ev, 1, &n);
}

/*
 * Wait until a handler has run. A signal delivered between checking the
 * counter and going to sleep would be missed by an unbounded sleep, so
 * the sleep is cut into slices that look at the counter again: the
 * counter is bumped by __wasm_signal itself, so no delivery goes unseen.
 */
static void
wait_for_handler(unsigned seen)
{
	while (__wr_sig_delivered == seen) {
		int32_t e = nap(100 * 1000 * 1000ull);

		if (e && e != EINTR)
			break;
	}
}

int
pause(void)
{
	wait_for_handler(__wr_sig_delivered);
	return __wr_fail(EINTR);
}

int
sigsuspend(const sigset_t *mask)
{
	uint64_t old = 0, dummy;
	unsigned seen = __wr_sig_delivered;
	int32_t e;

	/* Handlers for what the new mask lets through run as this call returns. */
	if ((e = __wr_sigprocmask(SIG_SETMASK, *mask, &old)))
		return __wr_fail(e);
	wait_for_handler(seen);
	__wr_sigprocmask(SIG_SETMASK, old, &dummy);
	return __wr_fail(EINTR);
}

unsigned
alarm(unsigned seconds)
{
	uint32_t left = 0;

	return __wr_alarm(seconds, &left) ? 0 : left;
}

int
sigemptyset(sigset_t *set)
{
	*set = 0;
	return 0;
}

int
sigfillset(sigset_t *set)
{
	*set = ~0ull;
	return 0;
}

int
sigaddset(sigset_t *set, int sig)
{
	if (!valid(sig))
		return __wr_fail(EINVAL);
	*set |= BIT(sig);
	return 0;
}

int
sigdelset(sigset_t *set, int sig)
{
	if (!valid(sig))
		return __wr_fail(EINVAL);
	*set &= ~BIT(sig);
	return 0;
}

int
sigismember(const sigset_t *set, int sig)
{
	if (!valid(sig))
		return __wr_fail(EINVAL);
	return (*set & BIT(sig)) != 0;
}

int
sigisemptyset(const sigset_t *set)
{
	return *set == 0;
}
