#!/usr/bin/env bash
# demo.sh [--test] - the demonstration behind `make demo`: the warren CLI
# and a small embedder (examples/demo.c) run a guest C program compiled to
# wasm: fuel slices, clone mid-run, snapshot to a file and restore, and bad
# modules rejected; then the OS: warren sh runs examples/os-demo.sh
# (pipelines, redirections, a background job killed, a fork tree, ps), and
# examples/task-demo.sh (processes made and controlled through /task,
# namespaces).  --test runs a smaller problem, for `make test`.
# Expects `make all guests` to have built $BUILD.
set -u
BUILD=${BUILD:-build}
WARREN=${WARREN:-$BUILD/warren}
GUEST=$BUILD/guests/primes.wasm
test=0
if [ "${1:-}" = --test ]; then
	test=1
fi
# pi(n), the known answers for the two problem sizes
if [ $test = 1 ]; then n=100000 want=9592; else n=400000 want=33860; fi
pass=0
fail=0

check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
		echo "  [ok] $what"
	else
		fail=$((fail + 1))
		echo "  [FAILED] $what"
	fi
}
show() { # echo a command, then run it, keeping its status
	echo "  \$ $*"
	"$@"
}

for f in "$WARREN" "$GUEST" "$BUILD/examples/demo"; do
	if [ ! -e "$f" ]; then
		echo "demo: $f is missing: run 'make all guests' first" >&2
		echo "demo: 0 passed, 1 failed"
		exit 1
	fi
done

echo "warren demo: examples/guests/primes.c, trial division in C,"
echo "compiled with clang to $GUEST ($(wc -c <"$GUEST") bytes)."
echo
echo "== the CLI: validate the module and list its exports"
out=$(show "$WARREN" check "$GUEST" 2>&1)
echo "$out" | sed 's/^./  &/'
check "warren check accepts the module" grep -q 'func count_primes i:i' <<<"$out"

echo
echo "== the CLI: call count_primes($n) in fuel slices of 1000000 instructions"
out=$(show "$WARREN" call --slice 1000000 --stats "$GUEST" count_primes $n 2>&1)
echo "$out" | sed 's/^./  &/'
check "the answer is pi($n) = $want" grep -qx "$want" <<<"$out"

echo
echo "== the CLI: a fuel limit stops a runaway computation"
out=$(show "$WARREN" call --fuel 1000000 "$GUEST" count_primes $n 2>&1)
rc=$?
echo "$out" | sed 's/^./  &/'
check "out of fuel: exit status 1" [ $rc = 1 ]

echo
echo "== the CLI: a truncated module is rejected, naming section and offset"
head -c 200 "$GUEST" >"$BUILD/demo-bad.wasm"
out=$(show "$WARREN" check "$BUILD/demo-bad.wasm" 2>&1)
rc=$?
echo "$out" | sed 's/^./  &/'
check "malformed module: exit status 2" [ $rc = 2 ]

echo
echo "== the embedder (examples/demo.c, uses only include/warren.h)"
args=()
if [ $test = 1 ]; then args=(--test); fi
out=$("$BUILD/examples/demo" "${args[@]}" "$GUEST" "$BUILD/demo.snap" 2>&1)
rc=$?
echo "$out" | sed -e '/^demo: /d' -e 's/^./  &/'
line=$(grep -E '^demo: [0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n 1)
if [ -n "$line" ]; then
	p=$(sed -E 's/demo: ([0-9]+) passed, ([0-9]+) failed/\1/' <<<"$line")
	f=$(sed -E 's/demo: ([0-9]+) passed, ([0-9]+) failed/\2/' <<<"$line")
	pass=$((pass + p))
	fail=$((fail + f))
fi
if [ $rc != 0 ] && { [ -z "$line" ] || [ "$f" = 0 ]; }; then
	fail=$((fail + 1))
fi
rm -f "$BUILD/demo.snap" "$BUILD/demo-bad.wasm"

echo
echo "== the operating system: warren sh runs examples/os-demo.sh"
echo "   (init, sh and every command are WebAssembly processes)"
if [ -e "$BUILD/guest/bin/sh.wasm" ]; then
	out=$(show "$WARREN" sh examples/os-demo.sh 2>&1)
	rc=$?
	echo "$out" | sed 's/^./  &/'
	check "the script exits 0" [ $rc = 0 ]
	check "a pipeline: seq 1 30 | grep 3 | wc -l prints 4" grep -qx '4' <<<"$out"
	check "ls /bin | sort | head -3 starts with [" grep -qx '\[' <<<"$out"
	check "redirections: the file reads back reversed" \
		bash -c 'grep -A1 -x world | grep -qx hello' <<<"$out"
	check "kill ends the background job with SIGTERM (143)" \
		grep -q 'ended with status 143' <<<"$out"
	check "a fork tree three deep" grep -q '^great-grandchild [0-9]' <<<"$out"
	check "ps lists init as pid 1" grep -qE '^ +1 +0 .* init$' <<<"$out"
	check "false sets \$? to 1" grep -qx 'status 1' <<<"$out"
else
	echo "  [FAILED] $BUILD/guest/bin/sh.wasm is missing"
	fail=$((fail + 1))
fi

echo
echo "== processes as files: warren sh runs examples/task-demo.sh"
if [ -e "$BUILD/guest/bin/sh.wasm" ]; then
	out=$(show "$WARREN" sh examples/task-demo.sh 2>&1)
	rc=$?
	echo "$out" | sed 's/^./  &/'
	check "the script exits 0" [ $rc = 0 ]
	check "a task made from files runs seq 3 and exits 0" \
		bash -c 'grep -A3 -x "exit 0" | grep -qx 3' <<<"$out"
	check "two tasks piped through fd ctl files count 42 lines" grep -qx 'lines: 42' <<<"$out"
	check "stop shows in the task's status" grep -qx 'state: stopped' <<<"$out"
	check "the killed task reports signal 9" grep -qx 'signal 9 SIGKILL' <<<"$out"
	check "a bad ctl message is echoed back" grep -qx "'renice 5': unknown verb" <<<"$out"
	check "bind -a makes a union directory" grep -qx 'greeting' <<<"$out"
	check "ns prints the namespace as binds" grep -qx 'bind -a /tmp/extra /bin' <<<"$out"
	check "a confined child sees only itself in /task" bash -c \
		'[[ "$(grep -A5 "^== a confined" | sed -n 3,6p | tr "\n" " ")" =~ ^[0-9]+\ new\ self\ == ]]' \
		<<<"$out"
	check "top shows the tasks" grep -q '^tasks: ' <<<"$out"
fi
echo
echo "== interface IPC from the shell: a key-value handler (kvd) and msg"
if [ -e "$BUILD/guest/bin/kvd.wasm" ]; then
	out=$(show "$WARREN" sh -c 'kvd & msg -w kv set color blue; msg kv get color; ls /srv; cat /srv/kv; msg kv get nothing; echo "status $?"; kill $!' 2>&1)
	rc=$?
	echo "$out" | sed 's/^./  &/'
	check "the answer comes back" grep -qx 'blue' <<<"$out"
	check "kv is listed under /srv" grep -qx 'kv' <<<"$out"
	check "an error answer is an error for msg" grep -qx 'status 1' <<<"$out"
fi

echo
echo "== embedding: examples/kv-host.c serves a native key-value interface in C"
if [ -x "$BUILD/examples/kv-host" ]; then
	out=$(show "$BUILD/examples/kv-host" "$BUILD/examples/guests" "$BUILD/guest/bin" 2>&1)
	rc=$?
	{ echo "$out" | head -n 14; echo "[...]"; echo "$out" | tail -n 6; } | sed 's/^./  &/'
	check "kv-host's guests got the right answers (exit 0)" [ $rc = 0 ]
	check "a deferred request was answered from the host loop" 		grep -q 'answering .* "later" requests from the host loop' <<<"$out"
fi

echo
echo "== embedding: examples/game-loop.c runs 20 guest bots, a fuel budget per tick"
if [ -x "$BUILD/examples/game-loop" ]; then
	out=$(show "$BUILD/examples/game-loop" "$BUILD/examples/guests" "$BUILD/guest/bin" 2>&1)
	rc=$?
	{ echo "$out" | head -n 2; echo "[...]"; echo "$out" | sed -n '/^tick 4$/,/^tick 5$/p'
	  echo "[...]"; echo "$out" | tail -n 3; } |
		sed 's/^./  &/'
	check "every bot did what it should (exit 0)" [ $rc = 0 ]
	check "the crashing bot is killed by its trap, nobody else" grep -q 'killed by SIGFPE' <<<"$out"
	check "the runaway bot is stopped by the host" grep -q 'no answer again: killed' <<<"$out"
fi
echo
echo "demo: $pass passed, $fail failed"
[ $fail = 0 ]
