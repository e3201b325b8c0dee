# warren call: arguments parsed by the export's signature, results printed
# one a line, for every value type.
. tests/cli/lib.bash

expect 0 '^5$' call "$W/basic.wasm" add 2 3
expect 0 '^-1$' call "$W/basic.wasm" add 0xffffffff 0
expect 0 '^-2147483648$' call "$W/basic.wasm" add 2147483647 1
expect 0 '^10000000000$' call "$W/basic.wasm" add64 9999999999 1
expect 0 '^-1$' call "$W/basic.wasm" add64 18446744073709551615 0
expect 0 '^7.5$' call "$W/basic.wasm" mulf 2.5 3
expect 0 '^0.33333333333333331$' call "$W/basic.wasm" divd 1 3
expect 0 '^inf$' call "$W/basic.wasm" divd 1 0
expect 0 '^nan:0x' call "$W/basic.wasm" divd 0 0
expect 0 $'^9\n7$' call "$W/basic.wasm" swap 7 9
expect 0 '^$' call "$W/basic.wasm" nothing
expect 0 '^3628800$' call "$W/basic.wasm" fac 10
expect 0 '^49995000$' call "$W/basic.wasm" sum 10000
expect 0 '^1$' call "$W/memimport.wasm" roundtrip 1
expect 0 '^1$' call "$W/memimport.wasm" pages
expect 0 '^1$' call "$W/basic.wasm" grow 1
expect 0 '^-1$' call --max-pages 2 "$W/basic.wasm" grow 5

# argument errors: exit 2 before anything runs
expect 2 'takes 2 arguments \(ii:i\), got 1' call "$W/basic.wasm" add 1
expect 2 "'x' is not a valid i value" call "$W/basic.wasm" add x 1
expect 2 "is not a valid i value" call "$W/basic.wasm" add 4294967296 1
expect 2 "is not a valid f value" call "$W/basic.wasm" mulf 1.5z 1
expect 2 'no such exported function' call "$W/basic.wasm" nope
expect 2 'no such exported function' call "$W/basic.wasm" memory
expect 2 'unknown import' call "$W/imports.wasm" f
expect 2 'bad option' call --bogus "$W/basic.wasm" add 1 2
expect 2 'bad number' call --fuel -5 "$W/basic.wasm" add 1 2
expect 2 'usage' call "$W/basic.wasm"
finish
