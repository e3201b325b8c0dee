# warren trace: a run as a Chrome trace file, checked by tracecheck
# (tests/cli/tracecheck.c: strict JSON, Trace Event Format, balanced slices).
. tests/cli/lib.bash

export WARREN_BIN=${WARREN_BIN:-$BUILD/guest/bin}
CHECK=$BUILD/cli/tracecheck
if [ ! -x "$CHECK" ]; then
	echo "$CHECK missing (make test-cli builds it)"
	exit 1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# check FILE REGEX: tracecheck passes FILE and its summary matches REGEX.
check() {
	local out
	if ! out=$("$CHECK" "$1" 2>&1) || ! grep -Eq -- "$2" <<<"$out"; then
		echo "tracecheck $1: want /$2/, got:"
		sed 's/^/    /' <<<"$out"
		errors=$((errors + 1))
	fi
}

# sh: its output, its status, and what it wrote.
script='echo hi | cat; sleep 0.01; exit 3'
expect 3 '^hi
warren trace: .*/a\.json: [0-9]+ records \(0 system calls\), 0 lost$' \
	trace -o "$T/a.json" sh -c "$script" </dev/null
check "$T/a.json" '^events [0-9]+ processes [0-9]+ slices [0-9]+ syscalls 0 instants [0-9]+$'
check "$T/a.json" '^pid 1 name init \[1\]$'
check "$T/a.json" '^pid [0-9]+ name sh \[[0-9]+\]$'
check "$T/a.json" '^pid [0-9]+ name cat \[[0-9]+\]$'
grep -q '"name":"blocked in [a-z_]*"' "$T/a.json" || { echo "no blocked slice"; errors=$((errors + 1)); }
grep -q '"name":"exit 3"' "$T/a.json" || { echo "no exit 3 instant"; errors=$((errors + 1)); }

# Deterministic: the same run writes the same file.
expect 3 'hi' trace -o "$T/b.json" sh -c "$script" </dev/null
cmp -s "$T/a.json" "$T/b.json" || { echo "two traces of one run differ"; errors=$((errors + 1)); }

# --syscalls: one X slice per call; a signal death shows as such.
expect 143 'killed by SIGTERM
warren trace: .*: [0-9]+ records \([1-9][0-9]* system calls\), 0 lost$' \
	trace --syscalls -o "$T/c.json" --seed 7 sh -c 'echo x >/dev/null; kill $$' </dev/null
check "$T/c.json" 'syscalls [1-9][0-9]* '
grep -q '"name":"fd_write","cat":"syscall"' "$T/c.json" || { echo "no fd_write call"; errors=$((errors + 1)); }
grep -q '"name":"killed by SIGTERM"' "$T/c.json" || { echo "no SIGTERM death"; errors=$((errors + 1)); }

# A ring too small for a step's records: the loss is counted and marked.
expect 0 'warren trace: .*: [0-9]+ records \([0-9]+ system calls\), [1-9][0-9]* lost$' \
	trace --events 8 --syscalls -o "$T/l.json" sh -c 'echo a; echo b' </dev/null
check "$T/l.json" '^events '
grep -q '"name":"[0-9]* records lost","cat":"lost"' "$T/l.json" || { echo "no loss marked"; errors=$((errors + 1)); }
expect 2 'usage: warren trace' trace --events 0 sh -c true

# Messages: an arrow (flow) from the emitter to the handler that answered.
expect 0 'warren trace: ' trace -o "$T/m.json" sh -c 'kvd -c 1 & msg -w kv set a 1; wait' </dev/null
check "$T/m.json" '^pid [0-9]+ name kvd \[[0-9]+\]$'
grep -q '"name":"message 1 to kv"' "$T/m.json" || { echo "no message instant"; errors=$((errors + 1)); }
grep -q '"ph":"f",.*"id":1,"bp":"e"' "$T/m.json" || { echo "no message flow"; errors=$((errors + 1)); }

# A program from the host, with arguments.
E=$(cd "$WARREN_BIN" && pwd)/echo.wasm
expect 0 '^one two
warren trace: ' trace -o "$T/d.json" "$E" one two </dev/null
check "$T/d.json" '^pid 1 name echo(\.wasm)? \[1\]$'
# The default file, trace.json in the working directory.
if [ -x "$WARREN" ]; then
	W=$(cd "$(dirname "$WARREN")" && pwd)/$(basename "$WARREN")
	(cd "$T" && "$W" trace "$E" x </dev/null >/dev/null 2>&1)
	check "$T/trace.json" '^pid 1 name echo(\.wasm)? \[1\]$'
fi

# Usage and a file that cannot be written.
expect 2 'usage: warren trace' trace
expect 2 'usage: warren trace' trace -o
expect 1 'No such file or directory' trace -o "$T/none/x.json" sh -c true
finish
