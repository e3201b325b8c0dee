# bench/bench.mk - `make bench` (included by the top-level Makefile).
#
# Each kernel in bench/kernels.h is built twice from the same source: into
# the native driver with gcc -O2, and into its own wasm module with
# clang -O2 (bulk memory on, so memcpy/memset become memory.copy/fill).
# The runner links the engine (libwarren.a) and drives both. Benchmarks
# never run as part of `make test`, and no timing is a pass/fail criterion.

BENCH_DIR := $(BUILD)/bench
BENCH_NAMES := fib sieve matmul sha256 mix memcpy memset
BENCH_NATIVE_CC ?= gcc
BENCH_NATIVE_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2
BENCH_WASM_CC ?= clang
BENCH_WASM_CFLAGS := --target=wasm32 -O2 -nostdlib -mbulk-memory -Wall -Wextra -Werror \
	-Wl,--no-entry
BENCH_WASM := $(BENCH_NAMES:%=$(BENCH_DIR)/k_%.wasm)

# The initial memory of each wasm build comes from its row in kernels.h.
bench_pages = $(shell sed -n 's/.*X($(1), *[0-9]*, *\([0-9]*\)).*/\1/p' bench/kernels.h)

.PHONY: bench bench-build

# BENCH_ONLY="fib sha256" runs some kernels; BENCH_REPS=n changes the repetitions.
bench: deps
	@$(MAKE) --no-print-directory bench-build
	$(BENCH_DIR)/runner $(BENCH_DIR) $(BENCH_ONLY)

# To price fuel, a second runner links an exec.c with fuel compiled out:
# derived from the real one by turning its CHECK_FUEL() into nothing and
# its `fuel -= x` charges into `(void)x`. Only built while exec.c still has
# those shapes; otherwise the runner says the measurement is unavailable.
BENCH_NOFUEL := $(if $(shell grep -s '^\#define CHECK_FUEL() ' src/vm/exec.c),$(BENCH_DIR)/runner-nofuel)

bench-build: $(BENCH_DIR)/runner $(BENCH_DIR)/native $(BENCH_WASM) $(BENCH_NOFUEL)

$(BENCH_DIR)/native: bench/native.c $(BENCH_NAMES:%=bench/k_%.c) bench/kernels.h
	@mkdir -p $(@D)
	$(BENCH_NATIVE_CC) $(BENCH_NATIVE_CFLAGS) -o $@ bench/native.c $(BENCH_NAMES:%=bench/k_%.c)

$(BENCH_DIR)/k_%.wasm: bench/k_%.c bench/kernels.h
	@mkdir -p $(@D)
	$(BENCH_WASM_CC) $(BENCH_WASM_CFLAGS) -Wl,--export=k_$* \
		-Wl,--initial-memory=$$(( $(call bench_pages,$*) * 65536 )) -o $@ $<

$(BENCH_DIR)/runner.o: bench/runner.c bench/kernels.h src/vm/vm.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isrc -Iinclude -c $< -o $@

$(BENCH_DIR)/runner: $(BENCH_DIR)/runner.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS)

$(BENCH_DIR)/nofuel/exec.c: src/vm/exec.c
	@mkdir -p $(@D)
	sed -e 's/^#define CHECK_FUEL() .*/#define CHECK_FUEL() do { } while (0)/' \
		-e 's/fuel -= /(void)/g' $< > $@

$(BENCH_DIR)/nofuel/exec.o: $(BENCH_DIR)/nofuel/exec.c
	$(CC) $(filter-out -Werror,$(CFLAGS)) -w -Isrc/vm -Isrc -Iinclude -c $< -o $@

# The runner needs the engine alone: src/vm's objects, with exec.o replaced,
# and src/base (the allocator) below it.
$(BENCH_DIR)/runner-nofuel: $(BENCH_DIR)/runner.o $(BENCH_DIR)/nofuel/exec.o \
		$(filter-out $(BUILD)/obj/src/vm/exec.o,$(filter $(BUILD)/obj/src/vm/% $(BUILD)/obj/src/base/%,$(LIB_OBJ)))
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
