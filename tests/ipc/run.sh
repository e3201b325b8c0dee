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
WARREN=${WARREN:-build/warren}
BUILD=${BUILD:-build}
INIT=$BUILD/guest/bin/init.wasm
TIMEOUT=${IPC_TEST_TIMEOUT:-120}
export WARREN_BIN=${WARREN_BIN:-$BUILD/guest/bin}
here=$(cd "$(dirname "$0")" && pwd)

pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for t in "$BUILD"/ipc/guest_*.wasm; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .wasm)
	out=$tmp/$name.out
	timeout -k 5 "$TIMEOUT" "$WARREN" run --mount "$BUILD/ipc:/t:ro" "$INIT" "/t/$name.wasm" \
		>"$out" 2>&1 </dev/null
	rc=$?
	p=$(grep -ac '^ok ' "$out")
	f=$(grep -ac '^FAIL ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $name: warren exited with $rc$([ "$rc" -eq 124 ] && echo ' (host timeout)')"
	fi
	if [ "${IPC_VERBOSE:-0}" = 1 ] || [ "$f" -ne 0 ]; then
		grep -av '^ok ' "$out" | sed 's/^/  /'
	fi
	echo "$name: $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
done

run_case() {
	local name=$1 script=$2 want=$3 want_status=$4
	printf '%s\n' "$script" >"$tmp/$name.sh"
	timeout -k 5 "$TIMEOUT" "$WARREN" sh "$tmp/$name.sh" </dev/null >"$tmp/out" 2>"$tmp/err"
	local status=$?
	printf '%s' "$want" >"$tmp/want"
	if cmp -s "$tmp/want" "$tmp/out" && [ "$status" = "$want_status" ]; then
		pass=$((pass + 1))
		[ "${IPC_VERBOSE:-0}" = 1 ] && echo "ok sh:$name"
		return
	fi
	fail=$((fail + 1))
	echo "FAIL sh:$name (status $status, want $want_status)"
	diff "$tmp/want" "$tmp/out" | head -20 | sed 's/^/  /'
	head -10 "$tmp/err" | sed 's/^/  stderr: /'
}

name=
section=
script=
want=
want_status=0
flush() {
	while [ "${want%$'\n\n'}" != "$want" ]; do want=${want%$'\n'}; done
	[ "$want" = $'\n' ] && want=
	[ -n "$name" ] && run_case "$name" "$script" "$want" "$want_status"
	name=
}
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	"=== "*) flush; name=${line#=== }; section=script; script=; want=; want_status=0; continue ;;
	"--- stdout") section=stdout; continue ;;
	"--- status "*) want_status=${line#--- status }; section=; continue ;;
	esac
	case $section in
	script) script+="${script:+$'\n'}$line" ;;
	stdout) want+="$line"$'\n' ;;
	esac
done <"$here/cases.txt"
flush

echo "ipc: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
