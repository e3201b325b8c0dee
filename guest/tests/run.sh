#!/usr/bin/env bash
# guest/tests/run.sh - run the guest tests inside warren.
#
# Each build/guest/tests/NAME.wasm is run in a fresh system, as the child
# of init (so that orphans have an init to go to):
#     warren run --mount build/guest/tests:/t:ro [OPTIONS] init.wasm /t/NAME.wasm
# with OPTIONS from the table below. A test program prints "ok T" or
# "FAIL T: why" per test; the lines are counted here. A program that ends
# badly without a FAIL line (a crash, a hang cut by the host timeout)
# counts as one failure. Closing line: "guest: N passed, N failed".
#
# Environment: WARREN (default build/warren), BUILD (build), GT_VERBOSE=1
# to show every line, GT_ONLY="proc signal" to run some programs only,
# GT_HOST_TIMEOUT seconds per program (300), WARREN_BIN ($BUILD/guest/bin).
set -u
. "$(dirname "$0")/../../scripts/cases.bash"
# The userland installed as /bin (warren's own default is next to its binary).
cases_guest_env
TESTS=$BUILD/guest/tests
TIMEOUT=${GT_HOST_TIMEOUT:-300}

# Per-program options: the limits tests run in a small system on purpose.
options() {
	case $1 in
	limits) echo "--procs 40 --mem 512 --fuel 300000000" ;;
	*) echo "" ;;
	esac
}

# Host bugs the tests found and that are not fixed yet: list test names in
# KNOWN_SKIP (skipped, and said so on every run) and grinder settings in
# KNOWN_ENV. Empty now: the memfs rename use-after-free the grinder found
# is fixed (regression: files:rename_over_existing_full_dir).
KNOWN_SKIP=""
KNOWN_ENV=""

pass=0
fail=0
for t in "$TESTS"/*.wasm; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .wasm)
	if [ -n "${GT_ONLY:-}" ] && ! grep -qw -- "$name" <<<"$GT_ONLY"; then
		continue
	fi
	out=$(mktemp)
	# shellcheck disable=SC2046
	timeout -k 5 "$TIMEOUT" "$WARREN" run $(options "$name") --env "GT_SKIP=$KNOWN_SKIP" \
		$KNOWN_ENV --mount "$TESTS:/t:ro" \
		"$INIT" "/t/$name.wasm" >"$out" 2>&1 </dev/null
	rc=$?
	grep -a '^skip ' "$out" | sed "s/^skip /skip $name:/;s/\$/ (known host bug, see run.sh)/"
	cases_count_program "$name" "$out" $rc
	cases_report_program "$name" "$out" "${GT_VERBOSE:-0}" '^ok \|^skip '
	rm -f "$out"
done
echo "guest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
