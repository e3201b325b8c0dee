/*
 * unbind [-p PID] [OLD] NEW - undo a bind: without OLD the last bind at
 * NEW goes, with OLD only that member of the union at NEW.  The same
 * program as bind (bind.c), acting on the parent's namespace likewise.
 */
#define UNBIND 1
#include "bind.c"
