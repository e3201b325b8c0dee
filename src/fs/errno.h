/*
 * errno.h - warren's error codes: WASI preview1's errno enum, numbered
 * exactly as WASI numbers it (wasi_snapshot_preview1 `errno`, u16), so a
 * value computed anywhere in src/ can be handed to a guest unchanged.
 *
 * One list, expanded twice: into enum fs_errno and into the message table
 * behind fs_strerror().  Add nothing in the middle: the numbers are ABI.
 *
 * E_BLOCK is warren-internal and never reaches a guest: "would block".
 * Whoever returns it has stored a wait channel in the struct fs_io the call
 * was given (fs.h); the kernel parks the process on that channel and
 * re-executes the whole call when it is woken (vm.h's BLOCK status).
 */
#ifndef WARREN_FS_ERRNO_H
#define WARREN_FS_ERRNO_H

#define FS_ERRNO_LIST(X)                                                 \
	X(E_OK, 0, "success")                                            \
	X(E_2BIG, 1, "argument list too long")                           \
	X(E_ACCES, 2, "permission denied")                               \
	X(E_ADDRINUSE, 3, "address in use")                              \
	X(E_ADDRNOTAVAIL, 4, "address not available")                    \
	X(E_AFNOSUPPORT, 5, "address family not supported")              \
	X(E_AGAIN, 6, "resource unavailable, try again")                 \
	X(E_ALREADY, 7, "connection already in progress")                \
	X(E_BADF, 8, "bad file descriptor")                              \
	X(E_BADMSG, 9, "bad message")                                    \
	X(E_BUSY, 10, "device or resource busy")                         \
	X(E_CANCELED, 11, "operation canceled")                          \
	X(E_CHILD, 12, "no child processes")                             \
	X(E_CONNABORTED, 13, "connection aborted")                       \
	X(E_CONNREFUSED, 14, "connection refused")                       \
	X(E_CONNRESET, 15, "connection reset")                           \
	X(E_DEADLK, 16, "resource deadlock would occur")                 \
	X(E_DESTADDRREQ, 17, "destination address required")            \
	X(E_DOM, 18, "mathematics argument out of domain of function")   \
	X(E_DQUOT, 19, "disk quota exceeded")                            \
	X(E_EXIST, 20, "file exists")                                    \
	X(E_FAULT, 21, "bad address")                                    \
	X(E_FBIG, 22, "file too large")                                  \
	X(E_HOSTUNREACH, 23, "host is unreachable")                      \
	X(E_IDRM, 24, "identifier removed")                              \
	X(E_ILSEQ, 25, "illegal byte sequence")                          \
	X(E_INPROGRESS, 26, "operation in progress")                     \
	X(E_INTR, 27, "interrupted function")                            \
	X(E_INVAL, 28, "invalid argument")                               \
	X(E_IO, 29, "i/o error")                                         \
	X(E_ISCONN, 30, "socket is connected")                           \
	X(E_ISDIR, 31, "is a directory")                                 \
	X(E_LOOP, 32, "too many levels of symbolic links")               \
	X(E_MFILE, 33, "file descriptor value too large")                \
	X(E_MLINK, 34, "too many links")                                 \
	X(E_MSGSIZE, 35, "message too large")                            \
	X(E_MULTIHOP, 36, "multihop attempted")                          \
	X(E_NAMETOOLONG, 37, "filename too long")                        \
	X(E_NETDOWN, 38, "network is down")                              \
	X(E_NETRESET, 39, "connection aborted by network")               \
	X(E_NETUNREACH, 40, "network unreachable")                       \
	X(E_NFILE, 41, "too many files open in system")                  \
	X(E_NOBUFS, 42, "no buffer space available")                     \
	X(E_NODEV, 43, "no such device")                                 \
	X(E_NOENT, 44, "no such file or directory")                      \
	X(E_NOEXEC, 45, "executable file format error")                  \
	X(E_NOLCK, 46, "no locks available")                             \
	X(E_NOLINK, 47, "link has been severed")                         \
	X(E_NOMEM, 48, "not enough space")                               \
	X(E_NOMSG, 49, "no message of the desired type")                 \
	X(E_NOPROTOOPT, 50, "protocol not available")                    \
	X(E_NOSPC, 51, "no space left on device")                        \
	X(E_NOSYS, 52, "function not supported")                         \
	X(E_NOTCONN, 53, "the socket is not connected")                  \
	X(E_NOTDIR, 54, "not a directory")                               \
	X(E_NOTEMPTY, 55, "directory not empty")                         \
	X(E_NOTRECOVERABLE, 56, "state not recoverable")                 \
	X(E_NOTSOCK, 57, "not a socket")                                 \
	X(E_NOTSUP, 58, "not supported")                                 \
	X(E_NOTTY, 59, "inappropriate i/o control operation")            \
	X(E_NXIO, 60, "no such device or address")                       \
	X(E_OVERFLOW, 61, "value too large to be stored in data type")   \
	X(E_OWNERDEAD, 62, "previous owner died")                        \
	X(E_PERM, 63, "operation not permitted")                         \
	X(E_PIPE, 64, "broken pipe")                                     \
	X(E_PROTO, 65, "protocol error")                                 \
	X(E_PROTONOSUPPORT, 66, "protocol not supported")                \
	X(E_PROTOTYPE, 67, "protocol wrong type for socket")             \
	X(E_RANGE, 68, "result too large")                               \
	X(E_ROFS, 69, "read-only file system")                           \
	X(E_SPIPE, 70, "invalid seek")                                   \
	X(E_SRCH, 71, "no such process")                                 \
	X(E_STALE, 72, "stale file handle")                              \
	X(E_TIMEDOUT, 73, "connection timed out")                        \
	X(E_TXTBSY, 74, "text file busy")                                \
	X(E_XDEV, 75, "cross-device link")                               \
	X(E_NOTCAPABLE, 76, "capabilities insufficient")                 \
	X(E_BLOCK, 1000, "would block: wait on the channel in the io context, then retry")

enum fs_errno {
#define FS_ERRNO_ENUM(name, value, msg) name = value,
	FS_ERRNO_LIST(FS_ERRNO_ENUM)
#undef FS_ERRNO_ENUM
};

/* The last WASI value; anything above it (E_BLOCK) must not reach a guest. */
#define E_WASI_MAX E_NOTCAPABLE

/*
 * The message for e ("no such file or directory").  Never NULL: an unknown
 * value gives "unknown error".  The string is static.
 */
const char *fs_strerror(int e);

/*
 * The name for e without its "E_" ("NOENT"), for traces and tests.
 * Never NULL: an unknown value gives "?".
 */
const char *fs_errname(int e);

#endif
