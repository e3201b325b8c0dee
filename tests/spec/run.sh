#!/usr/bin/env bash
# run.sh SUITE_DIR BUILD_DIR [PATTERN...] - run the WebAssembly spec testsuite.
#
# Expects the runner binary at BUILD_DIR/spec-runner (the Makefile builds it
# from tests/spec/*.c and libwarren.a; SPEC_RUNNER overrides the path).
#
# Every SUITE_DIR/core/*.wast and SUITE_DIR/threads/*.wast (the latter with
# --enable-threads) is converted by wast2json into
# BUILD_DIR/spec/<core|threads>/<name>/ (again only when the .wast is newer
# than its .json) and run. PATTERNs (shell globs such as 'core/i32*' or
# '*table*') restrict the files. Prints one line per file and closes with
# "spec: N passed, N failed, N skipped"; exits 1 if anything failed.
#
# Environment: SPEC_VERBOSE=1 passes -v to the runner and shows every failure
# (otherwise at most SPEC_MAX_FAILS=20 failure lines per file);
# SPEC_TIMEOUT=seconds per file (default 300).
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 SUITE_DIR BUILD_DIR [PATTERN...]" >&2
	exit 2
fi
suite=$1
build=$2
shift 2
runner=${SPEC_RUNNER:-$build/spec-runner}
verbose=${SPEC_VERBOSE:-0}
maxfails=${SPEC_MAX_FAILS:-20}
limit=${SPEC_TIMEOUT:-300}

if [ ! -d "$suite" ]; then
	echo "spec testsuite: $suite not found, skipping"
	exit 0
fi
if ! command -v wast2json >/dev/null 2>&1; then
	echo "spec testsuite: wast2json not found (install wabt: scripts/deps.sh)" >&2
	exit 1
fi
if [ ! -x "$runner" ]; then
	echo "spec testsuite: runner $runner not built (make $runner)" >&2
	exit 1
fi
mkdir -p "$build/spec" || exit 1
out=$(cd "$build/spec" && pwd) || exit 1
runner=$(cd "$(dirname "$runner")" && pwd)/$(basename "$runner")
timeout_cmd=()
if command -v timeout >/dev/null 2>&1; then
	timeout_cmd=(timeout "$limit")
fi
runflags=()
if [ "$verbose" = 1 ]; then
	runflags=(-v)
fi

selected() {
	local p
	[ $# -eq 1 ] && return 0
	for p in "${@:2}"; do
		# shellcheck disable=SC2053
		[[ $1 == $p ]] && return 0
	done
	return 1
}

# convert REL DIR: wast2json REL (relative to the suite, so the JSON names the
# source as core/x.wast) into DIR, unless DIR already has a fresh conversion.
convert() {
	local rel=$1 dir=$2 name flags=()
	name=$(basename "$rel" .wast)
	if [ -f "$dir/$name.json" ] && [ ! "$suite/$rel" -nt "$dir/$name.json" ]; then
		return 0
	fi
	case $rel in threads/*) flags=(--enable-threads) ;; esac
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	if ! (cd "$suite" && wast2json "${flags[@]}" "$rel" -o "$dir/$name.json") 2>"$dir/wast2json.err"; then
		sed 's/^/    /' "$dir/wast2json.err"
		rm -f "$dir/$name.json"
		return 1
	fi
}

total_pass=0
total_fail=0
total_skip=0
for rel in $(cd "$suite" && ls core/*.wast threads/*.wast 2>/dev/null); do
	selected "$rel" "$@" || continue
	dir=$out/${rel%.wast}
	name=$(basename "$rel" .wast)
	if ! convert "$rel" "$dir"; then
		echo "$rel: wast2json failed"
		total_fail=$((total_fail + 1))
		continue
	fi
	log=$dir/run.log
	"${timeout_cmd[@]}" "$runner" "$dir/$name.json" "${runflags[@]}" >"$log" 2>&1
	rc=$?
	summary=$(grep -E '^.*: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
	body=$(grep -v -x -F -e "$summary" "$log")
	if [ "$verbose" = 1 ]; then
		[ -n "$body" ] && printf '%s\n' "$body"
	elif [ -n "$body" ]; then
		n=$(printf '%s\n' "$body" | wc -l)
		printf '%s\n' "$body" | head -n "$maxfails"
		if [ "$n" -gt "$maxfails" ]; then
			echo "    ... $((n - maxfails)) more lines in $log"
		fi
	fi
	if [ -z "$summary" ]; then
		case $rc in
		124) why="timed out after ${limit}s" ;;
		*) why="runner exited with status $rc" ;;
		esac
		echo "$rel: $why"
		total_fail=$((total_fail + 1))
		continue
	fi
	echo "$summary"
	read -r p f s < <(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/' <<<"$summary")
	if [ "$rc" -gt 1 ] && [ "$f" -eq 0 ]; then
		f=1   # a crash after the summary (e.g. while freeing) is a failure too
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
done
echo "spec: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
