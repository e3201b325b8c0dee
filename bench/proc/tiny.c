/*
 * tiny.c - the small program both sides spawn.
 *
 *   tiny        exit 0 at once (the spawn benchmark)
 *   tiny read   block reading fd 0 first (an idle process), then exit 0
 *
 * Natively it is linked -static, so a spawn prices the kernel's exec and
 * not the dynamic loader; in warren the same source is a wasm command
 * module with a small stack (see proc.mk).
 */
#include <unistd.h>

int
main(int argc, char **argv)
{
	char b;

	(void)argv;
	if (argc > 1 && read(0, &b, 1) < 0)
		return 1;
	return 0;
}
