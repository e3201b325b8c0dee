/*
 * ns [-m] [PID]                      print a namespace: the binds and mounts
 *                                    that rebuild it (-m: the mount table)
 * ns mount [-b|-a] [-c] SPEC NEW     mount memfs[:BYTES] or #name at NEW
 * ns nomount                         no more #name mounts; binds now locked
 *
 * Like bind, ns acts on its parent's namespace (the shell's) unless -p PID
 * names another task, through /task/ID/ns/ (its ctl, dump and mounts).
 */
#include <fcntl.h>
#include <stdbool.h>

#include "nsctl.h"
#include "util.h"

static int
cat(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		warnerr(path);
		return 1;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (writeall(1, buf, (size_t)n)) {
			close(fd);
			return 1;
		}
	close(fd);
	if (n < 0) {
		warnerr(path);
		return 1;
	}
	return 0;
}

/* One ctl message, quoted word by word; the ctl's account on failure. */
static int
send(long pid, int argc, char **argv)
{
	char msg[3 * 4096 + 64];
	size_t len = 0;

	for (int i = 0; i < argc; i++)
		if (ctl_word(msg, sizeof msg, &len, argv[i]))
			die(2, "%s: not usable in a message", argv[i]);
	return ctl_send(pid, msg);
}

int
main(int argc, char **argv)
{
	long pid = getppid();
	bool mounts = false;
	char path[64];
	int i = 1;

	setprog(argv, "ns");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-m"))
			mounts = true;
		else if (!strcmp(argv[i], "-p") && i + 1 < argc && (pid = parse_count(argv[i + 1])) > 0)
			i++;
		else
			die(2, "usage: ns [-m] [-p pid] [pid] | ns [-p pid] mount [-b|-a] [-c] spec new"
			    " | ns [-p pid] nomount");
	}
	if (i < argc && !strcmp(argv[i], "mount")) {
		if (argc - i < 3)
			die(2, "usage: ns mount [-b|-a] [-c] spec new");
		return send(pid, argc - i, argv + i);
	}
	if (i < argc && !strcmp(argv[i], "nomount")) {
		if (argc - i != 1)
			die(2, "usage: ns nomount");
		return send(pid, 1, argv + i);
	}
	if (i < argc && (pid = parse_count(argv[i++])) <= 0)
		die(2, "%s: not a task id", argv[i - 1]);
	if (i < argc)
		die(2, "usage: ns [-m] [pid]");
	snprintf(path, sizeof path, "/task/%ld/ns/%s", pid, mounts ? "mounts" : "dump");
	return cat(path);
}
