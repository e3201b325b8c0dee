# lib.bash - sourced by the CLI tests (tests/cli/*.sh).
# $WARREN is the command to test (possibly "valgrind ... build/warren"),
# $BUILD the build directory holding cli/*.wasm built from tests/cli/*.wat.
: "${WARREN:=build/warren}" "${BUILD:=build}"
W=$BUILD/cli
errors=0

# expect STATUS REGEX COMMAND...: run the warren CLI with COMMAND's
# arguments; its exit status must be STATUS and its output (stdout and
# stderr together) must match the extended REGEX.
expect() {
	local want=$1 re=$2 out rc
	shift 2
	# shellcheck disable=SC2086 # WARREN may hold a wrapper and options
	out=$($WARREN "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ] || ! grep -Eq -- "$re" <<<"$out"; then
		echo "warren $*"
		echo "  want: status $want, output matching /$re/"
		echo "  got:  status $rc, output:"
		sed 's/^/    /' <<<"$out"
		errors=$((errors + 1))
	fi
}

finish() {
	[ "$errors" = 0 ]
}
