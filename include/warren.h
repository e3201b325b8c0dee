/*
 * warren.h - the public embedding API of warren.
 *
 * This is the only header an embedder (and tools/warren) includes.  It
 * exposes the WebAssembly engine (load a module, instantiate it with host
 * functions, run an exported function with a fuel budget, clone, snapshot
 * and restore a suspended instance) and the system (wr_System: processes,
 * a file system and a console, driven by wr_step).
 *
 * Conventions (as in Lua's lua.h): every function that can fail returns an
 * int status (WR_OK on success, one of the WR_E* codes otherwise) and
 * wr_errmsg() names it.  Where more detail exists (which section of a
 * module, which byte) it is written into a caller-supplied buffer or is
 * available from wr_trap_message().  Bad arguments (NULL pointers, wrong
 * sizes, wrong state) give WR_EARG or WR_ESTATE, never a crash.
 *
 * Objects are opaque and owned by the caller until passed to the matching
 * *_free function.  None of them is thread-safe: use one instance from one
 * thread at a time (different instances may run in parallel).
 */
#ifndef WARREN_H
#define WARREN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define WR_API __attribute__((visibility("default")))
#else
#define WR_API
#endif

#define WR_VERSION_MAJOR 0
#define WR_VERSION_MINOR 1
#define WR_VERSION_PATCH 0
#define WR_VERSION "0.1.0"

/*
 * Status codes.  The first six are outcomes of running code; the WR_E*
 * ones are errors.  One list, expanded into the enum and into the message
 * table behind wr_errmsg(), so a code and its text cannot drift apart.
 */
#define WR_STATUS_LIST(X)                                                  \
	X(WR_OK,         "ok")                                             \
	X(WR_YIELD,      "fuel exhausted; run again to continue")          \
	X(WR_TRAP,       "trap")                                           \
	X(WR_EXIT,       "the program exited")                             \
	X(WR_BLOCK,      "a host call blocked; run again to retry it")     \
	X(WR_STOP,       "a host call returned control to the embedder")   \
	X(WR_EMALFORMED, "malformed module")                               \
	X(WR_EINVALID,   "invalid module")                                 \
	X(WR_ELINK,      "imports do not match the module")                \
	X(WR_ENOMEM,     "out of memory or over a limit")                  \
	X(WR_ESTATE,     "wrong state, or bad snapshot")                   \
	X(WR_EARG,       "bad argument")                                   \
	X(WR_ENOENT,     "no such export")                                 \
	X(WR_ENOFILE,    "no such file or directory")                      \
	X(WR_ENOEXEC,    "not a program (bad module, unknown import or no _start)") \
	X(WR_ESRCH,      "no such process")                                \
	X(WR_EIO,        "I/O or file system error")                       \
	X(WR_EEXIST,     "already exists (an interface name is taken)")    \
	X(WR_EAGAIN,     "nothing yet, or a queue is full: try again later") \
	X(WR_EOF,        "end of stream")

enum wr_status {
#define WR_ENUM_(name, msg) name,
	WR_STATUS_LIST(WR_ENUM_)
#undef WR_ENUM_
	WR_NSTATUS
};

/* The message for a status code; "unknown status" for anything else. */
WR_API const char *wr_errmsg(int status);

/* The library version, WR_VERSION of the build. */
WR_API const char *wr_version(void);

/* ---- values ----------------------------------------------------------- */

/* Value types, with the WebAssembly binary encoding as values. */
enum wr_type {
	WR_I32 = 0x7f,
	WR_I64 = 0x7e,
	WR_F32 = 0x7d,
	WR_F64 = 0x7c,
	WR_FUNCREF = 0x70,
	WR_EXTERNREF = 0x6f,
};

/*
 * A typed value.  Floats keep their exact bits (NaN payloads included).
 * References are opaque: 0 is null; a non-null funcref is only good for
 * passing back into the instance that produced it (or its clones);
 * externref bits are the embedder's own.
 */
typedef struct wr_Value {
	uint8_t type;               /* enum wr_type */
	union {
		int32_t i32;
		int64_t i64;
		float f32;
		double f64;
		uint64_t ref;
	} u;
} wr_Value;

/*
 * Signatures are strings: parameter letters, ':', result letters.
 *   i = i32, I = i64, f = f32, F = f64, r = funcref, x = externref
 * e.g. "ii:i" takes two i32 and returns one, ":" takes and returns nothing.
 */

/* ---- modules ---------------------------------------------------------- */

typedef struct wr_Module wr_Module;
typedef struct wr_Instance wr_Instance;

/*
 * Decode, validate and compile a module.  The bytes are copied; the caller
 * keeps its buffer.  On success *out owns the module (free it with
 * wr_module_free; instances keep their own reference, so it may be freed
 * while they live).  On failure returns WR_EMALFORMED, WR_EINVALID,
 * WR_ENOMEM or WR_EARG, sets *out to NULL and, if errbuf is not NULL,
 * writes a NUL-terminated message naming the section and byte offset.
 */
WR_API int wr_module_load(const uint8_t *bytes, size_t len, wr_Module **out,
			  char *errbuf, size_t errlen);

/* Release the caller's reference.  NULL is fine. */
WR_API void wr_module_free(wr_Module *mod);

/*
 * Describe export number `index` (0-based, in module order): its name
 * (owned by the module) and kind ("func", "table", "memory" or "global").
 * Returns WR_ENOENT past the last export, WR_EARG on NULL arguments.
 */
WR_API int wr_module_export(const wr_Module *mod, size_t index,
			    const char **name, const char **kind);

/*
 * Write the signature of exported function `name` into sig (see the
 * signature format above), NUL-terminated.  Returns WR_ENOENT if there is
 * no such function export, WR_ENOMEM if siglen is too small.
 */
WR_API int wr_module_export_sig(const wr_Module *mod, const char *name,
				char *sig, size_t siglen);

/* ---- host functions --------------------------------------------------- */

/*
 * A host function.  args holds the parameters (typed per the signature);
 * the function writes the results into results (their .type is already
 * set).  It returns:
 *   WR_OK    done, results written;
 *   WR_TRAP  fail the call (set a message with wr_set_trap first, else
 *            it is "host function trapped");
 *   WR_EXIT  end the program (set the status with wr_set_exit first, else
 *            it is 0);
 *   WR_BLOCK nothing happened: wr_run returns WR_BLOCK, and the next
 *            wr_run calls this function again with the same arguments;
 *   WR_STOP  done, results written, and wr_run returns WR_STOP now.
 * Any other return value traps.  It may read and write wr_memory(inst) and
 * may wr_clone/wr_snapshot the instance: the copy re-executes this host
 * call when it runs.  It must not free the instance or start a call on it.
 */
typedef int (*wr_HostFn)(wr_Instance *inst, void *ctx, const wr_Value *args,
			 wr_Value *results);

/* One import the embedder offers; modules import it by module and name. */
typedef struct wr_HostFunc {
	const char *module;
	const char *name;
	const char *signature;      /* e.g. "ii:i" */
	wr_HostFn fn;
	void *ctx;                  /* passed to fn as is */
} wr_HostFunc;

/* From inside a host function: the trap message / exit status to report. */
WR_API void wr_set_trap(wr_Instance *inst, const char *msg);
WR_API void wr_set_exit(wr_Instance *inst, int32_t status);

/* ---- instances -------------------------------------------------------- */

/*
 * Instantiate `mod`.  Function imports are resolved against `imports`
 * (nimports entries; extra entries are ignored) by module and name, and
 * their signatures must match exactly.  Imported memories and tables are
 * created fresh with the module's declared limits; global imports are not
 * supported yet.  max_pages caps every memory (0 = the 4 GiB maximum).
 * Active segments are applied and the start function runs, with at most
 * WR_START_FUEL instructions (wr_instance_new_opt chooses another bound):
 * one that runs longer fails the instantiation with WR_TRAP, "start
 * function: out of fuel ...", so a module cannot hang its host here.
 *
 * The strings in `imports` are copied; fn/ctx must stay valid while the
 * instance or any of its clones lives.  Returns WR_OK and *out, or
 * WR_ELINK / WR_TRAP / WR_ENOMEM / WR_EARG with a message in errbuf.
 */
WR_API int wr_instance_new(wr_Module *mod, const wr_HostFunc *imports,
			   size_t nimports, uint32_t max_pages,
			   wr_Instance **out, char *errbuf, size_t errlen);

/* The start function's default fuel in wr_instance_new. */
#define WR_START_FUEL 100000000

typedef struct wr_InstanceOptions {
	uint32_t max_pages; /* cap on every memory; 0 = the 4 GiB maximum */
	int64_t start_fuel; /* the start function's fuel: 0 = WR_START_FUEL,
			       < 0 = unlimited (trusted modules only) */
} wr_InstanceOptions;

/* wr_instance_new with options (opt NULL: the defaults). */
WR_API int wr_instance_new_opt(wr_Module *mod, const wr_HostFunc *imports,
			       size_t nimports, const wr_InstanceOptions *opt,
			       wr_Instance **out, char *errbuf, size_t errlen);

/* Free an instance (its clones are independent).  NULL is fine. */
WR_API void wr_instance_free(wr_Instance *inst);

/*
 * Set up a call of exported function `name` with `args` (nargs values,
 * types exactly as in the signature).  Run it with wr_run.  Allowed when no
 * call is in progress or the previous one ended (returned, trapped or
 * exited).  Returns WR_ENOENT (no such function export), WR_EARG (wrong
 * count or types), WR_ESTATE (a call is suspended: finish it first).
 */
WR_API int wr_call_start(wr_Instance *inst, const char *name,
			 const wr_Value *args, size_t nargs);

/*
 * Run the current call for `fuel` units (one per WebAssembly instruction;
 * fuel < 0: unlimited).  *used (if not NULL) gets the fuel charged.  Fuel
 * is charged per basic block as it starts, so one run may overdraw by up
 * to a block; the next run pays that back, and over a whole computation
 * the fuel charged is exactly the instructions executed.  Returns WR_OK (returned; see wr_results), WR_YIELD (fuel spent;
 * run again to continue exactly where it stopped), WR_TRAP
 * (wr_trap_message), WR_EXIT (wr_exit_status), WR_BLOCK or WR_STOP (see
 * wr_HostFn; run again to continue), WR_ESTATE (nothing to run).
 */
WR_API int wr_run(wr_Instance *inst, int64_t fuel, int64_t *used);

/*
 * After wr_run returned WR_OK: copy the n results of the call into out
 * (n must be the signature's result count).  Returns WR_ESTATE if the call
 * has not returned, WR_EARG on a wrong n.
 */
WR_API int wr_results(wr_Instance *inst, wr_Value *out, size_t n);

/* The result count of the current call (0 when there is none). */
WR_API size_t wr_nresults(const wr_Instance *inst);

/* The trap message after WR_TRAP ("" otherwise; never NULL). */
WR_API const char *wr_trap_message(const wr_Instance *inst);

/* The exit status after WR_EXIT. */
WR_API int32_t wr_exit_status(const wr_Instance *inst);

/*
 * The instance's memory 0 and its size in bytes (NULL and 0 if it has
 * none).  The pointer is invalidated by anything that runs guest code.
 */
WR_API uint8_t *wr_memory(wr_Instance *inst, size_t *size);

/*
 * An independent copy of `inst`, including a suspended call: memory,
 * tables, globals, stacks and position.  Both continue separately and
 * share only the host functions.  Returns WR_OK and *out, or WR_ENOMEM /
 * WR_ESTATE / WR_EARG.
 */
WR_API int wr_clone(wr_Instance *inst, wr_Instance **out);

/*
 * The complete state of `inst` (including a suspended call) as bytes:
 * *out is malloc'd (free it with wr_free), *len its size.  The bytes name
 * code by function index and offset, never by address, so they can be
 * restored in another process running the same module.
 */
WR_API int wr_snapshot(wr_Instance *inst, uint8_t **out, size_t *len);

/*
 * A new instance of `mod` from snapshot bytes, with host functions
 * resolved as in wr_instance_new (the start function does not run again).
 * Corrupt bytes, or bytes from another module, give WR_ESTATE with a
 * message in errbuf.
 */
WR_API int wr_restore(wr_Module *mod, const wr_HostFunc *imports,
		      size_t nimports, uint32_t max_pages,
		      const uint8_t *bytes, size_t len, wr_Instance **out,
		      char *errbuf, size_t errlen);

/* Free memory returned by the library (snapshot bytes).  NULL is fine. */
WR_API void wr_free(void *p);

/* ---- systems: processes ---------------------------------------------- */

/*
 * A system is one warren: a kernel with its processes, a root file system
 * in memory (/bin, /tmp, /dev with null, zero, random, urandom and
 * console, /home, /etc), host directories mounted on request, and a
 * console.  Programs are WASI command modules (they export _start) run as
 * processes with Unix semantics.  The host drives everything with
 * wr_step: nothing runs between calls.
 *
 * A system is not thread-safe; different systems are independent.
 */
typedef struct wr_System wr_System;

/* A host directory made visible inside the system. */
typedef struct wr_Mount {
	const char *host;           /* host directory */
	const char *guest;          /* where it appears (created if missing) */
	int readonly;               /* nonzero: every write fails with EROFS */
} wr_Mount;

/* Output streams: the console, and the host's stdout and stderr. */
enum { WR_STREAM_CONSOLE = 0, WR_STREAM_STDOUT = 1, WR_STREAM_STDERR = 2 };

/*
 * Where output goes.  Called during wr_step (never blocks the guest:
 * the callback should write everything it is given).
 */
typedef void (*wr_OutputFn)(void *ctx, int stream, const void *buf, size_t n);

typedef struct wr_Config {
	uint64_t seed;              /* pids, /dev/random: same seed, same run */
	uint32_t max_procs;         /* processes at once (0: 4096); fork -> EAGAIN */
	uint32_t max_pages;         /* memory per process in 64 KiB pages (0: 16384) */
	uint64_t max_fuel;          /* instructions per process (0: unlimited);
	                               over it: SIGXCPU, then SIGKILL */
	uint32_t max_fds;           /* fds per process (0: 1024) */
	uint32_t max_total_pages;   /* memory of all processes together, in pages
	                               (0: 65536 = 4 GiB); fork fails with EAGAIN */
	uint64_t fs_quota;          /* bytes the in-memory root may hold (0: unlimited) */
	const wr_Mount *mounts;     /* nmounts host directories */
	size_t nmounts;
	/* Environment of spawned processes when wr_spawn gives none:
	 * "K=V" strings, NULL-terminated; NULL: { "PATH=/bin", "HOME=/home" }. */
	const char *const *env;
	/* Output of the console and of WR_STDIO_HOST fds.  NULL: console
	 * output is buffered for wr_console_read (a writer blocks while the
	 * buffer is full) and WR_STDIO_HOST output is not available. */
	wr_OutputFn output;
	void *output_ctx;
	/* The system clock in nanoseconds, monotonic (sleeps, alarms,
	 * timeouts).  NULL: the host's CLOCK_MONOTONIC.  A virtual clock that
	 * the host advances to each WR_EV_IDLE wake time makes runs
	 * reproducible. */
	uint64_t (*clock)(void *ctx);
	void *clock_ctx;
	/* The host's allocator for everything the system allocates (NULL:
	 * the C library's).  realloc semantics: ptr NULL allocates nsize
	 * bytes, nsize 0 frees ptr (and returns NULL), otherwise resizes;
	 * returning NULL for an allocation or resize fails that operation
	 * with WR_ENOMEM (or, inside a process, ENOMEM for that process only).
	 * Guest linear memory is mapped separately and is bounded by
	 * max_pages / max_total_pages instead. */
	void *(*alloc)(void *ud, void *ptr, size_t nsize);
	void *alloc_ud;
	/* Nonzero: a deterministic system.  Time is virtual: the clock
	 * advances by one nanosecond per instruction run and jumps over idle
	 * time straight to the next timer (wr_step never reports IDLE while a
	 * timer is pending), wall-clock time starts at a fixed epoch
	 * (2000-01-01T00:00:00Z), and every random source (/dev/random,
	 * /dev/urandom, random_get) is a stream seeded from `seed`.  With the
	 * same seed, programs and inputs (given at the same steps), two runs
	 * produce the same pids, message ids, schedule, events and output.
	 * `clock` is ignored. */
	int deterministic;
	/* Programs installed before the system starts (see wr_Program). */
	const struct wr_Program *programs;
	size_t nprograms;
	/* Capacity of the event ring in records (0: 4096); see wr_events_drain. */
	uint32_t max_events;
} wr_Config;

/* A program to install at creation: bytes, or a host file when bytes is NULL. */
typedef struct wr_Program {
	const char *path;           /* where it goes, e.g. "/bin/script" */
	const uint8_t *bytes;
	size_t len;
	const char *host_path;      /* used when bytes is NULL */
} wr_Program;

/*
 * Create a system.  cfg may be NULL (all defaults, no output callback).
 * Strings in cfg are copied.  Returns WR_OK and *out, or WR_ENOMEM,
 * WR_EARG, WR_ENOFILE / WR_EIO (a mount: the message in errbuf names it).
 */
WR_API int wr_system_new(const wr_Config *cfg, wr_System **out, char *errbuf,
			 size_t errlen);

/* Kill every process and free the system.  NULL is fine. */
WR_API void wr_system_free(wr_System *sys);

/*
 * The detail of the last failure of a call on sys ("prog: section 10
 * (code), offset 0x1a2: ...", "/bin/x: no such file or directory");
 * "" when there is none.  Never NULL.
 */
WR_API const char *wr_system_errmsg(const wr_System *sys);

/*
 * Put a file into the system's file system at guest_path (an absolute
 * path; missing parent directories are created): from bytes, or from a
 * host file.  Returns WR_OK, WR_EARG, WR_ENOFILE, WR_ENOMEM, WR_EIO.
 */
WR_API int wr_install(wr_System *sys, const char *guest_path, const uint8_t *bytes,
		      size_t len);
WR_API int wr_install_file(wr_System *sys, const char *guest_path, const char *host_path);

/* How a spawned process's fd 0, 1 and 2 are set up. */
enum {
	WR_STDIO_CONSOLE = 0,       /* /dev/console (a tty: isatty is true) */
	WR_STDIO_HOST = 1,          /* fd 0: the host input pipe (wr_stdin_write);
	                               fd 1, 2: the output callback's stdout/stderr */
	WR_STDIO_NULL = 2,          /* /dev/null */
	WR_STDIO_PIPE = 3,          /* a pipe of this process's own to the host:
	                               fd 0 is fed by wr_proc_write, fds 1 and 2
	                               are drained by wr_proc_read */
};

typedef struct wr_Spawn {
	/* The program: a path in the system (e.g. "/bin/sh"), or, when path
	 * is NULL, a module given as bytes, named `name` in messages. */
	const char *path;
	const uint8_t *bytes;
	size_t len;
	const char *name;
	const char *const *argv;    /* NULL-terminated; NULL: { path or name } */
	const char *const *envp;    /* NULL-terminated; NULL: the system's */
	const char *cwd;            /* working directory; NULL: "/" */
	int stdio[3];               /* WR_STDIO_* for fds 0, 1, 2 */
	/* Nonzero: the console becomes the controlling terminal of the new
	 * process's session with its group in the foreground (job control,
	 * ^C and ^Z reach it). */
	int foreground;
	/* Namespace: ns/ctl lines applied, in order, to the new process's
	 * copy of the system's namespace before it starts (NULL-terminated;
	 * NULL: none), e.g. "bind -r /tmp/jail /srv", "unbind /task".  A bad
	 * line fails the spawn with WR_EARG naming the line. */
	const char *const *ns;
} wr_Spawn;

/*
 * Start a process (a child of the host, in a new session and process
 * group; fd 3 is the preopened root).  Returns WR_OK and *pid, or
 * WR_ENOFILE (no such program), WR_ENOEXEC (not a valid program:
 * wr_system_errmsg says why: section and offset, or the unknown import),
 * WR_ENOMEM (also: the process limit), WR_EARG.
 */
WR_API int wr_spawn(wr_System *sys, const wr_Spawn *spec, int32_t *pid);

/* What wr_step stopped for. */
enum wr_event_kind {
	WR_EV_BUDGET = 0,           /* the fuel budget is spent; call again */
	WR_EV_IDLE = 1,             /* nothing can run: a timer is due in wake_ns
	                               nanoseconds, or never (UINT64_MAX): only
	                               input (console, stdin pipe) can wake a process */
	WR_EV_EXITED = 2,           /* a process the host spawned ended */
	WR_EV_DONE = 3,             /* no processes left */
	WR_EV_MESSAGE = 4,          /* a message waits for a native handler that
	                               serves from the host loop (wr_next_message) */
};

typedef struct wr_Event {
	int what;                   /* enum wr_event_kind */
	int32_t pid;                /* EXITED: the process */
	int32_t status;             /* EXITED: Linux wait status */
	int exit_code;              /* EXITED: exit code, or -1 if killed */
	int signal;                 /* EXITED: the signal that killed it, or 0 */
	char signame[12];           /* EXITED: "SIGSEGV" ("" if not killed) */
	char diag[200];             /* EXITED: why it died ("trap in f: ..."), or "" */
	uint64_t wake_ns;           /* IDLE */
	uint64_t fuel;              /* instructions run by this call */
} wr_Event;

/*
 * Run processes for at most `budget` instructions (< 0: until an event
 * other than BUDGET), stopping early when nothing can run, a host-spawned
 * process ends (its status is in *ev; it is reaped) or a message waits for
 * a native handler without a callback (WR_EV_MESSAGE).  Returns WR_OK, or
 * WR_EARG / WR_ESTATE (called from inside a callback).
 */
WR_API int wr_step(wr_System *sys, int64_t budget, wr_Event *ev);

/*
 * Console input from the host (keystrokes or bytes).  Returns how many
 * bytes were taken (fewer when the input buffer is full: offer the rest
 * later).  wr_console_eof: the host's input ended.
 */
WR_API size_t wr_console_write(wr_System *sys, const void *buf, size_t len);
WR_API void wr_console_eof(wr_System *sys);

/* Take up to cap bytes of buffered console output (no output callback). */
WR_API size_t wr_console_read(wr_System *sys, void *buf, size_t cap);

/*
 * A key the host's terminal turned into a signal: 'C' (^C: SIGINT), 'Z'
 * (^Z: SIGTSTP) or '\\' (SIGQUIT), sent to the console's foreground
 * process group.  WR_EARG for another key.
 */
WR_API int wr_console_signal(wr_System *sys, int key);

/*
 * Input for WR_STDIO_HOST fd 0 (a pipe shared by every process spawned
 * that way).  Returns the bytes taken (0 when the pipe is full).
 * wr_stdin_close: end of input (readers see EOF once it is drained).
 */
WR_API size_t wr_stdin_write(wr_System *sys, const void *buf, size_t len);
WR_API void wr_stdin_close(wr_System *sys);

/* Send signal sig (Linux numbering) to pid, or to group -pid if pid < 0. */
WR_API int wr_kill(wr_System *sys, int32_t pid, int sig);

/* What the host can learn about a process. */
typedef struct wr_ProcInfo {
	int32_t pid, ppid, pgid, sid;
	char state;                 /* R runnable, S sleeping, T stopped, Z zombie */
	int nice;
	uint64_t fuel;              /* instructions executed */
	uint32_t pages;             /* memory, 64 KiB pages */
	uint64_t bytes_read, bytes_written;
	uint64_t start_ns;          /* system clock at creation */
	char name[32];
} wr_ProcInfo;

/* Returns WR_OK and *info, or WR_ESRCH. */
WR_API int wr_proc_status(wr_System *sys, int32_t pid, wr_ProcInfo *info);

/*
 * The process table as /task shows it (the data the guests' top reads): a
 * header line, then each task's status line, "pid ppid pgid state fuel
 * mem name" (state: new ready running sleeping stopped zombie), in pid
 * order. Writes at most cap bytes, NUL-terminated when cap > 0; *len (may
 * be NULL) gets the full length. WR_ENOMEM when cap is too small, WR_EIO
 * when the system has no /task.
 */
WR_API int wr_task_table(wr_System *sys, char *buf, size_t cap, size_t *len);

/* "SIGINT" for 2; NULL for an unknown number. */
WR_API const char *wr_signal_name(int sig);

/* ---- the host's side of a process's pipes (WR_STDIO_PIPE) ------------- */

/*
 * Feed fd 0 of process pid (spawned with stdio[0] = WR_STDIO_PIPE).
 * *written (may be NULL) gets the bytes taken: fewer than len, or 0 with
 * WR_EAGAIN, when the pipe is full (run the system, then offer the rest).
 * WR_ESRCH: no such process, or it has no host pipe on fd 0; WR_EOF: the
 * reading end is closed.
 */
WR_API int wr_proc_write(wr_System *sys, int32_t pid, const void *buf, size_t len,
			 size_t *written);
/* End of input on that pipe: the process reads EOF once it is drained. */
WR_API int wr_proc_close(wr_System *sys, int32_t pid);
/*
 * Take up to cap bytes the process wrote to fd (1 or 2, spawned with
 * WR_STDIO_PIPE).  WR_OK with *got > 0; WR_EAGAIN: nothing now; WR_EOF:
 * every writer is gone and the pipe is drained.  The host's ends outlive
 * the process: output can be read after its WR_EV_EXITED, and they are
 * freed once both streams reached WR_EOF (or with the system).
 */
WR_API int wr_proc_read(wr_System *sys, int32_t pid, int fd, void *buf, size_t cap,
			size_t *got);

/* ---- interfaces: message IPC (see docs/ipc.md) ------------------------ */

/*
 * Processes register as the handler of a named interface and others emit
 * messages to it (by path, resolved in the emitter's namespace: "kv" is
 * /srv/kv).  Each message gets at most one answer: ok (error 0) with a
 * body, or an error code with an optional body.  The host can be the
 * handler of an interface: a native handler in C.
 */
enum wr_msg_kind {
	WR_MSG_MESSAGE = 0,         /* a message from process pid */
	WR_MSG_DESTROYED = 1,       /* process pid, which had emitted to this
	                               interface, has ended (id 0, no body) */
};
typedef struct wr_Message {
	uint64_t id;                /* unique in the run, never 0 for a message */
	int kind;                   /* enum wr_msg_kind */
	int32_t pid;                /* the emitter */
	int needs_answer;           /* nonzero: the emitter waits for wr_answer */
	const char *interface;      /* its name */
	const uint8_t *body;        /* valid during the callback / in the caller's buffer */
	size_t len;
} wr_Message;

/*
 * A native handler, called inside wr_step when a message arrives.  It
 * returns WR_OK when it is done with the message (answered with
 * wr_answer inside the call, or no answer is needed), or WR_BLOCK to
 * answer later from the host's own loop with wr_answer(id).  It may call
 * wr_answer, wr_errmsg and wr_proc_status, nothing that runs the system.
 */
typedef int (*wr_HandlerFn)(void *ctx, wr_System *sys, const wr_Message *m);

/*
 * Serve interface `name` (1..63 bytes of [A-Za-z0-9._-]) from the host.
 * fn NULL: messages wait in the interface's queue and wr_step returns
 * WR_EV_MESSAGE; take them with wr_next_message.  WR_EEXIST if the name
 * has a handler (process or native), WR_EARG for a bad name.
 */
WR_API int wr_interface_register(wr_System *sys, const char *name, wr_HandlerFn fn,
				 void *ctx);
/* Stop serving it: every unanswered message is answered with an error. */
WR_API int wr_interface_unregister(wr_System *sys, const char *name);
/*
 * The next message queued for native interface `name` (NULL: any native
 * interface without a callback).  Its body is copied into buf and *m
 * points at it.  WR_EAGAIN: none; WR_ENOMEM: cap is below m->len (the
 * message stays queued; m->len says what is needed).
 */
WR_API int wr_next_message(wr_System *sys, const char *name, wr_Message *m, void *buf,
			   size_t cap);
/*
 * Answer message id delivered to a native handler: error 0 is ok, any
 * other value an error code the emitter sees (WASI errno values are
 * conventional).  An answer to a cancelled message, or one whose emitter
 * has ended, is dropped and still returns WR_OK.  WR_ENOENT: no such
 * message waiting for a native answer; WR_EARG: body over 64 KiB.
 */
WR_API int wr_answer(wr_System *sys, uint64_t id, int error, const void *body, size_t len);

/* ---- events, syscall trace and metrics --------------------------------- */

enum wr_record_type {
	WR_R_SPAWN = 0,             /* pid created by a = parent pid (0: the host), name */
	WR_R_EXEC,                  /* pid replaced its image with name */
	WR_R_EXIT,                  /* pid ended: a = wait status (Linux encoding) */
	WR_R_SIGNAL,                /* signal a sent to pid by b (0: kernel/host) */
	WR_R_BLOCK,                 /* pid went to sleep in call name */
	WR_R_WAKE,                  /* pid became runnable again */
	WR_R_REAP,                  /* pid's exit was collected by a (0: the host) */
	WR_R_SYSCALL,               /* pid called name(args...), result a (errno),
	                               b = fuel clock when the call began */
	WR_R_MESSAGE,               /* pid emitted message a to interface name */
	WR_R_ANSWER,                /* message a answered with error b by pid */
};
typedef struct wr_Record {
	uint64_t seq;               /* 0, 1, 2 ... over the run (a gap: records lost) */
	uint64_t clock;             /* fuel clock: instructions run by the system so far */
	uint64_t time_ns;           /* system clock */
	int type;                   /* enum wr_record_type */
	int32_t pid;
	int64_t a, b;
	uint64_t args[6];           /* SYSCALL: the raw arguments */
	int nargs;
	char name[40];              /* program, call ("fd_write") or interface */
} wr_Record;

/*
 * Take up to n records from the system's event ring, oldest first;
 * returns how many.  The ring holds wr_Config.max_events records; when it
 * is full new records are dropped and counted (wr_events_lost), never
 * silently: the next record drained after a loss has a gap in seq.
 */
WR_API size_t wr_events_drain(wr_System *sys, wr_Record *out, size_t n);
WR_API uint64_t wr_events_lost(const wr_System *sys);
/* Record every system call too (WR_R_SYSCALL), from now on (on != 0) or not. */
WR_API int wr_trace_syscalls(wr_System *sys, int on);
/*
 * One record as one line of text (no newline): "seq clock pid TYPE ...".
 * Returns the length it needs (snprintf-style); NUL-terminated if cap > 0.
 */
WR_API size_t wr_record_format(const wr_Record *r, char *buf, size_t cap);
/*
 * The system's metrics in the Prometheus text format: processes started,
 * running, ended by reason, fuel, messages, memory, events lost.  Same
 * contract as wr_task_table for buf, cap and *len.
 */
WR_API int wr_metrics(wr_System *sys, char *buf, size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
