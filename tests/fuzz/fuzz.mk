# tests/fuzz/fuzz.mk - `make fuzz` and `make fuzz-replay` (included by the
# top-level Makefile).
#
# fuzz: the harnesses built with clang -fsanitize=fuzzer,address,undefined
# over an engine compiled with coverage (fuzzer-no-link), each run for its
# share of FUZZ_SECONDS over its corpus (run.sh). New inputs that add
# coverage are merged into tests/fuzz/corpus/<harness>/, which is kept
# minimized; crashes, leaks and hangs are
# written to tests/fuzz/regressions/<harness>-* (rename them after the bug
# and commit them: `make test` replays them forever after).
#
# fuzz-replay (part of `make test`, and of `make check` under the
# sanitizers): the same harnesses built with $(CC) and the project's
# CFLAGS, without libFuzzer, fed every corpus and regression file.
#
# fuzz-seeds: rebuild the seed inputs (tests/fuzz/seeds/*.wat, the bench
# kernels, snapshot suspension points) into the corpus.

FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SRC := tests/fuzz
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -Wall -Wextra -O1 -g $(FUZZ_SAN) -Isrc -Iinclude -I$(FUZZ_DIR)
# The harnesses drive the engine alone: only src/vm is built with coverage.
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(wildcard src/vm/*.c src/base/*.c))
# libFuzzer options: -timeout catches hangs (the harnesses cap fuel, so ten
# seconds is generous), -rss_limit_mb catches runaway allocation.
FUZZ_OPTS ?= -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
FUZZ_HARNESSES := module snapshot

.PHONY: fuzz fuzz-build fuzz-replay fuzz-seeds $(FUZZ_HARNESSES:%=fuzz-run-%)

# ---- libFuzzer build ------------------------------------------------------

$(FUZZ_DIR)/obj/%.o: %.c $(wildcard src/vm/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/snapshot.wasm: $(FUZZ_SRC)/snapshot.wat
	@mkdir -p $(@D)
	wat2wasm -o $@ $<

# The fixed module of fuzz_snapshot.c, as C initializer text.
$(FUZZ_DIR)/snapshot.wasm.inc: $(FUZZ_DIR)/snapshot.wasm
	od -An -v -tx1 $< | sed -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' > $@

$(FUZZ_DIR)/fuzz_%: $(FUZZ_SRC)/fuzz_%.c $(FUZZ_LIB_OBJ) $(FUZZ_DIR)/snapshot.wasm.inc src/vm/vm.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJ) $(LIBS)

fuzz-build: $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/fuzz_%)

# The module harness gets three quarters of the time, snapshots the rest.
fuzz_secs_module = $$(( $(FUZZ_SECONDS) * 3 / 4 ))
fuzz_secs_snapshot = $$(( $(FUZZ_SECONDS) - $(FUZZ_SECONDS) * 3 / 4 ))

# run.sh fuzzes, then merges new finds into a minimized corpus.
$(FUZZ_HARNESSES:%=fuzz-run-%): fuzz-run-%: $(FUZZ_DIR)/fuzz_%
	@$(FUZZ_SRC)/run.sh $* $(fuzz_secs_$*) $(FUZZ_DIR) $(FUZZ_OPTS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@rc=0; for h in $(FUZZ_HARNESSES); do \
		$(MAKE) --no-print-directory fuzz-run-$$h || rc=1; done; exit $$rc

# ---- replay (make test) ---------------------------------------------------

$(FUZZ_DIR)/replay-%.o: $(FUZZ_SRC)/fuzz_%.c $(FUZZ_DIR)/snapshot.wasm.inc src/vm/vm.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isrc -Iinclude -I$(FUZZ_DIR) -DLLVMFuzzerTestOneInput=fuzz_$*_input \
		-c $< -o $@

$(FUZZ_DIR)/replay.o: $(FUZZ_SRC)/replay.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(FUZZ_DIR)/replay: $(FUZZ_DIR)/replay.o $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/replay-%.o) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB_A) $(LIBS)

fuzz-replay: $(FUZZ_DIR)/replay
	$(FUZZ_DIR)/replay $(FUZZ_SRC)

# ---- seeds ----------------------------------------------------------------

# Snapshot seeds: suspension points spread over the run, nothing damaged.
FUZZ_SNAP_SEEDS := 1 97 500 1234 3000 7777 12000 20000 31337 45000 60000 90000 120000 150000 166990 169999

fuzz-seeds: $(BENCH_WASM)
	@mkdir -p $(FUZZ_SRC)/corpus/module $(FUZZ_SRC)/corpus/snapshot
	@for w in $(FUZZ_SRC)/seeds/*.wat; do \
		b=$$(basename $$w .wat); \
		wat2wasm --enable-threads -o $(FUZZ_SRC)/corpus/module/seed-$$b.wasm $$w || exit 1; \
	done
	@for k in $(BENCH_NAMES); do \
		cp $(BENCH_DIR)/k_$$k.wasm $(FUZZ_SRC)/corpus/module/bench-k_$$k.wasm; done
	@for f in $(FUZZ_SNAP_SEEDS); do \
		printf "$$(printf '\\%03o\\%03o\\%03o\\000' $$((f & 255)) $$((f >> 8 & 255)) \
			$$((f >> 16)))" > $(FUZZ_SRC)/corpus/snapshot/seed-fuel-$$f; done
	@echo "fuzz-seeds: $$(ls $(FUZZ_SRC)/corpus/module | wc -l) module," \
		"$$(ls $(FUZZ_SRC)/corpus/snapshot | wc -l) snapshot inputs"
