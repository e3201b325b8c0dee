#!/usr/bin/env bash
# tests/ipc/run.sh - interface IPC inside warren: the guest test programs
# ($BUILD/ipc/guest_*.wasm, gt.h style: "ok T" / "FAIL T: why" lines),
# each in a fresh warren under init, then the shell cases of
# tests/ipc/cases.txt (the format of tests/sh/run.sh: === NAME, script,
# --- stdout, --- status N), each run as `warren sh FILE`.
# Closing line: "ipc: N passed, N failed".
#
# Environment: WARREN (build/warren), BUILD (build), IPC_VERBOSE=1 to show
# every line, IPC_TEST_TIMEOUT seconds per program or case (120).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/cases.bash"
cases_guest_env
TIMEOUT=${IPC_TEST_TIMEOUT:-120}
cases_begin

for t in "$BUILD"/ipc/guest_*.wasm; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .wasm)
	out=$tmp/$name.out
	timeout -k 5 "$TIMEOUT" "$WARREN" run --mount "$BUILD/ipc:/t:ro" "$INIT" "/t/$name.wasm" \
		>"$out" 2>&1 </dev/null
	cases_count_program "$name" "$out" $?
	cases_report_program "$name" "$out" "${IPC_VERBOSE:-0}"
done

run_case() {
	cases_run_script "$1" "$3" "$5" "$6" "${IPC_VERBOSE:-0}" timeout -k 5 "$TIMEOUT" "$WARREN" sh
}
cases_read "$here/cases.txt"

echo "ipc: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
