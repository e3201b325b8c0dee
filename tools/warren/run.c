/*
 * run.c - `warren run` and `warren sh`: boot a system and run programs as
 * processes, with the host's terminal or streams as their stdio.
 *
 *   warren run [OPTIONS] PROG.wasm [ARG...]
 *   warren sh [OPTIONS] [-c CMD [NAME [ARG...]] | SCRIPT [ARG...]]
 *
 * The userland: every *.wasm in the directory named by $WARREN_BIN, or else
 * in guest/bin next to the warren executable (build/guest/bin for
 * build/warren), is installed as /bin/NAME (without .wasm). Missing is
 * fine for `run`; `sh` needs /bin/sh.
 *
 * stdio: each of the program's fds 0, 1, 2 is the console when the host's
 * is a terminal, and otherwise the host stream itself (fd 0 a pipe fed from
 * the host's stdin, fds 1 and 2 the host's stdout and stderr). With a
 * terminal on stdin the process is in the console's foreground, and the
 * host's ^C, ^Z and ^\ are passed on to the foreground process group.
 *
 * `warren sh` runs /bin/init /bin/sh ARGS when /bin/init exists (init is
 * pid 1: it runs its arguments as a child, reaps orphans, and exits with
 * the child's status), else /bin/sh ARGS directly. A SCRIPT is a host file,
 * copied into the system as /tmp/NAME first.
 *
 * `warren ps` (ps.c) shows the task table of a running warren: at start,
 * and again whenever it gets SIGUSR1, a run writes wr_task_table to
 * $TMPDIR/warren-HOSTPID.tasks (a new file renamed into place), and it
 * removes that file when it ends.
 *
 * `warren trace` (trace.c) is a run with hooks (struct run_hooks): it
 * configures the system, and looks at it after every step.
 *
 * Exit status: the program's exit code; 128 + N when it was killed by
 * signal N (the cause is printed: "warren: prog: killed by SIGSEGV (trap
 * in f: out of bounds memory access)"); 127 when the program does not
 * exist, 126 when it is not a valid program; 2 for usage errors; 1 when
 * every process is blocked with no input left to wake one (a deadlock);
 * 141 (SIGPIPE) when the reader of warren's stdout or stderr went away.
 */
#define _POSIX_C_SOURCE 200809L
#include "warren.h"
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127
#define MAX_MOUNTS 64
#define MAX_ENV 256
#define SLICE (2 * 1000 * 1000)     /* instructions between looks at the host */

struct opts {
	wr_Mount mounts[MAX_MOUNTS];
	size_t nmounts;
	const char *env[MAX_ENV + 3];
	size_t nenv;
	uint64_t fuel;
	uint32_t pages;
	uint32_t procs;
	uint64_t seed;
	const char *cwd;
};

static const char *prog = "warren";

static volatile sig_atomic_t got_sig[3];   /* SIGINT, SIGTSTP, SIGQUIT seen */
static volatile sig_atomic_t got_usr1;     /* SIGUSR1: publish the process table */
static const struct run_hooks *hooks;      /* warren trace's, or NULL */
static char tasks_path[PATH_MAX];          /* the published table ("": none) */

/* ---- options ---------------------------------------------------------------- */

static int
usage(const char *cmd)
{
	fprintf(stderr,
		"usage: warren run [OPTIONS] PROG.wasm [ARG...]\n"
		"       warren sh [OPTIONS] [-c CMD [NAME [ARG...]] | SCRIPT [ARG...]]\n"
		"options:\n"
		"  --mount HOST:GUEST[:ro]   make a host directory visible (read-only with :ro)\n"
		"  --env K=V                 add to the environment (default PATH=/bin HOME=/home)\n"
		"  --fuel N                  instructions per process (SIGXCPU beyond)\n"
		"  --mem PAGES               memory per process in 64 KiB pages\n"
		"  --procs N                 processes at once\n"
		"  --seed N                  the system's seed (pids, /dev/random)\n"
		"  --cwd DIR                 working directory inside the system\n"
		"while it runs, `warren ps` shows its process table (/task)\n");
	(void)cmd;
	return EXIT_USAGE;
}

static bool
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

/* HOST:GUEST[:ro]. The strings point into arg (modified). */
static bool
parse_mount(char *arg, wr_Mount *m)
{
	char *colon = strchr(arg, ':'), *ro;

	if (!colon || colon == arg || colon[1] != '/')
		return false;
	*colon = 0;
	m->host = arg;
	m->guest = colon + 1;
	m->readonly = 0;
	ro = strrchr(m->guest, ':');
	if (ro) {
		if (strcmp(ro, ":ro") && strcmp(ro, ":rw"))
			return false;
		m->readonly = !strcmp(ro, ":ro");
		*ro = 0;
	}
	return true;
}

/* Options before the first non-option; returns the index of that, or -1. */
static int
parse_opts(int argc, char **argv, struct opts *o, const char *cmd)
{
	int i;

	memset(o, 0, sizeof *o);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		uint64_t v;

		if (strcmp(a, "--") == 0)
			return i + 1;
		if (a[0] != '-' || a[1] != '-')
			return i;
		if (i + 1 >= argc) {
			fprintf(stderr, "%s %s: %s needs a value\n", prog, cmd, a);
			return -1;
		}
		if (!strcmp(a, "--mount")) {
			if (o->nmounts == MAX_MOUNTS || !parse_mount(argv[++i], &o->mounts[o->nmounts])) {
				fprintf(stderr, "%s %s: bad --mount %s (HOST:GUEST[:ro], GUEST absolute)\n",
					prog, cmd, argv[i]);
				return -1;
			}
			o->nmounts++;
		} else if (!strcmp(a, "--env")) {
			if (o->nenv == MAX_ENV || !strchr(argv[i + 1], '=')) {
				fprintf(stderr, "%s %s: bad --env %s (K=V)\n", prog, cmd, argv[i + 1]);
				return -1;
			}
			o->env[o->nenv++] = argv[++i];
		} else if (!strcmp(a, "--cwd")) {
			o->cwd = argv[++i];
		} else if (!strcmp(a, "--fuel") || !strcmp(a, "--mem") || !strcmp(a, "--procs") ||
			   !strcmp(a, "--seed")) {
			if (!parse_u64(argv[i + 1], &v) ||
			    (strcmp(a, "--fuel") && strcmp(a, "--seed") && v > UINT32_MAX)) {
				fprintf(stderr, "%s %s: bad number for %s: %s\n", prog, cmd, a, argv[i + 1]);
				return -1;
			}
			i++;
			if (!strcmp(a, "--fuel"))
				o->fuel = v;
			else if (!strcmp(a, "--mem"))
				o->pages = (uint32_t)v;
			else if (!strcmp(a, "--procs"))
				o->procs = (uint32_t)v;
			else
				o->seed = v;
		} else {
			fprintf(stderr, "%s %s: unknown option %s\n", prog, cmd, a);
			return -1;
		}
	}
	return i;
}

/* ---- host output ------------------------------------------------------------- */

static int console_fd = 1;
static bool out_broken;   /* a host stream's reader went away (EPIPE) */

static void
write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			out_broken |= w < 0 && errno == EPIPE;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
output(void *ctx, int stream, const void *buf, size_t n)
{
	(void)ctx;
	write_all(stream == WR_STREAM_STDERR ? 2 : stream == WR_STREAM_STDOUT ? 1 : console_fd,
		  buf, n);
}

/* ---- the system ------------------------------------------------------------------ */

/* A signal that ends warren: remove the published table, then end as it would have. */
static void
on_fatal(int sig)
{
	if (tasks_path[0])
		unlink(tasks_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Clean up on sig, unless it is ignored (nohup, a background job). */
static void
catch_fatal(int sig)
{
	struct sigaction sa = { 0 }, old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return;
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_fatal;
	sigaction(sig, &sa, NULL);
}

static void
on_signal(int sig)
{
	got_sig[sig == SIGINT ? 0 : sig == SIGTSTP ? 1 : 2] = 1;
}

/* The directory of the userland, or NULL. */
static char *
bin_dir(void)
{
	const char *env = getenv("WARREN_BIN");
	char exe[PATH_MAX], *slash, *dir;
	ssize_t n;
	struct stat st;

	if (env && *env)
		return strdup(env);
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	dir = malloc(strlen(exe) + sizeof "/guest/bin");
	if (!dir)
		return NULL;
	sprintf(dir, "%s/guest/bin", exe);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* Install every DIR/NAME.wasm as /bin/NAME; returns how many, -1 on error. */
static int
install_bin(wr_System *sys, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char host[PATH_MAX], guest[300];

		if (l <= 5 || strcmp(e->d_name + l - 5, ".wasm") || l - 5 > 250)
			continue;
		snprintf(host, sizeof host, "%s/%s", dir, e->d_name);
		snprintf(guest, sizeof guest, "/bin/%.*s", (int)(l - 5), e->d_name);
		if (wr_install_file(sys, guest, host) != WR_OK) {
			fprintf(stderr, "%s: installing %s: %s\n", prog, host, wr_system_errmsg(sys));
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	return n;
}

static wr_System *
boot(struct opts *o, const char *cmd)
{
	wr_Config cfg = { 0 };
	wr_System *sys = NULL;
	char err[256];
	char *dir;
	int st;

	if (o->nenv) {
		o->env[o->nenv] = NULL;
		/* Defaults first unless given. */
		cfg.env = o->env;
	}
	cfg.seed = o->seed;
	cfg.max_fuel = o->fuel;
	cfg.max_pages = o->pages;
	cfg.max_procs = o->procs;
	cfg.mounts = o->mounts;
	cfg.nmounts = o->nmounts;
	cfg.output = output;
	if (hooks && hooks->config)
		hooks->config(&cfg, hooks->ctx);
	st = wr_system_new(&cfg, &sys, err, sizeof err);
	if (st) {
		fprintf(stderr, "%s %s: %s%s%s\n", prog, cmd, wr_errmsg(st), err[0] ? ": " : "", err);
		return NULL;
	}
	dir = bin_dir();
	if (dir && install_bin(sys, dir) < 0) {
		free(dir);
		wr_system_free(sys);
		return NULL;
	}
	free(dir);
	if (hooks && hooks->booted && hooks->booted(sys, hooks->ctx) < 0) {
		wr_system_free(sys);
		return NULL;
	}
	return sys;
}

/* Add the defaults to --env so PATH and HOME exist unless overridden. */
static void
env_defaults(struct opts *o)
{
	static const char *const defs[] = { "PATH=/bin", "HOME=/home" };

	if (!o->nenv)
		return;
	for (size_t d = 0; d < 2; d++) {
		size_t kl = strchr(defs[d], '=') - defs[d] + 1;
		bool have = false;

		for (size_t i = 0; i < o->nenv; i++)
			have |= !strncmp(o->env[i], defs[d], kl);
		if (!have)
			o->env[o->nenv++] = defs[d];
	}
}

/*
 * Drive the system until process `pid` ends. Host input goes to the
 * console (console_in) or to the stdin pipe. Returns the exit status for
 * warren itself.
 */
static void
on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/*
 * Publish the process table (/task) for `warren ps`: written to a new
 * file renamed over tasks_path, so a reader sees a whole table and can
 * tell a new one (a new inode) from the old.
 */
static void
publish_tasks(wr_System *sys)
{
	char tmp[PATH_MAX + 8], *buf = NULL, *nb;
	size_t cap = 16 * 1024, len = 0, off = 0;
	int st, fd;

	if (!tasks_path[0])
		return;
	for (;;) {
		if (!(nb = realloc(buf, cap)))
			goto out;
		buf = nb;
		st = wr_task_table(sys, buf, cap, &len);
		if (st != WR_ENOMEM || len < cap)
			break;
		cap = len + 1;
	}
	if (st != WR_OK)
		len = (size_t)snprintf(buf, cap, "%s: no process table: %s\n", prog,
				       wr_system_errmsg(sys)[0] ? wr_system_errmsg(sys) : wr_errmsg(st));
	snprintf(tmp, sizeof tmp, "%s.new", tasks_path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (close(fd) < 0 || off < len || rename(tmp, tasks_path) < 0)
		unlink(tmp);
out:
	free(buf);
}

static int
drive(wr_System *sys, int32_t pid, const char *name, bool console_in)
{
	char buf[4096];
	size_t have = 0, off = 0;
	bool in_eof = false;

	for (;;) {
		wr_Event ev;
		int timeout = 0;

		if (got_usr1) {
			got_usr1 = 0;
			publish_tasks(sys);
		}
		for (int s = 0; s < 3; s++) {
			if (got_sig[s]) {
				got_sig[s] = 0;
				wr_console_signal(sys, "CZ\\"[s]);
			}
		}
		if (wr_step(sys, hooks && hooks->slice > 0 ? hooks->slice : SLICE, &ev) != WR_OK) {
			fprintf(stderr, "%s: internal error stepping the system\n", prog);
			return EXIT_FAIL;
		}
		if (hooks && hooks->stepped)
			hooks->stepped(sys, &ev, hooks->ctx);
		if (out_broken)
			return 128 + SIGPIPE; /* like a host process writing to a closed pipe */
		if (ev.what == WR_EV_EXITED && ev.pid == pid) {
			if (ev.signal) {
				fprintf(stderr, "%s: %s: killed by %s%s%s%s\n", prog, name, ev.signame,
					ev.diag[0] ? " (" : "", ev.diag, ev.diag[0] ? ")" : "");
				return 128 + ev.signal;
			}
			return ev.exit_code;
		}
		if (ev.what == WR_EV_DONE)
			return EXIT_FAIL;
		if (ev.what == WR_EV_IDLE) {
			if (ev.wake_ns != UINT64_MAX)
				timeout = (int)((ev.wake_ns + 999999) / 1000000);
			else if (in_eof && !have)
				timeout = -2;
			else
				timeout = -1;
			if (timeout == -2) {
				fprintf(stderr, "%s: %s: every process is blocked and no input is left "
					"(deadlock)\n", prog, name);
				return EXIT_FAIL;
			}
		}
		if (ev.what != WR_EV_IDLE && ev.what != WR_EV_BUDGET)
			continue;
		/* Offer what is pending; then wait for input or the next timer. */
		if (have) {
			size_t n = console_in ? wr_console_write(sys, buf + off, have - off)
					      : wr_stdin_write(sys, buf + off, have - off);

			off += n;
			if (off == have)
				have = off = 0;
			if (n)
				continue; /* let the readers run before waiting */
			if (ev.what == WR_EV_IDLE && timeout < 0)
				timeout = 10; /* the input is full: let readers run */
		}
		if (!in_eof && !have) {
			struct pollfd pfd = { .fd = 0, .events = POLLIN };
			int r = poll(&pfd, 1, timeout);

			if (r > 0) {
				ssize_t n = read(0, buf, sizeof buf);

				if (n > 0) {
					have = (size_t)n;
				} else if (n == 0 || errno != EINTR) {
					in_eof = true;
					if (console_in)
						wr_console_eof(sys);
					else
						wr_stdin_close(sys);
				}
			}
		} else if (timeout > 0 || (timeout < 0 && have)) {
			poll(NULL, 0, timeout < 0 ? 10 : timeout);
		}
	}
}

static int
status_for(int st)
{
	return st == WR_ENOFILE ? EXIT_NOTFOUND : st == WR_ENOEXEC ? EXIT_NOEXEC : EXIT_FAIL;
}

/*
 * Spawn spec with the host's stdio and drive it to the end. If the
 * program does not exist and `fallback` is given, spawn that instead.
 */
static int
run_spec(wr_System *sys, wr_Spawn *spec, const wr_Spawn *fallback, const char *name)
{
	struct sigaction sa = { 0 };
	int32_t pid;
	int st;
	bool console_in = isatty(0);

	console_fd = isatty(1) ? 1 : isatty(2) ? 2 : 1;
	/* SIGUSR1 is handled before the table file says so (warren ps). */
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	catch_fatal(SIGTERM);
	catch_fatal(SIGHUP);
	if (!console_in) {
		catch_fatal(SIGINT);
		catch_fatal(SIGQUIT);
	}
	for (;;) {
		for (int fd = 0; fd < 3; fd++)
			spec->stdio[fd] = isatty(fd) ? WR_STDIO_CONSOLE : WR_STDIO_HOST;
		spec->foreground = console_in;
		st = wr_spawn(sys, spec, &pid);
		if (st != WR_ENOFILE || !fallback)
			break;
		*spec = *fallback;
		fallback = NULL;
	}
	if (st) {
		fprintf(stderr, "%s: %s\n", prog, wr_system_errmsg(sys)[0] ? wr_system_errmsg(sys)
									 : wr_errmsg(st));
		return status_for(st);
	}
	if (console_in) {
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTSTP, &sa, NULL);
		sigaction(SIGQUIT, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	if (tasks_file((long)getpid(), tasks_path, sizeof tasks_path) < 0)
		tasks_path[0] = 0;
	publish_tasks(sys);
	st = drive(sys, pid, name, console_in);
	if (tasks_path[0])
		unlink(tasks_path);
	tasks_path[0] = 0;
	return st;
}

static uint8_t *
read_host_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		size_t n;

		if (*len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > (1u << 30) || !(nb = realloc(buf, cap))) {
				free(buf);
				fclose(f);
				errno = EFBIG;
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (!n)
			break;
	}
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int
run_prog(int argc, char **argv, const char *cmd, const struct run_hooks *h)
{
	struct opts o;
	wr_Spawn spec = { 0 };
	wr_System *sys;
	uint8_t *bytes;
	size_t len;
	int i, st;
	const char *path, *base;

	hooks = h;
	if ((i = parse_opts(argc, argv, &o, cmd)) < 0)
		return usage(cmd);
	if (i >= argc) {
		fprintf(stderr, "%s %s: no program given\n", prog, cmd);
		return usage(cmd);
	}
	path = argv[i];
	bytes = read_host_file(path, &len);
	if (!bytes) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return errno == ENOENT ? EXIT_NOTFOUND : EXIT_FAIL;
	}
	env_defaults(&o);
	sys = boot(&o, cmd);
	if (!sys) {
		free(bytes);
		return EXIT_FAIL;
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	spec.bytes = bytes;
	spec.len = len;
	spec.name = base;
	spec.argv = (const char *const *)(argv + i);
	spec.cwd = o.cwd;
	st = run_spec(sys, &spec, NULL, base);
	wr_system_free(sys);
	free(bytes);
	return st;
}

int
cmd_run(int argc, char **argv)
{
	return run_prog(argc, argv, "run", NULL);
}

int
run_sh(int argc, char **argv, const char *cmd, const struct run_hooks *h)
{
	struct opts o;
	wr_Spawn spec = { 0 }, direct = { 0 };
	wr_System *sys;
	const char **args;
	int i, n = 0, st;
	char script[300];

	hooks = h;
	if ((i = parse_opts(argc, argv, &o, cmd)) < 0)
		return usage(cmd);
	env_defaults(&o);
	sys = boot(&o, cmd);
	if (!sys)
		return EXIT_FAIL;
	args = calloc((size_t)(argc - i) + 4, sizeof *args);
	if (!args) {
		wr_system_free(sys);
		return EXIT_FAIL;
	}
	args[n++] = "init";
	args[n++] = "/bin/sh";
	if (i < argc && argv[i][0] != '-') {
		/* A host script: copy it in. */
		const char *b = strrchr(argv[i], '/');

		snprintf(script, sizeof script, "/tmp/%s", b ? b + 1 : argv[i]);
		if (wr_install_file(sys, script, argv[i]) != WR_OK) {
			fprintf(stderr, "%s %s: %s\n", prog, cmd, wr_system_errmsg(sys));
			free(args);
			wr_system_free(sys);
			return EXIT_NOTFOUND;
		}
		args[n++] = script;
		i++;
	}
	for (; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	spec.path = "/bin/init";
	spec.argv = args;
	spec.cwd = o.cwd;
	/* Without an init, the shell itself is pid 1. */
	direct.path = "/bin/sh";
	direct.argv = args + 1;
	direct.cwd = o.cwd;
	st = run_spec(sys, &spec, &direct, "sh");
	free(args);
	wr_system_free(sys);
	return st;
}

int
cmd_sh(int argc, char **argv)
{
	return run_sh(argc, argv, "sh", NULL);
}
