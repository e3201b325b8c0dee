# bench/proc.mk - `make bench-proc` (also run by `make bench`): warren's
# processes against Linux processes, the same operations in the same run.
# Included by the top-level Makefile after guest/guest.mk, whose SDK the
# guests link.
#
# bench/proc/procs.c and tiny.c are built twice from the same source:
# natively with gcc -O2 (tiny linked -static) and for wasm32-wasi with the
# guest SDK. The driver links libwarren.a and sees only include/warren.h.
# No timing is a pass/fail criterion; BENCH_IDLE sets the number of idle
# processes (default 500) and BENCH_PROC_ONLY picks operations (spawn fork
# pipe idle-fork idle-spawn).

PROC_DIR := $(BUILD)/bench/proc
PROC_NATIVE_CC ?= gcc
PROC_NATIVE_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2
# The guest flags without dependency files: their rules below list them.
PROC_GUEST_CFLAGS = $(filter-out -MMD -MP,$(GUEST_CFLAGS))
PROC_BUILT := $(PROC_DIR)/driver $(PROC_DIR)/native $(PROC_DIR)/tiny \
	$(PROC_DIR)/procs.wasm $(PROC_DIR)/tiny.wasm

.PHONY: bench-proc bench-proc-build

bench-proc: bench-proc-build
	$(PROC_DIR)/driver $(PROC_DIR) $(BENCH_PROC_ONLY)

bench-proc-build: deps $(PROC_BUILT)

# Part of `make bench`; there it waits until the kernel benchmarks are
# built, so no compiler runs beside a measurement.
bench: bench-proc
ifneq ($(filter bench,$(MAKECMDGOALS)),)
bench-proc: | bench-build
endif

$(PROC_DIR)/native: bench/proc/procs.c bench/proc/timing.h
	@mkdir -p $(@D)
	$(PROC_NATIVE_CC) $(PROC_NATIVE_CFLAGS) -o $@ $<

$(PROC_DIR)/tiny: bench/proc/tiny.c
	@mkdir -p $(@D)
	$(PROC_NATIVE_CC) $(PROC_NATIVE_CFLAGS) -static -o $@ $<

$(PROC_DIR)/%.wasm: bench/proc/%.c bench/proc/timing.h $(GSDK_LIB)
	@mkdir -p $(@D)
	$(GUEST_CC) $(PROC_GUEST_CFLAGS) -o $@ $< $(GUEST_LDFLAGS) -lwarren

$(PROC_DIR)/driver.o: bench/proc/driver.c bench/drv.h include/warren.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iinclude -c $< -o $@

# What the host-side drivers share (bench/ipc/ipc.mk links it too).
$(PROC_DIR)/drv.o: bench/drv.c bench/drv.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(PROC_DIR)/driver: $(PROC_DIR)/driver.o $(PROC_DIR)/drv.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(PROC_DIR)/driver.o $(PROC_DIR)/drv.o $(LIB_A) $(LIBS)
