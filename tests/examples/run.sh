#!/usr/bin/env bash
# tests/examples/run.sh - run each example host (examples/*.c, built into
# $BUILD/examples/) against its guests ($BUILD/examples/guests/) and the
# userland ($BUILD/guest/bin); each exits 0 when its guests' outcome is
# right, and (their systems being deterministic) prints the same on a
# second run.  Output is shown for failures only.  Prints
# "examples: N passed, N failed".  A host that needs no guests (demo) has
# its own suite (scripts/demo.sh) and is skipped here.
set -u
: "${BUILD:=build}"
pass=0
fail=0
out=
run() { # run NAME COMMAND...: $out keeps its output
	local name=$1 rc
	shift
	out=$(timeout 300 "$@" 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		echo "  [ok] $name"
	else
		fail=$((fail + 1))
		echo "  [FAILED] $name (status $rc)"
		sed 's/^/    /' <<<"$out" | tail -n 60
	fi
}
for host in kv-host game-loop; do
	if [ ! -x "$BUILD/examples/$host" ]; then
		echo "  [FAILED] $host: $BUILD/examples/$host missing (make all builds it)"
		fail=$((fail + 1))
		continue
	fi
	run "$host" "$BUILD/examples/$host" "$BUILD/examples/guests" "$BUILD/guest/bin"
	first=$out
	run "$host (again)" "$BUILD/examples/$host" "$BUILD/examples/guests" "$BUILD/guest/bin"
	if [ "$first" = "$out" ]; then
		pass=$((pass + 1))
		echo "  [ok] $host prints the same twice"
	else
		fail=$((fail + 1))
		echo "  [FAILED] $host prints the same twice:"
		diff <(echo "$first") <(echo "$out") | head -n 20 | sed 's/^/    /'
	fi
done
echo "examples: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
