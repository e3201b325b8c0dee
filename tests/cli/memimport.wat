;; Imports its memory (as wasm32-wasi programs built with
;; --import-memory do): warren creates it from the declared limits.
(module
  (import "env" "memory" (memory 1 2))
  (func (export "roundtrip") (param i32) (result i32)
    (i32.store (i32.const 100) (local.get 0))
    (i32.load (i32.const 100)))
  (func (export "pages") (result i32) memory.size))
