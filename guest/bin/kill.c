/*
 * kill [-s SIG | -SIG | -n NUM] PID... - send a signal (TERM by default)
 * to processes; a negative PID names a process group, -1 everything that
 * may be signalled. kill -l [NUM | 128+NUM]... lists signal names.
 *
 * A process is signalled through /task: "kill SIG" written to
 * /task/PID/ctl (signal 0 only checks that /task/PID exists), so kill
 * reaches exactly the tasks its namespace shows. /task has no verb for a
 * process group or for "everyone", so PID 0 and negative PIDs still go
 * through kill(2).
 */
#include <fcntl.h>
#include <signal.h>
#include <warren/guest.h>

#include "util.h"

/* Signal one process through /task/PID/ctl; 0 or -1 with errno. */
static int
taskkill(long pid, int sig)
{
	char path[64], msg[32];
	int fd, n, rc;

	snprintf(path, sizeof path, "/task/%ld/%s", pid, sig ? "ctl" : "status");
	if ((fd = open(path, sig ? O_WRONLY : O_RDONLY)) < 0) {
		if (errno == ENOENT)
			errno = ESRCH;      /* no such task in our /task */
		return -1;
	}
	n = snprintf(msg, sizeof msg, "kill %d\n", sig);
	rc = sig ? writeall(fd, msg, (size_t)n) : 0;
	close(fd);
	return rc;
}

static int
list(int argc, char **argv, int i)
{
	int status = 0;

	if (i == argc) {
		for (int s = 1; s < 32; s++)
			printf("%2d) SIG%-8s%s", s, wr_signame(s), s % 4 == 0 ? "\n" : " ");
		putchar('\n');
		return 0;
	}
	for (; i < argc; i++) {
		long n = parse_count(argv[i]);
		int s;

		if (n >= 0) {
			/* An exit status of a signalled process names its signal too. */
			const char *name = wr_signame(n > 128 ? (int)(n - 128) : (int)n);

			if (name) {
				puts(name);
				continue;
			}
		} else if ((s = wr_signum(argv[i])) > 0) {
			printf("%d\n", s);
			continue;
		}
		warnx("unknown signal: %s", argv[i]);
		status = 1;
	}
	return status;
}

int
main(int argc, char **argv)
{
	int sig = SIGTERM, i = 1, status = 0;

	setprog(argv, "kill");
	if (i < argc && (!strcmp(argv[i], "-l") || !strcmp(argv[i], "-L")))
		return list(argc, argv, i + 1);
	if (i < argc && (!strcmp(argv[i], "-s") || !strcmp(argv[i], "-n"))) {
		if (i + 1 >= argc || (sig = wr_signum(argv[i + 1])) < 0)
			die(2, "unknown signal: %s", i + 1 < argc ? argv[i + 1] : "");
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--")) {
		if ((sig = wr_signum(argv[i] + 1)) < 0)
			die(2, "unknown signal: %s", argv[i] + 1);
		i++;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i == argc) {
		fprintf(stderr, "usage: kill [-s SIG | -SIG] PID...\n       kill -l [SIG]...\n");
		return 2;
	}
	for (; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);

		if (end == argv[i] || *end) {
			warnx("invalid process id: %s", argv[i]);
			status = 1;
			continue;
		}
		if ((pid > 0 ? taskkill(pid, sig) : kill((pid_t)pid, sig)) < 0) {
			warnx("(%ld) - %s", pid, strerror(errno));
			status = 1;
		}
	}
	return status;
}
