/*
 * abort.c - abort(3) ends the process by SIGABRT, as POSIX says, even
 * when SIGABRT is caught (and the handler returns), ignored or blocked.
 * wasi-libc's abort only traps, which would report a trap instead of the
 * signal. Kept apart from signal.c, on the raw calls, because wasi-libc
 * itself references abort: every program links this file, and it should
 * not drag the whole signal machinery along.
 */
#include <signal.h>
#include <stdlib.h>

#include "../sdk.h"

_Noreturn void
abort(void)
{
	uint64_t dummy;
	int32_t old;

	__wr_proc_raise(SIGABRT);
	/* Still here: caught and returned, ignored or blocked. No handler runs twice. */
	__wr_sigaction(SIGABRT, WR_DISP_DEFAULT, &old);
	__wr_sigprocmask(SIG_UNBLOCK, 1ull << (SIGABRT - 1), &dummy);
	__wr_proc_raise(SIGABRT);
	__builtin_trap();
}
