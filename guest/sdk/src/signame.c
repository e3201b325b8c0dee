/*
 * signame.c - signal names and descriptions (Linux numbering), for
 * strsignal, psignal, kill -l and the wait-status messages of sh.
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <warren/guest.h>

static const struct {
	const char *name;
	const char *text;
} sigs[32] = {
	[SIGHUP] = { "HUP", "Hangup" },
	[SIGINT] = { "INT", "Interrupt" },
	[SIGQUIT] = { "QUIT", "Quit" },
	[SIGILL] = { "ILL", "Illegal instruction" },
	[SIGTRAP] = { "TRAP", "Trace/breakpoint trap" },
	[SIGABRT] = { "ABRT", "Aborted" },
	[SIGBUS] = { "BUS", "Bus error" },
	[SIGFPE] = { "FPE", "Floating point exception" },
	[SIGKILL] = { "KILL", "Killed" },
	[SIGUSR1] = { "USR1", "User defined signal 1" },
	[SIGSEGV] = { "SEGV", "Segmentation fault" },
	[SIGUSR2] = { "USR2", "User defined signal 2" },
	[SIGPIPE] = { "PIPE", "Broken pipe" },
	[SIGALRM] = { "ALRM", "Alarm clock" },
	[SIGTERM] = { "TERM", "Terminated" },
	[SIGSTKFLT] = { "STKFLT", "Stack fault" },
	[SIGCHLD] = { "CHLD", "Child exited" },
	[SIGCONT] = { "CONT", "Continued" },
	[SIGSTOP] = { "STOP", "Stopped (signal)" },
	[SIGTSTP] = { "TSTP", "Stopped" },
	[SIGTTIN] = { "TTIN", "Stopped (tty input)" },
	[SIGTTOU] = { "TTOU", "Stopped (tty output)" },
	[SIGURG] = { "URG", "Urgent I/O condition" },
	[SIGXCPU] = { "XCPU", "CPU time limit exceeded" },
	[SIGXFSZ] = { "XFSZ", "File size limit exceeded" },
	[SIGVTALRM] = { "VTALRM", "Virtual timer expired" },
	[SIGPROF] = { "PROF", "Profiling timer expired" },
	[SIGWINCH] = { "WINCH", "Window changed" },
	[SIGIO] = { "IO", "I/O possible" },
	[SIGPWR] = { "PWR", "Power failure" },
	[SIGSYS] = { "SYS", "Bad system call" },
};

/* Real-time signals 32..64 have no names of their own. */
static char rtname[8];

const char *
wr_signame(int sig)
{
	if (sig > 0 && sig < 32)
		return sigs[sig].name;
	if (sig >= 32 && sig <= WR_NSIG) {
		snprintf(rtname, sizeof rtname, "RT%d", sig - 32);
		return rtname;
	}
	return NULL;
}

int
wr_signum(const char *name)
{
	if (name == NULL || *name == 0)
		return -1;
	if (isdigit((unsigned char)*name)) {
		char *end;
		long n = strtol(name, &end, 10);

		return *end == 0 && n >= 0 && n <= WR_NSIG ? (int)n : -1;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (int i = 1; i < 32; i++)
		if (strcasecmp(name, sigs[i].name) == 0)
			return i;
	if (strncasecmp(name, "RT", 2) == 0 && isdigit((unsigned char)name[2])) {
		int n = atoi(name + 2);

		return n <= WR_NSIG - 32 ? 32 + n : -1;
	}
	return -1;
}

char *
strsignal(int sig)
{
	static char buf[32];

	if (sig > 0 && sig < 32)
		return (char *)sigs[sig].text;
	snprintf(buf, sizeof buf, sig >= 32 && sig <= WR_NSIG ? "Real-time signal %d" :
		 "Unknown signal %d", sig >= 32 && sig <= WR_NSIG ? sig - 32 : sig);
	return buf;
}

void
psignal(int sig, const char *msg)
{
	if (msg && *msg)
		fprintf(stderr, "%s: %s\n", msg, strsignal(sig));
	else
		fprintf(stderr, "%s\n", strsignal(sig));
}
