# tests/cli/cli.mk - what the CLI tests (tests/cli/*.sh) build besides
# warren: tracecheck, which checks a `warren trace` file (strict JSON by
# tests/spec/json.c, Trace Event Format, balanced slices).

TRACECHECK := $(BUILD)/cli/tracecheck

$(TRACECHECK): $(BUILD)/obj/tests/cli/tracecheck.o $(BUILD)/obj/tests/spec/json.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

test-cli valgrind: $(TRACECHECK)

-include $(BUILD)/obj/tests/cli/tracecheck.d
