;; Imports a host function the CLI does not offer: linking must fail.
(module
  (import "env" "missing" (func (param i32)))
  (func (export "f") i32.const 1 call 0))
