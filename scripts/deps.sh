#!/usr/bin/env bash
# deps.sh - check that every tool warren's build, tests and demo use is
# installed.  As root, install what is missing (CI); otherwise print the
# exact apt-get command and fail, so nothing changes behind a user's back.
set -euo pipefail

missing=()
need() { # need PACKAGE TEST...: PACKAGE is missing unless the test passes
	local pkg=$1
	shift
	if ! "$@" >/dev/null 2>&1; then
		missing+=("$pkg")
	fi
}
have() { command -v "$1"; }

need gcc have gcc
need make have make
need clang have clang
need lld have wasm-ld
need wasi-libc test -e /usr/include/wasm32-wasi/stdio.h -o -e /usr/lib/wasm32-wasi/libc.a
need wabt have wast2json
need llvm sh -c "command -v llvm-ar || command -v llvm-ar-14"
need valgrind have valgrind

# The clang runtime packages are named after clang's major version and
# live under its resource directory, so ask clang where that is.
cmaj=14
rdir=
if command -v clang >/dev/null 2>&1; then
	cmaj=$(clang -dumpversion | cut -d. -f1)
	rdir=$(clang -print-resource-dir 2>/dev/null || true)
fi
need "libclang-rt-$cmaj-dev-wasm32" test -e "$rdir/lib/wasi/libclang_rt.builtins-wasm32.a"
need "libclang-rt-$cmaj-dev" sh -c "ls '$rdir'/lib/linux/libclang_rt.fuzzer-*.a"

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: install them as root with:" >&2
	echo "    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
