# bench/ipc/ipc.mk - `make bench-ipc` (also run by `make bench`): message
# round trips in warren (guest to guest through an interface, guest to a
# native handler, inline and queue-served) against Linux pipe and unix
# socket round trips, in the same run. Included by the top-level Makefile
# after bench/proc.mk, whose pipe benchmark (procs.c) gives the Linux
# baseline and warren's own pipe row.
#
# bench/ipc/rt.c is built twice: natively with gcc -O2 (the unix socket
# round trip) and for wasm32-wasi with the guest SDK (the handler and
# emitter guests). The driver links libwarren.a and sees only
# include/warren.h. No timing is a pass/fail criterion; BENCH_REPS sets the
# runs per row (default 3, best kept) and BENCH_IPC_ONLY picks rows (pipe
# unix wpipe guest-call guest-emit native-call native-queue guest-call-ev; the
# Linux pipe baseline always runs).

BENCH_IPC_DIR := $(BUILD)/bench/ipc
BENCH_IPC_BUILT := $(BENCH_IPC_DIR)/driver $(BENCH_IPC_DIR)/rt $(BENCH_IPC_DIR)/rt.wasm \
	$(PROC_DIR)/native $(PROC_DIR)/tiny $(PROC_DIR)/procs.wasm

.PHONY: bench-ipc bench-ipc-build bench-ipc-profile

bench-ipc: bench-ipc-build
	$(BENCH_IPC_DIR)/driver $(BENCH_IPC_DIR) $(PROC_DIR) $(BENCH_IPC_ONLY)

bench-ipc-build: deps $(BENCH_IPC_BUILT)

# Host instructions per round trip of one row, by function (callgrind,
# two runs, by difference): `make bench-ipc-profile BENCH_IPC_ROW=native-call`.
BENCH_IPC_ROW ?= guest-call
bench-ipc-profile: bench-ipc-build
	bench/ipc/profile.sh $(BENCH_IPC_DIR) $(PROC_DIR) $(BENCH_IPC_ROW)

# Part of `make bench`, after the process benchmarks, so no compiler and
# no other benchmark runs beside a measurement.
bench: bench-ipc
ifneq ($(filter bench,$(MAKECMDGOALS)),)
bench-ipc: | bench-proc
endif

$(BENCH_IPC_DIR)/rt: bench/ipc/rt.c bench/proc/timing.h
	@mkdir -p $(@D)
	$(PROC_NATIVE_CC) $(PROC_NATIVE_CFLAGS) -o $@ $<

$(BENCH_IPC_DIR)/rt.wasm: bench/ipc/rt.c bench/proc/timing.h guest/sdk/include/warren/ipc.h $(GSDK_LIB)
	@mkdir -p $(@D)
	$(GUEST_CC) $(PROC_GUEST_CFLAGS) -o $@ $< $(GUEST_LDFLAGS) -lwarren

$(BENCH_IPC_DIR)/driver.o: bench/ipc/driver.c bench/drv.h include/warren.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iinclude -c $< -o $@

$(BENCH_IPC_DIR)/driver: $(BENCH_IPC_DIR)/driver.o $(PROC_DIR)/drv.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_IPC_DIR)/driver.o $(PROC_DIR)/drv.o $(LIB_A) $(LIBS)
