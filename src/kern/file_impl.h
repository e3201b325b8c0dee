/*
 * file_impl.h - what file.c, fdtab.c, pipe.c and tty.c share among
 * themselves. Other layers use file.h.
 */
#ifndef WARREN_KERN_FILE_IMPL_H
#define WARREN_KERN_FILE_IMPL_H

#include "kern/file.h"

/* file.c */
/* A file of `kind` with refs 1 and unrestricted rights, or NULL. */
struct file *file_alloc(enum file_kind kind, unsigned flags);
/* Bytes in iov[0..niov), saturating at SIZE_MAX. */
size_t file_iov_total(const struct file_iov *iov, size_t niov);
/* The tty behind a console file, or NULL. */
struct tty *file_tty(const struct file *f);

/*
 * pipe.c: the FILE_PIPE side of file_readv/writev/poll/stat and of the
 * last file_unref. Access (FILE_READ/WRITE) is checked by the caller;
 * io->nonblock is already the file's effective mode. Contracts as in
 * file.h.
 */
int pipe_readv(struct file *f, const struct file_iov *iov, size_t niov, size_t *n,
	       struct fs_io *io);
int pipe_writev(struct file *f, const struct file_iov *iov, size_t niov, size_t *n,
		struct fs_io *io);
unsigned pipe_poll(struct file *f, unsigned events, struct fs_io *io);
void pipe_stat(const struct file *f, struct fs_stat *st);
/* One end's file is gone: wake the other side; free the pipe after both. */
void pipe_close(struct file *f);

#endif
