#!/usr/bin/env bash
# tests/task/run.sh - issue 4 inside warren: the guest test programs
# (build/task/guest_*.wasm, gt.h style: "ok T" / "FAIL T: why" lines) and
# the shell cases of tests/task/cases.txt (the format of tests/sh/run.sh:
# === NAME, script, --- stdout, --- status N).
#
# Each guest program boots a fresh warren under init, with a host box
# mounted read-only at /h for the hostile tests:
#   T/outside/secret        "SECRET" (must never be read)
#   T/box/etc/passwd        "INSIDE"
#   T/box/inner/file        "FILE", and links that try to leave:
#     up -> ../../outside/secret   abs -> /outside/secret   abs2 -> /etc/passwd
#     hostabs -> T/outside/secret  dotdots -> ../../../../../..
#     deep/up2 -> ../../../outside/secret
# Then the ctl fuzz corpus (tests/task/corpus/) through the harness.
# Closing line: "task: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/cases.bash"
cases_guest_env
TIMEOUT=${TASK_TEST_TIMEOUT:-120}
cases_begin

mkdir -p "$tmp/outside" "$tmp/box/etc" "$tmp/box/inner/deep"
echo -n SECRET >"$tmp/outside/secret"
echo -n INSIDE >"$tmp/box/etc/passwd"
echo -n FILE >"$tmp/box/inner/file"
ln -s ../../outside/secret "$tmp/box/inner/up"
ln -s /outside/secret "$tmp/box/inner/abs"
ln -s /etc/passwd "$tmp/box/inner/abs2"
ln -s "$tmp/outside/secret" "$tmp/box/inner/hostabs"
ln -s ../../../../../.. "$tmp/box/inner/dotdots"
ln -s ../../../outside/secret "$tmp/box/inner/deep/up2"

for t in "$BUILD"/task/guest_*.wasm; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .wasm)
	out=$tmp/$name.out
	timeout -k 5 "$TIMEOUT" "$WARREN" run --mount "$BUILD/task:/t:ro" --mount "$tmp/box:/h:ro" \
		"$INIT" "/t/$name.wasm" >"$out" 2>&1 </dev/null
	cases_count_program "$name" "$out" $?
	if grep -aq SECRET "$out"; then
		f=$((f + 1))
		echo "FAIL $name: the secret was read"
	fi
	cases_report_program "$name" "$out" "${TASK_VERBOSE:-0}"
done

# The shell cases.
run_case() {
	cases_run_script "$1" "$3" "$5" "$6" 0 timeout "$TIMEOUT" "$WARREN" sh --mount "$tmp/box:/h:ro"
}
cases_read "$here/cases.txt"

# The ctl fuzz corpus, replayed (tests/task/fuzz_ctl.c).
if [ -x "$BUILD/task/fuzz/replay-ctl" ]; then
	"$BUILD/task/fuzz/replay-ctl" "$here/corpus" >"$tmp/fz" 2>&1
	rc=$?
	line=$(grep -E '^ctl-fuzz: [0-9]+ passed, [0-9]+ failed' "$tmp/fz")
	if [ -n "$line" ] && [ "$rc" -eq 0 ]; then
		set -- $line
		pass=$((pass + $2))
		fail=$((fail + $4))
		echo "$line"
	else
		fail=$((fail + 1))
		echo "FAIL ctl-fuzz: the replay died (exit $rc)"
		tail -20 "$tmp/fz" | sed 's/^/  /'
	fi
fi

echo "task: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
