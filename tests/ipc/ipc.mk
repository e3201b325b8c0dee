# tests/ipc/ipc.mk - interface IPC inside warren (tests/ipc/run.sh): the
# guest test programs tests/ipc/guest_*.c (built like guest/tests, with
# gt.h) and the shell cases of tests/ipc/cases.txt (kvd, echod and msg).
# Needs guest/guest.mk first.

IPC_GSRC := $(wildcard tests/ipc/guest_*.c)
IPC_GTEST := $(IPC_GSRC:tests/ipc/%.c=$(BUILD)/ipc/%.wasm)

.PHONY: test-ipc

$(BUILD)/ipc/%.wasm: tests/ipc/%.c guest/tests/gt.h $(GSDK_LIB)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -Iguest/tests -MF $(BUILD)/ipc/$*.d -MT $@ -o $@ $< \
		$(GUEST_LDFLAGS) -lwarren

test-ipc: $(WARREN) $(GBIN) $(IPC_GTEST)
	@WARREN="$(WARREN)" BUILD=$(BUILD) tests/ipc/run.sh

-include $(IPC_GSRC:tests/ipc/%.c=$(BUILD)/ipc/%.d)
