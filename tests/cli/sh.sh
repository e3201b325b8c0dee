# warren sh: the guest shell through init, with the host's streams.
. tests/cli/lib.bash

# The userland warren installs as /bin (by default the one next to it).
export WARREN_BIN=${WARREN_BIN:-$BUILD/guest/bin}
if [ ! -e "$WARREN_BIN/sh.wasm" ] || [ ! -e "$WARREN_BIN/init.wasm" ]; then
	echo "no userland in $WARREN_BIN (make all builds it)"
	exit 1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

expect 0 '^\[
cat
cp$' sh -c 'ls /bin | sort | head -3'
expect 0 '^hi$' sh -c 'printf hi | cat'
expect 0 '^x$' sh -c 'echo x > /tmp/a; cat /tmp/a'
expect 7 '^$' sh -c 'exit 7'
expect 137 'warren: sh: killed by SIGKILL' sh -c 'kill -9 $$'
expect 0 '^done 143$' sh -c 'sleep 5 & kill $!; wait $!; echo done $?'
expect 0 '^in$' sh -c cat <<<"in"

# stdout and stderr stay apart.
out=$($WARREN sh -c 'echo out; echo err >&2' 2>"$T/err")
if [ "$out" != out ] || [ "$(cat "$T/err")" != err ]; then
	echo "streams: stdout '$out', stderr '$(cat "$T/err")'"
	errors=$((errors + 1))
fi

# A reader that goes away ends warren as it would end a host process.
$WARREN sh -c yes | head -1 >/dev/null
rc=${PIPESTATUS[0]}
if [ "$rc" != 141 ]; then
	echo "warren sh -c yes | head -1: warren status $rc, want 141 (SIGPIPE)"
	errors=$((errors + 1))
fi

# A host script with arguments; host directories through --mount.
printf 'echo "script $1"\ncat /mnt/f\n' >"$T/s.sh"
echo "mounted" >"$T/f"
expect 0 '^script one
mounted$' sh --mount "$T:/mnt" "$T/s.sh" one
expect 127 'No such file' sh "$T/none.sh"
finish
