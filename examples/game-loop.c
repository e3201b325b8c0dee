/*
 * game-loop.c - a game server's loop around warren (include/warren.h
 * only): NBOTS guest scripts (player bots, examples/guests/game/bot.c) run
 * as processes, and each game tick gets a fixed fuel budget.
 *
 *   game-loop [GUESTDIR [BINDIR]]   (default: guests/ next to this program;
 *                                    BINDIR, the userland, is not needed)
 *
 * Each tick the host writes "tick N" to every bot's stdin (WR_STDIO_PIPE,
 * wr_proc_write), calls wr_step until the tick's budget is spent or every
 * bot waits for input, reads what the bots wrote (wr_proc_read), and prints
 * the tick: the instructions each bot ran, their answers, and who ended.
 * A bot that burns more than half a tick's budget without answering is
 * warned once and killed (wr_kill, SIGKILL) the next time: the one runaway
 * bot, in an infinite loop, must not starve the others.  The system is
 * deterministic (wr_Config.deterministic), so every run prints the same.
 *
 * The cast: walkers (move on a grid), thinkers (count primes: CPU-hungry),
 * quitters (leave at tick 3), a crasher (divides by zero at tick 4) and a
 * runaway (loops forever from tick 2).  It exits 0 when each did exactly
 * that: every walker and thinker answered every tick (the thinkers
 * correctly), the quitters left with 0, the crasher died of its trap, the
 * runaway was killed by the host, and after the last tick closing the
 * bots' input ended the rest with 0.
 */
#define _POSIX_C_SOURCE 200809L
#include <warren.h>

#include "example.h"

#define NBOTS 20
#define NTICKS 8
#define BUDGET 3000000          /* instructions per tick, all bots together */
#define GREEDY (BUDGET / 2)     /* more than this in a tick without answering: a strike */

enum kind { WALKER, THINKER, QUITTER, RUNAWAY, CRASHER };
static const char *const kind_name[] = { "walker", "thinker", "quitter", "runaway", "crasher" };

struct bot {
	char name[8];
	enum kind kind;
	int32_t pid;
	bool exited, eof[3], killed_by_host;
	int status;                 /* exit code, or 128 + signal */
	int answered;               /* the last tick it answered */
	int wrong;                  /* answers that were not what its kind says */
	int strikes;
	uint64_t fuel;              /* instructions so far (wr_proc_status) */
	char partial[256];          /* an output line still being written */
	size_t plen;
};

static struct bot bots[NBOTS];

static enum kind
cast(int i)
{
	static const struct {
		int bot;
		enum kind kind;
	} roles[] = {
		{ 2, THINKER }, { 8, THINKER }, { 10, THINKER }, { 18, THINKER },
		{ 4, QUITTER }, { 16, QUITTER }, { 6, RUNAWAY }, { 12, CRASHER },
	};

	for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++)
		if (roles[r].bot == i)
			return roles[r].kind;
	return WALKER;
}

static int
primes_below(int n)
{
	int count = 0;

	for (int i = 2; i < n; i++) {
		int d = 2;

		while (d * d <= i && i % d)
			d++;
		count += d * d > i;
	}
	return count;
}

/* One complete output line of bot b: print it, and check it. */
static void
line(struct bot *b, const char *s)
{
	int t = 0, k = 0, m = 0, n = 0;
	char want[64];

	printf("    %s\n", s);
	if (sscanf(s, "%*7[^:]: tick %d: %n", &t, &n) != 1 || !n)
		return;     /* ready, end of input */
	s += n;
	b->answered = t;
	switch (b->kind) {
	case THINKER:
		if (sscanf(s, "%d primes below %d", &k, &m) != 2 || m != 1000 + 100 * t ||
		    k != primes_below(m))
			b->wrong++;
		break;
	case QUITTER:
		snprintf(want, sizeof want, "%s", t >= 3 ? "bye" : "here");
		b->wrong += strcmp(s, want) != 0;
		break;
	default:
		break;
	}
}

/* What bot b wrote to fd (1 or 2): line by line. */
struct piece {
	struct bot *b;
	int fd;
};

static void
got_piece(void *ctx, const char *buf, size_t n)
{
	struct piece *pc = ctx;
	struct bot *b = pc->b;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n' && b->plen < sizeof b->partial - 1) {
			b->partial[b->plen++] = buf[i];
			continue;
		}
		b->partial[b->plen] = 0;
		if (pc->fd == 1)
			line(b, b->partial);
		else
			printf("    %s (stderr): %s\n", b->name, b->partial);
		b->plen = 0;
	}
}

/* Take what bot b wrote to fd (1 or 2), line by line. */
static void
drain(wr_System *sys, struct bot *b, int fd)
{
	struct piece pc = { b, fd };

	take_output(sys, b->pid, fd, &b->eof[fd], got_piece, &pc);
}

static struct bot *
by_pid(int32_t pid)
{
	for (int i = 0; i < NBOTS; i++)
		if (bots[i].pid == pid)
			return &bots[i];
	return NULL;
}

/* After a step: an ended bot, and everyone's output. */
static void
after_step(wr_System *sys, const wr_Event *ev)
{
	struct bot *b;

	for (int i = 0; i < NBOTS; i++) {
		drain(sys, &bots[i], 1);
		drain(sys, &bots[i], 2);
	}
	if (ev->what == WR_EV_EXITED && (b = by_pid(ev->pid))) {
		b->exited = true;
		b->status = ev->signal ? 128 + ev->signal : ev->exit_code;
		if (ev->signal)
			printf("    %s ended: killed by %s%s%s%s\n", b->name, ev->signame,
			       ev->diag[0] ? " (" : "", ev->diag, ev->diag[0] ? ")" : "");
		else
			printf("    %s ended: exit %d\n", b->name, ev->exit_code);
	}
}

/* Run the system for one tick's budget; returns the instructions run. */
static uint64_t
tick(wr_System *sys)
{
	uint64_t spent = 0;
	wr_Event ev;

	while (spent < BUDGET) {
		if (wr_step(sys, (int64_t)(BUDGET - spent), &ev) != WR_OK)
			break;
		spent += ev.fuel;
		after_step(sys, &ev);
		if (ev.what == WR_EV_IDLE || ev.what == WR_EV_DONE)
			break;  /* every bot waits for its next input */
	}
	return spent;
}

/* The outcome each kind must have had. */
static bool
as_expected(const struct bot *b)
{
	switch (b->kind) {
	case WALKER:
	case THINKER:
		return b->answered == NTICKS && b->exited && b->status == 0 && !b->killed_by_host;
	case QUITTER:
		return b->answered == 3 && b->exited && b->status == 0;
	case RUNAWAY:
		return b->answered == 2 && b->killed_by_host && b->status == 128 + 9;
	case CRASHER:
		return b->answered == 4 && b->exited && b->status > 128 && !b->killed_by_host;
	}
	return false;
}

int
main(int argc, char **argv)
{
	char *gdir = argc > 1 ? strdup(argv[1]) : beside_me("guests");
	char path[PATH_MAX], err[256];
	wr_Config cfg = { .seed = 7, .deterministic = 1, .max_fuel = 100 * 1000 * 1000 };
	wr_System *sys = NULL;
	int st, failed = 0, rc = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!gdir) {
		fprintf(stderr, "usage: game-loop [GUESTDIR]\n");
		return 2;
	}
	if ((st = wr_system_new(&cfg, &sys, err, sizeof err)) != WR_OK) {
		fprintf(stderr, "game-loop: %s: %s\n", wr_errmsg(st), err);
		free(gdir);
		return 1;
	}
	snprintf(path, sizeof path, "%s/game/bot.wasm", gdir);
	if (wr_install_file(sys, "/bin/bot", path) != WR_OK) {
		fprintf(stderr, "game-loop: %s\n", wr_system_errmsg(sys));
		goto out;
	}
	for (int i = 0; i < NBOTS; i++) {
		struct bot *b = &bots[i];
		const char *av[4] = { "bot", NULL, b->name, NULL };
		wr_Spawn sp = { .path = "/bin/bot", .argv = av,
				.stdio = { WR_STDIO_PIPE, WR_STDIO_PIPE, WR_STDIO_PIPE } };

		snprintf(b->name, sizeof b->name, "bot%02d", i + 1);
		b->kind = cast(i);
		av[1] = kind_name[b->kind];
		if ((st = wr_spawn(sys, &sp, &b->pid)) != WR_OK) {
			fprintf(stderr, "game-loop: spawn %s: %s\n", b->name, wr_errmsg(st));
			goto out;
		}
	}
	printf("game-loop: %d bots, %d ticks of %d instructions\n", NBOTS, NTICKS, BUDGET);
	printf("tick 0 (start up)\n");
	tick(sys);

	for (int t = 1; t <= NTICKS; t++) {
		char msg[32];
		int n = snprintf(msg, sizeof msg, "tick %d\n", t), ran = 0;
		uint64_t spent;

		printf("tick %d\n", t);
		for (int i = 0; i < NBOTS; i++)
			if (!bots[i].exited)
				wr_proc_write(sys, bots[i].pid, msg, (size_t)n, NULL);
		spent = tick(sys);
		/* Who ran, and who burnt the tick without answering. */
		for (int i = 0; i < NBOTS; i++) {
			struct bot *b = &bots[i];
			wr_ProcInfo pi;
			uint64_t used;

			if (b->exited || wr_proc_status(sys, b->pid, &pi) != WR_OK)
				continue;
			used = pi.fuel - b->fuel;
			b->fuel = pi.fuel;
			ran += used > 0;
			if (used <= GREEDY || b->answered >= t)
				continue;
			if (++b->strikes == 1) {
				printf("    %s: %llu instructions and no answer: warned\n", b->name,
				       (unsigned long long)used);
			} else {
				printf("    %s: %llu instructions and no answer again: killed\n", b->name,
				       (unsigned long long)used);
				b->killed_by_host = true;
				wr_kill(sys, b->pid, 9);
			}
		}
		printf("  tick %d: %llu instructions, %d bots ran\n", t, (unsigned long long)spent,
		       ran);
	}

	printf("game over: closing every bot's input\n");
	for (int i = 0; i < NBOTS; i++)
		if (!bots[i].exited)
			wr_proc_close(sys, bots[i].pid);
	for (int guard = 0; guard < 1000; guard++) {
		bool live = false;

		tick(sys);
		for (int i = 0; i < NBOTS; i++)
			live |= !bots[i].exited || !bots[i].eof[1] || !bots[i].eof[2];
		if (!live)
			break;
	}

	printf("game-loop: outcome:\n");
	for (int i = 0; i < NBOTS; i++) {
		const struct bot *b = &bots[i];
		char what[256];

		snprintf(what, sizeof what, "%.8s (%.8s): answered %d tick%s%s, %s %d, %llu instructions",
			 b->name, kind_name[b->kind], b->answered, b->answered == 1 ? "" : "s",
			 b->wrong ? " WRONGLY" : "", b->killed_by_host ? "killed by the host, status"
			 : "status", b->status, (unsigned long long)b->fuel);
		failed |= check(as_expected(b) && !b->wrong, what);
	}
	printf("game-loop: %s\n", failed ? "FAILED" : "every bot did what it should");
	rc = failed ? 1 : 0;
out:
	wr_system_free(sys);
	free(gdir);
	return rc;
}
