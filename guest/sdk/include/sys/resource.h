/*
 * <sys/resource.h> for warren guests: wasi-libc's header with process clocks
 * enabled. wasi-libc only offers a wall-clock emulation of them
 * (-lwasi-emulated-process-clocks); the guest SDK implements clock(),
 * times() and getrusage() on warren's process CPU-time clock instead,
 * which counts the fuel (instructions) the process has run.
 */
#ifndef WARREN_SDK_SYS_RESOURCE_H
#define WARREN_SDK_SYS_RESOURCE_H

#ifndef _WASI_EMULATED_PROCESS_CLOCKS
#define _WASI_EMULATED_PROCESS_CLOCKS 1
#endif

#include_next <sys/resource.h>

#endif
