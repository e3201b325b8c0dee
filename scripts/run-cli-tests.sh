#!/usr/bin/env bash
# run-cli-tests.sh - run every tests/cli/*.sh against $WARREN (which may be
# "valgrind ... build/warren") and print "cli: N passed, N failed".
# Each test script exits 0 on success; its output is shown only on failure.
set -u
: "${WARREN:=build/warren}" "${BUILD:=build}"
export WARREN BUILD
pass=0
fail=0
for t in tests/cli/*.sh; do
	[ -e "$t" ] || continue
	if out=$(bash "$t" 2>&1); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $t"
		sed 's/^/    /' <<<"$out"
	fi
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
