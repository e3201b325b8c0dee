/*
 * bind [-b|-a] [-c] [-p PID] OLD NEW - Plan 9's bind: what OLD names
 * appears at NEW.  -b / -a make NEW a union directory with OLD searched
 * before / after what NEW showed; -c sends files created in the union to
 * OLD.  Without -b or -a, OLD replaces NEW until unbind.
 *
 * A program runs with a copy of its parent's namespace, so bind changes
 * the namespace of its parent (the shell that ran it), or of task PID,
 * through the control plane: it writes the message to /task/ID/ns/ctl,
 * where OLD and NEW resolve from that task's working directory.  This one
 * file is also unbind [-p PID] [OLD] NEW (unbind.c includes it with
 * UNBIND defined).
 */
#include <stdbool.h>

#include "nsctl.h"
#include "util.h"

int
main(int argc, char **argv)
{
	char msg[3 * 4096 + 64], flags[8] = "-";
	size_t len = 0, nf = 1;
	long pid = getppid();
	int i;
	bool un;

#ifdef UNBIND
	un = true;
	setprog(argv, "unbind");
#else
	un = false;
	setprog(argv, "bind");
#endif
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-p")) {
			if (i + 1 >= argc || (pid = parse_count(argv[i + 1])) <= 0)
				die(2, "-p takes a task id");
			i++;
			continue;
		}
		for (const char *o = argv[i] + 1; *o; o++) {
			if (un || !strchr("bac", *o))
				die(2, "usage: %s", un ? "unbind [-p pid] [old] new"
					: "bind [-b|-a] [-c] [-p pid] old new");
			if (!strchr(flags, *o) && nf < sizeof flags - 1)
				flags[nf++] = *o;
		}
	}
	if (argc - i != 2 && !(un && argc - i == 1))
		die(2, "usage: %s", un ? "unbind [-p pid] [old] new"
			: "bind [-b|-a] [-c] [-p pid] old new");
	ctl_word(msg, sizeof msg, &len, un ? "unbind" : "bind");
	if (nf > 1)
		ctl_word(msg, sizeof msg, &len, flags);
	for (; i < argc; i++)
		if (ctl_word(msg, sizeof msg, &len, argv[i]))
			die(2, "%s: not a usable path", argv[i]);
	return ctl_send(pid, msg);
}
