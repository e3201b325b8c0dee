# warren sh on a terminal: the prompt, ^C to the foreground job only, ^Z
# and job control, exit status. Driven through a pseudo-terminal by
# script(1), with pauses between keystrokes.
. tests/cli/lib.bash

case $WARREN in *valgrind*) exit 0 ;; esac   # the pauses assume full speed
export WARREN_BIN=${WARREN_BIN:-$BUILD/guest/bin}
command -v script >/dev/null || { echo "script(1) missing"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

keys() {
	sleep 1; printf 'echo hello\r'
	sleep 1; printf 'sleep 30\r'
	sleep 1; printf '\003'
	sleep 1; printf 'echo back $?\r'
	sleep 1; printf 'sleep 30\r'
	sleep 1; printf '\032'
	sleep 1; printf 'jobs\r'
	sleep 1; printf 'kill -9 %%1\r'
	sleep 1; printf 'exit 3\r'
	sleep 1
}
# exec: warren must be the pty's only foreground process. A shell left
# waiting in between (dash, when SHELL is unset as under CI) also gets the
# ^C and ends with 130 once warren exits.
# timeout: a hang fails the test (status 124) instead of stopping the suite.
keys | SHELL=/bin/sh timeout 120 script -qefc "exec $WARREN sh" /dev/null >"$T/out" 2>&1
rc=$?
tr -d '\r' <"$T/out" >"$T/clean"
for want in '^hello$' '^back 130$' 'Stopped.*sleep 30'; do
	if ! grep -Eq "$want" "$T/clean"; then
		echo "no line matching /$want/ in:"
		sed 's/^/    /' "$T/clean"
		errors=$((errors + 1))
	fi
done
if [ "$rc" != 3 ]; then
	echo "status $rc (want 3)"
	errors=$((errors + 1))
fi
finish
