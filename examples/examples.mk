# examples/examples.mk - the examples' guests and their test suite.
#
# examples/*.c are hosts (built by the Makefile against libwarren, seeing
# include/ only).  Their guests are examples/guests/EXAMPLE/*.c, C programs
# built with the guest SDK (guest/guest.mk: wasi-libc, -lwarren, so
# <warren/ipc.h> and friends), and examples/guests/EXAMPLE/*.sh scripts,
# copied; both land in $(BUILD)/examples/guests/EXAMPLE/, where a host
# finds them by default (guests/ next to it).  examples/guests/*.c (the
# demo's primes) stay the Makefile's bare wasm modules.

EXG_SRC := $(wildcard examples/guests/*/*.c)
EXG_SH := $(wildcard examples/guests/*/*.sh)
EXG := $(EXG_SRC:examples/guests/%.c=$(BUILD)/examples/guests/%.wasm) \
	$(EXG_SH:examples/guests/%=$(BUILD)/examples/guests/%)

.PHONY: example-guests test-examples
all: example-guests
example-guests: $(EXG)

$(BUILD)/examples/guests/%.wasm: examples/guests/%.c $(GSDK_LIB)
	@mkdir -p $(@D) $(BUILD)/examples/obj/$(*D)
	$(GUEST_CC) $(GUEST_CFLAGS) -MF $(BUILD)/examples/obj/$*.d -MT $@ -o $@ $< \
		$(GUEST_LDFLAGS) -lwarren

$(BUILD)/examples/guests/%.sh: examples/guests/%.sh
	@mkdir -p $(@D)
	cp $< $@

# Each example host runs its guests and exits 0 when their outcome is right.
test-examples: $(EX_BIN) $(EXG) guest-bin
	@BUILD=$(BUILD) tests/examples/run.sh

-include $(EXG_SRC:examples/guests/%.c=$(BUILD)/examples/obj/%.d)
