/*
 * sys_impl.h - the system object (include/warren.h's wr_System), shared
 * by the files of src/sys: system.c (creation, programs, spawning,
 * stepping, the console and host streams), and the parts added beside it
 * (native interfaces, events and metrics).
 */
#ifndef WARREN_SYS_IMPL_H
#define WARREN_SYS_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "warren.h"
#include "base/alloc.h"

struct kern;
struct abi;
struct fs;
struct tty;
struct file;

#define HOST_FILE_MAX (1u << 30)

struct hostdev {
	struct wr_System *sys;
	int stream;
};

struct wr_System {
	struct kern *k;
	struct abi *abi;
	struct fs *devfs;
	struct tty *tty;
	struct file *stdin_r, *stdin_w;   /* the host input pipe (lazily made) */
	bool stdin_closed;
	struct hostdev dev[2];            /* /dev/hostout, /dev/hosterr */
	char **env;                       /* default environment (one block) */
	wr_OutputFn output;
	void *output_ctx;
	bool in_step;
	char errmsg[256];
};


#endif
