/*
 * system.c - the system object of include/warren.h: one kernel, its file
 * system and console, driven by the host.
 *
 * This is where the layers meet: src/fs builds the root (memfs + devfs,
 * host mounts), src/kern runs processes and owns the console tty and the
 * pipes, src/abi resolves the programs' imports. The system adds the
 * host's view: installing programs, spawning processes with their stdio
 * wired to the console or to the host's own streams, stepping, and
 * turning kernel statuses into WR_* codes with a message.
 *
 * Host streams: a process spawned with WR_STDIO_HOST reads fd 0 from a
 * pipe the host fills (wr_stdin_write) and writes fds 1 and 2 to two
 * character devices, /dev/hostout and /dev/hosterr, whose writes go
 * straight to the output callback. So `warren run prog > file` keeps the
 * program's stdout and stderr apart, and the program sees a pipe, not a
 * terminal, as it would on a Unix host. A process spawned with
 * WR_STDIO_PIPE gets pipes of its own instead, whose host ends (struct
 * hostpipe) the host feeds and drains with wr_proc_write / wr_proc_read;
 * they outlive the process until both output streams reached EOF.
 *
 * Allocation: every public entry point below runs with the system's
 * allocator in force (sys_enter / sys_leave, sys_impl.h); the public
 * function checks its arguments and enters, a static one does the work.
 */
#define _POSIX_C_SOURCE 200809L
#include "warren.h"
#include "base/alloc.h"
#include "abi/abi.h"
#include "fs/fs.h"
#include "kern/file.h"
#include "kern/kern.h"
#include "kern/task.h"
#include "kern/ipc.h"
#include "sys/sys_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_env[] = { "PATH=/bin", "HOME=/home", NULL };

/* The host's ends of one WR_STDIO_PIPE process's pipes. */
struct hostpipe {
	int32_t pid;
	struct file *in;                  /* writes fd 0's pipe; NULL: none, or closed */
	struct file *out[2];              /* reads fd 1's / fd 2's pipe; NULL: none, or EOF seen */
	bool piped[2];                    /* fd 1 / fd 2 was a host pipe */
	struct hostpipe *next;
};

/* ---- errors -------------------------------------------------------------------- */

static int
fail(struct wr_System *sys, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct wr_System *sys, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sys->errmsg, sizeof sys->errmsg, fmt, ap);
	va_end(ap);
	return status;
}

/* The WR_* status for a kernel or file-system errno. */
static int
from_errno(int e)
{
	static const struct {
		int e, wr;
	} map[] = {
		{ E_NOENT, WR_ENOFILE }, { E_NOTDIR, WR_ENOFILE }, { E_NOEXEC, WR_ENOEXEC },
		{ E_ACCES, WR_ENOEXEC }, { E_NOMEM, WR_ENOMEM }, { E_AGAIN, WR_ENOMEM },
		{ E_2BIG, WR_EARG }, { E_INVAL, WR_EARG }, { E_NAMETOOLONG, WR_EARG },
		{ E_SRCH, WR_ESRCH },
	};

	if (!e)
		return WR_OK;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].e == e)
			return map[i].wr;
	return WR_EIO;
}

const char *
wr_system_errmsg(const wr_System *sys)
{
	return sys ? sys->errmsg : "";
}

const char *
wr_signal_name(int sig)
{
	return sig_name(sig);
}

/* ---- host streams ----------------------------------------------------------------- */

static int
hostdev_write(struct vnode *v, struct fs_io *io, uint64_t off, const void *buf, size_t len,
	      size_t *n)
{
	struct hostdev *d = v->priv;

	(void)io;
	(void)off;
	if (d->sys->output && len)
		d->sys->output(d->sys->output_ctx, d->stream, buf, len);
	*n = len;
	return 0;
}

static const struct vnode_ops hostdev_ops = {
	.write = hostdev_write,
};

static void
console_out(void *ctx, const void *buf, size_t n)
{
	struct wr_System *sys = ctx;

	if (sys->output)
		sys->output(sys->output_ctx, WR_STREAM_CONSOLE, buf, n);
}

/* ---- creation --------------------------------------------------------------------- */

/* mkdir -p in the root namespace. */
static int
mkdir_p(struct ns *ns, const char *path)
{
	size_t len = strlen(path);

	for (size_t i = 1; i <= len; i++) {
		int e;

		if (i < len && path[i] != '/')
			continue;
		e = fs_mkdir(ns, NULL, path, i);
		if (e && e != E_EXIST)
			return e;
	}
	return 0;
}

static int
mount_one(struct wr_System *sys, const wr_Mount *m)
{
	struct ns *ns = sys->k->root_ns;
	struct fs *fs = NULL;
	struct vnode *root;
	int e;

	if (!m->host || !m->guest || m->guest[0] != '/')
		return fail(sys, WR_EARG, "mount: a host directory and an absolute guest path are needed");
	e = hostfs_new(m->host, m->readonly ? HOSTFS_RDONLY : 0, &fs);
	if (e)
		return fail(sys, from_errno(e), "mount %s: %s", m->host, fs_strerror(e));
	e = mkdir_p(ns, m->guest);
	if (!e) {
		root = fs_root(fs);
		e = ns_mount(ns, m->guest, strlen(m->guest), root, m->readonly ? NS_RDONLY : 0);
		vn_unref(root);
	}
	fs_unref(fs);
	if (e)
		return fail(sys, from_errno(e), "mount %s on %s: %s", m->host, m->guest,
			    fs_strerror(e));
	return WR_OK;
}

static int install(struct wr_System *sys, const char *guest_path, const uint8_t *bytes,
		   size_t len);
static int install_file(struct wr_System *sys, const char *guest_path, const char *host_path);
static void system_free(struct wr_System *sys);

/* wr_Config.programs: each installed, or the first failure with its message. */
static int
install_programs(struct wr_System *sys, const wr_Program *pg, size_t n)
{
	for (size_t i = 0; i < n; i++, pg++) {
		int st;

		if (!pg->path)
			return fail(sys, WR_EARG, "programs[%zu]: no path", i);
		if (pg->bytes)
			st = install(sys, pg->path, pg->bytes, pg->len);
		else if (pg->host_path)
			st = install_file(sys, pg->path, pg->host_path);
		else
			return fail(sys, WR_EARG, "%s: neither bytes nor host_path", pg->path);
		if (st)
			return st;
	}
	return WR_OK;
}

/* srvfs (kern/ipc.h) on /srv of the root, and offered as "#srv". */
static int
srv_mount(struct kern *k, struct ns *ns)
{
	struct fs *srv;
	int e = fs_mkdir(ns, NULL, "/srv", 4);

	if (e && e != E_EXIST)
		return e;
	if ((e = ipc_srvfs_new(k, &srv)))
		return e;
	return ns_srv_mount(ns, "srv", "/srv", srv);
}

int
wr_system_new(const wr_Config *cfg, wr_System **out, char *errbuf, size_t errlen)
{
	static const wr_Config defaults;
	struct kern_config kc = { 0 };
	struct al_alloc host;
	const struct al_alloc *prev;
	struct wr_System *sys;
	struct ns *ns;
	int st = WR_ENOMEM;

	if (errbuf && errlen)
		errbuf[0] = 0;
	if (!out)
		return WR_EARG;
	*out = NULL;
	if (!cfg)
		cfg = &defaults;
	if ((cfg->nmounts && !cfg->mounts) || (cfg->nprograms && !cfg->programs))
		return WR_EARG;
	/* The system itself comes from the host's allocator too; then the
	 * copy inside it is the one in force. */
	host = (struct al_alloc){ cfg->alloc, cfg->alloc_ud };
	prev = al_enter(cfg->alloc ? &host : NULL);
	sys = al_calloc(1, sizeof *sys);
	if (!sys) {
		al_leave(prev);
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "out of memory");
		return WR_ENOMEM;
	}
	sys->alloc = host;
	sys->al = cfg->alloc ? &sys->alloc : NULL;
	al_enter(sys->al);
	fs_clock_push(cfg->deterministic ? sys_det_realtime : NULL, sys, &sys->fs_devs);
	sys->output = cfg->output;
	sys->output_ctx = cfg->output_ctx;
	snprintf(sys->errmsg, sizeof sys->errmsg, "out of memory");
	if (abi_new(&sys->abi))
		goto fail;
	kc.seed = cfg->seed;
	kc.max_procs = cfg->max_procs;
	kc.max_pages = cfg->max_pages;
	kc.max_fuel = cfg->max_fuel;
	kc.max_fds = cfg->max_fds;
	kc.max_total_pages = cfg->max_total_pages;
	kc.clock = cfg->clock;
	kc.clock_ctx = cfg->clock_ctx;
	kc.resolve = abi_resolve;
	kc.resolve_ctx = sys->abi;
	if (kern_new(&kc, &sys->k))
		goto fail;
	sys->k->sys = sys;
	events_attach(sys, cfg);
	sys->env = kern_strv_dup((char *const *)(cfg->env ? cfg->env : default_env), -1, NULL);
	if (!sys->env)
		goto fail;
	ns = fs_default_root(cfg->fs_quota, cfg->seed, &sys->devfs);
	if (!ns)
		goto fail;
	sys->k->root_ns = ns;
	if (task_attach(sys->k, ns) || srv_mount(sys->k, ns))
		goto fail;
	sys->tty = tty_new(sys->k);
	if (!sys->tty)
		goto fail;
	sys->k->console = sys->tty;
	if (sys->output)
		tty_set_output(sys->tty, console_out, sys);
	for (int i = 0; i < 2; i++)
		sys->dev[i] = (struct hostdev){ sys, i + 1 };
	if (devfs_add(sys->devfs, "console", VN_CHAR, &tty_vnode_ops, sys->tty) ||
	    devfs_add(sys->devfs, "hostout", VN_CHAR, &hostdev_ops, &sys->dev[0]) ||
	    devfs_add(sys->devfs, "hosterr", VN_CHAR, &hostdev_ops, &sys->dev[1]))
		goto fail;
	sys->errmsg[0] = 0;
	for (size_t i = 0; i < cfg->nmounts; i++)
		if ((st = mount_one(sys, &cfg->mounts[i])))
			goto fail;
	if ((st = install_programs(sys, cfg->programs, cfg->nprograms)))
		goto fail;
	*out = sys;
	fs_clock_pop();
	al_leave(prev);
	return WR_OK;
fail:
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s", sys->errmsg);
	system_free(sys);
	fs_clock_pop();
	al_leave(prev);
	return st;
}

static void hostpipe_free(struct hostpipe *hp);

/* Frees sys with its own allocator in force (the caller's is restored). */
static void
system_free(struct wr_System *sys)
{
	struct al_alloc a = sys->alloc;   /* sys itself is freed under it */
	const struct al_alloc *prev = al_enter(sys->al ? &a : NULL);

	/* The pipe ends wake sleepers through the kernel: close them first. */
	while (sys->pipes) {
		struct hostpipe *hp = sys->pipes;

		sys->pipes = hp->next;
		hostpipe_free(hp);
	}
	file_unref(sys->stdin_w);
	file_unref(sys->stdin_r);
	sys->stdin_w = sys->stdin_r = NULL;
	events_free(sys);
	kern_free(sys->k);
	vm_mem_pool_trim(); /* the freed processes' memory mappings, kept for reuse */
	if (sys->devfs)
		fs_unref(sys->devfs);
	if (sys->tty)
		tty_free(sys->tty);
	abi_free(sys->abi);
	native_free_all(sys);
	al_free(sys->env);
	al_free(sys);
	al_leave(prev);
}

void
wr_system_free(wr_System *sys)
{
	/* Not from inside a callback of its own wr_step: the system is in use. */
	if (sys && !sys->in_step)
		system_free(sys);
}

/* ---- installing files ------------------------------------------------------------ */

static int
install(struct wr_System *sys, const char *guest_path, const uint8_t *bytes, size_t len)
{
	struct ns *ns;
	char *dir;
	const char *slash;
	int e;

	if (!guest_path || guest_path[0] != '/' || (!bytes && len))
		return fail(sys, WR_EARG, "install: an absolute guest path is needed");
	ns = sys->k->root_ns;
	slash = strrchr(guest_path, '/');
	dir = al_strndup(guest_path, (size_t)(slash - guest_path));
	if (!dir)
		return fail(sys, WR_ENOMEM, "out of memory");
	e = dir[0] ? mkdir_p(ns, dir) : 0;
	al_free(dir);
	if (!e) {
		/* A new file that could not be written whole is not left behind. */
		struct fs_path fp;
		int r = fs_resolve(ns, NULL, guest_path, strlen(guest_path), 0, &fp);

		if (!r)
			fs_path_release(&fp);
		e = fs_put(ns, guest_path, bytes, len);
		if (e && r == E_NOENT)
			fs_unlink(ns, NULL, guest_path, strlen(guest_path));
	}
	if (e)
		return fail(sys, from_errno(e), "%s: %s", guest_path, fs_strerror(e));
	return WR_OK;
}

int
wr_install(wr_System *sys, const char *guest_path, const uint8_t *bytes, size_t len)
{
	const struct al_alloc *prev;
	int st;

	if (!sys)
		return WR_EARG;
	prev = sys_enter(sys);
	st = install(sys, guest_path, bytes, len);
	sys_leave(prev);
	return st;
}

static int
install_file(struct wr_System *sys, const char *guest_path, const char *host_path)
{
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int st;

	if (!guest_path || !host_path)
		return fail(sys, WR_EARG, "install: a guest and a host path are needed");
	f = fopen(host_path, "rb");
	if (!f)
		return fail(sys, errno == ENOENT ? WR_ENOFILE : WR_EIO, "%s: %s", host_path,
			    strerror(errno));
	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > HOST_FILE_MAX || !(nb = al_realloc(buf, cap))) {
				fclose(f);
				al_free(buf);
				return fail(sys, WR_ENOMEM, "%s: too large", host_path);
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	st = ferror(f) ? fail(sys, WR_EIO, "%s: read error", host_path) : WR_OK;
	fclose(f);
	if (!st)
		st = install(sys, guest_path, buf, len);
	al_free(buf);
	return st;
}

int
wr_install_file(wr_System *sys, const char *guest_path, const char *host_path)
{
	const struct al_alloc *prev;
	int st;

	if (!sys)
		return WR_EARG;
	prev = sys_enter(sys);
	st = install_file(sys, guest_path, host_path);
	sys_leave(prev);
	return st;
}

/* ---- processes ------------------------------------------------------------------- */

static int
stdin_pipe(struct wr_System *sys)
{
	if (sys->stdin_r)
		return 0;
	return pipe_new(sys->k, false, 0, &sys->stdin_r, &sys->stdin_w);
}

/* ---- host pipes (WR_STDIO_PIPE) ------------------------------------------------------ */

static void
hostpipe_free(struct hostpipe *hp)
{
	if (!hp)
		return;
	file_unref(hp->in);
	file_unref(hp->out[0]);
	file_unref(hp->out[1]);
	al_free(hp);
}

static struct hostpipe *
hostpipe_find(struct wr_System *sys, int32_t pid)
{
	for (struct hostpipe *hp = sys->pipes; hp; hp = hp->next)
		if (hp->pid == pid)
			return hp;
	return NULL;
}

/* Free hp once nothing is left to read and nobody is left to write to. */
static void
hostpipe_sweep(struct wr_System *sys, struct hostpipe *hp)
{
	struct proc *p;
	struct hostpipe **pp;

	if (hp->out[0] || hp->out[1])
		return;
	p = proc_find(sys->k, hp->pid);
	if (hp->in && p && p->state != P_ZOMBIE)
		return;
	for (pp = &sys->pipes; *pp != hp; pp = &(*pp)->next)
		;
	*pp = hp->next;
	hostpipe_free(hp);
}

static int
proc_write(struct wr_System *sys, int32_t pid, const void *buf, size_t len, size_t *written)
{
	struct hostpipe *hp = hostpipe_find(sys, pid);
	struct fs_io io = { .nonblock = true };
	size_t n = 0;
	int e;

	if (!hp || !hp->in)
		return fail(sys, WR_ESRCH, "pid %d: no host pipe on fd 0", (int)pid);
	if (!len)
		return WR_OK;
	e = file_write(hp->in, buf, len, &n, &io);
	if (e == E_AGAIN)
		return WR_EAGAIN;
	if (e == E_PIPE)
		return fail(sys, WR_EOF, "pid %d: fd 0 is closed", (int)pid);
	if (e)
		return fail(sys, e == E_NOMEM ? WR_ENOMEM : WR_EIO, "pid %d: %s", (int)pid,
			    fs_strerror(e));
	if (written)
		*written = n;
	return WR_OK;
}

int
wr_proc_write(wr_System *sys, int32_t pid, const void *buf, size_t len, size_t *written)
{
	const struct al_alloc *prev;
	int st;

	if (written)
		*written = 0;
	if (!sys || (!buf && len))
		return WR_EARG;
	if (sys->in_step)
		return WR_ESTATE;
	prev = sys_enter(sys);
	st = proc_write(sys, pid, buf, len, written);
	sys_leave(prev);
	return st;
}

int
wr_proc_close(wr_System *sys, int32_t pid)
{
	const struct al_alloc *prev;
	struct hostpipe *hp;
	int st = WR_OK;

	if (!sys)
		return WR_EARG;
	if (sys->in_step)
		return WR_ESTATE;
	prev = sys_enter(sys);
	hp = hostpipe_find(sys, pid);
	if (!hp || !hp->in) {
		st = fail(sys, WR_ESRCH, "pid %d: no host pipe on fd 0", (int)pid);
	} else {
		file_unref(hp->in);
		hp->in = NULL;
		hostpipe_sweep(sys, hp);
	}
	sys_leave(prev);
	return st;
}

static int
proc_read(struct wr_System *sys, int32_t pid, int fd, void *buf, size_t cap, size_t *got)
{
	struct hostpipe *hp = hostpipe_find(sys, pid);
	struct fs_io io = { .nonblock = true };
	size_t n = 0;
	int e;

	if (!hp)
		return fail(sys, WR_ESRCH, "pid %d: no host pipes", (int)pid);
	if (!hp->piped[fd - 1])
		return fail(sys, WR_ESRCH, "pid %d: no host pipe on fd %d", (int)pid, fd);
	if (!hp->out[fd - 1])
		return WR_EOF;   /* drained */
	e = file_read(hp->out[fd - 1], buf, cap, &n, &io);
	if (e == E_AGAIN)
		return WR_EAGAIN;
	if (e)
		return fail(sys, e == E_NOMEM ? WR_ENOMEM : WR_EIO, "pid %d: %s", (int)pid,
			    fs_strerror(e));
	if (n == 0) {
		file_unref(hp->out[fd - 1]);
		hp->out[fd - 1] = NULL;
		hostpipe_sweep(sys, hp);
		return WR_EOF;
	}
	*got = n;
	return WR_OK;
}

int
wr_proc_read(wr_System *sys, int32_t pid, int fd, void *buf, size_t cap, size_t *got)
{
	const struct al_alloc *prev;
	size_t dummy;
	int st;

	if (!got)
		got = &dummy;
	*got = 0;
	if (!sys || !buf || !cap || (fd != 1 && fd != 2))
		return WR_EARG;
	if (sys->in_step)
		return WR_ESTATE;
	prev = sys_enter(sys);
	st = proc_read(sys, pid, fd, buf, cap, got);
	sys_leave(prev);
	return st;
}

/* Open fds 0, 1, 2 of p as spec says; WR_STDIO_PIPE ends of the host go to hp. */
static int
setup_stdio(struct wr_System *sys, struct proc *p, const int mode[3], struct hostpipe *hp)
{
	static const char *const host_dev[3] = { NULL, "/dev/hostout", "/dev/hosterr" };

	for (int fd = 0; fd < 3; fd++) {
		struct fs_io io = { .opener = p };
		struct file *f = NULL;
		const char *path;
		unsigned oflags = fd ? FS_O_WRITE : FS_O_READ;
		int32_t got;
		int e;

		switch (mode[fd]) {
		case WR_STDIO_CONSOLE:
			path = "/dev/console";
			oflags = FS_O_READ | FS_O_WRITE;
			break;
		case WR_STDIO_NULL:
			path = "/dev/null";
			break;
		case WR_STDIO_HOST:
			if (fd == 0) {
				if ((e = stdin_pipe(sys)))
					return e;
				file_ref(sys->stdin_r);
				f = sys->stdin_r;
				path = NULL;
				break;
			}
			if (!sys->output)
				return E_INVAL;
			path = host_dev[fd];
			break;
		case WR_STDIO_PIPE: {
			struct file *r, *w;

			if ((e = pipe_new(sys->k, false, 0, &r, &w)))
				return e;
			if (fd == 0) {
				hp->in = w;
				f = r;
			} else {
				hp->out[fd - 1] = r;
				hp->piped[fd - 1] = true;
				f = w;
			}
			path = NULL;
			break;
		}
		default:
			return E_INVAL;
		}
		if (path && (e = file_open(p->ns, NULL, path, strlen(path), oflags, 0, &io, &f)))
			return e;
		e = fdtab_install(p->fds, f, fd, 0, &got);
		file_unref(f);
		if (e)
			return e;
	}
	return 0;
}

/* Apply spec->ns to p's namespace, line by line. */
static int
apply_ns(struct wr_System *sys, struct proc *p, const char *const *lines)
{
	char why[200];

	for (size_t i = 0; lines && lines[i]; i++) {
		int e = task_ns_apply(p, lines[i], why, sizeof why);

		if (e)
			return fail(sys, e == E_NOMEM ? WR_ENOMEM : WR_EARG, "ns line %zu '%.80s': %s",
				    i + 1, lines[i], why);
	}
	return WR_OK;
}

/* p's working directory: path, resolved in its (final) namespace. */
static int
set_cwd(struct wr_System *sys, struct proc *p, const char *path)
{
	struct fs_path fp;
	int e;

	e = fs_resolve(p->ns, NULL, path, strlen(path), FS_FOLLOW, &fp);
	if (!e && fp.vn->type != VN_DIR) {
		fs_path_release(&fp);
		e = E_NOTDIR;
	}
	if (e)
		return fail(sys, from_errno(e), "%s: %s", path, fs_strerror(e));
	vn_unref(p->cwd);
	p->cwd = fp.vn;
	fp.vn = NULL;
	fs_path_release(&fp);
	return WR_OK;
}

static int
spawn(struct wr_System *sys, const wr_Spawn *spec, int32_t *pid)
{
	const char *name, *const *argv, *const *envp;
	const char *deflt[2];
	struct proc *p = NULL;
	struct hostpipe *hp = NULL;
	int e, st;

	*pid = 0;
	sys->errmsg[0] = 0;
	name = spec->path ? spec->path : spec->name ? spec->name : "program";
	deflt[0] = name;
	deflt[1] = NULL;
	argv = spec->argv ? spec->argv : deflt;
	envp = spec->envp ? spec->envp : (const char *const *)sys->env;
	for (int fd = 0; fd < 3; fd++) {
		if (spec->stdio[fd] < WR_STDIO_CONSOLE || spec->stdio[fd] > WR_STDIO_PIPE)
			return fail(sys, WR_EARG, "%s: stdio[%d]: no such mode %d", name, fd,
				    spec->stdio[fd]);
		if (spec->stdio[fd] == WR_STDIO_PIPE && !hp && !(hp = al_calloc(1, sizeof *hp)))
			return fail(sys, WR_ENOMEM, "out of memory");
	}
	if ((e = proc_alloc(sys->k, NULL, &p))) {
		al_free(hp);
		return fail(sys, from_errno(e), "%s: %s", name, fs_strerror(e));
	}
	p->host_spawned = true;
	if ((e = setup_stdio(sys, p, spec->stdio, hp))) {
		st = fail(sys, e == E_INVAL ? WR_EARG : from_errno(e), "%s: stdio: %s", name,
			  e == E_INVAL ? "WR_STDIO_HOST needs an output callback" : fs_strerror(e));
		goto out;
	}
	if ((st = apply_ns(sys, p, spec->ns)))
		goto out;
	/* After ns lines the root may be another directory: cwd follows it. */
	if ((spec->cwd || spec->ns) && (st = set_cwd(sys, p, spec->cwd ? spec->cwd : "/")))
		goto out;
	if ((e = abi_preopen(p))) {
		st = fail(sys, from_errno(e), "%s: preopen /: %s", name, fs_strerror(e));
		goto out;
	}
	if (spec->path)
		e = proc_exec(p, spec->path, (char *const *)argv, (char *const *)envp);
	else
		e = proc_exec_bytes(p, name, spec->bytes, spec->len, (char *const *)argv,
				    (char *const *)envp);
	if (e) {
		st = fail(sys, from_errno(e), "%s: %s", name, p->diag[0] ? p->diag : fs_strerror(e));
		goto out;
	}
	if (spec->foreground)
		tty_attach(sys->tty, p->sid, p->pgid);
	proc_start(p);
	if (hp) {
		hp->pid = p->pid;
		hp->next = sys->pipes;
		sys->pipes = hp;
	}
	*pid = p->pid;
	return WR_OK;
out:
	hostpipe_free(hp);
	proc_discard(p);
	return st ? st : WR_EIO;
}

int
wr_spawn(wr_System *sys, const wr_Spawn *spec, int32_t *pid)
{
	const struct al_alloc *prev;
	int st;

	if (pid)
		*pid = 0;
	if (!sys || !spec || !pid || (!spec->path && !spec->bytes))
		return WR_EARG;
	if (sys->in_step)
		return WR_ESTATE;
	prev = sys_enter(sys);
	st = spawn(sys, spec, pid);
	sys_leave(prev);
	return st;
}

int
wr_step(wr_System *sys, int64_t budget, wr_Event *ev)
{
	const struct al_alloc *prev;
	struct kern_event ke;
	struct hostpipe *hp;
	uint64_t now;
	int e;

	if (!sys || !ev)
		return WR_EARG;
	memset(ev, 0, sizeof *ev);
	if (sys->in_step)
		return WR_ESTATE;
	prev = sys_enter(sys);
	sys->in_step = true;
	e = events_step(sys, budget, &ke);
	sys->in_step = false;
	if (e) {
		sys_leave(prev);
		return WR_ESTATE;
	}
	ev->what = (int)ke.what;
	ev->fuel = ke.fuel;
	switch (ke.what) {
	case KERN_EXITED:
		if ((hp = hostpipe_find(sys, ke.pid)))
			hostpipe_sweep(sys, hp);
		ev->pid = ke.pid;
		ev->status = ke.status;
		memcpy(ev->diag, ke.diag, sizeof ev->diag);
		ev->diag[sizeof ev->diag - 1] = 0;
		if ((ke.status & 0x7f) == 0) {
			ev->exit_code = (ke.status >> 8) & 0xff;
		} else {
			const char *n = sig_name(ke.status & 0x7f);

			ev->exit_code = -1;
			ev->signal = ke.status & 0x7f;
			if (n)
				snprintf(ev->signame, sizeof ev->signame, "%s", n);
			else
				snprintf(ev->signame, sizeof ev->signame, "SIG%d", ev->signal);
		}
		break;
	case KERN_IDLE:
		now = kern_now(sys->k);
		ev->wake_ns = ke.wake_at == UINT64_MAX ? UINT64_MAX
			      : ke.wake_at > now ? ke.wake_at - now : 0;
		break;
	case KERN_BUDGET:
	case KERN_DONE:
	case KERN_MESSAGE:
		break;
	}
	sys_leave(prev);
	return WR_OK;
}

/* ---- the console and host input ------------------------------------------------------ */

size_t
wr_console_write(wr_System *sys, const void *buf, size_t len)
{
	const struct al_alloc *prev;
	size_t n;

	if (!sys || !buf || sys->in_step)
		return 0;
	prev = sys_enter(sys);
	n = tty_input(sys->tty, buf, len);
	sys_leave(prev);
	return n;
}

void
wr_console_eof(wr_System *sys)
{
	const struct al_alloc *prev;

	if (!sys || sys->in_step)
		return;
	prev = sys_enter(sys);
	tty_input_eof(sys->tty);
	sys_leave(prev);
}

size_t
wr_console_read(wr_System *sys, void *buf, size_t cap)
{
	const struct al_alloc *prev;
	size_t n;

	if (!sys || !buf || sys->in_step)
		return 0;
	prev = sys_enter(sys);
	n = tty_drain(sys->tty, buf, cap);
	sys_leave(prev);
	return n;
}

int
wr_console_signal(wr_System *sys, int key)
{
	static const struct {
		int key, sig;
	} keys[] = { { 'C', KSIGINT }, { 'Z', KSIGTSTP }, { '\\', KSIGQUIT } };

	if (!sys || sys->in_step)
		return WR_EARG;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (keys[i].key == key) {
			const struct al_alloc *prev = sys_enter(sys);

			tty_signal(sys->tty, keys[i].sig);
			sys_leave(prev);
			return WR_OK;
		}
	}
	return WR_EARG;
}

size_t
wr_stdin_write(wr_System *sys, const void *buf, size_t len)
{
	const struct al_alloc *prev;
	struct fs_io io = { .nonblock = true };
	size_t n = 0;

	if (!sys || !buf || sys->in_step || sys->stdin_closed || !len)
		return 0;
	prev = sys_enter(sys);
	if (stdin_pipe(sys) || file_write(sys->stdin_w, buf, len, &n, &io))
		n = 0;
	sys_leave(prev);
	return n;
}

void
wr_stdin_close(wr_System *sys)
{
	const struct al_alloc *prev;

	if (!sys || sys->in_step || sys->stdin_closed)
		return;
	prev = sys_enter(sys);
	if (!stdin_pipe(sys)) {
		sys->stdin_closed = true;
		file_unref(sys->stdin_w);
		sys->stdin_w = NULL;
	}
	sys_leave(prev);
}

/* ---- processes seen from the host ------------------------------------------------- */

static int
kill_one(struct wr_System *sys, int32_t pid, int sig)
{
	struct proc *p;

	if (pid < 0)
		return sig_send_pgrp(sys->k, -pid, sig) ? WR_ESRCH : WR_OK;
	p = proc_find(sys->k, pid);
	if (!p || p->state == P_ZOMBIE)
		return WR_ESRCH;
	if (sig)
		sig_send_proc(p, sig);
	return WR_OK;
}

int
wr_kill(wr_System *sys, int32_t pid, int sig)
{
	const struct al_alloc *prev;
	int st;

	if (!sys || sig < 0 || sig > KSIG_MAX || pid == 0 || pid == INT32_MIN)
		return WR_EARG;
	prev = sys_enter(sys);
	st = kill_one(sys, pid, sig);
	sys_leave(prev);
	return st;
}

/* The pids /task lists (its numeric entries), for wr_task_table. */
struct pids {
	int32_t *v;
	size_t n, cap;
	bool oom;
};

static int
collect_pid(void *arg, const struct fs_dirent *d)
{
	struct pids *ps = arg;
	int32_t pid = 0;

	for (size_t i = 0; i < d->namelen; i++) {
		if (d->name[i] < '0' || d->name[i] > '9' || pid > (INT32_MAX - 9) / 10)
			return 0;
		pid = pid * 10 + (d->name[i] - '0');
	}
	if (!pid)
		return 0;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64;
		int32_t *v = al_realloc(ps->v, cap * sizeof *v);

		if (!v) {
			ps->oom = true;
			return 1;
		}
		ps->v = v;
		ps->cap = cap;
	}
	ps->v[ps->n++] = pid;
	return 0;
}

static int task_table(struct wr_System *sys, char *buf, size_t cap, size_t *len);

int
wr_task_table(wr_System *sys, char *buf, size_t cap, size_t *len)
{
	const struct al_alloc *prev;
	int st;

	if (!sys || (!buf && cap))
		return WR_EARG;
	prev = sys_enter(sys);
	st = task_table(sys, buf, cap, len);
	sys_leave(prev);
	return st;
}

static int
task_table(struct wr_System *sys, char *buf, size_t cap, size_t *len)
{
	static const char header[] = "PID PPID PGID STATE FUEL MEM NAME\n";
	struct fs_io io = { .nonblock = true };
	struct pids ps = { 0 };
	struct fs_path fp;
	struct vnode *v;
	size_t used = 0, n;
	char path[48], line[256];
	int e;

	if ((e = fs_resolve(sys->k->root_ns, NULL, "/task", 5, FS_FOLLOW, &fp)))
		return fail(sys, e == E_NOMEM ? WR_ENOMEM : WR_EIO, "/task: %s", fs_strerror(e));
	e = vn_readdir(fp.vn, 0, collect_pid, &ps);
	fs_path_release(&fp);
	if (e || ps.oom) {
		al_free(ps.v);
		return e && !ps.oom ? fail(sys, WR_EIO, "/task: %s", fs_strerror(e)) : WR_ENOMEM;
	}
	if (cap)
		buf[0] = 0;
	for (size_t i = 0; i <= ps.n; i++) {
		const char *s = header;

		n = sizeof header - 1;
		if (i > 0) {
			snprintf(path, sizeof path, "/task/%d/status", ps.v[i - 1]);
			if (fs_open(sys->k->root_ns, NULL, path, strlen(path), FS_O_READ, &io, &v))
				continue;   /* ended since the listing */
			e = vn_read(v, &io, 0, line, sizeof line - 1, &n);
			vn_close(v, FS_O_READ, &io);
			vn_unref(v);
			if (e)
				continue;
			s = line;
		}
		if (used + n < cap) {
			memcpy(buf + used, s, n);
			buf[used + n] = 0;
		}
		used += n;
	}
	al_free(ps.v);
	if (len)
		*len = used;
	return used < cap ? WR_OK : fail(sys, WR_ENOMEM, "the table needs %zu bytes", used + 1);
}

static int
proc_status(struct wr_System *sys, int32_t pid, wr_ProcInfo *info)
{
	struct proc *p;

	p = proc_find(sys->k, pid);
	if (!p)
		return WR_ESRCH;
	memset(info, 0, sizeof *info);
	info->pid = p->pid;
	info->ppid = p->ppid;
	info->pgid = p->pgid;
	info->sid = p->sid;
	info->state = proc_state_letter(p->state);
	info->nice = p->nice;
	info->fuel = p->fuel;
	info->pages = proc_pages(p);
	info->bytes_read = p->rbytes;
	info->bytes_written = p->wbytes;
	info->start_ns = p->start_ns;
	snprintf(info->name, sizeof info->name, "%s", p->name);
	return WR_OK;
}

int
wr_proc_status(wr_System *sys, int32_t pid, wr_ProcInfo *info)
{
	const struct al_alloc *prev;
	int st;

	if (!sys || !info)
		return WR_EARG;
	prev = sys_enter(sys);
	st = proc_status(sys, pid, info);
	sys_leave(prev);
	return st;
}
