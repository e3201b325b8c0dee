# tests/task/task.mk - issue 4 inside warren (tests/task/run.sh): the guest
# test programs tests/task/guest_*.c (built like guest/tests, with gt.h)
# the shell cases tests/task/cases.txt and the replay of the ctl fuzz
# corpus.  Needs guest/guest.mk first.

TASK_GSRC := $(wildcard tests/task/guest_*.c)
TASK_GTEST := $(TASK_GSRC:tests/task/%.c=$(BUILD)/task/%.wasm)

.PHONY: test-task

$(BUILD)/task/%.wasm: tests/task/%.c guest/tests/gt.h $(GSDK_LIB)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -Iguest/tests -MF $(BUILD)/task/$*.d -MT $@ -o $@ $< \
		$(GUEST_LDFLAGS) -lwarren

test-task: $(WARREN) $(GBIN) $(TASK_GTEST) $(BUILD)/task/fuzz/replay-ctl
	@WARREN="$(WARREN)" BUILD=$(BUILD) tests/task/run.sh

-include $(TASK_GSRC:tests/task/%.c=$(BUILD)/task/%.d)

# ---- the ctl fuzz harness (tests/task/fuzz_ctl.c) ----------------------------
#
# fuzz-ctl: libFuzzer over ctl writes against a live process table, for
# FUZZ_CTL_SECONDS; new inputs that add coverage are merged into
# tests/task/corpus/ (commit them).  The replay (part of test-task, hence
# of `make test` and `make check`) runs every corpus file through the same
# harness built with the project's flags.

TASK_FUZZ := $(BUILD)/task/fuzz
TASK_FUZZ_CC ?= clang
FUZZ_CTL_SECONDS ?= 60
TASK_INC := $(patsubst tests/task/fuzz/%.wat,$(TASK_FUZZ)/%.wasm.inc,$(wildcard tests/task/fuzz/*.wat))
TASK_FUZZ_CFLAGS := -std=c11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -Isrc -Iinclude -I$(TASK_FUZZ)
TASK_FUZZ_OBJ := $(LIB_SRC:%.c=$(TASK_FUZZ)/obj/%.o)

.PHONY: fuzz-ctl

$(TASK_FUZZ)/%.wasm.inc: tests/task/fuzz/%.wat
	@mkdir -p $(@D)
	wat2wasm -o $(TASK_FUZZ)/$*.wasm $<
	od -An -v -tx1 $(TASK_FUZZ)/$*.wasm | sed -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' > $@

$(TASK_FUZZ)/replay-ctl: tests/task/replay_ctl.c tests/task/fuzz_ctl.c $(TASK_INC) $(LIB_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc -Iinclude -I$(TASK_FUZZ) \
		-DLLVMFuzzerTestOneInput=fuzz_ctl_input -o $@ tests/task/replay_ctl.c \
		tests/task/fuzz_ctl.c $(LIB_A) $(LIBS)

$(TASK_FUZZ)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(TASK_FUZZ_CC) $(TASK_FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(TASK_FUZZ)/fuzz-ctl: tests/task/fuzz_ctl.c $(TASK_FUZZ_OBJ) $(TASK_INC)
	$(TASK_FUZZ_CC) $(TASK_FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ tests/task/fuzz_ctl.c \
		$(TASK_FUZZ_OBJ) $(LIBS)

fuzz-ctl: $(TASK_FUZZ)/fuzz-ctl
	@mkdir -p $(TASK_FUZZ)/new tests/task/corpus
	$(TASK_FUZZ)/fuzz-ctl -max_total_time=$(FUZZ_CTL_SECONDS) -timeout=10 -rss_limit_mb=2048 \
		-dict=tests/task/ctl.dict $(TASK_FUZZ)/new tests/task/corpus
	$(TASK_FUZZ)/fuzz-ctl -merge=1 tests/task/corpus $(TASK_FUZZ)/new
