# guest/guest.mk - the guest side, compiled to wasm with Debian's clang and
# wasi-libc: the SDK (build/guest/libwarren.a), the userland
# (build/guest/bin/NAME.wasm, installed by warren as /bin/NAME) and the
# guest tests (build/guest/tests/NAME.wasm, run by guest/tests/run.sh).
#
# A program is guest/bin/NAME.c plus, if the directory exists, every
# guest/bin/NAME/*.c (sh keeps its parts there). Programs see the SDK's
# headers ahead of wasi-libc's (-isystem guest/sdk/include) and link
# -lwarren before libc, so the SDK's memcpy/memset/memmove (bulk memory)
# and its replacements for wasi-libc's chdir/getcwd/fcntl/isatty win.

GUEST_CC ?= $(WASM_CC)
GUEST_AR ?= $(firstword $(shell command -v llvm-ar llvm-ar-14 2>/dev/null) llvm-ar)
GUEST_OPT ?= -O2
GUEST_CFLAGS := --target=wasm32-wasi --sysroot=/usr $(GUEST_OPT) -std=gnu11 \
	-Wall -Wextra -Werror -mbulk-memory -msign-ext -mnontrapping-fptoint \
	-isystem guest/sdk/include -MMD -MP
GUEST_LDFLAGS := --target=wasm32-wasi --sysroot=/usr -L$(BUILD)/guest -Wl,--strip-debug

GSDK_SRC := $(wildcard guest/sdk/src/*.c)
GSDK_OBJ := $(GSDK_SRC:guest/sdk/src/%.c=$(BUILD)/guest/obj/sdk/%.o)
GSDK_LIB := $(BUILD)/guest/libwarren.a
GBIN_SRC := $(wildcard guest/bin/*.c)
GBIN_NAMES := $(GBIN_SRC:guest/bin/%.c=%)
GBIN := $(GBIN_NAMES:%=$(BUILD)/guest/bin/%.wasm)
GTEST_SRC := $(wildcard guest/tests/*.c)
GTEST := $(GTEST_SRC:guest/tests/%.c=$(BUILD)/guest/tests/%.wasm)

.PHONY: guest-sdk guest-bin guest-tests test-guest
all: guest-bin
guest-sdk: $(GSDK_LIB)
guest-bin: $(GBIN)
guest-tests: $(GTEST)

$(BUILD)/guest/obj/sdk/%.o: guest/sdk/src/%.c
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GSDK_LIB): $(GSDK_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(GUEST_AR) rcs $@ $(GSDK_OBJ)

# A program's extra sources (guest/bin/NAME/*.c) are prerequisites too.
$(foreach p,$(GBIN_NAMES),$(eval $(BUILD)/guest/bin/$(p).wasm: \
	$(wildcard guest/bin/$(p)/*.c guest/bin/$(p)/*.h)))

# Dependency files live under obj/: warren installs every file of bin/.
$(BUILD)/guest/bin/%.wasm: guest/bin/%.c $(GSDK_LIB)
	@mkdir -p $(@D) $(BUILD)/guest/obj/bin
	$(GUEST_CC) $(GUEST_CFLAGS) -MF $(BUILD)/guest/obj/bin/$*.d -MT $@ -o $@ $< \
		$(wildcard guest/bin/$*/*.c) $(GUEST_LDFLAGS) -lwarren
	$(if $(filter test,$*),cp $@ '$(@D)/[.wasm')

$(BUILD)/guest/tests/%.wasm: guest/tests/%.c guest/tests/gt.h $(GSDK_LIB)
	@mkdir -p $(@D) $(BUILD)/guest/obj/tests
	$(GUEST_CC) $(GUEST_CFLAGS) -MF $(BUILD)/guest/obj/tests/$*.d -MT $@ -o $@ $< \
		$(GUEST_LDFLAGS) -lwarren

# The guest tests boot warren (build/warren run) once per test program.
test-guest: $(WARREN) $(GBIN) $(GTEST)
	@WARREN="$(WARREN)" BUILD=$(BUILD) guest/tests/run.sh

-include $(GSDK_OBJ:.o=.d) $(GBIN_NAMES:%=$(BUILD)/guest/obj/bin/%.d) \
	$(GTEST_SRC:guest/tests/%.c=$(BUILD)/guest/obj/tests/%.d)
