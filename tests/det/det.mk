# tests/det/det.mk - the determinism test (make test-det): tests/det/det.c,
# built on include/warren.h alone, runs a shell workload from the guest
# userland twice in a deterministic system and compares the event logs
# and outputs byte for byte.  Needs guest/guest.mk first ($(GBIN)).

DET := $(BUILD)/det/det

.PHONY: test-det

$(DET): $(BUILD)/obj/tests/det/det.o $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS)

$(BUILD)/obj/tests/det/det.o: tests/det/det.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -Iinclude -c $< -o $@

test-det: $(DET) $(GBIN)
	$(DET) $(BUILD)/guest/bin -o $(BUILD)/det/events.log

-include $(BUILD)/obj/tests/det/det.d
