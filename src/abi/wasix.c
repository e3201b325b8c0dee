/*
 * wasix.c - wasix_32v1: the process subset of WASIX.
 *
 * Same names and signatures as Wasmer's wasix_32v1 (../shared/docs/ABI.md),
 * with the semantics of docs/abi.md where warren is stricter than Wasmer:
 * real process groups, kill to a group, ESRCH for unknown pids, signalled
 * children reported as signalled.
 *
 * exec and spawn take `\n`-separated argument and environment strings; a
 * name without a `/` is looked up in the `:`-separated search path when
 * asked (execvp). Everything a call needs from guest memory is copied out
 * and checked before the kernel is called: a spawn's file actions run in
 * the child, when the caller's memory must no longer matter.
 */
#include "abi/abi.h"
#include "base/alloc.h"
#include "fs/fs.h"
#include "kern/file.h"
#include "kern/kern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- exec and spawn ------------------------------------------------------------ */

/* The program a name designates, trying each directory of a search path. */
typedef int (*run_fn)(void *arg, const char *path);

static int
search(const char *name, bool use_path, const char *pathvar, run_fn run, void *arg)
{
	char buf[FS_PATH_MAX + 1];
	const char *d = pathvar, *e;
	bool denied = false;
	int r;

	if (!name[0])
		return E_NOENT;
	if (!use_path || strchr(name, '/'))
		return run(arg, name);
	for (;; d = e + 1) {
		size_t dl, nl = strlen(name);

		e = strchr(d, ':');
		if (!e)
			e = d + strlen(d);
		dl = (size_t)(e - d);
		if (dl + 1 + nl <= FS_PATH_MAX) {
			if (dl) {
				memcpy(buf, d, dl);
				buf[dl] = '/';
				memcpy(buf + dl + 1, name, nl + 1);
			} else {
				memcpy(buf, name, nl + 1);  /* "" means the working directory */
			}
			r = run(arg, buf);
			if (r == E_ACCES)
				denied = true;
			else if (r != E_NOENT && r != E_NOTDIR && r != E_NAMETOOLONG)
				return r;
		}
		if (!*e)
			break;
	}
	return denied ? E_ACCES : E_NOENT;
}

struct execargs {
	struct proc *p;
	char **argv, **envp;
	char **env;              /* what exec gets: envp, or the current one */
};

static int
run_exec(void *arg, const char *path)
{
	struct execargs *x = arg;

	return proc_exec(x->p, path, x->argv, x->env);
}

/*
 * The shared body of proc_exec, proc_exec2 and proc_exec3. envs_ok: the
 * call passes an environment (else the current one is kept).
 */
static int
do_exec(struct abi_cx *cx, bool envs_ok, bool use_path, uint32_t spath, uint32_t spath_len)
{
	struct execargs x = { .p = cx->p };
	char *name = NULL, *pathvar = NULL;
	int r;

	if ((r = abi_strdup(cx, ARG32(cx, 0), ARG32(cx, 1), FS_PATH_MAX, &name)) ||
	    (r = abi_strvec(cx, ARG32(cx, 2), ARG32(cx, 3), ABI_ARG_MAX, &x.argv)))
		goto out;
	if (envs_ok && (r = abi_strvec(cx, ARG32(cx, 4), ARG32(cx, 5), ABI_ARG_MAX, &x.envp)))
		goto out;
	/* proc_exec copies the vector before it drops the old one. */
	x.env = envs_ok ? x.envp : cx->p->envp;
	if (use_path && (r = abi_strdup(cx, spath, spath_len, ABI_ARG_MAX, &pathvar)))
		goto out;
	r = search(name, use_path, pathvar ? pathvar : "", run_exec, &x);
out:
	al_free(name);
	al_free(pathvar);
	al_free(x.argv);
	al_free(x.envp);
	return r;
}

/* proc_exec / proc_exec2 cannot report an error: the process exits. */
static int
exec_or_exit(struct abi_cx *cx, bool envs_ok)
{
	int r = do_exec(cx, envs_ok, false, 0, 0);

	if (!r)
		return 0;
	snprintf(cx->p->diag, sizeof cx->p->diag, "exec failed: %s", fs_strerror(r));
	vm_set_exit(cx->inst, r == E_NOENT ? 127 : 126);
	return ABI_EXIT;
}

static int
sys_proc_exec(struct abi_cx *cx)
{
	return exec_or_exit(cx, false);
}

static int
sys_proc_exec2(struct abi_cx *cx)
{
	return exec_or_exit(cx, true);
}

static int
sys_proc_exec3(struct abi_cx *cx)
{
	return do_exec(cx, true, ARG32(cx, 6) != 0, ARG32(cx, 7), ARG32(cx, 8));
}

/* proc_spawn2's file actions: 56-byte records, copied out and checked. */
enum { OP_CLOSE = 0, OP_DUP2 = 1, OP_OPEN = 2, OP_CHDIR = 3, OP_FCHDIR = 4 };
#define FDOP_SIZE 56
#define SPAWN_MAX_OPS 1024

struct fdop {
	uint8_t cmd;
	int32_t fd, src;
	char *path;              /* OPEN, CHDIR (malloc'd) */
	uint32_t dirflags, oflags;
	uint64_t rights_base, rights_inh;
	uint16_t fdflags, fdflagsext;
};

struct spawnargs {
	struct fdop *ops;
	uint32_t nops;
	const uint8_t *sigs;     /* {u8 sig, u8 disposition} pairs (host copy) */
	uint32_t nsigs;
	char **argv, **envp;
	struct proc *p;
	bool probe;              /* searching a path: look before spawning */
	int32_t child;
};

/* cwd of child := dir (a referenced directory vnode; the reference moves). */
static void
set_cwd(struct proc *p, struct vnode *dir)
{
	vn_unref(p->cwd);
	p->cwd = dir;
}

static int
op_open(struct proc *c, const struct fdop *op)
{
	struct fs_io io = { .opener = c, .nonblock = true };
	struct file *f;
	unsigned fo = 0;
	int32_t got;
	int r;

	if (op->rights_base & (UINT64_C(1) << 1 | UINT64_C(1) << 14))
		fo |= FS_O_READ;
	if (op->rights_base & UINT64_C(1) << 6)
		fo |= FS_O_WRITE;
	if (op->oflags & 1)
		fo |= FS_O_CREAT;
	if (op->oflags & 2)
		fo |= FS_O_DIRECTORY;
	if (op->oflags & 4)
		fo |= FS_O_EXCL;
	if (op->oflags & 8)
		fo |= FS_O_TRUNC;
	if (!(op->dirflags & 1))
		fo |= FS_O_NOFOLLOW;
	r = file_open(c->ns, c->cwd, op->path, strlen(op->path), fo,
		      op->fdflags & FILE_FDFLAGS, &io, &f);
	if (r == E_BLOCK)
		r = E_AGAIN;   /* a spawn cannot wait for a device's open */
	if (r)
		return r;
	f->rights_base = op->rights_base;
	f->rights_inheriting = op->rights_inh;
	fdtab_close(c->fds, op->fd);
	r = fdtab_install(c->fds, f, op->fd, op->fdflagsext & 1 ? FD_CLOEXEC_FLAG : 0, &got);
	file_unref(f);
	if (!r && got != op->fd) {
		fdtab_close(c->fds, got);
		r = E_BADF;
	}
	return r;
}

static int
op_chdir(struct proc *c, const struct fdop *op)
{
	struct fs_path fp;
	int r;

	if (op->cmd == OP_FCHDIR) {
		struct file *f = fdtab_get(c->fds, op->fd);

		if (!f)
			return E_BADF;
		if (f->kind != FILE_VNODE || f->vn->type != VN_DIR)
			return E_NOTDIR;
		vn_ref(f->vn);
		set_cwd(c, f->vn);
		return 0;
	}
	r = fs_resolve(c->ns, c->cwd, op->path, strlen(op->path), FS_FOLLOW, &fp);
	if (r)
		return r;
	if (fp.vn->type != VN_DIR) {
		fs_path_release(&fp);
		return E_NOTDIR;
	}
	set_cwd(c, fp.vn);
	fp.vn = NULL;
	fs_path_release(&fp);
	return 0;
}

/* Applied to the child before its exec (proc_spawn's `actions`). */
static int
spawn_actions(struct proc *c, void *arg)
{
	struct spawnargs *s = arg;
	int r = 0;

	for (uint32_t i = 0; i < s->nops && !r; i++) {
		const struct fdop *op = &s->ops[i];

		switch (op->cmd) {
		case OP_CLOSE:
			r = fdtab_close(c->fds, op->fd);
			break;
		case OP_DUP2:
			r = fdtab_dup2(c->fds, op->src, op->fd);
			if (!r && op->src == op->fd)
				r = fdtab_setflags(c->fds, op->fd, 0);
			break;
		case OP_OPEN:
			r = op_open(c, op);
			break;
		default:
			r = op_chdir(c, op);
			break;
		}
	}
	for (uint32_t i = 0; i < s->nsigs && !r; i++) {
		int sig = s->sigs[2 * i];

		/* SIGKILL and SIGSTOP are always at their default. */
		if ((sig == KSIGKILL || sig == KSIGSTOP) && s->sigs[2 * i + 1] == 0)
			continue;
		r = sig_action(c, sig, s->sigs[2 * i + 1] ? SIGD_IGNORE : SIGD_DEFAULT, NULL);
	}
	return r;
}

/*
 * While searching, a candidate is looked at before a child is made for it,
 * so that the file actions (an O_TRUNC open...) run once, in the child
 * that execs.
 */
static int
run_spawn(void *arg, const char *path)
{
	struct spawnargs *s = arg;

	if (s->probe) {
		struct fs_stat st;
		int r = fs_stat(s->p->ns, s->p->cwd, path, strlen(path), true, &st);

		if (r)
			return r;
		if (st.type != VN_FILE)
			return E_ACCES;
	}
	return proc_spawn(s->p, path, s->argv, s->envp, spawn_actions, s, &s->child);
}

/* Copy and check the fd ops (pointers, commands, fds) before anything runs. */
static int
get_fdops(struct abi_cx *cx, uint32_t ptr, uint32_t n, struct fdop **out)
{
	struct fdop *ops;
	uint8_t *m;
	int r = 0;

	*out = NULL;
	if (n > SPAWN_MAX_OPS)
		return E_INVAL;
	m = abi_mem(cx, ptr, (uint64_t)n * FDOP_SIZE);
	if (!m)
		return E_FAULT;
	ops = al_calloc(n ? n : 1, sizeof *ops);
	if (!ops)
		return E_NOMEM;
	for (uint32_t i = 0; i < n && !r; i++) {
		const uint8_t *rec = m + (size_t)i * FDOP_SIZE;
		struct fdop *op = &ops[i];

		op->cmd = rec[0];
		op->fd = (int32_t)abi_rd32(rec + 4);
		op->src = (int32_t)abi_rd32(rec + 8);
		op->dirflags = abi_rd32(rec + 20);
		op->oflags = abi_rd32(rec + 24);
		op->rights_base = abi_rd64(rec + 32);
		op->rights_inh = abi_rd64(rec + 40);
		op->fdflags = (uint16_t)(rec[48] | rec[49] << 8);
		op->fdflagsext = (uint16_t)(rec[50] | rec[51] << 8);
		if (op->cmd > OP_FCHDIR)
			r = E_INVAL;
		else if (op->cmd != OP_CHDIR && op->fd < 0)
			r = E_BADF;
		else if (op->cmd == OP_OPEN || op->cmd == OP_CHDIR)
			r = abi_strdup(cx, abi_rd32(rec + 12), abi_rd32(rec + 16), FS_PATH_MAX,
				       &op->path);
	}
	if (r) {
		for (uint32_t i = 0; i < n; i++)
			al_free(ops[i].path);
		al_free(ops);
		return r;
	}
	*out = ops;
	return 0;
}

static int
sys_proc_spawn2(struct abi_cx *cx)
{
	struct spawnargs s = { .p = cx->p };
	char *name = NULL, *pathvar = NULL;
	uint8_t *sigs = NULL, *m;
	uint32_t pidp = ARG32(cx, 13);
	int r;

	if (abi_check(cx, pidp, 4))
		return E_FAULT;
	s.nsigs = ARG32(cx, 9);
	if (s.nsigs > KSIG_MAX * 2)
		return E_INVAL;
	m = abi_mem(cx, ARG32(cx, 8), (uint64_t)s.nsigs * 2);
	if (!m)
		return E_FAULT;
	for (uint32_t i = 0; i < s.nsigs; i++)
		if (m[2 * i] == 0 || m[2 * i] > KSIG_MAX || m[2 * i + 1] > 1)
			return E_INVAL;
	if (s.nsigs && !(sigs = al_malloc(s.nsigs * 2)))
		return E_NOMEM;
	if (sigs)
		memcpy(sigs, m, s.nsigs * 2);
	s.sigs = sigs;
	s.nops = ARG32(cx, 7);
	if ((r = get_fdops(cx, ARG32(cx, 6), s.nops, &s.ops)) ||
	    (r = abi_strdup(cx, ARG32(cx, 0), ARG32(cx, 1), FS_PATH_MAX, &name)) ||
	    (r = abi_strvec(cx, ARG32(cx, 2), ARG32(cx, 3), ABI_ARG_MAX, &s.argv)) ||
	    (r = abi_strvec(cx, ARG32(cx, 4), ARG32(cx, 5), ABI_ARG_MAX, &s.envp)))
		goto out;
	if (ARG32(cx, 10) && (r = abi_strdup(cx, ARG32(cx, 11), ARG32(cx, 12), ABI_ARG_MAX,
					     &pathvar)))
		goto out;
	s.probe = ARG32(cx, 10) && !strchr(name, '/');
	r = search(name, ARG32(cx, 10) != 0, pathvar ? pathvar : "", run_spawn, &s);
	if (!r)
		r = abi_put32(cx, pidp, (uint32_t)s.child);
out:
	for (uint32_t i = 0; s.ops && i < s.nops; i++)
		al_free(s.ops[i].path);
	al_free(s.ops);
	al_free(sigs);
	al_free(name);
	al_free(pathvar);
	al_free(s.argv);
	al_free(s.envp);
	return r;
}

/* ---- fork, join, ids, signals ------------------------------------------------------- */

static int
sys_proc_fork(struct abi_cx *cx)
{
	int32_t child;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	/* copy_memory = 0 (vfork) is served as a full fork. */
	if ((r = proc_fork(cx->p, &child)))
		return r;
	return abi_put32(cx, ARG32(cx, 1), (uint32_t)child);
}

/*
 * join: option_pid (8 bytes: tag u8 @0, pid u32 @4) is in/out; the status
 * (6 bytes: tag u8 @0; exit code u16 @2; or signal: u16 @2 and u8 @4; or
 * stopping signal u8 @2).
 */
enum { JOIN_NOTHING = 0, JOIN_EXIT = 1, JOIN_SIGNAL = 2, JOIN_STOPPED = 3 };

static int
do_join(struct abi_cx *cx, uint32_t optp, uint32_t flags, uint32_t statp)
{
	uint8_t *opt = abi_mem(cx, optp, 8), *st = abi_mem(cx, statp, 6);
	int32_t pid, rpid = 0, ws = 0;
	int options = 0, r;

	if (!opt || !st)
		return E_FAULT;
	if (opt[0] > 1 || (flags & ~3u))
		return E_INVAL;
	pid = opt[0] ? (int32_t)abi_rd32(opt + 4) : -1;
	if (flags & 1)
		options |= KWNOHANG;
	if (flags & 2)
		options |= KWUNTRACED;
	r = proc_waitpid(cx->p, pid, options, &rpid, &ws);
	if (r == E_BLOCK)
		return r;
	memset(st, 0, 6);
	if (r || !rpid)
		return r;  /* E_CHILD, E_INTR; or nothing yet (WNOHANG) */
	if ((ws & 0x7f) == 0) {
		st[0] = JOIN_EXIT;
		abi_le16(st + 2, (uint16_t)((ws >> 8) & 0xff));
	} else if ((ws & 0xff) == 0x7f) {
		st[0] = JOIN_STOPPED;
		st[2] = (uint8_t)((ws >> 8) & 0xff);
	} else {
		/* Written both ways: as the errno_signal struct (code, then the
		 * signal @4) and as a signal @2, which readers of either see. */
		st[0] = JOIN_SIGNAL;
		abi_le16(st + 2, (uint16_t)(ws & 0x7f));
		st[4] = (uint8_t)(ws & 0x7f);
	}
	opt[0] = 1;
	abi_le32(opt + 4, (uint32_t)rpid);
	return 0;
}

static int
sys_proc_join(struct abi_cx *cx)
{
	return do_join(cx, ARG32(cx, 0), ARG32(cx, 1), ARG32(cx, 2));
}

static int
sys_proc_join_v1(struct abi_cx *cx)
{
	return do_join(cx, ARG32(cx, 0), 0, ARG32(cx, 1));
}

static int
sys_proc_id(struct abi_cx *cx)
{
	return abi_put32(cx, ARG32(cx, 0), (uint32_t)cx->p->pid);
}

static int
sys_proc_parent(struct abi_cx *cx)
{
	int32_t ppid;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	if ((r = proc_getppid(cx->p, (int32_t)ARG32(cx, 0), &ppid)))
		return r;
	return abi_put32(cx, ARG32(cx, 1), (uint32_t)ppid);
}

static int
sys_proc_signal(struct abi_cx *cx)
{
	if (ARG32(cx, 1) > KSIG_MAX)
		return E_INVAL;
	return sig_kill(cx->p, (int32_t)ARG32(cx, 0), (int)ARG32(cx, 1));
}

static int
sys_proc_raise_interval(struct abi_cx *cx)
{
	uint64_t ms = ARG64(cx, 1), ns;

	if (ARG32(cx, 0) != KSIGALRM)
		return ARG32(cx, 0) == 0 || ARG32(cx, 0) > KSIG_MAX ? E_INVAL : E_NOTSUP;
	ns = ms > UINT64_MAX / 1000000 ? UINT64_MAX : ms * 1000000;
	return proc_alarm(cx->p, ns, ARG32(cx, 2) ? ns : 0, NULL);
}

static int
sys_callback_signal(struct abi_cx *cx)
{
	uint8_t *m = abi_mem(cx, ARG32(cx, 0), ARG32(cx, 1));

	/* No result to report errors through: a bad name registers nothing. */
	if (m && ARG32(cx, 1) <= 256)
		sig_set_handler(cx->p, (const char *)m, ARG32(cx, 1));
	return 0;
}

/* ---- fds ------------------------------------------------------------------------------ */

static int
sys_fd_pipe(struct abi_cx *cx)
{
	struct file *a, *b;
	int32_t fa, fb;
	int r;

	if (abi_check(cx, ARG32(cx, 0), 4) || abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	if ((r = pipe_new(cx->p->k, true, 0, &a, &b)))
		return r;
	r = fdtab_install(cx->p->fds, a, 0, 0, &fa);
	if (!r) {
		r = fdtab_install(cx->p->fds, b, 0, 0, &fb);
		if (r)
			fdtab_close(cx->p->fds, fa);
	}
	file_unref(a);
	file_unref(b);
	if (r)
		return r;
	abi_put32(cx, ARG32(cx, 0), (uint32_t)fa);
	return abi_put32(cx, ARG32(cx, 1), (uint32_t)fb);
}

static int
sys_fd_dup(struct abi_cx *cx)
{
	int32_t nfd;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 4))
		return E_FAULT;
	if ((r = fdtab_dup(cx->p->fds, (int32_t)ARG32(cx, 0), 0, 0, &nfd)))
		return r;
	return abi_put32(cx, ARG32(cx, 1), (uint32_t)nfd);
}

static int
sys_fd_dup2(struct abi_cx *cx)
{
	int32_t nfd;
	int r;

	if (abi_check(cx, ARG32(cx, 3), 4))
		return E_FAULT;
	if ((r = fdtab_dup(cx->p->fds, (int32_t)ARG32(cx, 0), (int32_t)ARG32(cx, 1),
			   ARG32(cx, 2) ? FD_CLOEXEC_FLAG : 0, &nfd)))
		return r;
	return abi_put32(cx, ARG32(cx, 3), (uint32_t)nfd);
}

static int
sys_fd_renumber(struct abi_cx *cx)
{
	return fdtab_dup2(cx->p->fds, (int32_t)ARG32(cx, 0), (int32_t)ARG32(cx, 1));
}

static int
sys_fd_fdflags_get(struct abi_cx *cx)
{
	unsigned flags;
	int r;

	if (abi_check(cx, ARG32(cx, 1), 2))
		return E_FAULT;
	if ((r = fdtab_getflags(cx->p->fds, (int32_t)ARG32(cx, 0), &flags)))
		return r;
	return abi_put16(cx, ARG32(cx, 1), (uint16_t)flags);
}

static int
sys_fd_fdflags_set(struct abi_cx *cx)
{
	return fdtab_setflags(cx->p->fds, (int32_t)ARG32(cx, 0), ARG32(cx, 1));
}

/* ---- the working directory ---------------------------------------------------------------- */

static int
sys_getcwd(struct abi_cx *cx)
{
	char buf[FS_PATH_MAX + 1];
	uint32_t cap;
	size_t len = 0;
	uint8_t *m;
	int r;

	if ((r = abi_get32(cx, ARG32(cx, 1), &cap)))
		return r;
	m = abi_mem(cx, ARG32(cx, 0), cap);
	if (!m)
		return E_FAULT;
	r = fs_getcwd(cx->p->ns, cx->p->cwd, buf, sizeof buf, &len);
	if (r)
		return r;
	if (len + 1 > cap) {
		/* The size needed, NUL included, for a second try. */
		abi_put32(cx, ARG32(cx, 1), (uint32_t)(len + 1));
		return E_RANGE;
	}
	memcpy(m, buf, len + 1);
	return abi_put32(cx, ARG32(cx, 1), (uint32_t)len);
}

static int
sys_chdir(struct abi_cx *cx)
{
	char path[FS_PATH_MAX + 1];
	struct fs_path fp;
	int r;

	if ((r = abi_path(cx, ARG32(cx, 0), ARG32(cx, 1), path, sizeof path)))
		return r;
	if ((r = fs_resolve(cx->p->ns, cx->p->cwd, path, ARG32(cx, 1), FS_FOLLOW, &fp)))
		return r;
	if (fp.vn->type != VN_DIR) {
		fs_path_release(&fp);
		return E_NOTDIR;
	}
	set_cwd(cx->p, fp.vn);
	fp.vn = NULL;
	fs_path_release(&fp);
	return 0;
}

/* ---- the table ------------------------------------------------------------------------------ */

#define EXEC_ARGS "i32 name, i32 name_len, i32 args, i32 args_len"
static const struct abi_call calls[] = {
	{ .name = "proc_fork", .result = "errno", .fn = sys_proc_fork,
	  .params = "i32 copy_memory, i32 *pid",
	  .doc = "fork: the parent gets the child's pid, the child 0; copy_memory 0 (vfork) "
	         "is a full fork too" },
	{ .name = "proc_exec", .result = "", .fn = sys_proc_exec,
	  .params = EXEC_ARGS,
	  .doc = "execve with the current environment; args `\\n`-separated (argv[0] first). "
	         "No error return: on failure the process exits with 127 (ENOENT) or 126" },
	{ .name = "proc_exec2", .result = "", .fn = sys_proc_exec2,
	  .params = EXEC_ARGS ", i32 envs, i32 envs_len",
	  .doc = "proc_exec with an environment (`\\n`-separated K=V)" },
	{ .name = "proc_exec3", .result = "errno", .fn = sys_proc_exec3,
	  .params = EXEC_ARGS ", i32 envs, i32 envs_len, i32 search_path, i32 path, "
	    "i32 path_len",
	  .doc = "execve / execvp (search_path: a name without `/` is tried in each "
	         "`:`-separated directory of path); returns only on failure: ENOENT, EACCES, "
	         "ENOEXEC, E2BIG" },
	{ .name = "proc_spawn2", .result = "errno", .fn = sys_proc_spawn2,
	  .params = EXEC_ARGS ", i32 envs, i32 envs_len, i32 fd_ops, i32 fd_ops_len, "
	    "i32 signal_dispositions, i32 signal_dispositions_len, i32 search_path, "
	    "i32 path, i32 path_len, i32 *pid",
	  .doc = "posix_spawn(p): 56-byte fd ops (cmd u8@0: CLOSE 0, DUP2 1, OPEN 2, CHDIR "
	         "3, FCHDIR 4; fd@4, src_fd@8, path@12, path_len@16, dirflags@20, oflags@24, "
	         "rights u64@32, u64@40, fdflags u16@48, fdflagsext u16@50 (1: cloexec)) "
	         "applied in order in the child (OPEN and CHDIR paths relative to the "
	         "child's cwd), then 2-byte signal dispositions (sig u8, 0 default / 1 "
	         "ignore); on any error no child exists" },
	{ .name = "proc_join", .result = "errno", .fn = sys_proc_join,
	  .params = "i32 *option_pid, i32 flags, i32 *status",
	  .doc = "waitpid: option_pid {u8 tag (0 any child, 1 the pid), u32 pid @4} receives "
	         "the pid reaped; flags 1 WNOHANG, 2 WUNTRACED; status {u8 tag: 0 nothing, 1 "
	         "exited (u16 code @2), 2 signalled (u16 @2 and u8 @4: the signal), 3 "
	         "stopped (u8 signal @2)}; ECHILD" },
	{ .name = "proc_join", .result = "errno", .fn = sys_proc_join_v1,
	  .params = "i32 *option_pid, i32 *status",
	  .doc = "the early two-argument form (flags 0), told apart by its import type" },
	{ .name = "proc_id", .result = "errno", .fn = sys_proc_id,
	  .params = "i32 *pid",
	  .doc = "getpid" },
	{ .name = "proc_parent", .result = "errno", .fn = sys_proc_parent,
	  .params = "i32 pid, i32 *ppid",
	  .doc = "the parent of any pid (0 for a process the host started); ESRCH" },
	{ .name = "proc_signal", .result = "errno", .fn = sys_proc_signal,
	  .params = "i32 pid, i32 sig",
	  .doc = "kill: pid > 0 one process, 0 the caller's group, -1 every process but init "
	         "and the caller, < -1 the group -pid; sig 0 checks; ESRCH when nothing "
	         "matches" },
	{ .name = "proc_raise", .result = "errno", .fn = abi_proc_raise,
	  .params = "i32 sig",
	  .doc = "raise" },
	{ .name = "proc_raise_interval", .result = "errno", .fn = sys_proc_raise_interval,
	  .params = "i32 sig, i64 interval, i32 repeat",
	  .doc = "SIGALRM after interval milliseconds (0 cancels), again every interval if "
	         "repeat; other signals ENOTSUP" },
	{ .name = "callback_signal", .result = "", .fn = sys_callback_signal,
	  .params = "i32 name, i32 name_len",
	  .doc = "the export `(i32 sig) -> ()` that runs caught signals (default "
	         "`__wasm_signal`); a missing or mistyped export registers nothing" },
	{ .name = "fd_pipe", .result = "errno", .fn = sys_fd_pipe,
	  .params = "i32 *fd1, i32 *fd2",
	  .doc = "a pipe whose ends are duplex (each reads what the other writes), so POSIX "
	         "pipe() works reading fd1 and writing fd2" },
	{ .name = "fd_dup", .result = "errno", .fn = sys_fd_dup,
	  .params = "i32 fd, i32 *newfd",
	  .doc = "dup" },
	{ .name = "fd_dup2", .result = "errno", .fn = sys_fd_dup2,
	  .params = "i32 fd, i32 min_fd, i32 cloexec, i32 *newfd",
	  .doc = "F_DUPFD / F_DUPFD_CLOEXEC: the lowest free fd >= min_fd" },
	{ .name = "fd_renumber", .result = "errno", .fn = sys_fd_renumber,
	  .params = "i32 from, i32 to",
	  .doc = "POSIX dup2: `from` stays open, `to`'s close-on-exec flag is cleared" },
	{ .name = "fd_fdflags_get", .result = "errno", .fn = sys_fd_fdflags_get,
	  .params = "i32 fd, i32 *flags",
	  .doc = "F_GETFD into a u16: bit 0 close-on-exec" },
	{ .name = "fd_fdflags_set", .result = "errno", .fn = sys_fd_fdflags_set,
	  .params = "i32 fd, i32 flags",
	  .doc = "F_SETFD: bit 0 close-on-exec; EINVAL for other bits" },
	{ .name = "getcwd", .result = "errno", .fn = sys_getcwd,
	  .params = "i32 buf, i32 *len",
	  .doc = "the working directory, NUL-terminated, into buf (capacity *len), *len = "
	         "its length; ERANGE with *len = the size needed when it does not fit" },
	{ .name = "chdir", .result = "errno", .fn = sys_chdir,
	  .params = "i32 path, i32 path_len",
	  .doc = "the working directory (relative paths from the current one); ENOTDIR" },
};

const struct abi_table abi_wasix_table = {
	.module = "wasix_32v1",
	.intro = "The process subset of WASIX, with Wasmer's signatures (../shared/docs/ABI.md) "
		 "and the semantics of docs/abi.md: real process groups, kill to a group, ESRCH "
		 "for unknown pids, signalled children reported as signalled.",
	.calls = calls,
	.ncalls = sizeof calls / sizeof calls[0],
};
