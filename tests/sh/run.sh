#!/usr/bin/env bash
# tests/sh/run.sh - the shell's cases, each run as `sh -c SCRIPT` and judged
# by its standard output and exit status.
#
#   tests/sh/run.sh [--native SH] [CASES_FILE] [NAME...]
#
# By default each case boots warren ($WARREN, default build/warren) with
# `warren sh -c SCRIPT` (`warren sh FILE` for a script of several lines),
# so the shell runs as a guest process on warren's kernel.  --native SH runs a natively built shell instead (a quick check
# of the language; cases marked `warren` are skipped there since they look
# at warren's own file system).
#
# Case file format (tests/sh/cases.txt):
#   === NAME [warren] [native]     start of a case (tags limit where it runs)
#   script lines
#   --- stdin                      optional: input fed to the shell
#   --- stdout                     expected standard output (exact; trailing
#                                  blank lines belong to the separator)
#   --- status N                   expected exit status (default 0)
# Then (warren mode, all cases) tests/sh/interactive.py drives `warren sh`
# on a pseudo-terminal for ^C, ^Z, fg, bg and jobs.  The closing line is
# "sh: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/cases.bash"
mode=warren
native=
if [ "${1:-}" = --native ]; then
	mode=native
	native=$2
	shift 2
fi
cases=$here/cases.txt
if [ $# -gt 0 ] && [ -f "$1" ]; then
	cases=$1
	shift
fi
only=("$@")
WARREN=${WARREN:-build/warren}
TIMEOUT=${SH_TEST_TIMEOUT:-30}

if [ $mode = warren ] && [ ! -x "$WARREN" ]; then
	echo "sh: $WARREN not built"
	echo "sh: 0 passed, 1 failed"
	exit 1
fi

cases_begin

run_case() {
	local name=$1 tags=$2 script=$3 input=$4 want=$5 want_status=$6
	if [ ${#only[@]} -gt 0 ]; then
		local hit=0 o
		for o in "${only[@]}"; do [ "$o" = "$name" ] && hit=1; done
		[ $hit = 1 ] || return 0
	fi
	case " $tags " in
	*" warren "*) [ $mode = warren ] || return 0 ;;
	esac
	case " $tags " in
	*" native "*) [ $mode = native ] || return 0 ;;
	esac
	printf '%s' "$input" >"$tmp/in"
	if [ $mode = warren ] && [ "${script#*$'\n'}" != "$script" ]; then
		# Guest argv travels '\n'-separated (WASIX proc_exec), so a
		# script of several lines goes in as a file, copied into /tmp.
		printf '%s\n' "$script" >"$tmp/$name.sh"
		timeout "$TIMEOUT" "$WARREN" sh "$tmp/$name.sh" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
	elif [ $mode = warren ]; then
		timeout "$TIMEOUT" "$WARREN" sh -c "$script" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
	else
		(cd "$tmp" && timeout "$TIMEOUT" "$native" -c "$script" <"$tmp/in" >"$tmp/out" 2>"$tmp/err")
	fi
	local status=$?
	printf '%s' "$want" >"$tmp/want"
	if cmp -s "$tmp/want" "$tmp/out" && [ "$status" = "$want_status" ]; then
		pass=$((pass + 1))
		return 0
	fi
	fail=$((fail + 1))
	echo "FAIL $name (status $status, want $want_status)"
	echo "--- script"
	printf '%s\n' "$script"
	echo "--- diff (want, got)"
	diff "$tmp/want" "$tmp/out" | head -20
	if [ -s "$tmp/err" ]; then
		echo "--- stderr"
		head -10 "$tmp/err"
	fi
}

cases_read "$cases"

# Job control at a terminal: a pty-driven session (needs python3).
if [ $mode = warren ] && [ ${#only[@]} -eq 0 ]; then
	if command -v python3 >/dev/null 2>&1; then
		timeout 300 python3 "$here/interactive.py" "$WARREN" >"$tmp/tty" 2>&1
		rc=$?
		cat "$tmp/tty"
		line=$(grep -E '^sh-tty: [0-9]+ passed, [0-9]+ failed' "$tmp/tty")
		if [ -n "$line" ]; then
			set -- $line
			pass=$((pass + $2))
			fail=$((fail + $4))
		elif [ $rc -ne 0 ]; then
			fail=$((fail + 1))
		fi
	else
		echo "sh: python3 missing: interactive session skipped"
	fi
fi

echo "sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
