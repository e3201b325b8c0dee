# tests/sh/sh.mk - the shell's cases (tests/sh/cases.txt).
#
# test-sh runs each case as `warren sh -c SCRIPT`: the shell is the guest
# build/guest/bin/sh.wasm on warren's kernel.  test-sh-native runs the
# same cases against a host build of the shell (quick checks of the
# language; with SAN=1 under the sanitizers).

SH_NATIVE := $(BUILD)/sh-native
SH_SRC := guest/bin/sh.c $(wildcard guest/bin/sh/*.c)

.PHONY: test-sh test-sh-native

test-sh: $(WARREN) guest-bin
	@WARREN="$(WARREN)" tests/sh/run.sh

$(SH_NATIVE): $(SH_SRC) $(wildcard guest/bin/sh/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(SH_SRC)

test-sh-native: $(SH_NATIVE)
	@tests/sh/run.sh --native $(SH_NATIVE)
