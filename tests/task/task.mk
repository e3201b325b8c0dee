# tests/task/task.mk - issue 4 inside warren (tests/task/run.sh): the guest
# test programs tests/task/guest_*.c (built like guest/tests, with gt.h)
# and the shell cases tests/task/cases.txt.  Needs guest/guest.mk first.

TASK_GSRC := $(wildcard tests/task/guest_*.c)
TASK_GTEST := $(TASK_GSRC:tests/task/%.c=$(BUILD)/task/%.wasm)

.PHONY: test-task

$(BUILD)/task/%.wasm: tests/task/%.c guest/tests/gt.h $(GSDK_LIB)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -Iguest/tests -MF $(BUILD)/task/$*.d -MT $@ -o $@ $< \
		$(GUEST_LDFLAGS) -lwarren

test-task: $(WARREN) $(GBIN) $(TASK_GTEST)
	@WARREN="$(WARREN)" BUILD=$(BUILD) tests/task/run.sh

-include $(TASK_GSRC:tests/task/%.c=$(BUILD)/task/%.d)
