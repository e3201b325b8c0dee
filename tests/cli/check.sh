# warren check: valid modules list their exports; bad ones name the
# section and offset and exit 2.
. tests/cli/lib.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect 0 'func add ii:i' check "$W/basic.wasm"
expect 0 'func swap iI:Ii' check "$W/basic.wasm"
expect 0 'memory memory' check "$W/basic.wasm"
expect 0 'func nothing :$' check "$W/basic.wasm"

# a type section whose size runs past the end of the file
printf '\0asm\1\0\0\0\1\11\1\140\0\1\177' >"$tmp/short.wasm"
expect 2 "^warren: $tmp/short.wasm: malformed module: .*(section|offset)" check "$tmp/short.wasm"
printf '\0asm\2\0\0\0' >"$tmp/version.wasm"
expect 2 "^warren: $tmp/version.wasm: malformed module" check "$tmp/version.wasm"
printf 'hello world' >"$tmp/text.wasm"
expect 2 "malformed module" check "$tmp/text.wasm"
: >"$tmp/empty.wasm"
expect 2 "malformed module" check "$tmp/empty.wasm"
# (func (result i32) i64.const 0): well formed, but ill-typed
printf '\0asm\1\0\0\0\1\5\1\140\0\1\177\3\2\1\0\12\6\1\4\0\102\0\13' >"$tmp/type.wasm"
expect 2 "^warren: $tmp/type.wasm: invalid module: .*offset" check "$tmp/type.wasm"
head -c 100 "$W/basic.wasm" >"$tmp/cut.wasm"
expect 2 "malformed module: .*section" check "$tmp/cut.wasm"
expect 2 "No such file" check "$tmp/nonexistent.wasm"
expect 2 "usage" check
finish
