/*
 * kern.h - processes, the scheduler, sleep/wakeup and signals.
 *
 * The kernel runs WebAssembly instances (vm.h) as Unix-like processes. It
 * knows nothing about the wasm binary format beyond vm.h's instance API,
 * and nothing about the guest ABI: the abi layer (src/abi) wraps the calls
 * below into host functions, and resolves a program's imports through the
 * `resolve` hook of struct kern_config. Files (file.h) and names (fs.h) are
 * the layers below; the system object (src/sys/system.c) owns everything.
 *
 * Conventions
 *  - Calls made on behalf of a process return 0 or a WASI errno
 *    (src/fs/errno.h: E_SRCH, E_CHILD, ...). E_BLOCK means "the process has
 *    been put to sleep (kern_sleep*); return VM_BLOCK from the host
 *    function": the call is re-executed from scratch when the process is
 *    woken (the ERESTART model), so a blocking call must decide to block
 *    before it changes any state.
 *  - Every host function returns through kern_ret(p) (or returns VM_BLOCK
 *    after E_BLOCK, or VM_EXIT after vm_set_exit). kern_ret returns VM_STOP
 *    when the kernel must act before the guest continues (a signal to
 *    deliver, a new image after exec), VM_OK otherwise.
 *  - Signals use Linux numbers; a signal set is a uint64_t with bit n-1 for
 *    signal n. Wait statuses use the Linux encoding (wstatus_* below).
 *  - Times are nanoseconds of the system clock (kern_now), monotonic.
 *
 * Locking: none yet; one host thread runs kern_step. Fields are grouped by
 * who may change them, so that several threads later need locks, not a
 * rewrite: "sched" fields belong to the scheduler, "self" fields to the
 * process while it runs (its own host calls), "tree" fields to fork/exit/
 * wait/setpgid.
 */
#ifndef WARREN_KERN_H
#define WARREN_KERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/errno.h"
#include "vm/vm.h"

struct fdtab;        /* file.h: a process's fd table (files layer) */
struct vnode;        /* fs.h */
struct ns;           /* fs.h: a namespace (mount table) */
struct kern;
struct proc;
struct ipc;          /* ipc.h: interfaces and messages */
struct kev;          /* event.h: one lifecycle or syscall record */

/* ---- signals --------------------------------------------------------------- */

/* Default actions. */
enum sig_default { SD_TERM, SD_IGN, SD_STOP, SD_CONT, SD_CORE };

/*
 * Linux signal numbers, names and default actions. SD_CORE terminates like
 * SD_TERM (warren writes no core files; the distinction is kept for ps/docs).
 */
#define KSIG_LIST(X)                                \
	X(SIGHUP,     1, SD_TERM)                   \
	X(SIGINT,     2, SD_TERM)                   \
	X(SIGQUIT,    3, SD_CORE)                   \
	X(SIGILL,     4, SD_CORE)                   \
	X(SIGTRAP,    5, SD_CORE)                   \
	X(SIGABRT,    6, SD_CORE)                   \
	X(SIGBUS,     7, SD_CORE)                   \
	X(SIGFPE,     8, SD_CORE)                   \
	X(SIGKILL,    9, SD_TERM)                   \
	X(SIGUSR1,   10, SD_TERM)                   \
	X(SIGSEGV,   11, SD_CORE)                   \
	X(SIGUSR2,   12, SD_TERM)                   \
	X(SIGPIPE,   13, SD_TERM)                   \
	X(SIGALRM,   14, SD_TERM)                   \
	X(SIGTERM,   15, SD_TERM)                   \
	X(SIGSTKFLT, 16, SD_TERM)                   \
	X(SIGCHLD,   17, SD_IGN)                    \
	X(SIGCONT,   18, SD_CONT)                   \
	X(SIGSTOP,   19, SD_STOP)                   \
	X(SIGTSTP,   20, SD_STOP)                   \
	X(SIGTTIN,   21, SD_STOP)                   \
	X(SIGTTOU,   22, SD_STOP)                   \
	X(SIGURG,    23, SD_IGN)                    \
	X(SIGXCPU,   24, SD_CORE)                   \
	X(SIGXFSZ,   25, SD_CORE)                   \
	X(SIGVTALRM, 26, SD_TERM)                   \
	X(SIGPROF,   27, SD_TERM)                   \
	X(SIGWINCH,  28, SD_IGN)                    \
	X(SIGIO,     29, SD_TERM)                   \
	X(SIGPWR,    30, SD_TERM)                   \
	X(SIGSYS,    31, SD_CORE)

/* KSIGHUP = 1, ... (prefixed: the host's <signal.h> owns the plain names). */
enum ksig {
#define KSIG_ENUM_(name, num, def) K##name = num,
	KSIG_LIST(KSIG_ENUM_)
#undef KSIG_ENUM_
};
#define KSIG_MAX 64     /* valid signals are 1..KSIG_MAX (32..64: real-time, default TERM) */
#define KSIG_BIT(sig) (UINT64_C(1) << ((sig) - 1))

/* "SIGINT" for 2, NULL for an unknown number. */
const char *sig_name(int sig);
/* The default action of a valid signal. */
enum sig_default sig_default_action(int sig);

/* Dispositions (warren_v1.sigaction). */
enum sig_disp { SIGD_DEFAULT = 0, SIGD_IGNORE = 1, SIGD_CATCH = 2 };

/* sigprocmask `how` (warren_v1.sigprocmask). */
enum { KSIG_BLOCK = 0, KSIG_UNBLOCK = 1, KSIG_SETMASK = 2 };

/* ---- wait statuses (Linux encoding) and options ------------------------------ */

#define KWNOHANG    1
#define KWUNTRACED  2
#define KWCONTINUED 8

static inline int32_t wstatus_exit(int code) { return (int32_t)((code & 0xff) << 8); }
static inline int32_t wstatus_signal(int sig) { return (int32_t)(sig & 0x7f); }
static inline int32_t wstatus_stopped(int sig) { return (int32_t)(((sig & 0xff) << 8) | 0x7f); }
#define WSTATUS_CONTINUED 0xffff
/* The shell's convention: exit code, or 128 + signal for a signalled status. */
int wstatus_to_code(int32_t ws);

/* ---- processes ---------------------------------------------------------------- */

enum proc_state { P_EMBRYO, P_RUNNABLE, P_RUNNING, P_BLOCKED, P_STOPPED, P_ZOMBIE };

#define KERN_NLEVELS 4     /* MLFQ levels; 0 is the highest priority */
#define KERN_NWAIT 8       /* channels one sleep can wait on (kern_sleep_many) */
#define PROC_NAME_MAX 32

/* One channel a process sleeps on; linked into the kernel's wait hash. */
struct kwait {
	void *chan;
	struct proc *p;
	struct kwait *next, *prev;
};

/* A compiled program shared by every process running it (module cache). */
struct kmod {
	struct vm_module *mod;
	struct vm_extern *imports;   /* resolved once per module */
	uint64_t hash;               /* of the bytes */
	size_t len;
	uint64_t key_dev, key_ino, key_mtime; /* where it was last loaded from (fast path) */
	int32_t start;               /* function index of _start, or -1 */
	int32_t sig_default;         /* function index of __wasm_signal, or -1 */
	int refs;                    /* processes running it, + 1 while cached */
	struct kmod *next;
};

struct proc {
	struct kern *k;

	/* identity ("tree": fork, exit, setpgid, setsid) */
	int32_t pid, ppid, pgid, sid;
	struct proc *parent;             /* NULL: the host is the parent */
	struct proc *children;           /* first child; siblings linked below */
	struct proc *sib_next, *sib_prev;
	char name[PROC_NAME_MAX];        /* basename of the program */

	/* lifecycle ("sched" + "tree") */
	enum proc_state state;
	int32_t wstatus;                 /* ZOMBIE: how it ended (Linux encoding) */
	uint8_t report;                  /* PR_* changes a waitpid may still report */
	uint8_t stopsig;                 /* STOPPED: the signal that stopped it */
	bool execed;                     /* has exec'd since fork (setpgid: EACCES) */
	bool host_spawned;               /* started by the host: its exit is reported by kern_step */
	char diag[200];                  /* why it died, for the host: "trap in f: msg" */

	/* image ("self"; swapped by the scheduler) */
	struct vm_instance *inst;
	struct kmod *kmod;
	struct vm_instance *old_inst;    /* the image exec replaced: freed once its host
	                                    call has returned (kern_ret gives VM_STOP) */
	struct kmod *old_kmod;
	char **argv, **envp;             /* NULL-terminated; each one malloc'd block */
	int argc, envc;
	bool fork_child;                 /* the clone's re-executed proc_fork returns 0 */

	/* files and names (files and fs layers) */
	struct fdtab *fds;
	struct vnode *cwd;               /* referenced */
	struct ns *ns;                   /* referenced */

	/* signals ("self" + senders) */
	uint64_t sig_pending;
	uint64_t sig_blocked;
	uint64_t sig_ignored;            /* disposition SIGD_IGNORE */
	uint64_t sig_caught;             /* disposition SIGD_CATCH */
	int32_t sig_handler;             /* function index of the delivery export, -1 none */

	/* scheduling ("sched") */
	int nice;                        /* -20..19 */
	uint8_t level;                   /* MLFQ level */
	int64_t qleft;                   /* fuel left of the allotment at this level */
	struct proc *rq_next, *rq_prev;  /* run queue of `level` while RUNNABLE */

	/* sleeping ("sched" + wakers) */
	struct kwait waits[KERN_NWAIT];
	uint8_t nwaits;
	bool wait_any;                   /* woken by every kern_wakeup (too many channels) */
	uint64_t wake_at;                /* timeout of the sleep; 0 none */
	bool blocked_call;               /* the last run ended in VM_BLOCK */
	bool restarting;                 /* the next host call is that call, re-executed */
	uint64_t call_clock;             /* fuel clock when the current call first began (trace) */
	bool timed_out;                  /* the sleep ended by its timeout */
	uint64_t deadline;               /* kern_deadline of the current call */
	bool has_deadline;

	/* timers */
	uint64_t alarm_at, alarm_interval; /* SIGALRM; 0 none */
	struct proc *tm_next, *tm_prev;  /* on the kernel's timer list */
	bool on_timers;

	/* accounting */
	uint32_t pages_charged;          /* memory pages counted in k->pages_total */
	uint32_t mem_cap;                /* the image's own memory limit (pages) */
	uint64_t fuel;                   /* instructions executed */
	uint64_t fuel_warned;            /* fuel at which SIGXCPU was sent; 0 not yet */
	uint64_t fuel_limit;             /* its own fuel limit (/task ctl "fuel"); 0 none */
	uint64_t rbytes, wbytes;         /* bytes read / written (files layer adds) */
	uint64_t start_ns;               /* kern_now at creation */

	/* table links (kernel) */
	struct proc *hnext;              /* pid hash chain */
	struct proc *all_next, *all_prev;/* every process, in creation (= pid) order */
	struct proc *rep_next;           /* host-report queue, or the dead list */
};

/* report bits: state changes not yet collected by waitpid */
#define PR_STOPPED   1u
#define PR_CONTINUED 2u

/* ---- the kernel ------------------------------------------------------------- */

struct kern_config {
	uint64_t seed;            /* pids (and anything else random in the kernel) */
	uint32_t max_procs;       /* processes alive or zombie; fork -> E_AGAIN (0: 4096) */
	uint32_t max_pages;       /* wasm memory pages per process (0: 16384 = 1 GiB) */
	uint32_t max_total_pages; /* pages of all processes together (0: 65536 = 4 GiB);
	                             fork -> E_AGAIN, exec -> E_NOMEM, memory.grow fails */
	uint64_t max_fuel;        /* instructions per process; SIGXCPU then SIGKILL (0: no limit) */
	uint32_t max_fds;         /* fds per process, enforced by the files layer (0: 1024) */
	/* The system clock in ns (monotonic). NULL: CLOCK_MONOTONIC. */
	uint64_t (*clock)(void *ctx);
	void *clock_ctx;
	/*
	 * Resolve one import of a program (the abi layer): return the host
	 * function for imp (module.name) with type `type`, or NULL with a
	 * message in *err (VM_ERR_LINK: "unknown import wasix_32v1.foo", or a
	 * signature mismatch). The function objects stay owned by the resolver
	 * and must outlive the kernel's instances (kern_free frees them first).
	 */
	struct vm_func *(*resolve)(void *ctx, const struct vm_import *imp,
				   const struct vm_functype *type, struct vm_error *err);
	void *resolve_ctx;
};

/* What kern_step stopped for. */
enum kern_outcome {
	KERN_BUDGET,   /* the fuel budget is spent; processes are still runnable */
	KERN_IDLE,     /* nothing runnable: a timer fires at .wake_at, or UINT64_MAX: only
	                  outside input (the console) can wake a process */
	KERN_EXITED,   /* a host-spawned process ended: .pid, .status (reaped now) */
	KERN_DONE,     /* no processes at all */
	KERN_MESSAGE,  /* a message is queued for a host-served interface (ipc.h) */
};

struct kern_event {
	enum kern_outcome what;
	int32_t pid;
	int32_t status;           /* Linux wait encoding */
	uint64_t wake_at;
	uint64_t fuel;            /* fuel run by this kern_step */
	char diag[200];           /* EXITED: why it died ("" for a normal exit) */
};

#define KERN_WQ_BUCKETS 256

struct kern {
	struct kern_config cfg;

	/* process table */
	struct proc **hash;              /* pid -> proc, chained through hnext */
	uint32_t nhash;                  /* buckets, a power of two */
	uint32_t nprocs;                 /* alive or zombie */
	struct proc *all_head, *all_tail;
	int32_t last_pid;
	uint64_t rng;                    /* xorshift64* state for pids */
	struct proc *init;               /* pid 1 while it lives: adopts orphans */

	/* scheduler */
	struct proc *rq_head[KERN_NLEVELS], *rq_tail[KERN_NLEVELS];
	uint32_t nrunnable;
	uint32_t nstopped;               /* processes in P_STOPPED */
	uint64_t pages_total;            /* memory pages of all processes (as last charged) */
	uint64_t fuel_total;             /* all fuel ever run */
	uint64_t next_boost;             /* fuel_total at which every process returns to level 0 */
	struct proc *current;            /* the process inside vm_run, or NULL */

	/* sleep/wakeup and timers */
	struct kwait *wq[KERN_WQ_BUCKETS];
	uint32_t nany;                   /* sleepers with wait_any */
	struct proc *timers;             /* processes with wake_at or alarm_at */

	/* host reports: host-spawned processes that ended, oldest first */
	struct proc *rep_head, *rep_tail;
	struct proc *dead;               /* reaped, to be freed outside any host call */

	/* console (the files layer's tty reads and writes these) */
	int32_t fg_pgid;                 /* foreground process group of the console; 0 none */
	int32_t console_sid;             /* session the console belongs to; 0 none */
	void *console;                   /* the files layer's console object */

	/* names: the namespace new host-spawned processes get a copy of */
	struct ns *root_ns;              /* referenced; set by the system layer */

	/* programs */
	struct kmod *mods;               /* module cache */

	/* for the layers above: the abi's and the system's private state */
	void *abi;
	void *sys;
	void *task;                      /* taskfs's state (src/kern/taskfs.c), or NULL */
	struct ipc *ipc;                 /* interfaces and messages (ipc.h), or NULL */
	/* lifecycle events and the syscall trace (event.h): NULL when nobody listens */
	void (*on_event)(void *ctx, const struct kev *ev);
	void *event_ctx;
	bool trace_syscalls;             /* the abi dispatcher reports every call */

	char errmsg[256];                /* detail of the last failure of a host-side call */
};

/*
 * Create a kernel. Returns 0 and *out, or E_NOMEM. cfg is copied; zero
 * limits take their defaults. The caller sets root_ns (and console) before
 * spawning processes.
 */
int kern_new(const struct kern_config *cfg, struct kern **out);

/* Kill every process without running it again, free the table, drop the
 * module cache and root_ns. NULL is fine. */
void kern_free(struct kern *k);

/*
 * Run processes until `budget` fuel is spent (budget < 0: until something
 * other than BUDGET happens), nothing is runnable, or a host-spawned
 * process ended. Fills *ev. Returns 0, or E_INVAL if called from inside a
 * host function.
 */
int kern_step(struct kern *k, int64_t budget, struct kern_event *ev);

/* The system clock (ns). */
uint64_t kern_now(struct kern *k);
/*
 * A copy of the string vector v in one block (al_free frees it all),
 * NULL-terminated: the first max strings, or (max < 0) up to v's NULL; v
 * NULL is empty. *count (may be NULL) gets the number. NULL when out of
 * memory. (argv/envp of processes, of /task tasks, the system's default env.)
 */
char **kern_strv_dup(char *const *v, int max, int *count);
/* Whether process group pgid has a live (non-zombie) member in session sid
 * (setpgid joining a group, tcsetpgrp choosing the foreground). */
bool kern_group_in_session(struct kern *k, int32_t pgid, int32_t sid);

/* The process with `pid` (zombies included), or NULL. */
struct proc *proc_find(struct kern *k, int32_t pid);

/* ---- sleep and wakeup (xv6) ------------------------------------------------- */

/*
 * Put p (the process in a host call) to sleep on chan until kern_wakeup(k,
 * chan). Returns E_BLOCK: the host function then returns VM_BLOCK and the
 * call is re-executed once p is woken (spurious wakeups are allowed: the
 * call re-checks its condition). Returns E_INTR instead, without sleeping,
 * when a caught signal is deliverable: the host function returns E_INTR
 * through kern_ret and the handler runs before the guest sees the error.
 */
int kern_sleep(struct proc *p, void *chan);

/* Like kern_sleep with a timeout: p is also woken at `deadline` (kern_now
 * units; 0 = none). chan may be NULL for a pure timed sleep. */
int kern_sleep_until(struct proc *p, void *chan, uint64_t deadline);

/* Sleep on n channels at once (poll). n > KERN_NWAIT is allowed: p is then
 * woken by every kern_wakeup. */
int kern_sleep_many(struct proc *p, void *const *chans, size_t n, uint64_t deadline);

/* Make every process sleeping on chan runnable. Cheap when none sleeps. */
void kern_wakeup(struct kern *k, void *chan);

/*
 * The absolute deadline (kern_now + rel) of the current host call, stable
 * across its re-executions: the first execution computes and remembers it,
 * a re-execution after a sleep gets the same value back. For relative
 * timeouts (poll_oneoff clock subscriptions).
 */
uint64_t kern_deadline(struct proc *p, uint64_t rel);

/* How a host function returns after doing its work: VM_STOP if the kernel
 * must act before the guest continues, else VM_OK. */
enum vm_status kern_ret(struct proc *p);

/* ---- process calls (each on behalf of p, the caller) --------------------------- */

/*
 * Allocate a process (state EMBRYO) with a fresh pid. parent NULL: a child
 * of the host, in a new session and group of its own, with root_ns copied
 * and cwd at its root; else it inherits parent's group, session, ns (copy),
 * cwd, signal dispositions and mask, nice. The fd table is empty (parent
 * NULL) or a copy of the parent's. Returns 0, E_AGAIN (process limit),
 * E_NOMEM.
 */
int proc_alloc(struct kern *k, struct proc *parent, struct proc **out);

/* Make an EMBRYO process that has an image (after proc_exec*) runnable. */
void proc_start(struct proc *p);

/* Free an EMBRYO process that will not start (a failed spawn). */
void proc_discard(struct proc *p);

/*
 * fork (wasix proc_fork): from inside p's host call. The child is a clone of
 * p's instance suspended before this call; when it runs, its re-executed
 * proc_fork returns 0 with *child = 0. The parent gets 0 and the child's pid.
 * Errors: E_AGAIN (process limit), E_NOMEM.
 */
int proc_fork(struct proc *p, int32_t *child);

/*
 * exec: load the program at `path` (resolved in p's namespace against its
 * cwd) and replace p's image with it: same pid, parent, group, session,
 * cwd, ns, fds minus close-on-exec; caught signals reset to default,
 * ignored ones stay ignored, mask kept. argv/envp are NULL-terminated and
 * copied. The new image replaces p->inst at once; a running process's old
 * instance is kept in p->old_inst until its host call has returned (the
 * caller must return through kern_ret, which gives VM_STOP) and is freed
 * then.
 * Errors (p unchanged): E_NOENT, E_ACCES (not a regular file), E_NOEXEC
 * (not a valid module, or it lacks _start; detail in p->diag), E_NOMEM,
 * E_2BIG.
 */
int proc_exec(struct proc *p, const char *path, char *const argv[], char *const envp[]);

/* exec from bytes instead of a path (the host's `warren run prog.wasm`).
 * `name` names the program in messages and ps. Same contract as proc_exec. */
int proc_exec_bytes(struct proc *p, const char *name, const uint8_t *bytes, size_t len,
		    char *const argv[], char *const envp[]);

/*
 * posix_spawn: a new child of p running `path`, without copying p's memory:
 * fds, cwd, ns, group and dispositions as after fork; then `actions(child,
 * arg)` (if not NULL) applies the file actions on the child (returns 0 or an
 * errno), then exec. On any error no child exists and the errno is
 * returned. Returns 0 and *child.
 */
int proc_spawn(struct proc *p, const char *path, char *const argv[], char *const envp[],
	       int (*actions)(struct proc *child, void *arg), void *arg, int32_t *child);

/*
 * waitpid: pid -1 any child, > 0 that child, 0 p's group, < -1 group -pid;
 * options KWNOHANG | KWUNTRACED | KWCONTINUED. On a change: 0, *rpid and
 * *wstatus (a zombie is reaped here, exactly once). With KWNOHANG and
 * nothing ready: 0 and *rpid = 0. E_CHILD when no child matches, E_INVAL on
 * bad options, E_BLOCK after sleeping, E_INTR.
 */
int proc_waitpid(struct proc *p, int32_t pid, int options, int32_t *rpid, int32_t *wstatus);

/* POSIX setpgid/getpgid/setsid/getsid (pid 0 = p). Errors as in docs/abi.md. */
int proc_setpgid(struct proc *p, int32_t pid, int32_t pgid);
int proc_getpgid(struct proc *p, int32_t pid, int32_t *pgid);
int proc_setsid(struct proc *p, int32_t *sid);
int proc_getsid(struct proc *p, int32_t pid, int32_t *sid);
/* The parent of any pid (wasix proc_parent): E_SRCH for an unknown pid. */
int proc_getppid(struct proc *p, int32_t pid, int32_t *ppid);
/* Add inc to p's nice (clamped to -20..19); *newnice gets the result. */
int proc_nice(struct proc *p, int inc, int *newnice);
/*
 * SIGALRM after `ns` nanoseconds (0 cancels), then every `interval` ns if
 * interval != 0. *remaining (may be NULL) gets the time left of the previous
 * alarm. Returns 0.
 */
int proc_alarm(struct proc *p, uint64_t ns, uint64_t interval, uint64_t *remaining);
/*
 * The process table as text, one line per process in pid order:
 * "pid ppid pgid sid state nice fuel pages name\n" (no header line).
 * Writes at most cap bytes; *used gets the full size. E_NOBUFS if cap is
 * too small (nothing useful written).
 */
int proc_ps(struct proc *p, char *buf, size_t cap, size_t *used);
/* Pages of p's memory 0 (0 when it has no image). */
uint32_t proc_pages(const struct proc *p);
/* One letter for ps: R, S, T, Z (EMBRYO shows as R). */
char proc_state_letter(enum proc_state s);

/* Exit p with `wstatus` (Linux encoding): close its fds, drop cwd/ns, make
 * it a zombie, reparent its children, SIGCHLD and wake the parent. Kernel
 * internal: called by the scheduler, never from inside p's host call (the
 * abi returns VM_EXIT after vm_set_exit instead). */
void proc_exit(struct proc *p, int32_t wstatus);

/* ---- signals ---------------------------------------------------------------- */

/*
 * kill(2) from p: pid > 0 that process, 0 p's group, -1 every process but
 * p and init, < -1 the group -pid. sig 0 checks existence. E_INVAL for a
 * bad signal, E_SRCH when nothing matched.
 */
int sig_kill(struct proc *p, int32_t pid, int sig);

/* Send sig to one process (no permission checks: the kernel, files layer
 * (SIGPIPE), tty). Ignored signals are discarded; SIGCONT continues a
 * stopped process; SIGKILL and SIGCONT wake it if asleep. */
void sig_send_proc(struct proc *t, int sig);

/* Send sig to every process of group pgid. Returns 0 or E_SRCH (empty). */
int sig_send_pgrp(struct kern *k, int32_t pgid, int sig);

/* warren_v1.sigaction: set the disposition (enum sig_disp) of sig; *old
 * (may be NULL) gets the previous one. E_INVAL for SIGKILL/SIGSTOP or a bad
 * signal or disposition. Setting IGNORE discards a pending sig. */
int sig_action(struct proc *p, int sig, int disp, int *old);

/* warren_v1.sigprocmask: how KSIG_BLOCK/UNBLOCK/SETMASK. SIGKILL/SIGSTOP
 * are never blocked. *old may be NULL. E_INVAL for a bad how. */
int sig_procmask(struct proc *p, int how, uint64_t set, uint64_t *old);

/* wasix callback_signal: the export (a function (i32) -> () defined by the
 * program) that receives caught signals. E_NOENT if p's program has no such
 * export, E_INVAL if its type is wrong or it is an import. */
int sig_set_handler(struct proc *p, const char *name, size_t len);

/* Whether p has a signal that must be acted on before it continues. */
bool sig_deliverable(const struct proc *p);

#endif
