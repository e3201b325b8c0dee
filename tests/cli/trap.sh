# Traps and fuel: a trap prints its message and exits 1; fuel bounds any
# computation; slicing does not change results.
. tests/cli/lib.bash

expect 1 'trap: .*unreachable' call "$W/basic.wasm" crash
expect 1 'trap: .*divide by zero' call "$W/basic.wasm" div 1 0
expect 1 'trap: .*overflow' call "$W/basic.wasm" div -2147483648 -1
expect 1 'trap: .*(exhausted|stack)' call "$W/basic.wasm" deep 1
expect 1 'out of fuel after [0-9]+ instructions' call --fuel 1000 "$W/basic.wasm" forever
expect 1 'out of fuel' call --fuel 10000 --slice 7 "$W/basic.wasm" forever
expect 0 '^49995000$' call --slice 1 "$W/basic.wasm" sum 10000
expect 0 '^49995000$' call --slice 7 "$W/basic.wasm" sum 10000
expect 0 '^49995000$' call --slice 1000 --fuel 1000000 "$W/basic.wasm" sum 10000
expect 0 '^3628800$' call --slice 3 "$W/basic.wasm" fac 10
expect 0 'instructions in [0-9]+ slices' call --stats --slice 100 "$W/basic.wasm" sum 1000
finish
