# scripts/cases.bash - what the suites' runners share (sourced by
# tests/sh/run.sh, tests/task/run.sh, tests/ipc/run.sh, guest/tests/run.sh).
#
# The runner owns the globals `pass` and `fail` (totals) and `tmp` (a
# scratch directory); these functions add to the totals.

# cases_guest_env: the settings of a suite that boots guest programs
# under init: WARREN (default build/warren), BUILD (build), INIT, and the
# userland exported as WARREN_BIN (default $BUILD/guest/bin).
cases_guest_env() {
	WARREN=${WARREN:-build/warren}
	BUILD=${BUILD:-build}
	INIT=$BUILD/guest/bin/init.wasm
	export WARREN_BIN=${WARREN_BIN:-$BUILD/guest/bin}
}

# cases_begin: the totals at 0 and a scratch directory $tmp, removed on exit.
cases_begin() {
	pass=0
	fail=0
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
}

# cases_count_program NAME OUT RC: counts a guest test program's "ok T" and
# "FAIL T: why" lines in the file OUT into the globals p and f.  A program
# that ended badly (exit status RC) without a FAIL line counts as one
# failure, said in a FAIL line.
cases_count_program() {
	local name=$1 out=$2 rc=$3
	p=$(grep -ac '^ok ' "$out")
	f=$(grep -ac '^FAIL ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $name: warren exited with $rc$([ "$rc" -eq 124 ] && echo ' (host timeout)')"
	fi
}

# cases_report_program NAME OUT VERBOSE [HIDE]: after cases_count_program,
# shows OUT's lines but those matching the grep pattern HIDE ('^ok ') when
# VERBOSE is 1 or anything failed, prints "NAME: p passed, f failed" and
# adds p and f to the totals.
cases_report_program() {
	local name=$1 out=$2 verbose=$3 hide=${4:-'^ok '}
	if [ "$verbose" = 1 ] || [ "$f" -ne 0 ]; then
		grep -av "$hide" "$out" | sed 's/^/  /'
	fi
	echo "$name: $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
}

# cases_read FILE: reads a case file and calls the runner's
#   run_case NAME TAGS SCRIPT INPUT WANT WANT_STATUS
# for each case.  The format (tests/sh/cases.txt):
#   === NAME [TAG...]       start of a case
#   script lines
#   --- stdin               optional: input fed to the shell
#   --- stdout              expected standard output (exact; trailing
#                           blank lines belong to the separator)
#   --- status N            expected exit status (default 0)
cases_read() {
	local line name= tags= section= script= input= want= want_status=0
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		"=== "*)
			cases_flush_
			set -- ${line#=== }
			name=$1
			shift
			tags="$*"
			section=script
			script=
			input=
			want=
			want_status=0
			continue
			;;
		"--- stdin") section=stdin; continue ;;
		"--- stdout") section=stdout; continue ;;
		"--- status "*) want_status=${line#--- status }; section=; continue ;;
		esac
		case $section in
		script) script+="${script:+$'\n'}$line" ;;
		stdin) input+="$line"$'\n' ;;
		stdout) want+="$line"$'\n' ;;
		esac
	done <"$1"
	cases_flush_
}

# The case read so far (cases_read's locals), run.
cases_flush_() {
	# The blank lines that separate cases are not part of the output.
	while [ "${want%$'\n\n'}" != "$want" ]; do want=${want%$'\n'}; done
	[ "$want" = $'\n' ] && want=
	[ -n "$name" ] && run_case "$name" "$tags" "$script" "$input" "$want" "$want_status"
	name=
}

# cases_run_script NAME SCRIPT WANT WANT_STATUS VERBOSE CMD...: writes
# SCRIPT to $tmp/NAME.sh, runs `CMD... $tmp/NAME.sh` and judges its
# standard output and status: "ok sh:NAME" (when VERBOSE is 1) or a
# "FAIL sh:NAME" line with the difference and the start of stderr.
cases_run_script() {
	local name=$1 script=$2 want=$3 want_status=$4 verbose=$5
	shift 5
	printf '%s\n' "$script" >"$tmp/$name.sh"
	"$@" "$tmp/$name.sh" </dev/null >"$tmp/out" 2>"$tmp/err"
	local status=$?
	printf '%s' "$want" >"$tmp/want"
	if cmp -s "$tmp/want" "$tmp/out" && [ "$status" = "$want_status" ]; then
		pass=$((pass + 1))
		[ "$verbose" = 1 ] && echo "ok sh:$name"
		return 0
	fi
	fail=$((fail + 1))
	echo "FAIL sh:$name (status $status, want $want_status)"
	diff "$tmp/want" "$tmp/out" | head -20 | sed 's/^/  /'
	head -10 "$tmp/err" | sed 's/^/  stderr: /'
}
