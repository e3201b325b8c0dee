#!/usr/bin/env bash
# test-all.sh TARGET... - run each test suite (a make target), even after
# one fails, and sum the "N passed, N failed" closing lines into one final
# line, bare ("N passed, N failed", nothing before it) so that a CI reader
# looking for the standard closing line finds exactly one.  A suite that
# exits non-zero without reporting a failure (a build error, a crash)
# counts as one failure, so nothing is silently green.
set -u
MAKE=${MAKE:-make}
total_pass=0
total_fail=0
bad=()
summary=()
for target in "$@"; do
	out=$(mktemp)
	echo "== $target"
	$MAKE --no-print-directory "$target" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	pass=0
	fail=0
	if [ -n "$line" ]; then
		pass=$(sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
		fail=$(sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
	fi
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		fail=1
	fi
	if [ "$fail" -ne 0 ]; then
		bad+=("$target")
	fi
	summary+=("$(printf '  %-14s %6d passed, %d failed' "$target" "$pass" "$fail")")
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
done
echo "== summary"
printf '%s\n' "${summary[@]}"
if [ "${#bad[@]}" -ne 0 ]; then
	echo "failing suites: ${bad[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
