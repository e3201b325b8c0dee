# warren - plain GNU make.  See README.md for the targets.
#
# One Makefile serves the normal and the sanitizer build: BUILD names the
# output directory and SAN=1 adds the sanitizers (`make check` sets both).

BUILD ?= build
SAN ?=
CC ?= cc
AR ?= ar
WASM_CC ?= clang
TESTSUITE ?= ../shared/wasm-testsuite
VALGRIND ?= valgrind --quiet --leak-check=full --error-exitcode=1

# CFLAGS carries everything, so the bench/fuzz fragments can use it as is.
OPT ?= -O2 -g
CFLAGS := -std=c11 -Wall -Wextra -Werror $(OPT) -fPIC -fvisibility=hidden
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ifeq ($(SAN),1)
CFLAGS += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif
DEPFLAGS = -MMD -MP
LIBS := -lm

# Guests: no WASI layer yet, so no libc at run time; -mbulk-memory turns
# the memset/memcpy that clang emits into memory.fill/copy, which also
# need no libc.
WASM_CFLAGS := --target=wasm32-wasi --sysroot=/usr -O2 -mbulk-memory -nostdlib \
	-Wl,--no-entry -Wl,--export-dynamic

LIB_SRC := $(wildcard src/base/*.c src/vm/*.c src/fs/*.c src/kern/*.c src/abi/*.c src/sys/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := tests/unit_main.c $(sort $(wildcard tests/test_*.c tests/*/test_*.c tests/*/*/test_*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)
SPEC_SRC := $(wildcard tests/spec/*.c)
SPEC_OBJ := $(SPEC_SRC:%.c=$(BUILD)/obj/%.o)
CLI_SRC := $(wildcard tools/warren/*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
EX_SRC := $(wildcard examples/*.c)
EX_BIN := $(EX_SRC:examples/%.c=$(BUILD)/examples/%)
GUEST_SRC := $(wildcard examples/guests/*.c)
GUEST_WASM := $(GUEST_SRC:examples/guests/%.c=$(BUILD)/guests/%.wasm)
CLI_WAT := $(wildcard tests/cli/*.wat)
CLI_WASM := $(CLI_WAT:tests/cli/%.wat=$(BUILD)/cli/%.wasm)

LIB_A := $(BUILD)/libwarren.a
LIB_SO := $(BUILD)/libwarren.so
WARREN := $(BUILD)/warren
UNIT := $(BUILD)/unit-tests
SPEC := $(BUILD)/spec-runner

export BUILD SAN

.PHONY: all lib test check bench fuzz valgrind demo clean deps \
	test-build test-unit test-spec test-fuzz test-cli test-demo guests spec
.DEFAULT_GOAL := all

all: $(LIB_A) $(LIB_SO) $(WARREN) $(EX_BIN)
lib: $(LIB_A) $(LIB_SO)

# The library and its internal tests see src/; the CLI and the examples see
# only the public header, which proves warren.h is enough to drive warren.
$(BUILD)/obj/src/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -Iinclude -Isrc -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -Iinclude -Isrc -Itests -c $< -o $@

$(BUILD)/obj/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -Iinclude -c $< -o $@

$(BUILD)/obj/examples/%.o: examples/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -Iinclude -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(LIB_SO): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) -shared $(LDFLAGS) -o $@ $(LIB_OBJ) $(LIBS)

$(WARREN): $(CLI_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB_A) $(LIBS)

$(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS)

$(UNIT): $(UNIT_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(LIB_A) $(LIBS)

$(SPEC): $(SPEC_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(SPEC_OBJ) $(LIB_A) $(LIBS)

$(BUILD)/guests/%.wasm: examples/guests/%.c
	@mkdir -p $(@D)
	$(WASM_CC) $(WASM_CFLAGS) -o $@ $<

$(BUILD)/cli/%.wasm: tests/cli/%.wat
	@mkdir -p $(@D)
	wat2wasm --enable-all -o $@ $<

guests: $(GUEST_WASM)

deps:
	@scripts/deps.sh

# ---- tests: each suite is its own target so test-all.sh can run every
# one even when an earlier one fails, and sum their closing lines.

# '+' hands the jobserver to the make that test-all.sh starts per suite.
test: deps
	+@MAKE="$(MAKE)" scripts/test-all.sh test-build test-unit test-spec test-fuzz test-cli test-demo test-sh test-guest test-task test-ipc test-det test-examples

check:
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 test

# Everything `make` builds (the shared library too) counts as one test.
test-build: all
	@echo "build: 1 passed, 0 failed"

test-unit: $(UNIT)
	$(UNIT)

# run.sh skips, saying so, when the testsuite is absent (no ../shared).
spec test-spec: $(SPEC)
	tests/spec/run.sh $(TESTSUITE) $(BUILD)

test-cli: $(WARREN) $(CLI_WASM) $(GUEST_WASM)
	@WARREN="$(WARREN)" BUILD=$(BUILD) scripts/run-cli-tests.sh

test-demo: $(WARREN) $(EX_BIN) $(GUEST_WASM) guest-bin
	@BUILD=$(BUILD) scripts/demo.sh --test

demo: deps
	@$(MAKE) --no-print-directory all guests
	@BUILD=$(BUILD) scripts/demo.sh

valgrind: all $(UNIT) $(WARREN) $(EX_BIN) $(CLI_WASM) $(GUEST_WASM)
	$(VALGRIND) $(UNIT)
	@WARREN="$(VALGRIND) $(WARREN)" BUILD=$(BUILD) scripts/run-cli-tests.sh
	$(VALGRIND) $(BUILD)/examples/demo --test $(GUEST_WASM) $(BUILD)/valgrind.snap
	@rm -f $(BUILD)/valgrind.snap
	$(VALGRIND) $(BUILD)/examples/kv-host $(BUILD)/examples/guests $(BUILD)/guest/bin >/dev/null
	$(VALGRIND) $(BUILD)/examples/game-loop $(BUILD)/examples/guests $(BUILD)/guest/bin >/dev/null

# Optional fragments owned by the bench/fuzz work; targets appear when they do.
-include bench/bench.mk
-include tests/fuzz/fuzz.mk
-include guest/guest.mk
-include tests/task/task.mk
-include tests/det/det.mk
-include tests/ipc/ipc.mk
-include tests/sh/sh.mk
-include tests/cli/cli.mk
-include examples/examples.mk
-include bench/proc.mk
-include bench/ipc/ipc.mk

ifeq ($(wildcard tests/fuzz/fuzz.mk),)
test-fuzz:
	@echo "fuzz-replay: skipped (tests/fuzz/fuzz.mk missing)"
fuzz:
	@echo "fuzz: tests/fuzz/fuzz.mk missing" >&2; exit 1
else
test-fuzz: fuzz-replay
endif

ifeq ($(wildcard bench/bench.mk),)
bench:
	@echo "bench: bench/bench.mk missing" >&2; exit 1
endif

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(SPEC_OBJ:.o=.d) $(CLI_OBJ:.o=.d) \
	$(EX_SRC:examples/%.c=$(BUILD)/obj/examples/%.d)
