/*
 * file.h - open files, per-process fd tables, pipes and the console tty.
 *
 * The layering: an open file (struct file) is what an fd names. It is
 * refcounted and shared by dup and fork; it holds the offset and the status
 * flags. It is backed by a vnode (fs.h: regular files, directories,
 * devices, the console) or by one end of a pipe. A process's fd table
 * (struct fdtab, kern.h's p->fds) maps small integers to open files, with
 * a close-on-exec flag per fd.
 *
 * Conventions
 *  - Every int-returning call returns 0 (E_OK) or an errno.h code.
 *  - References: a call that hands back a struct file * hands back a new
 *    reference (drop it with file_unref). Arguments are borrowed; a callee
 *    that keeps one takes its own reference (fdtab_install, for instance:
 *    the caller still drops its own afterwards).
 *  - The caller of an I/O call passes a struct fs_io (fs.h) with opener =
 *    the calling struct proc * (or NULL for the host: no accounting, no
 *    signals, no job control) and nonblock = false (the file's own
 *    FILE_NONBLOCK flag is added here). Bytes moved are added to the
 *    process's rbytes / wbytes.
 *
 * Blocking (the ERESTART model of kern.h): a call that cannot make progress
 * returns E_BLOCK, having changed nothing, with io->chan set to the wait
 * channel. The abi layer then does `return kern_sleep(p, io.chan)` (E_BLOCK
 * -> VM_BLOCK) and the whole call is re-executed when the channel is woken.
 * A call that made some progress never blocks: it returns the short count.
 * Nonblocking files return E_AGAIN instead of E_BLOCK.
 *
 * Waiting on several files (poll_oneoff): file_poll() reports readiness
 * without consuming anything and, when nothing is ready, the one channel
 * that is woken on any change of that file's readiness (for reading or
 * writing: a pipe and the console each use a single channel for all their
 * state changes, so one channel per file is enough). The abi collects the
 * channels of every subscription and sleeps on all of them at once with
 * kern_sleep_many(p, chans, n, deadline); any wakeup re-executes
 * poll_oneoff, which polls again. Spurious wakeups are harmless.
 *
 * Single-threaded, like the kernel: no locks yet.
 */
#ifndef WARREN_KERN_FILE_H
#define WARREN_KERN_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/fs.h"

struct kern;
struct proc;
struct pipe;
struct tty;

/* ---- open files ------------------------------------------------------------ */

/*
 * Status flags of an open file. The low bits are WASI's fdflags, so the abi
 * passes them through fd_fdstat_get / fd_fdstat_set_flags unchanged; the
 * access mode sits above them.
 */
enum {
	FILE_APPEND = 1 << 0,    /* every write goes to the end */
	FILE_DSYNC = 1 << 1,     /* accepted and reported; memfs has nothing to sync */
	FILE_NONBLOCK = 1 << 2,  /* E_AGAIN instead of blocking */
	FILE_RSYNC = 1 << 3,
	FILE_SYNC = 1 << 4,
	FILE_FDFLAGS = 0x1f,     /* the WASI fdflags bits above */
	FILE_READ = 1 << 8,      /* opened for reading */
	FILE_WRITE = 1 << 9,     /* opened for writing */
};

enum file_kind {
	FILE_VNODE,   /* a vnode: regular file, directory, device, the console */
	FILE_PIPE,    /* one end of a pipe */
};

struct file {
	unsigned refs;
	enum file_kind kind;
	unsigned flags;            /* FILE_* */
	uint64_t off;              /* VNODE: the offset, shared by every fd naming this file */

	/*
	 * WASI rights as the abi last set them (fd_fdstat_set_rights may only
	 * clear bits). The files layer does not check them: access is decided
	 * by FILE_READ / FILE_WRITE. UINT64_MAX at creation: "not restricted".
	 */
	uint64_t rights_base, rights_inheriting;

	/* VNODE */
	struct vnode *vn;          /* referenced */
	unsigned oflags;           /* the FS_O_* flags of the open, for vn_close */

	/* PIPE */
	struct pipe *pipe;
	int end;                   /* 0 or 1 */
};

/* A piece of a scatter/gather request, in host memory (the abi has already
 * checked the guest's iovec against the memory bounds). */
struct file_iov {
	void *buf;
	size_t len;
};

/*
 * An open file on vnode vn, which the caller has opened with fs_open(...,
 * oflags, ...). flags: FILE_* status flags; the access mode is taken from
 * oflags (FS_O_READ / FS_O_WRITE). On success the file takes its own vnode
 * reference and owns the open: its last file_unref calls vn_close(vn,
 * oflags) and drops that reference; the caller drops its own vnode
 * reference as usual. On failure (E_NOMEM) nothing is taken: the caller
 * still owns the open and must vn_close it.
 */
int file_new_vnode(struct vnode *vn, unsigned oflags, unsigned flags, struct file **out);

/*
 * fs_open + file_new_vnode: opens path (relative to base, or ns's root for
 * an absolute path) with FS_O_* oflags and FILE_* status flags. Errors are
 * fs_open's (including E_BLOCK from a device's open hook) and E_NOMEM.
 */
int file_open(struct ns *ns, struct vnode *base, const char *path, size_t len,
	      unsigned oflags, unsigned flags, struct fs_io *io, struct file **out);

void file_ref(struct file *f);
/* Drops one reference; the last closes the file (the vnode's close hook,
 * or the pipe end: the peers are woken). NULL is a no-op. */
void file_unref(struct file *f);

/*
 * read / write at the file's offset (vnode files; the offset advances),
 * or on the stream (pipes, devices). *n gets the bytes moved; a short count
 * is success; a read of 0 bytes with len > 0 is end of file.
 * Regular files fill the iovecs in order; streams do one transfer (a pipe
 * write of at most FILE_PIPE_BUF bytes in all is atomic; a console read
 * returns at most one line). Errors: E_BADF (not open for that access),
 * E_ISDIR, E_AGAIN, E_BLOCK (see the top), E_PIPE (a pipe without readers:
 * the writer also gets SIGPIPE), E_IO (a background read of the console
 * with SIGTTIN ignored or blocked), and whatever the vnode answers.
 */
int file_readv(struct file *f, const struct file_iov *iov, size_t niov, size_t *n,
	       struct fs_io *io);
int file_writev(struct file *f, const struct file_iov *iov, size_t niov, size_t *n,
		struct fs_io *io);
/* One-buffer forms of the above. */
int file_read(struct file *f, void *buf, size_t len, size_t *n, struct fs_io *io);
int file_write(struct file *f, const void *buf, size_t len, size_t *n, struct fs_io *io);

/*
 * pread / pwrite at `off`; the file's offset is untouched. E_SPIPE on pipes
 * and the console; FILE_APPEND does not apply (POSIX leaves it open; Linux
 * appends, WASI implementations write at off: warren writes at off).
 */
int file_preadv(struct file *f, const struct file_iov *iov, size_t niov, uint64_t off,
		size_t *n, struct fs_io *io);
int file_pwritev(struct file *f, const struct file_iov *iov, size_t niov, uint64_t off,
		 size_t *n, struct fs_io *io);

/* whence for file_seek: WASI's numbering. */
enum { FILE_SEEK_SET = 0, FILE_SEEK_CUR = 1, FILE_SEEK_END = 2 };

/*
 * Moves the offset; *newoff (may be NULL) gets the result. E_SPIPE on
 * pipes and the console, E_INVAL for a bad whence or a negative result,
 * E_OVERFLOW past INT64_MAX.
 */
int file_seek(struct file *f, int64_t delta, int whence, uint64_t *newoff);

/* stat of the open file. Pipes: type VN_FIFO, dev 0, a per-pipe ino,
 * nlink 1, size 0, times of the pipe's creation. */
int file_stat(struct file *f, struct fs_stat *st);
/* ftruncate: E_BADF unless open for writing, E_INVAL on non-files. */
int file_truncate(struct file *f, uint64_t size);
/* futimens (flags: FS_ATIM...). Pipes: E_NOTSUP. */
int file_set_times(struct file *f, uint64_t atim, uint64_t mtim, unsigned flags);
/* fsync / fdatasync. Pipes: E_INVAL (as Linux). */
int file_sync(struct file *f);
/* Directory entries from cookie (fs.h's vn_readdir). E_NOTDIR otherwise. */
int file_readdir(struct file *f, uint64_t cookie, fs_dirent_fn fn, void *arg);
/*
 * fcntl(F_SETFL) / fd_fdstat_set_flags: replaces the WASI fdflags bits
 * (FILE_FDFLAGS) of f; the access mode is kept. E_INVAL for unknown bits.
 */
int file_set_flags(struct file *f, unsigned fdflags);

/*
 * Readiness for poll_oneoff: the subset of events (FS_POLLIN, FS_POLLOUT)
 * ready now, plus FS_POLLHUP when the other side of a pipe is gone (a read
 * then returns EOF, a write E_PIPE; both count as ready). Never consumes
 * anything. When the result has no requested event, io->chan is the
 * channel to sleep on (see the top). Regular files and directories are
 * always ready.
 */
unsigned file_poll(struct file *f, unsigned events, struct fs_io *io);

/* Whether f is the console (isatty, the WASI filetype of a tty). */
bool file_isatty(const struct file *f);
/* The file's type as stat would report it (VN_FIFO for pipes). */
enum vnode_type file_type(const struct file *f);

/* ---- fd tables ---------------------------------------------------------------- */

/* Per-fd flags (WASIX fd_fdflags_get/set: bit 0 = close-on-exec). */
enum { FD_CLOEXEC_FLAG = 1 };

#define FDTAB_DEFAULT_LIMIT 1024

struct fdent {
	struct file *f;            /* referenced; NULL: the fd is free */
	unsigned flags;            /* FD_CLOEXEC_FLAG */
};

/*
 * A table of fds, refcounted so that an rfork-like call could share one
 * between processes; fork copies it (fdtab_copy), exec unshares it
 * (fdtab_unshare) before fdtab_cloexec.
 */
struct fdtab {
	unsigned refs;
	uint32_t limit;            /* fds are 0..limit-1 (E_MFILE beyond) */
	uint32_t cap;              /* entries allocated (grows up to limit) */
	uint32_t used;             /* open fds */
	struct fdent *ent;
};

/* An empty table for fds 0..limit-1 (0: FDTAB_DEFAULT_LIMIT). NULL on
 * allocation failure. */
struct fdtab *fdtab_new(uint32_t limit);
/* A new table holding the same open files (each referenced once more) and
 * flags, with the same limit. NULL on allocation failure. */
struct fdtab *fdtab_copy(const struct fdtab *t);
void fdtab_ref(struct fdtab *t);
/* Drops one reference; the last closes every fd. NULL is a no-op. */
void fdtab_unref(struct fdtab *t);
/* exec: make *tp private to the caller (a copy if shared). E_NOMEM
 * leaves *tp unchanged. */
int fdtab_unshare(struct fdtab **tp);

/* The file at fd (borrowed: valid until the fd is closed), NULL if fd is
 * not open. */
struct file *fdtab_get(const struct fdtab *t, int32_t fd);

/*
 * Installs f at the lowest free fd >= min with per-fd flags (FD_CLOEXEC_FLAG)
 * and returns it in *fd. The table takes its own reference to f. E_MFILE if
 * no fd below the limit is free, E_INVAL if min < 0 or min >= limit (as
 * F_DUPFD), E_NOMEM.
 */
int fdtab_install(struct fdtab *t, struct file *f, int32_t min, unsigned flags, int32_t *fd);

/* close(fd): E_BADF if not open. */
int fdtab_close(struct fdtab *t, int32_t fd);

/* dup / F_DUPFD (min) / F_DUPFD_CLOEXEC (flags): a new fd >= min naming the
 * same open file. E_BADF, E_MFILE, E_INVAL, E_NOMEM. */
int fdtab_dup(struct fdtab *t, int32_t fd, int32_t min, unsigned flags, int32_t *newfd);

/*
 * POSIX dup2 (WASIX fd_renumber): newfd names fd's open file, closing what
 * it named before; its close-on-exec flag is cleared. fd == newfd: nothing
 * changes (E_BADF if fd is not open). E_BADF for a closed fd or newfd
 * outside 0..limit-1, E_NOMEM.
 */
int fdtab_dup2(struct fdtab *t, int32_t fd, int32_t newfd);

/* WASI preview1 fd_renumber: dup2(from, to) then close(from) (nothing when
 * from == to). E_BADF when from is not open or to is out of range. */
int fdtab_renumber(struct fdtab *t, int32_t from, int32_t to);

/* The per-fd flags (F_GETFD / F_SETFD). E_BADF; E_INVAL for unknown bits. */
int fdtab_getflags(const struct fdtab *t, int32_t fd, unsigned *flags);
int fdtab_setflags(struct fdtab *t, int32_t fd, unsigned flags);

/* exec: closes every fd marked close-on-exec. */
void fdtab_cloexec(struct fdtab *t);

/* ---- pipes ------------------------------------------------------------------ */

#define FILE_PIPE_CAP (64 * 1024)  /* bytes a pipe direction holds */
#define FILE_PIPE_BUF 4096         /* writes up to this size are atomic */

/*
 * A new pipe: *rd is open for reading, *wr for writing; POSIX semantics:
 * a read blocks while the pipe is empty and a writer exists and returns 0
 * (EOF) once none does; a write blocks while the pipe is full and a reader
 * exists; writes of at most FILE_PIPE_BUF bytes are atomic, larger ones
 * may be short; a write with no reader left fails with E_PIPE and sends
 * SIGPIPE to the writer (an empty write just returns 0, as on Linux). duplex: both ends read and write (WASIX fd_pipe's
 * ends are duplex: what one end writes the other reads), with the same
 * rules per direction. k: woken on every state change (may be NULL for a
 * pipe no process sleeps on). flags: FILE_NONBLOCK for both ends, or 0.
 * E_NOMEM.
 */
int pipe_new(struct kern *k, bool duplex, unsigned flags, struct file **rd, struct file **wr);

/* ---- the console tty ------------------------------------------------------- */

/*
 * The console: input comes from the host (tty_input), output goes to a
 * host callback or to a bounded buffer the host drains (tty_drain). One per
 * system, kept in k->console; the system registers it as /dev/console with
 * devfs_add(devfs, "console", VN_CHAR, &tty_vnode_ops, tty) and opens that
 * for the first process's stdin, stdout and stderr.
 *
 * Line discipline (mode TTY_ICANON): a read returns at most one line; the
 * erase characters (DEL 0x7f, BS 0x08) delete the last byte of the line
 * being typed, ^U the whole of it; ^D at the start of a line is end of file
 * (a read returns 0), elsewhere it ends the line without a newline; CR is
 * read as NL. With TTY_ISIG, ^C (0x03) sends SIGINT, ^\ (0x1c) SIGQUIT and
 * ^Z (0x1a) SIGTSTP to the foreground process group, and discard the line
 * being typed. TTY_ECHO echoes input to the output (off by default: the
 * host's terminal echoes). Without TTY_ICANON (raw) bytes are readable as
 * soon as they arrive and ^D is an ordinary byte.
 *
 * Job control: the console belongs to session k->console_sid (0: none) and
 * k->fg_pgid is its foreground group (0: none). A process of that session
 * outside the foreground group that reads the console gets SIGTTIN sent to
 * its group and its read blocks (woken when the foreground changes or it is
 * continued, it tries again); with SIGTTIN ignored or blocked the read
 * fails with E_IO. Writes from the background are allowed (no TOSTOP).
 */
enum {
	TTY_ICANON = 1 << 0,
	TTY_ECHO = 1 << 1,
	TTY_ISIG = 1 << 2,
	TTY_DEFAULT_MODE = TTY_ICANON | TTY_ISIG,
};

#define TTY_INBUF (16 * 1024)   /* bytes of typed-ahead input */
#define TTY_LINE_MAX 4096       /* a longer line is cut and delivered in pieces */
#define TTY_OUTBUF (64 * 1024)  /* output buffered for tty_drain */

extern const struct vnode_ops tty_vnode_ops;

/* A console for kernel k (the tty reads and writes k->fg_pgid and
 * k->console_sid and wakes sleepers through k), mode TTY_DEFAULT_MODE,
 * buffered output. NULL on allocation failure. */
struct tty *tty_new(struct kern *k);
/* Frees the console. Files still open on it must be closed first. */
void tty_free(struct tty *t);

/* Where output goes: fn(ctx, bytes, n) for every write (never blocks),
 * or, with fn NULL, the buffer tty_drain empties (writers block while it is
 * full). Switching to a callback first flushes the buffer through it. */
void tty_set_output(struct tty *t, void (*fn)(void *ctx, const void *buf, size_t n),
		    void *ctx);
/* Takes up to cap buffered output bytes; returns how many. */
size_t tty_drain(struct tty *t, void *buf, size_t cap);

/*
 * Host input (keystrokes, or the bytes of the host's stdin). Returns how
 * many bytes were taken: fewer than len when the input buffer is full (the
 * host offers the rest later). Signal characters are acted on as they are
 * taken.
 */
size_t tty_input(struct tty *t, const void *buf, size_t len);
/* The host's input is over (its stdin hit end of file): once the buffered
 * input is read, every read returns 0. */
void tty_input_eof(struct tty *t);
/* A signal the host's own terminal generated (the host got SIGINT for ^C):
 * discard the line being typed and send sig to the foreground group. */
void tty_signal(struct tty *t, int sig);

unsigned tty_mode(const struct tty *t);
void tty_set_mode(struct tty *t, unsigned mode);

/* The console becomes the controlling terminal of session sid, with
 * foreground group pgid (the system calls this for the first process). */
void tty_attach(struct tty *t, int32_t sid, int32_t pgid);

/*
 * tcsetpgrp on f from p: E_NOTTY unless f is the console and the console
 * belongs to p's session (a console with no session is attached to p's);
 * E_INVAL for pgid <= 0; E_PERM unless pgid is a live group of p's session.
 * From the background with SIGTTOU neither ignored nor blocked: SIGTTOU is
 * sent to p's group and E_BLOCK returned (io->chan set; retried when woken).
 */
int tty_setpgrp(struct file *f, struct proc *p, int32_t pgid, struct fs_io *io);
/* tcgetpgrp: E_NOTTY unless f is the console of p's session (or of none);
 * *pgid = the foreground group (0: none). */
int tty_getpgrp(struct file *f, struct proc *p, int32_t *pgid);

#endif
