# warren ps: the process table (/task) of a running warren, asked for by
# host pid and found without one.
. tests/cli/lib.bash

export WARREN_BIN=${WARREN_BIN:-$BUILD/guest/bin}
T=$(mktemp -d)
export TMPDIR=$T
bg=
trap '[ -n "$bg" ] && kill "$bg" 2>/dev/null; rm -rf "$T"' EXIT

# shellcheck disable=SC2086 # WARREN may hold a wrapper and options
$WARREN sh -c 'sleep 60 & sleep 50; echo finished' >"$T/bg.out" 2>&1 &
bg=$!
# The table file appears once the system runs (at most 20 s: valgrind).
for _ in $(seq 200); do
	[ -e "$T/warren-$bg.tasks" ] && break
	sleep 0.1
done
if [ ! -e "$T/warren-$bg.tasks" ]; then
	echo "no $T/warren-$bg.tasks from the running warren"
	errors=$((errors + 1))
fi

# Until the shell has started both sleeps.
for _ in $(seq 200); do
	# shellcheck disable=SC2086
	[ "$($WARREN ps "$bg" 2>/dev/null | grep -c ' sleep$')" = 2 ] && break
	sleep 0.1
done

# By host pid: a header naming it, init as pid 1, the shell and its sleeps.
expect 0 "^warren $bg: .*sh -c sleep 60" ps "$bg"
expect 0 '^ +1 +0 +1 +sleeping +[0-9]+ +[0-9]+ init$' ps "$bg"
expect 0 '^ +PID +PPID +PGID +STATE +FUEL +MEM +NAME$' ps "$bg"
expect 0 ' sleep
.* sleep$' ps "$bg"
# Without arguments: every running warren, this one among them.
expect 0 "^warren $bg: " ps
# Not a warren, not a pid.
expect 1 'not a running warren system' ps 1
expect 2 'usage: warren ps' ps x1

# The file goes when that warren ends, by a signal here (SIGTERM)
kill -TERM "$bg"
wait "$bg"
rc=$?
bg=
if [ "$rc" != 143 ]; then
	echo "the background warren: status $rc, want 143; output:"
	sed 's/^/    /' "$T/bg.out"
	errors=$((errors + 1))
fi
# ... or by its end.
expect 0 '^$' sh -c true
if ls "$T"/warren-*.tasks >/dev/null 2>&1; then
	echo "table files left behind: $(ls "$T")"
	errors=$((errors + 1))
fi
expect 0 '^$' ps
finish
