# warren run: a WASI program as a process with the host's stdio; its exit
# status is warren's; errors name the program and the cause. The programs
# are small C files compiled here with the wasm toolchain.
. tests/cli/lib.bash

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CC="${WASM_CC:-clang} --target=wasm32-wasi --sysroot=/usr -O1"

prog() { # NAME: compile C source from stdin into $T/NAME.wasm
	$CC -x c -o "$T/$1.wasm" - || { echo "cannot compile $1"; exit 1; }
}

prog streams <<'EOF'
#include <stdio.h>
int main(int argc, char **argv) {
	printf("out");
	for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
	printf("\n");
	fprintf(stderr, "err\n");
	return 3;
}
EOF
prog cat <<'EOF'
#include <stdio.h>
int main(void) { int c, n = 0; while ((c = getchar()) != EOF) { putchar(c); n++; } fprintf(stderr, "%d\n", n); return 0; }
EOF
prog env <<'EOF'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) { const char *v = getenv(argv[1]); printf("%s\n", v ? v : "(unset)"); return 0; }
EOF
prog readfile <<'EOF'
#include <stdio.h>
int main(int argc, char **argv) {
	FILE *f = fopen(argv[1], argc > 2 ? "w" : "r");
	char buf[256];
	if (!f) { perror(argv[1]); return 1; }
	if (argc > 2) { fputs(argv[2], f); fclose(f); return 0; }
	while (fgets(buf, sizeof buf, f)) fputs(buf, stdout);
	return 0;
}
EOF
prog crash <<'EOF'
#include <stdlib.h>
__attribute__((noinline)) void explode(volatile int *p) { *p = 1; }
int main(int argc, char **argv) { if (argc > 1) abort(); explode((int *)0x7fffffff); return 0; }
EOF
prog spin <<'EOF'
int main(void) { volatile unsigned x = 0; for (;;) x++; }
EOF

# Exit status, arguments, stdout and stderr kept apart.
out=$($WARREN run "$T/streams.wasm" a "b c" 2>"$T/err")
rc=$?
if [ "$rc" != 3 ] || [ "$out" != "out a b c" ] || [ "$(cat "$T/err")" != "err" ]; then
	echo "streams: status $rc, stdout '$out', stderr '$(cat "$T/err")'"
	errors=$((errors + 1))
fi

# stdin is a pipe from the host's stdin; EOF arrives.
out=$(printf 'one\ntwo\n' | $WARREN run "$T/cat.wasm" 2>/dev/null)
if [ "$out" != "$(printf 'one\ntwo')" ]; then
	echo "cat: got '$out'"
	errors=$((errors + 1))
fi
out=$(head -c 300000 /dev/zero | $WARREN run "$T/cat.wasm" 2>&1 >/dev/null)
if [ "$out" != 300000 ]; then
	echo "cat of 300000 bytes: counted '$out'"
	errors=$((errors + 1))
fi
expect 0 '^0$' run "$T/cat.wasm" </dev/null

# Environment: defaults and --env.
expect 0 '^/bin$' run "$T/env.wasm" PATH
expect 0 '^bar$' run --env FOO=bar "$T/env.wasm" FOO
expect 0 '^/bin$' run --env FOO=bar "$T/env.wasm" PATH
expect 2 'bad --env' run --env FOO "$T/env.wasm" FOO

# Files: /tmp is writable in memory; host directories only when mounted.
echo "from the host" >"$T/hello.txt"
expect 0 '^from the host$' run --mount "$T:/mnt" "$T/readfile.wasm" /mnt/hello.txt
expect 1 'No such file' run "$T/readfile.wasm" /mnt/hello.txt
expect 0 '' run --mount "$T:/mnt" "$T/readfile.wasm" /mnt/new.txt written
if [ "$(cat "$T/new.txt" 2>/dev/null)" != written ]; then
	echo "write through a mount: got '$(cat "$T/new.txt" 2>/dev/null)'"
	errors=$((errors + 1))
fi
expect 1 'Read-only' run --mount "$T:/mnt:ro" "$T/readfile.wasm" /mnt/other.txt x
expect 1 'No such file' run --mount "$T:/mnt" "$T/readfile.wasm" /mnt/../../etc/passwd-nope
expect 2 'bad --mount' run --mount nocolon "$T/env.wasm" PATH

# Death by signal: 128 + N and the cause.
expect 139 'crash.wasm: killed by SIGSEGV \(trap in explode: out of bounds memory access\)' \
	run "$T/crash.wasm"
expect 134 'killed by SIGABRT' run "$T/crash.wasm" abort
expect 152 'spin.wasm: killed by SIGXCPU' run --fuel 2000000 "$T/spin.wasm"

# Programs that are not there or not programs.
expect 127 "$T/none.wasm: No such file" run "$T/none.wasm"
printf '\0asm\1\0\0\0\1\5' >"$T/bad.wasm"
expect 126 'warren: bad.wasm: .*offset' run "$T/bad.wasm"
printf '(module (import "nope" "f" (func)) (func (export "_start")))' >"$T/imp.wat"
wat2wasm -o "$T/imp.wasm" "$T/imp.wat"
expect 126 'unknown import nope.f' run "$T/imp.wasm"
printf '(module (func (export "f")))' >"$T/lib.wat"
wat2wasm -o "$T/lib.wasm" "$T/lib.wat"
expect 126 'no _start' run "$T/lib.wasm"
expect 2 'no program' run
expect 2 'unknown option' run --bogus 1 "$T/env.wasm"
finish
